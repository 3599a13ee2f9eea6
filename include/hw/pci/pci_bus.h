/*
 * PCI bus internals (host bridge code).
 */
#ifndef HW_PCI_BUS_H
#define HW_PCI_BUS_H

#include "hw/pci/pci.h"

struct PCIBusClass {
    BusClass parent_class;

    int (*bus_num)(PCIBus *bus);
};

struct PCIBus {
    BusState qbus;

    uint8_t devfn_min;
    /* Slots the guest must not use (bit per slot). */
    uint32_t slot_reserved_mask;
    pci_set_irq_fn set_irq;
    pci_map_irq_fn map_irq;
    void *irq_opaque;
    PCIDevice *devices[PCI_SLOT_MAX * PCI_FUNC_MAX];
    PCIDevice *parent_dev;      /* NULL on a root bus */
    MemoryRegion *address_space_mem;
    MemoryRegion *address_space_io;

    int nirq;
    /* Number of devices asserting each line. */
    int *irq_count;
};

static inline bool pci_bus_is_root(PCIBus *bus)
{
    return bus->parent_dev == NULL;
}

#endif
