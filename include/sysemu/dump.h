/*
 * dump-guest-memory: write guest RAM to a file as an ELF64 core or in
 * makedumpfile's compressed kdump format (see docs/dump.md).
 *
 * QMP: dump-guest-memory, query-dump, query-dump-guest-memory-capability
 * and the DUMP_COMPLETED event; HMP: dump-guest-memory.  Only RAM that is
 * populated is written: for virtio-mem only the plugged blocks (seed 004).
 *
 * The second half of this header states the on-disk layouts of the kdump
 * formats (x86-64, little endian), so that readers (tests) share them.
 */
#ifndef SYSEMU_DUMP_H
#define SYSEMU_DUMP_H

#include <sys/user.h>

/* Whether a dump (detached or not) is running. */
bool dump_in_progress(void);

/*
 * Where the NT_PRSTATUS notes get their registers: @fn fills @regs of vCPU
 * @index (0 .. @nr_cpus - 1) and returns false when it cannot (registers
 * are then written as zeros).  Without a provider there is one vCPU whose
 * registers are zero.  @fn NULL resets to that.
 */
typedef bool DumpCpuRegsFn(unsigned index, struct user_regs_struct *regs,
                           void *opaque);
void dump_set_cpu_regs_provider(unsigned nr_cpus, DumpCpuRegsFn *fn,
                                void *opaque);

/*
 * HMP: dump-guest-memory [-p] [-d] [-z] [-R] FILENAME [BEGIN LENGTH]
 * (-p paging, refused; -d detach; -z kdump-zlib; -R with -z:
 * kdump-raw-zlib).
 */
void hmp_dump_guest_memory(GString *out, int argc, char **argv);

/* --- kdump-compressed format (makedumpfile's "diskdump") ------------- */

#define KDUMP_SIGNATURE "KDUMP   "
#define KDUMP_SIG_LEN 8
#define KDUMP_HEADER_VERSION 6
#define KDUMP_BLOCK_SIZE 4096
/* disk_dump_header.status and page_desc.flags */
#define DUMP_DH_COMPRESSED_ZLIB 0x1
/* makedumpfile's dump level 1: zero pages excluded from nothing else */
#define KDUMP_DUMP_LEVEL 1

typedef struct KdumpNewUtsname {
    char sysname[65];
    char nodename[65];
    char release[65];
    char version[65];
    char machine[65];
    char domainname[65];
} KdumpNewUtsname;

/* Block 0 of the file. */
typedef struct KdumpDiskDumpHeader {
    char signature[KDUMP_SIG_LEN];
    int32_t header_version;
    KdumpNewUtsname utsname;
    /* struct timeval of a 64-bit host */
    uint64_t timestamp_sec;
    uint64_t timestamp_usec;
    uint32_t status;
    int32_t block_size;
    /* blocks of the sub header (with the notes), from block 1 */
    int32_t sub_hdr_size;
    /* blocks of the two bitmaps together */
    uint32_t bitmap_blocks;
    /* 32-bit copy of max_mapnr_64 (saturated) */
    uint32_t max_mapnr;
    uint32_t total_ram_blocks;
    uint32_t device_blocks;
    uint32_t written_blocks;
    uint32_t current_cpu;
    int32_t nr_cpus;
} KdumpDiskDumpHeader;

/* At block 1; the ELF notes follow it (offset_note). */
typedef struct KdumpSubHeader {
    uint64_t phys_base;
    int32_t dump_level;
    int32_t split;
    uint64_t start_pfn;
    uint64_t end_pfn;
    uint64_t offset_vmcoreinfo;
    uint64_t size_vmcoreinfo;
    uint64_t offset_note;
    uint64_t size_note;
    uint64_t offset_eraseinfo;
    uint64_t size_eraseinfo;
    uint64_t start_pfn_64;
    uint64_t end_pfn_64;
    uint64_t max_mapnr_64;
} KdumpSubHeader;

/*
 * After the bitmaps (block 1 + sub_hdr_size + bitmap_blocks): one
 * descriptor per page set in the 2nd bitmap, in pfn order.
 */
typedef struct KdumpPageDesc {
    uint64_t offset;        /* of the page's data in the file */
    uint32_t size;          /* of the data */
    uint32_t flags;         /* DUMP_DH_COMPRESSED_ZLIB, or 0: raw page */
    uint64_t page_flags;
} KdumpPageDesc;

G_STATIC_ASSERT(sizeof(KdumpDiskDumpHeader) == 464);
G_STATIC_ASSERT(sizeof(KdumpSubHeader) == 104);
G_STATIC_ASSERT(sizeof(KdumpPageDesc) == 24);

/*
 * The flattened variant (kdump-zlib, for pipes): a 4096-byte header, then
 * records of a big-endian (offset, size) pair followed by size bytes to
 * be placed at offset; a record of (-1, -1) ends the stream.
 * makedumpfile -R rebuilds the plain file from it.
 */
#define MAKEDUMPFILE_SIGNATURE "makedumpfile"
#define MAKEDUMPFILE_HEADER_SIZE 4096
#define MAKEDUMPFILE_TYPE_FLAT 1
#define MAKEDUMPFILE_VERSION_FLAT 1
#define MAKEDUMPFILE_END_FLAG (-1)

typedef struct MakedumpfileHeader {
    char signature[16];
    int64_t type;           /* big endian */
    int64_t version;        /* big endian */
} MakedumpfileHeader;

typedef struct MakedumpfileDataHeader {
    int64_t offset;         /* big endian */
    int64_t buf_size;       /* big endian */
} MakedumpfileDataHeader;

#endif
