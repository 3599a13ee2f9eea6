/*
 * vhost-user-blk: a virtio-blk device (virtio ID 2) whose requests are
 * served by a vhost-user backend (e.g. qemu-storage-daemon --export
 * type=vhost-user-blk).  sparsevm only negotiates, shares guest memory
 * and the vrings, and relays kicks and interrupts; the data path is the
 * backend's.
 *
 * Properties (QEMU's):
 *   chardev      id of a connected UNIX socket chardev (required)
 *   num-queues   queues to use (default: the backend's GET_QUEUE_NUM)
 *   queue-size   entries per queue (default 128, power of two <= 1024)
 *   config-wce   offer VIRTIO_BLK_F_CONFIG_WCE (default on)
 *
 * Guest RAM must be shareable (memory backends with share=on): realize
 * fails otherwise, as it does when the backend cannot map the memslots
 * in use.  A backend that goes away or misbehaves breaks the device
 * (virtio_error(): NEEDS_RESET) and gives its memslots back; the VM runs
 * on.  docs/vhost.md.
 */
#ifndef HW_VIRTIO_VHOST_USER_BLK_H
#define HW_VIRTIO_VHOST_USER_BLK_H

#include <linux/virtio_blk.h>
#include "hw/virtio/virtio.h"
#include "hw/virtio/vhost-user.h"

#define TYPE_VHOST_USER_BLK "vhost-user-blk"
OBJECT_DECLARE_SIMPLE_TYPE(VHostUserBlk, VHOST_USER_BLK)

#define VHOST_USER_BLK_AUTO_NUM_QUEUES UINT16_MAX

/*
 * The config space we expose and ask the backend for: up to the
 * write-zeroes fields (60 bytes, as QEMU 7.2), without the secure-erase
 * and zoned fields newer kernel headers add (backends refuse bigger
 * GET_CONFIG requests).
 */
#define VHOST_USER_BLK_CONFIG_SIZE \
    offsetof(struct virtio_blk_config, max_secure_erase_sectors)

struct VHostUserBlk {
    VirtIODevice parent_obj;

    /* properties */
    char *chardev_id;
    uint16_t num_queues;
    uint32_t queue_size;
    bool config_wce;

    /* private */
    CharBackend chardev;
    VhostUserState user;
    struct vhost_dev dev;
    struct virtio_blk_config blkcfg;
    uint64_t backend_features;
    /* the backend failed: reported once, the device stays broken */
    bool dead;
    guint dead_idle;
    char *dead_reason;
};

#endif
