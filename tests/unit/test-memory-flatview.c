/*
 * Flat view rendering: region trees and the exact flat views they render
 * to, incremental updates checked against renders from scratch, and the
 * region state rules (mapped, RamDiscardManager).
 */
#include "qemu/osdep.h"

#include "exec/memory.h"
#include "qapi/error.h"

/* --- Fixture: an address space and the regions of one test ----------- */

typedef struct Fixture {
    GPtrArray *regions;         /* in creation order */
    MemoryRegion *root;
    AddressSpace as;
} Fixture;

static uint64_t dummy_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void dummy_write(void *opaque, hwaddr addr, uint64_t data,
                        unsigned size)
{
}

static const MemoryRegionOps dummy_ops = {
    .read = dummy_read,
    .write = dummy_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
};

static MemoryRegion *fixture_track(Fixture *f, MemoryRegion *mr)
{
    g_ptr_array_add(f->regions, mr);
    return mr;
}

static MemoryRegion *new_container(Fixture *f, const char *name,
                                   uint64_t size)
{
    MemoryRegion *mr = g_new0(MemoryRegion, 1);

    memory_region_init(mr, NULL, name, size);
    return fixture_track(f, mr);
}

static MemoryRegion *new_ram(Fixture *f, const char *name, uint64_t size)
{
    MemoryRegion *mr = g_new0(MemoryRegion, 1);

    g_assert_true(memory_region_init_ram_nomigrate(mr, NULL, name, size,
                                                   &error_abort));
    return fixture_track(f, mr);
}

static MemoryRegion *new_io(Fixture *f, const char *name, uint64_t size)
{
    MemoryRegion *mr = g_new0(MemoryRegion, 1);

    memory_region_init_io(mr, NULL, &dummy_ops, NULL, name, size);
    return fixture_track(f, mr);
}

static MemoryRegion *new_alias(Fixture *f, const char *name,
                               MemoryRegion *orig, hwaddr offset,
                               uint64_t size)
{
    MemoryRegion *mr = g_new0(MemoryRegion, 1);

    memory_region_init_alias(mr, NULL, name, orig, offset, size);
    return fixture_track(f, mr);
}

static void fixture_init(Fixture *f, uint64_t root_size)
{
    f->regions = g_ptr_array_new();
    f->root = new_container(f, "root", root_size);
    address_space_init(&f->as, f->root, "test");
}

static void fixture_destroy(Fixture *f)
{
    address_space_destroy(&f->as);
    for (guint i = 0; i < f->regions->len; i++) {
        MemoryRegion *mr = g_ptr_array_index(f->regions, i);

        if (mr->container) {
            memory_region_del_subregion(mr->container, mr);
        }
    }
    /* Aliases go before their targets. */
    for (guint i = f->regions->len; i-- > 0;) {
        MemoryRegion *mr = g_ptr_array_index(f->regions, i);

        object_unref(OBJECT(mr));
        g_free(mr);
    }
    g_ptr_array_free(f->regions, true);
}

/* --- Comparing a view with a table ---------------------------------- */

typedef struct ExpectedRange {
    uint64_t start;
    uint64_t size;              /* 0: 2^64 - start */
    const char *name;
    uint64_t offset;
} ExpectedRange;

typedef struct SeenRange {
    Int128 start;
    Int128 len;
    const char *name;
    hwaddr offset;
} SeenRange;

static bool collect_range(Int128 start, Int128 len, const MemoryRegion *mr,
                          hwaddr offset_in_region, void *opaque)
{
    SeenRange seen = {
        .start = start, .len = len, .name = memory_region_name(mr),
        .offset = offset_in_region,
    };

    g_array_append_val((GArray *)opaque, seen);
    return false;
}

static GArray *collect_view(AddressSpace *as)
{
    GArray *seen = g_array_new(false, false, sizeof(SeenRange));
    FlatView *fv = address_space_get_flatview(as);

    flatview_for_each_range(fv, collect_range, seen);
    flatview_unref(fv);
    return seen;
}

static void check_consistent(AddressSpace *as)
{
    Error *err = NULL;

    if (!address_space_check_flatview(as, &err)) {
        g_test_message("%s", error_get_pretty(err));
        g_test_fail();
        error_free(err);
    }
}

#define assert_view(as, ...)                                         \
    do {                                                             \
        const ExpectedRange expected_[] = { __VA_ARGS__ };           \
        assert_view_table((as), expected_, ARRAY_SIZE(expected_));   \
    } while (0)

#define NO_RANGES ((ExpectedRange){ .name = NULL })

static void assert_view_table(AddressSpace *as, const ExpectedRange *expected,
                              size_t nr_expected)
{
    g_autoptr(GArray) seen = collect_view(as);

    if (nr_expected == 1 && !expected[0].name) {
        nr_expected = 0;
    }
    check_consistent(as);
    for (guint i = 0; i < seen->len; i++) {
        SeenRange *s = &g_array_index(seen, SeenRange, i);

        g_test_message("  #%u [0x%" PRIx64 ", +0x%" PRIx64 ") %s @0x%"
                       PRIx64, i, int128_getlo(s->start),
                       int128_getlo(s->len), s->name, s->offset);
    }
    g_assert_cmpuint(seen->len, ==, nr_expected);
    for (guint i = 0; i < nr_expected; i++) {
        SeenRange *s = &g_array_index(seen, SeenRange, i);
        const ExpectedRange *e = &expected[i];
        Int128 size = e->size ? int128_make64(e->size)
                              : int128_sub(int128_2_64(),
                                           int128_make64(e->start));

        g_assert_cmphex(int128_get64(s->start), ==, e->start);
        g_assert_true(int128_eq(s->len, size));
        g_assert_cmpstr(s->name, ==, e->name);
        g_assert_cmphex(s->offset, ==, e->offset);
    }
}

/* --- Table-driven rendering cases ----------------------------------- */

typedef struct RenderCase {
    const char *path;
    void (*build)(Fixture *f);
    ExpectedRange expected[8];
    size_t nr_expected;
} RenderCase;

static void build_priority_overlap(Fixture *f)
{
    MemoryRegion *low = new_ram(f, "low", 0x4000);
    MemoryRegion *high = new_io(f, "high", 0x1000);

    memory_region_add_subregion(f->root, 0, low);
    memory_region_add_subregion_overlap(f->root, 0x1000, high, 1);
}

/* The lower priority added last still loses. */
static void build_priority_beats_order(Fixture *f)
{
    MemoryRegion *high = new_io(f, "high", 0x1000);
    MemoryRegion *low = new_ram(f, "low", 0x4000);

    memory_region_add_subregion_overlap(f->root, 0x1000, high, 1);
    memory_region_add_subregion(f->root, 0, low);
}

static void build_equal_priority_order(Fixture *f)
{
    MemoryRegion *first = new_io(f, "first", 0x2000);
    MemoryRegion *second = new_io(f, "second", 0x2000);

    memory_region_add_subregion(f->root, 0x0, first);
    memory_region_add_subregion(f->root, 0x1000, second);
}

static void build_equal_priority_order_reversed(Fixture *f)
{
    MemoryRegion *first = new_io(f, "first", 0x2000);
    MemoryRegion *second = new_io(f, "second", 0x2000);

    memory_region_add_subregion(f->root, 0x1000, second);
    memory_region_add_subregion(f->root, 0x0, first);
}

static void build_nested_containers(Fixture *f)
{
    MemoryRegion *outer = new_container(f, "outer", 0x100000);
    MemoryRegion *inner = new_container(f, "inner", 0x10000);
    MemoryRegion *ram = new_ram(f, "ram", 0x1000);
    MemoryRegion *io = new_io(f, "io", 0x100);

    memory_region_add_subregion(inner, 0x2000, ram);
    memory_region_add_subregion(inner, 0x3000, io);
    memory_region_add_subregion(outer, 0x10000, inner);
    memory_region_add_subregion(f->root, 0x100000, outer);
}

static void build_alias_chain(Fixture *f)
{
    MemoryRegion *ram = new_ram(f, "ram", 0x10000);
    MemoryRegion *a1 = new_alias(f, "a1", ram, 0x1000, 0x4000);
    MemoryRegion *a2 = new_alias(f, "a2", a1, 0x800, 0x1000);

    memory_region_add_subregion(f->root, 0x20000, a2);
}

/* An alias reaching past its target and a subregion past its container. */
static void build_clipping(Fixture *f)
{
    MemoryRegion *box = new_container(f, "box", 0x1000);
    MemoryRegion *big = new_ram(f, "big", 0x4000);
    MemoryRegion *small = new_ram(f, "small", 0x1000);
    MemoryRegion *wide = new_alias(f, "wide", small, 0x800, 0x2000);

    memory_region_add_subregion(box, 0x800, big);
    memory_region_add_subregion(f->root, 0, box);
    memory_region_add_subregion(f->root, 0x10000, wide);
}

static void build_holes(Fixture *f)
{
    memory_region_add_subregion(f->root, 0x1000, new_ram(f, "a", 0x1000));
    memory_region_add_subregion(f->root, 0x5000, new_ram(f, "b", 0x2000));
    memory_region_add_subregion(f->root, 0x9000, new_io(f, "c", 0x10));
}

static void build_disabled(Fixture *f)
{
    MemoryRegion *low = new_ram(f, "low", 0x4000);
    MemoryRegion *high = new_io(f, "high", 0x1000);
    MemoryRegion *box = new_container(f, "box", 0x1000);
    MemoryRegion *inside = new_io(f, "inside", 0x1000);

    memory_region_add_subregion(f->root, 0, low);
    memory_region_add_subregion_overlap(f->root, 0x1000, high, 1);
    memory_region_set_enabled(high, false);
    memory_region_add_subregion(box, 0, inside);
    memory_region_add_subregion(f->root, 0x8000, box);
    memory_region_set_enabled(box, false);
}

static void build_ram_with_subregion(Fixture *f)
{
    MemoryRegion *ram = new_ram(f, "ram", 0x4000);
    MemoryRegion *io = new_io(f, "window", 0x1000);

    memory_region_add_subregion(ram, 0x1000, io);
    memory_region_add_subregion(f->root, 0x10000, ram);
}

static void build_mergeable_aliases(Fixture *f)
{
    MemoryRegion *ram = new_ram(f, "ram", 0x3000);

    memory_region_add_subregion(f->root, 0x0,
                                new_alias(f, "a0", ram, 0x0, 0x1000));
    memory_region_add_subregion(f->root, 0x1000,
                                new_alias(f, "a1", ram, 0x1000, 0x1000));
    /* Not contiguous in the region: stays separate. */
    memory_region_add_subregion(f->root, 0x2000,
                                new_alias(f, "a2", ram, 0x0, 0x1000));
}

static void build_unmergeable_aliases(Fixture *f)
{
    MemoryRegion *ram = new_ram(f, "ram", 0x2000);
    MemoryRegion *a0 = new_alias(f, "a0", ram, 0x0, 0x1000);
    MemoryRegion *a1 = new_alias(f, "a1", ram, 0x1000, 0x1000);

    memory_region_set_unmergeable(a0, true);
    memory_region_set_unmergeable(a1, true);
    memory_region_add_subregion(f->root, 0x0, a0);
    memory_region_add_subregion(f->root, 0x1000, a1);
}

/* One unmergeable alias is enough to keep both apart. */
static void build_one_unmergeable_alias(Fixture *f)
{
    MemoryRegion *ram = new_ram(f, "ram", 0x2000);
    MemoryRegion *a0 = new_alias(f, "a0", ram, 0x0, 0x1000);
    MemoryRegion *a1 = new_alias(f, "a1", ram, 0x1000, 0x1000);

    memory_region_set_unmergeable(a1, true);
    memory_region_add_subregion(f->root, 0x0, a0);
    memory_region_add_subregion(f->root, 0x1000, a1);
}

static void build_unmergeable_container(Fixture *f)
{
    MemoryRegion *ram = new_ram(f, "ram", 0x2000);
    MemoryRegion *slots = new_container(f, "slots", 0x2000);

    memory_region_add_subregion(slots, 0x0,
                                new_alias(f, "a0", ram, 0x0, 0x1000));
    memory_region_add_subregion(slots, 0x1000,
                                new_alias(f, "a1", ram, 0x1000, 0x1000));
    memory_region_set_unmergeable(slots, true);
    memory_region_add_subregion(f->root, 0x40000, slots);
}

static void build_top_of_address_space(Fixture *f)
{
    memory_region_add_subregion(f->root, UINT64_MAX - 0xfff,
                                new_ram(f, "top", 0x1000));
}

static void build_moved_and_resized(Fixture *f)
{
    MemoryRegion *io = new_io(f, "io", 0x1000);
    MemoryRegion *ram = new_ram(f, "ram", 0x1000);

    memory_region_add_subregion(f->root, 0x1000, io);
    memory_region_add_subregion(f->root, 0x8000, ram);
    memory_region_set_address(io, 0x3000);
    memory_region_set_size(io, 0x2800);
    memory_region_set_size(ram, 0x800);
}

static const RenderCase render_cases[] = {
    {
        "/memory/flatview/priority-overlap", build_priority_overlap,
        { { 0x0, 0x1000, "low", 0x0 }, { 0x1000, 0x1000, "high", 0x0 },
          { 0x2000, 0x2000, "low", 0x2000 } }, 3,
    }, {
        "/memory/flatview/priority-beats-order", build_priority_beats_order,
        { { 0x0, 0x1000, "low", 0x0 }, { 0x1000, 0x1000, "high", 0x0 },
          { 0x2000, 0x2000, "low", 0x2000 } }, 3,
    }, {
        "/memory/flatview/equal-priority-later-wins",
        build_equal_priority_order,
        { { 0x0, 0x1000, "first", 0x0 }, { 0x1000, 0x2000, "second", 0x0 } },
        2,
    }, {
        "/memory/flatview/equal-priority-later-wins-reversed",
        build_equal_priority_order_reversed,
        { { 0x0, 0x2000, "first", 0x0 }, { 0x2000, 0x1000, "second",
                                           0x1000 } }, 2,
    }, {
        "/memory/flatview/nested-containers", build_nested_containers,
        { { 0x112000, 0x1000, "ram", 0x0 }, { 0x113000, 0x100, "io", 0x0 } },
        2,
    }, {
        "/memory/flatview/alias-of-alias", build_alias_chain,
        { { 0x20000, 0x1000, "ram", 0x1800 } }, 1,
    }, {
        "/memory/flatview/clipping", build_clipping,
        { { 0x800, 0x800, "big", 0x0 }, { 0x10000, 0x800, "small", 0x800 } },
        2,
    }, {
        "/memory/flatview/holes", build_holes,
        { { 0x1000, 0x1000, "a", 0x0 }, { 0x5000, 0x2000, "b", 0x0 },
          { 0x9000, 0x10, "c", 0x0 } }, 3,
    }, {
        "/memory/flatview/disabled", build_disabled,
        { { 0x0, 0x4000, "low", 0x0 } }, 1,
    }, {
        "/memory/flatview/ram-with-subregion", build_ram_with_subregion,
        { { 0x10000, 0x1000, "ram", 0x0 }, { 0x11000, 0x1000, "window", 0x0 },
          { 0x12000, 0x2000, "ram", 0x2000 } }, 3,
    }, {
        "/memory/flatview/mergeable-aliases", build_mergeable_aliases,
        { { 0x0, 0x2000, "ram", 0x0 }, { 0x2000, 0x1000, "ram", 0x0 } }, 2,
    }, {
        "/memory/flatview/unmergeable-aliases", build_unmergeable_aliases,
        { { 0x0, 0x1000, "ram", 0x0 }, { 0x1000, 0x1000, "ram", 0x1000 } },
        2,
    }, {
        "/memory/flatview/one-unmergeable-alias", build_one_unmergeable_alias,
        { { 0x0, 0x1000, "ram", 0x0 }, { 0x1000, 0x1000, "ram", 0x1000 } },
        2,
    }, {
        "/memory/flatview/unmergeable-container", build_unmergeable_container,
        { { 0x40000, 0x1000, "ram", 0x0 }, { 0x41000, 0x1000, "ram",
                                             0x1000 } }, 2,
    }, {
        "/memory/flatview/top-of-address-space", build_top_of_address_space,
        { { UINT64_MAX - 0xfff, 0, "top", 0x0 } }, 1,
    }, {
        "/memory/flatview/moved-and-resized", build_moved_and_resized,
        { { 0x3000, 0x2800, "io", 0x0 }, { 0x8000, 0x800, "ram", 0x0 } }, 2,
    },
};

static void test_render_case(const void *opaque)
{
    const RenderCase *c = opaque;
    Fixture f;

    fixture_init(&f, UINT64_MAX);
    c->build(&f);
    assert_view_table(&f.as, c->expected, c->nr_expected);
    fixture_destroy(&f);
}

/* --- Incremental updates -------------------------------------------- */

/* Removing what split an unmergeable alias joins its pieces again. */
static void test_unmergeable_pieces_rejoin(void)
{
    Fixture f;
    MemoryRegion *ram, *alias, *io;

    fixture_init(&f, UINT64_MAX);
    ram = new_ram(&f, "ram", 0x4000);
    alias = new_alias(&f, "slot", ram, 0, 0x4000);
    io = new_io(&f, "io", 0x1000);
    memory_region_set_unmergeable(alias, true);
    memory_region_add_subregion(f.root, 0, alias);
    memory_region_add_subregion_overlap(f.root, 0x1000, io, 1);
    assert_view(&f.as, { 0x0, 0x1000, "ram", 0x0 },
                { 0x1000, 0x1000, "io", 0x0 },
                { 0x2000, 0x2000, "ram", 0x2000 });

    memory_region_del_subregion(f.root, io);
    assert_view(&f.as, { 0x0, 0x4000, "ram", 0x0 });

    memory_region_add_subregion_overlap(f.root, 0x3000, io, 1);
    memory_region_set_enabled(io, false);
    assert_view(&f.as, { 0x0, 0x4000, "ram", 0x0 });
    fixture_destroy(&f);
}

/* Unmapping the middle of three mergeable aliases splits the range. */
static void test_merge_split_on_unmap(void)
{
    Fixture f;
    MemoryRegion *ram, *a[3];

    fixture_init(&f, UINT64_MAX);
    ram = new_ram(&f, "ram", 0x3000);
    for (int i = 0; i < 3; i++) {
        g_autofree char *name = g_strdup_printf("a%d", i);

        a[i] = new_alias(&f, name, ram, i * 0x1000, 0x1000);
        memory_region_add_subregion(f.root, 0x10000 + i * 0x1000, a[i]);
    }
    assert_view(&f.as, { 0x10000, 0x3000, "ram", 0x0 });

    memory_region_del_subregion(f.root, a[1]);
    assert_view(&f.as, { 0x10000, 0x1000, "ram", 0x0 },
                { 0x12000, 0x1000, "ram", 0x2000 });

    memory_region_add_subregion(f.root, 0x11000, a[1]);
    assert_view(&f.as, { 0x10000, 0x3000, "ram", 0x0 });

    memory_region_set_alias_offset(a[1], 0x2000);
    assert_view(&f.as, { 0x10000, 0x1000, "ram", 0x0 },
                { 0x11000, 0x1000, "ram", 0x2000 },
                { 0x12000, 0x1000, "ram", 0x2000 });
    fixture_destroy(&f);
}

/* Changes below an alias reach the view through the alias. */
static void test_change_through_alias(void)
{
    Fixture f;
    MemoryRegion *box, *io, *alias;

    fixture_init(&f, UINT64_MAX);
    box = new_container(&f, "box", 0x10000);
    alias = new_alias(&f, "view", box, 0x8000, 0x8000);
    memory_region_add_subregion(f.root, 0x100000, alias);
    assert_view(&f.as, NO_RANGES);

    io = new_io(&f, "io", 0x1000);
    memory_region_add_subregion(box, 0x9000, io);
    assert_view(&f.as, { 0x101000, 0x1000, "io", 0x0 });

    memory_region_set_address(io, 0x1000);
    assert_view(&f.as, NO_RANGES);
    memory_region_set_alias_offset(alias, 0x0);
    assert_view(&f.as, { 0x101000, 0x1000, "io", 0x0 });
    fixture_destroy(&f);
}

/* Many changes in one transaction, some undoing others. */
static void test_transaction_batch(void)
{
    g_autoptr(GArray) seen = NULL;
    Fixture f;
    MemoryRegion *ram, *io;

    fixture_init(&f, UINT64_MAX);
    ram = new_ram(&f, "ram", 0x2000);
    io = new_io(&f, "io", 0x1000);
    memory_region_transaction_begin();
    memory_region_add_subregion(f.root, 0x0, ram);
    memory_region_add_subregion_overlap(f.root, 0x800, io, 2);
    memory_region_set_address(io, 0x5000);
    memory_region_set_enabled(ram, false);
    memory_region_set_enabled(ram, true);
    /* Nothing is visible before the commit. */
    seen = collect_view(&f.as);
    g_assert_cmpuint(seen->len, ==, 0);
    memory_region_transaction_commit();
    assert_view(&f.as, { 0x0, 0x2000, "ram", 0x0 },
                { 0x5000, 0x1000, "io", 0x0 });
    fixture_destroy(&f);
}

/* Two address spaces with one root share the view. */
static void test_shared_root(void)
{
    Fixture f;
    AddressSpace other;
    FlatView *v1, *v2;

    fixture_init(&f, UINT64_MAX);
    address_space_init(&other, f.root, "other");
    memory_region_add_subregion(f.root, 0x1000, new_ram(&f, "ram", 0x1000));
    v1 = address_space_get_flatview(&f.as);
    v2 = address_space_get_flatview(&other);
    g_assert_true(v1 == v2);
    g_assert_true(address_space_to_flatview(&other) == v1);
    g_assert_true(flatview_get_root(v1) == f.root);
    g_assert_cmpuint(flatview_nr_ranges(v1), ==, 1);
    flatview_unref(v1);
    flatview_unref(v2);
    assert_view(&other, { 0x1000, 0x1000, "ram", 0x0 });
    address_space_destroy(&other);
    fixture_destroy(&f);
}

/*
 * Random operations on a small tree (overlapping and disjoint subregions,
 * aliases, unmergeable flags), comparing the incremental view with a
 * render from scratch after every commit.
 */
static void test_random_updates(void)
{
    enum { NR_LEAVES = 12, NR_STEPS = 3000 };
    g_autoptr(GRand) rand = g_rand_new_with_seed(0x5eed);
    MemoryRegion *boxes[3], *leaves[NR_LEAVES], *ram;
    Fixture f;
    Error *err = NULL;

    fixture_init(&f, UINT64_MAX);
    ram = new_ram(&f, "ram", 0x10000);
    boxes[0] = f.root;
    boxes[1] = new_container(&f, "box1", 0x8000);
    boxes[2] = new_container(&f, "box2", 0x8000);
    memory_region_add_subregion(f.root, 0x4000, boxes[1]);
    memory_region_add_subregion(f.root, 0x20000,
                                new_alias(&f, "box2-view", boxes[2], 0x1000,
                                          0x6000));
    for (int i = 0; i < NR_LEAVES; i++) {
        g_autofree char *name = g_strdup_printf("leaf%d", i);

        switch (i % 3) {
        case 0:
            leaves[i] = new_alias(&f, name, ram, (i % 8) * 0x1000, 0x1000);
            break;
        case 1:
            leaves[i] = new_io(&f, name, 0x800 + i * 0x100);
            break;
        default:
            leaves[i] = new_alias(&f, name, ram, 0x0, 0x2000);
            break;
        }
    }

    for (int step = 0; step < NR_STEPS; step++) {
        MemoryRegion *leaf = leaves[g_rand_int_range(rand, 0, NR_LEAVES)];
        hwaddr addr = g_rand_int_range(rand, 0, 16) * 0x800;
        bool batch = g_rand_boolean(rand);

        if (batch) {
            memory_region_transaction_begin();
        }
        switch (g_rand_int_range(rand, 0, 7)) {
        case 0:
        case 1:
            if (leaf->container) {
                memory_region_del_subregion(leaf->container, leaf);
            } else {
                memory_region_add_subregion_overlap(
                    boxes[g_rand_int_range(rand, 0, 3)], addr, leaf,
                    g_rand_int_range(rand, 0, 3));
            }
            break;
        case 2:
            memory_region_set_address(leaf, addr);
            break;
        case 3:
            memory_region_set_enabled(leaf, !leaf->enabled);
            break;
        case 4:
            memory_region_set_unmergeable(leaf, !leaf->unmergeable);
            break;
        case 5:
            if (leaf->alias) {
                memory_region_set_alias_offset(
                    leaf, g_rand_int_range(rand, 0, 8) * 0x800);
            } else {
                memory_region_set_readonly(leaf, !leaf->readonly);
            }
            break;
        default:
            memory_region_set_unmergeable(boxes[1], !boxes[1]->unmergeable);
            break;
        }
        if (batch) {
            memory_region_transaction_commit();
        }
        if (!address_space_check_flatview(&f.as, &err)) {
            g_test_message("step %d: %s", step, error_get_pretty(err));
            error_free(err);
            g_test_fail();
            break;
        }
    }
    fixture_destroy(&f);
}

/* --- Region state --------------------------------------------------- */

static void test_region_accessors(void)
{
    Fixture f;
    MemoryRegion *ram, *alias, *io, *box;

    fixture_init(&f, UINT64_MAX);
    g_assert_cmphex(memory_region_size(f.root), ==, UINT64_MAX);
    g_assert_true(int128_eq(f.root->size, int128_2_64()));
    ram = new_ram(&f, "ram", 0x4000);
    alias = new_alias(&f, "alias", ram, 0x1000, 0x1000);
    io = new_io(&f, "io", 0x10);
    box = new_container(&f, "box", 0x100);

    g_assert_cmpstr(memory_region_name(ram), ==, "ram");
    g_assert_null(memory_region_owner(ram));
    g_assert_true(memory_region_is_ram(ram));
    g_assert_false(memory_region_is_ram(io));
    g_assert_false(memory_region_is_ram(box));
    g_assert_cmphex(memory_region_size(io), ==, 0x10);
    g_assert_nonnull(memory_region_get_ram_ptr(ram));
    g_assert_true((uint8_t *)memory_region_get_ram_ptr(alias) ==
                  (uint8_t *)memory_region_get_ram_ptr(ram) + 0x1000);
    g_assert_null(memory_region_get_ram_ptr(io));
    g_assert_cmphex(memory_region_get_ram_addr(ram), ==,
                    qemu_ram_get_offset(ram->ram_block));
    g_assert_cmphex(memory_region_get_ram_addr(io), ==, RAM_ADDR_INVALID);
    g_assert_cmpint(memory_region_get_fd(ram), ==, -1);

    g_assert_false(memory_region_is_mapped(ram));
    memory_region_add_subregion(box, 0, alias);
    /* Through an alias that is in a container, even an unmapped one. */
    g_assert_true(memory_region_is_mapped(ram));
    g_assert_true(memory_region_is_mapped(alias));
    g_assert_false(memory_region_is_mapped(box));
    memory_region_del_subregion(box, alias);
    g_assert_false(memory_region_is_mapped(ram));

    memory_region_add_subregion(box, 0x10, io);
    g_assert_true(memory_region_next_subregion(box, NULL) == io);
    g_assert_null(memory_region_next_subregion(box, io));
    fixture_destroy(&f);
}

static void test_subregion_order(void)
{
    Fixture f;
    MemoryRegion *a, *b, *c, *d;

    fixture_init(&f, UINT64_MAX);
    a = new_io(&f, "a", 0x10);
    b = new_io(&f, "b", 0x10);
    c = new_io(&f, "c", 0x10);
    d = new_io(&f, "d", 0x10);
    memory_region_add_subregion(f.root, 0x0, a);
    memory_region_add_subregion_overlap(f.root, 0x100, b, 5);
    memory_region_add_subregion(f.root, 0x200, c);
    memory_region_add_subregion_overlap(f.root, 0x300, d, -1);
    /* Priority first, then the latest added first. */
    g_assert_true(memory_region_next_subregion(f.root, NULL) == b);
    g_assert_true(memory_region_next_subregion(f.root, b) == c);
    g_assert_true(memory_region_next_subregion(f.root, c) == a);
    g_assert_true(memory_region_next_subregion(f.root, a) == d);
    g_assert_null(memory_region_next_subregion(f.root, d));
    g_assert_cmpint(b->priority, ==, 5);
    fixture_destroy(&f);
}

static void test_memory_region_find(void)
{
    Fixture f;
    MemoryRegion *box, *ram;
    MemoryRegionSection s;

    fixture_init(&f, UINT64_MAX);
    box = new_container(&f, "box", 0x100000);
    ram = new_ram(&f, "ram", 0x4000);
    memory_region_add_subregion(box, 0x2000, ram);
    memory_region_add_subregion(f.root, 0x100000, box);

    s = memory_region_find(box, 0x1000, 0x2000);
    g_assert_true(s.mr == ram);
    g_assert_cmphex(s.offset_within_address_space, ==, 0x102000);
    g_assert_cmphex(s.offset_within_region, ==, 0x0);
    g_assert_true(int128_eq(s.size, int128_make64(0x1000)));
    memory_region_unref(s.mr);

    s = memory_region_find(f.root, 0x103000, 0x10000);
    g_assert_true(s.mr == ram);
    g_assert_cmphex(s.offset_within_region, ==, 0x1000);
    g_assert_true(int128_eq(s.size, int128_make64(0x3000)));
    memory_region_unref(s.mr);

    s = memory_region_find(box, 0x0, 0x1000);
    g_assert_null(s.mr);
    fixture_destroy(&f);
}

/* --- RamDiscardManager ---------------------------------------------- */

static void assert_rdm_error(MemoryRegion *mr, RamDiscardManager *rdm,
                             int expected_ret, const char *expected_msg)
{
    Error *err = NULL;

    g_assert_cmpint(memory_region_set_ram_discard_manager(mr, rdm, &err), ==,
                    expected_ret);
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, expected_msg);
    error_free(err);
}

static void test_ram_discard_manager_rules(void)
{
    Fixture f;
    MemoryRegion *mem, *alias, *alias2, *io;
    /* The memory API only stores the pointer. */
    static int fake_manager;
    RamDiscardManager *rdm = (RamDiscardManager *)&fake_manager;

    fixture_init(&f, UINT64_MAX);
    mem = new_ram(&f, "mem0", 0x4000);
    alias = new_alias(&f, "slot0", mem, 0, 0x2000);
    alias2 = new_alias(&f, "slot0-view", alias, 0, 0x1000);
    io = new_io(&f, "io", 0x10);

    g_assert_false(memory_region_has_ram_discard_manager(mem));
    assert_rdm_error(io, rdm, -EINVAL, "memory region 'io' is not RAM: "
                     "cannot set a RamDiscardManager");

    memory_region_add_subregion(f.root, 0, mem);
    assert_rdm_error(mem, rdm, -EBUSY, "memory region 'mem0' is mapped: "
                     "cannot change its RamDiscardManager");
    memory_region_del_subregion(f.root, mem);

    memory_region_add_subregion(f.root, 0x10000, alias2);
    assert_rdm_error(mem, rdm, -EBUSY, "memory region 'mem0' is mapped: "
                     "cannot change its RamDiscardManager");
    memory_region_del_subregion(f.root, alias2);

    g_assert_cmpint(memory_region_set_ram_discard_manager(mem, rdm,
                                                          &error_abort), ==, 0);
    g_assert_true(memory_region_get_ram_discard_manager(mem) == rdm);
    g_assert_true(memory_region_has_ram_discard_manager(mem));
    assert_rdm_error(mem, rdm, -EBUSY, "memory region 'mem0' already has a "
                     "RamDiscardManager");

    memory_region_add_subregion(f.root, 0x10000, alias);
    assert_rdm_error(mem, NULL, -EBUSY, "memory region 'mem0' is mapped: "
                     "cannot change its RamDiscardManager");
    g_assert_true(memory_region_get_ram_discard_manager(mem) == rdm);
    memory_region_del_subregion(f.root, alias);

    g_assert_cmpint(memory_region_set_ram_discard_manager(mem, NULL,
                                                          &error_abort), ==, 0);
    g_assert_false(memory_region_has_ram_discard_manager(mem));
    fixture_destroy(&f);
}

/* A region owned by an object is its child and dies with it. */
static void test_owner(void)
{
    Object *owner = object_new(TYPE_CONTAINER);
    MemoryRegion *mr = g_new0(MemoryRegion, 1);

    memory_region_init_io(mr, owner, &dummy_ops, NULL, "dev/regs", 0x100);
    g_assert_true(memory_region_owner(mr) == owner);
    g_assert_true(OBJECT(mr)->parent == owner);
    g_assert_cmpuint(owner->ref, ==, 1);
    memory_region_ref(mr);
    g_assert_cmpuint(owner->ref, ==, 2);
    memory_region_unref(mr);
    g_assert_cmpuint(owner->ref, ==, 1);
    object_unref(owner);
    g_free(mr);
}

/* A failed RAM initialization leaves nothing behind. */
static void test_ram_init_failure(void)
{
    Object *owner = object_new(TYPE_CONTAINER);
    MemoryRegion *mr = g_new0(MemoryRegion, 1);
    Error *err = NULL;

    g_assert_false(memory_region_init_ram_from_file(
        mr, owner, "bad", 0x1000, 0, RAM_SHARED,
        "/nonexistent-sparsevm-dir/sub/file", 0, &err));
    g_assert_nonnull(err);
    error_free(err);
    g_assert_null(mr->ram_block);
    g_assert_null(object_resolve_path_component(owner, "bad[0]"));
    g_assert_cmpuint(owner->ref, ==, 1);
    object_unref(owner);
    g_free(mr);
}

/* Shared RAM has an fd, also seen through aliases. */
static void test_ram_fd(void)
{
    MemoryRegion ram, alias;
    Object *owner = object_new(TYPE_CONTAINER);

    g_assert_true(memory_region_init_ram_flags_nomigrate(
        &ram, owner, "shared", 0x10000, RAM_SHARED, &error_abort));
    g_assert_nonnull(object_resolve_path_component(owner, "shared[0]"));
    memory_region_init_alias(&alias, NULL, "alias", &ram, 0x1000, 0x1000);
    g_assert_cmpint(memory_region_get_fd(&ram), >=, 0);
    g_assert_cmpint(memory_region_get_fd(&alias), ==,
                    memory_region_get_fd(&ram));
    object_unref(OBJECT(&alias));
    object_unref(owner);
}

static void test_section_intersect_range(void)
{
    MemoryRegionSection s = {
        .size = int128_make64(0x4000),
        .offset_within_region = 0x1000,
        .offset_within_address_space = 0x101000,
    };
    MemoryRegionSection orig = s;

    g_assert_false(memory_region_section_intersect_range(&s, 0x5000, 0x1000));
    g_assert_false(memory_region_section_intersect_range(&s, 0x0, 0x1000));
    g_assert_true(MemoryRegionSection_eq(&s, &orig));

    g_assert_true(memory_region_section_intersect_range(&s, 0x2000, 0x8000));
    g_assert_cmphex(s.offset_within_region, ==, 0x2000);
    g_assert_cmphex(s.offset_within_address_space, ==, 0x102000);
    g_assert_true(int128_eq(s.size, int128_make64(0x3000)));

    g_assert_true(memory_region_section_intersect_range(&s, 0x0, 0x2800));
    g_assert_cmphex(s.offset_within_region, ==, 0x2000);
    g_assert_true(int128_eq(s.size, int128_make64(0x800)));
}

static unsigned resized_calls;

static void count_resize(const char *idstr, uint64_t length, void *host)
{
    resized_calls++;
}

static void test_resizeable_ram(void)
{
    Fixture f;
    MemoryRegion *mr = g_new0(MemoryRegion, 1);
    ram_addr_t offset = 0;
    Error *err = NULL;

    fixture_init(&f, UINT64_MAX);
    g_assert_true(memory_region_init_resizeable_ram(
        mr, NULL, "grow", 0x4000, 0x10000, count_resize, &error_abort));
    fixture_track(&f, mr);
    memory_region_add_subregion(f.root, 0x100000, mr);
    assert_view(&f.as, { 0x100000, 0x4000, "grow", 0x0 });

    memory_region_ram_resize(mr, 0x8000, &error_abort);
    g_assert_cmpuint(resized_calls, ==, 1);
    assert_view(&f.as, { 0x100000, 0x8000, "grow", 0x0 });

    memory_region_ram_resize(mr, 0x20000, &err);
    g_assert_nonnull(err);
    error_free(err);
    assert_view(&f.as, { 0x100000, 0x8000, "grow", 0x0 });

    g_assert_true(memory_region_from_host(
        (uint8_t *)memory_region_get_ram_ptr(mr) + 0x123, &offset) == mr);
    g_assert_cmphex(offset, ==, 0x123);
    g_assert_null(memory_region_from_host(&offset, &offset));
    fixture_destroy(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    for (size_t i = 0; i < ARRAY_SIZE(render_cases); i++) {
        g_test_add_data_func(render_cases[i].path, &render_cases[i],
                             test_render_case);
    }
    g_test_add_func("/memory/flatview/unmergeable-pieces-rejoin",
                    test_unmergeable_pieces_rejoin);
    g_test_add_func("/memory/flatview/merge-split-on-unmap",
                    test_merge_split_on_unmap);
    g_test_add_func("/memory/flatview/change-through-alias",
                    test_change_through_alias);
    g_test_add_func("/memory/flatview/transaction-batch",
                    test_transaction_batch);
    g_test_add_func("/memory/flatview/shared-root", test_shared_root);
    g_test_add_func("/memory/flatview/random-updates", test_random_updates);
    g_test_add_func("/memory/region/accessors", test_region_accessors);
    g_test_add_func("/memory/region/subregion-order", test_subregion_order);
    g_test_add_func("/memory/region/find", test_memory_region_find);
    g_test_add_func("/memory/region/ram-discard-manager-rules",
                    test_ram_discard_manager_rules);
    g_test_add_func("/memory/region/owner", test_owner);
    g_test_add_func("/memory/region/ram-init-failure", test_ram_init_failure);
    g_test_add_func("/memory/region/ram-fd", test_ram_fd);
    g_test_add_func("/memory/region/resizeable-ram", test_resizeable_ram);
    g_test_add_func("/memory/section/intersect-range",
                    test_section_intersect_range);
    return g_test_run();
}
