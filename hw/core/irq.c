/*
 * Interrupt lines.
 */
#include "qemu/osdep.h"
#include "hw/irq.h"

void qemu_set_irq(qemu_irq irq, int level)
{
    if (!irq) {
        return;
    }
    irq->handler(irq->opaque, irq->n, level);
}

void qemu_init_irq(IRQState *irq, qemu_irq_handler handler, void *opaque,
                   int n)
{
    object_initialize(irq, sizeof(*irq), TYPE_IRQ);
    irq->handler = handler;
    irq->opaque = opaque;
    irq->n = n;
}

qemu_irq qemu_allocate_irq(qemu_irq_handler handler, void *opaque, int n)
{
    IRQState *irq = (IRQState *)object_new(TYPE_IRQ);

    irq->handler = handler;
    irq->opaque = opaque;
    irq->n = n;
    return irq;
}

qemu_irq *qemu_allocate_irqs(qemu_irq_handler handler, void *opaque, int n)
{
    qemu_irq *s = g_new0(qemu_irq, n);

    for (int i = 0; i < n; i++) {
        s[i] = qemu_allocate_irq(handler, opaque, i);
    }
    return s;
}

void qemu_free_irq(qemu_irq irq)
{
    object_unref(OBJECT(irq));
}

void qemu_free_irqs(qemu_irq *s, int n)
{
    for (int i = 0; i < n; i++) {
        qemu_free_irq(s[i]);
    }
    g_free(s);
}

/* Saved original lines; kept for the life of the process. */
static GPtrArray *intercepted_irqs;

void qemu_irq_intercept_in(qemu_irq *gpio_in, qemu_irq_handler handler,
                           int n)
{
    /* Never freed: the intercepted lines keep pointing into it. */
    qemu_irq *saved = qemu_allocate_irqs(NULL, NULL, n);

    if (!intercepted_irqs) {
        intercepted_irqs = g_ptr_array_new();
    }
    g_ptr_array_add(intercepted_irqs, saved);

    for (int i = 0; i < n; i++) {
        saved[i]->handler = gpio_in[i]->handler;
        saved[i]->opaque = gpio_in[i]->opaque;
        saved[i]->n = gpio_in[i]->n;
        gpio_in[i]->handler = handler;
        gpio_in[i]->opaque = &saved[i];
    }
}

static const TypeInfo irq_type_info = {
    .name = TYPE_IRQ,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(IRQState),
};

static void irq_register_types(void)
{
    type_register_static(&irq_type_info);
}

type_init(irq_register_types)
