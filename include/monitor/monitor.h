/*
 * Monitors: QMP sessions on chardevs, and the QMP event fan-out.
 */
#ifndef MONITOR_MONITOR_H
#define MONITOR_MONITOR_H

#include <json-glib/json-glib.h>
#include "qapi/error.h"
#include "qemu/timer.h"

typedef struct Chardev Chardev;

/*
 * Serve QMP on @chr: the greeting is sent whenever a client connects
 * (each connection is a new session that must negotiate again).
 * @pretty: pretty-print responses (QEMU's "pretty=on").
 */
bool monitor_init_qmp(Chardev *chr, bool pretty, Error **errp);

/*
 * -mon [chardev=]ID[,mode=control|readline][,pretty=on|off]: QMP (control)
 * or HMP (readline) on the chardev ID.
 */
bool monitor_new_from_opts(const char *optarg, Error **errp);

/*
 * -qmp DEV / -qmp-pretty DEV: "stdio" or a legacy chardev spec such as
 * "unix:PATH,server=on,wait=off" (see qemu_chr_new()).
 */
bool monitor_add_qmp_legacy(const char *spec, bool pretty, Error **errp);

/*
 * Event sinks.  Every event leaving the throttle is handed to each
 * listener as the full event object ({"timestamp", "event", "data"}),
 * borrowed for the duration of the call.  QMP monitors are listeners;
 * tests can add their own.
 */
typedef void MonitorEventListener(JsonObject *event, void *opaque);
void monitor_add_event_listener(MonitorEventListener *fn, void *opaque);
void monitor_remove_event_listener(MonitorEventListener *fn, void *opaque);

/*
 * The clock the event throttle measures its periods on: REALTIME by
 * default; the qtest accelerator selects VIRTUAL so that tests control
 * it with clock_step.
 */
void monitor_event_throttle_set_clock(QEMUClockType type);

/* Throttle period of @event in ns (0: not throttled). */
int64_t monitor_event_throttle_period(const char *event);

/* Drop pending throttled events and their timers (tests, shutdown). */
void monitor_event_throttle_reset(void);

/*
 * While a QMP command runs: the fd that came with its request
 * (SCM_RIGHTS), now owned by the caller, or -1.
 */
int monitor_qmp_take_received_fd(void);

/*
 * The fds passed with QMP getfd (monitor/fds.c), by name.
 * monitor_fd_take: remove fd @name from the table and return it (the
 * caller owns it), or -1 with QEMU's error "File descriptor named 'X' has
 * not been found".
 */
int monitor_fd_take(const char *name, Error **errp);

#endif
