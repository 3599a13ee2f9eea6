/*
 * The i440FX host bridge (00:00.0, 8086:1237) and the PIIX3 ISA bridge
 * (00:01.0, 8086:7000) of the pc machine.
 *
 * PIIX3 routes INTx: the pin P (0 = INTA) of slot S drives PIRQ
 * (S + P - 1) & 3, and PIRQA..D are routed through the PIIX3 config
 * registers 0x60..0x63 (PIIX_PIRQCA..); a value with bit 7 set disables
 * the route.  As QEMU's firmware would leave them, the machine programs
 * the default routing PIRQA..D -> IRQ 10, 10, 11, 11 at reset (the PCI
 * interrupt lines SeaBIOS assigns); the IRQ number is the I/O APIC GSI.
 */
#ifndef HW_PCI_HOST_I440FX_H
#define HW_PCI_HOST_I440FX_H

#include "hw/pci/pci_host.h"

#define TYPE_I440FX_PCI_HOST_BRIDGE "i440FX-pcihost"
#define TYPE_I440FX_PCI_DEVICE "i440FX"
#define TYPE_PIIX3_DEVICE "PIIX3"

#define PIIX_NUM_PIRQS 4
#define PIIX_PIRQCA 0x60        /* PIRQA route control; B..D follow */

/*
 * Create the host bridge on the main system bus with its root bus "pci.0",
 * config ports in @address_space_io, BARs decoded into @pci_address_space
 * / @address_space_io, and PIIX3 at 00:01.0 whose PIRQ outputs go to
 * @pic (qemu_irq array indexed by ISA IRQ / GSI).
 */
PCIBus *i440fx_init(const char *pci_type, DeviceState *dev,
                    MemoryRegion *address_space_mem,
                    MemoryRegion *address_space_io,
                    MemoryRegion *pci_address_space, qemu_irq *pic);

#endif
