/*
 * vhost: virtio devices whose data path runs outside sparsevm (a kernel
 * vhost driver or a vhost-user process).  Such a backend maps guest
 * memory itself, one mapping per RAM section of the guest's address
 * space, and can map only so many: its memslot limit.
 *
 * Today this is only the part the memory device code needs (the
 * frontends arrive later): a registry of backends and how many memslots
 * they still have free.
 *
 * Contract:
 *   - A frontend fills in vhost_ops and registers its struct vhost_dev
 *     with vhost_dev_init() before the backend maps memory, and calls
 *     vhost_dev_cleanup() before freeing it.
 *   - While registered, the device counts the RAM sections of
 *     address_space_memory that the backend maps (all of them unless
 *     vhost_backend_mem_section_filter says otherwise): its used memslots.
 *   - vhost_get_free_memslots() is what the memory device code (and any
 *     other memslot consumer) may still use without overrunning a
 *     backend: the minimum over registered devices of limit - used.
 *   - Registering fails when the backend cannot even map what is in use
 *     now plus what memory devices reserved but have not mapped yet.
 */
#ifndef HW_VIRTIO_VHOST_H
#define HW_VIRTIO_VHOST_H

#include "exec/memory.h"

struct vhost_dev;

typedef struct VhostOps {
    /*
     * The most memslots the backend can map (vhost-user: the slots its
     * protocol offers; vhost-kernel: the module's max_mem_regions).
     * Required.
     */
    unsigned int (*vhost_backend_memslots_limit)(struct vhost_dev *dev);
    /*
     * Optional: whether the backend maps @section (a RAM section of
     * address_space_memory); e.g. vhost-user only maps memory it can
     * share through a file descriptor.  Default: every RAM section.
     */
    bool (*vhost_backend_mem_section_filter)(struct vhost_dev *dev,
                                             MemoryRegionSection *section);
} VhostOps;

struct vhost_dev {
    /* public: set by the frontend (vhost_dev_init() does it) */
    const VhostOps *vhost_ops;
    void *opaque;

    /* private */
    MemoryListener memory_listener;
    unsigned int used_memslots;
    bool registered;
};

/*
 * Register @hdev with @ops: start counting the memslots its backend maps
 * and take part in vhost_get_free_memslots().  Fails (nothing registered)
 * if the backend's limit is below the memslots in use plus those memory
 * devices reserved but do not use yet.
 */
bool vhost_dev_init(struct vhost_dev *hdev, const VhostOps *ops,
                    void *opaque, Error **errp);

/* Unregister @hdev (no-op if it is not registered). */
void vhost_dev_cleanup(struct vhost_dev *hdev);

/* The memslots @hdev's backend maps now (RAM sections it accepts). */
unsigned int vhost_dev_get_used_memslots(const struct vhost_dev *hdev);

/*
 * The fewest memslots any registered backend still has free (limit -
 * used); UINT_MAX when no backend is registered.
 */
unsigned int vhost_get_free_memslots(void);

/* The smallest memslot limit of any registered backend; UINT_MAX if none. */
unsigned int vhost_get_max_memslots(void);

#endif
