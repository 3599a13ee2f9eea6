/*
 * The qtest protocol against the sparsevm binary: every command against
 * RAM, exact replies, FAIL answers (the session goes on), the virtual
 * clock and the protocol log; on the pc machine, I/O ports (PCI
 * configuration through 0xcf8/0xcfc) and interrupt interception.
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/pci.h"
#include "libqos/virtio-pci.h"
#include <linux/pci_regs.h>
#include <linux/virtio_mem.h>

#define RAM_ARGS "-machine none -m 16M"

static void assert_reply(QTestState *s, const char *cmd, const char *reply)
{
    g_autofree char *got = qtest_raw_cmd(s, "%s", cmd);

    g_assert_cmpstr(got, ==, reply);
}

static void test_sized_accesses(void)
{
    QTestState *s = qtest_init(RAM_ARGS);

    qtest_writeb(s, 0x1000, 0xab);
    g_assert_cmphex(qtest_readb(s, 0x1000), ==, 0xab);
    qtest_writew(s, 0x1002, 0xbeef);
    g_assert_cmphex(qtest_readw(s, 0x1002), ==, 0xbeef);
    qtest_writel(s, 0x1004, 0x11223344);
    g_assert_cmphex(qtest_readl(s, 0x1004), ==, 0x11223344);
    qtest_writeq(s, 0x1008, 0x0102030405060708ULL);
    g_assert_cmphex(qtest_readq(s, 0x1008), ==, 0x0102030405060708ULL);

    /* Little endian: the low byte first. */
    g_assert_cmphex(qtest_readb(s, 0x1004), ==, 0x44);
    g_assert_cmphex(qtest_readb(s, 0x1007), ==, 0x11);
    g_assert_cmphex(qtest_readw(s, 0x1008), ==, 0x0708);
    g_assert_cmphex(qtest_readl(s, 0x100c), ==, 0x01020304);
    /* Writes are exactly as wide as asked. */
    g_assert_cmphex(qtest_readb(s, 0x1001), ==, 0);
    qtest_writeb(s, 0x1009, 0xff);
    g_assert_cmphex(qtest_readq(s, 0x1008), ==, 0x010203040506ff08ULL);
    /* The last bytes of RAM. */
    qtest_writel(s, 16 * 1024 * 1024 - 4, 0xcafef00d);
    g_assert_cmphex(qtest_readl(s, 16 * 1024 * 1024 - 4), ==, 0xcafef00d);
    g_assert_false(qtest_big_endian(s));
    qtest_quit(s);
}

static void test_exact_replies(void)
{
    QTestState *s = qtest_init(RAM_ARGS);

    assert_reply(s, "writel 0x2000 0x04030201", "OK");
    assert_reply(s, "readb 0x2000", "OK 0x0000000000000001");
    assert_reply(s, "readw 0x2001", "OK 0x0000000000000302");
    assert_reply(s, "readl 0x2000", "OK 0x0000000004030201");
    assert_reply(s, "readq 0x2000", "OK 0x0000000004030201");
    assert_reply(s, "read 0x2000 5", "OK 0x0102030400");
    assert_reply(s, "b64read 0x2000 3", "OK AQID");
    /* Decimal numbers are accepted too; short data is padded with 0. */
    assert_reply(s, "write 8192 4 0xa0b0", "OK");
    assert_reply(s, "read 0x2000 0x4", "OK 0xa0b00000");
    assert_reply(s, "memset 0x2000 3 0x5a", "OK");
    assert_reply(s, "read 0x2000 4", "OK 0x5a5a5a00");
    assert_reply(s, "b64write 0x2000 2 AQID", "OK");
    assert_reply(s, "read 0x2000 4", "OK 0x01025a00");
    assert_reply(s, "endianness", "OK little");
    assert_reply(s, "outb 0x80 0x12", "OK");
    /* Nothing decodes I/O ports on "none": all ones, as in QEMU. */
    assert_reply(s, "inb 0x80", "OK 0x00ff");
    assert_reply(s, "inw 0x80", "OK 0xffff");
    assert_reply(s, "inl 0x80", "OK 0xffffffff");
    qtest_quit(s);
}

static void test_buffers(void)
{
    QTestState *s = qtest_init(RAM_ARGS);
    g_autofree uint8_t *pattern = g_malloc(4097);
    g_autofree uint8_t *back = g_malloc(4097);
    uint8_t small[3];

    for (size_t i = 0; i < 4097; i++) {
        pattern[i] = i * 7 + 3;
    }
    qtest_memwrite(s, 0x10001, pattern, 4097);
    qtest_memread(s, 0x10001, back, 4097);
    g_assert_cmpmem(back, 4097, pattern, 4097);
    /* The base64 path sees the same bytes. */
    memset(back, 0, 4097);
    qtest_bufread(s, 0x10001, back, 4097);
    g_assert_cmpmem(back, 4097, pattern, 4097);

    for (size_t i = 0; i < 4097; i++) {
        pattern[i] = ~pattern[i];
    }
    qtest_bufwrite(s, 0x20003, pattern, 4097);
    memset(back, 0, 4097);
    qtest_memread(s, 0x20003, back, 4097);
    g_assert_cmpmem(back, 4097, pattern, 4097);
    /* Zero-sized transfers are no-ops. */
    qtest_bufwrite(s, 0x20003, pattern, 0);
    qtest_memwrite(s, 0x20003, pattern, 0);
    g_assert_cmphex(qtest_readb(s, 0x20003), ==, pattern[0]);

    qtest_memset(s, 0x20003, 0xa5, 4097);
    qtest_memread(s, 0x20002, small, 3);
    g_assert_cmphex(small[0], ==, 0);
    g_assert_cmphex(small[1], ==, 0xa5);
    g_assert_cmphex(small[2], ==, 0xa5);
    g_assert_cmphex(qtest_readb(s, 0x20003 + 4096), ==, 0xa5);
    g_assert_cmphex(qtest_readb(s, 0x20003 + 4097), ==, 0);
    qtest_quit(s);
}

/* Outside RAM reads give zeros and writes vanish; nothing breaks. */
static void test_unassigned(void)
{
    QTestState *s = qtest_init(RAM_ARGS);
    uint8_t buf[8];

    qtest_writeq(s, 0x100000000ULL, 0x1122334455667788ULL);
    g_assert_cmphex(qtest_readq(s, 0x100000000ULL), ==, 0);
    /* Straddling the end of RAM: the RAM part is written. */
    qtest_memset(s, 16 * 1024 * 1024 - 4, 0xee, 8);
    qtest_memread(s, 16 * 1024 * 1024 - 4, buf, 8);
    g_assert_cmphex(buf[3], ==, 0xee);
    g_assert_cmphex(buf[4], ==, 0);
    g_assert_cmphex(qtest_readq(s, 0xfffffffffffffff8ULL), ==, 0);
    qtest_quit(s);
}

static void test_fail_answers(void)
{
    QTestState *s = qtest_init(RAM_ARGS);

    assert_reply(s, "bogus 1 2", "FAIL Unknown command 'bogus'");
    assert_reply(s, "", "FAIL empty command");
    assert_reply(s, "readb", "FAIL missing argument");
    assert_reply(s, "readb xyz", "FAIL invalid number");
    assert_reply(s, "readb 0x10zz", "FAIL invalid number");
    assert_reply(s, "readb 0x1000 5", "FAIL too many arguments");
    assert_reply(s, "writel 0x1000", "FAIL missing argument");
    assert_reply(s, "writel 0x1000 -", "FAIL invalid number");
    assert_reply(s, "outb 0x10", "FAIL missing argument");
    assert_reply(s, "write 0x1000 2 1234", "FAIL invalid data");
    assert_reply(s, "write 0x1000 1 0x1234", "FAIL invalid data");
    assert_reply(s, "write 0x1000 2 0xzz11", "FAIL invalid data");
    assert_reply(s, "write 0x1000 2 0x123", "FAIL invalid data");
    assert_reply(s, "b64write 0x1000 3 !!!!", "FAIL invalid data");
    assert_reply(s, "memset 0x1000 1 0x100", "FAIL invalid pattern");
    assert_reply(s, "read 0x0 0x20000000", "FAIL size too large");
    assert_reply(s, "clock_step -5", "FAIL invalid number");
    assert_reply(s, "clock_set", "FAIL missing argument");
    assert_reply(s, "irq_intercept_in /machine/nope", "FAIL Unknown device");
    assert_reply(s, "irq_intercept_in", "FAIL missing argument");
    assert_reply(s, "\x01\x02\x7f", "FAIL Unknown command '\x01\x02\x7f'");
    /* Nothing was written by the failed commands; the session goes on. */
    g_assert_cmphex(qtest_readl(s, 0x1000), ==, 0);
    qtest_writel(s, 0x1000, 1);
    g_assert_cmphex(qtest_readl(s, 0x1000), ==, 1);
    qtest_quit(s);
}

static void test_clock(void)
{
    QTestState *s = qtest_init("-machine none");

    /* The virtual clock starts at 0 and only moves when told to. */
    g_assert_cmpint(qtest_clock_step(s, 0), ==, 0);
    g_assert_cmpint(qtest_clock_step(s, 100), ==, 100);
    g_assert_cmpint(qtest_clock_step(s, 100), ==, 200);
    g_assert_cmpint(qtest_clock_set(s, 5000), ==, 5000);
    /* Never backwards. */
    g_assert_cmpint(qtest_clock_set(s, 10), ==, 5000);
    /* No timer pending: clock_step without a step stays put. */
    g_assert_cmpint(qtest_clock_step_next(s), ==, 5000);
    assert_reply(s, "clock_step 0x10", "OK 5016");
    qtest_quit(s);
}

static void test_log(void)
{
    g_autofree char *dir = g_dir_make_tmp("qtest-test-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "qtest.log", NULL);
    QTestState *s = qtest_initf("-machine none -m 1M -qtest-log %s", path);
    g_autofree char *log = NULL;
    g_auto(GStrv) lines = NULL;
    int found = 0;

    qtest_writeb(s, 0x10, 0x42);
    assert_reply(s, "nope", "FAIL Unknown command 'nope'");
    qtest_quit(s);

    g_assert_true(g_file_get_contents(path, &log, NULL, NULL));
    lines = g_strsplit(log, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        double t;
        char dir_char;
        int end = 0;

        if (!*lines[i]) {
            continue;
        }
        g_assert_cmpint(sscanf(lines[i], "[%c +%lf]%n", &dir_char, &t, &end),
                        ==, 2);
        g_assert_cmpint(end, >, 0);
        if (!strcmp(lines[i] + end, " writeb 0x10 0x42") ||
            !strcmp(lines[i] + end, " nope") ||
            !strcmp(lines[i] + end, " FAIL Unknown command 'nope'")) {
            g_assert_true(dir_char == 'R' || dir_char == 'S');
            found++;
        }
    }
    g_assert_cmpint(found, ==, 3);
    unlink(path);
    rmdir(dir);
}

/* --- The pc machine ---------------------------------------------------- */

#define PCI_CONFIG_ADDR(devfn, reg) (0x80000000u | (devfn) << 8 | (reg))

static void test_pc_pci_config_ports(void)
{
    QTestState *s = qtest_init("-machine pc -m 128M");

    /* 00:00.0 is the i440FX host bridge, 00:01.0 the PIIX3. */
    qtest_outl(s, 0xcf8, PCI_CONFIG_ADDR(0, PCI_VENDOR_ID));
    g_assert_cmphex(qtest_inl(s, 0xcf8), ==, 0x80000000);
    g_assert_cmphex(qtest_inl(s, 0xcfc), ==, 0x12378086);
    g_assert_cmphex(qtest_inw(s, 0xcfc), ==, 0x8086);
    g_assert_cmphex(qtest_inw(s, 0xcfe), ==, 0x1237);
    g_assert_cmphex(qtest_inb(s, 0xcfd), ==, 0x80);
    qtest_outl(s, 0xcf8, PCI_CONFIG_ADDR(QPCI_DEVFN(1, 0), PCI_VENDOR_ID));
    g_assert_cmphex(qtest_inl(s, 0xcfc), ==, 0x70008086);
    /* An empty slot reads all ones. */
    qtest_outl(s, 0xcf8, PCI_CONFIG_ADDR(QPCI_DEVFN(31, 0), PCI_VENDOR_ID));
    g_assert_cmphex(qtest_inl(s, 0xcfc), ==, 0xffffffff);
    assert_reply(s, "outl 0xcf8 0x80000000", "OK");
    assert_reply(s, "inl 0xcfc", "OK 0x12378086");
    qtest_quit(s);
}

typedef struct TestDev {
    QTestState *s;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar;
    int gsi;
} TestDev;

#define TESTDEV_INTX 0xf0

static void testdev_start(TestDev *t, const char *extra)
{
    t->s = qtest_initf("-machine pc -m 128M -device pci-testdev,addr=5,id=td "
                       "%s", extra);
    t->bus = qpci_new_pc(t->s);
    t->dev = qpci_device_find(t->bus, QPCI_DEVFN(5, 0));
    g_assert_nonnull(t->dev);
    t->bar = qpci_iomap(t->dev, 0, NULL);
    qpci_device_enable(t->dev);
    t->gsi = qpci_pc_intx_gsi(t->dev);
    g_assert_cmpint(t->gsi, >=, 0);
}

static void testdev_stop(TestDev *t)
{
    g_free(t->dev);
    qpci_free_pc(t->bus);
    qtest_quit(t->s);
}

static void test_pc_irq_intercept(void)
{
    TestDev t;

    testdev_start(&t, "");
    assert_reply(t.s, "irq_intercept_in /machine/ioapic", "OK");
    g_assert_false(qtest_get_irq(t.s, t.gsi));

    qpci_io_writel(t.dev, t.bar, TESTDEV_INTX, 1);
    g_assert_true(qtest_get_irq(t.s, t.gsi));
    /* Only the line of the device changed. */
    for (int i = 0; i < 24; i++) {
        if (i != t.gsi) {
            g_assert_false(qtest_get_irq(t.s, i));
        }
    }
    qpci_io_writel(t.dev, t.bar, TESTDEV_INTX, 0);
    g_assert_false(qtest_get_irq(t.s, t.gsi));
    qpci_io_writel(t.dev, t.bar, TESTDEV_INTX, 1);
    g_assert_true(qtest_get_irq(t.s, t.gsi));

    /* Again on the same device is fine, another one is refused. */
    assert_reply(t.s, "irq_intercept_in /machine/ioapic", "OK");
    assert_reply(t.s, "irq_intercept_in /machine/peripheral/td",
                 "FAIL Interrupts already intercepted");
    assert_reply(t.s, "irq_intercept_in /machine/nope", "FAIL Unknown device");
    testdev_stop(&t);
}

/* A system reset resets the devices (qemu_devices_reset) and says so. */
static void test_pc_system_reset(void)
{
    TestDev t;
    JsonObject *event;

    testdev_start(&t, "");
    qpci_io_writel(t.dev, t.bar, 0x10, 0xfeedface);
    g_assert_cmphex(qpci_io_readl(t.dev, t.bar, 0x10), ==, 0xfeedface);
    g_assert_cmphex(qpci_config_readw(t.dev, PCI_COMMAND) &
                    PCI_COMMAND_MEMORY, ==, PCI_COMMAND_MEMORY);
    qtest_irq_intercept_in(t.s, "/machine/ioapic");
    qpci_io_writel(t.dev, t.bar, TESTDEV_INTX, 1);
    g_assert_true(qtest_get_irq(t.s, t.gsi));

    qtest_qmp_assert_success(t.s, "{'execute': 'system_reset'}");
    event = qtest_qmp_eventwait_ref(t.s, "RESET");
    json_object_unref(event);
    /* Config space and the interrupt line are back to their reset state. */
    g_assert_cmphex(qpci_config_readw(t.dev, PCI_COMMAND), ==, 0);
    g_assert_false(qtest_get_irq(t.s, t.gsi));
    qpci_device_enable(t.dev);
    g_assert_cmphex(qpci_io_readl(t.dev, t.bar, 0x10), ==, 0);
    testdev_stop(&t);
}

/*
 * clock_step runs the timers it passes: here the rate limit of
 * MEMORY_DEVICE_SIZE_CHANGE, which runs on the virtual clock under qtest.
 * A guest driver plugs memory three times within one period.
 */
#define VMEM_ADDR 0x100000000ULL
#define VMEM_BLOCK (2 * 1024 * 1024)

typedef struct VMemGuest {
    QTestState *s;
    QPCIBus *bus;
    QGuestAllocator alloc;
    QVirtioPCIDevice *dev;
    QVirtQueue *vq;
    uint64_t req, resp;
} VMemGuest;

static void vmem_guest_start(VMemGuest *g)
{
    uint64_t wanted = (1ULL << VIRTIO_F_VERSION_1) |
                      (1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE);

    g->s = qtest_init("-machine pc -m 1G,maxmem=9G,slots=1 "
                      "-object memory-backend-ram,id=mem0,size=1G "
                      "-device virtio-mem-pci,id=vm0,memdev=mem0,addr=4,"
                      "requested-size=64M");
    g->bus = qpci_new_pc(g->s);
    alloc_init(&g->alloc, g->s, 16 * 1024 * 1024, 32 * 1024 * 1024);
    g->dev = qvirtio_pci_new(g->bus, QPCI_DEVFN(4, 0));
    qvirtio_pci_reset(g->dev);
    g_assert_true(qvirtio_pci_negotiate(g->dev, wanted &
                  qvirtio_pci_get_features(g->dev)));
    g->vq = qvirtqueue_setup(g->dev, &g->alloc, 0);
    qvirtio_pci_set_driver_ok(g->dev);
    g->req = guest_alloc(&g->alloc, 4096);
    g->resp = guest_alloc(&g->alloc, 4096);
}

static void vmem_guest_stop(VMemGuest *g)
{
    qvirtqueue_free(g->vq);
    qvirtio_pci_free(g->dev);
    qpci_free_pc(g->bus);
    qtest_quit(g->s);
}

static void vmem_guest_plug(VMemGuest *g, uint64_t addr)
{
    struct virtio_mem_req req = {
        .type = GUINT16_TO_LE(VIRTIO_MEM_REQ_PLUG),
        .u.plug.addr = GUINT64_TO_LE(addr),
        .u.plug.nb_blocks = GUINT16_TO_LE(1),
    };
    struct virtio_mem_resp resp;
    uint32_t head;

    qtest_memwrite(g->s, g->req, &req, sizeof(req));
    head = qvirtqueue_add(g->vq, g->req, sizeof(req), false, true);
    qvirtqueue_add(g->vq, g->resp, sizeof(resp), true, false);
    qvirtqueue_kick(g->vq, head);
    g_assert_true(qvirtqueue_get_buf(g->vq, NULL, NULL));
    qtest_memread(g->s, g->resp, &resp, sizeof(resp));
    g_assert_cmpint(GUINT16_FROM_LE(resp.type), ==, VIRTIO_MEM_RESP_ACK);
}

static int64_t size_event_value(VMemGuest *g)
{
    JsonObject *ev = qtest_qmp_event_ref(g->s, "MEMORY_DEVICE_SIZE_CHANGE");
    int64_t size;

    if (!ev) {
        return -1;
    }
    size = json_object_get_int_member(json_object_get_object_member(ev,
                                                                    "data"),
                                      "size");
    json_object_unref(ev);
    return size;
}

static void test_pc_clock_step_runs_timers(void)
{
    const int64_t second = 1000 * 1000 * 1000;
    VMemGuest g;
    int64_t start;

    vmem_guest_start(&g);
    start = qtest_clock_step(g.s, 0);
    vmem_guest_plug(&g, VMEM_ADDR);
    g_assert_cmpint(size_event_value(&g), ==, VMEM_BLOCK);
    vmem_guest_plug(&g, VMEM_ADDR + VMEM_BLOCK);
    vmem_guest_plug(&g, VMEM_ADDR + 2 * VMEM_BLOCK);
    g_assert_cmpint(size_event_value(&g), ==, -1);

    /* One nanosecond before the period ends: still held back. */
    g_assert_cmpint(qtest_clock_step(g.s, second - 1), ==, start + second - 1);
    g_assert_cmpint(size_event_value(&g), ==, -1);
    /* clock_step without a step goes to that deadline and fires it. */
    g_assert_cmpint(qtest_clock_step_next(g.s), ==, start + second);
    g_assert_cmpint(size_event_value(&g), ==, 3 * VMEM_BLOCK);
    /* The middle value was dropped. */
    g_assert_cmpint(size_event_value(&g), ==, -1);

    /* The period re-opened by that event ends quietly... */
    g_assert_cmpint(qtest_clock_step(g.s, second), ==, start + 2 * second);
    g_assert_cmpint(size_event_value(&g), ==, -1);
    /* ...so the next change goes out at once. */
    vmem_guest_plug(&g, VMEM_ADDR + 3 * VMEM_BLOCK);
    g_assert_cmpint(size_event_value(&g), ==, 4 * VMEM_BLOCK);
    vmem_guest_stop(&g);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/qtest/sized-accesses", test_sized_accesses);
    qtest_add_func("/qtest/exact-replies", test_exact_replies);
    qtest_add_func("/qtest/buffers", test_buffers);
    qtest_add_func("/qtest/unassigned", test_unassigned);
    qtest_add_func("/qtest/fail-answers", test_fail_answers);
    qtest_add_func("/qtest/clock", test_clock);
    qtest_add_func("/qtest/log", test_log);
    qtest_add_func("/qtest/pc/pci-config-ports", test_pc_pci_config_ports);
    qtest_add_func("/qtest/pc/irq-intercept", test_pc_irq_intercept);
    qtest_add_func("/qtest/pc/system-reset", test_pc_system_reset);
    qtest_add_func("/qtest/pc/clock-step-runs-timers",
                   test_pc_clock_step_runs_timers);
    return g_test_run();
}
