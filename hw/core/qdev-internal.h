/*
 * Shared between the device and bus halves of qdev.
 */
#ifndef HW_CORE_QDEV_INTERNAL_H
#define HW_CORE_QDEV_INTERNAL_H

#include "hw/qdev-core.h"

/* Put @child on @bus (takes a reference) / take it off (drops it). */
void bus_add_child(BusState *bus, DeviceState *child);
void bus_remove_child(BusState *bus, DeviceState *child);

#endif
