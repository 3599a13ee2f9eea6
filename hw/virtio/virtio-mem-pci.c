/*
 * virtio-mem-pci: the PCI proxy of virtio-mem, and the memory device
 * (TYPE_MEMORY_DEVICE) the machine places into device memory.
 */
#include "qemu/osdep.h"
#include "virtio-mem-pci.h"
#include "hw/mem/memory-device.h"
#include "hw/pci/pci_ids.h"
#include "hw/qdev-properties.h"
#include "qapi/error.h"
#include "qapi/qmp-event.h"

static VirtIOMEM *virtio_mem_pci_vdev(const MemoryDeviceState *md)
{
    return &VIRTIO_MEM_PCI(md)->vdev;
}

static uint64_t virtio_mem_pci_get_addr(const MemoryDeviceState *md)
{
    return object_property_get_uint(OBJECT(md), VIRTIO_MEM_ADDR_PROP,
                                    &error_abort);
}

static void virtio_mem_pci_set_addr(MemoryDeviceState *md, uint64_t addr,
                                    Error **errp)
{
    object_property_set_uint(OBJECT(md), VIRTIO_MEM_ADDR_PROP, addr, errp);
}

static uint64_t virtio_mem_pci_get_plugged_size(const MemoryDeviceState *md,
                                                Error **errp)
{
    return object_property_get_uint(OBJECT(md), VIRTIO_MEM_SIZE_PROP, errp);
}

static MemoryRegion *virtio_mem_pci_get_memory_region(MemoryDeviceState *md,
                                                      Error **errp)
{
    VirtIOMEM *vmem = virtio_mem_pci_vdev(md);
    VirtIOMEMClass *vmc = VIRTIO_MEM_GET_CLASS(vmem);

    return vmc->get_memory_region(vmem, errp);
}

static unsigned int virtio_mem_pci_get_memslots(MemoryDeviceState *md)
{
    VirtIOMEM *vmem = virtio_mem_pci_vdev(md);
    VirtIOMEMClass *vmc = VIRTIO_MEM_GET_CLASS(vmem);

    return vmc->get_memslots(vmem);
}

static void virtio_mem_pci_decide_memslots(MemoryDeviceState *md,
                                           unsigned int limit)
{
    VirtIOMEM *vmem = virtio_mem_pci_vdev(md);
    VirtIOMEMClass *vmc = VIRTIO_MEM_GET_CLASS(vmem);

    vmc->decide_memslots(vmem, limit);
}

static uint64_t virtio_mem_pci_get_min_alignment(const MemoryDeviceState *md)
{
    return object_property_get_uint(OBJECT(md), VIRTIO_MEM_BLOCK_SIZE_PROP,
                                    &error_abort);
}

static void virtio_mem_pci_fill_device_info(const MemoryDeviceState *md,
                                            MemoryDeviceInfo *info)
{
    VirtIOMEM *vmem = virtio_mem_pci_vdev(md);
    VirtIOMEMClass *vmc = VIRTIO_MEM_GET_CLASS(vmem);
    const char *id = DEVICE(md)->id;

    info->type = g_strdup("virtio-mem");
    info->data = json_object_new();
    vmc->fill_device_info(vmem, info->data);
    if (id) {
        json_object_set_string_member(info->data, "id", id);
    }
}

/* MEMORY_DEVICE_SIZE_CHANGE: the monitor throttles it per qom-path. */
static void virtio_mem_pci_size_change(VirtIOMEM *vmem, uint64_t size,
                                       void *opaque)
{
    VirtIOMEMPCI *pci_mem = opaque;
    DeviceState *dev = DEVICE(pci_mem);
    JsonObject *data = json_object_new();
    char *qom_path = object_get_canonical_path(OBJECT(dev));

    if (dev->id) {
        json_object_set_string_member(data, "id", dev->id);
    }
    json_object_set_int_member(data, "size", size);
    json_object_set_string_member(data, "qom-path", qom_path);
    qapi_event_send("MEMORY_DEVICE_SIZE_CHANGE", data);
    g_free(qom_path);
}

static void virtio_mem_pci_realize(VirtIOPCIProxy *vpci_dev, Error **errp)
{
    VirtIOMEMPCI *pci_mem = VIRTIO_MEM_PCI(vpci_dev);
    VirtIOMEMClass *vmc = VIRTIO_MEM_GET_CLASS(&pci_mem->vdev);

    if (!qdev_realize(DEVICE(&pci_mem->vdev), BUS(&vpci_dev->bus), errp)) {
        return;
    }
    vmc->set_size_change_notifier(&pci_mem->vdev, virtio_mem_pci_size_change,
                                  pci_mem);
}

static void virtio_mem_pci_instance_init(Object *obj)
{
    VirtIOMEMPCI *pci_mem = VIRTIO_MEM_PCI(obj);

    virtio_instance_init_common(obj, &pci_mem->vdev, sizeof(pci_mem->vdev),
                                TYPE_VIRTIO_MEM);
}

static void virtio_mem_pci_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VirtioPCIClass *k = VIRTIO_PCI_CLASS(klass);
    PCIDeviceClass *pcidev_k = PCI_DEVICE_CLASS(klass);
    MemoryDeviceClass *mdc = MEMORY_DEVICE_CLASS(klass);

    k->realize = virtio_mem_pci_realize;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    /* PCI_CLASS_OTHERS in the 16-bit class field (0x00ff), as QEMU 7.2 */
    pcidev_k->class_id = PCI_CLASS_OTHERS;

    mdc->get_addr = virtio_mem_pci_get_addr;
    mdc->set_addr = virtio_mem_pci_set_addr;
    mdc->get_plugged_size = virtio_mem_pci_get_plugged_size;
    mdc->get_memory_region = virtio_mem_pci_get_memory_region;
    mdc->get_min_alignment = virtio_mem_pci_get_min_alignment;
    mdc->decide_memslots = virtio_mem_pci_decide_memslots;
    mdc->get_memslots = virtio_mem_pci_get_memslots;
    mdc->fill_device_info = virtio_mem_pci_fill_device_info;
}

static const VirtioPCIDeviceTypeInfo virtio_mem_pci_info = {
    .generic_name = TYPE_VIRTIO_MEM_PCI,
    .instance_size = sizeof(VirtIOMEMPCI),
    .instance_init = virtio_mem_pci_instance_init,
    .class_init = virtio_mem_pci_class_init,
    .interfaces = (InterfaceInfo[]) {
        { TYPE_MEMORY_DEVICE },
        { }
    },
};

static void virtio_mem_pci_register_types(void)
{
    virtio_pci_types_register(&virtio_mem_pci_info);
}

type_init(virtio_mem_pci_register_types)
