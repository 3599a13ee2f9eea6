/*
 * What growing a dynamic-memslots virtio-mem device costs a vhost-user
 * backend: messages on the socket and wall time.
 *
 * sparsevm (-accel qtest) with 256 MiB of shared boot RAM, a
 * vhost-user-blk-pci device and a 64 GiB virtio-mem device on a shared
 * memfd (dynamic-memslots=on: 64 memslots of 1 GiB when the backend has
 * enough slots).  The backend is the test proxy playing a vhost-user-blk
 * backend with 509 memory slots (vhost-user-proxy.h; it maps nothing, so
 * the numbers are the frontend's and the protocol's, not a backend's
 * mmap cost).  A driver over qtest starts virtio-blk (the backend gets
 * its table) and then plugs the device from 0 to 64 GiB in 1 GiB steps.
 *
 * Modes:
 *   ADD_MEM_REG     CONFIGURE_MEM_SLOTS offered: each step adds one memslot
 *                   with one ADD_MEM_REG (incremental);
 *   SET_MEM_TABLE   CONFIGURE_MEM_SLOTS hidden by the proxy: the frontend
 *                   can pass only 8 regions, so the device decides a
 *                   single 64 GiB memslot, sent with one SET_MEM_TABLE;
 *   no vhost        the same growth without a vhost device (the cost of
 *                   plugging itself, over qtest).
 * For comparison the benchmark also prints what rewriting the whole table
 * with SET_MEM_TABLE at each of the 64 steps would put on the wire (a
 * computed number: the protocol cannot carry more than 8 regions that
 * way).  Medians of RUNS runs.  Prints numbers, never fails on timing;
 * exits 77 when the binary has no vhost-user-blk-pci or dynamic memslots.
 */
#include "qemu/osdep.h"
#include "qemu/units.h"
#include "libqos/virtio-blk.h"
#include "libqos/virtio-mem.h"
#include "vhost-user-proxy.h"

#define RUNS 3
#define DEVICE_SIZE (64 * GiB)
#define STEP (1 * GiB)
#define VMEM_DEVFN QPCI_DEVFN(4, 0)
#define BLK_DEVFN QPCI_DEVFN(5, 0)
#define REGION_WIRE_SIZE 32     /* one region in SET_MEM_TABLE */
#define HEADER_SIZE 12

typedef enum Mode { MODE_ADD_MEM_REG, MODE_SET_MEM_TABLE, MODE_NO_VHOST } Mode;

static const char *const mode_names[] = {
    "ADD_MEM_REG", "SET_MEM_TABLE", "no vhost",
};

typedef struct Result {
    double seconds;             /* the 64 steps */
    unsigned requests;          /* frontend → backend during the steps */
    unsigned replies;           /* backend → frontend during the steps */
    uint64_t bytes;             /* on the wire, both ways, headers too */
    unsigned mem_requests[3];   /* SET_MEM_TABLE, ADD_MEM_REG, REM_MEM_REG */
    unsigned regions_sent;      /* regions in those messages */
    int64_t memslots;           /* the device's decision */
    unsigned table_len;         /* the backend's table at the end */
} Result;

static bool binary_has(const char *what, const char *needle)
{
    const char *binary = g_getenv("SPARSEVM_BINARY");
    const char *argv[] = { binary, "-device", what, NULL };
    g_autofree char *out = NULL;

    return binary &&
           g_spawn_sync(NULL, (char **)argv, NULL,
                        G_SPAWN_STDIN_FROM_DEV_NULL |
                        G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                        NULL, NULL) &&
           strstr(out, needle);
}

static void plug(QVirtioMemDriver *vm, uint64_t offset, uint64_t size)
{
    uint16_t resp = qvirtio_mem_request(vm, VIRTIO_MEM_REQ_PLUG,
                                        vm->addr + offset,
                                        size / vm->block_size, NULL);

    if (resp != VIRTIO_MEM_RESP_ACK) {
        g_error("PLUG at +%#" PRIx64 ": %s", offset,
                qvirtio_mem_response_name(resp));
    }
}

static void summarize_log(VhostUserProxy *proxy, Result *r)
{
    g_autoptr(GPtrArray) log = vhost_user_proxy_log(proxy);

    for (guint i = 0; i < log->len; i++) {
        VhostUserProxyMsg *m = g_ptr_array_index(log, i);

        r->bytes += HEADER_SIZE + m->size;
        if (m->from_backend) {
            r->replies++;
            continue;
        }
        r->requests++;
        switch (m->request) {
        case VHOST_USER_SET_MEM_TABLE:
            r->mem_requests[0]++;
            break;
        case VHOST_USER_ADD_MEM_REG:
            r->mem_requests[1]++;
            break;
        case VHOST_USER_REM_MEM_REG:
            r->mem_requests[2]++;
            break;
        }
        r->regions_sent += m->regions->len;
    }
}

static Result run(Mode mode, const char *dir)
{
    g_autofree char *sock = g_build_filename(dir, "vhost.sock", NULL);
    g_autofree char *vhost_args = NULL;
    VhostUserProxy *proxy = NULL;
    QTestState *qts;
    QVirtioMemDriver vm;
    QVirtioBlkDriver blk;
    Result r = { 0 };
    gint64 start;

    if (mode != MODE_NO_VHOST) {
        proxy = vhost_user_proxy_new(sock, NULL, 2048);
        if (mode == MODE_SET_MEM_TABLE) {
            vhost_user_proxy_mask_protocol_features(
                proxy, 1ULL << VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS);
        }
        /* First, so that the memslot decision knows the backend's limit. */
        vhost_args = g_strdup_printf(
            "-chardev socket,id=chr0,path=%s "
            "-device vhost-user-blk-pci,id=blk0,chardev=chr0,num-queues=1,"
            "addr=5 ", sock);
    }
    qts = qtest_initf(
        "-machine pc,memory-backend=ram0 -m 256M,maxmem=%" PRIu64 "M,slots=1 "
        "-object memory-backend-memfd,id=ram0,size=256M,share=on "
        "-object memory-backend-memfd,id=mem0,size=%" PRIu64 "M,share=on "
        "%s-device virtio-mem-pci,id=vm0,memdev=mem0,addr=4,"
        "dynamic-memslots=on,unplugged-inaccessible=on,requested-size=%"
        PRIu64 "M",
        (256 * MiB + DEVICE_SIZE) / MiB, DEVICE_SIZE / MiB,
        vhost_args ? vhost_args : "", DEVICE_SIZE / MiB);
    r.memslots = qtest_qom_get_int(qts, "vm0", "memslots");
    qvirtio_mem_driver_start(&vm, qts, VMEM_DEVFN);
    if (proxy) {
        qvirtio_blk_driver_start(&blk, vm.bus, BLK_DEVFN, 32 * MiB, 34 * MiB);
        /* The start ends with SET_VRING_ENABLE, which has no reply. */
        if (!vhost_user_proxy_wait_count(proxy, VHOST_USER_SET_VRING_ENABLE,
                                         1, 60)) {
            g_error("the vhost-user backend was not started");
        }
        vhost_user_proxy_clear_log(proxy);
    }

    start = g_get_monotonic_time();
    for (uint64_t off = 0; off < DEVICE_SIZE; off += STEP) {
        plug(&vm, off, STEP);
    }
    r.seconds = (g_get_monotonic_time() - start) / 1e6;

    if (proxy) {
        g_autoptr(GArray) table = NULL;

        summarize_log(proxy, &r);
        table = vhost_user_proxy_mem_table(proxy);
        r.table_len = table->len;
        qvirtio_blk_driver_stop(&blk);
    }
    qvirtio_mem_driver_stop(&vm);
    qtest_quit(qts);
    vhost_user_proxy_free(proxy);
    return r;
}

static int cmp_double(gconstpointer a, gconstpointer b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = NULL;
    unsigned boot_regions = 0;

    g_test_init(&argc, &argv, NULL);
    if (!binary_has("help", "\"vhost-user-blk-pci\"") ||
        !binary_has("virtio-mem-pci,help", "dynamic-memslots")) {
        printf("bench-vhost-user: skipped: the binary has no "
               "vhost-user-blk-pci or no virtio-mem dynamic-memslots\n");
        return 77;
    }
    dir = g_dir_make_tmp("bench-vhost-user-XXXXXX", &err);
    g_assert_no_error(err);

    printf("Growing a 64 GiB dynamic-memslots virtio-mem device 0 -> 64 GiB "
           "in 1 GiB steps (PLUG of 512 x 2 MiB blocks), -accel qtest,\n"
           "vhost-user backend: the test proxy playing vhost-user-blk with "
           "509 slots; median of %d runs\n\n", RUNS);
    printf("%-14s %8s %9s %9s %8s %10s %8s %8s %8s %9s\n", "mode", "memslots",
           "wall [s]", "requests", "replies", "wire bytes", "SET_MEM",
           "ADD_MEM", "REM_MEM", "regions");
    for (Mode mode = MODE_ADD_MEM_REG; mode <= MODE_NO_VHOST; mode++) {
        double times[RUNS];
        Result r = { 0 };

        for (int i = 0; i < RUNS; i++) {
            r = run(mode, dir);
            times[i] = r.seconds;
        }
        qsort(times, RUNS, sizeof(times[0]), cmp_double);
        if (mode == MODE_ADD_MEM_REG) {
            boot_regions = r.table_len - r.mem_requests[1];
        }
        if (mode == MODE_NO_VHOST) {
            printf("%-14s %8" PRId64 " %9.3f %9s %8s %10s %8s %8s %8s %9s\n",
                   mode_names[mode], r.memslots, times[RUNS / 2], "-", "-",
                   "-", "-", "-", "-", "-");
        } else {
            printf("%-14s %8" PRId64 " %9.3f %9u %8u %10" PRIu64
                   " %8u %8u %8u %9u\n", mode_names[mode], r.memslots,
                   times[RUNS / 2], r.requests, r.replies, r.bytes,
                   r.mem_requests[0], r.mem_requests[1], r.mem_requests[2],
                   r.regions_sent);
        }
    }

    /* A full rewrite per step: boot regions + i memslots at step i. */
    {
        uint64_t steps = DEVICE_SIZE / STEP, regions = 0, bytes = 0;

        for (uint64_t i = 1; i <= steps; i++) {
            regions += boot_regions + i;
            bytes += HEADER_SIZE + 8 + (boot_regions + i) * REGION_WIRE_SIZE;
        }
        printf("\nfull SET_MEM_TABLE rewrite per step (computed, %u boot "
               "regions): %" PRIu64 " messages, %" PRIu64 " regions (and "
               "fds), %" PRIu64 " bytes\n", boot_regions, steps, regions,
               bytes);
    }
    rmdir(dir);
    return 0;
}
