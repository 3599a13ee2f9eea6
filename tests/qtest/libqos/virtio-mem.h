/*
 * A virtio-mem guest driver over qtest, for programs that need the device
 * to plug and unplug memory without a guest: the demo and the benchmarks.
 * (tests/qtest/virtio-mem-test.c keeps its own, lower-level driver to send
 * malformed requests.)
 *
 * The driver finds virtio-mem-pci at @devfn, negotiates VERSION_1,
 * ACPI_PXM and UNPLUGGED_INACCESSIBLE (whatever of them the device
 * offers), starts the request queue and keeps its ring and buffers in
 * guest RAM at [16 MiB, 32 MiB).  Nothing is written to guest memory
 * besides that; plugged memory is left untouched.
 */
#ifndef LIBQOS_VIRTIO_MEM_H
#define LIBQOS_VIRTIO_MEM_H

#include <linux/virtio_mem.h>
#include "libqtest.h"
#include "libqos/malloc.h"
#include "libqos/pci.h"
#include "libqos/virtio-pci.h"

typedef struct QVirtioMemDriver {
    QTestState *qts;
    QPCIBus *bus;
    QGuestAllocator alloc;
    QVirtioPCIDevice *dev;
    QVirtQueue *vq;
    uint64_t req, resp;         /* guest addresses of the two buffers */
    uint64_t addr, block_size;  /* from the device's configuration */
} QVirtioMemDriver;

/* Start the driver; g_error() when the device is missing or refuses. */
void qvirtio_mem_driver_start(QVirtioMemDriver *d, QTestState *qts,
                              int devfn);
void qvirtio_mem_driver_stop(QVirtioMemDriver *d);

/* A field of struct virtio_mem_config, e.g. QVIRTIO_MEM_CONFIG(d, addr). */
uint64_t qvirtio_mem_config_read(QVirtioMemDriver *d, size_t offset);
#define QVIRTIO_MEM_CONFIG(d, field) \
    qvirtio_mem_config_read(d, offsetof(struct virtio_mem_config, field))

/*
 * Send one request (VIRTIO_MEM_REQ_*) and return the response type
 * (VIRTIO_MEM_RESP_*); with @state non-NULL, the STATE answer.
 */
uint16_t qvirtio_mem_request(QVirtioMemDriver *d, uint16_t type,
                             uint64_t addr, uint16_t nb_blocks,
                             uint16_t *state);

/* "ACK", "NACK", "BUSY", "ERROR" or "?". */
const char *qvirtio_mem_response_name(uint16_t type);

#endif
