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

/*
 * below_4g_mem_size / above_4g_mem_size from ram_size and
 * max-ram-below-4g: lowmem is 0xe0000000, or 0xc0000000 when RAM does not
 * fit below it (QEMU 7.2's gigabyte alignment).
 */
void pc_split_ram(PCMachineState *pcms);
/*
 * Map "ram-below-4g" (and "ram-above-4g" at 4 GiB), aliases of the RAM
 * backend's region, and create device memory when maxmem > RAM.
 */
void pc_memory_init(PCMachineState *pcms, MemoryRegion *system_memory,
                    MemoryRegion *pci_memory);
/*
 * What the firmware would do after reset (there is none): route PIRQA..D
 * to IRQ (GSI) 10, 10, 11, 11 through the PIIX3 registers 0x60..0x63.
 */
void pc_firmware_pci_setup(PCMachineState *pcms);

#endif
