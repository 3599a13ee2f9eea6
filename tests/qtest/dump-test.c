/*
 * dump-guest-memory: RAM plus a virtio-mem device plugged in a
 * non-contiguous pattern is dumped as exactly the RAM and the plugged
 * ranges (ELF checked with readelf, gdb and our reader; kdump with our
 * reader and makedumpfile -R), unplugged memory is not populated by the
 * dump, detached dumps report progress while the monitor keeps answering,
 * errors answer QMP errors, HMP and getfd/fd: work.
 */
#include "qemu/osdep.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mem.h>
#include "libqtest.h"
#include "libqos/malloc.h"
#include "libqos/pci.h"
#include "libqos/virtio-pci.h"
#include "sysemu/dump.h"
#include "dump-reader.h"

#define MIB (1024ULL * 1024)
#define RAM_SIZE (256 * MIB)
#define DEV_ADDR 0x100000000ULL
#define BLOCK (2 * MIB)
#define PLUGGED (8 * MIB)

#define SPARSE_VM "-machine pc -m 256M,maxmem=2G,slots=1 " \
    "-object memory-backend-memfd,id=mem0,size=1G " \
    "-device virtio-mem-pci,id=vm0,memdev=mem0,requested-size=16M "

/* What the dump of the sparse VM must contain, in address order. */
static const DumpRange expected_ranges[] = {
    { 0, RAM_SIZE, 0 },
    { DEV_ADDR, 2 * BLOCK, 0 },
    { DEV_ADDR + 6 * MIB, BLOCK, 0 },
    { DEV_ADDR + 14 * MIB, BLOCK, 0 },
};

/* Guest-physical addresses the test writes a known qword to. */
static const uint64_t probe_addrs[] = {
    0x1000, RAM_SIZE - 8, DEV_ADDR + 0x10, DEV_ADDR + 4 * MIB - 8,
    DEV_ADDR + 6 * MIB + 0x2340, DEV_ADDR + 16 * MIB - 16,
};

static char *tmpdir;

static uint64_t probe_value(unsigned i)
{
    return 0x5eed0000d00d0000ULL + i * 0x10001;
}

/* ---- a minimal virtio-mem guest driver over libqos ---- */

typedef struct SparseVM {
    QTestState *qts;
    QPCIBus *bus;
    QGuestAllocator alloc;
    QVirtioPCIDevice *dev;
    QVirtQueue *vq;
    uint64_t req, resp;
} SparseVM;

static uint16_t vmem_request(SparseVM *vm, uint16_t type, uint64_t addr,
                             uint16_t nb_blocks)
{
    struct virtio_mem_req req = {
        .type = GUINT16_TO_LE(type),
        .u.plug.addr = GUINT64_TO_LE(addr),
        .u.plug.nb_blocks = GUINT16_TO_LE(nb_blocks),
    };
    struct virtio_mem_resp resp;
    uint32_t head;

    qtest_memwrite(vm->qts, vm->req, &req, sizeof(req));
    head = qvirtqueue_add(vm->vq, vm->req, sizeof(req), false, true);
    qvirtqueue_add(vm->vq, vm->resp, sizeof(resp), true, false);
    qvirtqueue_kick(vm->vq, head);
    g_assert_true(qvirtqueue_get_buf(vm->vq, NULL, NULL));
    qtest_memread(vm->qts, vm->resp, &resp, sizeof(resp));
    return GUINT16_FROM_LE(resp.type);
}

/*
 * Start the sparse VM, plug [0, 4M), [6M, 8M) and [12M, 16M) of the
 * device, unplug [12M, 14M) again, and write the probe values.
 */
static void sparse_vm_start(SparseVM *vm, const char *extra)
{
    uint64_t features;

    memset(vm, 0, sizeof(*vm));
    vm->qts = qtest_initf(SPARSE_VM "%s", extra);
    vm->bus = qpci_new_pc(vm->qts);
    alloc_init(&vm->alloc, vm->qts, 16 * MIB, 32 * MIB);
    vm->req = guest_alloc(&vm->alloc, 4096);
    vm->resp = guest_alloc(&vm->alloc, 4096);
    vm->dev = qvirtio_pci_new(vm->bus, QPCI_DEVFN(2, 0));
    g_assert_nonnull(vm->dev);
    qvirtio_pci_reset(vm->dev);
    features = qvirtio_pci_get_features(vm->dev) &
               ((1ULL << VIRTIO_F_VERSION_1) |
                (1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE));
    g_assert_true(qvirtio_pci_negotiate(vm->dev, features));
    vm->vq = qvirtqueue_setup(vm->dev, &vm->alloc, 0);
    qvirtio_pci_set_driver_ok(vm->dev);

    g_assert_cmpint(vmem_request(vm, VIRTIO_MEM_REQ_PLUG, DEV_ADDR, 2), ==,
                    VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(vmem_request(vm, VIRTIO_MEM_REQ_PLUG,
                                 DEV_ADDR + 6 * MIB, 1), ==,
                    VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(vmem_request(vm, VIRTIO_MEM_REQ_PLUG,
                                 DEV_ADDR + 12 * MIB, 2), ==,
                    VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(vmem_request(vm, VIRTIO_MEM_REQ_UNPLUG,
                                 DEV_ADDR + 12 * MIB, 1), ==,
                    VIRTIO_MEM_RESP_ACK);
    for (unsigned i = 0; i < G_N_ELEMENTS(probe_addrs); i++) {
        qtest_writeq(vm->qts, probe_addrs[i], probe_value(i));
    }
}

static void sparse_vm_quit(SparseVM *vm)
{
    qvirtqueue_free(vm->vq);
    qvirtio_pci_free(vm->dev);
    qpci_free_pc(vm->bus);
    qtest_quit(vm->qts);
}

/* ---- helpers ---- */

static char *tmp_path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

/* Run a dump command that must succeed. */
static void dump_ok(QTestState *qts, const char *path, const char *format)
{
    qtest_qmp_assert_success(qts, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, "
                             "'protocol': 'file:%s', 'format': '%s'}}",
                             path, format);
}

/* The desc of a command that must fail with GenericError (g_free). */
static char *dump_error(QTestState *qts, const char *args)
{
    JsonObject *resp = qtest_qmp(qts, "{'execute': 'dump-guest-memory', "
                                 "'arguments': %s}", args);
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

static void assert_ranges(GArray *ranges, const DumpRange *expected,
                          unsigned n)
{
    g_assert_cmpuint(ranges->len, ==, n);
    for (unsigned i = 0; i < n; i++) {
        DumpRange *r = &g_array_index(ranges, DumpRange, i);

        g_assert_cmphex(r->start, ==, expected[i].start);
        g_assert_cmphex(r->size, ==, expected[i].size);
    }
}

static void assert_running(QTestState *qts)
{
    JsonNode *ret = qtest_qmp_assert_success(qts,
                                             "{'execute': 'query-status'}");

    g_assert_true(json_object_get_boolean_member(json_node_get_object(ret),
                                                 "running"));
}

/* Bytes of the backend's memfd really allocated (found via /proc). */
static uint64_t memfd_allocated(QTestState *qts)
{
    g_autofree char *dir = g_strdup_printf("/proc/%d/fd", qtest_pid(qts));
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d))) {
        g_autofree char *link = g_build_filename(dir, name, NULL);
        g_autofree char *target = g_file_read_link(link, NULL);
        struct stat st;

        if (target && strstr(target, "memfd:memory-backend-memfd")) {
            g_assert_cmpint(stat(link, &st), ==, 0);
            return (uint64_t)st.st_blocks * 512;
        }
    }
    g_assert_not_reached();
}

static bool have_tool(const char *name)
{
    g_autofree char *path = g_find_program_in_path(name);

    return path != NULL;
}

static char *run_tool(const char *cmdline, int *status)
{
    char *out = NULL;

    g_assert_true(g_spawn_command_line_sync(cmdline, &out, NULL, status,
                                            NULL));
    return out;
}

/* ---- tests ---- */

/* The PT_LOAD segments as readelf -lW prints them. */
static GArray *readelf_loads(const char *path)
{
    g_autofree char *cmd = g_strdup_printf("readelf -lW %s", path);
    int status;
    g_autofree char *out = run_tool(cmd, &status);
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    GArray *loads = g_array_new(FALSE, FALSE, sizeof(DumpRange));

    g_assert_true(g_spawn_check_wait_status(status, NULL));
    for (int i = 0; lines[i]; i++) {
        DumpRange r;
        uint64_t vaddr, memsz;

        if (sscanf(lines[i], " LOAD 0x%" SCNx64 " 0x%" SCNx64 " 0x%" SCNx64
                   " 0x%" SCNx64 " 0x%" SCNx64, &r.file_offset, &vaddr,
                   &r.start, &r.size, &memsz) == 5) {
            g_assert_cmphex(memsz, ==, r.size);
            g_array_append_val(loads, r);
        }
    }
    return loads;
}

/* gdb -batch -c PATH -ex 'x/2gx ADDR': the two qwords it prints. */
static void gdb_read_2q(const char *path, uint64_t addr, uint64_t *q)
{
    g_autofree char *cmd = g_strdup_printf("gdb -nx -batch -c %s -ex "
                                           "'x/2gx 0x%" PRIx64 "'",
                                           path, addr);
    int status;
    g_autofree char *out = run_tool(cmd, &status);
    g_autofree char *prefix = g_strdup_printf("0x%" PRIx64 ":", addr);
    const char *line = strstr(out, prefix);

    g_assert_nonnull(line);
    g_assert_cmpint(sscanf(line + strlen(prefix), " 0x%" SCNx64
                           " 0x%" SCNx64, &q[0], &q[1]), ==, 2);
}

static void test_elf(void)
{
    g_autofree char *path = tmp_path("sparse.elf");
    unsigned n = G_N_ELEMENTS(expected_ranges);
    g_autoptr(GError) err = NULL;
    uint64_t allocated;
    SparseVM vm;
    DumpElf *e;
    struct stat st;

    sparse_vm_start(&vm, "");
    allocated = memfd_allocated(vm.qts);
    dump_ok(vm.qts, path, "elf");
    /* Only plugged memory of the backend may have been touched. */
    g_assert_cmpuint(memfd_allocated(vm.qts), <=, PLUGGED);
    g_assert_cmpuint(memfd_allocated(vm.qts), >=, allocated);
    assert_running(vm.qts);
    sparse_vm_quit(&vm);

    e = dump_elf_open(path, &err);
    g_assert_no_error(err);
    assert_ranges(e->loads, expected_ranges, n);
    g_assert_cmpuint(e->nr_prstatus, ==, 1);
    /* headers (one page) + RAM + plugged memory, nothing else */
    g_assert_cmphex(g_array_index(e->loads, DumpRange, 0).file_offset, ==,
                    4096);
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpuint(st.st_size, ==, 4096 + RAM_SIZE + PLUGGED);
    for (unsigned i = 0; i < G_N_ELEMENTS(probe_addrs); i++) {
        uint64_t v;

        g_assert_true(dump_elf_read(e, probe_addrs[i], &v, sizeof(v)));
        g_assert_cmphex(v, ==, probe_value(i));
    }
    dump_elf_close(e);

    if (have_tool("readelf")) {
        g_autoptr(GArray) loads = readelf_loads(path);

        assert_ranges(loads, expected_ranges, n);
    } else {
        g_test_message("readelf not installed: checked with our reader only");
    }
    if (have_tool("gdb")) {
        uint64_t q[2];

        /* probes 2 and 3 are the first and last qwords of a block run */
        gdb_read_2q(path, probe_addrs[2], q);
        g_assert_cmphex(q[0], ==, probe_value(2));
        g_assert_cmphex(q[1], ==, 0);
        gdb_read_2q(path, probe_addrs[5], q);
        g_assert_cmphex(q[0], ==, probe_value(5));
        g_assert_cmphex(q[1], ==, 0);
    } else {
        g_test_message("gdb not installed: checked with our reader only");
    }
    unlink(path);
}

static void check_kdump(const char *path, bool flattened)
{
    g_autoptr(GError) err = NULL;
    DumpKdump *k = dump_kdump_open(path, &err);
    g_autoptr(GArray) ranges = NULL;
    g_autofree uint8_t *page = g_malloc(4096);

    g_assert_no_error(err);
    g_assert_true(k->flattened == flattened);
    g_assert_cmphex(k->status, ==, DUMP_DH_COMPRESSED_ZLIB);
    g_assert_cmpint(k->nr_cpus, ==, 1);
    g_assert_cmpuint(k->note_size, >, 0);
    ranges = dump_kdump_ranges(k);
    assert_ranges(ranges, expected_ranges, G_N_ELEMENTS(expected_ranges));
    g_assert_cmpuint(k->nr_pages * 4096, ==, RAM_SIZE + PLUGGED);
    for (unsigned i = 0; i < G_N_ELEMENTS(probe_addrs); i++) {
        uint64_t v;

        g_assert_true(dump_kdump_read_page(k, probe_addrs[i] / 4096, page,
                                           &err));
        g_assert_no_error(err);
        memcpy(&v, page + probe_addrs[i] % 4096, sizeof(v));
        g_assert_cmphex(v, ==, probe_value(i));
    }
    /* a page nobody wrote is zero */
    g_assert_true(dump_kdump_read_page(k, (DEV_ADDR + 7 * MIB) / 4096, page,
                                       &err));
    g_assert_true(page[0] == 0 && !memcmp(page, page + 1, 4095));

    if (flattened && have_tool("makedumpfile")) {
        g_autofree char *rebuilt = g_strconcat(path, ".rebuilt", NULL);
        g_autofree char *cmd = g_strdup_printf("sh -c 'makedumpfile -R %s "
                                               "< %s'", rebuilt, path);
        g_autofree char *contents = NULL;
        gsize len;
        int status;
        g_autofree char *out = run_tool(cmd, &status);

        g_assert_true(g_spawn_check_wait_status(status, NULL));
        g_assert_true(g_file_get_contents(rebuilt, &contents, &len, NULL));
        /* makedumpfile rebuilds exactly the file our reader assembled */
        g_assert_cmpuint(len, ==, k->file->len);
        g_assert_true(!memcmp(contents, k->file->data, len));
        unlink(rebuilt);
    } else if (flattened) {
        g_test_message("makedumpfile not installed: our reader only");
    }
    dump_kdump_close(k);
}

static void test_kdump(void)
{
    g_autofree char *flat = tmp_path("sparse.kdump");
    g_autofree char *raw = tmp_path("sparse.kdump-raw");
    SparseVM vm;

    sparse_vm_start(&vm, "");
    dump_ok(vm.qts, flat, "kdump-zlib");
    dump_ok(vm.qts, raw, "kdump-raw-zlib");
    g_assert_cmpuint(memfd_allocated(vm.qts), <=, PLUGGED);
    sparse_vm_quit(&vm);

    check_kdump(flat, true);
    check_kdump(raw, false);
    unlink(flat);
    unlink(raw);
}

static void test_detach(void)
{
    g_autofree char *path = tmp_path("detached.elf");
    g_autoptr(GError) err = NULL;
    JsonObject *resp, *ret, *ev, *result;
    DumpElf *e;
    SparseVM vm;

    sparse_vm_start(&vm, "");
    /*
     * One write: the three commands are handled before the main loop
     * runs the dump's first chunk, so query-dump sees it active and the
     * second dump is refused.
     */
    qtest_qmp_send_raw(vm.qts,
        "{\"execute\": \"dump-guest-memory\", \"arguments\": {\"paging\": "
        "false, \"detach\": true, \"protocol\": \"file:%s\"}}\n"
        "{\"execute\": \"query-dump\"}\n"
        "{\"execute\": \"dump-guest-memory\", \"arguments\": {\"paging\": "
        "false, \"protocol\": \"file:%s.2\"}}\n", path, path);
    resp = qtest_qmp_receive(vm.qts);
    g_assert_true(json_object_has_member(resp, "return"));
    json_object_unref(resp);
    resp = qtest_qmp_receive(vm.qts);
    ret = json_object_get_object_member(resp, "return");
    g_assert_cmpstr(json_object_get_string_member(ret, "status"), ==,
                    "active");
    g_assert_cmpint(json_object_get_int_member(ret, "total"), ==,
                    RAM_SIZE + PLUGGED);
    g_assert_cmpint(json_object_get_int_member(ret, "completed"), <,
                    RAM_SIZE + PLUGGED);
    json_object_unref(resp);
    resp = qtest_qmp_receive(vm.qts);
    g_assert_cmpstr(json_object_get_string_member(
                        json_object_get_object_member(resp, "error"), "desc"),
                    ==, "There is a dump in process, please wait.");
    json_object_unref(resp);
    {
        g_autofree char *second = g_strconcat(path, ".2", NULL);

        /* refused before anything was opened */
        g_assert_false(g_file_test(second, G_FILE_TEST_EXISTS));
    }

    /*
     * Unplug [6M, 8M) while the dump runs (the VM is stopped, the device
     * still answers).  Whether the dump wrote that block before or after,
     * it must not populate it again.
     */
    g_assert_cmpint(vmem_request(&vm, VIRTIO_MEM_REQ_UNPLUG,
                                 DEV_ADDR + 6 * MIB, 1), ==,
                    VIRTIO_MEM_RESP_ACK);

    ev = qtest_qmp_eventwait_ref(vm.qts, "DUMP_COMPLETED");
    result = json_object_get_object_member(
                 json_object_get_object_member(ev, "data"), "result");
    g_assert_cmpstr(json_object_get_string_member(result, "status"), ==,
                    "completed");
    g_assert_cmpint(json_object_get_int_member(result, "completed"), ==,
                    RAM_SIZE + PLUGGED);
    g_assert_false(json_object_has_member(
                       json_object_get_object_member(ev, "data"), "error"));
    json_object_unref(ev);

    ret = json_node_get_object(qtest_qmp_assert_success(vm.qts,
                                   "{'execute': 'query-dump'}"));
    g_assert_cmpstr(json_object_get_string_member(ret, "status"), ==,
                    "completed");
    g_assert_cmpint(json_object_get_int_member(ret, "completed"), ==,
                    json_object_get_int_member(ret, "total"));
    assert_running(vm.qts);
    g_assert_cmpuint(memfd_allocated(vm.qts), <=, PLUGGED - BLOCK);
    sparse_vm_quit(&vm);

    /* The snapshot still lists the block: its old bytes or zeros. */
    e = dump_elf_open(path, &err);
    g_assert_no_error(err);
    assert_ranges(e->loads, expected_ranges, G_N_ELEMENTS(expected_ranges));
    {
        uint64_t v;

        g_assert_true(dump_elf_read(e, probe_addrs[4], &v, sizeof(v)));
        g_assert_true(v == probe_value(4) || v == 0);
        g_assert_true(dump_elf_read(e, probe_addrs[5], &v, sizeof(v)));
        g_assert_cmphex(v, ==, probe_value(5));
    }
    dump_elf_close(e);
    unlink(path);
}

static void test_errors(void)
{
    QTestState *qts = qtest_init("-machine pc -m 64M");
    g_autofree char *path = tmp_path("never.elf");
    JsonObject *ev, *data;
    JsonNode *ret;
    char *desc;

    ret = qtest_qmp_assert_success(qts, "{'execute': "
                                   "'query-dump-guest-memory-capability'}");
    {
        JsonArray *formats = json_object_get_array_member(
                                 json_node_get_object(ret), "formats");

        g_assert_cmpuint(json_array_get_length(formats), ==, 3);
        g_assert_cmpstr(json_array_get_string_element(formats, 0), ==, "elf");
        g_assert_cmpstr(json_array_get_string_element(formats, 1), ==,
                        "kdump-zlib");
    }
    ret = qtest_qmp_assert_success(qts, "{'execute': 'query-dump'}");
    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(ret),
                                                  "status"), ==, "none");

    desc = dump_error(qts, "{'paging': false, "
                      "'protocol': 'file:/nonexistent-dir/x'}");
    g_assert_cmpstr(desc, ==, "Could not open '/nonexistent-dir/x': No such "
                    "file or directory");
    g_free(desc);
    desc = dump_error(qts, "{'paging': false, 'protocol': 'file:/tmp/x', "
                      "'format': 'bogus'}");
    g_assert_cmpstr(desc, ==, "Parameter 'format' does not accept value "
                    "'bogus'");
    g_free(desc);
    desc = dump_error(qts, "{'paging': false, 'protocol': 'file:/tmp/x', "
                      "'format': 'kdump-lzo'}");
    g_assert_cmpstr(desc, ==, "kdump-lzo is not available now");
    g_free(desc);
    desc = dump_error(qts, "{'paging': false, 'protocol': 'tcp:x'}");
    g_assert_cmpstr(desc, ==, "Invalid parameter 'protocol'");
    g_free(desc);
    desc = dump_error(qts, "{'paging': false, 'protocol': 'fd:nope'}");
    g_assert_cmpstr(desc, ==, "File descriptor named 'nope' has not been "
                    "found");
    g_free(desc);
    desc = dump_error(qts, "{'paging': false, 'protocol': 'file:/tmp/x', "
                      "'begin': 0}");
    g_assert_cmpstr(desc, ==, "Parameter 'length' is missing");
    g_free(desc);
    desc = dump_error(qts, "{'paging': false, 'protocol': 'file:/tmp/x', "
                      "'format': 'kdump-zlib', 'begin': 0, 'length': 4096}");
    g_assert_cmpstr(desc, ==, "kdump-compressed format doesn't support "
                    "paging or filter");
    g_free(desc);
    desc = dump_error(qts, "{'paging': 'yes', 'protocol': 'file:/tmp/x'}");
    g_assert_cmpstr(desc, ==, "Invalid parameter type for 'paging', "
                    "expected: boolean");
    g_free(desc);
    desc = g_strdup_printf("{'paging': true, 'protocol': 'file:%s'}", path);
    {
        g_autofree char *d = dump_error(qts, desc);

        g_assert_cmpstr(d, ==, "Obtaining memory mappings is unsupported on "
                        "this CPU.");
    }
    g_free(desc);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    ret = qtest_qmp_assert_success(qts, "{'execute': 'query-dump'}");
    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(ret),
                                                  "status"), ==, "none");

    /* A write error: failed, with the error in DUMP_COMPLETED. */
    desc = dump_error(qts, "{'paging': false, 'protocol': 'file:/dev/full'}");
    g_assert_cmpstr(desc, ==, "dump: failed to write the dump file: No space "
                    "left on device");
    g_free(desc);
    ev = qtest_qmp_eventwait_ref(qts, "DUMP_COMPLETED");
    data = json_object_get_object_member(ev, "data");
    g_assert_cmpstr(json_object_get_string_member(
                        json_object_get_object_member(data, "result"),
                        "status"), ==, "failed");
    g_assert_cmpstr(json_object_get_string_member(data, "error"), ==,
                    "dump: failed to write the dump file: No space left on "
                    "device");
    json_object_unref(ev);
    ret = qtest_qmp_assert_success(qts, "{'execute': 'query-dump'}");
    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(ret),
                                                  "status"), ==, "failed");
    assert_running(qts);
    qtest_quit(qts);
}

static void test_hmp(void)
{
    QTestState *qts = qtest_init("-machine pc -m 64M");
    g_autofree char *elf = tmp_path("hmp.elf");
    g_autofree char *kd = tmp_path("hmp.kdump");
    g_autoptr(GError) err = NULL;
    g_autofree char *out1 = qtest_hmp(qts, "dump-guest-memory %s", elf);
    g_autofree char *out2 = qtest_hmp(qts, "dump-guest-memory -z %s", kd);
    g_autofree char *out3 = qtest_hmp(qts, "dump-guest-memory -p %s", elf);
    g_autofree char *out4 = qtest_hmp(qts, "dump-guest-memory");
    g_autofree char *filtered = tmp_path("hmp-filtered.elf");
    g_autofree char *out5 = qtest_hmp(qts, "dump-guest-memory %s 0x180000 "
                                      "0x200000", filtered);
    const DumpRange window = { 0x180000, 0x200000, 0 };
    const DumpRange ram = { 0, 64 * MIB, 0 };
    DumpElf *e;
    DumpKdump *k;
    g_autoptr(GArray) ranges = NULL;

    g_assert_cmpstr(out1, ==, "");
    g_assert_cmpstr(out2, ==, "");
    g_assert_cmpstr(out3, ==, "Error: Obtaining memory mappings is "
                    "unsupported on this CPU.\n");
    g_assert_true(g_str_has_prefix(out4, "Usage: dump-guest-memory"));
    g_assert_cmpstr(out5, ==, "");
    assert_running(qts);
    qtest_quit(qts);

    e = dump_elf_open(elf, &err);
    g_assert_no_error(err);
    assert_ranges(e->loads, &ram, 1);
    dump_elf_close(e);
    /* begin/length: only that window of RAM */
    e = dump_elf_open(filtered, &err);
    g_assert_no_error(err);
    assert_ranges(e->loads, &window, 1);
    dump_elf_close(e);
    unlink(filtered);
    k = dump_kdump_open(kd, &err);
    g_assert_no_error(err);
    ranges = dump_kdump_ranges(k);
    assert_ranges(ranges, &ram, 1);
    dump_kdump_close(k);
    unlink(elf);
    unlink(kd);
}

/* ---- getfd over our own QMP connection ---- */

static char *qmp_line(FILE *f)
{
    char buf[4096];

    /* Skip events: the next response line. */
    while (fgets(buf, sizeof(buf), f)) {
        if (!strstr(buf, "\"event\"")) {
            return g_strdup(buf);
        }
    }
    g_assert_not_reached();
}

static void qmp_send_fd(int sock, const char *msg, int fd)
{
    struct iovec iov = { .iov_base = (void *)msg, .iov_len = strlen(msg) };
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    struct cmsghdr *c;

    if (fd >= 0) {
        memset(&control, 0, sizeof(control));
        mh.msg_control = control.buf;
        mh.msg_controllen = sizeof(control.buf);
        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    g_assert_cmpint(sendmsg(sock, &mh, 0), ==, strlen(msg));
}

static void test_getfd(void)
{
    g_autofree char *sock_path = tmp_path("qmp2.sock");
    g_autofree char *path = tmp_path("fd.elf");
    g_autofree char *args = g_strdup_printf("-machine pc -m 32M -qmp "
                                            "unix:%s,server=on,wait=off",
                                            sock_path);
    QTestState *qts = qtest_init(args);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int sock = socket(AF_UNIX, SOCK_STREAM, 0);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const DumpRange ram = { 0, 32 * MIB, 0 };
    g_autoptr(GError) err = NULL;
    DumpElf *e;
    FILE *f;
    char *line;

    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(addr.sun_path, sock_path, sizeof(addr.sun_path));
    g_assert_cmpint(connect(sock, (struct sockaddr *)&addr, sizeof(addr)),
                    ==, 0);
    f = fdopen(dup(sock), "r");
    g_free(qmp_line(f));                            /* greeting */
    qmp_send_fd(sock, "{\"execute\": \"qmp_capabilities\"}\n", -1);
    line = qmp_line(f);
    g_assert_nonnull(strstr(line, "\"return\""));
    g_free(line);

    qmp_send_fd(sock, "{\"execute\": \"getfd\", \"arguments\": "
                "{\"fdname\": \"dumpfd\"}}\n", fd);
    close(fd);
    line = qmp_line(f);
    g_assert_cmpstr(line, ==, "{\"return\": {}}\n");
    g_free(line);
    qmp_send_fd(sock, "{\"execute\": \"dump-guest-memory\", \"arguments\": "
                "{\"paging\": false, \"protocol\": \"fd:dumpfd\"}}\n", -1);
    line = qmp_line(f);
    g_assert_cmpstr(line, ==, "{\"return\": {}}\n");
    g_free(line);
    /*
     * A pipe: `cat` copies it to a file.  ELF is written sequentially and
     * kdump-zlib is the flattened stream made for pipes.
     */
    for (int i = 0; i < 2; i++) {
        const char *format = i ? "kdump-zlib" : "elf";
        g_autofree char *out_path = tmp_path(i ? "pipe.kdump" : "pipe.elf");
        g_autofree char *sh = g_strdup_printf("cat > %s", out_path);
        char *child_argv[] = { (char *)"sh", (char *)"-c", sh, NULL };
        g_autofree char *cmd = g_strdup_printf(
            "{\"execute\": \"dump-guest-memory\", \"arguments\": "
            "{\"paging\": false, \"protocol\": \"fd:pipe\", "
            "\"format\": \"%s\"}}\n", format);
        GPid pid;
        int in_fd, status;

        g_assert_true(g_spawn_async_with_pipes(NULL, child_argv, NULL,
                                               G_SPAWN_SEARCH_PATH |
                                               G_SPAWN_DO_NOT_REAP_CHILD,
                                               NULL, NULL, &pid, &in_fd,
                                               NULL, NULL, NULL));
        qmp_send_fd(sock, "{\"execute\": \"getfd\", \"arguments\": "
                    "{\"fdname\": \"pipe\"}}\n", in_fd);
        close(in_fd);
        line = qmp_line(f);
        g_assert_cmpstr(line, ==, "{\"return\": {}}\n");
        g_free(line);
        qmp_send_fd(sock, cmd, -1);
        line = qmp_line(f);
        g_assert_cmpstr(line, ==, "{\"return\": {}}\n");
        g_free(line);
        /* sparsevm closed its end: cat sees EOF */
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_spawn_close_pid(pid);
        if (i) {
            DumpKdump *k = dump_kdump_open(out_path, &err);
            g_autoptr(GArray) ranges = NULL;

            g_assert_no_error(err);
            g_assert_true(k->flattened);
            ranges = dump_kdump_ranges(k);
            assert_ranges(ranges, &ram, 1);
            dump_kdump_close(k);
        } else {
            e = dump_elf_open(out_path, &err);
            g_assert_no_error(err);
            assert_ranges(e->loads, &ram, 1);
            dump_elf_close(e);
        }
        unlink(out_path);
    }

    /* The dump took the fd: the name is gone. */
    qmp_send_fd(sock, "{\"execute\": \"closefd\", \"arguments\": "
                "{\"fdname\": \"dumpfd\"}}\n", -1);
    line = qmp_line(f);
    g_assert_nonnull(strstr(line, "File descriptor named 'dumpfd' not "
                            "found"));
    g_free(line);
    qmp_send_fd(sock, "{\"execute\": \"getfd\", \"arguments\": "
                "{\"fdname\": \"other\"}}\n", -1);
    line = qmp_line(f);
    g_assert_nonnull(strstr(line, "No file descriptor supplied via "
                            "SCM_RIGHTS"));
    g_free(line);
    fclose(f);
    close(sock);
    assert_running(qts);
    qtest_quit(qts);

    e = dump_elf_open(path, &err);
    g_assert_no_error(err);
    assert_ranges(e->loads, &ram, 1);
    dump_elf_close(e);
    unlink(path);
    unlink(sock_path);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("dump-test-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    qtest_add_func("/dump/elf-sparse", test_elf);
    qtest_add_func("/dump/kdump-sparse", test_kdump);
    qtest_add_func("/dump/detach", test_detach);
    qtest_add_func("/dump/errors", test_errors);
    qtest_add_func("/dump/hmp", test_hmp);
    qtest_add_func("/dump/getfd", test_getfd);
    ret = g_test_run();
    rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
