/*
 * vhost: virtio devices whose data path runs outside sparsevm (a kernel
 * vhost driver or a vhost-user process).  Such a backend maps guest
 * memory itself, one mapping per entry of its memory table, and can map
 * only so many: its memslot limit.
 *
 * Three parts (docs/vhost.md):
 *   - the registry of backends and their free memslots, which the memory
 *     device code consults (vhost_get_free_memslots());
 *   - the memory table: a MemoryListener on address_space_memory keeps
 *     the RAM sections the backend accepts, and at each commit builds the
 *     merged table and the difference to the previous one;
 *   - the vrings: vhost_dev_start()/vhost_dev_stop() hand the queues of a
 *     virtio device to the backend (kick and call eventfds).
 *
 * Contract:
 *   - A frontend fills in vhost_ops and registers its struct vhost_dev
 *     with vhost_dev_init() before the backend maps memory, and calls
 *     vhost_dev_cleanup() before freeing it.
 *   - While registered, the device's used memslots are the entries of its
 *     memory table: the RAM sections of address_space_memory the backend
 *     maps (all of them unless vhost_backend_mem_section_filter says
 *     otherwise), adjacent ones merged when they are contiguous in guest
 *     and host memory and in the same fd, and neither is unmergeable.
 *   - vhost_get_free_memslots() is what the memory device code (and any
 *     other memslot consumer) may still use without overrunning a
 *     backend: the minimum over registered devices of limit - used.
 *   - Registering fails when the backend cannot even map what is in use
 *     now plus what memory devices reserved but have not mapped yet.
 *   - While started, each commit that changes the table is passed to
 *     vhost_update_mem_table (old entries removed, new ones added).
 */
#ifndef HW_VIRTIO_VHOST_H
#define HW_VIRTIO_VHOST_H

#include "exec/memory.h"

struct vhost_dev;
typedef struct VirtIODevice VirtIODevice;

/*
 * One entry of a backend's memory table (or one section before merging):
 * guest physical range, where sparsevm maps it, and the fd (-1: none) and
 * offset in it that the backend mmap()s.
 */
typedef struct VhostMemoryRegion {
    uint64_t guest_phys_addr;
    uint64_t memory_size;
    uint64_t userspace_addr;
    uint64_t mmap_offset;
    int fd;
    bool unmergeable;
} VhostMemoryRegion;

/* What one commit changed in the table (arrays of VhostMemoryRegion). */
typedef struct VhostMemTableDiff {
    GArray *removed;
    GArray *added;
} VhostMemTableDiff;

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

    /*
     * The rest is needed by vhost_dev_start()/stop() only.  Each returns
     * false with @errp set when the backend failed (the caller then
     * treats the device as broken).
     */
    /* Negotiated virtio features (the backend adds its own bits). */
    bool (*vhost_set_features)(struct vhost_dev *dev, uint64_t features,
                               Error **errp);
    /* Send the whole table dev->mem_table (at start). */
    bool (*vhost_set_mem_table)(struct vhost_dev *dev, Error **errp);
    /*
     * Optional: the table changed while started (dev->mem_table is the
     * new one).  Without it, vhost_set_mem_table is called.
     */
    bool (*vhost_update_mem_table)(struct vhost_dev *dev,
                                   const VhostMemTableDiff *diff,
                                   Error **errp);
    bool (*vhost_set_vring_num)(struct vhost_dev *dev, unsigned int idx,
                                unsigned int num, Error **errp);
    bool (*vhost_set_vring_base)(struct vhost_dev *dev, unsigned int idx,
                                 unsigned int base, Error **errp);
    /* Ring addresses are sparsevm's host virtual addresses. */
    bool (*vhost_set_vring_addr)(struct vhost_dev *dev, unsigned int idx,
                                 uint64_t desc, uint64_t avail,
                                 uint64_t used, Error **errp);
    bool (*vhost_set_vring_kick)(struct vhost_dev *dev, unsigned int idx,
                                 int fd, Error **errp);
    bool (*vhost_set_vring_call)(struct vhost_dev *dev, unsigned int idx,
                                 int fd, Error **errp);
    /* Optional (vhost-user without protocol features has no enable). */
    bool (*vhost_set_vring_enable)(struct vhost_dev *dev, unsigned int idx,
                                   bool enable, Error **errp);
    /* Stops the ring and returns where the backend stopped. */
    bool (*vhost_get_vring_base)(struct vhost_dev *dev, unsigned int idx,
                                 unsigned int *base, Error **errp);
} VhostOps;

/* The backend side of one virtqueue while started. */
typedef struct VhostVirtqueue {
    int kick_fd;
    int call_fd;
    guint call_watch;
    struct vhost_dev *dev;
    unsigned int index;
} VhostVirtqueue;

struct vhost_dev {
    /* public: set by the frontend (vhost_dev_init() does it) */
    const VhostOps *vhost_ops;
    void *opaque;

    /* public, read-only: the memory table (of VhostMemoryRegion) */
    GArray *mem_table;
    /* public, read-only: set between vhost_dev_start() and _stop() */
    VirtIODevice *vdev;
    bool started;
    unsigned int nvqs;
    VhostVirtqueue *vqs;

    /*
     * Optional: called (from the main loop, never from inside a memory
     * transaction) when a backend operation failed while started, e.g. a
     * memory table update at a commit.  @err is freed by the caller.
     */
    void (*backend_failed)(struct vhost_dev *dev, Error *err);

    /* private */
    MemoryListener memory_listener;
    GArray *sections;           /* accepted sections, by guest address */
    unsigned int used_memslots;
    bool registered;
    guint failure_idle;
    Error *pending_failure;
};

/*
 * Register @hdev with @ops: start counting the memslots its backend maps
 * and take part in vhost_get_free_memslots().  Fails (nothing registered)
 * if the backend's limit is below the memslots in use plus those memory
 * devices reserved but do not use yet.
 */
bool vhost_dev_init(struct vhost_dev *hdev, const VhostOps *ops,
                    void *opaque, Error **errp);

/* Unregister @hdev (no-op if it is not registered); stops it first. */
void vhost_dev_cleanup(struct vhost_dev *hdev);

/* The memslots @hdev's backend maps now (entries of its table). */
unsigned int vhost_dev_get_used_memslots(const struct vhost_dev *hdev);

/*
 * The fewest memslots any registered backend still has free (limit -
 * used); UINT_MAX when no backend is registered.
 */
unsigned int vhost_get_free_memslots(void);

/* The smallest memslot limit of any registered backend; UINT_MAX if none. */
unsigned int vhost_get_max_memslots(void);

/*
 * Hand queues 0..@nvqs-1 of @vdev to the backend: negotiated features,
 * memory table, then for each ready queue num, base 0, ring addresses,
 * kick and call eventfds and enable.  A signalled call eventfd sets ISR
 * bit 0 and raises the queue's interrupt.  Fails (everything undone) if
 * a ring is not in the table or the backend fails.
 */
bool vhost_dev_start(struct vhost_dev *hdev, VirtIODevice *vdev,
                     unsigned int nvqs, Error **errp);
/*
 * Take the queues back (GET_VRING_BASE stops each ring); errors of a
 * broken backend are ignored.  No-op unless started.
 */
void vhost_dev_stop(struct vhost_dev *hdev);
/* The driver kicked queue @idx: signal the backend's kick eventfd. */
void vhost_dev_kick(struct vhost_dev *hdev, unsigned int idx);

/* --- The table builder (pure functions, exposed for tests) ---------- */

/*
 * Build the table from @sections (@n entries sorted by guest address,
 * not overlapping) into @table (emptied first): neighbours merge when
 * contiguous in guest memory, host memory and fd offset, with the same
 * fd, and neither is unmergeable.
 */
void vhost_mem_table_build(const VhostMemoryRegion *sections, unsigned int n,
                           GArray *table);
/*
 * Entries of @old not in @new go to @removed, entries of @new not in
 * @old to @added (both appended to, in address order).  Entries are equal
 * when guest range, host address, fd and offset are.
 */
void vhost_mem_table_diff(GArray *old, GArray *new, GArray *removed,
                          GArray *added);
/* The host address of [@gpa, @gpa + @len) if one entry holds it, else 0. */
uint64_t vhost_mem_table_gpa_to_hva(GArray *table, uint64_t gpa,
                                    uint64_t len);

#endif
