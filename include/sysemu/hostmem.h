/*
 * Host memory backends: user-creatable objects that own the host memory
 * behind guest RAM (-object memory-backend-ram,id=m0,size=64G,reserve=off).
 *
 * TYPE_MEMORY_BACKEND is abstract and implements TYPE_USER_CREATABLE; its
 * complete() calls the class's alloc(), which initializes the embedded
 * RAM MemoryRegion (named after the backend's id), then applies merge /
 * dump / prealloc.  Properties (all types):
 *   size      size, required, non-zero
 *   share     bool, default off (on for memory-backend-memfd)
 *   reserve   bool, default on; off maps with MAP_NORESERVE (RAM_NORESERVE)
 *   prealloc  bool, default off; incompatible with reserve=off
 *   prealloc-threads  uint32, default 1
 *   merge, dump       bool, default on (MADV_MERGEABLE / MADV_DONTDUMP)
 *   x-use-canonical-path-for-ramblock-id  bool, default off
 * size, share and reserve cannot change once the memory exists.  A backend
 * that is mapped (host_memory_backend_set_mapped()) refuses deletion.
 */
#ifndef SYSEMU_HOSTMEM_H
#define SYSEMU_HOSTMEM_H

#include "qom/object.h"
#include "exec/memory.h"

#define TYPE_MEMORY_BACKEND "memory-backend"
OBJECT_DECLARE_TYPE(HostMemoryBackend, HostMemoryBackendClass,
                    MEMORY_BACKEND)

/* Private anonymous memory, or a memfd with share=on. */
#define TYPE_MEMORY_BACKEND_RAM "memory-backend-ram"
/*
 * A memfd; extra properties: hugetlb (bool), hugetlbsize (size, power of
 * two; 0 = the default huge page size), seal (bool, default on: the size
 * is sealed).
 */
#define TYPE_MEMORY_BACKEND_MEMFD "memory-backend-memfd"
/*
 * A file (or an unlinked temporary file in a directory); extra properties:
 * mem-path (str, required), align (size, power of two, multiple of the page
 * size), offset (size: where in the file the memory starts), readonly
 * (bool), discard-data (bool: punch the data out of the file when the
 * backend is removed).
 */
#define TYPE_MEMORY_BACKEND_FILE "memory-backend-file"

struct HostMemoryBackendClass {
    ObjectClass parent_class;

    /* Initialize backend->mr (size is non-zero by then). */
    bool (*alloc)(HostMemoryBackend *backend, Error **errp);
};

struct HostMemoryBackend {
    /* private */
    Object parent;

    /* protected: read by the alloc() implementations */
    uint64_t size;
    bool merge, dump, use_canonical_path;
    bool prealloc, is_mapped, share, reserve;
    uint32_t prealloc_threads;
    MemoryRegion mr;
};

/* Whether the backend's memory exists (i.e. it was completed). */
bool host_memory_backend_mr_inited(HostMemoryBackend *backend);
/* The backend's RAM region, or NULL before completion. */
MemoryRegion *host_memory_backend_get_memory(HostMemoryBackend *backend);
/* Mark the backend as used by a device / machine (refuses deletion). */
void host_memory_backend_set_mapped(HostMemoryBackend *backend, bool mapped);
bool host_memory_backend_is_mapped(HostMemoryBackend *backend);
/* Page size of the backing memory; the backend must be completed. */
size_t host_memory_backend_pagesize(HostMemoryBackend *memdev);
/*
 * The name for the backend's memory region: its id (the canonical path
 * with x-use-canonical-path-for-ramblock-id=on).  Caller frees.
 */
char *host_memory_backend_get_name(HostMemoryBackend *backend);

#endif
