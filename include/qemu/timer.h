/*
 * Clocks and timers (QEMU's qemu/timer.h subset), run from the GLib main
 * loop (qemu_get_aio_context()).
 *
 * QEMU_CLOCK_REALTIME: monotonic host time, always running.
 * QEMU_CLOCK_VIRTUAL:  guest time.  It runs with the host while the VM is
 *   running and stops while it is stopped; under the qtest accelerator
 *   it is "manual": it only moves with qemu_clock_advance_virtual()
 *   (qtest clock_step / clock_set), which runs the timers it passes.
 * QEMU_CLOCK_HOST:     wall-clock time (may jump).
 *
 * Timer callbacks run on the main loop, never re-entrantly; a callback
 * may re-arm, delete or free its own timer.
 */
#ifndef QEMU_TIMER_H
#define QEMU_TIMER_H

#include "qemu/osdep.h"

#define NANOSECONDS_PER_SECOND 1000000000LL

#define SCALE_MS 1000000
#define SCALE_US 1000
#define SCALE_NS 1

typedef enum QEMUClockType {
    QEMU_CLOCK_REALTIME = 0,
    QEMU_CLOCK_VIRTUAL = 1,
    QEMU_CLOCK_HOST = 2,
    QEMU_CLOCK_MAX
} QEMUClockType;

typedef void QEMUTimerCB(void *opaque);

/* Opaque to users; embeddable through timer_init*(). */
typedef struct QEMUTimer {
    int64_t expire_time;        /* in the clock's ns; -1 when not pending */
    QEMUClockType type;
    QEMUTimerCB *cb;
    void *opaque;
    int scale;
    struct QEMUTimer *next;     /* private: the clock's sorted active list */
} QEMUTimer;

int64_t qemu_clock_get_ns(QEMUClockType type);

static inline int64_t qemu_clock_get_us(QEMUClockType type)
{
    return qemu_clock_get_ns(type) / SCALE_US;
}

static inline int64_t qemu_clock_get_ms(QEMUClockType type)
{
    return qemu_clock_get_ns(type) / SCALE_MS;
}

/* Initialize an embedded timer (not pending). */
void timer_init_full(QEMUTimer *ts, QEMUClockType type, int scale,
                     QEMUTimerCB *cb, void *opaque);

static inline void timer_init_ns(QEMUTimer *ts, QEMUClockType type,
                                 QEMUTimerCB *cb, void *opaque)
{
    timer_init_full(ts, type, SCALE_NS, cb, opaque);
}

static inline void timer_init_ms(QEMUTimer *ts, QEMUClockType type,
                                 QEMUTimerCB *cb, void *opaque)
{
    timer_init_full(ts, type, SCALE_MS, cb, opaque);
}

/* A new timer whose timer_mod() expiry is in units of @scale ns. */
QEMUTimer *timer_new(QEMUClockType type, int scale, QEMUTimerCB *cb,
                     void *opaque);

static inline QEMUTimer *timer_new_ns(QEMUClockType type, QEMUTimerCB *cb,
                                      void *opaque)
{
    return timer_new(type, SCALE_NS, cb, opaque);
}

static inline QEMUTimer *timer_new_us(QEMUClockType type, QEMUTimerCB *cb,
                                      void *opaque)
{
    return timer_new(type, SCALE_US, cb, opaque);
}

static inline QEMUTimer *timer_new_ms(QEMUClockType type, QEMUTimerCB *cb,
                                      void *opaque)
{
    return timer_new(type, SCALE_MS, cb, opaque);
}

/*
 * Arm @ts to fire when its clock reaches @expire_time (in the timer's
 * scale, absolute).  Re-arming a pending timer moves it.  A time in the
 * past fires on the next main-loop iteration (or the next clock advance
 * for the manual virtual clock).
 */
void timer_mod(QEMUTimer *ts, int64_t expire_time);
void timer_mod_ns(QEMUTimer *ts, int64_t expire_time_ns);
/* Arm @ts unless it is pending with an earlier expiry. */
void timer_mod_anticipate(QEMUTimer *ts, int64_t expire_time);
/* Disarm (no-op when not pending). */
void timer_del(QEMUTimer *ts);
/* Disarm an embedded timer before its memory goes away. */
void timer_deinit(QEMUTimer *ts);
/* Disarm and free a timer_new*() timer; NULL is a no-op. */
void timer_free(QEMUTimer *ts);
bool timer_pending(QEMUTimer *ts);
/* Expiry in ns, or -1 when not pending. */
int64_t timer_expire_time_ns(QEMUTimer *ts);

/*
 * Nanoseconds until the earliest pending timer of @type fires (0 when
 * overdue), or -1 if none is pending.  @attr_mask is ignored (QEMU API).
 */
int64_t qemu_clock_deadline_ns_all(QEMUClockType type, int attr_mask);

/* Run the timers of @type that are due now; whether any ran. */
bool qemu_clock_run_timers(QEMUClockType type);

/*
 * Virtual clock control.
 *
 * qemu_clock_set_virtual_manual(true): the virtual clock stops following
 * the host and only moves with qemu_clock_advance_virtual() (the qtest
 * accelerator sets this at start-up).
 *
 * qemu_clock_advance_virtual(@dest): move the manual virtual clock to
 * @dest ns (never backwards), running each timer due on the way in expiry
 * order with the clock set to that timer's expiry.
 *
 * cpu_enable_ticks()/cpu_disable_ticks(): start/stop the non-manual
 * virtual clock (vm_start()/vm_stop() call them).
 */
void qemu_clock_set_virtual_manual(bool manual);
bool qemu_clock_virtual_is_manual(void);
void qemu_clock_advance_virtual(int64_t dest);
void cpu_enable_ticks(void);
void cpu_disable_ticks(void);

#endif
