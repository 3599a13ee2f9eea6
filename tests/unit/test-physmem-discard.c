/*
 * RAMBlock allocation, discard and populate: checked against what the host
 * kernel reports (mincore(), /proc/self/statm) and the bytes in memory.
 */
#include "qemu/osdep.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "exec/ramblock.h"
#include "exec/ram_addr.h"
#include "qapi/error.h"
#include "qemu/error-report.h"

#define BLOCK_SIZE (64 * MiB)
/* The discarded range: page aligned, but deliberately not 2 MiB aligned. */
#define HOLE_START (20 * MiB + 4 * KiB)
#define HOLE_LENGTH (24 * MiB)
/* Slack for RSS noise from the test itself (GLib, stdio, ...). */
#define RSS_SLACK (1 * MiB)

typedef enum RamKind {
    RAM_KIND_PRIVATE_ANON,
    RAM_KIND_SHARED_MEMFD,
    RAM_KIND_FILE_SHARED,
    RAM_KIND_FILE_PRIVATE,
} RamKind;

static char *tmp_dir;

static size_t page_size(void)
{
    return qemu_real_host_page_size();
}

static RAMBlock *alloc_kind(RamKind kind, size_t size)
{
    switch (kind) {
    case RAM_KIND_PRIVATE_ANON:
        return qemu_ram_alloc(size, 0, NULL, &error_abort);
    case RAM_KIND_SHARED_MEMFD:
        return qemu_ram_alloc(size, RAM_SHARED, NULL, &error_abort);
    case RAM_KIND_FILE_SHARED:
        return qemu_ram_alloc_from_file(size, NULL, RAM_SHARED, tmp_dir, 0,
                                        &error_abort);
    case RAM_KIND_FILE_PRIVATE:
        return qemu_ram_alloc_from_file(size, NULL, 0, tmp_dir, 0,
                                        &error_abort);
    }
    g_assert_not_reached();
}

/* A position-dependent pattern that never contains a zero byte. */
static uint8_t pattern_byte(size_t offset)
{
    return (uint8_t)((offset + offset / 4096 * 13) % 255 + 1);
}

static void fill_pattern(uint8_t *host, size_t start, size_t length)
{
    size_t i;

    for (i = start; i < start + length; i++) {
        host[i] = pattern_byte(i);
    }
}

/* Index of the first byte in [start, start + length) off the pattern. */
static size_t find_pattern_mismatch(const uint8_t *host, size_t start,
                                    size_t length)
{
    size_t i;

    for (i = start; i < start + length; i++) {
        if (host[i] != pattern_byte(i)) {
            return i;
        }
    }
    return SIZE_MAX;
}

static size_t find_nonzero(const uint8_t *host, size_t start, size_t length)
{
    size_t i;

    for (i = start; i < start + length; i++) {
        if (host[i]) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* Number of resident host pages in [start, start + length) of @host. */
static size_t resident_pages(uint8_t *host, size_t start, size_t length)
{
    size_t npages = length / page_size();
    g_autofree unsigned char *vec = g_malloc(npages);
    size_t i, count = 0;

    g_assert_cmpint(mincore(host + start, length, vec), ==, 0);
    for (i = 0; i < npages; i++) {
        count += vec[i] & 1;
    }
    return count;
}

/* Resident set size of this process, in bytes. */
static uint64_t rss_bytes(void)
{
    g_autofree char *statm = NULL;
    g_auto(GStrv) fields = NULL;

    g_assert_true(g_file_get_contents("/proc/self/statm", &statm, NULL,
                                      NULL));
    fields = g_strsplit(statm, " ", -1);
    g_assert_cmpuint(g_strv_length(fields), >=, 2);
    return g_ascii_strtoull(fields[1], NULL, 10) * page_size();
}

static void assert_fully_resident(RAMBlock *rb, size_t start, size_t length)
{
    g_assert_cmpuint(resident_pages(rb->host, start, length), ==,
                     length / page_size());
}

/* The whole block still holds the pattern and is fully resident. */
static void assert_block_untouched(RAMBlock *rb)
{
    g_assert_cmpuint(find_pattern_mismatch(rb->host, 0, rb->used_length), ==,
                     SIZE_MAX);
    assert_fully_resident(rb, 0, rb->used_length);
}

static void test_discard_middle(gconstpointer data)
{
    RamKind kind = GPOINTER_TO_INT(data);
    const size_t hole_end = HOLE_START + HOLE_LENGTH;
    const bool page_cache = kind == RAM_KIND_FILE_SHARED ||
                            kind == RAM_KIND_FILE_PRIVATE;
    RAMBlock *rb = alloc_kind(kind, BLOCK_SIZE);
    uint64_t rss_filled, rss_discarded;

    g_assert_cmpuint(rb->used_length, ==, BLOCK_SIZE);
    g_assert_cmpuint(resident_pages(rb->host, 0, BLOCK_SIZE), ==, 0);

    fill_pattern(rb->host, 0, BLOCK_SIZE);
    assert_fully_resident(rb, 0, BLOCK_SIZE);
    rss_filled = rss_bytes();

    g_assert_cmpint(ram_block_discard_range(rb, HOLE_START, HOLE_LENGTH), ==,
                    0);

    /*
     * Check residency before reading anything back (reads fault in).  The
     * page cache of a regular file may hold large folios (up to 2 MiB);
     * a folio straddling an edge of the hole is zeroed but can stay cached.
     */
    if (page_cache) {
        const size_t inner_start = ROUND_UP(HOLE_START, 2 * MiB);
        const size_t inner_end = ROUND_DOWN(hole_end, 2 * MiB);

        g_assert_cmpuint(resident_pages(rb->host, inner_start,
                                        inner_end - inner_start), ==, 0);
        g_assert_cmpuint(resident_pages(rb->host, HOLE_START, HOLE_LENGTH),
                         <=, 2 * (2 * MiB) / page_size());
    } else {
        g_assert_cmpuint(resident_pages(rb->host, HOLE_START, HOLE_LENGTH),
                         ==, 0);
    }
    assert_fully_resident(rb, 0, HOLE_START);
    assert_fully_resident(rb, hole_end, BLOCK_SIZE - hole_end);
    /*
     * For page cache folios straddling the edges, the kernel may unmap the
     * whole folio (it stays cached and faults back in on access).
     */
    rss_discarded = rss_bytes();
    g_assert_cmpuint(rss_filled - rss_discarded, >=, HOLE_LENGTH - RSS_SLACK);
    g_assert_cmpuint(rss_filled - rss_discarded, <=,
                     HOLE_LENGTH + RSS_SLACK + (page_cache ? 4 * MiB : 0));

    /* The neighbours of the hole, and everything else, keep their data. */
    g_assert_cmpuint(rb->host[HOLE_START - 1], ==,
                     pattern_byte(HOLE_START - 1));
    g_assert_cmpuint(rb->host[hole_end], ==, pattern_byte(hole_end));
    g_assert_cmpuint(find_pattern_mismatch(rb->host, 0, HOLE_START), ==,
                     SIZE_MAX);
    g_assert_cmpuint(find_pattern_mismatch(rb->host, hole_end,
                                           BLOCK_SIZE - hole_end), ==,
                     SIZE_MAX);
    g_assert_cmpuint(find_nonzero(rb->host, HOLE_START, HOLE_LENGTH), ==,
                     SIZE_MAX);

    qemu_ram_free(rb);
}

/* Run one invalid discard; it must fail, say why, and change nothing. */
static void check_bad_discard(RAMBlock *rb, uint64_t start, size_t length,
                              const char *expected_msg)
{
    g_autoptr(GString) out = g_string_new("");
    GString *old = error_report_set_capture(out);
    int ret = ram_block_discard_range(rb, start, length);

    error_report_set_capture(old);
    g_assert_cmpint(ret, ==, -EINVAL);
    g_assert_cmpstr(out->str, ==, expected_msg);
    assert_block_untouched(rb);
}

static void test_discard_invalid(gconstpointer data)
{
    RamKind kind = GPOINTER_TO_INT(data);
    const size_t size = 4 * MiB;
    RAMBlock *rb = alloc_kind(kind, size);
    g_autofree char *msg = NULL;

    qemu_ram_set_idstr(rb, "bad-discard", NULL);
    fill_pattern(rb->host, 0, size);

    msg = g_strdup_printf("sparsevm: ram_block_discard_range: start 0x1001 in"
                          " RAM block 'bad-discard' is not aligned to its"
                          " page size 0x%zx\n", page_size());
    check_bad_discard(rb, 4 * KiB + 1, 4 * KiB, msg);
    g_free(msg);

    msg = g_strdup_printf("sparsevm: ram_block_discard_range: length 0x1800"
                          " in RAM block 'bad-discard' is not aligned to its"
                          " page size 0x%zx\n", page_size());
    check_bad_discard(rb, 0, 6 * KiB, msg);

    check_bad_discard(rb, size - 4 * KiB, 8 * KiB,
                      "sparsevm: ram_block_discard_range: range [0x3ff000,"
                      " 0x401000) is outside RAM block 'bad-discard' of size"
                      " 0x400000\n");
    check_bad_discard(rb, size, 4 * KiB,
                      "sparsevm: ram_block_discard_range: range [0x400000,"
                      " 0x401000) is outside RAM block 'bad-discard' of size"
                      " 0x400000\n");
    /* start + length wraps around: must not pass the bounds check. */
    check_bad_discard(rb, UINT64_MAX - 4095, 8 * KiB,
                      "sparsevm: ram_block_discard_range: range"
                      " [0xfffffffffffff000, 0x1000) is outside RAM block"
                      " 'bad-discard' of size 0x400000\n");

    /* An empty range is valid and a no-op. */
    g_assert_cmpint(ram_block_discard_range(rb, 4 * KiB, 0), ==, 0);
    assert_block_untouched(rb);

    qemu_ram_free(rb);
}

/* Discarding the very first and very last page spares their neighbours. */
static void test_discard_edges(gconstpointer data)
{
    RamKind kind = GPOINTER_TO_INT(data);
    const size_t size = 4 * MiB, ps = page_size();
    RAMBlock *rb = alloc_kind(kind, size);

    fill_pattern(rb->host, 0, size);
    g_assert_cmpint(ram_block_discard_range(rb, 0, ps), ==, 0);
    g_assert_cmpint(ram_block_discard_range(rb, size - ps, ps), ==, 0);

    /*
     * A single page punched out of a large page cache folio may stay cached
     * (zeroed) if the kernel cannot split the folio: only the contents are
     * guaranteed there.
     */
    if (kind == RAM_KIND_PRIVATE_ANON || kind == RAM_KIND_SHARED_MEMFD) {
        g_assert_cmpuint(resident_pages(rb->host, 0, ps), ==, 0);
        g_assert_cmpuint(resident_pages(rb->host, size - ps, ps), ==, 0);
    }
    assert_fully_resident(rb, ps, size - 2 * ps);
    g_assert_cmpuint(find_pattern_mismatch(rb->host, ps, size - 2 * ps), ==,
                     SIZE_MAX);
    g_assert_cmpuint(find_nonzero(rb->host, 0, ps), ==, SIZE_MAX);
    g_assert_cmpuint(find_nonzero(rb->host, size - ps, ps), ==, SIZE_MAX);

    qemu_ram_free(rb);
}

static void test_populate(gconstpointer data)
{
    RamKind kind = GPOINTER_TO_INT(data);
    const size_t size = 16 * MiB, written = 4 * MiB;
    RAMBlock *rb = alloc_kind(kind, size);
    uint64_t rss_before;

    fill_pattern(rb->host, 0, written);
    /* Faults on files may read ahead: start from a known-empty tail. */
    g_assert_cmpint(ram_block_discard_range(rb, written, size - written), ==,
                    0);
    g_assert_cmpuint(resident_pages(rb->host, written, size - written), ==, 0);
    rss_before = rss_bytes();

    g_assert_cmpint(ram_block_populate_range(rb, 0, size), ==, 0);

    assert_fully_resident(rb, 0, size);
    g_assert_cmpuint(rss_bytes() - rss_before, >=,
                     size - written - RSS_SLACK);
    g_assert_cmpuint(find_pattern_mismatch(rb->host, 0, written), ==,
                     SIZE_MAX);
    g_assert_cmpuint(find_nonzero(rb->host, written, size - written), ==,
                     SIZE_MAX);

    /* Populate after discard: resident again, and zero. */
    g_assert_cmpint(ram_block_discard_range(rb, 0, written), ==, 0);
    g_assert_cmpuint(resident_pages(rb->host, 0, written), ==, 0);
    g_assert_cmpint(ram_block_populate_range(rb, 0, written), ==, 0);
    assert_fully_resident(rb, 0, written);
    g_assert_cmpuint(find_nonzero(rb->host, 0, size), ==, SIZE_MAX);

    /* Same validation as discard. */
    {
        g_autoptr(GString) out = g_string_new("");
        GString *old = error_report_set_capture(out);

        g_assert_cmpint(ram_block_populate_range(rb, size, page_size()), ==,
                        -EINVAL);
        error_report_set_capture(old);
        g_assert_true(strstr(out->str, "ram_block_populate_range: range"));
    }

    qemu_ram_free(rb);
}

static void test_prealloc_threads(void)
{
    const size_t size = 256 * MiB, written = 8 * MiB;
    RAMBlock *rb = qemu_ram_alloc(size, 0, NULL, &error_abort);

    fill_pattern(rb->host, size - written, written);
    g_assert_true(qemu_prealloc_mem(-1, (char *)rb->host, size, 4, false,
                                    &error_abort));
    assert_fully_resident(rb, 0, size);
    g_assert_cmpuint(find_pattern_mismatch(rb->host, size - written, written),
                     ==, SIZE_MAX);
    g_assert_cmpuint(find_nonzero(rb->host, 0, size - written), ==,
                     SIZE_MAX);
    qemu_ram_free(rb);
}

/*
 * The kernel refuses MADV_POPULATE_WRITE on an unaligned start (EINVAL),
 * which is also what old kernels say: that takes the fallback that touches
 * one byte per page, which must populate without changing any data.
 */
static void test_prealloc_touch_fallback(void)
{
    const size_t size = 8 * MiB, ps = page_size();
    RAMBlock *rb = qemu_ram_alloc(size, 0, NULL, &error_abort);
    uint8_t *host = rb->host;

    fill_pattern(host, 0, 2 * MiB);
    g_assert_cmpint(ram_block_discard_range(rb, 0, 1 * MiB), ==, 0);
    g_assert_cmpuint(resident_pages(host, 0, size), ==, 1 * MiB / ps);

    g_assert_true(qemu_prealloc_mem(-1, (char *)host + 1, size - ps, 1, false,
                                    &error_abort));
    /* Pages 0 .. n-2 were touched (at offset 1); the last one was not. */
    g_assert_cmpuint(resident_pages(host, 0, size - ps), ==, size / ps - 1);
    g_assert_cmpuint(resident_pages(host, size - ps, ps), ==, 0);
    g_assert_cmpuint(find_nonzero(host, 0, 1 * MiB), ==, SIZE_MAX);
    g_assert_cmpuint(find_pattern_mismatch(host, 1 * MiB, 1 * MiB), ==,
                     SIZE_MAX);
    g_assert_cmpuint(find_nonzero(host, 2 * MiB, size - 2 * MiB), ==,
                     SIZE_MAX);
    qemu_ram_free(rb);
}

/* Huge sparse blocks cost address space only. */
static void test_big_noreserve(void)
{
    const uint64_t sizes[] = { 64 * GiB, 1 * TiB };
    const uint32_t flags[] = { RAM_NORESERVE, RAM_SHARED | RAM_NORESERVE };
    size_t i, j;

    for (i = 0; i < ARRAY_SIZE(sizes); i++) {
        for (j = 0; j < ARRAY_SIZE(flags); j++) {
            uint64_t rss_before = rss_bytes();
            RAMBlock *rb = qemu_ram_alloc(sizes[i], flags[j], NULL,
                                          &error_abort);
            uint8_t *last = rb->host + sizes[i] - page_size();

            g_assert_cmpuint(rb->used_length, ==, sizes[i]);
            g_assert_true(qemu_ram_is_noreserve(rb));
            g_assert_cmpuint(rss_bytes(), <=, rss_before + RSS_SLACK);

            /* The far end works, and can be given back. */
            *last = 0x5a;
            g_assert_cmpuint(resident_pages(last, 0, page_size()), ==, 1);
            g_assert_cmpint(ram_block_discard_range(rb, sizes[i] - page_size(),
                                                    page_size()), ==, 0);
            g_assert_cmpuint(resident_pages(last, 0, page_size()), ==, 0);
            g_assert_cmpuint(*last, ==, 0);
            qemu_ram_free(rb);
        }
    }
}

static void test_alloc_layout(void)
{
    RAMBlock *a = qemu_ram_alloc(3 * MiB + 1, 0, NULL, &error_abort);
    RAMBlock *b = qemu_ram_alloc(5 * MiB, RAM_SHARED, NULL, &error_abort);
    RAMBlock *c;
    ram_addr_t off;

    /* Sizes are rounded up to pages; offsets never overlap and are aligned. */
    g_assert_cmpuint(qemu_ram_get_used_length(a), ==, 3 * MiB + page_size());
    g_assert_cmpuint(qemu_ram_get_max_length(a), ==, 3 * MiB + page_size());
    g_assert_cmpuint(qemu_ram_get_offset(a) % (2 * MiB), ==, 0);
    g_assert_cmpuint(qemu_ram_get_offset(b) % (2 * MiB), ==, 0);
    g_assert_true(qemu_ram_get_offset(b) >= qemu_ram_get_offset(a) +
                  qemu_ram_get_max_length(a) ||
                  qemu_ram_get_offset(a) >= qemu_ram_get_offset(b) +
                  qemu_ram_get_max_length(b));
    g_assert_cmpuint((uintptr_t)qemu_ram_get_host_addr(a) % (2 * MiB), ==, 0);

    g_assert_false(qemu_ram_is_shared(a));
    g_assert_cmpint(qemu_ram_get_fd(a), ==, -1);
    g_assert_true(qemu_ram_is_shared(b));
    g_assert_cmpint(qemu_ram_get_fd(b), >=, 0);
    g_assert_cmpuint(qemu_ram_pagesize(b), ==, page_size());

    /* Host address lookups. */
    g_assert_true(qemu_ram_block_from_host(b->host + 5 * MiB - 1, false,
                                           &off) == b);
    g_assert_cmpuint(off, ==, 5 * MiB - 1);
    g_assert_true(qemu_ram_block_from_host(b->host + 12345, true, &off) == b);
    g_assert_cmpuint(off, ==, ROUND_DOWN(12345, page_size()));
    g_assert_cmpuint(qemu_ram_addr_from_host(a->host + 77), ==, a->offset + 77);
    g_assert_null(qemu_ram_block_from_host(b->host + 5 * MiB, false, &off));
    g_assert_cmpuint(qemu_ram_addr_from_host(&off), ==, RAM_ADDR_INVALID);
    g_assert_true(qemu_map_ram_ptr(NULL, b->offset + 99) == b->host + 99);
    g_assert_true(qemu_map_ram_ptr(a, 99) == a->host + 99);

    /* Names. */
    g_assert_cmpstr(qemu_ram_get_idstr(a), ==, "");
    qemu_ram_set_idstr(a, "layout-a", NULL);
    qemu_ram_set_idstr(b, "layout-b", NULL);
    g_assert_true(qemu_ram_block_by_name("layout-a") == a);
    g_assert_true(qemu_ram_block_by_name("layout-b") == b);
    g_assert_null(qemu_ram_block_by_name("layout-c"));
    qemu_ram_unset_idstr(b);
    g_assert_null(qemu_ram_block_by_name("layout-b"));

    /* A freed range is handed out again. */
    off = qemu_ram_get_offset(a);
    qemu_ram_free(a);
    c = qemu_ram_alloc(2 * MiB, 0, NULL, &error_abort);
    g_assert_cmpuint(qemu_ram_get_offset(c), ==, off);
    g_assert_null(qemu_ram_block_by_name("layout-a"));

    qemu_ram_free(b);
    qemu_ram_free(c);
}

typedef struct ResizeRecord {
    int calls;
    char idstr[256];
    uint64_t length;
    void *host;
} ResizeRecord;

static ResizeRecord resize_record;

static void record_resize(const char *idstr, uint64_t length, void *host)
{
    resize_record.calls++;
    g_strlcpy(resize_record.idstr, idstr, sizeof(resize_record.idstr));
    resize_record.length = length;
    resize_record.host = host;
}

static void test_resizeable(void)
{
    RAMBlock *rb = qemu_ram_alloc_resizeable(4 * MiB, 16 * MiB, record_resize,
                                             NULL, &error_abort);
    RAMBlock *fixed = qemu_ram_alloc(1 * MiB, 0, NULL, &error_abort);
    Error *err = NULL;

    qemu_ram_set_idstr(rb, "growing", NULL);
    g_assert_true(qemu_ram_is_resizeable(rb));
    g_assert_cmpuint(qemu_ram_get_used_length(rb), ==, 4 * MiB);
    g_assert_cmpuint(qemu_ram_get_max_length(rb), ==, 16 * MiB);
    /* The whole maximum is reserved in the ram_addr_t space. */
    g_assert_cmpuint(fixed->offset, >=, rb->offset + 16 * MiB);

    g_assert_cmpint(qemu_ram_resize(rb, 8 * MiB - 100, &error_abort), ==, 0);
    g_assert_cmpuint(qemu_ram_get_used_length(rb), ==, 8 * MiB);
    g_assert_cmpint(resize_record.calls, ==, 1);
    g_assert_cmpstr(resize_record.idstr, ==, "growing");
    g_assert_cmpuint(resize_record.length, ==, 8 * MiB);
    g_assert_true(resize_record.host == rb->host);
    /* The grown part is usable; discards follow the used length. */
    rb->host[8 * MiB - 1] = 1;
    g_assert_cmpint(ram_block_discard_range(rb, 4 * MiB, 4 * MiB), ==, 0);

    g_assert_cmpint(qemu_ram_resize(rb, 32 * MiB, &err), ==, -EINVAL);
    g_assert_cmpstr(error_get_pretty(err), ==, "Size too large: growing:"
                    " 0x2000000 > 0x1000000: Invalid argument");
    error_free(err);
    err = NULL;
    g_assert_cmpuint(qemu_ram_get_used_length(rb), ==, 8 * MiB);
    g_assert_cmpint(resize_record.calls, ==, 1);

    g_assert_cmpint(qemu_ram_resize(fixed, 2 * MiB, &err), ==, -EINVAL);
    g_assert_cmpstr(error_get_pretty(err), ==, "Size mismatch: (unnamed):"
                    " 0x200000 != 0x100000: Invalid argument");
    error_free(err);

    qemu_ram_free(rb);
    qemu_ram_free(fixed);
}

typedef struct WalkState {
    GPtrArray *seen;
    RAMBlock *stop_at;
} WalkState;

static int walk_block(RAMBlock *rb, void *opaque)
{
    WalkState *ws = opaque;

    g_ptr_array_add(ws->seen, rb);
    return rb == ws->stop_at ? 42 : 0;
}

static void test_foreach(void)
{
    RAMBlock *blocks[3];
    g_autoptr(GPtrArray) seen = g_ptr_array_new();
    WalkState ws = { .seen = seen };
    guint i;

    for (i = 0; i < 3; i++) {
        blocks[i] = qemu_ram_alloc(1 * MiB, 0, NULL, &error_abort);
    }
    g_assert_cmpint(qemu_ram_foreach_block(walk_block, &ws), ==, 0);
    g_assert_cmpuint(seen->len, ==, 3);
    for (i = 0; i < seen->len; i++) {
        g_assert_true(g_ptr_array_index(seen, i) == blocks[i]);
    }
    for (i = 1; i < seen->len; i++) {
        g_assert_cmpuint(blocks[i - 1]->offset, <, blocks[i]->offset);
    }

    g_ptr_array_set_size(seen, 0);
    ws.stop_at = blocks[1];
    g_assert_cmpint(qemu_ram_foreach_block(walk_block, &ws), ==, 42);
    g_assert_cmpuint(seen->len, ==, 2);

    for (i = 0; i < 3; i++) {
        qemu_ram_free(blocks[i]);
    }
}

static void test_alloc_from_ptr(void)
{
    const size_t size = 2 * MiB;
    uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    Error *err = NULL;
    RAMBlock *rb;

    g_assert_true(mem != MAP_FAILED);
    g_assert_null(qemu_ram_alloc_from_ptr(size, mem + 1, NULL, &err));
    g_assert_nonnull(err);
    error_free(err);

    rb = qemu_ram_alloc_from_ptr(size, mem, NULL, &error_abort);
    g_assert_true(rb->host == mem);
    g_assert_cmpuint(rb->flags & RAM_PREALLOC, ==, RAM_PREALLOC);
    fill_pattern(mem, 0, size);
    g_assert_cmpint(ram_block_discard_range(rb, 0, 1 * MiB), ==, 0);
    g_assert_cmpuint(find_nonzero(mem, 0, 1 * MiB), ==, SIZE_MAX);
    g_assert_cmpuint(find_pattern_mismatch(mem, 1 * MiB, 1 * MiB), ==,
                     SIZE_MAX);
    qemu_ram_free(rb);

    /* The caller's memory is still mapped and usable. */
    mem[0] = 1;
    g_assert_cmpint(munmap(mem, size), ==, 0);
}

static void test_alloc_errors(void)
{
    Error *err = NULL;

    g_assert_null(qemu_ram_alloc(0, 0, NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "cannot allocate a RAM block of size 0");
    error_free(err);
    err = NULL;

    g_assert_null(qemu_ram_alloc(UINT64_MAX, 0, NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "RAM block size 0xffffffffffffffff is too large");
    error_free(err);
    err = NULL;

    /* 4 EiB cannot be mapped. */
    g_assert_null(qemu_ram_alloc(UINT64_MAX / 4 + 1, RAM_NORESERVE, NULL,
                                 &err));
    g_assert_nonnull(err);
    g_assert_true(g_str_has_prefix(error_get_pretty(err),
                                   "cannot reserve 0x"));
    error_free(err);
}

static void test_file_paths(void)
{
    g_autofree char *named = g_build_filename(tmp_dir, "ram-file", NULL);
    g_autofree char *small = g_build_filename(tmp_dir, "small-file", NULL);
    g_autofree char *missing = g_build_filename(tmp_dir, "missing", NULL);
    g_autoptr(GDir) dir = NULL;
    Error *err = NULL;
    RAMBlock *rb;
    struct stat st;
    int fd;

    /* A directory gets an unlinked temporary file. */
    rb = qemu_ram_alloc_from_file(2 * MiB, NULL, RAM_SHARED, tmp_dir, 0,
                                  &error_abort);
    dir = g_dir_open(tmp_dir, 0, NULL);
    g_assert_null(g_dir_read_name(dir));
    g_assert_cmpint(fstat(qemu_ram_get_fd(rb), &st), ==, 0);
    g_assert_cmpint(st.st_nlink, ==, 0);
    g_assert_cmpint(st.st_size, ==, 2 * MiB);
    qemu_ram_free(rb);

    /* A missing file is created, and data lands in it (at the offset). */
    rb = qemu_ram_alloc_from_file(2 * MiB, NULL, RAM_SHARED, named, 1 * MiB,
                                  &error_abort);
    g_assert_cmpuint(qemu_ram_get_fd_offset(rb), ==, 1 * MiB);
    fill_pattern(rb->host, 0, 2 * MiB);
    qemu_ram_free(rb);
    fd = open(named, O_RDONLY);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(fstat(fd, &st), ==, 0);
    g_assert_cmpint(st.st_size, ==, 3 * MiB);
    {
        uint8_t buf[4096];

        g_assert_cmpint(pread(fd, buf, sizeof(buf), 1 * MiB + 8192), ==,
                        sizeof(buf));
        g_assert_cmpuint(buf[0], ==, pattern_byte(8192));
        g_assert_cmpuint(buf[4095], ==, pattern_byte(8192 + 4095));
    }
    close(fd);

    /* Reopening the (now non-empty) file maps the same data read-only. */
    rb = qemu_ram_alloc_from_file(2 * MiB, NULL, RAM_SHARED | RAM_READONLY,
                                  named, 1 * MiB, &error_abort);
    g_assert_cmpuint(find_pattern_mismatch(rb->host, 0, 2 * MiB), ==,
                     SIZE_MAX);
    qemu_ram_free(rb);
    g_assert_cmpint(unlink(named), ==, 0);

    /* A non-empty file that is too small is an error, and left alone. */
    g_assert_true(g_file_set_contents(small, "abc", 3, NULL));
    g_assert_null(qemu_ram_alloc_from_file(2 * MiB, NULL, RAM_SHARED, small,
                                           0, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "backing store size 0x3 does not match 'size' option"
                    " 0x200000 (at offset 0x0)");
    error_free(err);
    err = NULL;
    g_assert_cmpint(stat(small, &st), ==, 0);
    g_assert_cmpint(st.st_size, ==, 3);
    g_assert_cmpint(unlink(small), ==, 0);

    /* Read-only never creates anything. */
    g_assert_null(qemu_ram_alloc_from_file(2 * MiB, NULL, RAM_READONLY,
                                           missing, 0, &err));
    g_assert_true(g_str_has_prefix(error_get_pretty(err),
                                   "can't open backing store "));
    error_free(err);
    g_assert_false(g_file_test(missing, G_FILE_TEST_EXISTS));
}

/* hugetlb memfd: page size detection and alignment rules. */
static size_t default_huge_page_size(void)
{
    g_autofree char *meminfo = NULL;
    const char *line;

    g_assert_true(g_file_get_contents("/proc/meminfo", &meminfo, NULL, NULL));
    line = strstr(meminfo, "Hugepagesize:");
    return line ? g_ascii_strtoull(line + strlen("Hugepagesize:"), NULL, 10)
                  * KiB : 0;
}

static void test_hugetlb_memfd(void)
{
    const size_t huge = default_huge_page_size();
    RAMBlock *rb;
    int fd = memfd_create("test-huge", MFD_CLOEXEC | MFD_HUGETLB);

    if (fd < 0 || huge != 2 * MiB) {
        if (fd >= 0) {
            close(fd);
        }
        g_test_skip("no hugetlb memfd support");
        return;
    }
    rb = qemu_ram_alloc_from_fd(3 * MiB, NULL, RAM_SHARED | RAM_NORESERVE, fd,
                                0, &error_abort);
    g_assert_cmpuint(qemu_ram_pagesize(rb), ==, huge);
    g_assert_cmpuint(rb->used_length, ==, 2 * huge);
    g_assert_cmpuint((uintptr_t)rb->host % huge, ==, 0);
    g_assert_cmpuint(qemu_ram_pagesize_largest(), >=, huge);

    {
        g_autoptr(GString) out = g_string_new("");
        GString *old = error_report_set_capture(out);

        g_assert_cmpint(ram_block_discard_range(rb, page_size(), huge), ==,
                        -EINVAL);
        g_assert_cmpint(ram_block_discard_range(rb, 0, page_size()), ==,
                        -EINVAL);
        error_report_set_capture(old);
    }
    /* Nothing was populated, so a page-aligned discard simply works. */
    g_assert_cmpint(ram_block_discard_range(rb, huge, huge), ==, 0);
    qemu_ram_free(rb);
}

static void add_kind_tests(const char *name, GTestDataFunc fn)
{
    static const char *const kind_names[] = {
        [RAM_KIND_PRIVATE_ANON] = "private-anon",
        [RAM_KIND_SHARED_MEMFD] = "shared-memfd",
        [RAM_KIND_FILE_SHARED] = "file-shared",
        [RAM_KIND_FILE_PRIVATE] = "file-private",
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(kind_names); i++) {
        g_autofree char *path = g_strdup_printf("/physmem/%s/%s", name,
                                                kind_names[i]);

        g_test_add_data_func(path, GINT_TO_POINTER(i), fn);
    }
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);

    tmp_dir = g_dir_make_tmp("test-physmem-XXXXXX", NULL);
    g_assert_nonnull(tmp_dir);

    add_kind_tests("discard-middle", test_discard_middle);
    add_kind_tests("discard-invalid", test_discard_invalid);
    add_kind_tests("discard-edges", test_discard_edges);
    add_kind_tests("populate", test_populate);
    g_test_add_func("/physmem/prealloc-threads", test_prealloc_threads);
    g_test_add_func("/physmem/prealloc-touch-fallback",
                    test_prealloc_touch_fallback);
    g_test_add_func("/physmem/big-noreserve", test_big_noreserve);
    g_test_add_func("/physmem/alloc-layout", test_alloc_layout);
    g_test_add_func("/physmem/foreach", test_foreach);
    g_test_add_func("/physmem/resizeable", test_resizeable);
    g_test_add_func("/physmem/alloc-from-ptr", test_alloc_from_ptr);
    g_test_add_func("/physmem/alloc-errors", test_alloc_errors);
    g_test_add_func("/physmem/file-paths", test_file_paths);
    g_test_add_func("/physmem/hugetlb-memfd", test_hugetlb_memfd);

    ret = g_test_run();
    rmdir(tmp_dir);
    g_free(tmp_dir);
    return ret;
}
