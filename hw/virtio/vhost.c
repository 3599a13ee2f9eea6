/*
 * vhost: the registry of vhost backends and their memslots.
 * See include/hw/virtio/vhost.h.
 */
#include "qemu/osdep.h"
#include "hw/virtio/vhost.h"
#include "hw/mem/memory-device.h"
#include "exec/address-spaces.h"
#include "qapi/error.h"

/* The registered devices. */
static GList *vhost_devices;

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

static void vhost_region_add(MemoryListener *listener,
                             MemoryRegionSection *section)
{
    struct vhost_dev *hdev = container_of(listener, struct vhost_dev,
                                          memory_listener);

    if (vhost_dev_maps_section(hdev, section)) {
        hdev->used_memslots++;
    }
}

static void vhost_region_del(MemoryListener *listener,
                             MemoryRegionSection *section)
{
    struct vhost_dev *hdev = container_of(listener, struct vhost_dev,
                                          memory_listener);

    if (vhost_dev_maps_section(hdev, section)) {
        g_assert(hdev->used_memslots);
        hdev->used_memslots--;
    }
}

static unsigned int vhost_dev_memslots_limit(struct vhost_dev *hdev)
{
    return hdev->vhost_ops->vhost_backend_memslots_limit(hdev);
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
    hdev->memory_listener = (MemoryListener) {
        .name = "vhost",
        .region_add = vhost_region_add,
        .region_del = vhost_region_del,
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
        hdev->used_memslots = 0;
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
    vhost_devices = g_list_remove(vhost_devices, hdev);
    memory_listener_unregister(&hdev->memory_listener);
    hdev->registered = false;
    hdev->used_memslots = 0;
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
