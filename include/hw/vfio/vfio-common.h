/*
 * VFIO DMA mapping: the container interface and the memory listener that
 * keeps a container's IOMMU mappings equal to the guest RAM of an address
 * space.
 *
 * A VFIOContainer is a small "class": a backend (the VFIO type1 container
 * in container.c, the emulated one in container-emulated.c) fills in
 * VFIOContainerOps and the DMA mapping limit; common.c does the rest:
 *  - plain RAM sections are mapped whole (page aligned);
 *  - a section whose region has a RamDiscardManager (virtio-mem) is not
 *    mapped as a whole: a RamDiscardListener maps each populated
 *    granularity-sized chunk as a DMA mapping of its own, unmaps on
 *    discard and vetoes a populate it cannot map (rolling back what it
 *    mapped of it), so that only plugged memory gets pinned;
 *  - when such a section is added, its worst case (section size /
 *    granularity, plus the mappings of everything else) is checked
 *    against the container's limit (warning, or refusal when strict).
 * See docs/vfio.md.
 */
#ifndef HW_VFIO_VFIO_COMMON_H
#define HW_VFIO_VFIO_COMMON_H

#include "exec/memory.h"

/* VFIO type1's default for the vfio_iommu_type1 dma_entry_limit option. */
#define VFIO_DEFAULT_DMA_ENTRY_LIMIT 65535

typedef struct VFIOContainer VFIOContainer;

typedef struct VFIOContainerOps {
    /*
     * Map guest [@iova, @iova + @size) to host [@vaddr, @vaddr + @size)
     * (page aligned).  Returns 0, or a negative errno with *@errp set.
     */
    int (*dma_map)(VFIOContainer *c, hwaddr iova, uint64_t size,
                   void *vaddr, bool readonly, Error **errp);
    /*
     * Remove every mapping inside [@iova, @iova + @size) (mappings are never
     * split: the range must not cut one).  Returns 0, or a negative errno
     * with *@errp set.
     */
    int (*dma_unmap)(VFIOContainer *c, hwaddr iova, uint64_t size,
                     Error **errp);
} VFIOContainerOps;

struct VFIOContainer {
    /* public: set by the backend before the first attach */
    const VFIOContainerOps *ops;
    char *name;                 /* for messages, e.g. "vfio group 12" */
    uint64_t pgsize;            /* smallest IOMMU page size */
    uint64_t dma_max_mappings;  /* limit on the number of mappings */
    /*
     * Refuse sections whose worst case exceeds the limit (attach fails, or
     * a section added later gets every populate vetoed) instead of warning.
     */
    bool strict_dma_limit;

    /* private: common.c */
    AddressSpace *as;
    MemoryListener listener;
    unsigned nr_users;
    bool attaching;             /* the first attach replays the view */
    GList *plain_sections;      /* VFIOPlainSection */
    GList *rdm_listeners;       /* VFIORamDiscardListener */
    Error *error;               /* first error while attaching */
    GPtrArray *warnings;        /* of char *: limit warnings, map errors */
};

/* Initialize / release the common part (the container must be detached). */
void vfio_container_init(VFIOContainer *c, const VFIOContainerOps *ops,
                         const char *name, uint64_t pgsize,
                         uint64_t dma_max_mappings);
void vfio_container_destroy(VFIOContainer *c);

/*
 * A device using @c starts DMA in @as.  The first user registers the
 * listener, which maps the RAM of @as (populated parts only where a
 * RamDiscardManager says so); an error while doing so fails the attach and
 * leaves nothing mapped.  All users of a container share one address
 * space.
 */
bool vfio_container_attach(VFIOContainer *c, AddressSpace *as, Error **errp);
/* The last user gone: unregister the listener (unmaps everything). */
void vfio_container_detach(VFIOContainer *c);

/* Number of users attached. */
unsigned vfio_container_users(const VFIOContainer *c);
/* Messages recorded by the listener (warnings and mapping errors). */
const GPtrArray *vfio_container_warnings(const VFIOContainer *c);
/*
 * The worst-case number of mappings of what is mapped now: one per plain
 * section plus, per RamDiscardManager section, one per granule.
 */
uint64_t vfio_container_worst_case_mappings(const VFIOContainer *c);

/*
 * Discard coordination for a device.  A device whose mappings come from
 * this listener (type1 and emulated containers) disables uncoordinated
 * discards only: virtio-mem's coordinated discards keep working beside
 * it.  A device that pins guest memory behind our back (a mediated device
 * whose vendor driver pins on demand) must disable all discards, which
 * fails while virtio-mem requires coordinated ones (and virtio-mem then
 * refuses to start beside it).
 */
typedef enum VFIODiscardMode {
    VFIO_DISCARD_UNCOORDINATED_DISABLED,
    VFIO_DISCARD_ALL_DISABLED,
} VFIODiscardMode;

bool vfio_discard_disable(VFIODiscardMode mode, const char *who,
                          Error **errp);
void vfio_discard_enable(VFIODiscardMode mode);

#endif
