/*
 * Timers: ordering, re-arming, deletion, and the manual virtual clock.
 */
#include "qemu/osdep.h"
#include "qemu/timer.h"

typedef struct Fired {
    GArray *order;              /* of int: timer ids in firing order */
    GArray *at;                 /* of int64_t: virtual clock when fired */
} Fired;

static Fired fired;

typedef struct TestTimer {
    QEMUTimer *timer;
    int id;
    int64_t rearm_ns;           /* > 0: re-arm this much later once */
} TestTimer;

static void record_fire(void *opaque)
{
    TestTimer *t = opaque;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    g_array_append_val(fired.order, t->id);
    g_array_append_val(fired.at, now);
    if (t->rearm_ns) {
        timer_mod_ns(t->timer, now + t->rearm_ns);
        t->rearm_ns = 0;
    }
}

static void fired_reset(void)
{
    if (fired.order) {
        g_array_free(fired.order, TRUE);
        g_array_free(fired.at, TRUE);
    }
    fired.order = g_array_new(FALSE, FALSE, sizeof(int));
    fired.at = g_array_new(FALSE, FALSE, sizeof(int64_t));
}

static int fired_id(guint i)
{
    return g_array_index(fired.order, int, i);
}

static int64_t fired_at(guint i)
{
    return g_array_index(fired.at, int64_t, i);
}

static void test_virtual_order(void)
{
    int64_t base = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    TestTimer a = { .id = 1 }, b = { .id = 2 }, c = { .id = 3 };

    fired_reset();
    a.timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, record_fire, &a);
    b.timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, record_fire, &b);
    c.timer = timer_new_ms(QEMU_CLOCK_VIRTUAL, record_fire, &c);
    timer_mod_ns(a.timer, base + 300);
    timer_mod_ns(b.timer, base + 100);
    timer_mod(c.timer, (base + 2 * SCALE_MS) / SCALE_MS);
    g_assert_true(timer_pending(a.timer));
    g_assert_cmpint(timer_expire_time_ns(b.timer), ==, base + 100);
    g_assert_cmpint(qemu_clock_deadline_ns_all(QEMU_CLOCK_VIRTUAL, 0), ==,
                    100);

    qemu_clock_advance_virtual(base + 50);
    g_assert_cmpuint(fired.order->len, ==, 0);
    g_assert_cmpint(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL), ==, base + 50);

    qemu_clock_advance_virtual(base + 1000);
    g_assert_cmpuint(fired.order->len, ==, 2);
    g_assert_cmpint(fired_id(0), ==, 2);
    g_assert_cmpint(fired_at(0), ==, base + 100);
    g_assert_cmpint(fired_id(1), ==, 1);
    g_assert_cmpint(fired_at(1), ==, base + 300);
    g_assert_false(timer_pending(a.timer));
    g_assert_cmpint(timer_expire_time_ns(a.timer), ==, -1);
    g_assert_cmpint(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL), ==, base + 1000);

    /* The ms timer: expiry in ms units. */
    qemu_clock_advance_virtual(base + 2 * SCALE_MS);
    g_assert_cmpuint(fired.order->len, ==, 3);
    g_assert_cmpint(fired_id(2), ==, 3);

    timer_free(a.timer);
    timer_free(b.timer);
    timer_free(c.timer);
}

static void test_virtual_rearm_and_delete(void)
{
    int64_t base = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    TestTimer a = { .id = 1, .rearm_ns = 50 }, b = { .id = 2 };

    fired_reset();
    a.timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, record_fire, &a);
    b.timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, record_fire, &b);
    timer_mod_ns(a.timer, base + 10);
    timer_mod_ns(b.timer, base + 20);
    timer_del(b.timer);
    timer_del(b.timer);                 /* deleting twice is fine */
    /* Moving a pending timer replaces its expiry. */
    timer_mod_ns(a.timer, base + 30);
    timer_mod_anticipate(a.timer, base + 40);   /* later: ignored */
    g_assert_cmpint(timer_expire_time_ns(a.timer), ==, base + 30);

    /* Re-armed from its callback inside the window: fires again. */
    qemu_clock_advance_virtual(base + 100);
    g_assert_cmpuint(fired.order->len, ==, 2);
    g_assert_cmpint(fired_at(0), ==, base + 30);
    g_assert_cmpint(fired_at(1), ==, base + 80);
    g_assert_cmpint(fired_id(1), ==, 1);
    g_assert_cmpint(qemu_clock_deadline_ns_all(QEMU_CLOCK_VIRTUAL, 0), ==,
                    -1);

    /* The clock never goes backwards. */
    qemu_clock_advance_virtual(base);
    g_assert_cmpint(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL), ==, base + 100);
    timer_free(a.timer);
    timer_free(b.timer);
    timer_free(NULL);
}

/* Timers armed in the past fire at the next advance, at the current time. */
static void test_virtual_past_expiry(void)
{
    int64_t base = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    TestTimer a = { .id = 7 };

    fired_reset();
    a.timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, record_fire, &a);
    timer_mod_ns(a.timer, base - 5);
    g_assert_cmpint(qemu_clock_deadline_ns_all(QEMU_CLOCK_VIRTUAL, 0), ==, 0);
    qemu_clock_advance_virtual(base);
    g_assert_cmpuint(fired.order->len, ==, 1);
    g_assert_cmpint(fired_at(0), ==, base);
    timer_free(a.timer);
}

static gboolean quit_loop(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

static void realtime_fire(void *opaque)
{
    g_main_loop_quit(opaque);
}

/* REALTIME timers are driven by the GLib main loop. */
static void test_realtime_main_loop(void)
{
    GMainLoop *loop = g_main_loop_new(NULL, FALSE);
    QEMUTimer *t = timer_new_ms(QEMU_CLOCK_REALTIME, realtime_fire, loop);
    guint guard = g_timeout_add_seconds(30, quit_loop, loop);

    timer_mod(t, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + 1);
    g_main_loop_run(loop);
    g_assert_false(timer_pending(t));
    g_source_remove(guard);
    timer_free(t);
    g_main_loop_unref(loop);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_clock_set_virtual_manual(true);
    g_test_add_func("/timer/virtual/order", test_virtual_order);
    g_test_add_func("/timer/virtual/rearm-delete",
                    test_virtual_rearm_and_delete);
    g_test_add_func("/timer/virtual/past-expiry", test_virtual_past_expiry);
    g_test_add_func("/timer/realtime/main-loop", test_realtime_main_loop);
    return g_test_run();
}
