/*
 * Direct boot of a 64-bit ELF guest: the ELF loader, the long-mode page
 * tables, GDT and TSS, and the vCPU state an accelerator starts it in.
 *
 * Everything the guest finds in RAM at entry is kept in host buffers (the
 * ELF segments and one "boot area" image holding tables, command line and
 * stacks) and written into guest RAM at every system reset, the way QEMU
 * reloads ROM blobs.
 */
#include "qemu/osdep.h"
#include <elf.h>
#include "qemu/units.h"
#include "hw/i386/x86-boot.h"
#include "exec/memory.h"
#include "exec/address-spaces.h"
#include "sysemu/reset.h"

#define BOOT_PAGE 4096ULL
#define PTE_P   (1ULL << 0)
#define PTE_RW  (1ULL << 1)
#define PTE_US  (1ULL << 2)
#define PTE_PS  (1ULL << 7)            /* 2 MiB page in a PDE */
#define PTES_PER_PAGE 512
/* One PML4 page maps 256 TiB; more is nonsense for this machine. */
#define BOOT_MAP_MAX (256 * TiB)

#define CR0_PE (1ULL << 0)
#define CR0_MP (1ULL << 1)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_WP (1ULL << 16)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define CR4_OSFXSR (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define EFER_SCE (1ULL << 0)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

/* Flat segment descriptors: G=1, limit 0xfffff; L=1 for code */
#define GDT_CODE64_DPL0 0x00af9a000000ffffULL
#define GDT_DATA_DPL0   0x00cf92000000ffffULL
#define GDT_CODE64_DPL3 0x00affa000000ffffULL
#define GDT_DATA_DPL3   0x00cff2000000ffffULL
#define TSS64_SIZE      104                 /* struct of the 64-bit TSS */
#define TSS64_RSP0      4
#define TSS64_IOMAP     102
#define TSS_TYPE_AVAIL  0x89                /* P=1, type 9: 64-bit TSS */

typedef struct BootSegment {
    uint64_t paddr;
    uint64_t memsz;
    GBytes *data;               /* p_filesz bytes from the file */
} BootSegment;

typedef struct BootImage {
    GArray *segments;           /* BootSegment */
    X86BootLayout layout;
    uint8_t *area;              /* the boot area, layout.end - layout.base */
} BootImage;

static X86BootState boot_state;
static BootImage *boot_image;

const X86BootState *x86_boot_state(void)
{
    return &boot_state;
}

static void boot_segment_clear(gpointer p)
{
    BootSegment *seg = p;

    g_bytes_unref(seg->data);
}

static void boot_image_free(BootImage *img)
{
    if (img) {
        if (img->segments) {
            g_array_unref(img->segments);
        }
        g_free(img->area);
        g_free(img);
    }
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BootImage, boot_image_free)

/* --- layout ---------------------------------------------------------------- */

static bool boot_compute_layout(X86BootLayout *l, uint64_t low_ram_size,
                                uint64_t map_end, Error **errp)
{
    uint64_t n_pd, n_pdpt, size;

    map_end = MAX(map_end, 4 * GiB);
    if (map_end > BOOT_MAP_MAX) {
        error_setg(errp, "cannot map 0x%" PRIx64 " bytes of guest-physical "
                   "address space (at most 256 TiB)", map_end);
        return false;
    }
    map_end = ROUND_UP(map_end, 1 * GiB);
    n_pd = map_end / GiB;
    n_pdpt = DIV_ROUND_UP(n_pd, PTES_PER_PAGE);
    size = (1 + n_pdpt + n_pd + 3) * BOOT_PAGE + X86_BOOT_INT_STACK_SIZE +
           X86_BOOT_STACK_SIZE;
    low_ram_size &= ~(BOOT_PAGE - 1);
    if (low_ram_size < size + 2 * MiB) {
        error_setg(errp, "not enough RAM below 4 GiB for the boot tables "
                   "(0x%" PRIx64 " bytes, plus 2 MiB for the image)", size);
        return false;
    }
    l->end = low_ram_size;
    l->base = low_ram_size - size;
    l->map_end = map_end;
    l->pml4 = l->base;
    l->pdpt = l->pml4 + BOOT_PAGE;
    l->pd = l->pdpt + n_pdpt * BOOT_PAGE;
    l->gdt = l->pd + n_pd * BOOT_PAGE;
    l->tss = l->gdt + BOOT_PAGE;
    l->cmdline = l->tss + BOOT_PAGE;
    l->int_stack_top = l->cmdline + BOOT_PAGE + X86_BOOT_INT_STACK_SIZE;
    l->stack_top = l->int_stack_top + X86_BOOT_STACK_SIZE;
    g_assert(l->stack_top == l->end);
    return true;
}

/* --- the boot area: page tables, GDT, TSS, command line ------------------ */

static void *area_ptr(BootImage *img, uint64_t gpa)
{
    return img->area + (gpa - img->layout.base);
}

static void put_u64(BootImage *img, uint64_t gpa, uint64_t val)
{
    val = GUINT64_TO_LE(val);
    memcpy(area_ptr(img, gpa), &val, sizeof(val));
}

/* Identity map [0, map_end) with 2 MiB pages, user-accessible, writable. */
static void boot_build_page_tables(BootImage *img)
{
    const X86BootLayout *l = &img->layout;
    uint64_t n_pd = l->map_end / GiB;
    uint64_t n_pdpt = DIV_ROUND_UP(n_pd, PTES_PER_PAGE);
    uint64_t flags = PTE_P | PTE_RW | PTE_US;

    for (uint64_t i = 0; i < n_pdpt; i++) {
        put_u64(img, l->pml4 + i * 8, (l->pdpt + i * BOOT_PAGE) | flags);
    }
    for (uint64_t i = 0; i < n_pd; i++) {
        put_u64(img, l->pdpt + i * 8, (l->pd + i * BOOT_PAGE) | flags);
    }
    for (uint64_t i = 0; i < n_pd * PTES_PER_PAGE; i++) {
        put_u64(img, l->pd + i * 8, (i * 2 * MiB) | flags | PTE_PS);
    }
}

static void boot_build_gdt_tss(BootImage *img)
{
    const X86BootLayout *l = &img->layout;
    uint64_t tss = l->tss;
    uint64_t lo, hi;
    uint16_t iomap = GUINT16_TO_LE(TSS64_SIZE);   /* no I/O bitmap */

    put_u64(img, l->gdt + X86_BOOT_SEL_CODE0, GDT_CODE64_DPL0);
    put_u64(img, l->gdt + X86_BOOT_SEL_DATA0, GDT_DATA_DPL0);
    put_u64(img, l->gdt + X86_BOOT_SEL_CODE3, GDT_CODE64_DPL3);
    put_u64(img, l->gdt + X86_BOOT_SEL_DATA3, GDT_DATA_DPL3);
    lo = (uint64_t)(TSS64_SIZE - 1) |
         (tss & 0xffffff) << 16 |
         (uint64_t)TSS_TYPE_AVAIL << 40 |
         ((tss >> 24) & 0xff) << 56;
    hi = tss >> 32;
    put_u64(img, l->gdt + X86_BOOT_SEL_TSS, lo);
    put_u64(img, l->gdt + X86_BOOT_SEL_TSS + 8, hi);

    put_u64(img, tss + TSS64_RSP0, l->int_stack_top);
    memcpy(area_ptr(img, tss + TSS64_IOMAP), &iomap, sizeof(iomap));
}

static void boot_fill_state(const BootImage *img, uint64_t entry,
                            uint64_t low_ram_size)
{
    const X86BootLayout *l = &img->layout;

    boot_state = (X86BootState) {
        .enabled = true,
        .rip = entry,
        .rsp = l->stack_top,
        .rflags = 0x2,
        .rdi = l->cmdline,
        .rsi = low_ram_size,
        .cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG,
        .cr3 = l->pml4,
        .cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT,
        .efer = EFER_LME | EFER_LMA | EFER_SCE,
        .gdt_base = l->gdt,
        .gdt_limit = X86_BOOT_SEL_TSS + 16 - 1,
        .code_sel = X86_BOOT_SEL_CODE0,
        .data_sel = X86_BOOT_SEL_DATA0,
        .tss_base = l->tss,
        .tss_limit = TSS64_SIZE - 1,
        .tss_sel = X86_BOOT_SEL_TSS,
    };
}

/* --- ELF ------------------------------------------------------------------- */

static bool elf_check_header(const Elf64_Ehdr *eh, size_t file_size,
                             Error **errp)
{
    if (file_size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG)) {
        error_setg(errp, "not an ELF file");
        return false;
    }
    if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_ident[EI_DATA] != ELFDATA2LSB) {
        error_setg(errp, "not a 64-bit little-endian ELF file");
        return false;
    }
    if (eh->e_ident[EI_VERSION] != EV_CURRENT ||
        GUINT32_FROM_LE(eh->e_version) != EV_CURRENT) {
        error_setg(errp, "unsupported ELF version");
        return false;
    }
    if (GUINT16_FROM_LE(eh->e_type) != ET_EXEC) {
        error_setg(errp, "not an ELF executable (ET_EXEC)");
        return false;
    }
    if (GUINT16_FROM_LE(eh->e_machine) != EM_X86_64) {
        error_setg(errp, "ELF machine %u is not x86-64",
                   GUINT16_FROM_LE(eh->e_machine));
        return false;
    }
    if (GUINT16_FROM_LE(eh->e_phentsize) != sizeof(Elf64_Phdr) ||
        GUINT16_FROM_LE(eh->e_phnum) == 0) {
        error_setg(errp, "bad ELF program header table");
        return false;
    }
    if (GUINT64_FROM_LE(eh->e_phoff) > file_size ||
        (file_size - GUINT64_FROM_LE(eh->e_phoff)) / sizeof(Elf64_Phdr) <
        GUINT16_FROM_LE(eh->e_phnum)) {
        error_setg(errp, "ELF program headers beyond the end of the file");
        return false;
    }
    return true;
}

static bool elf_add_segment(BootImage *img, GBytes *file,
                            const Elf64_Phdr *ph, Error **errp)
{
    size_t file_size = g_bytes_get_size(file);
    uint64_t off = GUINT64_FROM_LE(ph->p_offset);
    uint64_t filesz = GUINT64_FROM_LE(ph->p_filesz);
    uint64_t memsz = GUINT64_FROM_LE(ph->p_memsz);
    uint64_t paddr = GUINT64_FROM_LE(ph->p_paddr);
    BootSegment seg;

    if (off > file_size || filesz > file_size - off) {
        error_setg(errp, "ELF segment at 0x%" PRIx64 " extends beyond the end "
                   "of the file", paddr);
        return false;
    }
    if (filesz > memsz) {
        error_setg(errp, "ELF segment at 0x%" PRIx64 " has p_filesz > "
                   "p_memsz", paddr);
        return false;
    }
    if (paddr > img->layout.base || memsz > img->layout.base - paddr) {
        error_setg(errp, "ELF segment [0x%" PRIx64 ", +0x%" PRIx64 ") is not "
                   "in RAM below the boot tables at 0x%" PRIx64, paddr, memsz,
                   img->layout.base);
        return false;
    }
    for (guint i = 0; i < img->segments->len; i++) {
        BootSegment *s = &g_array_index(img->segments, BootSegment, i);

        if (paddr < s->paddr + s->memsz && s->paddr < paddr + memsz) {
            error_setg(errp, "ELF segments at 0x%" PRIx64 " and 0x%" PRIx64
                       " overlap", s->paddr, paddr);
            return false;
        }
    }
    seg.paddr = paddr;
    seg.memsz = memsz;
    seg.data = g_bytes_new_from_bytes(file, off, filesz);
    g_array_append_val(img->segments, seg);
    return true;
}

static bool elf_entry_is_loaded(const BootImage *img, uint64_t entry)
{
    for (guint i = 0; i < img->segments->len; i++) {
        const BootSegment *s = &g_array_index(img->segments, BootSegment, i);

        if (entry >= s->paddr && entry - s->paddr < s->memsz) {
            return true;
        }
    }
    return false;
}

static bool elf_load(BootImage *img, GBytes *file, uint64_t *entry,
                     Error **errp)
{
    size_t size;
    const uint8_t *data = g_bytes_get_data(file, &size);
    Elf64_Ehdr eh;

    if (size >= sizeof(eh)) {
        memcpy(&eh, data, sizeof(eh));
    }
    if (!elf_check_header(&eh, size, errp)) {
        return false;
    }
    for (unsigned i = 0; i < GUINT16_FROM_LE(eh.e_phnum); i++) {
        Elf64_Phdr ph;

        memcpy(&ph, data + GUINT64_FROM_LE(eh.e_phoff) + i * sizeof(ph),
               sizeof(ph));
        if (GUINT32_FROM_LE(ph.p_type) == PT_LOAD && GUINT64_FROM_LE(ph.p_memsz) &&
            !elf_add_segment(img, file, &ph, errp)) {
            return false;
        }
    }
    *entry = GUINT64_FROM_LE(eh.e_entry);
    if (!img->segments->len) {
        error_setg(errp, "ELF file has no loadable segment");
        return false;
    }
    if (!elf_entry_is_loaded(img, *entry)) {
        error_setg(errp, "ELF entry point 0x%" PRIx64 " is not in a loaded "
                   "segment", *entry);
        return false;
    }
    return true;
}

/* --- reset ----------------------------------------------------------------- */

static void boot_write(uint64_t gpa, const void *buf, uint64_t len)
{
    address_space_write(&address_space_memory, gpa, MEMTXATTRS_UNSPECIFIED,
                        buf, len);
}

static void boot_zero(uint64_t gpa, uint64_t len)
{
    static const uint8_t zeros[64 * KiB];

    while (len) {
        uint64_t n = MIN(len, sizeof(zeros));

        boot_write(gpa, zeros, n);
        gpa += n;
        len -= n;
    }
}

/* Write the image and the boot area into guest RAM again. */
static void boot_reset(void *opaque)
{
    BootImage *img = opaque;
    const X86BootLayout *l = &img->layout;

    for (guint i = 0; i < img->segments->len; i++) {
        BootSegment *s = &g_array_index(img->segments, BootSegment, i);
        size_t filesz;
        const void *data = g_bytes_get_data(s->data, &filesz);

        boot_write(s->paddr, data, filesz);
        boot_zero(s->paddr + filesz, s->memsz - filesz);
    }
    boot_write(l->base, img->area, l->end - l->base);
}

static bool boot_check_cmdline(const char *cmdline, Error **errp)
{
    if (cmdline && strlen(cmdline) > X86_BOOT_CMDLINE_MAX) {
        error_setg(errp, "-append string longer than %d bytes",
                   X86_BOOT_CMDLINE_MAX);
        return false;
    }
    return true;
}

bool x86_boot_load_image(GBytes *file, const char *name,
                         const char *cmdline, uint64_t low_ram_size,
                         uint64_t map_end, Error **errp)
{
    g_autoptr(BootImage) img = g_new0(BootImage, 1);
    uint64_t entry;

    if (!boot_check_cmdline(cmdline, errp)) {
        return false;
    }
    img->segments = g_array_new(false, true, sizeof(BootSegment));
    g_array_set_clear_func(img->segments, boot_segment_clear);
    if (!boot_compute_layout(&img->layout, low_ram_size, map_end, errp)) {
        error_prepend(errp, "could not load kernel '%s': ", name);
        return false;
    }
    if (!elf_load(img, file, &entry, errp)) {
        error_prepend(errp, "could not load kernel '%s': ", name);
        return false;
    }
    img->area = g_malloc0(img->layout.end - img->layout.base);
    boot_build_page_tables(img);
    boot_build_gdt_tss(img);
    if (cmdline) {
        memcpy(area_ptr(img, img->layout.cmdline), cmdline, strlen(cmdline));
    }
    boot_fill_state(img, entry, low_ram_size);

    if (boot_image) {
        qemu_unregister_reset(boot_reset, boot_image);
        boot_image_free(boot_image);
    }
    boot_image = g_steal_pointer(&img);
    qemu_register_reset(boot_reset, boot_image);
    return true;
}

bool x86_boot_load(const char *kernel_filename, const char *cmdline,
                   uint64_t low_ram_size, uint64_t map_end, Error **errp)
{
    g_autoptr(GBytes) file = NULL;
    g_autoptr(GError) gerr = NULL;
    char *contents;
    gsize len;

    if (!boot_check_cmdline(cmdline, errp)) {
        return false;
    }
    if (!g_file_get_contents(kernel_filename, &contents, &len, &gerr)) {
        error_setg(errp, "could not load kernel '%s': %s", kernel_filename,
                   gerr->message);
        return false;
    }
    file = g_bytes_new_take(contents, len);
    return x86_boot_load_image(file, kernel_filename, cmdline, low_ram_size,
                               map_end, errp);
}

const X86BootLayout *x86_boot_layout(void)
{
    return boot_image ? &boot_image->layout : NULL;
}

unsigned int x86_boot_get_segments(X86BootSegmentInfo *segs,
                                   unsigned int max)
{
    unsigned int n = boot_image ? boot_image->segments->len : 0;

    for (unsigned int i = 0; i < MIN(n, max); i++) {
        const BootSegment *s = &g_array_index(boot_image->segments,
                                              BootSegment, i);

        segs[i] = (X86BootSegmentInfo) {
            .paddr = s->paddr,
            .filesz = g_bytes_get_size(s->data),
            .memsz = s->memsz,
        };
    }
    return n;
}
