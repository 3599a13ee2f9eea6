/*
 * System reset: registered handlers and the qdev tree.
 */
#ifndef SYSEMU_RESET_H
#define SYSEMU_RESET_H

#include "sysemu/shutdown-cause.h"

typedef void QEMUResetHandler(void *opaque);

/*
 * Call @func(@opaque) on every system reset, in registration order.  The
 * same pair may be registered more than once (it then runs that often).
 */
void qemu_register_reset(QEMUResetHandler *func, void *opaque);
/* Remove the first registration of (@func, @opaque), if any. */
void qemu_unregister_reset(QEMUResetHandler *func, void *opaque);

/*
 * Reset everything: the registered handlers first (in registration
 * order), then every realized device of the qdev tree below the main
 * system bus (see bus_cold_reset()).  @reason is informational.
 */
void qemu_devices_reset(ShutdownCause reason);

#endif
