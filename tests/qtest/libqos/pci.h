/*
 * A minimal PCI "driver" for qtests on the pc machine: configuration
 * space through the 0xcf8/0xcfc ports, capability walking, BAR sizing and
 * assignment, INTx routing lookup.
 *
 * Typical use:
 *   QPCIBus *bus = qpci_new_pc(qts);
 *   QPCIDevice *dev = qpci_device_find(bus, QPCI_DEVFN(4, 0));
 *   QPCIBar bar = qpci_iomap(dev, 4, &size);   // assigns an address
 *   qpci_device_enable(dev);                   // memory + bus master
 *   qpci_io_readl(dev, bar, 0x10);
 *   ...
 *   g_free(dev); qpci_free_pc(bus);
 *
 * BARs are assigned by the test itself (there is no firmware): memory BARs
 * get addresses from a bump allocator in the 32-bit PCI hole
 * [0xe0000000, 0xfec00000), I/O BARs from [0xc000, 0x10000).
 */
#ifndef LIBQOS_PCI_H
#define LIBQOS_PCI_H

#include "../libqtest.h"

#define QPCI_DEVFN(slot, func) (((slot) << 3) | (func))
#define QPCI_PIO_LIMIT 0x10000

#define QPCI_MMIO_START 0xe0000000ULL
#define QPCI_MMIO_END   0xfec00000ULL
#define QPCI_PIO_START  0xc000

typedef struct QPCIBus {
    QTestState *qts;
    uint64_t mmio_alloc_ptr;
    uint64_t mmio_limit;
    uint32_t pio_alloc_ptr;
} QPCIBus;

typedef struct QPCIDevice {
    QPCIBus *bus;
    int devfn;
} QPCIDevice;

/* A mapped BAR: its guest address and whether it is I/O space. */
typedef struct QPCIBar {
    uint64_t addr;
    bool is_io;
} QPCIBar;

/* The root bus of the pc machine (free with qpci_free_pc()). */
QPCIBus *qpci_new_pc(QTestState *qts);
void qpci_free_pc(QPCIBus *bus);

/* The function at @devfn of bus 0, or NULL if none answers (g_free it). */
QPCIDevice *qpci_device_find(QPCIBus *bus, int devfn);

/* Config space of @dev (bus 0), little endian. */
uint8_t qpci_config_readb(QPCIDevice *dev, uint8_t offset);
uint16_t qpci_config_readw(QPCIDevice *dev, uint8_t offset);
uint32_t qpci_config_readl(QPCIDevice *dev, uint8_t offset);
void qpci_config_writeb(QPCIDevice *dev, uint8_t offset, uint8_t value);
void qpci_config_writew(QPCIDevice *dev, uint8_t offset, uint16_t value);
void qpci_config_writel(QPCIDevice *dev, uint8_t offset, uint32_t value);

/* Command register |= I/O, memory, bus master. */
void qpci_device_enable(QPCIDevice *dev);

/*
 * The first capability @id after the one at @start_addr (0: from the
 * list head), or 0 when there is none.
 */
uint8_t qpci_find_capability(QPCIDevice *dev, uint8_t id,
                             uint8_t start_addr);

/*
 * Size BAR @barno the way firmware does (write all ones, read back,
 * restore); 64-bit BARs include the upper half.  0: BAR not implemented.
 */
uint64_t qpci_bar_size(QPCIDevice *dev, int barno);

/*
 * Assign BAR @barno an address from the bus window and return it;
 * *@sizeptr (may be NULL) gets its size.  Does not enable decoding: call
 * qpci_device_enable().
 */
QPCIBar qpci_iomap(QPCIDevice *dev, int barno, uint64_t *sizeptr);
/* Clear the BAR address (decoding stops). */
void qpci_iounmap(QPCIDevice *dev, QPCIBar bar);

/* Accesses at @off inside a mapped BAR. */
uint8_t qpci_io_readb(QPCIDevice *dev, QPCIBar bar, uint64_t off);
uint16_t qpci_io_readw(QPCIDevice *dev, QPCIBar bar, uint64_t off);
uint32_t qpci_io_readl(QPCIDevice *dev, QPCIBar bar, uint64_t off);
uint64_t qpci_io_readq(QPCIDevice *dev, QPCIBar bar, uint64_t off);
void qpci_io_writeb(QPCIDevice *dev, QPCIBar bar, uint64_t off,
                    uint8_t value);
void qpci_io_writew(QPCIDevice *dev, QPCIBar bar, uint64_t off,
                    uint16_t value);
void qpci_io_writel(QPCIDevice *dev, QPCIBar bar, uint64_t off,
                    uint32_t value);
void qpci_io_writeq(QPCIDevice *dev, QPCIBar bar, uint64_t off,
                    uint64_t value);

/*
 * The I/O APIC input (GSI) @dev's INTx pin is routed to through PIIX3
 * (00:01.0, registers 0x60..0x63), or -1 if the route is disabled.
 * Watch it with qtest_irq_intercept_in(qts, "/machine/ioapic") and
 * qtest_get_irq(qts, gsi).
 */
int qpci_pc_intx_gsi(QPCIDevice *dev);

#endif
