/*
 * What a sparse virtio-mem device costs the host kernel under KVM.
 *
 * A 1 TiB virtio-mem device (memory-backend-ram, reserve=off) with 4 GiB
 * plugged beside 4 GiB of RAM, against a VM with the same 8 GiB as plain
 * RAM (-m 8G).  sparsevm runs with -accel kvm -S: no vCPU runs, a driver
 * over qtest plugs the memory, so what is measured is the KVM memslot
 * metadata (rmap and large-page arrays, about 2 MiB per GiB of memslot)
 * plus sparsevm's own RSS.  The same configurations under -accel qtest
 * give the cost without a VM.
 *
 * kernel: the kernel memory charged to a memory cgroup the benchmark
 * creates for itself and sparsevm (cgroup v1 memory.kmem.usage_in_bytes,
 * or "kernel" of cgroup v2 memory.stat), which KVM's memslot arrays are
 * charged to (GFP_KERNEL_ACCOUNT); where no memory cgroup can be made,
 * the drop of MemAvailable minus sparsevm's RSS (noisy on a busy host).
 * Medians of RUNS runs.  Prints numbers only; needs /dev/kvm (skips
 * without it).
 */
#include "qemu/osdep.h"
#include <fcntl.h>
#include <sys/stat.h>
#include "qemu/units.h"
#include "libqos/virtio-mem.h"

#define RUNS 3
#define PLUG_SIZE (4 * GiB)
#define BLOCKS_PER_REQUEST 512

#define DEVICE_MACHINE \
    "-m 4G,maxmem=1028G " \
    "-object memory-backend-ram,id=mem0,size=1T,reserve=off "

typedef struct Config {
    const char *name;
    const char *args;           /* NULL device: plain RAM */
    bool has_device;
} Config;

static const Config configs[] = {
    { "plain -m 8G", "-m 8G", false },
    { "memslots=1", DEVICE_MACHINE
      "-device virtio-mem-pci,id=vm0,memdev=mem0,memslots=1", true },
    { "memslots=1024", DEVICE_MACHINE
      "-device virtio-mem-pci,id=vm0,memdev=mem0,memslots=1024", true },
    { "dynamic-memslots=on", DEVICE_MACHINE
      "-device virtio-mem-pci,id=vm0,memdev=mem0,dynamic-memslots=on,"
      "unplugged-inaccessible=on", true },
};

typedef struct Sample {
    int64_t kernel;             /* bytes */
    int64_t rss;                /* bytes */
    int64_t kvm_slots;          /* -1: not known */
} Sample;

static int64_t meminfo_field(const char *field)
{
    g_autofree char *text = NULL;
    const char *line;

    if (!g_file_get_contents("/proc/meminfo", &text, NULL, NULL) ||
        !(line = strstr(text, field))) {
        return 0;
    }
    return g_ascii_strtoll(line + strlen(field), NULL, 10) * KiB;
}

static int64_t process_rss(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
    g_autofree char *status = NULL;
    const char *line;

    if (!g_file_get_contents(path, &status, NULL, NULL) ||
        !(line = strstr(status, "VmRSS:"))) {
        return 0;
    }
    return g_ascii_strtoll(line + 6, NULL, 10) * KiB;
}

/* The memory cgroup this benchmark runs in; NULL: measure MemAvailable. */
static char *bench_cgroup;
static char *parent_cgroup;
static bool cgroup_v2;

static bool write_pid(const char *dir)
{
    g_autofree char *path = g_build_filename(dir, "cgroup.procs", NULL);
    g_autofree char *pid = g_strdup_printf("%d", (int)getpid());
    /* Not g_file_set_contents(): cgroupfs has no temporary files. */
    int fd = open(path, O_WRONLY);
    bool ok = fd >= 0 && write(fd, pid, strlen(pid)) == strlen(pid);

    if (fd >= 0) {
        close(fd);
    }
    return ok;
}

/* Move this process (and so sparsevm) into a new memory cgroup. */
static void cgroup_enter(void)
{
    g_autofree char *self = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents("/proc/self/cgroup", &self, NULL, NULL)) {
        return;
    }
    lines = g_strsplit(self, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        const char *v1 = strstr(lines[i], ":memory:");

        if (v1) {
            parent_cgroup = g_build_filename("/sys/fs/cgroup/memory",
                                             v1 + 8, NULL);
        } else if (g_str_has_prefix(lines[i], "0::") && !parent_cgroup) {
            parent_cgroup = g_build_filename("/sys/fs/cgroup", lines[i] + 3,
                                             NULL);
            cgroup_v2 = true;
        }
    }
    if (!parent_cgroup) {
        return;
    }
    bench_cgroup = g_strdup_printf("%s/sparsevm-bench-%d", parent_cgroup,
                                   (int)getpid());
    if (mkdir(bench_cgroup, 0755) < 0 || !write_pid(bench_cgroup)) {
        rmdir(bench_cgroup);
        g_clear_pointer(&bench_cgroup, g_free);
    }
}

static void cgroup_leave(void)
{
    if (bench_cgroup) {
        write_pid(parent_cgroup);
        rmdir(bench_cgroup);
    }
}

/* Kernel memory charged to the benchmark's cgroup, in bytes. */
static int64_t cgroup_kernel_memory(void)
{
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;
    const char *line;

    if (!cgroup_v2) {
        path = g_build_filename(bench_cgroup, "memory.kmem.usage_in_bytes",
                                NULL);
        return g_file_get_contents(path, &text, NULL, NULL) ?
               g_ascii_strtoll(text, NULL, 10) : 0;
    }
    path = g_build_filename(bench_cgroup, "memory.stat", NULL);
    if (!g_file_get_contents(path, &text, NULL, NULL) ||
        !(line = strstr(text, "kernel "))) {
        return 0;
    }
    return g_ascii_strtoll(line + 7, NULL, 10);
}

/* Whether sparsevm accepts @opts ("-device virtio-mem-pci,help" lists). */
static bool device_has_property(const char *prop)
{
    const char *argv[] = { g_getenv("SPARSEVM_BINARY"), "-device",
                           "virtio-mem-pci,help", NULL };
    g_autofree char *out = NULL;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, &out, NULL, NULL, NULL)) {
        return false;
    }
    return strstr(out, prop) != NULL;
}

static void plug(QTestState *qts)
{
    QVirtioMemDriver d;
    uint64_t plugged = 0;

    qtest_qmp_assert_success(qts, "{'execute': 'qom-set', 'arguments': "
                             "{'path': 'vm0', 'property': 'requested-size', "
                             "'value': %" PRIu64 "}}", (uint64_t)PLUG_SIZE);
    qvirtio_mem_driver_start(&d, qts, QPCI_DEVFN(2, 0));
    while (plugged < PLUG_SIZE) {
        uint64_t blocks = MIN((PLUG_SIZE - plugged) / d.block_size,
                              BLOCKS_PER_REQUEST);
        uint16_t answer = qvirtio_mem_request(&d, VIRTIO_MEM_REQ_PLUG,
                                              d.addr + plugged, blocks, NULL);

        if (answer != VIRTIO_MEM_RESP_ACK) {
            g_error("PLUG answered %s", qvirtio_mem_response_name(answer));
        }
        plugged += blocks * d.block_size;
    }
    qvirtio_mem_driver_stop(&d);
}

static bool has_command(QTestState *qts, const char *name)
{
    JsonArray *cmds = json_node_get_array(qtest_qmp_assert_success(qts,
                            "{'execute': 'query-commands'}"));

    for (guint i = 0; i < json_array_get_length(cmds); i++) {
        JsonObject *cmd = json_array_get_object_element(cmds, i);

        if (!strcmp(json_object_get_string_member(cmd, "name"), name)) {
            return true;
        }
    }
    return false;
}

static int64_t kvm_slots(QTestState *qts)
{
    JsonNode *ret;

    if (!has_command(qts, "x-query-kvm-memslots")) {
        return -1;
    }
    ret = qtest_qmp_assert_success(qts,
                                   "{'execute': 'x-query-kvm-memslots'}");
    return json_array_get_length(json_node_get_array(ret));
}

static Sample measure(const Config *c, const char *accel)
{
    g_autofree char *args = g_strdup_printf("-S -accel %s %s", accel,
                                            c->args);
    int64_t avail_before = meminfo_field("MemAvailable:");
    int64_t kmem_before = bench_cgroup ? cgroup_kernel_memory() : 0;
    QTestState *qts = qtest_init(args);
    Sample s;

    if (c->has_device) {
        plug(qts);
    }
    s.rss = process_rss(qtest_pid(qts));
    if (bench_cgroup) {
        s.kernel = cgroup_kernel_memory() - kmem_before;
    } else {
        s.kernel = avail_before - meminfo_field("MemAvailable:") - s.rss;
    }
    s.kvm_slots = strcmp(accel, "kvm") ? -1 : kvm_slots(qts);
    qtest_quit(qts);
    return s;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

static Sample median(const Config *c, const char *accel)
{
    int64_t kernel[RUNS], rss[RUNS];
    Sample s = { 0 };

    for (int i = 0; i < RUNS; i++) {
        s = measure(c, accel);
        kernel[i] = s.kernel;
        rss[i] = s.rss;
    }
    qsort(kernel, RUNS, sizeof(kernel[0]), cmp_i64);
    qsort(rss, RUNS, sizeof(rss[0]), cmp_i64);
    s.kernel = kernel[RUNS / 2];
    s.rss = rss[RUNS / 2];
    return s;
}

int main(int argc, char **argv)
{
    int64_t plain_total = 0;
    int fd = open("/dev/kvm", O_RDWR);

    if (fd < 0) {
        printf("SKIP: /dev/kvm: %s\n", strerror(errno));
        return 0;
    }
    close(fd);
    cgroup_enter();
    printf("1 TiB virtio-mem (reserve=off) with 4 GiB plugged + 4 GiB RAM "
           "vs. -m 8G; -S, plugged by a qtest driver; median of %d runs\n"
           "kernel memory from %s\n\n", RUNS,
           bench_cgroup ? bench_cgroup : "MemAvailable - RSS (no cgroup)");
    printf("%-22s %14s %14s %12s %14s %10s\n", "configuration",
           "kernel(kvm)", "kernel(qtest)", "RSS(kvm)", "kvm+RSS", "vs plain");
    for (size_t i = 0; i < ARRAY_SIZE(configs); i++) {
        const Config *c = &configs[i];
        Sample k, q;
        int64_t total;

        if (strstr(c->args, "dynamic-memslots") &&
            !device_has_property("dynamic-memslots")) {
            printf("%-22s (no dynamic-memslots property)\n", c->name);
            continue;
        }
        k = median(c, "kvm");
        q = median(c, "qtest");
        total = k.kernel + k.rss;
        if (!c->has_device) {
            plain_total = total;
        }
        printf("%-22s %10.1f MiB %10.1f MiB %8.1f MiB %10.1f MiB %9.2fx",
               c->name, (double)k.kernel / MiB, (double)q.kernel / MiB,
               (double)k.rss / MiB, (double)total / MiB,
               plain_total ? (double)total / plain_total : 0.0);
        if (k.kvm_slots >= 0) {
            printf("  (%" PRId64 " KVM memslots)", k.kvm_slots);
        }
        printf("\n");
    }
    cgroup_leave();
    return 0;
}
