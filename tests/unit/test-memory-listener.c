/*
 * MemoryListener notifications: the exact sequence of begin / region_add /
 * region_del / region_nop / commit calls per commit, their order between
 * listeners, batching, replay on register and unregister.
 */
#include "qemu/osdep.h"

#include "exec/memory.h"
#include "qapi/error.h"

/* All listeners of a test log into one list, in call order. */
static GPtrArray *events;

typedef struct RecordingListener {
    MemoryListener listener;
    const char *tag;
} RecordingListener;

static void record(MemoryListener *listener, const char *what,
                   MemoryRegionSection *section)
{
    RecordingListener *rl = container_of(listener, RecordingListener,
                                         listener);
    char *event;

    if (section) {
        event = g_strdup_printf("%s:%s 0x%" PRIx64 "+0x%" PRIx64 " %s@0x%"
                                PRIx64 "%s%s", rl->tag, what,
                                section->offset_within_address_space,
                                int128_get64(section->size),
                                memory_region_name(section->mr),
                                section->offset_within_region,
                                section->readonly ? " ro" : "",
                                section->unmergeable ? " um" : "");
    } else {
        event = g_strdup_printf("%s:%s", rl->tag, what);
    }
    g_ptr_array_add(events, event);
}

static void rec_begin(MemoryListener *listener)
{
    record(listener, "begin", NULL);
}

static void rec_commit(MemoryListener *listener)
{
    record(listener, "commit", NULL);
}

static void rec_add(MemoryListener *listener, MemoryRegionSection *section)
{
    record(listener, "add", section);
}

static void rec_del(MemoryListener *listener, MemoryRegionSection *section)
{
    record(listener, "del", section);
}

static void rec_nop(MemoryListener *listener, MemoryRegionSection *section)
{
    record(listener, "nop", section);
}

static void recording_listener_init(RecordingListener *rl, const char *tag,
                                    unsigned priority)
{
    *rl = (RecordingListener) {
        .listener = {
            .begin = rec_begin,
            .commit = rec_commit,
            .region_add = rec_add,
            .region_del = rec_del,
            .region_nop = rec_nop,
            .priority = priority,
            .name = tag,
        },
        .tag = tag,
    };
}

/* Compare the events since the last call with the NULL-terminated list. */
static void assert_events(const char *first, ...)
{
    va_list ap;
    guint i = 0;

    for (guint j = 0; j < events->len; j++) {
        g_test_message("  event %u: %s", j,
                       (char *)g_ptr_array_index(events, j));
    }
    va_start(ap, first);
    for (const char *e = first; e; e = va_arg(ap, const char *), i++) {
        g_assert_cmpuint(i, <, events->len);
        g_assert_cmpstr(g_ptr_array_index(events, i), ==, e);
    }
    va_end(ap);
    g_assert_cmpuint(events->len, ==, i);
    g_ptr_array_set_size(events, 0);
}

static void assert_no_events(void)
{
    assert_events(NULL);
}

/* --- Fixture -------------------------------------------------------- */

typedef struct Fixture {
    GPtrArray *regions;
    MemoryRegion *root;
    MemoryRegion *ram;
    AddressSpace as;
} Fixture;

static MemoryRegion *fixture_track(Fixture *f, MemoryRegion *mr)
{
    g_ptr_array_add(f->regions, mr);
    return mr;
}

static MemoryRegion *new_alias(Fixture *f, const char *name, hwaddr offset,
                               uint64_t size, bool unmergeable)
{
    MemoryRegion *mr = g_new0(MemoryRegion, 1);

    memory_region_init_alias(mr, NULL, name, f->ram, offset, size);
    memory_region_set_unmergeable(mr, unmergeable);
    return fixture_track(f, mr);
}

static MemoryRegion *new_container(Fixture *f, const char *name,
                                   uint64_t size)
{
    MemoryRegion *mr = g_new0(MemoryRegion, 1);

    memory_region_init(mr, NULL, name, size);
    return fixture_track(f, mr);
}

static void fixture_init(Fixture *f)
{
    events = g_ptr_array_new_with_free_func(g_free);
    f->regions = g_ptr_array_new();
    f->root = new_container(f, "root", UINT64_MAX);
    f->ram = fixture_track(f, g_new0(MemoryRegion, 1));
    memory_region_init_ram_nomigrate(f->ram, NULL, "ram", 0x10000,
                                     &error_abort);
    address_space_init(&f->as, f->root, "test");
}

static void fixture_destroy(Fixture *f)
{
    Error *err = NULL;

    if (!address_space_check_flatview(&f->as, &err)) {
        g_test_message("%s", error_get_pretty(err));
        g_test_fail();
        error_free(err);
    }
    address_space_destroy(&f->as);
    for (guint i = 0; i < f->regions->len; i++) {
        MemoryRegion *mr = g_ptr_array_index(f->regions, i);

        if (mr->container) {
            memory_region_del_subregion(mr->container, mr);
        }
    }
    for (guint i = f->regions->len; i-- > 0;) {
        MemoryRegion *mr = g_ptr_array_index(f->regions, i);

        object_unref(OBJECT(mr));
        g_free(mr);
    }
    g_ptr_array_free(f->regions, true);
    g_ptr_array_free(events, true);
    events = NULL;
}

/* --- Tests ---------------------------------------------------------- */

static void test_register_replays_view(void)
{
    Fixture f;
    RecordingListener l;

    fixture_init(&f);
    memory_region_add_subregion(f.root, 0x1000,
                                new_alias(&f, "a0", 0x0, 0x1000, true));
    memory_region_add_subregion(f.root, 0x2000,
                                new_alias(&f, "a1", 0x1000, 0x1000, true));
    recording_listener_init(&l, "L", 0);
    memory_listener_register(&l.listener, &f.as);
    assert_events("L:begin",
                  "L:add 0x1000+0x1000 ram@0x0 um",
                  "L:add 0x2000+0x1000 ram@0x1000 um",
                  "L:commit", NULL);

    memory_listener_unregister(&l.listener);
    assert_events("L:begin",
                  "L:del 0x1000+0x1000 ram@0x0 um",
                  "L:del 0x2000+0x1000 ram@0x1000 um",
                  "L:commit", NULL);

    /* Unregistered: hears nothing. */
    memory_region_add_subregion(f.root, 0x8000,
                                new_alias(&f, "a2", 0x2000, 0x1000, true));
    assert_no_events();
    fixture_destroy(&f);
}

/*
 * The virtio-mem pattern: unmergeable memslot aliases in a container;
 * (un)mapping one reports exactly that one section.
 */
static void test_map_one_unmergeable_alias(void)
{
    Fixture f;
    RecordingListener l;
    MemoryRegion *device, *slots[4];

    fixture_init(&f);
    device = new_container(&f, "device", 0x4000);
    memory_region_add_subregion(f.root, 0x100000, device);
    for (int i = 0; i < 4; i++) {
        g_autofree char *name = g_strdup_printf("memslot-%d", i);

        slots[i] = new_alias(&f, name, i * 0x1000, 0x1000, true);
    }
    memory_region_add_subregion(device, 0x0, slots[0]);
    memory_region_add_subregion(device, 0x2000, slots[2]);
    recording_listener_init(&l, "L", 0);
    memory_listener_register(&l.listener, &f.as);
    g_ptr_array_set_size(events, 0);

    memory_region_add_subregion(device, 0x1000, slots[1]);
    assert_events("L:begin", "L:add 0x101000+0x1000 ram@0x1000 um",
                  "L:commit", NULL);

    memory_region_add_subregion(device, 0x3000, slots[3]);
    assert_events("L:begin", "L:add 0x103000+0x1000 ram@0x3000 um",
                  "L:commit", NULL);

    memory_region_del_subregion(device, slots[1]);
    assert_events("L:begin", "L:del 0x101000+0x1000 ram@0x1000 um",
                  "L:commit", NULL);

    memory_region_del_subregion(device, slots[0]);
    assert_events("L:begin", "L:del 0x100000+0x1000 ram@0x0 um",
                  "L:commit", NULL);

    memory_listener_unregister(&l.listener);
    g_ptr_array_set_size(events, 0);
    fixture_destroy(&f);
}

/* Mergeable aliases: the grown range replaces the old one. */
static void test_map_mergeable_alias(void)
{
    Fixture f;
    RecordingListener l;
    MemoryRegion *a0, *a1;

    fixture_init(&f);
    a0 = new_alias(&f, "a0", 0x0, 0x1000, false);
    a1 = new_alias(&f, "a1", 0x1000, 0x1000, false);
    memory_region_add_subregion(f.root, 0x0, a0);
    recording_listener_init(&l, "L", 0);
    memory_listener_register(&l.listener, &f.as);
    g_ptr_array_set_size(events, 0);

    memory_region_add_subregion(f.root, 0x1000, a1);
    assert_events("L:begin", "L:del 0x0+0x1000 ram@0x0",
                  "L:add 0x0+0x2000 ram@0x0", "L:commit", NULL);

    memory_region_del_subregion(f.root, a0);
    assert_events("L:begin", "L:del 0x0+0x2000 ram@0x0",
                  "L:add 0x1000+0x1000 ram@0x1000", "L:commit", NULL);
    memory_listener_unregister(&l.listener);
    g_ptr_array_set_size(events, 0);
    fixture_destroy(&f);
}

/*
 * Only re-rendered sections are reported; one that stays the same gets
 * region_nop, the others nothing.
 */
static void test_nop_only_inside_change(void)
{
    Fixture f;
    RecordingListener l;
    MemoryRegion *top, *under, *far;

    fixture_init(&f);
    top = new_alias(&f, "top", 0x0, 0x2000, false);
    under = new_alias(&f, "under", 0x4000, 0x1000, false);
    far = new_alias(&f, "far", 0x8000, 0x1000, false);
    memory_region_add_subregion_overlap(f.root, 0x0, top, 1);
    memory_region_add_subregion(f.root, 0x10000, far);
    recording_listener_init(&l, "L", 0);
    memory_listener_register(&l.listener, &f.as);
    g_ptr_array_set_size(events, 0);

    /* Completely hidden below "top": nothing changes. */
    memory_region_add_subregion(f.root, 0x800, under);
    assert_events("L:begin", "L:nop 0x0+0x2000 ram@0x0", "L:commit", NULL);

    /* An attribute change is a del + add of the same range. */
    memory_region_set_readonly(top, true);
    assert_events("L:begin", "L:del 0x0+0x2000 ram@0x0",
                  "L:add 0x0+0x2000 ram@0x0 ro", "L:commit", NULL);

    /* Invisible changes still make a (empty) transaction. */
    memory_region_set_unmergeable(under, true);
    assert_events("L:begin", "L:nop 0x0+0x2000 ram@0x0 ro", "L:commit",
                  NULL);
    memory_region_del_subregion(f.root, under);
    memory_region_set_enabled(under, false);
    assert_events("L:begin", "L:nop 0x0+0x2000 ram@0x0 ro", "L:commit",
                  "L:begin", "L:commit", NULL);
    memory_listener_unregister(&l.listener);
    g_ptr_array_set_size(events, 0);
    fixture_destroy(&f);
}

static void test_priority_order(void)
{
    Fixture f;
    RecordingListener high, low, mid;
    MemoryRegion *a0;

    fixture_init(&f);
    a0 = new_alias(&f, "a0", 0x0, 0x1000, true);
    recording_listener_init(&high, "P10", 10);
    recording_listener_init(&low, "P1", 1);
    recording_listener_init(&mid, "P10b", 10);
    memory_listener_register(&high.listener, &f.as);
    memory_listener_register(&low.listener, &f.as);
    memory_listener_register(&mid.listener, &f.as);
    assert_events("P10:begin", "P10:commit", "P1:begin", "P1:commit",
                  "P10b:begin", "P10b:commit", NULL);

    memory_region_add_subregion(f.root, 0x1000, a0);
    assert_events("P1:begin", "P10:begin", "P10b:begin",
                  "P1:add 0x1000+0x1000 ram@0x0 um",
                  "P10:add 0x1000+0x1000 ram@0x0 um",
                  "P10b:add 0x1000+0x1000 ram@0x0 um",
                  "P1:commit", "P10:commit", "P10b:commit", NULL);

    memory_region_del_subregion(f.root, a0);
    assert_events("P1:begin", "P10:begin", "P10b:begin",
                  "P10b:del 0x1000+0x1000 ram@0x0 um",
                  "P10:del 0x1000+0x1000 ram@0x0 um",
                  "P1:del 0x1000+0x1000 ram@0x0 um",
                  "P1:commit", "P10:commit", "P10b:commit", NULL);

    memory_listener_unregister(&mid.listener);
    memory_listener_unregister(&low.listener);
    memory_listener_unregister(&high.listener);
    assert_events("P10b:begin", "P10b:commit", "P1:begin", "P1:commit",
                  "P10:begin", "P10:commit", NULL);
    fixture_destroy(&f);
}

/* All dels of a commit come before its adds. */
static void test_del_before_add(void)
{
    Fixture f;
    RecordingListener l;
    MemoryRegion *a0, *a1;

    fixture_init(&f);
    a0 = new_alias(&f, "a0", 0x0, 0x1000, true);
    a1 = new_alias(&f, "a1", 0x1000, 0x1000, true);
    memory_region_add_subregion(f.root, 0x0, a0);
    memory_region_add_subregion(f.root, 0x8000, a1);
    recording_listener_init(&l, "L", 0);
    memory_listener_register(&l.listener, &f.as);
    g_ptr_array_set_size(events, 0);

    memory_region_transaction_begin();
    memory_region_set_address(a0, 0x10000);
    memory_region_set_address(a1, 0x4000);
    memory_region_transaction_commit();
    assert_events("L:begin",
                  "L:del 0x0+0x1000 ram@0x0 um",
                  "L:del 0x8000+0x1000 ram@0x1000 um",
                  "L:add 0x4000+0x1000 ram@0x1000 um",
                  "L:add 0x10000+0x1000 ram@0x0 um",
                  "L:commit", NULL);
    memory_listener_unregister(&l.listener);
    g_ptr_array_set_size(events, 0);
    fixture_destroy(&f);
}

static void test_nested_transactions(void)
{
    Fixture f;
    RecordingListener l;
    MemoryRegion *a0, *a1, *a2;

    fixture_init(&f);
    a0 = new_alias(&f, "a0", 0x0, 0x1000, true);
    a1 = new_alias(&f, "a1", 0x1000, 0x1000, true);
    a2 = new_alias(&f, "a2", 0x2000, 0x1000, true);
    recording_listener_init(&l, "L", 0);
    memory_listener_register(&l.listener, &f.as);
    g_ptr_array_set_size(events, 0);

    memory_region_transaction_begin();
    memory_region_add_subregion(f.root, 0x0, a0);
    memory_region_transaction_begin();
    memory_region_add_subregion(f.root, 0x1000, a1);
    memory_region_add_subregion(f.root, 0x2000, a2);
    memory_region_set_enabled(a2, false);
    memory_region_transaction_commit();
    assert_no_events();
    memory_region_transaction_commit();
    assert_events("L:begin",
                  "L:add 0x0+0x1000 ram@0x0 um",
                  "L:add 0x1000+0x1000 ram@0x1000 um",
                  "L:commit", NULL);

    /* Undone within the transaction: no visible change at all. */
    memory_region_transaction_begin();
    memory_region_del_subregion(f.root, a1);
    memory_region_add_subregion(f.root, 0x1000, a1);
    memory_region_transaction_commit();
    assert_events("L:begin", "L:nop 0x1000+0x1000 ram@0x1000 um",
                  "L:commit", NULL);
    memory_listener_unregister(&l.listener);
    g_ptr_array_set_size(events, 0);
    fixture_destroy(&f);
}

/* A listener only hears about its own address space. */
static void test_two_address_spaces(void)
{
    Fixture f;
    RecordingListener l_main, l_other;
    MemoryRegion *other_root;
    AddressSpace other;

    fixture_init(&f);
    other_root = new_container(&f, "other-root", 0x100000);
    address_space_init(&other, other_root, "other");
    recording_listener_init(&l_main, "M", 0);
    recording_listener_init(&l_other, "O", 0);
    memory_listener_register(&l_main.listener, &f.as);
    memory_listener_register(&l_other.listener, &other);
    g_ptr_array_set_size(events, 0);

    memory_region_add_subregion(other_root, 0x3000,
                                new_alias(&f, "a0", 0x0, 0x1000, false));
    /* begin/commit go to every listener, sections only to O. */
    assert_events("M:begin", "O:begin", "O:add 0x3000+0x1000 ram@0x0",
                  "M:commit", "O:commit", NULL);

    /* Destroying an address space unregisters its listeners. */
    address_space_destroy(&other);
    assert_events("O:begin", "O:del 0x3000+0x1000 ram@0x0", "O:commit",
                  NULL);
    memory_listener_unregister(&l_main.listener);
    g_ptr_array_set_size(events, 0);
    fixture_destroy(&f);
}

/* Sections can be kept with new_copy; they keep the region's owner. */
static void test_section_copy(void)
{
    Fixture f;
    Object *owner = object_new(TYPE_CONTAINER);
    MemoryRegion *owned = g_new0(MemoryRegion, 1);
    MemoryRegionSection s, *copy;

    fixture_init(&f);
    memory_region_init_alias(owned, owner, "owned", f.ram, 0x0, 0x1000);
    memory_region_add_subregion(f.root, 0x0, owned);
    s = memory_region_find(f.root, 0x0, 0x1000);
    /* The section names the terminating region, not the alias. */
    g_assert_true(s.mr == f.ram);
    copy = memory_region_section_new_copy(&s);
    g_assert_true(MemoryRegionSection_eq(copy, &s));
    g_assert_true(copy->fv == address_space_get_flatview(&f.as));
    flatview_unref(copy->fv);
    memory_region_section_free_copy(copy);
    memory_region_unref(s.mr);

    /* Mapping the alias holds its owner. */
    g_assert_cmpuint(owner->ref, ==, 2);
    memory_region_del_subregion(f.root, owned);
    g_assert_cmpuint(owner->ref, ==, 1);
    object_unref(owner);
    g_free(owned);
    fixture_destroy(&f);
}

static const MemoryRegionOps no_ops;

/*
 * Dropping the last reference of an owner at the end of a commit finalizes
 * its regions, which may run a transaction of its own.
 */
static void test_owner_dies_after_commit(void)
{
    Fixture f;
    RecordingListener l;
    Object *owner = object_new(TYPE_CONTAINER);
    MemoryRegion *dev = g_new0(MemoryRegion, 1);
    MemoryRegion *box = g_new0(MemoryRegion, 1);
    MemoryRegion *inner = g_new0(MemoryRegion, 1);
    MemoryRegion *view;

    fixture_init(&f);
    view = fixture_track(&f, g_new0(MemoryRegion, 1));
    memory_region_init_io(dev, owner, &no_ops, NULL, "dev", 0x100);
    memory_region_init(box, owner, "box", 0x100);
    memory_region_init_io(inner, NULL, &no_ops, NULL, "inner", 0x10);
    memory_region_add_subregion(box, 0, inner);
    memory_region_add_subregion(f.root, 0x1000, dev);
    /* An alias does not hold its target's owner. */
    memory_region_init_alias(view, NULL, "view", box, 0, 0x100);
    memory_region_add_subregion(f.root, 0x8000, view);
    recording_listener_init(&l, "L", 0);
    memory_listener_register(&l.listener, &f.as);
    g_ptr_array_set_size(events, 0);

    /* The mapping and the view's range keep the owner alive. */
    object_unref(owner);
    memory_region_del_subregion(f.root, dev);
    /*
     * The second transaction comes from finalizing "box", which unmaps
     * "inner" (seen through "view").
     */
    assert_events("L:begin", "L:del 0x1000+0x100 dev@0x0", "L:commit",
                  "L:begin", "L:del 0x8000+0x10 inner@0x0", "L:commit",
                  NULL);
    g_assert_null(inner->container);

    memory_listener_unregister(&l.listener);
    g_ptr_array_set_size(events, 0);
    object_unref(OBJECT(inner));
    g_free(inner);
    g_free(box);
    g_free(dev);
    fixture_destroy(&f);
}

/* --- A listener mirroring the view from the notifications ----------- */

typedef struct MirrorListener {
    MemoryListener listener;
    GTree *sections;            /* offset_within_address_space -> copy */
    bool in_transaction;
    bool failed;
} MirrorListener;

static gint mirror_key_cmp(gconstpointer a, gconstpointer b, gpointer opaque)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static void mirror_fail(MirrorListener *m, const char *what,
                        MemoryRegionSection *s)
{
    g_test_message("mirror: %s 0x%" PRIx64 "+0x%" PRIx64 " %s", what,
                   s->offset_within_address_space, int128_get64(s->size),
                   memory_region_name(s->mr));
    m->failed = true;
}

static void mirror_begin(MemoryListener *listener)
{
    MirrorListener *m = container_of(listener, MirrorListener, listener);

    m->in_transaction = true;
}

static void mirror_commit(MemoryListener *listener)
{
    MirrorListener *m = container_of(listener, MirrorListener, listener);

    m->in_transaction = false;
}

static void mirror_add(MemoryListener *listener, MemoryRegionSection *s)
{
    MirrorListener *m = container_of(listener, MirrorListener, listener);
    MemoryRegionSection *copy;

    if (!m->in_transaction ||
        g_tree_lookup(m->sections, &s->offset_within_address_space)) {
        mirror_fail(m, "unexpected add", s);
        return;
    }
    copy = memory_region_section_new_copy(s);
    g_tree_insert(m->sections, &copy->offset_within_address_space, copy);
}

static void mirror_del(MemoryListener *listener, MemoryRegionSection *s)
{
    MirrorListener *m = container_of(listener, MirrorListener, listener);
    MemoryRegionSection *old = g_tree_lookup(m->sections,
                                             &s->offset_within_address_space);

    if (!m->in_transaction || !old || !MemoryRegionSection_eq(old, s)) {
        mirror_fail(m, "unexpected del", s);
        return;
    }
    g_tree_remove(m->sections, &s->offset_within_address_space);
    memory_region_section_free_copy(old);
}

static void mirror_nop(MemoryListener *listener, MemoryRegionSection *s)
{
    MirrorListener *m = container_of(listener, MirrorListener, listener);
    MemoryRegionSection *old = g_tree_lookup(m->sections,
                                             &s->offset_within_address_space);

    if (!m->in_transaction || !old || !MemoryRegionSection_eq(old, s)) {
        mirror_fail(m, "unexpected nop", s);
    }
}

typedef struct MirrorCheck {
    MirrorListener *m;
    GTreeNode *node;
} MirrorCheck;

static bool mirror_check_range(Int128 start, Int128 len,
                               const MemoryRegion *mr, hwaddr offset,
                               void *opaque)
{
    MirrorCheck *c = opaque;
    MemoryRegionSection *s = c->node ? g_tree_node_value(c->node) : NULL;

    if (!s || int128_get64(start) != s->offset_within_address_space ||
        !int128_eq(len, s->size) || s->mr != mr ||
        s->offset_within_region != offset) {
        g_test_message("mirror: view range at 0x%" PRIx64 " differs",
                       int128_getlo(start));
        c->m->failed = true;
        return true;
    }
    c->node = g_tree_node_next(c->node);
    return false;
}

/* Whether the mirror holds exactly the sections of the view of @as. */
static bool mirror_matches(MirrorListener *m, AddressSpace *as)
{
    MirrorCheck c = { .m = m, .node = g_tree_node_first(m->sections) };
    FlatView *fv = address_space_get_flatview(as);

    flatview_for_each_range(fv, mirror_check_range, &c);
    flatview_unref(fv);
    if (c.node && !m->failed) {
        g_test_message("mirror: extra sections");
        m->failed = true;
    }
    return !m->failed;
}

static gboolean mirror_free_section(gpointer key, gpointer value,
                                    gpointer opaque)
{
    memory_region_section_free_copy(value);
    return false;
}

/* Random updates; the listener's picture must always equal the view. */
static void test_random_mirror(void)
{
    enum { NR_LEAVES = 10, NR_STEPS = 2000 };
    g_autoptr(GRand) rand = g_rand_new_with_seed(42);
    MemoryRegion *leaves[NR_LEAVES], *box;
    MirrorListener m = {
        .listener = {
            .begin = mirror_begin,
            .commit = mirror_commit,
            .region_add = mirror_add,
            .region_del = mirror_del,
            .region_nop = mirror_nop,
            .name = "mirror",
        },
    };
    Fixture f;

    fixture_init(&f);
    m.sections = g_tree_new_with_data(mirror_key_cmp, NULL);
    box = new_container(&f, "box", 0x8000);
    memory_region_add_subregion(f.root, 0x4000, box);
    for (int i = 0; i < NR_LEAVES; i++) {
        g_autofree char *name = g_strdup_printf("leaf%d", i);

        leaves[i] = new_alias(&f, name, (i % 4) * 0x1000,
                              0x1000 * (1 + i % 3), i % 2);
    }
    memory_listener_register(&m.listener, &f.as);

    for (int step = 0; step < NR_STEPS && !m.failed; step++) {
        MemoryRegion *leaf = leaves[g_rand_int_range(rand, 0, NR_LEAVES)];
        hwaddr addr = g_rand_int_range(rand, 0, 16) * 0x800;

        memory_region_transaction_begin();
        for (int n = g_rand_int_range(rand, 1, 4); n > 0; n--) {
            switch (g_rand_int_range(rand, 0, 6)) {
            case 0:
            case 1:
                if (leaf->container) {
                    memory_region_del_subregion(leaf->container, leaf);
                } else {
                    memory_region_add_subregion_overlap(
                        g_rand_boolean(rand) ? box : f.root, addr, leaf,
                        g_rand_int_range(rand, 0, 2));
                }
                break;
            case 2:
                memory_region_set_address(leaf, addr);
                break;
            case 3:
                memory_region_set_unmergeable(leaf, !leaf->unmergeable);
                break;
            case 4:
                memory_region_set_alias_offset(
                    leaf, g_rand_int_range(rand, 0, 8) * 0x800);
                break;
            default:
                memory_region_set_enabled(box, !box->enabled);
                break;
            }
        }
        memory_region_transaction_commit();
        if (!mirror_matches(&m, &f.as)) {
            g_test_message("mismatch after step %d", step);
        }
    }
    g_assert_false(m.failed);
    memory_listener_unregister(&m.listener);
    g_assert_cmpint(g_tree_nnodes(m.sections), ==, 0);
    g_tree_foreach(m.sections, mirror_free_section, NULL);
    g_tree_destroy(m.sections);
    fixture_destroy(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/memory/listener/register-replays-view",
                    test_register_replays_view);
    g_test_add_func("/memory/listener/map-one-unmergeable-alias",
                    test_map_one_unmergeable_alias);
    g_test_add_func("/memory/listener/map-mergeable-alias",
                    test_map_mergeable_alias);
    g_test_add_func("/memory/listener/nop-only-inside-change",
                    test_nop_only_inside_change);
    g_test_add_func("/memory/listener/priority-order", test_priority_order);
    g_test_add_func("/memory/listener/del-before-add", test_del_before_add);
    g_test_add_func("/memory/listener/nested-transactions",
                    test_nested_transactions);
    g_test_add_func("/memory/listener/two-address-spaces",
                    test_two_address_spaces);
    g_test_add_func("/memory/listener/section-copy", test_section_copy);
    g_test_add_func("/memory/listener/owner-dies-after-commit",
                    test_owner_dies_after_commit);
    g_test_add_func("/memory/listener/random-mirror", test_random_mirror);
    return g_test_run();
}
