/*
 * vfio-emulated-container: a VFIO container for machines without an IOMMU.
 *
 *   -object vfio-emulated-container,id=c0[,dma-entry-limit=65535]
 *           [,strict-dma-limit=on]
 *   -device vfio-emulated-pci,container=c0
 *
 * It behaves like a VFIO type1 container where that is observable from
 * user space: mappings must be page aligned and must not overlap
 * (EEXIST), at most dma-entry-limit of them exist (ENOSPC), an unmap
 * removes every mapping inside its range and fails (EINVAL) when it would
 * cut one, and every mapped host range is pinned — mlock()ed, so that it
 * shows in /proc/PID/status VmLck as type1's pins do — until it is
 * unmapped (munlock).  QMP x-query-vfio-container shows its mapping table.
 */
#ifndef HW_VFIO_VFIO_EMULATED_H
#define HW_VFIO_VFIO_EMULATED_H

#include "hw/vfio/vfio-common.h"

#define TYPE_VFIO_EMULATED_CONTAINER "vfio-emulated-container"
OBJECT_DECLARE_SIMPLE_TYPE(VFIOEmulatedContainer, VFIO_EMULATED_CONTAINER)

typedef struct VFIOEmulatedMapping {
    hwaddr iova;
    uint64_t size;
    void *vaddr;
    bool readonly;
} VFIOEmulatedMapping;

struct VFIOEmulatedContainer {
    Object parent_obj;

    VFIOContainer container;
    uint64_t dma_entry_limit;
    bool strict_dma_limit;

    /* private */
    GTree *mappings;            /* by iova (hwaddr *) */
    uint64_t mapped_bytes;
};

/* The container to attach devices to. */
VFIOContainer *vfio_emulated_container_get(VFIOEmulatedContainer *ec);

/* Number of mappings and the sum of their sizes. */
uint64_t vfio_emulated_container_nr_mappings(VFIOEmulatedContainer *ec);
uint64_t vfio_emulated_container_mapped_bytes(VFIOEmulatedContainer *ec);
/* Host bytes pinned: the union of the mapped host ranges. */
uint64_t vfio_emulated_container_pinned_bytes(VFIOEmulatedContainer *ec);
/* The mappings in iova order (g_free the array, not the elements). */
GPtrArray *vfio_emulated_container_mappings(VFIOEmulatedContainer *ec);

#endif
