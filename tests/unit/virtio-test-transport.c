/*
 * A minimal virtio transport for in-process tests and fuzzers.
 */
#include "qemu/osdep.h"
#include <linux/virtio_config.h>
#include "exec/address-spaces.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-bus.h"
#include "qapi/error.h"
#include "virtio-test-transport.h"

#define TYPE_VIRTIO_TEST_BUS "virtio-test-bus"

typedef struct VirtioTestTransport {
    DeviceState parent_obj;
    VirtioBusState bus;
} VirtioTestTransport;

static VirtioTestTransport *test_transport(DeviceState *d)
{
    return OBJECT_CHECK(VirtioTestTransport, d, TYPE_VIRTIO_TEST_TRANSPORT);
}

static void test_bus_pre_plugged(DeviceState *d, Error **errp)
{
    VirtIODevice *vdev = virtio_bus_get_device(&test_transport(d)->bus);

    virtio_add_feature(&vdev->host_features, VIRTIO_F_VERSION_1);
}

static AddressSpace *test_bus_get_dma_as(DeviceState *d)
{
    return &address_space_memory;
}

static void test_bus_notify(DeviceState *d, uint16_t vector)
{
}

static void test_bus_class_init(ObjectClass *klass, void *data)
{
    VirtioBusClass *k = VIRTIO_BUS_CLASS(klass);

    BUS_CLASS(klass)->max_dev = 1;
    k->notify = test_bus_notify;
    k->pre_plugged = test_bus_pre_plugged;
    k->get_dma_as = test_bus_get_dma_as;
}

static void test_transport_realize(DeviceState *dev, Error **errp)
{
    VirtioTestTransport *t = test_transport(dev);

    qbus_init(&t->bus, sizeof(t->bus), TYPE_VIRTIO_TEST_BUS, dev,
              "virtio-bus");
}

static void test_transport_class_init(ObjectClass *klass, void *data)
{
    DEVICE_CLASS(klass)->realize = test_transport_realize;
}

static const TypeInfo virtio_test_transport_types[] = {
    {
        .name = TYPE_VIRTIO_TEST_BUS,
        .parent = TYPE_VIRTIO_BUS,
        .instance_size = sizeof(VirtioBusState),
        .class_size = sizeof(VirtioBusClass),
        .class_init = test_bus_class_init,
    },
    {
        .name = TYPE_VIRTIO_TEST_TRANSPORT,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(VirtioTestTransport),
        .class_init = test_transport_class_init,
    },
};

DEFINE_TYPES(virtio_test_transport_types)

DeviceState *virtio_test_transport_new(void)
{
    DeviceState *dev = qdev_new(TYPE_VIRTIO_TEST_TRANSPORT);

    qdev_realize(dev, NULL, &error_abort);
    return dev;
}

BusState *virtio_test_transport_bus(DeviceState *transport)
{
    return BUS(&test_transport(transport)->bus);
}
