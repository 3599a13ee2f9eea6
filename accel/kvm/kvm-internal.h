/*
 * State shared by the files of the KVM accelerator (accel/kvm/ only).
 */
#ifndef ACCEL_KVM_INTERNAL_H
#define ACCEL_KVM_INTERNAL_H

#include "qemu/osdep.h"
#include <sys/user.h>
#include "qapi/error.h"
#include <linux/kvm.h>

/* The area QEMU reserves below the BIOS for KVM's real-mode helpers. */
#define KVM_IDENTITY_MAP_ADDR 0xfeffc000ULL
#define KVM_TSS_ADDR          0xfeffd000ULL

typedef struct KVMState {
    int fd;                     /* /dev/kvm */
    int vmfd;
    int vcpu_mmap_size;
    unsigned int nr_memslots;   /* KVM_CAP_NR_MEMSLOTS */
    bool irqchip_in_kernel;
} KVMState;

extern KVMState *kvm_state;

/* ioctl() on the VM fd; -errno on failure. */
int kvm_vm_ioctl(int type, void *arg);

/*
 * kvm-cpus.c: create the boot vCPU (fd, kvm_run mapping, CPUID) at
 * accelerator init.
 */
bool kvm_init_vcpu(Error **errp);
void kvm_destroy_vcpu(void);

/* kvm-x86.c */
/* KVM_SET_CPUID2 with everything KVM_GET_SUPPORTED_CPUID offers. */
bool kvm_x86_init_cpuid(int vcpu_fd, Error **errp);
/* Load the x86-boot state into the vCPU (regs and sregs). */
bool kvm_x86_load_boot_state(int vcpu_fd, Error **errp);
/* Print the vCPU's registers to stderr (after an internal error). */
void kvm_x86_dump_state(int vcpu_fd);
/* The vCPU's registers in the layout of an ELF core's NT_PRSTATUS. */
bool kvm_x86_get_user_regs(int vcpu_fd, struct user_regs_struct *regs);

#endif
