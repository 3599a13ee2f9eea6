/*
 * vhost: the registry of vhost backends and their memslots, the memory
 * table a backend maps, and handing virtqueues to a backend.
 * See include/hw/virtio/vhost.h and docs/vhost.md.
 */
#include "qemu/osdep.h"
#include "hw/virtio/vhost.h"
#include "hw/virtio/virtio.h"
#include "hw/mem/memory-device.h"
#include "exec/address-spaces.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include <glib-unix.h>
#include <sys/eventfd.h>

/* The registered devices. */
static GList *vhost_devices;

/* --- The table builder ---------------------------------------------- */

static bool vhost_mem_regions_mergeable(const VhostMemoryRegion *a,
                                        const VhostMemoryRegion *b)
{
    if (a->unmergeable || b->unmergeable || a->fd != b->fd) {
        return false;
    }
    if (a->guest_phys_addr + a->memory_size != b->guest_phys_addr ||
        a->userspace_addr + a->memory_size != b->userspace_addr) {
        return false;
    }
    return a->fd < 0 || a->mmap_offset + a->memory_size == b->mmap_offset;
}

void vhost_mem_table_build(const VhostMemoryRegion *sections, unsigned int n,
                           GArray *table)
{
    g_array_set_size(table, 0);
    for (unsigned int i = 0; i < n; i++) {
        VhostMemoryRegion *last = table->len ?
            &g_array_index(table, VhostMemoryRegion, table->len - 1) : NULL;

        if (last && vhost_mem_regions_mergeable(last, &sections[i])) {
            last->memory_size += sections[i].memory_size;
        } else {
            g_array_append_val(table, sections[i]);
        }
    }
}

static bool vhost_mem_regions_equal(const VhostMemoryRegion *a,
                                    const VhostMemoryRegion *b)
{
    return a->guest_phys_addr == b->guest_phys_addr &&
           a->memory_size == b->memory_size &&
           a->userspace_addr == b->userspace_addr &&
           a->mmap_offset == b->mmap_offset &&
           a->fd == b->fd;
}

static bool vhost_mem_table_contains(GArray *table,
                                     const VhostMemoryRegion *r)
{
    for (unsigned int i = 0; i < table->len; i++) {
        if (vhost_mem_regions_equal(&g_array_index(table, VhostMemoryRegion,
                                                   i), r)) {
            return true;
        }
    }
    return false;
}

void vhost_mem_table_diff(GArray *old, GArray *new, GArray *removed,
                          GArray *added)
{
    for (unsigned int i = 0; i < old->len; i++) {
        VhostMemoryRegion *r = &g_array_index(old, VhostMemoryRegion, i);

        if (!vhost_mem_table_contains(new, r)) {
            g_array_append_val(removed, *r);
        }
    }
    for (unsigned int i = 0; i < new->len; i++) {
        VhostMemoryRegion *r = &g_array_index(new, VhostMemoryRegion, i);

        if (!vhost_mem_table_contains(old, r)) {
            g_array_append_val(added, *r);
        }
    }
}

uint64_t vhost_mem_table_gpa_to_hva(GArray *table, uint64_t gpa,
                                    uint64_t len)
{
    for (unsigned int i = 0; i < table->len; i++) {
        VhostMemoryRegion *r = &g_array_index(table, VhostMemoryRegion, i);
        uint64_t off = gpa - r->guest_phys_addr;

        if (gpa >= r->guest_phys_addr && off < r->memory_size &&
            len <= r->memory_size - off) {
            return r->userspace_addr + off;
        }
    }
    return 0;
}

/* --- The memory listener -------------------------------------------- */

static bool vhost_dev_maps_section(struct vhost_dev *hdev,
                                   MemoryRegionSection *section)
{
    if (!memory_region_is_ram(section->mr)) {
        return false;
    }
    if (hdev->vhost_ops->vhost_backend_mem_section_filter) {
        return hdev->vhost_ops->vhost_backend_mem_section_filter(hdev,
                                                                 section);
    }
    return true;
}

static VhostMemoryRegion vhost_region_from_section(MemoryRegionSection *s)
{
    MemoryRegion *mr = s->mr;
    RAMBlock *rb = mr->ram_block;
    uint8_t *host = memory_region_get_ram_ptr(mr);
    VhostMemoryRegion r = {
        .guest_phys_addr = s->offset_within_address_space,
        .memory_size = int128_get64(s->size),
        .userspace_addr = (uintptr_t)host + s->offset_within_region,
        .fd = memory_region_get_fd(mr),
        .unmergeable = s->unmergeable,
    };

    if (r.fd >= 0 && rb) {
        /* where the section's first byte lies in the block's fd */
        r.mmap_offset = rb->fd_offset +
                        (r.userspace_addr - (uintptr_t)rb->host);
    }
    return r;
}

static void vhost_region_add(MemoryListener *listener,
                             MemoryRegionSection *section)
{
    struct vhost_dev *hdev = container_of(listener, struct vhost_dev,
                                          memory_listener);
    VhostMemoryRegion r;
    unsigned int i;

    if (!vhost_dev_maps_section(hdev, section)) {
        return;
    }
    r = vhost_region_from_section(section);
    for (i = 0; i < hdev->sections->len; i++) {
        if (g_array_index(hdev->sections, VhostMemoryRegion,
                          i).guest_phys_addr > r.guest_phys_addr) {
            break;
        }
    }
    g_array_insert_val(hdev->sections, i, r);
}

static void vhost_region_del(MemoryListener *listener,
                             MemoryRegionSection *section)
{
    struct vhost_dev *hdev = container_of(listener, struct vhost_dev,
                                          memory_listener);

    if (!vhost_dev_maps_section(hdev, section)) {
        return;
    }
    for (unsigned int i = 0; i < hdev->sections->len; i++) {
        VhostMemoryRegion *r = &g_array_index(hdev->sections,
                                              VhostMemoryRegion, i);

        if (r->guest_phys_addr == section->offset_within_address_space) {
            g_array_remove_index(hdev->sections, i);
            return;
        }
    }
    g_assert_not_reached();
}

static gboolean vhost_dev_failure_cb(gpointer opaque)
{
    struct vhost_dev *hdev = opaque;
    Error *err = hdev->pending_failure;

    hdev->failure_idle = 0;
    hdev->pending_failure = NULL;
    if (hdev->backend_failed) {
        hdev->backend_failed(hdev, err);
    } else {
        error_report_err(err);
        err = NULL;
    }
    error_free(err);
    return G_SOURCE_REMOVE;
}

/*
 * A backend call failed inside a memory transaction: the frontend may
 * not unregister the listener from there, so tell it from the main loop.
 */
static void vhost_dev_defer_failure(struct vhost_dev *hdev, Error *err)
{
    if (hdev->pending_failure) {
        error_free(err);
        return;
    }
    hdev->pending_failure = err;
    hdev->failure_idle = g_idle_add(vhost_dev_failure_cb, hdev);
}

static void vhost_commit(MemoryListener *listener)
{
    struct vhost_dev *hdev = container_of(listener, struct vhost_dev,
                                          memory_listener);
    g_autoptr(GArray) old = hdev->mem_table;
    g_autoptr(GArray) removed = g_array_new(false, false,
                                            sizeof(VhostMemoryRegion));
    g_autoptr(GArray) added = g_array_new(false, false,
                                          sizeof(VhostMemoryRegion));
    VhostMemTableDiff diff = { .removed = removed, .added = added };
    const VhostOps *ops = hdev->vhost_ops;
    Error *err = NULL;
    bool ok;

    hdev->mem_table = g_array_new(false, false, sizeof(VhostMemoryRegion));
    vhost_mem_table_build((VhostMemoryRegion *)hdev->sections->data,
                          hdev->sections->len, hdev->mem_table);
    hdev->used_memslots = hdev->mem_table->len;
    if (!hdev->started || hdev->pending_failure) {
        return;
    }
    vhost_mem_table_diff(old, hdev->mem_table, removed, added);
    if (!removed->len && !added->len) {
        return;
    }
    if (ops->vhost_update_mem_table) {
        ok = ops->vhost_update_mem_table(hdev, &diff, &err);
    } else {
        ok = ops->vhost_set_mem_table(hdev, &err);
    }
    if (!ok) {
        vhost_dev_defer_failure(hdev, err);
    }
}

static unsigned int vhost_dev_memslots_limit(struct vhost_dev *hdev)
{
    return hdev->vhost_ops->vhost_backend_memslots_limit(hdev);
}

static void vhost_dev_free_tables(struct vhost_dev *hdev)
{
    g_clear_pointer(&hdev->sections, g_array_unref);
    g_clear_pointer(&hdev->mem_table, g_array_unref);
    hdev->used_memslots = 0;
}

bool vhost_dev_init(struct vhost_dev *hdev, const VhostOps *ops,
                    void *opaque, Error **errp)
{
    unsigned int limit, reserved;

    g_assert(ops && ops->vhost_backend_memslots_limit);
    g_assert(!hdev->registered);

    hdev->vhost_ops = ops;
    hdev->opaque = opaque;
    hdev->used_memslots = 0;
    hdev->sections = g_array_new(false, false, sizeof(VhostMemoryRegion));
    hdev->mem_table = g_array_new(false, false, sizeof(VhostMemoryRegion));
    hdev->memory_listener = (MemoryListener) {
        .name = "vhost",
        .region_add = vhost_region_add,
        .region_del = vhost_region_del,
        .commit = vhost_commit,
    };
    /* registering replays the current sections: used_memslots is exact */
    memory_listener_register(&hdev->memory_listener, &address_space_memory);

    limit = vhost_dev_memslots_limit(hdev);
    reserved = memory_devices_get_reserved_memslots();
    if (limit < hdev->used_memslots ||
        limit - hdev->used_memslots < reserved) {
        error_setg(errp, "vhost backend memory slots limit (%u) is less than "
                   "current number of used (%u) and reserved (%u) memory "
                   "slots for memory devices", limit, hdev->used_memslots,
                   reserved);
        memory_listener_unregister(&hdev->memory_listener);
        vhost_dev_free_tables(hdev);
        return false;
    }
    hdev->registered = true;
    vhost_devices = g_list_append(vhost_devices, hdev);
    return true;
}

void vhost_dev_cleanup(struct vhost_dev *hdev)
{
    if (!hdev->registered) {
        return;
    }
    vhost_dev_stop(hdev);
    if (hdev->failure_idle) {
        g_source_remove(hdev->failure_idle);
        hdev->failure_idle = 0;
    }
    g_clear_pointer(&hdev->pending_failure, error_free);
    vhost_devices = g_list_remove(vhost_devices, hdev);
    memory_listener_unregister(&hdev->memory_listener);
    hdev->registered = false;
    vhost_dev_free_tables(hdev);
}

unsigned int vhost_dev_get_used_memslots(const struct vhost_dev *hdev)
{
    return hdev->used_memslots;
}

unsigned int vhost_get_free_memslots(void)
{
    unsigned int free = UINT_MAX;

    for (GList *l = vhost_devices; l; l = l->next) {
        struct vhost_dev *hdev = l->data;
        unsigned int limit = vhost_dev_memslots_limit(hdev);
        /* more in use than the limit (mapped before we knew): none free */
        unsigned int dev_free = limit > hdev->used_memslots ?
                                limit - hdev->used_memslots : 0;

        free = MIN(free, dev_free);
    }
    return free;
}

unsigned int vhost_get_max_memslots(void)
{
    unsigned int max = UINT_MAX;

    for (GList *l = vhost_devices; l; l = l->next) {
        max = MIN(max, vhost_dev_memslots_limit(l->data));
    }
    return max;
}

/* --- Virtqueues ------------------------------------------------------ */

/* The backend signalled used buffers on one queue: interrupt the guest. */
static gboolean vhost_call_cb(gint fd, GIOCondition cond, gpointer opaque)
{
    VhostVirtqueue *vq = opaque;
    VirtIODevice *vdev = vq->dev->vdev;
    uint64_t count;

    if (read(fd, &count, sizeof(count)) != sizeof(count)) {
        return G_SOURCE_CONTINUE;
    }
    /* the backend already honoured the driver's interrupt suppression */
    vdev->isr |= VIRTIO_ISR_QUEUE;
    virtio_notify_vector(vdev, virtio_queue_vector(vdev, vq->index));
    return G_SOURCE_CONTINUE;
}

static void vhost_virtqueue_release(VhostVirtqueue *vq)
{
    if (vq->call_watch) {
        g_source_remove(vq->call_watch);
        vq->call_watch = 0;
    }
    if (vq->kick_fd >= 0) {
        close(vq->kick_fd);
        vq->kick_fd = -1;
    }
    if (vq->call_fd >= 0) {
        close(vq->call_fd);
        vq->call_fd = -1;
    }
}

static bool vhost_virtqueue_start(struct vhost_dev *hdev, VirtIODevice *vdev,
                                  unsigned int idx, Error **errp)
{
    const VhostOps *ops = hdev->vhost_ops;
    VhostVirtqueue *vq = &hdev->vqs[idx];
    unsigned int num = virtio_queue_get_num(vdev, idx);
    uint64_t desc, avail, used;

    desc = vhost_mem_table_gpa_to_hva(hdev->mem_table,
                                      virtio_queue_get_desc_addr(vdev, idx),
                                      16ULL * num);
    avail = vhost_mem_table_gpa_to_hva(hdev->mem_table,
                                       virtio_queue_get_avail_addr(vdev, idx),
                                       6 + 2ULL * num);
    used = vhost_mem_table_gpa_to_hva(hdev->mem_table,
                                      virtio_queue_get_used_addr(vdev, idx),
                                      6 + 8ULL * num);
    if (!desc || !avail || !used) {
        error_setg(errp, "vhost: the rings of queue %u are not in memory "
                   "shared with the backend", idx);
        return false;
    }
    vq->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    vq->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (vq->kick_fd < 0 || vq->call_fd < 0) {
        error_setg_errno(errp, errno, "vhost: cannot create an eventfd");
        return false;
    }
    if (!ops->vhost_set_vring_num(hdev, idx, num, errp) ||
        !ops->vhost_set_vring_base(hdev, idx, 0, errp) ||
        !ops->vhost_set_vring_addr(hdev, idx, desc, avail, used, errp) ||
        !ops->vhost_set_vring_kick(hdev, idx, vq->kick_fd, errp) ||
        !ops->vhost_set_vring_call(hdev, idx, vq->call_fd, errp)) {
        return false;
    }
    vq->call_watch = g_unix_fd_add(vq->call_fd, G_IO_IN, vhost_call_cb, vq);
    return true;
}

static void vhost_dev_release_vqs(struct vhost_dev *hdev)
{
    for (unsigned int i = 0; i < hdev->nvqs; i++) {
        vhost_virtqueue_release(&hdev->vqs[i]);
    }
    g_clear_pointer(&hdev->vqs, g_free);
    hdev->nvqs = 0;
    hdev->vdev = NULL;
}

bool vhost_dev_start(struct vhost_dev *hdev, VirtIODevice *vdev,
                     unsigned int nvqs, Error **errp)
{
    const VhostOps *ops = hdev->vhost_ops;

    g_assert(hdev->registered && !hdev->started);
    hdev->vdev = vdev;
    hdev->nvqs = nvqs;
    hdev->vqs = g_new0(VhostVirtqueue, nvqs);
    for (unsigned int i = 0; i < nvqs; i++) {
        hdev->vqs[i] = (VhostVirtqueue) {
            .kick_fd = -1, .call_fd = -1, .dev = hdev, .index = i,
        };
    }
    if (!ops->vhost_set_features(hdev, vdev->guest_features, errp) ||
        !ops->vhost_set_mem_table(hdev, errp)) {
        goto fail;
    }
    for (unsigned int i = 0; i < nvqs; i++) {
        if (virtio_queue_get_desc_addr(vdev, i) &&
            !vhost_virtqueue_start(hdev, vdev, i, errp)) {
            goto fail;
        }
    }
    for (unsigned int i = 0; i < nvqs; i++) {
        if (virtio_queue_get_desc_addr(vdev, i) &&
            ops->vhost_set_vring_enable &&
            !ops->vhost_set_vring_enable(hdev, i,
                                         virtio_queue_get_enabled(vdev, i),
                                         errp)) {
            goto fail;
        }
    }
    hdev->started = true;
    return true;

fail:
    vhost_dev_release_vqs(hdev);
    return false;
}

void vhost_dev_stop(struct vhost_dev *hdev)
{
    const VhostOps *ops = hdev->vhost_ops;

    if (!hdev->started) {
        return;
    }
    hdev->started = false;
    for (unsigned int i = 0; i < hdev->nvqs; i++) {
        unsigned int base;

        if (hdev->vqs[i].kick_fd < 0) {
            continue;
        }
        /* a broken backend is not asked twice: the first failure ends it */
        if (!ops->vhost_get_vring_base(hdev, i, &base, NULL)) {
            break;
        }
    }
    vhost_dev_release_vqs(hdev);
}

void vhost_dev_kick(struct vhost_dev *hdev, unsigned int idx)
{
    uint64_t one = 1;

    if (!hdev->started || idx >= hdev->nvqs || hdev->vqs[idx].kick_fd < 0) {
        return;
    }
    if (write(hdev->vqs[idx].kick_fd, &one, sizeof(one)) != sizeof(one)) {
        /* the counter is saturated: the backend has a kick pending anyway */
    }
}
