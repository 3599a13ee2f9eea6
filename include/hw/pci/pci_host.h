/*
 * PCI host bridges with configuration mechanism #1 (CONFIG_ADDRESS at
 * 0xcf8, CONFIG_DATA at 0xcfc..0xcff).
 */
#ifndef HW_PCI_HOST_H
#define HW_PCI_HOST_H

#include "hw/sysbus.h"
#include "hw/pci/pci.h"

#define TYPE_PCI_HOST_BRIDGE "pci-host-bridge"

typedef struct PCIHostState PCIHostState;
typedef struct PCIHostBridgeClass PCIHostBridgeClass;
DECLARE_OBJ_CHECKERS(PCIHostState, PCIHostBridgeClass, PCI_HOST_BRIDGE,
                     TYPE_PCI_HOST_BRIDGE)

struct PCIHostState {
    SysBusDevice busdev;

    MemoryRegion conf_mem;      /* CONFIG_ADDRESS, 4 bytes */
    MemoryRegion data_mem;      /* CONFIG_DATA, 4 bytes */
    uint32_t config_reg;
    PCIBus *bus;
};

struct PCIHostBridgeClass {
    SysBusDeviceClass parent_class;

    const char *(*root_bus_path)(PCIHostState *, PCIBus *);
};

/*
 * Config cycle to @addr (a CONFIG_ADDRESS value: bit 31 enable, bus,
 * devfn, register) of the bus behind @s; no device: reads give all ones.
 */
void pci_data_write(PCIBus *s, uint32_t addr, uint32_t val, unsigned len);
uint32_t pci_data_read(PCIBus *s, uint32_t addr, unsigned len);

/* Config access clipped to the config space of @pci_dev. */
void pci_host_config_write_common(PCIDevice *pci_dev, uint32_t addr,
                                  uint32_t limit, uint32_t val, uint32_t len);
uint32_t pci_host_config_read_common(PCIDevice *pci_dev, uint32_t addr,
                                     uint32_t limit, uint32_t len);

/* The MemoryRegionOps of conf_mem / data_mem (little endian). */
extern const MemoryRegionOps pci_host_conf_le_ops;
extern const MemoryRegionOps pci_host_data_le_ops;

#endif
