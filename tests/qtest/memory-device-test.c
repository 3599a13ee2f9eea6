/*
 * Memory devices in the pc machine: placement inside device memory,
 * explicit addresses, the maxmem limit, query-memory-devices, HMP
 * "info memory-devices" and "info mtree".  Expected texts are QEMU 7.2's.
 */
#include "qemu/osdep.h"
#include <sys/wait.h>
#include "libqtest.h"

#define MACHINE "-machine pc -m 1G,maxmem=9G,slots=1 "

static char *node_to_string(JsonNode *node)
{
    return json_to_string(node, FALSE);
}

static char *query_memory_devices(QTestState *qts)
{
    JsonNode *ret = qtest_qmp_assert_success(qts, "{'execute': "
                                             "'query-memory-devices'}");

    return node_to_string(ret);
}

/*
 * Start sparsevm with @objects and "-device @device", expecting it to
 * fail with exactly "sparsevm: -device @device: @error".
 */
static void assert_device_fails(const char *machine, const char *objects,
                                const char *device, const char *error)
{
    g_autofree char *args = g_strdup_printf("%s %s -device %s", machine,
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

static void test_first_fit_placement(void)
{
    QTestState *qts = qtest_init(MACHINE
        "-object memory-backend-ram,id=mem0,size=1G "
        "-object memory-backend-ram,id=mem1,size=1G "
        "-device virtio-mem-pci,id=vm0,memdev=mem0 "
        "-device virtio-mem-pci,id=vm1,memdev=mem1,requested-size=8M");
    g_autofree char *list = query_memory_devices(qts);

    g_assert_cmpstr(list, ==,
        "[{\"type\":\"virtio-mem\",\"data\":{\"memdev\":\"/objects/mem0\","
        "\"memaddr\":4294967296,\"block-size\":2097152,\"size\":0,"
        "\"node\":0,\"max-size\":1073741824,\"requested-size\":0,"
        "\"id\":\"vm0\"}},"
        "{\"type\":\"virtio-mem\",\"data\":{\"memdev\":\"/objects/mem1\","
        "\"memaddr\":5368709120,\"block-size\":2097152,\"size\":0,"
        "\"node\":0,\"max-size\":1073741824,\"requested-size\":8388608,"
        "\"id\":\"vm1\"}}]");
    qtest_quit(qts);
}

/* A device placed explicitly high; the next one fills the gap below. */
static void test_explicit_address_and_gap(void)
{
    QTestState *qts = qtest_init(MACHINE
        "-object memory-backend-ram,id=mem0,size=1G "
        "-object memory-backend-ram,id=mem1,size=512M "
        "-object memory-backend-ram,id=mem2,size=1G "
        "-device virtio-mem-pci,id=vm0,memdev=mem0,memaddr=0x140000000 "
        "-device virtio-mem-pci,id=vm1,memdev=mem1 "
        "-device virtio-mem-pci,id=vm2,memdev=mem2");
    JsonNode *ret = qtest_qmp_assert_success(qts, "{'execute': "
                                             "'query-memory-devices'}");
    JsonArray *list = json_node_get_array(ret);
    static const struct {
        const char *id;
        uint64_t addr;
    } expected[] = {
        { "vm1", 0x100000000ULL },  /* fits below vm0 */
        { "vm0", 0x140000000ULL },
        { "vm2", 0x180000000ULL },  /* first free address after vm0 */
    };

    g_assert_cmpuint(json_array_get_length(list), ==, 3);
    for (guint i = 0; i < 3; i++) {
        JsonObject *entry = json_array_get_object_element(list, i);
        JsonObject *data = json_object_get_object_member(entry, "data");

        g_assert_cmpstr(json_object_get_string_member(data, "id"), ==,
                        expected[i].id);
        g_assert_cmpuint(json_object_get_int_member(data, "memaddr"), ==,
                         expected[i].addr);
    }
    qtest_quit(qts);
}

static void test_address_conflict(void)
{
    assert_device_fails(MACHINE,
        "-object memory-backend-ram,id=mem0,size=4G "
        "-object memory-backend-ram,id=mem1,size=1G "
        "-device virtio-mem-pci,id=vm0,memdev=mem0,memaddr=0x100000000",
        "virtio-mem-pci,id=vm1,memdev=mem1,memaddr=0x1c0000000",
        "address range conflicts with memory device id='vm0'");
}

static void test_address_misaligned(void)
{
    assert_device_fails(MACHINE,
        "-object memory-backend-ram,id=mem0,size=4G",
        "virtio-mem-pci,id=vm0,memdev=mem0,memaddr=0x100100000",
        "address must be aligned to 0x200000 bytes");
    /* the alignment follows the block size */
    assert_device_fails(MACHINE,
        "-object memory-backend-ram,id=mem0,size=4G",
        "virtio-mem-pci,id=vm0,memdev=mem0,block-size=1G,memaddr=0x120000000",
        "address must be aligned to 0x40000000 bytes");
}

static void test_address_outside(void)
{
    assert_device_fails(MACHINE,
        "-object memory-backend-ram,id=mem0,size=4G",
        "virtio-mem-pci,id=vm0,memdev=mem0,memaddr=0x300000000",
        "can't add memory device [0x300000000:0x100000000], usable range "
        "for memory devices [0x100000000:0x240000000]");
}

static void test_maxmem_limit(void)
{
    assert_device_fails("-machine pc -m 1G,maxmem=2G,slots=4",
        "-object memory-backend-ram,id=mem0,size=512M "
        "-object memory-backend-ram,id=mem1,size=1G "
        "-device virtio-mem-pci,id=vm0,memdev=mem0",
        "virtio-mem-pci,id=vm1,memdev=mem1",
        "not enough space, currently 0x20000000 in use of total space for "
        "memory devices 0x40000000");
    assert_device_fails(MACHINE,
        "-object memory-backend-ram,id=mem0,size=9G",
        "virtio-mem-pci,id=vm0,memdev=mem0",
        "not enough space, currently 0x0 in use of total space for "
        "memory devices 0x200000000");
}

static void test_no_maxmem(void)
{
    assert_device_fails("-machine pc -m 1G",
        "-object memory-backend-ram,id=mem0,size=1G",
        "virtio-mem-pci,id=vm0,memdev=mem0",
        "memory devices (e.g. for memory hotplug) are not enabled, please "
        "specify the maxmem option");
}

static void test_hmp_info_memory_devices(void)
{
    QTestState *qts = qtest_init(MACHINE
        "-object memory-backend-ram,id=mem0,size=1G "
        "-object memory-backend-ram,id=mem1,size=1G "
        "-device virtio-mem-pci,id=vm0,memdev=mem0,requested-size=16M "
        "-device virtio-mem-pci,memdev=mem1");
    g_autofree char *out = qtest_hmp(qts, "info memory-devices");

    g_assert_cmpstr(out, ==,
        "Memory device [virtio-mem]: \"vm0\"\n"
        "  memaddr: 0x100000000\n"
        "  node: 0\n"
        "  requested-size: 16777216\n"
        "  size: 0\n"
        "  max-size: 1073741824\n"
        "  block-size: 2097152\n"
        "  memdev: /objects/mem0\n"
        "Memory device [virtio-mem]: \"\"\n"
        "  memaddr: 0x140000000\n"
        "  node: 0\n"
        "  requested-size: 0\n"
        "  size: 0\n"
        "  max-size: 1073741824\n"
        "  block-size: 2097152\n"
        "  memdev: /objects/mem1\n");
    qtest_quit(qts);
}

static char *query_memory_size_summary(QTestState *qts)
{
    JsonNode *ret = qtest_qmp_assert_success(qts, "{'execute': "
                                             "'query-memory-size-summary'}");

    return node_to_string(ret);
}

static void test_no_devices(void)
{
    QTestState *qts = qtest_init(MACHINE);
    g_autofree char *list = query_memory_devices(qts);
    g_autofree char *out = qtest_hmp(qts, "info memory-devices");
    g_autofree char *summary = query_memory_size_summary(qts);

    g_assert_cmpstr(list, ==, "[]");
    g_assert_cmpstr(out, ==, "");
    g_assert_cmpstr(summary, ==,
                    "{\"base-memory\":1073741824,\"plugged-memory\":0}");
    qtest_quit(qts);
}

static void test_mtree(void)
{
    QTestState *qts = qtest_init(MACHINE
        "-object memory-backend-ram,id=mem0,size=1G "
        "-object memory-backend-ram,id=mem1,size=1G "
        "-device virtio-mem-pci,id=vm0,memdev=mem0 "
        "-device virtio-mem-pci,id=vm1,memdev=mem1");
    g_autofree char *out = qtest_hmp(qts, "info mtree");

    g_assert_nonnull(strstr(out,
        "    0000000100000000-000000033fffffff (prio 0, i/o): device-memory\n"
        "      0000000100000000-000000013fffffff (prio 0, ram): mem0\n"
        "      0000000140000000-000000017fffffff (prio 0, ram): mem1\n"));
    qtest_quit(qts);
}

/* ---- memslot accounting ---- */

/* Three 128 GiB backends; memslots=1024 gives 1024 memslots of 128 MiB. */
#define MEMSLOTS_VM "-machine pc -m 1G,maxmem=385G,slots=3 " \
    "-object memory-backend-ram,id=mem0,size=128G,reserve=off " \
    "-object memory-backend-ram,id=mem1,size=128G,reserve=off " \
    "-object memory-backend-ram,id=mem2,size=128G,reserve=off "
#define TWO_1024 \
    "-device virtio-mem-pci,id=vm0,memdev=mem0,memslots=1024 " \
    "-device virtio-mem-pci,id=vm1,memdev=mem1,memslots=1024"

static void assert_device_add_fails(QTestState *qts, const char *args,
                                    const char *error)
{
    JsonObject *resp = qtest_qmp(qts, "{'execute': 'device_add', "
                                 "'arguments': %s}", args);
    JsonObject *err;

    g_assert_true(json_object_has_member(resp, "error"));
    err = json_object_get_object_member(resp, "error");
    g_assert_cmpstr(json_object_get_string_member(err, "class"), ==,
                    "GenericError");
    g_assert_cmpstr(json_object_get_string_member(err, "desc"), ==, error);
    json_object_unref(resp);
}

/* All memory devices together get at most 2048 memslots. */
static void test_memslots_total_limit_hotplug(void)
{
    QTestState *qts = qtest_init(MEMSLOTS_VM TWO_1024);
    JsonObject *resp;
    JsonNode *ret;
    JsonArray *list;

    assert_device_add_fails(qts, "{'driver': 'virtio-mem-pci', 'id': 'vm2', "
                            "'memdev': 'mem2', 'memslots': 1024}",
                            "memory devices already use 2048 memory slots, "
                            "1024 more would exceed the maximum of 2048");
    /* even a single memslot is one too many */
    assert_device_add_fails(qts, "{'driver': 'virtio-mem-pci', 'id': 'vm2', "
                            "'memdev': 'mem2'}",
                            "memory devices already use 2048 memory slots, "
                            "1 more would exceed the maximum of 2048");

    /* the VM keeps running with its two devices; mem2 is not taken */
    ret = qtest_qmp_assert_success(qts, "{'execute': 'query-status'}");
    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(ret),
                                                  "status"), ==, "running");
    ret = qtest_qmp_assert_success(qts, "{'execute': "
                                   "'query-memory-devices'}");
    list = json_node_get_array(ret);
    g_assert_cmpuint(json_array_get_length(list), ==, 2);
    resp = qtest_qmp(qts, "{'execute': 'qom-get', 'arguments': "
                     "{'path': 'vm2', 'property': 'memslots'}}");
    g_assert_true(json_object_has_member(resp, "error"));
    json_object_unref(resp);
    qtest_quit(qts);
}

static void test_memslots_total_limit_cli(void)
{
    assert_device_fails(MEMSLOTS_VM, TWO_1024,
                        "virtio-mem-pci,id=vm2,memdev=mem2,memslots=1024",
                        "memory devices already use 2048 memory slots, "
                        "1024 more would exceed the maximum of 2048");
    /* 1024 + 1023 + 1 = 2048 fit */
    {
        QTestState *qts = qtest_init(MEMSLOTS_VM
            "-device virtio-mem-pci,id=vm0,memdev=mem0,memslots=1024 "
            "-device virtio-mem-pci,id=vm1,memdev=mem1,memslots=1023 "
            "-device virtio-mem-pci,id=vm2,memdev=mem2");

        g_assert_cmpint(qtest_qom_get_int(qts, "vm1", "memslots"), ==, 1023);
        qtest_quit(qts);
    }
}

/*
 * Devices deciding for themselves share what fixed devices leave of the
 * soft limit of 256: 256 - 200 = 56 for the dynamic one.
 */
static void test_memslots_soft_limit_left(void)
{
    QTestState *qts = qtest_init("-machine pc -m 1G,maxmem=257G,slots=2 "
        "-object memory-backend-ram,id=mem0,size=128G,reserve=off "
        "-object memory-backend-ram,id=mem1,size=128G,reserve=off "
        "-device virtio-mem-pci,id=vm0,memdev=mem0,memslots=200 "
        "-device virtio-mem-pci,id=vm1,memdev=mem1,"
        "unplugged-inaccessible=on,dynamic-memslots=on");

    /* 128 GiB in 200: 656 MiB memslots -> 200 of them */
    g_assert_cmpint(qtest_qom_get_int(qts, "vm0", "memslots"), ==, 200);
    /* 128 GiB / 56 = 2340.57 MiB -> 2342 MiB (2 MiB blocks) -> 56 */
    g_assert_cmpint(qtest_qom_get_int(qts, "vm1", "memslots"), ==, 56);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/memory-device/placement/first-fit",
                   test_first_fit_placement);
    qtest_add_func("/memory-device/placement/explicit-and-gap",
                   test_explicit_address_and_gap);
    qtest_add_func("/memory-device/placement/conflict", test_address_conflict);
    qtest_add_func("/memory-device/placement/misaligned",
                   test_address_misaligned);
    qtest_add_func("/memory-device/placement/outside", test_address_outside);
    qtest_add_func("/memory-device/maxmem/limit", test_maxmem_limit);
    qtest_add_func("/memory-device/maxmem/none", test_no_maxmem);
    qtest_add_func("/memory-device/query/none", test_no_devices);
    qtest_add_func("/memory-device/hmp/info-memory-devices",
                   test_hmp_info_memory_devices);
    qtest_add_func("/memory-device/hmp/info-mtree", test_mtree);
    qtest_add_func("/memory-device/memslots/total-limit-hotplug",
                   test_memslots_total_limit_hotplug);
    qtest_add_func("/memory-device/memslots/total-limit-cli",
                   test_memslots_total_limit_cli);
    qtest_add_func("/memory-device/memslots/soft-limit-left",
                   test_memslots_soft_limit_left);
    return g_test_run();
}
