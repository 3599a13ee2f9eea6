/*
 * System reset: registered handlers, then the qdev tree.
 */
#include "qemu/osdep.h"
#include "sysemu/reset.h"
#include "hw/qdev-core.h"
#include "hw/sysbus.h"

typedef struct QEMUResetEntry {
    QEMUResetHandler *func;
    void *opaque;
} QEMUResetEntry;

static GQueue reset_handlers = G_QUEUE_INIT;

void qemu_register_reset(QEMUResetHandler *func, void *opaque)
{
    QEMUResetEntry *re = g_new0(QEMUResetEntry, 1);

    re->func = func;
    re->opaque = opaque;
    g_queue_push_tail(&reset_handlers, re);
}

void qemu_unregister_reset(QEMUResetHandler *func, void *opaque)
{
    for (GList *l = reset_handlers.head; l; l = l->next) {
        QEMUResetEntry *re = l->data;

        if (re->func == func && re->opaque == opaque) {
            g_queue_delete_link(&reset_handlers, l);
            g_free(re);
            return;
        }
    }
}

void qemu_devices_reset(ShutdownCause reason)
{
    GList *l = reset_handlers.head;

    /* A handler may unregister itself: step before calling it. */
    while (l) {
        QEMUResetEntry *re = l->data;

        l = l->next;
        re->func(re->opaque);
    }
    bus_cold_reset(sysbus_get_default());
}
