/*
 * vfio-emulated-container: a VFIO container for machines without an IOMMU.
 *
 *   -object vfio-emulated-container,id=c0[,dma-entry-limit=65535]
 *           [,strict-dma-limit=on][,pin=io-uring|mlock]
 *   -device vfio-emulated-pci,container=c0
 *
 * It behaves like a VFIO type1 container where that is observable from
 * user space: mappings must be page aligned and must not overlap
 * (EEXIST), at most dma-entry-limit of them exist (ENOSPC), an unmap
 * removes every mapping inside its range and fails (EINVAL) when it would
 * cut one, and every mapped host range is pinned until it is unmapped.
 *
 * Pinning (property 'pin'):
 *  - io-uring (default): each mapping is registered as io_uring fixed
 *    buffers (at most 1 GiB each), which the kernel pins the way type1
 *    does: pin_user_pages(FOLL_LONGTERM), accounted in /proc/PID/status
 *    VmPin and RLIMIT_MEMLOCK (unless CAP_IPC_LOCK), without VM_LOCKED,
 *    so MADV_DONTNEED (a virtio-mem discard) still works on the range.
 *    Without 'pin' given, a host without io_uring falls back to mlock
 *    with a warning; with pin=io-uring given, the object creation fails.
 *  - mlock: the range is mlock()ed (VmLck); Linux then refuses
 *    MADV_DONTNEED on private anonymous memory.
 *
 * QMP x-query-vfio-container shows the mapping table and the pinning.
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
    /* private: the io_uring fixed-buffer slots pinning it */
    uint32_t *slots;
    uint32_t nr_slots;
} VFIOEmulatedMapping;

typedef enum VFIOEmulatedPin {
    VFIO_EMULATED_PIN_DEFAULT,  /* io-uring, else mlock with a warning */
    VFIO_EMULATED_PIN_IO_URING,
    VFIO_EMULATED_PIN_MLOCK,
} VFIOEmulatedPin;

struct VFIOEmulatedContainer {
    Object parent_obj;

    VFIOContainer container;
    uint64_t dma_entry_limit;
    bool strict_dma_limit;

    /* private */
    GTree *mappings;            /* by iova (hwaddr *) */
    uint64_t mapped_bytes;
    VFIOEmulatedPin pin_requested;
    VFIOEmulatedPin pin;        /* in use; DEFAULT until chosen */
    GArray *rings;              /* io_uring fds (int) */
    GArray *free_slots;         /* released slot numbers (uint32_t) */
    uint32_t next_slot;         /* first never-used slot */
};

/* The container to attach devices to. */
VFIOContainer *vfio_emulated_container_get(VFIOEmulatedContainer *ec);

/* Number of mappings and the sum of their sizes. */
uint64_t vfio_emulated_container_nr_mappings(VFIOEmulatedContainer *ec);
uint64_t vfio_emulated_container_mapped_bytes(VFIOEmulatedContainer *ec);
/*
 * Host bytes the pin accounting holds: with io-uring every mapping counts
 * (like type1, two mappings of the same pages count twice), VmPin; with
 * mlock the union of the mapped host ranges, VmLck.
 */
uint64_t vfio_emulated_container_pinned_bytes(VFIOEmulatedContainer *ec);
/* "io-uring" or "mlock": the pinning in use (or that will be used). */
const char *vfio_emulated_container_pin(VFIOEmulatedContainer *ec);
/* The mappings in iova order (g_free the array, not the elements). */
GPtrArray *vfio_emulated_container_mappings(VFIOEmulatedContainer *ec);

#endif
