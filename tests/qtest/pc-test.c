/*
 * The pc machine: memory layout (info mtree, as QEMU 7.2's pc with
 * -nodefaults), PCI configuration mechanism #1, BARs, INTx routing to the
 * I/O APIC, -device slot assignment, system_reset and the i440FX windows.
 */
#include "qemu/osdep.h"
#include <linux/pci_regs.h>
#include "libqtest.h"

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA 0xcfc
#define PIIX_PIRQCA 0x60
#define TESTDEV_MMIO 0xe0000000u
#define TESTDEV_PIO 0xc000
#define TESTDEV_INTX 0xf0

/* --- memory layout -------------------------------------------------------- */

typedef struct LayoutCase {
    const char *args;
    const char *lines;          /* what follows "system" and before "pci" */
    const char *tail;           /* what follows "ioapic" */
} LayoutCase;

#define MTREE_RAM(end) \
    "    0000000000000000-" end " (prio 0, ram): alias ram-below-4g " \
    "@pc.ram 0000000000000000-" end "\n"

static const LayoutCase layouts[] = {
    { "", MTREE_RAM("0000000007ffffff"), "" },
    { "-m 1G,maxmem=9G,slots=1", MTREE_RAM("000000003fffffff"),
      "    0000000100000000-000000033fffffff (prio 0, i/o): device-memory\n" },
    { "-m 5G", MTREE_RAM("00000000bfffffff"),
      "    0000000100000000-000000017fffffff (prio 0, ram): alias "
      "ram-above-4g @pc.ram 00000000c0000000-000000013fffffff\n" },
    /* Exactly the default lowmem: split at 3 GiB. */
    { "-m 3584M", MTREE_RAM("00000000bfffffff"),
      "    0000000100000000-000000011fffffff (prio 0, ram): alias "
      "ram-above-4g @pc.ram 00000000c0000000-00000000dfffffff\n" },
    { "-m 3583M", MTREE_RAM("00000000dfefffff"), "" },
    { "-m 6G,maxmem=70G,slots=4", MTREE_RAM("00000000bfffffff"),
      "    0000000100000000-00000001bfffffff (prio 0, ram): alias "
      "ram-above-4g @pc.ram 00000000c0000000-000000017fffffff\n"
      "    00000001c0000000-00000012bfffffff (prio 0, i/o): device-memory\n" },
    /* No slots: no alignment slack. */
    { "-m 512M,maxmem=1G", MTREE_RAM("000000001fffffff"),
      "    0000000100000000-000000011fffffff (prio 0, i/o): device-memory\n" },
};

/* The "address-space: memory" block of "info mtree". */
static char *mtree_memory_block(QTestState *qts)
{
    g_autofree char *out = qtest_hmp(qts, "info mtree");
    const char *start = strstr(out, "address-space: memory\n");
    const char *end;

    g_assert_nonnull(start);
    end = strstr(start, "\n\n");
    g_assert_nonnull(end);
    return g_strndup(start, end - start + 1);
}

static void test_layout(const void *data)
{
    const LayoutCase *c = data;
    QTestState *qts = qtest_init(c->args);
    g_autofree char *block = mtree_memory_block(qts);
    g_autofree char *expected = g_strconcat(
        "address-space: memory\n"
        "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n",
        c->lines,
        "    0000000000000000-ffffffffffffffff (prio -1, i/o): pci\n"
        "    00000000fec00000-00000000fec00fff (prio 0, i/o): ioapic\n",
        c->tail, NULL);

    g_assert_cmpstr(block, ==, expected);
    qtest_quit(qts);
}

static void test_memory_backend(void)
{
    QTestState *qts = qtest_init("-machine memory-backend=m0 -object "
                                 "memory-backend-ram,id=m0,size=5G -m 5G");
    g_autofree char *block = mtree_memory_block(qts);

    g_assert_nonnull(strstr(block, "    0000000000000000-00000000bfffffff "
                            "(prio 0, ram): alias ram-below-4g @m0 "
                            "0000000000000000-00000000bfffffff\n"));
    g_assert_nonnull(strstr(block, "    0000000100000000-000000017fffffff "
                            "(prio 0, ram): alias ram-above-4g @m0 "
                            "00000000c0000000-000000013fffffff\n"));
    qtest_quit(qts);
}

static void test_pci_holes(void)
{
    QTestState *qts = qtest_init("-m 1G,maxmem=9G,slots=1");

    /* The values QEMU 7.2 reports for the same command line. */
    g_assert_cmpint(qtest_qom_get_int(qts, "/machine/i440fx",
                                      "pci-hole-start"), ==, 1073741824);
    g_assert_cmpint(qtest_qom_get_int(qts, "/machine/i440fx",
                                      "pci-hole-end"), ==, 4273995776);
    g_assert_cmpint(qtest_qom_get_int(qts, "/machine/i440fx",
                                      "pci-hole64-start"), ==, 13958643712);
    g_assert_cmpint(qtest_qom_get_int(qts, "/machine/i440fx",
                                      "pci-hole64-end"), ==, 16106127360);
    g_assert_cmpint(qtest_qom_get_int(qts, "/machine/i440fx",
                                      "pci-hole64-size"), ==, 2147483648);
    qtest_quit(qts);
}

/* --- PCI configuration space ---------------------------------------------- */

static uint32_t cfg_addr(int devfn, int reg)
{
    return 0x80000000u | devfn << 8 | (reg & 0xfc);
}

static uint32_t cfg_readl(QTestState *qts, int devfn, int reg)
{
    qtest_outl(qts, CONFIG_ADDRESS, cfg_addr(devfn, reg));
    return qtest_inl(qts, CONFIG_DATA);
}

static uint16_t cfg_readw(QTestState *qts, int devfn, int reg)
{
    qtest_outl(qts, CONFIG_ADDRESS, cfg_addr(devfn, reg));
    return qtest_inw(qts, CONFIG_DATA + (reg & 2));
}

static uint8_t cfg_readb(QTestState *qts, int devfn, int reg)
{
    qtest_outl(qts, CONFIG_ADDRESS, cfg_addr(devfn, reg));
    return qtest_inb(qts, CONFIG_DATA + (reg & 3));
}

static void cfg_writel(QTestState *qts, int devfn, int reg, uint32_t val)
{
    qtest_outl(qts, CONFIG_ADDRESS, cfg_addr(devfn, reg));
    qtest_outl(qts, CONFIG_DATA, val);
}

static void cfg_writew(QTestState *qts, int devfn, int reg, uint16_t val)
{
    qtest_outl(qts, CONFIG_ADDRESS, cfg_addr(devfn, reg));
    qtest_outw(qts, CONFIG_DATA + (reg & 2), val);
}

static void cfg_writeb(QTestState *qts, int devfn, int reg, uint8_t val)
{
    qtest_outl(qts, CONFIG_ADDRESS, cfg_addr(devfn, reg));
    qtest_outb(qts, CONFIG_DATA + (reg & 3), val);
}

#define DEVFN(slot, fn) ((slot) << 3 | (fn))

static void test_pci_enumerate(void)
{
    QTestState *qts = qtest_init("");

    /* i440FX host bridge at 00:00.0. */
    g_assert_cmphex(cfg_readl(qts, DEVFN(0, 0), PCI_VENDOR_ID), ==,
                    0x12378086);
    g_assert_cmphex(cfg_readw(qts, DEVFN(0, 0), PCI_CLASS_DEVICE), ==,
                    0x0600);
    g_assert_cmphex(cfg_readb(qts, DEVFN(0, 0), PCI_REVISION_ID), ==, 0x02);
    g_assert_cmphex(cfg_readb(qts, DEVFN(0, 0), PCI_HEADER_TYPE), ==, 0);
    g_assert_cmphex(cfg_readl(qts, DEVFN(0, 0), PCI_SUBSYSTEM_VENDOR_ID),
                    ==, 0x11001af4);
    /* PIIX3 at 00:01.0, multi-function. */
    g_assert_cmphex(cfg_readw(qts, DEVFN(1, 0), PCI_VENDOR_ID), ==, 0x8086);
    g_assert_cmphex(cfg_readw(qts, DEVFN(1, 0), PCI_DEVICE_ID), ==, 0x7000);
    g_assert_cmphex(cfg_readw(qts, DEVFN(1, 0), PCI_CLASS_DEVICE), ==,
                    0x0601);
    g_assert_cmphex(cfg_readb(qts, DEVFN(1, 0), PCI_HEADER_TYPE), ==, 0x80);
    /* Nothing else: all ones. */
    g_assert_cmphex(cfg_readl(qts, DEVFN(2, 0), PCI_VENDOR_ID), ==,
                    0xffffffff);
    g_assert_cmphex(cfg_readl(qts, DEVFN(0, 1), PCI_VENDOR_ID), ==,
                    0xffffffff);
    g_assert_cmphex(cfg_readl(qts, DEVFN(31, 7), PCI_VENDOR_ID), ==,
                    0xffffffff);
    /* Another bus number: nothing there. */
    qtest_outl(qts, CONFIG_ADDRESS, 0x80010000u);
    g_assert_cmphex(qtest_inl(qts, CONFIG_DATA), ==, 0xffffffff);

    /* CONFIG_ADDRESS reads back; without the enable bit data is ~0. */
    qtest_outl(qts, CONFIG_ADDRESS, 0x00000000);
    g_assert_cmphex(qtest_inl(qts, CONFIG_ADDRESS), ==, 0);
    g_assert_cmphex(qtest_inl(qts, CONFIG_DATA), ==, 0xffffffff);
    qtest_outl(qts, CONFIG_ADDRESS, 0x80000008);
    g_assert_cmphex(qtest_inl(qts, CONFIG_ADDRESS), ==, 0x80000008);

    /* Read-only registers ignore writes. */
    cfg_writel(qts, DEVFN(0, 0), PCI_VENDOR_ID, 0);
    g_assert_cmphex(cfg_readl(qts, DEVFN(0, 0), PCI_VENDOR_ID), ==,
                    0x12378086);
    qtest_quit(qts);
}

static void test_pci_info(void)
{
    QTestState *qts = qtest_init("-device pci-testdev,id=t0,addr=04.0");
    g_autofree char *out = qtest_hmp(qts, "info pci");

    g_assert_cmpstr(out, ==,
        "  Bus  0, device   0, function 0:\n"
        "    Host bridge: PCI device 8086:1237\n"
        "      PCI subsystem 1af4:1100\n"
        "      id \"\"\n"
        "  Bus  0, device   1, function 0:\n"
        "    ISA bridge: PCI device 8086:7000\n"
        "      PCI subsystem 1af4:1100\n"
        "      id \"\"\n"
        "  Bus  0, device   4, function 0:\n"
        "    Class 0255: PCI device 1b36:0005\n"
        "      PCI subsystem 1af4:1100\n"
        "      IRQ 0, pin A\n"
        "      BAR0: 32 bit memory at 0xffffffffffffffff [0x00000ffe].\n"
        "      BAR1: I/O at 0xffffffffffffffff [0x00fe].\n"
        "      id \"t0\"\n");
    qtest_quit(qts);
}

static void test_qtree(void)
{
    QTestState *qts = qtest_init("-device pci-testdev,id=t");
    g_autofree char *out = qtest_hmp(qts, "info qtree");

    g_assert_true(g_str_has_prefix(out, "bus: main-system-bus\n"
                                   "  type System\n"));
    g_assert_nonnull(strstr(out,
        "    bus: pci.0\n"
        "      type PCI\n"
        "      dev: pci-testdev, id \"t\"\n"
        "        addr = 02.0\n"
        "        romfile = \"\"\n"
        "        rombar = 1 (0x1)\n"
        "        multifunction = false\n"
        "        class Class 00ff, addr 00:02.0, pci id 1b36:0005 "
        "(sub 1af4:1100)\n"
        "        bar 0: mem at 0xffffffffffffffff [0xffe]\n"
        "        bar 1: i/o at 0xffffffffffffffff [0xfe]\n"
        "      dev: PIIX3, id \"\"\n"));
    g_assert_nonnull(strstr(out,
        "  dev: ioapic, id \"\"\n"
        "    gpio-in \"\" 24\n"
        "    mmio 00000000fec00000/0000000000001000\n"));
    qtest_quit(qts);
}

static void test_device_slots(void)
{
    QTestState *qts = qtest_init("-device pci-testdev,id=a "
                                 "-device pci-testdev,id=b,addr=0x5 "
                                 "-device pci-testdev,id=d,addr=03.0 "
                                 "-device pci-testdev,id=c");
    const int expected_slots[] = { 2, 3, 4, 5 };

    /* Command-line order from slot 2, skipping the slots taken by addr=. */
    for (size_t i = 0; i < G_N_ELEMENTS(expected_slots); i++) {
        g_assert_cmphex(cfg_readl(qts, DEVFN(expected_slots[i], 0),
                                  PCI_VENDOR_ID), ==, 0x00051b36);
    }
    g_assert_cmphex(cfg_readl(qts, DEVFN(6, 0), PCI_VENDOR_ID), ==,
                    0xffffffff);
    g_assert_cmpint(qtest_qom_get_int(qts, "/machine/peripheral/a", "addr"),
                    ==, DEVFN(2, 0));
    g_assert_cmpint(qtest_qom_get_int(qts, "/machine/peripheral/c", "addr"),
                    ==, DEVFN(4, 0));
    g_assert_cmpint(qtest_qom_get_int(qts, "/machine/peripheral/d", "addr"),
                    ==, DEVFN(3, 0));
    qtest_quit(qts);
}

/* --- BARs ----------------------------------------------------------------- */

static bool mtree_has(QTestState *qts, const char *line)
{
    g_autofree char *out = qtest_hmp(qts, "info mtree");

    return strstr(out, line) != NULL;
}

#define MMIO_LINE "    00000000e0000000-00000000e0000fff (prio 1, i/o): " \
                  "pci-testdev-mmio\n"
#define PIO_LINE "    000000000000c000-000000000000c0ff (prio 1, i/o): " \
                 "pci-testdev-portio\n"

static void test_pci_bars(void)
{
    QTestState *qts = qtest_init("-device pci-testdev");
    int d = DEVFN(2, 0);

    /* Sizing: all ones reads back the size mask and the type bits. */
    cfg_writel(qts, d, PCI_BASE_ADDRESS_0, 0xffffffff);
    g_assert_cmphex(cfg_readl(qts, d, PCI_BASE_ADDRESS_0), ==, 0xfffff000);
    cfg_writel(qts, d, PCI_BASE_ADDRESS_1, 0xffffffff);
    g_assert_cmphex(cfg_readl(qts, d, PCI_BASE_ADDRESS_1), ==, 0xffffff01);
    /* Unimplemented BARs stay 0. */
    cfg_writel(qts, d, PCI_BASE_ADDRESS_2, 0xffffffff);
    g_assert_cmphex(cfg_readl(qts, d, PCI_BASE_ADDRESS_2), ==, 0);

    /* An address alone does not map: decoding must be enabled. */
    cfg_writel(qts, d, PCI_BASE_ADDRESS_0, TESTDEV_MMIO);
    cfg_writel(qts, d, PCI_BASE_ADDRESS_1, TESTDEV_PIO);
    g_assert_cmphex(cfg_readl(qts, d, PCI_BASE_ADDRESS_1), ==,
                    TESTDEV_PIO | 1);
    g_assert_false(mtree_has(qts, MMIO_LINE));
    cfg_writew(qts, d, PCI_COMMAND, PCI_COMMAND_MEMORY);
    g_assert_true(mtree_has(qts, MMIO_LINE));
    g_assert_false(mtree_has(qts, PIO_LINE));
    cfg_writew(qts, d, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
    g_assert_true(mtree_has(qts, PIO_LINE));

    /* Guest accesses reach the device. */
    qtest_writel(qts, TESTDEV_MMIO + 0x10, 0x12345678);
    g_assert_cmphex(qtest_readl(qts, TESTDEV_MMIO + 0x10), ==, 0x12345678);
    g_assert_cmphex(qtest_readb(qts, TESTDEV_MMIO + 0x11), ==, 0x56);
    qtest_outl(qts, TESTDEV_PIO + 4, 0xcafef00d);
    g_assert_cmphex(qtest_inl(qts, TESTDEV_PIO + 4), ==, 0xcafef00d);

    {
        g_autofree char *info = qtest_hmp(qts, "info pci");

        g_assert_nonnull(strstr(info, "      BAR0: 32 bit memory at "
                                "0xe0000000 [0xe0000fff].\n"
                                "      BAR1: I/O at 0xc000 [0xc0ff].\n"));
    }

    /* Sizing while mapped unmaps; restoring the address maps again. */
    cfg_writel(qts, d, PCI_BASE_ADDRESS_0, 0xffffffff);
    g_assert_false(mtree_has(qts, MMIO_LINE));
    cfg_writel(qts, d, PCI_BASE_ADDRESS_0, TESTDEV_MMIO);
    g_assert_true(mtree_has(qts, MMIO_LINE));
    g_assert_cmphex(qtest_readl(qts, TESTDEV_MMIO + 0x10), ==, 0x12345678);
    /* Address 0 is not a valid mapping. */
    cfg_writel(qts, d, PCI_BASE_ADDRESS_0, 0);
    g_assert_false(mtree_has(qts, MMIO_LINE));
    cfg_writel(qts, d, PCI_BASE_ADDRESS_0, TESTDEV_MMIO);
    /* Disabling memory decoding unmaps. */
    cfg_writew(qts, d, PCI_COMMAND, PCI_COMMAND_IO);
    g_assert_false(mtree_has(qts, MMIO_LINE));
    g_assert_true(mtree_has(qts, PIO_LINE));
    qtest_quit(qts);
}

/* --- interrupts -------------------------------------------------------------- */

static void test_pci_intx(void)
{
    QTestState *qts = qtest_init("-device pci-testdev,addr=2 "
                                 "-device pci-testdev,addr=3");
    int d2 = DEVFN(2, 0), d3 = DEVFN(3, 0);

    /* The firmware-like routing: PIRQA..D -> 10, 10, 11, 11. */
    g_assert_cmphex(cfg_readl(qts, DEVFN(1, 0), PIIX_PIRQCA), ==,
                    0x0b0b0a0a);
    g_assert_cmpint(cfg_readb(qts, d2, PCI_INTERRUPT_PIN), ==, 1);

    cfg_writel(qts, d2, PCI_BASE_ADDRESS_0, TESTDEV_MMIO);
    cfg_writel(qts, d3, PCI_BASE_ADDRESS_0, TESTDEV_MMIO + 0x1000);
    cfg_writew(qts, d2, PCI_COMMAND, PCI_COMMAND_MEMORY);
    cfg_writew(qts, d3, PCI_COMMAND, PCI_COMMAND_MEMORY);
    qtest_irq_intercept_in(qts, "/machine/ioapic");

    /* Slot 2 INTA -> PIRQB -> GSI 10; slot 3 INTA -> PIRQC -> GSI 11. */
    qtest_writel(qts, TESTDEV_MMIO + TESTDEV_INTX, 1);
    g_assert_true(qtest_get_irq(qts, 10));
    g_assert_false(qtest_get_irq(qts, 11));
    g_assert_true(cfg_readw(qts, d2, PCI_STATUS) & PCI_STATUS_INTERRUPT);
    qtest_writel(qts, TESTDEV_MMIO + 0x1000 + TESTDEV_INTX, 1);
    g_assert_true(qtest_get_irq(qts, 11));

    /* INTx disable masks the line but not the status bit. */
    cfg_writew(qts, d2, PCI_COMMAND,
               PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
    g_assert_false(qtest_get_irq(qts, 10));
    g_assert_true(cfg_readw(qts, d2, PCI_STATUS) & PCI_STATUS_INTERRUPT);
    cfg_writew(qts, d2, PCI_COMMAND, PCI_COMMAND_MEMORY);
    g_assert_true(qtest_get_irq(qts, 10));
    qtest_writel(qts, TESTDEV_MMIO + TESTDEV_INTX, 0);
    g_assert_false(qtest_get_irq(qts, 10));
    g_assert_false(cfg_readw(qts, d2, PCI_STATUS) & PCI_STATUS_INTERRUPT);

    /* Re-routing PIRQC moves the asserted line from GSI 11 to GSI 5. */
    cfg_writeb(qts, DEVFN(1, 0), PIIX_PIRQCA + 2, 5);
    g_assert_false(qtest_get_irq(qts, 11));
    g_assert_true(qtest_get_irq(qts, 5));
    /* Disabled route (bit 7): the line goes nowhere. */
    cfg_writeb(qts, DEVFN(1, 0), PIIX_PIRQCA + 2, 0x80);
    g_assert_false(qtest_get_irq(qts, 5));
    qtest_quit(qts);
}

/* --- reset --------------------------------------------------------------------- */

static void test_system_reset(void)
{
    QTestState *qts = qtest_init("-device pci-testdev");
    int d = DEVFN(2, 0);

    cfg_writel(qts, d, PCI_BASE_ADDRESS_0, TESTDEV_MMIO);
    cfg_writew(qts, d, PCI_COMMAND, PCI_COMMAND_MEMORY);
    cfg_writeb(qts, d, PCI_INTERRUPT_LINE, 10);
    qtest_writel(qts, TESTDEV_MMIO + 0x20, 0xdeadbeef);
    cfg_writeb(qts, DEVFN(1, 0), PIIX_PIRQCA, 0x80);

    qtest_qmp_assert_success(qts, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(qts, "RESET");

    g_assert_cmphex(cfg_readw(qts, d, PCI_COMMAND), ==, 0);
    g_assert_cmphex(cfg_readl(qts, d, PCI_BASE_ADDRESS_0), ==, 0);
    g_assert_cmphex(cfg_readb(qts, d, PCI_INTERRUPT_LINE), ==, 0);
    g_assert_false(mtree_has(qts, MMIO_LINE));
    g_assert_cmphex(cfg_readl(qts, DEVFN(1, 0), PIIX_PIRQCA), ==,
                    0x0b0b0a0a);
    /* The device's own reset ran too. */
    cfg_writel(qts, d, PCI_BASE_ADDRESS_0, TESTDEV_MMIO);
    cfg_writew(qts, d, PCI_COMMAND, PCI_COMMAND_MEMORY);
    g_assert_cmphex(qtest_readl(qts, TESTDEV_MMIO + 0x20), ==, 0);
    qtest_quit(qts);
}

static void test_qom_tree(void)
{
    QTestState *qts = qtest_init("-device pci-testdev,id=t");
    JsonNode *node;

    g_assert_false(qtest_qom_get_bool(qts, "/machine/peripheral/t",
                                      "hotplugged"));
    g_assert_true(qtest_qom_get_bool(qts, "/machine/peripheral/t",
                                     "realized"));
    node = qtest_qom_get(qts, "/machine/peripheral/t", "parent_bus");
    g_assert_cmpstr(json_node_get_string(node), ==, "/machine/i440fx/pci.0");
    json_node_unref(node);
    g_assert_cmpint(qtest_qom_get_int(qts, "/machine/unattached/device[0]",
                                      "addr"), ==, 0);
    qtest_quit(qts);
}

static void test_pci_hotplug(void)
{
    QTestState *qts = qtest_init("");
    g_autofree char *out = NULL;
    g_autofree char *dup = NULL;
    g_autofree char *gone = NULL;
    g_autofree char *del = NULL;

    out = qtest_hmp(qts, "device_add pci-testdev,id=hp");
    g_assert_cmpstr(out, ==, "");
    g_assert_cmphex(cfg_readl(qts, DEVFN(2, 0), PCI_VENDOR_ID), ==,
                    0x00051b36);
    g_assert_true(qtest_qom_get_bool(qts, "/machine/peripheral/hp",
                                     "hotplugged"));
    dup = qtest_hmp(qts, "device_add pci-testdev,id=hp");
    g_assert_cmpstr(dup, ==, "Error: Duplicate ID 'hp' for device\n");

    /* No ACPI eject protocol: device_del removes it at once. */
    del = qtest_hmp(qts, "device_del hp");
    g_assert_cmpstr(del, ==, "");
    g_assert_cmphex(cfg_readl(qts, DEVFN(2, 0), PCI_VENDOR_ID), ==,
                    0xffffffff);
    gone = qtest_hmp(qts, "device_del hp");
    g_assert_cmpstr(gone, ==, "Error: Device 'hp' not found\n");
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(layouts); i++) {
        g_autofree char *name = g_strdup_printf("/pc/mtree/%zu", i);

        qtest_add_data_func(name, &layouts[i], test_layout);
    }
    qtest_add_func("/pc/memory-backend", test_memory_backend);
    qtest_add_func("/pc/pci-holes", test_pci_holes);
    qtest_add_func("/pc/pci/enumerate", test_pci_enumerate);
    qtest_add_func("/pc/pci/info", test_pci_info);
    qtest_add_func("/pc/pci/device-slots", test_device_slots);
    qtest_add_func("/pc/qtree", test_qtree);
    qtest_add_func("/pc/pci/bars", test_pci_bars);
    qtest_add_func("/pc/pci/intx", test_pci_intx);
    qtest_add_func("/pc/pci/hotplug", test_pci_hotplug);
    qtest_add_func("/pc/system-reset", test_system_reset);
    qtest_add_func("/pc/qom-tree", test_qom_tree);
    return g_test_run();
}
