/*
 * `info mtree` and `info mtree -f`: the text QEMU's monitor prints for the
 * memory region trees and the flat views of all address spaces.
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "exec/mtree.h"
#include "qom/object.h"

#define MTREE_INDENT "  "
#define MTREE_ADDR_FMT "%016" PRIx64

typedef struct MtreeOptions {
    GString *out;
    bool owner;
    bool disabled;
    /* Regions some printed alias points to, in order of first sight. */
    GPtrArray *alias_targets;
} MtreeOptions;

/* The last byte covered by something of @size bytes starting at 0. */
static uint64_t mtree_last_offset(Int128 size)
{
    return int128_nz(size) ? int128_get64(int128_sub(size, int128_one())) : 0;
}

static const char *mtree_region_kind(const MemoryRegion *mr)
{
    while (mr->alias) {
        mr = mr->alias;
    }
    if (mr->ram_device) {
        return "ramd";
    }
    if (mr->rom_device && mr->romd_mode) {
        return "romd";
    }
    if (mr->ram && mr->readonly) {
        return "rom";
    }
    if (mr->ram) {
        return "ram";
    }
    return "i/o";
}

/* QEMU prints devices as "dev id=..."; there are no devices here yet. */
static void mtree_print_object(GString *out, const char *label, Object *obj)
{
    g_autofree char *path = object_get_canonical_path(obj);

    g_string_append_printf(out, " %s:{obj", label);
    if (path) {
        g_string_append_printf(out, " path=%s", path);
    } else {
        g_string_append_printf(out, " type=%s", object_get_typename(obj));
    }
    g_string_append(out, "}");
}

/* " owner:{...} parent:{...}", or " orphan" when neither exists. */
static void mtree_print_owner(GString *out, const MemoryRegion *mr)
{
    Object *owner = mr->owner;
    Object *parent = OBJECT(mr)->parent;

    if (!owner && !parent) {
        g_string_append(out, " orphan");
        return;
    }
    if (owner) {
        mtree_print_object(out, "owner", owner);
    }
    if (parent && parent != owner) {
        mtree_print_object(out, "parent", parent);
    }
}

static void mtree_note_alias_target(MtreeOptions *opts, MemoryRegion *target)
{
    if (!g_ptr_array_find(opts->alias_targets, target, NULL)) {
        g_ptr_array_add(opts->alias_targets, target);
    }
}

static void mtree_print_region_line(MtreeOptions *opts, const MemoryRegion *mr,
                                    unsigned int level, uint64_t base)
{
    GString *out = opts->out;
    uint64_t start = base + mr->addr;
    uint64_t end = start + mtree_last_offset(mr->size);
    unsigned int i;

    /* QEMU's warning for a region wrapping around the address space. */
    if (start < base || end < start) {
        g_string_append(out, "[DETECTED OVERFLOW!] ");
    }
    for (i = 0; i < level; i++) {
        g_string_append(out, MTREE_INDENT);
    }
    g_string_append_printf(out, MTREE_ADDR_FMT "-" MTREE_ADDR_FMT
                           " (prio %d, %s%s): ",
                           start, end,
                           mr->priority, mr->nonvolatile ? "nv-" : "",
                           mtree_region_kind(mr));
    if (mr->alias) {
        g_string_append_printf(out, "alias %s @%s " MTREE_ADDR_FMT "-"
                               MTREE_ADDR_FMT,
                               memory_region_name(mr),
                               memory_region_name(mr->alias),
                               (uint64_t)mr->alias_offset,
                               (uint64_t)mr->alias_offset +
                               mtree_last_offset(mr->size));
    } else {
        g_string_append(out, memory_region_name(mr));
    }
    if (!mr->enabled) {
        g_string_append(out, " [disabled]");
    }
    if (opts->owner) {
        mtree_print_owner(out, mr);
    }
    g_string_append_c(out, '\n');
}

/* Lower address first; at the same address, higher priority first. */
static gint mtree_compare_subregions(gconstpointer a, gconstpointer b)
{
    const MemoryRegion *mr_a = *(MemoryRegion *const *)a;
    const MemoryRegion *mr_b = *(MemoryRegion *const *)b;

    if (mr_a->addr != mr_b->addr) {
        return mr_a->addr < mr_b->addr ? -1 : 1;
    }
    if (mr_a->priority != mr_b->priority) {
        return mr_a->priority > mr_b->priority ? -1 : 1;
    }
    return 0;
}

static void mtree_print_region(MtreeOptions *opts, MemoryRegion *mr,
                               unsigned int level, uint64_t base)
{
    uint64_t start = base + mr->addr;
    g_autoptr(GPtrArray) subregions = g_ptr_array_new();
    MemoryRegion *submr;
    guint i;

    if (mr->alias) {
        mtree_note_alias_target(opts, mr->alias);
    }
    if (mr->enabled || opts->disabled) {
        mtree_print_region_line(opts, mr, level, base);
    }

    /* A stable sort keeps equal keys in rendering order, as QEMU does. */
    for (submr = memory_region_next_subregion(mr, NULL); submr;
         submr = memory_region_next_subregion(mr, submr)) {
        g_ptr_array_add(subregions, submr);
    }
    g_ptr_array_sort(subregions, mtree_compare_subregions);
    for (i = 0; i < subregions->len; i++) {
        mtree_print_region(opts, g_ptr_array_index(subregions, i), level + 1,
                           start);
    }
}

static gint mtree_compare_as_names(gconstpointer a, gconstpointer b)
{
    const AddressSpace *as_a = a;
    const AddressSpace *as_b = b;

    return strcmp(as_a->name, as_b->name);
}

/* Address spaces grouped by root region, groups in order of first sight. */
static GPtrArray *mtree_group_address_spaces_by_root(void)
{
    GPtrArray *groups = g_ptr_array_new_with_free_func(
        (GDestroyNotify)g_slist_free);
    AddressSpace *as;

    for (as = address_space_next(NULL); as; as = address_space_next(as)) {
        guint i;

        for (i = 0; i < groups->len; i++) {
            GSList *group = g_ptr_array_index(groups, i);
            AddressSpace *first = group->data;

            if (first->root == as->root) {
                group = g_slist_insert_sorted(group, as,
                                              mtree_compare_as_names);
                groups->pdata[i] = group;
                break;
            }
        }
        if (i == groups->len) {
            g_ptr_array_add(groups, g_slist_prepend(NULL, as));
        }
    }
    return groups;
}

static void mtree_info_as(GString *out, bool owner, bool disabled)
{
    g_autoptr(GPtrArray) groups = mtree_group_address_spaces_by_root();
    g_autoptr(GPtrArray) alias_targets = g_ptr_array_new();
    MtreeOptions opts = {
        .out = out,
        .owner = owner,
        .disabled = disabled,
        .alias_targets = alias_targets,
    };
    guint i;

    for (i = 0; i < groups->len; i++) {
        GSList *group = g_ptr_array_index(groups, i);
        AddressSpace *first = group->data;
        GSList *l;

        for (l = group; l; l = l->next) {
            AddressSpace *as = l->data;

            g_string_append_printf(out, "address-space: %s\n", as->name);
        }
        mtree_print_region(&opts, first->root, 1, 0);
        g_string_append_c(out, '\n');
    }

    /* Printing a target may add further targets: the array grows. */
    for (i = 0; i < alias_targets->len; i++) {
        MemoryRegion *target = g_ptr_array_index(alias_targets, i);

        g_string_append_printf(out, "memory-region: %s\n",
                               memory_region_name(target));
        mtree_print_region(&opts, target, 1, 0);
        g_string_append_c(out, '\n');
    }
}

/*
 * The region QEMU renders @mr's flat view from, which decides which
 * address spaces share a view: aliases of a whole region at offset 0 and
 * containers whose only enabled child covers them from offset 0 are looked
 * through.  NULL if nothing is rendered (disabled or empty).
 */
static MemoryRegion *mtree_flatview_root(MemoryRegion *mr)
{
    while (mr->enabled) {
        if (mr->alias) {
            if (mr->alias_offset == 0 &&
                int128_ge(mr->size, mr->alias->size)) {
                mr = mr->alias;
                continue;
            }
        } else if (!mr->terminates) {
            MemoryRegion *child, *only = NULL;
            unsigned int enabled = 0;

            for (child = memory_region_next_subregion(mr, NULL); child;
                 child = memory_region_next_subregion(mr, child)) {
                if (child->enabled) {
                    enabled++;
                    only = child;
                }
            }
            if (!enabled) {
                return NULL;
            }
            if (enabled == 1 && only->addr == 0 &&
                int128_ge(mr->size, only->size)) {
                mr = only;
                continue;
            }
        }
        return mr;
    }
    return NULL;
}

typedef struct MtreeFlatViewPrinter {
    GString *out;
    AddressSpace *as;
    bool owner;
} MtreeFlatViewPrinter;

static bool mtree_print_flat_range(Int128 start, Int128 len,
                                   const MemoryRegion *mr,
                                   hwaddr offset_in_region, void *opaque)
{
    MtreeFlatViewPrinter *printer = opaque;
    GString *out = printer->out;
    uint64_t first = int128_get64(start);
    uint64_t last = first + mtree_last_offset(len);
    /* Read-only and non-volatile are properties of the rendered range. */
    MemoryRegionSection section = memory_region_find(printer->as->root,
                                                     first, last - first + 1);
    bool readonly = section.mr ? section.readonly : mr->readonly;
    bool nonvolatile = section.mr ? section.nonvolatile : mr->nonvolatile;

    if (section.mr) {
        memory_region_unref(section.mr);
    }
    g_string_append_printf(out, MTREE_INDENT MTREE_ADDR_FMT "-" MTREE_ADDR_FMT
                           " (prio %d, %s%s): %s",
                           first, last, mr->priority,
                           nonvolatile ? "nv-" : "",
                           readonly ? "rom" : mtree_region_kind(mr),
                           memory_region_name(mr));
    if (offset_in_region) {
        g_string_append_printf(out, " @" MTREE_ADDR_FMT,
                               (uint64_t)offset_in_region);
    }
    if (printer->owner) {
        mtree_print_owner(out, mr);
    }
    g_string_append_c(out, '\n');
    return false;
}

/* Address spaces sharing one flat view (as QEMU would share it). */
typedef struct MtreeFlatViewGroup {
    MemoryRegion *root;
    GPtrArray *address_spaces;
} MtreeFlatViewGroup;

static void mtree_flatview_group_free(gpointer data)
{
    MtreeFlatViewGroup *group = data;

    g_ptr_array_unref(group->address_spaces);
    g_free(group);
}

static GPtrArray *mtree_group_address_spaces_by_flatview(void)
{
    GPtrArray *groups = g_ptr_array_new_with_free_func(
        mtree_flatview_group_free);
    AddressSpace *as;

    for (as = address_space_next(NULL); as; as = address_space_next(as)) {
        MemoryRegion *root = mtree_flatview_root(as->root);
        MtreeFlatViewGroup *group = NULL;
        guint i;

        for (i = 0; i < groups->len && !group; i++) {
            MtreeFlatViewGroup *candidate = g_ptr_array_index(groups, i);

            if (candidate->root == root) {
                group = candidate;
            }
        }
        if (!group) {
            group = g_new0(MtreeFlatViewGroup, 1);
            group->root = root;
            group->address_spaces = g_ptr_array_new();
            g_ptr_array_add(groups, group);
        }
        g_ptr_array_add(group->address_spaces, as);
    }
    return groups;
}

static void mtree_print_flatview(GString *out, MtreeFlatViewGroup *group,
                                 unsigned int nr, bool owner)
{
    AddressSpace *first = g_ptr_array_index(group->address_spaces, 0);
    MtreeFlatViewPrinter printer = { .out = out, .as = first, .owner = owner };
    FlatView *view;
    guint i;

    g_string_append_printf(out, "FlatView #%u\n", nr);
    for (i = 0; i < group->address_spaces->len; i++) {
        AddressSpace *as = g_ptr_array_index(group->address_spaces, i);

        g_string_append_printf(out, " AS \"%s\", root: %s", as->name,
                               memory_region_name(as->root));
        if (as->root->alias) {
            g_string_append_printf(out, ", alias %s",
                                   memory_region_name(as->root->alias));
        }
        g_string_append_c(out, '\n');
    }
    g_string_append_printf(out, " Root memory region: %s\n",
                           group->root ? memory_region_name(group->root)
                                       : "(none)");

    view = address_space_get_flatview(first);
    if (!flatview_nr_ranges(view)) {
        g_string_append(out, MTREE_INDENT "No rendered FlatView\n\n");
    } else {
        flatview_for_each_range(view, mtree_print_flat_range, &printer);
        g_string_append_c(out, '\n');
    }
    flatview_unref(view);
}

static void mtree_info_flatview(GString *out, bool owner)
{
    g_autoptr(GPtrArray) groups = mtree_group_address_spaces_by_flatview();
    guint i;

    for (i = 0; i < groups->len; i++) {
        mtree_print_flatview(out, g_ptr_array_index(groups, i), i, owner);
    }
}

void mtree_info(GString *out, bool flatview, bool owner, bool disabled)
{
    if (flatview) {
        mtree_info_flatview(out, owner);
    } else {
        mtree_info_as(out, owner, disabled);
    }
}
