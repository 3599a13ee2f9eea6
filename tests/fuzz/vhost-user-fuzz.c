/*
 * libFuzzer target: a hostile vhost-user backend.
 *
 * A vhost-user-blk device runs in-process on the virtio test transport,
 * its guest RAM a shared memfd at 0.  For each input its socket chardev
 * connects to a listening socket of this program, and a thread plays the
 * backend: it reads every request and answers as the input says -- a good
 * reply (default or fuzzed values), a wrong request number, wrong flags,
 * a wrong size, a truncated payload then a hang-up, extra fds, garbage
 * after the reply, an unsolicited reply, or a disconnect.  When its part
 * of the input is used up it behaves.  The main thread realizes the
 * device and then plays the driver (DRIVER_OK, reset, kick, a config
 * write, memory plugged and unplugged while started, main-loop turns).
 *
 * Input: byte 0 = n, the next n bytes are the driver's operations, the
 * rest is the backend's script.
 *
 * Invariants: realize succeeds or fails with an Error; DRIVER_OK starts
 * the backend or the device needs a reset; a backend the frontend found
 * broken is dropped (the device is dead); no crash, no leaked memory,
 * no leaked fd.  ASan/UBSan catch memory errors.
 *
 * Build: make fuzz (clang, -Dfuzzing=true).
 */
#include "qemu/osdep.h"
#include "vhost-user-test-io.h"
#include <dirent.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include "chardev/char-fe.h"
#include "exec/address-spaces.h"
#include "exec/memory.h"
#include "hw/qdev-properties.h"
#include "hw/virtio/vhost-user-blk.h"
#include "hw/virtio/virtio.h"
#include "qapi/error.h"
#include "qom/object_interfaces.h"
#include "sysemu/hostmem.h"
#include "virtio-test-transport.h"

#define RAM_SIZE (16 * MiB)
#define EXTRA_ADDR (64 * MiB)
#define DESC_ADDR 0x10000
#define AVAIL_ADDR 0x11000
#define USED_ADDR 0x12000
#define QSIZE 16
#define MAX_PAYLOAD 512

/* Reads the input front to back; past its end everything reads 0. */
typedef struct Input {
    const uint8_t *data;
    size_t size;
} Input;

static uint64_t take(Input *in, unsigned bytes)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < bytes; i++) {
        v |= (uint64_t)(in->size ? (in->size--, *in->data++) : 0) << (8 * i);
    }
    return v;
}

typedef struct QEMU_PACKED Hdr {
    uint32_t request;
    uint32_t flags;
    uint32_t size;
} Hdr;

/* --- The backend thread ---------------------------------------------- */

typedef struct Backend {
    int fd;
    Input script;
} Backend;

/* Send @len bytes, the first with @nfds fresh eventfds. */
static void send_bytes(int fd, const void *buf, size_t len, int nfds)
{
    union {
        char buf[CMSG_SPACE(sizeof(int) * 4)];
        struct cmsghdr align;
    } control;
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    int fds[4];

    if (!len) {
        return;
    }
    if (nfds) {
        struct cmsghdr *c;

        memset(&control, 0, sizeof(control));
        for (int i = 0; i < nfds; i++) {
            fds[i] = eventfd(0, EFD_CLOEXEC);
        }
        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
        c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
        memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
    }
    if (sendmsg(fd, &msg, MSG_NOSIGNAL) < 0) {
        /* the frontend hung up: it will notice on its side */
    }
    for (int i = 0; i < nfds; i++) {
        close(fds[i]);
    }
}

static bool request_wants_reply(const Hdr *h)
{
    switch (h->request) {
    case VHOST_USER_GET_FEATURES:
    case VHOST_USER_GET_PROTOCOL_FEATURES:
    case VHOST_USER_GET_QUEUE_NUM:
    case VHOST_USER_GET_CONFIG:
    case VHOST_USER_GET_VRING_BASE:
    case VHOST_USER_GET_MAX_MEM_SLOTS:
        return true;
    default:
        return h->flags & VHOST_USER_NEED_REPLY_MASK;
    }
}

/* The answer a well-behaved backend gives; @fuzz: values from the script. */
static uint32_t good_reply(Backend *b, const Hdr *req, const uint8_t *payload,
                           uint8_t *out, bool fuzz)
{
    uint64_t u64 = 0;

    switch (req->request) {
    case VHOST_USER_GET_FEATURES:
        u64 = (1ULL << VIRTIO_F_VERSION_1) |
              (1ULL << VHOST_USER_F_PROTOCOL_FEATURES) |
              (1ULL << VIRTIO_BLK_F_CONFIG_WCE) | (1ULL << VIRTIO_BLK_F_MQ) |
              (1ULL << VIRTIO_BLK_F_FLUSH);
        break;
    case VHOST_USER_GET_PROTOCOL_FEATURES:
        u64 = VHOST_USER_PROTOCOL_FEATURES_SUPPORTED;
        break;
    case VHOST_USER_GET_QUEUE_NUM:
        u64 = 2;
        break;
    case VHOST_USER_GET_MAX_MEM_SLOTS:
        u64 = 32;
        break;
    case VHOST_USER_GET_VRING_BASE:
        /* struct vhost_vring_state: the index asked, num 0 */
        memcpy(out, payload, 4);
        memset(out + 4, 0, 4);
        if (fuzz) {
            uint32_t num = take(&b->script, 4);

            memcpy(out + 4, &num, 4);
        }
        return 8;
    case VHOST_USER_GET_CONFIG: {
        /* offset, size, flags as asked, then the config */
        uint32_t size = MIN(req->size, MAX_PAYLOAD);
        struct virtio_blk_config cfg = {
            .capacity = GUINT64_TO_LE(2048),
            .num_queues = GUINT16_TO_LE(2),
            .blk_size = GUINT32_TO_LE(512),
        };

        memset(out, 0, size);
        memcpy(out, payload, MIN(size, 12));
        if (size > 12) {
            memcpy(out + 12, &cfg, MIN(size - 12, sizeof(cfg)));
            if (fuzz) {
                for (uint32_t i = 12; i < size && b->script.size; i++) {
                    out[i] = take(&b->script, 1);
                }
            }
        }
        return size;
    }
    default:
        /* REPLY_ACK: 0 is success */
        break;
    }
    if (fuzz) {
        u64 = take(&b->script, 8);
    }
    memcpy(out, &u64, 8);
    return 8;
}

static void reply(Backend *b, const Hdr *req, const uint8_t *payload,
                  uint8_t op)
{
    uint8_t msg[sizeof(Hdr) + MAX_PAYLOAD];
    Hdr *h = (Hdr *)msg;
    uint32_t size = good_reply(b, req, payload, msg + sizeof(Hdr), op == 1);
    int nfds = 0;

    *h = (Hdr) {
        .request = req->request,
        .flags = VHOST_USER_VERSION | VHOST_USER_REPLY_MASK,
        .size = size,
    };
    switch (op) {
    case 2:                     /* another request's answer */
        h->request = take(&b->script, 1);
        break;
    case 3:                     /* wrong version / flags */
        h->flags = take(&b->script, 1);
        break;
    case 4:                     /* wrong size, with that many bytes */
        h->size = take(&b->script, 2) % (MAX_PAYLOAD + 1);
        for (uint32_t i = 0; i < h->size; i++) {
            msg[sizeof(Hdr) + i] = take(&b->script, 1);
        }
        break;
    case 5:                     /* truncated, then hang up */
        send_bytes(b->fd, msg, take(&b->script, 1) % (sizeof(Hdr) + size),
                   0);
        shutdown(b->fd, SHUT_RDWR);
        return;
    case 6:                     /* fds nobody asked for */
        nfds = 1 + take(&b->script, 1) % 3;
        break;
    }
    send_bytes(b->fd, msg, sizeof(Hdr) + h->size, nfds);
    if (op == 7) {              /* garbage after the reply */
        uint8_t junk[16];
        unsigned n = 1 + take(&b->script, 1) % sizeof(junk);

        for (unsigned i = 0; i < n; i++) {
            junk[i] = take(&b->script, 1);
        }
        send_bytes(b->fd, junk, n, 0);
    }
}

static gpointer backend_thread(gpointer opaque)
{
    Backend *b = opaque;
    uint8_t payload[4096];
    Hdr req;

    while (vhost_user_test_recv(b->fd, &req, sizeof(req))) {
        uint8_t op = b->script.size ? take(&b->script, 1) % 10 : 0;

        if (req.size > sizeof(payload) ||
            !vhost_user_test_recv(b->fd, payload, req.size)) {
            break;
        }
        if (op == 8) {          /* hang up */
            shutdown(b->fd, SHUT_RDWR);
            break;
        }
        if (request_wants_reply(&req)) {
            reply(b, &req, payload, op);
        } else if (op == 9) {   /* an answer nobody asked for */
            reply(b, &req, payload, 0);
        }
    }
    return NULL;
}

/* --- The machine -------------------------------------------------------- */

typedef struct FuzzMachine {
    char *dir;
    char *path;
    int listen_fd;
    DeviceState *transport;
    MemoryRegion *extra;        /* shared RAM the driver plugs and unplugs */
    bool extra_mapped;
} FuzzMachine;

static FuzzMachine m;

static MemoryRegion *add_memfd(const char *id, uint64_t size)
{
    g_autofree char *opts = g_strdup_printf("memory-backend-memfd,id=%s,"
                                            "size=%" PRIu64 ",share=on",
                                            id, size);
    Object *obj;

    user_creatable_add_from_str(opts, &error_abort);
    obj = object_resolve_path_component(object_get_objects_root(), id);
    return host_memory_backend_get_memory(MEMORY_BACKEND(obj));
}

static void machine_init(void)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };

    memory_region_add_subregion(get_system_memory(), 0,
                                add_memfd("ram0", RAM_SIZE));
    m.extra = add_memfd("extra0", 2 * MiB);
    m.transport = virtio_test_transport_new();

    m.dir = g_dir_make_tmp("vhost-user-fuzz-XXXXXX", NULL);
    g_assert(m.dir);
    m.path = g_build_filename(m.dir, "sock", NULL);
    g_assert(strlen(m.path) < sizeof(sun.sun_path));
    strcpy(sun.sun_path, m.path);
    m.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert(m.listen_fd >= 0);
    g_assert(bind(m.listen_fd, (struct sockaddr *)&sun, sizeof(sun)) == 0);
    g_assert(listen(m.listen_fd, 4) == 0);
}

/*
 * The fds of the kinds this code opens: sockets, eventfds, memfds (the
 * sanitizers' symbolizer comes with pipes of its own).
 */
static unsigned int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    unsigned int n = 0;

    g_assert(d);
    while ((e = readdir(d))) {
        g_autofree char *link = g_strdup_printf("/proc/self/fd/%s",
                                                e->d_name);
        g_autofree char *target = g_file_read_link(link, NULL);

        if (target && (g_str_has_prefix(target, "socket:") ||
                       g_str_has_prefix(target, "anon_inode:[eventfd]") ||
                       g_str_has_prefix(target, "/memfd:"))) {
            n++;
        }
    }
    closedir(d);
    return n;
}

static void run_main_loop(void)
{
    for (int i = 0; i < 4096 && g_main_context_iteration(NULL, false); i++) {
    }
}

static void driver_ok(VirtIODevice *vdev)
{
    uint8_t s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

    virtio_set_status(vdev, s);
    virtio_set_features(vdev, vdev->host_features);
    s |= VIRTIO_CONFIG_S_FEATURES_OK;
    virtio_set_status(vdev, s);
    virtio_queue_set_num(vdev, 0, QSIZE);
    virtio_queue_set_rings(vdev, 0, DESC_ADDR, AVAIL_ADDR, USED_ADDR);
    virtio_queue_enable(vdev, 0);
    virtio_set_status(vdev, s | VIRTIO_CONFIG_S_DRIVER_OK);
}

/*
 * After DRIVER_OK: started, or the device says it needs a reset.  RAM and
 * rings are all shared here, so a start can only fail because of the
 * backend, which is then broken.
 */
static void check_started(VHostUserBlk *s)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(s);

    if (!s->dev.started &&
        (!(vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET) || !s->user.broken)) {
        abort();
    }
}

/* A backend the frontend found broken is dropped once the loop ran. */
static void check_broken_is_dead(VHostUserBlk *s)
{
    run_main_loop();
    if (s->user.broken && (!s->dead || s->dev.registered || s->dev.started)) {
        abort();
    }
}

static void map_extra(bool map)
{
    if (map && !m.extra_mapped) {
        memory_region_add_subregion(get_system_memory(), EXTRA_ADDR, m.extra);
    } else if (!map && m.extra_mapped) {
        memory_region_del_subregion(get_system_memory(), m.extra);
    }
    m.extra_mapped = map;
}

static void driver_op(VHostUserBlk *s, uint8_t op)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(s);

    switch (op % 8) {
    case 0:
        driver_ok(vdev);
        check_started(s);
        break;
    case 1:
        virtio_reset(vdev);
        break;
    case 2:
        virtio_queue_notify(vdev, 0);
        break;
    case 3:
        /* flip the write cache mode: SET_CONFIG */
        virtio_config_modern_writeb(vdev,
                                    offsetof(struct virtio_blk_config, wce),
                                    !s->blkcfg.wce);
        break;
    case 4:
        map_extra(true);
        break;
    case 5:
        map_extra(false);
        break;
    case 6:
        check_broken_is_dead(s);
        break;
    case 7:
        virtio_set_status(vdev, 0);
        break;
    }
}

static void run_one(const uint8_t *data, size_t size)
{
    Input in = { data, size };
    size_t n_ops = take(&in, 1);
    Input ops = { in.data, MIN(n_ops, in.size) };
    Backend backend = { .fd = -1 };
    g_autofree char *chr_opts = NULL;
    GThread *thread;
    Chardev *chr;
    DeviceState *dev;
    Error *err = NULL;

    backend.script = (Input) { in.data + ops.size, in.size - ops.size };

    chr_opts = g_strdup_printf("socket,id=vu0,path=%s", m.path);
    chr = qemu_chr_new_from_cmdline(chr_opts, &error_abort);
    backend.fd = accept4(m.listen_fd, NULL, NULL, SOCK_CLOEXEC);
    g_assert(backend.fd >= 0);
    thread = g_thread_new("backend", backend_thread, &backend);

    dev = qdev_new(TYPE_VHOST_USER_BLK);
    qdev_prop_set_string(dev, "chardev", "vu0");
    if (qdev_realize(dev, virtio_test_transport_bus(m.transport), &err)) {
        VHostUserBlk *s = VHOST_USER_BLK(dev);

        if (err || !s->dev.registered) {
            abort();
        }
        if (!ops.size) {
            driver_op(s, 0);
        }
        while (ops.size) {
            driver_op(s, take(&ops, 1));
        }
        check_broken_is_dead(s);
        qdev_unrealize(dev);
        object_unparent(OBJECT(dev));
    } else if (!err || !*error_get_pretty(err)) {
        abort();
    }
    error_free(err);
    object_unref(OBJECT(dev));
    map_extra(false);

    qemu_chr_delete(chr);
    shutdown(backend.fd, SHUT_RDWR);
    g_thread_join(thread);
    close(backend.fd);
    run_main_loop();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned int fds_baseline;

    if (!m.transport) {
        machine_init();
        /* GLib opens its wakeup fds at first use: count after a run */
        run_one((const uint8_t *)"", 0);
        fds_baseline = count_fds();
    }
    run_one(data, size);
    if (count_fds() != fds_baseline) {
        fprintf(stderr, "vhost-user-fuzz: %u fds open, %u expected\n",
                count_fds(), fds_baseline);
        abort();
    }
    return 0;
}
