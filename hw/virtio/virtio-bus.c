/*
 * The virtio bus: glue between a transport proxy and its virtio device.
 */
#include "qemu/osdep.h"
#include "hw/virtio/virtio-bus.h"
#include "exec/address-spaces.h"

VirtIODevice *virtio_bus_get_device(VirtioBusState *bus)
{
    DeviceState *child = qbus_first_child(BUS(bus));

    return child ? VIRTIO_DEVICE(child) : NULL;
}

void virtio_bus_device_plugged(VirtIODevice *vdev, Error **errp)
{
    BusState *qbus = qdev_get_parent_bus(DEVICE(vdev));
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_GET_CLASS(vdev);
    VirtioBusClass *klass;
    ERRP_GUARD();

    if (!qbus) {
        error_setg(errp, "virtio device '%s' is not on a virtio bus",
                   object_get_typename(OBJECT(vdev)));
        return;
    }
    klass = VIRTIO_BUS_GET_CLASS(qbus);
    if (klass->pre_plugged) {
        klass->pre_plugged(qbus->parent, errp);
        if (*errp) {
            return;
        }
    }
    if (vdc->get_features) {
        vdev->host_features = vdc->get_features(vdev, vdev->host_features,
                                                errp);
        if (*errp) {
            return;
        }
    }
    vdev->dma_as = klass->get_dma_as ? klass->get_dma_as(qbus->parent)
                                     : &address_space_memory;
    if (klass->device_plugged) {
        klass->device_plugged(qbus->parent, errp);
    }
}

void virtio_bus_device_unplugged(VirtIODevice *vdev)
{
    BusState *qbus = qdev_get_parent_bus(DEVICE(vdev));
    VirtioBusClass *klass;

    if (!qbus) {
        return;
    }
    klass = VIRTIO_BUS_GET_CLASS(qbus);
    if (klass->device_unplugged) {
        klass->device_unplugged(qbus->parent);
    }
}

void virtio_bus_reset(VirtioBusState *bus)
{
    VirtIODevice *vdev = virtio_bus_get_device(bus);

    if (vdev) {
        virtio_reset(vdev);
    }
}

static const TypeInfo virtio_bus_info = {
    .name = TYPE_VIRTIO_BUS,
    .parent = TYPE_BUS,
    .instance_size = sizeof(VirtioBusState),
    .abstract = true,
    .class_size = sizeof(VirtioBusClass),
};

static void virtio_register_types(void)
{
    type_register_static(&virtio_bus_info);
}

type_init(virtio_register_types)
