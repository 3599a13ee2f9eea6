/*
 * Pausing the vCPUs around machine-wide operations (system reset).
 *
 * Only the KVM accelerator runs vCPUs; without it these are no-ops.
 * Call with the BQL held.
 */
#ifndef SYSEMU_CPUS_H
#define SYSEMU_CPUS_H

/* Kick every vCPU out of the guest and wait until all are parked. */
void pause_all_vcpus(void);

/* Let them run again if the VM is running (and nothing else holds them). */
void resume_all_vcpus(void);

#endif
