/*
 * The VFIO type1 container (see include/hw/vfio/vfio-container.h).
 */
#include "qemu/osdep.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <linux/vfio.h>
#include "hw/vfio/vfio-container.h"

#define VFIO_CONTAINER_DEV "/dev/vfio/vfio"

typedef struct VFIOType1Container {
    VFIOContainer base;
    int fd;
} VFIOType1Container;

struct VFIOGroup {
    int groupid;
    int fd;
    unsigned refcount;
    VFIOType1Container container;
};

/* Open groups by group id. */
static GHashTable *vfio_groups;

/* ---- DMA mapping ---- */

static int vfio_type1_fd(VFIOContainer *c)
{
    return container_of(c, VFIOType1Container, base)->fd;
}

static int vfio_type1_dma_map(VFIOContainer *c, hwaddr iova, uint64_t size,
                              void *vaddr, bool readonly, Error **errp)
{
    struct vfio_iommu_type1_dma_map map = {
        .argsz = sizeof(map),
        .flags = VFIO_DMA_MAP_FLAG_READ |
                 (readonly ? 0 : VFIO_DMA_MAP_FLAG_WRITE),
        .vaddr = (uintptr_t)vaddr,
        .iova = iova,
        .size = size,
    };

    if (ioctl(vfio_type1_fd(c), VFIO_IOMMU_MAP_DMA, &map)) {
        int err = errno;

        error_setg_errno(errp, err, "VFIO_IOMMU_MAP_DMA failed");
        return -err;
    }
    return 0;
}

static int vfio_type1_dma_unmap(VFIOContainer *c, hwaddr iova, uint64_t size,
                                Error **errp)
{
    struct vfio_iommu_type1_dma_unmap unmap = {
        .argsz = sizeof(unmap),
        .iova = iova,
        .size = size,
    };

    if (ioctl(vfio_type1_fd(c), VFIO_IOMMU_UNMAP_DMA, &unmap)) {
        int err = errno;

        error_setg_errno(errp, err, "VFIO_IOMMU_UNMAP_DMA failed");
        return -err;
    }
    return 0;
}

static const VFIOContainerOps vfio_type1_ops = {
    .dma_map = vfio_type1_dma_map,
    .dma_unmap = vfio_type1_dma_unmap,
};

/* ---- setup ---- */

int vfio_host_iommu_group(const char *bdf, Error **errp)
{
    g_autofree char *dev = g_strdup_printf("/sys/bus/pci/devices/%s", bdf);
    g_autofree char *link = g_strdup_printf("%s/iommu_group", dev);
    g_autofree char *target = NULL;
    g_autofree char *base = NULL;
    GError *gerr = NULL;
    int groupid;

    if (access(dev, F_OK)) {
        error_setg_errno(errp, errno, "host PCI device %s does not exist (%s)",
                         bdf, dev);
        return -1;
    }
    target = g_file_read_link(link, &gerr);
    if (!target) {
        error_setg(errp, "host PCI device %s has no IOMMU group (%s): this "
                   "host has no IOMMU, or it is disabled, so VFIO cannot "
                   "assign the device", bdf, gerr->message);
        g_error_free(gerr);
        return -1;
    }
    base = g_path_get_basename(target);
    if (sscanf(base, "%d", &groupid) != 1 || groupid < 0) {
        error_setg(errp, "host PCI device %s: unexpected IOMMU group link "
                   "'%s'", bdf, target);
        return -1;
    }
    return groupid;
}

/* Read the type1 limits: smallest IOMMU page, available DMA mappings. */
static void vfio_type1_read_info(VFIOType1Container *tc, uint64_t *pgsize,
                                 uint64_t *limit)
{
    g_autofree struct vfio_iommu_type1_info *info = NULL;
    uint32_t argsz = sizeof(*info);

    *pgsize = 4096;
    *limit = VFIO_DEFAULT_DMA_ENTRY_LIMIT;
    for (;;) {
        info = g_realloc(info, argsz);
        memset(info, 0, argsz);
        info->argsz = argsz;
        if (ioctl(tc->fd, VFIO_IOMMU_GET_INFO, info)) {
            return;
        }
        if (info->argsz <= argsz) {
            break;
        }
        argsz = info->argsz;
    }
    if ((info->flags & VFIO_IOMMU_INFO_PGSIZES) && info->iova_pgsizes) {
        *pgsize = info->iova_pgsizes & -info->iova_pgsizes;
    }
    if (!(info->flags & VFIO_IOMMU_INFO_CAPS) || !info->cap_offset) {
        return;
    }
    for (uint32_t off = info->cap_offset; off && off < argsz; ) {
        struct vfio_info_cap_header *hdr = (void *)((char *)info + off);

        if (hdr->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) {
            *limit = ((struct vfio_iommu_type1_info_dma_avail *)hdr)->avail;
            return;
        }
        off = hdr->next;
    }
}

/* Open a type1 container and put @group (fd open) into it. */
static bool vfio_group_setup_container(VFIOGroup *group, Error **errp)
{
    VFIOType1Container *tc = &group->container;
    g_autofree char *name = NULL;
    uint64_t pgsize, limit;
    int fd;

    fd = open(VFIO_CONTAINER_DEV, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot open " VFIO_CONTAINER_DEV
                         ": this host offers no VFIO (load vfio-pci and "
                         "enable the IOMMU)");
        return false;
    }
    if (ioctl(fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
        error_setg(errp, VFIO_CONTAINER_DEV ": unsupported VFIO API version");
        goto fail;
    }
    if (ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
        error_setg(errp, VFIO_CONTAINER_DEV ": no type1 v2 IOMMU support");
        goto fail;
    }
    if (ioctl(group->fd, VFIO_GROUP_SET_CONTAINER, &fd)) {
        error_setg_errno(errp, errno, "VFIO_GROUP_SET_CONTAINER for group %d "
                         "failed", group->groupid);
        goto fail;
    }
    if (ioctl(fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
        error_setg_errno(errp, errno, "VFIO_SET_IOMMU(type1 v2) failed");
        ioctl(group->fd, VFIO_GROUP_UNSET_CONTAINER);
        goto fail;
    }
    tc->fd = fd;
    vfio_type1_read_info(tc, &pgsize, &limit);
    name = g_strdup_printf("vfio group %d", group->groupid);
    vfio_container_init(&tc->base, &vfio_type1_ops, name, pgsize, limit);
    return true;

fail:
    close(fd);
    return false;
}

VFIOGroup *vfio_group_get(int groupid, Error **errp)
{
    g_autofree char *path = g_strdup_printf("/dev/vfio/%d", groupid);
    struct vfio_group_status status = { .argsz = sizeof(status) };
    VFIOGroup *group;

    if (!vfio_groups) {
        vfio_groups = g_hash_table_new(g_direct_hash, g_direct_equal);
    }
    group = g_hash_table_lookup(vfio_groups, GINT_TO_POINTER(groupid));
    if (group) {
        group->refcount++;
        return group;
    }

    group = g_new0(VFIOGroup, 1);
    group->groupid = groupid;
    group->fd = open(path, O_RDWR | O_CLOEXEC);
    if (group->fd < 0) {
        error_setg_errno(errp, errno, "cannot open %s (is the device bound "
                         "to vfio-pci?)", path);
        goto fail;
    }
    if (ioctl(group->fd, VFIO_GROUP_GET_STATUS, &status)) {
        error_setg_errno(errp, errno, "VFIO_GROUP_GET_STATUS on %s failed",
                         path);
        goto fail;
    }
    if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
        error_setg(errp, "IOMMU group %d is not viable: bind all its devices "
                   "to vfio-pci", groupid);
        goto fail;
    }
    if (!vfio_group_setup_container(group, errp)) {
        goto fail;
    }
    group->refcount = 1;
    g_hash_table_insert(vfio_groups, GINT_TO_POINTER(groupid), group);
    return group;

fail:
    if (group->fd >= 0) {
        close(group->fd);
    }
    g_free(group);
    return NULL;
}

void vfio_group_put(VFIOGroup *group)
{
    if (--group->refcount) {
        return;
    }
    g_hash_table_remove(vfio_groups, GINT_TO_POINTER(group->groupid));
    vfio_container_destroy(&group->container.base);
    ioctl(group->fd, VFIO_GROUP_UNSET_CONTAINER);
    close(group->container.fd);
    close(group->fd);
    g_free(group);
}

VFIOContainer *vfio_group_container(VFIOGroup *group)
{
    return &group->container.base;
}

int vfio_group_get_device_fd(VFIOGroup *group, const char *bdf, Error **errp)
{
    int fd = ioctl(group->fd, VFIO_GROUP_GET_DEVICE_FD, bdf);

    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot get a VFIO device fd for %s "
                         "from IOMMU group %d", bdf, group->groupid);
    }
    return fd;
}
