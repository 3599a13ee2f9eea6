/*
 * isa-debugcon: Bochs/QEMU's debug console port.  Every byte written to
 * the port goes to the chardev; reads return the "readback" value (0xe9)
 * so a guest can detect the port.  There is no ISA bus object: the port
 * is mapped straight into the I/O address space, where ISA would put it.
 */
#include "qemu/osdep.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "chardev/char-fe.h"
#include "exec/memory.h"
#include "exec/address-spaces.h"

#define TYPE_ISA_DEBUGCON_DEVICE "isa-debugcon"

typedef struct ISADebugconState {
    DeviceState parent_obj;

    MemoryRegion io;
    CharBackend chr;
    char *chardev;              /* "chardev" property: the chardev id */
    uint32_t iobase;
    uint32_t readback;
} ISADebugconState;

DECLARE_INSTANCE_CHECKER(ISADebugconState, ISA_DEBUGCON,
                         TYPE_ISA_DEBUGCON_DEVICE)

static uint64_t debugcon_read(void *opaque, hwaddr addr, unsigned size)
{
    return ISA_DEBUGCON(opaque)->readback;
}

static void debugcon_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    ISADebugconState *s = opaque;
    uint8_t byte = val;

    /* The console has no flow control: what the chardev refuses is lost. */
    qemu_chr_fe_write_all(&s->chr, &byte, 1);
}

static const MemoryRegionOps debugcon_ops = {
    .read = debugcon_read,
    .write = debugcon_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static void debugcon_realize(DeviceState *dev, Error **errp)
{
    ISADebugconState *s = ISA_DEBUGCON(dev);
    Chardev *chr = s->chardev ? qemu_chr_find(s->chardev) : NULL;

    if (!s->chardev) {
        error_setg(errp, "Can't create debugcon device, empty char device");
        return;
    }
    if (!chr) {
        error_setg(errp, "Property 'isa-debugcon.chardev' can't find value "
                   "'%s'", s->chardev);
        return;
    }
    if (s->iobase > 0xffff) {
        error_setg(errp, "iobase 0x%x is beyond the I/O space", s->iobase);
        return;
    }
    if (!qemu_chr_fe_init(&s->chr, chr, errp)) {
        return;
    }
    memory_region_init_io(&s->io, OBJECT(dev), &debugcon_ops, s,
                          TYPE_ISA_DEBUGCON_DEVICE, 1);
    memory_region_add_subregion(get_system_io(), s->iobase, &s->io);
}

static void debugcon_unrealize(DeviceState *dev)
{
    ISADebugconState *s = ISA_DEBUGCON(dev);

    memory_region_del_subregion(get_system_io(), &s->io);
    object_unparent(OBJECT(&s->io));
    qemu_chr_fe_deinit(&s->chr, false);
}

static Property debugcon_properties[] = {
    DEFINE_PROP_UINT32("iobase", ISADebugconState, iobase, 0xe9),
    DEFINE_PROP_STRING("chardev", ISADebugconState, chardev),
    DEFINE_PROP_UINT32("readback", ISADebugconState, readback, 0xe9),
    DEFINE_PROP_END_OF_LIST(),
};

static void debugcon_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = debugcon_realize;
    dc->unrealize = debugcon_unrealize;
    dc->hotpluggable = false;
    dc->desc = "ISA debug console (Bochs port 0xe9)";
    device_class_set_props(dc, debugcon_properties);
    set_bit(DEVICE_CATEGORY_INPUT, dc->categories);
}

static const TypeInfo debugcon_info = {
    .name = TYPE_ISA_DEBUGCON_DEVICE,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(ISADebugconState),
    .class_init = debugcon_class_init,
};

static void debugcon_register_types(void)
{
    type_register_static(&debugcon_info);
}

type_init(debugcon_register_types)
