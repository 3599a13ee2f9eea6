/*
 * The "none" machine: no devices; its RAM (if -m was given) is mapped at
 * guest physical address 0.
 */
#include "qemu/osdep.h"
#include "hw/boards.h"
#include "exec/address-spaces.h"

static void machine_none_init(MachineState *mch)
{
    if (mch->ram) {
        memory_region_add_subregion(get_system_memory(), 0, mch->ram);
    }
}

static void machine_none_class_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);

    mc->desc = "empty machine";
    mc->init = machine_none_init;
    mc->max_cpus = 1;
    mc->default_ram_size = 0;
    mc->default_ram_id = "ram";
}

static const TypeInfo machine_none_info = {
    .name = MACHINE_TYPE_NAME("none"),
    .parent = TYPE_MACHINE,
    .class_init = machine_none_class_init,
};

static void machine_none_register_types(void)
{
    type_register_static(&machine_none_info);
}

type_init(machine_none_register_types)
