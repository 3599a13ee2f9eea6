/*
 * "chardev-socket": a UNIX stream socket, either listening (server=on;
 * one client at a time, a new one is accepted after the previous left)
 * or connecting to a listening peer (server=off).  fds travel with
 * SCM_RIGHTS.
 */
#include "qemu/osdep.h"
#include "chardev/char-fe.h"
#include "qemu/error-report.h"
#include <glib-unix.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

OBJECT_DECLARE_SIMPLE_TYPE(SocketChardev, CHARDEV_SOCKET)

struct SocketChardev {
    Chardev parent;

    char *path;
    bool server;
    bool wait;

    int listen_fd;
    guint listen_watch;
    int fd;                     /* the connection, -1 when none */
    guint read_watch;
    guint retry_source;         /* polls can_read() after it returned 0 */

    int read_msgfds[CHARDEV_MAX_MSGFDS];
    int read_msgfds_num;
    int write_msgfds[CHARDEV_MAX_MSGFDS];
    int write_msgfds_num;
};

static void socket_update_read_watch(SocketChardev *s);

static void drop_read_msgfds(SocketChardev *s)
{
    for (int i = 0; i < s->read_msgfds_num; i++) {
        close(s->read_msgfds[i]);
    }
    s->read_msgfds_num = 0;
}

static void remove_source(guint *id)
{
    if (*id) {
        g_source_remove(*id);
        *id = 0;
    }
}

static gboolean socket_accept_cb(gint fd, GIOCondition cond, gpointer opaque);

static void socket_listen_watch(SocketChardev *s, bool on)
{
    if (on && !s->listen_watch && s->listen_fd >= 0) {
        s->listen_watch = g_unix_fd_add(s->listen_fd, G_IO_IN,
                                        socket_accept_cb, s);
    } else if (!on) {
        remove_source(&s->listen_watch);
    }
}

static void socket_disconnect(SocketChardev *s)
{
    if (s->fd < 0) {
        return;
    }
    remove_source(&s->read_watch);
    remove_source(&s->retry_source);
    close(s->fd);
    s->fd = -1;
    drop_read_msgfds(s);
    socket_listen_watch(s, true);
    qemu_chr_be_event(CHARDEV(s), CHR_EVENT_CLOSED);
}

static void socket_connected(SocketChardev *s, int fd)
{
    s->fd = fd;
    socket_listen_watch(s, false);
    socket_update_read_watch(s);
    qemu_chr_be_event(CHARDEV(s), CHR_EVENT_OPENED);
}

/* Move the fds of a received SCM_RIGHTS message into read_msgfds. */
static void take_msgfds(SocketChardev *s, struct msghdr *msg)
{
    drop_read_msgfds(s);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
        int n;
        int *fds;

        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
            continue;
        }
        n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        fds = (int *)CMSG_DATA(c);
        for (int i = 0; i < n; i++) {
            if (s->read_msgfds_num < CHARDEV_MAX_MSGFDS) {
                s->read_msgfds[s->read_msgfds_num++] = fds[i];
            } else {
                close(fds[i]);
            }
        }
    }
}

/* One recvmsg(); returns bytes, 0 at EOF, -1 with errno. */
static ssize_t socket_recv(SocketChardev *s, void *buf, size_t len, int flags)
{
    union {
        char buf[CMSG_SPACE(sizeof(int) * CHARDEV_MAX_MSGFDS)];
        struct cmsghdr align;
    } control;
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    struct msghdr msg = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.buf,
        .msg_controllen = sizeof(control.buf),
    };
    ssize_t ret;

    do {
        ret = recvmsg(s->fd, &msg, flags | MSG_CMSG_CLOEXEC);
    } while (ret < 0 && errno == EINTR);
    if (ret < 0) {
        /* nothing received: msg_controllen still is our buffer's size */
        return ret;
    }
    if (ret > 0 || msg.msg_controllen > 0) {
        take_msgfds(s, &msg);
    }
    return ret;
}

static gboolean socket_retry_cb(gpointer opaque)
{
    SocketChardev *s = opaque;

    s->retry_source = 0;
    socket_update_read_watch(s);
    return G_SOURCE_REMOVE;
}

static gboolean socket_read_cb(gint fd, GIOCondition cond, gpointer opaque)
{
    SocketChardev *s = opaque;
    Chardev *chr = CHARDEV(s);
    uint8_t buf[4096];
    int room = qemu_chr_be_can_write(chr);
    ssize_t n;

    if (room <= 0) {
        /* The front end is busy: poll it again shortly, not the fd. */
        s->read_watch = 0;
        if (!s->retry_source && chr->be && chr->be->chr_read) {
            s->retry_source = g_timeout_add(1, socket_retry_cb, s);
        }
        return G_SOURCE_REMOVE;
    }
    n = socket_recv(s, buf, MIN((size_t)room, sizeof(buf)), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {
        s->read_watch = 0;
        socket_disconnect(s);
        return G_SOURCE_REMOVE;
    }
    qemu_chr_be_write(chr, buf, n);
    return G_SOURCE_CONTINUE;
}

static void socket_update_read_watch(SocketChardev *s)
{
    Chardev *chr = CHARDEV(s);
    bool want = s->fd >= 0 && chr->be && chr->be->chr_read;

    if (want && !s->read_watch && !s->retry_source) {
        s->read_watch = g_unix_fd_add(s->fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                      socket_read_cb, s);
    } else if (!want) {
        remove_source(&s->read_watch);
        remove_source(&s->retry_source);
    }
}

static int socket_accept(SocketChardev *s)
{
    int fd;

    do {
        fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    return fd;
}

static gboolean socket_accept_cb(gint fd, GIOCondition cond, gpointer opaque)
{
    SocketChardev *s = opaque;
    int conn = socket_accept(s);

    if (conn < 0) {
        return G_SOURCE_CONTINUE;
    }
    /* socket_connected() removes this watch. */
    s->listen_watch = 0;
    socket_connected(s, conn);
    return G_SOURCE_REMOVE;
}

static bool fill_sockaddr(struct sockaddr_un *sun, const char *path,
                          Error **errp)
{
    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sun->sun_path)) {
        error_setg(errp, "UNIX socket path '%s' is too long", path);
        return false;
    }
    strcpy(sun->sun_path, path);
    return true;
}

static bool socket_listen(SocketChardev *s, Error **errp)
{
    struct sockaddr_un sun;
    struct stat st;
    int fd;

    if (!fill_sockaddr(&sun, s->path, errp)) {
        return false;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Failed to create socket");
        return false;
    }
    /* A stale socket file of an earlier run would make bind() fail. */
    if (stat(s->path, &st) == 0 && S_ISSOCK(st.st_mode)) {
        unlink(s->path);
    }
    if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        error_setg_errno(errp, errno, "Failed to bind socket to %s", s->path);
        close(fd);
        return false;
    }
    if (listen(fd, 1) < 0) {
        error_setg_errno(errp, errno, "Failed to listen on socket");
        close(fd);
        unlink(s->path);
        return false;
    }
    s->listen_fd = fd;
    return true;
}

static int socket_connect(SocketChardev *s, Error **errp)
{
    struct sockaddr_un sun;
    int fd, ret;

    if (!fill_sockaddr(&sun, s->path, errp)) {
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Failed to create socket");
        return -1;
    }
    do {
        ret = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
    } while (ret < 0 && errno == EINTR);
    if (ret < 0) {
        error_setg_errno(errp, errno, "Failed to connect to '%s'", s->path);
        close(fd);
        return -1;
    }
    return fd;
}

static void socket_open(Chardev *chr, bool *be_opened, Error **errp)
{
    SocketChardev *s = CHARDEV_SOCKET(chr);
    int fd;

    *be_opened = false;
    if (!s->path) {
        error_setg(errp, "chardev: socket: no path given");
        return;
    }
    chr->filename = g_strdup_printf("unix:%s%s", s->path,
                                    s->server ? ",server=on" : "");
    if (!s->server) {
        fd = socket_connect(s, errp);
        if (fd >= 0) {
            s->fd = fd;
            *be_opened = true;
        }
        return;
    }
    if (!socket_listen(s, errp)) {
        return;
    }
    if (s->wait) {
        info_report("sparsevm waiting for connection on: disconnected:%s",
                    chr->filename);
        fd = socket_accept(s);
        if (fd < 0) {
            error_setg_errno(errp, errno, "Failed to accept connection");
            return;
        }
        s->fd = fd;
        *be_opened = true;
        return;
    }
    socket_listen_watch(s, true);
}

static bool wait_fd(int fd, short events)
{
    struct pollfd pfd = { .fd = fd, .events = events };
    int ret;

    do {
        ret = poll(&pfd, 1, -1);
    } while (ret < 0 && errno == EINTR);
    return ret > 0;
}

/* sendmsg() the fds to pass (if any) with @buf's first byte. */
static ssize_t socket_send(SocketChardev *s, const uint8_t *buf, size_t len)
{
    union {
        char buf[CMSG_SPACE(sizeof(int) * CHARDEV_MAX_MSGFDS)];
        struct cmsghdr align;
    } control;
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    size_t fds_size = s->write_msgfds_num * sizeof(int);

    if (s->write_msgfds_num) {
        struct cmsghdr *c;

        memset(&control, 0, sizeof(control));
        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(fds_size);
        c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(fds_size);
        memcpy(CMSG_DATA(c), s->write_msgfds, fds_size);
    }
    return sendmsg(s->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static int socket_write(Chardev *chr, const uint8_t *buf, int len)
{
    SocketChardev *s = CHARDEV_SOCKET(chr);
    int done = 0;

    if (s->fd < 0) {
        return -1;
    }
    while (done < len) {
        ssize_t n = socket_send(s, buf + done, len - done);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!wait_fd(s->fd, POLLOUT)) {
                return -1;
            }
            continue;
        }
        if (n < 0) {
            /* The peer went away; the read side reports CLOSED. */
            return -1;
        }
        s->write_msgfds_num = 0;
        done += n;
    }
    return len;
}

static int socket_sync_read(Chardev *chr, uint8_t *buf, int len)
{
    SocketChardev *s = CHARDEV_SOCKET(chr);
    ssize_t n;

    if (s->fd < 0) {
        return -1;
    }
    for (;;) {
        n = socket_recv(s, buf, len, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!wait_fd(s->fd, POLLIN)) {
                return -1;
            }
            continue;
        }
        break;
    }
    if (n <= 0) {
        socket_disconnect(s);
        return n < 0 ? -1 : 0;
    }
    return n;
}

static int socket_get_msgfds(Chardev *chr, int *fds, int num)
{
    SocketChardev *s = CHARDEV_SOCKET(chr);
    int n = MIN(num, s->read_msgfds_num);

    memcpy(fds, s->read_msgfds, n * sizeof(int));
    /* Fds the caller had no room for are closed. */
    for (int i = n; i < s->read_msgfds_num; i++) {
        close(s->read_msgfds[i]);
    }
    s->read_msgfds_num = 0;
    return n;
}

static int socket_set_msgfds(Chardev *chr, int *fds, int num)
{
    SocketChardev *s = CHARDEV_SOCKET(chr);

    if (num < 0 || num > CHARDEV_MAX_MSGFDS) {
        return -1;
    }
    memcpy(s->write_msgfds, fds, num * sizeof(int));
    s->write_msgfds_num = num;
    return 0;
}

static void socket_update_read_handler(Chardev *chr)
{
    socket_update_read_watch(CHARDEV_SOCKET(chr));
}

static void socket_accept_input(Chardev *chr)
{
    SocketChardev *s = CHARDEV_SOCKET(chr);

    remove_source(&s->retry_source);
    socket_update_read_watch(s);
}

/* A listening socket: accept the next client now (blocking). */
static bool socket_wait_connected(Chardev *chr, Error **errp)
{
    SocketChardev *s = CHARDEV_SOCKET(chr);
    int fd;

    if (s->fd >= 0) {
        return true;
    }
    if (s->listen_fd < 0) {
        error_setg(errp, "chardev '%s' is not connected", chr->label);
        return false;
    }
    /* poll() first: it retries on EINTR, accept4() then does not block */
    if (!wait_fd(s->listen_fd, POLLIN)) {
        error_setg_errno(errp, errno, "Failed to accept connection");
        return false;
    }
    fd = socket_accept(s);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Failed to accept connection");
        return false;
    }
    socket_connected(s, fd);
    return true;
}

static void socket_chr_disconnect(Chardev *chr)
{
    socket_disconnect(CHARDEV_SOCKET(chr));
}

static void socket_instance_init(Object *obj)
{
    SocketChardev *s = CHARDEV_SOCKET(obj);

    s->fd = -1;
    s->listen_fd = -1;
    s->wait = true;
}

static void socket_finalize(Object *obj)
{
    SocketChardev *s = CHARDEV_SOCKET(obj);

    remove_source(&s->read_watch);
    remove_source(&s->retry_source);
    remove_source(&s->listen_watch);
    drop_read_msgfds(s);
    if (s->fd >= 0) {
        close(s->fd);
    }
    if (s->listen_fd >= 0) {
        close(s->listen_fd);
        unlink(s->path);
    }
    g_free(s->path);
}

static char *socket_get_path(Object *obj, Error **errp)
{
    return g_strdup(CHARDEV_SOCKET(obj)->path);
}

static void socket_set_path(Object *obj, const char *value, Error **errp)
{
    SocketChardev *s = CHARDEV_SOCKET(obj);

    g_free(s->path);
    s->path = g_strdup(value);
}

static bool socket_get_server(Object *obj, Error **errp)
{
    return CHARDEV_SOCKET(obj)->server;
}

static void socket_set_server(Object *obj, bool value, Error **errp)
{
    CHARDEV_SOCKET(obj)->server = value;
}

static bool socket_get_wait(Object *obj, Error **errp)
{
    return CHARDEV_SOCKET(obj)->wait;
}

static void socket_set_wait(Object *obj, bool value, Error **errp)
{
    CHARDEV_SOCKET(obj)->wait = value;
}

static bool socket_get_connected(Object *obj, Error **errp)
{
    return CHARDEV_SOCKET(obj)->fd >= 0;
}

static void socket_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->open = socket_open;
    cc->chr_write = socket_write;
    cc->chr_sync_read = socket_sync_read;
    cc->get_msgfds = socket_get_msgfds;
    cc->set_msgfds = socket_set_msgfds;
    cc->chr_update_read_handler = socket_update_read_handler;
    cc->chr_disconnect = socket_chr_disconnect;
    cc->chr_accept_input = socket_accept_input;
    cc->chr_wait_connected = socket_wait_connected;

    object_class_property_add_str(oc, "path", socket_get_path,
                                  socket_set_path);
    object_class_property_add_bool(oc, "server", socket_get_server,
                                   socket_set_server);
    object_class_property_add_bool(oc, "wait", socket_get_wait,
                                   socket_set_wait);
    object_class_property_add_bool(oc, "connected", socket_get_connected,
                                   NULL);
}

static const TypeInfo char_socket_type = {
    .name = TYPE_CHARDEV_SOCKET,
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(SocketChardev),
    .instance_init = socket_instance_init,
    .instance_finalize = socket_finalize,
    .class_init = socket_class_init,
};

static void char_socket_register_types(void)
{
    type_register_static(&char_socket_type);
}

type_init(char_socket_register_types)
