/*
 * virtio-pci: the PCI transport for virtio devices, modern (virtio 1.x)
 * interface only (QEMU's API, without legacy I/O, MSI-X and ioeventfd).
 *
 * Guest-visible layout of every virtio-xxx-pci function:
 *   vendor 0x1af4, device 0x1040 + virtio device ID, revision 1,
 *   subsystem vendor 0x1af4, subsystem 0x1100, class from the concrete
 *   type (VirtioPCIClass.class_id if non-zero, else
 *   PCIDeviceClass.class_id), interrupt pin A, no MSI-X (msix_config and
 *   queue_msix_vector always read 0xffff).
 *   BAR4: 64-bit prefetchable memory, 16 KiB:
 *     0x0000 common configuration (struct virtio_pci_common_cfg)
 *     0x1000 ISR status (1 byte: reading returns and clears it, and
 *            lowers INTx)
 *     0x2000 device configuration
 *     0x3000 notifications (notify_off_multiplier 4: queue N is kicked by
 *            writing at 0x3000 + 4 * N)
 *   Vendor-specific capabilities (struct virtio_pci_cap,
 *   <linux/virtio_pci.h>), as QEMU 7.2 lays them out: common at 0x40, ISR
 *   0x50, device 0x60, notify 0x70 (struct virtio_pci_notify_cap), PCI_CFG
 *   0x84 (struct virtio_pci_cfg_cap: a window into BAR4 through config
 *   space; bar must be 4, length 1, 2 or 4).  The list starts at 0x84.
 *
 * A concrete device embeds its VirtIODevice after the proxy and is
 * registered with virtio_pci_types_register():
 *
 *   struct VirtIOMEMPCI { VirtIOPCIProxy parent_obj; VirtIOMEM vdev; };
 *   static void virtio_mem_pci_realize(VirtIOPCIProxy *vpci, Error **errp)
 *   {
 *       VirtIOMEMPCI *dev = VIRTIO_MEM_PCI(vpci);
 *       qdev_realize(DEVICE(&dev->vdev), BUS(&vpci->bus), errp);
 *   }
 *   instance_init: virtio_instance_init_common(obj, &dev->vdev,
 *                                              sizeof(dev->vdev),
 *                                              TYPE_VIRTIO_MEM);
 *   class_init:    VIRTIO_PCI_CLASS(klass)->realize = virtio_mem_pci_realize;
 *                  PCI_DEVICE_CLASS(klass)->class_id = PCI_CLASS_OTHERS;
 */
#ifndef HW_VIRTIO_PCI_H
#define HW_VIRTIO_PCI_H

#include <linux/virtio_pci.h>
#include "hw/pci/pci.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-bus.h"

/* Modern device IDs: 0x1040 + virtio device ID (pci_ids.h has vendors). */
#define PCI_DEVICE_ID_VIRTIO_10_BASE 0x1040

/* BAR4 layout (see above). */
#define VIRTIO_PCI_MODERN_BAR 4
#define VIRTIO_PCI_REGION_SIZE 0x1000
#define VIRTIO_PCI_COMMON_OFFSET 0x0000
#define VIRTIO_PCI_ISR_OFFSET 0x1000
#define VIRTIO_PCI_DEVICE_OFFSET 0x2000
#define VIRTIO_PCI_NOTIFY_OFFSET 0x3000
#define VIRTIO_PCI_MODERN_BAR_SIZE 0x4000
#define VIRTIO_PCI_NOTIFY_OFF_MULTIPLIER 4

#define TYPE_VIRTIO_PCI_BUS "virtio-pci-bus"
typedef struct VirtioBusState VirtioPCIBusState;
typedef struct VirtioBusClass VirtioPCIBusClass;
#define VIRTIO_PCI_BUS(obj) \
    OBJECT_CHECK(VirtioPCIBusState, (obj), TYPE_VIRTIO_PCI_BUS)

#define TYPE_VIRTIO_PCI "virtio-pci"
typedef struct VirtIOPCIProxy VirtIOPCIProxy;
typedef struct VirtioPCIClass VirtioPCIClass;
DECLARE_OBJ_CHECKERS(VirtIOPCIProxy, VirtioPCIClass, VIRTIO_PCI,
                     TYPE_VIRTIO_PCI)

struct VirtioPCIClass {
    /* private */
    PCIDeviceClass parent_class;
    DeviceRealize parent_dc_realize;
    DeviceReset parent_dc_reset;

    /* public */
    /* Realize the embedded virtio device on &proxy->bus. */
    void (*realize)(VirtIOPCIProxy *vpci_dev, Error **errp);
    /*
     * PCI class code (0: keep PCIDeviceClass.class_id, which defaults to
     * PCI_CLASS_OTHERS like QEMU: register value 0x00ff).
     */
    uint16_t class_id;
};

/* One of the four register blocks of BAR4. */
typedef struct VirtIOPCIRegion {
    MemoryRegion mr;
    uint32_t offset;
    uint32_t size;
    uint32_t type;              /* VIRTIO_PCI_CAP_*_CFG */
} VirtIOPCIRegion;

/* What the driver programmed for one queue through common config. */
typedef struct VirtIOPCIQueue {
    uint16_t num;
    bool enabled;
    uint32_t desc[2];
    uint32_t avail[2];
    uint32_t used[2];
} VirtIOPCIQueue;

struct VirtIOPCIProxy {
    PCIDevice pci_dev;

    /* private: see hw/virtio/virtio-pci.c */
    MemoryRegion modern_bar;
    bool regions_initialized;
    union {
        struct {
            VirtIOPCIRegion common;
            VirtIOPCIRegion isr;
            VirtIOPCIRegion device;
            VirtIOPCIRegion notify;
        };
        VirtIOPCIRegion regs[4];
    };
    uint32_t modern_mem_bar_idx;
    uint8_t pci_cfg_cap_offset;     /* config offset of the PCI_CFG cap */
    uint32_t dfselect;              /* device_feature_select */
    uint32_t gfselect;              /* driver_feature_select */
    uint32_t guest_features[2];     /* driver_feature, as written */
    VirtIOPCIQueue vqs[VIRTIO_QUEUE_MAX];
    VirtioBusState bus;
};

/*
 * QEMU's registration helper.  Registers @base_name (abstract, may be
 * NULL) with @instance_size, @instance_init, @class_init and
 * @interfaces, under @parent (default TYPE_VIRTIO_PCI), and the concrete
 * @generic_name ("virtio-xxx-pci") under it.  Without @base_name the
 * generic type gets everything.
 */
typedef struct VirtioPCIDeviceTypeInfo {
    const char *base_name;
    const char *generic_name;
    const char *transitional_name;      /* ignored: modern only */
    const char *non_transitional_name;  /* registered like generic_name */
    const char *parent;
    size_t instance_size;
    size_t class_size;
    void (*instance_init)(Object *obj);
    void (*class_init)(ObjectClass *klass, void *data);
    InterfaceInfo *interfaces;
} VirtioPCIDeviceTypeInfo;

void virtio_pci_types_register(const VirtioPCIDeviceTypeInfo *t);

#endif
