/*
 * A minimal virtio transport for in-process tests and fuzzers: a device
 * with one virtio-bus whose DMA address space is system memory, that
 * offers VIRTIO_F_VERSION_1 and ignores interrupts.  Drive the VirtIODevice
 * on it directly (virtio_set_status, virtio_queue_set_rings, ...).
 */
#ifndef VIRTIO_TEST_TRANSPORT_H
#define VIRTIO_TEST_TRANSPORT_H

#include "hw/qdev-core.h"

#define TYPE_VIRTIO_TEST_TRANSPORT "virtio-test-transport"

/* A new, realized transport (unrealize + unparent + unref to free it). */
DeviceState *virtio_test_transport_new(void);

/* The virtio-bus to realize a VirtIODevice on. */
BusState *virtio_test_transport_bus(DeviceState *transport);

#endif
