/*
 * vhost-user-blk: virtio-blk served by a vhost-user backend.
 * See include/hw/virtio/vhost-user-blk.h and docs/vhost.md.
 */
#include "qemu/osdep.h"
#include "hw/virtio/vhost-user-blk.h"
#include "hw/qdev-properties.h"
#include "exec/address-spaces.h"
#include "qapi/error.h"
#include "qemu/error-report.h"

/* The virtio-blk features a vhost-user backend may offer through us. */
#define VHOST_USER_BLK_FEATURES \
    ((1ULL << VIRTIO_BLK_F_SIZE_MAX) | (1ULL << VIRTIO_BLK_F_SEG_MAX) | \
     (1ULL << VIRTIO_BLK_F_GEOMETRY) | (1ULL << VIRTIO_BLK_F_RO) | \
     (1ULL << VIRTIO_BLK_F_BLK_SIZE) | (1ULL << VIRTIO_BLK_F_FLUSH) | \
     (1ULL << VIRTIO_BLK_F_TOPOLOGY) | (1ULL << VIRTIO_BLK_F_CONFIG_WCE) | \
     (1ULL << VIRTIO_BLK_F_MQ) | (1ULL << VIRTIO_BLK_F_DISCARD) | \
     (1ULL << VIRTIO_BLK_F_WRITE_ZEROES))

/*
 * Ring features: the backend runs the rings, so they are what it offers
 * (no packed ring, no IOMMU: our transport has neither).
 */
#define VHOST_USER_BLK_RING_FEATURES \
    ((1ULL << VIRTIO_RING_F_INDIRECT_DESC) | \
     (1ULL << VIRTIO_RING_F_EVENT_IDX) | (1ULL << VIRTIO_F_VERSION_1))

static unsigned int vhost_user_blk_nqueues(VHostUserBlk *s)
{
    return s->num_queues;
}

/* --- A broken backend ------------------------------------------------ */

static gboolean vhost_user_blk_dead_cb(gpointer opaque)
{
    VHostUserBlk *s = opaque;
    VirtIODevice *vdev = VIRTIO_DEVICE(s);
    g_autofree char *reason = g_steal_pointer(&s->dead_reason);

    s->dead_idle = 0;
    if (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) {
        virtio_error(vdev, "vhost-user-blk: %s", reason);
    } else {
        error_report("vhost-user-blk: %s", reason);
    }
    /* the backend maps nothing any more: give its memslots back */
    vhost_dev_cleanup(&s->dev);
    return G_SOURCE_REMOVE;
}

/*
 * The backend failed.  Called from chardev events and memory listeners,
 * where unregistering is not allowed: finish from the main loop.
 */
static void vhost_user_blk_backend_dead(VHostUserBlk *s, const char *reason)
{
    vhost_user_set_broken(&s->user);
    if (s->dead) {
        return;
    }
    s->dead = true;
    s->dead_reason = g_strdup(reason);
    s->dead_idle = g_idle_add(vhost_user_blk_dead_cb, s);
}

static void vhost_user_blk_backend_failed(struct vhost_dev *dev, Error *err)
{
    vhost_user_blk_backend_dead(container_of(dev, VHostUserBlk, dev),
                                error_get_pretty(err));
}

static int vhost_user_blk_can_read(void *opaque)
{
    return 1;
}

/* The backend never speaks first on this socket: bytes now are garbage. */
static void vhost_user_blk_read(void *opaque, const uint8_t *buf, int size)
{
    vhost_user_blk_backend_dead(opaque, "the backend sent an unexpected "
                                "message");
}

static void vhost_user_blk_event(void *opaque, QEMUChrEvent event)
{
    if (event == CHR_EVENT_CLOSED) {
        vhost_user_blk_backend_dead(opaque, "the backend disconnected");
    }
}

/* --- Virtio device --------------------------------------------------- */

static void vhost_user_blk_handle_output(VirtIODevice *vdev, VirtQueue *vq)
{
    VHostUserBlk *s = VHOST_USER_BLK(vdev);

    vhost_dev_kick(&s->dev, virtio_get_queue_index(vq));
}

static bool vhost_user_blk_check_shared_ram(Error **errp);

static void vhost_user_blk_start(VHostUserBlk *s)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(s);
    Error *err = NULL;

    if (s->dead || !s->dev.registered) {
        virtio_error(vdev, "vhost-user-blk: the backend is gone");
        return;
    }
    /* memory plugged since realize (e.g. virtio-mem) must be shared too */
    if (!vhost_user_blk_check_shared_ram(&err)) {
        virtio_error(vdev, "%s", error_get_pretty(err));
        error_free(err);
        return;
    }
    if (!vhost_dev_start(&s->dev, vdev, vhost_user_blk_nqueues(s), &err)) {
        virtio_error(vdev, "vhost-user-blk: cannot start the backend: %s",
                     error_get_pretty(err));
        if (s->user.broken) {
            vhost_user_blk_backend_dead(s, error_get_pretty(err));
        }
        error_free(err);
    }
}

/* Stopping asks the backend for the ring bases: it may fail there too. */
static void vhost_user_blk_stop(VHostUserBlk *s)
{
    vhost_dev_stop(&s->dev);
    if (s->user.broken) {
        vhost_user_blk_backend_dead(s, "the backend failed to stop its "
                                    "rings");
    }
}

static void vhost_user_blk_set_status(VirtIODevice *vdev, uint8_t status)
{
    VHostUserBlk *s = VHOST_USER_BLK(vdev);
    bool should_start = (status & VIRTIO_CONFIG_S_DRIVER_OK) &&
                        !vdev->broken;

    if (should_start && !s->dev.started) {
        vhost_user_blk_start(s);
    } else if (!should_start && s->dev.started) {
        vhost_user_blk_stop(s);
    }
}

static void vhost_user_blk_reset(VirtIODevice *vdev)
{
    vhost_user_blk_stop(VHOST_USER_BLK(vdev));
}

static uint64_t vhost_user_blk_get_features(VirtIODevice *vdev,
                                            uint64_t features, Error **errp)
{
    VHostUserBlk *s = VHOST_USER_BLK(vdev);
    uint64_t offered = s->backend_features &
                       (VHOST_USER_BLK_FEATURES | VHOST_USER_BLK_RING_FEATURES);

    if (!s->config_wce) {
        offered &= ~(1ULL << VIRTIO_BLK_F_CONFIG_WCE);
    }
    if (s->num_queues == 1) {
        offered &= ~(1ULL << VIRTIO_BLK_F_MQ);
    }
    return offered;
}

static void vhost_user_blk_get_config(VirtIODevice *vdev, uint8_t *config)
{
    VHostUserBlk *s = VHOST_USER_BLK(vdev);

    memcpy(config, &s->blkcfg, VHOST_USER_BLK_CONFIG_SIZE);
}

/* Only the write cache mode is writable (VIRTIO_BLK_F_CONFIG_WCE). */
static void vhost_user_blk_set_config(VirtIODevice *vdev,
                                      const uint8_t *config)
{
    VHostUserBlk *s = VHOST_USER_BLK(vdev);
    const struct virtio_blk_config *cfg = (const void *)config;
    Error *err = NULL;

    if (!virtio_vdev_has_feature(vdev, VIRTIO_BLK_F_CONFIG_WCE) ||
        cfg->wce == s->blkcfg.wce || s->dead) {
        return;
    }
    if (!vhost_user_set_config(&s->user, &cfg->wce,
                               offsetof(struct virtio_blk_config, wce),
                               sizeof(cfg->wce), &err)) {
        if (s->user.broken) {
            vhost_user_blk_backend_dead(s, error_get_pretty(err));
        } else {
            error_report_err(g_steal_pointer(&err));
        }
        error_free(err);
        return;
    }
    s->blkcfg.wce = cfg->wce;
}

/* --- Realize --------------------------------------------------------- */

/* Whether the guest RAM of the view can be mapped by another process. */
static bool vhost_user_blk_check_shared_cb(Int128 start, Int128 len,
                                           const MemoryRegion *mr,
                                           hwaddr offset_in_region,
                                           void *opaque)
{
    const MemoryRegion **unshared = opaque;

    if (mr->ram && !mr->readonly && mr->ram_block &&
        (mr->ram_block->fd < 0 || !(mr->ram_block->flags & RAM_SHARED))) {
        *unshared = mr;
        return true;
    }
    return false;
}

static bool vhost_user_blk_check_shared_ram(Error **errp)
{
    const MemoryRegion *unshared = NULL;

    flatview_for_each_range(address_space_to_flatview(&address_space_memory),
                            vhost_user_blk_check_shared_cb, &unshared);
    if (unshared) {
        error_setg(errp, "vhost-user-blk: guest RAM '%s' is not shared with "
                   "other processes: use a memory backend with share=on "
                   "(e.g. -object memory-backend-memfd,id=ram0,size=...,"
                   "share=on -machine memory-backend=ram0)",
                   unshared->ram_block->mr ?
                   memory_region_name(unshared->ram_block->mr) :
                   unshared->name);
        return false;
    }
    return true;
}

/*
 * A listening chardev: wait for the backend to connect (at startup only,
 * blocking without running the main loop, so that nothing else - QMP,
 * qtest - runs against a half-created machine).
 */
static bool vhost_user_blk_wait_connected(VHostUserBlk *s, Error **errp)
{
    if (qemu_chr_fe_backend_open(&s->chardev)) {
        return true;
    }
    if (qdev_machine_creation_done_get()) {
        error_setg(errp, "chardev '%s' is not connected to a vhost-user "
                   "backend", s->chardev_id);
        return false;
    }
    info_report("vhost-user-blk: waiting for a backend on chardev '%s'",
                s->chardev_id);
    return qemu_chr_fe_wait_connected(&s->chardev, errp);
}

static bool vhost_user_blk_negotiate(VHostUserBlk *s, Error **errp)
{
    VhostUserState *u = &s->user;

    if (!vhost_user_init(u, &s->chardev, errp) ||
        !vhost_user_get_config(u, (uint8_t *)&s->blkcfg,
                               VHOST_USER_BLK_CONFIG_SIZE, errp)) {
        return false;
    }
    s->backend_features = u->features;
    if (!(s->backend_features & (1ULL << VIRTIO_F_VERSION_1))) {
        error_setg(errp, "vhost-user-blk: the backend does not offer "
                   "VIRTIO_F_VERSION_1");
        return false;
    }
    if (s->num_queues == VHOST_USER_BLK_AUTO_NUM_QUEUES) {
        s->num_queues = (s->backend_features & (1ULL << VIRTIO_BLK_F_MQ)) ?
                        MAX(GUINT16_FROM_LE(s->blkcfg.num_queues), 1) : 1;
        s->num_queues = MIN(s->num_queues, u->max_queues);
    }
    if (s->num_queues > u->max_queues) {
        error_setg(errp, "vhost-user-blk: num-queues is %u, the backend "
                   "supports %u", s->num_queues, u->max_queues);
        return false;
    }
    if (s->num_queues > 1 &&
        !(s->backend_features & (1ULL << VIRTIO_BLK_F_MQ))) {
        error_setg(errp, "vhost-user-blk: num-queues > 1 needs a backend "
                   "with VIRTIO_BLK_F_MQ");
        return false;
    }
    s->blkcfg.num_queues = GUINT16_TO_LE(s->num_queues);
    return true;
}

static void vhost_user_blk_device_realize(DeviceState *dev, Error **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VHostUserBlk *s = VHOST_USER_BLK(dev);
    Chardev *chr;

    if (!s->chardev_id) {
        error_setg(errp, "vhost-user-blk: chardev is mandatory");
        return;
    }
    chr = qemu_chr_find(s->chardev_id);
    if (!chr) {
        error_setg(errp, "Chardev '%s' not found", s->chardev_id);
        return;
    }
    if (!s->num_queues || (s->num_queues > VIRTIO_QUEUE_MAX &&
                           s->num_queues != VHOST_USER_BLK_AUTO_NUM_QUEUES)) {
        error_setg(errp, "vhost-user-blk: invalid number of IO queues: %u",
                   s->num_queues);
        return;
    }
    if (s->queue_size < 2 || s->queue_size > VIRTQUEUE_MAX_SIZE ||
        (s->queue_size & (s->queue_size - 1))) {
        error_setg(errp, "vhost-user-blk: queue-size must be a power of two "
                   "between 2 and %d", VIRTQUEUE_MAX_SIZE);
        return;
    }
    if (!vhost_user_blk_check_shared_ram(errp) ||
        !qemu_chr_fe_init(&s->chardev, chr, errp)) {
        return;
    }
    if (!vhost_user_blk_wait_connected(s, errp) ||
        !vhost_user_blk_negotiate(s, errp)) {
        goto fail;
    }
    s->dev.backend_failed = vhost_user_blk_backend_failed;
    if (!vhost_dev_init(&s->dev, &vhost_user_ops, &s->user, errp)) {
        goto fail;
    }
    /* from now on, a backend closing the socket breaks the device */
    qemu_chr_fe_set_handlers(&s->chardev, vhost_user_blk_can_read,
                             vhost_user_blk_read, vhost_user_blk_event, NULL,
                             s, NULL, false);
    virtio_init(vdev, VIRTIO_ID_BLOCK, VHOST_USER_BLK_CONFIG_SIZE);
    for (unsigned int i = 0; i < s->num_queues; i++) {
        virtio_add_queue(vdev, s->queue_size, vhost_user_blk_handle_output);
    }
    return;

fail:
    vhost_user_cleanup(&s->user);
    qemu_chr_fe_deinit(&s->chardev, false);
}

static void vhost_user_blk_device_unrealize(DeviceState *dev)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VHostUserBlk *s = VHOST_USER_BLK(dev);

    /*
     * Stopping asks the backend for the ring bases: a backend that hangs
     * up then must not reach vhost_user_blk_event() (it would schedule
     * vhost_user_blk_dead_cb() on a device about to be freed).
     */
    qemu_chr_fe_set_handlers(&s->chardev, NULL, NULL, NULL, NULL, NULL, NULL,
                             false);
    vhost_dev_cleanup(&s->dev);
    if (s->dead_idle) {
        g_source_remove(s->dead_idle);
        s->dead_idle = 0;
    }
    g_clear_pointer(&s->dead_reason, g_free);
    vhost_user_cleanup(&s->user);
    qemu_chr_fe_deinit(&s->chardev, false);
    for (unsigned int i = 0; i < s->num_queues; i++) {
        virtio_del_queue(vdev, i);
    }
    virtio_cleanup(vdev);
}

static Property vhost_user_blk_properties[] = {
    DEFINE_PROP_STRING("chardev", VHostUserBlk, chardev_id),
    DEFINE_PROP_UINT16("num-queues", VHostUserBlk, num_queues,
                       VHOST_USER_BLK_AUTO_NUM_QUEUES),
    DEFINE_PROP_UINT32("queue-size", VHostUserBlk, queue_size, 128),
    DEFINE_PROP_BOOL("config-wce", VHostUserBlk, config_wce, true),
    DEFINE_PROP_END_OF_LIST(),
};

static void vhost_user_blk_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_CLASS(klass);

    device_class_set_props(dc, vhost_user_blk_properties);
    set_bit(DEVICE_CATEGORY_STORAGE, dc->categories);
    vdc->realize = vhost_user_blk_device_realize;
    vdc->unrealize = vhost_user_blk_device_unrealize;
    vdc->get_features = vhost_user_blk_get_features;
    vdc->get_config = vhost_user_blk_get_config;
    vdc->set_config = vhost_user_blk_set_config;
    vdc->set_status = vhost_user_blk_set_status;
    vdc->reset = vhost_user_blk_reset;
}

static const TypeInfo vhost_user_blk_info = {
    .name = TYPE_VHOST_USER_BLK,
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(VHostUserBlk),
    .class_init = vhost_user_blk_class_init,
};

static void vhost_user_blk_register_types(void)
{
    type_register_static(&vhost_user_blk_info);
}

type_init(vhost_user_blk_register_types)
