/*
 * "chardev-stdio": input from standard input, output to standard output.
 * Only one may exist, as in QEMU.
 */
#include "qemu/osdep.h"
#include "chardev/char-fe.h"
#include <glib-unix.h>
#include <poll.h>

typedef struct StdioChardev {
    Chardev parent;
    guint read_watch;
    guint retry_source;
    bool eof;
} StdioChardev;

#define CHARDEV_STDIO(obj) OBJECT_CHECK(StdioChardev, (obj), TYPE_CHARDEV_STDIO)

static bool stdio_in_use;

static void stdio_update_read_watch(StdioChardev *s);

static gboolean stdio_retry_cb(gpointer opaque)
{
    StdioChardev *s = opaque;

    s->retry_source = 0;
    stdio_update_read_watch(s);
    return G_SOURCE_REMOVE;
}

static gboolean stdio_read_cb(gint fd, GIOCondition cond, gpointer opaque)
{
    StdioChardev *s = opaque;
    Chardev *chr = CHARDEV(s);
    uint8_t buf[4096];
    int room = qemu_chr_be_can_write(chr);
    ssize_t n;

    if (room <= 0) {
        s->read_watch = 0;
        s->retry_source = g_timeout_add(1, stdio_retry_cb, s);
        return G_SOURCE_REMOVE;
    }
    do {
        n = read(STDIN_FILENO, buf, MIN((size_t)room, sizeof(buf)));
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EAGAIN) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {
        /*
         * End of input only: output still works (QEMU keeps sending
         * replies and events to stdout), so the session stays open.
         */
        s->read_watch = 0;
        s->eof = true;
        return G_SOURCE_REMOVE;
    }
    qemu_chr_be_write(chr, buf, n);
    return G_SOURCE_CONTINUE;
}

static void stdio_update_read_watch(StdioChardev *s)
{
    Chardev *chr = CHARDEV(s);
    bool want = !s->eof && chr->be && chr->be->chr_read;

    if (want && !s->read_watch && !s->retry_source) {
        s->read_watch = g_unix_fd_add(STDIN_FILENO,
                                      G_IO_IN | G_IO_HUP | G_IO_ERR,
                                      stdio_read_cb, s);
    } else if (!want) {
        if (s->read_watch) {
            g_source_remove(s->read_watch);
            s->read_watch = 0;
        }
        if (s->retry_source) {
            g_source_remove(s->retry_source);
            s->retry_source = 0;
        }
    }
}

static void stdio_update_read_handler(Chardev *chr)
{
    stdio_update_read_watch(CHARDEV_STDIO(chr));
}

static void stdio_open(Chardev *chr, bool *be_opened, Error **errp)
{
    if (stdio_in_use) {
        error_setg(errp, "cannot use stdio by multiple character devices");
        return;
    }
    stdio_in_use = true;
    *be_opened = true;
}

static int stdio_write(Chardev *chr, const uint8_t *buf, int len)
{
    int done = 0;

    while (done < len) {
        ssize_t n = write(STDOUT_FILENO, buf + done, len - done);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            struct pollfd pfd = { .fd = STDOUT_FILENO, .events = POLLOUT };

            poll(&pfd, 1, -1);
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        done += n;
    }
    return len;
}

static void stdio_finalize(Object *obj)
{
    StdioChardev *s = CHARDEV_STDIO(obj);

    if (s->read_watch) {
        g_source_remove(s->read_watch);
    }
    if (s->retry_source) {
        g_source_remove(s->retry_source);
    }
    if (CHARDEV(obj)->filename) {
        /* Only an opened instance holds stdio. */
        stdio_in_use = false;
    }
}

static void stdio_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->open = stdio_open;
    cc->chr_write = stdio_write;
    cc->chr_update_read_handler = stdio_update_read_handler;
}

static const TypeInfo char_stdio_type = {
    .name = TYPE_CHARDEV_STDIO,
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(StdioChardev),
    .instance_finalize = stdio_finalize,
    .class_init = stdio_class_init,
};

static void char_stdio_register_types(void)
{
    type_register_static(&char_stdio_type);
}

type_init(char_stdio_register_types)
