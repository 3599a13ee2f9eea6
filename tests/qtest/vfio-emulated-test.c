/*
 * VFIO DMA mapping of sparse RAM, observed through vfio-emulated-container:
 * the mapping table follows virtio-mem's plugged blocks chunk by chunk
 * (plug, partial unplug, UNPLUG_ALL, system reset), a populate the
 * container cannot map is vetoed (BUSY, nothing left pinned), the pinned
 * bytes equal the process's VmPin (io_uring pinning) or VmLck (mlock),
 * private memory unplugged (io_uring) or kept (mlock), the DMA-mapping
 * limit check, discard
 * coordination with virtio-mem, and vfio-pci's errors on a host without
 * the device / VFIO.
 */
#include "qemu/osdep.h"
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/io_uring.h>
#include <linux/virtio_mem.h>
#include "libqtest.h"
#include "libqos/virtio-mem.h"

#define MIB ((uint64_t)1024 * 1024)
#define GIB (1024 * MIB)
#define RAM_SIZE (256 * MIB)
#define BLOCK (2 * MIB)

#define MACHINE "-machine pc -m 256M,maxmem=2G "
#define MEMDEV "-object memory-backend-memfd,id=mem0,size=1G "
#define VMEM_DEV "-device virtio-mem-pci,id=vm0,memdev=mem0,requested-size=64M "

typedef struct Range {
    uint64_t iova, size;
} Range;

static JsonObject *query(QTestState *qts)
{
    JsonNode *ret = qtest_qmp_assert_success_ref(qts,
        "{'execute': 'x-query-vfio-container', 'arguments': {'id': 'c0'}}");
    JsonObject *info = json_object_ref(json_node_get_object(ret));

    json_node_unref(ret);
    return info;
}

/* A /proc/PID/status field ("VmPin", "VmLck", "RssAnon") of sparsevm. */
static uint64_t proc_status(QTestState *qts, const char *field)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status",
                                            (int)qtest_pid(qts));
    g_autofree char *key = g_strdup_printf("\n%s:", field);
    g_autofree char *status = NULL;
    const char *line;

    g_assert_true(g_file_get_contents(path, &status, NULL, NULL));
    line = strstr(status, key);
    g_assert_nonnull(line);
    return g_ascii_strtoull(line + strlen(key), NULL, 10) * 1024;
}

/* What the pinning in use (@pin, as the container reports it) shows. */
static uint64_t pinned_by_kernel(QTestState *qts, const char *pin)
{
    if (!strcmp(pin, "io-uring")) {
        return proc_status(qts, "VmPin");
    }
    g_assert_cmpstr(pin, ==, "mlock");
    return proc_status(qts, "VmLck");
}

/* Can this process register io_uring buffers (else the tests skip)? */
static bool io_uring_usable(void)
{
    struct io_uring_params params = { 0 };
    struct io_uring_rsrc_register reg = {
        .nr = 1, .flags = IORING_RSRC_REGISTER_SPARSE,
    };
    int fd = syscall(__NR_io_uring_setup, 1, &params);
    bool ok;

    if (fd < 0) {
        return false;
    }
    ok = syscall(__NR_io_uring_register, fd, IORING_REGISTER_BUFFERS2, &reg,
                 sizeof(reg)) == 0;
    close(fd);
    return ok;
}

static bool skip_without_io_uring(void)
{
    if (!io_uring_usable()) {
        g_test_skip("io_uring fixed buffers are not available here "
                    "(io_uring_disabled sysctl, seccomp or an old kernel)");
        return true;
    }
    return false;
}

/*
 * The container maps exactly @expected (in iova order), pins their sum,
 * and sparsevm's VmPin (io-uring) or VmLck (mlock) says the same.
 */
static void assert_mappings(QTestState *qts, const Range *expected, int n)
{
    JsonObject *info = query(qts);
    JsonArray *maps = json_object_get_array_member(info, "mappings");
    uint64_t total = 0;

    /* @expected may be NULL when @n is 0. */
    g_assert_cmpint(json_array_get_length(maps), ==, n);
    g_assert_cmpint(json_object_get_int_member(info, "nr-mappings"), ==, n);
    for (int i = 0; i < n; i++) {
        JsonObject *m = json_array_get_object_element(maps, i);

        g_assert_cmphex(json_object_get_int_member(m, "iova"), ==,
                        expected[i].iova);
        g_assert_cmphex(json_object_get_int_member(m, "size"), ==,
                        expected[i].size);
        g_assert_false(json_object_get_boolean_member(m, "readonly"));
        total += expected[i].size;
    }
    g_assert_cmpuint(json_object_get_int_member(info, "mapped-bytes"), ==,
                     total);
    g_assert_cmpuint(json_object_get_int_member(info, "pinned-bytes"), ==,
                     total);
    g_assert_cmpuint(pinned_by_kernel(qts, json_object_get_string_member(
                                          info, "pin")), ==, total);
    json_object_unref(info);
}

static char *query_pin(QTestState *qts)
{
    JsonObject *info = query(qts);
    char *pin = g_strdup(json_object_get_string_member(info, "pin"));

    json_object_unref(info);
    return pin;
}

static uint64_t plugged_size(QTestState *qts)
{
    return qtest_qom_get_int(qts, "vm0", "size");
}

static void expect_start_failure(const char *args, const char *message);
static void device_del(QTestState *qts, const char *id);

/* ---- mapping table follows plug / unplug ---- */

static void run_plug_unplug(QTestState *qts, int vmem_devfn)
{
    QVirtioMemDriver d;
    uint64_t a;

    qvirtio_mem_driver_start(&d, qts, vmem_devfn);
    a = d.addr;
    g_assert_cmphex(d.block_size, ==, BLOCK);
    assert_mappings(qts, (Range[]) { { 0, RAM_SIZE } }, 1);

    /* One request of 4 blocks: 4 mappings, one per block. */
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_PLUG, a, 4, NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_PLUG,
                                        a + 10 * BLOCK, 2, NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    assert_mappings(qts, (Range[]) {
        { 0, RAM_SIZE }, { a, BLOCK }, { a + BLOCK, BLOCK },
        { a + 2 * BLOCK, BLOCK }, { a + 3 * BLOCK, BLOCK },
        { a + 10 * BLOCK, BLOCK }, { a + 11 * BLOCK, BLOCK } }, 7);

    /* Unplug one block out of the middle of the first plug. */
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_UNPLUG,
                                        a + BLOCK, 1, NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    assert_mappings(qts, (Range[]) {
        { 0, RAM_SIZE }, { a, BLOCK },
        { a + 2 * BLOCK, BLOCK }, { a + 3 * BLOCK, BLOCK },
        { a + 10 * BLOCK, BLOCK }, { a + 11 * BLOCK, BLOCK } }, 6);

    /* Unplug two blocks plugged by different requests at once. */
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_UNPLUG,
                                        a + 2 * BLOCK, 2, NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    assert_mappings(qts, (Range[]) {
        { 0, RAM_SIZE }, { a, BLOCK },
        { a + 10 * BLOCK, BLOCK }, { a + 11 * BLOCK, BLOCK } }, 4);

    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0,
                                        NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    assert_mappings(qts, (Range[]) { { 0, RAM_SIZE } }, 1);
    g_assert_cmpuint(plugged_size(qts), ==, 0);

    /* Plug again, then a system reset unplugs everything. */
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_PLUG, a, 3, NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    assert_mappings(qts, (Range[]) {
        { 0, RAM_SIZE }, { a, BLOCK }, { a + BLOCK, BLOCK },
        { a + 2 * BLOCK, BLOCK } }, 4);
    qtest_qmp_assert_success(qts, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(qts, "RESET");
    assert_mappings(qts, (Range[]) { { 0, RAM_SIZE } }, 1);
    g_assert_cmpuint(plugged_size(qts), ==, 0);

    qvirtio_mem_driver_stop(&d);
}

static void test_plug_unplug(void)
{
    QTestState *qts = qtest_init(MACHINE MEMDEV VMEM_DEV
                                 "-object vfio-emulated-container,id=c0 "
                                 "-device vfio-emulated-pci,container=c0");

    run_plug_unplug(qts, QPCI_DEVFN(2, 0));
    qtest_quit(qts);
}

/* The device attached before virtio-mem's memory gets mapped. */
static void test_plug_unplug_device_first(void)
{
    QTestState *qts = qtest_init(MACHINE MEMDEV
                                 "-object vfio-emulated-container,id=c0 "
                                 "-device vfio-emulated-pci,container=c0 "
                                 VMEM_DEV);

    run_plug_unplug(qts, QPCI_DEVFN(3, 0));
    qtest_quit(qts);
}

/*
 * The point of the seeds: 1 GiB of RAM and a 16 GiB virtio-mem device with
 * 1 GiB plugged pin 2 GiB, not 17 GiB, and fall back when unplugged.
 * Private anonymous memory (memory-backend-ram) with io_uring pinning:
 * unplugged blocks are discarded (RSS falls) and unpinned (VmPin falls).
 */
static void test_pinned_16g(void)
{
    QTestState *qts;
    QVirtioMemDriver d;
    JsonObject *info;
    uint64_t rss_plugged, rss_unplugged;

    if (skip_without_io_uring()) {
        return;
    }
    qts = qtest_init("-machine pc -m 1G,maxmem=17G "
                     "-object memory-backend-ram,id=mem0,size=16G "
                     "-device virtio-mem-pci,id=vm0,memdev=mem0,"
                     "requested-size=1G "
                     "-object vfio-emulated-container,id=c0,pin=io-uring "
                     "-device vfio-emulated-pci,container=c0");
    qvirtio_mem_driver_start(&d, qts, QPCI_DEVFN(2, 0));
    g_assert_cmpuint(proc_status(qts, "VmPin"), ==, 1 * GIB);
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_PLUG, d.addr,
                                        GIB / BLOCK, NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    info = query(qts);
    rss_plugged = proc_status(qts, "RssAnon");
    g_test_message("1 GiB RAM + 16 GiB virtio-mem (memory-backend-ram), "
                   "1 GiB plugged: VmPin %" PRIu64 " MiB, pinned %" PRId64
                   " MiB, RssAnon %" PRIu64 " MiB, VmRSS %" PRIu64 " MiB, "
                   "%" PRId64 " DMA mappings (worst case %" PRId64 ")",
                   proc_status(qts, "VmPin") / MIB,
                   json_object_get_int_member(info, "pinned-bytes") /
                   (int64_t)MIB, rss_plugged / MIB,
                   proc_status(qts, "VmRSS") / MIB,
                   json_object_get_int_member(info, "nr-mappings"),
                   json_object_get_int_member(info, "worst-case-mappings"));
    g_assert_cmpuint(proc_status(qts, "VmPin"), ==, 2 * GIB);
    g_assert_cmpint(json_object_get_int_member(info, "pinned-bytes"), ==,
                    2 * GIB);
    g_assert_cmpint(json_object_get_int_member(info, "nr-mappings"), ==,
                    1 + GIB / BLOCK);
    g_assert_cmpint(json_object_get_int_member(info, "worst-case-mappings"),
                    ==, 1 + 16 * GIB / BLOCK);
    /* Pinning populated everything that is mapped. */
    g_assert_cmpuint(rss_plugged, >=, 2 * GIB);
    json_object_unref(info);

    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_UNPLUG,
                                        d.addr + GIB / 2, GIB / 2 / BLOCK,
                                        NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    rss_unplugged = proc_status(qts, "RssAnon");
    g_test_message("after unplugging 512 MiB: VmPin %" PRIu64 " MiB, "
                   "RssAnon %" PRIu64 " MiB, VmRSS %" PRIu64 " MiB",
                   proc_status(qts, "VmPin") / MIB, rss_unplugged / MIB,
                   proc_status(qts, "VmRSS") / MIB);
    g_assert_cmpuint(proc_status(qts, "VmPin"), ==, GIB + GIB / 2);
    /* The 512 MiB left the process (a few KiB of heap may come and go). */
    g_assert_cmpuint(rss_plugged - MIN(rss_plugged, rss_unplugged), >=,
                     GIB / 2 - MIB);
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0,
                                        NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    g_test_message("after UNPLUG_ALL: VmPin %" PRIu64 " MiB, RssAnon %"
                   PRIu64 " MiB", proc_status(qts, "VmPin") / MIB,
                   proc_status(qts, "RssAnon") / MIB);
    g_assert_cmpuint(proc_status(qts, "VmPin"), ==, GIB);
    g_assert_cmpuint(rss_plugged - MIN(rss_plugged,
                                       proc_status(qts, "RssAnon")), >=,
                     GIB - MIB);
    qvirtio_mem_driver_stop(&d);
    qtest_quit(qts);
}

/* ---- veto ---- */

static void test_veto(void)
{
    /* RAM takes one mapping: 3 blocks fit. */
    QTestState *qts = qtest_init(MACHINE MEMDEV VMEM_DEV
                                 "-object vfio-emulated-container,id=c0,"
                                 "dma-entry-limit=4 "
                                 "-device vfio-emulated-pci,container=c0");
    QVirtioMemDriver d;
    const Range ram = { 0, RAM_SIZE };
    uint64_t a;

    qvirtio_mem_driver_start(&d, qts, QPCI_DEVFN(2, 0));
    a = d.addr;

    /* 5 blocks in one request: 3 get mapped, then rolled back. */
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_PLUG, a, 5, NULL),
                    ==, VIRTIO_MEM_RESP_BUSY);
    assert_mappings(qts, &ram, 1);
    g_assert_cmpuint(plugged_size(qts), ==, 0);

    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_PLUG, a, 2, NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_PLUG,
                                        a + 4 * BLOCK, 2, NULL),
                    ==, VIRTIO_MEM_RESP_BUSY);
    assert_mappings(qts, (Range[]) { ram, { a, BLOCK }, { a + BLOCK, BLOCK } },
                    3);
    g_assert_cmpuint(plugged_size(qts), ==, 2 * BLOCK);

    /* The last free entry still works; then unplug makes room again. */
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_PLUG,
                                        a + 4 * BLOCK, 1, NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_PLUG,
                                        a + 5 * BLOCK, 1, NULL),
                    ==, VIRTIO_MEM_RESP_BUSY);
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_UNPLUG, a, 1, NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_PLUG,
                                        a + 5 * BLOCK, 1, NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    assert_mappings(qts, (Range[]) { ram, { a + BLOCK, BLOCK },
                                     { a + 4 * BLOCK, BLOCK },
                                     { a + 5 * BLOCK, BLOCK } }, 4);

    qvirtio_mem_driver_stop(&d);
    qtest_quit(qts);
}

/*
 * virtio-mem memslots: each mapped memslot is a section of its own with
 * a listener of its own; blocks on both sides of a memslot boundary.
 */
static void test_memslots(void)
{
    QTestState *qts = qtest_init(MACHINE MEMDEV
                                 "-device virtio-mem-pci,id=vm0,memdev=mem0,"
                                 "requested-size=64M,memslots=4 "
                                 "-object vfio-emulated-container,id=c0 "
                                 "-device vfio-emulated-pci,container=c0");
    QVirtioMemDriver d;
    uint64_t edge;
    JsonObject *info;

    qvirtio_mem_driver_start(&d, qts, QPCI_DEVFN(2, 0));
    /* 256 MiB memslots; usable 64 + 256 MiB: two of them are mapped. */
    info = query(qts);
    g_assert_cmpint(json_object_get_int_member(info, "worst-case-mappings"),
                    ==, 1 + 2 * 256 * MIB / BLOCK);
    json_object_unref(info);

    edge = d.addr + 256 * MIB;
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_PLUG,
                                        edge - BLOCK, 2, NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    assert_mappings(qts, (Range[]) {
        { 0, RAM_SIZE }, { edge - BLOCK, BLOCK }, { edge, BLOCK } }, 3);
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_UNPLUG,
                                        edge - BLOCK, 2, NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    assert_mappings(qts, (Range[]) { { 0, RAM_SIZE } }, 1);

    /* Nothing requested any more: UNPLUG_ALL unmaps the memslots. */
    qtest_qmp_assert_success(qts, "{'execute': 'qom-set', 'arguments': "
                             "{'path': 'vm0', 'property': 'requested-size', "
                             "'value': 0}}");
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0,
                                        NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    info = query(qts);
    g_assert_cmpint(json_object_get_int_member(info, "worst-case-mappings"),
                    ==, 1);
    json_object_unref(info);
    qvirtio_mem_driver_stop(&d);
    qtest_quit(qts);
}

/* ---- hotplug: the replay at attach, and its failure ---- */

static void device_add_vfio(QTestState *qts, const char *id)
{
    qtest_qmp_assert_success(qts, "{'execute': 'device_add', 'arguments': "
                             "{'driver': 'vfio-emulated-pci', "
                             "'container': 'c0', 'id': '%s'}}", id);
}

static void device_del(QTestState *qts, const char *id)
{
    qtest_qmp_assert_success(qts, "{'execute': 'device_del', 'arguments': "
                             "{'id': '%s'}}", id);
    qtest_qmp_eventwait(qts, "DEVICE_DELETED");
}

static void test_hotplug(void)
{
    QTestState *qts = qtest_init(MACHINE MEMDEV VMEM_DEV
                                 "-object vfio-emulated-container,id=c0");
    QVirtioMemDriver d;
    uint64_t a;

    qvirtio_mem_driver_start(&d, qts, QPCI_DEVFN(2, 0));
    a = d.addr;
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_PLUG, a, 2, NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_PLUG,
                                        a + 8 * BLOCK, 1, NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    assert_mappings(qts, NULL, 0);

    /* Attaching replays what is plugged, block by block. */
    device_add_vfio(qts, "v0");
    assert_mappings(qts, (Range[]) {
        { 0, RAM_SIZE }, { a, BLOCK }, { a + BLOCK, BLOCK },
        { a + 8 * BLOCK, BLOCK } }, 4);

    /* The last user gone: everything unmapped and unpinned. */
    device_del(qts, "v0");
    assert_mappings(qts, NULL, 0);
    g_assert_cmpuint(plugged_size(qts), ==, 3 * BLOCK);
    qvirtio_mem_driver_stop(&d);
    qtest_quit(qts);
}

static void test_hotplug_refused(void)
{
    QTestState *qts = qtest_init(MACHINE MEMDEV VMEM_DEV
                                 "-object vfio-emulated-container,id=c0,"
                                 "dma-entry-limit=3");
    QVirtioMemDriver d;
    JsonObject *resp;
    const char *desc;

    qvirtio_mem_driver_start(&d, qts, QPCI_DEVFN(2, 0));
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_PLUG, d.addr, 3,
                                        NULL),
                    ==, VIRTIO_MEM_RESP_ACK);

    /* RAM + 3 blocks do not fit into 3 mappings: device_add fails. */
    resp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments': "
                     "{'driver': 'vfio-emulated-pci', 'container': 'c0', "
                     "'id': 'v0'}}");
    g_assert_true(json_object_has_member(resp, "error"));
    desc = json_object_get_string_member(
        json_object_get_object_member(resp, "error"), "desc");
    g_assert_nonnull(strstr(desc, "limit of 3 DMA mappings is reached"));
    json_object_unref(resp);
    assert_mappings(qts, NULL, 0);
    g_assert_cmpint(qtest_qom_get_int(qts, "/objects/c0", "dma-entry-limit"),
                    ==, 3);

    /* With one block less it fits. */
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_UNPLUG,
                                        d.addr + 2 * BLOCK, 1, NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    device_add_vfio(qts, "v0");
    assert_mappings(qts, (Range[]) {
        { 0, RAM_SIZE }, { d.addr, BLOCK }, { d.addr + BLOCK, BLOCK } }, 3);
    qvirtio_mem_driver_stop(&d);
    qtest_quit(qts);
}

/*
 * The limit exceeded by a section that appears after the attach: with
 * strict-dma-limit every populate of it is refused.
 */
static void test_strict_later_section(void)
{
    QTestState *qts = qtest_init(MACHINE MEMDEV
                                 "-object vfio-emulated-container,id=c0,"
                                 "dma-entry-limit=100,strict-dma-limit=on "
                                 "-device vfio-emulated-pci,container=c0 "
                                 VMEM_DEV);
    QVirtioMemDriver d;
    JsonObject *info;
    JsonArray *w;

    qvirtio_mem_driver_start(&d, qts, QPCI_DEVFN(3, 0));
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_PLUG, d.addr, 1,
                                        NULL),
                    ==, VIRTIO_MEM_RESP_BUSY);
    assert_mappings(qts, (Range[]) { { 0, RAM_SIZE } }, 1);
    g_assert_cmpuint(plugged_size(qts), ==, 0);
    info = query(qts);
    w = json_object_get_array_member(info, "warnings");
    g_assert_cmpint(json_array_get_length(w), ==, 2);
    g_assert_nonnull(strstr(json_array_get_string_element(w, 0),
                            "'block-size'"));
    g_assert_nonnull(strstr(json_array_get_string_element(w, 1),
                            "refusing to populate"));
    json_object_unref(info);
    qvirtio_mem_driver_stop(&d);
    qtest_quit(qts);
}

/*
 * Private anonymous memory pinned with io_uring (like type1): unplugging a
 * mapped block works — discarded (the process's RSS falls), then unmapped
 * and unpinned (VmPin falls) — and a plug afterwards reads zeroes.
 */
static void test_private_memory_unplug(void)
{
    QTestState *qts;
    QVirtioMemDriver d;
    g_autofree char *pin = NULL;
    uint64_t a, rss;

    if (skip_without_io_uring()) {
        return;
    }
    qts = qtest_init(MACHINE "-object memory-backend-ram,id=mem0,size=1G "
                     VMEM_DEV
                     "-object vfio-emulated-container,id=c0,pin=io-uring "
                     "-device vfio-emulated-pci,container=c0");
    pin = query_pin(qts);
    g_assert_cmpstr(pin, ==, "io-uring");
    qvirtio_mem_driver_start(&d, qts, QPCI_DEVFN(2, 0));
    a = d.addr;
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_PLUG, a, 16, NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    qtest_writeq(qts, a + 64, 0x1122334455667788ULL);
    g_assert_cmpuint(proc_status(qts, "VmPin"), ==, RAM_SIZE + 16 * BLOCK);
    rss = proc_status(qts, "RssAnon");

    /* The case that answered BUSY with mlock. */
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_UNPLUG, a, 8,
                                        NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(plugged_size(qts), ==, 8 * BLOCK);
    assert_mappings(qts, (Range[]) { { 0, RAM_SIZE },
        { a + 8 * BLOCK, BLOCK }, { a + 9 * BLOCK, BLOCK },
        { a + 10 * BLOCK, BLOCK }, { a + 11 * BLOCK, BLOCK },
        { a + 12 * BLOCK, BLOCK }, { a + 13 * BLOCK, BLOCK },
        { a + 14 * BLOCK, BLOCK }, { a + 15 * BLOCK, BLOCK } }, 9);
    g_assert_cmpuint(proc_status(qts, "VmPin"), ==, RAM_SIZE + 8 * BLOCK);
    g_assert_cmpuint(rss - MIN(rss, proc_status(qts, "RssAnon")), >=,
                     8 * BLOCK - MIB);

    /* Plugged again, the block is fresh memory. */
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_PLUG, a, 1, NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmphex(qtest_readq(qts, a + 64), ==, 0);
    g_assert_cmpuint(proc_status(qts, "VmPin"), ==, RAM_SIZE + 9 * BLOCK);
    qvirtio_mem_driver_stop(&d);
    qtest_quit(qts);
}

/*
 * pin=mlock: Linux does not discard mlock()ed private pages, so
 * unplugging a mapped block fails (BUSY) and the block, its data and its
 * mapping stay; once the device is gone the unplug works.
 */
static void test_private_memory_unplug_mlock(void)
{
    QTestState *qts = qtest_init(MACHINE
                                 "-object memory-backend-ram,id=mem0,"
                                 "size=1G " VMEM_DEV
                                 "-object vfio-emulated-container,id=c0,"
                                 "pin=mlock "
                                 "-device vfio-emulated-pci,container=c0,"
                                 "id=v0");
    g_autofree char *pin = query_pin(qts);
    QVirtioMemDriver d;
    uint64_t a;

    g_assert_cmpstr(pin, ==, "mlock");
    qvirtio_mem_driver_start(&d, qts, QPCI_DEVFN(2, 0));
    a = d.addr;
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_PLUG, a, 1, NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    qtest_writeq(qts, a + 64, 0x1122334455667788ULL);
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_UNPLUG, a, 1,
                                        NULL),
                    ==, VIRTIO_MEM_RESP_BUSY);
    g_assert_cmphex(qtest_readq(qts, a + 64), ==, 0x1122334455667788ULL);
    g_assert_cmpuint(plugged_size(qts), ==, BLOCK);
    assert_mappings(qts, (Range[]) { { 0, RAM_SIZE }, { a, BLOCK } }, 2);
    g_assert_cmpuint(proc_status(qts, "VmPin"), ==, 0);

    device_del(qts, "v0");
    g_assert_cmpint(qvirtio_mem_request(&d, VIRTIO_MEM_REQ_UNPLUG, a, 1,
                                        NULL),
                    ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(plugged_size(qts), ==, 0);
    g_assert_cmpuint(proc_status(qts, "VmLck"), ==, 0);
    qvirtio_mem_driver_stop(&d);
    qtest_quit(qts);
}

/* The mlock pinning follows plugs and unplugs too (shared memory). */
static void test_plug_unplug_mlock(void)
{
    QTestState *qts = qtest_init(MACHINE MEMDEV VMEM_DEV
                                 "-object vfio-emulated-container,id=c0,"
                                 "pin=mlock "
                                 "-device vfio-emulated-pci,container=c0");
    g_autofree char *pin = query_pin(qts);

    g_assert_cmpstr(pin, ==, "mlock");
    run_plug_unplug(qts, QPCI_DEVFN(2, 0));
    g_assert_cmpuint(proc_status(qts, "VmPin"), ==, 0);
    qtest_quit(qts);
}

static void test_pin_property(void)
{
    expect_start_failure("-machine pc -m 256M "
                         "-object vfio-emulated-container,id=c0,pin=dma",
                         "-object vfio-emulated-container,id=c0,pin=dma: "
                         "'pin' must be 'io-uring' or 'mlock', not 'dma'");
}

/* ---- the worst-case check against the limit ---- */

static JsonArray *warnings_ref(QTestState *qts, int64_t *worst)
{
    JsonObject *info = query(qts);
    JsonArray *w = json_array_ref(json_object_get_array_member(info,
                                                               "warnings"));

    *worst = json_object_get_int_member(info, "worst-case-mappings");
    json_object_unref(info);
    return w;
}

static void test_limit_warning(void)
{
    /* 1 GiB in 2 MiB blocks: 512 + RAM's 1 > 300. */
    QTestState *qts = qtest_init(MACHINE MEMDEV VMEM_DEV
                                 "-object vfio-emulated-container,id=c0,"
                                 "dma-entry-limit=300 "
                                 "-device vfio-emulated-pci,container=c0");
    JsonArray *w;
    int64_t worst;

    w = warnings_ref(qts, &worst);
    g_assert_cmpint(worst, ==, 513);
    g_assert_cmpint(json_array_get_length(w), ==, 1);
    g_assert_nonnull(strstr(json_array_get_string_element(w, 0),
                            "may need up to 512 DMA mappings"));
    g_assert_nonnull(strstr(json_array_get_string_element(w, 0),
                            "limit of 300"));
    g_assert_nonnull(strstr(json_array_get_string_element(w, 0),
                            "'block-size'"));
    json_array_unref(w);
    qtest_quit(qts);

    /* The fix the message names: 4 MiB blocks, 256 + 1 fit. */
    qts = qtest_init(MACHINE MEMDEV
                     "-device virtio-mem-pci,id=vm0,memdev=mem0,"
                     "block-size=4M "
                     "-object vfio-emulated-container,id=c0,"
                     "dma-entry-limit=300 "
                     "-device vfio-emulated-pci,container=c0");
    w = warnings_ref(qts, &worst);
    g_assert_cmpint(worst, ==, 257);
    g_assert_cmpint(json_array_get_length(w), ==, 0);
    json_array_unref(w);
    qtest_quit(qts);
}

static void expect_start_failure(const char *args, const char *message)
{
    g_autofree char *err = NULL;
    int status;

    err = qtest_init_expect_fail(args, &status);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    if (!strstr(err, message)) {
        g_test_message("stderr: %s", err);
    }
    g_assert_nonnull(strstr(err, message));
}

static void test_limit_strict(void)
{
    expect_start_failure("-machine pc -m 256M,maxmem=2G " MEMDEV VMEM_DEV
                         "-object vfio-emulated-container,id=c0,"
                         "dma-entry-limit=16,strict-dma-limit=on "
                         "-device vfio-emulated-pci,container=c0",
                         "-device vfio-emulated-pci,container=c0: "
                         "vfio-emulated-container 'c0': 'mem0' may need up "
                         "to 512 DMA mappings");
    expect_start_failure("-machine pc -m 256M,maxmem=2G " MEMDEV VMEM_DEV
                         "-object vfio-emulated-container,id=c0,"
                         "dma-entry-limit=16,strict-dma-limit=on "
                         "-device vfio-emulated-pci,container=c0",
                         "increase the virtio-mem device's 'block-size'");
}

/* ---- discard coordination ---- */

static void test_discard_coordination(void)
{
    /* A device that needs all discards disabled, after virtio-mem. */
    expect_start_failure("-machine pc -m 256M,maxmem=2G " MEMDEV VMEM_DEV
                         "-object vfio-emulated-container,id=c0 "
                         "-device vfio-emulated-pci,container=c0,x-mdev=on",
                         "vfio-emulated-pci: cannot disable RAM discards: "
                         "a device relies on discarding RAM (e.g. "
                         "virtio-mem): Device or resource busy");
    /* ... and before it: virtio-mem refuses. */
    expect_start_failure("-machine pc -m 256M,maxmem=2G " MEMDEV
                         "-object vfio-emulated-container,id=c0 "
                         "-device vfio-emulated-pci,container=c0,x-mdev=on "
                         VMEM_DEV,
                         "-device virtio-mem-pci,id=vm0,memdev=mem0,"
                         "requested-size=64M: Discarding RAM is disabled");
}

/* Without virtio-mem, x-mdev=on maps all RAM like the plain mode. */
static void test_mdev_without_virtio_mem(void)
{
    QTestState *qts = qtest_init("-machine pc -m 256M "
                                 "-object vfio-emulated-container,id=c0 "
                                 "-device vfio-emulated-pci,container=c0,"
                                 "x-mdev=on");

    assert_mappings(qts, (Range[]) { { 0, RAM_SIZE } }, 1);
    qtest_quit(qts);
}

static void test_missing_container(void)
{
    expect_start_failure("-machine pc -m 256M -device vfio-emulated-pci",
                         "'container' property must be set");
    expect_start_failure("-machine pc -m 256M "
                         "-device vfio-emulated-pci,container=nope",
                         "nope");
}

/* ---- vfio-pci on a host without the device / VFIO ---- */

static void test_vfio_pci_errors(void)
{
    expect_start_failure("-machine pc -m 256M "
                         "-device vfio-pci,host=0000:7f:1f.7",
                         "-device vfio-pci,host=0000:7f:1f.7: host PCI "
                         "device 0000:7f:1f.7 does not exist "
                         "(/sys/bus/pci/devices/0000:7f:1f.7): No such file "
                         "or directory");
    /* The short form gets domain 0000. */
    expect_start_failure("-machine pc -m 256M -device vfio-pci,host=7f:1f.7",
                         "host PCI device 0000:7f:1f.7 does not exist");
    expect_start_failure("-machine pc -m 256M -device vfio-pci,host=zz",
                         "invalid host 'zz': expected "
                         "[DOMAIN:]BUS:SLOT.FUNCTION");
    expect_start_failure("-machine pc -m 256M "
                         "-device vfio-pci,host=0000:100:00.0",
                         "invalid host '0000:100:00.0': out of range");
    expect_start_failure("-machine pc -m 256M -device vfio-pci",
                         "'host' property must be set");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/vfio-emulated/plug-unplug", test_plug_unplug);
    qtest_add_func("/vfio-emulated/plug-unplug-device-first",
                   test_plug_unplug_device_first);
    qtest_add_func("/vfio-emulated/pinned-16g", test_pinned_16g);
    qtest_add_func("/vfio-emulated/veto", test_veto);
    qtest_add_func("/vfio-emulated/memslots", test_memslots);
    qtest_add_func("/vfio-emulated/hotplug", test_hotplug);
    qtest_add_func("/vfio-emulated/hotplug-refused", test_hotplug_refused);
    qtest_add_func("/vfio-emulated/strict-later-section",
                   test_strict_later_section);
    qtest_add_func("/vfio-emulated/private-memory-unplug",
                   test_private_memory_unplug);
    qtest_add_func("/vfio-emulated/private-memory-unplug-mlock",
                   test_private_memory_unplug_mlock);
    qtest_add_func("/vfio-emulated/plug-unplug-mlock", test_plug_unplug_mlock);
    qtest_add_func("/vfio-emulated/pin-property", test_pin_property);
    qtest_add_func("/vfio-emulated/limit-warning", test_limit_warning);
    qtest_add_func("/vfio-emulated/limit-strict", test_limit_strict);
    qtest_add_func("/vfio-emulated/discard-coordination",
                   test_discard_coordination);
    qtest_add_func("/vfio-emulated/mdev-without-virtio-mem",
                   test_mdev_without_virtio_mem);
    qtest_add_func("/vfio-emulated/missing-container", test_missing_container);
    qtest_add_func("/vfio-pci/errors", test_vfio_pci_errors);
    return g_test_run();
}
