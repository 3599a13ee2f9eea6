/*
 * A virtio-mem guest driver over qtest (see virtio-mem.h).
 */
#include "qemu/osdep.h"
#include "qemu/units.h"
#include <linux/virtio_config.h>
#include "libqos/virtio-mem.h"

#define DRIVER_RAM_START (16 * MiB)
#define DRIVER_RAM_END (32 * MiB)

uint64_t qvirtio_mem_config_read(QVirtioMemDriver *d, size_t offset)
{
    return qvirtio_pci_config_readq(d->dev, offset);
}

const char *qvirtio_mem_response_name(uint16_t type)
{
    switch (type) {
    case VIRTIO_MEM_RESP_ACK:
        return "ACK";
    case VIRTIO_MEM_RESP_NACK:
        return "NACK";
    case VIRTIO_MEM_RESP_BUSY:
        return "BUSY";
    case VIRTIO_MEM_RESP_ERROR:
        return "ERROR";
    default:
        return "?";
    }
}

uint16_t qvirtio_mem_request(QVirtioMemDriver *d, uint16_t type,
                             uint64_t addr, uint16_t nb_blocks,
                             uint16_t *state)
{
    struct virtio_mem_req req = {
        .type = GUINT16_TO_LE(type),
        .u.plug.addr = GUINT64_TO_LE(addr),
        .u.plug.nb_blocks = GUINT16_TO_LE(nb_blocks),
    };
    struct virtio_mem_resp resp;
    uint32_t head, len;

    qtest_memwrite(d->qts, d->req, &req, sizeof(req));
    head = qvirtqueue_add(d->vq, d->req, sizeof(req), false, true);
    qvirtqueue_add(d->vq, d->resp, sizeof(resp), true, false);
    qvirtqueue_kick(d->vq, head);
    if (!qvirtqueue_get_buf(d->vq, NULL, &len) || len != sizeof(resp)) {
        g_error("virtio-mem did not answer the request");
    }
    qtest_memread(d->qts, d->resp, &resp, sizeof(resp));
    if (state) {
        *state = GUINT16_FROM_LE(resp.u.state.state);
    }
    return GUINT16_FROM_LE(resp.type);
}

void qvirtio_mem_driver_start(QVirtioMemDriver *d, QTestState *qts,
                              int devfn)
{
    uint64_t wanted = (1ULL << VIRTIO_F_VERSION_1) |
                      (1ULL << VIRTIO_MEM_F_ACPI_PXM) |
                      (1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE);

    memset(d, 0, sizeof(*d));
    d->qts = qts;
    d->bus = qpci_new_pc(qts);
    alloc_init(&d->alloc, qts, DRIVER_RAM_START, DRIVER_RAM_END);
    d->req = guest_alloc(&d->alloc, 4096);
    d->resp = guest_alloc(&d->alloc, 4096);
    d->dev = qvirtio_pci_new(d->bus, devfn);
    if (!d->dev) {
        g_error("no virtio-mem-pci device at devfn %#x", devfn);
    }
    qvirtio_pci_reset(d->dev);
    if (!qvirtio_pci_negotiate(d->dev,
                               qvirtio_pci_get_features(d->dev) & wanted)) {
        g_error("virtio-mem refused FEATURES_OK");
    }
    d->vq = qvirtqueue_setup(d->dev, &d->alloc, 0);
    qvirtio_pci_set_driver_ok(d->dev);
    d->addr = QVIRTIO_MEM_CONFIG(d, addr);
    d->block_size = QVIRTIO_MEM_CONFIG(d, block_size);
}

void qvirtio_mem_driver_stop(QVirtioMemDriver *d)
{
    qvirtqueue_free(d->vq);
    qvirtio_pci_free(d->dev);
    qpci_free_pc(d->bus);
}
