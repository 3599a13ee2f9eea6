/*
 * The VM's run state (QEMU's RunState), start/stop, reset and shutdown
 * requests, and the QMP events they emit (STOP, RESUME, RESET, SHUTDOWN).
 */
#ifndef SYSEMU_RUNSTATE_H
#define SYSEMU_RUNSTATE_H

#include "qapi/util.h"
#include "sysemu/shutdown-cause.h"

typedef enum RunState {
    RUN_STATE_DEBUG,
    RUN_STATE_INMIGRATE,
    RUN_STATE_INTERNAL_ERROR,
    RUN_STATE_IO_ERROR,
    RUN_STATE_PAUSED,
    RUN_STATE_POSTMIGRATE,
    RUN_STATE_PRELAUNCH,
    RUN_STATE_FINISH_MIGRATE,
    RUN_STATE_RESTORE_VM,
    RUN_STATE_RUNNING,
    RUN_STATE_SAVE_VM,
    RUN_STATE_SHUTDOWN,
    RUN_STATE_SUSPENDED,
    RUN_STATE_WATCHDOG,
    RUN_STATE_GUEST_PANICKED,
    RUN_STATE_COLO,
    RUN_STATE__MAX,
} RunState;

/* QAPI names: "debug", ..., "paused", "prelaunch", "running", ... */
extern const QEnumLookup RunState_lookup;

/*
 * The VM starts in RUN_STATE_PRELAUNCH; vl.c calls vm_start() after
 * building the machine unless -S was given.
 */
RunState runstate_get(void);
bool runstate_check(RunState state);
/* Change the state (no event, no handlers: vm_start/vm_stop do those). */
void runstate_set(RunState new_state);
bool runstate_is_running(void);

/* Called with the new running flag and state on every start/stop. */
typedef void VMChangeStateHandler(void *opaque, bool running, RunState state);
typedef struct VMChangeStateEntry VMChangeStateEntry;

VMChangeStateEntry *qemu_add_vm_change_state_handler(VMChangeStateHandler *cb,
                                                     void *opaque);
void qemu_del_vm_change_state_handler(VMChangeStateEntry *e);

/*
 * Run the VM: state "running", change-state handlers, then the RESUME
 * event.  No-op when already running.
 */
void vm_start(void);

/*
 * Stop the VM into @state (e.g. RUN_STATE_PAUSED): handlers, then the
 * STOP event.  When not running only the state changes.  Returns 0.
 */
int vm_stop(RunState state);

/*
 * Reset the machine now: MachineClass.reset of current_machine if set,
 * else qemu_devices_reset(@reason); then the RESET event
 * {"guest": bool, "reason": "<ShutdownCause name>"}.
 */
void qemu_system_reset(ShutdownCause reason);

/* Ask the main loop to reset the machine (QMP system_reset, guests). */
void qemu_system_reset_request(ShutdownCause reason);

/*
 * Ask the main loop to shut down: the SHUTDOWN event
 * {"guest": bool, "reason": "..."} is emitted and the main loop returns.
 */
void qemu_system_shutdown_request(ShutdownCause reason);

/* Whether a shutdown has been requested. */
bool qemu_system_shutdown_requested(void);

#endif
