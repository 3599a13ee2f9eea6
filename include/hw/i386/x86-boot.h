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
 * Entry contract for the guest (see tests/guest/README.md):
 *   64-bit mode, CPL0, paging on (CR0.PE|PG, CR4.PAE, EFER.LME|LMA),
 *   interrupts off, RIP = e_entry, RSP = top of a boot stack,
 *   RDI = guest-physical address of the NUL-terminated -append string
 *   (an empty string without -append), RSI = RAM size below 4 GiB.
 */
#ifndef HW_I386_X86_BOOT_H
#define HW_I386_X86_BOOT_H

#include "qemu/osdep.h"

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

/*
 * The state the boot vCPU starts in after every reset; .enabled is false
 * unless the machine loaded a -kernel.  Valid after machine init.
 */
const X86BootState *x86_boot_state(void);

#endif
