/*
 * QMP sessions on chardevs (-qmp, -mon mode=control), and HMP on
 * chardevs (-mon mode=readline).
 *
 * A session starts when a peer connects: the greeting is sent, and
 * commands are refused until qmp_capabilities.  Each complete JSON value
 * received is answered in order; events reach the session once it has
 * negotiated.
 */
#include "qemu/osdep.h"
#include "monitor/monitor.h"
#include "monitor/hmp.h"
#include "monitor-internal.h"
#include "chardev/char-fe.h"
#include "qapi/qmp/dispatch.h"
#include "qapi/qmp/qjson.h"
#include "qemu/keyval.h"
#include "sysemu/runstate.h"

typedef struct MonitorQMP {
    CharBackend chr;
    bool pretty;
    bool negotiated;
    JsonSplitter splitter;
} MonitorQMP;

typedef struct MonitorHMP {
    CharBackend chr;
    GString *line;
} MonitorHMP;

static GPtrArray *qmp_monitors;     /* of MonitorQMP * */
/* The session whose request is being dispatched (for getfd). */
static MonitorQMP *qmp_cur_mon;

static void qmp_send_object(MonitorQMP *mon, JsonObject *obj)
{
    g_autofree char *text = qmp_json_object_to_string(obj, mon->pretty);
    g_autofree char *line = g_strconcat(text, "\n", NULL);

    /* A peer that went away is noticed (and cleaned up) by the reader. */
    qemu_chr_fe_write_all(&mon->chr, (const uint8_t *)line, strlen(line));
}

static JsonObject *qmp_greeting(void)
{
    JsonObject *greeting = json_object_new();
    JsonObject *qmp = json_object_new();
    JsonArray *caps = json_array_new();

    json_object_set_object_member(qmp, "version", qmp_version_info());
    json_array_add_string_element(caps, "oob");
    json_object_set_array_member(qmp, "capabilities", caps);
    json_object_set_object_member(greeting, "QMP", qmp);
    return greeting;
}

static bool is_capabilities_request(JsonObject *request)
{
    JsonNode *exec = json_object_get_member(request, "execute");

    return exec && JSON_NODE_HOLDS_VALUE(exec) &&
           json_node_get_value_type(exec) == G_TYPE_STRING &&
           !strcmp(json_node_get_string(exec), "qmp_capabilities");
}

static void qmp_handle_value(void *opaque, const char *text)
{
    MonitorQMP *mon = opaque;
    Error *err = NULL;
    g_autoptr(JsonNode) node = qmp_json_parse(text, &err);
    g_autoptr(JsonObject) resp = NULL;
    JsonObject *request;

    if (!node) {
        resp = qmp_error_response(QMP_ERROR_CLASS_GENERIC,
                                  error_get_pretty(err));
        error_free(err);
    } else if (!JSON_NODE_HOLDS_OBJECT(node)) {
        resp = qmp_error_response(QMP_ERROR_CLASS_GENERIC,
                                  "QMP input must be a JSON object");
    } else {
        request = json_node_get_object(node);
        qmp_cur_mon = mon;
        resp = qmp_dispatch(request, mon->negotiated);
        qmp_cur_mon = NULL;
        if (!mon->negotiated && is_capabilities_request(request) &&
            json_object_has_member(resp, "return")) {
            mon->negotiated = true;
        }
    }
    if (resp) {
        qmp_send_object(mon, resp);
    }
}

int monitor_qmp_take_received_fd(void)
{
    return qmp_cur_mon ? qemu_chr_fe_get_msgfd(&qmp_cur_mon->chr) : -1;
}

static int qmp_can_read(void *opaque)
{
    return 4096;
}

static void qmp_read(void *opaque, const uint8_t *buf, int size)
{
    MonitorQMP *mon = opaque;

    json_splitter_feed(&mon->splitter, (const char *)buf, size);
}

static void qmp_event(void *opaque, QEMUChrEvent event)
{
    MonitorQMP *mon = opaque;
    g_autoptr(JsonObject) greeting = NULL;

    switch (event) {
    case CHR_EVENT_OPENED:
        mon->negotiated = false;
        json_splitter_reset(&mon->splitter);
        greeting = qmp_greeting();
        qmp_send_object(mon, greeting);
        break;
    case CHR_EVENT_CLOSED:
        mon->negotiated = false;
        json_splitter_reset(&mon->splitter);
        break;
    default:
        break;
    }
}

static void qmp_event_listener(JsonObject *event, void *opaque)
{
    MonitorQMP *mon = opaque;

    if (mon->negotiated && qemu_chr_fe_backend_open(&mon->chr)) {
        qmp_send_object(mon, event);
    }
}

bool monitor_init_qmp(Chardev *chr, bool pretty, Error **errp)
{
    MonitorQMP *mon = g_new0(MonitorQMP, 1);

    if (!qemu_chr_fe_init(&mon->chr, chr, errp)) {
        g_free(mon);
        return false;
    }
    mon->pretty = pretty;
    json_splitter_init(&mon->splitter, qmp_handle_value, mon);
    if (!qmp_monitors) {
        qmp_monitors = g_ptr_array_new();
    }
    g_ptr_array_add(qmp_monitors, mon);
    monitor_add_event_listener(qmp_event_listener, mon);
    qemu_chr_fe_set_handlers(&mon->chr, qmp_can_read, qmp_read, qmp_event,
                             NULL, mon, NULL, true);
    return true;
}

/* --- HMP on a chardev ---------------------------------------------------- */

#define HMP_PROMPT "(qemu) "

static void hmp_chr_puts(MonitorHMP *mon, const char *text)
{
    /* Terminals expect CR LF, as QEMU's monitor writes. */
    g_autoptr(GString) out = g_string_new(NULL);

    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            g_string_append_c(out, '\r');
        }
        g_string_append_c(out, *p);
    }
    qemu_chr_fe_write_all(&mon->chr, (const uint8_t *)out->str, out->len);
}

static int hmp_chr_can_read(void *opaque)
{
    return 4096;
}

static void hmp_chr_read(void *opaque, const uint8_t *buf, int size)
{
    MonitorHMP *mon = opaque;

    for (int i = 0; i < size; i++) {
        g_autoptr(GString) out = NULL;

        if (buf[i] == '\r') {
            continue;
        }
        if (buf[i] != '\n') {
            g_string_append_c(mon->line, buf[i]);
            continue;
        }
        out = g_string_new(NULL);
        hmp_handle_command(mon->line->str, out);
        g_string_truncate(mon->line, 0);
        if (!qemu_system_shutdown_requested()) {
            g_string_append(out, HMP_PROMPT);
        }
        hmp_chr_puts(mon, out->str);
    }
}

static void hmp_chr_event(void *opaque, QEMUChrEvent event)
{
    MonitorHMP *mon = opaque;

    if (event == CHR_EVENT_OPENED) {
        g_string_truncate(mon->line, 0);
        hmp_chr_puts(mon, "sparsevm 0.1.0 monitor - type 'help' for more "
                     "information\n" HMP_PROMPT);
    }
}

static bool monitor_init_hmp(Chardev *chr, Error **errp)
{
    MonitorHMP *mon = g_new0(MonitorHMP, 1);

    if (!qemu_chr_fe_init(&mon->chr, chr, errp)) {
        g_free(mon);
        return false;
    }
    mon->line = g_string_new(NULL);
    qemu_chr_fe_set_handlers(&mon->chr, hmp_chr_can_read, hmp_chr_read,
                             hmp_chr_event, NULL, mon, NULL, true);
    return true;
}

/* --- Command line -------------------------------------------------------- */

bool monitor_new_from_opts(const char *optarg, Error **errp)
{
    g_autoptr(KeyValList) kv = keyval_parse(optarg, "chardev", NULL, errp);
    const char *chardev, *mode, *pretty_str;
    bool pretty = false;
    Chardev *chr;

    if (!kv) {
        return false;
    }
    for (size_t i = 0; i < keyval_list_length(kv); i++) {
        const char *key = keyval_list_nth(kv, i)->key;

        if (strcmp(key, "chardev") && strcmp(key, "mode") &&
            strcmp(key, "pretty")) {
            error_setg(errp, "Invalid parameter '%s'", key);
            return false;
        }
    }
    chardev = keyval_list_get(kv, "chardev");
    mode = keyval_list_get(kv, "mode");
    pretty_str = keyval_list_get(kv, "pretty");
    if (!chardev) {
        error_setg(errp, "Parameter 'chardev' is missing");
        return false;
    }
    if (mode && strcmp(mode, "control") && strcmp(mode, "readline")) {
        error_setg(errp, "Parameter 'mode' does not accept value '%s'", mode);
        return false;
    }
    if (pretty_str && !qapi_bool_parse("pretty", pretty_str, &pretty, errp)) {
        return false;
    }
    chr = qemu_chr_find(chardev);
    if (!chr) {
        error_setg(errp, "chardev \"%s\" not found", chardev);
        return false;
    }
    if (mode && !strcmp(mode, "control")) {
        return monitor_init_qmp(chr, pretty, errp);
    }
    return monitor_init_hmp(chr, errp);
}

bool monitor_add_qmp_legacy(const char *spec, bool pretty, Error **errp)
{
    static int counter;
    g_autofree char *label = g_strdup_printf("compat_monitor%d", counter++);
    Chardev *chr = qemu_chr_new_legacy(label, spec, errp);

    if (!chr) {
        return false;
    }
    return monitor_init_qmp(chr, pretty, errp);
}
