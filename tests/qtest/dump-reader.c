/*
 * Dump file reader for tests (see dump-reader.h).
 */
#include "qemu/osdep.h"
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <zlib.h>
#include "sysemu/dump.h"
#include "dump-reader.h"

#define FAIL(...) do { \
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, __VA_ARGS__); \
        goto fail; \
    } while (0)

DumpElf *dump_elf_open(const char *path, GError **err)
{
    DumpElf *e = g_new0(DumpElf, 1);
    const Elf64_Ehdr *eh;
    uint64_t phnum;
    struct stat st;
    int fd = open(path, O_RDONLY);

    e->loads = g_array_new(FALSE, FALSE, sizeof(DumpRange));
    if (fd < 0 || fstat(fd, &st) < 0) {
        FAIL("cannot open %s", path);
    }
    e->size = st.st_size;
    e->map = mmap(NULL, e->size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    fd = -1;
    if (e->map == MAP_FAILED) {
        e->map = NULL;
        FAIL("cannot map %s", path);
    }
    eh = (const Elf64_Ehdr *)e->map;
    if (e->size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
        eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_CORE ||
        eh->e_machine != EM_X86_64 || eh->e_phentsize != sizeof(Elf64_Phdr)) {
        FAIL("not an x86-64 ELF64 core");
    }
    phnum = eh->e_phnum;
    if (phnum == PN_XNUM) {
        const Elf64_Shdr *sh = (const Elf64_Shdr *)(e->map + eh->e_shoff);

        phnum = sh->sh_info;
    }
    if (eh->e_phoff + phnum * sizeof(Elf64_Phdr) > e->size) {
        FAIL("program headers beyond the end");
    }
    for (uint64_t i = 0; i < phnum; i++) {
        const Elf64_Phdr *ph = (const Elf64_Phdr *)(e->map + eh->e_phoff) + i;

        if (ph->p_offset + ph->p_filesz > e->size) {
            FAIL("segment %" PRIu64 " beyond the end", i);
        }
        if (ph->p_type == PT_LOAD) {
            DumpRange r = { ph->p_paddr, ph->p_filesz, ph->p_offset };

            g_array_append_val(e->loads, r);
        } else if (ph->p_type == PT_NOTE) {
            e->note_offset = ph->p_offset;
            e->note_size = ph->p_filesz;
        }
    }
    for (uint64_t off = 0; off + sizeof(Elf64_Nhdr) <= e->note_size;) {
        const Elf64_Nhdr *n = (const Elf64_Nhdr *)(e->map + e->note_offset +
                                                   off);

        if (n->n_type == NT_PRSTATUS && n->n_namesz == 5 &&
            !memcmp(n + 1, "CORE", 5)) {
            e->nr_prstatus++;
        }
        off += sizeof(*n) + ROUND_UP(n->n_namesz, 4) +
               ROUND_UP(n->n_descsz, 4);
    }
    return e;

fail:
    if (fd >= 0) {
        close(fd);
    }
    dump_elf_close(e);
    return NULL;
}

void dump_elf_close(DumpElf *e)
{
    if (e->map) {
        munmap(e->map, e->size);
    }
    g_array_unref(e->loads);
    g_free(e);
}

bool dump_elf_read(DumpElf *e, uint64_t addr, void *buf, size_t len)
{
    for (unsigned i = 0; i < e->loads->len; i++) {
        DumpRange *r = &g_array_index(e->loads, DumpRange, i);

        if (addr >= r->start && addr + len <= r->start + r->size) {
            memcpy(buf, e->map + r->file_offset + (addr - r->start), len);
            return true;
        }
    }
    return false;
}

/* Apply the records of a flattened stream to a plain image. */
static bool kdump_unflatten(const uint8_t *in, size_t len, GByteArray *out,
                            GError **err)
{
    const MakedumpfileHeader *mh = (const MakedumpfileHeader *)in;
    size_t pos = MAKEDUMPFILE_HEADER_SIZE;

    if (GINT64_FROM_BE(mh->type) != MAKEDUMPFILE_TYPE_FLAT ||
        GINT64_FROM_BE(mh->version) != MAKEDUMPFILE_VERSION_FLAT) {
        FAIL("bad flattened header");
    }
    for (;;) {
        MakedumpfileDataHeader rec;
        int64_t off, size;

        if (pos + sizeof(rec) > len) {
            FAIL("flattened stream ends without its end record");
        }
        memcpy(&rec, in + pos, sizeof(rec));
        pos += sizeof(rec);
        off = GINT64_FROM_BE(rec.offset);
        size = GINT64_FROM_BE(rec.buf_size);
        if (off == MAKEDUMPFILE_END_FLAG && size == MAKEDUMPFILE_END_FLAG) {
            if (pos != len) {
                FAIL("bytes after the end record");
            }
            return true;
        }
        if (off < 0 || size < 0 || pos + size > len) {
            FAIL("bad flattened record");
        }
        if (out->len < off + size) {
            g_byte_array_set_size(out, off + size);
        }
        memcpy(out->data + off, in + pos, size);
        pos += size;
    }
fail:
    return false;
}

DumpKdump *dump_kdump_open(const char *path, GError **err)
{
    DumpKdump *k = g_new0(DumpKdump, 1);
    g_autofree char *contents = NULL;
    gsize len;
    KdumpDiskDumpHeader dh;
    KdumpSubHeader sh;
    uint64_t bitmap_off;

    if (!g_file_get_contents(path, &contents, &len, err)) {
        g_free(k);
        return NULL;
    }
    k->file = g_byte_array_new();
    if (len >= 16 && !strcmp(contents, MAKEDUMPFILE_SIGNATURE)) {
        k->flattened = true;
        if (!kdump_unflatten((uint8_t *)contents, len, k->file, err)) {
            goto fail_quiet;
        }
    } else {
        g_byte_array_append(k->file, (uint8_t *)contents, len);
    }
    if (k->file->len < 2 * KDUMP_BLOCK_SIZE) {
        FAIL("file too short");
    }
    memcpy(&dh, k->file->data, sizeof(dh));
    if (memcmp(dh.signature, KDUMP_SIGNATURE, KDUMP_SIG_LEN) ||
        dh.header_version != KDUMP_HEADER_VERSION ||
        dh.block_size != KDUMP_BLOCK_SIZE) {
        FAIL("bad disk_dump_header");
    }
    memcpy(&sh, k->file->data + dh.block_size, sizeof(sh));
    k->block_size = dh.block_size;
    k->status = dh.status;
    k->nr_cpus = dh.nr_cpus;
    k->max_mapnr = sh.max_mapnr_64;
    k->note_offset = sh.offset_note;
    k->note_size = sh.size_note;
    k->bitmap_len = (uint64_t)dh.bitmap_blocks * dh.block_size / 2;
    bitmap_off = (1 + (uint64_t)dh.sub_hdr_size) * dh.block_size;
    k->desc_offset = bitmap_off + 2 * k->bitmap_len;
    if (k->desc_offset > k->file->len ||
        k->bitmap_len * 8 < k->max_mapnr) {
        FAIL("bitmaps beyond the end");
    }
    k->bitmap1 = k->file->data + bitmap_off;
    k->bitmap2 = k->bitmap1 + k->bitmap_len;
    for (uint64_t pfn = 0; pfn < k->max_mapnr; pfn++) {
        k->nr_pages += dump_kdump_page_dumped(k, pfn);
    }
    if (k->desc_offset + k->nr_pages * sizeof(KdumpPageDesc) >
        k->file->len) {
        FAIL("page descriptors beyond the end");
    }
    return k;

fail:
fail_quiet:
    dump_kdump_close(k);
    return NULL;
}

void dump_kdump_close(DumpKdump *k)
{
    g_byte_array_unref(k->file);
    g_free(k);
}

bool dump_kdump_page_dumped(DumpKdump *k, uint64_t pfn)
{
    return pfn < k->max_mapnr && (k->bitmap2[pfn / 8] & (1 << (pfn % 8)));
}

bool dump_kdump_read_page(DumpKdump *k, uint64_t pfn, uint8_t *buf,
                          GError **err)
{
    uint64_t index = 0;
    KdumpPageDesc desc;
    uLongf out_len = k->block_size;

    if (!dump_kdump_page_dumped(k, pfn)) {
        FAIL("pfn 0x%" PRIx64 " is not in the dump", pfn);
    }
    for (uint64_t p = 0; p < pfn; p++) {
        index += dump_kdump_page_dumped(k, p);
    }
    memcpy(&desc, k->file->data + k->desc_offset + index * sizeof(desc),
           sizeof(desc));
    if (desc.offset + desc.size > k->file->len) {
        FAIL("page data beyond the end");
    }
    if (desc.flags & DUMP_DH_COMPRESSED_ZLIB) {
        if (uncompress(buf, &out_len, k->file->data + desc.offset,
                       desc.size) != Z_OK || out_len != k->block_size) {
            FAIL("page 0x%" PRIx64 " does not decompress", pfn);
        }
    } else if (desc.flags == 0 && desc.size == k->block_size) {
        memcpy(buf, k->file->data + desc.offset, desc.size);
    } else {
        FAIL("bad descriptor of page 0x%" PRIx64, pfn);
    }
    return true;
fail:
    return false;
}

GArray *dump_kdump_ranges(DumpKdump *k)
{
    GArray *ranges = g_array_new(FALSE, FALSE, sizeof(DumpRange));

    for (uint64_t pfn = 0; pfn < k->max_mapnr; pfn++) {
        DumpRange *last = ranges->len ?
            &g_array_index(ranges, DumpRange, ranges->len - 1) : NULL;
        uint64_t addr = pfn * k->block_size;

        if (!dump_kdump_page_dumped(k, pfn)) {
            continue;
        }
        if (last && last->start + last->size == addr) {
            last->size += k->block_size;
        } else {
            DumpRange r = { addr, k->block_size, 0 };

            g_array_append_val(ranges, r);
        }
    }
    return ranges;
}
