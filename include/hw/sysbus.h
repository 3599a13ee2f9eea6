/*
 * The main system bus: the root of the qdev tree.  Devices without a real
 * bus (host bridges, interrupt controllers) are TYPE_SYS_BUS_DEVICE and
 * sit on it.
 */
#ifndef HW_SYSBUS_H
#define HW_SYSBUS_H

#include "exec/memory.h"
#include "hw/qdev-core.h"

#define TYPE_SYSTEM_BUS "System"
#define TYPE_SYS_BUS_DEVICE "sys-bus-device"

#define QDEV_MAX_MMIO 32

typedef struct SysBusDevice SysBusDevice;
typedef struct SysBusDeviceClass SysBusDeviceClass;
DECLARE_OBJ_CHECKERS(SysBusDevice, SysBusDeviceClass, SYS_BUS_DEVICE,
                     TYPE_SYS_BUS_DEVICE)

struct SysBusDeviceClass {
    DeviceClass parent_class;
};

struct SysBusDevice {
    DeviceState parent_obj;

    int num_mmio;
    struct {
        hwaddr addr;
        MemoryRegion *memory;
    } mmio[QDEV_MAX_MMIO];
};

/* "main-system-bus", created on first use (its parent: /machine). */
BusState *sysbus_get_default(void);
/* qdev_realize() on the main system bus. */
bool sysbus_realize(SysBusDevice *dev, Error **errp);
bool sysbus_realize_and_unref(SysBusDevice *dev, Error **errp);
/* Declare MMIO region number num_mmio++. */
void sysbus_init_mmio(SysBusDevice *dev, MemoryRegion *memory);
MemoryRegion *sysbus_mmio_get_region(SysBusDevice *dev, int n);
/* Map MMIO region @n at @addr in system memory. */
void sysbus_mmio_map(SysBusDevice *dev, int n, hwaddr addr);
/* gpio out / in helpers (unnamed lines). */
void sysbus_connect_irq(SysBusDevice *dev, int n, qemu_irq irq);

#endif
