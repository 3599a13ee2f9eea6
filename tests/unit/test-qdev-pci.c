/*
 * PCI core: config space masks, BAR sizing and mapping, capabilities,
 * INTx wired-OR, bus mastering, devfn allocation and reset, on a bare
 * root bus.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_bus.h"
#include "hw/pci/pci_host.h"
#include "exec/address-spaces.h"

#define TYPE_TEST_PCI_HOST "test-pci-host"
#define TYPE_TEST_PCI_DEV "test-pci-dev"

typedef struct TestPCIDev {
    PCIDevice parent_obj;
    MemoryRegion bar0, bar2, bar4;
} TestPCIDev;

DECLARE_INSTANCE_CHECKER(TestPCIDev, TEST_PCI_DEV, TYPE_TEST_PCI_DEV)

static uint64_t bar_read(void *opaque, hwaddr addr, unsigned size)
{
    return (uintptr_t)opaque;
}

static void bar_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
}

static const MemoryRegionOps bar_ops = {
    .read = bar_read,
    .write = bar_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
};

static void test_pci_dev_realize(PCIDevice *pdev, Error **errp)
{
    TestPCIDev *d = TEST_PCI_DEV(pdev);

    pci_config_set_interrupt_pin(pdev->config, 1);
    memory_region_init_io(&d->bar0, OBJECT(d), &bar_ops,
                          (void *)(uintptr_t)0x11223344, "bar0", 0x1000);
    memory_region_init_io(&d->bar2, OBJECT(d), &bar_ops,
                          (void *)(uintptr_t)0x55667788, "bar2", 1 * MiB);
    memory_region_init_io(&d->bar4, OBJECT(d), &bar_ops,
                          (void *)(uintptr_t)0x99aabbcc, "bar4", 0x20);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &d->bar0);
    pci_register_bar(pdev, 2, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, &d->bar2);
    pci_register_bar(pdev, 4, PCI_BASE_ADDRESS_SPACE_IO, &d->bar4);
}

static void test_pci_dev_class_init(ObjectClass *oc, void *data)
{
    PCIDeviceClass *k = PCI_DEVICE_CLASS(oc);

    k->realize = test_pci_dev_realize;
    k->vendor_id = 0x1234;
    k->device_id = 0x5678;
    k->revision = 3;
    k->class_id = PCI_CLASS_MEMORY_RAM;
}

static const TypeInfo test_types[] = {
    {
        .name = TYPE_TEST_PCI_HOST,
        .parent = TYPE_PCI_HOST_BRIDGE,
        .instance_size = sizeof(PCIHostState),
    }, {
        .name = TYPE_TEST_PCI_DEV,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(TestPCIDev),
        .class_init = test_pci_dev_class_init,
        .interfaces = (InterfaceInfo[]) {
            { INTERFACE_CONVENTIONAL_PCI_DEVICE },
            { }
        },
    },
};

DEFINE_TYPES(test_types)

static PCIBus *bus;
static int irq_levels[PCI_NUM_PINS];
static int irq_changes;

static void test_set_irq(void *opaque, int irq_num, int level)
{
    irq_levels[irq_num] = level;
    irq_changes++;
}

/* Config cycles as the host bridge issues them (bus 0). */
static uint32_t cfg_read(PCIDevice *d, int reg, int len)
{
    return pci_data_read(bus, 0x80000000u | d->devfn << 8 | reg, len);
}

static void cfg_write(PCIDevice *d, int reg, uint32_t val, int len)
{
    pci_data_write(bus, 0x80000000u | d->devfn << 8 | reg, val, len);
}

static PCIDevice *new_dev(int devfn)
{
    PCIDevice *d = pci_new(devfn, TYPE_TEST_PCI_DEV);

    pci_realize_and_unref(d, bus, &error_abort);
    return d;
}

static uint32_t mem_readl(hwaddr addr)
{
    return address_space_ldl_le(&address_space_memory, addr,
                                MEMTXATTRS_UNSPECIFIED, NULL);
}

static void test_ids_and_header(void)
{
    PCIDevice *d = new_dev(-1);

    g_assert_cmphex(cfg_read(d, PCI_VENDOR_ID, 4), ==, 0x56781234);
    g_assert_cmphex(cfg_read(d, PCI_REVISION_ID, 1), ==, 3);
    g_assert_cmphex(cfg_read(d, PCI_CLASS_DEVICE, 2), ==, 0x0500);
    g_assert_cmphex(cfg_read(d, PCI_SUBSYSTEM_VENDOR_ID, 4), ==, 0x11001af4);
    g_assert_cmphex(cfg_read(d, PCI_HEADER_TYPE, 1), ==, 0);
    g_assert_cmphex(cfg_read(d, PCI_INTERRUPT_PIN, 1), ==, 1);
    /* Read-only and writable bytes. */
    cfg_write(d, PCI_VENDOR_ID, 0, 4);
    g_assert_cmphex(cfg_read(d, PCI_VENDOR_ID, 4), ==, 0x56781234);
    cfg_write(d, PCI_INTERRUPT_LINE, 0x0b, 1);
    g_assert_cmphex(cfg_read(d, PCI_INTERRUPT_LINE, 1), ==, 0x0b);
    /* Out of range or odd sizes: all ones / dropped. */
    g_assert_cmphex(pci_default_read_config(d, 0xfe, 4), ==, 0xffffffff);
    g_assert_cmphex(pci_default_read_config(d, 0x10, 3), ==, 0xffffffff);
    object_unparent(OBJECT(d));
}

static void test_status_w1c(void)
{
    PCIDevice *d = new_dev(-1);

    pci_set_word(d->config + PCI_STATUS, PCI_STATUS_REC_MASTER_ABORT |
                 PCI_STATUS_66MHZ);
    cfg_write(d, PCI_STATUS, 0, 2);
    g_assert_cmphex(cfg_read(d, PCI_STATUS, 2), ==,
                    PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_66MHZ);
    /* Writing 1 clears a W1C bit; read-only bits stay. */
    cfg_write(d, PCI_STATUS, 0xffff, 2);
    g_assert_cmphex(cfg_read(d, PCI_STATUS, 2), ==, PCI_STATUS_66MHZ);
    object_unparent(OBJECT(d));
}

static void test_bar_sizing_and_mapping(void)
{
    PCIDevice *d = new_dev(-1);

    cfg_write(d, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0, 4), ==, 0xfffff000);
    cfg_write(d, PCI_BASE_ADDRESS_2, 0xffffffff, 4);
    cfg_write(d, PCI_BASE_ADDRESS_3, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_2, 4), ==, 0xfff0000c);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_3, 4), ==, 0xffffffff);
    cfg_write(d, PCI_BASE_ADDRESS_4, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_4, 4), ==, 0xffffffe1);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_1, 4), ==, 0);

    cfg_write(d, PCI_BASE_ADDRESS_0, 0xe0000000, 4);
    cfg_write(d, PCI_BASE_ADDRESS_2, 0, 4);
    cfg_write(d, PCI_BASE_ADDRESS_3, 0x8, 4);       /* 32 GiB */
    cfg_write(d, PCI_BASE_ADDRESS_4, 0xc000, 4);
    g_assert_cmphex(pci_get_bar_addr(d, 0), ==, PCI_BAR_UNMAPPED);
    g_assert_cmphex(mem_readl(0xe0000000), ==, 0);

    cfg_write(d, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_cmphex(pci_get_bar_addr(d, 0), ==, 0xe0000000);
    g_assert_cmphex(pci_get_bar_addr(d, 2), ==, 0x800000000ULL);
    g_assert_cmphex(pci_get_bar_addr(d, 4), ==, PCI_BAR_UNMAPPED);
    g_assert_cmphex(mem_readl(0xe0000000), ==, 0x11223344);
    g_assert_cmphex(mem_readl(0x800000000ULL + 0x100), ==, 0x55667788);

    cfg_write(d, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO, 2);
    g_assert_cmphex(pci_get_bar_addr(d, 4), ==, 0xc000);
    g_assert_cmphex(address_space_ldl_le(&address_space_io, 0xc004,
                                         MEMTXATTRS_UNSPECIFIED, NULL), ==,
                    0x99aabbcc);

    /* A 32-bit BAR may not end at 4 GiB (QEMU's rule). */
    cfg_write(d, PCI_BASE_ADDRESS_0, 0xfffff000, 4);
    g_assert_cmphex(pci_get_bar_addr(d, 0), ==, PCI_BAR_UNMAPPED);
    g_assert_cmphex(mem_readl(0xe0000000), ==, 0);
    cfg_write(d, PCI_BASE_ADDRESS_0, 0xe0001000, 4);
    g_assert_cmphex(mem_readl(0xe0001000), ==, 0x11223344);

    /* Unrealize takes the BARs away. */
    object_unparent(OBJECT(d));
    g_assert_cmphex(mem_readl(0xe0001000), ==, 0);
    g_assert_cmphex(mem_readl(0x800000000ULL), ==, 0);
}

static void test_capabilities(void)
{
    PCIDevice *d = new_dev(-1);
    Error *err = NULL;

    g_assert_cmpint(pci_find_capability(d, PCI_CAP_ID_VNDR), ==, 0);
    g_assert_cmpint(pci_add_capability(d, PCI_CAP_ID_VNDR, 0, 8,
                                       &error_abort), ==, 0x40);
    g_assert_cmpint(pci_add_capability(d, PCI_CAP_ID_MSI, 0x50, 10,
                                       &error_abort), ==, 0x50);
    g_assert_cmpint(pci_add_capability(d, PCI_CAP_ID_PM, 0x44, 8, &err), ==,
                    -EINVAL);
    g_assert_cmpstr(error_get_pretty(err), ==, "00:01.0 Attempt to add PCI "
                    "capability 1 at offset 44 overlaps existing capability "
                    "9 at offset 44");
    error_free(err);
    /* First fit after the used bytes (sizes rounded to dwords). */
    g_assert_cmpint(pci_add_capability(d, PCI_CAP_ID_PM, 0, 16,
                                       &error_abort), ==, 0x5c);

    g_assert_true(cfg_read(d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
    /* The newest capability heads the list. */
    g_assert_cmphex(cfg_read(d, PCI_CAPABILITY_LIST, 1), ==, 0x5c);
    g_assert_cmphex(cfg_read(d, 0x5c + PCI_CAP_LIST_NEXT, 1), ==, 0x50);
    g_assert_cmphex(cfg_read(d, 0x50 + PCI_CAP_LIST_NEXT, 1), ==, 0x40);
    g_assert_cmphex(cfg_read(d, 0x40 + PCI_CAP_LIST_NEXT, 1), ==, 0);
    g_assert_cmpint(pci_find_capability(d, PCI_CAP_ID_MSI), ==, 0x50);

    /* Capabilities are read-only unless the device opens wmask. */
    cfg_write(d, 0x42, 0xabcd, 2);
    g_assert_cmphex(cfg_read(d, 0x42, 2), ==, 0);
    d->wmask[0x42] = 0xff;
    cfg_write(d, 0x42, 0xabcd, 2);
    g_assert_cmphex(cfg_read(d, 0x42, 2), ==, 0xcd);

    pci_del_capability(d, PCI_CAP_ID_MSI, 10);
    g_assert_cmpint(pci_find_capability(d, PCI_CAP_ID_MSI), ==, 0);
    g_assert_cmphex(cfg_read(d, 0x5c + PCI_CAP_LIST_NEXT, 1), ==, 0x40);
    g_assert_cmpint(pci_add_capability(d, PCI_CAP_ID_MSI, 0x50, 10,
                                       &error_abort), ==, 0x50);

    /* No room left. */
    err = NULL;
    g_assert_cmpint(pci_add_capability(d, PCI_CAP_ID_VNDR, 0, 200, &err), ==,
                    -ENOSPC);
    g_assert_nonnull(err);
    error_free(err);
    object_unparent(OBJECT(d));
}

static void test_intx(void)
{
    PCIDevice *a = new_dev(PCI_DEVFN(3, 0));
    PCIDevice *b = new_dev(PCI_DEVFN(4, 0));

    memset(irq_levels, 0, sizeof(irq_levels));
    /* Both drive line 0 (INTA, default mapping): a wired OR. */
    pci_set_irq(a, 1);
    g_assert_cmpint(irq_levels[0], ==, 1);
    g_assert_true(cfg_read(a, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    pci_set_irq(b, 1);
    pci_set_irq(a, 0);
    g_assert_cmpint(irq_levels[0], ==, 1);
    g_assert_false(cfg_read(a, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    pci_set_irq(b, 0);
    g_assert_cmpint(irq_levels[0], ==, 0);
    g_assert_cmpint(pci_bus_get_irq_level(bus, 0), ==, 0);

    /* INTx disable masks the pin; enabling again re-asserts it. */
    pci_irq_assert(a);
    cfg_write(a, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
    g_assert_cmpint(irq_levels[0], ==, 0);
    pci_irq_deassert(a);
    pci_irq_assert(a);
    g_assert_cmpint(irq_levels[0], ==, 0);
    cfg_write(a, PCI_COMMAND, 0, 2);
    g_assert_cmpint(irq_levels[0], ==, 1);

    /* Reset deasserts. */
    bus_cold_reset(&bus->qbus);
    g_assert_cmpint(irq_levels[0], ==, 0);
    g_assert_false(cfg_read(a, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);

    /* Unrealizing an asserting device lowers the line too. */
    pci_irq_assert(b);
    g_assert_cmpint(irq_levels[0], ==, 1);
    object_unparent(OBJECT(b));
    g_assert_cmpint(irq_levels[0], ==, 0);
    object_unparent(OBJECT(a));
}

static void test_reset(void)
{
    PCIDevice *d = new_dev(-1);

    cfg_write(d, PCI_BASE_ADDRESS_0, 0xe0000000, 4);
    cfg_write(d, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    cfg_write(d, PCI_INTERRUPT_LINE, 10, 1);
    g_assert_cmphex(mem_readl(0xe0000000), ==, 0x11223344);

    bus_cold_reset(&bus->qbus);
    g_assert_cmphex(cfg_read(d, PCI_COMMAND, 2), ==, 0);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0, 4), ==, 0);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_2, 4), ==, 0xc);
    g_assert_cmphex(cfg_read(d, PCI_INTERRUPT_LINE, 1), ==, 0);
    g_assert_cmphex(pci_get_bar_addr(d, 0), ==, PCI_BAR_UNMAPPED);
    g_assert_cmphex(mem_readl(0xe0000000), ==, 0);
    object_unparent(OBJECT(d));
}

static void test_bus_master(void)
{
    PCIDevice *d = new_dev(-1);
    MemoryRegion *ram = g_new0(MemoryRegion, 1);
    AddressSpace *as = pci_get_address_space(d);
    uint32_t val = 0;

    memory_region_init_ram(ram, NULL, "bm-ram", 0x10000, &error_abort);
    memory_region_add_subregion(get_system_memory(), 0x100000, ram);
    stl_le_phys(&address_space_memory, 0x100010, 0xfeedface);

    /* Bus mastering off: DMA sees nothing. */
    g_assert_cmpint(address_space_read(as, 0x100010, MEMTXATTRS_UNSPECIFIED,
                                       &val, 4), !=, MEMTX_OK);
    g_assert_cmphex(val, ==, 0);
    cfg_write(d, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    g_assert_cmphex(ldl_le_phys(as, 0x100010), ==, 0xfeedface);
    cfg_write(d, PCI_COMMAND, 0, 2);
    g_assert_cmphex(ldl_le_phys(as, 0x100010), ==, 0);

    object_unparent(OBJECT(d));
    memory_region_del_subregion(get_system_memory(), ram);
    object_unref(OBJECT(ram));
    g_free(ram);
}

static void test_devfn(void)
{
    PCIDevice *a = new_dev(-1);
    PCIDevice *b = new_dev(PCI_DEVFN(2, 0));
    PCIDevice *c = new_dev(-1);
    PCIDevice *e = pci_new(PCI_DEVFN(2, 0), TYPE_TEST_PCI_DEV);
    Error *err = NULL;

    /* devfn_min is 8 here: slot 0 stays free for the host bridge. */
    g_assert_cmpint(a->devfn, ==, PCI_DEVFN(1, 0));
    g_assert_cmpint(c->devfn, ==, PCI_DEVFN(3, 0));
    g_assert_true(pci_find_device(bus, 0, PCI_DEVFN(2, 0)) == b);
    g_assert_null(pci_find_device(bus, 1, PCI_DEVFN(2, 0)));
    g_assert_false(pci_realize_and_unref(e, bus, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "PCI: slot 2 function 0 not "
                    "available for test-pci-dev, in use by "
                    "test-pci-dev,id=(null)");
    error_free(err);
    /* Function 1 of the same slot is free. */
    e = new_dev(PCI_DEVFN(2, 1));
    g_assert_cmphex(cfg_read(e, PCI_VENDOR_ID, 2), ==, 0x1234);
    {
        g_autofree char *path = qdev_get_dev_path(DEVICE(e));

        g_assert_cmpstr(path, ==, "0000:00:02.1");
    }
    object_unparent(OBJECT(a));
    object_unparent(OBJECT(b));
    object_unparent(OBJECT(c));
    object_unparent(OBJECT(e));
    g_assert_null(pci_find_device(bus, 0, PCI_DEVFN(2, 0)));
}

int main(int argc, char **argv)
{
    DeviceState *host;

    g_test_init(&argc, &argv, NULL);
    memory_map_init();
    host = qdev_new(TYPE_TEST_PCI_HOST);
    bus = pci_root_bus_new(host, "tpci", get_system_memory(),
                           get_system_io(), PCI_DEVFN(1, 0), TYPE_PCI_BUS);
    PCI_HOST_BRIDGE(host)->bus = bus;
    sysbus_realize_and_unref(SYS_BUS_DEVICE(host), &error_abort);
    pci_bus_irqs(bus, test_set_irq, NULL, PCI_NUM_PINS);

    g_test_add_func("/pci/ids-and-header", test_ids_and_header);
    g_test_add_func("/pci/status-w1c", test_status_w1c);
    g_test_add_func("/pci/bars", test_bar_sizing_and_mapping);
    g_test_add_func("/pci/capabilities", test_capabilities);
    g_test_add_func("/pci/intx", test_intx);
    g_test_add_func("/pci/reset", test_reset);
    g_test_add_func("/pci/bus-master", test_bus_master);
    g_test_add_func("/pci/devfn", test_devfn);
    return g_test_run();
}
