/*
 * The VFIO type1 container: host IOMMU groups, each with a container of
 * its own (/dev/vfio/vfio, VFIO_TYPE1v2_IOMMU), whose DMA mappings are
 * made with VFIO_IOMMU_MAP_DMA / VFIO_IOMMU_UNMAP_DMA by the listener of
 * vfio-common.h.  Only usable where the host has an IOMMU and the device
 * is bound to vfio-pci; every failure says which of these is missing.
 */
#ifndef HW_VFIO_VFIO_CONTAINER_H
#define HW_VFIO_VFIO_CONTAINER_H

#include "hw/vfio/vfio-common.h"

typedef struct VFIOGroup VFIOGroup;

/*
 * The IOMMU group of host PCI device @bdf ("DDDD:BB:SS.F"), from sysfs;
 * -1 with *@errp set when the device or its group does not exist.
 */
int vfio_host_iommu_group(const char *bdf, Error **errp);

/*
 * Open IOMMU group @groupid (or take another reference on it) and set up
 * its type1 container.  NULL with *@errp set on failure.
 */
VFIOGroup *vfio_group_get(int groupid, Error **errp);
void vfio_group_put(VFIOGroup *group);
VFIOContainer *vfio_group_container(VFIOGroup *group);

/* A device fd for @bdf, which must be in @group; -1 with *@errp set. */
int vfio_group_get_device_fd(VFIOGroup *group, const char *bdf,
                             Error **errp);

#endif
