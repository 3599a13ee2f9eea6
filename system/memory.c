/*
 * The memory API: regions, transactions, incrementally maintained flat
 * views, listeners and accesses.
 *
 * Incremental rendering.  Every mutation records the address ranges it
 * may change ("dirty windows") in each flat view where the changed region
 * is visible, found by walking up containers and alias users to the roots.
 * At the outermost commit only the windows are re-rendered (the root is
 * rendered clipped to the window), spliced into the view (a GTree of
 * FlatRanges keyed by start address) and compared with what they replace.
 * Containers keep their subregions also sorted by address, so a window
 * finds its subregions by binary search as long as they do not overlap.
 *
 * Merging across window edges: a window is widened to whole old ranges,
 * and after rendering its first/last range may merge with the neighbour
 * outside.  Two adjacent pieces of an unmergeable region rendered by the
 * same render call (same region, base and natural clip) are one piece cut
 * by the window edge, so they merge; a full render never produces such
 * neighbours, so the result equals a render from scratch.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "exec/memory.h"
#include "exec/address-spaces.h"

typedef struct FlatRange {
    MemoryRegion *mr;
    hwaddr offset_in_region;
    Int128 start;
    Int128 end;
    bool readonly;
    bool nonvolatile;
    bool unmergeable;
    /* The natural clip of the render call that produced the range. */
    Int128 clip_start;
    Int128 clip_end;
    /* The commit that created the range. */
    uint64_t gen;
} FlatRange;

typedef struct DirtyWindow {
    Int128 start;
    Int128 end;
} DirtyWindow;

struct FlatView {
    unsigned ref;
    MemoryRegion *root;
    GTree *ranges;              /* FlatRange *, ordered by start */
    /* Address spaces rendering into this view; 0: detached, frozen. */
    unsigned nr_address_spaces;
    GArray *dirty;              /* of DirtyWindow, until the next commit */
    bool queued;                /* in pending_views */
    GPtrArray *old_ranges;      /* removed by the running commit */
    GPtrArray *new_ranges;      /* added by the running commit */
};

static unsigned transaction_depth;
static bool update_pending;
static bool committing;
static uint64_t commit_gen;
static uint64_t next_subregion_seq = 1;

/* root MemoryRegion -> its attached FlatView */
static GHashTable *flat_views;
/* FlatViews with dirty windows, each holding a reference. */
static GPtrArray *pending_views;
static GQueue address_spaces = G_QUEUE_INIT;
static GQueue memory_listeners = G_QUEUE_INIT;

static Int128 int128_from_size(uint64_t size)
{
    return size == UINT64_MAX ? int128_2_64() : int128_make64(size);
}

/* --- Flat ranges and views ----------------------------------------- */

static gint flat_range_cmp(gconstpointer a, gconstpointer b, gpointer opaque)
{
    const FlatRange *x = a, *y = b;

    if (int128_lt(x->start, y->start)) {
        return -1;
    }
    return int128_gt(x->start, y->start);
}

static FlatRange *flat_range_copy(const FlatRange *fr)
{
    FlatRange *copy = g_memdup2(fr, sizeof(*fr));

    memory_region_ref(copy->mr);
    return copy;
}

static void flat_range_free(FlatRange *fr)
{
    memory_region_unref(fr->mr);
    g_free(fr);
}

static bool flat_range_equal(const FlatRange *a, const FlatRange *b)
{
    return a->mr == b->mr &&
           int128_eq(a->start, b->start) &&
           int128_eq(a->end, b->end) &&
           a->offset_in_region == b->offset_in_region &&
           a->readonly == b->readonly &&
           a->nonvolatile == b->nonvolatile &&
           a->unmergeable == b->unmergeable;
}

static bool flat_range_same_source(const FlatRange *a, const FlatRange *b)
{
    return int128_eq(a->clip_start, b->clip_start) &&
           int128_eq(a->clip_end, b->clip_end);
}

/* Whether @b continues @a so that the two form one range. */
static bool flat_range_can_merge(const FlatRange *a, const FlatRange *b)
{
    Int128 a_len = int128_sub(a->end, a->start);

    if (!int128_eq(a->end, b->start) || a->mr != b->mr ||
        !int128_eq(int128_add(int128_make64(a->offset_in_region), a_len),
                   int128_make64(b->offset_in_region)) ||
        a->readonly != b->readonly || a->nonvolatile != b->nonvolatile ||
        a->unmergeable != b->unmergeable) {
        return false;
    }
    return !a->unmergeable || flat_range_same_source(a, b);
}

static void flat_range_to_section(const FlatRange *fr, FlatView *fv,
                                  MemoryRegionSection *section)
{
    *section = (MemoryRegionSection) {
        .size = int128_sub(fr->end, fr->start),
        .mr = fr->mr,
        .fv = fv,
        .offset_within_region = fr->offset_in_region,
        .offset_within_address_space = int128_get64(fr->start),
        .readonly = fr->readonly,
        .nonvolatile = fr->nonvolatile,
        .unmergeable = fr->unmergeable,
    };
}

static FlatRange *flatview_node_range(GTreeNode *node)
{
    return node ? g_tree_node_value(node) : NULL;
}

/* The range containing @addr, or NULL. */
static FlatRange *flatview_range_containing(FlatView *fv, Int128 addr)
{
    FlatRange key = { .start = addr };
    GTreeNode *after = g_tree_upper_bound(fv->ranges, &key);
    GTreeNode *node = after ? g_tree_node_previous(after)
                            : g_tree_node_last(fv->ranges);
    FlatRange *fr = flatview_node_range(node);

    return fr && int128_gt(fr->end, addr) ? fr : NULL;
}

/* The first range ending after @addr, or NULL. */
static GTreeNode *flatview_first_node_after(FlatView *fv, Int128 addr)
{
    FlatRange key = { .start = addr };
    GTreeNode *after = g_tree_upper_bound(fv->ranges, &key);
    GTreeNode *node = after ? g_tree_node_previous(after)
                            : g_tree_node_last(fv->ranges);
    FlatRange *fr = flatview_node_range(node);

    return fr && int128_gt(fr->end, addr) ? node : after;
}

static FlatView *flatview_new(MemoryRegion *root)
{
    FlatView *fv = g_new0(FlatView, 1);

    fv->ref = 1;
    fv->root = root;
    fv->ranges = g_tree_new_with_data(flat_range_cmp, NULL);
    fv->dirty = g_array_new(false, false, sizeof(DirtyWindow));
    fv->old_ranges = g_ptr_array_new();
    fv->new_ranges = g_ptr_array_new();
    return fv;
}

static gboolean flat_range_free_cb(gpointer key, gpointer value,
                                   gpointer opaque)
{
    flat_range_free(value);
    return false;
}

void flatview_ref(FlatView *view)
{
    view->ref++;
}

void flatview_unref(FlatView *view)
{
    g_assert(view->ref > 0);
    if (--view->ref) {
        return;
    }
    g_assert(!view->nr_address_spaces && !view->queued);
    g_tree_foreach(view->ranges, flat_range_free_cb, NULL);
    g_tree_destroy(view->ranges);
    g_array_free(view->dirty, true);
    g_ptr_array_free(view->old_ranges, true);
    g_ptr_array_free(view->new_ranges, true);
    g_free(view);
}

MemoryRegion *flatview_get_root(FlatView *view)
{
    return view->root;
}

unsigned flatview_nr_ranges(FlatView *view)
{
    return g_tree_nnodes(view->ranges);
}

void flatview_for_each_range(FlatView *fv, flatview_cb cb, void *opaque)
{
    GTreeNode *node;

    for (node = g_tree_node_first(fv->ranges); node;
         node = g_tree_node_next(node)) {
        FlatRange *fr = g_tree_node_value(node);

        if (cb(fr->start, int128_sub(fr->end, fr->start), fr->mr,
               fr->offset_in_region, opaque)) {
            break;
        }
    }
}

/* Record that [@start, @end) of @fv's address space may have changed. */
static void flatview_mark_dirty(FlatView *fv, Int128 start, Int128 end)
{
    DirtyWindow w = {
        .start = int128_max(start, int128_zero()),
        .end = int128_min(end, int128_2_64()),
    };

    if (int128_ge(w.start, w.end)) {
        return;
    }
    g_array_append_val(fv->dirty, w);
    if (!fv->queued) {
        fv->queued = true;
        flatview_ref(fv);
        g_ptr_array_add(pending_views, fv);
    }
}

/* --- Rendering ------------------------------------------------------ */

typedef struct RenderContext {
    GArray *ranges;             /* FlatRange values, sorted, disjoint */
    Int128 window_start;
    Int128 window_end;
} RenderContext;

/* Index of the first range of @ranges ending after @addr. */
static guint render_first_after(GArray *ranges, Int128 addr)
{
    guint lo = 0, hi = ranges->len;

    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;

        if (int128_gt(g_array_index(ranges, FlatRange, mid).end, addr)) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return lo;
}

/* Fill the parts of [@start, @end) not rendered yet with @tmpl's region. */
static void render_fill_gaps(GArray *ranges, Int128 start, Int128 end,
                             Int128 base, const FlatRange *tmpl)
{
    guint i = render_first_after(ranges, start);
    Int128 cursor = start;

    while (int128_lt(cursor, end)) {
        FlatRange *next = i < ranges->len ?
                          &g_array_index(ranges, FlatRange, i) : NULL;
        FlatRange piece;

        if (next && int128_le(next->start, cursor)) {
            cursor = next->end;
            i++;
            continue;
        }
        piece = *tmpl;
        piece.start = cursor;
        piece.end = next ? int128_min(next->start, end) : end;
        piece.offset_in_region = int128_get64(int128_sub(cursor, base));
        g_array_insert_val(ranges, i, piece);
        i++;
        cursor = piece.end;
    }
}

static void render_memory_region(RenderContext *ctx, MemoryRegion *mr,
                                  Int128 base, Int128 clip_start,
                                  Int128 clip_end, bool readonly,
                                  bool nonvolatile, bool unmergeable);

static bool subregion_intersects(MemoryRegion *sub, Int128 start, Int128 end)
{
    Int128 sub_start = int128_make64(sub->addr);

    return int128_lt(sub_start, end) &&
           int128_gt(int128_add(sub_start, sub->size), start);
}

/*
 * Render the subregions of @mr intersecting [@start, @end) (relative to
 * @mr).  Disjoint subregions can be rendered in any order, so they are
 * looked up by address; otherwise all are walked in priority order.
 */
static void render_subregions(RenderContext *ctx, MemoryRegion *mr,
                              Int128 base, Int128 clip_start,
                              Int128 clip_end, Int128 start, Int128 end,
                              bool readonly, bool nonvolatile,
                              bool unmergeable)
{
    if (!mr->nr_overlapping_subregions) {
        struct MemoryRegionAddrKey key = {
            .addr = int128_get64(start), .seq = UINT64_MAX,
        };
        GTreeNode *after = g_tree_upper_bound(mr->subregions_by_addr, &key);
        GTreeNode *node = after ? g_tree_node_previous(after)
                                : g_tree_node_last(mr->subregions_by_addr);

        if (!node || !subregion_intersects(g_tree_node_value(node),
                                           start, end)) {
            node = after;
        }
        for (; node; node = g_tree_node_next(node)) {
            MemoryRegion *sub = g_tree_node_value(node);

            if (int128_ge(int128_make64(sub->addr), end)) {
                break;
            }
            render_memory_region(ctx, sub, base, clip_start, clip_end,
                                 readonly, nonvolatile, unmergeable);
        }
        return;
    }

    for (GSequenceIter *it = g_sequence_get_begin_iter(mr->subregions);
         !g_sequence_iter_is_end(it); it = g_sequence_iter_next(it)) {
        MemoryRegion *sub = g_sequence_get(it);

        if (subregion_intersects(sub, start, end)) {
            render_memory_region(ctx, sub, base, clip_start, clip_end,
                                 readonly, nonvolatile, unmergeable);
        }
    }
}

/*
 * Render @mr, whose container's offset 0 is at @base, into the parts of
 * the window not rendered yet.  [@clip_start, @clip_end) is the part of the
 * address space the callers allow (without the window).
 */
static void render_memory_region(RenderContext *ctx, MemoryRegion *mr,
                                  Int128 base, Int128 clip_start,
                                  Int128 clip_end, bool readonly,
                                  bool nonvolatile, bool unmergeable)
{
    Int128 start, end;

    if (!mr->enabled) {
        return;
    }
    base = int128_add(base, int128_make64(mr->addr));
    readonly |= mr->readonly;
    nonvolatile |= mr->nonvolatile;
    unmergeable |= mr->unmergeable;

    clip_start = int128_max(clip_start, base);
    clip_end = int128_min(clip_end, int128_add(base, mr->size));
    start = int128_max(clip_start, ctx->window_start);
    end = int128_min(clip_end, ctx->window_end);
    if (int128_ge(start, end)) {
        return;
    }

    if (mr->alias) {
        Int128 alias_base = int128_sub(base,
                                       int128_make64(mr->alias->addr));

        alias_base = int128_sub(alias_base, int128_make64(mr->alias_offset));
        render_memory_region(ctx, mr->alias, alias_base, clip_start,
                             clip_end, readonly, nonvolatile, unmergeable);
        return;
    }

    if (g_sequence_get_length(mr->subregions)) {
        render_subregions(ctx, mr, base, clip_start, clip_end,
                          int128_sub(start, base), int128_sub(end, base),
                          readonly, nonvolatile, unmergeable);
    }

    if (mr->terminates) {
        FlatRange tmpl = {
            .mr = mr,
            .readonly = readonly,
            .nonvolatile = nonvolatile,
            .unmergeable = unmergeable,
            .clip_start = clip_start,
            .clip_end = clip_end,
            .gen = commit_gen,
        };

        render_fill_gaps(ctx->ranges, start, end, base, &tmpl);
    }
}

/* Merge neighbouring ranges of a rendering that form one range. */
static void render_simplify(GArray *ranges)
{
    guint i = 0;

    while (i + 1 < ranges->len) {
        FlatRange *a = &g_array_index(ranges, FlatRange, i);
        FlatRange *b = &g_array_index(ranges, FlatRange, i + 1);

        if (flat_range_can_merge(a, b)) {
            a->end = b->end;
            g_array_remove_index(ranges, i + 1);
        } else {
            i++;
        }
    }
}

/* Render [@start, @end) of @root's address space from scratch. */
static GArray *render_window(MemoryRegion *root, Int128 start, Int128 end)
{
    RenderContext ctx = {
        .ranges = g_array_new(false, false, sizeof(FlatRange)),
        .window_start = start,
        .window_end = end,
    };

    render_memory_region(&ctx, root, int128_zero(), int128_zero(),
                         int128_2_64(), false, false, false);
    render_simplify(ctx.ranges);
    return ctx.ranges;
}

/* --- Incremental update of a view ----------------------------------- */

/* Unlink @fr from @fv, recording it as removed by the running commit. */
static void flatview_take_range(FlatView *fv, FlatRange *fr)
{
    g_tree_remove(fv->ranges, fr);
    if (fr->gen == commit_gen &&
        g_ptr_array_remove(fv->new_ranges, fr)) {
        /* Added earlier in this commit: it never existed for listeners. */
        flat_range_free(fr);
        return;
    }
    g_ptr_array_add(fv->old_ranges, fr);
}

static void flatview_insert_range(FlatView *fv, const FlatRange *fr)
{
    FlatRange *copy = flat_range_copy(fr);

    copy->gen = commit_gen;
    g_tree_insert(fv->ranges, copy, copy);
    g_ptr_array_add(fv->new_ranges, copy);
}

/* Re-render [@start, @end) of @fv and splice the result in. */
static void flatview_rerender(FlatView *fv, Int128 start, Int128 end)
{
    g_autoptr(GArray) rendered = NULL;
    g_autoptr(GPtrArray) replaced = g_ptr_array_new();
    FlatRange *fr;
    GTreeNode *node;

    fr = flatview_range_containing(fv, start);
    if (fr) {
        start = fr->start;
    }
    fr = flatview_range_containing(fv, int128_sub(end, int128_one()));
    if (fr) {
        end = fr->end;
    }

    for (node = flatview_first_node_after(fv, start); node;
         node = g_tree_node_next(node)) {
        fr = g_tree_node_value(node);
        if (int128_ge(fr->start, end)) {
            break;
        }
        g_ptr_array_add(replaced, fr);
    }
    for (guint i = 0; i < replaced->len; i++) {
        flatview_take_range(fv, g_ptr_array_index(replaced, i));
    }

    rendered = render_window(fv->root, start, end);
    if (rendered->len) {
        FlatRange *first = &g_array_index(rendered, FlatRange, 0);
        FlatRange *last = &g_array_index(rendered, FlatRange,
                                         rendered->len - 1);
        FlatRange *left = int128_nz(start) ?
            flatview_range_containing(fv, int128_sub(start, int128_one())) :
            NULL;
        FlatRange *right = flatview_range_containing(fv, end);

        if (left && flat_range_can_merge(left, first)) {
            first->start = left->start;
            first->offset_in_region = left->offset_in_region;
            flatview_take_range(fv, left);
        }
        if (right && flat_range_can_merge(last, right)) {
            last->end = right->end;
            flatview_take_range(fv, right);
        }
    }
    for (guint i = 0; i < rendered->len; i++) {
        flatview_insert_range(fv, &g_array_index(rendered, FlatRange, i));
    }
}

static gint dirty_window_cmp(gconstpointer a, gconstpointer b)
{
    const DirtyWindow *x = a, *y = b;

    if (int128_lt(x->start, y->start)) {
        return -1;
    }
    return int128_gt(x->start, y->start);
}

static gint flat_range_ptr_cmp(gconstpointer a, gconstpointer b)
{
    return flat_range_cmp(*(FlatRange *const *)a, *(FlatRange *const *)b,
                          NULL);
}

/* Apply @fv's dirty windows; the changes land in old_/new_ranges. */
static void flatview_update(FlatView *fv)
{
    GArray *dirty = fv->dirty;
    guint i = 0;

    g_array_sort(dirty, dirty_window_cmp);
    while (i < dirty->len) {
        DirtyWindow w = g_array_index(dirty, DirtyWindow, i++);

        while (i < dirty->len &&
               int128_le(g_array_index(dirty, DirtyWindow, i).start, w.end)) {
            w.end = int128_max(w.end, g_array_index(dirty, DirtyWindow,
                                                    i).end);
            i++;
        }
        flatview_rerender(fv, w.start, w.end);
    }
    g_array_set_size(dirty, 0);
    g_ptr_array_sort(fv->old_ranges, flat_range_ptr_cmp);
    g_ptr_array_sort(fv->new_ranges, flat_range_ptr_cmp);
}

/*
 * Forget the changes of the finished commit; the removed ranges move to
 * @garbage.  Freeing them may finalize regions (and run transactions), so
 * that happens only once every view is ready for the next commit.
 */
static void flatview_finish_commit(FlatView *fv, GPtrArray *garbage)
{
    for (guint i = 0; i < fv->old_ranges->len; i++) {
        g_ptr_array_add(garbage, g_ptr_array_index(fv->old_ranges, i));
    }
    g_ptr_array_set_size(fv->old_ranges, 0);
    g_ptr_array_set_size(fv->new_ranges, 0);
    fv->queued = false;
}

/* The view of @root, created and rendered if no address space has it. */
static FlatView *flatview_get_for_root(MemoryRegion *root)
{
    FlatView *fv = g_hash_table_lookup(flat_views, root);

    if (fv) {
        flatview_ref(fv);
    } else {
        g_autoptr(GArray) rendered = render_window(root, int128_zero(),
                                                   int128_2_64());

        fv = flatview_new(root);
        for (guint i = 0; i < rendered->len; i++) {
            FlatRange *copy = flat_range_copy(&g_array_index(rendered,
                                                             FlatRange, i));

            g_tree_insert(fv->ranges, copy, copy);
        }
        g_hash_table_insert(flat_views, root, fv);
    }
    fv->nr_address_spaces++;
    return fv;
}

static void flatview_put_for_root(FlatView *fv)
{
    g_assert(fv->nr_address_spaces > 0);
    if (!--fv->nr_address_spaces) {
        g_hash_table_remove(flat_views, fv->root);
        g_array_set_size(fv->dirty, 0);
    }
    flatview_unref(fv);
}

/* --- Dirty tracking ------------------------------------------------- */

static void memory_region_mark_dirty(MemoryRegion *mr, Int128 start,
                                     Int128 end);

/*
 * [@start, @end) of @mr (relative to @mr) may render differently: mark it
 * in every view where it is visible, whatever @mr's own state.
 */
static void memory_region_mark_dirty_in_users(MemoryRegion *mr, Int128 start,
                                              Int128 end)
{
    Int128 addr = int128_make64(mr->addr);
    FlatView *fv = g_hash_table_lookup(flat_views, mr);

    if (fv) {
        flatview_mark_dirty(fv, int128_add(start, addr),
                            int128_add(end, addr));
    }
    if (mr->container) {
        memory_region_mark_dirty(mr->container, int128_add(start, addr),
                                 int128_add(end, addr));
    }
    for (guint i = 0; mr->alias_users && i < mr->alias_users->len; i++) {
        MemoryRegion *alias = g_ptr_array_index(mr->alias_users, i);
        Int128 offset = int128_make64(alias->alias_offset);

        memory_region_mark_dirty(alias, int128_sub(start, offset),
                                 int128_sub(end, offset));
    }
}

/* Like above, for a change inside @mr: only matters while @mr renders. */
static void memory_region_mark_dirty(MemoryRegion *mr, Int128 start,
                                     Int128 end)
{
    start = int128_max(start, int128_zero());
    end = int128_min(end, mr->size);
    if (!mr->enabled || int128_ge(start, end)) {
        return;
    }
    memory_region_mark_dirty_in_users(mr, start, end);
}

static void memory_region_mark_all_dirty(MemoryRegion *mr)
{
    memory_region_mark_dirty(mr, int128_zero(), mr->size);
}

/* --- Transactions and listeners ------------------------------------- */

#define LISTENER_FROM_LINK(l) container_of(l, MemoryListener, link)
#define LISTENER_FROM_LINK_AS(l) container_of(l, MemoryListener, link_as)

static void listeners_call_begin(void)
{
    for (GList *l = memory_listeners.head; l; l = l->next) {
        MemoryListener *listener = LISTENER_FROM_LINK(l);

        if (listener->begin) {
            listener->begin(listener);
        }
    }
}

static void listeners_call_commit(void)
{
    for (GList *l = memory_listeners.head; l; l = l->next) {
        MemoryListener *listener = LISTENER_FROM_LINK(l);

        if (listener->commit) {
            listener->commit(listener);
        }
    }
}

typedef enum {
    REGION_ADD,
    REGION_DEL,
    REGION_NOP,
} RegionEvent;

static void address_space_notify(AddressSpace *as, FlatRange *fr,
                                 RegionEvent event)
{
    MemoryRegionSection section;

    flat_range_to_section(fr, as->current_map, &section);
    if (event == REGION_DEL) {
        for (GList *l = as->listeners.tail; l; l = l->prev) {
            MemoryListener *listener = LISTENER_FROM_LINK_AS(l);

            if (listener->region_del) {
                listener->region_del(listener, &section);
            }
        }
        return;
    }
    for (GList *l = as->listeners.head; l; l = l->next) {
        MemoryListener *listener = LISTENER_FROM_LINK_AS(l);

        if (event == REGION_ADD && listener->region_add) {
            listener->region_add(listener, &section);
        } else if (event == REGION_NOP && listener->region_nop) {
            listener->region_nop(listener, &section);
        }
    }
}

/*
 * Walk the removed and added ranges of the view of @as in address order:
 * first pass reports what disappeared, second what appeared or stayed.
 */
static void address_space_report_pass(AddressSpace *as, bool adding)
{
    GPtrArray *old = as->current_map->old_ranges;
    GPtrArray *new = as->current_map->new_ranges;
    guint i = 0, j = 0;

    while (i < old->len || j < new->len) {
        FlatRange *o = i < old->len ? g_ptr_array_index(old, i) : NULL;
        FlatRange *n = j < new->len ? g_ptr_array_index(new, j) : NULL;

        if (o && (!n || int128_lt(o->start, n->start) ||
                  (int128_eq(o->start, n->start) &&
                   !flat_range_equal(o, n)))) {
            if (!adding) {
                address_space_notify(as, o, REGION_DEL);
            }
            i++;
        } else if (o && n && flat_range_equal(o, n)) {
            if (adding) {
                address_space_notify(as, n, REGION_NOP);
            }
            i++;
            j++;
        } else {
            if (adding) {
                address_space_notify(as, n, REGION_ADD);
            }
            j++;
        }
    }
}

static void memory_region_update_topology(void)
{
    GPtrArray *views = pending_views;
    GPtrArray *garbage = g_ptr_array_new();

    pending_views = g_ptr_array_new();
    update_pending = false;
    committing = true;
    commit_gen++;

    listeners_call_begin();
    for (guint i = 0; i < views->len; i++) {
        FlatView *fv = g_ptr_array_index(views, i);

        if (fv->nr_address_spaces) {
            flatview_update(fv);
        }
    }
    for (GList *l = address_spaces.head; l; l = l->next) {
        AddressSpace *as = container_of(l, AddressSpace, link);

        if (as->listeners.length) {
            address_space_report_pass(as, false);
            address_space_report_pass(as, true);
        }
    }
    listeners_call_commit();
    committing = false;

    for (guint i = 0; i < views->len; i++) {
        flatview_finish_commit(g_ptr_array_index(views, i), garbage);
    }
    for (guint i = 0; i < garbage->len; i++) {
        flat_range_free(g_ptr_array_index(garbage, i));
    }
    for (guint i = 0; i < views->len; i++) {
        flatview_unref(g_ptr_array_index(views, i));
    }
    g_ptr_array_free(garbage, true);
    g_ptr_array_free(views, true);
}

void memory_region_transaction_begin(void)
{
    g_assert(!committing);
    transaction_depth++;
}

void memory_region_transaction_commit(void)
{
    g_assert(transaction_depth > 0);
    if (--transaction_depth || (!update_pending && !pending_views->len)) {
        return;
    }
    memory_region_update_topology();
}

/* Insert @link (of @listener) into @queue after lower/equal priorities. */
static void listener_queue_insert(GQueue *queue, GList *link,
                                  MemoryListener *listener, bool per_as)
{
    GList *l;

    for (l = queue->head; l; l = l->next) {
        MemoryListener *other = per_as ? LISTENER_FROM_LINK_AS(l)
                                       : LISTENER_FROM_LINK(l);

        if (listener->priority < other->priority) {
            break;
        }
    }
    if (l) {
        g_queue_insert_before_link(queue, l, link);
    } else {
        g_queue_push_tail_link(queue, link);
    }
}

static void listener_replay(MemoryListener *listener, AddressSpace *as,
                            bool adding)
{
    FlatView *fv = as->current_map;

    if (listener->begin) {
        listener->begin(listener);
    }
    for (GTreeNode *node = g_tree_node_first(fv->ranges); node;
         node = g_tree_node_next(node)) {
        MemoryRegionSection section;

        flat_range_to_section(g_tree_node_value(node), fv, &section);
        if (adding && listener->region_add) {
            listener->region_add(listener, &section);
        } else if (!adding && listener->region_del) {
            listener->region_del(listener, &section);
        }
    }
    if (listener->commit) {
        listener->commit(listener);
    }
}

static void address_space_ensure_init(AddressSpace *as)
{
    if (!as->current_map &&
        (as == &address_space_memory || as == &address_space_io)) {
        memory_map_init();
    }
    g_assert(as->current_map);
}

void memory_listener_register(MemoryListener *listener, AddressSpace *as)
{
    g_assert(!listener->address_space);
    address_space_ensure_init(as);
    listener->address_space = as;
    listener->link = (GList) { .data = listener };
    listener->link_as = (GList) { .data = listener };
    listener_queue_insert(&memory_listeners, &listener->link, listener,
                          false);
    listener_queue_insert(&as->listeners, &listener->link_as, listener,
                          true);
    listener_replay(listener, as, true);
}

void memory_listener_unregister(MemoryListener *listener)
{
    AddressSpace *as = listener->address_space;

    if (!as) {
        return;
    }
    listener_replay(listener, as, false);
    g_queue_unlink(&memory_listeners, &listener->link);
    g_queue_unlink(&as->listeners, &listener->link_as);
    listener->address_space = NULL;
}

/* --- Address spaces ------------------------------------------------- */

void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name)
{
    memory_region_ref(root);
    as->root = root;
    as->name = g_strdup(name ? name : "anonymous");
    g_queue_init(&as->listeners);
    as->current_map = flatview_get_for_root(root);
    as->link = (GList) { .data = as };
    g_queue_push_tail_link(&address_spaces, &as->link);
}

void address_space_destroy(AddressSpace *as)
{
    MemoryRegion *root = as->root;

    while (as->listeners.head) {
        memory_listener_unregister(LISTENER_FROM_LINK_AS(as->listeners.head));
    }
    g_queue_unlink(&address_spaces, &as->link);
    flatview_put_for_root(as->current_map);
    as->current_map = NULL;
    as->root = NULL;
    g_free(as->name);
    as->name = NULL;
    memory_region_unref(root);
}

AddressSpace *address_space_next(AddressSpace *as)
{
    GList *l = as ? as->link.next : address_spaces.head;

    return l ? container_of(l, AddressSpace, link) : NULL;
}

FlatView *address_space_to_flatview(AddressSpace *as)
{
    address_space_ensure_init(as);
    return as->current_map;
}

FlatView *address_space_get_flatview(AddressSpace *as)
{
    address_space_ensure_init(as);
    flatview_ref(as->current_map);
    return as->current_map;
}

static const char *memory_region_name_or_none(const MemoryRegion *mr)
{
    return mr ? (mr->name ? mr->name : "(anonymous)") : "(none)";
}

static char *flat_range_describe(const FlatRange *fr)
{
    return g_strdup_printf("[0x%" PRIx64 ", 0x%" PRIx64 "%s) %s @0x%" PRIx64
                           "%s%s%s", int128_getlo(fr->start),
                           int128_getlo(fr->end),
                           int128_eq(fr->end, int128_2_64()) ? " (2^64)" : "",
                           memory_region_name_or_none(fr->mr),
                           fr->offset_in_region, fr->readonly ? " ro" : "",
                           fr->nonvolatile ? " nv" : "",
                           fr->unmergeable ? " unmergeable" : "");
}

bool address_space_check_flatview(AddressSpace *as, Error **errp)
{
    FlatView *fv;
    g_autoptr(GArray) expected = NULL;
    GTreeNode *node;
    guint i = 0;

    address_space_ensure_init(as);
    fv = as->current_map;
    expected = render_window(fv->root, int128_zero(), int128_2_64());
    for (node = g_tree_node_first(fv->ranges); node;
         node = g_tree_node_next(node), i++) {
        FlatRange *fr = g_tree_node_value(node);
        g_autofree char *have = flat_range_describe(fr);
        g_autofree char *want = NULL;

        if (i >= expected->len) {
            error_setg(errp, "address space '%s': extra range %s",
                       as->name, have);
            return false;
        }
        if (!flat_range_equal(fr, &g_array_index(expected, FlatRange, i))) {
            want = flat_range_describe(&g_array_index(expected, FlatRange,
                                                      i));
            error_setg(errp, "address space '%s': range #%u is %s, "
                       "expected %s", as->name, i, have, want);
            return false;
        }
    }
    if (i < expected->len) {
        g_autofree char *want =
            flat_range_describe(&g_array_index(expected, FlatRange, i));

        error_setg(errp, "address space '%s': missing range %s", as->name,
                   want);
        return false;
    }
    return true;
}

/* --- Memory regions ------------------------------------------------- */

static gint subregion_order_cmp(gconstpointer a, gconstpointer b,
                                gpointer opaque)
{
    const MemoryRegion *x = a, *y = b;

    if (x->priority != y->priority) {
        return x->priority > y->priority ? -1 : 1;
    }
    if (x->subregion_seq != y->subregion_seq) {
        return x->subregion_seq > y->subregion_seq ? -1 : 1;
    }
    return 0;
}

static gint subregion_addr_cmp(gconstpointer a, gconstpointer b,
                               gpointer opaque)
{
    const struct MemoryRegionAddrKey *x = a, *y = b;

    if (x->addr != y->addr) {
        return x->addr < y->addr ? -1 : 1;
    }
    if (x->seq != y->seq) {
        return x->seq < y->seq ? -1 : 1;
    }
    return 0;
}

static void memory_region_initfn(Object *obj)
{
    MemoryRegion *mr = MEMORY_REGION(obj);

    mr->enabled = true;
    mr->subregions = g_sequence_new(NULL);
    mr->subregions_by_addr = g_tree_new_with_data(subregion_addr_cmp, NULL);
    mr->alias_users = g_ptr_array_new();
}

static void memory_region_finalize(Object *obj)
{
    MemoryRegion *mr = MEMORY_REGION(obj);

    g_assert(!mr->container);
    memory_region_transaction_begin();
    while (g_sequence_get_length(mr->subregions)) {
        memory_region_del_subregion(mr, g_sequence_get(
            g_sequence_get_begin_iter(mr->subregions)));
    }
    memory_region_transaction_commit();

    /* Aliases outliving their target are a bug; keep them from looking. */
    for (guint i = 0; i < mr->alias_users->len; i++) {
        MemoryRegion *alias = g_ptr_array_index(mr->alias_users, i);

        alias->alias = NULL;
    }
    if (mr->alias) {
        g_ptr_array_remove(mr->alias->alias_users, mr);
    }
    if (mr->destructor) {
        mr->destructor(mr);
    }
    g_sequence_free(mr->subregions);
    g_tree_destroy(mr->subregions_by_addr);
    g_ptr_array_free(mr->alias_users, true);
    g_free((char *)mr->name);
}

static const TypeInfo memory_region_info = {
    .name = TYPE_MEMORY_REGION,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(MemoryRegion),
    .instance_init = memory_region_initfn,
    .instance_finalize = memory_region_finalize,
};

static void memory_register_types(void)
{
    type_register_static(&memory_region_info);
    flat_views = g_hash_table_new(NULL, NULL);
    pending_views = g_ptr_array_new();
}

type_init(memory_register_types)

/* QOM property names cannot contain '/'. */
static char *memory_region_escape_name(const char *name)
{
    GString *escaped = g_string_new(NULL);

    for (const char *p = name; *p; p++) {
        if (*p == '/') {
            g_string_append(escaped, "\\x2f");
        } else {
            g_string_append_c(escaped, *p);
        }
    }
    return g_string_free(escaped, false);
}

void memory_region_init(MemoryRegion *mr, Object *owner, const char *name,
                        uint64_t size)
{
    object_initialize(mr, sizeof(*mr), TYPE_MEMORY_REGION);
    mr->size = int128_from_size(size);
    mr->name = g_strdup(name);
    mr->owner = owner;
    if (owner && name) {
        g_autofree char *escaped = memory_region_escape_name(name);
        g_autofree char *propname = g_strdup_printf("%s[*]", escaped);

        object_property_add_child(owner, propname, OBJECT(mr));
        object_unref(OBJECT(mr));
    }
}

/* Destroy a region whose initialization failed. */
static void memory_region_destroy_failed(MemoryRegion *mr)
{
    mr->size = int128_zero();
    if (OBJECT(mr)->parent) {
        object_unparent(OBJECT(mr));
    } else {
        object_unref(OBJECT(mr));
    }
}

void memory_region_init_io(MemoryRegion *mr, Object *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size)
{
    memory_region_init(mr, owner, name, size);
    mr->ops = ops;
    mr->opaque = opaque;
    mr->terminates = true;
}

static void memory_region_destructor_ram(MemoryRegion *mr)
{
    qemu_ram_free(mr->ram_block);
    mr->ram_block = NULL;
}

static bool memory_region_init_ram_block(MemoryRegion *mr, RAMBlock *block)
{
    if (!block) {
        memory_region_destroy_failed(mr);
        return false;
    }
    mr->ram = true;
    mr->terminates = true;
    mr->ram_block = block;
    mr->destructor = memory_region_destructor_ram;
    return true;
}

bool memory_region_init_ram_flags_nomigrate(MemoryRegion *mr, Object *owner,
                                            const char *name, uint64_t size,
                                            uint32_t ram_flags, Error **errp)
{
    memory_region_init(mr, owner, name, size);
    return memory_region_init_ram_block(mr, qemu_ram_alloc(size, ram_flags,
                                                           mr, errp));
}

bool memory_region_init_ram_nomigrate(MemoryRegion *mr, Object *owner,
                                      const char *name, uint64_t size,
                                      Error **errp)
{
    return memory_region_init_ram_flags_nomigrate(mr, owner, name, size, 0,
                                                  errp);
}

bool memory_region_init_ram(MemoryRegion *mr, Object *owner,
                            const char *name, uint64_t size, Error **errp)
{
    return memory_region_init_ram_nomigrate(mr, owner, name, size, errp);
}

bool memory_region_init_ram_from_fd(MemoryRegion *mr, Object *owner,
                                    const char *name, uint64_t size,
                                    uint32_t ram_flags, int fd,
                                    ram_addr_t offset, Error **errp)
{
    memory_region_init(mr, owner, name, size);
    return memory_region_init_ram_block(
        mr, qemu_ram_alloc_from_fd(size, mr, ram_flags, fd, offset, errp));
}

bool memory_region_init_ram_from_file(MemoryRegion *mr, Object *owner,
                                      const char *name, uint64_t size,
                                      uint64_t align, uint32_t ram_flags,
                                      const char *path, ram_addr_t offset,
                                      Error **errp)
{
    memory_region_init(mr, owner, name, size);
    mr->align = align;
    return memory_region_init_ram_block(
        mr, qemu_ram_alloc_from_file(size, mr, ram_flags, path, offset,
                                     errp));
}

bool memory_region_init_resizeable_ram(MemoryRegion *mr, Object *owner,
                                       const char *name, uint64_t size,
                                       uint64_t max_size,
                                       RAMBlockResizedFunc resized,
                                       Error **errp)
{
    memory_region_init(mr, owner, name, size);
    return memory_region_init_ram_block(
        mr, qemu_ram_alloc_resizeable(size, max_size, resized, mr, errp));
}

void memory_region_ram_resize(MemoryRegion *mr, ram_addr_t newsize,
                              Error **errp)
{
    g_assert(mr->ram_block);
    if (qemu_ram_resize(mr->ram_block, newsize, errp) < 0) {
        return;
    }
    memory_region_set_size(mr, newsize);
}

void memory_region_init_ram_ptr(MemoryRegion *mr, Object *owner,
                                const char *name, uint64_t size, void *ptr)
{
    memory_region_init(mr, owner, name, size);
    memory_region_init_ram_block(
        mr, qemu_ram_alloc_from_ptr(size, ptr, mr, &error_abort));
}

bool memory_region_init_rom_nomigrate(MemoryRegion *mr, Object *owner,
                                      const char *name, uint64_t size,
                                      Error **errp)
{
    if (!memory_region_init_ram_flags_nomigrate(mr, owner, name, size, 0,
                                                errp)) {
        return false;
    }
    mr->readonly = true;
    return true;
}

bool memory_region_init_rom(MemoryRegion *mr, Object *owner,
                            const char *name, uint64_t size, Error **errp)
{
    return memory_region_init_rom_nomigrate(mr, owner, name, size, errp);
}

void memory_region_init_alias(MemoryRegion *mr, Object *owner,
                              const char *name, MemoryRegion *orig,
                              hwaddr offset, uint64_t size)
{
    memory_region_init(mr, owner, name, size);
    mr->alias = orig;
    mr->alias_offset = offset;
    g_ptr_array_add(orig->alias_users, mr);
}

void memory_region_ref(MemoryRegion *mr)
{
    if (mr && mr->owner) {
        object_ref(mr->owner);
    }
}

void memory_region_unref(MemoryRegion *mr)
{
    if (mr && mr->owner) {
        object_unref(mr->owner);
    }
}

MemoryRegion *memory_region_next_subregion(MemoryRegion *container,
                                           MemoryRegion *prev)
{
    GSequenceIter *it;

    if (prev) {
        g_assert(prev->container == container);
        it = g_sequence_iter_next(prev->subregion_iter);
    } else {
        it = g_sequence_get_begin_iter(container->subregions);
    }
    return g_sequence_iter_is_end(it) ? NULL : g_sequence_get(it);
}

/* Whether @b, which follows @a in address order, overlaps it. */
static bool subregions_overlap(MemoryRegion *a, MemoryRegion *b)
{
    return a && b &&
           int128_lt(int128_make64(b->addr),
                     int128_add(int128_make64(a->addr), a->size));
}

/* Add (@sign 1) or remove (-1) @sub's overlaps with its address neighbours. */
static void subregion_count_overlaps(MemoryRegion *mr, MemoryRegion *sub,
                                     int sign)
{
    GTreeNode *node = g_tree_lookup_node(mr->subregions_by_addr,
                                         &sub->addr_key);
    GTreeNode *prev_node = g_tree_node_previous(node);
    GTreeNode *next_node = g_tree_node_next(node);
    MemoryRegion *prev = prev_node ? g_tree_node_value(prev_node) : NULL;
    MemoryRegion *next = next_node ? g_tree_node_value(next_node) : NULL;
    int delta = subregions_overlap(prev, sub) + subregions_overlap(sub, next) -
                subregions_overlap(prev, next);

    mr->nr_overlapping_subregions += sign * delta;
}

/* Link @sub into @mr's lists; @seq orders it among equal priorities. */
static void subregion_link(MemoryRegion *mr, MemoryRegion *sub, uint64_t seq)
{
    sub->subregion_seq = seq;
    sub->addr_key = (struct MemoryRegionAddrKey) {
        .addr = sub->addr, .seq = sub->subregion_seq,
    };
    sub->subregion_iter = g_sequence_insert_sorted(mr->subregions, sub,
                                                   subregion_order_cmp, NULL);
    g_tree_insert(mr->subregions_by_addr, &sub->addr_key, sub);
    subregion_count_overlaps(mr, sub, 1);
}

static void subregion_unlink(MemoryRegion *mr, MemoryRegion *sub)
{
    subregion_count_overlaps(mr, sub, -1);
    g_tree_remove(mr->subregions_by_addr, &sub->addr_key);
    g_sequence_remove(sub->subregion_iter);
    sub->subregion_iter = NULL;
}

static void memory_region_mark_subregion_dirty(MemoryRegion *mr,
                                               MemoryRegion *sub)
{
    Int128 start = int128_make64(sub->addr);

    if (mr->enabled && sub->enabled) {
        update_pending = true;
        memory_region_mark_dirty(mr, start, int128_add(start, sub->size));
    }
}

static void memory_region_add_subregion_common(MemoryRegion *mr,
                                               hwaddr offset,
                                               MemoryRegion *subregion)
{
    g_assert(!subregion->container);
    memory_region_transaction_begin();
    memory_region_ref(subregion);
    subregion->container = mr;
    subregion->addr = offset;
    for (MemoryRegion *a = subregion->alias; a; a = a->alias) {
        a->mapped_via_alias++;
    }
    subregion_link(mr, subregion, next_subregion_seq++);
    memory_region_mark_subregion_dirty(mr, subregion);
    memory_region_transaction_commit();
}

void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset,
                                 MemoryRegion *subregion)
{
    subregion->priority = 0;
    memory_region_add_subregion_common(mr, offset, subregion);
}

void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *subregion,
                                         int priority)
{
    subregion->priority = priority;
    memory_region_add_subregion_common(mr, offset, subregion);
}

void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion)
{
    g_assert(subregion->container == mr);
    memory_region_transaction_begin();
    memory_region_mark_subregion_dirty(mr, subregion);
    subregion_unlink(mr, subregion);
    subregion->container = NULL;
    for (MemoryRegion *a = subregion->alias; a; a = a->alias) {
        g_assert(a->mapped_via_alias > 0);
        a->mapped_via_alias--;
    }
    memory_region_unref(subregion);
    memory_region_transaction_commit();
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    if (enabled == mr->enabled) {
        return;
    }
    memory_region_transaction_begin();
    mr->enabled = enabled;
    update_pending = true;
    memory_region_mark_dirty_in_users(mr, int128_zero(), mr->size);
    memory_region_transaction_commit();
}

void memory_region_set_address(MemoryRegion *mr, hwaddr addr)
{
    MemoryRegion *container = mr->container;
    FlatView *fv = g_hash_table_lookup(flat_views, mr);

    if (addr == mr->addr) {
        return;
    }
    memory_region_transaction_begin();
    if (container) {
        /* Re-adding makes it the latest added, as in QEMU. */
        memory_region_ref(mr);
        memory_region_del_subregion(container, mr);
        memory_region_add_subregion_common(container, addr, mr);
        memory_region_unref(mr);
    } else {
        mr->addr = addr;
    }
    if (fv && mr->enabled) {
        update_pending = true;
        flatview_mark_dirty(fv, int128_zero(), int128_2_64());
    }
    memory_region_transaction_commit();
}

void memory_region_set_size(MemoryRegion *mr, uint64_t size)
{
    Int128 new_size = int128_from_size(size);
    Int128 extent = int128_max(new_size, mr->size);
    MemoryRegion *container = mr->container;

    if (int128_eq(new_size, mr->size)) {
        return;
    }
    memory_region_transaction_begin();
    if (container) {
        subregion_unlink(container, mr);
    }
    mr->size = new_size;
    if (container) {
        /* Keeps its place among equal priorities. */
        subregion_link(container, mr, mr->subregion_seq);
    }
    update_pending = true;
    if (mr->enabled) {
        memory_region_mark_dirty_in_users(mr, int128_zero(), extent);
    }
    memory_region_transaction_commit();
}

void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset)
{
    if (offset == mr->alias_offset) {
        return;
    }
    memory_region_transaction_begin();
    mr->alias_offset = offset;
    update_pending |= mr->enabled;
    memory_region_mark_all_dirty(mr);
    memory_region_transaction_commit();
}

static void memory_region_set_flag(MemoryRegion *mr, bool *flag, bool value)
{
    if (*flag == value) {
        return;
    }
    memory_region_transaction_begin();
    *flag = value;
    update_pending |= mr->enabled;
    memory_region_mark_all_dirty(mr);
    memory_region_transaction_commit();
}

void memory_region_set_readonly(MemoryRegion *mr, bool readonly)
{
    memory_region_set_flag(mr, &mr->readonly, readonly);
}

void memory_region_set_nonvolatile(MemoryRegion *mr, bool nonvolatile)
{
    memory_region_set_flag(mr, &mr->nonvolatile, nonvolatile);
}

void memory_region_set_unmergeable(MemoryRegion *mr, bool unmergeable)
{
    memory_region_set_flag(mr, &mr->unmergeable, unmergeable);
}

uint64_t memory_region_size(MemoryRegion *mr)
{
    if (int128_eq(mr->size, int128_2_64())) {
        return UINT64_MAX;
    }
    return int128_get64(mr->size);
}

const char *memory_region_name(const MemoryRegion *mr)
{
    return mr->name ? mr->name : "";
}

Object *memory_region_owner(MemoryRegion *mr)
{
    return mr->owner;
}

bool memory_region_is_ram(MemoryRegion *mr)
{
    return mr->ram;
}

bool memory_region_is_ram_device(MemoryRegion *mr)
{
    return mr->ram_device;
}

bool memory_region_is_romd(MemoryRegion *mr)
{
    return mr->rom_device && mr->romd_mode;
}

bool memory_region_is_rom(MemoryRegion *mr)
{
    return mr->ram && mr->readonly;
}

bool memory_region_is_nonvolatile(MemoryRegion *mr)
{
    return mr->nonvolatile;
}

bool memory_region_is_mapped(MemoryRegion *mr)
{
    return mr->container || mr->mapped_via_alias;
}

/* Follow aliases down to the region holding the memory. */
static MemoryRegion *memory_region_resolve_alias(MemoryRegion *mr,
                                                 hwaddr *offset)
{
    while (mr->alias) {
        *offset += mr->alias_offset;
        mr = mr->alias;
    }
    return mr;
}

void *memory_region_get_ram_ptr(MemoryRegion *mr)
{
    hwaddr offset = 0;

    mr = memory_region_resolve_alias(mr, &offset);
    if (!mr->ram_block) {
        return NULL;
    }
    return (uint8_t *)qemu_ram_get_host_addr(mr->ram_block) + offset;
}

MemoryRegion *memory_region_from_host(void *ptr, ram_addr_t *offset)
{
    RAMBlock *block = qemu_ram_block_from_host(ptr, false, offset);

    return block ? block->mr : NULL;
}

ram_addr_t memory_region_get_ram_addr(MemoryRegion *mr)
{
    return mr->ram_block ? qemu_ram_get_offset(mr->ram_block)
                         : RAM_ADDR_INVALID;
}

int memory_region_get_fd(MemoryRegion *mr)
{
    hwaddr offset = 0;

    mr = memory_region_resolve_alias(mr, &offset);
    return mr->ram_block ? qemu_ram_get_fd(mr->ram_block) : -1;
}

RamDiscardManager *memory_region_get_ram_discard_manager(MemoryRegion *mr)
{
    return memory_region_is_ram(mr) ? mr->rdm : NULL;
}

bool memory_region_has_ram_discard_manager(MemoryRegion *mr)
{
    return memory_region_get_ram_discard_manager(mr) != NULL;
}

int memory_region_set_ram_discard_manager(MemoryRegion *mr,
                                          RamDiscardManager *rdm,
                                          Error **errp)
{
    if (!memory_region_is_ram(mr)) {
        error_setg(errp, "memory region '%s' is not RAM: cannot set a "
                   "RamDiscardManager", memory_region_name(mr));
        return -EINVAL;
    }
    if (memory_region_is_mapped(mr)) {
        error_setg(errp, "memory region '%s' is mapped: cannot change its "
                   "RamDiscardManager", memory_region_name(mr));
        return -EBUSY;
    }
    if (mr->rdm && rdm) {
        error_setg(errp, "memory region '%s' already has a "
                   "RamDiscardManager", memory_region_name(mr));
        return -EBUSY;
    }
    mr->rdm = rdm;
    return 0;
}

/* --- Sections ------------------------------------------------------- */

MemoryRegionSection *memory_region_section_new_copy(MemoryRegionSection *s)
{
    MemoryRegionSection *copy = g_memdup2(s, sizeof(*s));

    memory_region_ref(copy->mr);
    if (copy->fv) {
        flatview_ref(copy->fv);
    }
    return copy;
}

void memory_region_section_free_copy(MemoryRegionSection *s)
{
    if (s->fv) {
        flatview_unref(s->fv);
    }
    memory_region_unref(s->mr);
    g_free(s);
}

MemoryRegionSection memory_region_find(MemoryRegion *mr, hwaddr addr,
                                       uint64_t size)
{
    MemoryRegionSection ret = { .mr = NULL };
    MemoryRegion *root = mr;
    Int128 start = int128_make64(addr), end, clip_start, clip_end;
    FlatView *fv;
    GTreeNode *node;
    FlatRange *fr;

    for (; root->container; root = root->container) {
        start = int128_add(start, int128_make64(root->addr));
    }
    fv = g_hash_table_lookup(flat_views, root);
    if (!fv || int128_ge(start, int128_2_64())) {
        return ret;
    }
    end = int128_add(start, int128_make64(size));
    node = flatview_first_node_after(fv, start);
    fr = flatview_node_range(node);
    if (!fr || int128_gt(fr->start, end) ||
        (size && int128_eq(fr->start, end))) {
        return ret;
    }
    clip_start = int128_max(start, fr->start);
    clip_end = int128_min(end, fr->end);
    ret = (MemoryRegionSection) {
        .mr = fr->mr,
        .fv = fv,
        .size = int128_sub(clip_end, clip_start),
        .offset_within_region = fr->offset_in_region +
            int128_get64(int128_sub(clip_start, fr->start)),
        .offset_within_address_space = int128_get64(clip_start),
        .readonly = fr->readonly,
        .nonvolatile = fr->nonvolatile,
        .unmergeable = fr->unmergeable,
    };
    memory_region_ref(ret.mr);
    return ret;
}

/* --- Global address spaces ------------------------------------------ */

AddressSpace address_space_memory;
AddressSpace address_space_io;
static MemoryRegion *system_memory;
static MemoryRegion *system_io;

static uint64_t unassigned_io_read(void *opaque, hwaddr addr, unsigned size)
{
    return UINT64_MAX;
}

static void unassigned_io_write(void *opaque, hwaddr addr, uint64_t data,
                                unsigned size)
{
}

static const MemoryRegionOps unassigned_io_ops = {
    .read = unassigned_io_read,
    .write = unassigned_io_write,
    .endianness = DEVICE_NATIVE_ENDIAN,
};

void memory_map_init(void)
{
    if (system_memory) {
        return;
    }
    system_memory = g_new0(MemoryRegion, 1);
    memory_region_init(system_memory, NULL, "system", UINT64_MAX);
    address_space_init(&address_space_memory, system_memory, "memory");

    system_io = g_new0(MemoryRegion, 1);
    memory_region_init_io(system_io, NULL, &unassigned_io_ops, NULL, "io",
                          65536);
    address_space_init(&address_space_io, system_io, "I/O");
}

MemoryRegion *get_system_memory(void)
{
    memory_map_init();
    return system_memory;
}

MemoryRegion *get_system_io(void)
{
    memory_map_init();
    return system_io;
}

/* --- Accesses ------------------------------------------------------- */

static bool memory_region_access_valid(MemoryRegion *mr, hwaddr addr,
                                       unsigned size, bool is_write,
                                       MemTxAttrs attrs)
{
    const MemoryRegionOps *ops = mr->ops;

    if (!ops) {
        return false;
    }
    if (ops->valid.accepts &&
        !ops->valid.accepts(mr->opaque, addr, size, is_write, attrs)) {
        return false;
    }
    if (!ops->valid.unaligned && (addr & (size - 1))) {
        return false;
    }
    if (!ops->valid.max_access_size) {
        return true;
    }
    return size <= ops->valid.max_access_size &&
           size >= ops->valid.min_access_size;
}

/* The largest access the bus issues at @addr for @len remaining bytes. */
static unsigned memory_access_size(MemoryRegion *mr, hwaddr len, hwaddr addr)
{
    unsigned max = mr->ops->valid.max_access_size ?: 4;

    if (!mr->ops->impl.unaligned) {
        hwaddr align = addr & -addr;

        if (align && align < max) {
            max = align;
        }
    }
    if (len < max) {
        max = len;
    }
    return 1u << (31 - __builtin_clz(max));
}

static MemTxResult memory_region_call_read(MemoryRegion *mr, hwaddr addr,
                                           uint64_t *value, unsigned size,
                                           MemTxAttrs attrs)
{
    const MemoryRegionOps *ops = mr->ops;

    if (ops->read_with_attrs) {
        return ops->read_with_attrs(mr->opaque, addr, value, size, attrs);
    }
    if (ops->read) {
        *value = ops->read(mr->opaque, addr, size);
        return MEMTX_OK;
    }
    *value = 0;
    return MEMTX_DECODE_ERROR;
}

static MemTxResult memory_region_call_write(MemoryRegion *mr, hwaddr addr,
                                            uint64_t value, unsigned size,
                                            MemTxAttrs attrs)
{
    const MemoryRegionOps *ops = mr->ops;

    if (ops->write_with_attrs) {
        return ops->write_with_attrs(mr->opaque, addr, value, size, attrs);
    }
    if (ops->write) {
        ops->write(mr->opaque, addr, value, size);
        return MEMTX_OK;
    }
    return MEMTX_DECODE_ERROR;
}

static bool memory_region_big_endian(MemoryRegion *mr)
{
    return mr->ops->endianness == DEVICE_BIG_ENDIAN;
}

static uint64_t shift_signed(uint64_t value, int shift)
{
    return shift >= 0 ? value << shift : value >> -shift;
}

/*
 * Perform a @size access with the callbacks' implemented access sizes:
 * split into several smaller ones, or widened to the minimum.
 */
static MemTxResult access_with_adjusted_size(MemoryRegion *mr, hwaddr addr,
                                             uint64_t *value, unsigned size,
                                             bool is_write, MemTxAttrs attrs)
{
    unsigned min = mr->ops->impl.min_access_size ?: 1;
    unsigned max = mr->ops->impl.max_access_size ?: 4;
    unsigned access_size = MAX(MIN(size, max), min);
    uint64_t mask = access_size >= 8 ? UINT64_MAX
                                     : (1ULL << (access_size * 8)) - 1;
    MemTxResult r = MEMTX_OK;

    if (!is_write) {
        *value = 0;
    }
    for (unsigned i = 0; i < size; i += access_size) {
        int shift = memory_region_big_endian(mr)
                    ? ((int)size - (int)access_size - (int)i) * 8
                    : (int)i * 8;

        if (is_write) {
            uint64_t piece = shift >= 0 ? *value >> shift
                                        : *value << -shift;

            r |= memory_region_call_write(mr, addr + i, piece & mask,
                                          access_size, attrs);
        } else {
            uint64_t piece = 0;

            r |= memory_region_call_read(mr, addr + i, &piece, access_size,
                                         attrs);
            *value |= shift_signed(piece & mask, shift);
        }
    }
    return r;
}

static void store_bytes(uint8_t *buf, uint64_t value, unsigned size,
                        bool big_endian)
{
    for (unsigned i = 0; i < size; i++) {
        unsigned byte = big_endian ? size - 1 - i : i;

        buf[i] = value >> (byte * 8);
    }
}

static uint64_t load_bytes(const uint8_t *buf, unsigned size,
                           bool big_endian)
{
    uint64_t value = 0;

    for (unsigned i = 0; i < size; i++) {
        unsigned byte = big_endian ? size - 1 - i : i;

        value |= (uint64_t)buf[i] << (byte * 8);
    }
    return value;
}

static MemTxResult mmio_access(MemoryRegion *mr, hwaddr addr, uint8_t *buf,
                               hwaddr len, bool is_write, MemTxAttrs attrs)
{
    MemTxResult result = MEMTX_OK;

    if (!mr->ops) {
        if (!is_write) {
            memset(buf, 0, len);
        }
        return MEMTX_DECODE_ERROR;
    }
    while (len) {
        unsigned l = memory_access_size(mr, len, addr);
        bool big_endian = memory_region_big_endian(mr);
        uint64_t value = 0;

        if (!memory_region_access_valid(mr, addr, l, is_write, attrs)) {
            result |= MEMTX_DECODE_ERROR;
            if (!is_write) {
                memset(buf, 0, l);
            }
        } else if (is_write) {
            value = load_bytes(buf, l, big_endian);
            result |= access_with_adjusted_size(mr, addr, &value, l, true,
                                                attrs);
        } else {
            result |= access_with_adjusted_size(mr, addr, &value, l, false,
                                                attrs);
            store_bytes(buf, value, l, big_endian);
        }
        addr += l;
        buf += l;
        len -= l;
    }
    return result;
}

static MemTxResult flat_range_access(FlatRange *fr, hwaddr offset,
                                     uint8_t *buf, hwaddr len, bool is_write,
                                     MemTxAttrs attrs)
{
    MemoryRegion *mr = fr->mr;

    if (mr->ram && mr->ram_block) {
        uint8_t *host = (uint8_t *)qemu_ram_get_host_addr(mr->ram_block) +
                        offset;

        if (!is_write) {
            memcpy(buf, host, len);
        } else if (fr->readonly) {
            return MEMTX_DECODE_ERROR;
        } else {
            memcpy(host, buf, len);
        }
        return MEMTX_OK;
    }
    return mmio_access(mr, offset, buf, len, is_write, attrs);
}

MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                             void *buf, hwaddr len, bool is_write)
{
    Int128 cur = int128_make64(addr);
    Int128 end = int128_add(cur, int128_make64(len));
    uint8_t *p = buf;
    MemTxResult result = MEMTX_OK;
    FlatView *fv;

    address_space_ensure_init(as);
    fv = as->current_map;
    end = int128_min(end, int128_2_64());
    while (int128_lt(cur, end)) {
        GTreeNode *node = flatview_first_node_after(fv, cur);
        FlatRange *fr = flatview_node_range(node);
        hwaddr l;

        if (!fr || int128_gt(fr->start, cur)) {
            /* Unassigned up to the next range. */
            Int128 hole_end = fr ? int128_min(fr->start, end) : end;

            l = int128_get64(int128_sub(hole_end, cur));
            if (!is_write) {
                memset(p, 0, l);
            }
            result |= MEMTX_DECODE_ERROR;
        } else {
            hwaddr offset = fr->offset_in_region +
                            int128_get64(int128_sub(cur, fr->start));

            l = int128_get64(int128_sub(int128_min(fr->end, end), cur));
            result |= flat_range_access(fr, offset, p, l, is_write, attrs);
        }
        cur = int128_add(cur, int128_make64(l));
        p += l;
    }
    if (int128_lt(end, int128_add(int128_make64(addr), int128_make64(len)))) {
        /* Beyond the end of the address space. */
        hwaddr rest = len - (p - (uint8_t *)buf);

        if (!is_write) {
            memset(p, 0, rest);
        }
        result |= MEMTX_DECODE_ERROR;
    }
    return result;
}

MemTxResult address_space_read(AddressSpace *as, hwaddr addr,
                               MemTxAttrs attrs, void *buf, hwaddr len)
{
    return address_space_rw(as, addr, attrs, buf, len, false);
}

MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
                                MemTxAttrs attrs, const void *buf,
                                hwaddr len)
{
    return address_space_rw(as, addr, attrs, (void *)buf, len, true);
}

static uint64_t address_space_load(AddressSpace *as, hwaddr addr,
                                   unsigned size, bool big_endian,
                                   MemTxAttrs attrs, MemTxResult *result)
{
    uint8_t buf[8];
    MemTxResult r = address_space_read(as, addr, attrs, buf, size);

    if (result) {
        *result = r;
    }
    return load_bytes(buf, size, big_endian);
}

static void address_space_store(AddressSpace *as, hwaddr addr, uint64_t val,
                                unsigned size, bool big_endian,
                                MemTxAttrs attrs, MemTxResult *result)
{
    uint8_t buf[8];
    MemTxResult r;

    store_bytes(buf, val, size, big_endian);
    r = address_space_write(as, addr, attrs, buf, size);
    if (result) {
        *result = r;
    }
}

uint32_t address_space_ldub(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                            MemTxResult *result)
{
    return address_space_load(as, addr, 1, false, attrs, result);
}

uint32_t address_space_lduw_le(AddressSpace *as, hwaddr addr,
                               MemTxAttrs attrs, MemTxResult *result)
{
    return address_space_load(as, addr, 2, false, attrs, result);
}

uint32_t address_space_lduw_be(AddressSpace *as, hwaddr addr,
                               MemTxAttrs attrs, MemTxResult *result)
{
    return address_space_load(as, addr, 2, true, attrs, result);
}

uint32_t address_space_ldl_le(AddressSpace *as, hwaddr addr,
                              MemTxAttrs attrs, MemTxResult *result)
{
    return address_space_load(as, addr, 4, false, attrs, result);
}

uint32_t address_space_ldl_be(AddressSpace *as, hwaddr addr,
                              MemTxAttrs attrs, MemTxResult *result)
{
    return address_space_load(as, addr, 4, true, attrs, result);
}

uint64_t address_space_ldq_le(AddressSpace *as, hwaddr addr,
                              MemTxAttrs attrs, MemTxResult *result)
{
    return address_space_load(as, addr, 8, false, attrs, result);
}

uint64_t address_space_ldq_be(AddressSpace *as, hwaddr addr,
                              MemTxAttrs attrs, MemTxResult *result)
{
    return address_space_load(as, addr, 8, true, attrs, result);
}

void address_space_stb(AddressSpace *as, hwaddr addr, uint32_t val,
                       MemTxAttrs attrs, MemTxResult *result)
{
    address_space_store(as, addr, val, 1, false, attrs, result);
}

void address_space_stw_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result)
{
    address_space_store(as, addr, val, 2, false, attrs, result);
}

void address_space_stw_be(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result)
{
    address_space_store(as, addr, val, 2, true, attrs, result);
}

void address_space_stl_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result)
{
    address_space_store(as, addr, val, 4, false, attrs, result);
}

void address_space_stl_be(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result)
{
    address_space_store(as, addr, val, 4, true, attrs, result);
}

void address_space_stq_le(AddressSpace *as, hwaddr addr, uint64_t val,
                          MemTxAttrs attrs, MemTxResult *result)
{
    address_space_store(as, addr, val, 8, false, attrs, result);
}

void address_space_stq_be(AddressSpace *as, hwaddr addr, uint64_t val,
                          MemTxAttrs attrs, MemTxResult *result)
{
    address_space_store(as, addr, val, 8, true, attrs, result);
}

uint32_t ldub_phys(AddressSpace *as, hwaddr addr)
{
    return address_space_ldub(as, addr, MEMTXATTRS_UNSPECIFIED, NULL);
}

uint32_t lduw_le_phys(AddressSpace *as, hwaddr addr)
{
    return address_space_lduw_le(as, addr, MEMTXATTRS_UNSPECIFIED, NULL);
}

uint32_t ldl_le_phys(AddressSpace *as, hwaddr addr)
{
    return address_space_ldl_le(as, addr, MEMTXATTRS_UNSPECIFIED, NULL);
}

uint64_t ldq_le_phys(AddressSpace *as, hwaddr addr)
{
    return address_space_ldq_le(as, addr, MEMTXATTRS_UNSPECIFIED, NULL);
}

void stb_phys(AddressSpace *as, hwaddr addr, uint32_t val)
{
    address_space_stb(as, addr, val, MEMTXATTRS_UNSPECIFIED, NULL);
}

void stw_le_phys(AddressSpace *as, hwaddr addr, uint32_t val)
{
    address_space_stw_le(as, addr, val, MEMTXATTRS_UNSPECIFIED, NULL);
}

void stl_le_phys(AddressSpace *as, hwaddr addr, uint32_t val)
{
    address_space_stl_le(as, addr, val, MEMTXATTRS_UNSPECIFIED, NULL);
}

void stq_le_phys(AddressSpace *as, hwaddr addr, uint64_t val)
{
    address_space_stq_le(as, addr, val, MEMTXATTRS_UNSPECIFIED, NULL);
}
