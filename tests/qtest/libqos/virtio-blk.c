/*
 * A virtio-blk guest driver over qtest (see virtio-blk.h).
 */
#include "qemu/osdep.h"
#include <linux/virtio_config.h>
#include "libqos/virtio-blk.h"

/* A lost request ends the test after this long instead of hanging it. */
#define REQUEST_TIMEOUT_S 60

void qvirtio_blk_driver_start(QVirtioBlkDriver *d, QPCIBus *bus,
                              int devfn, uint64_t ring_start,
                              uint64_t ring_end)
{
    uint64_t wanted = (1ULL << VIRTIO_F_VERSION_1) |
                      (1ULL << VIRTIO_BLK_F_FLUSH);

    memset(d, 0, sizeof(*d));
    d->qts = bus->qts;
    d->bus = bus;
    alloc_init(&d->alloc, d->qts, ring_start, ring_end);
    d->dev = qvirtio_pci_new(d->bus, devfn);
    if (!d->dev) {
        g_error("no virtio-blk-pci device at devfn %#x", devfn);
    }
    qvirtio_pci_reset(d->dev);
    d->features = qvirtio_pci_get_features(d->dev) & wanted;
    if (!(d->features & (1ULL << VIRTIO_F_VERSION_1)) ||
        !qvirtio_pci_negotiate(d->dev, d->features)) {
        g_error("virtio-blk refused FEATURES_OK");
    }
    d->capacity = qvirtio_pci_config_readq(
        d->dev, offsetof(struct virtio_blk_config, capacity));
    d->vq = qvirtqueue_setup(d->dev, &d->alloc, 0);
    qvirtio_pci_set_driver_ok(d->dev);
}

void qvirtio_blk_driver_stop(QVirtioBlkDriver *d)
{
    qvirtio_pci_reset(d->dev);
    qvirtqueue_free(d->vq);
    qvirtio_pci_free(d->dev);
}

/* Poll the used ring for @head (the backend answers asynchronously). */
static uint32_t wait_used(QVirtioBlkDriver *d, uint32_t head)
{
    gint64 deadline = g_get_monotonic_time() +
                      REQUEST_TIMEOUT_S * G_TIME_SPAN_SECOND;
    uint32_t id, len;

    while (!qvirtqueue_get_buf(d->vq, &id, &len)) {
        if (g_get_monotonic_time() > deadline) {
            g_error("virtio-blk: request %u not completed after %d s", head,
                    REQUEST_TIMEOUT_S);
        }
        g_usleep(200);
    }
    if (id != head) {
        g_error("virtio-blk: used element %u, expected %u", id, head);
    }
    return len;
}

uint8_t qvirtio_blk_request(QVirtioBlkDriver *d, uint32_t type,
                            uint64_t sector, uint64_t hdr, uint64_t data,
                            uint32_t len, uint64_t status,
                            uint32_t *used_len)
{
    struct virtio_blk_outhdr out = {
        .type = GUINT32_TO_LE(type),
        .sector = GUINT64_TO_LE(sector),
    };
    bool device_writes = type != VIRTIO_BLK_T_OUT;
    uint32_t head, ulen;

    qtest_memwrite(d->qts, hdr, &out, sizeof(out));
    qtest_writeb(d->qts, status, 0xff);
    head = qvirtqueue_add(d->vq, hdr, sizeof(out), false, true);
    if (len) {
        qvirtqueue_add(d->vq, data, len, device_writes, true);
    }
    qvirtqueue_add(d->vq, status, 1, true, false);
    qvirtqueue_kick(d->vq, head);
    ulen = wait_used(d, head);
    if (used_len) {
        *used_len = ulen;
    }
    return qtest_readb(d->qts, status);
}
