/*
 * i440FX host bridge (00:00.0) and PIIX3 ISA bridge (00:01.0) with its
 * PCI interrupt router.
 */
#include "qemu/osdep.h"
#include "hw/pci-host/i440fx.h"
#include "hw/pci/pci_bus.h"
#include "hw/i386/pc.h"
#include "exec/address-spaces.h"

#define I440FX_PCI_HOLE_END 0xfec00000ULL   /* the I/O APIC */
#define DEFAULT_PCI_HOLE64_SIZE (2 * GiB)
#define PIIX_NUM_PIC_IRQS 16

typedef struct I440FXState {
    PCIHostState parent_obj;

    uint64_t pci_hole64_size;
} I440FXState;

DECLARE_INSTANCE_CHECKER(I440FXState, I440FX_PCI_HOST_BRIDGE,
                         TYPE_I440FX_PCI_HOST_BRIDGE)

typedef struct PIIX3State {
    PCIDevice dev;

    /* GSI lines the routed PIRQs drive (ISA IRQ n = GSI n). */
    qemu_irq *pic;
    /* Bit (pic_irq * 4 + pirq): PIRQ pirq is high and routed to pic_irq. */
    uint64_t pic_levels;
} PIIX3State;

DECLARE_INSTANCE_CHECKER(PIIX3State, PIIX3_PCI_DEVICE, TYPE_PIIX3_DEVICE)

/* --- PIIX3 interrupt routing ------------------------------------------- */

/* INTx pin @pci_intx of a device in slot S drives PIRQ (S + pin - 1) & 3. */
static int pci_slot_get_pirq(PCIDevice *pci_dev, int pci_intx)
{
    int slot_addend = PCI_SLOT(pci_dev->devfn) - 1;

    return (pci_intx + slot_addend) & (PIIX_NUM_PIRQS - 1);
}

static void piix3_set_pic(PIIX3State *s, int pic_irq)
{
    uint64_t mask = ((1ULL << PIIX_NUM_PIRQS) - 1) << (pic_irq *
                                                        PIIX_NUM_PIRQS);

    if (s->pic) {
        qemu_set_irq(s->pic[pic_irq], !!(s->pic_levels & mask));
    }
}

static void piix3_set_irq_level(PIIX3State *s, int pirq, int level)
{
    int pic_irq = s->dev.config[PIIX_PIRQCA + pirq];
    uint64_t bit;

    if (pic_irq >= PIIX_NUM_PIC_IRQS) {
        return;                 /* routing disabled (bit 7) */
    }
    bit = 1ULL << (pic_irq * PIIX_NUM_PIRQS + pirq);
    s->pic_levels = level ? s->pic_levels | bit : s->pic_levels & ~bit;
    piix3_set_pic(s, pic_irq);
}

static void piix3_set_irq(void *opaque, int pirq, int level)
{
    piix3_set_irq_level(opaque, pirq, level);
}

/* Re-evaluate every GSI after the routing registers changed. */
static void piix3_update_irq_levels(PIIX3State *s)
{
    PCIBus *bus = pci_get_bus(&s->dev);

    s->pic_levels = 0;
    for (int pirq = 0; pirq < PIIX_NUM_PIRQS; pirq++) {
        int pic_irq = s->dev.config[PIIX_PIRQCA + pirq];

        if (pic_irq < PIIX_NUM_PIC_IRQS &&
            pci_bus_get_irq_level(bus, pirq)) {
            s->pic_levels |= 1ULL << (pic_irq * PIIX_NUM_PIRQS + pirq);
        }
    }
    for (int i = 0; i < PIIX_NUM_PIC_IRQS; i++) {
        piix3_set_pic(s, i);
    }
}

static void piix3_write_config(PCIDevice *dev, uint32_t address, uint32_t val,
                               int len)
{
    bool routing = address < PIIX_PIRQCA + 4 && address + len > PIIX_PIRQCA;

    pci_default_write_config(dev, address, val, len);
    if (routing) {
        piix3_update_irq_levels(PIIX3_PCI_DEVICE(dev));
    }
}

static void piix3_reset(DeviceState *dev)
{
    PIIX3State *s = PIIX3_PCI_DEVICE(dev);
    uint8_t *conf = s->dev.config;

    pci_set_word(conf + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
                 PCI_COMMAND_MASTER | PCI_COMMAND_SPECIAL);
    pci_set_word(conf + PCI_STATUS, PCI_STATUS_DEVSEL_MEDIUM);
    for (int i = 0; i < PIIX_NUM_PIRQS; i++) {
        conf[PIIX_PIRQCA + i] = 0x80;
    }
    s->pic_levels = 0;
}

static void piix3_realize(PCIDevice *dev, Error **errp)
{
    /* The routing registers are writable, the rest of 0x40.. is not. */
    memset(dev->wmask + PCI_CONFIG_HEADER_SIZE, 0,
           PCI_CONFIG_SPACE_SIZE - PCI_CONFIG_HEADER_SIZE);
    memset(dev->wmask + PIIX_PIRQCA, 0x8f, PIIX_NUM_PIRQS);
}

/*
 * PCI hotplug on pci.0.  QEMU signals it to the guest through ACPI
 * (PIIX4 PM) and removes a device once the guest ejects it; without ACPI
 * here a hot-plugged device simply appears and device_del removes it at
 * once (no unplug_request).
 */
static void piix3_hotplug_plug(HotplugHandler *hotplug_dev, DeviceState *dev,
                               Error **errp)
{
}

static void piix3_hotplug_unplug(HotplugHandler *hotplug_dev,
                                 DeviceState *dev, Error **errp)
{
    qdev_unrealize(dev);
}

static void piix3_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    HotplugHandlerClass *hc = HOTPLUG_HANDLER_CLASS(klass);

    hc->plug = piix3_hotplug_plug;
    hc->unplug = piix3_hotplug_unplug;
    dc->desc = "ISA bridge";
    dc->reset = piix3_reset;
    dc->user_creatable = false;
    dc->hotpluggable = false;
    k->realize = piix3_realize;
    k->config_write = piix3_write_config;
    k->vendor_id = PCI_VENDOR_ID_INTEL;
    k->device_id = PCI_DEVICE_ID_INTEL_82371SB_0;
    k->class_id = PCI_CLASS_BRIDGE_ISA;
}

/* --- i440FX -------------------------------------------------------------- */

static void i440fx_realize(PCIDevice *dev, Error **errp)
{
    /* The chipset registers (PAM, SMRAM) are not emulated: read-only. */
    memset(dev->wmask + PCI_CONFIG_HEADER_SIZE, 0,
           PCI_CONFIG_SPACE_SIZE - PCI_CONFIG_HEADER_SIZE);
}

static void i440fx_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    dc->desc = "Host bridge";
    dc->user_creatable = false;
    dc->hotpluggable = false;
    k->realize = i440fx_realize;
    k->vendor_id = PCI_VENDOR_ID_INTEL;
    k->device_id = PCI_DEVICE_ID_INTEL_82441;
    k->revision = 0x02;
    k->class_id = PCI_CLASS_BRIDGE_HOST;
}

/* --- the host bridge ----------------------------------------------------- */

static uint64_t i440fx_get_pci_hole_start(Object *obj, Error **errp)
{
    Object *m = object_resolve_path_type("/machine", TYPE_PC_MACHINE, NULL);

    return m ? PC_MACHINE(m)->below_4g_mem_size : 0;
}

static uint64_t i440fx_get_pci_hole_end(Object *obj, Error **errp)
{
    return I440FX_PCI_HOLE_END;
}

static uint64_t i440fx_get_pci_hole64_start(Object *obj, Error **errp)
{
    return pc_pci_hole64_start();
}

static uint64_t i440fx_get_pci_hole64_end(Object *obj, Error **errp)
{
    I440FXState *s = I440FX_PCI_HOST_BRIDGE(obj);

    return ROUND_UP(pc_pci_hole64_start() + s->pci_hole64_size, 1 * GiB);
}

static void i440fx_pcihost_realize(DeviceState *dev, Error **errp)
{
    PCIHostState *s = PCI_HOST_BRIDGE(dev);
    MemoryRegion *io = get_system_io();

    memory_region_add_subregion(io, 0xcf8, &s->conf_mem);
    memory_region_add_subregion(io, 0xcfc, &s->data_mem);
}

static void i440fx_pcihost_unrealize(DeviceState *dev)
{
    PCIHostState *s = PCI_HOST_BRIDGE(dev);

    memory_region_del_subregion(get_system_io(), &s->conf_mem);
    memory_region_del_subregion(get_system_io(), &s->data_mem);
}

static void i440fx_pcihost_initfn(Object *obj)
{
    PCIHostState *s = PCI_HOST_BRIDGE(obj);

    memory_region_init_io(&s->conf_mem, obj, &pci_host_conf_le_ops, s,
                          "pci-conf-idx", 4);
    memory_region_init_io(&s->data_mem, obj, &pci_host_data_le_ops, s,
                          "pci-conf-data", 4);
}

static Property i440fx_props[] = {
    DEFINE_PROP_SIZE("pci-hole64-size", I440FXState, pci_hole64_size,
                     DEFAULT_PCI_HOLE64_SIZE),
    DEFINE_PROP_END_OF_LIST(),
};

static void i440fx_pcihost_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = i440fx_pcihost_realize;
    dc->unrealize = i440fx_pcihost_unrealize;
    dc->user_creatable = false;
    device_class_set_props(dc, i440fx_props);
    object_class_property_add_uint64(klass, "pci-hole-start",
                                     i440fx_get_pci_hole_start, NULL);
    object_class_property_add_uint64(klass, "pci-hole-end",
                                     i440fx_get_pci_hole_end, NULL);
    object_class_property_add_uint64(klass, "pci-hole64-start",
                                     i440fx_get_pci_hole64_start, NULL);
    object_class_property_add_uint64(klass, "pci-hole64-end",
                                     i440fx_get_pci_hole64_end, NULL);
}

PCIBus *i440fx_init(const char *pci_type, DeviceState *dev,
                    MemoryRegion *address_space_mem,
                    MemoryRegion *address_space_io,
                    MemoryRegion *pci_address_space, qemu_irq *pic)
{
    PCIHostState *s = PCI_HOST_BRIDGE(dev);
    PIIX3State *piix3;
    PCIDevice *d;
    PCIBus *b;

    b = pci_root_bus_new(dev, NULL, pci_address_space, address_space_io, 0,
                         TYPE_PCI_BUS);
    s->bus = b;
    object_property_add_child(qdev_get_machine(), "i440fx", OBJECT(dev));
    sysbus_realize_and_unref(SYS_BUS_DEVICE(dev), &error_abort);

    pci_create_simple(b, 0, pci_type);

    d = pci_new(-1, TYPE_PIIX3_DEVICE);
    qdev_prop_set_bit(DEVICE(d), "multifunction", true);
    piix3 = PIIX3_PCI_DEVICE(d);
    piix3->pic = pic;
    pci_realize_and_unref(d, b, &error_abort);
    qbus_set_hotplug_handler(&b->qbus, OBJECT(piix3));
    pci_bus_irqs(b, piix3_set_irq, piix3, PIIX_NUM_PIRQS);
    pci_bus_map_irqs(b, pci_slot_get_pirq);
    return b;
}

static const TypeInfo i440fx_types[] = {
    {
        .name = TYPE_I440FX_PCI_HOST_BRIDGE,
        .parent = TYPE_PCI_HOST_BRIDGE,
        .instance_size = sizeof(I440FXState),
        .instance_init = i440fx_pcihost_initfn,
        .class_init = i440fx_pcihost_class_init,
    },
    {
        .name = TYPE_I440FX_PCI_DEVICE,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PCIDevice),
        .class_init = i440fx_class_init,
        .interfaces = (InterfaceInfo[]) {
            { INTERFACE_CONVENTIONAL_PCI_DEVICE },
            { },
        },
    },
    {
        .name = TYPE_PIIX3_DEVICE,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PIIX3State),
        .class_init = piix3_class_init,
        .interfaces = (InterfaceInfo[]) {
            { INTERFACE_CONVENTIONAL_PCI_DEVICE },
            { TYPE_HOTPLUG_HANDLER },
            { },
        },
    },
};

DEFINE_TYPES(i440fx_types)
