/*
 * virtio-mem in-process, on a test virtio transport: the parts a guest
 * cannot observe through PCI.  The device is the RamDiscardManager of its
 * memdev's region: listeners get populate before and discard after each
 * change, a veto answers BUSY, registering replays what is plugged, and
 * realize takes part in the discard coordination.
 */
#include "qemu/osdep.h"
#include <sys/mman.h>
#include <linux/virtio_mem.h>
#include "exec/address-spaces.h"
#include "exec/memory.h"
#include "exec/ram-discard-manager.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-bus.h"
#include "hw/virtio/virtio-mem.h"
#include "qapi/error.h"
#include "qom/object_interfaces.h"
#include "virtio-test-transport.h"

#define BLOCK (2 * MiB)
#define REGION_SIZE (64 * MiB)
#define DEV_ADDR (4 * GiB)

/* Guest RAM for the rings and requests. */
#define RAM_SIZE (1 * MiB)
#define DESC_ADDR 0x1000
#define AVAIL_ADDR 0x2000
#define USED_ADDR 0x3000
#define REQ_ADDR 0x10000
#define RESP_ADDR 0x11000
#define QSIZE 8

/* ---- recording listeners ---- */

typedef struct Recorder {
    RamDiscardListener rdl;
    int veto;
    GString *log;
} Recorder;

static int recorder_populate(RamDiscardListener *rdl, MemoryRegionSection *s)
{
    Recorder *r = container_of(rdl, Recorder, rdl);

    g_string_append_printf(r->log, "populate 0x%" PRIx64 "+0x%" PRIx64 "%s\n",
                           (uint64_t)s->offset_within_region,
                           int128_get64(s->size), r->veto ? " (veto)" : "");
    return r->veto;
}

static void recorder_discard(RamDiscardListener *rdl, MemoryRegionSection *s)
{
    Recorder *r = container_of(rdl, Recorder, rdl);

    g_string_append_printf(r->log, "discard 0x%" PRIx64 "+0x%" PRIx64 "\n",
                           (uint64_t)s->offset_within_region,
                           int128_get64(s->size));
}

/* ---- fixture ---- */

typedef struct Fixture {
    MemoryRegion ram;
    DeviceState *transport;
    VirtIOMEM *vmem;
    VirtIODevice *vdev;
    HostMemoryBackend *memdev;
    MemoryRegion *mr;
    uint16_t avail_idx;
    GString *sizes;     /* plugged sizes reported by the callback */
} Fixture;

static void record_size(VirtIOMEM *vmem, uint64_t size, void *opaque)
{
    g_string_append_printf(opaque, "%" PRIu64 "M ", size / MiB);
}

/* Create backend "mem0" from "TYPE,prop=value,..." */
static HostMemoryBackend *new_backend(const char *opts, Error **errp)
{
    g_autofree char *str = g_strdup_printf("%s,id=mem0", opts);

    if (!user_creatable_add_from_str(str, errp)) {
        return NULL;
    }
    return MEMORY_BACKEND(object_resolve_path_component(
                              object_get_objects_root(), "mem0"));
}

/*
 * Create the backend and the device (not realized) on a fresh transport.
 * Returns false (nothing created) if the backend cannot be created.
 */
static bool fixture_try_create(Fixture *f, const char *backend_opts,
                               Error **errp)
{
    memset(f, 0, sizeof(*f));
    f->memdev = new_backend(backend_opts, errp);
    if (!f->memdev) {
        return false;
    }
    memory_region_init_ram(&f->ram, NULL, "test-ram", RAM_SIZE, &error_abort);
    memory_region_add_subregion(get_system_memory(), 0, &f->ram);
    f->mr = host_memory_backend_get_memory(f->memdev);
    f->transport = virtio_test_transport_new();
    f->vmem = VIRTIO_MEM(qdev_new(TYPE_VIRTIO_MEM));
    f->vdev = VIRTIO_DEVICE(f->vmem);
    object_property_set_link(OBJECT(f->vmem), "memdev", OBJECT(f->memdev),
                             &error_abort);
    object_property_set_uint(OBJECT(f->vmem), "memaddr", DEV_ADDR,
                             &error_abort);
    f->sizes = g_string_new("");
    return true;
}

static void fixture_create(Fixture *f, const char *backend_opts)
{
    fixture_try_create(f, backend_opts, &error_abort);
}

/* Realize and map the region, as memory_device_plug() would. */
static void fixture_realize(Fixture *f)
{
    VirtIOMEMClass *vmc = VIRTIO_MEM_GET_CLASS(f->vmem);

    qdev_realize(DEVICE(f->vmem), virtio_test_transport_bus(f->transport),
                 &error_abort);
    vmc->set_size_change_notifier(f->vmem, record_size, f->sizes);
    memory_region_add_subregion(get_system_memory(), DEV_ADDR, f->mr);
}

static void fixture_setup(Fixture *f, const char *opts)
{
    fixture_create(f, "memory-backend-ram,size=64M");
    object_property_set_uint(OBJECT(f->vmem), "requested-size", 16 * MiB,
                             &error_abort);
    if (opts) {
        g_assert_true(object_property_parse(OBJECT(f->vmem), "prealloc",
                                            opts, &error_abort));
    }
    fixture_realize(f);
}

static void fixture_teardown(Fixture *f)
{
    if (DEVICE(f->vmem)->realized) {
        memory_region_del_subregion(get_system_memory(), f->mr);
        qdev_unrealize(DEVICE(f->vmem));
    }
    object_unparent(OBJECT(f->vmem));
    object_unref(OBJECT(f->vmem));
    qdev_unrealize(f->transport);
    object_unparent(OBJECT(f->transport));
    object_unref(OBJECT(f->transport));
    g_assert_true(user_creatable_del("mem0", &error_abort));
    memory_region_del_subregion(get_system_memory(), &f->ram);
    object_unref(OBJECT(&f->ram));
    g_string_free(f->sizes, true);
}

/* The driver side: features, one queue, DRIVER_OK. */
static void driver_start(Fixture *f)
{
    VirtIODevice *vdev = f->vdev;
    uint8_t *ram = memory_region_get_ram_ptr(&f->ram);
    uint8_t s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

    g_assert_cmpint(virtio_set_status(vdev, s), ==, 0);
    g_assert_cmpint(virtio_set_features(vdev, vdev->host_features), ==, 0);
    s |= VIRTIO_CONFIG_S_FEATURES_OK;
    g_assert_cmpint(virtio_set_status(vdev, s), ==, 0);
    memset(ram + DESC_ADDR, 0, 0x3000);
    f->avail_idx = 0;
    virtio_queue_set_num(vdev, 0, QSIZE);
    virtio_queue_set_rings(vdev, 0, DESC_ADDR, AVAIL_ADDR, USED_ADDR);
    virtio_queue_enable(vdev, 0);
    g_assert_cmpint(virtio_set_status(vdev, s | VIRTIO_CONFIG_S_DRIVER_OK),
                    ==, 0);
}

static uint16_t request(Fixture *f, uint16_t type, uint64_t addr,
                        uint16_t nb_blocks)
{
    AddressSpace *as = &address_space_memory;
    struct virtio_mem_req req = {
        .type = GUINT16_TO_LE(type),
        .u.plug.addr = GUINT64_TO_LE(addr),
        .u.plug.nb_blocks = GUINT16_TO_LE(nb_blocks),
    };
    uint16_t used = lduw_le_phys(as, USED_ADDR + 2);

    address_space_write(as, REQ_ADDR, MEMTXATTRS_UNSPECIFIED, &req,
                        sizeof(req));
    stq_le_phys(as, DESC_ADDR, REQ_ADDR);
    stl_le_phys(as, DESC_ADDR + 8, sizeof(req));
    stw_le_phys(as, DESC_ADDR + 12, VRING_DESC_F_NEXT);
    stw_le_phys(as, DESC_ADDR + 14, 1);
    stq_le_phys(as, DESC_ADDR + 16, RESP_ADDR);
    stl_le_phys(as, DESC_ADDR + 24, sizeof(struct virtio_mem_resp));
    stw_le_phys(as, DESC_ADDR + 28, VRING_DESC_F_WRITE);
    stw_le_phys(as, AVAIL_ADDR + 4 + 2 * (f->avail_idx % QSIZE), 0);
    f->avail_idx++;
    stw_le_phys(as, AVAIL_ADDR + 2, f->avail_idx);
    virtio_queue_notify(f->vdev, 0);
    g_assert_cmpint(lduw_le_phys(as, USED_ADDR + 2), ==, (uint16_t)(used + 1));
    return lduw_le_phys(as, RESP_ADDR);
}

static uint16_t plug(Fixture *f, uint64_t offset, uint16_t nb_blocks)
{
    return request(f, VIRTIO_MEM_REQ_PLUG, DEV_ADDR + offset, nb_blocks);
}

static uint16_t unplug(Fixture *f, uint64_t offset, uint16_t nb_blocks)
{
    return request(f, VIRTIO_MEM_REQ_UNPLUG, DEV_ADDR + offset, nb_blocks);
}

static void listen(Fixture *f, Recorder *r, GString *log, bool double_discard)
{
    MemoryRegionSection section = {
        .mr = f->mr,
        .offset_within_region = 0,
        .size = int128_make64(REGION_SIZE),
        .offset_within_address_space = DEV_ADDR,
    };

    memset(r, 0, sizeof(*r));
    r->log = log;
    ram_discard_listener_init(&r->rdl, recorder_populate, recorder_discard,
                              double_discard);
    ram_discard_manager_register_listener(
        memory_region_get_ram_discard_manager(f->mr), &r->rdl, &section);
}

static void unlisten(Fixture *f, Recorder *r)
{
    ram_discard_manager_unregister_listener(
        memory_region_get_ram_discard_manager(f->mr), &r->rdl);
}

/* ---- tests ---- */

static void test_manager_set_before_mapping(void)
{
    Fixture f;

    fixture_create(&f, "memory-backend-ram,size=64M");
    g_assert_null(memory_region_get_ram_discard_manager(f.mr));
    fixture_realize(&f);
    g_assert_true(memory_region_get_ram_discard_manager(f.mr) ==
                  RAM_DISCARD_MANAGER(f.vmem));
    g_assert_cmpuint(VIRTIO_MEM_GET_CLASS(f.vmem)->get_memslots(f.vmem), ==,
                     1);
    g_assert_cmpuint(ram_discard_manager_get_min_granularity(
                         RAM_DISCARD_MANAGER(f.vmem), f.mr), ==, BLOCK);
    g_assert_true(host_memory_backend_is_mapped(f.memdev));
    g_assert_true(ram_block_discard_is_required());

    /* unrealize gives everything back */
    memory_region_del_subregion(get_system_memory(), f.mr);
    qdev_unrealize(DEVICE(f.vmem));
    g_assert_null(memory_region_get_ram_discard_manager(f.mr));
    g_assert_false(host_memory_backend_is_mapped(f.memdev));
    g_assert_false(ram_block_discard_is_required());
    fixture_teardown(&f);
}

static void test_listener_notifications(void)
{
    g_autoptr(GString) log = g_string_new("");
    MemoryRegionSection all = {
        .mr = NULL,
        .size = int128_make64(REGION_SIZE),
    };
    Recorder r;
    Fixture f;

    fixture_setup(&f, NULL);
    all.mr = f.mr;
    driver_start(&f);
    g_assert_cmpint(plug(&f, 0, 2), ==, VIRTIO_MEM_RESP_ACK);

    /* registering replays what is plugged */
    listen(&f, &r, log, false);
    g_assert_cmpstr(log->str, ==, "populate 0x0+0x400000\n");
    g_string_truncate(log, 0);

    g_assert_cmpint(plug(&f, 4 * BLOCK, 2), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(unplug(&f, BLOCK, 1), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpstr(log->str, ==,
                    "populate 0x800000+0x400000\n"
                    "discard 0x200000+0x200000\n");
    g_assert_false(ram_discard_manager_is_populated(
                       RAM_DISCARD_MANAGER(f.vmem), &all));
    g_string_truncate(log, 0);

    /* without double-discard support: one discard per plugged run */
    g_assert_cmpint(request(&f, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0), ==,
                    VIRTIO_MEM_RESP_ACK);
    g_assert_cmpstr(log->str, ==,
                    "discard 0x0+0x200000\n"
                    "discard 0x800000+0x400000\n");
    g_string_truncate(log, 0);
    unlisten(&f, &r);
    g_assert_cmpstr(log->str, ==, "");
    g_assert_cmpstr(f.sizes->str, ==, "4M 8M 6M 0M ");
    fixture_teardown(&f);
}

static void test_listener_double_discard(void)
{
    g_autoptr(GString) log = g_string_new("");
    Recorder r;
    Fixture f;

    fixture_setup(&f, NULL);
    driver_start(&f);
    listen(&f, &r, log, true);
    g_assert_cmpint(plug(&f, 0, 1), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(plug(&f, 8 * BLOCK, 1), ==, VIRTIO_MEM_RESP_ACK);
    g_string_truncate(log, 0);
    g_assert_cmpint(request(&f, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0), ==,
                    VIRTIO_MEM_RESP_ACK);
    g_assert_cmpstr(log->str, ==, "discard 0x0+0x4000000\n");
    g_string_truncate(log, 0);
    /* nothing plugged: nothing to tell */
    g_assert_cmpint(request(&f, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0), ==,
                    VIRTIO_MEM_RESP_ACK);
    unlisten(&f, &r);
    g_assert_cmpstr(log->str, ==, "");
    fixture_teardown(&f);
}

static void test_listener_veto(void)
{
    g_autoptr(GString) log = g_string_new("");
    Recorder ok, veto;
    Fixture f;

    fixture_setup(&f, NULL);
    driver_start(&f);
    listen(&f, &ok, log, false);
    listen(&f, &veto, log, false);
    veto.veto = -ENOMEM;

    g_assert_cmpint(plug(&f, 0, 2), ==, VIRTIO_MEM_RESP_BUSY);
    g_assert_cmpstr(log->str, ==,
                    "populate 0x0+0x400000\n"
                    "populate 0x0+0x400000 (veto)\n"
                    "discard 0x0+0x400000\n");
    g_assert_cmpuint(object_property_get_uint(OBJECT(f.vmem), "size",
                                              &error_abort), ==, 0);
    g_assert_cmpstr(f.sizes->str, ==, "");
    g_assert_cmpint(request(&f, VIRTIO_MEM_REQ_STATE, DEV_ADDR, 2), ==,
                    VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(lduw_le_phys(&address_space_memory, RESP_ADDR + 8), ==,
                    VIRTIO_MEM_STATE_UNPLUGGED);

    /* once the listener agrees, the same plug works */
    veto.veto = 0;
    g_assert_cmpint(plug(&f, 0, 2), ==, VIRTIO_MEM_RESP_ACK);
    unlisten(&f, &veto);
    unlisten(&f, &ok);
    fixture_teardown(&f);
}

static void test_discard_disabled(void)
{
    Error *err = NULL;
    Fixture f;

    fixture_create(&f, "memory-backend-ram,size=64M");
    g_assert_cmpint(ram_block_discard_disable(true), ==, 0);
    g_assert_false(qdev_realize(DEVICE(f.vmem),
                                virtio_test_transport_bus(f.transport), &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Discarding RAM is disabled: Device or resource busy");
    error_free(err);
    g_assert_null(memory_region_get_ram_discard_manager(f.mr));
    g_assert_false(host_memory_backend_is_mapped(f.memdev));
    ram_block_discard_disable(false);
    fixture_teardown(&f);
}

static void test_prealloc_populates(void)
{
    Fixture f;
    void *host;
    unsigned char vec[4];

    fixture_setup(&f, "on");
    driver_start(&f);
    host = memory_region_get_ram_ptr(f.mr);
    g_assert_cmpint(plug(&f, 0, 2), ==, VIRTIO_MEM_RESP_ACK);
    /* resident without the guest touching it */
    g_assert_cmpint(mincore(host, 4 * qemu_real_host_page_size(), vec), ==,
                    0);
    for (int i = 0; i < 4; i++) {
        g_assert_cmpint(vec[i] & 1, ==, 1);
    }
    fixture_teardown(&f);
}

/*
 * A failing prealloc (hugetlb memory while the host has no huge pages)
 * answers BUSY and undoes everything: listeners get the discard back.
 */
static void test_prealloc_failure(void)
{
    g_autoptr(GString) log = g_string_new("");
    Error *err = NULL;
    Recorder r;
    Fixture f;

    if (!fixture_try_create(&f, "memory-backend-memfd,size=64M,hugetlb=on,"
                            "hugetlbsize=2M,reserve=off", &err)) {
        g_test_skip(error_get_pretty(err));
        error_free(err);
        return;
    }
    if (ram_block_populate_range(f.mr->ram_block, 0, BLOCK) == 0) {
        ram_block_discard_range(f.mr->ram_block, 0, BLOCK);
        g_test_skip("the host has huge pages: populating cannot fail");
        fixture_teardown(&f);
        return;
    }
    object_property_set_uint(OBJECT(f.vmem), "requested-size", 16 * MiB,
                             &error_abort);
    object_property_set_bool(OBJECT(f.vmem), "prealloc", true, &error_abort);
    fixture_realize(&f);
    driver_start(&f);
    listen(&f, &r, log, false);

    g_assert_cmpint(plug(&f, 0, 2), ==, VIRTIO_MEM_RESP_BUSY);
    g_assert_cmpstr(log->str, ==,
                    "populate 0x0+0x400000\n"
                    "discard 0x0+0x400000\n");
    g_assert_cmpuint(object_property_get_uint(OBJECT(f.vmem), "size",
                                              &error_abort), ==, 0);
    g_assert_cmpstr(f.sizes->str, ==, "");
    g_assert_cmpint(request(&f, VIRTIO_MEM_REQ_STATE, DEV_ADDR, 2), ==,
                    VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(lduw_le_phys(&address_space_memory, RESP_ADDR + 8), ==,
                    VIRTIO_MEM_STATE_UNPLUGGED);
    unlisten(&f, &r);
    fixture_teardown(&f);
}

/* ---- memslots ---- */

typedef struct MapLogger {
    MemoryListener ml;
    MemoryRegion *mr;   /* only sections of this region are logged */
    GString *log;
} MapLogger;

static void map_logger_log(MemoryListener *ml, MemoryRegionSection *s,
                           const char *what)
{
    MapLogger *l = container_of(ml, MapLogger, ml);

    if (s->mr != l->mr) {
        return;
    }
    g_string_append_printf(l->log, "%s 0x%" PRIx64 "+0x%" PRIx64
                           " @0x%" PRIx64 "\n", what,
                           (uint64_t)s->offset_within_region,
                           int128_get64(s->size),
                           (uint64_t)s->offset_within_address_space);
}

static void map_logger_add(MemoryListener *ml, MemoryRegionSection *s)
{
    map_logger_log(ml, s, "map");
}

static void map_logger_del(MemoryListener *ml, MemoryRegionSection *s)
{
    map_logger_log(ml, s, "unmap");
}

/*
 * 1 GiB in memslots=8: eight 128 MiB memslots.  Memslots are mapped
 * before anything inside them can be populated and unmapped only after
 * everything was discarded; the manager stays on the memdev region.
 */
static void test_memslots_mapping(void)
{
    g_autoptr(GString) log = g_string_new("");
    VirtIOMEMClass *vmc;
    MemoryRegionSection all = { .size = int128_make64(1 * GiB) };
    MapLogger ml = {
        .ml = {
            .region_add = map_logger_add,
            .region_del = map_logger_del,
            .name = "test-memslots",
        },
        .log = log,
    };
    MemoryRegion *container;
    Recorder r;
    Fixture f;

    fixture_create(&f, "memory-backend-ram,size=1G");
    vmc = VIRTIO_MEM_GET_CLASS(f.vmem);
    object_property_set_uint(OBJECT(f.vmem), "memslots", 8, &error_abort);
    object_property_set_uint(OBJECT(f.vmem), "requested-size", 16 * MiB,
                             &error_abort);
    container = vmc->get_memory_region(f.vmem, &error_abort);
    g_assert_true(container != f.mr);
    g_assert_cmpstr(memory_region_name(container), ==,
                    "virtio-mem-memslots");
    g_assert_cmpuint(memory_region_size(container), ==, 1 * GiB);
    g_assert_true(vmc->get_memory_region(f.vmem, &error_abort) == container);
    g_assert_cmpuint(vmc->get_memslots(f.vmem), ==, 8);

    ml.mr = f.mr;
    memory_listener_register(&ml.ml, &address_space_memory);
    qdev_realize(DEVICE(f.vmem), virtio_test_transport_bus(f.transport),
                 &error_abort);
    g_assert_true(memory_region_get_ram_discard_manager(f.mr) ==
                  RAM_DISCARD_MANAGER(f.vmem));
    memory_region_add_subregion(get_system_memory(), DEV_ADDR, container);
    /* usable: 16M + 256M -> memslots 0-2 */
    g_assert_cmpstr(log->str, ==,
                    "map 0x0+0x8000000 @0x100000000\n"
                    "map 0x8000000+0x8000000 @0x108000000\n"
                    "map 0x10000000+0x8000000 @0x110000000\n");
    g_string_truncate(log, 0);

    all.mr = f.mr;
    all.offset_within_address_space = DEV_ADDR;
    memset(&r, 0, sizeof(r));
    r.log = log;
    ram_discard_listener_init(&r.rdl, recorder_populate, recorder_discard,
                              false);
    ram_discard_manager_register_listener(RAM_DISCARD_MANAGER(f.vmem), &r.rdl,
                                          &all);
    driver_start(&f);

    /* growing maps memslots 3 and 4 before they can be plugged */
    object_property_set_uint(OBJECT(f.vmem), "requested-size", 384 * MiB,
                             &error_abort);
    g_assert_cmpint(plug(&f, 128 * MiB - BLOCK, 2), ==,
                    VIRTIO_MEM_RESP_ACK);
    g_assert_cmpstr(log->str, ==,
                    "map 0x18000000+0x8000000 @0x118000000\n"
                    "map 0x20000000+0x8000000 @0x120000000\n"
                    "populate 0x7e00000+0x400000\n");
    g_string_truncate(log, 0);

    /* beyond the usable region (640M: memslots 5-7 unmapped) */
    g_assert_cmpint(plug(&f, 640 * MiB, 1), ==, VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpstr(log->str, ==, "");

    /* UNPLUG_ALL with nothing requested: discard first, then unmap all */
    object_property_set_uint(OBJECT(f.vmem), "requested-size", 0,
                             &error_abort);
    g_assert_cmpint(request(&f, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0), ==,
                    VIRTIO_MEM_RESP_ACK);
    g_assert_cmpstr(log->str, ==,
                    "discard 0x7e00000+0x400000\n"
                    "unmap 0x0+0x8000000 @0x100000000\n"
                    "unmap 0x8000000+0x8000000 @0x108000000\n"
                    "unmap 0x10000000+0x8000000 @0x110000000\n"
                    "unmap 0x18000000+0x8000000 @0x118000000\n"
                    "unmap 0x20000000+0x8000000 @0x120000000\n");
    ram_discard_manager_unregister_listener(RAM_DISCARD_MANAGER(f.vmem),
                                            &r.rdl);
    memory_listener_unregister(&ml.ml);

    /* unrealize releases the manager although memslots were mapped */
    object_property_set_uint(OBJECT(f.vmem), "requested-size", 16 * MiB,
                             &error_abort);
    memory_region_del_subregion(get_system_memory(), container);
    qdev_unrealize(DEVICE(f.vmem));
    g_assert_null(memory_region_get_ram_discard_manager(f.mr));
    g_assert_false(memory_region_is_mapped(f.mr));
    fixture_teardown(&f);
}

/*
 * dynamic-memslots, 4 GiB: the decision (limit 256: four memslots of
 * 1 GiB), memslots mapped when a plug touches them and before the
 * populate notification, unmapped after the discard that empties them,
 * and nothing left mapped by a vetoed plug.
 */
static void test_dynamic_memslots_mapping(void)
{
    g_autoptr(GString) log = g_string_new("");
    VirtIOMEMClass *vmc;
    MemoryRegionSection all = { .size = int128_make64(4 * GiB) };
    MapLogger ml = {
        .ml = {
            .region_add = map_logger_add,
            .region_del = map_logger_del,
            .name = "test-dynamic-memslots",
        },
        .log = log,
    };
    MemoryRegion *container;
    Recorder r;
    Fixture f;

    fixture_create(&f, "memory-backend-ram,size=4G,reserve=off");
    vmc = VIRTIO_MEM_GET_CLASS(f.vmem);
    g_assert_true(object_property_parse(OBJECT(f.vmem),
                                        "unplugged-inaccessible", "on",
                                        &error_abort));
    g_assert_true(object_property_parse(OBJECT(f.vmem), "dynamic-memslots",
                                        "on", &error_abort));
    object_property_set_uint(OBJECT(f.vmem), "requested-size", 4 * GiB,
                             &error_abort);
    container = vmc->get_memory_region(f.vmem, &error_abort);
    g_assert_cmpstr(memory_region_name(container), ==,
                    "virtio-mem-memslots");
    g_assert_cmpuint(vmc->get_memslots(f.vmem), ==, 1);     /* undecided */
    vmc->decide_memslots(f.vmem, 256);
    g_assert_cmpuint(vmc->get_memslots(f.vmem), ==, 4);
    g_assert_cmpuint(object_property_get_uint(OBJECT(f.vmem), "memslots",
                                              &error_abort), ==, 4);
    /* decided once */
    vmc->decide_memslots(f.vmem, 2);
    g_assert_cmpuint(vmc->get_memslots(f.vmem), ==, 4);

    ml.mr = f.mr;
    memory_listener_register(&ml.ml, &address_space_memory);
    qdev_realize(DEVICE(f.vmem), virtio_test_transport_bus(f.transport),
                 &error_abort);
    memory_region_add_subregion(get_system_memory(), DEV_ADDR, container);
    /* nothing plugged: nothing mapped */
    g_assert_cmpstr(log->str, ==, "");

    all.mr = f.mr;
    all.offset_within_address_space = DEV_ADDR;
    memset(&r, 0, sizeof(r));
    r.log = log;
    ram_discard_listener_init(&r.rdl, recorder_populate, recorder_discard,
                              false);
    ram_discard_manager_register_listener(RAM_DISCARD_MANAGER(f.vmem), &r.rdl,
                                          &all);
    driver_start(&f);

    /* across the boundary of memslots 0 and 1: both mapped, then populate */
    g_assert_cmpint(plug(&f, 1 * GiB - BLOCK, 2), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpstr(log->str, ==,
                    "map 0x0+0x40000000 @0x100000000\n"
                    "map 0x40000000+0x40000000 @0x140000000\n"
                    "populate 0x3fe00000+0x400000\n");
    g_string_truncate(log, 0);

    /* the last plugged block of memslot 1: discard, then unmap it only */
    g_assert_cmpint(request(&f, VIRTIO_MEM_REQ_UNPLUG, DEV_ADDR + 1 * GiB, 1),
                    ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpstr(log->str, ==,
                    "discard 0x40000000+0x200000\n"
                    "unmap 0x40000000+0x40000000 @0x140000000\n");
    g_string_truncate(log, 0);

    /* a vetoed plug leaves memslot 3 unmapped again */
    r.veto = -EBUSY;
    g_assert_cmpint(plug(&f, 3 * GiB, 1), ==, VIRTIO_MEM_RESP_BUSY);
    g_assert_cmpstr(log->str, ==,
                    "map 0xc0000000+0x40000000 @0x1c0000000\n"
                    "populate 0xc0000000+0x200000 (veto)\n"
                    "unmap 0xc0000000+0x40000000 @0x1c0000000\n");
    g_string_truncate(log, 0);
    r.veto = 0;

    /* plugging next to a plugged block maps nothing new */
    g_assert_cmpint(plug(&f, 0, 1), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpstr(log->str, ==, "populate 0x0+0x200000\n");
    g_string_truncate(log, 0);

    /* UNPLUG_ALL: discard first, then unmap what is mapped */
    g_assert_cmpint(request(&f, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0), ==,
                    VIRTIO_MEM_RESP_ACK);
    g_assert_cmpstr(log->str, ==,
                    "discard 0x0+0x200000\n"
                    "discard 0x3fe00000+0x200000\n"
                    "unmap 0x0+0x40000000 @0x100000000\n");
    ram_discard_manager_unregister_listener(RAM_DISCARD_MANAGER(f.vmem),
                                            &r.rdl);
    memory_listener_unregister(&ml.ml);

    memory_region_del_subregion(get_system_memory(), container);
    qdev_unrealize(DEVICE(f.vmem));
    g_assert_null(memory_region_get_ram_discard_manager(f.mr));
    fixture_teardown(&f);
}

/* Decisions: even split rounded to blocks; undecided at realize: one. */
static void test_dynamic_memslots_decide(void)
{
    VirtIOMEMClass *vmc;
    Fixture f;

    fixture_create(&f, "memory-backend-ram,size=4G,reserve=off");
    vmc = VIRTIO_MEM_GET_CLASS(f.vmem);
    g_assert_true(object_property_parse(OBJECT(f.vmem), "dynamic-memslots",
                                        "on", &error_abort));
    vmc->get_memory_region(f.vmem, &error_abort);
    /* 4 GiB / 3 = 1365.3 MiB -> 1366 MiB: 3 memslots, the last smaller */
    vmc->decide_memslots(f.vmem, 3);
    g_assert_cmpuint(vmc->get_memslots(f.vmem), ==, 3);
    g_assert_cmpuint(f.vmem->memslot_size, ==, 1366 * MiB);
    g_assert_cmpuint(memory_region_size(&f.vmem->memslot_mrs[2]), ==,
                     (4096 - 2 * 1366) * MiB);
    fixture_teardown(&f);

    /* realized without a decision (no memory device code): one memslot */
    fixture_create(&f, "memory-backend-ram,size=4G,reserve=off");
    vmc = VIRTIO_MEM_GET_CLASS(f.vmem);
    g_assert_true(object_property_parse(OBJECT(f.vmem), "dynamic-memslots",
                                        "on", &error_abort));
    g_assert_true(object_property_parse(OBJECT(f.vmem),
                                        "unplugged-inaccessible", "on",
                                        &error_abort));
    qdev_realize(DEVICE(f.vmem), virtio_test_transport_bus(f.transport),
                 &error_abort);
    g_assert_cmpuint(vmc->get_memslots(f.vmem), ==, 1);
    g_assert_cmpuint(memory_region_size(vmc->get_memory_region(f.vmem,
                                                               &error_abort)),
                     ==, 4 * GiB);
    qdev_unrealize(DEVICE(f.vmem));
    fixture_teardown(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/virtio-mem/rdm/set-before-mapping",
                    test_manager_set_before_mapping);
    g_test_add_func("/virtio-mem/rdm/notifications",
                    test_listener_notifications);
    g_test_add_func("/virtio-mem/rdm/double-discard",
                    test_listener_double_discard);
    g_test_add_func("/virtio-mem/rdm/veto", test_listener_veto);
    g_test_add_func("/virtio-mem/discard-disabled", test_discard_disabled);
    g_test_add_func("/virtio-mem/prealloc", test_prealloc_populates);
    g_test_add_func("/virtio-mem/prealloc-failure", test_prealloc_failure);
    g_test_add_func("/virtio-mem/memslots/mapping", test_memslots_mapping);
    g_test_add_func("/virtio-mem/dynamic-memslots/mapping",
                    test_dynamic_memslots_mapping);
    g_test_add_func("/virtio-mem/dynamic-memslots/decide",
                    test_dynamic_memslots_decide);
    return g_test_run();
}
