/*
 * The virtio bus: links a transport proxy (its parent device, e.g. a
 * VirtIOPCIProxy) and the one virtio device plugged into it (QEMU's API).
 *
 * The transport fills in VirtioBusClass for its bus subtype (e.g.
 * "virtio-pci-bus"); the core calls it to deliver interrupts and to tell
 * the transport when the device is plugged or unplugged.
 */
#ifndef HW_VIRTIO_BUS_H
#define HW_VIRTIO_BUS_H

#include "hw/qdev-core.h"
#include "hw/virtio/virtio.h"

#define TYPE_VIRTIO_BUS "virtio-bus"
typedef struct VirtioBusState VirtioBusState;
typedef struct VirtioBusClass VirtioBusClass;
DECLARE_OBJ_CHECKERS(VirtioBusState, VirtioBusClass, VIRTIO_BUS,
                     TYPE_VIRTIO_BUS)

struct VirtioBusState {
    BusState parent_obj;
};

struct VirtioBusClass {
    /* private */
    BusClass parent;

    /* public: every callback gets the proxy (the bus's parent device) */
    /* Deliver an interrupt for @vector (VIRTIO_NO_VECTOR: INTx). */
    void (*notify)(DeviceState *d, uint16_t vector);
    /* Before the device's features are computed (may add features). */
    void (*pre_plugged)(DeviceState *d, Error **errp);
    /* The device is realized: expose it to the guest. */
    void (*device_plugged)(DeviceState *d, Error **errp);
    void (*device_unplugged)(DeviceState *d);
    /* The address space the device reaches guest memory through. */
    AddressSpace *(*get_dma_as)(DeviceState *d);
};

/*
 * Called by the core once @vdev is realized: computes host_features
 * (VIRTIO_CORE_FEATURES + the device's get_features), sets vdev->dma_as,
 * then calls the transport's device_plugged.
 */
void virtio_bus_device_plugged(VirtIODevice *vdev, Error **errp);
void virtio_bus_device_unplugged(VirtIODevice *vdev);
/* Reset the plugged device, if any. */
void virtio_bus_reset(VirtioBusState *bus);
/* The device plugged into @bus, or NULL. */
VirtIODevice *virtio_bus_get_device(VirtioBusState *bus);

#endif
