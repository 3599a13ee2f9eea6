/*
 * Virtio devices: the transport-independent core (QEMU's API).
 *
 * A virtio device (TYPE_VIRTIO_DEVICE, abstract) sits on a virtio bus
 * (TYPE_VIRTIO_BUS) provided by its transport proxy (virtio-pci).  The
 * transport owns the guest-visible registers and forwards them to the
 * functions below; the device implements VirtioDeviceClass.
 *
 * Device lifetime:
 *   VirtioDeviceClass.realize()  calls virtio_init() and virtio_add_queue();
 *   after it, the core calls virtio_bus_device_plugged() so that the
 *   transport can expose the device (features, queues, config space);
 *   VirtioDeviceClass.unrealize() calls virtio_delete_queue() and
 *   virtio_cleanup().
 *
 * Only split virtqueues (virtio 1.2 section 2.7) are implemented, with
 * VIRTIO_RING_F_INDIRECT_DESC and VIRTIO_RING_F_EVENT_IDX.  Rings and buffers
 * live in guest memory and are reached through vdev->dma_as (the bus-master
 * address space of the transport).  Buffers must lie in RAM: the iovecs of a
 * VirtQueueElement hold host pointers into guest RAM.
 *
 * Malformed requests never crash: the core (and devices, for their own
 * protocol errors) call virtio_error(), which sets
 * VIRTIO_CONFIG_S_NEEDS_RESET, raises a configuration change interrupt and
 * marks the device broken: nothing more is popped from its queues until the
 * driver resets the device.
 *
 * Single-threaded: everything runs under the big lock, like the memory API.
 */
#ifndef HW_VIRTIO_H
#define HW_VIRTIO_H

#include <sys/uio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_ids.h>
#include "exec/memory.h"
#include "hw/qdev-core.h"
#include "qemu/iov.h"

/* Largest queue size, and most queues per device (QEMU's limits). */
#define VIRTQUEUE_MAX_SIZE 1024
#define VIRTIO_QUEUE_MAX 1024

/* "No MSI-X vector" in msix_config / queue_msix_vector. */
#define VIRTIO_NO_VECTOR 0xffff

/* ISR status bits (virtio 1.2 section 4.1.4.5). */
#define VIRTIO_ISR_QUEUE 0x1
#define VIRTIO_ISR_CONFIG 0x2

/*
 * Features the core implements for every device (advertised by the
 * transport on top of the device's own; the driver may refuse them).
 */
#define VIRTIO_CORE_FEATURES \
    ((1ULL << VIRTIO_RING_F_INDIRECT_DESC) | \
     (1ULL << VIRTIO_RING_F_EVENT_IDX) | \
     (1ULL << VIRTIO_F_VERSION_1))

#define TYPE_VIRTIO_DEVICE "virtio-device"
typedef struct VirtIODevice VirtIODevice;
typedef struct VirtioDeviceClass VirtioDeviceClass;
DECLARE_OBJ_CHECKERS(VirtIODevice, VirtioDeviceClass, VIRTIO_DEVICE,
                     TYPE_VIRTIO_DEVICE)

typedef struct VirtQueue VirtQueue;

/*
 * One request popped from a queue: the buffers of a descriptor chain,
 * device-readable ("out") ones first, then device-writable ("in") ones.
 * @in_sg/@out_sg hold host pointers into guest RAM; @in_addr/@out_addr the
 * matching guest addresses.  A descriptor whose buffer spans several RAM
 * regions yields several iovecs, so @ndescs <= @out_num + @in_num.
 * Allocated with g_malloc() by virtqueue_pop() as one block: g_free() it.
 */
typedef struct VirtQueueElement {
    unsigned int index;         /* head descriptor index */
    unsigned int len;           /* set by virtqueue_fill() */
    unsigned int ndescs;        /* descriptors used (1 for a packed ring) */
    unsigned int out_num;
    unsigned int in_num;
    hwaddr *in_addr;
    hwaddr *out_addr;
    struct iovec *in_sg;
    struct iovec *out_sg;
} VirtQueueElement;

/* Called when the driver notifies (kicks) queue @vq. */
typedef void (*VirtIOHandleOutput)(VirtIODevice *vdev, VirtQueue *vq);

struct VirtIODevice {
    DeviceState parent_obj;

    /* public */
    const char *name;
    uint16_t device_id;
    uint8_t status;             /* VIRTIO_CONFIG_S_* (device_status) */
    uint8_t isr;                /* VIRTIO_ISR_* (pending, read-to-clear) */
    uint16_t queue_sel;
    uint64_t guest_features;    /* negotiated (accepted by the device) */
    uint64_t host_features;     /* offered */
    size_t config_len;
    void *config;               /* refreshed by virtio_config_* accessors */
    uint16_t config_vector;
    uint32_t generation;        /* config_generation */
    VirtQueue *vq;              /* VIRTIO_QUEUE_MAX entries */
    bool broken;                /* virtio_error() was called, until reset */
    bool disabled;
    /* Guest memory as the device sees it (set when plugged on a bus). */
    AddressSpace *dma_as;
    char *bus_name;
};

struct VirtioDeviceClass {
    /* private */
    DeviceClass parent;

    /* public */
    /* Realize/unrealize the device itself (see the top of this file). */
    void (*realize)(DeviceState *dev, Error **errp);
    void (*unrealize)(DeviceState *dev);
    /*
     * Return the features to offer, given the transport's @features
     * (which already include VIRTIO_CORE_FEATURES and the user's choice).
     */
    uint64_t (*get_features)(VirtIODevice *vdev, uint64_t features,
                             Error **errp);
    /* Features accepted by the driver (called on each driver write). */
    void (*set_features)(VirtIODevice *vdev, uint64_t val);
    /*
     * Called when the driver sets FEATURES_OK with vdev->guest_features
     * set: non-zero refuses the features (FEATURES_OK is not kept).
     */
    int (*validate_features)(VirtIODevice *vdev);
    /* Fill @config (config_len bytes) / take the driver's writes. */
    void (*get_config)(VirtIODevice *vdev, uint8_t *config);
    void (*set_config)(VirtIODevice *vdev, const uint8_t *config);
    /* Device reset (driver writes 0 to device_status, or system reset). */
    void (*reset)(VirtIODevice *vdev);
    /* Called on each status change, before vdev->status is updated. */
    void (*set_status)(VirtIODevice *vdev, uint8_t val);
};

/* --- Device setup --------------------------------------------------- */

/* Prepare @vdev (from realize): queues empty, config of @config_size. */
void virtio_init(VirtIODevice *vdev, uint16_t device_id, size_t config_size);
/* Undo virtio_init() (from unrealize, after deleting the queues). */
void virtio_cleanup(VirtIODevice *vdev);

/*
 * Add the next free queue, of @queue_size (power of two up to
 * VIRTQUEUE_MAX_SIZE) entries, kicked into @handle_output.
 * Aborts when all VIRTIO_QUEUE_MAX queues are in use.
 */
VirtQueue *virtio_add_queue(VirtIODevice *vdev, int queue_size,
                            VirtIOHandleOutput handle_output);
void virtio_delete_queue(VirtQueue *vq);
void virtio_del_queue(VirtIODevice *vdev, int n);

/*
 * Initialize a child device @data of @vdev_size bytes and type @vdev_name
 * inside proxy @proxy_obj (as child "virtio-backend"), and alias its class
 * properties onto the proxy (for "-device virtio-xxx-pci,prop=...").
 */
void virtio_instance_init_common(Object *proxy_obj, void *data,
                                 size_t vdev_size, const char *vdev_name);

/* --- Features ------------------------------------------------------- */

static inline void virtio_add_feature(uint64_t *features, unsigned int fbit)
{
    g_assert(fbit < 64);
    *features |= (1ULL << fbit);
}

static inline void virtio_clear_feature(uint64_t *features, unsigned int fbit)
{
    g_assert(fbit < 64);
    *features &= ~(1ULL << fbit);
}

static inline bool virtio_has_feature(uint64_t features, unsigned int fbit)
{
    g_assert(fbit < 64);
    return !!(features & (1ULL << fbit));
}

/* Negotiated (guest_features). */
static inline bool virtio_vdev_has_feature(const VirtIODevice *vdev,
                                           unsigned int fbit)
{
    return virtio_has_feature(vdev->guest_features, fbit);
}

/* Offered (host_features). */
static inline bool virtio_host_has_feature(const VirtIODevice *vdev,
                                           unsigned int fbit)
{
    return virtio_has_feature(vdev->host_features, fbit);
}

/*
 * The driver accepted @val: keep the offered subset in guest_features and
 * tell the device.  Refused (returns -1, nothing changes) once
 * FEATURES_OK is set.
 */
int virtio_set_features(VirtIODevice *vdev, uint64_t val);

/* --- Status, reset, errors ------------------------------------------ */

/*
 * The driver wrote @val to device_status.  Setting FEATURES_OK runs
 * validate_features (VIRTIO_F_VERSION_1 is always required): on refusal
 * the bit is dropped and -EINVAL returned.  0 resets the device
 * (the transport calls virtio_reset() for that).
 */
int virtio_set_status(VirtIODevice *vdev, uint8_t val);
/* Reset the device: status, features, ISR, queues; calls vdc->reset. */
void virtio_reset(void *opaque);
/*
 * The device (or the driver's use of it) failed: report @fmt with
 * error_report(), set VIRTIO_CONFIG_S_NEEDS_RESET, raise a config
 * interrupt (virtio_notify_config()), mark the device broken until reset.
 */
void virtio_error(VirtIODevice *vdev, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/* DRIVER_OK is set and the device is not broken. */
bool virtio_device_started(VirtIODevice *vdev, uint8_t status);

/* --- Interrupts ----------------------------------------------------- */

/*
 * Interrupt the driver for used buffers of @vq, unless it suppressed
 * interrupts (VRING_AVAIL_F_NO_INTERRUPT, or used_event with EVENT_IDX).
 */
void virtio_notify(VirtIODevice *vdev, VirtQueue *vq);
/*
 * The device configuration changed: bump config_generation; once
 * DRIVER_OK is set also raise ISR bit 1 and the interrupt.
 */
void virtio_notify_config(VirtIODevice *vdev);
/* Raise the transport's interrupt for @vector (ISR already updated). */
void virtio_notify_vector(VirtIODevice *vdev, uint16_t vector);
/* Read ISR and clear it (the transport lowers the line). */
uint8_t virtio_isr_read_and_clear(VirtIODevice *vdev);

/* --- Config space --------------------------------------------------- */

/* Size of the device's config space. */
size_t virtio_config_len(VirtIODevice *vdev);
/*
 * Modern (little-endian) config accesses at @addr; out of range reads
 * give all ones, out of range writes are ignored.  Reads refresh
 * vdev->config through get_config, writes go to set_config.
 */
uint32_t virtio_config_modern_readb(VirtIODevice *vdev, uint32_t addr);
uint32_t virtio_config_modern_readw(VirtIODevice *vdev, uint32_t addr);
uint32_t virtio_config_modern_readl(VirtIODevice *vdev, uint32_t addr);
void virtio_config_modern_writeb(VirtIODevice *vdev, uint32_t addr,
                                 uint32_t data);
void virtio_config_modern_writew(VirtIODevice *vdev, uint32_t addr,
                                 uint32_t data);
void virtio_config_modern_writel(VirtIODevice *vdev, uint32_t addr,
                                 uint32_t data);

/* --- Queues: transport side ----------------------------------------- */

/* The @n-th queue (no bounds check beyond an assertion). */
VirtQueue *virtio_get_queue(VirtIODevice *vdev, int n);
int virtio_get_queue_index(VirtQueue *vq);
VirtIODevice *virtio_queue_get_vdev(VirtQueue *vq);
/* Number of queues added (contiguous from 0). */
int virtio_get_num_queues(VirtIODevice *vdev);

/* 0 if the queue does not exist. */
int virtio_queue_get_num(VirtIODevice *vdev, int n);
/* The driver picked @num entries (ignored unless 1..max, power of two). */
void virtio_queue_set_num(VirtIODevice *vdev, int n, int num);
/* The size given to virtio_add_queue(). */
int virtio_queue_get_max_num(VirtIODevice *vdev, int n);
/* Ring addresses (descriptor table, driver/avail, device/used). */
void virtio_queue_set_rings(VirtIODevice *vdev, int n, hwaddr desc,
                            hwaddr avail, hwaddr used);
hwaddr virtio_queue_get_desc_addr(VirtIODevice *vdev, int n);
hwaddr virtio_queue_get_avail_addr(VirtIODevice *vdev, int n);
hwaddr virtio_queue_get_used_addr(VirtIODevice *vdev, int n);
/* queue_enable: the driver enabled the queue (indexes start at 0). */
void virtio_queue_enable(VirtIODevice *vdev, uint32_t queue_index);
bool virtio_queue_get_enabled(VirtIODevice *vdev, int n);
void virtio_queue_set_vector(VirtIODevice *vdev, int n, uint16_t vector);
uint16_t virtio_queue_vector(VirtIODevice *vdev, int n);
/* The driver kicked queue @n: run its handler (if ready, not broken). */
void virtio_queue_notify(VirtIODevice *vdev, int n);
/* Has the queue got rings (desc address set)? */
bool virtio_queue_ready(VirtQueue *vq);

/* --- Queues: device side -------------------------------------------- */

/*
 * Pop the next available request, or NULL when there is none, the queue
 * is not ready, or the device is broken (a malformed chain breaks it).
 * @sz >= sizeof(VirtQueueElement): the element is embedded at the start
 * of a larger structure of @sz bytes.
 */
void *virtqueue_pop(VirtQueue *vq, size_t sz);
/* Return @elem (unused) to the queue: the next pop gets it again. */
void virtqueue_unpop(VirtQueue *vq, const VirtQueueElement *elem,
                     unsigned int len);
/* Forget @elem: neither used nor available again (it is not freed). */
void virtqueue_detach_element(VirtQueue *vq, const VirtQueueElement *elem,
                              unsigned int len);
/*
 * Write the used element for @elem (@len bytes written into its in
 * buffers) at position @idx after the used index, then publish @count
 * entries with virtqueue_flush().
 */
void virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem,
                    unsigned int len, unsigned int idx);
void virtqueue_flush(VirtQueue *vq, unsigned int count);
/* virtqueue_fill() + virtqueue_flush(vq, 1); does not notify. */
void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem,
                    unsigned int len);
/* No request waiting (also true when not ready or broken). */
int virtio_queue_empty(VirtQueue *vq);
/*
 * Ask the driver (not) to kick: clears/sets VRING_USED_F_NO_NOTIFY, or
 * with EVENT_IDX writes avail_event.
 */
void virtio_queue_set_notification(VirtQueue *vq, int enable);

/* TYPE_VIRTIO_BUS and the transport hooks. */
#include "hw/virtio/virtio-bus.h"

#endif
