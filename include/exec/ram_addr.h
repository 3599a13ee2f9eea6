/*
 * RAMBlock allocation (QEMU's ram_addr.h subset).
 *
 * Every allocator maps the whole block at once without touching it, so huge
 * sparse blocks (e.g. 1 TiB with RAM_NORESERVE) cost only address space.
 * The host mapping is aligned to at least the block's page size (2 MiB for
 * anonymous memory, so that THP can be used).  Sizes are rounded up to the
 * block's page size.  On success the block is linked into the global RAM
 * list and gets a free, aligned range of the ram_addr_t space.
 */
#ifndef EXEC_RAM_ADDR_H
#define EXEC_RAM_ADDR_H

#include "exec/ramblock.h"

typedef struct Error Error;

/*
 * Anonymous RAM.  Private (MAP_PRIVATE | MAP_ANONYMOUS) by default; with
 * RAM_SHARED the memory comes from a memfd so that it has an fd (shareable
 * with other processes, discardable with fallocate()).  RAM_NORESERVE maps
 * with MAP_NORESERVE.  Accepted flags: RAM_SHARED, RAM_NORESERVE.
 */
RAMBlock *qemu_ram_alloc(ram_addr_t size, uint32_t ram_flags,
                         MemoryRegion *mr, Error **errp);

/*
 * Like qemu_ram_alloc(), but reserve @max_size and make the first @size
 * bytes usable; qemu_ram_resize() changes the usable size later and calls
 * @resized (may be NULL).
 */
RAMBlock *qemu_ram_alloc_resizeable(ram_addr_t size, ram_addr_t max_size,
                                    RAMBlockResizedFunc resized,
                                    MemoryRegion *mr, Error **errp);

/*
 * Map @size bytes of @fd starting at @offset.  The page size is detected
 * from the fd (hugetlbfs / hugetlb memfd).  An empty file is grown to
 * @offset + @size; a non-empty file must already be large enough.  On
 * success the block owns @fd (closes it when freed); on failure the caller
 * keeps it.  Accepted flags: RAM_SHARED, RAM_NORESERVE, RAM_READONLY.
 * If @mr has an align (memory_region_init_ram_from_file()), the mapping is
 * aligned to it; it must be a power of two and a multiple of the page size.
 */
RAMBlock *qemu_ram_alloc_from_fd(ram_addr_t size, MemoryRegion *mr,
                                 uint32_t ram_flags, int fd, off_t offset,
                                 Error **errp);

/*
 * Map @mem_path.  If it is a directory, an unlinked temporary file is
 * created inside it; if it does not exist, it is created (and removed again
 * if the allocation fails).  Flags as for qemu_ram_alloc_from_fd().
 */
RAMBlock *qemu_ram_alloc_from_file(ram_addr_t size, MemoryRegion *mr,
                                   uint32_t ram_flags, const char *mem_path,
                                   off_t offset, Error **errp);

/*
 * Wrap caller-provided memory (RAM_PREALLOC): @host must be page aligned
 * and stay mapped until qemu_ram_free(); it is not unmapped by us.
 */
RAMBlock *qemu_ram_alloc_from_ptr(ram_addr_t size, void *host,
                                  MemoryRegion *mr, Error **errp);

/* Unlink @block, unmap its memory and close its fd.  NULL is allowed. */
void qemu_ram_free(RAMBlock *block);

/*
 * Change the usable size of a RAM_RESIZEABLE block (rounded up to the
 * page size; must not exceed max_length).  Calls block->resized.  The
 * owning MemoryRegion's size is the memory API's business, not ours.
 * Returns 0 or -EINVAL with *@errp set.
 */
int qemu_ram_resize(RAMBlock *block, ram_addr_t newsize, Error **errp);

/*
 * Preallocate (populate writable) [@area, @area + @sz), using up to
 * @max_threads threads.  @fd is the backing fd or -1 (used to find the page
 * size).  @async is accepted for QEMU compatibility; the work is always
 * finished on return.  Returns false with *@errp set on failure (e.g. not
 * enough huge pages).
 */
bool qemu_prealloc_mem(int fd, char *area, size_t sz, int max_threads,
                       bool async, Error **errp);

#endif
