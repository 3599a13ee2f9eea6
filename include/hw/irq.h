/*
 * Interrupt lines (qemu_irq): a handler called with the line's level.
 */
#ifndef HW_IRQ_H
#define HW_IRQ_H

#include "qom/object.h"

#define TYPE_IRQ "irq"

typedef struct IRQState IRQState;
typedef struct IRQState *qemu_irq;
typedef void (*qemu_irq_handler)(void *opaque, int n, int level);

/* A QOM object so that gpio outputs can be "link<irq>" properties. */
struct IRQState {
    Object parent_obj;

    qemu_irq_handler handler;
    void *opaque;
    int n;
};

/* Call @irq's handler with @level; a NULL @irq is a no-op. */
void qemu_set_irq(qemu_irq irq, int level);

static inline void qemu_irq_raise(qemu_irq irq)
{
    qemu_set_irq(irq, 1);
}

static inline void qemu_irq_lower(qemu_irq irq)
{
    qemu_set_irq(irq, 0);
}

static inline void qemu_irq_pulse(qemu_irq irq)
{
    qemu_set_irq(irq, 1);
    qemu_set_irq(irq, 0);
}

/* Initialize an embedded IRQState. */
void qemu_init_irq(IRQState *irq, qemu_irq_handler handler, void *opaque,
                   int n);
/* One line calling @handler(@opaque, @n, level). */
qemu_irq qemu_allocate_irq(qemu_irq_handler handler, void *opaque, int n);
/* @n lines numbered 0..n-1 (free with qemu_free_irqs()). */
qemu_irq *qemu_allocate_irqs(qemu_irq_handler handler, void *opaque, int n);
void qemu_free_irq(qemu_irq irq);
/* Frees the lines and the array. */
void qemu_free_irqs(qemu_irq *s, int n);

/*
 * Redirect the @n lines of @gpio_in to @handler (qtest).  Line i then
 * calls handler(opaque_i, i, level), where opaque_i points to a qemu_irq
 * holding the original line: qemu_set_irq(*(qemu_irq *)opaque_i, level)
 * forwards the level to the original handler.
 */
void qemu_irq_intercept_in(qemu_irq *gpio_in, qemu_irq_handler handler,
                           int n);

#endif
