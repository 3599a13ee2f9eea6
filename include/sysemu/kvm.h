/*
 * The KVM accelerator (-accel kvm): what the rest of sparsevm may ask it.
 *
 * Everything here is safe to call when KVM is not the accelerator:
 * kvm_enabled() is false and the memslot queries report "no limit"
 * (UINT_MAX), so callers need no #ifdef and no kvm_enabled() check
 * before using them in arithmetic with MIN().
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

#endif
