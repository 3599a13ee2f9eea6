/*
 * isa-debug-exit: a write of V to the port ends sparsevm with exit status
 * (V << 1) | 1, so a test guest can report success or failure without
 * ever giving status 0.  Reads return 0xffffffff (nothing decodes them).
 * Mapped straight into the I/O address space (no ISA bus object).
 */
#include "qemu/osdep.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "exec/memory.h"
#include "exec/address-spaces.h"

#define TYPE_ISA_DEBUG_EXIT_DEVICE "isa-debug-exit"

typedef struct ISADebugExitState {
    DeviceState parent_obj;

    MemoryRegion io;
    uint32_t iobase;
    uint32_t iosize;
} ISADebugExitState;

DECLARE_INSTANCE_CHECKER(ISADebugExitState, ISA_DEBUG_EXIT,
                         TYPE_ISA_DEBUG_EXIT_DEVICE)

static uint64_t debug_exit_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0xffffffffULL >> (32 - 8 * size);
}

static void debug_exit_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    exit((val << 1) | 1);
}

static const MemoryRegionOps debug_exit_ops = {
    .read = debug_exit_read,
    .write = debug_exit_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static void debug_exit_realize(DeviceState *dev, Error **errp)
{
    ISADebugExitState *s = ISA_DEBUG_EXIT(dev);

    if (!s->iosize || s->iobase > 0xffff || s->iosize > 0x10000 - s->iobase) {
        error_setg(errp, "iobase 0x%x / iosize 0x%x do not fit the I/O space",
                   s->iobase, s->iosize);
        return;
    }
    memory_region_init_io(&s->io, OBJECT(dev), &debug_exit_ops, s,
                          TYPE_ISA_DEBUG_EXIT_DEVICE, s->iosize);
    memory_region_add_subregion(get_system_io(), s->iobase, &s->io);
}

static void debug_exit_unrealize(DeviceState *dev)
{
    ISADebugExitState *s = ISA_DEBUG_EXIT(dev);

    memory_region_del_subregion(get_system_io(), &s->io);
    object_unparent(OBJECT(&s->io));
}

static Property debug_exit_properties[] = {
    DEFINE_PROP_UINT32("iobase", ISADebugExitState, iobase, 0x501),
    DEFINE_PROP_UINT32("iosize", ISADebugExitState, iosize, 0x02),
    DEFINE_PROP_END_OF_LIST(),
};

static void debug_exit_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = debug_exit_realize;
    dc->unrealize = debug_exit_unrealize;
    dc->hotpluggable = false;
    dc->desc = "ISA debug exit (ends sparsevm with status (V << 1) | 1)";
    device_class_set_props(dc, debug_exit_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo debug_exit_info = {
    .name = TYPE_ISA_DEBUG_EXIT_DEVICE,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(ISADebugExitState),
    .class_init = debug_exit_class_init,
};

static void debug_exit_register_types(void)
{
    type_register_static(&debug_exit_info);
}

type_init(debug_exit_register_types)
