/*
 * Why the machine shuts down or resets (QEMU's ShutdownCause).
 */
#ifndef SYSEMU_SHUTDOWN_CAUSE_H
#define SYSEMU_SHUTDOWN_CAUSE_H

#include "qapi/util.h"

typedef enum ShutdownCause {
    SHUTDOWN_CAUSE_NONE,                  /* no shutdown/reset pending */
    SHUTDOWN_CAUSE_HOST_ERROR,
    SHUTDOWN_CAUSE_HOST_QMP_QUIT,
    SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET,
    SHUTDOWN_CAUSE_HOST_SIGNAL,
    SHUTDOWN_CAUSE_HOST_UI,
    SHUTDOWN_CAUSE_GUEST_SHUTDOWN,
    SHUTDOWN_CAUSE_GUEST_RESET,
    SHUTDOWN_CAUSE_GUEST_PANIC,
    SHUTDOWN_CAUSE_SUBSYSTEM_RESET,
    SHUTDOWN_CAUSE_SNAPSHOT_LOAD,
    SHUTDOWN_CAUSE__MAX,
} ShutdownCause;

/* QAPI names: "none", "host-error", ... (defined in system/runstate.c) */
extern const QEnumLookup ShutdownCause_lookup;

/* Whether @cause comes from the guest (QMP "guest" event member). */
static inline bool shutdown_caused_by_guest(ShutdownCause cause)
{
    return cause >= SHUTDOWN_CAUSE_GUEST_SHUTDOWN;
}

#endif
