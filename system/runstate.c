/*
 * The main loop and the VM's run state: start/stop, reset and shutdown
 * requests with their QMP events.
 */
#include "qemu/osdep.h"
#include "sysemu/sysemu.h"
#include "sysemu/runstate.h"
#include "qapi/qmp-event.h"
#include "qemu/timer.h"
#include "qemu/error-report.h"
#include "hw/boards.h"
#include "sysemu/reset.h"
#include "sysemu/cpus.h"
#include "qemu/main-loop.h"
#include <glib-unix.h>
#include <signal.h>

static const char *const run_state_names[RUN_STATE__MAX] = {
    [RUN_STATE_DEBUG] = "debug",
    [RUN_STATE_INMIGRATE] = "inmigrate",
    [RUN_STATE_INTERNAL_ERROR] = "internal-error",
    [RUN_STATE_IO_ERROR] = "io-error",
    [RUN_STATE_PAUSED] = "paused",
    [RUN_STATE_POSTMIGRATE] = "postmigrate",
    [RUN_STATE_PRELAUNCH] = "prelaunch",
    [RUN_STATE_FINISH_MIGRATE] = "finish-migrate",
    [RUN_STATE_RESTORE_VM] = "restore-vm",
    [RUN_STATE_RUNNING] = "running",
    [RUN_STATE_SAVE_VM] = "save-vm",
    [RUN_STATE_SHUTDOWN] = "shutdown",
    [RUN_STATE_SUSPENDED] = "suspended",
    [RUN_STATE_WATCHDOG] = "watchdog",
    [RUN_STATE_GUEST_PANICKED] = "guest-panicked",
    [RUN_STATE_COLO] = "colo",
};

const QEnumLookup RunState_lookup = {
    .array = run_state_names,
    .size = RUN_STATE__MAX,
};

static const char *const shutdown_cause_names[SHUTDOWN_CAUSE__MAX] = {
    [SHUTDOWN_CAUSE_NONE] = "none",
    [SHUTDOWN_CAUSE_HOST_ERROR] = "host-error",
    [SHUTDOWN_CAUSE_HOST_QMP_QUIT] = "host-qmp-quit",
    [SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET] = "host-qmp-system-reset",
    [SHUTDOWN_CAUSE_HOST_SIGNAL] = "host-signal",
    [SHUTDOWN_CAUSE_HOST_UI] = "host-ui",
    [SHUTDOWN_CAUSE_GUEST_SHUTDOWN] = "guest-shutdown",
    [SHUTDOWN_CAUSE_GUEST_RESET] = "guest-reset",
    [SHUTDOWN_CAUSE_GUEST_PANIC] = "guest-panic",
    [SHUTDOWN_CAUSE_SUBSYSTEM_RESET] = "subsystem-reset",
    [SHUTDOWN_CAUSE_SNAPSHOT_LOAD] = "snapshot-load",
};

const QEnumLookup ShutdownCause_lookup = {
    .array = shutdown_cause_names,
    .size = SHUTDOWN_CAUSE__MAX,
};

struct VMChangeStateEntry {
    VMChangeStateHandler *cb;
    void *opaque;
};

static RunState current_run_state = RUN_STATE_PRELAUNCH;
static GPtrArray *vm_change_state_handlers;   /* of VMChangeStateEntry * */

static GMainLoop *main_loop;
static ShutdownCause shutdown_cause;          /* NONE: no request */
static ShutdownCause reset_cause;
static bool shutdown_announced;               /* SHUTDOWN event sent */
static guint pending_requests_source;

/* --- The big QEMU lock -------------------------------------------------- */

static GMutex bql;
static __thread bool bql_held;

void bql_lock(void)
{
    g_assert(!bql_held);
    g_mutex_lock(&bql);
    bql_held = true;
}

void bql_unlock(void)
{
    g_assert(bql_held);
    bql_held = false;
    g_mutex_unlock(&bql);
}

bool bql_locked(void)
{
    return bql_held;
}

void bql_cond_wait(GCond *cond)
{
    g_assert(bql_held);
    g_cond_wait(cond, &bql);
}

GMainContext *qemu_get_aio_context(void)
{
    return g_main_context_default();
}

RunState runstate_get(void)
{
    return current_run_state;
}

bool runstate_check(RunState state)
{
    return current_run_state == state;
}

void runstate_set(RunState new_state)
{
    g_assert(new_state >= 0 && new_state < RUN_STATE__MAX);
    current_run_state = new_state;
}

bool runstate_is_running(void)
{
    return runstate_check(RUN_STATE_RUNNING);
}

VMChangeStateEntry *qemu_add_vm_change_state_handler(VMChangeStateHandler *cb,
                                                     void *opaque)
{
    VMChangeStateEntry *e = g_new0(VMChangeStateEntry, 1);

    e->cb = cb;
    e->opaque = opaque;
    if (!vm_change_state_handlers) {
        vm_change_state_handlers = g_ptr_array_new();
    }
    g_ptr_array_add(vm_change_state_handlers, e);
    return e;
}

void qemu_del_vm_change_state_handler(VMChangeStateEntry *e)
{
    if (vm_change_state_handlers) {
        g_ptr_array_remove(vm_change_state_handlers, e);
    }
    g_free(e);
}

/* Handlers run in registration order when starting, reversed when stopping. */
static void vm_state_notify(bool running, RunState state)
{
    guint n = vm_change_state_handlers ? vm_change_state_handlers->len : 0;

    for (guint i = 0; i < n; i++) {
        guint idx = running ? i : n - 1 - i;
        VMChangeStateEntry *e = g_ptr_array_index(vm_change_state_handlers,
                                                  idx);

        e->cb(e->opaque, running, state);
    }
}

void vm_start(void)
{
    if (runstate_is_running()) {
        return;
    }
    qapi_event_send("RESUME", NULL);
    cpu_enable_ticks();
    runstate_set(RUN_STATE_RUNNING);
    vm_state_notify(true, RUN_STATE_RUNNING);
}

int vm_stop(RunState state)
{
    if (!runstate_is_running()) {
        runstate_set(state);
        return 0;
    }
    cpu_disable_ticks();
    runstate_set(state);
    vm_state_notify(false, state);
    qapi_event_send("STOP", NULL);
    return 0;
}

static JsonObject *shutdown_event_data(ShutdownCause cause)
{
    JsonObject *data = json_object_new();

    json_object_set_boolean_member(data, "guest",
                                   shutdown_caused_by_guest(cause));
    json_object_set_string_member(data, "reason",
                                  qapi_enum_lookup(&ShutdownCause_lookup,
                                                   cause));
    return data;
}

void qemu_system_reset(ShutdownCause reason)
{
    MachineClass *mc = current_machine ? MACHINE_GET_CLASS(current_machine)
                                       : NULL;

    if (mc && mc->reset) {
        mc->reset(current_machine, reason);
    } else {
        qemu_devices_reset(reason);
    }
    if (reason != SHUTDOWN_CAUSE_NONE &&
        reason != SHUTDOWN_CAUSE_SUBSYSTEM_RESET) {
        qapi_event_send("RESET", shutdown_event_data(reason));
    }
}

/* Requests run from the main loop, after the current command answered. */
static gboolean handle_pending_requests(gpointer opaque)
{
    pending_requests_source = 0;
    if (reset_cause != SHUTDOWN_CAUSE_NONE) {
        ShutdownCause cause = reset_cause;

        reset_cause = SHUTDOWN_CAUSE_NONE;
        /* The vCPUs must not run (nor be inside KVM_RUN) while reset. */
        pause_all_vcpus();
        qemu_system_reset(cause);
        /* After a reset the VM can be started again, as in QEMU. */
        if (runstate_check(RUN_STATE_INTERNAL_ERROR) ||
            runstate_check(RUN_STATE_SHUTDOWN)) {
            runstate_set(RUN_STATE_PRELAUNCH);
        }
        resume_all_vcpus();
    }
    if (shutdown_cause != SHUTDOWN_CAUSE_NONE && !shutdown_announced) {
        shutdown_announced = true;
        qapi_event_send("SHUTDOWN", shutdown_event_data(shutdown_cause));
    }
    if (shutdown_announced && main_loop) {
        g_main_loop_quit(main_loop);
    }
    return G_SOURCE_REMOVE;
}

static void schedule_pending_requests(void)
{
    if (!pending_requests_source) {
        pending_requests_source = g_idle_add(handle_pending_requests, NULL);
    }
}

void qemu_system_reset_request(ShutdownCause reason)
{
    reset_cause = reason;
    schedule_pending_requests();
}

void qemu_system_shutdown_request(ShutdownCause reason)
{
    if (shutdown_cause != SHUTDOWN_CAUSE_NONE) {
        return;
    }
    shutdown_cause = reason;
    schedule_pending_requests();
}

bool qemu_system_shutdown_requested(void)
{
    return shutdown_cause != SHUTDOWN_CAUSE_NONE;
}

/* SIGINT/SIGHUP/SIGTERM end the VM cleanly, as in QEMU. */
static gboolean termination_signal(gpointer opaque)
{
    int sig = GPOINTER_TO_INT(opaque);

    error_report("terminating on signal %d", sig);
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_SIGNAL);
    return G_SOURCE_CONTINUE;
}

static void install_signal_handlers(void)
{
    static const int signals[] = { SIGINT, SIGHUP, SIGTERM };
    static bool installed;

    if (installed) {
        return;
    }
    installed = true;
    for (size_t i = 0; i < ARRAY_SIZE(signals); i++) {
        g_unix_signal_add(signals[i], termination_signal,
                          GINT_TO_POINTER(signals[i]));
    }
}

/*
 * The main loop holds the BQL while it dispatches and drops it while it
 * waits, so that a vCPU thread can handle its exits meanwhile.
 */
static gint poll_without_bql(GPollFD *fds, guint nfds, gint timeout)
{
    bool locked = bql_locked();
    gint ret;

    if (locked) {
        bql_unlock();
    }
    ret = g_poll(fds, nfds, timeout);
    if (locked) {
        bql_lock();
    }
    return ret;
}

int qemu_main_loop(void)
{
    install_signal_handlers();
    g_main_context_set_poll_func(qemu_get_aio_context(), poll_without_bql);
    if (qemu_system_shutdown_requested()) {
        handle_pending_requests(NULL);
        return 0;
    }
    main_loop = g_main_loop_new(qemu_get_aio_context(), FALSE);
    g_main_loop_run(main_loop);
    g_main_loop_unref(main_loop);
    main_loop = NULL;
    return 0;
}
