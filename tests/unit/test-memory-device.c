/*
 * Memory device memslot accounting, and the vhost backend registry it
 * asks: reservations at plug time, the listener counting memslots really
 * mapped in device memory, the limit a device deciding for itself gets,
 * and the refusals (the cap of all memory devices, a vhost backend with
 * too few free memslots).  A fake memory device maps RAM aliases (one
 * memslot each) into its region; a fake vhost backend reports a limit.
 */
#include "qemu/osdep.h"
#include "exec/address-spaces.h"
#include "exec/memory.h"
#include "hw/boards.h"
#include "hw/mem/memory-device.h"
#include "hw/qdev-core.h"
#include "hw/virtio/vhost.h"
#include "qapi/error.h"

#define TYPE_TEST_MD_MACHINE MACHINE_TYPE_NAME("test-md")
#define TYPE_TEST_MD "test-memory-device"

#define DEVMEM_BASE (4 * GiB)
#define DEVMEM_SIZE (1024 * GiB)
#define SLOT_RAM_SIZE (2 * MiB)
/* Memslots of other consumers (outside device memory) start here. */
#define OTHER_BASE (256 * MiB)

/* ---- a fake memory device ---- */

typedef struct TestMD {
    DeviceState parent_obj;
    uint64_t addr;
    MemoryRegion container;
    MemoryRegion ram;           /* what every memslot alias maps */
    MemoryRegion *slots;        /* nb_slots aliases, mapped */
    unsigned int nb_slots;
    unsigned int memslots;      /* what get_memslots() reports */
    bool decides;               /* implements decide_memslots */
    unsigned int limit;         /* the limit decide_memslots got */
} TestMD;

#define TEST_MD(obj) ((TestMD *)(obj))

static uint64_t test_md_get_addr(const MemoryDeviceState *md)
{
    return TEST_MD(md)->addr;
}

static void test_md_set_addr(MemoryDeviceState *md, uint64_t addr,
                             Error **errp)
{
    TEST_MD(md)->addr = addr;
}

static uint64_t test_md_get_plugged_size(const MemoryDeviceState *md,
                                         Error **errp)
{
    return 0;
}

static MemoryRegion *test_md_get_memory_region(MemoryDeviceState *md,
                                               Error **errp)
{
    return &TEST_MD(md)->container;
}

static unsigned int test_md_get_memslots(MemoryDeviceState *md)
{
    return TEST_MD(md)->memslots;
}

/* A deciding device takes all it may. */
static void test_md_decide_memslots(MemoryDeviceState *md,
                                    unsigned int limit)
{
    TestMD *t = TEST_MD(md);

    if (t->decides) {
        t->limit = limit;
        t->memslots = limit;
    }
}

static void test_md_fill_device_info(const MemoryDeviceState *md,
                                     MemoryDeviceInfo *info)
{
    info->type = g_strdup("test");
    info->data = json_object_new();
}

static void test_md_finalize(Object *obj)
{
    g_free(TEST_MD(obj)->slots);
}

static void test_md_class_init(ObjectClass *oc, void *data)
{
    MemoryDeviceClass *mdc = MEMORY_DEVICE_CLASS(oc);

    mdc->get_addr = test_md_get_addr;
    mdc->set_addr = test_md_set_addr;
    mdc->get_plugged_size = test_md_get_plugged_size;
    mdc->get_memory_region = test_md_get_memory_region;
    mdc->get_memslots = test_md_get_memslots;
    mdc->decide_memslots = test_md_decide_memslots;
    mdc->fill_device_info = test_md_fill_device_info;
}

static const TypeInfo test_types[] = {
    {
        .name = TYPE_TEST_MD_MACHINE,
        .parent = TYPE_MACHINE,
        .instance_size = sizeof(MachineState),
    }, {
        .name = TYPE_TEST_MD,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(TestMD),
        .instance_finalize = test_md_finalize,
        .class_init = test_md_class_init,
        .interfaces = (InterfaceInfo[]) {
            { TYPE_MEMORY_DEVICE },
            { }
        },
    },
};

DEFINE_TYPES(test_types)

static unsigned int md_counter;

/* A device of @size reporting @memslots (or deciding, if @decides). */
static TestMD *test_md_new(uint64_t size, unsigned int memslots,
                           bool decides)
{
    TestMD *t = TEST_MD(object_new(TYPE_TEST_MD));
    g_autofree char *ram_name = g_strdup_printf("test-md-ram-%u",
                                                md_counter++);

    t->memslots = memslots;
    t->decides = decides;
    memory_region_init(&t->container, OBJECT(t), "test-md", size);
    memory_region_init_ram(&t->ram, OBJECT(t), ram_name, SLOT_RAM_SIZE,
                           &error_abort);
    return t;
}

/* Map @n memslots (RAM aliases, 4 MiB apart) into the device's region. */
static void test_md_map_slots(TestMD *t, unsigned int n)
{
    g_assert_null(t->slots);
    t->slots = g_new0(MemoryRegion, n);
    t->nb_slots = n;
    memory_region_transaction_begin();
    for (unsigned int i = 0; i < n; i++) {
        memory_region_init_alias(&t->slots[i], OBJECT(t), "test-md-slot",
                                 &t->ram, 0, SLOT_RAM_SIZE);
        memory_region_add_subregion(&t->container, i * 4 * MiB,
                                    &t->slots[i]);
    }
    memory_region_transaction_commit();
}

static void test_md_unmap_slots(TestMD *t)
{
    memory_region_transaction_begin();
    for (unsigned int i = 0; i < t->nb_slots; i++) {
        memory_region_del_subregion(&t->container, &t->slots[i]);
    }
    memory_region_transaction_commit();
    for (unsigned int i = 0; i < t->nb_slots; i++) {
        object_unparent(OBJECT(&t->slots[i]));
    }
    g_clear_pointer(&t->slots, g_free);
    t->nb_slots = 0;
}

static MachineState *ms;

static bool test_md_try_plug(TestMD *t, Error **errp)
{
    Error *local_err = NULL;

    memory_device_pre_plug(MEMORY_DEVICE(t), ms, &local_err);
    if (local_err) {
        error_propagate(errp, local_err);
        return false;
    }
    memory_device_plug(MEMORY_DEVICE(t), ms);
    return true;
}

static void test_md_plug(TestMD *t)
{
    Error *err = NULL;

    g_assert_true(test_md_try_plug(t, &err));
    g_assert_null(err);
}

/* Expect @t to be refused with exactly @msg. */
static void test_md_plug_fails(TestMD *t, const char *msg)
{
    Error *err = NULL;

    g_assert_false(test_md_try_plug(t, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_md_unplug_free(TestMD *t)
{
    if (t->nb_slots) {
        test_md_unmap_slots(t);
    }
    memory_device_unplug(MEMORY_DEVICE(t), ms);
    object_unref(OBJECT(t));
}

static unsigned int required(void)
{
    return ms->device_memory->required_memslots;
}

static unsigned int used(void)
{
    return ms->device_memory->used_memslots;
}

/* ---- other memslot consumers (outside device memory) ---- */

static MemoryRegion other_ram;
static MemoryRegion *other_slots;
static unsigned int nb_other_slots;

static void other_map(unsigned int n)
{
    other_slots = g_new0(MemoryRegion, n);
    nb_other_slots = n;
    memory_region_transaction_begin();
    for (unsigned int i = 0; i < n; i++) {
        memory_region_init_alias(&other_slots[i], NULL, "other-slot",
                                 &other_ram, 0, SLOT_RAM_SIZE);
        memory_region_add_subregion(get_system_memory(),
                                    OTHER_BASE + i * 4 * MiB,
                                    &other_slots[i]);
    }
    memory_region_transaction_commit();
}

static void other_unmap(void)
{
    memory_region_transaction_begin();
    for (unsigned int i = 0; i < nb_other_slots; i++) {
        memory_region_del_subregion(get_system_memory(), &other_slots[i]);
    }
    memory_region_transaction_commit();
    for (unsigned int i = 0; i < nb_other_slots; i++) {
        object_unref(OBJECT(&other_slots[i]));
    }
    g_clear_pointer(&other_slots, g_free);
    nb_other_slots = 0;
}

/* ---- a fake vhost backend ---- */

typedef struct FakeBackend {
    struct vhost_dev dev;
    unsigned int limit;
    bool skip_other;    /* does not map the "other-slot" memory */
} FakeBackend;

static unsigned int fake_memslots_limit(struct vhost_dev *dev)
{
    return ((FakeBackend *)dev->opaque)->limit;
}

static bool fake_section_filter(struct vhost_dev *dev,
                                MemoryRegionSection *section)
{
    FakeBackend *fb = dev->opaque;

    return !(fb->skip_other && section->mr == &other_ram);
}

static const VhostOps fake_ops = {
    .vhost_backend_memslots_limit = fake_memslots_limit,
    .vhost_backend_mem_section_filter = fake_section_filter,
};

static void fake_register(FakeBackend *fb)
{
    g_assert_true(vhost_dev_init(&fb->dev, &fake_ops, fb, &error_abort));
}

/* Give @fb exactly @free free memslots given what it maps now. */
static void fake_set_free(FakeBackend *fb, unsigned int free)
{
    fb->limit = vhost_dev_get_used_memslots(&fb->dev) + free;
}

/* ---- tests ---- */

/* Plugging reserves, the listener counts what is mapped, unplug frees. */
static void test_required_and_used(void)
{
    TestMD *a = test_md_new(8 * GiB, 10, false);
    TestMD *b = test_md_new(8 * GiB, 1, false);

    test_md_plug(a);
    g_assert_cmpuint(required(), ==, 10);
    g_assert_cmpuint(used(), ==, 0);
    g_assert_cmpuint(memory_devices_get_reserved_memslots(), ==, 10);

    test_md_map_slots(a, 3);
    g_assert_cmpuint(used(), ==, 3);
    g_assert_cmpuint(memory_devices_get_reserved_memslots(), ==, 7);

    /* memslots outside device memory are not the memory devices' */
    other_map(5);
    g_assert_cmpuint(used(), ==, 3);
    other_unmap();

    test_md_plug(b);
    g_assert_cmpuint(required(), ==, 11);
    g_assert_cmpuint(memory_devices_get_reserved_memslots(), ==, 8);

    test_md_unplug_free(a);
    g_assert_cmpuint(required(), ==, 1);
    g_assert_cmpuint(used(), ==, 0);
    test_md_unplug_free(b);
    g_assert_cmpuint(required(), ==, 0);
    g_assert_cmpuint(memory_devices_get_reserved_memslots(), ==, 0);
}

/* The soft limit of 256 is shared by the space devices take. */
static void test_decision_limit(void)
{
    TestMD *a = test_md_new(768 * GiB, 0, true);
    TestMD *b = test_md_new(256 * GiB, 0, true);
    TestMD *fixed = test_md_new(8 * GiB, 250, false);
    TestMD *c;

    /* 768 of 1024 GiB: 3/4 of 256 */
    test_md_plug(a);
    g_assert_cmpuint(a->limit, ==, 192);
    g_assert_cmpuint(required(), ==, 192);
    /* the rest of the space: the rest of the soft limit */
    test_md_plug(b);
    g_assert_cmpuint(b->limit, ==, 64);
    test_md_unplug_free(b);
    test_md_unplug_free(a);

    /* a device taking all the space gets all 256 */
    c = test_md_new(DEVMEM_SIZE, 0, true);
    test_md_plug(c);
    g_assert_cmpuint(c->limit, ==, 256);
    test_md_unplug_free(c);

    /* fixed devices eat into the soft limit; at least 1 remains */
    test_md_plug(fixed);
    c = test_md_new(16 * GiB, 0, true);
    test_md_plug(c);
    g_assert_cmpuint(c->limit, ==, 1);      /* 6 * 16 / 1016 < 1 */
    test_md_unplug_free(c);
    c = test_md_new(DEVMEM_SIZE - 8 * GiB, 0, true);
    test_md_plug(c);
    g_assert_cmpuint(c->limit, ==, 6);
    g_assert_cmpuint(required(), ==, 256);
    test_md_unplug_free(c);
    test_md_unplug_free(fixed);
    g_assert_cmpuint(required(), ==, 0);
}

/* All memory devices together: 2048 memslots at most. */
static void test_total_cap(void)
{
    TestMD *a = test_md_new(1 * GiB, 1024, false);
    TestMD *b = test_md_new(1 * GiB, 1000, false);
    TestMD *c = test_md_new(1 * GiB, 1024, false);
    TestMD *d = test_md_new(1 * GiB, 24, false);

    test_md_plug(a);
    test_md_plug(b);
    test_md_plug_fails(c, "memory devices already use 2024 memory slots, "
                       "1024 more would exceed the maximum of 2048");
    test_md_plug(d);
    g_assert_cmpuint(required(), ==, 2048);
    /* unplugging releases the reservation */
    test_md_unplug_free(a);
    g_assert_cmpuint(required(), ==, 1024);
    test_md_plug(c);
    g_assert_cmpuint(required(), ==, 2048);
    test_md_unplug_free(b);
    test_md_unplug_free(c);
    test_md_unplug_free(d);
    g_assert_cmpuint(required(), ==, 0);
}

/* The registry: free = min(limit - used), UINT_MAX without backends. */
static void test_vhost_registry(void)
{
    FakeBackend fb1 = { .limit = 1000 }, fb2 = { .limit = 600 };
    unsigned int base;

    g_assert_cmpuint(vhost_get_free_memslots(), ==, UINT_MAX);
    g_assert_cmpuint(vhost_get_max_memslots(), ==, UINT_MAX);

    fake_register(&fb1);
    base = vhost_dev_get_used_memslots(&fb1.dev);
    g_assert_cmpuint(vhost_get_free_memslots(), ==, 1000 - base);
    g_assert_cmpuint(vhost_get_max_memslots(), ==, 1000);

    /* each RAM section mapped is one memslot more in use */
    other_map(7);
    g_assert_cmpuint(vhost_dev_get_used_memslots(&fb1.dev), ==, base + 7);
    g_assert_cmpuint(vhost_get_free_memslots(), ==, 1000 - base - 7);

    /* registering counts what is mapped already; a filter skips some */
    fb2.skip_other = true;
    fake_register(&fb2);
    g_assert_cmpuint(vhost_dev_get_used_memslots(&fb2.dev), ==, base);
    g_assert_cmpuint(vhost_get_free_memslots(), ==, 600 - base);
    g_assert_cmpuint(vhost_get_max_memslots(), ==, 600);

    other_unmap();
    g_assert_cmpuint(vhost_dev_get_used_memslots(&fb1.dev), ==, base);
    vhost_dev_cleanup(&fb2.dev);
    g_assert_cmpuint(vhost_get_max_memslots(), ==, 1000);
    vhost_dev_cleanup(&fb1.dev);
    vhost_dev_cleanup(&fb1.dev);    /* no-op */
    g_assert_cmpuint(vhost_get_free_memslots(), ==, UINT_MAX);
}

/* A backend with too few free memslots refuses devices. */
static void test_vhost_limit(void)
{
    FakeBackend fb = { .limit = 1000 };
    FakeBackend small = { 0 };
    TestMD *a = test_md_new(64 * GiB, 64, false);
    TestMD *b = test_md_new(64 * GiB, 20, false);
    TestMD *c = test_md_new(64 * GiB, 16, false);
    TestMD *dyn;
    Error *err = NULL;

    fake_register(&fb);
    fake_set_free(&fb, 32);
    test_md_plug_fails(a, "a used vhost backend has only 32 free memory "
                       "slots, but 64 are required");
    g_assert_cmpuint(required(), ==, 0);

    /* b reserves 20 the backend still counts as free */
    test_md_plug(b);
    test_md_plug_fails(c, "a used vhost backend has only 12 free memory "
                       "slots, but 16 are required");
    /* the same once b maps half of its memslots */
    test_md_map_slots(b, 10);
    g_assert_cmpuint(vhost_get_free_memslots(), ==, 22);
    test_md_plug_fails(c, "a used vhost backend has only 12 free memory "
                       "slots, but 16 are required");
    c->memslots = 12;
    test_md_plug(c);

    /* a new backend must hold what is used and reserved */
    small.limit = vhost_dev_get_used_memslots(&fb.dev) + 10;
    g_assert_false(vhost_dev_init(&small.dev, &fake_ops, &small, &err));
    g_assert_nonnull(err);
    {
        g_autofree char *msg = g_strdup_printf(
            "vhost backend memory slots limit (%u) is less than current "
            "number of used (%u) and reserved (22) memory slots for memory "
            "devices", small.limit, vhost_dev_get_used_memslots(&fb.dev));

        g_assert_cmpstr(error_get_pretty(err), ==, msg);
    }
    error_free(err);
    g_assert_false(small.dev.registered);

    /* fewer than 509 memslots overall: a deciding device gets one */
    fake_set_free(&fb, 200);
    g_assert_cmpuint(fb.limit, <, MEMORY_DEVICES_SAFE_MAX_MEMSLOTS);
    dyn = test_md_new(64 * GiB, 0, true);
    test_md_plug(dyn);
    g_assert_cmpuint(dyn->limit, ==, 1);
    test_md_unplug_free(dyn);

    test_md_unplug_free(c);
    test_md_unplug_free(b);
    object_unref(OBJECT(a));
    vhost_dev_cleanup(&fb.dev);
}

/* The decision leaves room for memslots others use and reserved. */
static void test_vhost_bounds_decision(void)
{
    FakeBackend fb = { .limit = 1000 };
    TestMD *fixed = test_md_new(8 * GiB, 30, false);
    TestMD *dyn = test_md_new(DEVMEM_SIZE - 8 * GiB, 0, true);

    /* 600 memslots used by others: 509 <= limit, 130 free */
    other_map(600);
    fake_register(&fb);
    fake_set_free(&fb, 130);
    test_md_plug(fixed);
    /* min(256 - 30, 130 - 30 reserved) */
    test_md_plug(dyn);
    g_assert_cmpuint(dyn->limit, ==, 100);
    test_md_unplug_free(dyn);
    test_md_unplug_free(fixed);
    vhost_dev_cleanup(&fb.dev);
    other_unmap();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    memory_map_init();
    memory_region_init_ram(&other_ram, NULL, "other-ram", SLOT_RAM_SIZE,
                           &error_abort);

    ms = MACHINE(object_new(TYPE_TEST_MD_MACHINE));
    object_property_add_child(object_get_root(), "machine", OBJECT(ms));
    object_unref(OBJECT(ms));
    ms->ram_size = 1 * GiB;
    ms->maxram_size = ms->ram_size + DEVMEM_SIZE;
    machine_memory_devices_init(ms, DEVMEM_BASE, DEVMEM_SIZE);
    current_machine = ms;

    g_test_add_func("/memory-device/memslots/required-used",
                    test_required_and_used);
    g_test_add_func("/memory-device/memslots/decision-limit",
                    test_decision_limit);
    g_test_add_func("/memory-device/memslots/total-cap", test_total_cap);
    g_test_add_func("/memory-device/vhost/registry", test_vhost_registry);
    g_test_add_func("/memory-device/vhost/limit", test_vhost_limit);
    g_test_add_func("/memory-device/vhost/bounds-decision",
                    test_vhost_bounds_decision);
    return g_test_run();
}
