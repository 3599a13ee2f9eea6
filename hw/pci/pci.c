/*
 * Conventional PCI: devices, the PCI bus, BARs, capabilities and INTx.
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_bus.h"
#include "hw/qdev-properties.h"
#include "exec/address-spaces.h"

/* --- the "addr" property (devfn) ---------------------------------------- */

/* "SS" or "SS.F" (hex, as QEMU) or a plain integer devfn. */
static bool parse_devfn_str(const char *str, int32_t *devfn)
{
    unsigned long slot, fn = 0;
    char *end;

    if (!*str || !g_ascii_isxdigit(*str)) {
        return false;
    }
    errno = 0;
    slot = strtoul(str, &end, 16);
    if (errno || slot > 0x1f) {
        return false;
    }
    if (*end == '.') {
        const char *f = end + 1;

        if (!g_ascii_isxdigit(*f)) {
            return false;
        }
        fn = strtoul(f, &end, 16);
        if (fn > 7) {
            return false;
        }
    }
    if (*end) {
        return false;
    }
    *devfn = PCI_DEVFN(slot, fn);
    return true;
}

static JsonNode *prop_get_devfn(Object *obj, ObjectProperty *op,
                                Error **errp)
{
    Property *prop = op->opaque;
    JsonNode *node = json_node_new(JSON_NODE_VALUE);

    json_node_set_int(node, *(int32_t *)object_field_prop_ptr(obj, prop));
    return node;
}

static void prop_set_devfn(Object *obj, ObjectProperty *op, JsonNode *value,
                           Error **errp)
{
    Property *prop = op->opaque;
    int32_t *ptr = object_field_prop_ptr(obj, prop);
    g_autofree char *text = NULL;
    int32_t devfn;

    if (value && JSON_NODE_HOLDS_VALUE(value) &&
        json_node_get_value_type(value) == G_TYPE_INT64) {
        int64_t v = json_node_get_int(value);

        if (v < -1 || v > 255) {
            error_setg(errp, "Property '%s.%s' doesn't take value '%" PRId64
                       "'", object_get_typename(obj), op->name, v);
            return;
        }
        *ptr = v;
        return;
    }
    if (!value || !JSON_NODE_HOLDS_VALUE(value) ||
        json_node_get_value_type(value) != G_TYPE_STRING) {
        error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                   op->name, "integer");
        return;
    }
    text = g_strdup(json_node_get_string(value));
    if (!parse_devfn_str(text, &devfn)) {
        error_setg(errp, "Property '%s.%s' doesn't take value '%s'",
                   object_get_typename(obj), op->name, text);
        return;
    }
    *ptr = devfn;
}

static char *print_devfn(Object *obj, Property *prop)
{
    int32_t devfn = *(int32_t *)object_field_prop_ptr(obj, prop);

    if (devfn == -1) {
        return g_strdup("<unset>");
    }
    return g_strdup_printf("%02x.%x", PCI_SLOT(devfn), PCI_FUNC(devfn));
}

static void set_default_devfn(ObjectProperty *op, const Property *prop)
{
    object_property_set_default_int(op, prop->defval.i);
}

const PropertyInfo qdev_prop_pci_devfn = {
    .name = "int32",
    .description = "Slot and optional function number, example: 06.0 or 06",
    .parse_as_string = true,
    .print = print_devfn,
    .get = prop_get_devfn,
    .set = prop_set_devfn,
    .set_default_value = set_default_devfn,
};

static Property pci_props[] = {
    DEFINE_PROP_SIGNED("addr", PCIDevice, devfn, -1, qdev_prop_pci_devfn,
                       int32_t),
    DEFINE_PROP_STRING("romfile", PCIDevice, romfile),
    DEFINE_PROP_UINT32("rombar", PCIDevice, rom_bar, 1),
    DEFINE_PROP_BOOL("multifunction", PCIDevice, multifunction, false),
    DEFINE_PROP_END_OF_LIST()
};

static bool is_power_of_2(uint64_t value)
{
    return value && !(value & (value - 1));
}

/* --- config space helpers ---------------------------------------------- */

static bool ranges_overlap(uint32_t a, uint32_t alen, uint32_t b,
                           uint32_t blen)
{
    return a < b + blen && b < a + alen;
}

static int pci_bar(PCIDevice *d, int reg)
{
    return reg == PCI_ROM_SLOT ? PCI_ROM_ADDRESS : PCI_BASE_ADDRESS_0 + reg * 4;
}

static bool pci_irq_disabled(PCIDevice *d)
{
    return pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE;
}

static void pci_config_alloc(PCIDevice *d)
{
    d->config = g_malloc0(PCI_CONFIG_SPACE_SIZE);
    d->cmask = g_malloc0(PCI_CONFIG_SPACE_SIZE);
    d->wmask = g_malloc0(PCI_CONFIG_SPACE_SIZE);
    d->w1cmask = g_malloc0(PCI_CONFIG_SPACE_SIZE);
    d->used = g_malloc0(PCI_CONFIG_SPACE_SIZE);
}

static void pci_config_free(PCIDevice *d)
{
    g_clear_pointer(&d->config, g_free);
    g_clear_pointer(&d->cmask, g_free);
    g_clear_pointer(&d->wmask, g_free);
    g_clear_pointer(&d->w1cmask, g_free);
    g_clear_pointer(&d->used, g_free);
}

static void pci_init_masks(PCIDevice *d)
{
    /* The standard header is checked, the rest is device specific. */
    memset(d->cmask, 0xff, PCI_CONFIG_HEADER_SIZE);
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
    pci_set_word(d->wmask + PCI_COMMAND,
                 PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
                 PCI_COMMAND_SPECIAL | PCI_COMMAND_INVALIDATE |
                 PCI_COMMAND_VGA_PALETTE | PCI_COMMAND_PARITY |
                 PCI_COMMAND_SERR | PCI_COMMAND_FAST_BACK |
                 PCI_COMMAND_INTX_DISABLE);
    memset(d->wmask + PCI_CONFIG_HEADER_SIZE, 0xff,
           PCI_CONFIG_SPACE_SIZE - PCI_CONFIG_HEADER_SIZE);
    pci_set_word(d->w1cmask + PCI_STATUS,
                 PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT |
                 PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT |
                 PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY);
}

/* --- INTx ---------------------------------------------------------------- */

int pci_intx(PCIDevice *pci_dev)
{
    return pci_get_byte(pci_dev->config + PCI_INTERRUPT_PIN) - 1;
}

static int pci_irq_state(PCIDevice *d, int irq_num)
{
    return (d->irq_state >> irq_num) & 1;
}

static void pci_bus_change_irq_level(PCIBus *bus, int irq_num, int change)
{
    g_assert(irq_num >= 0 && irq_num < bus->nirq);
    bus->irq_count[irq_num] += change;
    bus->set_irq(bus->irq_opaque, irq_num, bus->irq_count[irq_num] != 0);
}

/* Follow the pin up to the bus that has interrupt lines. */
static void pci_change_irq_level(PCIDevice *pci_dev, int irq_num, int change)
{
    PCIBus *bus;

    for (;;) {
        bus = pci_get_bus(pci_dev);
        irq_num = bus->map_irq ? bus->map_irq(pci_dev, irq_num) : irq_num;
        if (bus->set_irq || !bus->parent_dev) {
            break;
        }
        pci_dev = bus->parent_dev;
    }
    if (bus->set_irq) {
        pci_bus_change_irq_level(bus, irq_num, change);
    }
}

static void pci_update_irq_status(PCIDevice *dev)
{
    uint16_t status = pci_get_word(dev->config + PCI_STATUS);

    if (dev->irq_state) {
        status |= PCI_STATUS_INTERRUPT;
    } else {
        status &= ~PCI_STATUS_INTERRUPT;
    }
    pci_set_word(dev->config + PCI_STATUS, status);
}

static void pci_irq_handler(PCIDevice *pci_dev, int irq_num, int level)
{
    int change = !!level - pci_irq_state(pci_dev, irq_num);

    if (!change) {
        return;
    }
    pci_dev->irq_state ^= 1 << irq_num;
    pci_update_irq_status(pci_dev);
    if (pci_irq_disabled(pci_dev)) {
        return;
    }
    pci_change_irq_level(pci_dev, irq_num, change);
}

void pci_set_irq(PCIDevice *pci_dev, int level)
{
    int intx = pci_intx(pci_dev);

    /* A device without an interrupt pin has nothing to signal. */
    if (intx < 0 || intx >= PCI_NUM_PINS) {
        return;
    }
    pci_irq_handler(pci_dev, intx, level);
}

static void pci_update_irq_disabled(PCIDevice *d, bool was_irq_disabled)
{
    bool disabled = pci_irq_disabled(d);

    if (disabled == was_irq_disabled) {
        return;
    }
    for (int i = 0; i < PCI_NUM_PINS; i++) {
        int state = pci_irq_state(d, i);

        if (state) {
            pci_change_irq_level(d, i, disabled ? -state : state);
        }
    }
}

static void pci_device_deassert_intx(PCIDevice *dev)
{
    for (int i = 0; i < PCI_NUM_PINS; i++) {
        pci_irq_handler(dev, i, 0);
    }
}

/* --- BARs ---------------------------------------------------------------- */

void pci_register_bar(PCIDevice *pci_dev, int region_num, uint8_t type,
                      MemoryRegion *memory)
{
    PCIBus *bus = pci_get_bus(pci_dev);
    PCIIORegion *r = &pci_dev->io_regions[region_num];
    uint64_t size = memory_region_size(memory);
    uint64_t wmask = ~(size - 1);
    int addr = pci_bar(pci_dev, region_num);

    g_assert(region_num >= 0 && region_num < PCI_NUM_REGIONS);
    g_assert(size && is_power_of_2(size));
    g_assert(!r->size);
    r->addr = PCI_BAR_UNMAPPED;
    r->size = size;
    r->type = type;
    r->memory = memory;
    r->address_space = (type & PCI_BASE_ADDRESS_SPACE_IO) ?
                       bus->address_space_io : bus->address_space_mem;
    if (region_num == PCI_ROM_SLOT) {
        wmask |= PCI_ROM_ADDRESS_ENABLE;
    }
    pci_set_long(pci_dev->config + addr, type);
    if (!(type & PCI_BASE_ADDRESS_SPACE_IO) &&
        (type & PCI_BASE_ADDRESS_MEM_TYPE_64)) {
        g_assert(region_num < PCI_ROM_SLOT - 1);
        pci_set_quad(pci_dev->wmask + addr, wmask);
        pci_set_quad(pci_dev->cmask + addr, ~0ULL);
    } else {
        pci_set_long(pci_dev->wmask + addr, wmask & 0xffffffff);
        pci_set_long(pci_dev->cmask + addr, 0xffffffff);
    }
}

pcibus_t pci_get_bar_addr(PCIDevice *pci_dev, int region_num)
{
    return pci_dev->io_regions[region_num].addr;
}

/* Where BAR @reg decodes now, or PCI_BAR_UNMAPPED. */
static pcibus_t pci_bar_address(PCIDevice *d, int reg, uint8_t type,
                                pcibus_t size)
{
    uint16_t cmd = pci_get_word(d->config + PCI_COMMAND);
    int bar = pci_bar(d, reg);
    pcibus_t new_addr, last_addr;

    if (type & PCI_BASE_ADDRESS_SPACE_IO) {
        if (!(cmd & PCI_COMMAND_IO)) {
            return PCI_BAR_UNMAPPED;
        }
        new_addr = pci_get_long(d->config + bar) & ~(size - 1);
        last_addr = new_addr + size - 1;
        if (last_addr <= new_addr || last_addr >= UINT32_MAX ||
            new_addr == 0) {
            return PCI_BAR_UNMAPPED;
        }
        return new_addr;
    }
    if (!(cmd & PCI_COMMAND_MEMORY)) {
        return PCI_BAR_UNMAPPED;
    }
    if (type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
        new_addr = pci_get_quad(d->config + bar);
    } else {
        new_addr = pci_get_long(d->config + bar);
    }
    if (reg == PCI_ROM_SLOT && !(new_addr & PCI_ROM_ADDRESS_ENABLE)) {
        return PCI_BAR_UNMAPPED;
    }
    new_addr &= ~(size - 1);
    last_addr = new_addr + size - 1;
    /* All ones (sizing) and wrap-arounds are not valid addresses. */
    if (last_addr <= new_addr || last_addr == PCI_BAR_UNMAPPED ||
        new_addr == 0) {
        return PCI_BAR_UNMAPPED;
    }
    if (!(type & PCI_BASE_ADDRESS_MEM_TYPE_64) && last_addr >= UINT32_MAX) {
        return PCI_BAR_UNMAPPED;
    }
    return new_addr;
}

static void pci_update_mappings(PCIDevice *d)
{
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &d->io_regions[i];
        pcibus_t new_addr;

        if (!r->size) {
            continue;
        }
        new_addr = pci_bar_address(d, i, r->type, r->size);
        if (new_addr == r->addr) {
            continue;
        }
        if (r->addr != PCI_BAR_UNMAPPED) {
            memory_region_del_subregion(r->address_space, r->memory);
        }
        r->addr = new_addr;
        if (r->addr != PCI_BAR_UNMAPPED) {
            memory_region_add_subregion_overlap(r->address_space, r->addr,
                                                r->memory, 1);
        }
    }
}

static void pci_unregister_io_regions(PCIDevice *d)
{
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &d->io_regions[i];

        if (r->size && r->addr != PCI_BAR_UNMAPPED) {
            memory_region_del_subregion(r->address_space, r->memory);
        }
        memset(r, 0, sizeof(*r));
    }
}

/* --- config accesses ------------------------------------------------------ */

static bool pci_config_access_ok(uint32_t address, int len)
{
    return (len == 1 || len == 2 || len == 4) &&
           address < PCI_CONFIG_SPACE_SIZE &&
           address + len <= PCI_CONFIG_SPACE_SIZE;
}

uint32_t pci_default_read_config(PCIDevice *d, uint32_t address, int len)
{
    uint32_t val = 0;

    if (!pci_config_access_ok(address, len)) {
        return ~0U;
    }
    for (int i = 0; i < len; i++) {
        val |= (uint32_t)d->config[address + i] << (8 * i);
    }
    return val;
}

static void pci_update_bus_master(PCIDevice *d)
{
    memory_region_set_enabled(&d->bus_master_enable_region,
                              pci_get_word(d->config + PCI_COMMAND) &
                              PCI_COMMAND_MASTER);
}

void pci_default_write_config(PCIDevice *d, uint32_t address, uint32_t val,
                              int len)
{
    bool was_irq_disabled = pci_irq_disabled(d);

    if (!pci_config_access_ok(address, len)) {
        return;
    }
    for (int i = 0; i < len; i++, val >>= 8) {
        uint8_t wmask = d->wmask[address + i];
        uint8_t w1cmask = d->w1cmask[address + i];

        d->config[address + i] = (d->config[address + i] & ~wmask) |
                                 (val & wmask);
        d->config[address + i] &= ~(val & w1cmask);
    }
    if (ranges_overlap(address, len, PCI_BASE_ADDRESS_0, 24) ||
        ranges_overlap(address, len, PCI_ROM_ADDRESS, 4) ||
        ranges_overlap(address, len, PCI_COMMAND, 1)) {
        pci_update_mappings(d);
    }
    if (ranges_overlap(address, len, PCI_COMMAND, 2)) {
        pci_update_irq_disabled(d, was_irq_disabled);
        pci_update_bus_master(d);
    }
}

static void pci_word_clear_mask(uint8_t *config, uint16_t mask)
{
    pci_set_word(config, pci_get_word(config) & ~mask);
}

void pci_device_reset(PCIDevice *dev)
{
    pci_device_deassert_intx(dev);
    pci_word_clear_mask(dev->config + PCI_COMMAND,
                        pci_get_word(dev->wmask + PCI_COMMAND) |
                        pci_get_word(dev->w1cmask + PCI_COMMAND));
    pci_word_clear_mask(dev->config + PCI_STATUS,
                        pci_get_word(dev->wmask + PCI_STATUS) |
                        pci_get_word(dev->w1cmask + PCI_STATUS));
    dev->config[PCI_INTERRUPT_LINE] &= ~dev->wmask[PCI_INTERRUPT_LINE];
    dev->config[PCI_CACHE_LINE_SIZE] = 0;
    for (int r = 0; r < PCI_NUM_REGIONS; r++) {
        PCIIORegion *region = &dev->io_regions[r];

        if (!region->size) {
            continue;
        }
        if (!(region->type & PCI_BASE_ADDRESS_SPACE_IO) &&
            (region->type & PCI_BASE_ADDRESS_MEM_TYPE_64)) {
            pci_set_quad(dev->config + pci_bar(dev, r), region->type);
        } else {
            pci_set_long(dev->config + pci_bar(dev, r), region->type);
        }
    }
    pci_update_mappings(dev);
    pci_update_bus_master(dev);
}

/* --- capabilities ------------------------------------------------------------ */

/* The capability containing config byte @offset, or 0. */
static uint8_t pci_find_capability_at_offset(PCIDevice *pdev, uint8_t offset)
{
    uint8_t next = pdev->config[PCI_CAPABILITY_LIST];
    uint8_t found = 0;
    int guard = PCI_CONFIG_SPACE_SIZE / 4;

    if (!(pdev->config[PCI_STATUS] & PCI_STATUS_CAP_LIST)) {
        return 0;
    }
    for (; next && guard--; next = pdev->config[next + PCI_CAP_LIST_NEXT]) {
        if (next <= offset && next > found) {
            found = next;
        }
    }
    return found && pdev->used[offset] ? pdev->config[found] : 0;
}

static uint8_t pci_find_capability_list(PCIDevice *pdev, uint8_t cap_id,
                                        uint8_t *prev_p)
{
    uint8_t next, prev = PCI_CAPABILITY_LIST;
    int guard = PCI_CONFIG_SPACE_SIZE / 4;

    if (!(pdev->config[PCI_STATUS] & PCI_STATUS_CAP_LIST)) {
        return 0;
    }
    while ((next = pdev->config[prev]) && guard--) {
        if (pdev->config[next + PCI_CAP_LIST_ID] == cap_id) {
            if (prev_p) {
                *prev_p = prev;
            }
            return next;
        }
        prev = next + PCI_CAP_LIST_NEXT;
    }
    return 0;
}

uint8_t pci_find_capability(PCIDevice *pci_dev, uint8_t cap_id)
{
    return pci_find_capability_list(pci_dev, cap_id, NULL);
}

static uint8_t pci_find_space(PCIDevice *pdev, uint8_t size)
{
    int offset = PCI_CONFIG_HEADER_SIZE;

    for (int i = PCI_CONFIG_HEADER_SIZE; i < PCI_CONFIG_SPACE_SIZE; i++) {
        if (pdev->used[i]) {
            offset = i + 1;
        } else if (i - offset + 1 == size) {
            return offset;
        }
    }
    return 0;
}

int pci_add_capability(PCIDevice *pdev, uint8_t cap_id, uint8_t offset,
                       uint8_t size, Error **errp)
{
    uint8_t *config;

    if (!offset) {
        offset = pci_find_space(pdev, size);
        /* The space found may be unaligned after odd-sized capabilities. */
        if (!offset) {
            error_setg(errp, "Not enough space for capability %x of size %u",
                       cap_id, size);
            return -ENOSPC;
        }
    } else {
        if (offset < PCI_CONFIG_HEADER_SIZE ||
            offset + size > PCI_CONFIG_SPACE_SIZE) {
            error_setg(errp, "Not enough space for capability %x of size %u",
                       cap_id, size);
            return -ENOSPC;
        }
        for (int i = offset; i < offset + size; i++) {
            uint8_t overlapping = pci_find_capability_at_offset(pdev, i);

            if (overlapping) {
                error_setg(errp, "%02x:%02x.%x Attempt to add PCI capability "
                           "%x at offset %x overlaps existing capability %x "
                           "at offset %x", pci_bus_num(pci_get_bus(pdev)),
                           PCI_SLOT(pdev->devfn), PCI_FUNC(pdev->devfn),
                           cap_id, offset, overlapping, i);
                return -EINVAL;
            }
        }
    }
    config = pdev->config + offset;
    config[PCI_CAP_LIST_ID] = cap_id;
    config[PCI_CAP_LIST_NEXT] = pdev->config[PCI_CAPABILITY_LIST];
    pdev->config[PCI_CAPABILITY_LIST] = offset;
    pdev->config[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
    memset(pdev->used + offset, 0xff,
           MIN(QEMU_ALIGN_UP(size, 4), PCI_CONFIG_SPACE_SIZE - offset));
    memset(pdev->wmask + offset, 0, size);
    memset(pdev->cmask + offset, 0xff, size);
    return offset;
}

void pci_del_capability(PCIDevice *pdev, uint8_t cap_id, uint8_t size)
{
    uint8_t prev = 0;
    uint8_t offset = pci_find_capability_list(pdev, cap_id, &prev);

    if (!offset) {
        return;
    }
    pdev->config[prev] = pdev->config[offset + PCI_CAP_LIST_NEXT];
    memset(pdev->config + offset, 0, size);
    memset(pdev->wmask + offset, 0xff, size);
    memset(pdev->w1cmask + offset, 0, size);
    memset(pdev->cmask + offset, 0, size);
    memset(pdev->used + offset, 0,
           MIN(QEMU_ALIGN_UP(size, 4), PCI_CONFIG_SPACE_SIZE - offset));
    if (!pdev->config[PCI_CAPABILITY_LIST]) {
        pdev->config[PCI_STATUS] &= ~PCI_STATUS_CAP_LIST;
    }
}

/* --- buses ------------------------------------------------------------------ */

PCIBus *pci_device_root_bus(const PCIDevice *d)
{
    PCIBus *bus = pci_get_bus(d);

    while (!pci_bus_is_root(bus)) {
        bus = pci_get_bus(bus->parent_dev);
    }
    return bus;
}

int pci_bus_num(PCIBus *s)
{
    PCIBusClass *pbc = PCI_BUS_GET_CLASS(s);

    return pbc->bus_num ? pbc->bus_num(s) : 0;
}

static int pcibus_num(PCIBus *bus)
{
    if (pci_bus_is_root(bus)) {
        return 0;
    }
    return bus->parent_dev->config[PCI_SECONDARY_BUS];
}

PCIDevice *pci_find_device(PCIBus *bus, int bus_num, uint8_t devfn)
{
    if (!bus || pci_bus_num(bus) != bus_num) {
        return NULL;
    }
    return bus->devices[devfn];
}

void pci_for_each_device(PCIBus *bus, int bus_num,
                         void (*fn)(PCIBus *b, PCIDevice *d, void *opaque),
                         void *opaque)
{
    if (!bus || pci_bus_num(bus) != bus_num) {
        return;
    }
    for (int devfn = 0; devfn < ARRAY_SIZE(bus->devices); devfn++) {
        if (bus->devices[devfn]) {
            fn(bus, bus->devices[devfn], opaque);
        }
    }
}

MemoryRegion *pci_address_space(PCIDevice *dev)
{
    return pci_get_bus(dev)->address_space_mem;
}

MemoryRegion *pci_address_space_io(PCIDevice *dev)
{
    return pci_get_bus(dev)->address_space_io;
}

AddressSpace *pci_get_address_space(PCIDevice *dev)
{
    return &dev->bus_master_as;
}

PCIBus *pci_root_bus_new(DeviceState *parent, const char *name,
                         MemoryRegion *address_space_mem,
                         MemoryRegion *address_space_io,
                         uint8_t devfn_min, const char *typename)
{
    PCIBus *bus = PCI_BUS(qbus_new(typename, parent, name));

    bus->devfn_min = devfn_min;
    bus->address_space_mem = address_space_mem;
    bus->address_space_io = address_space_io;
    return bus;
}

void pci_bus_irqs(PCIBus *bus, pci_set_irq_fn set_irq, void *irq_opaque,
                  int nirq)
{
    bus->set_irq = set_irq;
    bus->irq_opaque = irq_opaque;
    bus->nirq = nirq;
    g_free(bus->irq_count);
    bus->irq_count = g_new0(int, nirq);
}

void pci_bus_map_irqs(PCIBus *bus, pci_map_irq_fn map_irq)
{
    bus->map_irq = map_irq;
}

int pci_bus_get_irq_level(PCIBus *bus, int irq_num)
{
    g_assert(irq_num >= 0 && irq_num < bus->nirq);
    return bus->irq_count[irq_num] != 0;
}

static void pcibus_reset(BusState *qbus)
{
    PCIBus *bus = PCI_BUS(qbus);

    for (int i = 0; i < ARRAY_SIZE(bus->devices); i++) {
        if (bus->devices[i]) {
            pci_device_reset(bus->devices[i]);
        }
    }
}

static char *pcibus_get_dev_path(DeviceState *dev)
{
    PCIDevice *d = PCI_DEVICE(dev);

    return g_strdup_printf("0000:%02x:%02x.%x", pci_bus_num(pci_get_bus(d)),
                           PCI_SLOT(d->devfn), PCI_FUNC(d->devfn));
}

static void pcibus_dev_print(GString *out, DeviceState *dev, int indent)
{
    PCIDevice *d = PCI_DEVICE(dev);
    uint16_t class = pci_get_word(d->config + PCI_CLASS_DEVICE);
    g_autofree char *class_name = NULL;

    switch (class) {
    case PCI_CLASS_BRIDGE_HOST:
        class_name = g_strdup("Host bridge");
        break;
    case PCI_CLASS_BRIDGE_ISA:
        class_name = g_strdup("ISA bridge");
        break;
    case PCI_CLASS_BRIDGE_OTHER:
        class_name = g_strdup("Bridge");
        break;
    case PCI_CLASS_MEMORY_RAM:
        class_name = g_strdup("RAM controller");
        break;
    default:
        class_name = g_strdup_printf("Class %04x", class);
        break;
    }
    g_string_append_printf(out, "%*sclass %s, addr %02x:%02x.%x, pci id "
                           "%04x:%04x (sub %04x:%04x)\n", indent, "",
                           class_name, pci_bus_num(pci_get_bus(d)),
                           PCI_SLOT(d->devfn), PCI_FUNC(d->devfn),
                           pci_get_word(d->config + PCI_VENDOR_ID),
                           pci_get_word(d->config + PCI_DEVICE_ID),
                           pci_get_word(d->config + PCI_SUBSYSTEM_VENDOR_ID),
                           pci_get_word(d->config + PCI_SUBSYSTEM_ID));
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &d->io_regions[i];

        if (r->size) {
            g_string_append_printf(out, "%*sbar %d: %s at 0x%" FMT_PCIBUS
                                   " [0x%" FMT_PCIBUS "]\n", indent, "", i,
                                   r->type & PCI_BASE_ADDRESS_SPACE_IO ?
                                   "i/o" : "mem", r->addr,
                                   r->addr + r->size - 1);
        }
    }
}

static void pci_bus_finalize(Object *obj)
{
    g_free(PCI_BUS(obj)->irq_count);
}

static void pci_bus_class_init(ObjectClass *klass, void *data)
{
    BusClass *k = BUS_CLASS(klass);
    PCIBusClass *pbc = PCI_BUS_CLASS(klass);

    k->get_dev_path = pcibus_get_dev_path;
    k->print_dev = pcibus_dev_print;
    k->reset = pcibus_reset;
    pbc->bus_num = pcibus_num;
}

/* --- devices ------------------------------------------------------------------ */

static bool pci_bus_devfn_available(PCIBus *bus, int devfn)
{
    return !bus->devices[devfn];
}

static bool pci_bus_devfn_reserved(PCIBus *bus, int devfn)
{
    return bus->slot_reserved_mask & (1U << PCI_SLOT(devfn));
}

static bool pci_claim_devfn(PCIDevice *pci_dev, PCIBus *bus, const char *name,
                            Error **errp)
{
    int devfn = pci_dev->devfn;

    if (devfn < 0) {
        for (devfn = bus->devfn_min; devfn < ARRAY_SIZE(bus->devices);
             devfn += PCI_FUNC_MAX) {
            if (pci_bus_devfn_available(bus, devfn) &&
                !pci_bus_devfn_reserved(bus, devfn)) {
                pci_dev->devfn = devfn;
                return true;
            }
        }
        error_setg(errp, "PCI: no slot/function available for %s, all in use "
                   "or reserved", name);
        return false;
    }
    if (pci_bus_devfn_reserved(bus, devfn)) {
        error_setg(errp, "PCI: slot %d function %d not available for %s, "
                   "reserved", PCI_SLOT(devfn), PCI_FUNC(devfn), name);
        return false;
    }
    if (!pci_bus_devfn_available(bus, devfn)) {
        PCIDevice *other = bus->devices[devfn];

        error_setg(errp, "PCI: slot %d function %d not available for %s, in "
                   "use by %s,id=%s", PCI_SLOT(devfn), PCI_FUNC(devfn), name,
                   other->name, other->qdev.id ? other->qdev.id : "(null)");
        return false;
    }
    return true;
}

static void pci_init_bus_master(PCIDevice *pci_dev)
{
    MemoryRegion *sysmem = get_system_memory();

    memory_region_init(&pci_dev->bus_master_container_region,
                       OBJECT(pci_dev), "bus master container", UINT64_MAX);
    memory_region_init_alias(&pci_dev->bus_master_enable_region,
                             OBJECT(pci_dev), "bus master", sysmem, 0,
                             memory_region_size(sysmem));
    memory_region_set_enabled(&pci_dev->bus_master_enable_region, false);
    memory_region_add_subregion(&pci_dev->bus_master_container_region, 0,
                                &pci_dev->bus_master_enable_region);
    address_space_init(&pci_dev->bus_master_as,
                       &pci_dev->bus_master_container_region, pci_dev->name);
}

static void pci_fini_bus_master(PCIDevice *pci_dev)
{
    address_space_destroy(&pci_dev->bus_master_as);
    memory_region_del_subregion(&pci_dev->bus_master_container_region,
                                &pci_dev->bus_master_enable_region);
    object_unparent(OBJECT(&pci_dev->bus_master_enable_region));
    object_unparent(OBJECT(&pci_dev->bus_master_container_region));
}

static void pci_init_config(PCIDevice *pci_dev, PCIDeviceClass *pc)
{
    uint8_t *config;

    pci_config_alloc(pci_dev);
    config = pci_dev->config;
    pci_config_set_vendor_id(config, pc->vendor_id);
    pci_config_set_device_id(config, pc->device_id);
    pci_config_set_revision(config, pc->revision);
    pci_config_set_class(config, pc->class_id);
    if (pc->subsystem_vendor_id || pc->subsystem_id) {
        pci_set_word(config + PCI_SUBSYSTEM_VENDOR_ID,
                     pc->subsystem_vendor_id);
        pci_set_word(config + PCI_SUBSYSTEM_ID, pc->subsystem_id);
    } else {
        pci_set_word(config + PCI_SUBSYSTEM_VENDOR_ID,
                     PCI_SUBVENDOR_ID_REDHAT_QUMRANET);
        pci_set_word(config + PCI_SUBSYSTEM_ID, PCI_SUBDEVICE_ID_QEMU);
    }
    if (pci_dev->multifunction) {
        config[PCI_HEADER_TYPE] |= 0x80;      /* multi-function */
    }
    pci_init_masks(pci_dev);
}

static void pci_qdev_realize(DeviceState *qdev, Error **errp)
{
    PCIDevice *pci_dev = PCI_DEVICE(qdev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(pci_dev);
    PCIBus *bus = pci_get_bus(pci_dev);
    const char *name = object_get_typename(OBJECT(qdev));
    Error *err = NULL;

    if (!bus) {
        error_setg(errp, "PCI device '%s' needs a PCI bus", name);
        return;
    }
    if (!pci_claim_devfn(pci_dev, bus, name, errp)) {
        return;
    }
    g_strlcpy(pci_dev->name, name, sizeof(pci_dev->name));
    pci_init_config(pci_dev, pc);
    pci_dev->config_read = pc->config_read ? pc->config_read
                                           : pci_default_read_config;
    pci_dev->config_write = pc->config_write ? pc->config_write
                                             : pci_default_write_config;
    pci_dev->irq_state = 0;
    bus->devices[pci_dev->devfn] = pci_dev;
    pci_init_bus_master(pci_dev);

    if (pc->realize) {
        pc->realize(pci_dev, &err);
        if (err) {
            error_propagate(errp, err);
            pci_unregister_io_regions(pci_dev);
            pci_fini_bus_master(pci_dev);
            bus->devices[pci_dev->devfn] = NULL;
            pci_config_free(pci_dev);
            return;
        }
    }
}

static void pci_qdev_unrealize(DeviceState *dev)
{
    PCIDevice *pci_dev = PCI_DEVICE(dev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(pci_dev);
    PCIBus *bus = pci_get_bus(pci_dev);

    pci_device_deassert_intx(pci_dev);
    pci_unregister_io_regions(pci_dev);
    if (pc->exit) {
        pc->exit(pci_dev);
    }
    pci_fini_bus_master(pci_dev);
    bus->devices[pci_dev->devfn] = NULL;
    pci_config_free(pci_dev);
}

PCIDevice *pci_new(int devfn, const char *name)
{
    DeviceState *dev = qdev_new(name);

    qdev_prop_set_int32(dev, "addr", devfn);
    return PCI_DEVICE(dev);
}

bool pci_realize_and_unref(PCIDevice *dev, PCIBus *bus, Error **errp)
{
    return qdev_realize_and_unref(&dev->qdev, &bus->qbus, errp);
}

PCIDevice *pci_create_simple(PCIBus *bus, int devfn, const char *name)
{
    PCIDevice *dev = pci_new(devfn, name);

    pci_realize_and_unref(dev, bus, &error_abort);
    return dev;
}

static void pci_device_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *k = DEVICE_CLASS(klass);

    k->realize = pci_qdev_realize;
    k->unrealize = pci_qdev_unrealize;
    k->bus_type = TYPE_PCI_BUS;
    device_class_set_props(k, pci_props);
    /* A bit property in QEMU, described as such. */
    object_class_property_set_description(klass, "multifunction", "on/off");
}

static void pci_device_instance_init(Object *obj)
{
    PCIDevice *pci_dev = PCI_DEVICE(obj);

    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        pci_dev->io_regions[i].addr = PCI_BAR_UNMAPPED;
    }
}

static const TypeInfo pci_types[] = {
    {
        .name = TYPE_PCI_BUS,
        .parent = TYPE_BUS,
        .instance_size = sizeof(PCIBus),
        .class_size = sizeof(PCIBusClass),
        .class_init = pci_bus_class_init,
        .instance_finalize = pci_bus_finalize,
    },
    {
        .name = TYPE_PCIE_BUS,
        .parent = TYPE_PCI_BUS,
    },
    {
        .name = INTERFACE_CONVENTIONAL_PCI_DEVICE,
        .parent = TYPE_INTERFACE,
    },
    {
        .name = INTERFACE_PCIE_DEVICE,
        .parent = TYPE_INTERFACE,
    },
    {
        .name = TYPE_PCI_DEVICE,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(PCIDevice),
        .instance_init = pci_device_instance_init,
        .abstract = true,
        .class_size = sizeof(PCIDeviceClass),
        .class_init = pci_device_class_init,
    },
};

DEFINE_TYPES(pci_types)
