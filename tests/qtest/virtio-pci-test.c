/*
 * virtio-pci (modern) as a guest driver sees it, on a virtio-mem-pci
 * device of the pc machine: PCI identity, BAR and capability layout (as
 * QEMU 7.2), common configuration semantics, feature negotiation, the
 * PCI_CFG access window, ISR/INTx and config_generation, and NEEDS_RESET
 * after a malformed descriptor chain.
 */
#include "qemu/osdep.h"
#include <linux/pci_regs.h>
#include <linux/virtio_mem.h>
#include "libqtest.h"
#include "libqos/pci.h"
#include "libqos/virtio-pci.h"
#include "libqos/malloc.h"

#define VM_SLOT 4
#define VM_DEVFN QPCI_DEVFN(VM_SLOT, 0)
#define CMDLINE "-machine pc -m 1G,maxmem=9G,slots=1 " \
    "-object memory-backend-ram,id=mem0,size=8G " \
    "-device virtio-mem-pci,id=vm0,memdev=mem0,addr=4"
#define VM_PATH "/machine/peripheral/vm0"

#define F_VERSION_1 (1ULL << VIRTIO_F_VERSION_1)
#define F_INDIRECT (1ULL << VIRTIO_RING_F_INDIRECT_DESC)
#define F_EVENT_IDX (1ULL << VIRTIO_RING_F_EVENT_IDX)

#define S_ACK VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRIVER VIRTIO_CONFIG_S_DRIVER
#define S_FEATURES_OK VIRTIO_CONFIG_S_FEATURES_OK
#define S_DRIVER_OK VIRTIO_CONFIG_S_DRIVER_OK
#define S_NEEDS_RESET VIRTIO_CONFIG_S_NEEDS_RESET

typedef struct TestVM {
    QTestState *qts;
    QPCIBus *bus;
    QGuestAllocator alloc;
    QVirtioPCIDevice *dev;
} TestVM;

static void vm_start(TestVM *vm)
{
    memset(vm, 0, sizeof(*vm));
    vm->qts = qtest_init(CMDLINE);
    vm->bus = qpci_new_pc(vm->qts);
    /* Rings and buffers in guest RAM between 16 and 32 MiB. */
    alloc_init(&vm->alloc, vm->qts, 16 * MiB, 32 * MiB);
}

static void vm_start_device(TestVM *vm)
{
    vm_start(vm);
    vm->dev = qvirtio_pci_new(vm->bus, VM_DEVFN);
}

static void vm_stop(TestVM *vm)
{
    qvirtio_pci_free(vm->dev);
    qpci_free_pc(vm->bus);
    qtest_quit(vm->qts);
}

/* Full bring-up with one queue, DRIVER_OK set. */
static QVirtQueue *vm_bring_up(TestVM *vm)
{
    QVirtQueue *vq;

    qvirtio_pci_reset(vm->dev);
    g_assert_true(qvirtio_pci_negotiate(vm->dev, F_VERSION_1));
    vq = qvirtqueue_setup(vm->dev, &vm->alloc, 0);
    qvirtio_pci_set_driver_ok(vm->dev);
    return vq;
}

/* --- PCI identity and layout ---------------------------------------- */

static void test_identity(void)
{
    TestVM vm;
    QPCIDevice *pdev;
    int i;

    vm_start(&vm);
    pdev = qpci_device_find(vm.bus, VM_DEVFN);
    g_assert_nonnull(pdev);
    g_assert_cmphex(qpci_config_readw(pdev, PCI_VENDOR_ID), ==, 0x1af4);
    g_assert_cmphex(qpci_config_readw(pdev, PCI_DEVICE_ID), ==, 0x1058);
    g_assert_cmphex(qpci_config_readb(pdev, PCI_REVISION_ID), ==, 1);
    g_assert_cmphex(qpci_config_readb(pdev, PCI_CLASS_PROG), ==, 0);
    /* PCI_CLASS_OTHERS in the 16-bit class field, as QEMU 7.2. */
    g_assert_cmphex(qpci_config_readw(pdev, PCI_CLASS_DEVICE), ==, 0x00ff);
    g_assert_cmphex(qpci_config_readw(pdev, PCI_SUBSYSTEM_VENDOR_ID), ==,
                    0x1af4);
    g_assert_cmphex(qpci_config_readw(pdev, PCI_SUBSYSTEM_ID), ==, 0x1100);
    g_assert_cmphex(qpci_config_readb(pdev, PCI_HEADER_TYPE), ==, 0);
    g_assert_cmphex(qpci_config_readb(pdev, PCI_INTERRUPT_PIN), ==, 1);
    g_assert_true(qpci_config_readw(pdev, PCI_STATUS) & PCI_STATUS_CAP_LIST);

    /* Only BAR4: 64-bit prefetchable memory of 16 KiB. */
    g_assert_cmphex(qpci_config_readl(pdev, PCI_BASE_ADDRESS_4), ==,
                    PCI_BASE_ADDRESS_SPACE_MEMORY |
                    PCI_BASE_ADDRESS_MEM_TYPE_64 |
                    PCI_BASE_ADDRESS_MEM_PREFETCH);
    g_assert_cmphex(qpci_bar_size(pdev, 4), ==, 0x4000);
    for (i = 0; i < 4; i++) {
        g_assert_cmphex(qpci_bar_size(pdev, i), ==, 0);
    }
    /* Sizing restored the BAR. */
    g_assert_cmphex(qpci_config_readl(pdev, PCI_BASE_ADDRESS_4), ==, 0xc);
    g_assert_cmphex(qpci_config_readl(pdev, PCI_BASE_ADDRESS_5), ==, 0);
    g_free(pdev);
    vm_stop(&vm);
}

typedef struct ExpectedCap {
    uint8_t at;
    uint8_t cfg_type;
    uint8_t cap_len;
    uint8_t bar;
    uint32_t offset;
    uint32_t length;
} ExpectedCap;

static void test_capabilities(void)
{
    /* In list order, as QEMU 7.2 lays them out. */
    static const ExpectedCap caps[] = {
        { 0x84, VIRTIO_PCI_CAP_PCI_CFG, 20, 0, 0, 0 },
        { 0x70, VIRTIO_PCI_CAP_NOTIFY_CFG, 20, 4, 0x3000, 0x1000 },
        { 0x60, VIRTIO_PCI_CAP_DEVICE_CFG, 16, 4, 0x2000, 0x1000 },
        { 0x50, VIRTIO_PCI_CAP_ISR_CFG, 16, 4, 0x1000, 0x1000 },
        { 0x40, VIRTIO_PCI_CAP_COMMON_CFG, 16, 4, 0x0, 0x1000 },
    };
    TestVM vm;
    QPCIDevice *pdev;
    uint8_t at;
    int i;

    vm_start(&vm);
    pdev = qpci_device_find(vm.bus, VM_DEVFN);
    at = qpci_config_readb(pdev, PCI_CAPABILITY_LIST);
    for (i = 0; i < ARRAY_SIZE(caps); i++) {
        g_assert_cmphex(at, ==, caps[i].at);
        g_assert_cmphex(qpci_config_readb(pdev, at), ==, PCI_CAP_ID_VNDR);
        g_assert_cmpuint(qpci_config_readb(pdev, at + 2), ==,
                         caps[i].cap_len);
        g_assert_cmpuint(qpci_config_readb(pdev, at + 3), ==,
                         caps[i].cfg_type);
        g_assert_cmpuint(qpci_config_readb(pdev, at + 4), ==, caps[i].bar);
        g_assert_cmphex(qpci_config_readl(pdev, at + 8), ==, caps[i].offset);
        g_assert_cmphex(qpci_config_readl(pdev, at + 12), ==,
                        caps[i].length);
        if (caps[i].cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
            g_assert_cmpuint(qpci_config_readl(pdev, at + 16), ==, 4);
        }
        if (caps[i].cfg_type == VIRTIO_PCI_CAP_PCI_CFG) {
            g_assert_cmphex(qpci_config_readl(pdev, at + 16), ==, 0);
        }
        at = qpci_config_readb(pdev, at + PCI_CAP_LIST_NEXT);
    }
    g_assert_cmphex(at, ==, 0);
    g_free(pdev);
    vm_stop(&vm);
}

/* --- Common configuration ------------------------------------------- */

static void test_common_defaults(void)
{
    TestVM vm;
    QVirtioPCIDevice *d;

    vm_start_device(&vm);
    d = vm.dev;
    g_assert_cmphex(qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_MSIX), ==,
                    0xffff);
    g_assert_cmpuint(qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_NUMQ), ==,
                     1);
    g_assert_cmphex(qvirtio_pci_get_status(d), ==, 0);
    g_assert_cmpuint(qvirtio_pci_config_generation(d), ==, 0);
    g_assert_cmpuint(qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_Q_SELECT),
                     ==, 0);
    g_assert_cmpuint(qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_Q_SIZE),
                     ==, 128);
    g_assert_cmphex(qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_Q_MSIX),
                    ==, 0xffff);
    g_assert_cmpuint(qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_Q_ENABLE),
                     ==, 0);
    g_assert_cmpuint(qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_Q_NOFF),
                     ==, 0);
    g_assert_cmphex(qvirtio_pci_isr(d), ==, 0);

    /* No MSI-X: vectors are refused. */
    qvirtio_pci_common_writew(d, VIRTIO_PCI_COMMON_MSIX, 0);
    g_assert_cmphex(qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_MSIX), ==,
                    0xffff);
    qvirtio_pci_common_writew(d, VIRTIO_PCI_COMMON_Q_MSIX, 1);
    g_assert_cmphex(qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_Q_MSIX),
                    ==, 0xffff);

    /* Queue 1 does not exist; queue_select beyond the maximum is ignored. */
    qvirtio_pci_common_writew(d, VIRTIO_PCI_COMMON_Q_SELECT, 1);
    g_assert_cmpuint(qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_Q_SIZE),
                     ==, 0);
    g_assert_cmpuint(qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_Q_NOFF),
                     ==, 1);
    qvirtio_pci_common_writew(d, VIRTIO_PCI_COMMON_Q_SELECT, 1024);
    g_assert_cmpuint(qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_Q_SELECT),
                     ==, 1);

    /* Past the structure and in the notify region: zeros. */
    g_assert_cmphex(qpci_io_readl(d->pdev, d->bar, 0x40), ==, 0);
    g_assert_cmphex(qpci_io_readl(d->pdev, d->bar, 0x3000), ==, 0);
    /* Past the device config: all ones (virtio-mem's is 0x38 bytes). */
    g_assert_cmphex(qvirtio_pci_config_readl(d, 0x100), ==, 0xffffffff);
    vm_stop(&vm);
}

static void test_features(void)
{
    TestVM vm;
    QVirtioPCIDevice *d;
    uint64_t f;

    vm_start_device(&vm);
    d = vm.dev;
    f = qvirtio_pci_get_features(d);
    g_assert_cmphex(f & (F_VERSION_1 | F_INDIRECT | F_EVENT_IDX), ==,
                    F_VERSION_1 | F_INDIRECT | F_EVENT_IDX);
    /* No legacy-only bits (NOTIFY_ON_EMPTY, ANY_LAYOUT). */
    g_assert_cmphex(f & ((1ULL << 24) | (1ULL << 27)), ==, 0);
    qvirtio_pci_common_writel(d, VIRTIO_PCI_COMMON_DFSELECT, 2);
    g_assert_cmphex(qvirtio_pci_common_readl(d, VIRTIO_PCI_COMMON_DF), ==, 0);
    g_assert_cmpuint(qvirtio_pci_common_readl(d, VIRTIO_PCI_COMMON_DFSELECT),
                     ==, 2);

    qvirtio_pci_set_features(d, F_VERSION_1 | F_EVENT_IDX);
    g_assert_cmphex(qvirtio_pci_get_driver_features(d), ==,
                    F_VERSION_1 | F_EVENT_IDX);
    vm_stop(&vm);
}

static void test_features_ok_refused(void)
{
    TestVM vm;
    QVirtioPCIDevice *d;

    vm_start_device(&vm);
    d = vm.dev;
    /* Without VIRTIO_F_VERSION_1 the device refuses FEATURES_OK. */
    g_assert_false(qvirtio_pci_negotiate(d, F_INDIRECT));
    g_assert_cmphex(qvirtio_pci_get_status(d), ==, S_ACK | S_DRIVER);

    /* Accepted with it; then the status reads back whole. */
    g_assert_true(qvirtio_pci_negotiate(d, F_VERSION_1));
    g_assert_cmphex(qvirtio_pci_get_status(d), ==,
                    S_ACK | S_DRIVER | S_FEATURES_OK);

    /* Writing 0 resets. */
    qvirtio_pci_reset(d);
    g_assert_cmphex(qvirtio_pci_get_status(d), ==, 0);
    vm_stop(&vm);
}

static void test_queue_programming(void)
{
    TestVM vm;
    QVirtioPCIDevice *d;
    QVirtQueue *vq;

    vm_start_device(&vm);
    d = vm.dev;
    g_assert_true(qvirtio_pci_negotiate(d, F_VERSION_1));
    vq = qvirtqueue_setup(d, &vm.alloc, 0);
    g_assert_cmpuint(vq->size, ==, 128);
    g_assert_cmpuint(qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_Q_ENABLE),
                     ==, 1);
    g_assert_cmphex(qvirtio_pci_common_readl(d, VIRTIO_PCI_COMMON_Q_DESCLO),
                    ==, vq->desc);
    g_assert_cmphex(qvirtio_pci_common_readl(d, VIRTIO_PCI_COMMON_Q_DESCHI),
                    ==, 0);
    g_assert_cmphex(qvirtio_pci_common_readl(d, VIRTIO_PCI_COMMON_Q_AVAILLO),
                    ==, vq->avail);
    g_assert_cmphex(qvirtio_pci_common_readl(d, VIRTIO_PCI_COMMON_Q_USEDLO),
                    ==, vq->used);

    /* Reset forgets everything the driver programmed. */
    qvirtio_pci_reset(d);
    g_assert_cmpuint(qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_Q_SELECT),
                     ==, 0);
    g_assert_cmpuint(qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_Q_ENABLE),
                     ==, 0);
    g_assert_cmphex(qvirtio_pci_common_readl(d, VIRTIO_PCI_COMMON_Q_DESCLO),
                    ==, 0);
    g_assert_cmpuint(qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_Q_SIZE),
                     ==, 128);
    qvirtqueue_free(vq);

    /* A smaller power-of-two size is taken; others are ignored. */
    qvirtio_pci_common_writew(d, VIRTIO_PCI_COMMON_Q_SIZE, 64);
    g_assert_cmpuint(qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_Q_SIZE),
                     ==, 64);
    qvirtio_pci_common_writew(d, VIRTIO_PCI_COMMON_Q_SIZE, 256);
    g_assert_cmpuint(qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_Q_SIZE),
                     ==, 64);
    vm_stop(&vm);
}

/* --- The PCI_CFG window --------------------------------------------- */

static void test_pci_cfg_window(void)
{
    TestVM vm;
    QVirtioPCIDevice *d;
    uint8_t data;

    vm_start_device(&vm);
    d = vm.dev;
    data = d->pci_cfg.cap_offset +
           offsetof(struct virtio_pci_cfg_cap, pci_cfg_data);

    /* device_feature_select = 1 through the window, then read it back. */
    qvirtio_pci_cfg_window_write(d, 4, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
    g_assert_cmpuint(qvirtio_pci_common_readl(d, VIRTIO_PCI_COMMON_DFSELECT),
                     ==, 1);
    g_assert_cmphex(qvirtio_pci_cfg_window_read(d, 4, VIRTIO_PCI_COMMON_DF,
                                                4), ==, 1);
    /* Device config (virtio-mem block_size) and 1/2-byte accesses. */
    g_assert_cmphex(qvirtio_pci_cfg_window_read(d, 4, 0x2000, 4), ==,
                    qvirtio_pci_config_readl(d, 0));
    g_assert_cmphex(qvirtio_pci_cfg_window_read(d, 4, 0x2000 + 2, 2), ==,
                    qvirtio_pci_config_readw(d, 2));
    qvirtio_pci_cfg_window_write(d, 4, VIRTIO_PCI_COMMON_STATUS, 1, S_ACK);
    g_assert_cmphex(qvirtio_pci_get_status(d), ==, S_ACK);
    g_assert_cmphex(qvirtio_pci_cfg_window_read(d, 4,
                                                VIRTIO_PCI_COMMON_STATUS, 1),
                    ==, S_ACK);

    /* Another BAR, or a length other than 1/2/4: no access. */
    qpci_config_writel(d->pdev, data, 0x12345678);
    g_assert_cmphex(qvirtio_pci_cfg_window_read(d, 0, 0x2000, 4), ==,
                    0x12345678);
    g_assert_cmphex(qvirtio_pci_cfg_window_read(d, 4, 0x2000, 3), ==,
                    0x12345678);
    qvirtio_pci_cfg_window_write(d, 4, VIRTIO_PCI_COMMON_STATUS, 3, 0);
    g_assert_cmphex(qvirtio_pci_get_status(d), ==, S_ACK);
    vm_stop(&vm);
}

/* --- Interrupts, generation, errors ---------------------------------- */

static void set_requested_size(TestVM *vm, uint64_t size)
{
    qtest_qmp_assert_success(vm->qts,
                             "{'execute': 'qom-set', 'arguments': {"
                             "'path': '" VM_PATH "', "
                             "'property': 'requested-size', "
                             "'value': %" PRIu64 "}}", size);
}

static void test_config_change_after_driver_ok(void)
{
    TestVM vm;
    QVirtioPCIDevice *d;
    QVirtQueue *vq;
    int gsi;

    vm_start_device(&vm);
    d = vm.dev;
    gsi = qvirtio_pci_intx_gsi(d);
    g_assert_cmpint(gsi, >=, 0);
    qtest_irq_intercept_in(vm.qts, "/machine/ioapic");

    /* Before DRIVER_OK: no generation change, no interrupt. */
    g_assert_true(qvirtio_pci_negotiate(d, F_VERSION_1));
    set_requested_size(&vm, 512 * MiB);
    g_assert_cmpuint(qvirtio_pci_config_generation(d), ==, 0);
    g_assert_false(qtest_get_irq(vm.qts, gsi));
    g_assert_cmphex(qvirtio_pci_isr(d), ==, 0);

    vq = qvirtqueue_setup(d, &vm.alloc, 0);
    qvirtio_pci_set_driver_ok(d);
    set_requested_size(&vm, 1 * GiB);
    g_assert_cmpuint(qvirtio_pci_config_generation(d), ==, 1);
    g_assert_true(qtest_get_irq(vm.qts, gsi));
    /* Both ISR bits for a config change; reading clears and lowers. */
    g_assert_cmphex(qvirtio_pci_isr(d), ==, 3);
    g_assert_false(qtest_get_irq(vm.qts, gsi));
    g_assert_cmphex(qvirtio_pci_isr(d), ==, 0);
    qvirtqueue_free(vq);
    vm_stop(&vm);
}

static uint32_t submit_state_request(TestVM *vm, QVirtQueue *vq)
{
    struct virtio_mem_req req = {
        .type = GUINT16_TO_LE(VIRTIO_MEM_REQ_STATE),
    };
    uint64_t req_addr = guest_alloc(&vm->alloc, sizeof(req));
    uint64_t resp_addr = guest_alloc(&vm->alloc, 64);
    uint32_t head;

    req.u.state.addr = GUINT64_TO_LE(qvirtio_pci_config_readq(vm->dev,
        offsetof(struct virtio_mem_config, addr)));
    req.u.state.nb_blocks = GUINT16_TO_LE(1);
    qtest_memwrite(vm->qts, req_addr, &req, sizeof(req));
    head = qvirtqueue_add(vq, req_addr, sizeof(req), false, true);
    qvirtqueue_add(vq, resp_addr, 64, true, false);
    qvirtqueue_kick(vq, head);
    return head;
}

static void test_request_and_intx(void)
{
    TestVM vm;
    QVirtQueue *vq;
    uint32_t head, id, len;
    int gsi;

    vm_start_device(&vm);
    gsi = qvirtio_pci_intx_gsi(vm.dev);
    qtest_irq_intercept_in(vm.qts, "/machine/ioapic");
    vq = vm_bring_up(&vm);

    head = submit_state_request(&vm, vq);
    g_assert_true(qvirtqueue_get_buf(vq, &id, &len));
    g_assert_cmpuint(id, ==, head);
    g_assert_cmpuint(len, >=, 2);
    g_assert_true(qtest_get_irq(vm.qts, gsi));
    g_assert_cmphex(qvirtio_pci_isr(vm.dev), ==, 1);
    g_assert_false(qtest_get_irq(vm.qts, gsi));
    g_assert_cmphex(qvirtio_pci_get_status(vm.dev) & S_NEEDS_RESET, ==, 0);
    qvirtqueue_free(vq);
    vm_stop(&vm);
}

static void test_malformed_chain_needs_reset(void)
{
    TestVM vm;
    QVirtQueue *vq;
    uint64_t buf;

    vm_start_device(&vm);
    vq = vm_bring_up(&vm);
    buf = guest_alloc(&vm.alloc, 4096);

    /* Descriptors 0 and 1 point at each other. */
    qvirtqueue_write_desc(vq, 0, buf, 16, VRING_DESC_F_NEXT, 1);
    qvirtqueue_write_desc(vq, 1, buf, 16, VRING_DESC_F_NEXT, 0);
    qvirtqueue_kick(vq, 0);
    g_assert_cmphex(qvirtio_pci_get_status(vm.dev), ==,
                    S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK |
                    S_NEEDS_RESET);
    g_assert_cmpuint(qvirtio_pci_config_generation(vm.dev), ==, 1);
    g_assert_cmphex(qvirtio_pci_isr(vm.dev), ==, 3);
    g_assert_cmpuint(qvirtqueue_used_idx(vq), ==, 0);

    /* A valid request is not processed until reset. */
    vq->free_head = 2;
    submit_state_request(&vm, vq);
    g_assert_cmpuint(qvirtqueue_used_idx(vq), ==, 0);
    qvirtqueue_free(vq);

    vq = vm_bring_up(&vm);
    submit_state_request(&vm, vq);
    g_assert_cmpuint(qvirtqueue_used_idx(vq), ==, 1);
    g_assert_cmphex(qvirtio_pci_get_status(vm.dev), ==,
                    S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    qvirtqueue_free(vq);
    vm_stop(&vm);
}

static void test_event_idx(void)
{
    TestVM vm;
    QVirtioPCIDevice *d;
    QVirtQueue *vq;
    uint64_t used_event, avail_event;

    vm_start_device(&vm);
    d = vm.dev;
    qtest_irq_intercept_in(vm.qts, "/machine/ioapic");
    qvirtio_pci_reset(d);
    g_assert_true(qvirtio_pci_negotiate(d, F_VERSION_1 | F_EVENT_IDX));
    vq = qvirtqueue_setup(d, &vm.alloc, 0);
    qvirtio_pci_set_driver_ok(d);
    used_event = vq->avail + 4 + 2 * vq->size;
    avail_event = vq->used + 4 + 8 * vq->size;

    /* The first used buffer always interrupts (nothing signalled yet). */
    submit_state_request(&vm, vq);
    g_assert_cmpuint(qvirtqueue_used_idx(vq), ==, 1);
    g_assert_cmphex(qvirtio_pci_isr(d), ==, 1);
    g_assert_cmpuint(qtest_readw(vm.qts, avail_event), ==, 1);

    /* used_event 5: used idx 2 does not cross it. */
    qtest_writew(vm.qts, used_event, 5);
    submit_state_request(&vm, vq);
    g_assert_cmpuint(qvirtqueue_used_idx(vq), ==, 2);
    g_assert_cmphex(qvirtio_pci_isr(d), ==, 0);
    g_assert_false(qtest_get_irq(vm.qts, qvirtio_pci_intx_gsi(d)));
    g_assert_cmpuint(qtest_readw(vm.qts, avail_event), ==, 2);

    /* used_event 2: used idx 3 crosses it. */
    qtest_writew(vm.qts, used_event, 2);
    submit_state_request(&vm, vq);
    g_assert_cmpuint(qvirtqueue_used_idx(vq), ==, 3);
    g_assert_true(qtest_get_irq(vm.qts, qvirtio_pci_intx_gsi(d)));
    g_assert_cmphex(qvirtio_pci_isr(d), ==, 1);
    qvirtqueue_free(vq);
    vm_stop(&vm);
}

static void test_system_reset(void)
{
    TestVM vm;
    QVirtioPCIDevice *d;
    QVirtQueue *vq;

    vm_start_device(&vm);
    d = vm.dev;
    vq = vm_bring_up(&vm);
    qtest_qmp_assert_success(vm.qts, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(vm.qts, "RESET");
    /* The BAR is unmapped by the PCI reset: map it again. */
    qpci_iomap(d->pdev, 4, NULL);
    qpci_device_enable(d->pdev);
    g_assert_cmphex(qvirtio_pci_get_status(d), ==, 0);
    g_assert_cmpuint(qvirtio_pci_common_readw(d, VIRTIO_PCI_COMMON_Q_ENABLE),
                     ==, 0);
    g_assert_cmphex(qvirtio_pci_common_readl(d, VIRTIO_PCI_COMMON_Q_DESCLO),
                    ==, 0);
    qvirtqueue_free(vq);
    vm_stop(&vm);
}

/*
 * A guest scribbling over every register, with queues pointing at random
 * memory, must neither crash the VM nor keep the device from working
 * after a reset.  Deterministic: a fixed seed.
 */
/* Mostly plausible: buffers in guest RAM, short chains, any flags. */
static void random_desc(QVirtQueue *vq, GRand *rand, uint16_t i)
{
    uint64_t addr = g_rand_int_range(rand, 0, 8) ?
                    16 * MiB + g_rand_int_range(rand, 0, 16 * MiB) :
                    ((uint64_t)g_rand_int(rand) << 32) | g_rand_int(rand);

    qvirtqueue_write_desc(vq, i, addr, g_rand_int_range(rand, 0, 0x2000),
                          g_rand_int_range(rand, 0, 8),
                          g_rand_int_range(rand, 0, vq->size + 2));
}

static void test_random_register_writes(void)
{
    TestVM vm;
    QVirtioPCIDevice *d;
    QVirtQueue *vq = NULL;
    GRand *rand = g_rand_new_with_seed(42);
    int i, j;

    vm_start_device(&vm);
    d = vm.dev;
    for (i = 0; i < 3000; i++) {
        static const uint32_t regions[] = { 0x0, 0x1000, 0x2000, 0x3000 };
        uint32_t off = regions[g_rand_int_range(rand, 0, 4)] +
                       g_rand_int_range(rand, 0, 0x48);
        uint32_t val = g_rand_int(rand);

        /* A fresh driver every 100 steps, so that queues get used. */
        if (i % 100 == 0) {
            if (vq) {
                qvirtqueue_free(vq);
            }
            qpci_device_enable(d->pdev);
            qvirtio_pci_reset(d);
            g_assert_true(qvirtio_pci_negotiate(d, F_VERSION_1 | F_INDIRECT |
                                                F_EVENT_IDX));
            vq = qvirtqueue_setup(d, &vm.alloc, 0);
            qvirtio_pci_set_driver_ok(d);
            for (j = 0; j < vq->size; j++) {
                random_desc(vq, rand, j);
            }
        }
        switch (g_rand_int_range(rand, 0, 6)) {
        case 0:
            qpci_io_writeb(d->pdev, d->bar, off, val);
            break;
        case 1:
            qpci_io_writew(d->pdev, d->bar, off & ~1u, val);
            break;
        case 2:
            qpci_io_writel(d->pdev, d->bar, off & ~3u, val);
            break;
        case 3:
        case 4:
            /* Garbage descriptors and avail entries, then a kick. */
            random_desc(vq, rand, g_rand_int_range(rand, 0, vq->size));
            qtest_writew(vm.qts, vq->avail + 4 +
                         2 * g_rand_int_range(rand, 0, vq->size),
                         g_rand_int_range(rand, 0, vq->size + 2));
            qvirtqueue_publish(vq, g_rand_int_range(rand, 0, vq->size));
            qvirtqueue_notify(vq);
            break;
        default:
            qpci_io_readl(d->pdev, d->bar, off & ~3u);
            break;
        }
    }
    g_rand_free(rand);
    qvirtqueue_free(vq);

    /* A reset brings the device back to a working state. */
    vq = vm_bring_up(&vm);
    submit_state_request(&vm, vq);
    g_assert_cmpuint(qvirtqueue_used_idx(vq), ==, 1);
    qvirtqueue_free(vq);
    vm_stop(&vm);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/virtio-pci/identity", test_identity);
    qtest_add_func("/virtio-pci/capabilities", test_capabilities);
    qtest_add_func("/virtio-pci/common-defaults", test_common_defaults);
    qtest_add_func("/virtio-pci/features", test_features);
    qtest_add_func("/virtio-pci/features-ok-refused",
                   test_features_ok_refused);
    qtest_add_func("/virtio-pci/queue-programming", test_queue_programming);
    qtest_add_func("/virtio-pci/pci-cfg-window", test_pci_cfg_window);
    qtest_add_func("/virtio-pci/config-change-after-driver-ok",
                   test_config_change_after_driver_ok);
    qtest_add_func("/virtio-pci/request-and-intx", test_request_and_intx);
    qtest_add_func("/virtio-pci/malformed-chain-needs-reset",
                   test_malformed_chain_needs_reset);
    qtest_add_func("/virtio-pci/event-idx", test_event_idx);
    qtest_add_func("/virtio-pci/system-reset", test_system_reset);
    qtest_add_func("/virtio-pci/random-register-writes",
                   test_random_register_writes);
    return g_test_run();
}
