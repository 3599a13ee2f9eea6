/*
 * The vhost-user frontend as a backend sees it, with a small scripted
 * backend in a thread of this test (not a real one: the end-to-end tests
 * with qemu-storage-daemon are in vhost-user-blk-test).  It checks the
 * message sequence of realize and of DRIVER_OK/reset, the memory table
 * (ADD_MEM_REG or SET_MEM_TABLE, with one fd per region), that a kick
 * reaches the backend's kick eventfd and that the backend's call eventfd
 * raises ISR bit 0, and the refusals: guest RAM without share=on, a
 * backend with too few memslots, a garbage reply, a backend that goes
 * away (the VM keeps running, the device needs a reset).
 */
#include "qemu/osdep.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/virtio_blk.h>
#include "libqtest.h"
#include "libqos/pci.h"
#include "libqos/virtio-pci.h"
#include "libqos/malloc.h"
#include "libqos/virtio-mem.h"

/* Protocol facts (vhost-user spec). */
enum {
    GET_FEATURES = 1, SET_FEATURES = 2, SET_OWNER = 3, SET_MEM_TABLE = 5,
    SET_VRING_NUM = 8, SET_VRING_ADDR = 9, SET_VRING_BASE = 10,
    GET_VRING_BASE = 11, SET_VRING_KICK = 12, SET_VRING_CALL = 13,
    GET_PROTOCOL_FEATURES = 15, SET_PROTOCOL_FEATURES = 16,
    GET_QUEUE_NUM = 17, SET_VRING_ENABLE = 18, GET_CONFIG = 24,
    SET_CONFIG = 25, GET_MAX_MEM_SLOTS = 36, ADD_MEM_REG = 37,
    REM_MEM_REG = 38,
};
#define F_PROTOCOL_FEATURES (1ULL << 30)
#define PF_REPLY_ACK (1ULL << 3)
#define PF_CONFIG (1ULL << 9)
#define PF_CONFIGURE_MEM_SLOTS (1ULL << 15)
#define FLAG_REPLY 0x4
#define FLAG_NEED_REPLY 0x8

#define BLK_DEVFN QPCI_DEVFN(4, 0)
#define CAPACITY 2048
#define WAIT_MS 20000

typedef struct QEMU_PACKED Hdr {
    uint32_t request;
    uint32_t flags;
    uint32_t size;
} Hdr;

typedef struct Recorded {
    uint32_t request;
    uint32_t flags;
    int nfds;
    uint64_t u64;               /* first 8 payload bytes */
    uint64_t u64_2;             /* next 8 (a memory region's guest addr) */
} Recorded;

typedef struct FakeBackend {
    /* script */
    uint64_t protocol_features;
    uint64_t max_mem_slots;
    bool garbage_features;      /* answer GET_FEATURES with another request */
    bool close_after_config;    /* hang up once GET_CONFIG is answered */
    bool client;                /* connect to sparsevm's listening socket */
    bool nack_add_mem_reg;      /* answer ADD_MEM_REG's REPLY_ACK with 1 */
    bool chatter_after_config;  /* unsolicited bytes after GET_CONFIG */

    char *dir;
    char *path;
    int listen_fd;
    GThread *thread;
    GMutex lock;
    GArray *log;                /* of Recorded */
    int kick_fd;                /* kept from SET_VRING_KICK / CALL */
    int call_fd;
} FakeBackend;

static bool read_full(int fd, void *buf, size_t len, int *fds, int *nfds)
{
    size_t done = 0;

    while (done < len) {
        union {
            char buf[CMSG_SPACE(sizeof(int) * 16)];
            struct cmsghdr align;
        } control;
        struct iovec iov = { (char *)buf + done, len - done };
        struct msghdr msg = {
            .msg_iov = &iov, .msg_iovlen = 1,
            .msg_control = control.buf, .msg_controllen = sizeof(control),
        };
        ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);

        if (n <= 0) {
            return false;
        }
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
             c = CMSG_NXTHDR(&msg, c)) {
            int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

            for (int i = 0; i < k; i++) {
                int got = ((int *)CMSG_DATA(c))[i];

                if (fds && *nfds < 16) {
                    fds[(*nfds)++] = got;
                } else {
                    close(got);
                }
            }
        }
        done += n;
    }
    return true;
}

static void send_reply(int fd, uint32_t request, const void *payload,
                       uint32_t size)
{
    Hdr h = { .request = request, .flags = 0x1 | FLAG_REPLY, .size = size };
    g_autofree uint8_t *buf = g_malloc(sizeof(h) + size);

    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), payload, size);
    g_assert_cmpint(write(fd, buf, sizeof(h) + size), ==, sizeof(h) + size);
}

static void send_u64(int fd, uint32_t request, uint64_t val)
{
    send_reply(fd, request, &val, sizeof(val));
}

/* Serve one connection; returns when the frontend hangs up. */
static void fake_serve(FakeBackend *fb, int conn)
{
    for (;;) {
        Hdr h;
        uint8_t payload[512];
        int fds[16];
        int nfds = 0;
        Recorded r;

        if (!read_full(conn, &h, sizeof(h), fds, &nfds) ||
            h.size > sizeof(payload) ||
            !read_full(conn, payload, h.size, fds, &nfds)) {
            return;
        }
        r = (Recorded) { .request = h.request, .flags = h.flags,
                         .nfds = nfds };
        memcpy(&r.u64, payload, MIN(h.size, sizeof(r.u64)));
        if (h.size >= 16) {
            memcpy(&r.u64_2, payload + 8, sizeof(r.u64_2));
        }
        g_mutex_lock(&fb->lock);
        g_array_append_val(fb->log, r);
        if (h.request == SET_VRING_KICK && nfds == 1) {
            fb->kick_fd = fds[0];
            nfds = 0;
        } else if (h.request == SET_VRING_CALL && nfds == 1) {
            fb->call_fd = fds[0];
            nfds = 0;
        }
        g_mutex_unlock(&fb->lock);
        for (int i = 0; i < nfds; i++) {
            close(fds[i]);
        }

        switch (h.request) {
        case GET_FEATURES:
            send_u64(conn, fb->garbage_features ? GET_QUEUE_NUM : h.request,
                     (1ULL << VIRTIO_F_VERSION_1) | F_PROTOCOL_FEATURES |
                     (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
                     (1ULL << VIRTIO_BLK_F_CONFIG_WCE) |
                     (1ULL << VIRTIO_F_RING_PACKED));
            break;
        case GET_PROTOCOL_FEATURES:
            send_u64(conn, h.request, fb->protocol_features);
            break;
        case GET_QUEUE_NUM:
            send_u64(conn, h.request, 1);
            break;
        case GET_MAX_MEM_SLOTS:
            send_u64(conn, h.request, fb->max_mem_slots);
            break;
        case GET_VRING_BASE:
            send_reply(conn, h.request, payload, 8);
            break;
        case GET_CONFIG: {
            struct virtio_blk_config cfg = {
                .capacity = CAPACITY, .blk_size = 4096,
            };

            /* offset, size, flags, then the config bytes */
            memcpy(payload + 12, &cfg, h.size - 12);
            send_reply(conn, h.request, payload, h.size);
            if (fb->chatter_after_config) {
                g_assert_cmpint(write(conn, "junk", 4), ==, 4);
            }
            if (fb->close_after_config) {
                return;
            }
            break;
        }
        default:
            if (h.flags & FLAG_NEED_REPLY) {
                send_u64(conn, h.request,
                         h.request == ADD_MEM_REG && fb->nack_add_mem_reg);
            }
            break;
        }
    }
}

/* Connect to sparsevm (server=on) once it listens on fb->path. */
static int fake_connect(FakeBackend *fb)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(sun.sun_path, fb->path, sizeof(sun.sun_path));
    for (int i = 0; i < WAIT_MS; i++) {
        if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
            return fd;
        }
        g_usleep(1000);
    }
    close(fd);
    return -1;
}

static gpointer fake_thread(gpointer opaque)
{
    FakeBackend *fb = opaque;
    int conn = fb->client ? fake_connect(fb) :
                            accept(fb->listen_fd, NULL, NULL);

    if (conn >= 0) {
        fake_serve(fb, conn);
        close(conn);
    }
    return NULL;
}

static FakeBackend *fake_new(uint64_t protocol_features,
                             uint64_t max_mem_slots)
{
    FakeBackend *fb = g_new0(FakeBackend, 1);
    struct sockaddr_un sun = { .sun_family = AF_UNIX };

    fb->protocol_features = protocol_features;
    fb->max_mem_slots = max_mem_slots;
    fb->dir = g_dir_make_tmp("vhost-frontend-XXXXXX", NULL);
    g_assert_nonnull(fb->dir);
    fb->path = g_strdup_printf("%s/vu.sock", fb->dir);
    fb->log = g_array_new(false, false, sizeof(Recorded));
    fb->kick_fd = fb->call_fd = -1;
    g_mutex_init(&fb->lock);
    fb->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(fb->listen_fd, >=, 0);
    g_strlcpy(sun.sun_path, fb->path, sizeof(sun.sun_path));
    g_assert_cmpint(bind(fb->listen_fd, (struct sockaddr *)&sun,
                         sizeof(sun)), ==, 0);
    g_assert_cmpint(listen(fb->listen_fd, 1), ==, 0);
    return fb;
}

/* The same backend, but connecting to a sparsevm that listens. */
static FakeBackend *fake_new_client(uint64_t protocol_features)
{
    FakeBackend *fb = fake_new(protocol_features, 0);

    close(fb->listen_fd);
    unlink(fb->path);
    fb->listen_fd = -1;
    fb->client = true;
    return fb;
}

/* Start serving (after the script fields are set). */
static void fake_run(FakeBackend *fb)
{
    fb->thread = g_thread_new("fake-vhost-user", fake_thread, fb);
}

static void fake_free(FakeBackend *fb)
{
    /* the thread ends when sparsevm hangs up */
    g_thread_join(fb->thread);
    if (fb->listen_fd >= 0) {
        close(fb->listen_fd);
    }
    if (fb->kick_fd >= 0) {
        close(fb->kick_fd);
    }
    if (fb->call_fd >= 0) {
        close(fb->call_fd);
    }
    unlink(fb->path);
    rmdir(fb->dir);
    g_array_unref(fb->log);
    g_mutex_clear(&fb->lock);
    g_free(fb->path);
    g_free(fb->dir);
    g_free(fb);
}

/* The requests received so far, as a string "1 15 16 ..." */
static char *fake_requests(FakeBackend *fb)
{
    GString *s = g_string_new(NULL);

    g_mutex_lock(&fb->lock);
    for (unsigned int i = 0; i < fb->log->len; i++) {
        g_string_append_printf(s, "%s%u", i ? " " : "",
                               g_array_index(fb->log, Recorded, i).request);
    }
    g_mutex_unlock(&fb->lock);
    return g_string_free(s, false);
}

static Recorded fake_find(FakeBackend *fb, uint32_t request, int nth)
{
    Recorded r = { 0 };

    g_mutex_lock(&fb->lock);
    for (unsigned int i = 0; i < fb->log->len; i++) {
        Recorded *e = &g_array_index(fb->log, Recorded, i);

        if (e->request == request && nth-- == 0) {
            r = *e;
            break;
        }
    }
    g_mutex_unlock(&fb->lock);
    return r;
}

static unsigned int fake_count(FakeBackend *fb, uint32_t request)
{
    unsigned int n = 0;

    g_mutex_lock(&fb->lock);
    for (unsigned int i = 0; i < fb->log->len; i++) {
        n += g_array_index(fb->log, Recorded, i).request == request;
    }
    g_mutex_unlock(&fb->lock);
    return n;
}

#define SHARED_RAM "-machine pc,memory-backend=ram0 -m 256M " \
    "-object memory-backend-memfd,id=ram0,size=256M,share=on "

static QTestState *start_vm(FakeBackend *fb, const char *ram)
{
    return qtest_initf("%s -chardev socket,id=c0,path=%s "
                       "-device vhost-user-blk-pci,id=blk0,chardev=c0,addr=4",
                       ram, fb->path);
}

static char *start_vm_expect_fail(FakeBackend *fb, const char *ram)
{
    g_autofree char *args = g_strdup_printf(
        "-accel qtest %s -chardev socket,id=c0,path=%s "
        "-device vhost-user-blk-pci,id=blk0,chardev=c0,addr=4", ram,
        fb->path);
    int status;
    char *err = qtest_init_expect_fail(args, &status);

    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    return err;
}

typedef struct Driver {
    QPCIBus *bus;
    QGuestAllocator alloc;
    QVirtioPCIDevice *dev;
    QVirtQueue *vq;
} Driver;

/*
 * Bring the device up to DRIVER_OK with one queue; rings and buffers in
 * guest RAM at [@alloc_start, + 16 MiB).
 */
static void driver_up_at(QTestState *qts, Driver *d, uint64_t alloc_start)
{
    uint64_t offered;

    d->bus = qpci_new_pc(qts);
    alloc_init(&d->alloc, qts, alloc_start, alloc_start + 16 * MiB);
    d->dev = qvirtio_pci_new(d->bus, BLK_DEVFN);
    qvirtio_pci_reset(d->dev);
    offered = qvirtio_pci_get_features(d->dev);
    /* what the backend offers, minus what the transport cannot do */
    g_assert_true(offered & (1ULL << VIRTIO_F_VERSION_1));
    g_assert_true(offered & (1ULL << VIRTIO_BLK_F_BLK_SIZE));
    g_assert_false(offered & (1ULL << VIRTIO_F_RING_PACKED));
    g_assert_false(offered & F_PROTOCOL_FEATURES);
    g_assert_true(qvirtio_pci_negotiate(d->dev, 1ULL << VIRTIO_F_VERSION_1));
    d->vq = qvirtqueue_setup(d->dev, &d->alloc, 0);
    qvirtio_pci_set_driver_ok(d->dev);
}

static void driver_up(QTestState *qts, Driver *d)
{
    driver_up_at(qts, d, 16 * MiB);
}

static void driver_free(Driver *d)
{
    qvirtqueue_free(d->vq);
    qvirtio_pci_free(d->dev);
    qpci_free_pc(d->bus);
}

static void test_start_configure_mem_slots(void)
{
    FakeBackend *fb = fake_new(PF_REPLY_ACK | PF_CONFIG |
                               PF_CONFIGURE_MEM_SLOTS, 16);
    QTestState *qts;
    Driver d;
    g_autofree char *realize_seq = NULL;
    g_autofree char *seq = NULL;
    uint64_t val = 1;
    struct pollfd pfd;
    unsigned int regions;
    Recorded add;

    fake_run(fb);
    qts = start_vm(fb, SHARED_RAM);
    /* config space comes from GET_CONFIG */
    d.bus = qpci_new_pc(qts);
    d.dev = qvirtio_pci_new(d.bus, BLK_DEVFN);
    g_assert_cmpuint(qvirtio_pci_config_readq(d.dev, 0), ==, CAPACITY);
    g_assert_cmpuint(qvirtio_pci_config_readl(d.dev, offsetof(
                     struct virtio_blk_config, blk_size)), ==, 4096);
    qvirtio_pci_free(d.dev);
    qpci_free_pc(d.bus);
    realize_seq = fake_requests(fb);
    g_assert_cmpstr(realize_seq, ==, "1 15 16 36 3 24");

    driver_up(qts, &d);
    /* a reset stops the ring: GET_VRING_BASE waits for the backend */
    qvirtio_pci_reset(d.dev);
    seq = fake_requests(fb);
    regions = fake_count(fb, ADD_MEM_REG);
    g_assert_cmpuint(regions, >=, 1);
    g_assert_cmpuint(fake_count(fb, SET_MEM_TABLE), ==, 0);
    for (unsigned int i = 0; i < regions; i++) {
        add = fake_find(fb, ADD_MEM_REG, i);
        g_assert_cmpint(add.nfds, ==, 1);
        g_assert_true(add.flags & FLAG_NEED_REPLY);
    }
    {
        GString *want = g_string_new("1 15 16 36 3 24 2");

        for (unsigned int i = 0; i < regions; i++) {
            g_string_append(want, " 37");
        }
        g_string_append(want, " 8 10 9 12 13 18 11");
        g_assert_cmpstr(seq, ==, want->str);
        g_string_free(want, true);
    }
    g_assert_cmpuint(fake_find(fb, SET_VRING_ENABLE, 0).u64, ==,
                     0x100000000ULL);   /* index 0, num 1 */
    g_assert_cmpint(fake_find(fb, SET_VRING_KICK, 0).nfds, ==, 1);

    /* start again, then: kick -> kick eventfd, call eventfd -> ISR */
    g_assert_true(qvirtio_pci_negotiate(d.dev, 1ULL << VIRTIO_F_VERSION_1));
    qvirtqueue_free(d.vq);
    d.vq = qvirtqueue_setup(d.dev, &d.alloc, 0);
    qvirtio_pci_set_driver_ok(d.dev);
    /* GET_MAX_MEM_SLOTS is asked once: wait for the second start's CALL */
    qtest_qmp_assert_success(qts, "{'execute': 'query-status'}");
    for (int i = 0; i < WAIT_MS && fake_count(fb, SET_VRING_ENABLE) < 2;
         i++) {
        g_usleep(1000);
    }
    g_assert_cmpuint(fake_count(fb, SET_VRING_ENABLE), ==, 2);
    qvirtqueue_notify(d.vq);
    g_mutex_lock(&fb->lock);
    pfd = (struct pollfd) { .fd = fb->kick_fd, .events = POLLIN };
    g_mutex_unlock(&fb->lock);
    g_assert_cmpint(poll(&pfd, 1, WAIT_MS), ==, 1);
    g_assert_cmpint(read(pfd.fd, &val, sizeof(val)), ==, sizeof(val));
    g_assert_cmpuint(val, ==, 1);

    g_assert_cmpuint(qvirtio_pci_isr(d.dev), ==, 0);
    val = 1;
    g_assert_cmpint(write(fb->call_fd, &val, sizeof(val)), ==, sizeof(val));
    {
        uint8_t isr = 0;

        for (int i = 0; i < WAIT_MS && !isr; i++) {
            isr = qvirtio_pci_isr(d.dev);
            if (!isr) {
                g_usleep(1000);
            }
        }
        g_assert_cmpuint(isr, ==, 1);
    }
    g_assert_cmpuint(qvirtio_pci_get_status(d.dev) &
                     VIRTIO_CONFIG_S_NEEDS_RESET, ==, 0);
    driver_free(&d);
    qtest_quit(qts);
    fake_free(fb);
}

static void test_start_set_mem_table(void)
{
    FakeBackend *fb = fake_new(PF_CONFIG, 0);
    QTestState *qts;
    Driver d;
    g_autofree char *seq = NULL;
    Recorded set;

    fake_run(fb);
    qts = start_vm(fb, SHARED_RAM);
    driver_up(qts, &d);
    qvirtio_pci_reset(d.dev);
    seq = fake_requests(fb);
    g_assert_cmpstr(seq, ==, "1 15 16 3 24 2 5 8 10 9 12 13 18 11");
    set = fake_find(fb, SET_MEM_TABLE, 0);
    /* nregions (first u32) regions, one fd each; no ack asked */
    g_assert_cmpuint((uint32_t)set.u64, >=, 1);
    g_assert_cmpint(set.nfds, ==, (uint32_t)set.u64);
    g_assert_false(set.flags & FLAG_NEED_REPLY);
    driver_free(&d);
    qtest_quit(qts);
    fake_free(fb);
}

/*
 * config-wce: the driver's write of wce goes to the backend (SET_CONFIG
 * at wce's offset, one byte); config-wce=off hides the feature.
 */
static void test_config_wce(void)
{
    FakeBackend *fb = fake_new(PF_REPLY_ACK | PF_CONFIG, 0);
    QTestState *qts;
    Driver d;
    Recorded r;
    uint64_t f;

    fake_run(fb);
    qts = start_vm(fb, SHARED_RAM);
    d.bus = qpci_new_pc(qts);
    d.dev = qvirtio_pci_new(d.bus, BLK_DEVFN);
    qvirtio_pci_reset(d.dev);
    f = (1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_BLK_F_CONFIG_WCE);
    g_assert_cmphex(qvirtio_pci_get_features(d.dev) & f, ==, f);
    g_assert_true(qvirtio_pci_negotiate(d.dev, f));
    qvirtio_pci_config_writeb(d.dev, offsetof(struct virtio_blk_config, wce),
                              1);
    g_assert_cmpuint(qvirtio_pci_config_readb(d.dev, offsetof(
                     struct virtio_blk_config, wce)), ==, 1);
    r = fake_find(fb, SET_CONFIG, 0);
    g_assert_cmpuint(r.request, ==, SET_CONFIG);
    g_assert_true(r.flags & FLAG_NEED_REPLY);
    /* offset (u32), size (u32) */
    g_assert_cmphex(r.u64, ==, offsetof(struct virtio_blk_config, wce) |
                               (1ULL << 32));
    qvirtio_pci_free(d.dev);
    qpci_free_pc(d.bus);
    qtest_quit(qts);
    fake_free(fb);

    fb = fake_new(PF_CONFIG, 0);
    fake_run(fb);
    qts = qtest_initf(SHARED_RAM "-chardev socket,id=c0,path=%s "
                      "-device vhost-user-blk-pci,id=blk0,chardev=c0,addr=4,"
                      "config-wce=off", fb->path);
    d.bus = qpci_new_pc(qts);
    d.dev = qvirtio_pci_new(d.bus, BLK_DEVFN);
    g_assert_cmphex(qvirtio_pci_get_features(d.dev) &
                    (1ULL << VIRTIO_BLK_F_CONFIG_WCE), ==, 0);
    qvirtio_pci_free(d.dev);
    qpci_free_pc(d.bus);
    qtest_quit(qts);
    fake_free(fb);
}

/*
 * Memory plugged after realize that the backend cannot map (a virtio-mem
 * device on a private backend): the device refuses to start.
 */
static void test_unshared_plugged_later(void)
{
    FakeBackend *fb = fake_new(PF_CONFIG, 0);
    QTestState *qts;
    Driver d;

    fake_run(fb);
    qts = start_vm(fb, "-machine pc,memory-backend=ram0 -m 256M,maxmem=2G "
                   "-object memory-backend-memfd,id=ram0,size=256M,share=on "
                   "-object memory-backend-ram,id=mem1,size=1G");
    qtest_qmp_assert_success(qts, "{'execute': 'device_add', 'arguments': {"
                             "'driver': 'virtio-mem-pci', 'id': 'vm0', "
                             "'memdev': 'mem1', 'addr': '5'}}");
    driver_up(qts, &d);
    g_assert_cmpuint(qvirtio_pci_get_status(d.dev) &
                     VIRTIO_CONFIG_S_NEEDS_RESET, ==,
                     VIRTIO_CONFIG_S_NEEDS_RESET);
    /* nothing was started (a started ring would be stopped: GET_VRING_BASE) */
    qvirtio_pci_reset(d.dev);
    qtest_qmp_assert_success(qts, "{'execute': 'query-status'}");
    g_assert_cmpuint(fake_count(fb, SET_FEATURES), ==, 0);
    g_assert_cmpuint(fake_count(fb, GET_VRING_BASE), ==, 0);
    driver_free(&d);
    qtest_quit(qts);
    fake_free(fb);
}

/* More queues than the backend has. */
static void test_too_many_queues(void)
{
    FakeBackend *fb = fake_new(PF_CONFIG | (1ULL << 0) /* MQ */, 0);
    g_autofree char *args = NULL;
    g_autofree char *err = NULL;
    int status;

    fake_run(fb);
    args = g_strdup_printf("-accel qtest " SHARED_RAM "-chardev socket,id=c0,"
                           "path=%s -device vhost-user-blk-pci,id=blk0,"
                           "chardev=c0,num-queues=4", fb->path);
    err = qtest_init_expect_fail(args, &status);
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(err, "num-queues is 4, the backend supports 1"));
    fake_free(fb);
}

/* server=on,wait=off: realize waits for the backend to connect. */
static void test_server_chardev(void)
{
    FakeBackend *fb = fake_new_client(PF_CONFIG);
    QTestState *qts;
    Driver d;
    g_autofree char *seq = NULL;

    fake_run(fb);
    qts = qtest_initf(SHARED_RAM "-chardev socket,id=c0,path=%s,server=on,"
                      "wait=off -device vhost-user-blk-pci,id=blk0,"
                      "chardev=c0,addr=4", fb->path);
    driver_up(qts, &d);
    qvirtio_pci_reset(d.dev);
    seq = fake_requests(fb);
    g_assert_cmpstr(seq, ==, "1 15 16 3 24 2 5 8 10 9 12 13 18 11");
    g_assert_cmpuint(qvirtio_pci_get_status(d.dev), ==, 0);
    driver_free(&d);
    qtest_quit(qts);
    fake_free(fb);
}

/* The backend refuses the memory table: the start fails, the VM runs. */
static void test_backend_nack(void)
{
    FakeBackend *fb = fake_new(PF_REPLY_ACK | PF_CONFIG |
                               PF_CONFIGURE_MEM_SLOTS, 16);
    QTestState *qts;
    Driver d;

    fb->nack_add_mem_reg = true;
    fake_run(fb);
    qts = start_vm(fb, SHARED_RAM);
    driver_up(qts, &d);
    g_assert_cmpuint(qvirtio_pci_get_status(d.dev) &
                     VIRTIO_CONFIG_S_NEEDS_RESET, ==,
                     VIRTIO_CONFIG_S_NEEDS_RESET);
    /* nothing after the refused ADD_MEM_REG */
    g_assert_cmpuint(fake_count(fb, ADD_MEM_REG), ==, 1);
    g_assert_cmpuint(fake_count(fb, SET_VRING_NUM), ==, 0);
    qvirtio_pci_reset(d.dev);
    qtest_qmp_assert_success(qts, "{'execute': 'query-status'}");
    driver_free(&d);
    qtest_quit(qts);
    fake_free(fb);
}

/* Bytes nobody asked for: the device breaks, the VM runs. */
static void test_backend_chatter(void)
{
    FakeBackend *fb = fake_new(PF_CONFIG, 0);
    QTestState *qts;
    Driver d;

    fb->chatter_after_config = true;
    fake_run(fb);
    /* GET_CONFIG's reply is read whole, the junk after it is garbage */
    qts = start_vm(fb, SHARED_RAM);
    qtest_qmp_assert_success(qts, "{'execute': 'query-status'}");
    driver_up(qts, &d);
    /* the junk may be noticed only after DRIVER_OK: wait for the break */
    for (int i = 0; i < WAIT_MS && !(qvirtio_pci_get_status(d.dev) &
                                     VIRTIO_CONFIG_S_NEEDS_RESET); i++) {
        g_usleep(1000);
    }
    g_assert_cmpuint(qvirtio_pci_get_status(d.dev) &
                     VIRTIO_CONFIG_S_NEEDS_RESET, ==,
                     VIRTIO_CONFIG_S_NEEDS_RESET);
    driver_free(&d);
    qtest_quit(qts);
    fake_free(fb);
}

/* device_del: the backend is released, the VM runs on. */
static void test_unplug(void)
{
    FakeBackend *fb = fake_new(PF_CONFIG, 0);
    QTestState *qts;
    g_autofree char *out = NULL;
    g_autofree char *tree = NULL;

    fake_run(fb);
    qts = start_vm(fb, SHARED_RAM);
    out = qtest_hmp(qts, "device_del blk0");
    g_assert_cmpstr(out, ==, "");
    tree = qtest_hmp(qts, "info qtree");
    g_assert_null(strstr(tree, "vhost-user-blk"));
    qtest_quit(qts);
    /* the thread saw the hang-up */
    fake_free(fb);
}

static void test_memslot_limit(void)
{
    FakeBackend *fb = fake_new(PF_CONFIG | PF_CONFIGURE_MEM_SLOTS, 0);
    g_autofree char *err = NULL;

    fake_run(fb);
    err = start_vm_expect_fail(fb, SHARED_RAM);
    g_assert_nonnull(strstr(err, "memory slots limit (0)"));
    fake_free(fb);
}

static void test_not_shared(void)
{
    FakeBackend *fb = fake_new(PF_CONFIG, 0);
    g_autofree char *err = NULL;

    fake_run(fb);
    err = start_vm_expect_fail(fb, "-machine pc,memory-backend=ram0 -m 256M "
                               "-object memory-backend-ram,id=ram0,"
                               "size=256M");
    g_assert_nonnull(strstr(err, "share=on"));
    g_assert_nonnull(strstr(err, "'ram0'"));
    fake_free(fb);
}

/*
 * The backend maps exactly the memslots in use (guest RAM is one
 * section): a virtio-mem device needing one more is refused, and the VM
 * runs on.
 */
static void test_virtio_mem_refused(void)
{
    FakeBackend *fb = fake_new(PF_CONFIG | PF_CONFIGURE_MEM_SLOTS, 1);
    QTestState *qts;
    JsonObject *resp;
    const char *desc;

    fake_run(fb);
    qts = start_vm(fb, "-machine pc,memory-backend=ram0 -m 256M,maxmem=2G "
                   "-object memory-backend-memfd,id=ram0,size=256M,share=on "
                   "-object memory-backend-memfd,id=mem1,size=1G,share=on");
    resp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments': {"
                     "'driver': 'virtio-mem-pci', 'id': 'vm0', "
                     "'memdev': 'mem1'}}");
    g_assert_true(json_object_has_member(resp, "error"));
    desc = json_object_get_string_member(
        json_object_get_object_member(resp, "error"), "desc");
    g_assert_nonnull(strstr(desc, "vhost backend has only 0 free memory "
                            "slots"));
    json_object_unref(resp);
    qtest_qmp_assert_success(qts, "{'execute': 'query-status'}");
    qtest_quit(qts);
    fake_free(fb);
}

/*
 * virtio-mem with dynamic memslots (at least 1 GiB each: a 4 GiB device)
 * next to a started vhost-user device:
 * plugging the first block of a memslot maps it (one ADD_MEM_REG for
 * exactly that memslot), unplugging its last block unmaps it (one
 * REM_MEM_REG).
 */
static void test_virtio_mem_incremental(void)
{
    /* 509 slots: enough for memory devices to use several (QEMU's rule) */
    FakeBackend *fb = fake_new(PF_REPLY_ACK | PF_CONFIG |
                               PF_CONFIGURE_MEM_SLOTS, 509);
    QTestState *qts;
    Driver d;
    QVirtioMemDriver vm;
    uint64_t region_size, slot_size;
    unsigned int memslots;
    Recorded r;

    fake_run(fb);
    qts = qtest_initf("-machine pc,memory-backend=ram0 -m 256M,maxmem=5G "
                      "-object memory-backend-memfd,id=ram0,size=256M,"
                      "share=on "
                      "-object memory-backend-memfd,id=mem1,size=4G,share=on "
                      "-chardev socket,id=c0,path=%s "
                      "-device vhost-user-blk-pci,id=blk0,chardev=c0,addr=4 "
                      "-device virtio-mem-pci,id=vm0,memdev=mem1,addr=5,"
                      "dynamic-memslots=on,unplugged-inaccessible=on",
                      fb->path);
    memslots = qtest_qom_get_int(qts, "vm0", "memslots");
    /* 1 GiB memslots: the minimum size of a dynamic memslot */
    g_assert_cmpuint(memslots, ==, 4);
    region_size = 4 * GiB;
    slot_size = region_size / memslots;

    driver_up_at(qts, &d, 64 * MiB);
    qtest_qmp_assert_success(qts, "{'execute': 'query-status'}");
    g_assert_cmpuint(fake_count(fb, ADD_MEM_REG), ==, 1);

    qvirtio_mem_driver_start(&vm, qts, QPCI_DEVFN(5, 0));
    qtest_qmp_assert_success(qts, "{'execute': 'qom-set', 'arguments': {"
                             "'path': 'vm0', 'property': 'requested-size', "
                             "'value': %" PRIu64 "}}", region_size);
    /* plug one block in the second memslot: that memslot is mapped */
    g_assert_cmpuint(qvirtio_mem_request(&vm, VIRTIO_MEM_REQ_PLUG,
                                         vm.addr + slot_size, 1, NULL), ==,
                     VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(fake_count(fb, ADD_MEM_REG), ==, 2);
    g_assert_cmpuint(fake_count(fb, REM_MEM_REG), ==, 0);
    r = fake_find(fb, ADD_MEM_REG, 1);
    g_assert_cmphex(r.u64_2, ==, vm.addr + slot_size);
    g_assert_cmpint(r.nfds, ==, 1);

    /* another block of the same memslot: nothing to tell the backend */
    g_assert_cmpuint(qvirtio_mem_request(&vm, VIRTIO_MEM_REQ_PLUG,
                                         vm.addr + slot_size + vm.block_size,
                                         1, NULL), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(fake_count(fb, ADD_MEM_REG), ==, 2);

    /* unplug both: the memslot goes away with one REM_MEM_REG, no fd */
    g_assert_cmpuint(qvirtio_mem_request(&vm, VIRTIO_MEM_REQ_UNPLUG,
                                         vm.addr + slot_size, 2, NULL), ==,
                     VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(fake_count(fb, REM_MEM_REG), ==, 1);
    r = fake_find(fb, REM_MEM_REG, 0);
    g_assert_cmphex(r.u64_2, ==, vm.addr + slot_size);
    g_assert_cmpint(r.nfds, ==, 0);
    g_assert_cmpuint(fake_count(fb, ADD_MEM_REG), ==, 2);

    qvirtio_mem_driver_stop(&vm);
    qvirtio_pci_reset(d.dev);
    driver_free(&d);
    qtest_quit(qts);
    fake_free(fb);
}

static void test_garbage_reply(void)
{
    FakeBackend *fb = fake_new(PF_CONFIG, 0);
    g_autofree char *err = NULL;

    fb->garbage_features = true;
    fake_run(fb);
    err = start_vm_expect_fail(fb, SHARED_RAM);
    g_assert_nonnull(strstr(err, "bad reply to GET_FEATURES"));
    fake_free(fb);
}

static void test_disconnect(void)
{
    FakeBackend *fb = fake_new(PF_CONFIG, 0);
    QTestState *qts;
    Driver d;
    JsonNode *ret;

    fb->close_after_config = true;
    fake_run(fb);
    qts = start_vm(fb, SHARED_RAM);
    /* the backend is gone: the VM and its monitor are not */
    ret = qtest_qmp_assert_success(qts, "{'execute': 'query-status'}");
    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(ret),
                                                  "status"), ==, "running");
    driver_up(qts, &d);
    g_assert_cmpuint(qvirtio_pci_get_status(d.dev) &
                     VIRTIO_CONFIG_S_NEEDS_RESET, ==,
                     VIRTIO_CONFIG_S_NEEDS_RESET);
    /* a kick on the broken device does nothing; reset works */
    qvirtqueue_notify(d.vq);
    qvirtio_pci_reset(d.dev);
    qtest_qmp_assert_success(qts, "{'execute': 'query-status'}");
    driver_free(&d);
    qtest_quit(qts);
    fake_free(fb);
}

/* --- The data path with a real backend (qemu-storage-daemon) ------- */

/* Submit one request (header, data, status) and wait for it to be used. */
static uint8_t blk_request(QTestState *qts, Driver *d, uint32_t type,
                           uint64_t sector, uint64_t data, uint32_t len)
{
    struct virtio_blk_outhdr hdr = { .type = type, .sector = sector };
    uint64_t req = guest_alloc(&d->alloc, sizeof(hdr));
    uint64_t status = guest_alloc(&d->alloc, 1);
    uint32_t head, id;
    bool used = false;

    qtest_memwrite(qts, req, &hdr, sizeof(hdr));
    qtest_writeb(qts, status, 0xff);
    head = qvirtqueue_add(d->vq, req, sizeof(hdr), false, true);
    qvirtqueue_add(d->vq, data, len, type == VIRTIO_BLK_T_IN, true);
    qvirtqueue_add(d->vq, status, 1, true, false);
    qvirtqueue_kick(d->vq, head);
    /* the backend is another process: wait for the used ring */
    for (int i = 0; i < WAIT_MS && !used; i++) {
        used = qvirtqueue_get_buf(d->vq, &id, NULL);
        if (!used) {
            g_usleep(1000);
        }
    }
    g_assert_true(used);
    g_assert_cmpuint(id, ==, head);
    return qtest_readb(qts, status);
}

static void test_qsd_read_write(void)
{
    g_autofree char *qsd = g_find_program_in_path("qemu-storage-daemon");
    g_autofree char *dir = NULL, *img = NULL, *sock = NULL, *exp = NULL;
    g_autofree char *blk = NULL;
    uint8_t sector[512], back[512];
    GPid pid;
    QTestState *qts;
    Driver d;
    uint64_t buf;
    int fd;
    uint8_t isr = 0;

    if (!qsd) {
        g_test_skip("qemu-storage-daemon is not installed");
        return;
    }
    dir = g_dir_make_tmp("vhost-frontend-qsd-XXXXXX", NULL);
    img = g_strdup_printf("%s/disk.img", dir);
    sock = g_strdup_printf("%s/vu.sock", dir);
    fd = open(img, O_RDWR | O_CREAT, 0600);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, 1 * MiB), ==, 0);
    memset(sector, 0x5a, sizeof(sector));
    g_assert_cmpint(pwrite(fd, sector, 512, 3 * 512), ==, 512);
    blk = g_strdup_printf("driver=file,node-name=disk0,filename=%s", img);
    exp = g_strdup_printf("type=vhost-user-blk,id=exp0,node-name=disk0,"
                          "addr.type=unix,addr.path=%s,writable=on", sock);
    {
        char *argv[] = { qsd, (char *)"--blockdev", blk, (char *)"--export",
                         exp, NULL };

        g_assert_true(g_spawn_async(NULL, argv, NULL,
                                    G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                    &pid, NULL));
    }
    for (int i = 0; i < WAIT_MS && !g_file_test(sock, G_FILE_TEST_EXISTS);
         i++) {
        g_usleep(1000);
    }
    qts = qtest_initf(SHARED_RAM "-chardev socket,id=c0,path=%s "
                      "-device vhost-user-blk-pci,id=blk0,chardev=c0,addr=4",
                      sock);
    driver_up(qts, &d);
    /* 1 MiB disk: 2048 sectors, from the backend's config */
    g_assert_cmpuint(qvirtio_pci_config_readq(d.dev, 0), ==, 2048);
    buf = guest_alloc(&d.alloc, 512);

    /* read sector 3: the backend writes guest RAM directly */
    qtest_memset(qts, buf, 0, 512);
    g_assert_cmpuint(blk_request(qts, &d, VIRTIO_BLK_T_IN, 3, buf, 512), ==,
                     VIRTIO_BLK_S_OK);
    qtest_memread(qts, buf, back, 512);
    g_assert_cmpmem(back, 512, sector, 512);
    /* its call eventfd became ISR bit 0 */
    for (int i = 0; i < WAIT_MS && !isr; i++) {
        isr = qvirtio_pci_isr(d.dev);
        if (!isr) {
            g_usleep(1000);
        }
    }
    g_assert_cmpuint(isr, ==, 1);

    /* write sector 7 and find it in the image */
    memset(sector, 0xc3, sizeof(sector));
    qtest_memwrite(qts, buf, sector, 512);
    g_assert_cmpuint(blk_request(qts, &d, VIRTIO_BLK_T_OUT, 7, buf, 512), ==,
                     VIRTIO_BLK_S_OK);
    g_assert_cmpint(pread(fd, back, 512, 7 * 512), ==, 512);
    g_assert_cmpmem(back, 512, sector, 512);

    qvirtio_pci_reset(d.dev);
    driver_free(&d);
    qtest_quit(qts);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    g_spawn_close_pid(pid);
    close(fd);
    unlink(img);
    unlink(sock);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vhost-frontend/start/configure-mem-slots",
                    test_start_configure_mem_slots);
    g_test_add_func("/vhost-frontend/start/set-mem-table",
                    test_start_set_mem_table);
    g_test_add_func("/vhost-frontend/start/server-chardev",
                    test_server_chardev);
    g_test_add_func("/vhost-frontend/config-wce", test_config_wce);
    g_test_add_func("/vhost-frontend/refuse/unshared-plugged-later",
                    test_unshared_plugged_later);
    g_test_add_func("/vhost-frontend/refuse/num-queues",
                    test_too_many_queues);
    g_test_add_func("/vhost-frontend/refuse/memslot-limit",
                    test_memslot_limit);
    g_test_add_func("/vhost-frontend/refuse/not-shared", test_not_shared);
    g_test_add_func("/vhost-frontend/refuse/virtio-mem",
                    test_virtio_mem_refused);
    g_test_add_func("/vhost-frontend/start/virtio-mem-incremental",
                    test_virtio_mem_incremental);
    g_test_add_func("/vhost-frontend/refuse/garbage-reply",
                    test_garbage_reply);
    g_test_add_func("/vhost-frontend/broken/disconnect", test_disconnect);
    g_test_add_func("/vhost-frontend/broken/nack", test_backend_nack);
    g_test_add_func("/vhost-frontend/broken/chatter", test_backend_chatter);
    g_test_add_func("/vhost-frontend/unplug", test_unplug);
    g_test_add_func("/vhost-frontend/qsd/read-write", test_qsd_read_write);
    return g_test_run();
}
