/*
 * A virtio-blk guest driver over qtest (libqos virtio-pci), for tests of
 * block devices whose backend runs elsewhere (vhost-user-blk).
 *
 * The driver finds the virtio-blk-pci function at @devfn, negotiates
 * VERSION_1 (and FLUSH when offered), sets up queue 0 with its rings in
 * guest RAM the caller chooses, and sends requests whose three parts
 * (header, data, status byte) live at guest addresses the caller chooses
 * too: the test decides which memory (boot RAM, plugged virtio-mem blocks,
 * different memslots) the backend has to translate.
 *
 * The backend completes requests asynchronously (in another process), so
 * a request polls the used ring until the element comes back; it gives up
 * (g_error) after a generous time so that a lost request ends the test
 * instead of hanging it.  Nothing about timing is asserted.
 *
 *   QVirtioBlkDriver d;
 *   qvirtio_blk_driver_start(&d, bus, QPCI_DEVFN(5, 0), 32 * MiB, 34 * MiB);
 *   status = qvirtio_blk_rw(&d, VIRTIO_BLK_T_IN, sector, hdr, data, 4096,
 *                           status_addr);
 *   qvirtio_blk_driver_stop(&d);
 */
#ifndef LIBQOS_VIRTIO_BLK_H
#define LIBQOS_VIRTIO_BLK_H

#include <linux/virtio_blk.h>
#include "libqtest.h"
#include "libqos/malloc.h"
#include "libqos/pci.h"
#include "libqos/virtio-pci.h"

#define QVIRTIO_BLK_SECTOR_SIZE 512

typedef struct QVirtioBlkDriver {
    QTestState *qts;
    QPCIBus *bus;               /* borrowed */
    QGuestAllocator alloc;      /* the rings */
    QVirtioPCIDevice *dev;
    QVirtQueue *vq;
    uint64_t features;          /* negotiated */
    uint64_t capacity;          /* in 512-byte sectors, from the config */
} QVirtioBlkDriver;

/*
 * Start the driver with the rings in guest RAM [@ring_start, @ring_end);
 * g_error() when the device is missing or refuses FEATURES_OK.  @bus is
 * borrowed: share one bus between the drivers of a VM, so that their BARs
 * get distinct addresses.
 */
void qvirtio_blk_driver_start(QVirtioBlkDriver *d, QPCIBus *bus,
                              int devfn, uint64_t ring_start,
                              uint64_t ring_end);
/* Reset the device (the backend stops) and free the driver's state
 * (not the bus). */
void qvirtio_blk_driver_stop(QVirtioBlkDriver *d);

/*
 * Send one request of @type (VIRTIO_BLK_T_*) for @sector: the header
 * (struct virtio_blk_outhdr) is written at @hdr, @len bytes of data are
 * at @data (device-readable for T_OUT, device-writable for T_IN and
 * T_GET_ID; no data descriptor when @len is 0), the status byte at
 * @status (written 0xff first).  Waits for completion and returns the
 * status byte (VIRTIO_BLK_S_*); *@used_len (may be NULL) gets the length
 * the device reported.
 */
uint8_t qvirtio_blk_request(QVirtioBlkDriver *d, uint32_t type,
                            uint64_t sector, uint64_t hdr, uint64_t data,
                            uint32_t len, uint64_t status,
                            uint32_t *used_len);

#endif
