/*
 * Direct boot of a 64-bit ELF guest (-kernel FILE [-append CMDLINE]).
 *
 * There is no firmware.  The pc machine loads the ELF's PT_LOAD segments
 * at their physical addresses, builds identity-mapped long-mode page
 * tables (2 MiB pages, user-accessible, covering low RAM, the PCI hole and
 * all of device memory) and a flat GDT in guest RAM, and describes the CPU
 * state the guest starts in.  An accelerator that runs vCPUs (KVM) loads
 * that state into the boot vCPU at every system reset; qtest ignores it.
 * The image and tables are written again at every system reset.
 *
 * Entry contract for the guest (see docs/test-guest.md):
 *   64-bit mode, CPL0, paging on (CR0.PE|PG, CR4.PAE, EFER.LME|LMA),
 *   interrupts off, RIP = e_entry, RSP = top of a boot stack,
 *   RDI = guest-physical address of the NUL-terminated -append string
 *   (an empty string without -append), RSI = RAM size below 4 GiB.
 *
 * The boot area sits at the top of low RAM (below 4 GiB), in this order
 * from its base (every piece 4 KiB aligned):
 *   PML4 (1 page), PDPTs, page directories (one per GiB mapped),
 *   GDT (1 page), TSS (1 page), command line (1 page),
 *   interrupt stack (RSP0 of the TSS), boot stack (RSP at entry).
 */
#ifndef HW_I386_X86_BOOT_H
#define HW_I386_X86_BOOT_H

#include "qemu/osdep.h"
#include "qapi/error.h"

/* GDT layout built by the loader (selectors; add 3 for the RPL of ring 3) */
#define X86_BOOT_SEL_CODE0      0x08    /* 64-bit code, DPL 0 */
#define X86_BOOT_SEL_DATA0      0x10    /* flat data, DPL 0 */
#define X86_BOOT_SEL_CODE3      0x18    /* 64-bit code, DPL 3 */
#define X86_BOOT_SEL_DATA3      0x20    /* flat data, DPL 3 */
#define X86_BOOT_SEL_TSS        0x28    /* 64-bit TSS (16-byte descriptor) */

#define X86_BOOT_CMDLINE_MAX    4095    /* bytes of -append, without NUL */
#define X86_BOOT_INT_STACK_SIZE (16 * 1024)
#define X86_BOOT_STACK_SIZE     (64 * 1024)

typedef struct X86BootState {
    bool enabled;               /* false: no -kernel, nothing to run */
    uint64_t rip, rsp, rflags;
    uint64_t rdi, rsi;
    uint64_t cr0, cr3, cr4, efer;
    uint64_t gdt_base;
    uint16_t gdt_limit;
    uint16_t code_sel;          /* GDT selector of the 64-bit code segment */
    uint16_t data_sel;          /* ... of the flat data segment (ds..ss) */
    /*
     * The 64-bit TSS the loader built in guest RAM (RSP0 for interrupts
     * and exceptions taken from ring 3), and its GDT selector.  The vCPU's
     * TR is loaded with it (type 11, busy).
     */
    uint64_t tss_base;
    uint32_t tss_limit;
    uint16_t tss_sel;
} X86BootState;

/* Where the loader put things (guest-physical), for tests and docs. */
typedef struct X86BootLayout {
    uint64_t base;              /* start of the boot area */
    uint64_t pml4, pdpt, pd;    /* first PDPT / page directory */
    uint64_t map_end;           /* identity map covers [0, map_end) */
    uint64_t gdt, tss, cmdline;
    uint64_t int_stack_top, stack_top;
    uint64_t end;               /* end of the boot area (= low RAM size) */
} X86BootLayout;

/*
 * The state the boot vCPU starts in after every reset; .enabled is false
 * unless the machine loaded a -kernel.  Valid after machine init.
 */
const X86BootState *x86_boot_state(void);

/*
 * Load the 64-bit ELF @kernel_filename with command line @cmdline (may be
 * NULL) into a machine whose RAM below 4 GiB is [0, @low_ram_size), and
 * map [0, @map_end) (rounded up to 1 GiB, at least 4 GiB) in the boot page
 * tables.  Everything is written into guest RAM now and again at every
 * system reset.  On failure sets @errp and returns false; nothing changes.
 */
bool x86_boot_load(const char *kernel_filename, const char *cmdline,
                   uint64_t low_ram_size, uint64_t map_end, Error **errp);

/*
 * x86_boot_load() of an image already in memory (@name only for error
 * messages).  The seam tests and the ELF fuzzer load through.
 */
bool x86_boot_load_image(GBytes *file, const char *name,
                         const char *cmdline, uint64_t low_ram_size,
                         uint64_t map_end, Error **errp);

/* What the last successful load placed, for tests: one PT_LOAD segment. */
typedef struct X86BootSegmentInfo {
    uint64_t paddr;
    uint64_t filesz;            /* bytes from the file, the rest is zeroed */
    uint64_t memsz;
} X86BootSegmentInfo;

/* The layout of the loaded boot area, NULL before a successful load. */
const X86BootLayout *x86_boot_layout(void);
/* Copy up to @max loaded segments to @segs; returns how many there are. */
unsigned int x86_boot_get_segments(X86BootSegmentInfo *segs,
                                   unsigned int max);

#endif
