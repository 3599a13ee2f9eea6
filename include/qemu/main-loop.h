/*
 * The big QEMU lock (BQL).
 *
 * One mutex serializes everything that touches device and memory state:
 * the main loop holds it while it dispatches (QMP, HMP, qtest, timers,
 * bottom halves) and drops it only while it waits in poll(); a vCPU
 * thread drops it while the guest runs (KVM_RUN) and takes it to handle
 * an exit.  The memory API (flat views, listeners) is not RCU-protected
 * here, so any thread that uses it must hold the BQL.
 *
 * main() takes the BQL before qemu_init() and keeps it (except around
 * poll) until the end.
 */
#ifndef QEMU_MAIN_LOOP_H
#define QEMU_MAIN_LOOP_H

#include "qemu/osdep.h"

void bql_lock(void);
void bql_unlock(void);
/* Whether the calling thread holds the BQL. */
bool bql_locked(void);

/* g_cond_wait() on @cond with the BQL as its mutex (the BQL is held). */
void bql_cond_wait(GCond *cond);

#endif
