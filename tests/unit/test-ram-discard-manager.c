/*
 * RamDiscardManager contract, exercised through a small test manager built
 * on the shared RamDiscardBitmap / RamDiscardListenerList helpers.
 */
#include "qemu/osdep.h"
#include <sys/mman.h>
#include "exec/memory.h"
#include "exec/ram-discard-manager.h"
#include "qapi/error.h"
#include "qom/object.h"

#define BLOCK (1 * MiB)
#define NB_BLOCKS 128
#define REGION_SIZE (NB_BLOCKS * BLOCK)
#define REGION_GPA (4 * GiB)

/* ---- the test manager ---- */

#define TYPE_TEST_RDM "test-ram-discard-manager"
OBJECT_DECLARE_SIMPLE_TYPE(TestRdm, TEST_RDM)

struct TestRdm {
    Object parent_obj;
    const MemoryRegion *mr;
    RamDiscardBitmap populated;
    RamDiscardListenerList listeners;
};

static uint64_t test_rdm_get_min_granularity(const RamDiscardManager *rdm,
                                             const MemoryRegion *mr)
{
    const TestRdm *t = TEST_RDM(rdm);

    g_assert(mr == t->mr);
    return t->populated.block_size;
}

static bool test_rdm_is_populated(const RamDiscardManager *rdm,
                                  const MemoryRegionSection *section)
{
    const TestRdm *t = TEST_RDM(rdm);

    g_assert(section->mr == t->mr);
    return ram_discard_bitmap_is_populated(&t->populated, section);
}

static int test_rdm_replay_populated(const RamDiscardManager *rdm,
                                     MemoryRegionSection *section,
                                     ReplayRamPopulate replay_fn, void *opaque)
{
    const TestRdm *t = TEST_RDM(rdm);

    return ram_discard_bitmap_replay_populated(&t->populated, section,
                                               replay_fn, opaque);
}

static int test_rdm_replay_discarded(const RamDiscardManager *rdm,
                                     MemoryRegionSection *section,
                                     ReplayRamDiscard replay_fn, void *opaque)
{
    const TestRdm *t = TEST_RDM(rdm);

    return ram_discard_bitmap_replay_discarded(&t->populated, section,
                                               replay_fn, opaque);
}

static void test_rdm_register_listener(RamDiscardManager *rdm,
                                       RamDiscardListener *rdl,
                                       MemoryRegionSection *section)
{
    TestRdm *t = TEST_RDM(rdm);

    g_assert(section->mr == t->mr);
    ram_discard_listener_list_add(&t->listeners, rdm, rdl, section);
}

static void test_rdm_unregister_listener(RamDiscardManager *rdm,
                                         RamDiscardListener *rdl)
{
    TestRdm *t = TEST_RDM(rdm);

    ram_discard_listener_list_remove(&t->listeners, rdm, rdl);
}

static void test_rdm_class_init(ObjectClass *oc, void *data)
{
    RamDiscardManagerClass *rdmc = RAM_DISCARD_MANAGER_CLASS(oc);

    rdmc->get_min_granularity = test_rdm_get_min_granularity;
    rdmc->is_populated = test_rdm_is_populated;
    rdmc->replay_populated = test_rdm_replay_populated;
    rdmc->replay_discarded = test_rdm_replay_discarded;
    rdmc->register_listener = test_rdm_register_listener;
    rdmc->unregister_listener = test_rdm_unregister_listener;
}

static void test_rdm_finalize(Object *obj)
{
    TestRdm *t = TEST_RDM(obj);

    ram_discard_listener_list_destroy(&t->listeners);
    ram_discard_bitmap_destroy(&t->populated);
}

static const TypeInfo test_rdm_info = {
    .name = TYPE_TEST_RDM,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(TestRdm),
    .instance_finalize = test_rdm_finalize,
    .class_init = test_rdm_class_init,
    .interfaces = (InterfaceInfo[]) {
        { TYPE_RAM_DISCARD_MANAGER },
        { }
    },
};

static TestRdm *test_rdm_new(const MemoryRegion *mr, uint64_t block_size)
{
    TestRdm *t = TEST_RDM(object_new(TYPE_TEST_RDM));

    t->mr = mr;
    ram_discard_bitmap_init(&t->populated, int128_get64(mr->size), block_size);
    ram_discard_listener_list_init(&t->listeners);
    return t;
}

/* Populate a discarded range, unless a listener vetoes. */
static int test_rdm_populate(TestRdm *t, uint64_t offset, uint64_t size)
{
    int ret;

    if (!ram_discard_bitmap_valid_range(&t->populated, offset, size) ||
        !ram_discard_bitmap_range_discarded(&t->populated, offset, size)) {
        return -EINVAL;
    }
    ret = ram_discard_listener_list_notify_populate(&t->listeners, t->mr,
                                                    offset, size);
    if (ret) {
        return ret;
    }
    ram_discard_bitmap_set_populated(&t->populated, offset, size);
    return 0;
}

/* Discard a populated range. */
static int test_rdm_discard(TestRdm *t, uint64_t offset, uint64_t size)
{
    if (!ram_discard_bitmap_valid_range(&t->populated, offset, size) ||
        !ram_discard_bitmap_range_populated(&t->populated, offset, size)) {
        return -EINVAL;
    }
    ram_discard_bitmap_set_discarded(&t->populated, offset, size);
    ram_discard_listener_list_notify_discard(&t->listeners, t->mr,
                                             offset, size);
    return 0;
}

static void test_rdm_discard_all(TestRdm *t)
{
    ram_discard_listener_list_notify_discard_all(&t->listeners,
                                                 RAM_DISCARD_MANAGER(t),
                                                 t->mr);
    ram_discard_bitmap_set_discarded(&t->populated, 0,
                                     int128_get64(t->mr->size));
}

/* ---- recording listeners ---- */

typedef struct Recorder {
    RamDiscardListener rdl;
    int id;
    int veto;           /* returned by notify_populate when non-zero */
    GString *log;       /* shared by all recorders of a test */
} Recorder;

static void log_section(GString *log, int id, const char *what,
                        const MemoryRegionSection *s)
{
    g_string_append_printf(log, "L%d %s 0x%" PRIx64 "+0x%" PRIx64
                           " gpa 0x%" PRIx64 "\n", id, what,
                           (uint64_t)s->offset_within_region,
                           int128_get64(s->size),
                           (uint64_t)s->offset_within_address_space);
}

static int recorder_populate(RamDiscardListener *rdl,
                             MemoryRegionSection *section)
{
    Recorder *r = container_of(rdl, Recorder, rdl);

    log_section(r->log, r->id, r->veto ? "populate-veto" : "populate",
                section);
    return r->veto;
}

static void recorder_discard(RamDiscardListener *rdl,
                             MemoryRegionSection *section)
{
    Recorder *r = container_of(rdl, Recorder, rdl);

    log_section(r->log, r->id, "discard", section);
}

static void recorder_init(Recorder *r, int id, GString *log,
                          bool double_discard_supported)
{
    memset(r, 0, sizeof(*r));
    r->id = id;
    r->log = log;
    ram_discard_listener_init(&r->rdl, recorder_populate, recorder_discard,
                              double_discard_supported);
}

/* ---- fixture: a sparse RAM region mapped at REGION_GPA ---- */

typedef struct Fixture {
    void *host;
    MemoryRegion root;
    MemoryRegion ram;
    AddressSpace as;
    TestRdm *rdm;
    GString *log;
} Fixture;

static void fixture_setup(Fixture *f)
{
    f->host = mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    g_assert(f->host != MAP_FAILED);

    memory_region_init(&f->root, NULL, "rdm-test-root", 16 * GiB);
    memory_region_init_ram_ptr(&f->ram, NULL, "sparse-ram", REGION_SIZE,
                               f->host);
    f->rdm = test_rdm_new(&f->ram, BLOCK);
    g_assert_cmpint(memory_region_set_ram_discard_manager(
                        &f->ram, RAM_DISCARD_MANAGER(f->rdm), &error_abort),
                    ==, 0);
    memory_region_add_subregion(&f->root, REGION_GPA, &f->ram);
    address_space_init(&f->as, &f->root, "rdm-test");
    f->log = g_string_new("");
}

static void fixture_teardown(Fixture *f)
{
    g_assert(ram_discard_listener_list_empty(&f->rdm->listeners));
    address_space_destroy(&f->as);
    memory_region_del_subregion(&f->root, &f->ram);
    memory_region_set_ram_discard_manager(&f->ram, NULL, &error_abort);
    object_unref(OBJECT(f->rdm));
    object_unref(OBJECT(&f->ram));
    object_unref(OBJECT(&f->root));
    munmap(f->host, REGION_SIZE);
    g_string_free(f->log, true);
}

/* A section of the region as the flat view would produce it. */
static MemoryRegionSection fixture_section(Fixture *f, uint64_t offset,
                                           uint64_t size)
{
    return (MemoryRegionSection) {
        .mr = &f->ram,
        .fv = NULL,
        .offset_within_region = offset,
        .offset_within_address_space = REGION_GPA + offset,
        .size = int128_make64(size),
    };
}

static RamDiscardManager *fixture_rdm(Fixture *f)
{
    return RAM_DISCARD_MANAGER(f->rdm);
}

/* Populate blocks [first, first + count) with no listener around. */
static void populate_blocks(Fixture *f, uint64_t first, uint64_t count)
{
    g_assert_cmpint(test_rdm_populate(f->rdm, first * BLOCK, count * BLOCK),
                    ==, 0);
}

/* ---- tests ---- */

static void test_granularity(void)
{
    Fixture f;

    fixture_setup(&f);
    g_assert_cmpuint(ram_discard_manager_get_min_granularity(fixture_rdm(&f),
                                                             &f.ram),
                     ==, BLOCK);
    g_assert(memory_region_get_ram_discard_manager(&f.ram) ==
             fixture_rdm(&f));
    fixture_teardown(&f);
}

static bool is_populated(Fixture *f, uint64_t offset, uint64_t size)
{
    MemoryRegionSection s = fixture_section(f, offset, size);

    return ram_discard_manager_is_populated(fixture_rdm(f), &s);
}

static void test_is_populated(void)
{
    Fixture f;

    fixture_setup(&f);
    g_assert_false(is_populated(&f, 0, REGION_SIZE));
    g_assert_false(is_populated(&f, 5 * BLOCK + 123, 1));

    populate_blocks(&f, 2, 3);     /* blocks 2..4 */
    populate_blocks(&f, 63, 2);    /* blocks 63..64: across a bitmap word */

    g_assert_true(is_populated(&f, 2 * BLOCK, 3 * BLOCK));
    g_assert_true(is_populated(&f, 2 * BLOCK + 4096, 2 * BLOCK + 17));
    g_assert_true(is_populated(&f, 4 * BLOCK + BLOCK - 1, 1));
    g_assert_true(is_populated(&f, 63 * BLOCK + 5, 2 * BLOCK - 10));
    /* Partially populated: one byte outside a populated run is enough. */
    g_assert_false(is_populated(&f, 2 * BLOCK - 1, 2));
    g_assert_false(is_populated(&f, 4 * BLOCK + BLOCK - 1, 2));
    g_assert_false(is_populated(&f, 2 * BLOCK, 63 * BLOCK));
    g_assert_false(is_populated(&f, 63 * BLOCK, 3 * BLOCK));
    g_assert_false(is_populated(&f, 0, REGION_SIZE));

    /* Everything populated. */
    populate_blocks(&f, 0, 2);
    populate_blocks(&f, 5, 58);
    populate_blocks(&f, 65, NB_BLOCKS - 65);
    g_assert_true(is_populated(&f, 0, REGION_SIZE));
    g_assert_true(is_populated(&f, 12345, REGION_SIZE - 12345 - 1));
    g_assert_cmpuint(ram_discard_bitmap_populated_size(&f.rdm->populated),
                     ==, REGION_SIZE);
    fixture_teardown(&f);
}

typedef struct ReplayLog {
    GString *log;
    int calls;
    int fail_at;        /* 1-based call that fails, 0: never */
} ReplayLog;

static int replay_record(MemoryRegionSection *section, void *opaque)
{
    ReplayLog *rl = opaque;

    rl->calls++;
    log_section(rl->log, 0, "run", section);
    return rl->calls == rl->fail_at ? -EIO : 0;
}

static void test_replay(void)
{
    Fixture f;
    MemoryRegionSection s;
    ReplayLog rl = { 0 };

    fixture_setup(&f);
    rl.log = f.log;
    populate_blocks(&f, 2, 3);
    populate_blocks(&f, 8, 1);
    populate_blocks(&f, 60, 10);

    /* Section [2.5 MiB, 64.5 MiB): runs clipped at both ends. */
    s = fixture_section(&f, 2 * BLOCK + BLOCK / 2, 62 * BLOCK);
    g_assert_cmpint(ram_discard_manager_replay_populated(fixture_rdm(&f), &s,
                                                         replay_record, &rl),
                    ==, 0);
    g_assert_cmpstr(f.log->str, ==,
                    "L0 run 0x280000+0x280000 gpa 0x100280000\n"
                    "L0 run 0x800000+0x100000 gpa 0x100800000\n"
                    "L0 run 0x3c00000+0x480000 gpa 0x103c00000\n");

    g_string_truncate(f.log, 0);
    g_assert_cmpint(ram_discard_manager_replay_discarded(fixture_rdm(&f), &s,
                                                         replay_record, &rl),
                    ==, 0);
    g_assert_cmpstr(f.log->str, ==,
                    "L0 run 0x500000+0x300000 gpa 0x100500000\n"
                    "L0 run 0x900000+0x3300000 gpa 0x100900000\n");

    /* The whole region. */
    g_string_truncate(f.log, 0);
    s = fixture_section(&f, 0, REGION_SIZE);
    g_assert_cmpint(ram_discard_manager_replay_discarded(fixture_rdm(&f), &s,
                                                         replay_record, &rl),
                    ==, 0);
    g_assert_cmpstr(f.log->str, ==,
                    "L0 run 0x0+0x200000 gpa 0x100000000\n"
                    "L0 run 0x500000+0x300000 gpa 0x100500000\n"
                    "L0 run 0x900000+0x3300000 gpa 0x100900000\n"
                    "L0 run 0x4600000+0x3a00000 gpa 0x104600000\n");

    /* Stop at the first error and return it. */
    g_string_truncate(f.log, 0);
    rl.calls = 0;
    rl.fail_at = 2;
    g_assert_cmpint(ram_discard_manager_replay_populated(fixture_rdm(&f), &s,
                                                         replay_record, &rl),
                    ==, -EIO);
    g_assert_cmpint(rl.calls, ==, 2);
    g_assert_cmpstr(f.log->str, ==,
                    "L0 run 0x200000+0x300000 gpa 0x100200000\n"
                    "L0 run 0x800000+0x100000 gpa 0x100800000\n");

    g_string_truncate(f.log, 0);
    rl.calls = 0;
    rl.fail_at = 1;
    g_assert_cmpint(ram_discard_manager_replay_discarded(fixture_rdm(&f), &s,
                                                         replay_record, &rl),
                    ==, -EIO);
    g_assert_cmpint(rl.calls, ==, 1);
    fixture_teardown(&f);
}

static void register_listener(Fixture *f, Recorder *r, uint64_t offset,
                              uint64_t size)
{
    MemoryRegionSection s = fixture_section(f, offset, size);

    ram_discard_manager_register_listener(fixture_rdm(f), &r->rdl, &s);
}

static void test_register_unregister(void)
{
    Fixture f;
    Recorder r1, r2;

    fixture_setup(&f);
    recorder_init(&r1, 1, f.log, false);
    recorder_init(&r2, 2, f.log, false);
    populate_blocks(&f, 2, 3);
    populate_blocks(&f, 8, 1);
    populate_blocks(&f, 20, 4);

    /* Listens to [3 MiB, 21.5 MiB): sees exactly the populated parts. */
    register_listener(&f, &r1, 3 * BLOCK, 18 * BLOCK + BLOCK / 2);
    g_assert_cmpstr(f.log->str, ==,
                    "L1 populate 0x300000+0x200000 gpa 0x100300000\n"
                    "L1 populate 0x800000+0x100000 gpa 0x100800000\n"
                    "L1 populate 0x1400000+0x180000 gpa 0x101400000\n");
    g_assert(r1.rdl.section && r1.rdl.section->mr == &f.ram);

    /* Nothing populated inside [10 MiB, 20 MiB): no call at all. */
    g_string_truncate(f.log, 0);
    register_listener(&f, &r2, 10 * BLOCK, 10 * BLOCK);
    g_assert_cmpstr(f.log->str, ==, "");

    /* Later changes reach a listener only inside its section. */
    g_assert_cmpint(test_rdm_populate(f.rdm, 12 * BLOCK, 2 * BLOCK), ==, 0);
    g_assert_cmpint(test_rdm_discard(f.rdm, 2 * BLOCK, 3 * BLOCK), ==, 0);
    g_assert_cmpstr(f.log->str, ==,
                    "L1 populate 0xc00000+0x200000 gpa 0x100c00000\n"
                    "L2 populate 0xc00000+0x200000 gpa 0x100c00000\n"
                    "L1 discard 0x300000+0x200000 gpa 0x100300000\n");

    /* Unregister: discard of every populated part first, then gone. */
    g_string_truncate(f.log, 0);
    ram_discard_manager_unregister_listener(fixture_rdm(&f), &r1.rdl);
    g_assert_cmpstr(f.log->str, ==,
                    "L1 discard 0x800000+0x100000 gpa 0x100800000\n"
                    "L1 discard 0xc00000+0x200000 gpa 0x100c00000\n"
                    "L1 discard 0x1400000+0x180000 gpa 0x101400000\n");
    g_assert_null(r1.rdl.section);

    g_string_truncate(f.log, 0);
    g_assert_cmpint(test_rdm_populate(f.rdm, 4 * BLOCK, BLOCK), ==, 0);
    g_assert_cmpint(test_rdm_discard(f.rdm, 12 * BLOCK, BLOCK), ==, 0);
    g_assert_cmpstr(f.log->str, ==,
                    "L2 discard 0xc00000+0x100000 gpa 0x100c00000\n");

    g_string_truncate(f.log, 0);
    ram_discard_manager_unregister_listener(fixture_rdm(&f), &r2.rdl);
    g_assert_cmpstr(f.log->str, ==,
                    "L2 discard 0xd00000+0x100000 gpa 0x100d00000\n");
    fixture_teardown(&f);
}

static void test_populate_veto(void)
{
    Fixture f;
    Recorder r1, r2, r3;

    fixture_setup(&f);
    recorder_init(&r1, 1, f.log, false);
    recorder_init(&r2, 2, f.log, false);
    recorder_init(&r3, 3, f.log, false);
    register_listener(&f, &r1, 0, REGION_SIZE);
    register_listener(&f, &r2, 0, REGION_SIZE);
    register_listener(&f, &r3, 0, REGION_SIZE);
    populate_blocks(&f, 0, 1);
    g_string_truncate(f.log, 0);

    r2.veto = -EBUSY;
    g_assert_cmpint(test_rdm_populate(f.rdm, 4 * BLOCK, 2 * BLOCK), ==,
                    -EBUSY);
    g_assert_cmpstr(f.log->str, ==,
                    "L1 populate 0x400000+0x200000 gpa 0x100400000\n"
                    "L2 populate-veto 0x400000+0x200000 gpa 0x100400000\n"
                    "L1 discard 0x400000+0x200000 gpa 0x100400000\n");
    /* The bitmap is unchanged. */
    g_assert_false(is_populated(&f, 4 * BLOCK, 1));
    g_assert_false(is_populated(&f, 5 * BLOCK, 1));
    g_assert_true(is_populated(&f, 0, BLOCK));
    g_assert_cmpuint(ram_discard_bitmap_populated_size(&f.rdm->populated),
                     ==, BLOCK);

    /* Once the veto is lifted, everybody hears about it. */
    g_string_truncate(f.log, 0);
    r2.veto = 0;
    g_assert_cmpint(test_rdm_populate(f.rdm, 4 * BLOCK, 2 * BLOCK), ==, 0);
    g_assert_cmpstr(f.log->str, ==,
                    "L1 populate 0x400000+0x200000 gpa 0x100400000\n"
                    "L2 populate 0x400000+0x200000 gpa 0x100400000\n"
                    "L3 populate 0x400000+0x200000 gpa 0x100400000\n");

    ram_discard_manager_unregister_listener(fixture_rdm(&f), &r1.rdl);
    ram_discard_manager_unregister_listener(fixture_rdm(&f), &r2.rdl);
    ram_discard_manager_unregister_listener(fixture_rdm(&f), &r3.rdl);
    fixture_teardown(&f);
}

/* A veto rolls back only listeners whose section saw the populate. */
static void test_populate_veto_partial_sections(void)
{
    Fixture f;
    Recorder r1, r2, r3;

    fixture_setup(&f);
    recorder_init(&r1, 1, f.log, false);
    recorder_init(&r2, 2, f.log, false);
    recorder_init(&r3, 3, f.log, false);
    register_listener(&f, &r1, 0, 5 * BLOCK);         /* overlaps */
    register_listener(&f, &r2, 10 * BLOCK, BLOCK);    /* does not */
    register_listener(&f, &r3, 5 * BLOCK, 5 * BLOCK); /* overlaps, vetoes */
    r3.veto = -ENOSPC;

    g_assert_cmpint(test_rdm_populate(f.rdm, 4 * BLOCK, 2 * BLOCK), ==,
                    -ENOSPC);
    g_assert_cmpstr(f.log->str, ==,
                    "L1 populate 0x400000+0x100000 gpa 0x100400000\n"
                    "L3 populate-veto 0x500000+0x100000 gpa 0x100500000\n"
                    "L1 discard 0x400000+0x100000 gpa 0x100400000\n");
    g_assert_cmpuint(ram_discard_bitmap_populated_size(&f.rdm->populated),
                     ==, 0);

    ram_discard_manager_unregister_listener(fixture_rdm(&f), &r1.rdl);
    ram_discard_manager_unregister_listener(fixture_rdm(&f), &r2.rdl);
    ram_discard_manager_unregister_listener(fixture_rdm(&f), &r3.rdl);
    fixture_teardown(&f);
}

static void test_mixed_granularity(void)
{
    Fixture f;
    Recorder r1;

    fixture_setup(&f);
    recorder_init(&r1, 1, f.log, false);
    register_listener(&f, &r1, 0, REGION_SIZE);

    g_assert_cmpint(test_rdm_populate(f.rdm, 4 * BLOCK, 2 * BLOCK), ==, 0);
    g_assert_cmpint(test_rdm_discard(f.rdm, 5 * BLOCK, BLOCK), ==, 0);
    g_assert_true(is_populated(&f, 4 * BLOCK, BLOCK));
    g_assert_false(is_populated(&f, 5 * BLOCK, 1));
    /* Neither can be redone: one is populated, the other discarded. */
    g_assert_cmpint(test_rdm_populate(f.rdm, 4 * BLOCK, BLOCK), ==, -EINVAL);
    g_assert_cmpint(test_rdm_discard(f.rdm, 5 * BLOCK, BLOCK), ==, -EINVAL);
    g_assert_cmpint(test_rdm_discard(f.rdm, 4 * BLOCK, BLOCK), ==, 0);
    g_assert_cmpstr(f.log->str, ==,
                    "L1 populate 0x400000+0x200000 gpa 0x100400000\n"
                    "L1 discard 0x500000+0x100000 gpa 0x100500000\n"
                    "L1 discard 0x400000+0x100000 gpa 0x100400000\n");

    ram_discard_manager_unregister_listener(fixture_rdm(&f), &r1.rdl);
    fixture_teardown(&f);
}

static void test_discard_all(void)
{
    Fixture f;
    Recorder r1, r2, r3;

    fixture_setup(&f);
    recorder_init(&r1, 1, f.log, true);
    recorder_init(&r2, 2, f.log, false);
    recorder_init(&r3, 3, f.log, true);
    populate_blocks(&f, 2, 3);
    populate_blocks(&f, 8, 1);
    register_listener(&f, &r1, 0, REGION_SIZE);
    register_listener(&f, &r2, 0, REGION_SIZE);
    register_listener(&f, &r3, 3 * BLOCK, 4 * BLOCK);
    g_string_truncate(f.log, 0);

    test_rdm_discard_all(f.rdm);
    g_assert_cmpstr(f.log->str, ==,
                    "L1 discard 0x0+0x8000000 gpa 0x100000000\n"
                    "L2 discard 0x200000+0x300000 gpa 0x100200000\n"
                    "L2 discard 0x800000+0x100000 gpa 0x100800000\n"
                    "L3 discard 0x300000+0x400000 gpa 0x100300000\n");
    g_assert_cmpuint(ram_discard_bitmap_populated_size(&f.rdm->populated),
                     ==, 0);

    /* Nothing populated any more: unregistering notifies nothing. */
    g_string_truncate(f.log, 0);
    ram_discard_manager_unregister_listener(fixture_rdm(&f), &r1.rdl);
    ram_discard_manager_unregister_listener(fixture_rdm(&f), &r2.rdl);
    ram_discard_manager_unregister_listener(fixture_rdm(&f), &r3.rdl);
    g_assert_cmpstr(f.log->str, ==, "");
    fixture_teardown(&f);
}

/* ---- memory_region_set_ram_discard_manager() ---- */

static void assert_set_manager_error(MemoryRegion *mr, RamDiscardManager *rdm,
                                     int expected_ret, const char *message)
{
    Error *err = NULL;

    g_assert_cmpint(memory_region_set_ram_discard_manager(mr, rdm, &err), ==,
                    expected_ret);
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, message);
    error_free(err);
}

static void test_set_manager_refused(void)
{
    Fixture f;
    MemoryRegion ram2, alias, container;
    void *host2;
    TestRdm *rdm2;

    fixture_setup(&f);
    host2 = mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    g_assert(host2 != MAP_FAILED);
    memory_region_init_ram_ptr(&ram2, NULL, "sparse-ram-2", REGION_SIZE,
                               host2);
    rdm2 = test_rdm_new(&ram2, BLOCK);

    /* Mapped: neither replacing nor clearing the manager is allowed. */
    assert_set_manager_error(&f.ram, RAM_DISCARD_MANAGER(rdm2), -EBUSY,
                             "memory region 'sparse-ram' is mapped: cannot "
                             "change its RamDiscardManager");
    assert_set_manager_error(&f.ram, NULL, -EBUSY,
                             "memory region 'sparse-ram' is mapped: cannot "
                             "change its RamDiscardManager");
    g_assert(memory_region_get_ram_discard_manager(&f.ram) ==
             fixture_rdm(&f));

    /* Not RAM. */
    assert_set_manager_error(&f.root, RAM_DISCARD_MANAGER(rdm2), -EINVAL,
                             "memory region 'rdm-test-root' is not RAM: "
                             "cannot set a RamDiscardManager");

    /* Mapped directly. */
    memory_region_add_subregion(&f.root, 8 * GiB, &ram2);
    assert_set_manager_error(&ram2, RAM_DISCARD_MANAGER(rdm2), -EBUSY,
                             "memory region 'sparse-ram-2' is mapped: cannot "
                             "change its RamDiscardManager");
    g_assert_null(memory_region_get_ram_discard_manager(&ram2));
    memory_region_del_subregion(&f.root, &ram2);

    /* Mapped only through an alias inside a container. */
    memory_region_init(&container, NULL, "container", 4 * GiB);
    memory_region_init_alias(&alias, NULL, "alias", &ram2, BLOCK, BLOCK);
    memory_region_add_subregion(&container, 0, &alias);
    memory_region_add_subregion(&f.root, 8 * GiB, &container);
    assert_set_manager_error(&ram2, RAM_DISCARD_MANAGER(rdm2), -EBUSY,
                             "memory region 'sparse-ram-2' is mapped: cannot "
                             "change its RamDiscardManager");
    g_assert_null(memory_region_get_ram_discard_manager(&ram2));
    memory_region_del_subregion(&f.root, &container);
    /* As in QEMU, an alias counts while it sits in any container. */
    assert_set_manager_error(&ram2, RAM_DISCARD_MANAGER(rdm2), -EBUSY,
                             "memory region 'sparse-ram-2' is mapped: cannot "
                             "change its RamDiscardManager");
    memory_region_del_subregion(&container, &alias);

    /* Unmapped again: accepted once, then refused: already set. */
    g_assert_cmpint(memory_region_set_ram_discard_manager(
                        &ram2, RAM_DISCARD_MANAGER(rdm2), &error_abort),
                    ==, 0);
    g_assert(memory_region_get_ram_discard_manager(&ram2) ==
             RAM_DISCARD_MANAGER(rdm2));
    assert_set_manager_error(&ram2, fixture_rdm(&f), -EBUSY,
                             "memory region 'sparse-ram-2' already has a "
                             "RamDiscardManager");
    assert_set_manager_error(&ram2, RAM_DISCARD_MANAGER(rdm2), -EBUSY,
                             "memory region 'sparse-ram-2' already has a "
                             "RamDiscardManager");
    g_assert(memory_region_get_ram_discard_manager(&ram2) ==
             RAM_DISCARD_MANAGER(rdm2));

    /* Clearing an unmapped region's manager is allowed. */
    g_assert_cmpint(memory_region_set_ram_discard_manager(&ram2, NULL,
                                                          &error_abort),
                    ==, 0);
    g_assert_null(memory_region_get_ram_discard_manager(&ram2));

    object_unref(OBJECT(&alias));
    object_unref(OBJECT(&container));
    object_unref(OBJECT(&ram2));
    object_unref(OBJECT(rdm2));
    munmap(host2, REGION_SIZE);
    fixture_teardown(&f);
}

/* ---- end to end: a VFIO-like DMA mapper behind unmergeable memslots ---- */

#define MEMSLOT_SIZE (32 * BLOCK)
#define NR_MEMSLOTS (NB_BLOCKS * BLOCK / MEMSLOT_SIZE)

/*
 * Like VFIO: a memory listener that, for sections of regions with a
 * RamDiscardManager, DMA-maps only the populated parts, following them
 * through a RamDiscardListener per section.
 */
typedef struct DmaMapper {
    MemoryListener listener;
    GPtrArray *sections;        /* of DmaSection */
    GHashTable *mapped_blocks;  /* guest-physical address of each block */
    GString *log;
} DmaMapper;

typedef struct DmaSection {
    RamDiscardListener rdl;
    DmaMapper *mapper;
} DmaSection;

static int dma_map(RamDiscardListener *rdl, MemoryRegionSection *section)
{
    DmaMapper *mapper = container_of(rdl, DmaSection, rdl)->mapper;
    uint64_t gpa = section->offset_within_address_space;
    uint64_t end = gpa + int128_get64(section->size);

    g_string_append_printf(mapper->log, "map 0x%" PRIx64 "+0x%" PRIx64 "\n",
                           gpa, end - gpa);
    for (; gpa < end; gpa += BLOCK) {
        /* Never mapped twice. */
        g_assert_true(g_hash_table_add(mapper->mapped_blocks,
                                       g_memdup2(&gpa, sizeof(gpa))));
    }
    return 0;
}

static void dma_unmap(RamDiscardListener *rdl, MemoryRegionSection *section)
{
    DmaMapper *mapper = container_of(rdl, DmaSection, rdl)->mapper;
    uint64_t gpa = section->offset_within_address_space;
    uint64_t end = gpa + int128_get64(section->size);

    g_string_append_printf(mapper->log, "unmap 0x%" PRIx64 "+0x%" PRIx64
                           "\n", gpa, end - gpa);
    for (; gpa < end; gpa += BLOCK) {
        /* Without double discard support, only mapped blocks come back. */
        g_assert_true(g_hash_table_remove(mapper->mapped_blocks, &gpa));
    }
}

static void dma_region_add(MemoryListener *listener,
                           MemoryRegionSection *section)
{
    DmaMapper *mapper = container_of(listener, DmaMapper, listener);
    RamDiscardManager *rdm;
    DmaSection *ds;

    rdm = memory_region_get_ram_discard_manager(section->mr);
    g_assert_nonnull(rdm);
    ds = g_new0(DmaSection, 1);
    ds->mapper = mapper;
    ram_discard_listener_init(&ds->rdl, dma_map, dma_unmap, false);
    g_ptr_array_add(mapper->sections, ds);
    ram_discard_manager_register_listener(rdm, &ds->rdl, section);
}

static void dma_region_del(MemoryListener *listener,
                           MemoryRegionSection *section)
{
    DmaMapper *mapper = container_of(listener, DmaMapper, listener);
    guint i;

    for (i = 0; i < mapper->sections->len; i++) {
        DmaSection *ds = g_ptr_array_index(mapper->sections, i);
        MemoryRegionSection *s = ds->rdl.section;

        if (s->mr == section->mr &&
            s->offset_within_address_space ==
            section->offset_within_address_space &&
            int128_eq(s->size, section->size)) {
            ram_discard_manager_unregister_listener(
                memory_region_get_ram_discard_manager(section->mr),
                &ds->rdl);
            g_ptr_array_remove_index(mapper->sections, i);
            g_free(ds);
            return;
        }
    }
    g_assert_not_reached();
}

static gint compare_u64_ptrs(gconstpointer a, gconstpointer b)
{
    uint64_t ua = *(const uint64_t *)a, ub = *(const uint64_t *)b;

    return (ua > ub) - (ua < ub);
}

/* The mapped guest-physical blocks, as "0x..,0x.." in ascending order. */
static char *dma_mapped_blocks(DmaMapper *mapper)
{
    g_autoptr(GList) keys = g_hash_table_get_keys(mapper->mapped_blocks);
    GString *s = g_string_new("");
    GList *l;

    keys = g_list_sort(keys, compare_u64_ptrs);
    for (l = keys; l; l = l->next) {
        g_string_append_printf(s, "%s0x%" PRIx64, s->len ? "," : "",
                               *(uint64_t *)l->data);
    }
    return g_string_free(s, false);
}

static void memslots_map(MemoryRegion *container, MemoryRegion *slots,
                         unsigned i)
{
    memory_region_add_subregion(container, i * MEMSLOT_SIZE, &slots[i]);
}

static void assert_mapped(DmaMapper *mapper, const char *expected)
{
    g_autofree char *mapped = dma_mapped_blocks(mapper);

    g_assert_cmpstr(mapped, ==, expected);
}

static void assert_log(DmaMapper *mapper, const char *expected)
{
    g_assert_cmpstr(mapper->log->str, ==, expected);
    g_string_truncate(mapper->log, 0);
}

static void test_dma_mapper_memslots(void)
{
    Fixture f;
    MemoryRegion container, slots[NR_MEMSLOTS];
    DmaMapper mapper = {
        .listener = {
            .name = "dma-mapper",
            .region_add = dma_region_add,
            .region_del = dma_region_del,
        },
    };
    unsigned i;

    fixture_setup(&f);
    /* The region is reached through memslot aliases, not mapped directly. */
    memory_region_del_subregion(&f.root, &f.ram);
    memory_region_init(&container, NULL, "memslots", REGION_SIZE);
    for (i = 0; i < NR_MEMSLOTS; i++) {
        g_autofree char *name = g_strdup_printf("memslot-%u", i);

        memory_region_init_alias(&slots[i], NULL, name, &f.ram,
                                 i * MEMSLOT_SIZE, MEMSLOT_SIZE);
        memory_region_set_unmergeable(&slots[i], true);
    }
    memory_region_add_subregion(&f.root, REGION_GPA, &container);
    mapper.sections = g_ptr_array_new();
    mapper.mapped_blocks = g_hash_table_new_full(g_int64_hash,
                                                 g_int64_equal, g_free, NULL);
    mapper.log = g_string_new("");

    populate_blocks(&f, 0, 2);
    populate_blocks(&f, 30, 4);        /* across memslots 0 and 1 */
    memory_region_transaction_begin();
    memslots_map(&container, slots, 0);
    memslots_map(&container, slots, 1);
    memory_region_transaction_commit();

    memory_listener_register(&mapper.listener, &f.as);
    assert_log(&mapper,
               "map 0x100000000+0x200000\n"
               "map 0x101e00000+0x200000\n"
               "map 0x102000000+0x200000\n");
    assert_mapped(&mapper, "0x100000000,0x100100000,0x101e00000,0x101f00000,"
                  "0x102000000,0x102100000");

    /* Across memslot 1 (mapped) and 2 (not): only memslot 1 sees it. */
    g_assert_cmpint(test_rdm_populate(f.rdm, 62 * BLOCK, 4 * BLOCK), ==, 0);
    assert_log(&mapper, "map 0x103e00000+0x200000\n");

    /* Mapping memslot 2 maps its populated part. */
    memslots_map(&container, slots, 2);
    assert_log(&mapper, "map 0x104000000+0x200000\n");

    g_assert_cmpint(test_rdm_discard(f.rdm, 30 * BLOCK, 4 * BLOCK), ==, 0);
    assert_log(&mapper,
               "unmap 0x101e00000+0x200000\n"
               "unmap 0x102000000+0x200000\n");

    /* Unmapping memslot 1 unmaps what was populated in it. */
    memory_region_del_subregion(&container, &slots[1]);
    assert_log(&mapper, "unmap 0x103e00000+0x200000\n");
    assert_mapped(&mapper, "0x100000000,0x100100000,0x104000000,0x104100000");

    memory_listener_unregister(&mapper.listener);
    assert_log(&mapper,
               "unmap 0x100000000+0x200000\n"
               "unmap 0x104000000+0x200000\n");
    assert_mapped(&mapper, "");
    g_assert_cmpuint(mapper.sections->len, ==, 0);
    g_assert_true(ram_discard_listener_list_empty(&f.rdm->listeners));

    memory_region_transaction_begin();
    memory_region_del_subregion(&container, &slots[0]);
    memory_region_del_subregion(&container, &slots[2]);
    memory_region_del_subregion(&f.root, &container);
    memory_region_transaction_commit();
    for (i = 0; i < NR_MEMSLOTS; i++) {
        object_unref(OBJECT(&slots[i]));
    }
    object_unref(OBJECT(&container));
    /* fixture_teardown() unmaps the region itself: map it back. */
    memory_region_add_subregion(&f.root, REGION_GPA, &f.ram);
    g_ptr_array_unref(mapper.sections);
    g_hash_table_unref(mapper.mapped_blocks);
    g_string_free(mapper.log, true);
    fixture_teardown(&f);
}

/* ---- bitmap helper corner cases ---- */

static void test_bitmap_valid_range(void)
{
    RamDiscardBitmap bm;

    ram_discard_bitmap_init(&bm, 130 * BLOCK, BLOCK);
    g_assert_true(ram_discard_bitmap_valid_range(&bm, 0, 130 * BLOCK));
    g_assert_true(ram_discard_bitmap_valid_range(&bm, 129 * BLOCK, BLOCK));
    g_assert_false(ram_discard_bitmap_valid_range(&bm, 129 * BLOCK,
                                                  2 * BLOCK));
    g_assert_false(ram_discard_bitmap_valid_range(&bm, 4096, BLOCK));
    g_assert_false(ram_discard_bitmap_valid_range(&bm, 0, BLOCK + 1));
    g_assert_false(ram_discard_bitmap_valid_range(&bm, UINT64_MAX - BLOCK + 1,
                                                  2 * BLOCK));

    /* Setting and clearing across word boundaries. */
    ram_discard_bitmap_set_populated(&bm, 60 * BLOCK, 70 * BLOCK);
    g_assert_cmpuint(ram_discard_bitmap_populated_size(&bm), ==, 70 * BLOCK);
    g_assert_true(ram_discard_bitmap_range_populated(&bm, 60 * BLOCK,
                                                     70 * BLOCK));
    ram_discard_bitmap_set_discarded(&bm, 63 * BLOCK, 66 * BLOCK);
    g_assert_cmpuint(ram_discard_bitmap_populated_size(&bm), ==, 4 * BLOCK);
    g_assert_true(ram_discard_bitmap_range_discarded(&bm, 63 * BLOCK,
                                                     66 * BLOCK));
    g_assert_true(ram_discard_bitmap_range_populated(&bm, 129 * BLOCK,
                                                     BLOCK));
    g_assert_false(ram_discard_bitmap_range_populated(&bm, 128 * BLOCK,
                                                      BLOCK + 1));
    ram_discard_bitmap_destroy(&bm);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    type_register_static(&test_rdm_info);

    g_test_add_func("/ram-discard-manager/granularity", test_granularity);
    g_test_add_func("/ram-discard-manager/is-populated", test_is_populated);
    g_test_add_func("/ram-discard-manager/replay", test_replay);
    g_test_add_func("/ram-discard-manager/register-unregister",
                    test_register_unregister);
    g_test_add_func("/ram-discard-manager/populate-veto",
                    test_populate_veto);
    g_test_add_func("/ram-discard-manager/populate-veto-partial-sections",
                    test_populate_veto_partial_sections);
    g_test_add_func("/ram-discard-manager/mixed-granularity",
                    test_mixed_granularity);
    g_test_add_func("/ram-discard-manager/discard-all", test_discard_all);
    g_test_add_func("/ram-discard-manager/set-manager-refused",
                    test_set_manager_refused);
    g_test_add_func("/ram-discard-manager/bitmap", test_bitmap_valid_range);
    g_test_add_func("/ram-discard-manager/dma-mapper-memslots",
                    test_dma_mapper_memslots);
    return g_test_run();
}
