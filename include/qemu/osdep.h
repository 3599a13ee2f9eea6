/*
 * Common includes and helpers; every .c file includes this first.
 */
#ifndef QEMU_OSDEP_H
#define QEMU_OSDEP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <limits.h>
#include <unistd.h>
#include <sys/types.h>
#include <glib.h>

#include "qemu/units.h"

#ifndef container_of
#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))
#endif

#define ARRAY_SIZE(x) G_N_ELEMENTS(x)

/* Round @n down/up to a multiple of @m (any positive @m). */
#define QEMU_ALIGN_DOWN(n, m) ((n) / (m) * (m))
#define QEMU_ALIGN_UP(n, m) QEMU_ALIGN_DOWN((n) + (m) - 1, (m))
#define QEMU_IS_ALIGNED(n, m) (((n) % (m)) == 0)
/* Same, for power-of-two @d. */
#define ROUND_DOWN(n, d) ((n) & -(0 ? (n) : (d)))
#define ROUND_UP(n, d) ROUND_DOWN((n) + (d) - 1, (d))
/* @n / @d rounded up. */
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))

#define QEMU_PACKED __attribute__((packed))
#define QEMU_WARN_UNUSED_RESULT __attribute__((warn_unused_result))

typedef uint64_t hwaddr;
#define HWADDR_MAX UINT64_MAX
#define HWADDR_PRIx PRIx64

/* Offsets into the host memory of all RAMBlocks, as in QEMU. */
typedef uint64_t ram_addr_t;
#define RAM_ADDR_MAX UINT64_MAX
#define RAM_ADDR_FMT "%" PRIx64

/* The host's page size, cached at first use. */
static inline size_t qemu_real_host_page_size(void)
{
    static size_t size;

    if (!size) {
        size = (size_t)sysconf(_SC_PAGESIZE);
    }
    return size;
}

#endif
