/*
 * The memory API: memory regions, address spaces, flat views and memory
 * listeners (QEMU's API, single-threaded under one big lock, no RCU).
 *
 * A MemoryRegion is one of:
 *  - a container (memory_region_init()): holds subregions, renders nothing
 *    itself;
 *  - RAM (memory_region_init_ram*(), _rom()): backed by a RAMBlock;
 *  - MMIO / I/O (memory_region_init_io()): accesses go to MemoryRegionOps;
 *  - an alias (memory_region_init_alias()): a window [offset, offset+size)
 *    into another region (which may itself be an alias).
 * Subregions are placed at an offset in their container; among overlapping
 * subregions the higher priority wins, and among equal priorities the one
 * added later wins.  Parts of a container not covered by subregions are
 * holes (unless the container is itself RAM/MMIO with subregions).
 *
 * An AddressSpace renders its root region into a FlatView: the sorted list
 * of non-overlapping ranges, each naming the terminating region and the
 * offset into it.  Adjacent ranges are merged when they continue the same
 * region (same region, contiguous offsets, same readonly/nonvolatile) and
 * neither is unmergeable.  The "unmergeable" flag is inherited while
 * rendering: everything below an unmergeable container or alias is
 * rendered unmergeable, so each unmergeable alias stays a section of its
 * own (e.g. the memslots of a virtio-mem device).
 *
 * Updates: every mutating call is an implicit transaction; calls can be
 * batched with memory_region_transaction_begin()/_commit() (nestable).  At
 * the outermost commit only the address ranges touched by the transaction
 * are re-rendered, and MemoryListeners see one atomic update per
 * outermost commit:
 *   begin (all listeners, ascending priority)
 *   region_del for every old section that disappeared or changed
 *     (per address space, descending priority)
 *   region_add for every new section / region_nop for every re-rendered
 *     section that stayed the same (ascending priority)
 *   commit (all listeners, ascending priority)
 * Deviation from QEMU: region_nop is only reported for sections inside the
 * re-rendered ranges, not for every section of the view on each commit.
 * begin/commit are still called when a transaction changed no section.
 */
#ifndef EXEC_MEMORY_H
#define EXEC_MEMORY_H

#include "qemu/int128.h"
#include "qom/object.h"
#include "exec/ramblock.h"
#include "exec/ram-discard-manager.h"

#define TYPE_MEMORY_REGION "memory-region"
typedef struct MemoryRegion MemoryRegion;
DECLARE_INSTANCE_CHECKER(MemoryRegion, MEMORY_REGION, TYPE_MEMORY_REGION)

typedef struct AddressSpace AddressSpace;
typedef struct FlatView FlatView;
typedef struct MemoryListener MemoryListener;
typedef struct MemoryRegionOps MemoryRegionOps;
typedef struct MemoryRegionSection MemoryRegionSection;

/* --- Transactions' attributes and results --------------------------- */

typedef struct MemTxAttrs {
    /* No attributes were given by the requester. */
    unsigned int unspecified:1;
    unsigned int secure:1;
    unsigned int user:1;
    unsigned int memory:1;
    unsigned int requester_id:16;
} MemTxAttrs;

#define MEMTXATTRS_UNSPECIFIED ((MemTxAttrs) { .unspecified = 1 })

/* Bit mask: results of split accesses are OR'ed together. */
typedef uint32_t MemTxResult;
#define MEMTX_OK 0
#define MEMTX_ERROR         (1U << 0) /* device returned an error */
#define MEMTX_DECODE_ERROR  (1U << 1) /* nothing there / access refused */
#define MEMTX_ACCESS_ERROR  (1U << 2) /* access denied */

/* --- MMIO ----------------------------------------------------------- */

/*
 * Byte order of the values a device's read/write callbacks exchange.
 * There is no emulated target: "native" is little endian.
 */
enum device_endian {
    DEVICE_NATIVE_ENDIAN,
    DEVICE_BIG_ENDIAN,
    DEVICE_LITTLE_ENDIAN,
};

/*
 * MemoryRegionOps: the callbacks of an MMIO region.
 *
 * @valid restricts what the bus may issue (a refused access is a
 * MEMTX_DECODE_ERROR: reads give 0, writes are dropped):
 *   min/max_access_size (0: any size from 1 to 8 is valid), unaligned
 *   (accept accesses not aligned to their size), accepts (may refuse).
 * @impl describes what the callbacks implement (0 means 1 and 4): larger
 * accesses are split and smaller ones widened; @impl.unaligned lets the
 * bus issue accesses not aligned to their size.
 * A buffer access (address_space_rw()) is cut into the largest power of
 * two allowed by @valid.max_access_size (4 if 0) and by the alignment of
 * the address (unless @impl.unaligned).
 *
 * Either read/write or read_with_attrs/write_with_attrs are used (the
 * _with_attrs ones take precedence when set).  Missing callbacks make the
 * access a MEMTX_DECODE_ERROR.
 */
struct MemoryRegionOps {
    uint64_t (*read)(void *opaque, hwaddr addr, unsigned size);
    void (*write)(void *opaque, hwaddr addr, uint64_t data, unsigned size);
    MemTxResult (*read_with_attrs)(void *opaque, hwaddr addr, uint64_t *data,
                                   unsigned size, MemTxAttrs attrs);
    MemTxResult (*write_with_attrs)(void *opaque, hwaddr addr, uint64_t data,
                                    unsigned size, MemTxAttrs attrs);

    enum device_endian endianness;

    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;
        bool (*accepts)(void *opaque, hwaddr addr, unsigned size,
                        bool is_write, MemTxAttrs attrs);
    } valid;

    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;
    } impl;
};

/* --- MemoryRegion --------------------------------------------------- */

/*
 * The struct is public as in QEMU, for reading (e.g. by `info mtree`).
 * Change it only through the functions below.
 */
struct MemoryRegion {
    Object parent_obj;

    /* public (read-only) */
    const char *name;
    Object *owner;
    Int128 size;
    /* Offset in the container. */
    hwaddr addr;
    int32_t priority;
    bool enabled;
    bool ram;
    bool readonly;
    bool nonvolatile;
    bool rom_device;
    bool romd_mode;
    bool ram_device;
    /* RAM and MMIO regions terminate rendering; containers/aliases don't. */
    bool terminates;
    bool unmergeable;
    RAMBlock *ram_block;
    const MemoryRegionOps *ops;
    void *opaque;
    MemoryRegion *container;
    MemoryRegion *alias;
    hwaddr alias_offset;
    /* How many mapped aliases (chains included) point at this region. */
    unsigned mapped_via_alias;
    RamDiscardManager *rdm;
    uint64_t align;
    void (*destructor)(MemoryRegion *mr);

    /* private: see system/memory.c */
    /* Subregions in rendering order: priority, then latest added first. */
    GSequence *subregions;
    GSequenceIter *subregion_iter;
    uint64_t subregion_seq;
    /* Subregions by (addr, subregion_seq), for range lookups. */
    GTree *subregions_by_addr;
    struct MemoryRegionAddrKey {
        hwaddr addr;
        uint64_t seq;
    } addr_key;
    /* Overlapping neighbours in address order (0: disjoint subregions). */
    unsigned nr_overlapping_subregions;
    /* The aliases whose target this region is. */
    GPtrArray *alias_users;
};

/*
 * Iterate over @container's subregions in rendering order (highest
 * priority first, among equal priorities the most recently added first):
 * @prev NULL gives the first one, NULL ends the walk.
 */
MemoryRegion *memory_region_next_subregion(MemoryRegion *container,
                                           MemoryRegion *prev);

/*
 * Initializers.  @owner (may be NULL) becomes the QOM parent of the region
 * (as child "NAME[*]", '/' escaped) and holds its only reference: the
 * region lives as long as the owner.  Without an owner (or without a
 * name) the caller holds the reference and destroys the region with
 * object_unref(OBJECT(mr)).  A region must be unmapped (no container) when
 * it is destroyed; its subregions are removed.  Mapping a region, and each
 * flat-view range showing it, hold a reference on its owner (none for
 * ownerless regions: keep those alive while they are in use).  An alias
 * does not keep its target alive.
 * @size UINT64_MAX means 2^64.
 */

/* A container (holds subregions, renders nothing itself). */
void memory_region_init(MemoryRegion *mr, Object *owner, const char *name,
                        uint64_t size);

/* An MMIO region dispatching to @ops with @opaque (@ops may be NULL). */
void memory_region_init_io(MemoryRegion *mr, Object *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size);

/*
 * RAM regions backed by a new RAMBlock (see exec/ram_addr.h for the
 * flags).  On failure they return false with *@errp set, and the region
 * has been destroyed already: do not use or unref it.
 * There is no migration: the _nomigrate variants behave the same.
 */
bool memory_region_init_ram(MemoryRegion *mr, Object *owner,
                            const char *name, uint64_t size, Error **errp);
bool memory_region_init_ram_nomigrate(MemoryRegion *mr, Object *owner,
                                      const char *name, uint64_t size,
                                      Error **errp);
bool memory_region_init_ram_flags_nomigrate(MemoryRegion *mr, Object *owner,
                                            const char *name, uint64_t size,
                                            uint32_t ram_flags, Error **errp);
bool memory_region_init_ram_from_fd(MemoryRegion *mr, Object *owner,
                                    const char *name, uint64_t size,
                                    uint32_t ram_flags, int fd,
                                    ram_addr_t offset, Error **errp);
/* @align is accepted for QEMU compatibility and recorded in mr->align. */
bool memory_region_init_ram_from_file(MemoryRegion *mr, Object *owner,
                                      const char *name, uint64_t size,
                                      uint64_t align, uint32_t ram_flags,
                                      const char *path, ram_addr_t offset,
                                      Error **errp);
/*
 * RAM of @size usable bytes that can grow up to @max_size with
 * memory_region_ram_resize(); @resized (may be NULL) is called after each
 * resize.
 */
bool memory_region_init_resizeable_ram(MemoryRegion *mr, Object *owner,
                                       const char *name, uint64_t size,
                                       uint64_t max_size,
                                       RAMBlockResizedFunc resized,
                                       Error **errp);
/*
 * Resize the RAMBlock of a resizeable RAM region and the region itself
 * (one transaction).  On failure *@errp is set and nothing changes.
 */
void memory_region_ram_resize(MemoryRegion *mr, ram_addr_t newsize,
                              Error **errp);
/* RAM on caller-provided, page-aligned memory (aborts on failure). */
void memory_region_init_ram_ptr(MemoryRegion *mr, Object *owner,
                                const char *name, uint64_t size, void *ptr);
/* Read-only RAM: writes through an address space are dropped. */
bool memory_region_init_rom(MemoryRegion *mr, Object *owner,
                            const char *name, uint64_t size, Error **errp);
bool memory_region_init_rom_nomigrate(MemoryRegion *mr, Object *owner,
                                      const char *name, uint64_t size,
                                      Error **errp);

/*
 * An alias of [@offset, @offset + @size) of @orig (any kind of region,
 * aliases included).  As in QEMU it does not reference @orig: destroy the
 * alias first.
 */
void memory_region_init_alias(MemoryRegion *mr, Object *owner,
                              const char *name, MemoryRegion *orig,
                              hwaddr offset, uint64_t size);

/* Reference the region's owner (no-op for regions without owner). */
void memory_region_ref(MemoryRegion *mr);
void memory_region_unref(MemoryRegion *mr);

/*
 * Map @subregion at @offset in @mr with priority 0 (_overlap: @priority).
 * @subregion must not be in a container yet (aborts otherwise).
 */
void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset,
                                 MemoryRegion *subregion);
void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *subregion,
                                         int priority);
/* @subregion must be a subregion of @mr (aborts otherwise). */
void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion);

/* A disabled region (and everything below it) is not rendered. */
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
/*
 * Move @mr within its container.  Like QEMU, this re-adds it: it becomes
 * the most recently added among its equal-priority siblings.
 */
void memory_region_set_address(MemoryRegion *mr, hwaddr addr);
void memory_region_set_size(MemoryRegion *mr, uint64_t size);
void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset);
void memory_region_set_readonly(MemoryRegion *mr, bool readonly);
void memory_region_set_nonvolatile(MemoryRegion *mr, bool nonvolatile);
/*
 * Keep the sections rendered from @mr (and everything below it) from being
 * merged with their neighbours, so that they can be (un)mapped atomically.
 * Allowed on any kind of region; useful on aliases and containers.
 */
void memory_region_set_unmergeable(MemoryRegion *mr, bool unmergeable);

/* Size in bytes; UINT64_MAX for a 2^64 region. */
uint64_t memory_region_size(MemoryRegion *mr);
const char *memory_region_name(const MemoryRegion *mr);
Object *memory_region_owner(MemoryRegion *mr);
bool memory_region_is_ram(MemoryRegion *mr);
bool memory_region_is_ram_device(MemoryRegion *mr);
bool memory_region_is_romd(MemoryRegion *mr);
/* Read-only RAM. */
bool memory_region_is_rom(MemoryRegion *mr);
bool memory_region_is_nonvolatile(MemoryRegion *mr);
/* In a container, or the target of an alias that is in a container. */
bool memory_region_is_mapped(MemoryRegion *mr);

/*
 * Host address of the region's first byte; aliases are followed (adding
 * their offsets).  NULL if the region is not RAM.
 */
void *memory_region_get_ram_ptr(MemoryRegion *mr);
/*
 * The RAM region whose memory contains host address @ptr (*@offset gets
 * the offset inside it), or NULL.
 */
MemoryRegion *memory_region_from_host(void *ptr, ram_addr_t *offset);
/* The RAMBlock's ram_addr_t, or RAM_ADDR_INVALID. */
ram_addr_t memory_region_get_ram_addr(MemoryRegion *mr);
/* The RAMBlock's fd (aliases are followed), or -1. */
int memory_region_get_fd(MemoryRegion *mr);

/* --- RamDiscardManager ---------------------------------------------- */

/* The manager of a RAM region, or NULL (also for non-RAM regions). */
RamDiscardManager *memory_region_get_ram_discard_manager(MemoryRegion *mr);
bool memory_region_has_ram_discard_manager(MemoryRegion *mr);
/*
 * Set (or with @rdm NULL, clear) the manager of RAM region @mr.
 * Deviation from QEMU: misuse is an error, not an assertion.  Refused with
 * -EBUSY while @mr is mapped (directly, or through any alias pointing at
 * it), or when setting a manager on a region that already has one; with
 * -EINVAL when @mr is not RAM.  The error names the region, e.g.
 * "memory region 'mem0' is mapped: cannot change its RamDiscardManager".
 * Returns 0 on success.
 */
int memory_region_set_ram_discard_manager(MemoryRegion *mr,
                                          RamDiscardManager *rdm,
                                          Error **errp);

/* --- Sections ------------------------------------------------------- */

/*
 * A part of a flat view: [offset_within_address_space, + size) maps
 * [offset_within_region, + size) of @mr.
 */
struct MemoryRegionSection {
    Int128 size;
    MemoryRegion *mr;
    FlatView *fv;
    hwaddr offset_within_region;
    hwaddr offset_within_address_space;
    bool readonly;
    bool nonvolatile;
    bool unmergeable;
};

static inline bool MemoryRegionSection_eq(MemoryRegionSection *a,
                                          MemoryRegionSection *b)
{
    return a->mr == b->mr &&
           a->fv == b->fv &&
           a->offset_within_region == b->offset_within_region &&
           a->offset_within_address_space == b->offset_within_address_space &&
           int128_eq(a->size, b->size) &&
           a->readonly == b->readonly &&
           a->nonvolatile == b->nonvolatile &&
           a->unmergeable == b->unmergeable;
}

/* A heap copy holding references on the region and the flat view. */
MemoryRegionSection *memory_region_section_new_copy(MemoryRegionSection *s);
void memory_region_section_free_copy(MemoryRegionSection *s);

/*
 * Clip @s to [@offset, @offset + @size) (offsets within the region),
 * moving offset_within_address_space along.  Returns false (leaving @s
 * unchanged) if they do not intersect.
 */
static inline bool memory_region_section_intersect_range(
    MemoryRegionSection *s, uint64_t offset, uint64_t size)
{
    uint64_t start = MAX(s->offset_within_region, offset);
    Int128 end = int128_min(int128_add(int128_make64(s->offset_within_region),
                                       s->size),
                            int128_add(int128_make64(offset),
                                       int128_make64(size)));

    if (int128_le(end, int128_make64(start))) {
        return false;
    }
    s->offset_within_address_space += start - s->offset_within_region;
    s->offset_within_region = start;
    s->size = int128_sub(end, int128_make64(start));
    return true;
}

/*
 * The first section of the flat view of @mr's root (found by walking up
 * the containers; an address space must use that root) overlapping
 * [@addr, @addr + @size) (@addr relative to @mr), clipped to the range.
 * section.mr is NULL if there is none; otherwise the caller owns a
 * reference on section.mr (memory_region_unref() it).
 */
MemoryRegionSection memory_region_find(MemoryRegion *mr, hwaddr addr,
                                       uint64_t size);

/* --- Transactions --------------------------------------------------- */

void memory_region_transaction_begin(void);
void memory_region_transaction_commit(void);

/* --- Listeners ------------------------------------------------------ */

/*
 * MemoryListener: notified about changes of one address space's flat view
 * (see the top of this file for the call order).  Any callback may be
 * NULL.  Listeners with a lower @priority are called first (last for
 * region_del); equal priorities in registration order.  The section passed
 * is only valid during the call (copy it with
 * memory_region_section_new_copy() to keep it).
 */
struct MemoryListener {
    void (*begin)(MemoryListener *listener);
    void (*commit)(MemoryListener *listener);
    void (*region_add)(MemoryListener *listener, MemoryRegionSection *section);
    void (*region_del)(MemoryListener *listener, MemoryRegionSection *section);
    void (*region_nop)(MemoryListener *listener, MemoryRegionSection *section);
    unsigned priority;
    const char *name;

    /* private: */
    AddressSpace *address_space;
    GList link;
    GList link_as;
};

/*
 * Start listening to @as: begin, region_add for every current section,
 * commit.  Registering a registered listener aborts.
 */
void memory_listener_register(MemoryListener *listener, AddressSpace *as);
/* begin, region_del for every current section, commit; then stop. */
void memory_listener_unregister(MemoryListener *listener);

/* --- Address spaces and flat views ---------------------------------- */

struct AddressSpace {
    /* public (read-only) */
    char *name;
    MemoryRegion *root;

    /* private: */
    FlatView *current_map;
    GQueue listeners;           /* of MemoryListener, via link_as */
    GList link;                 /* in the list of all address spaces */
};

/*
 * Initialize @as rendering @root.  Address spaces with the same root share
 * one FlatView.  @root is referenced while @as exists.
 */
void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name);
/* Unregisters remaining listeners (with region_del) and releases @root. */
void address_space_destroy(AddressSpace *as);

/* Address spaces in creation order: NULL gives the first, NULL ends. */
AddressSpace *address_space_next(AddressSpace *as);

/*
 * The current flat view of @as, with a reference (flatview_unref() it).
 * Deviation from QEMU: flat views are updated in place at each commit (no
 * RCU); a reference keeps the view allocated, not unchanged.  Once no
 * address space uses it, a view is frozen.
 */
FlatView *address_space_get_flatview(AddressSpace *as);
/* The same without a reference (valid until the address space dies). */
FlatView *address_space_to_flatview(AddressSpace *as);
void flatview_ref(FlatView *view);
void flatview_unref(FlatView *view);
/* The region the view was rendered from. */
MemoryRegion *flatview_get_root(FlatView *view);
/* Number of ranges in the view. */
unsigned flatview_nr_ranges(FlatView *view);

/*
 * Call @cb for each range of @fv in address order until it returns true.
 * @offset_in_region is where the range starts within @mr.
 */
typedef bool (*flatview_cb)(Int128 start, Int128 len, const MemoryRegion *mr,
                            hwaddr offset_in_region, void *opaque);
void flatview_for_each_range(FlatView *fv, flatview_cb cb, void *opaque);

/*
 * Testing aid: render @as's root from scratch and compare the result with
 * the incrementally maintained view.  Returns false with *@errp describing
 * the first difference.  Only meaningful outside transactions (views are
 * updated at the outermost commit).
 */
bool address_space_check_flatview(AddressSpace *as, Error **errp);

/* --- Accesses ------------------------------------------------------- */

/*
 * Access [@addr, @addr + @len) of @as.  The access is split at section
 * boundaries: RAM is copied, MMIO is dispatched (see MemoryRegionOps),
 * unassigned space reads as zeros and drops writes (MEMTX_DECODE_ERROR),
 * writes to read-only sections are dropped (MEMTX_DECODE_ERROR, as
 * QEMU's unassigned access).  The results of
 * all pieces are OR'ed together.
 */
MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                             void *buf, hwaddr len, bool is_write);
MemTxResult address_space_read(AddressSpace *as, hwaddr addr,
                               MemTxAttrs attrs, void *buf, hwaddr len);
MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
                                MemTxAttrs attrs, const void *buf,
                                hwaddr len);

/*
 * Fixed-size loads/stores of little/big-endian values.  @result may be
 * NULL.  An access is a single MMIO access when the region allows it.
 */
uint32_t address_space_ldub(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                            MemTxResult *result);
uint32_t address_space_lduw_le(AddressSpace *as, hwaddr addr,
                               MemTxAttrs attrs, MemTxResult *result);
uint32_t address_space_lduw_be(AddressSpace *as, hwaddr addr,
                               MemTxAttrs attrs, MemTxResult *result);
uint32_t address_space_ldl_le(AddressSpace *as, hwaddr addr,
                              MemTxAttrs attrs, MemTxResult *result);
uint32_t address_space_ldl_be(AddressSpace *as, hwaddr addr,
                              MemTxAttrs attrs, MemTxResult *result);
uint64_t address_space_ldq_le(AddressSpace *as, hwaddr addr,
                              MemTxAttrs attrs, MemTxResult *result);
uint64_t address_space_ldq_be(AddressSpace *as, hwaddr addr,
                              MemTxAttrs attrs, MemTxResult *result);
void address_space_stb(AddressSpace *as, hwaddr addr, uint32_t val,
                       MemTxAttrs attrs, MemTxResult *result);
void address_space_stw_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result);
void address_space_stw_be(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result);
void address_space_stl_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result);
void address_space_stl_be(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result);
void address_space_stq_le(AddressSpace *as, hwaddr addr, uint64_t val,
                          MemTxAttrs attrs, MemTxResult *result);
void address_space_stq_be(AddressSpace *as, hwaddr addr, uint64_t val,
                          MemTxAttrs attrs, MemTxResult *result);

/* The same with MEMTXATTRS_UNSPECIFIED, ignoring the result. */
uint32_t ldub_phys(AddressSpace *as, hwaddr addr);
uint32_t lduw_le_phys(AddressSpace *as, hwaddr addr);
uint32_t ldl_le_phys(AddressSpace *as, hwaddr addr);
uint64_t ldq_le_phys(AddressSpace *as, hwaddr addr);
void stb_phys(AddressSpace *as, hwaddr addr, uint32_t val);
void stw_le_phys(AddressSpace *as, hwaddr addr, uint32_t val);
void stl_le_phys(AddressSpace *as, hwaddr addr, uint32_t val);
void stq_le_phys(AddressSpace *as, hwaddr addr, uint64_t val);

#endif
