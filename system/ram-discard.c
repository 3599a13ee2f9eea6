/*
 * RamDiscardManager interface, and the bitmap / listener-list bookkeeping
 * shared by every manager.
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "exec/ram-discard-manager.h"
#include "qom/object.h"

#define BITS_PER_WORD (sizeof(unsigned long) * CHAR_BIT)

static uint64_t div_round_up(uint64_t n, uint64_t d)
{
    return n / d + !!(n % d);
}

/* ---- the interface ---- */

static RamDiscardManagerClass *rdm_class(const RamDiscardManager *rdm)
{
    return RAM_DISCARD_MANAGER_GET_CLASS(rdm);
}

uint64_t ram_discard_manager_get_min_granularity(const RamDiscardManager *rdm,
                                                 const MemoryRegion *mr)
{
    RamDiscardManagerClass *rdmc = rdm_class(rdm);

    g_assert(rdmc->get_min_granularity);
    return rdmc->get_min_granularity(rdm, mr);
}

bool ram_discard_manager_is_populated(const RamDiscardManager *rdm,
                                      const MemoryRegionSection *section)
{
    RamDiscardManagerClass *rdmc = rdm_class(rdm);

    g_assert(rdmc->is_populated);
    return rdmc->is_populated(rdm, section);
}

int ram_discard_manager_replay_populated(const RamDiscardManager *rdm,
                                         MemoryRegionSection *section,
                                         ReplayRamPopulate replay_fn,
                                         void *opaque)
{
    RamDiscardManagerClass *rdmc = rdm_class(rdm);

    g_assert(rdmc->replay_populated);
    return rdmc->replay_populated(rdm, section, replay_fn, opaque);
}

int ram_discard_manager_replay_discarded(const RamDiscardManager *rdm,
                                         MemoryRegionSection *section,
                                         ReplayRamDiscard replay_fn,
                                         void *opaque)
{
    RamDiscardManagerClass *rdmc = rdm_class(rdm);

    g_assert(rdmc->replay_discarded);
    return rdmc->replay_discarded(rdm, section, replay_fn, opaque);
}

void ram_discard_manager_register_listener(RamDiscardManager *rdm,
                                           RamDiscardListener *rdl,
                                           MemoryRegionSection *section)
{
    RamDiscardManagerClass *rdmc = rdm_class(rdm);

    g_assert(rdmc->register_listener);
    rdmc->register_listener(rdm, rdl, section);
}

void ram_discard_manager_unregister_listener(RamDiscardManager *rdm,
                                             RamDiscardListener *rdl)
{
    RamDiscardManagerClass *rdmc = rdm_class(rdm);

    g_assert(rdmc->unregister_listener);
    rdmc->unregister_listener(rdm, rdl);
}

static const TypeInfo ram_discard_manager_info = {
    .name = TYPE_RAM_DISCARD_MANAGER,
    .parent = TYPE_INTERFACE,
    .class_size = sizeof(RamDiscardManagerClass),
};

static void ram_discard_manager_register_types(void)
{
    type_register_static(&ram_discard_manager_info);
}

type_init(ram_discard_manager_register_types)

/* ---- sections ---- */

static uint64_t section_start(const MemoryRegionSection *section)
{
    return section->offset_within_region;
}

/* Copy @section clipped to the region range [@start, @end) into @out. */
static bool section_clip(const MemoryRegionSection *section,
                         uint64_t start, uint64_t end,
                         MemoryRegionSection *out)
{
    *out = *section;
    return memory_region_section_intersect_range(out, start, end - start);
}

/* ---- bitmap ---- */

/* The bits of word @word that lie inside [@start, @end). */
static unsigned long word_mask(uint64_t word, uint64_t start, uint64_t end)
{
    uint64_t first = word * BITS_PER_WORD;
    unsigned long mask = ~0UL;

    if (start > first) {
        mask &= ~0UL << (start - first);
    }
    if (end < first + BITS_PER_WORD) {
        mask &= ~0UL >> (first + BITS_PER_WORD - end);
    }
    return mask;
}

static void bits_assign(unsigned long *bits, uint64_t start, uint64_t end,
                        bool value)
{
    uint64_t word;

    if (start >= end) {
        return;
    }
    for (word = start / BITS_PER_WORD; word <= (end - 1) / BITS_PER_WORD;
         word++) {
        unsigned long mask = word_mask(word, start, end);

        if (value) {
            bits[word] |= mask;
        } else {
            bits[word] &= ~mask;
        }
    }
}

/* The first bit >= @start and < @end whose value is @value, else @end. */
static uint64_t bits_find(const unsigned long *bits, uint64_t start,
                          uint64_t end, bool value)
{
    uint64_t word;

    if (start >= end) {
        return end;
    }
    for (word = start / BITS_PER_WORD; word <= (end - 1) / BITS_PER_WORD;
         word++) {
        unsigned long w = value ? bits[word] : ~bits[word];

        w &= word_mask(word, start, end);
        if (w) {
            return word * BITS_PER_WORD + __builtin_ctzl(w);
        }
    }
    return end;
}

void ram_discard_bitmap_init(RamDiscardBitmap *bm, uint64_t region_size,
                             uint64_t block_size)
{
    g_assert(block_size && !(block_size & (block_size - 1)));
    g_assert(QEMU_IS_ALIGNED(region_size, block_size));

    bm->block_size = block_size;
    bm->nb_blocks = region_size / block_size;
    bm->bits = g_new0(unsigned long,
                      div_round_up(MAX(bm->nb_blocks, 1), BITS_PER_WORD));
}

void ram_discard_bitmap_destroy(RamDiscardBitmap *bm)
{
    g_clear_pointer(&bm->bits, g_free);
    bm->nb_blocks = 0;
}

bool ram_discard_bitmap_valid_range(const RamDiscardBitmap *bm,
                                    uint64_t offset, uint64_t size)
{
    uint64_t region_size = bm->nb_blocks * bm->block_size;

    return QEMU_IS_ALIGNED(offset, bm->block_size) &&
           QEMU_IS_ALIGNED(size, bm->block_size) &&
           offset <= region_size && size <= region_size - offset;
}

void ram_discard_bitmap_set_populated(RamDiscardBitmap *bm,
                                      uint64_t offset, uint64_t size)
{
    g_assert(ram_discard_bitmap_valid_range(bm, offset, size));
    bits_assign(bm->bits, offset / bm->block_size,
                (offset + size) / bm->block_size, true);
}

void ram_discard_bitmap_set_discarded(RamDiscardBitmap *bm,
                                      uint64_t offset, uint64_t size)
{
    g_assert(ram_discard_bitmap_valid_range(bm, offset, size));
    bits_assign(bm->bits, offset / bm->block_size,
                (offset + size) / bm->block_size, false);
}

/* The blocks [*@first, *@end) touching the (unaligned) byte range. */
static void bitmap_blocks_of(const RamDiscardBitmap *bm, uint64_t offset,
                             uint64_t size, uint64_t *first, uint64_t *end)
{
    *first = MIN(offset / bm->block_size, bm->nb_blocks);
    *end = MIN(div_round_up(offset + size, bm->block_size), bm->nb_blocks);
}

static bool bitmap_range_all(const RamDiscardBitmap *bm, uint64_t offset,
                             uint64_t size, bool populated)
{
    uint64_t first, end;

    if (!size) {
        return true;
    }
    g_assert(offset < bm->nb_blocks * bm->block_size &&
             size <= bm->nb_blocks * bm->block_size - offset);
    bitmap_blocks_of(bm, offset, size, &first, &end);
    return bits_find(bm->bits, first, end, !populated) == end;
}

bool ram_discard_bitmap_range_populated(const RamDiscardBitmap *bm,
                                        uint64_t offset, uint64_t size)
{
    return bitmap_range_all(bm, offset, size, true);
}

bool ram_discard_bitmap_range_discarded(const RamDiscardBitmap *bm,
                                        uint64_t offset, uint64_t size)
{
    return bitmap_range_all(bm, offset, size, false);
}

uint64_t ram_discard_bitmap_populated_size(const RamDiscardBitmap *bm)
{
    uint64_t words = div_round_up(bm->nb_blocks, BITS_PER_WORD);
    uint64_t count = 0, i;

    for (i = 0; i < words; i++) {
        count += __builtin_popcountl(bm->bits[i]);
    }
    return count * bm->block_size;
}

bool ram_discard_bitmap_is_populated(const RamDiscardBitmap *bm,
                                     const MemoryRegionSection *section)
{
    return ram_discard_bitmap_range_populated(bm, section_start(section),
                                              int128_get64(section->size));
}

/*
 * Call @fn for each maximal run of blocks in state @populated that overlaps
 * @section, clipped to it.  Stops at the first error and returns it.
 */
static int bitmap_replay_runs(const RamDiscardBitmap *bm,
                              const MemoryRegionSection *section,
                              bool populated,
                              int (*fn)(MemoryRegionSection *, void *),
                              void *opaque)
{
    uint64_t first, end, run_start, run_end;

    bitmap_blocks_of(bm, section_start(section),
                     int128_get64(section->size), &first, &end);

    run_start = bits_find(bm->bits, first, end, populated);
    while (run_start < end) {
        MemoryRegionSection run;
        int ret;

        run_end = bits_find(bm->bits, run_start, end, !populated);
        if (section_clip(section, run_start * bm->block_size,
                         run_end * bm->block_size, &run)) {
            ret = fn(&run, opaque);
            if (ret) {
                return ret;
            }
        }
        run_start = bits_find(bm->bits, run_end, end, populated);
    }
    return 0;
}

int ram_discard_bitmap_replay_populated(const RamDiscardBitmap *bm,
                                        const MemoryRegionSection *section,
                                        ReplayRamPopulate replay_fn,
                                        void *opaque)
{
    return bitmap_replay_runs(bm, section, true, replay_fn, opaque);
}

int ram_discard_bitmap_replay_discarded(const RamDiscardBitmap *bm,
                                        const MemoryRegionSection *section,
                                        ReplayRamDiscard replay_fn,
                                        void *opaque)
{
    return bitmap_replay_runs(bm, section, false, replay_fn, opaque);
}

/* ---- listener list ---- */

void ram_discard_listener_list_init(RamDiscardListenerList *list)
{
    g_queue_init(&list->listeners);
}

void ram_discard_listener_list_destroy(RamDiscardListenerList *list)
{
    g_assert(g_queue_is_empty(&list->listeners));
}

bool ram_discard_listener_list_empty(const RamDiscardListenerList *list)
{
    return g_queue_is_empty((GQueue *)&list->listeners);
}

static int listener_populate_cb(MemoryRegionSection *section, void *opaque)
{
    RamDiscardListener *rdl = opaque;

    return rdl->notify_populate(rdl, section);
}

static int listener_discard_cb(MemoryRegionSection *section, void *opaque)
{
    RamDiscardListener *rdl = opaque;

    rdl->notify_discard(rdl, section);
    return 0;
}

int ram_discard_listener_list_add(RamDiscardListenerList *list,
                                  const RamDiscardManager *rdm,
                                  RamDiscardListener *rdl,
                                  MemoryRegionSection *section)
{
    g_assert(!rdl->section);
    g_assert(rdl->notify_populate && rdl->notify_discard);

    rdl->section = memory_region_section_new_copy(section);
    rdl->link.data = rdl;
    g_queue_push_tail_link(&list->listeners, &rdl->link);

    return ram_discard_manager_replay_populated(rdm, rdl->section,
                                                listener_populate_cb, rdl);
}

void ram_discard_listener_list_remove(RamDiscardListenerList *list,
                                      const RamDiscardManager *rdm,
                                      RamDiscardListener *rdl)
{
    g_assert(rdl->section && rdl->link.data == rdl);

    ram_discard_manager_replay_populated(rdm, rdl->section,
                                         listener_discard_cb, rdl);
    g_queue_unlink(&list->listeners, &rdl->link);
    rdl->link.data = NULL;
    memory_region_section_free_copy(rdl->section);
    rdl->section = NULL;
}

/* The part of [@offset, @offset + @size) of @mr that @rdl listens to. */
static bool listener_clip(const RamDiscardListener *rdl,
                          const MemoryRegion *mr, uint64_t offset,
                          uint64_t size, MemoryRegionSection *out)
{
    if (rdl->section->mr != mr) {
        return false;
    }
    return section_clip(rdl->section, offset, offset + size, out);
}

int ram_discard_listener_list_notify_populate(RamDiscardListenerList *list,
                                              const MemoryRegion *mr,
                                              uint64_t offset, uint64_t size)
{
    GList *link, *undo;

    for (link = list->listeners.head; link; link = link->next) {
        RamDiscardListener *rdl = link->data;
        MemoryRegionSection clipped;
        int ret;

        if (!listener_clip(rdl, mr, offset, size, &clipped)) {
            continue;
        }
        ret = rdl->notify_populate(rdl, &clipped);
        if (!ret) {
            continue;
        }
        for (undo = link->prev; undo; undo = undo->prev) {
            RamDiscardListener *notified = undo->data;

            if (listener_clip(notified, mr, offset, size, &clipped)) {
                notified->notify_discard(notified, &clipped);
            }
        }
        return ret;
    }
    return 0;
}

void ram_discard_listener_list_notify_discard(RamDiscardListenerList *list,
                                              const MemoryRegion *mr,
                                              uint64_t offset, uint64_t size)
{
    GList *link;

    for (link = list->listeners.head; link; link = link->next) {
        RamDiscardListener *rdl = link->data;
        MemoryRegionSection clipped;

        if (listener_clip(rdl, mr, offset, size, &clipped)) {
            rdl->notify_discard(rdl, &clipped);
        }
    }
}

void ram_discard_listener_list_notify_discard_all(RamDiscardListenerList *list,
                                                  const RamDiscardManager *rdm,
                                                  const MemoryRegion *mr)
{
    GList *link;

    for (link = list->listeners.head; link; link = link->next) {
        RamDiscardListener *rdl = link->data;

        if (rdl->section->mr != mr) {
            continue;
        }
        if (rdl->double_discard_supported) {
            MemoryRegionSection whole = *rdl->section;

            rdl->notify_discard(rdl, &whole);
        } else {
            ram_discard_manager_replay_populated(rdm, rdl->section,
                                                 listener_discard_cb, rdl);
        }
    }
}
