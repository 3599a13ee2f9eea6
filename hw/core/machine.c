/*
 * TYPE_MACHINE: the board of the VM, and its RAM.
 */
#include "qemu/osdep.h"
#include "hw/boards.h"
#include "hw/mem/memory-device.h"
#include "qom/object_interfaces.h"

MachineState *current_machine;

static char *machine_get_memdev(Object *obj, Error **errp)
{
    return g_strdup(MACHINE(obj)->ram_memdev_id);
}

static void machine_set_memdev(Object *obj, const char *value, Error **errp)
{
    MachineState *ms = MACHINE(obj);

    g_free(ms->ram_memdev_id);
    ms->ram_memdev_id = g_strdup(value);
}

static char *machine_get_kernel(Object *obj, Error **errp)
{
    return g_strdup(MACHINE(obj)->kernel_filename);
}

static void machine_set_kernel(Object *obj, const char *value, Error **errp)
{
    MachineState *ms = MACHINE(obj);

    g_free(ms->kernel_filename);
    ms->kernel_filename = g_strdup(value);
}

static char *machine_get_append(Object *obj, Error **errp)
{
    return g_strdup(MACHINE(obj)->kernel_cmdline);
}

static void machine_set_append(Object *obj, const char *value, Error **errp)
{
    MachineState *ms = MACHINE(obj);

    g_free(ms->kernel_cmdline);
    ms->kernel_cmdline = g_strdup(value);
}

static void machine_class_init(ObjectClass *oc, void *data)
{
    object_class_property_add_str(oc, "kernel", machine_get_kernel,
                                  machine_set_kernel);
    object_class_property_set_description(oc, "kernel",
                                          "Linux kernel image file");
    object_class_property_add_str(oc, "append", machine_get_append,
                                  machine_set_append);
    object_class_property_set_description(oc, "append",
                                          "Linux kernel command line");
    object_class_property_add_str(oc, "memory-backend", machine_get_memdev,
                                  machine_set_memdev);
    object_class_property_set_description(oc, "memory-backend",
                                          "Set RAM backend "
                                          "Valid value is ID of hostmem "
                                          "based backend");
}

static void machine_class_base_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);
    const char *cname = object_class_get_name(oc);

    if (object_class_is_abstract(oc)) {
        return;
    }
    g_assert(g_str_has_suffix(cname, TYPE_MACHINE_SUFFIX));
    mc->name = g_strndup(cname, strlen(cname) - strlen(TYPE_MACHINE_SUFFIX));
}

static void machine_finalize(Object *obj)
{
    MachineState *ms = MACHINE(obj);

    g_free(ms->ram_memdev_id);
    g_free(ms->kernel_filename);
    g_free(ms->kernel_cmdline);
    machine_memory_devices_finalize(ms);
    if (current_machine == ms) {
        current_machine = NULL;
    }
}

GSList *machine_class_list(void)
{
    return object_class_get_list_sorted(TYPE_MACHINE, false);
}

MachineClass *find_machine_class(const char *name)
{
    g_autoptr(GSList) list = machine_class_list();

    for (GSList *l = list; l; l = l->next) {
        MachineClass *mc = l->data;

        if (!strcmp(mc->name, name) || (mc->alias && !strcmp(mc->alias, name))) {
            return mc;
        }
    }
    return NULL;
}

MachineClass *find_default_machine_class(void)
{
    g_autoptr(GSList) list = machine_class_list();

    for (GSList *l = list; l; l = l->next) {
        MachineClass *mc = l->data;

        if (mc->is_default) {
            return mc;
        }
    }
    return NULL;
}

/* The RAM backend QEMU creates when -m is used without memory-backend. */
static HostMemoryBackend *create_default_memdev(MachineState *ms,
                                                Error **errp)
{
    MachineClass *mc = MACHINE_GET_CLASS(ms);
    g_autofree char *size = g_strdup_printf("%" PRIu64,
                                            (uint64_t)ms->ram_size);
    g_autoptr(KeyValList) props = keyval_list_new();
    Object *obj;

    keyval_list_add(props, "size", size, &error_abort);
    obj = user_creatable_add_type(TYPE_MEMORY_BACKEND_RAM,
                                  mc->default_ram_id, props, errp);
    return obj ? MEMORY_BACKEND(obj) : NULL;
}

static HostMemoryBackend *find_memdev(MachineState *ms, Error **errp)
{
    Object *obj = object_resolve_path_component(object_get_objects_root(),
                                                ms->ram_memdev_id);
    uint64_t size;

    if (!obj || !object_dynamic_cast(obj, TYPE_MEMORY_BACKEND)) {
        error_setg(errp, "Memory backend '%s' not found", ms->ram_memdev_id);
        return NULL;
    }
    size = object_property_get_uint(obj, "size", &error_abort);
    if (size != ms->ram_size) {
        error_setg(errp, "Machine memory size does not match the size of "
                   "the memory backend");
        return NULL;
    }
    if (host_memory_backend_is_mapped(MEMORY_BACKEND(obj))) {
        error_setg(errp, "memory backend %s can't be used multiple times.",
                   ms->ram_memdev_id);
        return NULL;
    }
    return MEMORY_BACKEND(obj);
}

void machine_run_board_init(MachineState *machine, const char *mem_path,
                            Error **errp)
{
    MachineClass *mc = MACHINE_GET_CLASS(machine);

    if (machine->ram_memdev_id) {
        machine->memdev = find_memdev(machine, errp);
        if (!machine->memdev) {
            return;
        }
    } else if (machine->ram_size && mc->default_ram_id) {
        machine->memdev = create_default_memdev(machine, errp);
        if (!machine->memdev) {
            return;
        }
    }
    if (machine->memdev) {
        host_memory_backend_set_mapped(machine->memdev, true);
        machine->ram = host_memory_backend_get_memory(machine->memdev);
    }
    mc->init(machine);
}

static const TypeInfo machine_info = {
    .name = TYPE_MACHINE,
    .parent = TYPE_OBJECT,
    .abstract = true,
    .class_size = sizeof(MachineClass),
    .class_init = machine_class_init,
    .class_base_init = machine_class_base_init,
    .instance_size = sizeof(MachineState),
    .instance_finalize = machine_finalize,
};

static void machine_register_types(void)
{
    type_register_static(&machine_info);
}

type_init(machine_register_types)
