/*
 * A small virtio-pci (modern) guest driver for qtests, over libqtest and
 * libqos/pci.h.  It does what a guest driver does, step by step, so that a
 * test can stop anywhere in between or do a step wrongly on purpose.
 *
 * Bring-up of a device at 00:04.0 with one queue:
 *
 *   QTestState *qts = qtest_init("-machine pc -m 1G,maxmem=9G,slots=1 "
 *                                "-object memory-backend-ram,id=mem0,size=8G "
 *                                "-device virtio-mem-pci,id=vm0,memdev=mem0,"
 *                                "addr=4");
 *   QPCIBus *bus = qpci_new_pc(qts);
 *   QGuestAllocator alloc;
 *   alloc_init(&alloc, qts, 16 * MiB, 32 * MiB);    // guest RAM for rings
 *   QVirtioPCIDevice *d = qvirtio_pci_new(bus, QPCI_DEVFN(4, 0));
 *       // finds the capabilities, maps BAR4, enables memory + bus master
 *   qvirtio_pci_reset(d);
 *   g_assert_true(qvirtio_pci_negotiate(d, features));
 *       // ACKNOWLEDGE, DRIVER, driver features, FEATURES_OK (read back)
 *   QVirtQueue *vq = qvirtqueue_setup(d, &alloc, 0);
 *       // queue_select, size, rings in guest RAM, queue_enable
 *   qvirtio_pci_set_driver_ok(d);
 *
 *   uint64_t req = guest_alloc(&alloc, 4096), resp = guest_alloc(...);
 *   qtest_memwrite(qts, req, &request, sizeof(request));
 *   uint32_t head = qvirtqueue_add(vq, req, sizeof(request), false, true);
 *   qvirtqueue_add(vq, resp, sizeof(response), true, false);
 *   qvirtqueue_kick(vq, head);      // avail ring + notify register
 *   uint32_t id, len;
 *   g_assert_true(qvirtqueue_get_buf(vq, &id, &len));   // used ring
 *   qtest_memread(qts, resp, &response, sizeof(response));
 *
 *   qvirtqueue_free(vq); qvirtio_pci_free(d); qpci_free_pc(bus);
 *
 * The device handles a kick synchronously (qtest commands are processed
 * in order), so the used ring is up to date when qvirtqueue_kick()
 * returns: no polling, no timing.
 *
 * Interrupts: qvirtio_pci_isr() reads (and so clears) the ISR byte;
 * qvirtio_pci_intx_gsi() gives the I/O APIC line to watch with
 * qtest_irq_intercept_in(qts, "/machine/ioapic") + qtest_get_irq().
 *
 * Register offsets inside the regions are those of <linux/virtio_pci.h>
 * (VIRTIO_PCI_COMMON_*).
 */
#ifndef LIBQOS_VIRTIO_PCI_H
#define LIBQOS_VIRTIO_PCI_H

#include <linux/virtio_pci.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include "pci.h"
#include "malloc.h"

/* One virtio_pci_cap as read from config space. */
typedef struct QVirtioPCICap {
    uint8_t cap_offset;         /* in config space; 0: not found */
    uint8_t bar;
    uint32_t offset;            /* in the BAR */
    uint32_t length;
} QVirtioPCICap;

typedef struct QVirtioPCIDevice {
    QPCIDevice *pdev;
    QTestState *qts;
    QPCIBar bar;                /* the BAR holding the regions */
    uint64_t bar_size;
    QVirtioPCICap common;
    QVirtioPCICap isr;
    QVirtioPCICap device;
    QVirtioPCICap notify;
    QVirtioPCICap pci_cfg;      /* bar/offset/length unused */
    uint32_t notify_off_multiplier;
} QVirtioPCIDevice;

/*
 * Find the function at @devfn, read its vendor capabilities, map the BAR
 * they point to and enable I/O, memory and bus mastering.  Aborts the
 * test if it is not a modern virtio-pci device.
 */
QVirtioPCIDevice *qvirtio_pci_new(QPCIBus *bus, int devfn);
void qvirtio_pci_free(QVirtioPCIDevice *d);

/* Walk the vendor capabilities for @cfg_type (VIRTIO_PCI_CAP_*). */
QVirtioPCICap qvirtio_pci_find_cap(QPCIDevice *pdev, uint8_t cfg_type);

/* Common configuration registers (VIRTIO_PCI_COMMON_* offsets). */
uint8_t qvirtio_pci_common_readb(QVirtioPCIDevice *d, uint32_t off);
uint16_t qvirtio_pci_common_readw(QVirtioPCIDevice *d, uint32_t off);
uint32_t qvirtio_pci_common_readl(QVirtioPCIDevice *d, uint32_t off);
void qvirtio_pci_common_writeb(QVirtioPCIDevice *d, uint32_t off,
                               uint8_t val);
void qvirtio_pci_common_writew(QVirtioPCIDevice *d, uint32_t off,
                               uint16_t val);
void qvirtio_pci_common_writel(QVirtioPCIDevice *d, uint32_t off,
                               uint32_t val);

/* Device configuration (the device-specific struct). */
uint8_t qvirtio_pci_config_readb(QVirtioPCIDevice *d, uint32_t off);
uint16_t qvirtio_pci_config_readw(QVirtioPCIDevice *d, uint32_t off);
uint32_t qvirtio_pci_config_readl(QVirtioPCIDevice *d, uint32_t off);
/* Two 32-bit reads, as the spec allows for 64-bit fields. */
uint64_t qvirtio_pci_config_readq(QVirtioPCIDevice *d, uint32_t off);
void qvirtio_pci_config_writeb(QVirtioPCIDevice *d, uint32_t off,
                               uint8_t val);
void qvirtio_pci_config_writel(QVirtioPCIDevice *d, uint32_t off,
                               uint32_t val);

/* The ISR byte (reading clears it and lowers INTx). */
uint8_t qvirtio_pci_isr(QVirtioPCIDevice *d);
/* The I/O APIC line INTx is routed to (-1: none). */
int qvirtio_pci_intx_gsi(QVirtioPCIDevice *d);

/* Offered features (both 32-bit halves through device_feature_select). */
uint64_t qvirtio_pci_get_features(QVirtioPCIDevice *d);
/* Write driver_feature (both halves). */
void qvirtio_pci_set_features(QVirtioPCIDevice *d, uint64_t features);
/* driver_feature as the device reads it back. */
uint64_t qvirtio_pci_get_driver_features(QVirtioPCIDevice *d);

uint8_t qvirtio_pci_get_status(QVirtioPCIDevice *d);
void qvirtio_pci_set_status(QVirtioPCIDevice *d, uint8_t status);
/* Write 0 to device_status and check it reads back 0. */
void qvirtio_pci_reset(QVirtioPCIDevice *d);
/*
 * ACKNOWLEDGE, DRIVER, write @features, set FEATURES_OK; returns whether
 * the device kept FEATURES_OK.
 */
bool qvirtio_pci_negotiate(QVirtioPCIDevice *d, uint64_t features);
/* status |= DRIVER_OK. */
void qvirtio_pci_set_driver_ok(QVirtioPCIDevice *d);
uint8_t qvirtio_pci_config_generation(QVirtioPCIDevice *d);

/*
 * Access @len (1, 2 or 4) bytes at @offset of BAR @bar through the
 * VIRTIO_PCI_CAP_PCI_CFG window in config space.
 */
uint32_t qvirtio_pci_cfg_window_read(QVirtioPCIDevice *d, uint8_t bar,
                                     uint32_t offset, uint32_t len);
void qvirtio_pci_cfg_window_write(QVirtioPCIDevice *d, uint8_t bar,
                                  uint32_t offset, uint32_t len,
                                  uint32_t val);

/* --- Split virtqueues ----------------------------------------------- */

typedef struct QVirtQueue {
    QVirtioPCIDevice *dev;
    QTestState *qts;
    uint16_t index;
    uint16_t size;              /* queue_size used (the device's maximum) */
    uint64_t desc;              /* guest addresses of the three parts */
    uint64_t avail;
    uint64_t used;
    uint16_t free_head;         /* next descriptor qvirtqueue_add() uses */
    uint16_t avail_idx;         /* next avail idx the driver publishes */
    uint16_t last_used_idx;     /* used entries consumed by get_buf */
    uint32_t notify_off;        /* offset in the notify region */
} QVirtQueue;

/*
 * Program queue @index: read its size, allocate zeroed rings from @alloc
 * (4 KiB aligned), write their addresses, enable it.  The queue must
 * exist (queue_size != 0).  qvirtqueue_setup() keeps the device's size;
 * _setup_size() writes @size_override first (0: keep).
 */
QVirtQueue *qvirtqueue_setup(QVirtioPCIDevice *d, QGuestAllocator *alloc,
                             uint16_t index);
QVirtQueue *qvirtqueue_setup_size(QVirtioPCIDevice *d, QGuestAllocator *alloc,
                                  uint16_t index, uint16_t size_override);
void qvirtqueue_free(QVirtQueue *vq);

/* Write descriptor @i raw (for malformed chains). */
void qvirtqueue_write_desc(QVirtQueue *vq, uint16_t i, uint64_t addr,
                           uint32_t len, uint16_t flags, uint16_t next);
/*
 * Append a buffer at the next free descriptor: device-writable if
 * @write, chained to the following descriptor if @next.  Returns its
 * index (the first one of a chain is the head to kick).
 */
uint32_t qvirtqueue_add(QVirtQueue *vq, uint64_t data, uint32_t len,
                        bool write, bool next);
/*
 * Put an indirect table of @n descriptors (already written to guest
 * memory at @table) at the next free descriptor; returns its index.
 */
uint32_t qvirtqueue_add_indirect(QVirtQueue *vq, uint64_t table, uint16_t n);
/* Publish @head in the avail ring without notifying. */
void qvirtqueue_publish(QVirtQueue *vq, uint32_t head);
/* Write the queue's notify register. */
void qvirtqueue_notify(QVirtQueue *vq);
/* qvirtqueue_publish() + qvirtqueue_notify(). */
void qvirtqueue_kick(QVirtQueue *vq, uint32_t head);
/*
 * The next used element, if the device produced one since the last call
 * (true; *@desc_idx = id, *@len = len, either may be NULL).
 */
bool qvirtqueue_get_buf(QVirtQueue *vq, uint32_t *desc_idx, uint32_t *len);
/* The used ring's idx as the device last wrote it. */
uint16_t qvirtqueue_used_idx(QVirtQueue *vq);

#endif
