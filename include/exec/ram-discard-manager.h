/*
 * RamDiscardManager: coordinating discarded/populated parts of RAM regions
 *
 * Some RAM memory regions (e.g. the one behind a virtio-mem device) are
 * "sparse": the guest agreed to use only selected parts of them, the rest
 * is discarded and must stay discarded.  A RamDiscardManager, set on such a
 * region before it is mapped, knows which parts are populated and tells
 * registered RamDiscardListeners (e.g. VFIO, which pins what it maps)
 * before parts get populated and after parts got discarded.
 *
 * Besides the QOM interface this header provides two building blocks every
 * manager needs, so managers do not reimplement the bookkeeping:
 *  - RamDiscardBitmap: which granularity-sized blocks are populated, and
 *    is_populated / replay_populated / replay_discarded over a section;
 *  - RamDiscardListenerList: the registered listeners with their sections,
 *    and the notifications (clipping, veto rollback, discard-all).
 */
#ifndef EXEC_RAM_DISCARD_MANAGER_H
#define EXEC_RAM_DISCARD_MANAGER_H

#include "qom/object.h"

typedef struct MemoryRegion MemoryRegion;
typedef struct MemoryRegionSection MemoryRegionSection;

#define TYPE_RAM_DISCARD_MANAGER "ram-discard-manager"
typedef struct RamDiscardManagerClass RamDiscardManagerClass;
typedef struct RamDiscardManager RamDiscardManager;
DECLARE_OBJ_CHECKERS(RamDiscardManager, RamDiscardManagerClass,
                     RAM_DISCARD_MANAGER, TYPE_RAM_DISCARD_MANAGER)

typedef struct RamDiscardListener RamDiscardListener;

/*
 * Called before the memory described by @section gets populated.
 * Returns 0, or a negative errno to veto the population.
 */
typedef int (*NotifyRamPopulate)(RamDiscardListener *rdl,
                                 MemoryRegionSection *section);
/*
 * Called after the memory described by @section was discarded; the listener
 * must drop all references to it (e.g. unmap it).
 */
typedef void (*NotifyRamDiscard)(RamDiscardListener *rdl,
                                 MemoryRegionSection *section);

/* Replay callbacks: return 0 to continue, or a negative errno to stop. */
typedef int (*ReplayRamPopulate)(MemoryRegionSection *section, void *opaque);
typedef int (*ReplayRamDiscard)(MemoryRegionSection *section, void *opaque);

struct RamDiscardListener {
    NotifyRamPopulate notify_populate;
    NotifyRamDiscard notify_discard;

    /*
     * The listener copes with one discard covering parts that are already
     * discarded (e.g. when everything gets discarded at once).  Without it
     * the listener only ever sees discards of populated parts.
     */
    bool double_discard_supported;

    /* Set while registered: the (private copy of the) section listened to. */
    MemoryRegionSection *section;

    /* private: link in the manager's RamDiscardListenerList */
    GList link;
};

/*
 * RamDiscardManagerClass:
 *
 * Notifications come in multiples of the minimum granularity, aligned to
 * it within the #MemoryRegion, and clipped to each listener's section.
 * Listeners must cope with memory being discarded in a different
 * granularity than it was populated (and the other way around).
 */
struct RamDiscardManagerClass {
    /* private */
    InterfaceClass parent_class;

    /* public */

    /* The granularity in which listeners get notified about @mr. */
    uint64_t (*get_min_granularity)(const RamDiscardManager *rdm,
                                    const MemoryRegion *mr);

    /*
     * Whether the whole @section is populated (no part is discarded).
     * There are no alignment requirements for the section.
     */
    bool (*is_populated)(const RamDiscardManager *rdm,
                         const MemoryRegionSection *section);

    /*
     * Call @replay_fn for every maximal populated run inside @section, in
     * ascending order.  Stops at the first error and returns it.
     */
    int (*replay_populated)(const RamDiscardManager *rdm,
                            MemoryRegionSection *section,
                            ReplayRamPopulate replay_fn, void *opaque);

    /*
     * Call @replay_fn for every maximal discarded run inside @section, in
     * ascending order.  Stops at the first error and returns it.
     */
    int (*replay_discarded)(const RamDiscardManager *rdm,
                            MemoryRegionSection *section,
                            ReplayRamDiscard replay_fn, void *opaque);

    /*
     * Register @rdl for @section (of a region managed by @rdm) and
     * immediately notify it about every populated part inside @section.
     */
    void (*register_listener)(RamDiscardManager *rdm,
                              RamDiscardListener *rdl,
                              MemoryRegionSection *section);

    /*
     * Notify @rdl about every populated part of its section getting
     * discarded, then unregister it.
     */
    void (*unregister_listener)(RamDiscardManager *rdm,
                                RamDiscardListener *rdl);
};

static inline void ram_discard_listener_init(RamDiscardListener *rdl,
                                             NotifyRamPopulate populate_fn,
                                             NotifyRamDiscard discard_fn,
                                             bool double_discard_supported)
{
    rdl->notify_populate = populate_fn;
    rdl->notify_discard = discard_fn;
    rdl->double_discard_supported = double_discard_supported;
    rdl->section = NULL;
}

/* Wrappers around the RamDiscardManagerClass methods of the same name. */
uint64_t ram_discard_manager_get_min_granularity(const RamDiscardManager *rdm,
                                                 const MemoryRegion *mr);
bool ram_discard_manager_is_populated(const RamDiscardManager *rdm,
                                      const MemoryRegionSection *section);
int ram_discard_manager_replay_populated(const RamDiscardManager *rdm,
                                         MemoryRegionSection *section,
                                         ReplayRamPopulate replay_fn,
                                         void *opaque);
int ram_discard_manager_replay_discarded(const RamDiscardManager *rdm,
                                         MemoryRegionSection *section,
                                         ReplayRamDiscard replay_fn,
                                         void *opaque);
void ram_discard_manager_register_listener(RamDiscardManager *rdm,
                                           RamDiscardListener *rdl,
                                           MemoryRegionSection *section);
void ram_discard_manager_unregister_listener(RamDiscardManager *rdm,
                                             RamDiscardListener *rdl);

/*
 * RamDiscardBitmap: one bit per block of @block_size bytes of a RAM region,
 * set while the block is populated.  Offsets are relative to the region.
 */
typedef struct RamDiscardBitmap {
    unsigned long *bits;
    uint64_t block_size;
    uint64_t nb_blocks;
} RamDiscardBitmap;

/*
 * Track a region of @region_size bytes in blocks of @block_size (a power of
 * two dividing @region_size); everything starts discarded.
 */
void ram_discard_bitmap_init(RamDiscardBitmap *bm, uint64_t region_size,
                             uint64_t block_size);
void ram_discard_bitmap_destroy(RamDiscardBitmap *bm);

/*
 * Whether [@offset, @offset + @size) is block aligned and inside the
 * region: the ranges the functions below accept.
 */
bool ram_discard_bitmap_valid_range(const RamDiscardBitmap *bm,
                                    uint64_t offset, uint64_t size);
/* Mark a valid range populated / discarded. */
void ram_discard_bitmap_set_populated(RamDiscardBitmap *bm,
                                      uint64_t offset, uint64_t size);
void ram_discard_bitmap_set_discarded(RamDiscardBitmap *bm,
                                      uint64_t offset, uint64_t size);
/*
 * Whether every block touching [@offset, @offset + @size) is populated
 * (resp. discarded); the range need not be aligned but must lie inside the
 * region.  An empty range is both.
 */
bool ram_discard_bitmap_range_populated(const RamDiscardBitmap *bm,
                                        uint64_t offset, uint64_t size);
bool ram_discard_bitmap_range_discarded(const RamDiscardBitmap *bm,
                                        uint64_t offset, uint64_t size);
/* Number of populated bytes in the whole region. */
uint64_t ram_discard_bitmap_populated_size(const RamDiscardBitmap *bm);

/*
 * The RamDiscardManagerClass methods implemented over a bitmap: the
 * section's offset_within_region/size select the part of the region.  The
 * replays pass @replay_fn a copy of @section clipped to each maximal
 * populated (resp. discarded) run, with offset_within_address_space moved
 * along, and stop at the first error, returning it.
 */
bool ram_discard_bitmap_is_populated(const RamDiscardBitmap *bm,
                                     const MemoryRegionSection *section);
int ram_discard_bitmap_replay_populated(const RamDiscardBitmap *bm,
                                        const MemoryRegionSection *section,
                                        ReplayRamPopulate replay_fn,
                                        void *opaque);
int ram_discard_bitmap_replay_discarded(const RamDiscardBitmap *bm,
                                        const MemoryRegionSection *section,
                                        ReplayRamDiscard replay_fn,
                                        void *opaque);

/*
 * RamDiscardListenerList: the listeners registered with a manager, each
 * with a private copy of its section, in registration order.  The
 * notify functions only address listeners whose section is on @mr and
 * overlaps the range, passing each the range clipped to its section.
 */
typedef struct RamDiscardListenerList {
    GQueue listeners;
} RamDiscardListenerList;

void ram_discard_listener_list_init(RamDiscardListenerList *list);
/* The list must be empty by now: all listeners unregistered. */
void ram_discard_listener_list_destroy(RamDiscardListenerList *list);
bool ram_discard_listener_list_empty(const RamDiscardListenerList *list);

/*
 * Register @rdl for (a copy of) @section, then notify it about every part
 * of @section that @rdm reports populated.  The listener stays registered
 * even if it refuses; the first error is returned (the manager reports it).
 */
int ram_discard_listener_list_add(RamDiscardListenerList *list,
                                  const RamDiscardManager *rdm,
                                  RamDiscardListener *rdl,
                                  MemoryRegionSection *section);
/*
 * Notify @rdl about the discard of every part of its section that @rdm
 * reports populated, then unregister it and free its section copy.
 */
void ram_discard_listener_list_remove(RamDiscardListenerList *list,
                                      const RamDiscardManager *rdm,
                                      RamDiscardListener *rdl);

/*
 * [@offset, @offset + @size) of @mr is about to get populated.  On the
 * first listener that vetoes, the listeners already notified get the
 * discard of the same range (in reverse order), later listeners are not
 * notified at all, and the error is returned: the manager must then not
 * populate.
 */
int ram_discard_listener_list_notify_populate(RamDiscardListenerList *list,
                                              const MemoryRegion *mr,
                                              uint64_t offset, uint64_t size);
/*
 * The populated range [@offset, @offset + @size) of @mr was discarded.
 * Call it only for ranges that were completely populated.
 */
void ram_discard_listener_list_notify_discard(RamDiscardListenerList *list,
                                              const MemoryRegion *mr,
                                              uint64_t offset, uint64_t size);
/*
 * All of @mr was discarded at once.  Call it after discarding the memory
 * but while @rdm still reports the old populated parts: listeners with
 * double_discard_supported get one discard of their whole section, the
 * others one per populated run inside their section.
 */
void ram_discard_listener_list_notify_discard_all(RamDiscardListenerList *list,
                                                  const RamDiscardManager *rdm,
                                                  const MemoryRegion *mr);

#endif
