/*
 * RAM discard coordination: ram_block_discard_disable / _require and their
 * (un)coordinated variants, against an explicitly written truth table.
 */
#include "qemu/osdep.h"

#include "exec/ramblock.h"

typedef enum DiscardOp {
    OP_DISABLE,                 /* ram_block_discard_disable */
    OP_UNCOORD_DISABLE,         /* ram_block_uncoordinated_discard_disable */
    OP_REQUIRE,                 /* ram_block_discard_require */
    OP_COORD_REQUIRE,           /* ram_block_coordinated_discard_require */
    OP__MAX,
} DiscardOp;

static int discard_op(DiscardOp op, bool state)
{
    switch (op) {
    case OP_DISABLE:
        return ram_block_discard_disable(state);
    case OP_UNCOORD_DISABLE:
        return ram_block_uncoordinated_discard_disable(state);
    case OP_REQUIRE:
        return ram_block_discard_require(state);
    case OP_COORD_REQUIRE:
        return ram_block_coordinated_discard_require(state);
    default:
        g_assert_not_reached();
    }
}

#define D (1u << OP_DISABLE)
#define U (1u << OP_UNCOORD_DISABLE)
#define R (1u << OP_REQUIRE)
#define C (1u << OP_COORD_REQUIRE)
#define OK 0
#define BUSY (-EBUSY)

/* Every reachable combination of active states, and what entering does. */
static const struct {
    const char *name;
    unsigned active;
    int enter[OP__MAX];         /* indexed by DiscardOp */
    bool disabled, required;    /* ram_block_discard_is_*() */
} truth_table[] = {
    { "none",     0,     { OK,   OK,   OK,   OK   }, false, false },
    { "D",        D,     { OK,   OK,   BUSY, BUSY }, true,  false },
    { "U",        U,     { OK,   OK,   BUSY, OK   }, true,  false },
    { "R",        R,     { BUSY, BUSY, OK,   OK   }, false, true  },
    { "C",        C,     { BUSY, OK,   OK,   OK   }, false, true  },
    { "D+U",      D | U, { OK,   OK,   BUSY, BUSY }, true,  false },
    { "U+C",      U | C, { BUSY, OK,   BUSY, OK   }, true,  true  },
    { "R+C",      R | C, { BUSY, BUSY, OK,   OK   }, false, true  },
};

static void enter_all(unsigned active)
{
    DiscardOp op;

    for (op = 0; op < OP__MAX; op++) {
        if (active & (1u << op)) {
            g_assert_cmpint(discard_op(op, true), ==, 0);
        }
    }
}

static void leave_all(unsigned active)
{
    DiscardOp op;

    for (op = 0; op < OP__MAX; op++) {
        if (active & (1u << op)) {
            g_assert_cmpint(discard_op(op, false), ==, 0);
        }
    }
}

static void assert_idle(void)
{
    g_assert_false(ram_block_discard_is_disabled());
    g_assert_false(ram_block_discard_is_required());
}

static void test_truth_table(gconstpointer data)
{
    const size_t row = GPOINTER_TO_SIZE(data);
    const unsigned active = truth_table[row].active;
    DiscardOp op;

    assert_idle();
    enter_all(active);
    g_assert_cmpint(ram_block_discard_is_disabled(), ==,
                    truth_table[row].disabled);
    g_assert_cmpint(ram_block_discard_is_required(), ==,
                    truth_table[row].required);

    for (op = 0; op < OP__MAX; op++) {
        int ret = discard_op(op, true);

        g_assert_cmpint(ret, ==, truth_table[row].enter[op]);
        if (ret == 0) {
            /* Entered once more on top: the counts must still balance. */
            g_assert_cmpint(discard_op(op, false), ==, 0);
        }
        /* A failed or undone enter leaves the state as it was. */
        g_assert_cmpint(ram_block_discard_is_disabled(), ==,
                        truth_table[row].disabled);
        g_assert_cmpint(ram_block_discard_is_required(), ==,
                        truth_table[row].required);
    }

    leave_all(active);
    assert_idle();
}

/* States are counted: each enter needs its own leave. */
static void test_counting(void)
{
    g_assert_cmpint(ram_block_discard_disable(true), ==, 0);
    g_assert_cmpint(ram_block_discard_disable(true), ==, 0);
    g_assert_cmpint(ram_block_discard_disable(false), ==, 0);
    g_assert_true(ram_block_discard_is_disabled());
    g_assert_cmpint(ram_block_discard_require(true), ==, -EBUSY);
    g_assert_cmpint(ram_block_discard_disable(false), ==, 0);
    assert_idle();
    g_assert_cmpint(ram_block_discard_require(true), ==, 0);

    /* Two coordinated requires; disable stays refused until both leave. */
    g_assert_cmpint(ram_block_discard_require(false), ==, 0);
    g_assert_cmpint(ram_block_coordinated_discard_require(true), ==, 0);
    g_assert_cmpint(ram_block_coordinated_discard_require(true), ==, 0);
    g_assert_cmpint(ram_block_coordinated_discard_require(false), ==, 0);
    g_assert_cmpint(ram_block_discard_disable(true), ==, -EBUSY);
    g_assert_cmpint(ram_block_coordinated_discard_require(false), ==, 0);
    g_assert_cmpint(ram_block_discard_disable(true), ==, 0);
    g_assert_cmpint(ram_block_discard_disable(false), ==, 0);
    assert_idle();
}

/* The undo paths: once the blocker leaves, the refused state can enter. */
static void test_undo_unblocks(void)
{
    /* VFIO-like user (uncoordinated disable) vs. virtio-mem (coordinated). */
    g_assert_cmpint(ram_block_uncoordinated_discard_disable(true), ==, 0);
    g_assert_cmpint(ram_block_coordinated_discard_require(true), ==, 0);
    /* ... but a balloon-like user (uncoordinated require) is refused. */
    g_assert_cmpint(ram_block_discard_require(true), ==, -EBUSY);
    g_assert_cmpint(ram_block_uncoordinated_discard_disable(false), ==, 0);
    g_assert_cmpint(ram_block_discard_require(true), ==, 0);
    /* Now even the uncoordinated disable is refused. */
    g_assert_cmpint(ram_block_uncoordinated_discard_disable(true), ==,
                    -EBUSY);
    g_assert_cmpint(ram_block_discard_require(false), ==, 0);
    g_assert_cmpint(ram_block_coordinated_discard_require(false), ==, 0);
    assert_idle();

    /* Full disable blocks both requires until undone. */
    g_assert_cmpint(ram_block_discard_disable(true), ==, 0);
    g_assert_cmpint(ram_block_coordinated_discard_require(true), ==, -EBUSY);
    g_assert_cmpint(ram_block_discard_require(true), ==, -EBUSY);
    g_assert_cmpint(ram_block_discard_disable(false), ==, 0);
    g_assert_cmpint(ram_block_coordinated_discard_require(true), ==, 0);
    g_assert_cmpint(ram_block_discard_require(true), ==, 0);
    g_assert_cmpint(ram_block_discard_require(false), ==, 0);
    g_assert_cmpint(ram_block_coordinated_discard_require(false), ==, 0);
    assert_idle();
}

/* Leaving a state that was never entered is a programming error. */
static void test_unbalanced_leave_aborts(void)
{
    if (g_test_subprocess()) {
        ram_block_discard_require(false);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
}

#define THREAD_ITERATIONS 20000

/*
 * While a thread holds a disable, nobody can hold a require, and the other
 * way around: the invariants must hold under contention.
 */
static gpointer disabler_thread(gpointer opaque)
{
    int i, violations = 0;

    for (i = 0; i < THREAD_ITERATIONS; i++) {
        if (ram_block_discard_disable(true) == 0) {
            violations += ram_block_discard_is_required();
            ram_block_discard_disable(false);
        }
    }
    return GINT_TO_POINTER(violations);
}

static gpointer requirer_thread(gpointer opaque)
{
    int i, violations = 0;

    for (i = 0; i < THREAD_ITERATIONS; i++) {
        if (ram_block_discard_require(true) == 0) {
            violations += ram_block_discard_is_disabled();
            ram_block_discard_require(false);
        }
    }
    return GINT_TO_POINTER(violations);
}

static void test_threads(void)
{
    GThread *threads[4];
    int i, violations = 0;

    threads[0] = g_thread_new("disabler0", disabler_thread, NULL);
    threads[1] = g_thread_new("disabler1", disabler_thread, NULL);
    threads[2] = g_thread_new("requirer0", requirer_thread, NULL);
    threads[3] = g_thread_new("requirer1", requirer_thread, NULL);
    for (i = 0; i < 4; i++) {
        violations += GPOINTER_TO_INT(g_thread_join(threads[i]));
    }
    g_assert_cmpint(violations, ==, 0);
    /* Every successful enter was matched: nothing is left active. */
    assert_idle();
    g_assert_cmpint(ram_block_discard_disable(true), ==, 0);
    g_assert_cmpint(ram_block_discard_disable(false), ==, 0);
    g_assert_cmpint(ram_block_discard_require(true), ==, 0);
    g_assert_cmpint(ram_block_discard_require(false), ==, 0);
}

int main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);

    for (i = 0; i < ARRAY_SIZE(truth_table); i++) {
        g_autofree char *path =
            g_strdup_printf("/discard-coordination/truth-table/%s",
                            truth_table[i].name);

        g_test_add_data_func(path, GSIZE_TO_POINTER(i), test_truth_table);
    }
    g_test_add_func("/discard-coordination/counting", test_counting);
    g_test_add_func("/discard-coordination/undo-unblocks", test_undo_unblocks);
    g_test_add_func("/discard-coordination/unbalanced-leave-aborts",
                    test_unbalanced_leave_aborts);
    g_test_add_func("/discard-coordination/threads", test_threads);
    return g_test_run();
}
