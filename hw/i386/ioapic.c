/*
 * I/O APIC: 24 interrupt inputs whose levels are recorded, and the
 * register window at 0xfec00000 (IOREGSEL / IOWIN: id, version,
 * arbitration and the redirection table).  No interrupt is delivered by
 * this model; with KVM's in-kernel irqchip the input levels are forwarded
 * to the kernel, which delivers them (and the guest's accesses to
 * 0xfec00000 then reach the kernel's IOAPIC, not this window).
 */
#include "qemu/osdep.h"
#include "hw/i386/ioapic.h"
#include "sysemu/kvm.h"

#define IOAPIC_DEFAULT_ADDRESS 0xfec00000
#define IOAPIC_REG_SELECT 0x00
#define IOAPIC_REG_WINDOW 0x10
#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VER 0x01
#define IOAPIC_REG_ARB 0x02
#define IOAPIC_REG_REDTBL_BASE 0x10
#define IOAPIC_VERSION 0x20
#define IOAPIC_LVT_MASKED (1ULL << 16)

typedef struct IOAPICState {
    IOAPICCommonState common;

    MemoryRegion io_memory;
    uint8_t id;
    uint8_t ioregsel;
    uint64_t ioredtbl[IOAPIC_NUM_PINS];
} IOAPICState;

DECLARE_INSTANCE_CHECKER(IOAPICState, IOAPIC, TYPE_IOAPIC)

int ioapic_get_level(IOAPICCommonState *s, int pin)
{
    g_assert(pin >= 0 && pin < IOAPIC_NUM_PINS);
    return (s->irr >> pin) & 1;
}

static void ioapic_set_irq(void *opaque, int vector, int level)
{
    IOAPICCommonState *s = opaque;
    uint32_t mask = 1U << vector;
    uint32_t old = s->irr;

    s->irr = level ? s->irr | mask : s->irr & ~mask;
    if (s->irr != old) {
        s->irq_count[vector]++;
    }
    /* With KVM's in-kernel irqchip the kernel's PIC/IOAPIC deliver it. */
    if (kvm_irqchip_in_kernel()) {
        kvm_set_irq(vector, level);
    }
}

static uint32_t ioapic_read_register(IOAPICState *s)
{
    unsigned index;

    switch (s->ioregsel) {
    case IOAPIC_REG_ID:
    case IOAPIC_REG_ARB:
        return (uint32_t)s->id << 24;
    case IOAPIC_REG_VER:
        return IOAPIC_VERSION | ((IOAPIC_NUM_PINS - 1) << 16);
    default:
        index = (s->ioregsel - IOAPIC_REG_REDTBL_BASE) >> 1;
        if (s->ioregsel < IOAPIC_REG_REDTBL_BASE ||
            index >= IOAPIC_NUM_PINS) {
            return 0;
        }
        return s->ioredtbl[index] >> ((s->ioregsel & 1) * 32);
    }
}

static void ioapic_write_register(IOAPICState *s, uint32_t val)
{
    unsigned index;

    if (s->ioregsel == IOAPIC_REG_ID) {
        s->id = (val >> 24) & 0xf;
        return;
    }
    index = (s->ioregsel - IOAPIC_REG_REDTBL_BASE) >> 1;
    if (s->ioregsel < IOAPIC_REG_REDTBL_BASE || index >= IOAPIC_NUM_PINS) {
        return;
    }
    if (s->ioregsel & 1) {
        s->ioredtbl[index] = (s->ioredtbl[index] & 0xffffffffULL) |
                             ((uint64_t)val << 32);
    } else {
        s->ioredtbl[index] = (s->ioredtbl[index] & ~0xffffffffULL) | val;
    }
}

static uint64_t ioapic_mem_read(void *opaque, hwaddr addr, unsigned size)
{
    IOAPICState *s = opaque;

    switch (addr & 0xff) {
    case IOAPIC_REG_SELECT:
        return s->ioregsel;
    case IOAPIC_REG_WINDOW:
        return size == 4 ? ioapic_read_register(s) : 0;
    default:
        return 0;
    }
}

static void ioapic_mem_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    IOAPICState *s = opaque;

    switch (addr & 0xff) {
    case IOAPIC_REG_SELECT:
        s->ioregsel = val;
        break;
    case IOAPIC_REG_WINDOW:
        if (size == 4) {
            ioapic_write_register(s, val);
        }
        break;
    }
}

static const MemoryRegionOps ioapic_io_ops = {
    .read = ioapic_mem_read,
    .write = ioapic_mem_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
};

static void ioapic_reset(DeviceState *dev)
{
    IOAPICState *s = IOAPIC(dev);

    s->id = 0;
    s->ioregsel = 0;
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        s->ioredtbl[i] = IOAPIC_LVT_MASKED;
    }
}

static void ioapic_realize(DeviceState *dev, Error **errp)
{
    IOAPICState *s = IOAPIC(dev);

    memory_region_init_io(&s->io_memory, OBJECT(s), &ioapic_io_ops, s,
                          "ioapic", 0x1000);
    sysbus_init_mmio(SYS_BUS_DEVICE(s), &s->io_memory);
    qdev_init_gpio_in(dev, ioapic_set_irq, IOAPIC_NUM_PINS);
    sysbus_mmio_map(SYS_BUS_DEVICE(s), 0, IOAPIC_DEFAULT_ADDRESS);
    ioapic_reset(dev);
}

static void ioapic_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = ioapic_realize;
    dc->reset = ioapic_reset;
    dc->desc = "I/O APIC (interrupt levels only)";
}

static const TypeInfo ioapic_info = {
    .name = TYPE_IOAPIC,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(IOAPICState),
    .class_init = ioapic_class_init,
};

static void ioapic_register_types(void)
{
    type_register_static(&ioapic_info);
}

type_init(ioapic_register_types)
