/*
 * The PC machine family: RAM layout, device memory, system reset and the
 * hotplug handler for memory devices.
 */
#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "hw/i386/pc.h"
#include "hw/mem/memory-device.h"
#include "hw/i386/x86-boot.h"
#include "sysemu/reset.h"
#include "exec/address-spaces.h"

#define PC_ABOVE_4G_MEM_START (4 * GiB)
#define ACPI_MAX_RAM_SLOTS 256
#define PC_TARGET_PAGE_SIZE 4096

static uint64_t pc_above_4g_end(PCMachineState *pcms)
{
    return PC_ABOVE_4G_MEM_START + pcms->above_4g_mem_size;
}

/* Device memory: 1 GiB aligned after RAM, maxmem - RAM + 1 GiB per slot. */
static void pc_get_device_memory_range(PCMachineState *pcms, hwaddr *base,
                                       uint64_t *device_mem_size)
{
    PCMachineClass *pcmc = PC_MACHINE_GET_CLASS(pcms);
    MachineState *machine = MACHINE(pcms);
    uint64_t size = machine->maxram_size - machine->ram_size;

    if (pcmc->enforce_aligned_dimm) {
        size += 1 * GiB * machine->ram_slots;
    }
    *base = ROUND_UP(pc_above_4g_end(pcms), 1 * GiB);
    *device_mem_size = size;
}

uint64_t pc_pci_hole64_start(void)
{
    Object *obj = object_resolve_path_type("/machine", TYPE_PC_MACHINE, NULL);
    PCMachineState *pcms;
    MachineState *ms;
    hwaddr start;
    uint64_t size;

    if (!obj) {
        return 0;
    }
    pcms = PC_MACHINE(obj);
    ms = MACHINE(obj);
    if (ms->ram_size < ms->maxram_size) {
        pc_get_device_memory_range(pcms, &start, &size);
        start += size;
    } else {
        start = pc_above_4g_end(pcms);
    }
    return ROUND_UP(start, 1 * GiB);
}

/* Split RAM around the 32-bit PCI hole as QEMU 7.2 (gigabyte aligned). */
void pc_split_ram(PCMachineState *pcms)
{
    MachineState *machine = MACHINE(pcms);
    uint64_t lowmem;

    if (!pcms->max_ram_below_4g) {
        pcms->max_ram_below_4g = 0xe0000000;    /* 3.5 GiB */
    }
    lowmem = pcms->max_ram_below_4g;
    if (machine->ram_size >= pcms->max_ram_below_4g) {
        if (lowmem > 0xc0000000) {
            lowmem = 0xc0000000;
        }
        if (lowmem & (1 * GiB - 1)) {
            warn_report("Large machine and max_ram_below_4g (%" PRIu64
                        ") not a multiple of 1G; possible bad performance.",
                        pcms->max_ram_below_4g);
        }
    }
    if (machine->ram_size >= lowmem) {
        pcms->above_4g_mem_size = machine->ram_size - lowmem;
        pcms->below_4g_mem_size = lowmem;
    } else {
        pcms->above_4g_mem_size = 0;
        pcms->below_4g_mem_size = machine->ram_size;
    }
}

/* -kernel: direct boot of a 64-bit ELF (no firmware), see x86-boot.h. */
static void pc_load_kernel(PCMachineState *pcms)
{
    MachineState *machine = MACHINE(pcms);
    Error *err = NULL;

    if (!machine->kernel_filename) {
        return;
    }
    /* Map RAM, the PCI hole and all of device memory. */
    if (!x86_boot_load(machine->kernel_filename, machine->kernel_cmdline,
                       pcms->below_4g_mem_size, pc_pci_hole64_start(),
                       &err)) {
        error_report_err(err);
        exit(1);
    }
}

void pc_memory_init(PCMachineState *pcms, MemoryRegion *system_memory,
                    MemoryRegion *pci_memory)
{
    MachineState *machine = MACHINE(pcms);
    MemoryRegion *ram_below_4g, *ram_above_4g;

    ram_below_4g = g_new0(MemoryRegion, 1);
    memory_region_init_alias(ram_below_4g, NULL, "ram-below-4g", machine->ram,
                             0, pcms->below_4g_mem_size);
    memory_region_add_subregion(system_memory, 0, ram_below_4g);
    if (pcms->above_4g_mem_size > 0) {
        ram_above_4g = g_new0(MemoryRegion, 1);
        memory_region_init_alias(ram_above_4g, NULL, "ram-above-4g",
                                 machine->ram, pcms->below_4g_mem_size,
                                 pcms->above_4g_mem_size);
        memory_region_add_subregion(system_memory, PC_ABOVE_4G_MEM_START,
                                    ram_above_4g);
    }

    if (machine->ram_size < machine->maxram_size) {
        hwaddr base;
        uint64_t size;

        if (machine->ram_slots > ACPI_MAX_RAM_SLOTS) {
            error_report("unsupported amount of memory slots: %" PRIu64,
                         machine->ram_slots);
            exit(EXIT_FAILURE);
        }
        if (QEMU_ALIGN_UP(machine->maxram_size, PC_TARGET_PAGE_SIZE) !=
            machine->maxram_size) {
            error_report("maximum memory size must by aligned to multiple "
                         "of %d bytes", PC_TARGET_PAGE_SIZE);
            exit(EXIT_FAILURE);
        }
        pc_get_device_memory_range(pcms, &base, &size);
        if (base + size < size) {
            error_report("unsupported amount of maximum memory: "
                         RAM_ADDR_FMT, (uint64_t)machine->maxram_size);
            exit(EXIT_FAILURE);
        }
        machine_memory_devices_init(machine, base, size);
    }
    pcms->pci_memory = pci_memory;
    pc_load_kernel(pcms);
}

/* --- hotplug ------------------------------------------------------------- */

static bool pc_is_memory_device(DeviceState *dev)
{
    return object_dynamic_cast(OBJECT(dev), TYPE_MEMORY_DEVICE) != NULL;
}

static void pc_memory_device_pre_plug(HotplugHandler *hotplug_dev,
                                      DeviceState *dev, Error **errp)
{
    HotplugHandler *bus_handler = qdev_get_bus_hotplug_handler(dev);
    Error *err = NULL;

    if (!bus_handler && dev->hotplugged) {
        error_setg(errp, "hotplug of virtio based memory devices not "
                   "supported on this bus.");
        return;
    }
    memory_device_pre_plug(MEMORY_DEVICE(dev), MACHINE(hotplug_dev), &err);
    if (!err && bus_handler) {
        hotplug_handler_pre_plug(bus_handler, dev, &err);
    }
    error_propagate(errp, err);
}

static void pc_memory_device_plug(HotplugHandler *hotplug_dev,
                                  DeviceState *dev, Error **errp)
{
    HotplugHandler *bus_handler = qdev_get_bus_hotplug_handler(dev);
    Error *err = NULL;

    memory_device_plug(MEMORY_DEVICE(dev), MACHINE(hotplug_dev));
    if (bus_handler) {
        hotplug_handler_plug(bus_handler, dev, &err);
        if (err) {
            memory_device_unplug(MEMORY_DEVICE(dev), MACHINE(hotplug_dev));
        }
    }
    error_propagate(errp, err);
}

static void pc_machine_device_pre_plug_cb(HotplugHandler *hotplug_dev,
                                          DeviceState *dev, Error **errp)
{
    if (pc_is_memory_device(dev)) {
        pc_memory_device_pre_plug(hotplug_dev, dev, errp);
    }
}

static void pc_machine_device_plug_cb(HotplugHandler *hotplug_dev,
                                      DeviceState *dev, Error **errp)
{
    if (pc_is_memory_device(dev)) {
        pc_memory_device_plug(hotplug_dev, dev, errp);
    }
}

static void pc_machine_device_unplug_request_cb(HotplugHandler *hotplug_dev,
                                                DeviceState *dev,
                                                Error **errp)
{
    error_setg(errp, "virtio based memory devices cannot be unplugged.");
}

static void pc_machine_device_unplug_cb(HotplugHandler *hotplug_dev,
                                        DeviceState *dev, Error **errp)
{
    error_setg(errp, "acpi: device unplug for unsupported device type: %s",
               object_get_typename(OBJECT(dev)));
}

static HotplugHandler *pc_get_hotplug_handler(MachineState *machine,
                                              DeviceState *dev)
{
    if (pc_is_memory_device(dev)) {
        return HOTPLUG_HANDLER(machine);
    }
    return NULL;
}

/* --- reset and properties ------------------------------------------------- */

static void pc_machine_reset(MachineState *machine, ShutdownCause reason)
{
    PCMachineState *pcms = PC_MACHINE(machine);

    qemu_devices_reset(reason);
    pc_firmware_pci_setup(pcms);
}

static uint64_t pc_machine_get_max_ram_below_4g(Object *obj, Error **errp)
{
    return PC_MACHINE(obj)->max_ram_below_4g;
}

static void pc_machine_set_max_ram_below_4g(Object *obj, uint64_t value,
                                            Error **errp)
{
    if (value > 4 * GiB) {
        error_setg(errp, "Machine option 'max-ram-below-4g=%" PRIu64
                   "' expects size less than or equal to 4G", value);
        return;
    }
    PC_MACHINE(obj)->max_ram_below_4g = value;
}

static void pc_machine_finalize(Object *obj)
{
    g_free(PC_MACHINE(obj)->gsi);
}

static void pc_machine_class_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);
    PCMachineClass *pcmc = PC_MACHINE_CLASS(oc);
    HotplugHandlerClass *hc = HOTPLUG_HANDLER_CLASS(oc);

    pcmc->enforce_aligned_dimm = true;
    pcmc->pci_hole64_size = 2 * GiB;
    mc->reset = pc_machine_reset;
    mc->get_hotplug_handler = pc_get_hotplug_handler;
    mc->default_ram_size = 128 * MiB;
    mc->default_ram_id = "pc.ram";
    mc->max_cpus = 1;
    hc->pre_plug = pc_machine_device_pre_plug_cb;
    hc->plug = pc_machine_device_plug_cb;
    hc->unplug_request = pc_machine_device_unplug_request_cb;
    hc->unplug = pc_machine_device_unplug_cb;
    object_class_property_add_size(oc, "max-ram-below-4g",
                                   pc_machine_get_max_ram_below_4g,
                                   pc_machine_set_max_ram_below_4g);
    object_class_property_set_description(oc, "max-ram-below-4g",
        "Maximum ram below the 4G boundary (32bit boundary)");
}

static const TypeInfo pc_machine_info = {
    .name = TYPE_PC_MACHINE,
    .parent = TYPE_MACHINE,
    .abstract = true,
    .instance_size = sizeof(PCMachineState),
    .instance_finalize = pc_machine_finalize,
    .class_size = sizeof(PCMachineClass),
    .class_init = pc_machine_class_init,
    .interfaces = (InterfaceInfo[]) {
        { TYPE_HOTPLUG_HANDLER },
        { }
    },
};

static void pc_machine_register_types(void)
{
    type_register_static(&pc_machine_info);
}

type_init(pc_machine_register_types)
