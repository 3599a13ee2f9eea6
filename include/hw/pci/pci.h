/*
 * Conventional PCI devices (QEMU's API).
 *
 * A PCIDevice has a 256-byte configuration space with three masks:
 * wmask (bits the guest may write), w1cmask (write-1-to-clear bits) and
 * cmask (bits checked by migration; unused).  The standard header is
 * handled by pci_default_read_config()/pci_default_write_config(); a
 * device's config_write usually calls the default first.
 *
 * BARs: pci_register_bar() declares region @region_num of the size of
 * @memory (a power of two).  The guest sizes a BAR by writing all ones
 * and reading back the mask.  A BAR is mapped (its region added to the
 * bus's memory or I/O space at the BAR address) while the command
 * register enables that decoding (PCI_COMMAND_MEMORY / PCI_COMMAND_IO)
 * and the BAR holds a valid address (non-zero, not all ones, not
 * wrapping, 32-bit memory and I/O BARs ending below 4 GiB); it is
 * unmapped otherwise.  io_regions[i].addr is PCI_BAR_UNMAPPED then.
 * Mapped BARs are subregions (priority 1) of the bus's memory or I/O
 * space; on the pc machine the memory space is the "pci" container that
 * covers all of system memory below RAM and device memory (priority -1),
 * as in QEMU 7.2.
 *
 * Interrupts: INTx through PCI_INTERRUPT_PIN (1 = INTA, set by the device
 * in its realize) and pci_set_irq(); the bus maps (device, pin) to one of
 * its nirq lines (see pci_bus_irqs()/pci_bus_map_irqs()) and tells the
 * host bridge how many devices assert each line.  PCI_STATUS_INTERRUPT
 * reflects the device's level; PCI_COMMAND_INTX_DISABLE masks it.
 *
 * DMA: pci_get_address_space() is the bus master address space: system
 * memory while PCI_COMMAND_MASTER is set, nothing otherwise.
 */
#ifndef HW_PCI_H
#define HW_PCI_H

#include <linux/pci_regs.h>
#include "exec/memory.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/pci/pci_ids.h"

#ifndef PCI_DEVFN
#define PCI_DEVFN(slot, func)   ((((slot) & 0x1f) << 3) | ((func) & 0x07))
#endif
#ifndef PCI_SLOT
#define PCI_SLOT(devfn)         (((devfn) >> 3) & 0x1f)
#endif
#ifndef PCI_FUNC
#define PCI_FUNC(devfn)         ((devfn) & 0x07)
#endif
#define PCI_BUILD_BDF(bus, devfn)   (((bus) << 8) | (devfn))
#define PCI_BUS_NUM(x)          (((x) >> 8) & 0xff)
#define PCI_SLOT_MAX            32
#define PCI_FUNC_MAX            8

#define PCI_NUM_REGIONS 7
#define PCI_ROM_SLOT 6
#define PCI_NUM_PINS 4          /* A-D */

#define PCI_CONFIG_SPACE_SIZE   0x100
#define PCI_CONFIG_HEADER_SIZE  0x40
#define PCIE_CONFIG_SPACE_SIZE  0x1000

typedef uint64_t pcibus_t;
#define FMT_PCIBUS PRIx64
#define PCI_BAR_UNMAPPED (~(pcibus_t)0)

#define TYPE_PCI_DEVICE "pci-device"
#define TYPE_PCI_BUS "PCI"
#define TYPE_PCIE_BUS "PCIE"
/* Implemented by every conventional PCI device type (and not PCIe). */
#define INTERFACE_CONVENTIONAL_PCI_DEVICE "conventional-pci-device"
#define INTERFACE_PCIE_DEVICE "pci-express-device"

typedef struct PCIDevice PCIDevice;
typedef struct PCIDeviceClass PCIDeviceClass;
typedef struct PCIBus PCIBus;
typedef struct PCIBusClass PCIBusClass;

DECLARE_OBJ_CHECKERS(PCIDevice, PCIDeviceClass, PCI_DEVICE, TYPE_PCI_DEVICE)
DECLARE_OBJ_CHECKERS(PCIBus, PCIBusClass, PCI_BUS, TYPE_PCI_BUS)

typedef void PCIConfigWriteFunc(PCIDevice *pci_dev, uint32_t address,
                                uint32_t data, int len);
typedef uint32_t PCIConfigReadFunc(PCIDevice *pci_dev, uint32_t address,
                                   int len);
typedef void PCIUnregisterFunc(PCIDevice *pci_dev);

typedef struct PCIIORegion {
    pcibus_t addr;              /* current address, PCI_BAR_UNMAPPED if not */
    pcibus_t size;
    uint8_t type;               /* PCI_BASE_ADDRESS_* attribute bits */
    MemoryRegion *memory;
    MemoryRegion *address_space;    /* the bus's memory or I/O space */
} PCIIORegion;

struct PCIDeviceClass {
    DeviceClass parent_class;

    void (*realize)(PCIDevice *dev, Error **errp);
    PCIUnregisterFunc *exit;
    PCIConfigReadFunc *config_read;
    PCIConfigWriteFunc *config_write;

    uint16_t vendor_id;
    uint16_t device_id;
    uint8_t revision;
    uint16_t class_id;
    uint16_t subsystem_vendor_id;
    uint16_t subsystem_id;

    const char *romfile;
};

struct PCIDevice {
    DeviceState qdev;

    /* PCI config space and its masks (PCI_CONFIG_SPACE_SIZE bytes). */
    uint8_t *config;
    uint8_t *cmask;
    uint8_t *wmask;
    uint8_t *w1cmask;
    /* Bytes used by capabilities (pci_add_capability() overlap check). */
    uint8_t *used;

    /* the "addr" property: -1 = first free slot */
    int32_t devfn;
    char name[64];
    PCIIORegion io_regions[PCI_NUM_REGIONS];

    /* Bus master DMA (pci_get_address_space()). */
    AddressSpace bus_master_as;
    MemoryRegion bus_master_container_region;
    MemoryRegion bus_master_enable_region;

    PCIConfigReadFunc *config_read;
    PCIConfigWriteFunc *config_write;

    /* INTx level per pin (bit 0 = the device's pin). */
    uint8_t irq_state;
    /* PCI_CAP_* present (QEMU_PCI_CAP_* flags). */
    uint32_t cap_present;

    /* "multifunction" property */
    bool multifunction;
    /* "rombar" / "romfile": no option ROMs are emulated. */
    uint32_t rom_bar;
    char *romfile;
};

/* The "addr" property: int32 devfn, set from "SS[.F]" strings too. */
extern const PropertyInfo qdev_prop_pci_devfn;

/* --- Config space accessors (little endian) ---------------------------- */

static inline void pci_set_byte(uint8_t *config, uint8_t val)
{
    *config = val;
}

static inline uint8_t pci_get_byte(const uint8_t *config)
{
    return *config;
}

static inline void pci_set_word(uint8_t *config, uint16_t val)
{
    config[0] = val;
    config[1] = val >> 8;
}

static inline uint16_t pci_get_word(const uint8_t *config)
{
    return config[0] | (uint16_t)config[1] << 8;
}

static inline void pci_set_long(uint8_t *config, uint32_t val)
{
    pci_set_word(config, val);
    pci_set_word(config + 2, val >> 16);
}

static inline uint32_t pci_get_long(const uint8_t *config)
{
    return pci_get_word(config) | (uint32_t)pci_get_word(config + 2) << 16;
}

static inline void pci_set_quad(uint8_t *config, uint64_t val)
{
    pci_set_long(config, val);
    pci_set_long(config + 4, val >> 32);
}

static inline uint64_t pci_get_quad(const uint8_t *config)
{
    return pci_get_long(config) | (uint64_t)pci_get_long(config + 4) << 32;
}

static inline void pci_config_set_vendor_id(uint8_t *pci_config, uint16_t val)
{
    pci_set_word(&pci_config[PCI_VENDOR_ID], val);
}

static inline void pci_config_set_device_id(uint8_t *pci_config, uint16_t val)
{
    pci_set_word(&pci_config[PCI_DEVICE_ID], val);
}

static inline void pci_config_set_revision(uint8_t *pci_config, uint8_t val)
{
    pci_set_byte(&pci_config[PCI_REVISION_ID], val);
}

static inline void pci_config_set_class(uint8_t *pci_config, uint16_t val)
{
    pci_set_word(&pci_config[PCI_CLASS_DEVICE], val);
}

static inline void pci_config_set_prog_interface(uint8_t *pci_config,
                                                 uint8_t val)
{
    pci_set_byte(&pci_config[PCI_CLASS_PROG], val);
}

static inline void pci_config_set_interrupt_pin(uint8_t *pci_config,
                                                uint8_t val)
{
    pci_set_byte(&pci_config[PCI_INTERRUPT_PIN], val);
}

/* --- Devices ----------------------------------------------------------- */

/*
 * Declare BAR @region_num backed by @memory (size: a power of two).
 * @type: PCI_BASE_ADDRESS_SPACE_IO or PCI_BASE_ADDRESS_SPACE_MEMORY, the
 * latter optionally | PCI_BASE_ADDRESS_MEM_TYPE_64 (uses two BARs) and
 * | PCI_BASE_ADDRESS_MEM_PREFETCH.  The BAR starts unmapped.
 */
void pci_register_bar(PCIDevice *pci_dev, int region_num, uint8_t type,
                      MemoryRegion *memory);
/* The address BAR @region_num is mapped at, or PCI_BAR_UNMAPPED. */
pcibus_t pci_get_bar_addr(PCIDevice *pci_dev, int region_num);

/*
 * Add capability @cap_id of @size bytes at @offset (0: the first free
 * dword-aligned space at or after 0x40) to the capability list; returns
 * the offset, or -ENOSPC ("Not enough space for capability") / -EINVAL
 * (overlap: "... capability at 0x%x overlaps ...") with @errp set.  The
 * capability's bytes are read-only for the guest until the caller sets
 * wmask.
 */
int pci_add_capability(PCIDevice *pdev, uint8_t cap_id, uint8_t offset,
                       uint8_t size, Error **errp);
void pci_del_capability(PCIDevice *pci_dev, uint8_t cap_id,
                        uint8_t cap_size);
/* The offset of the first capability @cap_id, or 0. */
uint8_t pci_find_capability(PCIDevice *pci_dev, uint8_t cap_id);

/*
 * Default config space access: @len is 1, 2 or 4 and the access must fit
 * in the config space (else reads give ~0 and writes are dropped).
 * Writes honour wmask/w1cmask and update BAR mappings, bus mastering and
 * the INTx disable bit.
 */
uint32_t pci_default_read_config(PCIDevice *d, uint32_t address, int len);
void pci_default_write_config(PCIDevice *d, uint32_t address, uint32_t val,
                              int len);
/* Restore the config header to its power-on state (BARs, command...). */
void pci_device_reset(PCIDevice *dev);

/* Set the level of the device's INTx pin (PCI_INTERRUPT_PIN). */
void pci_set_irq(PCIDevice *pci_dev, int level);

static inline void pci_irq_assert(PCIDevice *pci_dev)
{
    pci_set_irq(pci_dev, 1);
}

static inline void pci_irq_deassert(PCIDevice *pci_dev)
{
    pci_set_irq(pci_dev, 0);
}

static inline void pci_irq_pulse(PCIDevice *pci_dev)
{
    pci_irq_assert(pci_dev);
    pci_irq_deassert(pci_dev);
}

/* The device's INTx pin index (0 = INTA), from PCI_INTERRUPT_PIN. */
int pci_intx(PCIDevice *pci_dev);

/* Bus master DMA address space of @dev. */
AddressSpace *pci_get_address_space(PCIDevice *dev);

static inline PCIBus *pci_get_bus(const PCIDevice *dev)
{
    return (PCIBus *)(dev->qdev.parent_bus);
}

/* The root bus above @d. */
PCIBus *pci_device_root_bus(const PCIDevice *d);
/* The bus number of @s (0 for a root bus). */
int pci_bus_num(PCIBus *s);

static inline uint16_t pci_get_bdf(PCIDevice *dev)
{
    return PCI_BUILD_BDF(pci_bus_num(pci_get_bus(dev)), dev->devfn);
}

static inline uint16_t pci_requester_id(PCIDevice *dev)
{
    return pci_get_bdf(dev);
}

/* New device @name at @devfn (-1: first free slot), not realized. */
PCIDevice *pci_new(int devfn, const char *name);
bool pci_realize_and_unref(PCIDevice *dev, PCIBus *bus, Error **errp);
/* pci_new() + realize (aborts on error). */
PCIDevice *pci_create_simple(PCIBus *bus, int devfn, const char *name);

/* The device at @devfn of bus number @bus_num below @bus, or NULL. */
PCIDevice *pci_find_device(PCIBus *bus, int bus_num, uint8_t devfn);
/* Call @fn for each device of bus @bus_num, in devfn order. */
void pci_for_each_device(PCIBus *bus, int bus_num,
                         void (*fn)(PCIBus *bus, PCIDevice *d, void *opaque),
                         void *opaque);

/* --- Buses (host bridges) --------------------------------------------- */

typedef void (*pci_set_irq_fn)(void *opaque, int irq_num, int level);
typedef int (*pci_map_irq_fn)(PCIDevice *pci_dev, int irq_num);

/*
 * A root bus owned by host bridge @parent, decoding BARs into
 * @address_space_mem / @address_space_io; devices are placed at devfn
 * >= @devfn_min.  @typename: TYPE_PCI_BUS (or TYPE_PCIE_BUS).
 */
PCIBus *pci_root_bus_new(DeviceState *parent, const char *name,
                         MemoryRegion *address_space_mem,
                         MemoryRegion *address_space_io,
                         uint8_t devfn_min, const char *typename);
/*
 * The bus has @nirq interrupt lines; @set_irq(@irq_opaque, line, level)
 * is called when the wired-OR level of a line changes.
 */
void pci_bus_irqs(PCIBus *bus, pci_set_irq_fn set_irq, void *irq_opaque,
                  int nirq);
/* @map_irq(dev, pin) gives the line of a device's pin (default: pin). */
void pci_bus_map_irqs(PCIBus *bus, pci_map_irq_fn map_irq);
/* The level the bus currently drives on line @irq_num. */
int pci_bus_get_irq_level(PCIBus *bus, int irq_num);

/* HMP "info pci": the devices of the root bus in QEMU's format. */
void hmp_info_pci(GString *out, int argc, char **argv);

/* Memory / I/O space the bus decodes BARs into. */
MemoryRegion *pci_address_space(PCIDevice *dev);
MemoryRegion *pci_address_space_io(PCIDevice *dev);

#endif
