/*
 * virtio-mem-pci driven like a guest driver would: the virtio-pci
 * handshake, the configuration space, every request type with its exact
 * answers, guest data in plugged memory, host memory given back on
 * unplug, requested-size changes, resets, protocol violations and the
 * MEMORY_DEVICE_SIZE_CHANGE event.
 */
#include "qemu/osdep.h"
#include <sys/wait.h>
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mem.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>
#include "libqtest.h"
#include "libqos/malloc.h"
#include "libqos/pci.h"
#include "libqos/virtio-pci.h"

#define MIB (1024ULL * 1024)
#define GIB (1024 * MIB)

#define MACHINE "-machine pc -m 1G,maxmem=9G,slots=1 "
#define DEV_ADDR 0x100000000ULL     /* first device in device memory */
#define BLOCK (2 * MIB)

/* Guest RAM for the driver's rings and buffers. */
#define ALLOC_START (16 * MIB)
#define ALLOC_END (32 * MIB)

/* ---- the guest driver side, over libqos' virtio-pci driver ---- */

typedef struct VMem {
    QTestState *qts;
    QPCIBus *bus;
    QGuestAllocator alloc;
    QVirtioPCIDevice *dev;
    QVirtQueue *vq;
    uint64_t req, resp;     /* guest addresses of the request buffers */
} VMem;

/* Find the device (00:02.0: the first -device) and map its BAR. */
static void vmem_map(VMem *d)
{
    if (d->vq) {
        qvirtqueue_free(d->vq);
        d->vq = NULL;
    }
    if (d->dev) {
        qvirtio_pci_free(d->dev);
    }
    d->dev = qvirtio_pci_new(d->bus, QPCI_DEVFN(2, 0));
    g_assert_nonnull(d->dev);
}

static void vmem_init(VMem *d, QTestState *qts)
{
    memset(d, 0, sizeof(*d));
    d->qts = qts;
    d->bus = qpci_new_pc(qts);
    alloc_init(&d->alloc, qts, ALLOC_START, ALLOC_END);
    d->req = guest_alloc(&d->alloc, 4096);
    d->resp = guest_alloc(&d->alloc, 4096);
    vmem_map(d);
}

/* Free the driver side; the VM must still be running. */
static void vmem_quit(VMem *d)
{
    if (d->vq) {
        qvirtqueue_free(d->vq);
    }
    qvirtio_pci_free(d->dev);
    qpci_free_pc(d->bus);
    qtest_quit(d->qts);
}

static uint8_t vmem_status(VMem *d)
{
    return qvirtio_pci_get_status(d->dev);
}

static void vmem_set_status(VMem *d, uint8_t status)
{
    qvirtio_pci_set_status(d->dev, status);
}

static uint64_t vmem_device_features(VMem *d)
{
    return qvirtio_pci_get_features(d->dev);
}

/* Reset, then negotiate @features; returns whether FEATURES_OK stuck. */
static bool vmem_negotiate(VMem *d, uint64_t features)
{
    qvirtio_pci_reset(d->dev);
    return qvirtio_pci_negotiate(d->dev, features);
}

/* Negotiate @features, set up queue 0 and set DRIVER_OK. */
static void vmem_start_features(VMem *d, uint64_t features)
{
    g_assert_true(vmem_negotiate(d, features));
    if (d->vq) {
        qvirtqueue_free(d->vq);
    }
    d->vq = qvirtqueue_setup(d->dev, &d->alloc, 0);
    qvirtio_pci_set_driver_ok(d->dev);
}

static void vmem_start(VMem *d)
{
    uint64_t offered = vmem_device_features(d);

    vmem_start_features(d, offered &
                        ((1ULL << VIRTIO_F_VERSION_1) |
                         (1ULL << VIRTIO_MEM_F_ACPI_PXM) |
                         (1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE)));
}

#define CFG(d, field) qvirtio_pci_config_readq((d)->dev, \
    offsetof(struct virtio_mem_config, field))

static uint8_t vmem_generation(VMem *d)
{
    return qvirtio_pci_config_generation(d->dev);
}

/*
 * Post a chain of @out_len bytes to read (the request buffer) and @in_len
 * bytes to write (the response buffer), kick, and return whether the
 * device used it.
 */
static bool vmem_submit(VMem *d, uint32_t out_len, uint32_t in_len)
{
    uint32_t head, len;

    head = qvirtqueue_add(d->vq, d->req, out_len, false, true);
    qvirtqueue_add(d->vq, d->resp, in_len, true, false);
    qvirtqueue_kick(d->vq, head);
    if (!qvirtqueue_get_buf(d->vq, NULL, &len)) {
        return false;
    }
    g_assert_cmpuint(len, ==, sizeof(struct virtio_mem_resp));
    return true;
}

/* One request; returns the response type (and the STATE answer). */
static uint16_t vmem_request(VMem *d, uint16_t type, uint64_t addr,
                             uint16_t nb_blocks, uint16_t *state)
{
    struct virtio_mem_req req = {
        .type = GUINT16_TO_LE(type),
        .u.plug.addr = GUINT64_TO_LE(addr),
        .u.plug.nb_blocks = GUINT16_TO_LE(nb_blocks),
    };
    struct virtio_mem_resp resp;

    qtest_memwrite(d->qts, d->req, &req, sizeof(req));
    qtest_memset(d->qts, d->resp, 0xff, sizeof(resp));
    g_assert_true(vmem_submit(d, sizeof(req), sizeof(resp)));
    qtest_memread(d->qts, d->resp, &resp, sizeof(resp));
    if (state) {
        *state = GUINT16_FROM_LE(resp.u.state.state);
    }
    return GUINT16_FROM_LE(resp.type);
}

static uint16_t plug(VMem *d, uint64_t addr, uint16_t nb_blocks)
{
    return vmem_request(d, VIRTIO_MEM_REQ_PLUG, addr, nb_blocks, NULL);
}

static uint16_t unplug(VMem *d, uint64_t addr, uint16_t nb_blocks)
{
    return vmem_request(d, VIRTIO_MEM_REQ_UNPLUG, addr, nb_blocks, NULL);
}

static uint16_t unplug_all(VMem *d)
{
    return vmem_request(d, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0, NULL);
}

/* The STATE answer; asserts the request was ACKed. */
static uint16_t state(VMem *d, uint64_t addr, uint16_t nb_blocks)
{
    uint16_t st = 0xffff;

    g_assert_cmpint(vmem_request(d, VIRTIO_MEM_REQ_STATE, addr, nb_blocks,
                                 &st), ==, VIRTIO_MEM_RESP_ACK);
    return st;
}

/* ---- helpers over QMP ---- */

static uint64_t plugged_size(QTestState *qts)
{
    return qtest_qom_get_int(qts, "vm0", "size");
}

static void set_requested_size(QTestState *qts, uint64_t size)
{
    qtest_qmp_assert_success(qts, "{'execute': 'qom-set', 'arguments': "
                             "{'path': 'vm0', 'property': 'requested-size', "
                             "'value': %" PRIu64 "}}", size);
}

static char *qom_set_error(QTestState *qts, const char *prop, uint64_t value)
{
    JsonObject *resp = qtest_qmp(qts, "{'execute': 'qom-set', 'arguments': "
                                 "{'path': 'vm0', 'property': '%s', "
                                 "'value': %" PRIu64 "}}", prop, value);
    JsonObject *error;
    char *desc;

    g_assert_true(json_object_has_member(resp, "error"));
    error = json_object_get_object_member(resp, "error");
    g_assert_cmpstr(json_object_get_string_member(error, "class"), ==,
                    "GenericError");
    desc = g_strdup(json_object_get_string_member(error, "desc"));
    json_object_unref(resp);
    return desc;
}

static void assert_qom_str(QTestState *qts, const char *prop,
                           const char *expected)
{
    JsonNode *value = qtest_qom_get(qts, "vm0", prop);

    g_assert_cmpstr(json_node_get_string(value), ==, expected);
    json_node_unref(value);
}

static QTestState *start_vm(const char *backend, const char *device_opts)
{
    return qtest_initf(MACHINE "-object %s,id=mem0 "
                       "-device virtio-mem-pci,id=vm0,memdev=mem0%s%s",
                       backend, *device_opts ? "," : "", device_opts);
}

/* ---- tests ---- */

static void test_features(void)
{
    /* memfd: unplugged memory could be populated by reads -> on */
    QTestState *qts = start_vm("memory-backend-memfd,size=1G", "");
    uint64_t version1 = 1ULL << VIRTIO_F_VERSION_1;
    uint64_t pxm = 1ULL << VIRTIO_MEM_F_ACPI_PXM;
    uint64_t inaccessible = 1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE;
    VMem d;

    vmem_init(&d, qts);
    g_assert_cmphex(vmem_device_features(&d) & (version1 | 0xffffff), ==,
                    version1 | pxm | inaccessible);
    g_assert_false(vmem_negotiate(&d, version1 | pxm));
    g_assert_true(vmem_negotiate(&d, version1 | inaccessible));
    assert_qom_str(qts, "unplugged-inaccessible", "on");
    vmem_quit(&d);

    /* private anonymous memory reads the shared zero page -> off */
    qts = start_vm("memory-backend-ram,size=1G", "");
    vmem_init(&d, qts);
    g_assert_cmphex(vmem_device_features(&d) & (version1 | 0xffffff), ==,
                    version1 | pxm);
    g_assert_true(vmem_negotiate(&d, version1));
    assert_qom_str(qts, "unplugged-inaccessible", "off");
    vmem_quit(&d);

    /* explicitly on */
    qts = start_vm("memory-backend-ram,size=1G", "unplugged-inaccessible=on");
    vmem_init(&d, qts);
    g_assert_cmphex(vmem_device_features(&d) & inaccessible, ==,
                    inaccessible);
    g_assert_false(vmem_negotiate(&d, version1));
    vmem_quit(&d);
}

static void test_config(void)
{
    QTestState *qts = start_vm("memory-backend-ram,size=1G",
                               "requested-size=16M");
    VMem d;

    vmem_init(&d, qts);
    vmem_start(&d);
    g_assert_cmphex(CFG(&d, block_size), ==, BLOCK);
    g_assert_cmphex(qvirtio_pci_config_readw(d.dev,
                                offsetof(struct virtio_mem_config, node_id)),
                    ==, 0);
    g_assert_cmphex(CFG(&d, addr), ==, DEV_ADDR);
    g_assert_cmphex(CFG(&d, region_size), ==, 1 * GIB);
    g_assert_cmphex(CFG(&d, usable_region_size), ==, 16 * MIB + 256 * MIB);
    g_assert_cmphex(CFG(&d, plugged_size), ==, 0);
    g_assert_cmphex(CFG(&d, requested_size), ==, 16 * MIB);
    vmem_quit(&d);

    /* the usable region is capped by the region, empty without request */
    qts = start_vm("memory-backend-ram,size=128M", "requested-size=64M");
    vmem_init(&d, qts);
    g_assert_cmphex(CFG(&d, usable_region_size), ==, 128 * MIB);
    vmem_quit(&d);
    qts = start_vm("memory-backend-ram,size=128M", "");
    vmem_init(&d, qts);
    g_assert_cmphex(CFG(&d, usable_region_size), ==, 0);
    vmem_quit(&d);

    /* as in QEMU 7.2, realize accepts a request beyond the region */
    qts = start_vm("memory-backend-ram,size=128M", "requested-size=1G");
    vmem_init(&d, qts);
    g_assert_cmphex(CFG(&d, requested_size), ==, 1 * GIB);
    g_assert_cmphex(CFG(&d, usable_region_size), ==, 128 * MIB);
    vmem_quit(&d);

    /* rounded up to the block size */
    qts = start_vm("memory-backend-ram,size=2G",
                   "block-size=128M,requested-size=128M");
    vmem_init(&d, qts);
    g_assert_cmphex(CFG(&d, block_size), ==, 128 * MIB);
    g_assert_cmphex(CFG(&d, usable_region_size), ==, 384 * MIB);
    vmem_quit(&d);
}

static void test_plug_unplug(void)
{
    QTestState *qts = start_vm("memory-backend-ram,size=1G",
                               "requested-size=16M");
    const char data[] = "virtio-mem keeps this";
    char buf[sizeof(data)];
    JsonNode *summary;
    VMem d;

    vmem_init(&d, qts);
    vmem_start(&d);

    g_assert_cmpint(state(&d, DEV_ADDR, 8), ==, VIRTIO_MEM_STATE_UNPLUGGED);
    g_assert_cmpint(plug(&d, DEV_ADDR, 2), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(state(&d, DEV_ADDR, 2), ==, VIRTIO_MEM_STATE_PLUGGED);
    g_assert_cmpint(state(&d, DEV_ADDR, 3), ==, VIRTIO_MEM_STATE_MIXED);
    g_assert_cmpint(state(&d, DEV_ADDR + 2 * BLOCK, 1), ==,
                    VIRTIO_MEM_STATE_UNPLUGGED);
    g_assert_cmpuint(plugged_size(qts), ==, 2 * BLOCK);
    g_assert_cmphex(CFG(&d, plugged_size), ==, 2 * BLOCK);
    summary = qtest_qmp_assert_success(qts, "{'execute': "
                                       "'query-memory-size-summary'}");
    g_assert_cmpuint(json_object_get_int_member(json_node_get_object(summary),
                                                "plugged-memory"), ==,
                     2 * BLOCK);

    /* guest data in plugged memory stays */
    qtest_memwrite(qts, DEV_ADDR + BLOCK + 100, data, sizeof(data));
    qtest_memread(qts, DEV_ADDR + BLOCK + 100, buf, sizeof(buf));
    g_assert_cmpstr(buf, ==, data);

    /* plugging a plugged block, or (partly) beyond the request */
    g_assert_cmpint(plug(&d, DEV_ADDR + BLOCK, 1), ==, VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpint(plug(&d, DEV_ADDR + 2 * BLOCK, 7), ==,
                    VIRTIO_MEM_RESP_NACK);
    g_assert_cmpint(plug(&d, DEV_ADDR + 2 * BLOCK, 6), ==,
                    VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(plugged_size(qts), ==, 16 * MIB);
    g_assert_cmpint(plug(&d, DEV_ADDR + 8 * BLOCK, 1), ==,
                    VIRTIO_MEM_RESP_NACK);

    /* unplugging unplugged or mixed ranges */
    g_assert_cmpint(unplug(&d, DEV_ADDR + 8 * BLOCK, 1), ==,
                    VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpint(unplug(&d, DEV_ADDR + 7 * BLOCK, 2), ==,
                    VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpuint(plugged_size(qts), ==, 16 * MIB);

    /* the data survived all of that; unplugged memory reads 0 */
    qtest_memread(qts, DEV_ADDR + BLOCK + 100, buf, sizeof(buf));
    g_assert_cmpstr(buf, ==, data);
    g_assert_cmpint(unplug(&d, DEV_ADDR, 2), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(plugged_size(qts), ==, 12 * MIB);
    g_assert_cmpint(state(&d, DEV_ADDR, 2), ==, VIRTIO_MEM_STATE_UNPLUGGED);
    g_assert_cmphex(qtest_readq(qts, DEV_ADDR + BLOCK + 96), ==, 0);
    g_assert_cmphex(qtest_readq(qts, DEV_ADDR + BLOCK + 104), ==, 0);

    /* plugged again: fresh zeroed memory */
    g_assert_cmpint(plug(&d, DEV_ADDR, 2), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmphex(qtest_readq(qts, DEV_ADDR + BLOCK + 104), ==, 0);
    vmem_quit(&d);
}

static void test_range_errors(void)
{
    QTestState *qts = start_vm("memory-backend-ram,size=1G",
                               "requested-size=16M");
    uint64_t usable_end = DEV_ADDR + 272 * MIB;
    static const uint16_t types[] = {
        VIRTIO_MEM_REQ_PLUG, VIRTIO_MEM_REQ_UNPLUG, VIRTIO_MEM_REQ_STATE,
    };
    VMem d;

    vmem_init(&d, qts);
    vmem_start(&d);
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
        uint16_t t = types[i];

        /* misaligned, empty, below, beyond the usable region, overflow */
        g_assert_cmpint(vmem_request(&d, t, DEV_ADDR + 4096, 1, NULL), ==,
                        VIRTIO_MEM_RESP_ERROR);
        g_assert_cmpint(vmem_request(&d, t, DEV_ADDR, 0, NULL), ==,
                        VIRTIO_MEM_RESP_ERROR);
        g_assert_cmpint(vmem_request(&d, t, DEV_ADDR - BLOCK, 1, NULL), ==,
                        VIRTIO_MEM_RESP_ERROR);
        g_assert_cmpint(vmem_request(&d, t, usable_end, 1, NULL), ==,
                        VIRTIO_MEM_RESP_ERROR);
        g_assert_cmpint(vmem_request(&d, t, usable_end - BLOCK, 2, NULL), ==,
                        VIRTIO_MEM_RESP_ERROR);
        g_assert_cmpint(vmem_request(&d, t, DEV_ADDR + 1 * GIB, 1, NULL), ==,
                        VIRTIO_MEM_RESP_ERROR);
        g_assert_cmpint(vmem_request(&d, t, UINT64_MAX - BLOCK + 1, 2, NULL),
                        ==, VIRTIO_MEM_RESP_ERROR);
    }
    /* range errors win over the size check (this is also > requested) */
    g_assert_cmpint(plug(&d, usable_end - BLOCK, 100), ==,
                    VIRTIO_MEM_RESP_ERROR);
    /* inside the usable region but beyond the request: NACK */
    g_assert_cmpint(plug(&d, usable_end - 9 * BLOCK, 9), ==,
                    VIRTIO_MEM_RESP_NACK);
    g_assert_cmpint(plug(&d, usable_end - 8 * BLOCK, 8), ==,
                    VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(plugged_size(qts), ==, 16 * MIB);
    vmem_quit(&d);
}

static void test_unplug_all(void)
{
    QTestState *qts = start_vm("memory-backend-ram,size=1G",
                               "requested-size=64M");
    VMem d;

    vmem_init(&d, qts);
    vmem_start(&d);
    g_assert_cmpint(unplug_all(&d), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(plug(&d, DEV_ADDR, 4), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(plug(&d, DEV_ADDR + 10 * BLOCK, 3), ==,
                    VIRTIO_MEM_RESP_ACK);
    qtest_writeq(qts, DEV_ADDR + 10 * BLOCK, 0x1234567890abcdefULL);
    g_assert_cmphex(CFG(&d, usable_region_size), ==, 320 * MIB);

    /* a smaller request does not shrink the usable region ... */
    set_requested_size(qts, 16 * MIB);
    g_assert_cmphex(CFG(&d, usable_region_size), ==, 320 * MIB);
    g_assert_cmphex(CFG(&d, requested_size), ==, 16 * MIB);

    /* ... unplugging everything does */
    g_assert_cmpint(unplug_all(&d), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(plugged_size(qts), ==, 0);
    g_assert_cmphex(CFG(&d, plugged_size), ==, 0);
    g_assert_cmphex(CFG(&d, usable_region_size), ==, 272 * MIB);
    g_assert_cmpint(state(&d, DEV_ADDR, 136), ==, VIRTIO_MEM_STATE_UNPLUGGED);
    g_assert_cmphex(qtest_readq(qts, DEV_ADDR + 10 * BLOCK), ==, 0);
    g_assert_cmpint(unplug_all(&d), ==, VIRTIO_MEM_RESP_ACK);
    vmem_quit(&d);
}

static void test_requested_size(void)
{
    QTestState *qts = start_vm("memory-backend-ram,size=1G",
                               "requested-size=16M");
    g_autofree char *err1 = NULL, *err2 = NULL, *err3 = NULL;
    uint8_t gen;
    VMem d;

    vmem_init(&d, qts);
    vmem_start(&d);
    qvirtio_pci_isr(d.dev);         /* clear */
    gen = vmem_generation(&d);

    set_requested_size(qts, 32 * MIB);
    g_assert_cmphex(CFG(&d, requested_size), ==, 32 * MIB);
    g_assert_cmphex(CFG(&d, usable_region_size), ==, 288 * MIB);
    g_assert_cmpint(vmem_generation(&d), !=, gen);
    g_assert_cmphex(qvirtio_pci_isr(d.dev) & VIRTIO_PCI_ISR_CONFIG, ==,
                    VIRTIO_PCI_ISR_CONFIG);
    g_assert_cmpuint(qtest_qom_get_int(qts, "vm0", "requested-size"), ==,
                     32 * MIB);
    /* the driver may now plug more */
    g_assert_cmpint(plug(&d, DEV_ADDR, 16), ==, VIRTIO_MEM_RESP_ACK);

    err1 = qom_set_error(qts, "requested-size", 1000);
    g_assert_cmpstr(err1, ==, "'requested-size' has to be multiples of "
                    "'block-size' (0x200000)");
    err2 = qom_set_error(qts, "requested-size", 2 * GIB);
    g_assert_cmpstr(err2, ==, "'requested-size' cannot exceed the memory "
                    "backend size(0x40000000)");
    err3 = qom_set_error(qts, "block-size", 4 * MIB);
    g_assert_cmpstr(err3, ==, "'block-size' cannot be changed");
    g_assert_cmphex(CFG(&d, requested_size), ==, 32 * MIB);
    g_assert_cmphex(CFG(&d, block_size), ==, BLOCK);

    /* the guest is asked to give memory back: its plugged memory stays */
    set_requested_size(qts, 0);
    g_assert_cmphex(CFG(&d, requested_size), ==, 0);
    g_assert_cmpuint(plugged_size(qts), ==, 32 * MIB);
    g_assert_cmpint(plug(&d, DEV_ADDR + 16 * BLOCK, 1), ==,
                    VIRTIO_MEM_RESP_NACK);
    g_assert_cmpint(unplug(&d, DEV_ADDR, 16), ==, VIRTIO_MEM_RESP_ACK);
    vmem_quit(&d);
}

static void test_resets(void)
{
    QTestState *qts = start_vm("memory-backend-ram,size=1G",
                               "requested-size=64M");
    VMem d;

    vmem_init(&d, qts);
    vmem_start(&d);
    g_assert_cmpint(plug(&d, DEV_ADDR, 4), ==, VIRTIO_MEM_RESP_ACK);
    qtest_writeq(qts, DEV_ADDR, 0xfeedULL);

    /* a virtio reset keeps plugged memory and its contents */
    vmem_set_status(&d, 0);
    g_assert_cmpuint(plugged_size(qts), ==, 4 * BLOCK);
    vmem_start(&d);
    g_assert_cmpint(state(&d, DEV_ADDR, 4), ==, VIRTIO_MEM_STATE_PLUGGED);
    g_assert_cmphex(qtest_readq(qts, DEV_ADDR), ==, 0xfeedULL);

    /* a system reset unplugs everything and shrinks the usable region */
    set_requested_size(qts, 16 * MIB);
    g_assert_cmphex(CFG(&d, usable_region_size), ==, 320 * MIB);
    qtest_qmp_assert_success(qts, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(qts, "RESET");
    g_assert_cmpuint(plugged_size(qts), ==, 0);
    g_assert_cmphex(qtest_readq(qts, DEV_ADDR), ==, 0);
    vmem_map(&d);
    vmem_start(&d);
    g_assert_cmphex(CFG(&d, usable_region_size), ==, 272 * MIB);
    g_assert_cmphex(CFG(&d, plugged_size), ==, 0);
    g_assert_cmpint(state(&d, DEV_ADDR, 4), ==, VIRTIO_MEM_STATE_UNPLUGGED);
    vmem_quit(&d);
}

/* Request type, request length, response room: each breaks the device. */
static void check_violation(VMem *d, uint16_t type, uint32_t out_len,
                            uint32_t in_len)
{
    struct virtio_mem_req req = { .type = GUINT16_TO_LE(type) };

    vmem_start(d);
    qtest_memwrite(d->qts, d->req, &req, sizeof(req));
    g_assert_false(vmem_submit(d, out_len, in_len));
    g_assert_cmphex(vmem_status(d) & VIRTIO_CONFIG_S_NEEDS_RESET, ==,
                    VIRTIO_CONFIG_S_NEEDS_RESET);
    /* the VM still answers, the device stays broken until reset */
    g_assert_cmpuint(plugged_size(d->qts), ==, 0);
    req.type = GUINT16_TO_LE(VIRTIO_MEM_REQ_UNPLUG_ALL);
    qtest_memwrite(d->qts, d->req, &req, sizeof(req));
    g_assert_false(vmem_submit(d, sizeof(req),
                               sizeof(struct virtio_mem_resp)));
}

static void test_protocol_violations(void)
{
    QTestState *qts = start_vm("memory-backend-ram,size=1G",
                               "requested-size=16M");
    VMem d;

    vmem_init(&d, qts);
    check_violation(&d, 4, sizeof(struct virtio_mem_req),
                    sizeof(struct virtio_mem_resp));
    check_violation(&d, 0xffff, sizeof(struct virtio_mem_req),
                    sizeof(struct virtio_mem_resp));
    check_violation(&d, VIRTIO_MEM_REQ_STATE,
                    sizeof(struct virtio_mem_req) - 1,
                    sizeof(struct virtio_mem_resp));
    check_violation(&d, VIRTIO_MEM_REQ_UNPLUG_ALL,
                    sizeof(struct virtio_mem_req),
                    sizeof(struct virtio_mem_resp) - 1);

    /* after a reset the device works again */
    vmem_start(&d);
    g_assert_cmpint(plug(&d, DEV_ADDR, 1), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(vmem_status(&d) & VIRTIO_CONFIG_S_NEEDS_RESET, ==, 0);
    vmem_quit(&d);
}

/* A chain the virtio core cannot walk breaks the device, not the VM. */
static void test_malformed_chain(void)
{
    QTestState *qts = start_vm("memory-backend-ram,size=1G",
                               "requested-size=16M");
    struct virtio_mem_req req = {
        .type = GUINT16_TO_LE(VIRTIO_MEM_REQ_UNPLUG_ALL),
    };
    VMem d;

    vmem_init(&d, qts);
    vmem_start(&d);
    qtest_memwrite(qts, d.req, &req, sizeof(req));
    /* the request points at a descriptor beyond the queue */
    qvirtqueue_write_desc(d.vq, 0, d.req, sizeof(req), VRING_DESC_F_NEXT,
                          d.vq->size + 5);
    qvirtqueue_kick(d.vq, 0);
    g_assert_false(qvirtqueue_get_buf(d.vq, NULL, NULL));
    g_assert_cmphex(vmem_status(&d) & VIRTIO_CONFIG_S_NEEDS_RESET, ==,
                    VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_cmpuint(plugged_size(qts), ==, 0);

    vmem_start(&d);
    g_assert_cmpint(plug(&d, DEV_ADDR, 1), ==, VIRTIO_MEM_RESP_ACK);
    vmem_quit(&d);
}

static uint64_t rss_kib(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
    g_autofree char *text = NULL;
    const char *line;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    line = strstr(text, "\nVmRSS:");
    g_assert_nonnull(line);
    return g_ascii_strtoull(line + strlen("\nVmRSS:"), NULL, 10);
}

/* Unplugged memory is really given back to the host. */
static void test_unplug_frees_memory(void)
{
    QTestState *qts = start_vm("memory-backend-ram,size=1G",
                               "requested-size=512M");
    pid_t pid = qtest_pid(qts);
    uint64_t before, filled, after;
    VMem d;

    vmem_init(&d, qts);
    vmem_start(&d);
    before = rss_kib(pid);
    g_assert_cmpint(plug(&d, DEV_ADDR, 128), ==, VIRTIO_MEM_RESP_ACK);
    qtest_memset(qts, DEV_ADDR, 0x5a, 256 * MIB);
    filled = rss_kib(pid);
    g_assert_cmpuint(filled, >=, before + 200 * 1024);

    g_assert_cmpint(unplug(&d, DEV_ADDR, 128), ==, VIRTIO_MEM_RESP_ACK);
    after = rss_kib(pid);
    g_assert_cmpuint(after + 200 * 1024, <=, filled);
    vmem_quit(&d);
}

/* prealloc: plugged memory is populated by the device itself. */
static void test_prealloc(void)
{
    QTestState *qts = start_vm("memory-backend-ram,size=1G",
                               "requested-size=256M,prealloc=on");
    pid_t pid = qtest_pid(qts);
    uint64_t before;
    VMem d;

    vmem_init(&d, qts);
    vmem_start(&d);
    before = rss_kib(pid);
    g_assert_cmpint(plug(&d, DEV_ADDR, 128), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(rss_kib(pid), >=, before + 200 * 1024);
    g_assert_cmphex(qtest_readq(qts, DEV_ADDR + 100 * MIB), ==, 0);
    vmem_quit(&d);
}

static void assert_event(QTestState *qts, uint64_t size)
{
    JsonObject *ev = qtest_qmp_eventwait_ref(qts, "MEMORY_DEVICE_SIZE_CHANGE");
    JsonObject *data = json_object_get_object_member(ev, "data");
    g_autofree char *text = NULL;
    g_autofree char *expected = NULL;
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);

    json_node_set_object(node, data);
    text = json_to_string(node, FALSE);
    expected = g_strdup_printf("{\"id\":\"vm0\",\"size\":%" PRIu64 ","
                               "\"qom-path\":\"/machine/peripheral/vm0\"}",
                               size);
    g_assert_cmpstr(text, ==, expected);
    json_node_unref(node);
    json_object_unref(ev);
}

/*
 * Under qtest the monitor throttles MEMORY_DEVICE_SIZE_CHANGE on the
 * virtual clock: one event per second per device, the latest value wins.
 */
static void test_size_change_event(void)
{
    QTestState *qts = start_vm("memory-backend-ram,size=1G",
                               "requested-size=16M");
    VMem d;

    vmem_init(&d, qts);
    vmem_start(&d);
    g_assert_cmpint(plug(&d, DEV_ADDR, 2), ==, VIRTIO_MEM_RESP_ACK);
    assert_event(qts, 2 * BLOCK);

    /* within the period: held back, collapsed into the latest */
    g_assert_cmpint(plug(&d, DEV_ADDR + 2 * BLOCK, 1), ==,
                    VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(plug(&d, DEV_ADDR, 2), ==, VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpint(unplug(&d, DEV_ADDR, 1), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_null(qtest_qmp_event_ref(qts, "MEMORY_DEVICE_SIZE_CHANGE"));
    qtest_clock_step(qts, 1000 * 1000 * 1000);
    assert_event(qts, 2 * BLOCK);
    g_assert_null(qtest_qmp_event_ref(qts, "MEMORY_DEVICE_SIZE_CHANGE"));

    /* requests that change nothing send nothing */
    qtest_clock_step(qts, 1000 * 1000 * 1000);
    g_assert_cmpint(plug(&d, DEV_ADDR + 2 * BLOCK, 1), ==,
                    VIRTIO_MEM_RESP_ERROR);
    g_assert_null(qtest_qmp_event_ref(qts, "MEMORY_DEVICE_SIZE_CHANGE"));
    qtest_clock_step(qts, 1000 * 1000 * 1000);
    g_assert_cmpint(unplug_all(&d), ==, VIRTIO_MEM_RESP_ACK);
    assert_event(qts, 0);
    vmem_quit(&d);
}

/* Start with "-device @device" expecting exactly @error. */
static void assert_device_fails(const char *objects, const char *device,
                                const char *error)
{
    g_autofree char *args = g_strdup_printf(MACHINE "%s -device %s",
                                            objects, device);
    g_autofree char *expected = g_strdup_printf("sparsevm: -device %s: %s\n",
                                                device, error);
    g_autofree char *err = NULL;
    int status;

    err = qtest_init_expect_fail(args, &status);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_cmpstr(err, ==, expected);
}

static void test_cli_errors(void)
{
    const char *mem0 = "-object memory-backend-ram,id=mem0,size=1G";

    assert_device_fails("", "virtio-mem-pci,id=vm0",
                        "'memdev' property must be set");
    assert_device_fails("-object memory-backend-ram,id=mem0,size=1G "
                        "-device virtio-mem-pci,id=vm0,memdev=mem0",
                        "virtio-mem-pci,id=vm1,memdev=mem0",
                        "'memdev' property specifies a busy memdev: mem0");
    assert_device_fails(mem0, "virtio-mem-pci,memdev=mem0,block-size=3M",
                        "'block-size' property has to be a power of two");
    assert_device_fails(mem0, "virtio-mem-pci,memdev=mem0,block-size=512K",
                        "'block-size' property has to be at least 0x100000");
    assert_device_fails(mem0, "virtio-mem-pci,memdev=mem0,requested-size=1M",
                        "'requested-size' property has to be multiples of "
                        "'block-size' (0x200000)");
    assert_device_fails("-object memory-backend-ram,id=mem0,size=7M",
                        "virtio-mem-pci,memdev=mem0",
                        "backend memory size must be multiple of 0x200000");
    assert_device_fails(mem0, "virtio-mem-pci,memdev=mem0,block-size=768K",
                        "'block-size' property has to be at least 0x100000");
    assert_device_fails(mem0, "virtio-mem-pci,memdev=mem0,node=3",
                        "'node' property has value '3', which exceedsthe "
                        "number of numa nodes: 1");
    assert_device_fails(mem0, "virtio-mem-pci,memdev=mem0,memslots=0",
                        "'memslots' property must be in the range "
                        "[1, 1024]");
    assert_device_fails(mem0, "virtio-mem-pci,memdev=mem0,memslots=1025",
                        "'memslots' property must be in the range "
                        "[1, 1024]");
}

/* ---- memslots ---- */

/* 3G below 4G, 1G above: device memory starts at 0x140000000 */
#define MEMSLOTS_MACHINE "-machine pc -m 4G,maxmem=1T,slots=17 "
#define MEMSLOTS_DEV_ADDR ((uint64_t)0x140000000)
#define SLOT ((uint64_t)GIB)     /* memslot size with memslots=500 */

/*
 * The lines of "info mtree" from the first
 * "device-memory" line on, as long as they are nested deeper.
 */
static char *device_memory_mtree(QTestState *qts)
{
    g_autofree char *out = qtest_hmp(qts, "info mtree");
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    GString *res = g_string_new(NULL);
    int indent = -1;

    for (int i = 0; lines[i]; i++) {
        const char *l = lines[i];
        int n = strspn(l, " ");

        if (indent < 0) {
            if (strstr(l, "): device-memory")) {
                indent = n;
                g_string_append_printf(res, "%s\n", l + indent);
            }
            continue;
        }
        if (n <= indent) {
            break;
        }
        g_string_append_printf(res, "%s\n", l + indent);
    }
    return g_string_free(res, false);
}

#define MTREE_DEVMEM \
    "0000000140000000-000001047fffffff (prio 0, i/o): device-memory\n" \
    "  0000000140000000-0000007e3fffffff (prio 0, i/o): virtio-mem-memslots\n"

/* The alias line of memslot @i (1 GiB memslots). */
static void append_memslot_line(GString *s, unsigned int i)
{
    uint64_t start = MEMSLOTS_DEV_ADDR + i * SLOT;

    g_string_append_printf(s, "    %016" PRIx64 "-%016" PRIx64
                           " (prio 0, ram): alias virtio-mem-memslot-%u "
                           "@mem0 %016" PRIx64 "-%016" PRIx64 "\n",
                           start, start + SLOT - 1, i, i * SLOT,
                           (i + 1) * SLOT - 1);
}

static void test_memslots_layout(void)
{
    QTestState *qts = qtest_init(MEMSLOTS_MACHINE
                                 "-object memory-backend-ram,id=mem0,"
                                 "size=500G,reserve=off "
                                 "-device virtio-mem-pci,id=vm0,memdev=mem0,"
                                 "memslots=500");
    g_autofree char *none = NULL, *two = NULL, *twenty = NULL;
    g_autofree char *five = NULL, *flat = NULL;
    g_autoptr(GString) expected = g_string_new(MTREE_DEVMEM);

    none = device_memory_mtree(qts);
    g_assert_cmpstr(none, ==, MTREE_DEVMEM);

    /* the usable region (2G + 256M) needs 3 memslots */
    set_requested_size(qts, 2 * SLOT);
    two = device_memory_mtree(qts);
    g_assert_cmpstr(two, ==, MTREE_DEVMEM
        "    0000000140000000-000000017fffffff (prio 0, ram): alias "
        "virtio-mem-memslot-0 @mem0 0000000000000000-000000003fffffff\n"
        "    0000000180000000-00000001bfffffff (prio 0, ram): alias "
        "virtio-mem-memslot-1 @mem0 0000000040000000-000000007fffffff\n"
        "    00000001c0000000-00000001ffffffff (prio 0, ram): alias "
        "virtio-mem-memslot-2 @mem0 0000000080000000-00000000bfffffff\n");

    set_requested_size(qts, 20 * SLOT);
    twenty = device_memory_mtree(qts);
    for (unsigned int i = 0; i <= 20; i++) {
        append_memslot_line(expected, i);
    }
    g_assert_cmpstr(twenty, ==, expected->str);

    /* each memslot is a range of its own in the flat view */
    flat = qtest_hmp(qts, "info mtree -f");
    for (unsigned int i = 0; i <= 20; i++) {
        g_autofree char *line = NULL, *at = NULL;
        uint64_t start = MEMSLOTS_DEV_ADDR + i * SLOT;

        at = i ? g_strdup_printf(" @%016" PRIx64, i * SLOT) : g_strdup("");
        line = g_strdup_printf("  %016" PRIx64 "-%016" PRIx64
                               " (prio 0, ram): mem0%s\n",
                               start, start + SLOT - 1, at);
        g_assert_nonnull(strstr(flat, line));
    }
    /* ... and nothing beyond memslot 20 is mapped */
    g_assert_null(strstr(flat, "-000000067fffffff (prio 0, ram): mem0 @"
                         "0000000500000000\n  0000000680000000"));

    /* shrinking the request keeps them; a reboot shrinks the region */
    set_requested_size(qts, 5 * SLOT);
    g_free(twenty);
    twenty = device_memory_mtree(qts);
    g_assert_cmpstr(twenty, ==, expected->str);
    qtest_qmp_assert_success(qts, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(qts, "RESET");
    five = device_memory_mtree(qts);
    g_string_assign(expected, MTREE_DEVMEM);
    for (unsigned int i = 0; i <= 5; i++) {
        append_memslot_line(expected, i);
    }
    g_assert_cmpstr(five, ==, expected->str);
    qtest_quit(qts);
}

/* memslots=1: the memdev region is mapped directly, as always. */
static void test_memslots_one(void)
{
    QTestState *qts = start_vm("memory-backend-ram,size=1G", "memslots=1");
    g_autofree char *mtree = device_memory_mtree(qts);

    g_assert_cmpstr(mtree, ==,
        "0000000100000000-000000033fffffff (prio 0, i/o): device-memory\n"
        "  0000000100000000-000000013fffffff (prio 0, ram): mem0\n");
    qtest_quit(qts);
}

/* Plugging across a memslot boundary (8 memslots of 128 MiB). */
static void test_memslots_plug_unplug(void)
{
    QTestState *qts = start_vm("memory-backend-ram,size=1G",
                               "memslots=8,requested-size=200M");
    const uint64_t boundary = DEV_ADDR + 128 * MIB;
    const char data[] = "across two memslots";
    char buf[sizeof(data)];
    g_autofree char *mtree = NULL;
    VMem d;

    vmem_init(&d, qts);
    vmem_start(&d);

    /* usable: 200M + 256M -> memslots 0-3 */
    mtree = device_memory_mtree(qts);
    g_assert_nonnull(strstr(mtree, "virtio-mem-memslot-3 @mem0"));
    g_assert_null(strstr(mtree, "virtio-mem-memslot-4"));

    g_assert_cmpint(plug(&d, boundary - BLOCK, 2), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(state(&d, boundary - BLOCK, 2), ==,
                    VIRTIO_MEM_STATE_PLUGGED);
    g_assert_cmpuint(plugged_size(qts), ==, 2 * BLOCK);
    qtest_memwrite(qts, boundary - 8, data, sizeof(data));
    qtest_memread(qts, boundary - 8, buf, sizeof(buf));
    g_assert_cmpstr(buf, ==, data);

    /* unplug the upper half: the lower half keeps its data */
    g_assert_cmpint(unplug(&d, boundary, 1), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmphex(qtest_readq(qts, boundary), ==, 0);
    g_assert_cmphex(qtest_readq(qts, boundary + 8), ==, 0);
    memset(buf, 0, sizeof(buf));
    qtest_memread(qts, boundary - 8, buf, 8);
    g_assert_cmpmem(buf, 8, data, 8);
    g_assert_cmpint(unplug(&d, boundary - BLOCK, 1), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmphex(qtest_readq(qts, boundary - 8), ==, 0);
    g_assert_cmpuint(plugged_size(qts), ==, 0);

    /* plugged again in the last usable memslot */
    g_assert_cmpint(plug(&d, DEV_ADDR + 3 * 128 * MIB, 1), ==,
                    VIRTIO_MEM_RESP_ACK);
    qtest_writeq(qts, DEV_ADDR + 3 * 128 * MIB, 0x1234);
    g_assert_cmphex(qtest_readq(qts, DEV_ADDR + 3 * 128 * MIB), ==, 0x1234);

    /* UNPLUG_ALL with requested-size 0 unmaps all memslots */
    set_requested_size(qts, 0);
    g_assert_cmpint(unplug_all(&d), ==, VIRTIO_MEM_RESP_ACK);
    g_free(mtree);
    mtree = device_memory_mtree(qts);
    g_assert_null(strstr(mtree, "virtio-mem-memslot-"));
    vmem_quit(&d);
}

/* ---- dynamic-memslots ---- */

/* 4G of RAM (1G above 4G): device memory at 0x140000000, 17 GiB */
#define DYN_MACHINE "-machine pc -m 4G,maxmem=20G,slots=1 "
#define DYN_DEVICE "-device virtio-mem-pci,id=vm0,memdev=mem0," \
                   "unplugged-inaccessible=on,dynamic-memslots=on"

#define MTREE_DYN_DEVMEM \
    "0000000140000000-000000057fffffff (prio 0, i/o): device-memory\n" \
    "  0000000140000000-000000053fffffff (prio 0, i/o): virtio-mem-memslots\n"

/* The expected "info mtree" of the 16 GiB device with memslots @mapped. */
static char *dyn_mtree(const unsigned int *mapped, size_t n)
{
    GString *s = g_string_new(MTREE_DYN_DEVMEM);

    for (size_t k = 0; k < n; k++) {
        append_memslot_line(s, mapped[k]);
    }
    return g_string_free(s, false);
}

/* The "info mtree -f" line of memslot @i of the 16 GiB device. */
static char *dyn_flat_line(unsigned int i)
{
    uint64_t start = MEMSLOTS_DEV_ADDR + i * SLOT;
    g_autofree char *at = i ? g_strdup_printf(" @%016" PRIx64, i * SLOT)
                            : g_strdup("");

    return g_strdup_printf("  %016" PRIx64 "-%016" PRIx64
                           " (prio 0, ram): mem0%s\n", start,
                           start + SLOT - 1, at);
}

/* The flat view holds exactly memslots @mapped of the device. */
static void assert_dyn_flat(QTestState *qts, const unsigned int *mapped,
                            size_t n)
{
    g_autofree char *flat = qtest_hmp(qts, "info mtree -f");
    g_autofree char *as_memory = NULL;
    char *end;
    unsigned int count = 0;

    /* only the first flat view (AS "memory") matters */
    as_memory = g_strdup(flat);
    end = strstr(as_memory, "\nFlatView #1");
    g_assert_nonnull(end);
    *end = '\0';
    for (size_t k = 0; k < n; k++) {
        g_autofree char *line = dyn_flat_line(mapped[k]);

        g_assert_nonnull(strstr(as_memory, line));
    }
    for (char *p = as_memory; (p = strstr(p, "(prio 0, ram): mem0")); p++) {
        count++;
    }
    g_assert_cmpuint(count, ==, n);
}

static void assert_dyn_mapped(QTestState *qts, const unsigned int *mapped,
                              size_t n)
{
    g_autofree char *mtree = device_memory_mtree(qts);
    g_autofree char *expected = dyn_mtree(mapped, n);

    g_assert_cmpstr(mtree, ==, expected);
    assert_dyn_flat(qts, mapped, n);
}

#define ASSERT_MAPPED(qts, ...) do { \
        const unsigned int mapped_[] = { __VA_ARGS__ }; \
        assert_dyn_mapped(qts, mapped_, G_N_ELEMENTS(mapped_)); \
    } while (0)
#define ASSERT_NONE_MAPPED(qts) assert_dyn_mapped(qts, NULL, 0)

/*
 * A 16 GiB device that takes all of device memory gets 16 memslots of
 * 1 GiB (the minimum size), mapped only while they hold plugged blocks.
 */
static void test_dynamic_memslots_mapping(void)
{
    QTestState *qts = qtest_init(DYN_MACHINE
                                 "-object memory-backend-ram,id=mem0,"
                                 "size=16G,reserve=off "
                                 DYN_DEVICE ",requested-size=8G");
    const uint64_t b1 = MEMSLOTS_DEV_ADDR + SLOT;       /* memslot 0 | 1 */
    const uint64_t m5 = MEMSLOTS_DEV_ADDR + 5 * SLOT + 64 * MIB;
    const char data[] = "crossing memslots 0 and 1";
    char buf[sizeof(data)];
    JsonNode *dynamic;
    VMem d;

    vmem_init(&d, qts);
    vmem_start(&d);
    g_assert_cmpint(qtest_qom_get_int(qts, "vm0", "memslots"), ==, 16);
    dynamic = qtest_qom_get(qts, "vm0", "dynamic-memslots");
    g_assert_true(json_node_get_boolean(dynamic));
    json_node_unref(dynamic);
    ASSERT_NONE_MAPPED(qts);

    /* a plug range crossing a memslot boundary maps both memslots */
    g_assert_cmpint(plug(&d, b1 - BLOCK, 2), ==, VIRTIO_MEM_RESP_ACK);
    ASSERT_MAPPED(qts, 0, 1);
    qtest_memwrite(qts, b1 - 8, data, sizeof(data));
    qtest_memread(qts, b1 - 8, buf, sizeof(buf));
    g_assert_cmpstr(buf, ==, data);

    /* a range inside one memslot maps just that one, anywhere */
    g_assert_cmpint(plug(&d, m5, 3), ==, VIRTIO_MEM_RESP_ACK);
    ASSERT_MAPPED(qts, 0, 1, 5);
    qtest_writeq(qts, m5 + BLOCK, 0x5555);

    /* unplugging the last plugged block of memslot 1 unmaps exactly it */
    g_assert_cmpint(unplug(&d, b1, 1), ==, VIRTIO_MEM_RESP_ACK);
    ASSERT_MAPPED(qts, 0, 5);
    /* memslot 0 keeps its data; memslot 1 is gone (reads as zero) */
    memset(buf, 0, sizeof(buf));
    qtest_memread(qts, b1 - 8, buf, 8);
    g_assert_cmpmem(buf, 8, data, 8);
    g_assert_cmphex(qtest_readq(qts, b1), ==, 0);

    /* an unplug leaving plugged blocks in the memslot keeps it mapped */
    g_assert_cmpint(unplug(&d, m5, 1), ==, VIRTIO_MEM_RESP_ACK);
    ASSERT_MAPPED(qts, 0, 5);
    g_assert_cmphex(qtest_readq(qts, m5 + BLOCK), ==, 0x5555);
    g_assert_cmpint(unplug(&d, m5 + BLOCK, 2), ==, VIRTIO_MEM_RESP_ACK);
    ASSERT_MAPPED(qts, 0);

    /* failed requests map nothing */
    g_assert_cmpint(plug(&d, b1 - BLOCK, 1), ==, VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpint(plug(&d, MEMSLOTS_DEV_ADDR + 9 * SLOT, 1), ==,
                    VIRTIO_MEM_RESP_ERROR);     /* beyond usable (8G+256M) */
    ASSERT_MAPPED(qts, 0);

    /* UNPLUG_ALL unmaps everything */
    g_assert_cmpint(plug(&d, MEMSLOTS_DEV_ADDR + 7 * SLOT, 2), ==,
                    VIRTIO_MEM_RESP_ACK);
    ASSERT_MAPPED(qts, 0, 7);
    g_assert_cmpint(unplug_all(&d), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(plugged_size(qts), ==, 0);
    ASSERT_NONE_MAPPED(qts);

    /* and so does a system reset */
    g_assert_cmpint(plug(&d, MEMSLOTS_DEV_ADDR + 3 * SLOT - BLOCK, 2), ==,
                    VIRTIO_MEM_RESP_ACK);
    ASSERT_MAPPED(qts, 2, 3);
    qtest_qmp_assert_success(qts, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(qts, "RESET");
    g_assert_cmpuint(plugged_size(qts), ==, 0);
    ASSERT_NONE_MAPPED(qts);
    vmem_quit(&d);
}

/* The number of memslots decided for one device of @size (+ @opts). */
static int64_t decided_memslots(const char *machine, const char *size,
                                const char *opts)
{
    QTestState *qts = qtest_initf("%s -object memory-backend-ram,id=mem0,"
                                  "size=%s,reserve=off " DYN_DEVICE "%s",
                                  machine, size, opts);
    int64_t memslots = qtest_qom_get_int(qts, "vm0", "memslots");

    qtest_quit(qts);
    return memslots;
}

static void test_dynamic_memslots_decision(void)
{
    /* taking all device memory: 256 at most, 1 GiB each at least */
    g_assert_cmpint(decided_memslots("-machine pc -m 1G,maxmem=2G", "1G",
                                     ""), ==, 1);
    g_assert_cmpint(decided_memslots("-machine pc -m 1G,maxmem=4G", "3G",
                                     ""), ==, 3);
    /* 2.5 GiB: two memslots of 1 GiB and a smaller last one */
    g_assert_cmpint(decided_memslots("-machine pc -m 1G,maxmem=3584M",
                                     "2560M", ""), ==, 3);
    g_assert_cmpint(decided_memslots("-machine pc -m 4G,maxmem=20G", "16G",
                                     ""), ==, 16);
    /* 512 MiB is less than a memslot: one */
    g_assert_cmpint(decided_memslots("-machine pc -m 1G,maxmem=1536M",
                                     "512M", ""), ==, 1);
    /* 500 GiB / 256 = 2000 MiB per memslot */
    g_assert_cmpint(decided_memslots("-machine pc -m 4G,maxmem=504G",
                                     "500G", ""), ==, 256);
    /* memslots are multiples of the block size: 2000 MiB -> 2 GiB */
    g_assert_cmpint(decided_memslots("-machine pc -m 4G,maxmem=504G",
                                     "500G", ",block-size=1G"), ==, 250);
    /* 16 GiB of 1 TiB of device memory: 256 * 16 / 1020 -> 4 */
    g_assert_cmpint(decided_memslots("-machine pc -m 4G,maxmem=1T", "16G",
                                     ""), ==, 4);
}

/* Two devices share the soft limit of 256 by the space they take. */
static void test_dynamic_memslots_shared(void)
{
    QTestState *qts = qtest_init("-machine pc -m 4G,maxmem=1028G,slots=2 "
                                 "-object memory-backend-ram,id=mem0,"
                                 "size=768G,reserve=off "
                                 "-object memory-backend-ram,id=mem1,"
                                 "size=256G,reserve=off " DYN_DEVICE " "
                                 "-device virtio-mem-pci,id=vm1,memdev=mem1,"
                                 "unplugged-inaccessible=on,"
                                 "dynamic-memslots=on");

    JsonNode *ret;
    JsonObject *data;
    g_autoptr(GList) members = NULL;
    GString *names = g_string_new(NULL);

    /* 768 of 1024 GiB: 192 memslots; the rest (64) for the last 256 GiB */
    g_assert_cmpint(qtest_qom_get_int(qts, "vm0", "memslots"), ==, 192);
    g_assert_cmpint(qtest_qom_get_int(qts, "vm1", "memslots"), ==, 64);

    /* query-memory-devices: QEMU 8.2's members, no memslot count */
    ret = qtest_qmp_assert_success(qts, "{'execute': "
                                   "'query-memory-devices'}");
    data = json_object_get_object_member(
        json_array_get_object_element(json_node_get_array(ret), 0), "data");
    members = json_object_get_members(data);
    for (GList *l = members; l; l = l->next) {
        g_string_append_printf(names, "%s ", (const char *)l->data);
    }
    g_assert_cmpstr(names->str, ==, "memdev memaddr block-size size node "
                    "max-size requested-size id ");
    g_string_free(names, true);
    qtest_quit(qts);
}

static void test_dynamic_memslots_errors(void)
{
    const char *mem0 = "-object memory-backend-ram,id=mem0,size=4G";

    /* private anonymous memory: unplugged-inaccessible=auto means off */
    assert_device_fails(mem0, "virtio-mem-pci,memdev=mem0,"
                        "dynamic-memslots=on",
                        "'dynamic-memslots' property set to 'on' requires "
                        "'unplugged-inaccessible' to be 'on'");
    assert_device_fails(mem0, "virtio-mem-pci,memdev=mem0,"
                        "dynamic-memslots=on,unplugged-inaccessible=off",
                        "'dynamic-memslots' property set to 'on' requires "
                        "'unplugged-inaccessible' to be 'on'");
    assert_device_fails(mem0, "virtio-mem-pci,memdev=mem0,"
                        "dynamic-memslots=on,unplugged-inaccessible=on,"
                        "memslots=4",
                        "'dynamic-memslots' property set to 'on' conflicts "
                        "with 'memslots=4': the number of memslots is "
                        "decided automatically");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/virtio-mem/features", test_features);
    qtest_add_func("/virtio-mem/config", test_config);
    qtest_add_func("/virtio-mem/plug-unplug", test_plug_unplug);
    qtest_add_func("/virtio-mem/range-errors", test_range_errors);
    qtest_add_func("/virtio-mem/unplug-all", test_unplug_all);
    qtest_add_func("/virtio-mem/requested-size", test_requested_size);
    qtest_add_func("/virtio-mem/resets", test_resets);
    qtest_add_func("/virtio-mem/protocol-violations",
                   test_protocol_violations);
    qtest_add_func("/virtio-mem/malformed-chain", test_malformed_chain);
    qtest_add_func("/virtio-mem/unplug-frees-memory",
                   test_unplug_frees_memory);
    qtest_add_func("/virtio-mem/prealloc", test_prealloc);
    qtest_add_func("/virtio-mem/size-change-event", test_size_change_event);
    qtest_add_func("/virtio-mem/cli-errors", test_cli_errors);
    qtest_add_func("/virtio-mem/memslots/layout", test_memslots_layout);
    qtest_add_func("/virtio-mem/memslots/one", test_memslots_one);
    qtest_add_func("/virtio-mem/memslots/plug-unplug",
                   test_memslots_plug_unplug);
    qtest_add_func("/virtio-mem/dynamic-memslots/mapping",
                   test_dynamic_memslots_mapping);
    qtest_add_func("/virtio-mem/dynamic-memslots/decision",
                   test_dynamic_memslots_decision);
    qtest_add_func("/virtio-mem/dynamic-memslots/shared",
                   test_dynamic_memslots_shared);
    qtest_add_func("/virtio-mem/dynamic-memslots/errors",
                   test_dynamic_memslots_errors);
    return g_test_run();
}
