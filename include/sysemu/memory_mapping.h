/*
 * The guest-physical memory blocks a dump writes.
 *
 * A GuestPhysBlockList is a snapshot of the RAM visible in an address
 * space's flat view: one block per run of guest-physical addresses backed
 * by contiguous host memory of one RAM region.  ROM is included; RAM
 * devices (ram_device) and non-volatile RAM are not.  For regions with a
 * RamDiscardManager (virtio-mem) only the populated parts are listed
 * (through replay_populated), so discarded memory is neither read nor
 * written.  Adjacent sections contiguous in guest and host memory (of the
 * same region) are merged into one block.
 *
 * Each block holds a reference on its region (its owner) and on the
 * region's RamDiscardManager, so that its host memory stays allocated
 * while the list lives, even if the region gets unmapped meanwhile.
 */
#ifndef SYSEMU_MEMORY_MAPPING_H
#define SYSEMU_MEMORY_MAPPING_H

#include "exec/memory.h"

typedef struct GuestPhysBlock {
    /* Guest-physical range [target_start, target_end). */
    hwaddr target_start;
    hwaddr target_end;
    /* Host address of target_start. */
    uint8_t *host_addr;
    /* The RAM region and the offset of target_start inside it. */
    MemoryRegion *mr;
    hwaddr offset_in_region;
    /* The region's manager when the snapshot was taken, or NULL. */
    RamDiscardManager *rdm;
} GuestPhysBlock;

typedef struct GuestPhysBlockList {
    /* Of GuestPhysBlock, sorted by target_start, non-overlapping. */
    GArray *blocks;
} GuestPhysBlockList;

void guest_phys_blocks_init(GuestPhysBlockList *list);
/* Drop every block (and the references they hold). */
void guest_phys_blocks_free(GuestPhysBlockList *list);

/* Append the RAM blocks of @as's current flat view (see above). */
void guest_phys_blocks_append(GuestPhysBlockList *list, AddressSpace *as);

/*
 * Keep only the parts of the blocks inside [@begin, @begin + @length)
 * (QMP dump-guest-memory's begin/length filter).
 */
void guest_phys_blocks_filter(GuestPhysBlockList *list, hwaddr begin,
                              uint64_t length);

static inline unsigned guest_phys_blocks_count(const GuestPhysBlockList *l)
{
    return l->blocks->len;
}

static inline GuestPhysBlock *guest_phys_block(const GuestPhysBlockList *l,
                                               unsigned i)
{
    return &g_array_index(l->blocks, GuestPhysBlock, i);
}

/* Sum of the blocks' sizes. */
uint64_t guest_phys_blocks_total_size(const GuestPhysBlockList *list);

/*
 * Whether [@offset, @offset + @size) of @block (offsets from its start) is
 * still populated now: always true without a RamDiscardManager; false if
 * the region's manager changed since the snapshot (device gone) or any
 * part was discarded since.  A dump running in the background checks this
 * before it reads guest memory, so that it never populates memory that
 * was discarded under it.
 */
bool guest_phys_block_populated(const GuestPhysBlock *block, uint64_t offset,
                                uint64_t size);

/*
 * The granularity in which @block's populated state can change (the
 * manager's minimum granularity), or 0 without a manager.
 */
uint64_t guest_phys_block_granularity(const GuestPhysBlock *block);

#endif
