/*
 * The I/O APIC as an interrupt sink: 24 gpio inputs (GSIs) whose levels
 * it records.  With KVM's in-kernel irqchip every level change is also
 * forwarded to the kernel (kvm_set_irq(), KVM_IRQ_LINE_STATUS), whose
 * PIC/IOAPIC deliver it to the vCPU; otherwise nothing delivers it.  qtest's
 * irq_intercept_in sits in front of these inputs either way.
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
