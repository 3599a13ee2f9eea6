#include "qemu/osdep.h"
#include <linux/pci_regs.h>
#include "pci.h"

#define PIIX3_DEVFN QPCI_DEVFN(1, 0)
#define PIIX_PIRQCA 0x60

QPCIBus *qpci_new_pc(QTestState *qts)
{
    QPCIBus *bus = g_new0(QPCIBus, 1);

    bus->qts = qts;
    bus->mmio_alloc_ptr = QPCI_MMIO_START;
    bus->mmio_limit = QPCI_MMIO_END;
    bus->pio_alloc_ptr = QPCI_PIO_START;
    return bus;
}

void qpci_free_pc(QPCIBus *bus)
{
    g_free(bus);
}

static void config_select(QPCIBus *bus, int devfn, uint8_t offset)
{
    qtest_outl(bus->qts, 0xcf8, 0x80000000u | (devfn << 8) | (offset & 0xfc));
}

static uint8_t config_readb_at(QPCIBus *bus, int devfn, uint8_t offset)
{
    config_select(bus, devfn, offset);
    return qtest_inb(bus->qts, 0xcfc + (offset & 3));
}

uint8_t qpci_config_readb(QPCIDevice *dev, uint8_t offset)
{
    return config_readb_at(dev->bus, dev->devfn, offset);
}

uint16_t qpci_config_readw(QPCIDevice *dev, uint8_t offset)
{
    config_select(dev->bus, dev->devfn, offset);
    return qtest_inw(dev->bus->qts, 0xcfc + (offset & 2));
}

uint32_t qpci_config_readl(QPCIDevice *dev, uint8_t offset)
{
    config_select(dev->bus, dev->devfn, offset);
    return qtest_inl(dev->bus->qts, 0xcfc);
}

void qpci_config_writeb(QPCIDevice *dev, uint8_t offset, uint8_t value)
{
    config_select(dev->bus, dev->devfn, offset);
    qtest_outb(dev->bus->qts, 0xcfc + (offset & 3), value);
}

void qpci_config_writew(QPCIDevice *dev, uint8_t offset, uint16_t value)
{
    config_select(dev->bus, dev->devfn, offset);
    qtest_outw(dev->bus->qts, 0xcfc + (offset & 2), value);
}

void qpci_config_writel(QPCIDevice *dev, uint8_t offset, uint32_t value)
{
    config_select(dev->bus, dev->devfn, offset);
    qtest_outl(dev->bus->qts, 0xcfc, value);
}

QPCIDevice *qpci_device_find(QPCIBus *bus, int devfn)
{
    QPCIDevice *dev = g_new0(QPCIDevice, 1);

    dev->bus = bus;
    dev->devfn = devfn;
    if (qpci_config_readw(dev, PCI_VENDOR_ID) == 0xffff) {
        g_free(dev);
        return NULL;
    }
    return dev;
}

void qpci_device_enable(QPCIDevice *dev)
{
    uint16_t cmd = qpci_config_readw(dev, PCI_COMMAND);

    cmd |= PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
    qpci_config_writew(dev, PCI_COMMAND, cmd);
}

uint8_t qpci_find_capability(QPCIDevice *dev, uint8_t id,
                             uint8_t start_addr)
{
    uint8_t addr;
    int guard = 48;     /* a malformed list must not hang the test */

    if (!(qpci_config_readw(dev, PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
        return 0;
    }
    addr = start_addr ? qpci_config_readb(dev, start_addr + PCI_CAP_LIST_NEXT)
                      : qpci_config_readb(dev, PCI_CAPABILITY_LIST);
    while (addr && guard--) {
        if (qpci_config_readb(dev, addr + PCI_CAP_LIST_ID) == id) {
            return addr;
        }
        addr = qpci_config_readb(dev, addr + PCI_CAP_LIST_NEXT);
    }
    return 0;
}

static uint8_t bar_reg(int barno)
{
    g_assert(barno >= 0 && barno < 6);
    return PCI_BASE_ADDRESS_0 + 4 * barno;
}

uint64_t qpci_bar_size(QPCIDevice *dev, int barno)
{
    uint8_t reg = bar_reg(barno);
    uint32_t old = qpci_config_readl(dev, reg);
    uint32_t lo, hi_old = 0, hi = 0xffffffff;
    bool is64 = !(old & PCI_BASE_ADDRESS_SPACE_IO) &&
                (old & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
                PCI_BASE_ADDRESS_MEM_TYPE_64;
    uint64_t mask;

    qpci_config_writel(dev, reg, 0xffffffff);
    lo = qpci_config_readl(dev, reg);
    qpci_config_writel(dev, reg, old);
    if (is64) {
        hi_old = qpci_config_readl(dev, reg + 4);
        qpci_config_writel(dev, reg + 4, 0xffffffff);
        hi = qpci_config_readl(dev, reg + 4);
        qpci_config_writel(dev, reg + 4, hi_old);
    }
    if (old & PCI_BASE_ADDRESS_SPACE_IO) {
        mask = (lo & PCI_BASE_ADDRESS_IO_MASK) | 0xffffffff00000000ULL;
    } else {
        mask = ((uint64_t)hi << 32) | (lo & PCI_BASE_ADDRESS_MEM_MASK);
    }
    if (!(lo & ~0xfu) && !(is64 && hi)) {
        return 0;
    }
    return ~mask + 1;
}

QPCIBar qpci_iomap(QPCIDevice *dev, int barno, uint64_t *sizeptr)
{
    QPCIBus *bus = dev->bus;
    uint8_t reg = bar_reg(barno);
    uint32_t type = qpci_config_readl(dev, reg);
    uint64_t size = qpci_bar_size(dev, barno);
    QPCIBar bar = { 0 };

    g_assert_cmpuint(size, >, 0);
    if (sizeptr) {
        *sizeptr = size;
    }
    if (type & PCI_BASE_ADDRESS_SPACE_IO) {
        uint32_t addr = ROUND_UP(bus->pio_alloc_ptr, size);

        g_assert_cmpuint(addr + size, <=, QPCI_PIO_LIMIT);
        bus->pio_alloc_ptr = addr + size;
        qpci_config_writel(dev, reg, addr);
        bar.addr = addr;
        bar.is_io = true;
    } else {
        uint64_t addr = ROUND_UP(bus->mmio_alloc_ptr, size);

        g_assert_cmphex(addr + size, <=, bus->mmio_limit);
        bus->mmio_alloc_ptr = addr + size;
        qpci_config_writel(dev, reg, (uint32_t)addr);
        if ((type & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
            PCI_BASE_ADDRESS_MEM_TYPE_64) {
            qpci_config_writel(dev, reg + 4, addr >> 32);
        }
        bar.addr = addr;
    }
    return bar;
}

void qpci_iounmap(QPCIDevice *dev, QPCIBar bar)
{
}

uint8_t qpci_io_readb(QPCIDevice *dev, QPCIBar bar, uint64_t off)
{
    return bar.is_io ? qtest_inb(dev->bus->qts, bar.addr + off)
                     : qtest_readb(dev->bus->qts, bar.addr + off);
}

uint16_t qpci_io_readw(QPCIDevice *dev, QPCIBar bar, uint64_t off)
{
    return bar.is_io ? qtest_inw(dev->bus->qts, bar.addr + off)
                     : qtest_readw(dev->bus->qts, bar.addr + off);
}

uint32_t qpci_io_readl(QPCIDevice *dev, QPCIBar bar, uint64_t off)
{
    return bar.is_io ? qtest_inl(dev->bus->qts, bar.addr + off)
                     : qtest_readl(dev->bus->qts, bar.addr + off);
}

uint64_t qpci_io_readq(QPCIDevice *dev, QPCIBar bar, uint64_t off)
{
    if (bar.is_io) {
        return qpci_io_readl(dev, bar, off) |
               (uint64_t)qpci_io_readl(dev, bar, off + 4) << 32;
    }
    return qtest_readq(dev->bus->qts, bar.addr + off);
}

void qpci_io_writeb(QPCIDevice *dev, QPCIBar bar, uint64_t off,
                    uint8_t value)
{
    if (bar.is_io) {
        qtest_outb(dev->bus->qts, bar.addr + off, value);
    } else {
        qtest_writeb(dev->bus->qts, bar.addr + off, value);
    }
}

void qpci_io_writew(QPCIDevice *dev, QPCIBar bar, uint64_t off,
                    uint16_t value)
{
    if (bar.is_io) {
        qtest_outw(dev->bus->qts, bar.addr + off, value);
    } else {
        qtest_writew(dev->bus->qts, bar.addr + off, value);
    }
}

void qpci_io_writel(QPCIDevice *dev, QPCIBar bar, uint64_t off,
                    uint32_t value)
{
    if (bar.is_io) {
        qtest_outl(dev->bus->qts, bar.addr + off, value);
    } else {
        qtest_writel(dev->bus->qts, bar.addr + off, value);
    }
}

void qpci_io_writeq(QPCIDevice *dev, QPCIBar bar, uint64_t off,
                    uint64_t value)
{
    if (bar.is_io) {
        qpci_io_writel(dev, bar, off, value);
        qpci_io_writel(dev, bar, off + 4, value >> 32);
    } else {
        qtest_writeq(dev->bus->qts, bar.addr + off, value);
    }
}

int qpci_pc_intx_gsi(QPCIDevice *dev)
{
    uint8_t pin = qpci_config_readb(dev, PCI_INTERRUPT_PIN);
    int slot = dev->devfn >> 3;
    int pirq;
    uint8_t route;

    if (!pin) {
        return -1;
    }
    pirq = (slot + pin - 1 - 1) & 3;
    route = config_readb_at(dev->bus, PIIX3_DEVFN, PIIX_PIRQCA + pirq);
    return (route & 0x80) ? -1 : (route & 0xf);
}
