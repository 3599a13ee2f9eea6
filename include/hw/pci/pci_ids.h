/*
 * PCI class codes and vendor / device ids used by the emulated devices.
 * Register layouts come from <linux/pci_regs.h>.
 */
#ifndef HW_PCI_IDS_H
#define HW_PCI_IDS_H

/* Class codes (base class << 8 | subclass). */
#define PCI_CLASS_STORAGE_SCSI           0x0100
#define PCI_CLASS_STORAGE_OTHER          0x0180
#define PCI_CLASS_NETWORK_ETHERNET       0x0200
#define PCI_CLASS_NETWORK_OTHER          0x0280
#define PCI_CLASS_DISPLAY_VGA            0x0300
#define PCI_CLASS_DISPLAY_OTHER          0x0380
#define PCI_CLASS_MEMORY_RAM             0x0500
#define PCI_CLASS_BRIDGE_HOST            0x0600
#define PCI_CLASS_BRIDGE_ISA             0x0601
#define PCI_CLASS_BRIDGE_PCI             0x0604
#define PCI_CLASS_BRIDGE_OTHER           0x0680
#define PCI_CLASS_COMMUNICATION_OTHER    0x0780
#define PCI_CLASS_SYSTEM_OTHER           0x0880
#define PCI_CLASS_INPUT_OTHER            0x0980
#define PCI_CLASS_OTHERS                 0xff

#define PCI_VENDOR_ID_INTEL              0x8086
#define PCI_DEVICE_ID_INTEL_82441        0x1237  /* i440FX host bridge */
#define PCI_DEVICE_ID_INTEL_82371SB_0    0x7000  /* PIIX3 ISA bridge */

#define PCI_VENDOR_ID_REDHAT_QUMRANET    0x1af4
#define PCI_SUBVENDOR_ID_REDHAT_QUMRANET 0x1af4
#define PCI_SUBDEVICE_ID_QEMU            0x1100

/* Transitional virtio device ids (modern ones are 0x1040 + device id). */
#define PCI_DEVICE_ID_VIRTIO_NET         0x1000
#define PCI_DEVICE_ID_VIRTIO_BLOCK       0x1001
#define PCI_DEVICE_ID_VIRTIO_BALLOON     0x1002
#define PCI_DEVICE_ID_VIRTIO_CONSOLE     0x1003
#define PCI_DEVICE_ID_VIRTIO_SCSI        0x1004
#define PCI_DEVICE_ID_VIRTIO_RNG         0x1005
#define PCI_DEVICE_ID_VIRTIO_9P          0x1009
#define PCI_DEVICE_ID_VIRTIO_VSOCK       0x1012
#define PCI_DEVICE_ID_VIRTIO_PMEM        0x1013
#define PCI_DEVICE_ID_VIRTIO_IOMMU       0x1014
#define PCI_DEVICE_ID_VIRTIO_MEM         0x1015

#define PCI_VENDOR_ID_REDHAT             0x1b36

#endif
