/*
 * The I/O APIC as an interrupt sink: 24 gpio inputs (GSIs) whose levels
 * it records.  Nothing delivers them to a CPU yet (KVM will route them
 * with KVM_IRQ_LINE).
 */
#ifndef HW_I386_IOAPIC_H
#define HW_I386_IOAPIC_H

#include "hw/sysbus.h"

#define TYPE_IOAPIC "ioapic"
#define IOAPIC_NUM_PINS 24

typedef struct IOAPICCommonState IOAPICCommonState;
DECLARE_INSTANCE_CHECKER(IOAPICCommonState, IOAPIC_COMMON, TYPE_IOAPIC)

struct IOAPICCommonState {
    SysBusDevice busdev;

    /* Current level of each input line. */
    uint32_t irr;
    /* Number of level changes seen per line (debugging / tests). */
    uint32_t irq_count[IOAPIC_NUM_PINS];
};

/* The level of GSI @pin of @s. */
int ioapic_get_level(IOAPICCommonState *s, int pin);

#endif
