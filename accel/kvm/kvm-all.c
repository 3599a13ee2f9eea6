/*
 * The KVM accelerator.  (Skeleton: the accelerator itself is being
 * written; until then KVM is never enabled.)
 */
#include "qemu/osdep.h"
#include "sysemu/kvm.h"

bool kvm_allowed;

unsigned int kvm_get_free_memslots(void)
{
    return UINT_MAX;
}

unsigned int kvm_get_max_memslots(void)
{
    return UINT_MAX;
}
