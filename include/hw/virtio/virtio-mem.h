/*
 * virtio-mem: paravirtualized memory hot(un)plug (virtio 1.2 "Memory
 * Device", device ID 24).
 *
 * The device owns a large RAM region (its memdev) mapped into the
 * machine's device memory.  The driver plugs and unplugs block-size
 * pieces of it with requests on its single virtqueue; the host asks for
 * a size through "requested-size".  Unplugged memory is discarded (given
 * back to the host) and must stay unused: the device is the region's
 * RamDiscardManager, so listeners (e.g. VFIO-like DMA mappers) only ever
 * see plugged memory.
 *
 * Properties (TYPE_VIRTIO_MEM; the PCI proxy aliases them):
 *   memdev                  link<memory-backend>, required, exclusive
 *   requested-size          size; settable at runtime (qom-set)
 *   size                    size, read-only: the plugged size
 *   block-size              size; default max(2 MiB, backend page size);
 *                           power of two, >= 1 MiB; fixed after realize
 *   node                    uint32, default 0
 *   prealloc                bool: populate memory when it gets plugged
 *   unplugged-inaccessible  OnOffAuto: offer (and require)
 *                           VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE; auto =
 *                           on unless the backend is private anonymous
 *                           memory with the host page size (QEMU 7.2)
 *   memslots                uint32, default 1, 1..1024, fixed after
 *                           realize: expose the region through that many
 *                           unmergeable aliases (each a KVM memslot), only
 *                           those overlapping the usable region mapped.
 *                           With dynamic-memslots it reads back the number
 *                           decided at pre-plug.
 *   dynamic-memslots        bool, default off; requires
 *                           unplugged-inaccessible=on and no memslots > 1:
 *                           the memory device code decides the number of
 *                           memslots (decide_memslots), and only memslots
 *                           holding plugged blocks are mapped
 */
#ifndef HW_VIRTIO_MEM_H
#define HW_VIRTIO_MEM_H

#include "hw/virtio/virtio.h"
#include "hw/qdev-properties.h"
#include "exec/ram-discard-manager.h"
#include "sysemu/hostmem.h"

#define TYPE_VIRTIO_MEM "virtio-mem"
OBJECT_DECLARE_TYPE(VirtIOMEM, VirtIOMEMClass, VIRTIO_MEM)

#define VIRTIO_MEM_MEMDEV_PROP "memdev"
#define VIRTIO_MEM_NODE_PROP "node"
#define VIRTIO_MEM_SIZE_PROP "size"
#define VIRTIO_MEM_REQUESTED_SIZE_PROP "requested-size"
#define VIRTIO_MEM_BLOCK_SIZE_PROP "block-size"
#define VIRTIO_MEM_ADDR_PROP "memaddr"
#define VIRTIO_MEM_PREALLOC_PROP "prealloc"
#define VIRTIO_MEM_UNPLUGGED_INACCESSIBLE_PROP "unplugged-inaccessible"
#define VIRTIO_MEM_MEMSLOTS_PROP "memslots"
#define VIRTIO_MEM_DYNAMIC_MEMSLOTS_PROP "dynamic-memslots"

/* The most memslots one device may use, and the smallest memslot size. */
#define VIRTIO_MEM_MAX_MEMSLOTS 1024
#define VIRTIO_MEM_MIN_MEMSLOT_SIZE (128 * MiB)

/*
 * The smallest memslot with dynamic-memslots (but at least one block):
 * fewer, larger memslots are cheaper than many small ones.
 */
#define VIRTIO_MEM_DYNAMIC_MIN_MEMSLOT_SIZE (1 * GiB)

/* The smallest block size the device accepts. */
#define VIRTIO_MEM_MIN_BLOCK_SIZE (1 * MiB)

/*
 * How far the usable region reaches beyond the requested size, so that
 * the driver can plug with some freedom of placement.
 */
#define VIRTIO_MEM_USABLE_EXTENT (256 * MiB)

/* The plugged size of @vmem changed to @size. */
typedef void VirtIOMEMSizeChangeFn(VirtIOMEM *vmem, uint64_t size,
                                   void *opaque);

struct VirtIOMEM {
    VirtIODevice parent_obj;

    /* private */
    VirtQueue *vq;
    HostMemoryBackend *memdev;
    uint32_t node;
    uint64_t addr;
    uint64_t block_size;
    uint64_t requested_size;
    uint64_t usable_region_size;
    /* plugged size */
    uint64_t size;
    bool prealloc;
    OnOffAuto unplugged_inaccessible;
    /* the bitmap's block size is block_size */
    RamDiscardBitmap plugged;
    RamDiscardListenerList listeners;
    /* set while ram_block_coordinated_discard_require(true) is held */
    bool discard_required;

    /* the "memslots" property (with dynamic_memslots: the decision) */
    uint32_t memslots;
    bool dynamic_memslots;
    /*
     * With memslots > 1 (set up on the first get_memory_region) or
     * dynamic_memslots (container on the first get_memory_region, aliases
     * once decide_memslots ran): the container the memory device code
     * maps, nb_memslots aliases of the memdev region of memslot_size each
     * (the last may be smaller), which of them are mapped into the
     * container, and how many.  Static memslots map a prefix (by usable
     * region), dynamic ones exactly those holding plugged blocks.
     */
    MemoryRegion *mr;
    MemoryRegion *memslot_mrs;
    bool *memslot_mapped;
    uint32_t nb_memslots;
    uint32_t nb_mapped_memslots;
    uint64_t memslot_size;

    /* called whenever the plugged size changes (one user: the proxy) */
    VirtIOMEMSizeChangeFn *size_change_fn;
    void *size_change_opaque;
};

struct VirtIOMEMClass {
    /* private */
    VirtioDeviceClass parent_class;

    /* public */
    /*
     * Add the query-memory-devices members to @data, in QEMU's order
     * (the proxy adds "id").
     */
    void (*fill_device_info)(const VirtIOMEM *vmem, JsonObject *data);
    /*
     * The region the memory device code maps into device memory, the
     * same one from pre-plug to unplug; an error without memdev.  Today
     * the memdev's RAM region; with memslots a container of aliases.
     */
    MemoryRegion *(*get_memory_region)(VirtIOMEM *vmem, Error **errp);
    /*
     * With dynamic-memslots: decide how many memslots to use, at most
     * @limit (at least one; each at least
     * VIRTIO_MEM_DYNAMIC_MIN_MEMSLOT_SIZE and a multiple of the block
     * size, as even as that allows).  Called once, after
     * get_memory_region() succeeded and before realize; a no-op
     * otherwise.
     */
    void (*decide_memslots)(VirtIOMEM *vmem, unsigned int limit);
    /*
     * How many memslots the region from get_memory_region() may use at
     * most (1 without memslots); valid once get_memory_region() succeeded
     * (and, with dynamic-memslots, decide_memslots() ran).
     */
    unsigned int (*get_memslots)(VirtIOMEM *vmem);
    /* Set (or, with @fn NULL, clear) the size change callback. */
    void (*set_size_change_notifier)(VirtIOMEM *vmem,
                                     VirtIOMEMSizeChangeFn *fn,
                                     void *opaque);
};

#endif
