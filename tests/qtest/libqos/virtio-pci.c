#include "qemu/osdep.h"
#include <linux/pci_regs.h>
#include "virtio-pci.h"

#define CAP_FIELD(f) offsetof(struct virtio_pci_cap, f)

QVirtioPCICap qvirtio_pci_find_cap(QPCIDevice *pdev, uint8_t cfg_type)
{
    QVirtioPCICap cap = { 0 };
    uint8_t at = 0;

    while ((at = qpci_find_capability(pdev, PCI_CAP_ID_VNDR, at))) {
        if (qpci_config_readb(pdev, at + CAP_FIELD(cfg_type)) == cfg_type) {
            cap.cap_offset = at;
            cap.bar = qpci_config_readb(pdev, at + CAP_FIELD(bar));
            cap.offset = qpci_config_readl(pdev, at + CAP_FIELD(offset));
            cap.length = qpci_config_readl(pdev, at + CAP_FIELD(length));
            break;
        }
    }
    return cap;
}

QVirtioPCIDevice *qvirtio_pci_new(QPCIBus *bus, int devfn)
{
    QVirtioPCIDevice *d = g_new0(QVirtioPCIDevice, 1);

    d->pdev = qpci_device_find(bus, devfn);
    g_assert_nonnull(d->pdev);
    g_assert_cmphex(qpci_config_readw(d->pdev, PCI_VENDOR_ID), ==, 0x1af4);
    d->qts = bus->qts;
    d->common = qvirtio_pci_find_cap(d->pdev, VIRTIO_PCI_CAP_COMMON_CFG);
    d->isr = qvirtio_pci_find_cap(d->pdev, VIRTIO_PCI_CAP_ISR_CFG);
    d->device = qvirtio_pci_find_cap(d->pdev, VIRTIO_PCI_CAP_DEVICE_CFG);
    d->notify = qvirtio_pci_find_cap(d->pdev, VIRTIO_PCI_CAP_NOTIFY_CFG);
    d->pci_cfg = qvirtio_pci_find_cap(d->pdev, VIRTIO_PCI_CAP_PCI_CFG);
    g_assert_cmpuint(d->common.cap_offset, !=, 0);
    g_assert_cmpuint(d->isr.cap_offset, !=, 0);
    g_assert_cmpuint(d->notify.cap_offset, !=, 0);
    g_assert_cmpuint(d->common.bar, ==, d->isr.bar);
    g_assert_cmpuint(d->common.bar, ==, d->notify.bar);
    d->notify_off_multiplier =
        qpci_config_readl(d->pdev, d->notify.cap_offset +
                          offsetof(struct virtio_pci_notify_cap,
                                   notify_off_multiplier));
    d->bar = qpci_iomap(d->pdev, d->common.bar, &d->bar_size);
    qpci_device_enable(d->pdev);
    return d;
}

void qvirtio_pci_free(QVirtioPCIDevice *d)
{
    if (d) {
        g_free(d->pdev);
        g_free(d);
    }
}

/* --- Register regions ----------------------------------------------- */

uint8_t qvirtio_pci_common_readb(QVirtioPCIDevice *d, uint32_t off)
{
    return qpci_io_readb(d->pdev, d->bar, d->common.offset + off);
}

uint16_t qvirtio_pci_common_readw(QVirtioPCIDevice *d, uint32_t off)
{
    return qpci_io_readw(d->pdev, d->bar, d->common.offset + off);
}

uint32_t qvirtio_pci_common_readl(QVirtioPCIDevice *d, uint32_t off)
{
    return qpci_io_readl(d->pdev, d->bar, d->common.offset + off);
}

void qvirtio_pci_common_writeb(QVirtioPCIDevice *d, uint32_t off,
                               uint8_t val)
{
    qpci_io_writeb(d->pdev, d->bar, d->common.offset + off, val);
}

void qvirtio_pci_common_writew(QVirtioPCIDevice *d, uint32_t off,
                               uint16_t val)
{
    qpci_io_writew(d->pdev, d->bar, d->common.offset + off, val);
}

void qvirtio_pci_common_writel(QVirtioPCIDevice *d, uint32_t off,
                               uint32_t val)
{
    qpci_io_writel(d->pdev, d->bar, d->common.offset + off, val);
}

uint8_t qvirtio_pci_config_readb(QVirtioPCIDevice *d, uint32_t off)
{
    return qpci_io_readb(d->pdev, d->bar, d->device.offset + off);
}

uint16_t qvirtio_pci_config_readw(QVirtioPCIDevice *d, uint32_t off)
{
    return qpci_io_readw(d->pdev, d->bar, d->device.offset + off);
}

uint32_t qvirtio_pci_config_readl(QVirtioPCIDevice *d, uint32_t off)
{
    return qpci_io_readl(d->pdev, d->bar, d->device.offset + off);
}

uint64_t qvirtio_pci_config_readq(QVirtioPCIDevice *d, uint32_t off)
{
    return qvirtio_pci_config_readl(d, off) |
           (uint64_t)qvirtio_pci_config_readl(d, off + 4) << 32;
}

void qvirtio_pci_config_writeb(QVirtioPCIDevice *d, uint32_t off,
                               uint8_t val)
{
    qpci_io_writeb(d->pdev, d->bar, d->device.offset + off, val);
}

void qvirtio_pci_config_writel(QVirtioPCIDevice *d, uint32_t off,
                               uint32_t val)
{
    qpci_io_writel(d->pdev, d->bar, d->device.offset + off, val);
}

uint8_t qvirtio_pci_isr(QVirtioPCIDevice *d)
{
    return qpci_io_readb(d->pdev, d->bar, d->isr.offset);
}

int qvirtio_pci_intx_gsi(QVirtioPCIDevice *d)
{
    return qpci_pc_intx_gsi(d->pdev);
}

/* --- Features and status -------------------------------------------- */

uint64_t qvirtio_pci_get_features(QVirtioPCIDevice *d)
{
    uint64_t lo, hi;

    qvirtio_pci_common_writel(d, VIRTIO_PCI_COMMON_DFSELECT, 0);
    lo = qvirtio_pci_common_readl(d, VIRTIO_PCI_COMMON_DF);
    qvirtio_pci_common_writel(d, VIRTIO_PCI_COMMON_DFSELECT, 1);
    hi = qvirtio_pci_common_readl(d, VIRTIO_PCI_COMMON_DF);
    return lo | hi << 32;
}

void qvirtio_pci_set_features(QVirtioPCIDevice *d, uint64_t features)
{
    qvirtio_pci_common_writel(d, VIRTIO_PCI_COMMON_GFSELECT, 0);
    qvirtio_pci_common_writel(d, VIRTIO_PCI_COMMON_GF, (uint32_t)features);
    qvirtio_pci_common_writel(d, VIRTIO_PCI_COMMON_GFSELECT, 1);
    qvirtio_pci_common_writel(d, VIRTIO_PCI_COMMON_GF, features >> 32);
}

uint64_t qvirtio_pci_get_driver_features(QVirtioPCIDevice *d)
{
    uint64_t lo, hi;

    qvirtio_pci_common_writel(d, VIRTIO_PCI_COMMON_GFSELECT, 0);
    lo = qvirtio_pci_common_readl(d, VIRTIO_PCI_COMMON_GF);
    qvirtio_pci_common_writel(d, VIRTIO_PCI_COMMON_GFSELECT, 1);
    hi = qvirtio_pci_common_readl(d, VIRTIO_PCI_COMMON_GF);
    return lo | hi << 32;
}

uint8_t qvirtio_pci_get_status(QVirtioPCIDevice *d)
{
    return qvirtio_pci_common_readb(d, VIRTIO_PCI_COMMON_STATUS);
}

void qvirtio_pci_set_status(QVirtioPCIDevice *d, uint8_t status)
{
    qvirtio_pci_common_writeb(d, VIRTIO_PCI_COMMON_STATUS, status);
}

void qvirtio_pci_reset(QVirtioPCIDevice *d)
{
    qvirtio_pci_set_status(d, 0);
    g_assert_cmphex(qvirtio_pci_get_status(d), ==, 0);
}

bool qvirtio_pci_negotiate(QVirtioPCIDevice *d, uint64_t features)
{
    uint8_t status = VIRTIO_CONFIG_S_ACKNOWLEDGE;

    qvirtio_pci_set_status(d, status);
    status |= VIRTIO_CONFIG_S_DRIVER;
    qvirtio_pci_set_status(d, status);
    qvirtio_pci_set_features(d, features);
    qvirtio_pci_set_status(d, status | VIRTIO_CONFIG_S_FEATURES_OK);
    return qvirtio_pci_get_status(d) & VIRTIO_CONFIG_S_FEATURES_OK;
}

void qvirtio_pci_set_driver_ok(QVirtioPCIDevice *d)
{
    qvirtio_pci_set_status(d, qvirtio_pci_get_status(d) |
                              VIRTIO_CONFIG_S_DRIVER_OK);
}

uint8_t qvirtio_pci_config_generation(QVirtioPCIDevice *d)
{
    return qvirtio_pci_common_readb(d, VIRTIO_PCI_COMMON_CFGGENERATION);
}

/* --- The PCI_CFG access window -------------------------------------- */

static void cfg_window_program(QVirtioPCIDevice *d, uint8_t bar,
                               uint32_t offset, uint32_t len)
{
    uint8_t cap = d->pci_cfg.cap_offset;

    g_assert_cmpuint(cap, !=, 0);
    qpci_config_writeb(d->pdev, cap + CAP_FIELD(bar), bar);
    qpci_config_writel(d->pdev, cap + CAP_FIELD(offset), offset);
    qpci_config_writel(d->pdev, cap + CAP_FIELD(length), len);
}

static uint8_t cfg_window_data(QVirtioPCIDevice *d)
{
    return d->pci_cfg.cap_offset +
           offsetof(struct virtio_pci_cfg_cap, pci_cfg_data);
}

uint32_t qvirtio_pci_cfg_window_read(QVirtioPCIDevice *d, uint8_t bar,
                                     uint32_t offset, uint32_t len)
{
    cfg_window_program(d, bar, offset, len);
    switch (len) {
    case 1:
        return qpci_config_readb(d->pdev, cfg_window_data(d));
    case 2:
        return qpci_config_readw(d->pdev, cfg_window_data(d));
    default:
        return qpci_config_readl(d->pdev, cfg_window_data(d));
    }
}

void qvirtio_pci_cfg_window_write(QVirtioPCIDevice *d, uint8_t bar,
                                  uint32_t offset, uint32_t len,
                                  uint32_t val)
{
    cfg_window_program(d, bar, offset, len);
    switch (len) {
    case 1:
        qpci_config_writeb(d->pdev, cfg_window_data(d), val);
        break;
    case 2:
        qpci_config_writew(d->pdev, cfg_window_data(d), val);
        break;
    default:
        qpci_config_writel(d->pdev, cfg_window_data(d), val);
        break;
    }
}

/* --- Split virtqueues ----------------------------------------------- */

QVirtQueue *qvirtqueue_setup_size(QVirtioPCIDevice *d, QGuestAllocator *alloc,
                                  uint16_t index, uint16_t size_override)
{
    QVirtQueue *vq = g_new0(QVirtQueue, 1);
    uint16_t noff;

    vq->dev = d;
    vq->qts = d->qts;
    vq->index = index;
    qvirtio_pci_common_writew(d, VIRTIO_PCI_COMMON_Q_SELECT, index);
    if (size_override) {
        qvirtio_pci_common_writew(d, VIRTIO_PCI_COMMON_Q_SIZE, size_override);
    }
    vq->size = qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_Q_SIZE);
    g_assert_cmpuint(vq->size, !=, 0);

    vq->desc = guest_alloc(alloc, 16 * vq->size);
    vq->avail = guest_alloc(alloc, 6 + 2 * vq->size);
    vq->used = guest_alloc(alloc, 6 + 8 * vq->size);
    qvirtio_pci_common_writel(d, VIRTIO_PCI_COMMON_Q_DESCLO, vq->desc);
    qvirtio_pci_common_writel(d, VIRTIO_PCI_COMMON_Q_DESCHI, vq->desc >> 32);
    qvirtio_pci_common_writel(d, VIRTIO_PCI_COMMON_Q_AVAILLO, vq->avail);
    qvirtio_pci_common_writel(d, VIRTIO_PCI_COMMON_Q_AVAILHI,
                              vq->avail >> 32);
    qvirtio_pci_common_writel(d, VIRTIO_PCI_COMMON_Q_USEDLO, vq->used);
    qvirtio_pci_common_writel(d, VIRTIO_PCI_COMMON_Q_USEDHI, vq->used >> 32);
    noff = qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_Q_NOFF);
    vq->notify_off = d->notify.offset + noff * d->notify_off_multiplier;
    qvirtio_pci_common_writew(d, VIRTIO_PCI_COMMON_Q_ENABLE, 1);
    return vq;
}

QVirtQueue *qvirtqueue_setup(QVirtioPCIDevice *d, QGuestAllocator *alloc,
                             uint16_t index)
{
    return qvirtqueue_setup_size(d, alloc, index, 0);
}

void qvirtqueue_free(QVirtQueue *vq)
{
    g_free(vq);
}

void qvirtqueue_write_desc(QVirtQueue *vq, uint16_t i, uint64_t addr,
                           uint32_t len, uint16_t flags, uint16_t next)
{
    uint64_t at = vq->desc + 16 * (uint64_t)i;

    qtest_writeq(vq->qts, at, addr);
    qtest_writel(vq->qts, at + 8, len);
    qtest_writew(vq->qts, at + 12, flags);
    qtest_writew(vq->qts, at + 14, next);
}

uint32_t qvirtqueue_add(QVirtQueue *vq, uint64_t data, uint32_t len,
                        bool write, bool next)
{
    uint16_t i = vq->free_head;
    uint16_t flags = (write ? VRING_DESC_F_WRITE : 0) |
                     (next ? VRING_DESC_F_NEXT : 0);

    vq->free_head = (i + 1) % vq->size;
    qvirtqueue_write_desc(vq, i, data, len, flags, vq->free_head);
    return i;
}

uint32_t qvirtqueue_add_indirect(QVirtQueue *vq, uint64_t table, uint16_t n)
{
    uint16_t i = vq->free_head;

    vq->free_head = (i + 1) % vq->size;
    qvirtqueue_write_desc(vq, i, table, 16 * n, VRING_DESC_F_INDIRECT, 0);
    return i;
}

void qvirtqueue_publish(QVirtQueue *vq, uint32_t head)
{
    qtest_writew(vq->qts, vq->avail + 4 + 2 * (vq->avail_idx % vq->size),
                 head);
    vq->avail_idx++;
    qtest_writew(vq->qts, vq->avail + 2, vq->avail_idx);
}

void qvirtqueue_notify(QVirtQueue *vq)
{
    qpci_io_writew(vq->dev->pdev, vq->dev->bar, vq->notify_off, vq->index);
}

void qvirtqueue_kick(QVirtQueue *vq, uint32_t head)
{
    qvirtqueue_publish(vq, head);
    qvirtqueue_notify(vq);
}

uint16_t qvirtqueue_used_idx(QVirtQueue *vq)
{
    return qtest_readw(vq->qts, vq->used + 2);
}

bool qvirtqueue_get_buf(QVirtQueue *vq, uint32_t *desc_idx, uint32_t *len)
{
    uint64_t elem;

    if (qvirtqueue_used_idx(vq) == vq->last_used_idx) {
        return false;
    }
    elem = vq->used + 4 + 8 * (uint64_t)(vq->last_used_idx % vq->size);
    if (desc_idx) {
        *desc_idx = qtest_readl(vq->qts, elem);
    }
    if (len) {
        *len = qtest_readl(vq->qts, elem + 4);
    }
    vq->last_used_idx++;
    return true;
}
