/*
 * VFIO DMA mapping: the memory listener shared by every container backend,
 * and RamDiscardManager handling (map only what is populated).
 */
#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "exec/ramblock.h"
#include "hw/vfio/vfio-common.h"

/* A RAM section without a RamDiscardManager, mapped as one range. */
typedef struct VFIOPlainSection {
    hwaddr iova;
    uint64_t size;
} VFIOPlainSection;

/*
 * A section whose region has a RamDiscardManager: populated chunks are
 * mapped one by one as the manager notifies them.
 */
typedef struct VFIORamDiscardListener {
    VFIOContainer *container;
    MemoryRegion *mr;
    hwaddr offset_within_address_space;
    hwaddr offset_within_region;
    uint64_t size;
    uint64_t granularity;
    /* Over the container's limit with strict_dma_limit: veto populates. */
    bool refuse;
    RamDiscardListener listener;
} VFIORamDiscardListener;

/* ---- messages ---- */

/* Keep the newest messages only: a guest can cause any number of them. */
#define VFIO_MAX_WARNINGS 64

static void vfio_container_record(VFIOContainer *c, const char *msg)
{
    if (c->warnings->len >= VFIO_MAX_WARNINGS) {
        g_ptr_array_remove_index(c->warnings, 0);
    }
    g_ptr_array_add(c->warnings, g_strdup(msg));
}

/*
 * A problem the listener cannot return to anyone: fail the attach in
 * progress, or report it (and keep it for queries) at run time.
 */
static void vfio_container_report(VFIOContainer *c, Error *err)
{
    vfio_container_record(c, error_get_pretty(err));
    if (c->attaching && !c->error) {
        c->error = err;
        return;
    }
    error_report_err(err);
}

static void vfio_container_warn(VFIOContainer *c, const char *msg)
{
    vfio_container_record(c, msg);
    warn_report("%s", msg);
}

/* ---- sections ---- */

/* RAM the container maps; MMIO and RAM devices (BARs) are not DMA targets. */
static bool vfio_section_is_dma_ram(MemoryRegionSection *section)
{
    return memory_region_is_ram(section->mr) &&
           !memory_region_is_ram_device(section->mr);
}

/*
 * The IOMMU-page-aligned part of @section, as [*@iova, *@iova + *@size);
 * false if empty.
 */
static bool vfio_section_iova_range(VFIOContainer *c,
                                    MemoryRegionSection *section,
                                    hwaddr *iova, uint64_t *size)
{
    Int128 start = int128_make64(ROUND_UP(section->offset_within_address_space,
                                          c->pgsize));
    Int128 end = int128_add(int128_make64(section->offset_within_address_space),
                            section->size);

    end = int128_and(end, int128_not(int128_make64(c->pgsize - 1)));
    if (int128_ge(start, end)) {
        return false;
    }
    *iova = int128_get64(start);
    *size = int128_get64(int128_sub(end, start));
    return true;
}

static void *vfio_section_host_addr(MemoryRegionSection *section, hwaddr iova)
{
    uint8_t *base = memory_region_get_ram_ptr(section->mr);

    return base + section->offset_within_region +
           (iova - section->offset_within_address_space);
}

static int vfio_dma_map(VFIOContainer *c, hwaddr iova, uint64_t size,
                        void *vaddr, bool readonly, Error **errp)
{
    return c->ops->dma_map(c, iova, size, vaddr, readonly, errp);
}

static void vfio_dma_unmap(VFIOContainer *c, hwaddr iova, uint64_t size)
{
    Error *err = NULL;

    if (c->ops->dma_unmap(c, iova, size, &err)) {
        error_prepend(&err, "%s: unmapping [0x%" PRIx64 ", 0x%" PRIx64 "): ",
                      c->name, iova, iova + size);
        vfio_container_report(c, err);
    }
}

uint64_t vfio_container_worst_case_mappings(const VFIOContainer *c)
{
    uint64_t n = g_list_length(c->plain_sections);

    for (GList *l = c->rdm_listeners; l; l = l->next) {
        VFIORamDiscardListener *vrdl = l->data;

        n += DIV_ROUND_UP(vrdl->size, vrdl->granularity);
    }
    return n;
}

/* ---- sections with a RamDiscardManager ---- */

static VFIORamDiscardListener *vfio_rdl(RamDiscardListener *rdl)
{
    return container_of(rdl, VFIORamDiscardListener, listener);
}

/* Unmap the chunks of [@offset, @end) (region offsets) of @vrdl's section. */
static void vfio_rdl_unmap(VFIORamDiscardListener *vrdl, hwaddr offset,
                           hwaddr end)
{
    hwaddr iova = vrdl->offset_within_address_space +
                  (offset - vrdl->offset_within_region);

    if (end > offset) {
        vfio_dma_unmap(vrdl->container, iova, end - offset);
    }
}

/*
 * Map each granularity-sized chunk of @section as a mapping of its own, so
 * that a later discard of part of it unmaps exactly that part.  On failure
 * what was mapped of @section is unmapped again and the populate vetoed.
 */
static int vfio_rdl_notify_populate(RamDiscardListener *rdl,
                                    MemoryRegionSection *section)
{
    VFIORamDiscardListener *vrdl = vfio_rdl(rdl);
    VFIOContainer *c = vrdl->container;
    hwaddr start = section->offset_within_region;
    hwaddr end = start + int128_get64(section->size);
    Error *err = NULL;
    hwaddr offset;
    int ret = 0;

    if (vrdl->refuse) {
        error_setg(&err, "%s: refusing to populate [0x%" PRIx64 ", 0x%" PRIx64
                   ") of '%s': the section may need more DMA mappings than "
                   "the container allows", c->name,
                   section->offset_within_address_space,
                   section->offset_within_address_space + (end - start),
                   memory_region_name(vrdl->mr));
        vfio_container_report(c, err);
        return -ENOSPC;
    }
    for (offset = start; offset < end; ) {
        hwaddr next = MIN(ROUND_DOWN(offset, vrdl->granularity) +
                          vrdl->granularity, end);
        MemoryRegionSection chunk = *section;
        hwaddr iova;
        uint64_t size;

        memory_region_section_intersect_range(&chunk, offset, next - offset);
        if (vfio_section_iova_range(c, &chunk, &iova, &size)) {
            ret = vfio_dma_map(c, iova, size,
                               vfio_section_host_addr(&chunk, iova),
                               chunk.readonly, &err);
            if (ret) {
                break;
            }
        }
        offset = next;
    }
    if (ret) {
        vfio_rdl_unmap(vrdl, start, offset);
        error_prepend(&err, "%s: vetoing the populate of [0x%" PRIx64
                      ", 0x%" PRIx64 ") of '%s': ", c->name,
                      section->offset_within_address_space,
                      section->offset_within_address_space + (end - start),
                      memory_region_name(vrdl->mr));
        vfio_container_report(c, err);
    }
    return ret;
}

static void vfio_rdl_notify_discard(RamDiscardListener *rdl,
                                    MemoryRegionSection *section)
{
    VFIORamDiscardListener *vrdl = vfio_rdl(rdl);

    vfio_rdl_unmap(vrdl, section->offset_within_region,
                   section->offset_within_region +
                   int128_get64(section->size));
}

/*
 * Check @vrdl's worst case, together with everything else mapped, against
 * the container's limit.
 */
static void vfio_rdl_check_limit(VFIOContainer *c,
                                 VFIORamDiscardListener *vrdl)
{
    uint64_t own = DIV_ROUND_UP(vrdl->size, vrdl->granularity);
    uint64_t total = vfio_container_worst_case_mappings(c);
    g_autofree char *msg = NULL;

    if (total <= c->dma_max_mappings) {
        return;
    }
    msg = g_strdup_printf("%s: '%s' may need up to %" PRIu64 " DMA mappings "
                          "(0x%" PRIx64 " bytes in blocks of 0x%" PRIx64 "), "
                          "%" PRIu64 " with the other sections, more than the "
                          "container's limit of %" PRIu64 "; increase the "
                          "virtio-mem device's 'block-size'",
                          c->name, memory_region_name(vrdl->mr), own,
                          vrdl->size, vrdl->granularity, total,
                          c->dma_max_mappings);
    if (c->strict_dma_limit) {
        Error *err = NULL;

        vrdl->refuse = true;
        error_setg(&err, "%s", msg);
        vfio_container_report(c, err);
    } else {
        vfio_container_warn(c, msg);
    }
}

static void vfio_rdl_add(VFIOContainer *c, MemoryRegionSection *section)
{
    RamDiscardManager *rdm = memory_region_get_ram_discard_manager(section->mr);
    VFIORamDiscardListener *vrdl = g_new0(VFIORamDiscardListener, 1);

    vrdl->container = c;
    vrdl->mr = section->mr;
    vrdl->offset_within_address_space = section->offset_within_address_space;
    vrdl->offset_within_region = section->offset_within_region;
    vrdl->size = int128_get64(section->size);
    vrdl->granularity = ram_discard_manager_get_min_granularity(rdm,
                                                                section->mr);
    c->rdm_listeners = g_list_append(c->rdm_listeners, vrdl);
    vfio_rdl_check_limit(c, vrdl);

    /* Unmapping a range with nothing mapped in it is fine for us. */
    ram_discard_listener_init(&vrdl->listener, vfio_rdl_notify_populate,
                              vfio_rdl_notify_discard, true);
    /* Maps what is populated now; failures are reported by the callback. */
    ram_discard_manager_register_listener(rdm, &vrdl->listener, section);
}

static void vfio_rdl_del(VFIOContainer *c, MemoryRegionSection *section)
{
    RamDiscardManager *rdm = memory_region_get_ram_discard_manager(section->mr);

    for (GList *l = c->rdm_listeners; l; l = l->next) {
        VFIORamDiscardListener *vrdl = l->data;

        if (vrdl->mr == section->mr &&
            vrdl->offset_within_address_space ==
                section->offset_within_address_space &&
            vrdl->offset_within_region == section->offset_within_region &&
            vrdl->size == int128_get64(section->size)) {
            /* Unmaps every populated part of the section. */
            ram_discard_manager_unregister_listener(rdm, &vrdl->listener);
            c->rdm_listeners = g_list_delete_link(c->rdm_listeners, l);
            g_free(vrdl);
            return;
        }
    }
}

/* ---- the memory listener ---- */

static VFIOContainer *vfio_container_of(MemoryListener *listener)
{
    return container_of(listener, VFIOContainer, listener);
}

static void vfio_listener_region_add(MemoryListener *listener,
                                     MemoryRegionSection *section)
{
    VFIOContainer *c = vfio_container_of(listener);
    VFIOPlainSection *ps;
    Error *err = NULL;
    hwaddr iova;
    uint64_t size;

    if (!vfio_section_is_dma_ram(section)) {
        return;
    }
    if (memory_region_has_ram_discard_manager(section->mr)) {
        vfio_rdl_add(c, section);
        return;
    }
    if (!vfio_section_iova_range(c, section, &iova, &size)) {
        return;
    }
    if (vfio_dma_map(c, iova, size, vfio_section_host_addr(section, iova),
                     section->readonly, &err)) {
        error_prepend(&err, "%s: mapping '%s' at [0x%" PRIx64 ", 0x%" PRIx64
                      "): ", c->name, memory_region_name(section->mr), iova,
                      iova + size);
        vfio_container_report(c, err);
    }
    /* Tracked even when the map failed: the limit check counts it. */
    ps = g_new0(VFIOPlainSection, 1);
    ps->iova = iova;
    ps->size = size;
    c->plain_sections = g_list_append(c->plain_sections, ps);
}

static void vfio_listener_region_del(MemoryListener *listener,
                                     MemoryRegionSection *section)
{
    VFIOContainer *c = vfio_container_of(listener);
    hwaddr iova;
    uint64_t size;

    if (!vfio_section_is_dma_ram(section)) {
        return;
    }
    if (memory_region_has_ram_discard_manager(section->mr)) {
        vfio_rdl_del(c, section);
        return;
    }
    if (!vfio_section_iova_range(c, section, &iova, &size)) {
        return;
    }
    for (GList *l = c->plain_sections; l; l = l->next) {
        VFIOPlainSection *ps = l->data;

        if (ps->iova == iova && ps->size == size) {
            vfio_dma_unmap(c, iova, size);
            c->plain_sections = g_list_delete_link(c->plain_sections, l);
            g_free(ps);
            return;
        }
    }
}

/* ---- containers ---- */

void vfio_container_init(VFIOContainer *c, const VFIOContainerOps *ops,
                         const char *name, uint64_t pgsize,
                         uint64_t dma_max_mappings)
{
    memset(c, 0, sizeof(*c));
    c->ops = ops;
    c->name = g_strdup(name);
    c->pgsize = pgsize;
    c->dma_max_mappings = dma_max_mappings;
    c->warnings = g_ptr_array_new_with_free_func(g_free);
    c->listener.region_add = vfio_listener_region_add;
    c->listener.region_del = vfio_listener_region_del;
    c->listener.name = "vfio";
    c->listener.priority = 10;
}

void vfio_container_destroy(VFIOContainer *c)
{
    g_assert(!c->nr_users);
    g_ptr_array_unref(c->warnings);
    c->warnings = NULL;
    g_free(c->name);
    c->name = NULL;
}

bool vfio_container_attach(VFIOContainer *c, AddressSpace *as, Error **errp)
{
    if (c->nr_users) {
        if (c->as != as) {
            error_setg(errp, "%s is used in address space '%s' already, "
                       "not '%s'", c->name, c->as->name, as->name);
            return false;
        }
        c->nr_users++;
        return true;
    }
    c->as = as;
    c->attaching = true;
    memory_listener_register(&c->listener, as);
    c->attaching = false;
    if (c->error) {
        error_propagate(errp, c->error);
        c->error = NULL;
        /* Unmaps whatever was mapped. */
        memory_listener_unregister(&c->listener);
        c->as = NULL;
        return false;
    }
    c->nr_users = 1;
    return true;
}

void vfio_container_detach(VFIOContainer *c)
{
    g_assert(c->nr_users);
    if (--c->nr_users) {
        return;
    }
    memory_listener_unregister(&c->listener);
    g_assert(!c->plain_sections && !c->rdm_listeners);
    c->as = NULL;
}

unsigned vfio_container_users(const VFIOContainer *c)
{
    return c->nr_users;
}

const GPtrArray *vfio_container_warnings(const VFIOContainer *c)
{
    return c->warnings;
}

/* ---- discard coordination ---- */

bool vfio_discard_disable(VFIODiscardMode mode, const char *who,
                          Error **errp)
{
    int ret;

    if (mode == VFIO_DISCARD_ALL_DISABLED) {
        ret = ram_block_discard_disable(true);
        if (ret) {
            error_setg_errno(errp, -ret, "%s: cannot disable RAM discards: "
                             "a device relies on discarding RAM (e.g. "
                             "virtio-mem)", who);
            return false;
        }
        return true;
    }
    ret = ram_block_uncoordinated_discard_disable(true);
    if (ret) {
        error_setg_errno(errp, -ret, "%s: cannot disable uncoordinated RAM "
                         "discards: a device relies on them", who);
        return false;
    }
    return true;
}

void vfio_discard_enable(VFIODiscardMode mode)
{
    if (mode == VFIO_DISCARD_ALL_DISABLED) {
        ram_block_discard_disable(false);
    } else {
        ram_block_uncoordinated_discard_disable(false);
    }
}
