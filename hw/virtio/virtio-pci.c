/*
 * virtio-pci: the modern (virtio 1.x) PCI transport.
 */
#include "qemu/osdep.h"
#include "hw/virtio/virtio-pci.h"
#include "qemu/error-report.h"

static VirtIODevice *proxy_vdev(VirtIOPCIProxy *proxy)
{
    return virtio_bus_get_device(&proxy->bus);
}

/* --- Common configuration (virtio 1.2 section 4.1.4.3) ---------------- */

static uint64_t common_read(void *opaque, hwaddr addr, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = proxy_vdev(proxy);
    uint16_t sel;
    uint32_t val = 0;
    int i;

    if (!vdev) {
        return UINT32_MAX;
    }
    sel = vdev->queue_sel;
    switch (addr) {
    case VIRTIO_PCI_COMMON_DFSELECT:
        val = proxy->dfselect;
        break;
    case VIRTIO_PCI_COMMON_DF:
        if (proxy->dfselect <= 1) {
            val = vdev->host_features >> (32 * proxy->dfselect);
        }
        break;
    case VIRTIO_PCI_COMMON_GFSELECT:
        val = proxy->gfselect;
        break;
    case VIRTIO_PCI_COMMON_GF:
        if (proxy->gfselect <= 1) {
            val = proxy->guest_features[proxy->gfselect];
        }
        break;
    case VIRTIO_PCI_COMMON_MSIX:
        val = vdev->config_vector;
        break;
    case VIRTIO_PCI_COMMON_NUMQ:
        for (i = 0; i < VIRTIO_QUEUE_MAX; i++) {
            if (virtio_queue_get_num(vdev, i)) {
                val = i + 1;
            }
        }
        break;
    case VIRTIO_PCI_COMMON_STATUS:
        val = vdev->status;
        break;
    case VIRTIO_PCI_COMMON_CFGGENERATION:
        val = vdev->generation & 0xff;
        break;
    case VIRTIO_PCI_COMMON_Q_SELECT:
        val = sel;
        break;
    case VIRTIO_PCI_COMMON_Q_SIZE:
        val = virtio_queue_get_num(vdev, sel);
        break;
    case VIRTIO_PCI_COMMON_Q_MSIX:
        val = virtio_queue_vector(vdev, sel);
        break;
    case VIRTIO_PCI_COMMON_Q_ENABLE:
        val = proxy->vqs[sel].enabled;
        break;
    case VIRTIO_PCI_COMMON_Q_NOFF:
        /* notify_off is the queue index (multiplier 4). */
        val = sel;
        break;
    case VIRTIO_PCI_COMMON_Q_DESCLO:
        val = proxy->vqs[sel].desc[0];
        break;
    case VIRTIO_PCI_COMMON_Q_DESCHI:
        val = proxy->vqs[sel].desc[1];
        break;
    case VIRTIO_PCI_COMMON_Q_AVAILLO:
        val = proxy->vqs[sel].avail[0];
        break;
    case VIRTIO_PCI_COMMON_Q_AVAILHI:
        val = proxy->vqs[sel].avail[1];
        break;
    case VIRTIO_PCI_COMMON_Q_USEDLO:
        val = proxy->vqs[sel].used[0];
        break;
    case VIRTIO_PCI_COMMON_Q_USEDHI:
        val = proxy->vqs[sel].used[1];
        break;
    default:
        val = 0;
        break;
    }
    return val;
}

static void virtio_pci_reset_queues(VirtIOPCIProxy *proxy)
{
    memset(proxy->vqs, 0, sizeof(proxy->vqs));
}

/* Device reset: the virtio device and what the driver programmed. */
static void virtio_pci_reset(VirtIOPCIProxy *proxy)
{
    virtio_bus_reset(&proxy->bus);
    virtio_pci_reset_queues(proxy);
    pci_set_irq(&proxy->pci_dev, 0);
}

static void common_write_status(VirtIOPCIProxy *proxy, VirtIODevice *vdev,
                                uint8_t val)
{
    if (!val) {
        virtio_pci_reset(proxy);
        return;
    }
    virtio_set_status(vdev, val);
}

static void common_enable_queue(VirtIOPCIProxy *proxy, VirtIODevice *vdev,
                                uint16_t sel)
{
    VirtIOPCIQueue *q = &proxy->vqs[sel];

    if (!virtio_queue_get_max_num(vdev, sel)) {
        return;
    }
    virtio_queue_set_num(vdev, sel, q->num);
    virtio_queue_set_rings(vdev, sel,
                           ((uint64_t)q->desc[1] << 32) | q->desc[0],
                           ((uint64_t)q->avail[1] << 32) | q->avail[0],
                           ((uint64_t)q->used[1] << 32) | q->used[0]);
    q->enabled = true;
    virtio_queue_enable(vdev, sel);
}

static void common_write(void *opaque, hwaddr addr, uint64_t data,
                         unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = proxy_vdev(proxy);
    uint32_t val = data;
    uint16_t sel;

    if (!vdev) {
        return;
    }
    sel = vdev->queue_sel;
    switch (addr) {
    case VIRTIO_PCI_COMMON_DFSELECT:
        proxy->dfselect = val;
        break;
    case VIRTIO_PCI_COMMON_GFSELECT:
        proxy->gfselect = val;
        break;
    case VIRTIO_PCI_COMMON_GF:
        if (proxy->gfselect <= 1) {
            proxy->guest_features[proxy->gfselect] = val;
            virtio_set_features(vdev,
                                ((uint64_t)proxy->guest_features[1] << 32) |
                                proxy->guest_features[0]);
        }
        break;
    case VIRTIO_PCI_COMMON_MSIX:
        /* No MSI-X: every vector is refused, as the spec asks. */
        vdev->config_vector = VIRTIO_NO_VECTOR;
        break;
    case VIRTIO_PCI_COMMON_STATUS:
        common_write_status(proxy, vdev, val & 0xff);
        break;
    case VIRTIO_PCI_COMMON_Q_SELECT:
        if (val < VIRTIO_QUEUE_MAX) {
            vdev->queue_sel = val;
        }
        break;
    case VIRTIO_PCI_COMMON_Q_SIZE:
        if (!proxy->vqs[sel].enabled) {
            proxy->vqs[sel].num = val;
            virtio_queue_set_num(vdev, sel, val);
        }
        break;
    case VIRTIO_PCI_COMMON_Q_MSIX:
        virtio_queue_set_vector(vdev, sel, VIRTIO_NO_VECTOR);
        break;
    case VIRTIO_PCI_COMMON_Q_ENABLE:
        if (val == 1) {
            common_enable_queue(proxy, vdev, sel);
        } else {
            virtio_error(vdev, "wrong value for queue_enable %" PRIx32, val);
        }
        break;
    case VIRTIO_PCI_COMMON_Q_DESCLO:
        proxy->vqs[sel].desc[0] = val;
        break;
    case VIRTIO_PCI_COMMON_Q_DESCHI:
        proxy->vqs[sel].desc[1] = val;
        break;
    case VIRTIO_PCI_COMMON_Q_AVAILLO:
        proxy->vqs[sel].avail[0] = val;
        break;
    case VIRTIO_PCI_COMMON_Q_AVAILHI:
        proxy->vqs[sel].avail[1] = val;
        break;
    case VIRTIO_PCI_COMMON_Q_USEDLO:
        proxy->vqs[sel].used[0] = val;
        break;
    case VIRTIO_PCI_COMMON_Q_USEDHI:
        proxy->vqs[sel].used[1] = val;
        break;
    default:
        break;
    }
}

/* --- ISR, device config, notifications -------------------------------- */

static uint64_t isr_read(void *opaque, hwaddr addr, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = proxy_vdev(proxy);
    uint8_t val;

    if (!vdev) {
        return 0;
    }
    val = virtio_isr_read_and_clear(vdev);
    pci_irq_deassert(&proxy->pci_dev);
    return val;
}

static void isr_write(void *opaque, hwaddr addr, uint64_t data,
                      unsigned size)
{
    /* Read-only. */
}

static uint64_t device_read(void *opaque, hwaddr addr, unsigned size)
{
    VirtIODevice *vdev = proxy_vdev(opaque);

    if (!vdev) {
        return UINT32_MAX;
    }
    switch (size) {
    case 1:
        return virtio_config_modern_readb(vdev, addr);
    case 2:
        return virtio_config_modern_readw(vdev, addr);
    default:
        return virtio_config_modern_readl(vdev, addr);
    }
}

static void device_write(void *opaque, hwaddr addr, uint64_t data,
                         unsigned size)
{
    VirtIODevice *vdev = proxy_vdev(opaque);

    if (!vdev) {
        return;
    }
    switch (size) {
    case 1:
        virtio_config_modern_writeb(vdev, addr, data);
        break;
    case 2:
        virtio_config_modern_writew(vdev, addr, data);
        break;
    default:
        virtio_config_modern_writel(vdev, addr, data);
        break;
    }
}

static uint64_t notify_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void notify_write(void *opaque, hwaddr addr, uint64_t data,
                         unsigned size)
{
    VirtIODevice *vdev = proxy_vdev(opaque);
    unsigned int queue = addr / VIRTIO_PCI_NOTIFY_OFF_MULTIPLIER;

    if (vdev && queue < VIRTIO_QUEUE_MAX) {
        virtio_queue_notify(vdev, queue);
    }
}

static const MemoryRegionOps common_ops = {
    .read = common_read,
    .write = common_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static const MemoryRegionOps isr_ops = {
    .read = isr_read,
    .write = isr_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static const MemoryRegionOps device_ops = {
    .read = device_read,
    .write = device_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static const MemoryRegionOps notify_ops = {
    .read = notify_read,
    .write = notify_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

/* --- Capabilities ----------------------------------------------------- */

/* Add vendor capability @cap (cap_len bytes); returns its offset. */
static int virtio_pci_add_mem_cap(VirtIOPCIProxy *proxy,
                                  struct virtio_pci_cap *cap, Error **errp)
{
    PCIDevice *dev = &proxy->pci_dev;
    int offset = pci_add_capability(dev, PCI_CAP_ID_VNDR, 0, cap->cap_len,
                                    errp);

    if (offset < 0) {
        return offset;
    }
    memcpy(dev->config + offset + PCI_CAP_FLAGS, &cap->cap_len,
           cap->cap_len - PCI_CAP_FLAGS);
    return offset;
}

static void virtio_pci_region_cap(VirtIOPCIRegion *region,
                                  struct virtio_pci_cap *cap, size_t len)
{
    memset(cap, 0, len);
    cap->cap_len = len;
    cap->cfg_type = region->type;
    cap->bar = VIRTIO_PCI_MODERN_BAR;
    cap->offset = GUINT32_TO_LE(region->offset);
    cap->length = GUINT32_TO_LE(region->size);
}

static void virtio_pci_regions_init(VirtIOPCIProxy *proxy, const char *name)
{
    static const struct {
        const char *prefix;
        const MemoryRegionOps *ops;
        uint32_t offset;
        uint32_t type;
    } layout[] = {
        { "virtio-pci-common", &common_ops, VIRTIO_PCI_COMMON_OFFSET,
          VIRTIO_PCI_CAP_COMMON_CFG },
        { "virtio-pci-isr", &isr_ops, VIRTIO_PCI_ISR_OFFSET,
          VIRTIO_PCI_CAP_ISR_CFG },
        { "virtio-pci-device", &device_ops, VIRTIO_PCI_DEVICE_OFFSET,
          VIRTIO_PCI_CAP_DEVICE_CFG },
        { "virtio-pci-notify", &notify_ops, VIRTIO_PCI_NOTIFY_OFFSET,
          VIRTIO_PCI_CAP_NOTIFY_CFG },
    };
    int i;

    for (i = 0; i < ARRAY_SIZE(layout); i++) {
        VirtIOPCIRegion *r = &proxy->regs[i];
        g_autofree char *rname = g_strdup_printf("%s-%s", layout[i].prefix,
                                                 name);

        r->offset = layout[i].offset;
        r->size = VIRTIO_PCI_REGION_SIZE;
        r->type = layout[i].type;
        memory_region_init_io(&r->mr, OBJECT(proxy), layout[i].ops, proxy,
                              rname, r->size);
        memory_region_add_subregion(&proxy->modern_bar, r->offset, &r->mr);
    }
    proxy->regions_initialized = true;
}

static bool virtio_pci_add_caps(VirtIOPCIProxy *proxy, Error **errp)
{
    struct virtio_pci_notify_cap notify;
    struct virtio_pci_cfg_cap cfg;
    struct virtio_pci_cfg_cap *cfg_mask;
    struct virtio_pci_cap cap;
    int i, offset;

    for (i = 0; i < 3; i++) {
        virtio_pci_region_cap(&proxy->regs[i], &cap, sizeof(cap));
        if (virtio_pci_add_mem_cap(proxy, &cap, errp) < 0) {
            return false;
        }
    }
    virtio_pci_region_cap(&proxy->notify, &notify.cap, sizeof(notify));
    notify.notify_off_multiplier =
        GUINT32_TO_LE(VIRTIO_PCI_NOTIFY_OFF_MULTIPLIER);
    if (virtio_pci_add_mem_cap(proxy, &notify.cap, errp) < 0) {
        return false;
    }

    memset(&cfg, 0, sizeof(cfg));
    cfg.cap.cap_len = sizeof(cfg);
    cfg.cap.cfg_type = VIRTIO_PCI_CAP_PCI_CFG;
    offset = virtio_pci_add_mem_cap(proxy, &cfg.cap, errp);
    if (offset < 0) {
        return false;
    }
    proxy->pci_cfg_cap_offset = offset;
    /* The driver programs bar, offset, length and data. */
    cfg_mask = (void *)(proxy->pci_dev.wmask + offset);
    pci_set_byte(&cfg_mask->cap.bar, 0xff);
    pci_set_long((uint8_t *)&cfg_mask->cap.offset, UINT32_MAX);
    pci_set_long((uint8_t *)&cfg_mask->cap.length, UINT32_MAX);
    pci_set_long(cfg_mask->pci_cfg_data, UINT32_MAX);
    return true;
}

/*
 * The PCI_CFG capability window: an access to pci_cfg_data reads or
 * writes @length (1, 2 or 4) bytes of BAR @bar at @offset.
 */
static VirtIOPCIRegion *pci_cfg_window(VirtIOPCIProxy *proxy,
                                       uint32_t *offset, uint32_t *len)
{
    struct virtio_pci_cfg_cap *cfg =
        (void *)(proxy->pci_dev.config + proxy->pci_cfg_cap_offset);
    uint32_t off = pci_get_long((uint8_t *)&cfg->cap.offset);
    uint32_t length = pci_get_long((uint8_t *)&cfg->cap.length);
    int i;

    if (cfg->cap.bar != VIRTIO_PCI_MODERN_BAR ||
        (length != 1 && length != 2 && length != 4) ||
        !proxy->regions_initialized) {
        return NULL;
    }
    for (i = 0; i < ARRAY_SIZE(proxy->regs); i++) {
        VirtIOPCIRegion *r = &proxy->regs[i];

        if (off >= r->offset && (uint64_t)off + length <=
                                (uint64_t)r->offset + r->size) {
            *offset = off - r->offset;
            *len = length;
            return r;
        }
    }
    return NULL;
}

static bool touches_pci_cfg_data(VirtIOPCIProxy *proxy, uint32_t address,
                                 int len)
{
    uint32_t data = proxy->pci_cfg_cap_offset +
                    offsetof(struct virtio_pci_cfg_cap, pci_cfg_data);

    return proxy->pci_cfg_cap_offset && address < data + 4 &&
           data < address + len;
}

static uint32_t virtio_read_config(PCIDevice *pci_dev, uint32_t address,
                                   int len)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(pci_dev);
    uint32_t off, size;
    VirtIOPCIRegion *r;

    if (touches_pci_cfg_data(proxy, address, len) &&
        (r = pci_cfg_window(proxy, &off, &size))) {
        uint8_t *data = pci_dev->config + proxy->pci_cfg_cap_offset +
                        offsetof(struct virtio_pci_cfg_cap, pci_cfg_data);
        uint64_t val = r->mr.ops->read(proxy, off, size);

        pci_set_long(data, 0);
        switch (size) {
        case 1:
            pci_set_byte(data, val);
            break;
        case 2:
            pci_set_word(data, val);
            break;
        default:
            pci_set_long(data, val);
            break;
        }
    }
    return pci_default_read_config(pci_dev, address, len);
}

static void virtio_write_config(PCIDevice *pci_dev, uint32_t address,
                                uint32_t val, int len)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(pci_dev);
    uint32_t off, size;
    VirtIOPCIRegion *r;

    pci_default_write_config(pci_dev, address, val, len);
    if (touches_pci_cfg_data(proxy, address, len) &&
        (r = pci_cfg_window(proxy, &off, &size))) {
        uint8_t *data = pci_dev->config + proxy->pci_cfg_cap_offset +
                        offsetof(struct virtio_pci_cfg_cap, pci_cfg_data);
        uint32_t v = size == 1 ? pci_get_byte(data) :
                     size == 2 ? pci_get_word(data) : pci_get_long(data);

        r->mr.ops->write(proxy, off, v, size);
    }
}

/* --- The virtio-pci bus ----------------------------------------------- */

static void virtio_pci_notify(DeviceState *d, uint16_t vector)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(d);
    VirtIODevice *vdev = proxy_vdev(proxy);

    /* INTx follows ISR bit 0 (a config change sets both bits). */
    pci_set_irq(&proxy->pci_dev, vdev && (vdev->isr & VIRTIO_ISR_QUEUE));
}

static void virtio_pci_pre_plugged(DeviceState *d, Error **errp)
{
    VirtIODevice *vdev = proxy_vdev(VIRTIO_PCI(d));

    virtio_add_feature(&vdev->host_features, VIRTIO_F_VERSION_1);
}

static void virtio_pci_device_plugged(DeviceState *d, Error **errp)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(d);
    VirtioPCIClass *k = VIRTIO_PCI_GET_CLASS(proxy);
    VirtIODevice *vdev = proxy_vdev(proxy);
    uint8_t *config = proxy->pci_dev.config;

    pci_config_set_vendor_id(config, PCI_VENDOR_ID_REDHAT_QUMRANET);
    pci_config_set_device_id(config,
                             PCI_DEVICE_ID_VIRTIO_10_BASE + vdev->device_id);
    pci_config_set_revision(config, 1);
    pci_set_word(config + PCI_SUBSYSTEM_VENDOR_ID,
                 PCI_SUBVENDOR_ID_REDHAT_QUMRANET);
    pci_set_word(config + PCI_SUBSYSTEM_ID, PCI_SUBDEVICE_ID_QEMU);
    if (k->class_id) {
        pci_config_set_class(config, k->class_id);
    }
    pci_config_set_interrupt_pin(config, 1);

    if (!proxy->regions_initialized) {
        virtio_pci_regions_init(proxy, vdev->name);
    }
    if (!virtio_pci_add_caps(proxy, errp)) {
        return;
    }
    pci_register_bar(&proxy->pci_dev, VIRTIO_PCI_MODERN_BAR,
                     PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_PREFETCH |
                     PCI_BASE_ADDRESS_MEM_TYPE_64,
                     &proxy->modern_bar);
}

static void virtio_pci_device_unplugged(DeviceState *d)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(d);

    virtio_pci_reset_queues(proxy);
}

static AddressSpace *virtio_pci_get_dma_as(DeviceState *d)
{
    return pci_get_address_space(&VIRTIO_PCI(d)->pci_dev);
}

static void virtio_pci_bus_class_init(ObjectClass *klass, void *data)
{
    BusClass *bus_class = BUS_CLASS(klass);
    VirtioBusClass *k = VIRTIO_BUS_CLASS(klass);

    bus_class->max_dev = 1;
    k->notify = virtio_pci_notify;
    k->pre_plugged = virtio_pci_pre_plugged;
    k->device_plugged = virtio_pci_device_plugged;
    k->device_unplugged = virtio_pci_device_unplugged;
    k->get_dma_as = virtio_pci_get_dma_as;
}

/* --- The proxy device ------------------------------------------------- */

static void virtio_pci_realize(PCIDevice *pci_dev, Error **errp)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(pci_dev);
    VirtioPCIClass *k = VIRTIO_PCI_GET_CLASS(pci_dev);

    proxy->modern_mem_bar_idx = VIRTIO_PCI_MODERN_BAR;
    qbus_init(&proxy->bus, sizeof(proxy->bus), TYPE_VIRTIO_PCI_BUS,
              DEVICE(proxy), "virtio-bus");
    if (k->realize) {
        k->realize(proxy, errp);
    }
}

static void virtio_pci_exit(PCIDevice *pci_dev)
{
    virtio_pci_reset_queues(VIRTIO_PCI(pci_dev));
}

static void virtio_pci_dc_reset(DeviceState *dev)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(dev);
    VirtioPCIClass *k = VIRTIO_PCI_GET_CLASS(dev);

    if (k->parent_dc_reset) {
        k->parent_dc_reset(dev);
    }
    virtio_pci_reset(proxy);
}

static void virtio_pci_instance_init(Object *obj)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(obj);

    memory_region_init(&proxy->modern_bar, obj, "virtio-pci",
                       VIRTIO_PCI_MODERN_BAR_SIZE);
}

static void virtio_pci_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    VirtioPCIClass *vpc = VIRTIO_PCI_CLASS(klass);

    k->realize = virtio_pci_realize;
    k->exit = virtio_pci_exit;
    k->config_read = virtio_read_config;
    k->config_write = virtio_write_config;
    k->vendor_id = PCI_VENDOR_ID_REDHAT_QUMRANET;
    k->revision = 1;
    k->class_id = PCI_CLASS_OTHERS;
    k->subsystem_vendor_id = PCI_SUBVENDOR_ID_REDHAT_QUMRANET;
    k->subsystem_id = PCI_SUBDEVICE_ID_QEMU;
    device_class_set_parent_reset(dc, virtio_pci_dc_reset,
                                  &vpc->parent_dc_reset);
}

static const TypeInfo virtio_pci_types[] = {
    {
        .name = TYPE_VIRTIO_PCI_BUS,
        .parent = TYPE_VIRTIO_BUS,
        .instance_size = sizeof(VirtioPCIBusState),
        .class_size = sizeof(VirtioPCIBusClass),
        .class_init = virtio_pci_bus_class_init,
    },
    {
        .name = TYPE_VIRTIO_PCI,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(VirtIOPCIProxy),
        .instance_init = virtio_pci_instance_init,
        .abstract = true,
        .class_size = sizeof(VirtioPCIClass),
        .class_init = virtio_pci_class_init,
        .interfaces = (InterfaceInfo[]) {
            { INTERFACE_CONVENTIONAL_PCI_DEVICE },
            { },
        },
    },
};

DEFINE_TYPES(virtio_pci_types)

/* --- Registration helper ---------------------------------------------- */

/* type_register() copies the TypeInfo: stack copies are fine. */
static void register_leaf(const char *name, const char *parent,
                          const VirtioPCIDeviceTypeInfo *t, bool full)
{
    TypeInfo info = {
        .name = name,
        .parent = parent,
    };

    if (full) {
        info.instance_size = t->instance_size;
        info.class_size = t->class_size;
        info.instance_init = t->instance_init;
        info.class_init = t->class_init;
        info.interfaces = t->interfaces;
    }
    type_register(&info);
}

void virtio_pci_types_register(const VirtioPCIDeviceTypeInfo *t)
{
    const char *parent = t->parent ? t->parent : TYPE_VIRTIO_PCI;

    g_assert(t->generic_name || t->non_transitional_name);
    if (t->base_name) {
        TypeInfo base = {
            .name = t->base_name,
            .parent = parent,
            .instance_size = t->instance_size,
            .class_size = t->class_size,
            .instance_init = t->instance_init,
            .class_init = t->class_init,
            .interfaces = t->interfaces,
            .abstract = true,
        };

        type_register(&base);
        parent = t->base_name;
    }
    if (t->generic_name) {
        register_leaf(t->generic_name, parent, t, !t->base_name);
    }
    if (t->non_transitional_name) {
        register_leaf(t->non_transitional_name, parent, t, !t->base_name);
    }
}
