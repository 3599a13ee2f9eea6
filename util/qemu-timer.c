/*
 * Clocks and timers on the GLib main loop.
 *
 * Each clock keeps its pending timers in a list sorted by expiry.  One
 * GSource serves the clocks that follow host time: its ready time is the
 * earliest of their deadlines, converted to GLib's monotonic clock.  The
 * manual virtual clock (qtest) has no deadline there: only
 * qemu_clock_advance_virtual() runs its timers.
 */
#include "qemu/osdep.h"
#include "qemu/timer.h"

typedef struct QEMUClock {
    QEMUTimer *active;          /* sorted by expire_time, earliest first */
} QEMUClock;

static QEMUClock clocks[QEMU_CLOCK_MAX];

/*
 * Virtual clock: manual (qtest) value, or host time minus the time spent
 * stopped.  It starts stopped at 0 until cpu_enable_ticks().
 */
static struct {
    bool manual;
    bool enabled;
    int64_t manual_ns;
    int64_t offset;             /* virtual = realtime + offset when enabled */
    int64_t frozen_ns;          /* value while disabled */
} vclock;

static GSource *timer_source;

static int64_t get_realtime_ns(void)
{
    return g_get_monotonic_time() * SCALE_US;
}

int64_t qemu_clock_get_ns(QEMUClockType type)
{
    switch (type) {
    case QEMU_CLOCK_REALTIME:
        return get_realtime_ns();
    case QEMU_CLOCK_HOST:
        return g_get_real_time() * SCALE_US;
    case QEMU_CLOCK_VIRTUAL:
        if (vclock.manual) {
            return vclock.manual_ns;
        }
        return vclock.enabled ? get_realtime_ns() + vclock.offset
                              : vclock.frozen_ns;
    default:
        g_assert_not_reached();
    }
}

static bool clock_follows_host(QEMUClockType type)
{
    if (type == QEMU_CLOCK_VIRTUAL) {
        return !vclock.manual && vclock.enabled;
    }
    return true;
}

static void timer_source_update(void);

static gboolean timer_source_dispatch(GSource *source, GSourceFunc callback,
                                      gpointer user_data)
{
    for (int type = 0; type < QEMU_CLOCK_MAX; type++) {
        if (clock_follows_host(type)) {
            qemu_clock_run_timers(type);
        }
    }
    timer_source_update();
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs timer_source_funcs = {
    .dispatch = timer_source_dispatch,
};

static void timer_source_update(void)
{
    int64_t next_us = -1;

    if (!timer_source) {
        timer_source = g_source_new(&timer_source_funcs, sizeof(GSource));
        g_source_attach(timer_source, g_main_context_default());
    }
    for (int type = 0; type < QEMU_CLOCK_MAX; type++) {
        int64_t delta_ns;
        int64_t when_us;

        if (!clock_follows_host(type)) {
            continue;
        }
        delta_ns = qemu_clock_deadline_ns_all(type, 0);
        if (delta_ns < 0) {
            continue;
        }
        /* Round up: firing early would find the timer not yet due. */
        when_us = g_get_monotonic_time() + (delta_ns + SCALE_US - 1) / SCALE_US;
        if (next_us < 0 || when_us < next_us) {
            next_us = when_us;
        }
    }
    g_source_set_ready_time(timer_source, next_us);
}

void timer_init_full(QEMUTimer *ts, QEMUClockType type, int scale,
                     QEMUTimerCB *cb, void *opaque)
{
    g_assert(type >= 0 && type < QEMU_CLOCK_MAX);
    ts->expire_time = -1;
    ts->type = type;
    ts->cb = cb;
    ts->opaque = opaque;
    ts->scale = scale;
    ts->next = NULL;
}

QEMUTimer *timer_new(QEMUClockType type, int scale, QEMUTimerCB *cb,
                     void *opaque)
{
    QEMUTimer *ts = g_new0(QEMUTimer, 1);

    timer_init_full(ts, type, scale, cb, opaque);
    return ts;
}

static void timer_unlink(QEMUTimer *ts)
{
    QEMUTimer **p = &clocks[ts->type].active;

    while (*p) {
        if (*p == ts) {
            *p = ts->next;
            break;
        }
        p = &(*p)->next;
    }
    ts->next = NULL;
    ts->expire_time = -1;
}

void timer_mod_ns(QEMUTimer *ts, int64_t expire_time_ns)
{
    QEMUTimer **p;

    timer_unlink(ts);
    if (expire_time_ns < 0) {
        expire_time_ns = 0;
    }
    ts->expire_time = expire_time_ns;
    /* Equal expiries keep arming order. */
    p = &clocks[ts->type].active;
    while (*p && (*p)->expire_time <= expire_time_ns) {
        p = &(*p)->next;
    }
    ts->next = *p;
    *p = ts;
    timer_source_update();
}

void timer_mod(QEMUTimer *ts, int64_t expire_time)
{
    int64_t ns;

    if (expire_time > INT64_MAX / ts->scale) {
        ns = INT64_MAX;
    } else {
        ns = expire_time * ts->scale;
    }
    timer_mod_ns(ts, ns);
}

void timer_mod_anticipate(QEMUTimer *ts, int64_t expire_time)
{
    if (timer_pending(ts) && ts->expire_time <= expire_time * ts->scale) {
        return;
    }
    timer_mod(ts, expire_time);
}

void timer_del(QEMUTimer *ts)
{
    if (timer_pending(ts)) {
        timer_unlink(ts);
        timer_source_update();
    }
}

void timer_deinit(QEMUTimer *ts)
{
    timer_del(ts);
}

void timer_free(QEMUTimer *ts)
{
    if (ts) {
        timer_del(ts);
        g_free(ts);
    }
}

bool timer_pending(QEMUTimer *ts)
{
    return ts->expire_time >= 0;
}

int64_t timer_expire_time_ns(QEMUTimer *ts)
{
    return timer_pending(ts) ? ts->expire_time : -1;
}

int64_t qemu_clock_deadline_ns_all(QEMUClockType type, int attr_mask)
{
    QEMUTimer *first = clocks[type].active;
    int64_t now;

    if (!first) {
        return -1;
    }
    now = qemu_clock_get_ns(type);
    return first->expire_time > now ? first->expire_time - now : 0;
}

/* Pop the first timer of @type due at @now, or NULL. */
static QEMUTimer *pop_due_timer(QEMUClockType type, int64_t now)
{
    QEMUTimer *ts = clocks[type].active;

    if (!ts || ts->expire_time > now) {
        return NULL;
    }
    timer_unlink(ts);
    return ts;
}

bool qemu_clock_run_timers(QEMUClockType type)
{
    int64_t now = qemu_clock_get_ns(type);
    bool ran = false;
    QEMUTimer *ts;

    /* Timers armed by callbacks for "now" run in this pass too. */
    while ((ts = pop_due_timer(type, now))) {
        ts->cb(ts->opaque);
        ran = true;
    }
    return ran;
}

void qemu_clock_set_virtual_manual(bool manual)
{
    if (manual == vclock.manual) {
        return;
    }
    if (manual) {
        vclock.manual_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
        vclock.manual = true;
    } else {
        vclock.manual = false;
        vclock.frozen_ns = vclock.manual_ns;
        vclock.offset = vclock.manual_ns - get_realtime_ns();
    }
    timer_source_update();
}

bool qemu_clock_virtual_is_manual(void)
{
    return vclock.manual;
}

void qemu_clock_advance_virtual(int64_t dest)
{
    QEMUTimer *ts;

    g_assert(vclock.manual);
    for (;;) {
        ts = clocks[QEMU_CLOCK_VIRTUAL].active;
        if (!ts || ts->expire_time > dest) {
            break;
        }
        if (ts->expire_time > vclock.manual_ns) {
            vclock.manual_ns = ts->expire_time;
        }
        timer_unlink(ts);
        ts->cb(ts->opaque);
    }
    if (dest > vclock.manual_ns) {
        vclock.manual_ns = dest;
    }
}

void cpu_enable_ticks(void)
{
    if (!vclock.enabled) {
        vclock.offset = vclock.frozen_ns - get_realtime_ns();
        vclock.enabled = true;
        timer_source_update();
    }
}

void cpu_disable_ticks(void)
{
    if (vclock.enabled) {
        vclock.frozen_ns = get_realtime_ns() + vclock.offset;
        vclock.enabled = false;
        timer_source_update();
    }
}
