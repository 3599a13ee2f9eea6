/*
 * VFIO PCI devices.
 *
 * vfio-pci (host=BDF): a host PCI function assigned through VFIO type1.
 * This is only the DMA side: the guest's RAM is mapped into the group's
 * container (only populated parts of virtio-mem memory) and the function
 * shows the host device's identity read through the VFIO config region.
 * BARs, interrupts, resets and migration are not passed through.
 *
 * vfio-emulated-pci (container=ID): a PCI test function (1b36:10f0) that
 * attaches a vfio-emulated-container to the machine's DMA address space,
 * so that VFIO's DMA mapping can be observed on any host.  x-mdev=on makes
 * it behave like a mediated device whose vendor driver pins memory on its
 * own: it needs all RAM discards disabled and cannot live beside
 * virtio-mem.
 */
#ifndef HW_VFIO_PCI_H
#define HW_VFIO_PCI_H

#define TYPE_VFIO_PCI "vfio-pci"
#define TYPE_VFIO_EMULATED_PCI "vfio-emulated-pci"

#define PCI_DEVICE_ID_REDHAT_VFIO_EMULATED 0x10f0

#endif
