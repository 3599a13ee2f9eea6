/*
 * The i440FX + PIIX3 PC ("pc-i440fx-7.2", alias "pc").
 */
#include "qemu/osdep.h"
#include "hw/i386/pc.h"
#include "hw/i386/ioapic.h"
#include "hw/pci-host/i440fx.h"
#include "hw/pci/pci_bus.h"
#include "exec/address-spaces.h"

/* The IRQs SeaBIOS assigns to PIRQA..D. */
static const uint8_t pc_pirq_irqs[PIIX_NUM_PIRQS] = { 10, 10, 11, 11 };

void pc_firmware_pci_setup(PCMachineState *pcms)
{
    PCIDevice *piix3;

    if (!pcms->bus) {
        return;
    }
    piix3 = pci_find_device(pcms->bus, 0, PCI_DEVFN(1, 0));
    for (int i = 0; i < PIIX_NUM_PIRQS; i++) {
        piix3->config_write(piix3, PIIX_PIRQCA + i, pc_pirq_irqs[i], 1);
    }
}

static void pc_init_ioapic(PCMachineState *pcms)
{
    DeviceState *dev = qdev_new(TYPE_IOAPIC);

    object_property_add_child(qdev_get_machine(), "ioapic", OBJECT(dev));
    sysbus_realize_and_unref(SYS_BUS_DEVICE(dev), &error_abort);
    pcms->ioapic = dev;
    pcms->gsi = g_new0(qemu_irq, IOAPIC_NUM_PINS);
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        pcms->gsi[i] = qdev_get_gpio_in(dev, i);
    }
}

static void pc_init1(MachineState *machine)
{
    PCMachineState *pcms = PC_MACHINE(machine);
    PCMachineClass *pcmc = PC_MACHINE_GET_CLASS(pcms);
    MemoryRegion *system_memory = get_system_memory();
    MemoryRegion *pci_memory = g_new0(MemoryRegion, 1);
    DeviceState *host;

    pc_split_ram(pcms);
    memory_region_init(pci_memory, NULL, "pci", UINT64_MAX);
    memory_region_add_subregion_overlap(system_memory, 0, pci_memory, -1);
    pc_memory_init(pcms, system_memory, pci_memory);
    pc_init_ioapic(pcms);

    host = qdev_new(TYPE_I440FX_PCI_HOST_BRIDGE);
    qdev_prop_set_uint64(host, "pci-hole64-size", pcmc->pci_hole64_size);
    pcms->bus = i440fx_init(TYPE_I440FX_PCI_DEVICE, host, system_memory,
                            get_system_io(), pci_memory, pcms->gsi);
}

static void pc_i440fx_7_2_machine_class_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);

    mc->family = "pc_piix";
    mc->desc = "Standard PC (i440FX + PIIX, 1996)";
    mc->alias = "pc";
    mc->is_default = true;
    mc->init = pc_init1;
}

static const TypeInfo pc_i440fx_7_2_machine_info = {
    .name = MACHINE_TYPE_NAME("pc-i440fx-7.2"),
    .parent = TYPE_PC_MACHINE,
    .class_init = pc_i440fx_7_2_machine_class_init,
};

static void pc_piix_register_types(void)
{
    type_register_static(&pc_i440fx_7_2_machine_info);
}

type_init(pc_piix_register_types)
