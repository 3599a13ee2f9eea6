/*
 * HMP "info pci" in QEMU's format.
 */
#include "qemu/osdep.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_bus.h"
#include "hw/sysbus.h"

static const struct {
    uint16_t class;
    const char *desc;
} pci_class_descriptions[] = {
    { 0x0001, "VGA controller" },
    { 0x0100, "SCSI controller" },
    { 0x0101, "IDE controller" },
    { 0x0200, "Ethernet controller" },
    { 0x0300, "VGA controller" },
    { 0x0500, "RAM controller" },
    { 0x0600, "Host bridge" },
    { 0x0601, "ISA bridge" },
    { 0x0604, "PCI bridge" },
    { 0x0680, "Bridge" },
    { 0x0c03, "USB controller" },
};

static void hmp_info_pci_class(GString *out, uint16_t class)
{
    for (size_t i = 0; i < ARRAY_SIZE(pci_class_descriptions); i++) {
        if (pci_class_descriptions[i].class == class) {
            g_string_append_printf(out, "%s", pci_class_descriptions[i].desc);
            return;
        }
    }
    /* QEMU prints the class in decimal here. */
    g_string_append_printf(out, "Class %04d", class);
}

static void hmp_info_pci_bar(GString *out, int bar, PCIIORegion *r)
{
    pcibus_t addr = r->addr;
    pcibus_t end = addr + r->size - 1;

    g_string_append_printf(out, "      BAR%d: ", bar);
    if (r->type & PCI_BASE_ADDRESS_SPACE_IO) {
        g_string_append_printf(out, "I/O at 0x%04" PRIx64 " [0x%04" PRIx64
                               "].\n", addr, end);
    } else {
        g_string_append_printf(out, "%d bit%s memory at 0x%08" PRIx64
                               " [0x%08" PRIx64 "].\n",
                               r->type & PCI_BASE_ADDRESS_MEM_TYPE_64 ? 64 : 32,
                               r->type & PCI_BASE_ADDRESS_MEM_PREFETCH ?
                               " prefetchable" : "", addr, end);
    }
}

static void hmp_info_pci_device(PCIBus *bus, PCIDevice *d, void *opaque)
{
    GString *out = opaque;
    uint8_t *config = d->config;
    uint8_t pin = config[PCI_INTERRUPT_PIN];

    g_string_append_printf(out, "  Bus %2d, device %3d, function %d:\n",
                           pci_bus_num(bus), PCI_SLOT(d->devfn),
                           PCI_FUNC(d->devfn));
    g_string_append(out, "    ");
    hmp_info_pci_class(out, pci_get_word(config + PCI_CLASS_DEVICE));
    g_string_append_printf(out, ": PCI device %04x:%04x\n",
                           pci_get_word(config + PCI_VENDOR_ID),
                           pci_get_word(config + PCI_DEVICE_ID));
    g_string_append_printf(out, "      PCI subsystem %04x:%04x\n",
                           pci_get_word(config + PCI_SUBSYSTEM_VENDOR_ID),
                           pci_get_word(config + PCI_SUBSYSTEM_ID));
    if (pin) {
        g_string_append_printf(out, "      IRQ %d, pin %c\n",
                               config[PCI_INTERRUPT_LINE], pin + 'A' - 1);
    }
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        if (d->io_regions[i].size) {
            hmp_info_pci_bar(out, i, &d->io_regions[i]);
        }
    }
    g_string_append_printf(out, "      id \"%s\"\n",
                           d->qdev.id ? d->qdev.id : "");
}

void hmp_info_pci(GString *out, int argc, char **argv)
{
    BusState *bus = qbus_find_recursive(sysbus_get_default(), NULL,
                                        TYPE_PCI_BUS);

    /* Every root bus (the pc machine has one). */
    while (bus) {
        pci_for_each_device(PCI_BUS(bus), 0, hmp_info_pci_device, out);
        bus = NULL;
    }
}
