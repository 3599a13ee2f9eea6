/*
 * x86 specifics of the KVM vCPU: CPUID, the boot state, register dumps.
 */
#include "qemu/osdep.h"
#include "accel/kvm/kvm-internal.h"
#include "hw/i386/x86-boot.h"
#include "qemu/error-report.h"
#include <sys/ioctl.h>

/* Segment types (descriptor type field, S = 1 unless noted). */
#define SEG_TYPE_DATA_RW_ACCESSED  3
#define SEG_TYPE_CODE_XR_ACCESSED  11
#define SEG_TYPE_TSS64_BUSY        11   /* system segment (S = 0) */
#define SEG_TYPE_LDT               2    /* system segment (S = 0) */
#define RFLAGS_FIXED               (1ULL << 1)
/* The minimal 64-bit TSS when the loader gave none: base 0, 104 bytes. */
#define TSS64_MIN_LIMIT            0x67

bool kvm_x86_init_cpuid(int vcpu_fd, Error **errp)
{
    g_autofree struct kvm_cpuid2 *cpuid = NULL;
    int nent = 64;

    /* Grow the buffer until KVM stops answering E2BIG. */
    for (;;) {
        cpuid = g_realloc(cpuid, sizeof(*cpuid) +
                          nent * sizeof(struct kvm_cpuid_entry2));
        memset(cpuid, 0, sizeof(*cpuid));
        cpuid->nent = nent;
        if (!ioctl(kvm_state->fd, KVM_GET_SUPPORTED_CPUID, cpuid)) {
            break;
        }
        if (errno != E2BIG || nent >= 4096) {
            error_setg_errno(errp, errno, "KVM_GET_SUPPORTED_CPUID failed");
            return false;
        }
        nent *= 2;
    }
    if (ioctl(vcpu_fd, KVM_SET_CPUID2, cpuid) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_CPUID2 failed");
        return false;
    }
    return true;
}

static struct kvm_segment flat_segment(uint16_t selector, uint8_t type,
                                       bool code)
{
    return (struct kvm_segment) {
        .base = 0,
        .limit = 0xffffffff,
        .selector = selector,
        .type = type,
        .present = 1,
        .dpl = 0,
        .db = !code,        /* 64-bit code: L = 1 requires D = 0 */
        .s = 1,
        .l = code,
        .g = 1,
    };
}

static void load_boot_sregs(struct kvm_sregs *sregs, const X86BootState *bs)
{
    struct kvm_segment data = flat_segment(bs->data_sel,
                                           SEG_TYPE_DATA_RW_ACCESSED, false);

    sregs->cs = flat_segment(bs->code_sel, SEG_TYPE_CODE_XR_ACCESSED, true);
    sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss = data;
    sregs->tr = (struct kvm_segment) {
        .base = bs->tss_sel ? bs->tss_base : 0,
        .limit = bs->tss_sel ? bs->tss_limit : TSS64_MIN_LIMIT,
        .selector = bs->tss_sel,
        .type = SEG_TYPE_TSS64_BUSY,
        .present = 1,
    };
    sregs->ldt = (struct kvm_segment) {
        .type = SEG_TYPE_LDT,
        .present = 1,
        .unusable = 1,
    };
    sregs->gdt.base = bs->gdt_base;
    sregs->gdt.limit = bs->gdt_limit;
    sregs->idt.base = 0;
    sregs->idt.limit = 0;
    sregs->cr0 = bs->cr0;
    sregs->cr2 = 0;
    sregs->cr3 = bs->cr3;
    sregs->cr4 = bs->cr4;
    sregs->efer = bs->efer;
    memset(sregs->interrupt_bitmap, 0, sizeof(sregs->interrupt_bitmap));
}

bool kvm_x86_load_boot_state(int vcpu_fd, Error **errp)
{
    const X86BootState *bs = x86_boot_state();
    struct kvm_sregs sregs;
    struct kvm_regs regs = {
        .rip = bs->rip,
        .rsp = bs->rsp,
        .rflags = bs->rflags | RFLAGS_FIXED,
        .rdi = bs->rdi,
        .rsi = bs->rsi,
    };

    /* Keep what we do not set (APIC base, CR8) as KVM has it. */
    if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0) {
        error_setg_errno(errp, errno, "KVM_GET_SREGS failed");
        return false;
    }
    load_boot_sregs(&sregs, bs);
    if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0) {
        error_setg_errno(errp, errno, "kvm: cannot load the boot state: "
                         "KVM_SET_SREGS failed");
        return false;
    }
    if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0) {
        error_setg_errno(errp, errno, "kvm: cannot load the boot state: "
                         "KVM_SET_REGS failed");
        return false;
    }
    return true;
}

static void dump_segment(const char *name, const struct kvm_segment *s)
{
    error_printf("%-3s =%04x %016llx %08x type %u dpl %u p %u s %u l %u "
                 "db %u g %u%s\n", name, s->selector,
                 (unsigned long long)s->base, s->limit, s->type, s->dpl,
                 s->present, s->s, s->l, s->db, s->g,
                 s->unusable ? " unusable" : "");
}

void kvm_x86_dump_state(int vcpu_fd)
{
    struct kvm_regs r;
    struct kvm_sregs s;

    if (ioctl(vcpu_fd, KVM_GET_REGS, &r) < 0 ||
        ioctl(vcpu_fd, KVM_GET_SREGS, &s) < 0) {
        error_printf("(cannot read the vCPU registers: %s)\n",
                     strerror(errno));
        return;
    }
    error_printf("RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n"
                 "RSI=%016llx RDI=%016llx RBP=%016llx RSP=%016llx\n"
                 "R8 =%016llx R9 =%016llx R10=%016llx R11=%016llx\n"
                 "R12=%016llx R13=%016llx R14=%016llx R15=%016llx\n"
                 "RIP=%016llx RFL=%08llx\n",
                 r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp, r.rsp,
                 r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15,
                 r.rip, r.rflags);
    dump_segment("ES", &s.es);
    dump_segment("CS", &s.cs);
    dump_segment("SS", &s.ss);
    dump_segment("DS", &s.ds);
    dump_segment("FS", &s.fs);
    dump_segment("GS", &s.gs);
    dump_segment("LDT", &s.ldt);
    dump_segment("TR", &s.tr);
    error_printf("GDT=     %016llx %08x\nIDT=     %016llx %08x\n",
                 s.gdt.base, s.gdt.limit, s.idt.base, s.idt.limit);
    error_printf("CR0=%08llx CR2=%016llx CR3=%016llx CR4=%08llx\n"
                 "EFER=%016llx APIC_BASE=%016llx\n",
                 s.cr0, s.cr2, s.cr3, s.cr4, s.efer, s.apic_base);
}

bool kvm_x86_get_user_regs(int vcpu_fd, struct user_regs_struct *regs)
{
    struct kvm_regs r;
    struct kvm_sregs s;

    if (ioctl(vcpu_fd, KVM_GET_REGS, &r) < 0 ||
        ioctl(vcpu_fd, KVM_GET_SREGS, &s) < 0) {
        return false;
    }
    *regs = (struct user_regs_struct) {
        .r15 = r.r15, .r14 = r.r14, .r13 = r.r13, .r12 = r.r12,
        .rbp = r.rbp, .rbx = r.rbx, .r11 = r.r11, .r10 = r.r10,
        .r9 = r.r9, .r8 = r.r8, .rax = r.rax, .rcx = r.rcx, .rdx = r.rdx,
        .rsi = r.rsi, .rdi = r.rdi, .orig_rax = r.rax, .rip = r.rip,
        .cs = s.cs.selector, .eflags = r.rflags, .rsp = r.rsp,
        .ss = s.ss.selector, .fs_base = s.fs.base, .gs_base = s.gs.base,
        .ds = s.ds.selector, .es = s.es.selector, .fs = s.fs.selector,
        .gs = s.gs.selector,
    };
    return true;
}
