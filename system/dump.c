/*
 * dump-guest-memory: guest RAM to an ELF64 core or a kdump-compressed
 * file (see include/sysemu/dump.h and docs/dump.md).
 *
 * A dump takes a snapshot of the guest-physical blocks (populated RAM
 * only) when it starts, stops the VM while it runs (as QEMU does) and
 * writes the blocks' bytes straight from their host mapping.  A detached
 * dump writes one chunk per main loop iteration (an idle source), so the
 * monitor keeps answering; before every chunk the blocks of sparse
 * regions are checked again, and parts discarded meanwhile are written as
 * zeros instead of being read (which would populate them).
 */
#include "qemu/osdep.h"
#include <elf.h>
#include <fcntl.h>
#include <sys/procfs.h>
#include <zlib.h>
#include "qemu/bitops.h"
#include "qemu/cutils.h"
#include "sysemu/dump.h"
#include "sysemu/memory_mapping.h"
#include "sysemu/runstate.h"
#include "exec/address-spaces.h"
#include "monitor/monitor.h"
#include "qapi/qmp/dispatch.h"
#include "qapi/qmp-event.h"
#include "qom/object.h"

#define DUMP_PAGE_SIZE 4096ULL
/* Bytes of guest memory per step: synchronous / detached dumps. */
#define DUMP_CHUNK_SYNC (64 * 1024 * 1024ULL)
#define DUMP_CHUNK_DETACHED (8 * 1024 * 1024ULL)
/* kdump output is buffered and flushed in pieces of this size. */
#define KDUMP_FLUSH_SIZE (1024 * 1024)
/* ELF: guest memory starts page aligned in the file. */
#define ELF_DATA_ALIGN 4096

typedef enum DumpFormat {
    DUMP_FORMAT_ELF,
    DUMP_FORMAT_KDUMP_ZLIB,
    DUMP_FORMAT_KDUMP_RAW_ZLIB,
    DUMP_FORMAT__MAX,
} DumpFormat;

static const char *const dump_format_names[DUMP_FORMAT__MAX] = {
    [DUMP_FORMAT_ELF] = "elf",
    [DUMP_FORMAT_KDUMP_ZLIB] = "kdump-zlib",
    [DUMP_FORMAT_KDUMP_RAW_ZLIB] = "kdump-raw-zlib",
};

/* QEMU's other formats: known names, not available here. */
static const char *const dump_unavailable_formats[] = {
    "kdump-lzo", "kdump-snappy", "kdump-raw-lzo", "kdump-raw-snappy",
    "win-dmp", NULL,
};

typedef enum DumpStatus {
    DUMP_STATUS_NONE,
    DUMP_STATUS_ACTIVE,
    DUMP_STATUS_COMPLETED,
    DUMP_STATUS_FAILED,
} DumpStatus;

static const char *const dump_status_names[] = {
    "none", "active", "completed", "failed",
};

/* How bytes reach the file. */
typedef enum DumpOutputMode {
    DUMP_OUT_STREAM,        /* sequential write(): pipes */
    DUMP_OUT_SEEK,          /* pwrite() at offsets: regular files */
    DUMP_OUT_FLAT,          /* makedumpfile's flattened records */
} DumpOutputMode;

typedef struct DumpState {
    DumpStatus status;
    uint64_t completed;
    uint64_t total;

    /* The running dump. */
    int fd;
    DumpFormat format;
    DumpOutputMode out_mode;
    uint64_t out_base;          /* SEEK: fd's offset at the start */
    uint64_t out_pos;           /* STREAM: file offset reached */
    GuestPhysBlockList blocks;
    unsigned nr_cpus;
    bool resume;                /* restart the VM when done */
    bool detached;
    guint idle_id;

    /* Progress through the blocks (ELF). */
    unsigned block_idx;
    uint64_t block_off;
    uint64_t file_off;          /* where the next guest byte goes */

    /* kdump */
    unsigned long *bitmap;
    uint64_t max_mapnr;
    uint64_t next_pfn;
    GByteArray *descs;          /* pending descriptors, at descs_at */
    uint64_t descs_at;
    GByteArray *data;           /* pending page data, at data_at */
    uint64_t data_at;
    uint64_t zero_page_at;
    uint8_t *page;
    uint8_t *zbuf;
    uLong zbuf_size;
} DumpState;

static DumpState dump_state = { .fd = -1 };

static struct {
    unsigned nr_cpus;
    DumpCpuRegsFn *fn;
    void *opaque;
} dump_cpus = { .nr_cpus = 1 };

static const uint8_t dump_zeros[64 * 1024];

bool dump_in_progress(void)
{
    return dump_state.status == DUMP_STATUS_ACTIVE;
}

void dump_set_cpu_regs_provider(unsigned nr_cpus, DumpCpuRegsFn *fn,
                                void *opaque)
{
    dump_cpus.nr_cpus = fn ? MAX(nr_cpus, 1) : 1;
    dump_cpus.fn = fn;
    dump_cpus.opaque = opaque;
}

/* --- Output ---------------------------------------------------------- */

static bool dump_write_fd(DumpState *s, const void *buf, size_t len,
                          Error **errp)
{
    const uint8_t *p = buf;

    while (len) {
        ssize_t n = write(s->fd, p, MIN(len, 1024 * 1024 * 1024));

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            error_setg_errno(errp, n < 0 ? errno : EIO,
                             "dump: failed to write the dump file");
            return false;
        }
        p += n;
        len -= n;
    }
    return true;
}

static bool dump_pwrite_fd(DumpState *s, uint64_t offset, const void *buf,
                           size_t len, Error **errp)
{
    const uint8_t *p = buf;

    while (len) {
        ssize_t n = pwrite(s->fd, p, MIN(len, 1024 * 1024 * 1024),
                           s->out_base + offset);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            error_setg_errno(errp, n < 0 ? errno : EIO,
                             "dump: failed to write the dump file");
            return false;
        }
        p += n;
        len -= n;
        offset += n;
    }
    return true;
}

/* Place @len bytes at @offset of the dump file, whatever the mode. */
static bool dump_write_at(DumpState *s, uint64_t offset, const void *buf,
                          size_t len, Error **errp)
{
    MakedumpfileDataHeader rec;

    switch (s->out_mode) {
    case DUMP_OUT_SEEK:
        return dump_pwrite_fd(s, offset, buf, len, errp);
    case DUMP_OUT_FLAT:
        rec.offset = GINT64_TO_BE(offset);
        rec.buf_size = GINT64_TO_BE(len);
        return dump_write_fd(s, &rec, sizeof(rec), errp) &&
               dump_write_fd(s, buf, len, errp);
    case DUMP_OUT_STREAM:
        /* Writers go forward: pad a gap with zeros. */
        g_assert(offset >= s->out_pos);
        while (s->out_pos < offset) {
            size_t n = MIN(offset - s->out_pos, sizeof(dump_zeros));

            if (!dump_write_fd(s, dump_zeros, n, errp)) {
                return false;
            }
            s->out_pos += n;
        }
        if (!dump_write_fd(s, buf, len, errp)) {
            return false;
        }
        s->out_pos += len;
        return true;
    }
    g_assert_not_reached();
}

static bool dump_write_zeros_at(DumpState *s, uint64_t offset, uint64_t len,
                                Error **errp)
{
    while (len) {
        size_t n = MIN(len, sizeof(dump_zeros));

        if (!dump_write_at(s, offset, dump_zeros, n, errp)) {
            return false;
        }
        offset += n;
        len -= n;
    }
    return true;
}

/*
 * Write [@off, @off + @len) of @b at @file_off, straight from guest RAM;
 * parts of sparse RAM discarded since the snapshot become zeros.
 */
static bool dump_write_guest(DumpState *s, const GuestPhysBlock *b,
                             uint64_t off, uint64_t len, uint64_t file_off,
                             Error **errp)
{
    uint64_t gran;

    if (guest_phys_block_populated(b, off, len)) {
        return dump_write_at(s, file_off, b->host_addr + off, len, errp);
    }
    gran = guest_phys_block_granularity(b);
    while (len) {
        /* Pieces aligned to the granularity within the region. */
        uint64_t in_region = b->offset_in_region + off;
        uint64_t n = MIN(len, QEMU_ALIGN_DOWN(in_region, gran) + gran -
                              in_region);
        bool ok = guest_phys_block_populated(b, off, n) ?
                  dump_write_at(s, file_off, b->host_addr + off, n, errp) :
                  dump_write_zeros_at(s, file_off, n, errp);

        if (!ok) {
            return false;
        }
        off += n;
        file_off += n;
        len -= n;
    }
    return true;
}

/* --- Notes ------------------------------------------------------------ */

/* Append one ELF note (name and descriptor 4-byte aligned). */
static void dump_append_note(GByteArray *notes, const char *name,
                             uint32_t type, const void *desc,
                             uint32_t descsz)
{
    Elf64_Nhdr nhdr = {
        .n_namesz = strlen(name) + 1,
        .n_descsz = descsz,
        .n_type = type,
    };
    static const uint8_t pad[4];

    g_byte_array_append(notes, (const guint8 *)&nhdr, sizeof(nhdr));
    g_byte_array_append(notes, (const guint8 *)name, nhdr.n_namesz);
    g_byte_array_append(notes, pad, ROUND_UP(nhdr.n_namesz, 4) -
                                    nhdr.n_namesz);
    g_byte_array_append(notes, desc, descsz);
    g_byte_array_append(notes, pad, ROUND_UP(descsz, 4) - descsz);
}

/* One NT_PRSTATUS per vCPU; pr_pid is the vCPU index + 1, as QEMU. */
static GByteArray *dump_build_notes(DumpState *s)
{
    GByteArray *notes = g_byte_array_new();

    for (unsigned i = 0; i < s->nr_cpus; i++) {
        struct elf_prstatus prs;
        struct user_regs_struct regs;

        memset(&prs, 0, sizeof(prs));
        memset(&regs, 0, sizeof(regs));
        if (dump_cpus.fn && !dump_cpus.fn(i, &regs, dump_cpus.opaque)) {
            memset(&regs, 0, sizeof(regs));
        }
        G_STATIC_ASSERT(sizeof(prs.pr_reg) == sizeof(regs));
        memcpy(&prs.pr_reg, &regs, sizeof(regs));
        prs.pr_pid = i + 1;
        dump_append_note(notes, "CORE", NT_PRSTATUS, &prs, sizeof(prs));
    }
    return notes;
}

/* --- ELF ------------------------------------------------------------- */

static bool dump_elf_begin(DumpState *s, Error **errp)
{
    unsigned nr_blocks = guest_phys_blocks_count(&s->blocks);
    uint64_t phnum = 1 + (uint64_t)nr_blocks;
    bool extended = phnum >= PN_XNUM;
    g_autoptr(GByteArray) notes = dump_build_notes(s);
    g_autoptr(GByteArray) hdr = g_byte_array_new();
    uint64_t phoff = sizeof(Elf64_Ehdr);
    uint64_t shoff = phoff + phnum * sizeof(Elf64_Phdr);
    uint64_t note_off = shoff + (extended ? sizeof(Elf64_Shdr) : 0);
    uint64_t data_off = ROUND_UP(note_off + notes->len, ELF_DATA_ALIGN);
    Elf64_Ehdr eh = {
        .e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64,
                     ELFDATA2LSB, EV_CURRENT, ELFOSABI_SYSV },
        .e_type = ET_CORE,
        .e_machine = EM_X86_64,
        .e_version = EV_CURRENT,
        .e_phoff = phoff,
        .e_ehsize = sizeof(Elf64_Ehdr),
        .e_phentsize = sizeof(Elf64_Phdr),
        .e_phnum = extended ? PN_XNUM : phnum,
    };
    Elf64_Phdr ph = {
        .p_type = PT_NOTE,
        .p_offset = note_off,
        .p_filesz = notes->len,
        .p_memsz = notes->len,
    };
    uint64_t off = data_off;

    if (extended) {
        /* More than 65534 program headers: the count goes to sh_info. */
        eh.e_shoff = shoff;
        eh.e_shentsize = sizeof(Elf64_Shdr);
        eh.e_shnum = 1;
    }
    g_byte_array_append(hdr, (const guint8 *)&eh, sizeof(eh));
    g_byte_array_append(hdr, (const guint8 *)&ph, sizeof(ph));
    for (unsigned i = 0; i < nr_blocks; i++) {
        const GuestPhysBlock *b = guest_phys_block(&s->blocks, i);
        uint64_t size = b->target_end - b->target_start;

        ph = (Elf64_Phdr) {
            .p_type = PT_LOAD,
            .p_flags = PF_R | PF_W | PF_X,
            .p_offset = off,
            /* paging: false, so virtual addresses are the physical ones */
            .p_vaddr = b->target_start,
            .p_paddr = b->target_start,
            .p_filesz = size,
            .p_memsz = size,
        };
        g_byte_array_append(hdr, (const guint8 *)&ph, sizeof(ph));
        off += size;
    }
    if (extended) {
        Elf64_Shdr sh = {
            .sh_type = SHT_NULL,
            .sh_size = 0,
            .sh_link = SHN_UNDEF,
            .sh_info = phnum,
        };

        g_byte_array_append(hdr, (const guint8 *)&sh, sizeof(sh));
    }
    g_byte_array_append(hdr, notes->data, notes->len);
    s->file_off = data_off;
    s->total = guest_phys_blocks_total_size(&s->blocks);
    return dump_write_at(s, 0, hdr->data, hdr->len, errp);
}

/* Write up to @budget bytes of guest memory; true with *@done when all. */
static bool dump_elf_step(DumpState *s, uint64_t budget, bool *done,
                          Error **errp)
{
    while (budget && s->block_idx < guest_phys_blocks_count(&s->blocks)) {
        const GuestPhysBlock *b = guest_phys_block(&s->blocks, s->block_idx);
        uint64_t len = MIN(budget, b->target_end - b->target_start -
                                   s->block_off);

        if (!dump_write_guest(s, b, s->block_off, len, s->file_off, errp)) {
            return false;
        }
        s->block_off += len;
        s->file_off += len;
        s->completed += len;
        budget -= len;
        if (s->block_off == b->target_end - b->target_start) {
            s->block_idx++;
            s->block_off = 0;
        }
    }
    *done = s->block_idx == guest_phys_blocks_count(&s->blocks);
    return true;
}

/* --- kdump ----------------------------------------------------------- */

static inline bool dump_test_bit(const unsigned long *map, uint64_t nr)
{
    return map[nr / BITS_PER_LONG] & (1UL << (nr % BITS_PER_LONG));
}

/* The first set bit at or after @nr, or @size. */
static uint64_t dump_next_bit(const unsigned long *map, uint64_t size,
                              uint64_t nr)
{
    while (nr < size) {
        unsigned long word = map[nr / BITS_PER_LONG] >> (nr % BITS_PER_LONG);

        if (word) {
            nr += __builtin_ctzl(word);
            return MIN(nr, size);
        }
        nr = QEMU_ALIGN_DOWN(nr, BITS_PER_LONG) + BITS_PER_LONG;
    }
    return size;
}

/* Mark every page touched by a block; returns the number of pages. */
static uint64_t kdump_build_bitmap(DumpState *s)
{
    unsigned n = guest_phys_blocks_count(&s->blocks);
    uint64_t pages = 0;

    s->max_mapnr = n ? DIV_ROUND_UP(guest_phys_block(&s->blocks, n - 1)
                                    ->target_end, DUMP_PAGE_SIZE) : 0;
    s->bitmap = g_new0(unsigned long,
                       DIV_ROUND_UP(MAX(s->max_mapnr, 1), BITS_PER_LONG));
    for (unsigned i = 0; i < n; i++) {
        const GuestPhysBlock *b = guest_phys_block(&s->blocks, i);

        for (uint64_t pfn = b->target_start / DUMP_PAGE_SIZE;
             pfn < DIV_ROUND_UP(b->target_end, DUMP_PAGE_SIZE); pfn++) {
            if (!dump_test_bit(s->bitmap, pfn)) {
                s->bitmap[pfn / BITS_PER_LONG] |= 1UL << (pfn % BITS_PER_LONG);
                pages++;
            }
        }
    }
    return pages;
}

/* The bitmap in the file's byte order: bit N of byte N / 8 is pfn N. */
static void kdump_bitmap_bytes(DumpState *s, uint8_t *out)
{
    for (uint64_t pfn = 0; pfn < s->max_mapnr; pfn++) {
        if (dump_test_bit(s->bitmap, pfn)) {
            out[pfn / 8] |= 1 << (pfn % 8);
        }
    }
}

static bool kdump_begin(DumpState *s, Error **errp)
{
    g_autoptr(GByteArray) notes = dump_build_notes(s);
    uint64_t pages = kdump_build_bitmap(s);
    uint64_t bitmap_len = ROUND_UP(DIV_ROUND_UP(MAX(s->max_mapnr, 1), 8),
                                   KDUMP_BLOCK_SIZE);
    uint64_t sub_len = sizeof(KdumpSubHeader) + notes->len;
    uint64_t sub_blocks = DIV_ROUND_UP(sub_len, KDUMP_BLOCK_SIZE);
    uint64_t bitmap_off = (1 + sub_blocks) * KDUMP_BLOCK_SIZE;
    uint64_t desc_off = bitmap_off + 2 * bitmap_len;
    g_autofree uint8_t *buf = g_malloc0(MAX(sub_blocks * KDUMP_BLOCK_SIZE,
                                            bitmap_len));
    KdumpDiskDumpHeader dh = {
        .signature = KDUMP_SIGNATURE,
        .header_version = KDUMP_HEADER_VERSION,
        .status = DUMP_DH_COMPRESSED_ZLIB,
        .block_size = KDUMP_BLOCK_SIZE,
        .sub_hdr_size = sub_blocks,
        .bitmap_blocks = 2 * bitmap_len / KDUMP_BLOCK_SIZE,
        .max_mapnr = MIN(s->max_mapnr, UINT32_MAX),
        .nr_cpus = s->nr_cpus,
    };
    KdumpSubHeader sh = {
        .dump_level = KDUMP_DUMP_LEVEL,
        .offset_note = KDUMP_BLOCK_SIZE + sizeof(KdumpSubHeader),
        .size_note = notes->len,
        .max_mapnr_64 = s->max_mapnr,
    };
    gint64 now = g_get_real_time();

    g_strlcpy(dh.utsname.machine, "x86_64", sizeof(dh.utsname.machine));
    dh.timestamp_sec = now / G_USEC_PER_SEC;
    dh.timestamp_usec = now % G_USEC_PER_SEC;

    if (s->out_mode == DUMP_OUT_FLAT) {
        MakedumpfileHeader mh = {
            .signature = MAKEDUMPFILE_SIGNATURE,
            .type = GINT64_TO_BE(MAKEDUMPFILE_TYPE_FLAT),
            .version = GINT64_TO_BE(MAKEDUMPFILE_VERSION_FLAT),
        };
        g_autofree uint8_t *page = g_malloc0(MAKEDUMPFILE_HEADER_SIZE);

        memcpy(page, &mh, sizeof(mh));
        if (!dump_write_fd(s, page, MAKEDUMPFILE_HEADER_SIZE, errp)) {
            return false;
        }
    }
    memcpy(buf, &dh, sizeof(dh));
    if (!dump_write_at(s, 0, buf, KDUMP_BLOCK_SIZE, errp)) {
        return false;
    }
    memset(buf, 0, KDUMP_BLOCK_SIZE);
    memcpy(buf, &sh, sizeof(sh));
    memcpy(buf + sizeof(sh), notes->data, notes->len);
    if (!dump_write_at(s, KDUMP_BLOCK_SIZE, buf,
                       sub_blocks * KDUMP_BLOCK_SIZE, errp)) {
        return false;
    }
    /* 1st bitmap (pages present) and 2nd (pages dumped) are the same. */
    memset(buf, 0, bitmap_len);
    kdump_bitmap_bytes(s, buf);
    if (!dump_write_at(s, bitmap_off, buf, bitmap_len, errp) ||
        !dump_write_at(s, bitmap_off + bitmap_len, buf, bitmap_len, errp)) {
        return false;
    }

    /* Zero pages all point at one raw zero page, first in the data. */
    s->descs = g_byte_array_new();
    s->data = g_byte_array_new();
    s->descs_at = desc_off;
    s->zero_page_at = desc_off + pages * sizeof(KdumpPageDesc);
    s->data_at = s->zero_page_at + DUMP_PAGE_SIZE;
    if (!dump_write_zeros_at(s, s->zero_page_at, DUMP_PAGE_SIZE, errp)) {
        return false;
    }
    s->page = g_malloc(DUMP_PAGE_SIZE);
    s->zbuf_size = compressBound(DUMP_PAGE_SIZE);
    s->zbuf = g_malloc(s->zbuf_size);
    s->next_pfn = 0;
    s->total = pages * DUMP_PAGE_SIZE;
    return true;
}

/* The bytes of page @pfn: what the blocks hold there, zeros elsewhere. */
static void kdump_fill_page(DumpState *s, uint64_t pfn)
{
    uint64_t start = pfn * DUMP_PAGE_SIZE, end = start + DUMP_PAGE_SIZE;
    unsigned n = guest_phys_blocks_count(&s->blocks);

    memset(s->page, 0, DUMP_PAGE_SIZE);
    /* Blocks before block_idx end before this page. */
    while (s->block_idx < n &&
           guest_phys_block(&s->blocks, s->block_idx)->target_end <= start) {
        s->block_idx++;
    }
    for (unsigned i = s->block_idx; i < n; i++) {
        const GuestPhysBlock *b = guest_phys_block(&s->blocks, i);
        uint64_t from = MAX(start, b->target_start);
        uint64_t to = MIN(end, b->target_end);

        if (b->target_start >= end) {
            break;
        }
        if (from < to && guest_phys_block_populated(b,
                                from - b->target_start, to - from)) {
            memcpy(s->page + (from - start),
                   b->host_addr + (from - b->target_start), to - from);
        }
    }
}

static bool kdump_flush(DumpState *s, Error **errp)
{
    if (s->descs->len) {
        if (!dump_write_at(s, s->descs_at, s->descs->data, s->descs->len,
                           errp)) {
            return false;
        }
        s->descs_at += s->descs->len;
        g_byte_array_set_size(s->descs, 0);
    }
    if (s->data->len) {
        if (!dump_write_at(s, s->data_at, s->data->data, s->data->len,
                           errp)) {
            return false;
        }
        s->data_at += s->data->len;
        g_byte_array_set_size(s->data, 0);
    }
    return true;
}

static bool dump_page_is_zero(const uint8_t *buf, size_t len)
{
    return buf[0] == 0 && !memcmp(buf, buf + 1, len - 1);
}

/* Add page @pfn: its descriptor and (unless zero) its data. */
static void kdump_add_page(DumpState *s, uint64_t pfn)
{
    KdumpPageDesc desc = { 0 };
    uLongf zlen = s->zbuf_size;

    kdump_fill_page(s, pfn);
    if (dump_page_is_zero(s->page, DUMP_PAGE_SIZE)) {
        desc.offset = s->zero_page_at;
        desc.size = DUMP_PAGE_SIZE;
    } else {
        desc.offset = s->data_at + s->data->len;
        if (compress2(s->zbuf, &zlen, s->page, DUMP_PAGE_SIZE,
                      Z_BEST_SPEED) == Z_OK && zlen < DUMP_PAGE_SIZE) {
            desc.size = zlen;
            desc.flags = DUMP_DH_COMPRESSED_ZLIB;
            g_byte_array_append(s->data, s->zbuf, zlen);
        } else {
            desc.size = DUMP_PAGE_SIZE;
            g_byte_array_append(s->data, s->page, DUMP_PAGE_SIZE);
        }
    }
    g_byte_array_append(s->descs, (const guint8 *)&desc, sizeof(desc));
}

static bool kdump_step(DumpState *s, uint64_t budget, bool *done,
                       Error **errp)
{
    uint64_t pages = MAX(budget / DUMP_PAGE_SIZE, 1);

    while (pages--) {
        uint64_t pfn = dump_next_bit(s->bitmap, s->max_mapnr, s->next_pfn);

        if (pfn >= s->max_mapnr) {
            s->next_pfn = s->max_mapnr;
            break;
        }
        kdump_add_page(s, pfn);
        s->next_pfn = pfn + 1;
        s->completed += DUMP_PAGE_SIZE;
        if ((s->data->len >= KDUMP_FLUSH_SIZE ||
             s->descs->len >= KDUMP_FLUSH_SIZE) && !kdump_flush(s, errp)) {
            return false;
        }
    }
    if (!kdump_flush(s, errp)) {
        return false;
    }
    *done = s->next_pfn >= s->max_mapnr;
    return true;
}

static bool kdump_end(DumpState *s, Error **errp)
{
    MakedumpfileDataHeader end = {
        .offset = GINT64_TO_BE(MAKEDUMPFILE_END_FLAG),
        .buf_size = GINT64_TO_BE(MAKEDUMPFILE_END_FLAG),
    };

    if (s->out_mode != DUMP_OUT_FLAT) {
        return true;
    }
    return dump_write_fd(s, &end, sizeof(end), errp);
}

/* --- The dump's life ------------------------------------------------- */

static JsonObject *dump_query_result(DumpState *s)
{
    JsonObject *result = json_object_new();

    json_object_set_string_member(result, "status",
                                  dump_status_names[s->status]);
    json_object_set_int_member(result, "completed", s->completed);
    json_object_set_int_member(result, "total", s->total);
    return result;
}

/* Release everything of the running dump; the status stays. */
static void dump_cleanup(DumpState *s)
{
    if (s->idle_id) {
        g_source_remove(s->idle_id);
        s->idle_id = 0;
    }
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    guest_phys_blocks_free(&s->blocks);
    g_clear_pointer(&s->bitmap, g_free);
    g_clear_pointer(&s->page, g_free);
    g_clear_pointer(&s->zbuf, g_free);
    if (s->descs) {
        g_byte_array_unref(s->descs);
        s->descs = NULL;
    }
    if (s->data) {
        g_byte_array_unref(s->data);
        s->data = NULL;
    }
    if (s->resume) {
        s->resume = false;
        vm_start();
    }
}

/* The dump ended (@err NULL: successfully): event, cleanup. */
static void dump_finish(DumpState *s, Error *err)
{
    JsonObject *data = json_object_new();

    s->status = err ? DUMP_STATUS_FAILED : DUMP_STATUS_COMPLETED;
    dump_cleanup(s);
    json_object_set_object_member(data, "result", dump_query_result(s));
    if (err) {
        json_object_set_string_member(data, "error", error_get_pretty(err));
    }
    qapi_event_send("DUMP_COMPLETED", data);
}

/* One step of at most @budget guest bytes; true with *@done at the end. */
static bool dump_step(DumpState *s, uint64_t budget, bool *done, Error **errp)
{
    if (s->format == DUMP_FORMAT_ELF) {
        return dump_elf_step(s, budget, done, errp);
    }
    return kdump_step(s, budget, done, errp) &&
           (!*done || kdump_end(s, errp));
}

static gboolean dump_idle(gpointer opaque)
{
    DumpState *s = opaque;
    Error *err = NULL;
    bool done = false;

    if (!dump_step(s, DUMP_CHUNK_DETACHED, &done, &err) || done) {
        s->idle_id = 0;
        dump_finish(s, err);
        if (err) {
            error_free(err);
        }
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static bool dump_begin(DumpState *s, Error **errp)
{
    if (s->format == DUMP_FORMAT_ELF) {
        return dump_elf_begin(s, errp);
    }
    return kdump_begin(s, errp);
}

/*
 * Start dumping to @fd (taken over).  Synchronous dumps run to the end
 * here; detached ones continue on the main loop.
 */
static void dump_run(int fd, DumpFormat format, bool detach, bool has_filter,
                     int64_t begin, int64_t length, Error **errp)
{
    DumpState *s = &dump_state;
    off_t pos = lseek(fd, 0, SEEK_CUR);
    Error *err = NULL;
    bool done = false;

    *s = (DumpState) {
        .status = DUMP_STATUS_ACTIVE,
        .fd = fd,
        .format = format,
        .detached = detach,
        .nr_cpus = dump_cpus.nr_cpus,
        .out_base = pos < 0 ? 0 : pos,
    };
    if (format == DUMP_FORMAT_KDUMP_ZLIB) {
        s->out_mode = DUMP_OUT_FLAT;
    } else {
        s->out_mode = pos < 0 ? DUMP_OUT_STREAM : DUMP_OUT_SEEK;
    }
    guest_phys_blocks_init(&s->blocks);
    guest_phys_blocks_append(&s->blocks, &address_space_memory);
    if (has_filter) {
        guest_phys_blocks_filter(&s->blocks, begin, length);
    }
    /* As QEMU: the guest does not run while its memory is dumped. */
    if (runstate_is_running()) {
        s->resume = true;
        vm_stop(RUN_STATE_SAVE_VM);
    }
    if (!dump_begin(s, &err)) {
        goto fail;
    }
    if (detach) {
        s->idle_id = g_idle_add(dump_idle, s);
        return;
    }
    while (!done) {
        if (!dump_step(s, DUMP_CHUNK_SYNC, &done, &err)) {
            goto fail;
        }
    }
    dump_finish(s, NULL);
    return;

fail:
    dump_finish(s, err);
    error_propagate(errp, err);
}

/* --- QMP ------------------------------------------------------------- */

static bool dump_parse_format(const char *name, DumpFormat *format,
                              Error **errp)
{
    for (int i = 0; i < DUMP_FORMAT__MAX; i++) {
        if (!strcmp(name, dump_format_names[i])) {
            *format = i;
            return true;
        }
    }
    for (int i = 0; dump_unavailable_formats[i]; i++) {
        if (!strcmp(name, dump_unavailable_formats[i])) {
            error_setg(errp, "%s is not available now", name);
            return false;
        }
    }
    error_setg(errp, "Parameter 'format' does not accept value '%s'", name);
    return false;
}

/* "file:PATH" or "fd:NAME" -> an fd open for writing, or -1. */
static int dump_open_protocol(const char *protocol, Error **errp)
{
    const char *p;
    int fd;

    if (g_str_has_prefix(protocol, "fd:")) {
        return monitor_fd_take(protocol + 3, errp);
    }
    if (g_str_has_prefix(protocol, "file:")) {
        p = protocol + 5;
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
            error_setg_file_open(errp, errno, p);
        }
        return fd;
    }
    error_setg(errp, "Invalid parameter 'protocol'");
    return -1;
}

static void dump_guest_memory(bool paging, const char *protocol, bool detach,
                              bool has_begin, int64_t begin, bool has_length,
                              int64_t length, const char *format_name,
                              Error **errp)
{
    DumpFormat format = DUMP_FORMAT_ELF;
    int fd;

    if (dump_in_progress()) {
        error_setg(errp, "There is a dump in process, please wait.");
        return;
    }
    if (format_name && !dump_parse_format(format_name, &format, errp)) {
        return;
    }
    if (format != DUMP_FORMAT_ELF && (paging || has_begin || has_length)) {
        error_setg(errp, "kdump-compressed format doesn't support paging or "
                   "filter");
        return;
    }
    if (has_begin && !has_length) {
        error_setg(errp, "Parameter 'length' is missing");
        return;
    }
    if (!has_begin && has_length) {
        error_setg(errp, "Parameter 'begin' is missing");
        return;
    }
    if (has_begin && (begin < 0 || length <= 0)) {
        error_setg(errp, "Invalid parameter '%s'", begin < 0 ? "begin" :
                   "length");
        return;
    }
    if (paging) {
        /* No guest page tables are walked (no vCPU state to start from). */
        error_setg(errp, "Obtaining memory mappings is unsupported on this "
                   "CPU.");
        return;
    }
    fd = dump_open_protocol(protocol, errp);
    if (fd < 0) {
        return;
    }
    if (format == DUMP_FORMAT_KDUMP_RAW_ZLIB &&
        lseek(fd, 0, SEEK_CUR) == (off_t)-1) {
        close(fd);
        error_setg(errp, "kdump-raw formats require a seekable file");
        return;
    }
    dump_run(fd, format, detach, has_begin, begin, length, errp);
}

static void qmp_dump_guest_memory(JsonObject *args, JsonNode **ret,
                                  Error **errp)
{
    bool has_begin = json_object_has_member(args, "begin");
    bool has_length = json_object_has_member(args, "length");

    dump_guest_memory(
        json_object_get_boolean_member(args, "paging"),
        json_object_get_string_member(args, "protocol"),
        json_object_get_boolean_member_with_default(args, "detach", false),
        has_begin, has_begin ? json_object_get_int_member(args, "begin") : 0,
        has_length, has_length ? json_object_get_int_member(args, "length") : 0,
        json_object_get_string_member_with_default(args, "format", NULL),
        errp);
}

static void qmp_query_dump(JsonObject *args, JsonNode **ret, Error **errp)
{
    JsonObject *result = dump_query_result(&dump_state);

    *ret = json_node_init_object(json_node_alloc(), result);
    json_object_unref(result);
}

static void qmp_query_dump_guest_memory_capability(JsonObject *args,
                                                   JsonNode **ret,
                                                   Error **errp)
{
    JsonObject *cap = json_object_new();
    JsonArray *formats = json_array_new();

    for (int i = 0; i < DUMP_FORMAT__MAX; i++) {
        json_array_add_string_element(formats, dump_format_names[i]);
    }
    json_object_set_array_member(cap, "formats", formats);
    *ret = json_node_init_object(json_node_alloc(), cap);
    json_object_unref(cap);
}

/* --- HMP ------------------------------------------------------------- */

void hmp_dump_guest_memory(GString *out, int argc, char **argv)
{
    bool paging = false, detach = false, zlib = false, raw = false;
    const char *file = NULL;
    g_autofree char *protocol = NULL;
    int64_t begin = 0, length = 0;
    bool has_filter = false;
    Error *err = NULL;
    int i;

    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        for (const char *f = argv[i] + 1; *f; f++) {
            switch (*f) {
            case 'p':
                paging = true;
                break;
            case 'd':
                detach = true;
                break;
            case 'z':
                zlib = true;
                break;
            case 'R':
                raw = true;
                break;
            default:
                g_string_append_printf(out, "dump-guest-memory: unsupported "
                                       "option -%c\n", *f);
                return;
            }
        }
    }
    if (i < argc) {
        file = argv[i++];
    }
    if (i + 2 == argc) {
        if (qemu_strtoi64(argv[i], NULL, 0, &begin) < 0 ||
            qemu_strtoi64(argv[i + 1], NULL, 0, &length) < 0) {
            g_string_append(out, "dump-guest-memory: begin and length must "
                            "be numbers\n");
            return;
        }
        has_filter = true;
    } else if (!file || i != argc) {
        g_string_append(out, "Usage: dump-guest-memory [-p] [-d] [-z] [-R] "
                        "filename [begin length]\n");
        return;
    }
    if (raw && !zlib) {
        g_string_append(out, "Error: -R requires -z\n");
        return;
    }
    protocol = g_strconcat("file:", file, NULL);
    dump_guest_memory(paging, protocol, detach, has_filter, begin,
                      has_filter, length,
                      zlib ? (raw ? "kdump-raw-zlib" : "kdump-zlib") : NULL,
                      &err);
    if (err) {
        g_string_append_printf(out, "Error: %s\n", error_get_pretty(err));
        error_free(err);
    }
}

static void dump_register_commands(void)
{
    qmp_register_command_args("dump-guest-memory", qmp_dump_guest_memory,
                              QCO_NO_OPTIONS,
                              "paging:bool protocol:str detach?:bool "
                              "begin?:int length?:int format?:str");
    qmp_register_command_args("query-dump", qmp_query_dump, QCO_NO_OPTIONS,
                              "");
    qmp_register_command_args("query-dump-guest-memory-capability",
                              qmp_query_dump_guest_memory_capability,
                              QCO_NO_OPTIONS, "");
}

type_init(dump_register_commands)
