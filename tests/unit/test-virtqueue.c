/*
 * Split virtqueues of the virtio core, driven in-process: a test transport
 * (a device with a virtio bus whose DMA address space is a bare test
 * address space) and a test virtio device with one queue.  The tests
 * write descriptors and rings into guest RAM the way a driver does, kick
 * the queue and check what the device saw and what it wrote back.
 */
#include "qemu/osdep.h"

#include "exec/memory.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-bus.h"
#include "qapi/error.h"
#include "qemu/error-report.h"

/* Guest physical layout of the test address space. */
#define RAM0_BASE   0x0
#define RAM0_SIZE   0x100000            /* 1 MiB */
#define RAM1_BASE   0x100000            /* right after RAM0 */
#define RAM1_SIZE   0x100000
#define MMIO_BASE   0x200000
#define MMIO_SIZE   0x1000
#define ROM_BASE    0x280000
#define ROM_SIZE    0x1000
#define HOLE_BASE   0x300000            /* nothing mapped */

#define QSIZE       8
#define DESC_ADDR   0x1000
#define AVAIL_ADDR  0x2000
#define USED_ADDR   0x3000
#define INDIRECT_ADDR 0x4000
#define BUF_ADDR    0x10000

#define TYPE_TEST_VIRTIO_BUS "test-virtio-bus"
#define TYPE_TEST_TRANSPORT "test-virtio-transport"
#define TYPE_TEST_VIRTIO "test-virtio-device"
#define TEST_DEVICE_ID 42
#define TEST_CONFIG_SIZE 8

/* --- The test transport --------------------------------------------- */

static AddressSpace test_as;
static MemoryRegion root, ram0, ram1, mmio, rom;

typedef struct TestTransport {
    DeviceState parent_obj;
    VirtioBusState bus;
    unsigned int notifications;     /* interrupts delivered */
} TestTransport;

static TestTransport *transport_of(DeviceState *d)
{
    return OBJECT_CHECK(TestTransport, d, TYPE_TEST_TRANSPORT);
}

static void test_bus_notify(DeviceState *d, uint16_t vector)
{
    transport_of(d)->notifications++;
}

static void test_bus_pre_plugged(DeviceState *d, Error **errp)
{
    VirtIODevice *vdev = virtio_bus_get_device(&transport_of(d)->bus);

    virtio_add_feature(&vdev->host_features, VIRTIO_F_VERSION_1);
}

static AddressSpace *test_bus_get_dma_as(DeviceState *d)
{
    return &test_as;
}

static void test_bus_class_init(ObjectClass *klass, void *data)
{
    VirtioBusClass *k = VIRTIO_BUS_CLASS(klass);

    BUS_CLASS(klass)->max_dev = 1;
    k->notify = test_bus_notify;
    k->pre_plugged = test_bus_pre_plugged;
    k->get_dma_as = test_bus_get_dma_as;
}

static void test_transport_realize(DeviceState *dev, Error **errp)
{
    TestTransport *t = transport_of(dev);

    qbus_init(&t->bus, sizeof(t->bus), TYPE_TEST_VIRTIO_BUS, dev,
              "virtio-bus");
}

static void test_transport_class_init(ObjectClass *klass, void *data)
{
    DEVICE_CLASS(klass)->realize = test_transport_realize;
}

/* --- The test virtio device ------------------------------------------ */

typedef struct TestVirtio {
    VirtIODevice parent_obj;
    VirtQueue *vq;
    GPtrArray *popped;          /* of VirtQueueElement *, owned */
    unsigned int kicks;
    /* Reply into the in buffers and push each popped element. */
    bool auto_push;
    /* Refuse FEATURES_OK unless feature bit 0 was accepted. */
    bool require_bit0;
    uint8_t config[TEST_CONFIG_SIZE];
    unsigned int set_config_calls;
} TestVirtio;

static TestVirtio *test_virtio(const void *obj)
{
    return OBJECT_CHECK(TestVirtio, obj, TYPE_TEST_VIRTIO);
}

static const char reply[] = "pong";

static void test_virtio_handle(VirtIODevice *vdev, VirtQueue *vq)
{
    TestVirtio *t = test_virtio(vdev);
    VirtQueueElement *elem;
    bool pushed = false;

    t->kicks++;
    while ((elem = virtqueue_pop(vq, sizeof(*elem)))) {
        if (t->auto_push) {
            size_t n = iov_from_buf(elem->in_sg, elem->in_num, 0, reply,
                                    sizeof(reply));

            virtqueue_push(vq, elem, n);
            pushed = true;
        }
        g_ptr_array_add(t->popped, elem);
    }
    if (pushed) {
        virtio_notify(vdev, vq);
    }
}

static void test_virtio_realize(DeviceState *dev, Error **errp)
{
    TestVirtio *t = test_virtio(dev);

    virtio_init(VIRTIO_DEVICE(dev), TEST_DEVICE_ID, TEST_CONFIG_SIZE);
    t->vq = virtio_add_queue(VIRTIO_DEVICE(dev), QSIZE, test_virtio_handle);
}

static void test_virtio_unrealize(DeviceState *dev)
{
    TestVirtio *t = test_virtio(dev);

    virtio_delete_queue(t->vq);
    virtio_cleanup(VIRTIO_DEVICE(dev));
}

static uint64_t test_virtio_get_features(VirtIODevice *vdev, uint64_t f,
                                         Error **errp)
{
    return f | 1;               /* device feature bit 0 */
}

static int test_virtio_validate_features(VirtIODevice *vdev)
{
    TestVirtio *t = test_virtio(vdev);

    return t->require_bit0 && !virtio_vdev_has_feature(vdev, 0) ? -EINVAL
                                                                 : 0;
}

static void test_virtio_get_config(VirtIODevice *vdev, uint8_t *config)
{
    memcpy(config, test_virtio(vdev)->config, TEST_CONFIG_SIZE);
}

static void test_virtio_set_config(VirtIODevice *vdev, const uint8_t *config)
{
    TestVirtio *t = test_virtio(vdev);

    memcpy(t->config, config, TEST_CONFIG_SIZE);
    t->set_config_calls++;
}

static void test_virtio_instance_init(Object *obj)
{
    test_virtio(obj)->popped = g_ptr_array_new_with_free_func(g_free);
}

static void test_virtio_instance_finalize(Object *obj)
{
    g_ptr_array_free(test_virtio(obj)->popped, true);
}

static void test_virtio_class_init(ObjectClass *klass, void *data)
{
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_CLASS(klass);

    vdc->realize = test_virtio_realize;
    vdc->unrealize = test_virtio_unrealize;
    vdc->get_features = test_virtio_get_features;
    vdc->validate_features = test_virtio_validate_features;
    vdc->get_config = test_virtio_get_config;
    vdc->set_config = test_virtio_set_config;
}

static const TypeInfo test_types[] = {
    {
        .name = TYPE_TEST_VIRTIO_BUS,
        .parent = TYPE_VIRTIO_BUS,
        .instance_size = sizeof(VirtioBusState),
        .class_size = sizeof(VirtioBusClass),
        .class_init = test_bus_class_init,
    },
    {
        .name = TYPE_TEST_TRANSPORT,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(TestTransport),
        .class_init = test_transport_class_init,
    },
    {
        .name = TYPE_TEST_VIRTIO,
        .parent = TYPE_VIRTIO_DEVICE,
        .instance_size = sizeof(TestVirtio),
        .instance_init = test_virtio_instance_init,
        .instance_finalize = test_virtio_instance_finalize,
        .class_init = test_virtio_class_init,
    },
};

DEFINE_TYPES(test_types)

/* --- Fixture ---------------------------------------------------------- */

typedef struct Fixture {
    DeviceState *transport;
    TestVirtio *t;
    VirtIODevice *vdev;
    uint8_t *ram0_ptr;
    uint8_t *ram1_ptr;
    GString *errors;            /* captured error_report() output */
    uint16_t avail_idx;         /* the "driver's" next avail idx */
} Fixture;

static uint64_t mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void mmio_write(void *opaque, hwaddr addr, uint64_t v, unsigned size)
{
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
};

static uint16_t guest_lduw(hwaddr addr)
{
    return lduw_le_phys(&test_as, addr);
}

static uint32_t guest_ldl(hwaddr addr)
{
    return ldl_le_phys(&test_as, addr);
}

static void write_desc(hwaddr table, unsigned int i, uint64_t addr,
                       uint32_t len, uint16_t flags, uint16_t next)
{
    stq_le_phys(&test_as, table + 16 * i, addr);
    stl_le_phys(&test_as, table + 16 * i + 8, len);
    stw_le_phys(&test_as, table + 16 * i + 12, flags);
    stw_le_phys(&test_as, table + 16 * i + 14, next);
}

/* Make chain @head available and kick the queue. */
static void submit(Fixture *f, uint16_t head)
{
    stw_le_phys(&test_as, AVAIL_ADDR + 4 + 2 * (f->avail_idx % QSIZE), head);
    f->avail_idx++;
    stw_le_phys(&test_as, AVAIL_ADDR + 2, f->avail_idx);
    virtio_queue_notify(f->vdev, 0);
}

static uint16_t used_idx(void)
{
    return guest_lduw(USED_ADDR + 2);
}

static void driver_setup(Fixture *f, uint64_t features)
{
    VirtIODevice *vdev = f->vdev;

    g_assert_cmpint(virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                                      VIRTIO_CONFIG_S_DRIVER), ==, 0);
    g_assert_cmpint(virtio_set_features(vdev, features), ==, 0);
    g_assert_cmpint(virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                                      VIRTIO_CONFIG_S_DRIVER |
                                      VIRTIO_CONFIG_S_FEATURES_OK), ==, 0);
    /* Rings start zeroed, as a driver allocates them. */
    memset(f->ram0_ptr + DESC_ADDR, 0, 0x4000);
    f->avail_idx = 0;
    virtio_queue_set_num(vdev, 0, QSIZE);
    virtio_queue_set_rings(vdev, 0, DESC_ADDR, AVAIL_ADDR, USED_ADDR);
    virtio_queue_enable(vdev, 0);
    g_assert_cmpint(virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                                      VIRTIO_CONFIG_S_DRIVER |
                                      VIRTIO_CONFIG_S_FEATURES_OK |
                                      VIRTIO_CONFIG_S_DRIVER_OK), ==, 0);
}

#define BASE_FEATURES (1ULL << VIRTIO_F_VERSION_1)

static void fixture_setup(Fixture *f, gconstpointer data)
{
    memset(f, 0, sizeof(*f));
    memory_region_init(&root, NULL, "test-root", UINT64_MAX);
    memory_region_init_ram(&ram0, NULL, "ram0", RAM0_SIZE, &error_abort);
    memory_region_init_ram(&ram1, NULL, "ram1", RAM1_SIZE, &error_abort);
    memory_region_init_io(&mmio, NULL, &mmio_ops, NULL, "mmio", MMIO_SIZE);
    memory_region_add_subregion(&root, RAM0_BASE, &ram0);
    memory_region_add_subregion(&root, RAM1_BASE, &ram1);
    memory_region_add_subregion(&root, MMIO_BASE, &mmio);
    memory_region_init_rom(&rom, NULL, "rom", ROM_SIZE, &error_abort);
    memory_region_add_subregion(&root, ROM_BASE, &rom);
    address_space_init(&test_as, &root, "test");
    f->ram0_ptr = memory_region_get_ram_ptr(&ram0);
    f->ram1_ptr = memory_region_get_ram_ptr(&ram1);

    f->transport = qdev_new(TYPE_TEST_TRANSPORT);
    qdev_realize(f->transport, NULL, &error_abort);
    f->t = test_virtio(qdev_new(TYPE_TEST_VIRTIO));
    f->vdev = VIRTIO_DEVICE(f->t);
    qdev_realize(DEVICE(f->t), BUS(&transport_of(f->transport)->bus),
                 &error_abort);
    f->t->auto_push = true;

    f->errors = g_string_new("");
    error_report_set_capture(f->errors);
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    error_report_set_capture(NULL);
    g_string_free(f->errors, true);
    qdev_unrealize(DEVICE(f->t));
    object_unparent(OBJECT(f->t));
    object_unref(OBJECT(f->t));
    qdev_unrealize(f->transport);
    object_unparent(OBJECT(f->transport));
    object_unref(OBJECT(f->transport));

    address_space_destroy(&test_as);
    memory_region_del_subregion(&root, &ram0);
    memory_region_del_subregion(&root, &ram1);
    memory_region_del_subregion(&root, &mmio);
    memory_region_del_subregion(&root, &rom);
    object_unref(OBJECT(&rom));
    object_unref(OBJECT(&ram0));
    object_unref(OBJECT(&ram1));
    object_unref(OBJECT(&mmio));
    object_unref(OBJECT(&root));
}

static VirtQueueElement *popped(Fixture *f, unsigned int i)
{
    g_assert_cmpuint(f->t->popped->len, >, i);
    return g_ptr_array_index(f->t->popped, i);
}

/* --- Tests: plugging, features, status -------------------------------- */

static void test_plugged(Fixture *f, gconstpointer data)
{
    VirtIODevice *vdev = f->vdev;

    g_assert_cmpuint(vdev->device_id, ==, TEST_DEVICE_ID);
    g_assert_true(vdev->dma_as == &test_as);
    /* Core features, the transport's VERSION_1, the device's bit 0. */
    g_assert_cmphex(vdev->host_features, ==,
                    (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |
                    (1ULL << VIRTIO_RING_F_EVENT_IDX) |
                    (1ULL << VIRTIO_F_VERSION_1) | 1);
    g_assert_cmpint(virtio_get_num_queues(vdev), ==, 1);
    g_assert_cmpint(virtio_queue_get_num(vdev, 0), ==, QSIZE);
    g_assert_cmpint(virtio_queue_get_max_num(vdev, 0), ==, QSIZE);
    g_assert_cmpint(virtio_queue_get_num(vdev, 1), ==, 0);
    g_assert_cmpuint(vdev->config_vector, ==, VIRTIO_NO_VECTOR);
    g_assert_true(virtio_bus_get_device(&transport_of(f->transport)->bus) ==
                  vdev);
}

static void test_features(Fixture *f, gconstpointer data)
{
    VirtIODevice *vdev = f->vdev;

    /* Bits not offered are dropped and reported. */
    g_assert_cmpint(virtio_set_features(vdev, BASE_FEATURES | (1ULL << 50)),
                    ==, -1);
    g_assert_cmphex(vdev->guest_features, ==, BASE_FEATURES);
    g_assert_true(virtio_vdev_has_feature(vdev, VIRTIO_F_VERSION_1));
    g_assert_false(virtio_vdev_has_feature(vdev, 50));
    g_assert_true(virtio_host_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX));
    g_assert_cmpint(virtio_set_features(vdev, BASE_FEATURES | 1), ==, 0);
    g_assert_cmphex(vdev->guest_features, ==, BASE_FEATURES | 1);
}

static void test_features_ok_needs_version_1(Fixture *f, gconstpointer data)
{
    VirtIODevice *vdev = f->vdev;
    uint8_t s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

    virtio_set_status(vdev, s);
    virtio_set_features(vdev, 1);
    g_assert_cmpint(virtio_set_status(vdev, s | VIRTIO_CONFIG_S_FEATURES_OK),
                    ==, -EINVAL);
    g_assert_cmphex(vdev->status, ==, s);

    virtio_set_features(vdev, BASE_FEATURES);
    g_assert_cmpint(virtio_set_status(vdev, s | VIRTIO_CONFIG_S_FEATURES_OK),
                    ==, 0);
    g_assert_cmphex(vdev->status, ==, s | VIRTIO_CONFIG_S_FEATURES_OK);
    /* Features are frozen once FEATURES_OK is set. */
    g_assert_cmpint(virtio_set_features(vdev, BASE_FEATURES | 1), ==,
                    -EINVAL);
    g_assert_cmphex(vdev->guest_features, ==, BASE_FEATURES);
}

static void test_validate_features(Fixture *f, gconstpointer data)
{
    VirtIODevice *vdev = f->vdev;
    uint8_t s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

    f->t->require_bit0 = true;
    virtio_set_status(vdev, s);
    virtio_set_features(vdev, BASE_FEATURES);
    g_assert_cmpint(virtio_set_status(vdev, s | VIRTIO_CONFIG_S_FEATURES_OK),
                    !=, 0);
    g_assert_cmphex(vdev->status, ==, s);
    virtio_set_features(vdev, BASE_FEATURES | 1);
    g_assert_cmpint(virtio_set_status(vdev, s | VIRTIO_CONFIG_S_FEATURES_OK),
                    ==, 0);
    g_assert_cmphex(vdev->status, ==, s | VIRTIO_CONFIG_S_FEATURES_OK);
}

static void test_config_space(Fixture *f, gconstpointer data)
{
    VirtIODevice *vdev = f->vdev;
    static const uint8_t cfg[TEST_CONFIG_SIZE] = {
        0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88
    };

    memcpy(f->t->config, cfg, sizeof(cfg));
    g_assert_cmpuint(virtio_config_len(vdev), ==, TEST_CONFIG_SIZE);
    g_assert_cmphex(virtio_config_modern_readb(vdev, 1), ==, 0x22);
    g_assert_cmphex(virtio_config_modern_readw(vdev, 2), ==, 0x4433);
    g_assert_cmphex(virtio_config_modern_readl(vdev, 4), ==, 0x88776655);
    /* Out of range: all ones, writes ignored. */
    g_assert_cmphex(virtio_config_modern_readl(vdev, 6), ==, 0xffffffff);
    g_assert_cmphex(virtio_config_modern_readb(vdev, 8), ==, 0xffffffff);
    virtio_config_modern_writel(vdev, 6, 0);
    g_assert_cmpuint(f->t->set_config_calls, ==, 0);

    virtio_config_modern_writew(vdev, 0, 0xbeef);
    g_assert_cmpuint(f->t->set_config_calls, ==, 1);
    g_assert_cmphex(f->t->config[0], ==, 0xef);
    g_assert_cmphex(f->t->config[1], ==, 0xbe);
    g_assert_cmphex(f->t->config[2], ==, 0x33);
}

static void test_notify_config(Fixture *f, gconstpointer data)
{
    VirtIODevice *vdev = f->vdev;
    TestTransport *tr = transport_of(f->transport);
    unsigned int before = tr->notifications;

    /* Before DRIVER_OK: nothing at all. */
    virtio_notify_config(vdev);
    g_assert_cmpuint(vdev->generation, ==, 0);
    g_assert_cmphex(vdev->isr, ==, 0);
    g_assert_cmpuint(tr->notifications, ==, before);

    driver_setup(f, BASE_FEATURES);
    before = tr->notifications;
    virtio_notify_config(vdev);
    g_assert_cmpuint(vdev->generation, ==, 1);
    /* Both ISR bits, as QEMU (INTx follows bit 0). */
    g_assert_cmphex(vdev->isr, ==, VIRTIO_ISR_CONFIG | VIRTIO_ISR_QUEUE);
    g_assert_cmpuint(tr->notifications, ==, before + 1);
    g_assert_cmphex(virtio_isr_read_and_clear(vdev), ==, 3);
    g_assert_cmphex(vdev->isr, ==, 0);
}

/* --- Tests: requests -------------------------------------------------- */

static void test_simple_chain(Fixture *f, gconstpointer data)
{
    TestTransport *tr = transport_of(f->transport);
    VirtQueueElement *e;
    char out[16];

    driver_setup(f, BASE_FEATURES);
    memcpy(f->ram0_ptr + BUF_ADDR, "hello ", 6);
    memcpy(f->ram0_ptr + BUF_ADDR + 0x100, "world", 5);
    write_desc(DESC_ADDR, 3, BUF_ADDR, 6, VRING_DESC_F_NEXT, 5);
    write_desc(DESC_ADDR, 5, BUF_ADDR + 0x100, 5, VRING_DESC_F_NEXT, 0);
    write_desc(DESC_ADDR, 0, BUF_ADDR + 0x200, 64, VRING_DESC_F_WRITE, 0);
    tr->notifications = 0;
    submit(f, 3);

    g_assert_cmpuint(f->t->popped->len, ==, 1);
    e = popped(f, 0);
    g_assert_cmpuint(e->index, ==, 3);
    g_assert_cmpuint(e->ndescs, ==, 3);
    g_assert_cmpuint(e->out_num, ==, 2);
    g_assert_cmpuint(e->in_num, ==, 1);
    /* iovecs are host pointers into guest RAM. */
    g_assert_true(e->out_sg[0].iov_base == f->ram0_ptr + BUF_ADDR);
    g_assert_cmpuint(e->out_sg[0].iov_len, ==, 6);
    g_assert_true(e->out_sg[1].iov_base == f->ram0_ptr + BUF_ADDR + 0x100);
    g_assert_cmpuint(e->out_sg[1].iov_len, ==, 5);
    g_assert_cmphex(e->out_addr[1], ==, BUF_ADDR + 0x100);
    g_assert_true(e->in_sg[0].iov_base == f->ram0_ptr + BUF_ADDR + 0x200);
    g_assert_cmphex(e->in_addr[0], ==, BUF_ADDR + 0x200);
    g_assert_cmpuint(iov_size(e->out_sg, e->out_num), ==, 11);
    g_assert_cmpuint(iov_to_buf(e->out_sg, e->out_num, 0, out, sizeof(out)),
                     ==, 11);
    g_assert_cmpmem(out, 11, "hello world", 11);

    /* The used ring: one element {id 3, len 5}, and an interrupt. */
    g_assert_cmpuint(used_idx(), ==, 1);
    g_assert_cmpuint(guest_ldl(USED_ADDR + 4), ==, 3);
    g_assert_cmpuint(guest_ldl(USED_ADDR + 8), ==, sizeof(reply));
    g_assert_cmpstr((char *)f->ram0_ptr + BUF_ADDR + 0x200, ==, reply);
    g_assert_cmphex(f->vdev->isr, ==, VIRTIO_ISR_QUEUE);
    g_assert_cmpuint(tr->notifications, ==, 1);
    g_assert_cmpstr(f->errors->str, ==, "");
    g_assert_true(virtio_queue_empty(f->t->vq));
}

static void test_buffer_across_ram_regions(Fixture *f, gconstpointer data)
{
    VirtQueueElement *e;

    driver_setup(f, BASE_FEATURES);
    /* 0x100 bytes at the end of ram0 + 0x100 at the start of ram1. */
    write_desc(DESC_ADDR, 0, RAM1_BASE - 0x100, 0x200, 0, 0);
    submit(f, 0);
    e = popped(f, 0);
    g_assert_cmpuint(e->ndescs, ==, 1);
    g_assert_cmpuint(e->out_num, ==, 2);
    g_assert_true(e->out_sg[0].iov_base == f->ram0_ptr + RAM0_SIZE - 0x100);
    g_assert_cmpuint(e->out_sg[0].iov_len, ==, 0x100);
    g_assert_true(e->out_sg[1].iov_base == f->ram1_ptr);
    g_assert_cmpuint(e->out_sg[1].iov_len, ==, 0x100);
    g_assert_cmphex(e->out_addr[0], ==, RAM1_BASE - 0x100);
    g_assert_cmphex(e->out_addr[1], ==, RAM1_BASE);
    g_assert_cmpuint(used_idx(), ==, 1);
}

static void test_readable_buffer_in_rom(Fixture *f, gconstpointer data)
{
    VirtQueueElement *e;

    driver_setup(f, BASE_FEATURES);
    write_desc(DESC_ADDR, 0, ROM_BASE, 0x10, 0, 0);
    submit(f, 0);
    e = popped(f, 0);
    g_assert_cmpuint(e->out_num, ==, 1);
    g_assert_true(e->out_sg[0].iov_base == memory_region_get_ram_ptr(&rom));
    g_assert_false(f->vdev->broken);
}

static void test_full_length_chain(Fixture *f, gconstpointer data)
{
    VirtQueueElement *e;
    unsigned int i;

    driver_setup(f, BASE_FEATURES);
    /* A chain as long as the queue is valid. */
    for (i = 0; i < QSIZE; i++) {
        write_desc(DESC_ADDR, i, BUF_ADDR + 0x100 * i, 0x10,
                   (i < QSIZE - 1 ? VRING_DESC_F_NEXT : 0) |
                   (i >= 4 ? VRING_DESC_F_WRITE : 0), i + 1);
    }
    submit(f, 0);
    e = popped(f, 0);
    g_assert_cmpuint(e->out_num, ==, 4);
    g_assert_cmpuint(e->in_num, ==, 4);
    g_assert_cmpuint(e->ndescs, ==, QSIZE);
    g_assert_false(f->vdev->broken);
}

static void test_indirect(Fixture *f, gconstpointer data)
{
    VirtQueueElement *e;

    driver_setup(f, BASE_FEATURES | (1ULL << VIRTIO_RING_F_INDIRECT_DESC));
    write_desc(INDIRECT_ADDR, 0, BUF_ADDR, 0x20, VRING_DESC_F_NEXT, 2);
    write_desc(INDIRECT_ADDR, 2, BUF_ADDR + 0x100, 0x30,
               VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
    write_desc(INDIRECT_ADDR, 1, BUF_ADDR + 0x200, 0x40,
               VRING_DESC_F_WRITE, 0);
    write_desc(DESC_ADDR, 6, INDIRECT_ADDR, 3 * 16, VRING_DESC_F_INDIRECT, 0);
    submit(f, 6);

    e = popped(f, 0);
    g_assert_cmpuint(e->index, ==, 6);
    g_assert_cmpuint(e->ndescs, ==, 3);
    g_assert_cmpuint(e->out_num, ==, 1);
    g_assert_cmpuint(e->in_num, ==, 2);
    g_assert_true(e->out_sg[0].iov_base == f->ram0_ptr + BUF_ADDR);
    g_assert_cmpuint(e->out_sg[0].iov_len, ==, 0x20);
    g_assert_true(e->in_sg[0].iov_base == f->ram0_ptr + BUF_ADDR + 0x100);
    g_assert_cmpuint(e->in_sg[0].iov_len, ==, 0x30);
    g_assert_true(e->in_sg[1].iov_base == f->ram0_ptr + BUF_ADDR + 0x200);
    g_assert_cmpuint(guest_ldl(USED_ADDR + 4), ==, 6);
    g_assert_cmpstr(f->errors->str, ==, "");
}

static void test_no_interrupt_flag(Fixture *f, gconstpointer data)
{
    TestTransport *tr = transport_of(f->transport);

    driver_setup(f, BASE_FEATURES);
    stw_le_phys(&test_as, AVAIL_ADDR, VRING_AVAIL_F_NO_INTERRUPT);
    write_desc(DESC_ADDR, 0, BUF_ADDR, 0x10, VRING_DESC_F_WRITE, 0);
    tr->notifications = 0;
    submit(f, 0);
    g_assert_cmpuint(used_idx(), ==, 1);
    g_assert_cmphex(f->vdev->isr, ==, 0);
    g_assert_cmpuint(tr->notifications, ==, 0);

    stw_le_phys(&test_as, AVAIL_ADDR, 0);
    submit(f, 0);
    g_assert_cmpuint(used_idx(), ==, 2);
    g_assert_cmphex(f->vdev->isr, ==, VIRTIO_ISR_QUEUE);
    g_assert_cmpuint(tr->notifications, ==, 1);
}

static void test_event_idx(Fixture *f, gconstpointer data)
{
    TestTransport *tr = transport_of(f->transport);
    hwaddr used_event = AVAIL_ADDR + 4 + 2 * QSIZE;
    hwaddr avail_event = USED_ADDR + 4 + 8 * QSIZE;

    driver_setup(f, BASE_FEATURES | (1ULL << VIRTIO_RING_F_EVENT_IDX));
    write_desc(DESC_ADDR, 0, BUF_ADDR, 0x10, VRING_DESC_F_WRITE, 0);
    /* NO_INTERRUPT is ignored with EVENT_IDX. */
    stw_le_phys(&test_as, AVAIL_ADDR, VRING_AVAIL_F_NO_INTERRUPT);
    tr->notifications = 0;

    /* used_event 0: interrupt when used idx moves past 0. */
    stw_le_phys(&test_as, used_event, 0);
    submit(f, 0);
    g_assert_cmpuint(used_idx(), ==, 1);
    g_assert_cmpuint(tr->notifications, ==, 1);
    /* The device asks to be kicked for the next avail entry. */
    g_assert_cmpuint(guest_lduw(avail_event), ==, 1);

    /* used_event 3: no interrupt for used idx 2 and 3... */
    stw_le_phys(&test_as, used_event, 3);
    virtio_isr_read_and_clear(f->vdev);
    submit(f, 0);
    g_assert_cmpuint(used_idx(), ==, 2);
    submit(f, 0);
    g_assert_cmpuint(used_idx(), ==, 3);
    g_assert_cmpuint(tr->notifications, ==, 1);
    g_assert_cmphex(f->vdev->isr, ==, 0);
    /* ...but when it moves from 3 to 4. */
    submit(f, 0);
    g_assert_cmpuint(used_idx(), ==, 4);
    g_assert_cmpuint(tr->notifications, ==, 2);
    g_assert_cmphex(f->vdev->isr, ==, VIRTIO_ISR_QUEUE);
    g_assert_cmpuint(guest_lduw(avail_event), ==, 4);
}

static void test_set_notification(Fixture *f, gconstpointer data)
{
    driver_setup(f, BASE_FEATURES);
    virtio_queue_set_notification(f->t->vq, 0);
    g_assert_cmphex(guest_lduw(USED_ADDR), ==, VRING_USED_F_NO_NOTIFY);
    virtio_queue_set_notification(f->t->vq, 1);
    g_assert_cmphex(guest_lduw(USED_ADDR), ==, 0);
}

static void test_manual_fill_flush(Fixture *f, gconstpointer data)
{
    VirtQueueElement *a, *b;

    f->t->auto_push = false;
    driver_setup(f, BASE_FEATURES);
    write_desc(DESC_ADDR, 0, BUF_ADDR, 0x10, VRING_DESC_F_WRITE, 0);
    write_desc(DESC_ADDR, 1, BUF_ADDR + 0x10, 0x10, VRING_DESC_F_WRITE, 0);
    stw_le_phys(&test_as, AVAIL_ADDR + 4, 0);
    stw_le_phys(&test_as, AVAIL_ADDR + 6, 1);
    f->avail_idx = 2;
    stw_le_phys(&test_as, AVAIL_ADDR + 2, 2);
    virtio_queue_notify(f->vdev, 0);
    a = popped(f, 0);
    b = popped(f, 1);
    /* Complete out of order, publish both at once. */
    virtqueue_fill(f->t->vq, b, 7, 0);
    virtqueue_fill(f->t->vq, a, 9, 1);
    g_assert_cmpuint(used_idx(), ==, 0);
    virtqueue_flush(f->t->vq, 2);
    g_assert_cmpuint(used_idx(), ==, 2);
    g_assert_cmpuint(guest_ldl(USED_ADDR + 4), ==, 1);
    g_assert_cmpuint(guest_ldl(USED_ADDR + 8), ==, 7);
    g_assert_cmpuint(guest_ldl(USED_ADDR + 12), ==, 0);
    g_assert_cmpuint(guest_ldl(USED_ADDR + 16), ==, 9);
}

static void test_not_before_driver_ok(Fixture *f, gconstpointer data)
{
    VirtIODevice *vdev = f->vdev;

    driver_setup(f, BASE_FEATURES);
    virtio_set_status(vdev, vdev->status & ~VIRTIO_CONFIG_S_DRIVER_OK);
    write_desc(DESC_ADDR, 0, BUF_ADDR, 0x10, 0, 0);
    submit(f, 0);
    g_assert_cmpuint(f->t->kicks, ==, 0);
    g_assert_null(virtqueue_pop(f->t->vq, sizeof(VirtQueueElement)));
    g_assert_cmpuint(used_idx(), ==, 0);
}

/* --- Tests: malformed requests ---------------------------------------- */

typedef struct BadChain {
    const char *name;
    uint64_t features;
    void (*build)(Fixture *f);  /* writes descriptors, returns head 0 */
    uint16_t head;
    const char *error;          /* expected error_report() line */
} BadChain;

static void build_loop(Fixture *f)
{
    write_desc(DESC_ADDR, 0, BUF_ADDR, 0x10, VRING_DESC_F_NEXT, 1);
    write_desc(DESC_ADDR, 1, BUF_ADDR, 0x10, VRING_DESC_F_NEXT, 0);
}

static void build_self_loop(Fixture *f)
{
    write_desc(DESC_ADDR, 0, BUF_ADDR, 0x10, VRING_DESC_F_NEXT, 0);
}

static void build_next_out_of_range(Fixture *f)
{
    write_desc(DESC_ADDR, 0, BUF_ADDR, 0x10, VRING_DESC_F_NEXT, QSIZE);
}

static void build_out_after_in(Fixture *f)
{
    write_desc(DESC_ADDR, 0, BUF_ADDR, 0x10,
               VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
    write_desc(DESC_ADDR, 1, BUF_ADDR + 0x10, 0x10, 0, 0);
}

static void build_zero_length(Fixture *f)
{
    write_desc(DESC_ADDR, 0, BUF_ADDR, 0, 0, 0);
}

static void build_in_mmio(Fixture *f)
{
    write_desc(DESC_ADDR, 0, MMIO_BASE, 0x10, VRING_DESC_F_WRITE, 0);
}

static void build_writable_in_rom(Fixture *f)
{
    write_desc(DESC_ADDR, 0, ROM_BASE, 0x10, VRING_DESC_F_WRITE, 0);
}

static void build_in_hole(Fixture *f)
{
    write_desc(DESC_ADDR, 0, HOLE_BASE, 0x10, 0, 0);
}

static void build_past_ram_end(Fixture *f)
{
    /* Starts in ram1, runs into the MMIO region. */
    write_desc(DESC_ADDR, 0, MMIO_BASE - 0x10, 0x20, 0, 0);
}

static void build_wrapping(Fixture *f)
{
    write_desc(DESC_ADDR, 0, UINT64_MAX - 0xf, 0x20, 0, 0);
}

static void build_indirect_bad_size(Fixture *f)
{
    write_desc(INDIRECT_ADDR, 0, BUF_ADDR, 0x10, 0, 0);
    write_desc(DESC_ADDR, 0, INDIRECT_ADDR, 24, VRING_DESC_F_INDIRECT, 0);
}

static void build_indirect_empty(Fixture *f)
{
    write_desc(DESC_ADDR, 0, INDIRECT_ADDR, 0, VRING_DESC_F_INDIRECT, 0);
}

static void build_indirect_nested(Fixture *f)
{
    write_desc(INDIRECT_ADDR, 0, INDIRECT_ADDR + 0x100, 16,
               VRING_DESC_F_INDIRECT, 0);
    write_desc(INDIRECT_ADDR + 0x100, 0, BUF_ADDR, 0x10, 0, 0);
    write_desc(DESC_ADDR, 0, INDIRECT_ADDR, 16, VRING_DESC_F_INDIRECT, 0);
}

static void build_indirect_loop(Fixture *f)
{
    write_desc(INDIRECT_ADDR, 0, BUF_ADDR, 0x10, VRING_DESC_F_NEXT, 1);
    write_desc(INDIRECT_ADDR, 1, BUF_ADDR, 0x10, VRING_DESC_F_NEXT, 0);
    write_desc(DESC_ADDR, 0, INDIRECT_ADDR, 32, VRING_DESC_F_INDIRECT, 0);
}

static void build_indirect_next_out_of_table(Fixture *f)
{
    write_desc(INDIRECT_ADDR, 0, BUF_ADDR, 0x10, VRING_DESC_F_NEXT, 2);
    write_desc(INDIRECT_ADDR, 1, BUF_ADDR, 0x10, 0, 0);
    write_desc(INDIRECT_ADDR, 2, BUF_ADDR, 0x10, 0, 0);
    write_desc(DESC_ADDR, 0, INDIRECT_ADDR, 32, VRING_DESC_F_INDIRECT, 0);
}

static void build_indirect_table_not_ram(Fixture *f)
{
    write_desc(DESC_ADDR, 0, HOLE_BASE, 32, VRING_DESC_F_INDIRECT, 0);
}

static void build_indirect_table_wraps(Fixture *f)
{
    write_desc(DESC_ADDR, 0, UINT64_MAX - 15, 32, VRING_DESC_F_INDIRECT, 0);
}

static void build_indirect_in_chain(Fixture *f)
{
    write_desc(INDIRECT_ADDR, 0, BUF_ADDR, 0x10, 0, 0);
    write_desc(DESC_ADDR, 0, BUF_ADDR, 0x10, VRING_DESC_F_NEXT, 1);
    write_desc(DESC_ADDR, 1, INDIRECT_ADDR, 16, VRING_DESC_F_INDIRECT, 0);
}

static void build_indirect_with_next(Fixture *f)
{
    write_desc(INDIRECT_ADDR, 0, BUF_ADDR, 0x10, 0, 0);
    write_desc(DESC_ADDR, 0, INDIRECT_ADDR, 16,
               VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
    write_desc(DESC_ADDR, 1, BUF_ADDR, 0x10, 0, 0);
}

static void build_valid(Fixture *f)
{
    write_desc(DESC_ADDR, 0, BUF_ADDR, 0x10, VRING_DESC_F_WRITE, 0);
}

#define INDIRECT (BASE_FEATURES | (1ULL << VIRTIO_RING_F_INDIRECT_DESC))

static const BadChain bad_chains[] = {
    { "loop", BASE_FEATURES, build_loop, 0,
      "virtio: looped descriptor" },
    { "self-loop", BASE_FEATURES, build_self_loop, 0,
      "virtio: looped descriptor" },
    { "next-out-of-range", BASE_FEATURES, build_next_out_of_range, 0,
      "virtio: desc next is 8" },
    { "head-out-of-range", BASE_FEATURES, build_valid, QSIZE,
      "virtio: guest says index 8 is available" },
    { "out-after-in", BASE_FEATURES, build_out_after_in, 0,
      "virtio: incorrect order for descriptors" },
    { "zero-length", BASE_FEATURES, build_zero_length, 0,
      "virtio: zero sized buffers are not allowed" },
    { "buffer-in-mmio", BASE_FEATURES, build_in_mmio, 0,
      "virtio: bogus descriptor or out of resources: 0x200000+0x10" },
    { "writable-buffer-in-rom", BASE_FEATURES, build_writable_in_rom, 0,
      "virtio: bogus descriptor or out of resources: 0x280000+0x10" },
    { "buffer-in-hole", BASE_FEATURES, build_in_hole, 0,
      "virtio: bogus descriptor or out of resources: 0x300000+0x10" },
    { "buffer-past-ram", BASE_FEATURES, build_past_ram_end, 0,
      "virtio: bogus descriptor or out of resources: 0x1ffff0+0x20" },
    { "buffer-wraps", BASE_FEATURES, build_wrapping, 0,
      "virtio: bogus descriptor or out of resources: "
      "0xfffffffffffffff0+0x20" },
    { "indirect-not-negotiated", BASE_FEATURES, build_indirect_loop, 0,
      "virtio: indirect descriptor not negotiated" },
    { "indirect-bad-size", INDIRECT, build_indirect_bad_size, 0,
      "virtio: invalid size for indirect buffer table" },
    { "indirect-empty", INDIRECT, build_indirect_empty, 0,
      "virtio: invalid size for indirect buffer table" },
    { "indirect-nested", INDIRECT, build_indirect_nested, 0,
      "virtio: nested indirect descriptor" },
    { "indirect-loop", INDIRECT, build_indirect_loop, 0,
      "virtio: looped descriptor" },
    { "indirect-next-out-of-table", INDIRECT,
      build_indirect_next_out_of_table, 0, "virtio: desc next is 2" },
    { "indirect-table-not-ram", INDIRECT, build_indirect_table_not_ram, 0,
      "virtio: cannot read indirect descriptor table" },
    { "indirect-table-wraps", INDIRECT, build_indirect_table_wraps, 0,
      "virtio: invalid size for indirect buffer table" },
    { "indirect-inside-chain", INDIRECT, build_indirect_in_chain, 0,
      "virtio: indirect descriptor inside a chain" },
    { "indirect-with-next", INDIRECT, build_indirect_with_next, 0,
      "virtio: indirect descriptor with next flag" },
};

/* The device is broken: NEEDS_RESET, config interrupt, nothing popped. */
static void assert_broken(Fixture *f, const char *error)
{
    g_autofree char *line = g_strdup_printf("sparsevm: %s\n", error);

    g_assert_true(f->vdev->broken);
    g_assert_true(f->vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_true(f->vdev->status & VIRTIO_CONFIG_S_DRIVER_OK);
    g_assert_cmphex(f->vdev->isr, ==, VIRTIO_ISR_CONFIG | VIRTIO_ISR_QUEUE);
    g_assert_cmpuint(f->vdev->generation, ==, 1);
    g_assert_cmpuint(f->t->popped->len, ==, 0);
    g_assert_cmpuint(used_idx(), ==, 0);
    g_assert_cmpstr(f->errors->str, ==, line);
}

/* After a reset and a new driver setup the device works again. */
static void assert_recovers(Fixture *f)
{
    unsigned int popped_before;

    virtio_reset(f->vdev);
    g_assert_false(f->vdev->broken);
    g_assert_cmphex(f->vdev->status, ==, 0);
    g_assert_cmphex(f->vdev->isr, ==, 0);
    g_assert_false(virtio_queue_ready(f->t->vq));
    popped_before = f->t->popped->len;
    driver_setup(f, BASE_FEATURES);
    build_valid(f);
    submit(f, 0);
    g_assert_cmpuint(f->t->popped->len, ==, popped_before + 1);
    g_assert_cmpuint(used_idx(), ==, 1);
}

static void test_bad_chain(Fixture *f, gconstpointer data)
{
    const BadChain *bc = data;
    unsigned int kicks;

    driver_setup(f, bc->features);
    bc->build(f);
    submit(f, bc->head);
    assert_broken(f, bc->error);

    /* A valid request afterwards is not processed. */
    kicks = f->t->kicks;
    build_valid(f);
    submit(f, 0);
    g_assert_cmpuint(f->t->kicks, ==, kicks);
    g_assert_null(virtqueue_pop(f->t->vq, sizeof(VirtQueueElement)));
    g_assert_true(virtio_queue_empty(f->t->vq));
    g_assert_cmpuint(used_idx(), ==, 0);

    assert_recovers(f);
}

static void test_avail_idx_jump(Fixture *f, gconstpointer data)
{
    driver_setup(f, BASE_FEATURES);
    build_valid(f);
    stw_le_phys(&test_as, AVAIL_ADDR + 2, QSIZE + 1);
    virtio_queue_notify(f->vdev, 0);
    assert_broken(f, "virtio: guest moved avail index from 0 to 9");
    assert_recovers(f);
}

static void test_rings_not_in_ram(Fixture *f, gconstpointer data)
{
    VirtIODevice *vdev = f->vdev;

    driver_setup(f, BASE_FEATURES);
    /* The avail ring in a hole. */
    virtio_queue_set_rings(vdev, 0, DESC_ADDR, HOLE_BASE, USED_ADDR);
    virtio_queue_notify(vdev, 0);
    g_assert_true(vdev->broken);
    g_assert_cmpstr(f->errors->str, ==,
                    "sparsevm: virtio: cannot access avail ring of queue 0\n");
    assert_recovers(f);

    /* Rings wrapping around the end of the address space. */
    g_string_truncate(f->errors, 0);
    virtio_queue_set_rings(vdev, 0, DESC_ADDR, UINT64_MAX - 1, USED_ADDR);
    virtio_queue_notify(vdev, 0);
    g_assert_true(vdev->broken);
    g_assert_cmpstr(f->errors->str, ==, "sparsevm: virtio: rings of queue 0 "
                    "wrap around the address space\n");
    assert_recovers(f);
    g_string_truncate(f->errors, 0);
    virtio_queue_set_rings(vdev, 0, UINT64_MAX - 0x7f, AVAIL_ADDR, USED_ADDR);
    submit(f, 0);
    g_assert_true(vdev->broken);
    g_assert_cmpstr(f->errors->str, ==, "sparsevm: virtio: rings of queue 0 "
                    "wrap around the address space\n");
    assert_recovers(f);

    /* The descriptor table in a hole. */
    g_string_truncate(f->errors, 0);
    virtio_queue_set_rings(vdev, 0, HOLE_BASE, AVAIL_ADDR, USED_ADDR);
    submit(f, 0);
    g_assert_true(vdev->broken);
    g_assert_cmpstr(f->errors->str, ==,
                    "sparsevm: virtio: cannot read descriptor 0\n");
}

static void test_error_from_device(Fixture *f, gconstpointer data)
{
    driver_setup(f, BASE_FEATURES);
    virtio_error(f->vdev, "test: %s %d", "bad request", 7);
    assert_broken(f, "test: bad request 7");
    assert_recovers(f);
}

static void add_fixture_test(const char *path, gconstpointer data,
                             void (*fn)(Fixture *, gconstpointer))
{
    g_test_add(path, Fixture, data, fixture_setup, fn, fixture_teardown);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    add_fixture_test("/virtqueue/plugged", NULL, test_plugged);
    add_fixture_test("/virtqueue/features", NULL, test_features);
    add_fixture_test("/virtqueue/features-ok-needs-version-1", NULL,
                     test_features_ok_needs_version_1);
    add_fixture_test("/virtqueue/validate-features", NULL,
                     test_validate_features);
    add_fixture_test("/virtqueue/config-space", NULL, test_config_space);
    add_fixture_test("/virtqueue/notify-config", NULL, test_notify_config);
    add_fixture_test("/virtqueue/simple-chain", NULL, test_simple_chain);
    add_fixture_test("/virtqueue/buffer-across-ram-regions", NULL,
                     test_buffer_across_ram_regions);
    add_fixture_test("/virtqueue/readable-buffer-in-rom", NULL,
                     test_readable_buffer_in_rom);
    add_fixture_test("/virtqueue/full-length-chain", NULL,
                     test_full_length_chain);
    add_fixture_test("/virtqueue/indirect", NULL, test_indirect);
    add_fixture_test("/virtqueue/no-interrupt-flag", NULL,
                     test_no_interrupt_flag);
    add_fixture_test("/virtqueue/event-idx", NULL, test_event_idx);
    add_fixture_test("/virtqueue/set-notification", NULL,
                     test_set_notification);
    add_fixture_test("/virtqueue/manual-fill-flush", NULL,
                     test_manual_fill_flush);
    add_fixture_test("/virtqueue/not-before-driver-ok", NULL,
                     test_not_before_driver_ok);
    for (size_t i = 0; i < ARRAY_SIZE(bad_chains); i++) {
        g_autofree char *path = g_strdup_printf("/virtqueue/malformed/%s",
                                                bad_chains[i].name);

        add_fixture_test(path, &bad_chains[i], test_bad_chain);
    }
    add_fixture_test("/virtqueue/malformed/avail-idx-jump", NULL,
                     test_avail_idx_jump);
    add_fixture_test("/virtqueue/malformed/rings-not-in-ram", NULL,
                     test_rings_not_in_ram);
    add_fixture_test("/virtqueue/error-from-device", NULL,
                     test_error_from_device);
    return g_test_run();
}
