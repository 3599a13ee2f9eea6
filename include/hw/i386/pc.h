/*
 * The pc machine (i440FX + PIIX3), as QEMU 7.2's "pc-i440fx-7.2" with
 * -nodefaults: RAM split around the 32-bit PCI hole, device memory above
 * 4 GiB for memory devices, the PCI host bridge and an I/O APIC.
 */
#ifndef HW_I386_PC_H
#define HW_I386_PC_H

#include "hw/boards.h"
#include "hw/pci/pci.h"

#define TYPE_PC_MACHINE "generic-pc-machine"
OBJECT_DECLARE_TYPE(PCMachineState, PCMachineClass, PC_MACHINE)

struct PCMachineClass {
    MachineClass parent_class;

    /* Reserve 1 GiB of device memory per slot for alignment. */
    bool enforce_aligned_dimm;
    /* Size of the 64-bit PCI window above device memory. */
    uint64_t pci_hole64_size;
};

struct PCMachineState {
    MachineState parent_obj;

    PCIBus *bus;
    DeviceState *ioapic;
    /* GSI lines: the I/O APIC inputs */
    qemu_irq *gsi;

    ram_addr_t below_4g_mem_size;
    ram_addr_t above_4g_mem_size;
    /* "max-ram-below-4g" property (0: default 4 GiB) */
    uint64_t max_ram_below_4g;

    /* PCI MMIO space (the "pci" container) and its windows */
    MemoryRegion *pci_memory;
    MemoryRegion pci_hole;
    MemoryRegion pci_hole64;
};

/* Start of the 64-bit PCI window: after RAM above 4 GiB / device memory. */
uint64_t pc_pci_hole64_start(void);

#endif
