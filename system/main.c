/*
 * sparsevm entry point.
 */
#include "qemu/osdep.h"
#include "sysemu/sysemu.h"
#include "sysemu/kvm.h"
#include "qemu/main-loop.h"
#include "qemu/log.h"

int main(int argc, char **argv)
{
    int status;

    /* The main thread holds the BQL except while it polls. */
    bql_lock();
    qemu_init(argc, argv);
    status = qemu_main_loop();
    kvm_cleanup();
    qemu_cleanup();
    qemu_log_close();
    bql_unlock();
    return status;
}
