/*
 * A bump allocator over guest RAM for test "drivers" (rings, buffers).
 *
 * Memory is never reused: guest_free() is a no-op.  Allocations are
 * aligned to @align (a power of two; guest_alloc() uses 4096, what split
 * rings and most buffers want) and zero-filled in the guest.
 */
#ifndef LIBQOS_MALLOC_H
#define LIBQOS_MALLOC_H

#include "../libqtest.h"

typedef struct QGuestAllocator {
    QTestState *qts;
    uint64_t start;             /* next free guest address */
    uint64_t end;               /* first address past the pool */
} QGuestAllocator;

/* Allocate from guest physical [@start, @end). */
void alloc_init(QGuestAllocator *a, QTestState *qts, uint64_t start,
                uint64_t end);
/* @size zeroed bytes, page aligned; aborts the test when out of memory. */
uint64_t guest_alloc(QGuestAllocator *a, size_t size);
uint64_t guest_alloc_aligned(QGuestAllocator *a, size_t size,
                             uint64_t align);
void guest_free(QGuestAllocator *a, uint64_t addr);

#endif
