/*
 * The qtest accelerator: no guest CPU runs; the virtual clock only moves
 * when the test says so (clock_step / clock_set).
 */
#include "qemu/osdep.h"
#include "sysemu/accel.h"
#include "sysemu/qtest.h"
#include "qemu/timer.h"
#include "monitor/monitor.h"

bool qtest_allowed;

static int qtest_init_accel(MachineState *ms)
{
    qemu_clock_set_virtual_manual(true);
    /* Event rate limits follow the clock the test controls. */
    monitor_event_throttle_set_clock(QEMU_CLOCK_VIRTUAL);
    return 0;
}

static void qtest_accel_class_init(ObjectClass *oc, void *data)
{
    AccelClass *ac = ACCEL_CLASS(oc);

    ac->name = "qtest";
    ac->init_machine = qtest_init_accel;
    ac->allowed = &qtest_allowed;
}

static const TypeInfo qtest_accel_type = {
    .name = TYPE_QTEST_ACCEL,
    .parent = TYPE_ACCEL,
    .class_init = qtest_accel_class_init,
};

static void qtest_accel_register_types(void)
{
    type_register_static(&qtest_accel_type);
}

type_init(qtest_accel_register_types)
