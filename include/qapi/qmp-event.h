/*
 * QMP events: broadcast to every QMP monitor that finished capabilities
 * negotiation, as {"timestamp": {"seconds": S, "microseconds": U},
 * "event": NAME, "data": {...}}.
 *
 * Some events are rate limited the way QEMU's monitor does it (see
 * monitor/monitor.c): MEMORY_DEVICE_SIZE_CHANGE at most once per second
 * per "qom-path"; the first is sent at once, later ones within the period
 * collapse into the latest, delivered when the period ends.
 */
#ifndef QAPI_QMP_EVENT_H
#define QAPI_QMP_EVENT_H

#include <json-glib/json-glib.h>

/*
 * Emit event @name.  Takes ownership of @data (one reference): callers
 * must NOT json_object_unref() it afterwards.  NULL @data: the event has
 * no "data" member (like QEMU's STOP and RESUME).
 */
void qapi_event_send(const char *name, JsonObject *data);

#endif
