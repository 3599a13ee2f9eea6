/*
 * pci-testdev: a PCI device for tests (QEMU's ids 1b36:0005).
 *
 * BAR0: 4 KiB of 32-bit memory, BAR1: 256 bytes of I/O.  Both are plain
 * scratch registers (reads return what was written, 0 after reset),
 * except register PCI_TESTDEV_INTX (offset 0xf0 of BAR0): writing 1 / 0
 * asserts / deasserts INTA (not in QEMU's pci-testdev, which has no
 * interrupt).
 */
#include "qemu/osdep.h"
#include "hw/pci/pci.h"

#define TYPE_PCI_TEST_DEV "pci-testdev"
#define PCI_DEVICE_ID_REDHAT_TEST 0x0005
#define PCI_TESTDEV_MMIO_SIZE 0x1000
#define PCI_TESTDEV_PIO_SIZE 0x100
#define PCI_TESTDEV_INTX 0xf0

typedef struct PCITestDevState {
    PCIDevice parent_obj;

    MemoryRegion mmio;
    MemoryRegion portio;
    uint8_t mmio_regs[PCI_TESTDEV_MMIO_SIZE];
    uint8_t pio_regs[PCI_TESTDEV_PIO_SIZE];
} PCITestDevState;

DECLARE_INSTANCE_CHECKER(PCITestDevState, PCI_TEST_DEV, TYPE_PCI_TEST_DEV)

static uint64_t scratch_read(uint8_t *regs, hwaddr addr, unsigned size)
{
    uint64_t val = 0;

    for (unsigned i = 0; i < size; i++) {
        val |= (uint64_t)regs[addr + i] << (8 * i);
    }
    return val;
}

static void scratch_write(uint8_t *regs, hwaddr addr, uint64_t val,
                          unsigned size)
{
    for (unsigned i = 0; i < size; i++) {
        regs[addr + i] = val >> (8 * i);
    }
}

static uint64_t testdev_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    return scratch_read(PCI_TEST_DEV(opaque)->mmio_regs, addr, size);
}

static void testdev_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                               unsigned size)
{
    PCITestDevState *d = PCI_TEST_DEV(opaque);

    scratch_write(d->mmio_regs, addr, val, size);
    if (addr == PCI_TESTDEV_INTX) {
        pci_set_irq(&d->parent_obj, val & 1);
    }
}

static uint64_t testdev_pio_read(void *opaque, hwaddr addr, unsigned size)
{
    return scratch_read(PCI_TEST_DEV(opaque)->pio_regs, addr, size);
}

static void testdev_pio_write(void *opaque, hwaddr addr, uint64_t val,
                              unsigned size)
{
    scratch_write(PCI_TEST_DEV(opaque)->pio_regs, addr, val, size);
}

static const MemoryRegionOps testdev_mmio_ops = {
    .read = testdev_mmio_read,
    .write = testdev_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

static const MemoryRegionOps testdev_pio_ops = {
    .read = testdev_pio_read,
    .write = testdev_pio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static void testdev_realize(PCIDevice *pci_dev, Error **errp)
{
    PCITestDevState *d = PCI_TEST_DEV(pci_dev);

    pci_config_set_interrupt_pin(pci_dev->config, 1);
    memory_region_init_io(&d->mmio, OBJECT(d), &testdev_mmio_ops, d,
                          "pci-testdev-mmio", PCI_TESTDEV_MMIO_SIZE);
    memory_region_init_io(&d->portio, OBJECT(d), &testdev_pio_ops, d,
                          "pci-testdev-portio", PCI_TESTDEV_PIO_SIZE);
    pci_register_bar(pci_dev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &d->mmio);
    pci_register_bar(pci_dev, 1, PCI_BASE_ADDRESS_SPACE_IO, &d->portio);
}

static void testdev_reset(DeviceState *dev)
{
    PCITestDevState *d = PCI_TEST_DEV(dev);

    memset(d->mmio_regs, 0, sizeof(d->mmio_regs));
    memset(d->pio_regs, 0, sizeof(d->pio_regs));
    pci_set_irq(&d->parent_obj, 0);
}

static void testdev_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = testdev_realize;
    k->vendor_id = PCI_VENDOR_ID_REDHAT;
    k->device_id = PCI_DEVICE_ID_REDHAT_TEST;
    k->revision = 0x00;
    k->class_id = PCI_CLASS_OTHERS;
    dc->desc = "PCI Test Device";
    dc->reset = testdev_reset;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo pci_testdev_info = {
    .name = TYPE_PCI_TEST_DEV,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(PCITestDevState),
    .class_init = testdev_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { },
    },
};

static void pci_testdev_register_types(void)
{
    type_register_static(&pci_testdev_info);
}

type_init(pci_testdev_register_types)
