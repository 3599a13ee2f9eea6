/*
 * The main system bus and sysbus devices.
 */
#include "qemu/osdep.h"
#include "hw/sysbus.h"
#include "exec/address-spaces.h"

static BusState *main_system_bus;

BusState *sysbus_get_default(void)
{
    if (!main_system_bus) {
        size_t size = object_type_get_instance_size(TYPE_SYSTEM_BUS);

        main_system_bus = g_malloc0(size);
        qbus_init(main_system_bus, size, TYPE_SYSTEM_BUS, NULL,
                  "main-system-bus");
        OBJECT(main_system_bus)->free = g_free;
        main_system_bus->realized = true;
    }
    return main_system_bus;
}

bool sysbus_realize(SysBusDevice *dev, Error **errp)
{
    return qdev_realize(DEVICE(dev), sysbus_get_default(), errp);
}

bool sysbus_realize_and_unref(SysBusDevice *dev, Error **errp)
{
    return qdev_realize_and_unref(DEVICE(dev), sysbus_get_default(), errp);
}

void sysbus_init_mmio(SysBusDevice *dev, MemoryRegion *memory)
{
    g_assert(dev->num_mmio < QDEV_MAX_MMIO);
    dev->mmio[dev->num_mmio].addr = -1;
    dev->mmio[dev->num_mmio].memory = memory;
    dev->num_mmio++;
}

MemoryRegion *sysbus_mmio_get_region(SysBusDevice *dev, int n)
{
    g_assert(n >= 0 && n < dev->num_mmio);
    return dev->mmio[n].memory;
}

void sysbus_mmio_map(SysBusDevice *dev, int n, hwaddr addr)
{
    g_assert(n >= 0 && n < dev->num_mmio);
    if (dev->mmio[n].addr == addr) {
        return;
    }
    if (dev->mmio[n].addr != (hwaddr)-1) {
        memory_region_del_subregion(get_system_memory(), dev->mmio[n].memory);
    }
    dev->mmio[n].addr = addr;
    memory_region_add_subregion(get_system_memory(), addr,
                                dev->mmio[n].memory);
}

void sysbus_connect_irq(SysBusDevice *dev, int n, qemu_irq irq)
{
    qdev_connect_gpio_out(DEVICE(dev), n, irq);
}

static char *sysbus_get_dev_path(DeviceState *dev)
{
    return g_strdup(object_get_typename(OBJECT(dev)));
}

static void sysbus_dev_print(GString *out, DeviceState *dev, int indent)
{
    SysBusDevice *s = SYS_BUS_DEVICE(dev);

    for (int i = 0; i < s->num_mmio; i++) {
        g_string_append_printf(out, "%*smmio %016" PRIx64 "/%016" PRIx64 "\n",
                               indent, "", (uint64_t)s->mmio[i].addr,
                               memory_region_size(s->mmio[i].memory));
    }
}

static void system_bus_class_init(ObjectClass *oc, void *data)
{
    BusClass *bc = BUS_CLASS(oc);

    bc->print_dev = sysbus_dev_print;
    bc->get_dev_path = sysbus_get_dev_path;
}

static void sysbus_device_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->bus_type = TYPE_SYSTEM_BUS;
    /* Board code wires sysbus devices; -device cannot. */
    dc->user_creatable = false;
}

static const TypeInfo sysbus_types[] = {
    {
        .name = TYPE_SYSTEM_BUS,
        .parent = TYPE_BUS,
        .instance_size = sizeof(BusState),
        .class_init = system_bus_class_init,
    },
    {
        .name = TYPE_SYS_BUS_DEVICE,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(SysBusDevice),
        .abstract = true,
        .class_size = sizeof(SysBusDeviceClass),
        .class_init = sysbus_device_class_init,
    },
};

DEFINE_TYPES(sysbus_types)
