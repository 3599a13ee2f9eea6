/*
 * The global address spaces: system memory and I/O ports.
 *
 * They are created on first use (any of the functions below, or an access
 * to address_space_memory / address_space_io through the memory API), or
 * explicitly with memory_map_init().
 */
#ifndef EXEC_ADDRESS_SPACES_H
#define EXEC_ADDRESS_SPACES_H

#include "exec/memory.h"

/* Create "system" (2^64 bytes) and "io" (64 KiB); idempotent. */
void memory_map_init(void);

/* The root container of address_space_memory ("system"). */
MemoryRegion *get_system_memory(void);
/* The root container of address_space_io ("io"). */
MemoryRegion *get_system_io(void);

/* "memory", rendering get_system_memory(). */
extern AddressSpace address_space_memory;
/* "I/O", rendering get_system_io(). */
extern AddressSpace address_space_io;

#endif
