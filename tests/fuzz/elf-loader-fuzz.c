/*
 * libFuzzer target: arbitrary bytes as the -kernel ELF file.
 *
 * The input's first byte picks the machine (RAM below 4 GiB, how much
 * guest-physical space the boot page tables map) and whether the ELF
 * identification, type, machine, version and e_phentsize are forced to
 * valid values (so that most inputs reach the program headers); the rest
 * is the file, handed to x86_boot_load_image().
 *
 * Whatever the bytes: either a clean Error, or an image whose segments
 * lie in RAM below the boot area without overlapping, with the entry
 * point inside one, and which a system reset writes into guest RAM
 * exactly (file bytes, then zeros).  ASan/UBSan catch memory errors.
 *
 * Build: make fuzz (clang, -Dfuzzing=true).
 */
#include "qemu/osdep.h"
#include <elf.h>
#include "exec/address-spaces.h"
#include "exec/memory.h"
#include "hw/i386/x86-boot.h"
#include "qapi/error.h"
#include "sysemu/reset.h"
#include "sysemu/shutdown-cause.h"

/* The guest RAM the reset check reads back; bigger machines skip it. */
#define CHECKED_RAM (32 * MiB)
#define MAX_SEGS 64

static const uint64_t low_ram_sizes[] = {
    3 * MiB, 8 * MiB, CHECKED_RAM, 3 * GiB,
};
static const uint64_t map_ends[] = {
    0, 64 * GiB, 1 * TiB, 300 * TiB,
};

static MemoryRegion ram;
static uint8_t *ram_ptr;

static void machine_init(void)
{
    memory_region_init_ram(&ram, NULL, "fuzz-ram", CHECKED_RAM, &error_abort);
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    ram_ptr = memory_region_get_ram_ptr(&ram);
}

/* A valid ELF64 x86-64 executable header over the fuzzer's bytes. */
static void force_valid_ident(uint8_t *buf, size_t size)
{
    Elf64_Ehdr eh;

    if (size < sizeof(eh)) {
        return;
    }
    memcpy(&eh, buf, sizeof(eh));
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = GUINT16_TO_LE(ET_EXEC);
    eh.e_machine = GUINT16_TO_LE(EM_X86_64);
    eh.e_version = GUINT32_TO_LE(EV_CURRENT);
    eh.e_phentsize = GUINT16_TO_LE(sizeof(Elf64_Phdr));
    memcpy(buf, &eh, sizeof(eh));
}

static bool all_zero(const uint8_t *p, uint64_t len)
{
    for (uint64_t i = 0; i < len; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

/* What must hold after a successful load. */
static void check_image(const uint8_t *file, size_t file_size,
                        uint64_t low_ram_size)
{
    const X86BootLayout *l = x86_boot_layout();
    const X86BootState *bs = x86_boot_state();
    X86BootSegmentInfo segs[MAX_SEGS];
    unsigned int n = x86_boot_get_segments(segs, MAX_SEGS);
    bool entry_loaded = false;

    if (!l || !bs->enabled || l->base >= l->end || l->end > low_ram_size ||
        n == 0 || n > MAX_SEGS) {
        abort();
    }
    for (unsigned int i = 0; i < n; i++) {
        const X86BootSegmentInfo *s = &segs[i];

        if (!s->memsz || s->filesz > s->memsz || s->filesz > file_size ||
            s->paddr > l->base || s->memsz > l->base - s->paddr) {
            abort();
        }
        for (unsigned int j = 0; j < i; j++) {
            if (s->paddr < segs[j].paddr + segs[j].memsz &&
                segs[j].paddr < s->paddr + s->memsz) {
                abort();
            }
        }
        if (bs->rip >= s->paddr && bs->rip - s->paddr < s->memsz) {
            entry_loaded = true;
        }
    }
    if (!entry_loaded || bs->rsp != l->end || bs->cr3 != l->pml4) {
        abort();
    }
    if (low_ram_size > CHECKED_RAM) {
        return;
    }

    /* A reset writes the segments: file bytes then zeros, nothing else. */
    for (unsigned int i = 0; i < n; i++) {
        memset(ram_ptr + segs[i].paddr, 0xa5, segs[i].memsz);
    }
    qemu_devices_reset(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
    for (unsigned int i = 0; i < n; i++) {
        const X86BootSegmentInfo *s = &segs[i];
        const uint8_t *dst = ram_ptr + s->paddr;

        /* the segment's bytes are somewhere in the file: find them */
        if (!all_zero(dst + s->filesz, s->memsz - s->filesz)) {
            abort();
        }
        if (s->filesz && !memmem(file, file_size, dst, s->filesz)) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GBytes) file = NULL;
    uint8_t *buf;
    uint8_t conf;
    uint64_t low_ram_size;
    Error *err = NULL;

    if (!ram_ptr) {
        machine_init();
    }
    if (!size) {
        return 0;
    }
    conf = data[0];
    low_ram_size = low_ram_sizes[conf & 3];
    buf = g_memdup2(data + 1, size - 1);
    if (conf & 0x10) {
        force_valid_ident(buf, size - 1);
    }
    file = g_bytes_new_take(buf, size - 1);

    if (x86_boot_load_image(file, "fuzz.elf", NULL, low_ram_size,
                            map_ends[(conf >> 2) & 3], &err)) {
        check_image(g_bytes_get_data(file, NULL), size - 1, low_ram_size);
    } else {
        /* a clean, non-empty message */
        if (!err || !*error_get_pretty(err)) {
            abort();
        }
        error_free(err);
    }
    return 0;
}
