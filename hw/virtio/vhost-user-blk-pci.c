/*
 * vhost-user-blk-pci: vhost-user-blk on the virtio-pci transport
 * (mass storage class, as QEMU).  See include/hw/virtio/vhost-user-blk.h.
 */
#include "qemu/osdep.h"
#include "hw/virtio/virtio-pci.h"
#include "hw/virtio/vhost-user-blk.h"
#include "hw/pci/pci_ids.h"
#include "qapi/error.h"

#define TYPE_VHOST_USER_BLK_PCI "vhost-user-blk-pci"
OBJECT_DECLARE_SIMPLE_TYPE(VHostUserBlkPCI, VHOST_USER_BLK_PCI)

struct VHostUserBlkPCI {
    VirtIOPCIProxy parent_obj;
    VHostUserBlk vdev;
};

static void vhost_user_blk_pci_realize(VirtIOPCIProxy *vpci_dev,
                                       Error **errp)
{
    VHostUserBlkPCI *dev = VHOST_USER_BLK_PCI(vpci_dev);

    qdev_realize(DEVICE(&dev->vdev), BUS(&vpci_dev->bus), errp);
}

static void vhost_user_blk_pci_instance_init(Object *obj)
{
    VHostUserBlkPCI *dev = VHOST_USER_BLK_PCI(obj);

    virtio_instance_init_common(obj, &dev->vdev, sizeof(dev->vdev),
                                TYPE_VHOST_USER_BLK);
}

static void vhost_user_blk_pci_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VirtioPCIClass *k = VIRTIO_PCI_CLASS(klass);
    PCIDeviceClass *pcidev_k = PCI_DEVICE_CLASS(klass);

    k->realize = vhost_user_blk_pci_realize;
    set_bit(DEVICE_CATEGORY_STORAGE, dc->categories);
    pcidev_k->class_id = PCI_CLASS_STORAGE_SCSI;
}

static const VirtioPCIDeviceTypeInfo vhost_user_blk_pci_info = {
    .generic_name = TYPE_VHOST_USER_BLK_PCI,
    .instance_size = sizeof(VHostUserBlkPCI),
    .instance_init = vhost_user_blk_pci_instance_init,
    .class_init = vhost_user_blk_pci_class_init,
};

static void vhost_user_blk_pci_register_types(void)
{
    virtio_pci_types_register(&vhost_user_blk_pci_info);
}

type_init(vhost_user_blk_pci_register_types)
