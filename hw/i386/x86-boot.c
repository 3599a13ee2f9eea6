/*
 * Direct boot of a 64-bit ELF guest.  (Skeleton: the loader is being
 * written; until then nothing is ever loaded.)
 */
#include "qemu/osdep.h"
#include "hw/i386/x86-boot.h"

static X86BootState boot_state;

const X86BootState *x86_boot_state(void)
{
    return &boot_state;
}
