/*
 * Int128: signed 128-bit integers with QEMU's helper names.
 *
 * Memory region sizes and flat-view ranges are Int128 so that a region
 * spanning the whole 64-bit address space (size 2^64) can be described.
 * This implementation relies on the compiler's __int128.
 */
#ifndef QEMU_INT128_H
#define QEMU_INT128_H

#include <assert.h>

typedef __int128 Int128;

static inline Int128 int128_make64(uint64_t a)
{
    return (Int128)a;
}

static inline Int128 int128_makes64(int64_t a)
{
    return (Int128)a;
}

static inline Int128 int128_make128(uint64_t lo, uint64_t hi)
{
    return (Int128)(((unsigned __int128)hi << 64) | lo);
}

/* The value, which must fit in a uint64_t. */
static inline uint64_t int128_get64(Int128 a)
{
    uint64_t r = (uint64_t)a;

    assert((Int128)r == a);
    return r;
}

static inline uint64_t int128_getlo(Int128 a)
{
    return (uint64_t)a;
}

static inline int64_t int128_gethi(Int128 a)
{
    return (int64_t)(a >> 64);
}

static inline Int128 int128_zero(void)
{
    return 0;
}

static inline Int128 int128_one(void)
{
    return 1;
}

static inline Int128 int128_2_64(void)
{
    return (Int128)1 << 64;
}

static inline Int128 int128_exts64(int64_t a)
{
    return (Int128)a;
}

static inline Int128 int128_not(Int128 a)
{
    return ~a;
}

static inline Int128 int128_and(Int128 a, Int128 b)
{
    return a & b;
}

static inline Int128 int128_or(Int128 a, Int128 b)
{
    return a | b;
}

static inline Int128 int128_xor(Int128 a, Int128 b)
{
    return a ^ b;
}

static inline Int128 int128_rshift(Int128 a, int n)
{
    return a >> n;
}

static inline Int128 int128_urshift(Int128 a, int n)
{
    return (Int128)((unsigned __int128)a >> n);
}

static inline Int128 int128_lshift(Int128 a, int n)
{
    return (Int128)((unsigned __int128)a << n);
}

static inline Int128 int128_add(Int128 a, Int128 b)
{
    return a + b;
}

static inline Int128 int128_neg(Int128 a)
{
    return -a;
}

static inline Int128 int128_sub(Int128 a, Int128 b)
{
    return a - b;
}

static inline bool int128_nonneg(Int128 a)
{
    return a >= 0;
}

static inline bool int128_eq(Int128 a, Int128 b)
{
    return a == b;
}

static inline bool int128_ne(Int128 a, Int128 b)
{
    return a != b;
}

static inline bool int128_ge(Int128 a, Int128 b)
{
    return a >= b;
}

static inline bool int128_uge(Int128 a, Int128 b)
{
    return (unsigned __int128)a >= (unsigned __int128)b;
}

static inline bool int128_lt(Int128 a, Int128 b)
{
    return a < b;
}

static inline bool int128_ult(Int128 a, Int128 b)
{
    return (unsigned __int128)a < (unsigned __int128)b;
}

static inline bool int128_le(Int128 a, Int128 b)
{
    return a <= b;
}

static inline bool int128_gt(Int128 a, Int128 b)
{
    return a > b;
}

static inline bool int128_nz(Int128 a)
{
    return a != 0;
}

static inline Int128 int128_min(Int128 a, Int128 b)
{
    return a < b ? a : b;
}

static inline Int128 int128_max(Int128 a, Int128 b)
{
    return a > b ? a : b;
}

static inline void int128_addto(Int128 *a, Int128 b)
{
    *a += b;
}

static inline void int128_subfrom(Int128 *a, Int128 b)
{
    *a -= b;
}

static inline Int128 int128_mul(Int128 a, Int128 b)
{
    return a * b;
}

static inline Int128 int128_divu(Int128 a, Int128 b)
{
    return (Int128)((unsigned __int128)a / (unsigned __int128)b);
}

static inline Int128 int128_remu(Int128 a, Int128 b)
{
    return (Int128)((unsigned __int128)a % (unsigned __int128)b);
}

#endif
