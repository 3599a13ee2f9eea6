/*
 * "chardev-file": output appended to / written into a file; no input.
 * -chardev file,id=ID,path=PATH[,append=on]  or the legacy "file:PATH".
 */
#include "qemu/osdep.h"
#include <fcntl.h>
#include "chardev/char.h"

typedef struct FileChardev {
    Chardev parent;
    char *path;
    bool append;
    int fd;
} FileChardev;

#define CHARDEV_FILE(obj) OBJECT_CHECK(FileChardev, (obj), TYPE_CHARDEV_FILE)

static void file_open(Chardev *chr, bool *be_opened, Error **errp)
{
    FileChardev *s = CHARDEV_FILE(chr);
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC |
                (s->append ? O_APPEND : O_TRUNC);

    if (!s->path) {
        error_setg(errp, "chardev: file: no filename given");
        return;
    }
    s->fd = open(s->path, flags, 0666);
    if (s->fd < 0) {
        error_setg_errno(errp, errno, "Could not open '%s'", s->path);
        return;
    }
    chr->filename = g_strdup_printf("file:%s", s->path);
}

static int file_write(Chardev *chr, const uint8_t *buf, int len)
{
    FileChardev *s = CHARDEV_FILE(chr);
    int done = 0;

    while (done < len) {
        ssize_t n = write(s->fd, buf + done, len - done);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        done += n;
    }
    return len;
}

static char *file_get_path(Object *obj, Error **errp)
{
    return g_strdup(CHARDEV_FILE(obj)->path);
}

static void file_set_path(Object *obj, const char *value, Error **errp)
{
    FileChardev *s = CHARDEV_FILE(obj);

    g_free(s->path);
    s->path = g_strdup(value);
}

static bool file_get_append(Object *obj, Error **errp)
{
    return CHARDEV_FILE(obj)->append;
}

static void file_set_append(Object *obj, bool value, Error **errp)
{
    CHARDEV_FILE(obj)->append = value;
}

static void file_init(Object *obj)
{
    CHARDEV_FILE(obj)->fd = -1;
}

static void file_finalize(Object *obj)
{
    FileChardev *s = CHARDEV_FILE(obj);

    if (s->fd >= 0) {
        close(s->fd);
    }
    g_free(s->path);
}

static void file_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->open = file_open;
    cc->chr_write = file_write;
    object_class_property_add_str(oc, "path", file_get_path, file_set_path);
    object_class_property_add_bool(oc, "append", file_get_append,
                                   file_set_append);
}

static const TypeInfo char_file_type = {
    .name = TYPE_CHARDEV_FILE,
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(FileChardev),
    .instance_init = file_init,
    .instance_finalize = file_finalize,
    .class_init = file_class_init,
};

static void char_file_register_types(void)
{
    type_register_static(&char_file_type);
}

type_init(char_file_register_types)
