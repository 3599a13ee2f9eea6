/*
 * Chardev core: the abstract type, creation from option strings, the
 * front-end API, and the "null" driver.
 */
#include "qemu/osdep.h"
#include "chardev/char.h"
#include "chardev/char-fe.h"
#include "qemu/error-report.h"
#include "qemu/keyval.h"
#include <signal.h>

static Object *chardevs_container(void)
{
    return container_get(object_get_root(), "/chardevs");
}

/* --- Backend side ----------------------------------------------------- */

void qemu_chr_be_event(Chardev *chr, QEMUChrEvent event)
{
    CharBackend *be = chr->be;

    if (event == CHR_EVENT_OPENED) {
        chr->be_open = true;
    } else if (event == CHR_EVENT_CLOSED) {
        chr->be_open = false;
    }
    if (be && be->chr_event) {
        be->chr_event(be->opaque, event);
    }
}

int qemu_chr_be_can_write(Chardev *chr)
{
    CharBackend *be = chr->be;

    if (!be || !be->chr_read) {
        return 0;
    }
    return be->chr_can_read ? be->chr_can_read(be->opaque) : 4096;
}

void qemu_chr_be_write(Chardev *chr, const uint8_t *buf, int len)
{
    CharBackend *be = chr->be;

    if (be && be->chr_read) {
        be->chr_read(be->opaque, buf, len);
    }
}

/* --- Creation --------------------------------------------------------- */

static bool chardev_set_props(Chardev *chr, KeyValList *props, Error **errp)
{
    for (size_t i = 0; props && i < keyval_list_length(props); i++) {
        const KeyValPair *p = keyval_list_nth(props, i);

        if (!object_property_find(OBJECT(chr), p->key)) {
            error_setg(errp, "Invalid parameter '%s'", p->key);
            return false;
        }
        if (!object_property_parse(OBJECT(chr), p->key, p->value, errp)) {
            return false;
        }
    }
    return true;
}

Chardev *qemu_chardev_new(const char *id, const char *typename,
                          KeyValList *props, Error **errp)
{
    ObjectClass *oc = object_class_by_name(typename);
    Chardev *chr;
    bool be_opened = true;
    Error *local_err = NULL;

    if (!oc || !object_class_dynamic_cast(oc, TYPE_CHARDEV) ||
        object_class_is_abstract(oc)) {
        error_setg(errp, "'%s' is not a valid char driver name", typename);
        return NULL;
    }
    if (qemu_chr_find(id)) {
        error_setg(errp, "attempt to add duplicate property '%s' to object "
                   "(type 'container')", id);
        return NULL;
    }
    chr = CHARDEV(object_new(typename));
    chr->label = g_strdup(id);
    if (!chardev_set_props(chr, props, errp)) {
        object_unref(OBJECT(chr));
        return NULL;
    }
    CHARDEV_GET_CLASS(chr)->open(chr, &be_opened, &local_err);
    if (local_err) {
        error_propagate(errp, local_err);
        object_unref(OBJECT(chr));
        return NULL;
    }
    if (!chr->filename) {
        chr->filename = g_strdup(typename + strlen("chardev-"));
    }
    chr->be_open = be_opened;
    object_property_add_child(chardevs_container(), id, OBJECT(chr));
    object_unref(OBJECT(chr));
    return chr;
}

Chardev *qemu_chr_new_from_cmdline(const char *optarg, Error **errp)
{
    g_autoptr(KeyValList) kv = keyval_parse(optarg, "backend", NULL, errp);
    g_autofree char *backend = NULL;
    g_autofree char *id = NULL;
    g_autofree char *typename = NULL;
    ObjectClass *oc;

    if (!kv) {
        return NULL;
    }
    backend = keyval_list_remove(kv, "backend");
    id = keyval_list_remove(kv, "id");
    if (!backend) {
        error_setg(errp, "chardev: \"%s\" missing backend",
                   id ? id : "");
        return NULL;
    }
    typename = g_strdup_printf("chardev-%s", backend);
    oc = object_class_by_name(typename);
    if (!oc || !object_class_dynamic_cast(oc, TYPE_CHARDEV) ||
        object_class_is_abstract(oc)) {
        error_setg(errp, "'%s' is not a valid char driver name", backend);
        return NULL;
    }
    if (!id) {
        error_setg(errp, "chardev: no id specified");
        return NULL;
    }
    return qemu_chardev_new(id, typename, kv, errp);
}

/* "path,server=on,nowait" → path plus properties. */
static KeyValList *parse_legacy_unix(const char *rest, Error **errp)
{
    g_auto(GStrv) parts = g_strsplit(rest, ",", -1);
    g_autoptr(KeyValList) kv = keyval_list_new();

    if (!parts[0] || !*parts[0]) {
        error_setg(errp, "'unix:%s' is not a valid char driver", rest);
        return NULL;
    }
    if (!keyval_list_add(kv, "path", parts[0], errp)) {
        return NULL;
    }
    for (int i = 1; parts[i]; i++) {
        const char *eq = strchr(parts[i], '=');
        g_autofree char *key = NULL;
        bool ok;

        if (!strcmp(parts[i], "server")) {
            ok = keyval_list_add(kv, "server", "on", errp);
        } else if (!strcmp(parts[i], "nowait")) {
            ok = keyval_list_add(kv, "wait", "off", errp);
        } else if (eq) {
            key = g_strndup(parts[i], eq - parts[i]);
            ok = keyval_list_add(kv, key, eq + 1, errp);
        } else {
            error_setg(errp, "Invalid parameter '%s'", parts[i]);
            ok = false;
        }
        if (!ok) {
            return NULL;
        }
    }
    return g_steal_pointer(&kv);
}

Chardev *qemu_chr_new_legacy(const char *label, const char *spec,
                             Error **errp)
{
    g_autoptr(KeyValList) kv = NULL;
    Chardev *chr;

    if (!strcmp(spec, "stdio")) {
        chr = qemu_chardev_new(label, TYPE_CHARDEV_STDIO, NULL, errp);
    } else if (!strcmp(spec, "null") || !strcmp(spec, "none")) {
        chr = qemu_chardev_new(label, TYPE_CHARDEV_NULL, NULL, errp);
    } else if (g_str_has_prefix(spec, "file:")) {
        kv = keyval_list_new();
        if (!keyval_list_add(kv, "path", spec + strlen("file:"), errp)) {
            return NULL;
        }
        chr = qemu_chardev_new(label, TYPE_CHARDEV_FILE, kv, errp);
    } else if (g_str_has_prefix(spec, "unix:")) {
        kv = parse_legacy_unix(spec + strlen("unix:"), errp);
        if (!kv) {
            return NULL;
        }
        chr = qemu_chardev_new(label, TYPE_CHARDEV_SOCKET, kv, errp);
    } else {
        error_setg(errp, "'%s' is not a valid char driver", spec);
        return NULL;
    }
    if (chr) {
        g_free(chr->filename);
        chr->filename = g_strdup(spec);
    }
    return chr;
}

Chardev *qemu_chr_new(const char *label, const char *filename,
                      GMainContext *context)
{
    Error *err = NULL;
    Chardev *chr = qemu_chr_new_legacy(label, filename, &err);

    if (!chr) {
        error_report_err(err);
    }
    return chr;
}

Chardev *qemu_chr_find(const char *label)
{
    Object *obj = object_resolve_path_component(chardevs_container(), label);

    return obj ? CHARDEV(obj) : NULL;
}

void qemu_chr_delete(Chardev *chr)
{
    g_assert(!chr->be);
    object_unparent(OBJECT(chr));
}

/* --- Front end -------------------------------------------------------- */

bool qemu_chr_fe_init(CharBackend *b, Chardev *s, Error **errp)
{
    if (s && s->be) {
        error_setg(errp, "Device '%s' is in use", s->label);
        return false;
    }
    memset(b, 0, sizeof(*b));
    b->chr = s;
    if (s) {
        s->be = b;
    }
    return true;
}

void qemu_chr_fe_deinit(CharBackend *b, bool del)
{
    Chardev *chr = b->chr;

    if (!chr) {
        return;
    }
    qemu_chr_fe_set_handlers(b, NULL, NULL, NULL, NULL, NULL, NULL, false);
    chr->be = NULL;
    b->chr = NULL;
    if (del) {
        qemu_chr_delete(chr);
    }
}

void qemu_chr_fe_set_handlers(CharBackend *b,
                              IOCanReadHandler *fd_can_read,
                              IOReadHandler *fd_read,
                              IOEventHandler *fd_event,
                              BackendChangeHandler *be_change,
                              void *opaque,
                              GMainContext *context,
                              bool set_open)
{
    Chardev *s = b->chr;
    ChardevClass *cc;

    if (!s) {
        return;
    }
    g_assert(!context || context == g_main_context_default());
    b->chr_can_read = fd_can_read;
    b->chr_read = fd_read;
    b->chr_event = fd_event;
    b->chr_be_change = be_change;
    b->opaque = opaque;
    b->fe_is_open = fd_can_read || fd_read || fd_event;
    cc = CHARDEV_GET_CLASS(s);
    if (cc->chr_update_read_handler) {
        cc->chr_update_read_handler(s);
    }
    if (fd_event && s->be_open) {
        fd_event(opaque, CHR_EVENT_OPENED);
    }
}

Chardev *qemu_chr_fe_get_driver(CharBackend *be)
{
    return be->chr;
}

bool qemu_chr_fe_backend_connected(CharBackend *be)
{
    return be->chr != NULL;
}

bool qemu_chr_fe_backend_open(CharBackend *be)
{
    return be->chr && be->chr->be_open;
}

int qemu_chr_fe_write_all(CharBackend *be, const uint8_t *buf, int len)
{
    if (!be->chr) {
        return -1;
    }
    return CHARDEV_GET_CLASS(be->chr)->chr_write(be->chr, buf, len);
}

int qemu_chr_fe_write(CharBackend *be, const uint8_t *buf, int len)
{
    return qemu_chr_fe_write_all(be, buf, len);
}

int qemu_chr_fe_read_all(CharBackend *be, uint8_t *buf, int len)
{
    ChardevClass *cc;
    int done = 0;

    if (!be->chr) {
        return -1;
    }
    cc = CHARDEV_GET_CLASS(be->chr);
    if (!cc->chr_sync_read) {
        return -1;
    }
    while (done < len) {
        int n = cc->chr_sync_read(be->chr, buf + done, len - done);

        if (n < 0) {
            return done ? done : -1;
        }
        if (n == 0) {
            break;
        }
        done += n;
    }
    return done;
}

int qemu_chr_fe_get_msgfds(CharBackend *be, int *fds, int num)
{
    ChardevClass *cc;

    if (!be->chr) {
        return -1;
    }
    cc = CHARDEV_GET_CLASS(be->chr);
    return cc->get_msgfds ? cc->get_msgfds(be->chr, fds, num) : -1;
}

int qemu_chr_fe_get_msgfd(CharBackend *be)
{
    int fd;

    return qemu_chr_fe_get_msgfds(be, &fd, 1) == 1 ? fd : -1;
}

int qemu_chr_fe_set_msgfds(CharBackend *be, int *fds, int num)
{
    ChardevClass *cc;

    if (!be->chr) {
        return -1;
    }
    cc = CHARDEV_GET_CLASS(be->chr);
    return cc->set_msgfds ? cc->set_msgfds(be->chr, fds, num) : -1;
}

void qemu_chr_fe_accept_input(CharBackend *be)
{
    ChardevClass *cc;

    if (!be->chr) {
        return;
    }
    cc = CHARDEV_GET_CLASS(be->chr);
    if (cc->chr_accept_input) {
        cc->chr_accept_input(be->chr);
    }
}

bool qemu_chr_fe_wait_connected(CharBackend *be, Error **errp)
{
    ChardevClass *cc;

    if (!be->chr) {
        error_setg(errp, "no chardev attached");
        return false;
    }
    cc = CHARDEV_GET_CLASS(be->chr);
    if (be->chr->be_open || !cc->chr_wait_connected) {
        return true;
    }
    return cc->chr_wait_connected(be->chr, errp);
}

void qemu_chr_fe_disconnect(CharBackend *be)
{
    ChardevClass *cc;

    if (!be->chr) {
        return;
    }
    cc = CHARDEV_GET_CLASS(be->chr);
    if (cc->chr_disconnect) {
        cc->chr_disconnect(be->chr);
    }
}

/* --- Types ------------------------------------------------------------ */

static void chardev_finalize(Object *obj)
{
    Chardev *chr = CHARDEV(obj);

    if (chr->be) {
        chr->be->chr = NULL;
    }
    g_free(chr->label);
    g_free(chr->filename);
}

static void chardev_class_init(ObjectClass *oc, void *data)
{
    /* A peer that vanishes must give EPIPE, not kill the process. */
    signal(SIGPIPE, SIG_IGN);
}

static void null_open(Chardev *chr, bool *be_opened, Error **errp)
{
    *be_opened = false;
}

static int null_write(Chardev *chr, const uint8_t *buf, int len)
{
    return len;
}

static void null_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->open = null_open;
    cc->chr_write = null_write;
}

static const TypeInfo char_types[] = {
    {
        .name = TYPE_CHARDEV,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Chardev),
        .instance_finalize = chardev_finalize,
        .abstract = true,
        .class_size = sizeof(ChardevClass),
        .class_init = chardev_class_init,
    },
    {
        .name = TYPE_CHARDEV_NULL,
        .parent = TYPE_CHARDEV,
        .class_init = null_class_init,
    },
};

DEFINE_TYPES(char_types)
