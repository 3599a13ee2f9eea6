/*
 * QMP event emission: timestamps, per-event rate limiting and the fan-out
 * to listeners (the QMP monitors).
 *
 * Rate limiting follows QEMU's monitor: the first event of a (name, key)
 * is emitted at once and opens a period; events during the period replace
 * each other, and the survivor is emitted when the period ends, opening
 * a new one.  A period that ends with nothing pending closes the state.
 */
#include "qemu/osdep.h"
#include "monitor/monitor.h"
#include "qapi/qmp-event.h"

typedef struct EventThrottleRule {
    const char *event;
    int64_t period_ns;
    const char *key;            /* data member telling instances apart */
} EventThrottleRule;

static const EventThrottleRule throttle_rules[] = {
    { "RTC_CHANGE", 1000 * SCALE_MS, NULL },
    { "BALLOON_CHANGE", 1000 * SCALE_MS, NULL },
    { "WATCHDOG", 1000 * SCALE_MS, NULL },
    { "VSERPORT_CHANGE", 1000 * SCALE_MS, "id" },
    { "MEMORY_DEVICE_SIZE_CHANGE", 1000 * SCALE_MS, "qom-path" },
};

typedef struct EventThrottleState {
    const EventThrottleRule *rule;
    char *key_value;            /* NULL when the rule has no key */
    JsonObject *pending;        /* latest event of the period, or NULL */
    QEMUTimer *timer;
} EventThrottleState;

typedef struct EventListener {
    MonitorEventListener *fn;
    void *opaque;
} EventListener;

static GArray *listeners;                   /* of EventListener */
static GPtrArray *throttle_states;          /* of EventThrottleState * */
static QEMUClockType throttle_clock = QEMU_CLOCK_REALTIME;

void monitor_add_event_listener(MonitorEventListener *fn, void *opaque)
{
    EventListener l = { fn, opaque };

    if (!listeners) {
        listeners = g_array_new(FALSE, FALSE, sizeof(EventListener));
    }
    g_array_append_val(listeners, l);
}

void monitor_remove_event_listener(MonitorEventListener *fn, void *opaque)
{
    for (guint i = 0; listeners && i < listeners->len; i++) {
        EventListener *l = &g_array_index(listeners, EventListener, i);

        if (l->fn == fn && l->opaque == opaque) {
            g_array_remove_index(listeners, i);
            return;
        }
    }
}

static void emit_event(JsonObject *event)
{
    /* A listener may remove itself: iterate over a copy. */
    g_autoptr(GArray) copy = NULL;

    if (!listeners || !listeners->len) {
        return;
    }
    copy = g_array_sized_new(FALSE, FALSE, sizeof(EventListener),
                             listeners->len);
    g_array_append_vals(copy, listeners->data, listeners->len);
    for (guint i = 0; i < copy->len; i++) {
        EventListener *l = &g_array_index(copy, EventListener, i);

        l->fn(event, l->opaque);
    }
}

static const EventThrottleRule *find_throttle_rule(const char *event)
{
    for (size_t i = 0; i < ARRAY_SIZE(throttle_rules); i++) {
        if (!strcmp(throttle_rules[i].event, event)) {
            return &throttle_rules[i];
        }
    }
    return NULL;
}

int64_t monitor_event_throttle_period(const char *event)
{
    const EventThrottleRule *rule = find_throttle_rule(event);

    return rule ? rule->period_ns : 0;
}

void monitor_event_throttle_set_clock(QEMUClockType type)
{
    monitor_event_throttle_reset();
    throttle_clock = type;
}

static void throttle_state_free(EventThrottleState *st)
{
    timer_free(st->timer);
    if (st->pending) {
        json_object_unref(st->pending);
    }
    g_free(st->key_value);
    g_free(st);
}

void monitor_event_throttle_reset(void)
{
    if (throttle_states) {
        while (throttle_states->len) {
            throttle_state_free(g_ptr_array_steal_index(throttle_states, 0));
        }
    }
}

static void throttle_period_ended(void *opaque)
{
    EventThrottleState *st = opaque;
    JsonObject *event = st->pending;

    if (!event) {
        g_ptr_array_remove(throttle_states, st);
        throttle_state_free(st);
        return;
    }
    st->pending = NULL;
    timer_mod_ns(st->timer, qemu_clock_get_ns(throttle_clock) +
                 st->rule->period_ns);
    emit_event(event);
    json_object_unref(event);
}

/* The value of the rule's key member in @data ("" when absent). */
static const char *event_key_value(const EventThrottleRule *rule,
                                   JsonObject *data)
{
    JsonNode *node;

    if (!rule->key || !data) {
        return "";
    }
    node = json_object_get_member(data, rule->key);
    if (!node || json_node_get_value_type(node) != G_TYPE_STRING) {
        return "";
    }
    return json_node_get_string(node);
}

static EventThrottleState *find_throttle_state(const EventThrottleRule *rule,
                                               const char *key_value)
{
    for (guint i = 0; throttle_states && i < throttle_states->len; i++) {
        EventThrottleState *st = g_ptr_array_index(throttle_states, i);

        if (st->rule == rule && !g_strcmp0(st->key_value, key_value)) {
            return st;
        }
    }
    return NULL;
}

static void throttle_event(const EventThrottleRule *rule, JsonObject *event,
                           JsonObject *data)
{
    const char *key_value = event_key_value(rule, data);
    EventThrottleState *st = find_throttle_state(rule, key_value);

    if (st) {
        if (st->pending) {
            json_object_unref(st->pending);
        }
        st->pending = json_object_ref(event);
        return;
    }
    st = g_new0(EventThrottleState, 1);
    st->rule = rule;
    st->key_value = g_strdup(key_value);
    st->timer = timer_new_ns(throttle_clock, throttle_period_ended, st);
    if (!throttle_states) {
        throttle_states = g_ptr_array_new();
    }
    g_ptr_array_add(throttle_states, st);
    timer_mod_ns(st->timer, qemu_clock_get_ns(throttle_clock) +
                 rule->period_ns);
    emit_event(event);
}

static JsonObject *build_event(const char *name, JsonObject *data)
{
    JsonObject *event = json_object_new();
    JsonObject *timestamp = json_object_new();
    int64_t now_us = g_get_real_time();

    json_object_set_int_member(timestamp, "seconds", now_us / G_USEC_PER_SEC);
    json_object_set_int_member(timestamp, "microseconds",
                               now_us % G_USEC_PER_SEC);
    json_object_set_object_member(event, "timestamp", timestamp);
    json_object_set_string_member(event, "event", name);
    if (data) {
        json_object_set_object_member(event, "data", json_object_ref(data));
    }
    return event;
}

void qapi_event_send(const char *name, JsonObject *data)
{
    const EventThrottleRule *rule = find_throttle_rule(name);
    JsonObject *event = build_event(name, data);

    if (rule) {
        throttle_event(rule, event, data);
    } else {
        emit_event(event);
    }
    json_object_unref(event);
    if (data) {
        json_object_unref(data);
    }
}
