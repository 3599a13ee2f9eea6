/*
 * The KVM accelerator (-accel kvm): what the rest of sparsevm may ask it.
 *
 * Everything here is safe to call when KVM is not the accelerator:
 * kvm_enabled() is false and the memslot queries report "no limit"
 * (UINT_MAX), so callers need no #ifdef and no kvm_enabled() check
 * before using them in arithmetic with MIN().  The vCPU and irqchip
 * calls are no-ops without KVM.
 *
 * Threading: every function here is called with the BQL held
 * (include/qemu/main-loop.h).
 */
#ifndef SYSEMU_KVM_H
#define SYSEMU_KVM_H

#include "qemu/osdep.h"

#define TYPE_KVM_ACCEL ACCEL_CLASS_NAME("kvm")

/* Set once -accel kvm has been initialized. */
extern bool kvm_allowed;

static inline bool kvm_enabled(void)
{
    return kvm_allowed;
}

/*
 * KVM memslots still free for guest memory (KVM_CAP_NR_MEMSLOTS minus the
 * slots in use, for address space 0); UINT_MAX without KVM.
 */
unsigned int kvm_get_free_memslots(void);

/* KVM_CAP_NR_MEMSLOTS; UINT_MAX without KVM. */
unsigned int kvm_get_max_memslots(void);

/* KVM memslots in use (0 without KVM). */
unsigned int kvm_get_used_memslots(void);

/* Whether the in-kernel PIC/IOAPIC/LAPIC handle interrupts. */
bool kvm_irqchip_in_kernel(void);

/*
 * Set the level of GSI @gsi of the in-kernel irqchip (KVM_IRQ_LINE_STATUS).
 * No-op without the in-kernel irqchip.
 */
void kvm_set_irq(int gsi, int level);

/*
 * Called by vl.c once the machine is built and has had its first reset:
 * the boot vCPU gets the boot state and its thread, and follows the run
 * state (and every later system reset) from now on.  Without a -kernel
 * there is nothing to run: a warning, no thread.
 */
void kvm_start_vcpus(void);

/* Stop and join the vCPU thread and close every KVM fd (at exit). */
void kvm_cleanup(void);

/* HMP "info kvm" and "info kvm-memslots". */
void hmp_info_kvm(GString *out, int argc, char **argv);
void hmp_info_kvm_memslots(GString *out, int argc, char **argv);

#endif
