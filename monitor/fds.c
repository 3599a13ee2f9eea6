/*
 * QMP getfd / closefd: file descriptors passed over a QMP socket with
 * SCM_RIGHTS, kept by name until a command (e.g. dump-guest-memory
 * "fd:NAME") takes them.  QEMU keeps one table per monitor; sparsevm
 * keeps one table for all QMP sessions.
 */
#include "qemu/osdep.h"
#include "monitor/monitor.h"
#include "qapi/qmp/dispatch.h"
#include "qom/object.h"

/* name -> fd (GINT_TO_POINTER). */
static GHashTable *monitor_fds;

static GHashTable *monitor_fd_table(void)
{
    if (!monitor_fds) {
        monitor_fds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                            NULL);
    }
    return monitor_fds;
}

int monitor_fd_take(const char *name, Error **errp)
{
    gpointer key, value;

    if (!g_hash_table_steal_extended(monitor_fd_table(), name, &key,
                                     &value)) {
        error_setg(errp, "File descriptor named '%s' has not been found",
                   name);
        return -1;
    }
    g_free(key);
    return GPOINTER_TO_INT(value);
}

static void qmp_getfd(JsonObject *args, JsonNode **ret, Error **errp)
{
    const char *name = json_object_get_string_member(args, "fdname");
    gpointer old;
    int fd;

    if (g_ascii_isdigit(name[0])) {
        error_setg(errp, "Parameter 'fdname' expects a name not starting "
                   "with a digit");
        return;
    }
    fd = monitor_qmp_take_received_fd();
    if (fd < 0) {
        error_setg(errp, "No file descriptor supplied via SCM_RIGHTS");
        return;
    }
    /* A new fd under a known name replaces (and closes) the old one. */
    if (g_hash_table_lookup_extended(monitor_fd_table(), name, NULL, &old)) {
        close(GPOINTER_TO_INT(old));
    }
    g_hash_table_insert(monitor_fd_table(), g_strdup(name),
                        GINT_TO_POINTER(fd));
}

static void qmp_closefd(JsonObject *args, JsonNode **ret, Error **errp)
{
    const char *name = json_object_get_string_member(args, "fdname");
    gpointer value;

    if (!g_hash_table_lookup_extended(monitor_fd_table(), name, NULL,
                                      &value)) {
        error_setg(errp, "File descriptor named '%s' not found", name);
        return;
    }
    close(GPOINTER_TO_INT(value));
    g_hash_table_remove(monitor_fd_table(), name);
}

static void monitor_fds_register_commands(void)
{
    qmp_register_command_args("getfd", qmp_getfd, QCO_NO_OPTIONS,
                              "fdname:str");
    qmp_register_command_args("closefd", qmp_closefd, QCO_NO_OPTIONS,
                              "fdname:str");
}

type_init(monitor_fds_register_commands)
