/*
 * RAMBlock: host memory backing guest RAM, the RAM flags, and the
 * coordination of RAM discards.
 *
 * exec/memory.h includes this header, so every memory API user sees the
 * RAM_* flags, the RAMBlock accessors (exec/cpu-common.h) and the
 * allocation functions (exec/ram_addr.h).
 */
#ifndef EXEC_RAMBLOCK_H
#define EXEC_RAMBLOCK_H

#include "exec/cpu-common.h"

/* RAM flags, for qemu_ram_alloc*() and memory_region_init_ram_*(). */

/* The host memory was provided by the caller and is not freed with us. */
#define RAM_PREALLOC   (1u << 0)
/* Map shared (memfd for anonymous memory), not private copy-on-write. */
#define RAM_SHARED     (1u << 1)
/* used_length can change up to max_length (qemu_ram_resize()). */
#define RAM_RESIZEABLE (1u << 2)
/* Don't reserve swap space / huge pages: MAP_NORESERVE. */
#define RAM_NORESERVE  (1u << 7)
/* Map read-only; the file is opened O_RDONLY. */
#define RAM_READONLY   (1u << 10)

/* QEMU's name for "no special flags". */
#define RAM_PRIVATE    0

typedef void (*RAMBlockResizedFunc)(const char *idstr, uint64_t length,
                                    void *host);

struct RAMBlock {
    /* The memory region this block backs; may be NULL. */
    MemoryRegion *mr;
    /* Host address of the block's first byte (max_length are mapped). */
    uint8_t *host;
    /* Start of the block in the global ram_addr_t space. */
    ram_addr_t offset;
    ram_addr_t used_length;
    ram_addr_t max_length;
    RAMBlockResizedFunc resized;
    uint32_t flags;
    /* memfd / file descriptor, owned by the block; -1 if none. */
    int fd;
    /* Where the block's memory starts within @fd. */
    uint64_t fd_offset;
    size_t page_size;
    char idstr[256];
};

/*
 * Discard coordination (QEMU semantics).
 *
 * Some users cannot cope with RAM being discarded behind their back (e.g.
 * VFIO pins all guest RAM); others rely on discarding to work (e.g.
 * virtio-balloon, virtio-mem).  "Coordinated" discards are announced through
 * a RamDiscardManager, so users that listen there can still cope with them.
 *
 * All functions take @state true to enter and false to leave the state (each
 * leave must match a successful enter).  Entering returns 0 or -EBUSY:
 *  - ram_block_discard_disable(true) fails while any discard is required
 *    (coordinated or not);
 *  - ram_block_uncoordinated_discard_disable(true) fails while an
 *    uncoordinated discard is required;
 *  - ram_block_discard_require(true) fails while any disable is active;
 *  - ram_block_coordinated_discard_require(true) fails only while a full
 *    (ram_block_discard_disable) disable is active.
 * Thread-safe.
 */
int ram_block_discard_disable(bool state);
int ram_block_uncoordinated_discard_disable(bool state);
int ram_block_discard_require(bool state);
int ram_block_coordinated_discard_require(bool state);
/* True while any (full or uncoordinated-only) disable is active. */
bool ram_block_discard_is_disabled(void);
/* True while any (uncoordinated or coordinated) require is active. */
bool ram_block_discard_is_required(void);

#include "exec/ram_addr.h"

#endif
