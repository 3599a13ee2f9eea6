/*
 * PCI host bridges: configuration mechanism #1.
 */
#include "qemu/osdep.h"
#include "hw/pci/pci_host.h"
#include "hw/pci/pci_bus.h"

/* The device a CONFIG_ADDRESS value selects, or NULL. */
static PCIDevice *pci_dev_find_by_addr(PCIBus *bus, uint32_t addr)
{
    uint8_t bus_num = addr >> 16;
    uint8_t devfn = addr >> 8;

    return pci_find_device(bus, bus_num, devfn);
}

void pci_host_config_write_common(PCIDevice *pci_dev, uint32_t addr,
                                  uint32_t limit, uint32_t val, uint32_t len)
{
    g_assert(len <= 4);
    if (addr >= limit) {
        return;
    }
    pci_dev->config_write(pci_dev, addr, val, MIN(len, limit - addr));
}

uint32_t pci_host_config_read_common(PCIDevice *pci_dev, uint32_t addr,
                                     uint32_t limit, uint32_t len)
{
    g_assert(len <= 4);
    if (addr >= limit) {
        return ~0U;
    }
    return pci_dev->config_read(pci_dev, addr, MIN(len, limit - addr));
}

void pci_data_write(PCIBus *s, uint32_t addr, uint32_t val, unsigned len)
{
    PCIDevice *pci_dev = pci_dev_find_by_addr(s, addr);

    if (pci_dev) {
        pci_host_config_write_common(pci_dev,
                                     addr & (PCI_CONFIG_SPACE_SIZE - 1),
                                     PCI_CONFIG_SPACE_SIZE, val, len);
    }
}

uint32_t pci_data_read(PCIBus *s, uint32_t addr, unsigned len)
{
    PCIDevice *pci_dev = pci_dev_find_by_addr(s, addr);

    if (!pci_dev) {
        return ~0U;
    }
    return pci_host_config_read_common(pci_dev,
                                       addr & (PCI_CONFIG_SPACE_SIZE - 1),
                                       PCI_CONFIG_SPACE_SIZE, len);
}

static void pci_host_config_write(void *opaque, hwaddr addr, uint64_t val,
                                  unsigned len)
{
    PCIHostState *s = opaque;

    /* Only dword writes reach CONFIG_ADDRESS (0xcf9 is PIIX's reset). */
    if (addr != 0 || len != 4) {
        return;
    }
    s->config_reg = val;
}

static uint64_t pci_host_config_read(void *opaque, hwaddr addr, unsigned len)
{
    PCIHostState *s = opaque;

    return s->config_reg >> (addr * 8);
}

static void pci_host_data_write(void *opaque, hwaddr addr, uint64_t val,
                                unsigned len)
{
    PCIHostState *s = opaque;

    if (s->config_reg & (1U << 31)) {
        pci_data_write(s->bus, s->config_reg | (addr & 3), val, len);
    }
}

static uint64_t pci_host_data_read(void *opaque, hwaddr addr, unsigned len)
{
    PCIHostState *s = opaque;

    if (!(s->config_reg & (1U << 31))) {
        return 0xffffffff;
    }
    return pci_data_read(s->bus, s->config_reg | (addr & 3), len);
}

const MemoryRegionOps pci_host_conf_le_ops = {
    .read = pci_host_config_read,
    .write = pci_host_config_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
};

const MemoryRegionOps pci_host_data_le_ops = {
    .read = pci_host_data_read,
    .write = pci_host_data_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
};

static const TypeInfo pci_host_type_info = {
    .name = TYPE_PCI_HOST_BRIDGE,
    .parent = TYPE_SYS_BUS_DEVICE,
    .abstract = true,
    .class_size = sizeof(PCIHostBridgeClass),
    .instance_size = sizeof(PCIHostState),
};

static void pci_host_register_types(void)
{
    type_register_static(&pci_host_type_info);
}

type_init(pci_host_register_types)
