/*
 * A small reader of the dump files sparsevm writes, for tests and
 * benchmarks: ELF64 cores (PT_LOAD segments by physical address) and
 * kdump-compressed files, plain or flattened (makedumpfile -F).
 */
#ifndef DUMP_READER_H
#define DUMP_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

typedef struct DumpRange {
    uint64_t start;         /* guest-physical */
    uint64_t size;
    uint64_t file_offset;   /* ELF: where the bytes are */
} DumpRange;

typedef struct DumpElf {
    uint8_t *map;
    size_t size;
    GArray *loads;          /* of DumpRange, in program header order */
    uint64_t note_offset, note_size;
    unsigned nr_prstatus;   /* NT_PRSTATUS notes found */
} DumpElf;

/* NULL with *@err describing what is wrong. */
DumpElf *dump_elf_open(const char *path, GError **err);
void dump_elf_close(DumpElf *e);
/* Copy guest-physical [@addr, @addr + @len) (all in one segment). */
bool dump_elf_read(DumpElf *e, uint64_t addr, void *buf, size_t len);

typedef struct DumpKdump {
    GByteArray *file;       /* the plain (rebuilt) file */
    bool flattened;         /* the input was flattened */
    uint32_t block_size;
    uint32_t status;
    int32_t nr_cpus;
    uint64_t max_mapnr;
    const uint8_t *bitmap1, *bitmap2;
    uint64_t bitmap_len;
    uint64_t desc_offset;
    uint64_t nr_pages;      /* bits set in the 2nd bitmap */
    uint64_t note_offset, note_size;
} DumpKdump;

DumpKdump *dump_kdump_open(const char *path, GError **err);
void dump_kdump_close(DumpKdump *k);
bool dump_kdump_page_dumped(DumpKdump *k, uint64_t pfn);
/* Decompress page @pfn into @buf (block_size bytes); false if absent. */
bool dump_kdump_read_page(DumpKdump *k, uint64_t pfn, uint8_t *buf,
                          GError **err);
/* The dumped pfns as ranges of guest-physical bytes, merged. */
GArray *dump_kdump_ranges(DumpKdump *k);

#endif
