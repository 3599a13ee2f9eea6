/*
 * The KVM vCPU: its thread, the KVM_RUN loop and its exits, and how the
 * main loop stops, resumes and resets it.  See docs/kvm.md.
 *
 * Life cycle: the vCPU fd is created at accelerator init; its thread
 * starts in kvm_start_vcpus() (only with a -kernel to run) and parks
 * until the VM runs.  The thread holds the BQL except inside KVM_RUN.
 * Whoever wants it out of the guest (vm_stop, system reset, exit) sets a
 * flag under the BQL and kicks it: kvm_run->immediate_exit for a thread
 * about to enter KVM_RUN, SIG_IPI for one already inside.  The thread
 * then parks on a condition variable and says so.
 */
#include "qemu/osdep.h"
#include "accel/kvm/kvm-internal.h"
#include "sysemu/kvm.h"
#include "sysemu/cpus.h"
#include "sysemu/runstate.h"
#include "sysemu/reset.h"
#include "sysemu/dump.h"
#include "exec/memory.h"
#include "exec/address-spaces.h"
#include "hw/i386/x86-boot.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#define SIG_IPI SIGUSR1

typedef struct KVMVCPU {
    int fd;
    struct kvm_run *run;
    pthread_t thread;
    bool thread_started;

    /* All below are protected by the BQL. */
    bool stopped;           /* the VM is not running: stay out of KVM_RUN */
    bool wait_reset;        /* triple fault / internal error: until reset */
    bool exit_requested;    /* sparsevm is quitting */
    bool parked;            /* the thread is outside KVM_RUN, waiting */
    GCond wake;             /* the thread waits on it while parked */
    GCond parked_cond;      /* broadcast when the thread parks */
} KVMVCPU;

static KVMVCPU *vcpu;
static VMChangeStateEntry *vcpu_vmstate_entry;

bool kvm_init_vcpu(Error **errp)
{
    void *run;
    int fd;

    fd = kvm_vm_ioctl(KVM_CREATE_VCPU, (void *)0);
    if (fd < 0) {
        error_setg_errno(errp, -fd, "kvm_init_vcpu: KVM_CREATE_VCPU failed");
        return false;
    }
    run = mmap(NULL, kvm_state->vcpu_mmap_size, PROT_READ | PROT_WRITE,
               MAP_SHARED, fd, 0);
    if (run == MAP_FAILED) {
        error_setg_errno(errp, errno, "kvm_init_vcpu: mmap'ing vcpu state "
                         "failed");
        close(fd);
        return false;
    }
    if (!kvm_x86_init_cpuid(fd, errp)) {
        munmap(run, kvm_state->vcpu_mmap_size);
        close(fd);
        return false;
    }
    vcpu = g_new0(KVMVCPU, 1);
    vcpu->fd = fd;
    vcpu->run = run;
    vcpu->stopped = true;
    g_cond_init(&vcpu->wake);
    g_cond_init(&vcpu->parked_cond);
    return true;
}

/* --- Kicking, parking --------------------------------------------------- */

static void sig_ipi_handler(int sig)
{
    /* Nothing: the signal only interrupts KVM_RUN (EINTR). */
}

static void kvm_install_sig_ipi(void)
{
    struct sigaction sa = { .sa_handler = sig_ipi_handler,
                            .sa_flags = SA_RESTART };

    sigemptyset(&sa.sa_mask);
    sigaction(SIG_IPI, &sa, NULL);
}

static bool vcpu_may_run(void)
{
    return !vcpu->stopped && !vcpu->wait_reset && !vcpu->exit_requested;
}

/* Get the thread out of KVM_RUN soon (BQL held). */
static void kvm_vcpu_kick(void)
{
    __atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    if (vcpu->thread_started) {
        pthread_kill(vcpu->thread, SIG_IPI);
    }
}

/* Wait until the thread is parked outside KVM_RUN (BQL held). */
static void kvm_vcpu_wait_parked(void)
{
    while (vcpu->thread_started && !vcpu->parked) {
        bql_cond_wait(&vcpu->parked_cond);
    }
}

void pause_all_vcpus(void)
{
    if (!vcpu) {
        return;
    }
    g_assert(bql_locked());
    vcpu->stopped = true;
    kvm_vcpu_kick();
    kvm_vcpu_wait_parked();
}

void resume_all_vcpus(void)
{
    if (!vcpu || !runstate_is_running()) {
        return;
    }
    g_assert(bql_locked());
    vcpu->stopped = false;
    g_cond_broadcast(&vcpu->wake);
}

static void kvm_vcpu_vmstate_change(void *opaque, bool running,
                                    RunState state)
{
    if (running) {
        resume_all_vcpus();
    } else {
        pause_all_vcpus();
    }
}

/* --- Exits -------------------------------------------------------------- */

static void kvm_handle_io(struct kvm_run *run)
{
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    bool is_write = run->io.direction == KVM_EXIT_IO_OUT;

    for (uint32_t i = 0; i < run->io.count; i++) {
        address_space_rw(&address_space_io, run->io.port,
                         MEMTXATTRS_UNSPECIFIED, data, run->io.size,
                         is_write);
        data += run->io.size;
    }
}

static void kvm_handle_mmio(struct kvm_run *run)
{
    hwaddr addr = run->mmio.phys_addr;
    unsigned len = run->mmio.len;
    MemTxResult res;

    res = address_space_rw(&address_space_memory, addr,
                           MEMTXATTRS_UNSPECIFIED, run->mmio.data, len,
                           run->mmio.is_write);
    if (res & MEMTX_DECODE_ERROR) {
        MemoryRegionSection section = memory_region_find(get_system_memory(),
                                                         addr, len);
        const char *name = section.mr ? memory_region_name(section.mr)
                                      : "(null)";

        /* QEMU's wording for an access nothing accepts. */
        qemu_log_mask(LOG_GUEST_ERROR, "Invalid access at addr 0x%"
                      PRIX64 ", size %u, region '%s', reason: rejected\n",
                      addr, len, name);
        if (section.mr) {
            memory_region_unref(section.mr);
        }
    }
}

/* Ask the main loop to stop the VM: vm_stop() must not run on this thread. */
static gboolean kvm_stop_internal_error(gpointer opaque)
{
    vm_stop(RUN_STATE_INTERNAL_ERROR);
    return G_SOURCE_REMOVE;
}

/* Something KVM cannot go on with: report, park until a system reset. */
static void kvm_vcpu_internal_error(const char *what)
{
    struct kvm_run *run = vcpu->run;

    error_report("kvm: %s (exit reason %u)", what, run->exit_reason);
    if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR) {
        error_printf("KVM internal error. Suberror: %u\n",
                     run->internal.suberror);
        for (uint32_t i = 0; i < run->internal.ndata &&
                             i < ARRAY_SIZE(run->internal.data); i++) {
            error_printf("extra data[%u]: 0x%016llx\n", i,
                         (unsigned long long)run->internal.data[i]);
        }
    } else if (run->exit_reason == KVM_EXIT_FAIL_ENTRY) {
        error_printf("KVM: entry failed, hardware error 0x%llx\n",
                     (unsigned long long)
                     run->fail_entry.hardware_entry_failure_reason);
    }
    kvm_x86_dump_state(vcpu->fd);
    vcpu->wait_reset = true;
    g_idle_add(kvm_stop_internal_error, NULL);
}

/* Handle the exit of the last KVM_RUN (BQL held). */
static void kvm_handle_exit(int ret)
{
    struct kvm_run *run = vcpu->run;

    if (ret == -EINTR || ret == -EAGAIN) {
        return;                 /* kicked: the loop looks at the flags */
    }
    if (ret < 0) {
        error_report("kvm: KVM_RUN failed: %s", strerror(-ret));
        kvm_vcpu_internal_error("the vCPU cannot run");
        return;
    }
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        kvm_handle_io(run);
        break;
    case KVM_EXIT_MMIO:
        kvm_handle_mmio(run);
        break;
    case KVM_EXIT_SHUTDOWN:
        /* A triple fault resets the machine, as on real hardware. */
        vcpu->wait_reset = true;
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        break;
    case KVM_EXIT_INTR:
    case KVM_EXIT_HLT:
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        kvm_vcpu_internal_error("KVM internal error");
        break;
    case KVM_EXIT_FAIL_ENTRY:
        kvm_vcpu_internal_error("VM entry failed");
        break;
    default:
        kvm_vcpu_internal_error("unhandled exit");
        break;
    }
}

static void *kvm_vcpu_thread_fn(void *opaque)
{
    bql_lock();
    while (!vcpu->exit_requested) {
        int ret;

        if (!vcpu_may_run()) {
            vcpu->parked = true;
            g_cond_broadcast(&vcpu->parked_cond);
            bql_cond_wait(&vcpu->wake);
            continue;
        }
        vcpu->parked = false;
        /* Cleared under the BQL: a kick after this makes KVM_RUN return. */
        __atomic_store_n(&vcpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
        bql_unlock();
        ret = ioctl(vcpu->fd, KVM_RUN, 0);
        ret = ret < 0 ? -errno : ret;
        bql_lock();
        kvm_handle_exit(ret);
    }
    vcpu->parked = true;
    g_cond_broadcast(&vcpu->parked_cond);
    bql_unlock();
    return NULL;
}

/* --- Reset, start, stop ------------------------------------------------- */

/*
 * KVM completes an I/O or MMIO exit (storing the data of a read into the
 * guest's registers) only when KVM_RUN is entered again.  Before the
 * registers are replaced, enter it once with immediate_exit set: it
 * finishes the pending access and returns -EINTR without running guest
 * code.  Otherwise the next KVM_RUN would finish a read of the old guest
 * over the new state (e.g. put back the old RIP after a system reset).
 */
static void kvm_vcpu_complete_pending_exit(void)
{
    int ret;

    if (!vcpu->thread_started) {
        return;                 /* never ran: nothing pending */
    }
    __atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    ret = ioctl(vcpu->fd, KVM_RUN, 0);
    if (ret < 0 && errno != EINTR) {
        warn_report("kvm: completing the last exit failed: %s",
                    strerror(errno));
    }
}

/*
 * dump-guest-memory's NT_PRSTATUS registers.  The dump stops the VM first,
 * so the vCPU is parked; its last exit is completed so that the registers
 * are the ones the guest will resume with.
 */
static bool kvm_dump_cpu_regs(unsigned index, struct user_regs_struct *regs,
                              void *opaque)
{
    if (!vcpu || index != 0 || !vcpu->parked) {
        return false;
    }
    kvm_vcpu_complete_pending_exit();
    return kvm_x86_get_user_regs(vcpu->fd, regs);
}

/* Every system reset (with the vCPU parked) restarts the boot state. */
static void kvm_vcpu_reset(void *opaque)
{
    Error *err = NULL;

    kvm_vcpu_complete_pending_exit();
    if (!kvm_x86_load_boot_state(vcpu->fd, &err)) {
        error_report_err(err);
        vcpu->wait_reset = true;
        return;
    }
    vcpu->wait_reset = false;
}

void kvm_start_vcpus(void)
{
    sigset_t set, old;
    int ret;

    if (!vcpu) {
        return;
    }
    if (!x86_boot_state()->enabled) {
        warn_report_once("no -kernel given: the vCPU has nothing to run");
        return;
    }
    kvm_install_sig_ipi();
    /* The machine's first reset is done: load the boot state now. */
    kvm_vcpu_reset(NULL);
    qemu_register_reset(kvm_vcpu_reset, NULL);
    dump_set_cpu_regs_provider(1, kvm_dump_cpu_regs, NULL);
    vcpu_vmstate_entry = qemu_add_vm_change_state_handler(
        kvm_vcpu_vmstate_change, NULL);
    /* The thread inherits a mask without SIG_IPI: it must reach it. */
    sigemptyset(&set);
    sigaddset(&set, SIG_IPI);
    pthread_sigmask(SIG_UNBLOCK, &set, &old);
    ret = pthread_create(&vcpu->thread, NULL, kvm_vcpu_thread_fn, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (ret) {
        error_report("kvm: cannot create the vCPU thread: %s", strerror(ret));
        exit(1);
    }
    vcpu->thread_started = true;
}

void kvm_destroy_vcpu(void)
{
    if (!vcpu) {
        return;
    }
    if (vcpu->thread_started) {
        vcpu->exit_requested = true;
        kvm_vcpu_kick();
        g_cond_broadcast(&vcpu->wake);
        /* The thread needs the BQL to finish its last exit. */
        bql_unlock();
        pthread_join(vcpu->thread, NULL);
        bql_lock();
        qemu_unregister_reset(kvm_vcpu_reset, NULL);
        dump_set_cpu_regs_provider(0, NULL, NULL);
        qemu_del_vm_change_state_handler(vcpu_vmstate_entry);
    }
    munmap(vcpu->run, kvm_state->vcpu_mmap_size);
    close(vcpu->fd);
    g_cond_clear(&vcpu->wake);
    g_cond_clear(&vcpu->parked_cond);
    g_clear_pointer(&vcpu, g_free);
}
