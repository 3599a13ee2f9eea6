#include "qemu/osdep.h"
#include "malloc.h"

void alloc_init(QGuestAllocator *a, QTestState *qts, uint64_t start,
                uint64_t end)
{
    g_assert_cmphex(start, <=, end);
    a->qts = qts;
    a->start = start;
    a->end = end;
}

uint64_t guest_alloc_aligned(QGuestAllocator *a, size_t size,
                             uint64_t align)
{
    uint64_t addr = ROUND_UP(a->start, align);

    g_assert_cmpuint(size, >, 0);
    g_assert_cmphex(addr, <=, a->end);
    g_assert_cmphex(a->end - addr, >=, size);
    a->start = addr + size;
    qtest_memset(a->qts, addr, 0, size);
    return addr;
}

uint64_t guest_alloc(QGuestAllocator *a, size_t size)
{
    return guest_alloc_aligned(a, size, 4096);
}

void guest_free(QGuestAllocator *a, uint64_t addr)
{
}
