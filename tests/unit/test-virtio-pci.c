/*
 * virtio-pci in-process: a test virtio device behind the modern PCI
 * transport on a bare PCI root bus decoding into system memory.  The
 * "driver" accesses config space through the device's config_read /
 * config_write hooks and BAR4 through address_space_memory.
 */
#include "qemu/osdep.h"

#include "exec/address-spaces.h"
#include "hw/pci/pci.h"
#include "hw/virtio/virtio-pci.h"
#include "qapi/error.h"
#include "qemu/error-report.h"

#define TYPE_TEST_HOST "test-pci-host"
#define TYPE_TEST_VDEV "test-vdev"
#define TYPE_TEST_VIRTIO_PCI_BASE "test-virtio-pci-base"
#define TYPE_TEST_VIRTIO_PCI "test-virtio-pci"
#define TEST_DEVICE_ID 42
#define TEST_QSIZE 16
#define TEST_DEVFN PCI_DEVFN(3, 0)

#define RAM_SIZE (16 * MiB)
#define BAR_ADDR 0x80000000ULL
#define RING_DESC 0x10000
#define RING_AVAIL 0x11000
#define RING_USED 0x12000
#define BUF_ADDR 0x20000

/* --- The test virtio device ----------------------------------------- */

typedef struct TestVdev {
    VirtIODevice parent_obj;
    VirtQueue *vq;
    uint32_t magic;             /* "magic" property, config space */
    unsigned int requests;
} TestVdev;

static TestVdev *test_vdev(const void *obj)
{
    return OBJECT_CHECK(TestVdev, obj, TYPE_TEST_VDEV);
}

static void test_vdev_handle(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtQueueElement *elem;

    while ((elem = virtqueue_pop(vq, sizeof(*elem)))) {
        uint32_t reply = 0xc0ffee;

        test_vdev(vdev)->requests++;
        iov_from_buf(elem->in_sg, elem->in_num, 0, &reply, sizeof(reply));
        virtqueue_push(vq, elem, sizeof(reply));
        g_free(elem);
    }
    virtio_notify(vdev, vq);
}

static void test_vdev_realize(DeviceState *dev, Error **errp)
{
    virtio_init(VIRTIO_DEVICE(dev), TEST_DEVICE_ID, sizeof(uint32_t));
    test_vdev(dev)->vq = virtio_add_queue(VIRTIO_DEVICE(dev), TEST_QSIZE,
                                          test_vdev_handle);
}

static void test_vdev_unrealize(DeviceState *dev)
{
    virtio_delete_queue(test_vdev(dev)->vq);
    virtio_cleanup(VIRTIO_DEVICE(dev));
}

static uint64_t test_vdev_get_features(VirtIODevice *vdev, uint64_t f,
                                       Error **errp)
{
    return f;
}

static void test_vdev_get_config(VirtIODevice *vdev, uint8_t *config)
{
    pci_set_long(config, test_vdev(vdev)->magic);
}

static uint64_t test_vdev_get_magic(Object *obj, Error **errp)
{
    return test_vdev(obj)->magic;
}

static void test_vdev_set_magic(Object *obj, uint64_t v, Error **errp)
{
    test_vdev(obj)->magic = v;
}

static void test_vdev_class_init(ObjectClass *klass, void *data)
{
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_CLASS(klass);

    vdc->realize = test_vdev_realize;
    vdc->unrealize = test_vdev_unrealize;
    vdc->get_features = test_vdev_get_features;
    vdc->get_config = test_vdev_get_config;
    object_class_property_add_uint64(klass, "magic", test_vdev_get_magic,
                                     test_vdev_set_magic);
}

/* --- Its PCI proxy --------------------------------------------------- */

typedef struct TestVirtioPCI {
    VirtIOPCIProxy parent_obj;
    TestVdev vdev;
} TestVirtioPCI;

static void test_virtio_pci_realize(VirtIOPCIProxy *vpci, Error **errp)
{
    TestVirtioPCI *dev = container_of(vpci, TestVirtioPCI, parent_obj);

    qdev_realize(DEVICE(&dev->vdev), BUS(&vpci->bus), errp);
}

static void test_virtio_pci_instance_init(Object *obj)
{
    TestVirtioPCI *dev = (TestVirtioPCI *)obj;

    virtio_instance_init_common(obj, &dev->vdev, sizeof(dev->vdev),
                                TYPE_TEST_VDEV);
}

static void test_virtio_pci_class_init(ObjectClass *klass, void *data)
{
    VIRTIO_PCI_CLASS(klass)->realize = test_virtio_pci_realize;
}

static const VirtioPCIDeviceTypeInfo test_virtio_pci_info = {
    .base_name = TYPE_TEST_VIRTIO_PCI_BASE,
    .generic_name = TYPE_TEST_VIRTIO_PCI,
    .instance_size = sizeof(TestVirtioPCI),
    .instance_init = test_virtio_pci_instance_init,
    .class_init = test_virtio_pci_class_init,
};

static const TypeInfo test_types[] = {
    {
        .name = TYPE_TEST_HOST,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(DeviceState),
    },
    {
        .name = TYPE_TEST_VDEV,
        .parent = TYPE_VIRTIO_DEVICE,
        .instance_size = sizeof(TestVdev),
        .class_init = test_vdev_class_init,
    },
};

static void register_test_types(void)
{
    type_register_static_array(test_types, ARRAY_SIZE(test_types));
    virtio_pci_types_register(&test_virtio_pci_info);
}

type_init(register_test_types)

/* --- Fixture ----------------------------------------------------------- */

typedef struct Fixture {
    DeviceState *host;
    PCIBus *bus;
    PCIDevice *pdev;
    TestVirtioPCI *dev;
    MemoryRegion ram;
    int irq_level;
    GString *errors;
} Fixture;

static void bus_set_irq(void *opaque, int irq_num, int level)
{
    ((Fixture *)opaque)->irq_level = level;
}

static int bus_map_irq(PCIDevice *pci_dev, int pin)
{
    return 0;
}

static uint32_t cfg_read(Fixture *f, uint32_t addr, int len)
{
    return f->pdev->config_read(f->pdev, addr, len);
}

static void cfg_write(Fixture *f, uint32_t addr, uint32_t val, int len)
{
    f->pdev->config_write(f->pdev, addr, val, len);
}

static uint32_t bar_readl(hwaddr off)
{
    return ldl_le_phys(&address_space_memory, BAR_ADDR + off);
}

static uint16_t bar_readw(hwaddr off)
{
    return lduw_le_phys(&address_space_memory, BAR_ADDR + off);
}

static uint8_t bar_readb(hwaddr off)
{
    return ldub_phys(&address_space_memory, BAR_ADDR + off);
}

static void bar_writel(hwaddr off, uint32_t v)
{
    stl_le_phys(&address_space_memory, BAR_ADDR + off, v);
}

static void bar_writew(hwaddr off, uint16_t v)
{
    stw_le_phys(&address_space_memory, BAR_ADDR + off, v);
}

static void bar_writeb(hwaddr off, uint8_t v)
{
    stb_phys(&address_space_memory, BAR_ADDR + off, v);
}

static void fixture_setup(Fixture *f, gconstpointer data)
{
    memset(f, 0, sizeof(*f));
    memory_region_init_ram(&f->ram, NULL, "test-ram", RAM_SIZE,
                           &error_abort);
    memory_region_add_subregion(get_system_memory(), 0, &f->ram);

    f->host = qdev_new(TYPE_TEST_HOST);
    f->bus = pci_root_bus_new(f->host, "pci.0", get_system_memory(),
                              get_system_io(), 0, TYPE_PCI_BUS);
    pci_bus_irqs(f->bus, bus_set_irq, f, 1);
    pci_bus_map_irqs(f->bus, bus_map_irq);
    qdev_realize(f->host, NULL, &error_abort);

    f->pdev = pci_new(TEST_DEVFN, TYPE_TEST_VIRTIO_PCI);
    f->dev = (TestVirtioPCI *)f->pdev;
    object_ref(OBJECT(f->pdev));
    pci_realize_and_unref(f->pdev, f->bus, &error_abort);

    f->errors = g_string_new("");
    error_report_set_capture(f->errors);
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    error_report_set_capture(NULL);
    g_string_free(f->errors, true);
    object_unparent(OBJECT(f->pdev));
    object_unref(OBJECT(f->pdev));
    object_unparent(OBJECT(f->host));
    memory_region_del_subregion(get_system_memory(), &f->ram);
    object_unref(OBJECT(&f->ram));
}

/* Program BAR4 and enable memory decoding and bus mastering. */
static void map_bar(Fixture *f)
{
    cfg_write(f, PCI_BASE_ADDRESS_4, (uint32_t)BAR_ADDR, 4);
    cfg_write(f, PCI_BASE_ADDRESS_5, BAR_ADDR >> 32, 4);
    cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
}

/* --- Tests --------------------------------------------------------------- */

static void test_identity(Fixture *f, gconstpointer data)
{
    g_assert_cmphex(cfg_read(f, PCI_VENDOR_ID, 2), ==, 0x1af4);
    g_assert_cmphex(cfg_read(f, PCI_DEVICE_ID, 2), ==, 0x1040 +
                    TEST_DEVICE_ID);
    g_assert_cmphex(cfg_read(f, PCI_REVISION_ID, 1), ==, 1);
    g_assert_cmphex(cfg_read(f, PCI_CLASS_DEVICE, 2), ==, 0x00ff);
    g_assert_cmphex(cfg_read(f, PCI_SUBSYSTEM_VENDOR_ID, 2), ==, 0x1af4);
    g_assert_cmphex(cfg_read(f, PCI_SUBSYSTEM_ID, 2), ==, 0x1100);
    g_assert_cmphex(cfg_read(f, PCI_INTERRUPT_PIN, 1), ==, 1);
    g_assert_cmphex(cfg_read(f, PCI_BASE_ADDRESS_4, 4), ==, 0xc);
    g_assert_cmphex(cfg_read(f, PCI_CAPABILITY_LIST, 1), ==, 0x84);
    /* The type registered through virtio_pci_types_register(). */
    g_assert_true(object_dynamic_cast(OBJECT(f->pdev),
                                      TYPE_TEST_VIRTIO_PCI_BASE));
    g_assert_true(object_class_is_abstract(
        object_class_by_name(TYPE_TEST_VIRTIO_PCI_BASE)));
}

static void test_property_aliases(Fixture *f, gconstpointer data)
{
    /* Class properties of the virtio device appear on the proxy. */
    f->dev->vdev.magic = 77;
    g_assert_cmpuint(object_property_get_uint(OBJECT(f->pdev), "magic",
                                              &error_abort), ==, 77);
    object_property_set_uint(OBJECT(f->pdev), "magic", 78, &error_abort);
    g_assert_cmpuint(f->dev->vdev.magic, ==, 78);
    g_assert_true(object_resolve_path_component(OBJECT(f->pdev),
                                                "virtio-backend") ==
                  OBJECT(&f->dev->vdev));
}

static void test_queue_request_and_intx(Fixture *f, gconstpointer data)
{
    uint8_t *ram = memory_region_get_ram_ptr(&f->ram);
    uint32_t reply;

    f->dev->vdev.magic = 0x12345678;
    map_bar(f);
    g_assert_cmphex(bar_readl(VIRTIO_PCI_DEVICE_OFFSET), ==, 0x12345678);
    g_assert_cmpuint(bar_readw(VIRTIO_PCI_COMMON_NUMQ), ==, 1);
    g_assert_cmpuint(bar_readw(VIRTIO_PCI_COMMON_Q_SIZE), ==, TEST_QSIZE);

    bar_writeb(VIRTIO_PCI_COMMON_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
               VIRTIO_CONFIG_S_DRIVER);
    bar_writel(VIRTIO_PCI_COMMON_GFSELECT, 1);
    bar_writel(VIRTIO_PCI_COMMON_GF, 1);       /* VERSION_1 */
    bar_writeb(VIRTIO_PCI_COMMON_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
               VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert_cmphex(bar_readb(VIRTIO_PCI_COMMON_STATUS), ==, 0xb);
    bar_writel(VIRTIO_PCI_COMMON_Q_DESCLO, RING_DESC);
    bar_writel(VIRTIO_PCI_COMMON_Q_AVAILLO, RING_AVAIL);
    bar_writel(VIRTIO_PCI_COMMON_Q_USEDLO, RING_USED);
    bar_writew(VIRTIO_PCI_COMMON_Q_ENABLE, 1);
    bar_writeb(VIRTIO_PCI_COMMON_STATUS, 0xf);

    /* One device-writable buffer, made available and kicked. */
    stq_le_phys(&address_space_memory, RING_DESC, BUF_ADDR);
    stl_le_phys(&address_space_memory, RING_DESC + 8, 4);
    stw_le_phys(&address_space_memory, RING_DESC + 12, VRING_DESC_F_WRITE);
    stw_le_phys(&address_space_memory, RING_AVAIL + 4, 0);
    stw_le_phys(&address_space_memory, RING_AVAIL + 2, 1);
    bar_writew(VIRTIO_PCI_NOTIFY_OFFSET + 0, 0);

    g_assert_cmpuint(f->dev->vdev.requests, ==, 1);
    g_assert_cmpuint(lduw_le_phys(&address_space_memory, RING_USED + 2), ==,
                     1);
    memcpy(&reply, ram + BUF_ADDR, sizeof(reply));
    g_assert_cmphex(reply, ==, 0xc0ffee);
    g_assert_cmpint(f->irq_level, ==, 1);
    g_assert_true(cfg_read(f, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    g_assert_cmphex(bar_readb(VIRTIO_PCI_ISR_OFFSET), ==, 1);
    g_assert_cmpint(f->irq_level, ==, 0);
    g_assert_cmphex(bar_readb(VIRTIO_PCI_ISR_OFFSET), ==, 0);

    /* Kicks for queues that do not exist are ignored. */
    bar_writew(VIRTIO_PCI_NOTIFY_OFFSET + 4 * 5, 5);
    g_assert_cmpstr(f->errors->str, ==, "");

    /* Status 0 resets the device and the queue registers. */
    bar_writeb(VIRTIO_PCI_COMMON_STATUS, 0);
    g_assert_cmphex(bar_readb(VIRTIO_PCI_COMMON_STATUS), ==, 0);
    g_assert_cmpuint(bar_readw(VIRTIO_PCI_COMMON_Q_ENABLE), ==, 0);
    g_assert_cmphex(bar_readl(VIRTIO_PCI_COMMON_Q_DESCLO), ==, 0);
    g_assert_false(virtio_queue_get_enabled(VIRTIO_DEVICE(&f->dev->vdev),
                                            0));
}

static void test_features_ok_refused(Fixture *f, gconstpointer data)
{
    map_bar(f);
    bar_writel(VIRTIO_PCI_COMMON_DFSELECT, 1);
    g_assert_cmphex(bar_readl(VIRTIO_PCI_COMMON_DF), ==, 1);
    bar_writel(VIRTIO_PCI_COMMON_DFSELECT, 0);
    g_assert_cmphex(bar_readl(VIRTIO_PCI_COMMON_DF), ==,
                    (1u << VIRTIO_RING_F_INDIRECT_DESC) |
                    (1u << VIRTIO_RING_F_EVENT_IDX));
    bar_writeb(VIRTIO_PCI_COMMON_STATUS, 3);
    bar_writel(VIRTIO_PCI_COMMON_GFSELECT, 0);
    bar_writel(VIRTIO_PCI_COMMON_GF, 1u << VIRTIO_RING_F_EVENT_IDX);
    bar_writeb(VIRTIO_PCI_COMMON_STATUS, 0xb);
    g_assert_cmphex(bar_readb(VIRTIO_PCI_COMMON_STATUS), ==, 3);
    g_assert_cmphex(bar_readl(VIRTIO_PCI_COMMON_GF), ==,
                    1u << VIRTIO_RING_F_EVENT_IDX);
}

static void test_pci_cfg_window(Fixture *f, gconstpointer data)
{
    uint8_t cap = 0x84;
    uint8_t dataoff = cap + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data);

    f->dev->vdev.magic = 0xa1b2c3d4;
    g_assert_cmpuint(cfg_read(f, cap + 3, 1), ==, VIRTIO_PCI_CAP_PCI_CFG);
    /* Works without the BAR being mapped. */
    cfg_write(f, cap + offsetof(struct virtio_pci_cap, bar), 4, 1);
    cfg_write(f, cap + offsetof(struct virtio_pci_cap, offset),
              VIRTIO_PCI_DEVICE_OFFSET + 1, 4);
    cfg_write(f, cap + offsetof(struct virtio_pci_cap, length), 2, 4);
    g_assert_cmphex(cfg_read(f, dataoff, 4), ==, 0xb2c3);

    cfg_write(f, cap + offsetof(struct virtio_pci_cap, offset),
              VIRTIO_PCI_COMMON_STATUS, 4);
    cfg_write(f, cap + offsetof(struct virtio_pci_cap, length), 1, 4);
    cfg_write(f, dataoff, VIRTIO_CONFIG_S_ACKNOWLEDGE, 1);
    g_assert_cmphex(VIRTIO_DEVICE(&f->dev->vdev)->status, ==,
                    VIRTIO_CONFIG_S_ACKNOWLEDGE);

    /* Outside every region: no access. */
    cfg_write(f, dataoff, 0x55, 4);
    cfg_write(f, cap + offsetof(struct virtio_pci_cap, offset), 0x4000, 4);
    g_assert_cmphex(cfg_read(f, dataoff, 4), ==, 0x55);
}

static void test_cold_reset(Fixture *f, gconstpointer data)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(&f->dev->vdev);

    map_bar(f);
    bar_writeb(VIRTIO_PCI_COMMON_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    bar_writew(VIRTIO_PCI_COMMON_Q_ENABLE, 1);
    g_assert_true(virtio_queue_get_enabled(vdev, 0));
    device_cold_reset(DEVICE(f->pdev));
    g_assert_cmphex(vdev->status, ==, 0);
    g_assert_false(virtio_queue_get_enabled(vdev, 0));
}

static void add_test(const char *path, void (*fn)(Fixture *, gconstpointer))
{
    g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    add_test("/virtio-pci/identity", test_identity);
    add_test("/virtio-pci/property-aliases", test_property_aliases);
    add_test("/virtio-pci/queue-request-and-intx",
             test_queue_request_and_intx);
    add_test("/virtio-pci/features-ok-refused", test_features_ok_refused);
    add_test("/virtio-pci/pci-cfg-window", test_pci_cfg_window);
    add_test("/virtio-pci/cold-reset", test_cold_reset);
    return g_test_run();
}
