/*
 * vhost-user-blk in-process, against a scripted backend thread: the
 * device's life when the backend misbehaves at the wrong moment.
 * (The protocol sequences are checked end to end by
 * tests/qtest/vhost-frontend-test.c.)
 */
#include "qemu/osdep.h"
#include "vhost-user-test-io.h"
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
#define QSIZE 16

typedef struct QEMU_PACKED Hdr {
    uint32_t request;
    uint32_t flags;
    uint32_t size;
} Hdr;

typedef struct Backend {
    int fd;
    uint32_t hang_up_at;        /* close the socket instead of answering */
    uint64_t protocol_features;
    bool nack_add_mem_reg;      /* answer ADD_MEM_REG's REPLY_ACK with 1 */
    bool garble_vring_base;     /* answer GET_VRING_BASE without payload */
    int add_mem_reg_count;      /* atomic */
} Backend;

static void send_reply(int fd, const Hdr *req, const void *payload,
                       uint32_t size)
{
    uint8_t msg[sizeof(Hdr) + 256];
    Hdr h = {
        .request = req->request,
        .flags = VHOST_USER_VERSION | VHOST_USER_REPLY_MASK,
        .size = size,
    };

    g_assert_cmpuint(size, <=, 256);
    memcpy(msg, &h, sizeof(h));
    memcpy(msg + sizeof(h), payload, size);
    g_assert_cmpint(send(fd, msg, sizeof(h) + size, MSG_NOSIGNAL), ==,
                    sizeof(h) + size);
}

/* A plain backend: one queue, a 1 MiB disk. */
static gpointer backend_thread(gpointer opaque)
{
    Backend *b = opaque;
    uint8_t payload[512];
    Hdr req;

    while (vhost_user_test_recv(b->fd, &req, sizeof(req)) &&
           req.size <= sizeof(payload) &&
           vhost_user_test_recv(b->fd, payload, req.size)) {
        uint64_t u64 = 0;

        if (req.request == b->hang_up_at) {
            shutdown(b->fd, SHUT_RDWR);
            break;
        }
        switch (req.request) {
        case VHOST_USER_GET_FEATURES:
            u64 = (1ULL << VIRTIO_F_VERSION_1) |
                  (1ULL << VHOST_USER_F_PROTOCOL_FEATURES);
            send_reply(b->fd, &req, &u64, sizeof(u64));
            break;
        case VHOST_USER_GET_PROTOCOL_FEATURES:
            u64 = b->protocol_features;
            send_reply(b->fd, &req, &u64, sizeof(u64));
            break;
        case VHOST_USER_GET_MAX_MEM_SLOTS:
            u64 = 32;
            send_reply(b->fd, &req, &u64, sizeof(u64));
            break;
        case VHOST_USER_ADD_MEM_REG:
            g_atomic_int_inc(&b->add_mem_reg_count);
            u64 = b->nack_add_mem_reg;
            send_reply(b->fd, &req, &u64, sizeof(u64));
            break;
        case VHOST_USER_GET_CONFIG: {
            struct virtio_blk_config cfg = {
                .capacity = GUINT64_TO_LE(2048),
            };

            /* offset, size, flags as asked, then the config */
            memcpy(payload + 12, &cfg, req.size - 12);
            send_reply(b->fd, &req, payload, req.size);
            break;
        }
        case VHOST_USER_GET_VRING_BASE:
            memset(payload + 4, 0, 4);
            if (b->garble_vring_base) {
                /* the header only: no bytes left over to notice later */
                send_reply(b->fd, &req, payload, 0);
                break;
            }
            send_reply(b->fd, &req, payload, 8);
            break;
        }
    }
    return NULL;
}

typedef struct Fixture {
    char *dir;
    int listen_fd;
    Backend backend;
    GThread *thread;
    Chardev *chr;
    MemoryRegion *ram;
    DeviceState *transport;
} Fixture;

static void fixture_init(Fixture *f, uint32_t hang_up_at,
                         uint64_t protocol_features, bool nack_add_mem_reg)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    g_autofree char *path = NULL;
    g_autofree char *opts = NULL;
    Object *mem;

    user_creatable_add_from_str("memory-backend-memfd,id=ram0,size=16M,"
                                "share=on", &error_abort);
    mem = object_resolve_path_component(object_get_objects_root(), "ram0");
    f->ram = host_memory_backend_get_memory(MEMORY_BACKEND(mem));
    memory_region_add_subregion(get_system_memory(), 0, f->ram);
    f->transport = virtio_test_transport_new();

    f->dir = g_dir_make_tmp("test-vhost-user-blk-XXXXXX", NULL);
    g_assert_nonnull(f->dir);
    path = g_build_filename(f->dir, "sock", NULL);
    g_assert_cmpuint(strlen(path), <, sizeof(sun.sun_path));
    strcpy(sun.sun_path, path);
    f->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(f->listen_fd, >=, 0);
    g_assert_cmpint(bind(f->listen_fd, (struct sockaddr *)&sun, sizeof(sun)),
                    ==, 0);
    g_assert_cmpint(listen(f->listen_fd, 1), ==, 0);

    opts = g_strdup_printf("socket,id=vu0,path=%s", path);
    f->chr = qemu_chr_new_from_cmdline(opts, &error_abort);
    f->backend.fd = accept4(f->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    g_assert_cmpint(f->backend.fd, >=, 0);
    f->backend.hang_up_at = hang_up_at;
    f->backend.protocol_features = protocol_features |
                                   (1ULL << VHOST_USER_PROTOCOL_F_CONFIG);
    f->backend.nack_add_mem_reg = nack_add_mem_reg;
    f->thread = g_thread_new("backend", backend_thread, &f->backend);
}

static void fixture_fini(Fixture *f)
{
    g_autofree char *path = g_build_filename(f->dir, "sock", NULL);

    qemu_chr_delete(f->chr);
    shutdown(f->backend.fd, SHUT_RDWR);
    g_thread_join(f->thread);
    close(f->backend.fd);
    close(f->listen_fd);
    unlink(path);
    rmdir(f->dir);
    g_free(f->dir);
    qdev_unrealize(f->transport);
    object_unparent(OBJECT(f->transport));
    object_unref(OBJECT(f->transport));
    memory_region_del_subregion(get_system_memory(), f->ram);
    object_unparent(object_resolve_path_component(object_get_objects_root(),
                                                  "ram0"));
}

static void driver_ok(VirtIODevice *vdev)
{
    uint8_t s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

    virtio_set_status(vdev, s);
    virtio_set_features(vdev, vdev->host_features);
    s |= VIRTIO_CONFIG_S_FEATURES_OK;
    virtio_set_status(vdev, s);
    virtio_queue_set_num(vdev, 0, QSIZE);
    virtio_queue_set_rings(vdev, 0, 0x10000, 0x11000, 0x12000);
    virtio_queue_enable(vdev, 0);
    virtio_set_status(vdev, s | VIRTIO_CONFIG_S_DRIVER_OK);
}

static void run_main_loop(void)
{
    for (int i = 0; i < 1000 && g_main_context_iteration(NULL, false); i++) {
    }
}

/*
 * Unplugging a started device stops it, which asks the backend for the
 * ring bases; a backend that hangs up then must not leave a callback
 * behind that would run on the freed device (found by vhost-user-fuzz).
 */
static void test_unrealize_backend_hangs_up(void)
{
    Fixture f = { 0 };
    DeviceState *dev;
    VHostUserBlk *s;

    fixture_init(&f, VHOST_USER_GET_VRING_BASE, 0, false);
    dev = qdev_new(TYPE_VHOST_USER_BLK);
    s = VHOST_USER_BLK(dev);
    qdev_prop_set_string(dev, "chardev", "vu0");
    g_assert_true(qdev_realize(dev, virtio_test_transport_bus(f.transport),
                               &error_abort));
    driver_ok(VIRTIO_DEVICE(dev));
    g_assert_true(s->dev.started);
    g_assert_false(s->dead);

    qdev_unrealize(dev);
    g_assert_false(s->dev.started);
    g_assert_false(s->dev.registered);
    /* nothing scheduled on the unrealized device */
    g_assert_cmpuint(s->dead_idle, ==, 0);
    object_unparent(OBJECT(dev));
    object_unref(OBJECT(dev));
    run_main_loop();
    fixture_fini(&f);
}

/*
 * A backend that refuses part of the memory table at start is broken:
 * what it holds is unknown, so the device is dropped rather than started
 * again on top of it (found by vhost-user-fuzz).
 */
static void test_start_refused(void)
{
    Fixture f = { 0 };
    DeviceState *dev;
    VHostUserBlk *s;
    VirtIODevice *vdev;

    fixture_init(&f, 0, (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) |
                 (1ULL << VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS), true);
    dev = qdev_new(TYPE_VHOST_USER_BLK);
    s = VHOST_USER_BLK(dev);
    vdev = VIRTIO_DEVICE(dev);
    qdev_prop_set_string(dev, "chardev", "vu0");
    g_assert_true(qdev_realize(dev, virtio_test_transport_bus(f.transport),
                               &error_abort));
    driver_ok(vdev);
    g_assert_false(s->dev.started);
    g_assert_cmpuint(vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET, ==,
                     VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_true(s->user.broken);
    run_main_loop();
    g_assert_true(s->dead);
    g_assert_false(s->dev.registered);

    /* the driver resets and tries again: nothing more reaches the backend */
    virtio_reset(vdev);
    driver_ok(vdev);
    g_assert_false(s->dev.started);
    g_assert_cmpint(g_atomic_int_get(&f.backend.add_mem_reg_count), ==, 1);

    qdev_unrealize(dev);
    object_unparent(OBJECT(dev));
    object_unref(OBJECT(dev));
    run_main_loop();
    fixture_fini(&f);
}

/*
 * A backend that answers GET_VRING_BASE wrongly when the driver resets
 * the device is dropped like any broken backend: reported, its memslots
 * given back (found by vhost-user-fuzz).
 */
static void test_stop_garbled(void)
{
    Fixture f = { 0 };
    DeviceState *dev;
    VHostUserBlk *s;
    VirtIODevice *vdev;

    fixture_init(&f, 0, 0, false);
    f.backend.garble_vring_base = true;
    dev = qdev_new(TYPE_VHOST_USER_BLK);
    s = VHOST_USER_BLK(dev);
    vdev = VIRTIO_DEVICE(dev);
    qdev_prop_set_string(dev, "chardev", "vu0");
    g_assert_true(qdev_realize(dev, virtio_test_transport_bus(f.transport),
                               &error_abort));
    driver_ok(vdev);
    g_assert_true(s->dev.started);

    virtio_reset(vdev);
    g_assert_false(s->dev.started);
    g_assert_true(s->user.broken);
    run_main_loop();
    g_assert_true(s->dead);
    g_assert_false(s->dev.registered);

    qdev_unrealize(dev);
    object_unparent(OBJECT(dev));
    object_unref(OBJECT(dev));
    run_main_loop();
    fixture_fini(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vhost-user-blk/unrealize/backend-hangs-up",
                    test_unrealize_backend_hangs_up);
    g_test_add_func("/vhost-user-blk/start/refused", test_start_refused);
    g_test_add_func("/vhost-user-blk/stop/garbled", test_stop_garbled);
    return g_test_run();
}
