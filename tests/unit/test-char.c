/*
 * Chardevs: socket server/client, reconnection, SCM_RIGHTS, the legacy
 * and -chardev syntaxes, and peers that vanish.
 */
#include "qemu/osdep.h"
#include "chardev/char-fe.h"
#include "qemu/keyval.h"
#include "qemu/error-report.h"
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>

typedef struct FrontEnd {
    CharBackend be;
    GString *received;
    int opened;
    int closed;
} FrontEnd;

static int fe_can_read(void *opaque)
{
    return 4096;
}

static void fe_read(void *opaque, const uint8_t *buf, int size)
{
    FrontEnd *fe = opaque;

    g_string_append_len(fe->received, (const char *)buf, size);
}

static void fe_event(void *opaque, QEMUChrEvent event)
{
    FrontEnd *fe = opaque;

    if (event == CHR_EVENT_OPENED) {
        fe->opened++;
    } else if (event == CHR_EVENT_CLOSED) {
        fe->closed++;
    }
}

static void fe_attach(FrontEnd *fe, Chardev *chr)
{
    memset(fe, 0, sizeof(*fe));
    fe->received = g_string_new(NULL);
    g_assert_true(qemu_chr_fe_init(&fe->be, chr, &error_abort));
    qemu_chr_fe_set_handlers(&fe->be, fe_can_read, fe_read, fe_event, NULL,
                             fe, NULL, true);
}

static void fe_detach(FrontEnd *fe)
{
    qemu_chr_fe_deinit(&fe->be, true);
    g_string_free(fe->received, TRUE);
}

/* Run the main loop until *@counter reaches @value. */
static void wait_count(int *counter, int value)
{
    while (*counter < value) {
        g_main_context_iteration(NULL, TRUE);
    }
}

static void wait_received(FrontEnd *fe, size_t len)
{
    while (fe->received->len < len) {
        g_main_context_iteration(NULL, TRUE);
    }
}

static char *socket_path(const char *name)
{
    static char *dir;

    if (!dir) {
        dir = g_dir_make_tmp("test-char-XXXXXX", NULL);
    }
    return g_build_filename(dir, name, NULL);
}

static int connect_unix(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    strcpy(sun.sun_path, path);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), ==, 0);
    return fd;
}

static int listen_unix(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    strcpy(sun.sun_path, path);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), ==, 0);
    g_assert_cmpint(listen(fd, 1), ==, 0);
    return fd;
}

static void read_exact(int fd, char *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = read(fd, buf + done, len - done);

        g_assert_cmpint(n, >, 0);
        done += n;
    }
}

static void test_server_reconnect(void)
{
    g_autofree char *path = socket_path("server.sock");
    g_autofree char *spec = g_strdup_printf("unix:%s,server=on,wait=off",
                                            path);
    Chardev *chr = qemu_chr_new_legacy("srv", spec, &error_abort);
    FrontEnd fe;
    char buf[6];
    int fd;

    g_assert_true(qemu_chr_find("srv") == chr);
    g_assert_cmpstr(chr->filename, ==, spec);
    fe_attach(&fe, chr);
    g_assert_false(qemu_chr_fe_backend_open(&fe.be));
    g_assert_cmpint(qemu_chr_fe_write_all(&fe.be, (uint8_t *)"x", 1), ==, -1);

    for (int round = 1; round <= 3; round++) {
        fd = connect_unix(path);
        wait_count(&fe.opened, round);
        g_assert_true(qemu_chr_fe_backend_open(&fe.be));
        g_assert_cmpint(write(fd, "hello", 5), ==, 5);
        wait_received(&fe, 5);
        g_assert_cmpstr(fe.received->str, ==, "hello");
        g_string_truncate(fe.received, 0);
        g_assert_cmpint(qemu_chr_fe_write_all(&fe.be, (uint8_t *)"world!",
                                              6), ==, 6);
        read_exact(fd, buf, 6);
        g_assert_cmpmem(buf, 6, "world!", 6);
        close(fd);
        wait_count(&fe.closed, round);
        g_assert_false(qemu_chr_fe_backend_open(&fe.be));
    }
    fe_detach(&fe);
    g_assert_null(qemu_chr_find("srv"));
    /* The listening socket file goes with the chardev. */
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}

/* A peer that left before we write: -1, no SIGPIPE. */
static void test_write_to_gone_peer(void)
{
    g_autofree char *path = socket_path("gone.sock");
    g_autofree char *spec = g_strdup_printf("unix:%s,server=on,wait=off",
                                            path);
    Chardev *chr = qemu_chr_new_legacy("gone", spec, &error_abort);
    g_autofree char *big = g_malloc0(1024 * 1024);
    FrontEnd fe;
    int fd;

    fe_attach(&fe, chr);
    fd = connect_unix(path);
    wait_count(&fe.opened, 1);
    close(fd);
    g_assert_cmpint(qemu_chr_fe_write_all(&fe.be, (uint8_t *)big,
                                          1024 * 1024), ==, -1);
    wait_count(&fe.closed, 1);
    fe_detach(&fe);
}

/* Client mode (what -qtest unix:PATH does), and fds both ways. */
static void test_client_msgfds(void)
{
    g_autofree char *path = socket_path("client.sock");
    g_autofree char *spec = g_strdup_printf("unix:%s", path);
    int lfd = listen_unix(path);
    Chardev *chr = qemu_chr_new_legacy("cli", spec, &error_abort);
    int peer = accept(lfd, NULL, NULL);
    FrontEnd fe;
    int pipefd[2], fds[4];
    char byte = 'm', buf[2];
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = control.buf, .msg_controllen = sizeof(control.buf),
    };
    struct cmsghdr *c;

    g_assert_cmpint(peer, >=, 0);
    fe_attach(&fe, chr);
    /* Connected from the start: OPENED at set_handlers time. */
    g_assert_cmpint(fe.opened, ==, 1);

    /* Peer -> chardev: one fd with one byte. */
    g_assert_cmpint(pipe(pipefd), ==, 0);
    memset(&control, 0, sizeof(control));
    c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &pipefd[1], sizeof(int));
    g_assert_cmpint(sendmsg(peer, &msg, 0), ==, 1);
    wait_received(&fe, 1);
    g_assert_cmpint(qemu_chr_fe_get_msgfds(&fe.be, fds, 4), ==, 1);
    g_assert_cmpint(write(fds[0], "p", 1), ==, 1);
    read_exact(pipefd[0], buf, 1);
    g_assert_cmpint(buf[0], ==, 'p');
    close(fds[0]);
    /* Taken: nothing left. */
    g_assert_cmpint(qemu_chr_fe_get_msgfd(&fe.be), ==, -1);

    /* chardev -> peer: the fd goes with the next write only. */
    g_assert_cmpint(qemu_chr_fe_set_msgfds(&fe.be, &pipefd[1], 1), ==, 0);
    g_assert_cmpint(qemu_chr_fe_write_all(&fe.be, (uint8_t *)"ab", 2), ==, 2);
    memset(&control, 0, sizeof(control));
    msg.msg_controllen = sizeof(control.buf);
    iov.iov_base = buf;
    iov.iov_len = 2;
    g_assert_cmpint(recvmsg(peer, &msg, MSG_WAITALL), ==, 2);
    c = CMSG_FIRSTHDR(&msg);
    g_assert_nonnull(c);
    g_assert_cmpint(c->cmsg_type, ==, SCM_RIGHTS);
    memcpy(&fds[0], CMSG_DATA(c), sizeof(int));
    g_assert_cmpint(write(fds[0], "q", 1), ==, 1);
    read_exact(pipefd[0], buf, 1);
    g_assert_cmpint(buf[0], ==, 'q');
    close(fds[0]);

    /* Synchronous read bypasses the handler (vhost-user replies). */
    g_assert_cmpint(write(peer, "sync", 4), ==, 4);
    qemu_chr_fe_set_handlers(&fe.be, NULL, NULL, fe_event, NULL, &fe, NULL,
                             true);
    g_assert_cmpint(qemu_chr_fe_read_all(&fe.be, (uint8_t *)buf, 2), ==, 2);
    g_assert_cmpmem(buf, 2, "sy", 2);
    g_assert_cmpint(qemu_chr_fe_read_all(&fe.be, (uint8_t *)buf, 2), ==, 2);
    g_assert_cmpmem(buf, 2, "nc", 2);
    /* The peer leaves: read_all returns short, CLOSED is reported. */
    close(peer);
    g_assert_cmpint(qemu_chr_fe_read_all(&fe.be, (uint8_t *)buf, 2), ==, 0);
    g_assert_cmpint(fe.closed, ==, 1);

    close(pipefd[0]);
    close(pipefd[1]);
    close(lfd);
    unlink(path);
    fe_detach(&fe);
}

/*
 * recvmsg() for this program: the C library's, except that while
 * stale_cmsg_fd is set a call that fails with EAGAIN leaves, in the
 * control buffer it did not fill, an SCM_RIGHTS message naming that fd
 * (as stale stack contents may), and makes the peer's answer arrive.
 */
static int stale_cmsg_fd = -1;
static int stale_peer = -1;

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
    static ssize_t (*real_recvmsg)(int, struct msghdr *, int);
    ssize_t ret;

    if (!real_recvmsg) {
        real_recvmsg = dlsym(RTLD_NEXT, "recvmsg");
    }
    ret = real_recvmsg(fd, msg, flags);
    if (ret < 0 && errno == EAGAIN && stale_cmsg_fd >= 0 &&
        msg->msg_controllen >= CMSG_SPACE(sizeof(int))) {
        struct cmsghdr *c = (struct cmsghdr *)msg->msg_control;

        c->cmsg_len = CMSG_LEN(sizeof(int));
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        memcpy(CMSG_DATA(c), &stale_cmsg_fd, sizeof(int));
        stale_cmsg_fd = -1;
        g_assert_cmpint(write(stale_peer, "late", 4), ==, 4);
        errno = EAGAIN;
    }
    return ret;
}

/*
 * A synchronous read that has to wait: the first recvmsg() fails with
 * EAGAIN and its control buffer, which the kernel left alone, must not
 * be parsed (found by vhost-user-fuzz: a stack overflow in take_msgfds,
 * and fds that were never received kept, then closed).
 */
static void test_sync_read_waits(void)
{
    g_autofree char *path = socket_path("late.sock");
    g_autofree char *spec = g_strdup_printf("unix:%s", path);
    int lfd = listen_unix(path);
    Chardev *chr = qemu_chr_new_legacy("late", spec, &error_abort);
    int peer = accept(lfd, NULL, NULL);
    int probe = eventfd(0, 0);
    FrontEnd fe;
    char buf[4];

    g_assert_cmpint(peer, >=, 0);
    g_assert_cmpint(probe, >=, 0);
    fe_attach(&fe, chr);
    qemu_chr_fe_set_handlers(&fe.be, NULL, NULL, fe_event, NULL, &fe, NULL,
                             true);
    stale_peer = peer;
    stale_cmsg_fd = probe;
    g_assert_cmpint(qemu_chr_fe_read_all(&fe.be, (uint8_t *)buf, 4), ==, 4);
    /* the stale control buffer was really offered */
    g_assert_cmpint(stale_cmsg_fd, ==, -1);
    g_assert_cmpmem(buf, 4, "late", 4);
    /* no fd came with "late": none to take, and ours was not closed */
    g_assert_cmpint(qemu_chr_fe_get_msgfd(&fe.be), ==, -1);
    g_assert_cmpint(fcntl(probe, F_GETFD), !=, -1);

    close(probe);
    close(peer);
    close(lfd);
    unlink(path);
    fe_detach(&fe);
}

static gpointer connect_when_listening(gpointer data)
{
    const char *path = data;
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    strcpy(sun.sun_path, path);
    /* The server socket appears while the main thread blocks in open. */
    while (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        g_usleep(1000);
    }
    g_assert_cmpint(write(fd, "hi", 2), ==, 2);
    return GINT_TO_POINTER(fd);
}

/* server=on,wait=on: creation waits for the first client. */
static void test_server_wait(void)
{
    g_autofree char *path = socket_path("wait.sock");
    g_autofree char *spec = g_strdup_printf("unix:%s,server=on", path);
    GThread *thread = g_thread_new("client", connect_when_listening, path);
    g_autoptr(GString) info = g_string_new(NULL);
    g_autofree char *expected = NULL;
    Chardev *chr;
    FrontEnd fe;

    error_report_set_capture(info);
    chr = qemu_chr_new_legacy("waiter", spec, &error_abort);
    error_report_set_capture(NULL);
    expected = g_strdup_printf("sparsevm: info: sparsevm waiting for "
                               "connection on: disconnected:unix:%s,"
                               "server=on\n", path);
    g_assert_cmpstr(info->str, ==, expected);
    g_assert_true(chr->be_open);
    fe_attach(&fe, chr);
    g_assert_cmpint(fe.opened, ==, 1);
    wait_received(&fe, 2);
    g_assert_cmpstr(fe.received->str, ==, "hi");
    close(GPOINTER_TO_INT(g_thread_join(thread)));
    wait_count(&fe.closed, 1);
    fe_detach(&fe);
}

static void assert_cmdline_error(const char *optarg, const char *msg)
{
    Error *err = NULL;

    g_assert_null(qemu_chr_new_from_cmdline(optarg, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_cmdline(void)
{
    g_autofree char *path = socket_path("cmdline.sock");
    g_autofree char *opt = g_strdup_printf("socket,id=c1,path=%s,server=on,"
                                           "wait=off", path);
    Chardev *chr = qemu_chr_new_from_cmdline(opt, &error_abort);
    CharBackend be1, be2;
    Error *err = NULL;

    g_assert_true(object_dynamic_cast(OBJECT(chr), TYPE_CHARDEV_SOCKET));
    g_assert_true(object_property_get_bool(OBJECT(chr), "server",
                                           &error_abort));
    g_assert_false(object_property_get_bool(OBJECT(chr), "connected",
                                            &error_abort));
    /* One front end per chardev. */
    g_assert_true(qemu_chr_fe_init(&be1, chr, &error_abort));
    g_assert_false(qemu_chr_fe_init(&be2, chr, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Device 'c1' is in use");
    error_free(err);
    qemu_chr_fe_deinit(&be1, true);

    assert_cmdline_error("foo,id=x", "'foo' is not a valid char driver name");
    assert_cmdline_error("socket,path=/tmp/x", "chardev: no id specified");
    assert_cmdline_error("socket,id=c2,path=/nonexistent/x",
                         "Failed to connect to '/nonexistent/x': No such "
                         "file or directory");
    assert_cmdline_error("socket,id=c2,path=/tmp/x,bogus=1",
                         "Invalid parameter 'bogus'");
    assert_cmdline_error("socket,id=c2,path=/tmp/x,server=maybe",
                         "Parameter 'server' expects 'on' or 'off'");
    assert_cmdline_error("socket,id=c2", "chardev: socket: no path given");
    g_assert_null(qemu_chr_find("c2"));

    g_assert_nonnull(qemu_chr_new_from_cmdline("null,id=n0", &error_abort));
    assert_cmdline_error("null,id=n0", "attempt to add duplicate property "
                         "'n0' to object (type 'container')");
    qemu_chr_delete(qemu_chr_find("n0"));
}

static void test_legacy_errors(void)
{
    Error *err = NULL;

    g_assert_null(qemu_chr_new_legacy("l0", "bogus:x", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "'bogus:x' is not a valid char driver");
    error_free(err);
    err = NULL;
    g_assert_null(qemu_chr_new_legacy("l0", "unix:", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "'unix:' is not a valid char driver");
    error_free(err);
    g_assert_null(qemu_chr_find("l0"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/char/socket/server-reconnect", test_server_reconnect);
    g_test_add_func("/char/socket/write-to-gone-peer",
                    test_write_to_gone_peer);
    g_test_add_func("/char/socket/client-msgfds", test_client_msgfds);
    g_test_add_func("/char/socket/server-wait", test_server_wait);
    g_test_add_func("/char/socket/sync-read-waits", test_sync_read_waits);
    g_test_add_func("/char/cmdline", test_cmdline);
    g_test_add_func("/char/legacy-errors", test_legacy_errors);
    return g_test_run();
}
