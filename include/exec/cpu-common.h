/*
 * RAMBlock accessors and host-address lookups (QEMU's cpu-common.h subset).
 *
 * A RAMBlock is a piece of host memory backing guest RAM; every block owns a
 * range [offset, offset + max_length) of the global ram_addr_t space.  The
 * struct itself is in exec/ramblock.h; allocation is in exec/ram_addr.h.
 */
#ifndef EXEC_CPU_COMMON_H
#define EXEC_CPU_COMMON_H

typedef struct RAMBlock RAMBlock;
typedef struct MemoryRegion MemoryRegion;

#ifndef RAM_ADDR_INVALID
#define RAM_ADDR_INVALID (~(ram_addr_t)0)
#endif

/* Return 0 to continue, anything else stops the walk and is returned. */
typedef int (RAMBlockIterFunc)(RAMBlock *rb, void *opaque);

/* Host address of the first byte of @rb. */
void *qemu_ram_get_host_addr(RAMBlock *rb);
/* Offset of @rb in the global ram_addr_t space. */
ram_addr_t qemu_ram_get_offset(RAMBlock *rb);
/* Usable size in bytes (a multiple of the block's page size). */
ram_addr_t qemu_ram_get_used_length(RAMBlock *rb);
/* Reserved size in bytes (>= used length; larger only for resizeable). */
ram_addr_t qemu_ram_get_max_length(RAMBlock *rb);
/* The block's id string ("" until qemu_ram_set_idstr()). */
const char *qemu_ram_get_idstr(RAMBlock *rb);
/*
 * Name the block.  @dev is accepted for QEMU compatibility and ignored (no
 * qdev bus paths here); pass NULL.  Naming a block twice, or giving two
 * blocks the same name, is a programming error and aborts (as in QEMU).
 */
void qemu_ram_set_idstr(RAMBlock *block, const char *name, void *dev);
/* Forget the id string so that the block can be renamed. */
void qemu_ram_unset_idstr(RAMBlock *block);
/* Page size backing the block (host page size, or the hugetlb size). */
size_t qemu_ram_pagesize(RAMBlock *block);
/* Largest page size over all blocks (host page size if there are none). */
size_t qemu_ram_pagesize_largest(void);
/* The fd behind the block (memfd/file), or -1 for private anonymous RAM. */
int qemu_ram_get_fd(RAMBlock *rb);
/* Offset of the block's memory within its fd. */
ram_addr_t qemu_ram_get_fd_offset(RAMBlock *rb);
bool qemu_ram_is_shared(RAMBlock *rb);
bool qemu_ram_is_noreserve(RAMBlock *rb);
bool qemu_ram_is_resizeable(RAMBlock *rb);

/*
 * The block containing host address @ptr, or NULL.  *@offset receives the
 * offset of @ptr inside the block, rounded down to a host page boundary if
 * @round_offset.
 */
RAMBlock *qemu_ram_block_from_host(void *ptr, bool round_offset,
                                   ram_addr_t *offset);
/* The global ram_addr_t of host address @ptr, or RAM_ADDR_INVALID. */
ram_addr_t qemu_ram_addr_from_host(void *ptr);
/* Offset of @host inside @rb; @host must lie inside the block. */
ram_addr_t qemu_ram_block_host_offset(RAMBlock *rb, void *host);
/* The block named @name (see qemu_ram_set_idstr()), or NULL. */
RAMBlock *qemu_ram_block_by_name(const char *name);
/*
 * Host pointer for @addr: an offset inside @ram_block, or, if @ram_block is
 * NULL, a global ram_addr_t (which must belong to some block).
 */
void *qemu_map_ram_ptr(RAMBlock *ram_block, ram_addr_t addr);

/*
 * Call @func on every block, in ascending offset order.  The RAM list lock
 * is held (it is recursive: @func may look blocks up, but must not free).
 */
int qemu_ram_foreach_block(RAMBlockIterFunc func, void *opaque);

/*
 * Give [@start, @start + @length) of @rb back to the host: afterwards the
 * range is no longer resident and reads back as zeros.  @start and @length
 * must be multiples of the block's page size and lie within the used
 * length.  Returns 0, or a negative errno (the reason is error_report()ed).
 * How: a hole is punched into the block's fd (memfd, file, hugetlbfs) unless
 * it is read-only -- for private file mappings, too, so the file changes --
 * and private mappings additionally drop their pages with MADV_DONTNEED.
 * Read-only blocks only drop their mapping (the file keeps its data).
 */
int ram_block_discard_range(RAMBlock *rb, uint64_t start, size_t length);

/*
 * Make [@start, @start + @length) of @rb resident (writable, unless the
 * block is read-only) without changing its contents.  Same alignment rules
 * and return value as ram_block_discard_range().
 */
int ram_block_populate_range(RAMBlock *rb, uint64_t start, size_t length);

#endif
