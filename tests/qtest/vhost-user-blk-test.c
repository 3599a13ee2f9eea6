/*
 * vhost-user-blk against a real backend: qemu-storage-daemon exporting a
 * raw image over vhost-user, reached through a logging proxy
 * (vhost-user-proxy.h) that records every message and can play a backend
 * with fewer memory slots or without CONFIGURE_MEM_SLOTS.
 *
 * The test is the guest: a virtio-blk driver (libqos/virtio-blk.h) whose
 * request headers, data buffers and status bytes live in plugged
 * virtio-mem memory, in different memslots, so every request makes the
 * backend translate addresses through the memory table it was given.
 * Reads must return the image's bytes, writes must change the image file;
 * after every plug, unplug, resize and memslot change the table the
 * backend holds (tracked by the proxy) must describe exactly the mapped
 * memory.
 *
 * Runs against sparsevm and, for the parts QEMU 7.2 has, against QEMU
 * (SPARSEVM_BINARY=/usr/bin/qemu-system-x86_64).  Skips with a reason
 * when qemu-storage-daemon is not installed, when the binary has no
 * vhost-user-blk-pci, or (memslot tests) no virtio-mem "memslots".
 */
#include "qemu/osdep.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "libqtest.h"
#include "libqos/pci.h"
#include "libqos/virtio-blk.h"
#include "libqos/virtio-mem.h"
#include "vhost-user-proxy.h"

#define IMAGE_SIZE (64 * MiB)
#define VMEM_SIZE (4 * GiB)
#define VMEM_DEVFN QPCI_DEVFN(4, 0)
#define BLK_DEVFN QPCI_DEVFN(5, 0)
/* Boot RAM layout: virtio-mem driver at [16, 32) MiB (libqos), blk rings. */
#define BLK_RING_START (32 * MiB)
#define BLK_RING_END (34 * MiB)
/* Boot RAM buffers for requests that do not use virtio-mem memory. */
#define BOOT_BUF (40 * MiB)
#define QSD_TIMEOUT_S 30

/* The backend, the proxy in front of it and their files. */
typedef struct Backend {
    char *dir;
    char *image;
    char *qsd_sock;
    char *proxy_sock;
    char *bios;
    char *accel;                /* extra arguments choosing the accelerator */
    GPid qsd_pid;
    VhostUserProxy *proxy;
} Backend;

/* ---- What the binary and the host offer --------------------------- */

static char *binary_help(const char *what)
{
    const char *binary = g_getenv("SPARSEVM_BINARY");
    const char *argv[] = { binary, "-device", what, NULL };
    char *out = NULL, *err = NULL;

    if (!binary || !g_spawn_sync(NULL, (char **)argv, NULL,
                                 G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                                 &out, &err, NULL, NULL)) {
        return g_strdup("");
    }
    g_free(err);
    return out;
}

static bool have_vhost_user_blk(void)
{
    g_autofree char *help = binary_help("help");

    return strstr(help, "\"vhost-user-blk-pci\"") != NULL;
}

/*
 * Debian's QEMU has no qtest accelerator: then the VM runs under TCG with
 * a firmware that only halts, so that the CPU never touches the devices
 * the test drives (no BAR assignment, no reboot).
 */
static bool have_qtest_accel(void)
{
    const char *binary = g_getenv("SPARSEVM_BINARY");
    const char *argv[] = { binary, "-accel", "help", NULL };
    g_autofree char *out = NULL;

    if (!binary || !g_spawn_sync(NULL, (char **)argv, NULL,
                                 G_SPAWN_STDIN_FROM_DEV_NULL |
                                 G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                                 &out, NULL, NULL, NULL)) {
        return true;
    }
    return strstr(out, "qtest") != NULL;
}

static char *halting_bios(const char *dir)
{
    static const uint8_t reset[] = { 0xfa, 0xf4, 0xeb, 0xfd }; /* cli; hlt */
    g_autofree uint8_t *rom = g_malloc0(64 * KiB);
    char *path = g_build_filename(dir, "halt.bin", NULL);

    memcpy(rom + 64 * KiB - 16, reset, sizeof(reset));
    g_assert_true(g_file_set_contents(path, (char *)rom, 64 * KiB, NULL));
    return path;
}

static bool have_virtio_mem_memslots(void)
{
    g_autofree char *help = binary_help("virtio-mem-pci,help");

    return strstr(help, "dynamic-memslots") != NULL;
}

/* Skip (with the reason) unless the test can run; @memslots: needs them. */
static bool can_run(bool memslots)
{
    g_autofree char *qsd = g_find_program_in_path("qemu-storage-daemon");

    if (!qsd) {
        g_test_skip("qemu-storage-daemon is not installed (Debian package "
                    "qemu-system-common): no vhost-user-blk backend");
        return false;
    }
    if (!have_vhost_user_blk()) {
        g_test_skip("this binary has no vhost-user-blk-pci device (-device "
                    "help): the vhost-user frontend is not there yet");
        return false;
    }
    if (memslots && !have_virtio_mem_memslots()) {
        g_test_skip("this binary's virtio-mem-pci has no memslots / "
                    "dynamic-memslots properties (QEMU 7.2)");
        return false;
    }
    return true;
}

/* ---- The image ------------------------------------------------------ */

/* The byte the image starts with at @off: differs between sectors. */
static uint8_t pattern_byte(uint64_t off)
{
    uint64_t sector = off / QVIRTIO_BLK_SECTOR_SIZE;

    return (uint8_t)(off * 7 + sector * 13 + (sector >> 8) + 0x5a);
}

static void fill_pattern(uint8_t *buf, uint64_t off, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = pattern_byte(off + i);
    }
}

static void create_image(const char *path)
{
    g_autofree uint8_t *buf = g_malloc(IMAGE_SIZE);
    g_autoptr(GError) err = NULL;

    fill_pattern(buf, 0, IMAGE_SIZE);
    if (!g_file_set_contents(path, (char *)buf, IMAGE_SIZE, &err)) {
        g_error("cannot write %s: %s", path, err->message);
    }
}

static void read_image(Backend *b, uint64_t off, void *buf, size_t len)
{
    int fd = open(b->image, O_RDONLY);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pread(fd, buf, len, off), ==, (ssize_t)len);
    close(fd);
}

/* ---- qemu-storage-daemon and the proxy ----------------------------- */

static bool socket_accepts(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok;

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    ok = fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
    if (fd >= 0) {
        close(fd);
    }
    return ok;
}

/* In the child: a test that aborts must not leave the daemon behind. */
static void die_with_parent(gpointer data)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static void start_qsd(Backend *b)
{
    g_autofree char *file = g_strdup_printf(
        "driver=file,node-name=file0,filename=%s", b->image);
    g_autofree char *export = g_strdup_printf(
        "type=vhost-user-blk,id=exp0,node-name=disk0,addr.type=unix,"
        "addr.path=%s,writable=on", b->qsd_sock);
    const char *argv[] = {
        "qemu-storage-daemon", "--blockdev", file,
        "--blockdev", "driver=raw,node-name=disk0,file=file0",
        "--export", export, NULL,
    };
    g_autoptr(GError) err = NULL;
    gint64 deadline;
    int status;

    if (!g_spawn_async(NULL, (char **)argv, NULL,
                       G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                       G_SPAWN_STDIN_FROM_DEV_NULL |
                       G_SPAWN_STDOUT_TO_DEV_NULL, die_with_parent, NULL,
                       &b->qsd_pid,
                       &err)) {
        g_error("cannot start qemu-storage-daemon: %s", err->message);
    }
    /*
     * Wait until it listens.  A probe connection is harmless: the export
     * serves the next client after it left.
     */
    deadline = g_get_monotonic_time() + QSD_TIMEOUT_S * G_TIME_SPAN_SECOND;
    while (!socket_accepts(b->qsd_sock)) {
        if (waitpid(b->qsd_pid, &status, WNOHANG) == b->qsd_pid) {
            b->qsd_pid = 0;
            g_error("qemu-storage-daemon exited (status %#x)", status);
        }
        if (g_get_monotonic_time() > deadline) {
            g_error("qemu-storage-daemon does not listen on %s", b->qsd_sock);
        }
        g_usleep(10 * 1000);
    }
}

static Backend *backend_start(void)
{
    Backend *b = g_new0(Backend, 1);
    g_autoptr(GError) err = NULL;

    b->dir = g_dir_make_tmp("vhost-user-blk-test-XXXXXX", &err);
    g_assert_no_error(err);
    b->image = g_build_filename(b->dir, "disk.raw", NULL);
    b->qsd_sock = g_build_filename(b->dir, "qsd.sock", NULL);
    b->proxy_sock = g_build_filename(b->dir, "proxy.sock", NULL);
    create_image(b->image);
    if (have_qtest_accel()) {
        b->accel = g_strdup("");
    } else {
        b->bios = halting_bios(b->dir);
        b->accel = g_strdup_printf("-accel tcg -bios %s ", b->bios);
    }
    start_qsd(b);
    b->proxy = vhost_user_proxy_new(b->proxy_sock, b->qsd_sock, 0);
    return b;
}

static void backend_stop(Backend *b)
{
    vhost_user_proxy_free(b->proxy);
    if (b->qsd_pid) {
        kill(b->qsd_pid, SIGTERM);
        waitpid(b->qsd_pid, NULL, 0);
        g_spawn_close_pid(b->qsd_pid);
    }
    unlink(b->image);
    unlink(b->qsd_sock);
    if (b->bios) {
        unlink(b->bios);
    }
    rmdir(b->dir);
    g_free(b->dir);
    g_free(b->image);
    g_free(b->qsd_sock);
    g_free(b->proxy_sock);
    g_free(b->bios);
    g_free(b->accel);
    g_free(b);
}

/* ---- The VM --------------------------------------------------------- */

/*
 * Boot RAM and virtio-mem on shared memfds (the backend maps them); the
 * vhost-user-blk device is created after the virtio-mem device, or before
 * it with @blk_first (then the backend's limit is known when virtio-mem
 * decides its dynamic memslots).
 */
static QTestState *vm_start_order(Backend *b, const char *vmem_props,
                                  bool blk_first)
{
    g_autofree char *vmem = g_strdup_printf(
        "-device virtio-mem-pci,id=vm0,memdev=mem0,addr=4%s%s ",
        vmem_props ? "," : "", vmem_props ? vmem_props : "");
    const char *blk = "-device vhost-user-blk-pci,id=blk0,chardev=chr0,"
                      "num-queues=1,addr=5 ";

    return qtest_initf(
        "%s-machine pc,memory-backend=ram0 -m 256M,maxmem=%" PRIu64 "M,slots=1 "
        "-object memory-backend-memfd,id=ram0,size=256M,share=on "
        "-object memory-backend-memfd,id=mem0,size=%" PRIu64 "M,share=on "
        "-chardev socket,id=chr0,path=%s %s%s",
        b->accel, (256 * MiB + VMEM_SIZE) / MiB, VMEM_SIZE / MiB,
        b->proxy_sock, blk_first ? blk : vmem, blk_first ? vmem : blk);
}

static QTestState *vm_start(Backend *b, const char *vmem_props)
{
    return vm_start_order(b, vmem_props, false);
}

static void set_requested_size(QTestState *qts, uint64_t size)
{
    qtest_qmp_assert_success(qts, "{'execute': 'qom-set', 'arguments': "
                             "{'path': 'vm0', 'property': 'requested-size', "
                             "'value': %" PRIu64 "}}", size);
}

static void plug(QVirtioMemDriver *vm, uint64_t offset, uint16_t blocks)
{
    g_assert_cmpstr(qvirtio_mem_response_name(
                        qvirtio_mem_request(vm, VIRTIO_MEM_REQ_PLUG,
                                            vm->addr + offset, blocks, NULL)),
                    ==, "ACK");
}

static void unplug(QVirtioMemDriver *vm, uint64_t offset, uint16_t blocks)
{
    g_assert_cmpstr(qvirtio_mem_response_name(
                        qvirtio_mem_request(vm, VIRTIO_MEM_REQ_UNPLUG,
                                            vm->addr + offset, blocks, NULL)),
                    ==, "ACK");
}

static void unplug_all(QVirtioMemDriver *vm)
{
    g_assert_cmpstr(qvirtio_mem_response_name(
                        qvirtio_mem_request(vm, VIRTIO_MEM_REQ_UNPLUG_ALL,
                                            0, 0, NULL)),
                    ==, "ACK");
}

/* ---- The backend's memory table ------------------------------------- */

/* The regions of @table inside [@start, @start + @size). */
static GArray *regions_within(GArray *table, uint64_t start, uint64_t size)
{
    GArray *in = g_array_new(false, false, sizeof(VhostUserProxyRegion));

    for (guint i = 0; i < table->len; i++) {
        VhostUserProxyRegion *r = &g_array_index(table,
                                                 VhostUserProxyRegion, i);

        if (r->guest_addr >= start && r->guest_addr - start < size) {
            g_assert_cmphex(r->guest_addr + r->size, <=, start + size);
            g_array_append_val(in, *r);
        }
    }
    return in;
}

/* Assert that one region of the backend's table holds [@addr, +@len). */
static void assert_mapped(Backend *b, uint64_t addr, uint64_t len)
{
    g_autoptr(GArray) table = vhost_user_proxy_mem_table(b->proxy);

    for (guint i = 0; i < table->len; i++) {
        VhostUserProxyRegion *r = &g_array_index(table,
                                                 VhostUserProxyRegion, i);

        if (addr >= r->guest_addr && addr + len <= r->guest_addr + r->size) {
            return;
        }
    }
    g_error("[%#" PRIx64 ", +%#" PRIx64 ") is not in the backend's table",
            addr, len);
}

/*
 * Assert that the device's part of the backend's table is exactly the
 * memslots @slots (of @slot_size each, -1 terminated) of the virtio-mem
 * device at @dev_addr, each its own region with the matching offset into
 * the memfd (which backs nothing else).
 */
static void assert_device_regions(Backend *b, uint64_t dev_addr,
                                  uint64_t slot_size, const int *slots)
{
    g_autoptr(GArray) table = vhost_user_proxy_mem_table(b->proxy);
    g_autoptr(GArray) dev = regions_within(table, dev_addr, VMEM_SIZE);
    guint n = 0;

    g_assert_cmpuint(vhost_user_proxy_table_errors(b->proxy), ==, 0);
    for (; slots[n] >= 0; n++) {
        VhostUserProxyRegion *r;

        g_assert_cmpuint(n, <, dev->len);
        r = &g_array_index(dev, VhostUserProxyRegion, n);
        g_assert_cmphex(r->guest_addr, ==, dev_addr + slots[n] * slot_size);
        g_assert_cmphex(r->size, ==, slot_size);
        g_assert_cmphex(r->mmap_offset, ==, slots[n] * slot_size);
    }
    g_assert_cmpuint(dev->len, ==, n);
}

/* ---- I/O through the backend ---------------------------------------- */

/* Where a request's three parts go. */
typedef struct ReqPlace {
    uint64_t hdr, data, status;
} ReqPlace;

/* Read @sectors at @sector and compare with what the image file holds. */
static void check_read(QVirtioBlkDriver *blk, Backend *b, ReqPlace at,
                       uint64_t sector, uint32_t sectors)
{
    uint32_t len = sectors * QVIRTIO_BLK_SECTOR_SIZE, used;
    g_autofree uint8_t *got = g_malloc(len);
    g_autofree uint8_t *want = g_malloc(len);

    qtest_memset(blk->qts, at.data, 0xcc, len);
    g_assert_cmpuint(qvirtio_blk_request(blk, VIRTIO_BLK_T_IN, sector,
                                         at.hdr, at.data, len, at.status,
                                         &used),
                     ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(used, ==, len + 1);
    qtest_memread(blk->qts, at.data, got, len);
    read_image(b, sector * QVIRTIO_BLK_SECTOR_SIZE, want, len);
    g_assert_cmpmem(got, len, want, len);
}

/* Write a fresh pattern (@seed) to @sectors at @sector; check the file. */
static void check_write(QVirtioBlkDriver *blk, Backend *b, ReqPlace at,
                        uint64_t sector, uint32_t sectors, uint8_t seed)
{
    uint32_t len = sectors * QVIRTIO_BLK_SECTOR_SIZE;
    g_autofree uint8_t *data = g_malloc(len);
    g_autofree uint8_t *file = g_malloc(len);

    for (uint32_t i = 0; i < len; i++) {
        data[i] = (uint8_t)(i * 31 + seed + i / 509);
    }
    qtest_memwrite(blk->qts, at.data, data, len);
    g_assert_cmpuint(qvirtio_blk_request(blk, VIRTIO_BLK_T_OUT, sector,
                                         at.hdr, at.data, len, at.status,
                                         NULL),
                     ==, VIRTIO_BLK_S_OK);
    if (blk->features & (1ULL << VIRTIO_BLK_F_FLUSH)) {
        g_assert_cmpuint(qvirtio_blk_request(blk, VIRTIO_BLK_T_FLUSH, 0,
                                             at.hdr, 0, 0, at.status, NULL),
                         ==, VIRTIO_BLK_S_OK);
    }
    read_image(b, sector * QVIRTIO_BLK_SECTOR_SIZE, file, len);
    g_assert_cmpmem(file, len, data, len);
}

/* A read, a write and a read back, with the parts placed at @at. */
static void check_io(QVirtioBlkDriver *blk, Backend *b, ReqPlace at,
                     uint64_t sector, uint8_t seed)
{
    /* The parts must not overlap (a test bug otherwise): 4 KiB of data. */
    g_assert_true(at.hdr + 16 <= at.data || at.hdr >= at.data + 8 * 512);
    g_assert_true(at.status < at.data || at.status >= at.data + 8 * 512);
    g_assert_true(at.status < at.hdr || at.status >= at.hdr + 16);
    g_test_message("I/O at sector %" PRIu64 ": header %#" PRIx64 ", data %#"
                   PRIx64 ", status %#" PRIx64, sector, at.hdr, at.data,
                   at.status);
    check_read(blk, b, at, sector, 8);
    check_write(blk, b, at, sector + 8, 8, seed);
    check_read(blk, b, at, sector + 4, 8);     /* old and new bytes */
}

static void check_bad_sector(QVirtioBlkDriver *blk, ReqPlace at)
{
    g_assert_cmpuint(qvirtio_blk_request(blk, VIRTIO_BLK_T_IN,
                                         blk->capacity, at.hdr, at.data,
                                         QVIRTIO_BLK_SECTOR_SIZE, at.status,
                                         NULL),
                     ==, VIRTIO_BLK_S_IOERR);
}

/* ---- Tests ---------------------------------------------------------- */

/*
 * One virtio-mem region (QEMU 7.2 and sparsevm's memslots=1): requests
 * whose parts are spread over plugged blocks far apart; unplug, replug
 * elsewhere, grow and shrink the usable region, UNPLUG_ALL: the device's
 * whole region stays one region of the backend's table and I/O stays
 * correct.
 */
static void test_io_single_region(void)
{
    static const int whole[] = { 0, -1 };
    Backend *b;
    QTestState *qts;
    QVirtioMemDriver vm;
    QVirtioBlkDriver blk;
    uint64_t bs;
    ReqPlace at;

    if (!can_run(false)) {
        return;
    }
    b = backend_start();
    qts = vm_start(b, "requested-size=3G");
    qvirtio_mem_driver_start(&vm, qts, VMEM_DEVFN);
    bs = vm.block_size;
    plug(&vm, 0, 1);
    plug(&vm, 1 * GiB, 1);
    plug(&vm, 2 * GiB + 5 * bs, 2);

    /* DRIVER_OK starts the backend: the memory table goes out now. */
    qvirtio_blk_driver_start(&blk, vm.bus, BLK_DEVFN, BLK_RING_START,
                             BLK_RING_END);
    g_assert_cmpuint(blk.capacity, ==, IMAGE_SIZE / QVIRTIO_BLK_SECTOR_SIZE);
    assert_mapped(b, BLK_RING_START, BLK_RING_END - BLK_RING_START);
    assert_device_regions(b, vm.addr, VMEM_SIZE, whole);

    at = (ReqPlace) {
        .hdr = vm.addr + 64,
        .data = vm.addr + 1 * GiB,
        .status = vm.addr + 2 * GiB + 7 * bs - 1,
    };
    check_io(&blk, b, at, 100, 1);
    at.data = vm.addr + 2 * GiB + 6 * bs - 2048;   /* crosses 2 blocks */
    check_io(&blk, b, at, 1000, 2);
    check_bad_sector(&blk, at);

    /* Unplug the block holding the header, put the header elsewhere. */
    unplug(&vm, 0, 1);
    plug(&vm, 3 * GiB - bs, 1);
    at.hdr = vm.addr + 3 * GiB - 512;
    check_io(&blk, b, at, 5000, 3);
    assert_device_regions(b, vm.addr, VMEM_SIZE, whole);

    /* Shrink the request below what is plugged, grow it again. */
    set_requested_size(qts, 1 * GiB);
    check_io(&blk, b, at, 7000, 4);
    set_requested_size(qts, 4 * GiB);
    plug(&vm, 4 * GiB - bs, 1);
    at.data = vm.addr + 4 * GiB - bs;
    check_io(&blk, b, at, 9000, 5);

    /* Everything goes; replug and do I/O in the new blocks. */
    unplug_all(&vm);
    plug(&vm, 0, 1);
    plug(&vm, 2 * GiB, 1);
    at = (ReqPlace) {
        .hdr = vm.addr, .data = vm.addr + 2 * GiB, .status = vm.addr + 4095,
    };
    check_io(&blk, b, at, 11000, 6);
    assert_device_regions(b, vm.addr, VMEM_SIZE, whole);
    g_assert_cmpuint(vhost_user_proxy_connections(b->proxy), ==, 1);

    qvirtio_blk_driver_stop(&blk);
    qvirtio_mem_driver_stop(&vm);
    qtest_quit(qts);
    backend_stop(b);
}

/* The memory messages the frontend sent, in order, as names. */
static GPtrArray *memory_requests(Backend *b)
{
    g_autoptr(GPtrArray) log = vhost_user_proxy_log(b->proxy);
    GPtrArray *names = g_ptr_array_new();

    for (guint i = 0; i < log->len; i++) {
        VhostUserProxyMsg *m = g_ptr_array_index(log, i);

        if (!m->from_backend &&
            (m->request == VHOST_USER_SET_MEM_TABLE ||
             m->request == VHOST_USER_ADD_MEM_REG ||
             m->request == VHOST_USER_REM_MEM_REG)) {
            g_ptr_array_add(names,
                            (gpointer)vhost_user_request_name(m->request));
        }
    }
    return names;
}

/*
 * Since the log was cleared the frontend sent exactly one memory message:
 * ADD_MEM_REG of [@addr, +@size).
 */
static void assert_only_added(Backend *b, uint64_t addr, uint64_t size)
{
    g_autoptr(GPtrArray) log = NULL;
    VhostUserProxyMsg *m;

    g_assert_true(vhost_user_proxy_wait_count(b->proxy,
                                              VHOST_USER_ADD_MEM_REG, 1, 30));
    g_assert_cmpuint(vhost_user_proxy_count(b->proxy,
                                            VHOST_USER_ADD_MEM_REG), ==, 1);
    g_assert_cmpuint(vhost_user_proxy_count(b->proxy,
                                            VHOST_USER_REM_MEM_REG), ==, 0);
    g_assert_cmpuint(vhost_user_proxy_count(b->proxy,
                                            VHOST_USER_SET_MEM_TABLE), ==, 0);
    log = vhost_user_proxy_log(b->proxy);
    for (guint i = 0; i < log->len; i++) {
        m = g_ptr_array_index(log, i);
        if (!m->from_backend && m->request == VHOST_USER_ADD_MEM_REG) {
            VhostUserProxyRegion *r = &g_array_index(m->regions,
                                                     VhostUserProxyRegion, 0);

            g_assert_cmpuint(m->nfds, ==, 1);
            g_assert_cmphex(r->guest_addr, ==, addr);
            g_assert_cmphex(r->size, ==, size);
            return;
        }
    }
    g_assert_not_reached();
}

/* The backend's reply to the first @request in the log (its u64). */
static uint64_t reply_u64(Backend *b, uint32_t request)
{
    g_autoptr(GPtrArray) log = vhost_user_proxy_log(b->proxy);

    for (guint i = 0; i < log->len; i++) {
        VhostUserProxyMsg *m = g_ptr_array_index(log, i);

        if (m->from_backend && m->request == request && m->has_u64) {
            return m->u64;
        }
    }
    g_error("no %s reply in the log", vhost_user_request_name(request));
}

/*
 * The negotiation as the proxy saw it, and CONFIGURE_MEM_SLOTS in use:
 * memory changes after the start are ADD_MEM_REG / REM_MEM_REG, never a
 * new SET_MEM_TABLE.
 */
static void test_protocol_configure_mem_slots(void)
{
    Backend *b;
    QTestState *qts;
    QVirtioMemDriver vm;
    QVirtioBlkDriver blk;
    g_autoptr(GPtrArray) mem = NULL;
    g_autoptr(GPtrArray) log = NULL;
    ReqPlace at;

    if (!can_run(false)) {
        return;
    }
    b = backend_start();
    qts = vm_start(b, "requested-size=1G");
    qvirtio_mem_driver_start(&vm, qts, VMEM_DEVFN);

    /* The backend is libvhost-user: 32 slots, CONFIGURE_MEM_SLOTS. */
    log = vhost_user_proxy_log(b->proxy);
    g_assert_cmpuint(log->len, >, 0);
    g_assert_cmpstr(vhost_user_request_name(
                        ((VhostUserProxyMsg *)log->pdata[0])->request),
                    ==, "GET_FEATURES");
    g_assert_true(reply_u64(b, VHOST_USER_GET_FEATURES) &
                  (1ULL << VHOST_USER_F_PROTOCOL_FEATURES));
    g_assert_true(reply_u64(b, VHOST_USER_GET_PROTOCOL_FEATURES) &
                  (1ULL << VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS));
    g_assert_cmpuint(reply_u64(b, VHOST_USER_GET_MAX_MEM_SLOTS), ==, 32);
    g_assert_cmpuint(vhost_user_proxy_count(b->proxy,
                                            VHOST_USER_GET_CONFIG), >=, 1);

    plug(&vm, 0, 1);
    qvirtio_blk_driver_start(&blk, vm.bus, BLK_DEVFN, BLK_RING_START,
                             BLK_RING_END);
    at = (ReqPlace) {
        .hdr = vm.addr, .data = BOOT_BUF, .status = vm.addr + 512,
    };
    check_io(&blk, b, at, 64, 7);
    mem = memory_requests(b);
    g_assert_cmpuint(mem->len, >, 0);
    g_assert_cmpuint(vhost_user_proxy_count(b->proxy,
                                            VHOST_USER_SET_MEM_TABLE), ==, 0);
    g_assert_cmpuint(vhost_user_proxy_count(b->proxy,
                                            VHOST_USER_ADD_MEM_REG), >=, 2);
    g_assert_cmpuint(vhost_user_proxy_table_errors(b->proxy), ==, 0);
    assert_mapped(b, vm.addr, vm.block_size);
    assert_mapped(b, BOOT_BUF, 4096);

    qvirtio_blk_driver_stop(&blk);
    qvirtio_mem_driver_stop(&vm);
    qtest_quit(qts);
    backend_stop(b);
}

/*
 * A backend without CONFIGURE_MEM_SLOTS (hidden by the proxy): the
 * frontend falls back to SET_MEM_TABLE (at most 8 regions), never sends
 * ADD_MEM_REG / REM_MEM_REG, and I/O in virtio-mem memory works.
 */
static void test_protocol_set_mem_table(void)
{
    Backend *b;
    QTestState *qts;
    QVirtioMemDriver vm;
    QVirtioBlkDriver blk;
    g_autoptr(GPtrArray) log = NULL;
    ReqPlace at;

    if (!can_run(false)) {
        return;
    }
    b = backend_start();
    vhost_user_proxy_mask_protocol_features(
        b->proxy, 1ULL << VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS);
    qts = vm_start(b, "requested-size=1G");
    qvirtio_mem_driver_start(&vm, qts, VMEM_DEVFN);
    g_assert_false(reply_u64(b, VHOST_USER_GET_PROTOCOL_FEATURES) &
                   (1ULL << VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS));
    plug(&vm, 0, 1);
    plug(&vm, 512 * MiB, 1);
    qvirtio_blk_driver_start(&blk, vm.bus, BLK_DEVFN, BLK_RING_START,
                             BLK_RING_END);
    at = (ReqPlace) {
        .hdr = vm.addr + 4096, .data = vm.addr + 512 * MiB,
        .status = vm.addr + 8191,
    };
    check_io(&blk, b, at, 300, 8);
    unplug(&vm, 512 * MiB, 1);
    plug(&vm, 768 * MiB, 1);
    at.data = vm.addr + 768 * MiB;
    check_io(&blk, b, at, 400, 9);

    g_assert_cmpuint(vhost_user_proxy_count(b->proxy,
                                            VHOST_USER_SET_MEM_TABLE), >=, 1);
    g_assert_cmpuint(vhost_user_proxy_count(b->proxy,
                                            VHOST_USER_ADD_MEM_REG), ==, 0);
    g_assert_cmpuint(vhost_user_proxy_count(b->proxy,
                                            VHOST_USER_REM_MEM_REG), ==, 0);
    g_assert_cmpuint(vhost_user_proxy_count(b->proxy,
                                            VHOST_USER_GET_MAX_MEM_SLOTS),
                     ==, 0);
    log = vhost_user_proxy_log(b->proxy);
    for (guint i = 0; i < log->len; i++) {
        VhostUserProxyMsg *m = g_ptr_array_index(log, i);

        if (m->request == VHOST_USER_SET_MEM_TABLE && !m->from_backend) {
            g_assert_cmpuint(m->regions->len, >=, 1);
            g_assert_cmpuint(m->regions->len, <=,
                             VHOST_USER_MEM_TABLE_MAX_REGIONS);
            g_assert_cmpuint(m->nfds, ==, m->regions->len);
        }
    }
    assert_mapped(b, vm.addr + 768 * MiB, vm.block_size);

    qvirtio_blk_driver_stop(&blk);
    qvirtio_mem_driver_stop(&vm);
    qtest_quit(qts);
    backend_stop(b);
}

/*
 * sparsevm's memslots=4 (1 GiB each): the memslots overlapping the usable
 * region are mapped; growing requested-size adds memslots to the
 * backend's table (ADD_MEM_REG), UNPLUG_ALL shrinks it (REM_MEM_REG); a
 * request spread over three memslots works after each change.
 */
static void test_memslots_usable_region(void)
{
    static const int two[] = { 0, 1, -1 }, four[] = { 0, 1, 2, 3, -1 };
    static const int one[] = { 0, -1 };
    Backend *b;
    QTestState *qts;
    QVirtioMemDriver vm;
    QVirtioBlkDriver blk;
    ReqPlace at;
    unsigned rem;

    if (!can_run(true)) {
        return;
    }
    b = backend_start();
    qts = vm_start(b, "memslots=4,requested-size=1G");
    qvirtio_mem_driver_start(&vm, qts, VMEM_DEVFN);
    qvirtio_blk_driver_start(&blk, vm.bus, BLK_DEVFN, BLK_RING_START,
                             BLK_RING_END);
    /* usable = 1 GiB + 256 MiB: memslots 0 and 1. */
    assert_device_regions(b, vm.addr, 1 * GiB, two);
    plug(&vm, 0, 1);
    plug(&vm, 1 * GiB, 1);
    at = (ReqPlace) {
        .hdr = vm.addr, .data = vm.addr + 1 * GiB, .status = BOOT_BUF,
    };
    check_io(&blk, b, at, 2000, 10);

    set_requested_size(qts, 3 * GiB);
    assert_device_regions(b, vm.addr, 1 * GiB, four);
    plug(&vm, 3 * GiB, 1);
    at.status = vm.addr + 3 * GiB + 3;
    check_io(&blk, b, at, 2100, 11);

    /* UNPLUG_ALL recomputes the usable region from the request (1 GiB). */
    set_requested_size(qts, 512 * MiB);
    rem = vhost_user_proxy_count(b->proxy, VHOST_USER_REM_MEM_REG);
    unplug_all(&vm);
    g_assert_cmpuint(vhost_user_proxy_count(b->proxy,
                                            VHOST_USER_REM_MEM_REG),
                     ==, rem + 3);
    assert_device_regions(b, vm.addr, 1 * GiB, one);
    plug(&vm, 2 * vm.block_size, 1);
    at = (ReqPlace) {
        .hdr = vm.addr + 2 * vm.block_size, .data = BOOT_BUF,
        .status = vm.addr + 2 * vm.block_size + 100,
    };
    check_io(&blk, b, at, 2200, 12);

    qvirtio_blk_driver_stop(&blk);
    qvirtio_mem_driver_stop(&vm);
    qtest_quit(qts);
    backend_stop(b);
}

/*
 * dynamic-memslots=on with a backend that claims 509 slots (the proxy
 * rewrites GET_MAX_MEM_SLOTS; the 4 GiB device needs at most 4 + boot RAM
 * of libvhost-user's 32): exactly the memslots holding plugged blocks are
 * regions of the backend's table, added and removed one by one; two
 * adjacent mapped memslots stay two regions, and a data buffer crossing
 * their boundary is read and written correctly.
 */
static void test_dynamic_memslots(void)
{
    static const int none[] = { -1 }, s0[] = { 0, -1 }, s03[] = { 0, 3, -1 };
    static const int s013[] = { 0, 1, 3, -1 }, s01[] = { 0, 1, -1 };
    Backend *b;
    QTestState *qts;
    QVirtioMemDriver vm;
    QVirtioBlkDriver blk;
    uint64_t bs;
    ReqPlace at;

    if (!can_run(true)) {
        return;
    }
    b = backend_start();
    vhost_user_proxy_set_max_mem_slots(b->proxy, 509);
    qts = vm_start_order(b, "dynamic-memslots=on,unplugged-inaccessible=on,"
                         "requested-size=4G", true);
    g_assert_cmpint(qtest_qom_get_int(qts, "vm0", "memslots"), ==, 4);
    qvirtio_mem_driver_start(&vm, qts, VMEM_DEVFN);
    bs = vm.block_size;
    qvirtio_blk_driver_start(&blk, vm.bus, BLK_DEVFN, BLK_RING_START,
                             BLK_RING_END);
    assert_device_regions(b, vm.addr, 1 * GiB, none);

    plug(&vm, 0, 1);
    assert_device_regions(b, vm.addr, 1 * GiB, s0);
    plug(&vm, 3 * GiB + 7 * bs, 1);
    assert_device_regions(b, vm.addr, 1 * GiB, s03);
    at = (ReqPlace) {
        .hdr = vm.addr + 3 * GiB + 7 * bs, .data = vm.addr + 4096,
        .status = vm.addr + 3 * GiB + 8 * bs - 1,
    };
    check_io(&blk, b, at, 3000, 13);

    /*
     * The last block of memslot 0 and the first of memslot 1: memslot 1
     * arrives as one ADD_MEM_REG of its own, memslot 0 is not touched (no
     * REM_MEM_REG + merged re-add), and the two stay two regions.
     */
    vhost_user_proxy_clear_log(b->proxy);
    plug(&vm, 1 * GiB - bs, 2);
    assert_device_regions(b, vm.addr, 1 * GiB, s013);
    assert_only_added(b, vm.addr + 1 * GiB, 1 * GiB);
    at.data = vm.addr + 1 * GiB - 2048;     /* 2 KiB on each side */
    check_io(&blk, b, at, 3100, 14);

    /* Memslot 3 loses its only block: removed, the others untouched. */
    unplug(&vm, 3 * GiB + 7 * bs, 1);
    assert_device_regions(b, vm.addr, 1 * GiB, s01);
    at.hdr = vm.addr + bs;
    plug(&vm, bs, 1);
    at.status = vm.addr + 1 * GiB + bs - 1;
    check_io(&blk, b, at, 3200, 15);

    unplug_all(&vm);
    assert_device_regions(b, vm.addr, 1 * GiB, none);
    plug(&vm, 2 * GiB, 1);
    at = (ReqPlace) {
        .hdr = vm.addr + 2 * GiB, .data = vm.addr + 2 * GiB + 4096,
        .status = vm.addr + 2 * GiB + 512,
    };
    check_io(&blk, b, at, 3300, 16);
    g_assert_cmpuint(vhost_user_proxy_count(b->proxy,
                                            VHOST_USER_SET_MEM_TABLE), ==, 0);
    g_assert_cmpuint(vhost_user_proxy_table_errors(b->proxy), ==, 0);

    qvirtio_blk_driver_stop(&blk);
    qvirtio_mem_driver_stop(&vm);
    qtest_quit(qts);
    backend_stop(b);
}

/*
 * memslots without CONFIGURE_MEM_SLOTS (hidden by the proxy): the frontend
 * can give the backend only SET_MEM_TABLE's 8 regions, so
 * dynamic-memslots decides one memslot; with memslots=4 every change of
 * the mapped memslots is one new SET_MEM_TABLE holding them separately.
 */
static void test_memslots_set_mem_table(void)
{
    static const int none[] = { -1 }, s01[] = { 0, 1, -1 };
    Backend *b;
    QTestState *qts;
    QVirtioMemDriver vm;
    QVirtioBlkDriver blk;
    ReqPlace at;
    unsigned n;

    if (!can_run(true)) {
        return;
    }
    b = backend_start();
    vhost_user_proxy_mask_protocol_features(
        b->proxy, 1ULL << VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS);
    qts = vm_start_order(b, "dynamic-memslots=on,unplugged-inaccessible=on,"
                         "requested-size=4G", true);
    g_assert_cmpint(qtest_qom_get_int(qts, "vm0", "memslots"), ==, 1);
    qtest_quit(qts);
    backend_stop(b);

    b = backend_start();
    vhost_user_proxy_mask_protocol_features(
        b->proxy, 1ULL << VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS);
    qts = vm_start(b, "memslots=4,requested-size=1G");
    qvirtio_mem_driver_start(&vm, qts, VMEM_DEVFN);
    qvirtio_blk_driver_start(&blk, vm.bus, BLK_DEVFN, BLK_RING_START,
                             BLK_RING_END);
    assert_device_regions(b, vm.addr, 1 * GiB, s01);
    plug(&vm, 1 * GiB - vm.block_size, 2);
    at = (ReqPlace) {
        .hdr = vm.addr + 1 * GiB + 4096, .data = vm.addr + 1 * GiB - 2048,
        .status = BOOT_BUF,
    };
    check_io(&blk, b, at, 4000, 17);

    n = vhost_user_proxy_count(b->proxy, VHOST_USER_SET_MEM_TABLE);
    set_requested_size(qts, 0);
    unplug_all(&vm);
    g_assert_cmpuint(vhost_user_proxy_count(b->proxy,
                                            VHOST_USER_SET_MEM_TABLE), ==,
                     n + 1);
    assert_device_regions(b, vm.addr, 1 * GiB, none);
    set_requested_size(qts, 1 * GiB);
    g_assert_cmpuint(vhost_user_proxy_count(b->proxy,
                                            VHOST_USER_SET_MEM_TABLE), ==,
                     n + 2);
    assert_device_regions(b, vm.addr, 1 * GiB, s01);
    plug(&vm, 0, 1);
    at = (ReqPlace) {
        .hdr = vm.addr, .data = BOOT_BUF, .status = vm.addr + 4096,
    };
    check_io(&blk, b, at, 4100, 18);
    g_assert_cmpuint(vhost_user_proxy_count(b->proxy,
                                            VHOST_USER_ADD_MEM_REG), ==, 0);
    g_assert_cmpuint(vhost_user_proxy_count(b->proxy,
                                            VHOST_USER_REM_MEM_REG), ==, 0);

    qvirtio_blk_driver_stop(&blk);
    qvirtio_mem_driver_stop(&vm);
    qtest_quit(qts);
    backend_stop(b);
}

/* ---- Memslot limits ------------------------------------------------- */

/*
 * Limit tests use 8 GiB devices: memslots=64 then really means 64
 * memslots (of the minimum 128 MiB).
 */
#define LIMIT_VMEM_SIZE (8 * GiB)

/*
 * device_add virtio-mem-pci vm@i on the memory backend mem@i with @props;
 * returns the error's desc (g_free) or NULL.
 */
static char *device_add_vmem(QTestState *qts, int i, const char *props)
{
    g_autoptr(JsonObject) r = NULL;
    JsonObject *err;

    r = qtest_qmp(qts, "{'execute': 'device_add', 'arguments': "
                  "{'driver': 'virtio-mem-pci', 'id': 'vm%d', "
                  "'memdev': 'mem%d', %s}}", i, i, props);
    if (!json_object_has_member(r, "error")) {
        return NULL;
    }
    err = json_object_get_object_member(r, "error");
    g_assert_cmpstr(json_object_get_string_member(err, "class"), ==,
                    "GenericError");
    return g_strdup(json_object_get_string_member(err, "desc"));
}

/* "a used vhost backend has only N free memory slots, but M are required" */
static void assert_vhost_refusal(const char *msg, unsigned limit,
                                 unsigned required)
{
    unsigned free_slots, req;
    int end = 0;

    g_assert_nonnull(msg);
    g_assert_cmpint(sscanf(msg, "a used vhost backend has only %u free "
                           "memory slots, but %u are required%n",
                           &free_slots, &req, &end), ==, 2);
    g_assert_cmpint(end, ==, strlen(msg));
    g_assert_cmpuint(req, ==, required);
    /* Boot RAM takes one or two regions of the backend's. */
    g_assert_cmpuint(free_slots, <, limit);
    g_assert_cmpuint(free_slots, >=, limit - 4);
}

/*
 * A vhost backend with @limit slots (libvhost-user's 32, or 8 played by
 * the proxy) is there first: memslots=64 is refused on device_add and the
 * VM keeps running; a number that fits is accepted.
 */
static void test_limit_vhost_first(const void *opaque)
{
    unsigned limit = GPOINTER_TO_UINT(opaque);
    Backend *b;
    QTestState *qts;
    g_autofree char *msg = NULL;
    g_autofree char *msg2 = NULL;

    if (!can_run(true)) {
        return;
    }
    b = backend_start();
    if (limit != 32) {
        vhost_user_proxy_set_max_mem_slots(b->proxy, limit);
    }
    qts = qtest_initf(
        "%s-machine pc,memory-backend=ram0 -m 256M,maxmem=%" PRIu64 "M,slots=2 "
        "-object memory-backend-memfd,id=ram0,size=256M,share=on "
        "-object memory-backend-memfd,id=mem1,size=%" PRIu64 "M,share=on "
        "-object memory-backend-memfd,id=mem2,size=%" PRIu64 "M,share=on "
        "-chardev socket,id=chr0,path=%s "
        "-device vhost-user-blk-pci,id=blk0,chardev=chr0,num-queues=1,addr=5",
        b->accel, (256 * MiB + 2 * LIMIT_VMEM_SIZE) / MiB,
        LIMIT_VMEM_SIZE / MiB, LIMIT_VMEM_SIZE / MiB, b->proxy_sock);
    g_assert_cmpuint(reply_u64(b, VHOST_USER_GET_MAX_MEM_SLOTS), ==, limit);

    msg = device_add_vmem(qts, 1, "'memslots': 64");
    assert_vhost_refusal(msg, limit, 64);
    qtest_qmp_assert_success(qts, "{'execute': 'query-status'}");
    msg2 = device_add_vmem(qts, 2, "'memslots': 4");
    g_assert_null(msg2);
    g_assert_cmpint(qtest_qom_get_int(qts, "vm2", "memslots"), ==, 4);

    qtest_quit(qts);
    backend_stop(b);
}

/* Same on the command line: sparsevm exits 1 with the message. */
static void test_limit_vhost_first_cli(void)
{
    Backend *b;
    g_autofree char *err = NULL;
    g_autofree char *args = NULL;
    int status;

    if (!can_run(true)) {
        return;
    }
    b = backend_start();
    args = g_strdup_printf(
        "%s-machine pc,memory-backend=ram0 -m 256M,maxmem=%" PRIu64 "M,slots=1 "
        "-object memory-backend-memfd,id=ram0,size=256M,share=on "
        "-object memory-backend-memfd,id=mem0,size=%" PRIu64 "M,share=on "
        "-chardev socket,id=chr0,path=%s "
        "-device vhost-user-blk-pci,id=blk0,chardev=chr0,num-queues=1,addr=5 "
        "-device virtio-mem-pci,id=vm0,memdev=mem0,memslots=64,addr=4",
        b->accel, (256 * MiB + LIMIT_VMEM_SIZE) / MiB, LIMIT_VMEM_SIZE / MiB,
        b->proxy_sock);
    err = qtest_init_expect_fail(args, &status);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(err, "a used vhost backend has only "));
    g_assert_nonnull(strstr(err, "free memory slots, but 64 are required"));
    backend_stop(b);
}

/*
 * virtio-mem first with memslots=64 reserved: a vhost-user-blk device
 * whose backend has 32 slots cannot hold them and is refused (device_add
 * and command line); with memslots=8 it is accepted.
 */
static void test_limit_vmem_first(void)
{
    Backend *b;
    QTestState *qts;
    g_autoptr(JsonObject) r = NULL;
    g_autofree char *err = NULL;
    g_autofree char *args = NULL;
    g_autofree char *args_blk = NULL;
    const char *desc;
    int status;

    if (!can_run(true)) {
        return;
    }
    b = backend_start();
    args = g_strdup_printf(
        "%s-machine pc,memory-backend=ram0 -m 256M,maxmem=%" PRIu64 "M,slots=1 "
        "-object memory-backend-memfd,id=ram0,size=256M,share=on "
        "-object memory-backend-memfd,id=mem0,size=%" PRIu64 "M,share=on "
        "-device virtio-mem-pci,id=vm0,memdev=mem0,memslots=64,addr=4 "
        "-chardev socket,id=chr0,path=%s ",
        b->accel, (256 * MiB + LIMIT_VMEM_SIZE) / MiB, LIMIT_VMEM_SIZE / MiB,
        b->proxy_sock);
    qts = qtest_init(args);
    r = qtest_qmp(qts, "{'execute': 'device_add', 'arguments': "
                  "{'driver': 'vhost-user-blk-pci', 'id': 'blk0', "
                  "'chardev': 'chr0', 'num-queues': 1, 'addr': '5'}}");
    g_assert_true(json_object_has_member(r, "error"));
    desc = json_object_get_string_member(
        json_object_get_object_member(r, "error"), "desc");
    g_assert_nonnull(strstr(desc, "vhost backend memory slots limit (32) is "
                            "less than current number of used"));
    g_assert_nonnull(strstr(desc, "and reserved"));
    qtest_qmp_assert_success(qts, "{'execute': 'query-status'}");
    qtest_quit(qts);

    args_blk = g_strdup_printf("%s -device vhost-user-blk-pci,id=blk0,"
                               "chardev=chr0,num-queues=1,addr=5", args);
    err = qtest_init_expect_fail(args_blk, &status);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(err, "vhost backend memory slots limit (32) is "
                            "less than current number of used"));
    backend_stop(b);

    /* Fewer memslots fit. */
    b = backend_start();
    qts = vm_start(b, "memslots=8");
    g_assert_cmpint(qtest_qom_get_int(qts, "vm0", "memslots"), ==, 8);
    qtest_quit(qts);
    backend_stop(b);
}

/*
 * dynamic-memslots=on decides with the backend's limit: one memslot with
 * libvhost-user's 32 (fewer than the 509 the heuristic wants), several
 * when the backend claims 509.
 */
static void test_limit_dynamic_decision(void)
{
    Backend *b;
    QTestState *qts;

    if (!can_run(true)) {
        return;
    }
    b = backend_start();
    qts = vm_start_order(b, "dynamic-memslots=on,unplugged-inaccessible=on",
                         true);
    g_assert_cmpint(qtest_qom_get_int(qts, "vm0", "memslots"), ==, 1);
    qtest_quit(qts);
    backend_stop(b);

    b = backend_start();
    vhost_user_proxy_set_max_mem_slots(b->proxy, 509);
    qts = vm_start_order(b, "dynamic-memslots=on,unplugged-inaccessible=on",
                         true);
    g_assert_cmpint(qtest_qom_get_int(qts, "vm0", "memslots"), ==, 4);
    qtest_quit(qts);
    backend_stop(b);

    /*
     * Decided before the backend is known (virtio-mem first): 4 memslots,
     * which the 32-slot backend can hold, so it is accepted.
     */
    b = backend_start();
    qts = vm_start_order(b, "dynamic-memslots=on,unplugged-inaccessible=on",
                         false);
    g_assert_cmpint(qtest_qom_get_int(qts, "vm0", "memslots"), ==, 4);
    qtest_quit(qts);
    backend_stop(b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/vhost-user-blk/io/single-region",
                   test_io_single_region);
    qtest_add_func("/vhost-user-blk/protocol/configure-mem-slots",
                   test_protocol_configure_mem_slots);
    qtest_add_func("/vhost-user-blk/protocol/set-mem-table",
                   test_protocol_set_mem_table);
    qtest_add_func("/vhost-user-blk/memslots/usable-region",
                   test_memslots_usable_region);
    qtest_add_func("/vhost-user-blk/memslots/dynamic",
                   test_dynamic_memslots);
    qtest_add_func("/vhost-user-blk/memslots/set-mem-table",
                   test_memslots_set_mem_table);
    qtest_add_data_func("/vhost-user-blk/limits/vhost-first/32",
                        GUINT_TO_POINTER(32), test_limit_vhost_first);
    qtest_add_data_func("/vhost-user-blk/limits/vhost-first/8",
                        GUINT_TO_POINTER(8), test_limit_vhost_first);
    qtest_add_func("/vhost-user-blk/limits/vhost-first-cli",
                   test_limit_vhost_first_cli);
    qtest_add_func("/vhost-user-blk/limits/virtio-mem-first",
                   test_limit_vmem_first);
    qtest_add_func("/vhost-user-blk/limits/dynamic-decision",
                   test_limit_dynamic_decision);
    return g_test_run();
}
