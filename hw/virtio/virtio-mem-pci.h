/*
 * virtio-mem-pci: the PCI proxy embedding a virtio-mem device.
 */
#ifndef HW_VIRTIO_MEM_PCI_H
#define HW_VIRTIO_MEM_PCI_H

#include "hw/virtio/virtio-pci.h"
#include "hw/virtio/virtio-mem.h"

#define TYPE_VIRTIO_MEM_PCI "virtio-mem-pci"
OBJECT_DECLARE_SIMPLE_TYPE(VirtIOMEMPCI, VIRTIO_MEM_PCI)

struct VirtIOMEMPCI {
    VirtIOPCIProxy parent_obj;
    VirtIOMEM vdev;
};

#endif
