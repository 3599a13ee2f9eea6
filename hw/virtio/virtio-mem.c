/*
 * virtio-mem: paravirtualized memory hot(un)plug (virtio 1.2 "Memory
 * Device").  See include/hw/virtio/virtio-mem.h and docs/virtio-mem.md.
 */
#include "qemu/osdep.h"
#include <linux/virtio_ids.h>
#include <linux/virtio_mem.h>
#include "hw/virtio/virtio-mem.h"
#include "hw/qdev-properties.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/iov.h"
#include "qemu/units.h"
#include "sysemu/reset.h"

#define VIRTIO_MEM_QUEUE_SIZE 128

/* THP size: the smallest block size that keeps huge pages usable. */
#define VIRTIO_MEM_DEFAULT_THP_SIZE (2 * MiB)

static RAMBlock *virtio_mem_ram_block(const VirtIOMEM *vmem)
{
    return vmem->memdev->mr.ram_block;
}

static uint64_t virtio_mem_region_size(const VirtIOMEM *vmem)
{
    return memory_region_size(&vmem->memdev->mr);
}

/*
 * The block size the device uses: the property if set, else the larger of
 * the THP size and the backend's page size (known once it is completed).
 */
static uint64_t virtio_mem_effective_block_size(const VirtIOMEM *vmem)
{
    uint64_t page_size;

    if (vmem->block_size) {
        return vmem->block_size;
    }
    if (!vmem->memdev || !host_memory_backend_mr_inited(vmem->memdev)) {
        return VIRTIO_MEM_DEFAULT_THP_SIZE;
    }
    page_size = host_memory_backend_pagesize(vmem->memdev);
    return MAX(VIRTIO_MEM_DEFAULT_THP_SIZE, page_size);
}

static bool virtio_mem_check_memslots(const VirtIOMEM *vmem, Error **errp)
{
    if (vmem->memslots < 1 || vmem->memslots > VIRTIO_MEM_MAX_MEMSLOTS) {
        error_setg(errp, "'%s' property must be in the range [1, %d]",
                   VIRTIO_MEM_MEMSLOTS_PROP, VIRTIO_MEM_MAX_MEMSLOTS);
        return false;
    }
    return true;
}

/* Before the decision: dynamic-memslots leaves the number to us. */
static bool virtio_mem_check_dynamic_memslots(const VirtIOMEM *vmem,
                                              Error **errp)
{
    if (vmem->dynamic_memslots && vmem->memslots > 1) {
        error_setg(errp, "'%s' property set to 'on' conflicts with '%s=%"
                   PRIu32 "': the number of memslots is decided "
                   "automatically", VIRTIO_MEM_DYNAMIC_MEMSLOTS_PROP,
                   VIRTIO_MEM_MEMSLOTS_PROP, vmem->memslots);
        return false;
    }
    return true;
}

/* The (still empty) container the memory device code maps. */
static void virtio_mem_prepare_mr(VirtIOMEM *vmem)
{
    vmem->mr = g_new0(MemoryRegion, 1);
    memory_region_init(vmem->mr, OBJECT(vmem), "virtio-mem-memslots",
                       virtio_mem_region_size(vmem));
    vmem->mr->align = vmem->memdev->mr.align;
}

/*
 * Create @nb aliases of the memdev region of @size each (the last one
 * may be smaller).  None is mapped yet.
 */
static void virtio_mem_init_memslots(VirtIOMEM *vmem, uint32_t nb,
                                     uint64_t size)
{
    uint64_t region_size = virtio_mem_region_size(vmem);
    MemoryRegion *memdev_mr = &vmem->memdev->mr;

    vmem->memslot_size = size;
    vmem->nb_memslots = nb;
    vmem->nb_mapped_memslots = 0;
    vmem->memslot_mapped = g_new0(bool, nb);
    vmem->memslot_mrs = g_new0(MemoryRegion, nb);
    for (uint32_t i = 0; i < nb; i++) {
        uint64_t offset = i * size;
        g_autofree char *name = g_strdup_printf("virtio-mem-memslot-%u", i);

        memory_region_init_alias(&vmem->memslot_mrs[i], OBJECT(vmem), name,
                                 memdev_mr, offset,
                                 MIN(size, region_size - offset));
        /* Each memslot must stay a section (and KVM slot) of its own. */
        memory_region_set_unmergeable(&vmem->memslot_mrs[i], true);
    }
}

/*
 * memslots=N: each memslot at least VIRTIO_MEM_MIN_MEMSLOT_SIZE and a
 * multiple of the block size, as even as that allows.
 */
static void virtio_mem_prepare_static_memslots(VirtIOMEM *vmem)
{
    uint64_t region_size = virtio_mem_region_size(vmem);
    uint64_t block_size = virtio_mem_effective_block_size(vmem);
    uint64_t size;

    size = QEMU_ALIGN_UP(DIV_ROUND_UP(region_size, vmem->memslots),
                         block_size);
    size = QEMU_ALIGN_UP(MAX(size, VIRTIO_MEM_MIN_MEMSLOT_SIZE), block_size);
    virtio_mem_prepare_mr(vmem);
    virtio_mem_init_memslots(vmem, DIV_ROUND_UP(region_size, size), size);
}

static void virtio_mem_decide_memslots(VirtIOMEM *vmem, unsigned int limit)
{
    uint64_t region_size, block_size, size, min_size;

    if (!vmem->dynamic_memslots || !vmem->mr || vmem->nb_memslots) {
        return;
    }
    region_size = virtio_mem_region_size(vmem);
    block_size = virtio_mem_effective_block_size(vmem);
    limit = MAX(limit, 1);
    if (!QEMU_IS_ALIGNED(region_size, block_size)) {
        /* realize will refuse the device; keep it simple meanwhile */
        size = region_size;
    } else {
        min_size = QEMU_ALIGN_UP(VIRTIO_MEM_DYNAMIC_MIN_MEMSLOT_SIZE,
                                 block_size);
        size = QEMU_ALIGN_UP(DIV_ROUND_UP(region_size, limit), block_size);
        size = MIN(MAX(size, min_size), region_size);
    }
    virtio_mem_init_memslots(vmem, DIV_ROUND_UP(region_size, size), size);
    /* reading "memslots" back tells the decision */
    vmem->memslots = vmem->nb_memslots;
}

/* Map or unmap memslot @i; the caller wraps changes in a transaction. */
static void virtio_mem_set_memslot_mapped(VirtIOMEM *vmem, uint32_t i,
                                          bool mapped)
{
    if (vmem->memslot_mapped[i] == mapped) {
        return;
    }
    vmem->memslot_mapped[i] = mapped;
    if (mapped) {
        memory_region_add_subregion(vmem->mr, i * vmem->memslot_size,
                                    &vmem->memslot_mrs[i]);
        vmem->nb_mapped_memslots++;
    } else {
        memory_region_del_subregion(vmem->mr, &vmem->memslot_mrs[i]);
        vmem->nb_mapped_memslots--;
    }
}

/* Unmap every memslot (one transaction). */
static void virtio_mem_unmap_all_memslots(VirtIOMEM *vmem)
{
    if (!vmem->nb_mapped_memslots) {
        return;
    }
    memory_region_transaction_begin();
    for (uint32_t i = 0; i < vmem->nb_memslots; i++) {
        virtio_mem_set_memslot_mapped(vmem, i, false);
    }
    memory_region_transaction_commit();
}

/*
 * memslots=N: map exactly the memslots overlapping the usable region:
 * growing maps them before any block inside them gets plugged, shrinking
 * unmaps them once nothing in them is plugged.  One transaction.
 */
static void virtio_mem_update_memslots(VirtIOMEM *vmem)
{
    uint32_t needed;

    if (!vmem->mr || vmem->dynamic_memslots) {
        return;
    }
    needed = DIV_ROUND_UP(vmem->usable_region_size, vmem->memslot_size);
    if (needed == vmem->nb_mapped_memslots) {
        return;
    }
    memory_region_transaction_begin();
    for (uint32_t i = 0; i < vmem->nb_memslots; i++) {
        virtio_mem_set_memslot_mapped(vmem, i, i < needed);
    }
    memory_region_transaction_commit();
}

/* The memslots [*@first, *@last] touched by [@offset, @offset + @size). */
static void virtio_mem_memslot_range(const VirtIOMEM *vmem, uint64_t offset,
                                     uint64_t size, uint32_t *first,
                                     uint32_t *last)
{
    *first = offset / vmem->memslot_size;
    *last = (offset + size - 1) / vmem->memslot_size;
}

/*
 * dynamic-memslots: map the memslots [@offset, @offset + @size) touches,
 * before blocks in them get plugged (one transaction).
 */
static void virtio_mem_activate_memslots(VirtIOMEM *vmem, uint64_t offset,
                                         uint64_t size)
{
    uint32_t first, last;

    if (!vmem->dynamic_memslots || !vmem->nb_memslots) {
        return;
    }
    virtio_mem_memslot_range(vmem, offset, size, &first, &last);
    memory_region_transaction_begin();
    for (uint32_t i = first; i <= last; i++) {
        virtio_mem_set_memslot_mapped(vmem, i, true);
    }
    memory_region_transaction_commit();
}

/*
 * dynamic-memslots: unmap the memslots [@offset, @offset + @size)
 * touches that hold no plugged block anymore (one transaction).
 */
static void virtio_mem_deactivate_unplugged_memslots(VirtIOMEM *vmem,
                                                     uint64_t offset,
                                                     uint64_t size)
{
    uint64_t region_size = virtio_mem_region_size(vmem);
    uint32_t first, last;

    if (!vmem->dynamic_memslots || !vmem->nb_memslots) {
        return;
    }
    virtio_mem_memslot_range(vmem, offset, size, &first, &last);
    memory_region_transaction_begin();
    for (uint32_t i = first; i <= last; i++) {
        uint64_t start = i * vmem->memslot_size;
        uint64_t len = MIN(vmem->memslot_size, region_size - start);

        if (ram_discard_bitmap_range_discarded(&vmem->plugged, start, len)) {
            virtio_mem_set_memslot_mapped(vmem, i, false);
        }
    }
    memory_region_transaction_commit();
}

/*
 * The single place deciding which region the memory device code maps:
 * the backend's RAM region itself with one static memslot, else the
 * container of memslot aliases (created on the first call, i.e. at
 * pre-plug).
 */
static MemoryRegion *virtio_mem_get_memory_region(VirtIOMEM *vmem,
                                                  Error **errp)
{
    if (!vmem->memdev) {
        error_setg(errp, "'%s' property must be set",
                   VIRTIO_MEM_MEMDEV_PROP);
        return NULL;
    }
    if (vmem->mr) {
        return vmem->mr;
    }
    if (!virtio_mem_check_memslots(vmem, errp) ||
        !virtio_mem_check_dynamic_memslots(vmem, errp)) {
        return NULL;
    }
    if (vmem->dynamic_memslots) {
        virtio_mem_prepare_mr(vmem);
    } else if (vmem->memslots > 1) {
        virtio_mem_prepare_static_memslots(vmem);
    } else {
        return &vmem->memdev->mr;
    }
    return vmem->mr;
}

static unsigned int virtio_mem_get_memslots(VirtIOMEM *vmem)
{
    return vmem->nb_memslots ? vmem->nb_memslots : 1;
}

/* ---- usable region and plugged size ---- */

/*
 * The usable region reaches VIRTIO_MEM_USABLE_EXTENT beyond the requested
 * size (capped at the region, rounded up to blocks; empty when nothing is
 * requested).  It only shrinks when @can_shrink: the driver may still use
 * what it was told it could, until everything is unplugged.
 */
static void virtio_mem_resize_usable_region(VirtIOMEM *vmem,
                                            uint64_t requested_size,
                                            bool can_shrink)
{
    uint64_t newsize = MIN(virtio_mem_region_size(vmem),
                           requested_size + VIRTIO_MEM_USABLE_EXTENT);

    newsize = QEMU_ALIGN_UP(newsize, vmem->block_size);
    if (!requested_size) {
        newsize = 0;
    }
    if (newsize < vmem->usable_region_size && !can_shrink) {
        return;
    }
    vmem->usable_region_size = newsize;
    virtio_mem_update_memslots(vmem);
}

static void virtio_mem_set_plugged_size(VirtIOMEM *vmem, uint64_t size)
{
    if (vmem->size == size) {
        return;
    }
    vmem->size = size;
    if (vmem->size_change_fn) {
        vmem->size_change_fn(vmem, size, vmem->size_change_opaque);
    }
}

/* ---- plugging and unplugging ranges (offsets within the region) ---- */

/* Tell listeners, then (with prealloc) populate; undo both on failure. */
static int virtio_mem_plug_range(VirtIOMEM *vmem, uint64_t offset,
                                 uint64_t size)
{
    MemoryRegion *mr = &vmem->memdev->mr;
    int ret;

    ret = ram_discard_listener_list_notify_populate(&vmem->listeners, mr,
                                                    offset, size);
    if (ret) {
        return ret;
    }
    if (vmem->prealloc) {
        ret = ram_block_populate_range(virtio_mem_ram_block(vmem), offset,
                                       size);
        if (ret) {
            ram_block_discard_range(virtio_mem_ram_block(vmem), offset, size);
            ram_discard_listener_list_notify_discard(&vmem->listeners, mr,
                                                     offset, size);
            return ret;
        }
    }
    ram_discard_bitmap_set_populated(&vmem->plugged, offset, size);
    virtio_mem_set_plugged_size(vmem, vmem->size + size);
    return 0;
}

/* Give the memory back to the host, then tell listeners. */
static int virtio_mem_unplug_range(VirtIOMEM *vmem, uint64_t offset,
                                   uint64_t size)
{
    int ret;

    ret = ram_block_discard_range(virtio_mem_ram_block(vmem), offset, size);
    if (ret) {
        return ret;
    }
    ram_discard_bitmap_set_discarded(&vmem->plugged, offset, size);
    ram_discard_listener_list_notify_discard(&vmem->listeners,
                                             &vmem->memdev->mr, offset, size);
    virtio_mem_set_plugged_size(vmem, vmem->size - size);
    return 0;
}

static int virtio_mem_unplug_all(VirtIOMEM *vmem)
{
    int ret;

    if (vmem->size) {
        ret = ram_block_discard_range(virtio_mem_ram_block(vmem), 0,
                                      virtio_mem_region_size(vmem));
        if (ret) {
            return ret;
        }
        /* Listeners still see the old state while being notified. */
        ram_discard_listener_list_notify_discard_all(
            &vmem->listeners, RAM_DISCARD_MANAGER(vmem), &vmem->memdev->mr);
        ram_discard_bitmap_set_discarded(&vmem->plugged, 0,
                                         virtio_mem_region_size(vmem));
        virtio_mem_set_plugged_size(vmem, 0);
    }
    if (vmem->dynamic_memslots && vmem->nb_memslots) {
        virtio_mem_unmap_all_memslots(vmem);
    }
    virtio_mem_resize_usable_region(vmem, vmem->requested_size, true);
    return 0;
}

/* ---- requests ---- */

/*
 * Whether [@gpa, @gpa + @nb_blocks blocks) is a non-empty, block aligned
 * range inside the usable region; sets *@size to its length.
 */
static bool virtio_mem_valid_range(const VirtIOMEM *vmem, uint64_t gpa,
                                   uint16_t nb_blocks, uint64_t *size)
{
    uint64_t usable_end = vmem->addr + vmem->usable_region_size;

    if (!nb_blocks || !QEMU_IS_ALIGNED(gpa, vmem->block_size)) {
        return false;
    }
    if (nb_blocks > UINT64_MAX / vmem->block_size) {
        return false;
    }
    *size = nb_blocks * vmem->block_size;
    if (gpa + *size < gpa) {
        return false;
    }
    return gpa >= vmem->addr && gpa + *size <= usable_end;
}

static uint16_t virtio_mem_handle_plug(VirtIOMEM *vmem, uint64_t gpa,
                                       uint16_t nb_blocks)
{
    uint64_t size, offset;

    if (!virtio_mem_valid_range(vmem, gpa, nb_blocks, &size)) {
        return VIRTIO_MEM_RESP_ERROR;
    }
    if (vmem->size + size > vmem->requested_size) {
        return VIRTIO_MEM_RESP_NACK;
    }
    offset = gpa - vmem->addr;
    if (!ram_discard_bitmap_range_discarded(&vmem->plugged, offset, size)) {
        return VIRTIO_MEM_RESP_ERROR;
    }
    /* Listeners must find the memory mapped when told it is populated. */
    virtio_mem_activate_memslots(vmem, offset, size);
    if (virtio_mem_plug_range(vmem, offset, size)) {
        virtio_mem_deactivate_unplugged_memslots(vmem, offset, size);
        return VIRTIO_MEM_RESP_BUSY;
    }
    return VIRTIO_MEM_RESP_ACK;
}

static uint16_t virtio_mem_handle_unplug(VirtIOMEM *vmem, uint64_t gpa,
                                         uint16_t nb_blocks)
{
    uint64_t size, offset;

    if (!virtio_mem_valid_range(vmem, gpa, nb_blocks, &size)) {
        return VIRTIO_MEM_RESP_ERROR;
    }
    offset = gpa - vmem->addr;
    if (!ram_discard_bitmap_range_populated(&vmem->plugged, offset, size)) {
        return VIRTIO_MEM_RESP_ERROR;
    }
    if (virtio_mem_unplug_range(vmem, offset, size)) {
        return VIRTIO_MEM_RESP_BUSY;
    }
    virtio_mem_deactivate_unplugged_memslots(vmem, offset, size);
    return VIRTIO_MEM_RESP_ACK;
}

static uint16_t virtio_mem_handle_state(VirtIOMEM *vmem, uint64_t gpa,
                                        uint16_t nb_blocks, uint16_t *state)
{
    uint64_t size, offset;

    if (!virtio_mem_valid_range(vmem, gpa, nb_blocks, &size)) {
        return VIRTIO_MEM_RESP_ERROR;
    }
    offset = gpa - vmem->addr;
    if (ram_discard_bitmap_range_populated(&vmem->plugged, offset, size)) {
        *state = VIRTIO_MEM_STATE_PLUGGED;
    } else if (ram_discard_bitmap_range_discarded(&vmem->plugged, offset,
                                                  size)) {
        *state = VIRTIO_MEM_STATE_UNPLUGGED;
    } else {
        *state = VIRTIO_MEM_STATE_MIXED;
    }
    return VIRTIO_MEM_RESP_ACK;
}

static void virtio_mem_respond(VirtIOMEM *vmem, VirtQueueElement *elem,
                               uint16_t type, uint16_t state)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(vmem);
    struct virtio_mem_resp resp = {
        .type = GUINT16_TO_LE(type),
        .u.state.state = GUINT16_TO_LE(state),
    };

    iov_from_buf(elem->in_sg, elem->in_num, 0, &resp, sizeof(resp));
    virtqueue_push(vmem->vq, elem, sizeof(resp));
    virtio_notify(vdev, vmem->vq);
}

/* Returns false on a protocol violation (the device is broken then). */
static bool virtio_mem_handle_request(VirtIOMEM *vmem, VirtQueueElement *elem)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(vmem);
    struct virtio_mem_req req;
    uint16_t type, nb_blocks, state = 0, resp;
    uint64_t gpa;
    size_t len;

    len = iov_to_buf(elem->out_sg, elem->out_num, 0, &req, sizeof(req));
    if (len < sizeof(req)) {
        virtio_error(vdev, "virtio-mem protocol violation: invalid request"
                     " size: %zu", len);
        return false;
    }
    len = iov_size(elem->in_sg, elem->in_num);
    if (len < sizeof(struct virtio_mem_resp)) {
        virtio_error(vdev, "virtio-mem protocol violation: not enough space"
                     " for response: %zu", len);
        return false;
    }

    type = GUINT16_FROM_LE(req.type);
    /* plug, unplug and state share the layout of their arguments */
    gpa = GUINT64_FROM_LE(req.u.plug.addr);
    nb_blocks = GUINT16_FROM_LE(req.u.plug.nb_blocks);
    switch (type) {
    case VIRTIO_MEM_REQ_PLUG:
        resp = virtio_mem_handle_plug(vmem, gpa, nb_blocks);
        break;
    case VIRTIO_MEM_REQ_UNPLUG:
        resp = virtio_mem_handle_unplug(vmem, gpa, nb_blocks);
        break;
    case VIRTIO_MEM_REQ_UNPLUG_ALL:
        resp = virtio_mem_unplug_all(vmem) ? VIRTIO_MEM_RESP_BUSY
                                           : VIRTIO_MEM_RESP_ACK;
        break;
    case VIRTIO_MEM_REQ_STATE:
        resp = virtio_mem_handle_state(vmem, gpa, nb_blocks, &state);
        break;
    default:
        virtio_error(vdev, "virtio-mem protocol violation: unsupported request"
                     " type: %d", type);
        return false;
    }
    virtio_mem_respond(vmem, elem, resp, state);
    return true;
}

static void virtio_mem_handle_queue(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOMEM *vmem = VIRTIO_MEM(vdev);
    VirtQueueElement *elem;

    while ((elem = virtqueue_pop(vq, sizeof(VirtQueueElement)))) {
        bool ok = virtio_mem_handle_request(vmem, elem);

        if (!ok) {
            virtqueue_detach_element(vq, elem, 0);
            g_free(elem);
            return;
        }
        g_free(elem);
    }
}

/* ---- virtio device ---- */

static void virtio_mem_get_config(VirtIODevice *vdev, uint8_t *config_data)
{
    VirtIOMEM *vmem = VIRTIO_MEM(vdev);
    struct virtio_mem_config config = {
        .block_size = GUINT64_TO_LE(vmem->block_size),
        .node_id = GUINT16_TO_LE(vmem->node),
        .addr = GUINT64_TO_LE(vmem->addr),
        .region_size = GUINT64_TO_LE(virtio_mem_region_size(vmem)),
        .usable_region_size = GUINT64_TO_LE(vmem->usable_region_size),
        .plugged_size = GUINT64_TO_LE(vmem->size),
        .requested_size = GUINT64_TO_LE(vmem->requested_size),
    };

    memcpy(config_data, &config, sizeof(config));
}

static uint64_t virtio_mem_get_features(VirtIODevice *vdev, uint64_t features,
                                        Error **errp)
{
    VirtIOMEM *vmem = VIRTIO_MEM(vdev);

    virtio_add_feature(&features, VIRTIO_MEM_F_ACPI_PXM);
    if (vmem->unplugged_inaccessible == ON_OFF_AUTO_ON) {
        virtio_add_feature(&features, VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE);
    }
    return features;
}

/* A driver that would read unplugged memory must not get FEATURES_OK. */
static int virtio_mem_validate_features(VirtIODevice *vdev)
{
    VirtIOMEM *vmem = VIRTIO_MEM(vdev);

    if (vmem->unplugged_inaccessible == ON_OFF_AUTO_ON &&
        !virtio_vdev_has_feature(vdev, VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE)) {
        return -EFAULT;
    }
    return 0;
}

/*
 * Only ordinary private anonymous memory with the host page size reads
 * unplugged memory as the shared zero page without consuming memory.
 */
static bool virtio_mem_has_shared_zeropage(RAMBlock *rb)
{
    return !qemu_ram_is_shared(rb) && qemu_ram_get_fd(rb) < 0 &&
           qemu_ram_pagesize(rb) == (size_t)qemu_real_host_page_size();
}

static void virtio_mem_system_reset(void *opaque)
{
    VirtIOMEM *vmem = VIRTIO_MEM(opaque);

    /* A rebooted guest starts with nothing plugged. */
    if (virtio_mem_unplug_all(vmem)) {
        error_report("virtio-mem: unplugging all memory on reset failed");
    }
}

static bool virtio_mem_check_memdev(VirtIOMEM *vmem, Error **errp)
{
    if (!vmem->memdev) {
        error_setg(errp, "'%s' property is not set", VIRTIO_MEM_MEMDEV_PROP);
        return false;
    }
    if (host_memory_backend_is_mapped(vmem->memdev)) {
        error_setg(errp, "'%s' property specifies a busy memdev: %s",
                   VIRTIO_MEM_MEMDEV_PROP,
                   object_get_canonical_path_component(OBJECT(vmem->memdev)));
        return false;
    }
    if (memory_region_is_rom(&vmem->memdev->mr)) {
        error_setg(errp, "'%s' property specifies a read-only memdev: %s",
                   VIRTIO_MEM_MEMDEV_PROP,
                   object_get_canonical_path_component(OBJECT(vmem->memdev)));
        return false;
    }
    return true;
}

/* Without NUMA configuration the machine has a single node. */
static bool virtio_mem_check_node(VirtIOMEM *vmem, Error **errp)
{
    const uint32_t nb_numa_nodes = 1;

    if (vmem->node >= nb_numa_nodes) {
        /* QEMU 7.2's wording, including the missing space */
        error_setg(errp, "'%s' property has value '%" PRIu32 "', which exceeds"
                   "the number of numa nodes: %" PRIu32,
                   VIRTIO_MEM_NODE_PROP, vmem->node, nb_numa_nodes);
        return false;
    }
    return true;
}

static bool virtio_mem_check_sizes(VirtIOMEM *vmem, Error **errp)
{
    RAMBlock *rb = virtio_mem_ram_block(vmem);
    size_t page_size = qemu_ram_pagesize(rb);

    vmem->block_size = virtio_mem_effective_block_size(vmem);
    if (vmem->block_size < page_size) {
        error_setg(errp, "'%s' property has to be at least 0x%zx",
                   VIRTIO_MEM_BLOCK_SIZE_PROP, page_size);
        return false;
    }
    if (!QEMU_IS_ALIGNED(vmem->requested_size, vmem->block_size)) {
        error_setg(errp, "'%s' property has to be multiples of '%s' (0x%"
                   PRIx64 ")", VIRTIO_MEM_REQUESTED_SIZE_PROP,
                   VIRTIO_MEM_BLOCK_SIZE_PROP, vmem->block_size);
        return false;
    }
    if (!QEMU_IS_ALIGNED(virtio_mem_region_size(vmem), vmem->block_size)) {
        error_setg(errp, "backend memory size must be multiple of 0x%"
                   PRIx64, vmem->block_size);
        return false;
    }
    return true;
}

static void virtio_mem_resolve_unplugged_inaccessible(VirtIOMEM *vmem)
{
    if (vmem->unplugged_inaccessible != ON_OFF_AUTO_AUTO) {
        return;
    }
    vmem->unplugged_inaccessible =
        virtio_mem_has_shared_zeropage(virtio_mem_ram_block(vmem)) ?
        ON_OFF_AUTO_OFF : ON_OFF_AUTO_ON;
}

static void virtio_mem_device_realize(DeviceState *dev, Error **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtIOMEM *vmem = VIRTIO_MEM(dev);
    MemoryRegion *mr;
    int ret;

    if (!virtio_mem_check_memdev(vmem, errp) ||
        /* with a region, get_memory_region() checked them already */
        (!vmem->mr && (!virtio_mem_check_memslots(vmem, errp) ||
                       !virtio_mem_check_dynamic_memslots(vmem, errp))) ||
        !virtio_mem_check_node(vmem, errp) ||
        !virtio_mem_check_sizes(vmem, errp)) {
        return;
    }
    virtio_mem_resolve_unplugged_inaccessible(vmem);
    if (vmem->dynamic_memslots &&
        vmem->unplugged_inaccessible != ON_OFF_AUTO_ON) {
        /* QEMU 8.2's wording */
        error_setg(errp, "'%s' property set to 'on' requires '%s' to be 'on'",
                   VIRTIO_MEM_DYNAMIC_MEMSLOTS_PROP,
                   VIRTIO_MEM_UNPLUGGED_INACCESSIBLE_PROP);
        return;
    }
    if (vmem->dynamic_memslots && !vmem->nb_memslots) {
        /* Nobody decided (not plugged as a memory device): one memslot. */
        if (!vmem->mr) {
            virtio_mem_prepare_mr(vmem);
        }
        virtio_mem_decide_memslots(vmem, 1);
    }
    mr = &vmem->memdev->mr;

    ret = ram_block_coordinated_discard_require(true);
    if (ret) {
        error_setg_errno(errp, -ret, "Discarding RAM is disabled");
        return;
    }
    /* Start from a clean slate: nothing plugged, nothing resident. */
    ret = ram_block_discard_range(virtio_mem_ram_block(vmem), 0,
                                  virtio_mem_region_size(vmem));
    if (ret) {
        error_setg_errno(errp, -ret, "Unexpected error discarding RAM");
        ram_block_coordinated_discard_require(false);
        return;
    }
    /* The manager must be set before the memory device code maps @mr. */
    if (memory_region_set_ram_discard_manager(mr, RAM_DISCARD_MANAGER(vmem),
                                              errp)) {
        ram_block_coordinated_discard_require(false);
        return;
    }
    vmem->discard_required = true;

    ram_discard_bitmap_init(&vmem->plugged, virtio_mem_region_size(vmem),
                            vmem->block_size);
    ram_discard_listener_list_init(&vmem->listeners);
    vmem->size = 0;
    vmem->usable_region_size = 0;
    virtio_mem_resize_usable_region(vmem, vmem->requested_size, true);

    virtio_init(vdev, VIRTIO_ID_MEM, sizeof(struct virtio_mem_config));
    vmem->vq = virtio_add_queue(vdev, VIRTIO_MEM_QUEUE_SIZE,
                                virtio_mem_handle_queue);
    host_memory_backend_set_mapped(vmem->memdev, true);
    qemu_register_reset(virtio_mem_system_reset, vmem);
}

static void virtio_mem_device_unrealize(DeviceState *dev)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtIOMEM *vmem = VIRTIO_MEM(dev);

    qemu_unregister_reset(virtio_mem_system_reset, vmem);
    virtio_del_queue(vdev, 0);
    virtio_cleanup(vdev);
    /* Unmapped memslots no longer map the memdev region (nor pin us). */
    vmem->usable_region_size = 0;
    if (vmem->mr) {
        virtio_mem_unmap_all_memslots(vmem);
    }
    memory_region_set_ram_discard_manager(&vmem->memdev->mr, NULL,
                                          &error_abort);
    host_memory_backend_set_mapped(vmem->memdev, false);
    /* Unplugged memory must not stay resident once the device is gone. */
    ram_block_discard_range(virtio_mem_ram_block(vmem), 0,
                            virtio_mem_region_size(vmem));
    ram_discard_listener_list_destroy(&vmem->listeners);
    ram_discard_bitmap_destroy(&vmem->plugged);
    vmem->size = 0;
    if (vmem->discard_required) {
        ram_block_coordinated_discard_require(false);
        vmem->discard_required = false;
    }
}

/* ---- properties ---- */

static uint64_t virtio_mem_get_size(Object *obj, Error **errp)
{
    return VIRTIO_MEM(obj)->size;
}

static uint64_t virtio_mem_get_requested_size(Object *obj, Error **errp)
{
    return VIRTIO_MEM(obj)->requested_size;
}

static void virtio_mem_set_requested_size(Object *obj, uint64_t value,
                                          Error **errp)
{
    VirtIOMEM *vmem = VIRTIO_MEM(obj);

    /* Before realize the value is checked by realize. */
    if (!DEVICE(obj)->realized) {
        vmem->requested_size = value;
        return;
    }
    if (!QEMU_IS_ALIGNED(value, vmem->block_size)) {
        error_setg(errp, "'%s' has to be multiples of '%s' (0x%" PRIx64 ")",
                   VIRTIO_MEM_REQUESTED_SIZE_PROP, VIRTIO_MEM_BLOCK_SIZE_PROP,
                   vmem->block_size);
        return;
    }
    if (value > virtio_mem_region_size(vmem)) {
        error_setg(errp, "'%s' cannot exceed the memory backend size"
                   "(0x%" PRIx64 ")", VIRTIO_MEM_REQUESTED_SIZE_PROP,
                   virtio_mem_region_size(vmem));
        return;
    }
    if (value == vmem->requested_size) {
        return;
    }
    vmem->requested_size = value;
    virtio_mem_resize_usable_region(vmem, value, false);
    virtio_notify_config(VIRTIO_DEVICE(vmem));
}

static uint64_t virtio_mem_get_block_size(Object *obj, Error **errp)
{
    return virtio_mem_effective_block_size(VIRTIO_MEM(obj));
}

static void virtio_mem_set_block_size(Object *obj, uint64_t value,
                                      Error **errp)
{
    VirtIOMEM *vmem = VIRTIO_MEM(obj);

    if (DEVICE(obj)->realized) {
        error_setg(errp, "'%s' cannot be changed", VIRTIO_MEM_BLOCK_SIZE_PROP);
        return;
    }
    if (value < VIRTIO_MEM_MIN_BLOCK_SIZE) {
        error_setg(errp, "'%s' property has to be at least 0x%" PRIx64,
                   VIRTIO_MEM_BLOCK_SIZE_PROP,
                   (uint64_t)VIRTIO_MEM_MIN_BLOCK_SIZE);
        return;
    }
    if (value & (value - 1)) {
        error_setg(errp, "'%s' property has to be a power of two",
                   VIRTIO_MEM_BLOCK_SIZE_PROP);
        return;
    }
    vmem->block_size = value;
}

static Property virtio_mem_properties[] = {
    DEFINE_PROP_UINT64(VIRTIO_MEM_ADDR_PROP, VirtIOMEM, addr, 0),
    DEFINE_PROP_UINT32(VIRTIO_MEM_NODE_PROP, VirtIOMEM, node, 0),
    DEFINE_PROP_BOOL(VIRTIO_MEM_PREALLOC_PROP, VirtIOMEM, prealloc, false),
    DEFINE_PROP_LINK(VIRTIO_MEM_MEMDEV_PROP, VirtIOMEM, memdev,
                     TYPE_MEMORY_BACKEND, HostMemoryBackend *),
    DEFINE_PROP_ON_OFF_AUTO(VIRTIO_MEM_UNPLUGGED_INACCESSIBLE_PROP, VirtIOMEM,
                            unplugged_inaccessible, ON_OFF_AUTO_AUTO),
    DEFINE_PROP_UINT32(VIRTIO_MEM_MEMSLOTS_PROP, VirtIOMEM, memslots, 1),
    DEFINE_PROP_BOOL(VIRTIO_MEM_DYNAMIC_MEMSLOTS_PROP, VirtIOMEM,
                     dynamic_memslots, false),
    DEFINE_PROP_END_OF_LIST(),
};

/* ---- RamDiscardManager ---- */

static uint64_t virtio_mem_rdm_get_min_granularity(const RamDiscardManager *rdm,
                                                   const MemoryRegion *mr)
{
    const VirtIOMEM *vmem = VIRTIO_MEM(rdm);

    g_assert(mr == &vmem->memdev->mr);
    return vmem->block_size;
}

static bool virtio_mem_rdm_is_populated(const RamDiscardManager *rdm,
                                        const MemoryRegionSection *s)
{
    const VirtIOMEM *vmem = VIRTIO_MEM(rdm);

    g_assert(s->mr == &vmem->memdev->mr);
    return ram_discard_bitmap_is_populated(&vmem->plugged, s);
}

static int virtio_mem_rdm_replay_populated(const RamDiscardManager *rdm,
                                           MemoryRegionSection *s,
                                           ReplayRamPopulate replay_fn,
                                           void *opaque)
{
    const VirtIOMEM *vmem = VIRTIO_MEM(rdm);

    g_assert(s->mr == &vmem->memdev->mr);
    return ram_discard_bitmap_replay_populated(&vmem->plugged, s, replay_fn,
                                               opaque);
}

static int virtio_mem_rdm_replay_discarded(const RamDiscardManager *rdm,
                                           MemoryRegionSection *s,
                                           ReplayRamDiscard replay_fn,
                                           void *opaque)
{
    const VirtIOMEM *vmem = VIRTIO_MEM(rdm);

    g_assert(s->mr == &vmem->memdev->mr);
    return ram_discard_bitmap_replay_discarded(&vmem->plugged, s, replay_fn,
                                               opaque);
}

static void virtio_mem_rdm_register_listener(RamDiscardManager *rdm,
                                             RamDiscardListener *rdl,
                                             MemoryRegionSection *s)
{
    VirtIOMEM *vmem = VIRTIO_MEM(rdm);
    int ret;

    g_assert(s->mr == &vmem->memdev->mr);
    ret = ram_discard_listener_list_add(&vmem->listeners, rdm, rdl, s);
    if (ret) {
        error_report("virtio-mem: replaying plugged ranges failed: %s",
                     strerror(-ret));
    }
}

static void virtio_mem_rdm_unregister_listener(RamDiscardManager *rdm,
                                               RamDiscardListener *rdl)
{
    VirtIOMEM *vmem = VIRTIO_MEM(rdm);

    ram_discard_listener_list_remove(&vmem->listeners, rdm, rdl);
}

/* ---- class methods for the proxy ---- */

static void virtio_mem_fill_device_info(const VirtIOMEM *vmem,
                                        JsonObject *data)
{
    char *memdev_path = object_get_canonical_path(OBJECT(vmem->memdev));

    json_object_set_string_member(data, "memdev", memdev_path);
    json_object_set_int_member(data, "memaddr", vmem->addr);
    json_object_set_int_member(data, "block-size", vmem->block_size);
    json_object_set_int_member(data, "size", vmem->size);
    json_object_set_int_member(data, "node", vmem->node);
    json_object_set_int_member(data, "max-size",
                               virtio_mem_region_size(vmem));
    json_object_set_int_member(data, "requested-size", vmem->requested_size);
    g_free(memdev_path);
}

static void virtio_mem_set_size_change_notifier(VirtIOMEM *vmem,
                                                VirtIOMEMSizeChangeFn *fn,
                                                void *opaque)
{
    vmem->size_change_fn = fn;
    vmem->size_change_opaque = opaque;
}

static void virtio_mem_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_CLASS(klass);
    VirtIOMEMClass *vmc = VIRTIO_MEM_CLASS(klass);
    RamDiscardManagerClass *rdmc = RAM_DISCARD_MANAGER_CLASS(klass);

    device_class_set_props(dc, virtio_mem_properties);
    object_class_property_add_size(klass, VIRTIO_MEM_SIZE_PROP,
                                   virtio_mem_get_size, NULL);
    object_class_property_add_size(klass, VIRTIO_MEM_REQUESTED_SIZE_PROP,
                                   virtio_mem_get_requested_size,
                                   virtio_mem_set_requested_size);
    object_class_property_add_size(klass, VIRTIO_MEM_BLOCK_SIZE_PROP,
                                   virtio_mem_get_block_size,
                                   virtio_mem_set_block_size);

    vdc->realize = virtio_mem_device_realize;
    vdc->unrealize = virtio_mem_device_unrealize;
    vdc->get_config = virtio_mem_get_config;
    vdc->get_features = virtio_mem_get_features;
    vdc->validate_features = virtio_mem_validate_features;

    vmc->fill_device_info = virtio_mem_fill_device_info;
    vmc->get_memory_region = virtio_mem_get_memory_region;
    vmc->decide_memslots = virtio_mem_decide_memslots;
    vmc->get_memslots = virtio_mem_get_memslots;
    vmc->set_size_change_notifier = virtio_mem_set_size_change_notifier;

    rdmc->get_min_granularity = virtio_mem_rdm_get_min_granularity;
    rdmc->is_populated = virtio_mem_rdm_is_populated;
    rdmc->replay_populated = virtio_mem_rdm_replay_populated;
    rdmc->replay_discarded = virtio_mem_rdm_replay_discarded;
    rdmc->register_listener = virtio_mem_rdm_register_listener;
    rdmc->unregister_listener = virtio_mem_rdm_unregister_listener;
}

/*
 * The memslot regions are our QOM children, already finalized by now
 * (the container first, releasing the aliases); free their storage.
 */
static void virtio_mem_instance_finalize(Object *obj)
{
    VirtIOMEM *vmem = VIRTIO_MEM(obj);

    g_free(vmem->memslot_mrs);
    vmem->memslot_mrs = NULL;
    g_free(vmem->memslot_mapped);
    vmem->memslot_mapped = NULL;
    g_free(vmem->mr);
    vmem->mr = NULL;
}

static const TypeInfo virtio_mem_info = {
    .name = TYPE_VIRTIO_MEM,
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(VirtIOMEM),
    .instance_finalize = virtio_mem_instance_finalize,
    .class_init = virtio_mem_class_init,
    .class_size = sizeof(VirtIOMEMClass),
    .interfaces = (InterfaceInfo[]) {
        { TYPE_RAM_DISCARD_MANAGER },
        { }
    },
};

static void virtio_mem_register_types(void)
{
    type_register_static(&virtio_mem_info);
}

type_init(virtio_mem_register_types)
