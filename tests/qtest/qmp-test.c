/*
 * QMP against the sparsevm binary: greeting, capabilities negotiation,
 * each command with its exact JSON, errors (the session always goes on),
 * "id" echo, events, several monitors, and command-line errors.
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <signal.h>

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, " \
                 "\"minor\": 1, \"major\": 0}, \"package\": \"sparsevm " \
                 "0.1.0\"}, \"capabilities\": [\"oob\"]}}"

/* --- Helpers ------------------------------------------------------------ */

static char *to_text(JsonObject *obj)
{
    g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), obj);

    return json_to_string(node, FALSE);
}

/* The response must be {"error": {"class": @klass, "desc": @desc}}. */
static void assert_error(JsonObject *resp, const char *klass,
                         const char *desc)
{
    JsonObject *err;

    if (!json_object_has_member(resp, "error")) {
        g_autofree char *text = to_text(resp);

        g_error("expected an error, got %s", text);
    }
    err = json_object_get_object_member(resp, "error");
    g_assert_cmpstr(json_object_get_string_member(err, "class"), ==, klass);
    g_assert_cmpstr(json_object_get_string_member(err, "desc"), ==, desc);
    json_object_unref(resp);
}

static void assert_generic_error(JsonObject *resp, const char *desc)
{
    assert_error(resp, "GenericError", desc);
}

static void assert_status(QTestState *s, const char *status, bool running)
{
    JsonNode *ret = qtest_qmp_assert_success(s,
                                             "{'execute': 'query-status'}");
    JsonObject *info = json_node_get_object(ret);

    g_assert_cmpstr(json_object_get_string_member(info, "status"), ==,
                    status);
    g_assert_cmpint(json_object_get_boolean_member(info, "running"), ==,
                    running);
    g_assert_false(json_object_get_boolean_member(info, "singlestep"));
    g_assert_cmpuint(json_object_get_size(info), ==, 3);
}

/* The session still works. */
static void assert_alive(QTestState *s)
{
    qtest_qmp_assert_success(s, "{'execute': 'query-version'}");
}

/* A raw client of a QMP/HMP socket sparsevm listens on. */
typedef struct RawClient {
    int fd;
    GString *buf;
} RawClient;

static RawClient raw_connect(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    RawClient c = { .buf = g_string_new(NULL) };

    c.fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(c.fd, >=, 0);
    g_assert_cmpuint(strlen(path), <, sizeof(sun.sun_path));
    strcpy(sun.sun_path, path);
    g_assert_cmpint(connect(c.fd, (struct sockaddr *)&sun, sizeof(sun)), ==,
                    0);
    return c;
}

static void raw_send(RawClient *c, const char *text)
{
    g_assert_cmpint(send(c->fd, text, strlen(text), MSG_NOSIGNAL), ==,
                    strlen(text));
}

/* Read until @len bytes are buffered; returns them (g_free). */
static char *raw_read_bytes(RawClient *c, size_t len)
{
    char *out;

    while (c->buf->len < len) {
        char tmp[4096];
        ssize_t n = recv(c->fd, tmp, sizeof(tmp), 0);

        g_assert_cmpint(n, >, 0);
        g_string_append_len(c->buf, tmp, n);
    }
    out = g_strndup(c->buf->str, len);
    g_string_erase(c->buf, 0, len);
    return out;
}

static char *raw_read_line(RawClient *c)
{
    char *nl;

    while (!(nl = memchr(c->buf->str, '\n', c->buf->len))) {
        char tmp[4096];
        ssize_t n = recv(c->fd, tmp, sizeof(tmp), 0);

        g_assert_cmpint(n, >, 0);
        g_string_append_len(c->buf, tmp, n);
    }
    return raw_read_bytes(c, nl - c->buf->str + 1);
}

static void raw_close(RawClient *c)
{
    close(c->fd);
    g_string_free(c->buf, TRUE);
}

/* Read a line and compare it with @expected (without its newline). */
static void raw_expect_line(RawClient *c, const char *expected)
{
    g_autofree char *line = raw_read_line(c);

    g_strchomp(line);
    g_assert_cmpstr(line, ==, expected);
}

/* Read a JSON line and return its "event" member, or NULL. */
static char *raw_read_event_name(RawClient *c)
{
    g_autofree char *line = raw_read_line(c);
    g_autoptr(JsonParser) parser = json_parser_new();
    JsonObject *obj;

    g_assert_true(json_parser_load_from_data(parser, line, -1, NULL));
    obj = json_node_get_object(json_parser_get_root(parser));
    if (!json_object_has_member(obj, "event")) {
        return NULL;
    }
    return g_strdup(json_object_get_string_member(obj, "event"));
}

/* --- Greeting and negotiation ------------------------------------------- */

static void test_greeting(void)
{
    QTestState *s = qtest_init_without_qmp_handshake("-machine none");
    g_autofree char *line = qtest_qmp_receive_line(s);

    g_assert_cmpstr(line, ==, GREETING);
    qtest_quit(s);
}

static void test_negotiation(void)
{
    QTestState *s = qtest_init_without_qmp_handshake("-machine none");
    g_autofree char *line = NULL;

    json_object_unref(qtest_qmp_receive_dict(s));
    /* Nothing but qmp_capabilities works before negotiation. */
    assert_error(qtest_qmp(s, "{'execute': 'query-status'}"),
                 "CommandNotFound", "Expecting capabilities negotiation "
                 "with 'qmp_capabilities'");
    assert_error(qtest_qmp(s, "{'execute': 'no-such-command'}"),
                 "CommandNotFound", "Expecting capabilities negotiation "
                 "with 'qmp_capabilities'");
    assert_generic_error(qtest_qmp(s, "{'execute': 'qmp_capabilities', "
                                   "'arguments': {'enable': 'oob'}}"),
                         "Invalid parameter type for 'enable', expected: "
                         "array");
    assert_generic_error(qtest_qmp(s, "{'execute': 'qmp_capabilities', "
                                   "'arguments': {'enable': [1]}}"),
                         "Invalid parameter type for 'enable[0]', expected: "
                         "string");
    assert_generic_error(qtest_qmp(s, "{'execute': 'qmp_capabilities', "
                                   "'arguments': {'enable': ['bogus']}}"),
                         "Parameter 'null' does not accept value 'bogus'");
    qtest_qmp_send(s, "{'execute': 'qmp_capabilities', "
                   "'arguments': {'enable': ['oob']}}");
    line = qtest_qmp_receive_line(s);
    g_assert_cmpstr(line, ==, "{\"return\": {}}");
    assert_error(qtest_qmp(s, "{'execute': 'qmp_capabilities'}"),
                 "CommandNotFound", "Capabilities negotiation is already "
                 "complete, command ignored");
    assert_alive(s);
    qtest_quit(s);
}

/* --- Commands ----------------------------------------------------------- */

static void test_query_version(void)
{
    QTestState *s = qtest_init("-machine none");
    g_autofree char *line = NULL;

    qtest_qmp_send(s, "{'execute': 'query-version'}");
    line = qtest_qmp_receive_line(s);
    g_assert_cmpstr(line, ==, "{\"return\": {\"qemu\": {\"micro\": 0, "
                    "\"minor\": 1, \"major\": 0}, \"package\": "
                    "\"sparsevm 0.1.0\"}}");
    qtest_quit(s);
}

static void test_query_commands(void)
{
    static const char *const builtin[] = {
        "qmp_capabilities", "query-version", "query-status",
        "query-commands", "stop", "cont", "system_reset", "quit",
        "human-monitor-command", "qom-list", "qom-get", "qom-set",
    };
    QTestState *s = qtest_init("-machine none");
    JsonArray *list = json_node_get_array(
        qtest_qmp_assert_success(s, "{'execute': 'query-commands'}"));

    for (size_t i = 0; i < G_N_ELEMENTS(builtin); i++) {
        bool found = false;

        for (guint j = 0; j < json_array_get_length(list); j++) {
            JsonObject *info = json_array_get_object_element(list, j);

            g_assert_cmpuint(json_object_get_size(info), ==, 1);
            if (!strcmp(json_object_get_string_member(info, "name"),
                        builtin[i])) {
                found = true;
            }
        }
        g_assert_true(found);
    }
    qtest_quit(s);
}

static void test_status_stop_cont(void)
{
    QTestState *s = qtest_init("-machine none -S");
    g_autofree char *line = NULL;
    JsonObject *event;

    qtest_qmp_send(s, "{'execute': 'query-status'}");
    line = qtest_qmp_receive_line(s);
    g_assert_cmpstr(line, ==, "{\"return\": {\"status\": \"prelaunch\", "
                    "\"singlestep\": false, \"running\": false}}");

    /* stop before the first start: no state change, no event. */
    qtest_qmp_assert_success(s, "{'execute': 'stop'}");
    assert_status(s, "prelaunch", false);
    g_assert_null(qtest_qmp_event_ref(s, "STOP"));

    qtest_qmp_assert_success(s, "{'execute': 'cont'}");
    event = qtest_qmp_eventwait_ref(s, "RESUME");
    g_assert_false(json_object_has_member(event, "data"));
    json_object_unref(event);
    assert_status(s, "running", true);

    /* cont while running: nothing happens. */
    qtest_qmp_assert_success(s, "{'execute': 'cont'}");
    g_assert_null(qtest_qmp_event_ref(s, "RESUME"));

    qtest_qmp_assert_success(s, "{'execute': 'stop'}");
    event = qtest_qmp_eventwait_ref(s, "STOP");
    g_assert_false(json_object_has_member(event, "data"));
    g_assert_true(json_object_has_member(
        json_object_get_object_member(event, "timestamp"), "microseconds"));
    json_object_unref(event);
    assert_status(s, "paused", false);

    qtest_qmp_assert_success(s, "{'execute': 'cont'}");
    qtest_qmp_eventwait(s, "RESUME");
    assert_status(s, "running", true);
    qtest_quit(s);
}

static void test_running_without_S(void)
{
    QTestState *s = qtest_init("-machine none");

    assert_status(s, "running", true);
    qtest_quit(s);
}

static void test_system_reset(void)
{
    QTestState *s = qtest_init("-machine none -m 16M");
    JsonObject *event, *data;

    qtest_writel(s, 0x1000, 0x12345678);
    qtest_qmp_assert_success(s, "{'execute': 'system_reset'}");
    event = qtest_qmp_eventwait_ref(s, "RESET");
    data = json_object_get_object_member(event, "data");
    g_assert_cmpuint(json_object_get_size(data), ==, 2);
    g_assert_false(json_object_get_boolean_member(data, "guest"));
    g_assert_cmpstr(json_object_get_string_member(data, "reason"), ==,
                    "host-qmp-system-reset");
    json_object_unref(event);
    /* A reset keeps the VM running and RAM as it was. */
    assert_status(s, "running", true);
    g_assert_cmphex(qtest_readl(s, 0x1000), ==, 0x12345678);
    qtest_quit(s);
}

static void test_quit(void)
{
    QTestState *s = qtest_init("-machine none");
    JsonObject *event, *data;

    qtest_qmp_assert_success(s, "{'execute': 'quit'}");
    event = qtest_qmp_eventwait_ref(s, "SHUTDOWN");
    data = json_object_get_object_member(event, "data");
    g_assert_false(json_object_get_boolean_member(data, "guest"));
    g_assert_cmpstr(json_object_get_string_member(data, "reason"), ==,
                    "host-qmp-quit");
    json_object_unref(event);
    /* sparsevm is exiting: qtest_quit() asserts it exits with status 0. */
    qtest_quit(s);
}

/* SIGTERM ends the VM like quit, with reason host-signal. */
static void test_sigterm(void)
{
    QTestState *s = qtest_init("-machine none");
    JsonObject *event, *data;

    g_assert_cmpint(kill(qtest_pid(s), SIGTERM), ==, 0);
    event = qtest_qmp_eventwait_ref(s, "SHUTDOWN");
    data = json_object_get_object_member(event, "data");
    g_assert_false(json_object_get_boolean_member(data, "guest"));
    g_assert_cmpstr(json_object_get_string_member(data, "reason"), ==,
                    "host-signal");
    json_object_unref(event);
    qtest_quit(s);
}

static void test_human_monitor_command(void)
{
    QTestState *s = qtest_init("-machine none");
    JsonNode *ret;
    g_autofree char *mtree = NULL;

    ret = qtest_qmp_assert_success(s, "{'execute': 'human-monitor-command',"
                                   " 'arguments': {'command-line': "
                                   "'info mtree'}}");
    g_assert_cmpstr(json_node_get_string(ret), ==,
                    "address-space: memory\r\n"
                    "  0000000000000000-ffffffffffffffff (prio 0, i/o): "
                    "system\r\n\r\n"
                    "address-space: I/O\r\n"
                    "  0000000000000000-000000000000ffff (prio 0, i/o): "
                    "io\r\n\r\n");
    mtree = qtest_hmp(s, "info mtree");
    g_assert_true(g_str_has_prefix(mtree, "address-space: memory\n  "));
    g_assert_null(strchr(mtree, '\r'));

    ret = qtest_qmp_assert_success(s, "{'execute': 'human-monitor-command',"
                                   " 'arguments': {'command-line': "
                                   "'nonsense'}}");
    g_assert_cmpstr(json_node_get_string(ret), ==,
                    "unknown command: 'nonsense'\r\n");
    ret = qtest_qmp_assert_success(s, "{'execute': 'human-monitor-command',"
                                   " 'arguments': {'command-line': "
                                   "'info version', 'cpu-index': 0}}");
    g_assert_cmpstr(json_node_get_string(ret), ==, "0.1.0\r\n");
    assert_generic_error(qtest_qmp(s, "{'execute': 'human-monitor-command',"
                                   " 'arguments': {}}"),
                         "Parameter 'command-line' is missing");
    assert_generic_error(qtest_qmp(s, "{'execute': 'human-monitor-command',"
                                   " 'arguments': {'command-line': 'x', "
                                   "'cpu-index': 'x'}}"),
                         "Invalid parameter type for 'cpu-index', "
                         "expected: integer");
    qtest_quit(s);
}

/* qom-list output as "name:type" strings. */
static bool qom_list_has(QTestState *s, const char *path, const char *name,
                         const char *type)
{
    JsonArray *list = json_node_get_array(qtest_qmp_assert_success(s,
        "{'execute': 'qom-list', 'arguments': {'path': '%s'}}", path));

    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *info = json_array_get_object_element(list, i);

        if (!strcmp(json_object_get_string_member(info, "name"), name)) {
            g_assert_cmpstr(json_object_get_string_member(info, "type"), ==,
                            type);
            return true;
        }
    }
    return false;
}

static void test_qom_backend(void)
{
    QTestState *s = qtest_init("-machine none "
                               "-object memory-backend-ram,id=mem0,size=8M");
    g_autoptr(JsonNode) size = NULL;

    g_assert_true(qom_list_has(s, "/objects", "mem0",
                               "child<memory-backend-ram>"));
    g_assert_true(qom_list_has(s, "/objects/mem0", "size", "size"));
    g_assert_true(qom_list_has(s, "/objects/mem0", "prealloc", "bool"));
    g_assert_false(qom_list_has(s, "/objects/mem0", "nope", ""));

    size = qtest_qom_get(s, "/objects/mem0", "size");
    g_assert_cmpint(json_node_get_int(size), ==, 8 * 1024 * 1024);
    g_assert_false(qtest_qom_get_bool(s, "/objects/mem0", "prealloc"));
    g_assert_true(qtest_qom_get_bool(s, "/objects/mem0", "merge"));
    /* Partial paths resolve like in QEMU. */
    g_assert_cmpint(qtest_qom_get_int(s, "mem0", "size"), ==, 8 * 1024 * 1024);

    qtest_qom_set_bool(s, "/objects/mem0", "prealloc", true);
    g_assert_true(qtest_qom_get_bool(s, "/objects/mem0", "prealloc"));

    assert_generic_error(qtest_qmp(s, "{'execute': 'qom-set', 'arguments': "
                                   "{'path': '/objects/mem0', 'property': "
                                   "'size', 'value': 4096}}"),
                         "cannot change property size of "
                         "memory-backend-ram");
    assert_generic_error(qtest_qmp(s, "{'execute': 'qom-set', 'arguments': "
                                   "{'path': '/objects/mem0', 'property': "
                                   "'prealloc', 'value': 'yes'}}"),
                         "Invalid parameter type for 'prealloc', expected: "
                         "boolean");
    assert_generic_error(qtest_qmp(s, "{'execute': 'qom-get', 'arguments': "
                                   "{'path': '/objects/mem0', 'property': "
                                   "'nope'}}"),
                         "Property 'memory-backend-ram.nope' not found");
    assert_error(qtest_qmp(s, "{'execute': 'qom-get', 'arguments': "
                           "{'path': '/nonexistent', 'property': 'size'}}"),
                 "DeviceNotFound", "Device '/nonexistent' not found");
    assert_error(qtest_qmp(s, "{'execute': 'qom-list', 'arguments': "
                           "{'path': '/objects/nope'}}"),
                 "DeviceNotFound", "Device '/objects/nope' not found");
    qtest_quit(s);
}

static void object_add_error(QTestState *s, const char *args,
                             const char *desc)
{
    assert_generic_error(qtest_qmp(s, "{'execute': 'object-add', "
                                   "'arguments': %s}", args), desc);
}

/* object-add / object-del: -object at run time, QEMU's answers. */
static void test_object_add_del(void)
{
    QTestState *s = qtest_init("-machine pc -m 1G,maxmem=2G "
                               "-object memory-backend-ram,id=m0,size=128M "
                               "-device virtio-mem-pci,id=vm0,memdev=m0");

    qtest_qmp_assert_success(s, "{'execute': 'object-add', 'arguments': "
                             "{'qom-type': 'memory-backend-ram', 'id': 'm1', "
                             "'size': 8388608, 'prealloc': true}}");
    g_assert_cmpint(qtest_qom_get_int(s, "/objects/m1", "size"), ==,
                    8 * 1024 * 1024);
    g_assert_true(qtest_qom_get_bool(s, "/objects/m1", "prealloc"));
    object_add_error(s, "{'qom-type': 'memory-backend-ram', 'id': 'm1', "
                     "'size': 8388608}", "attempt to add duplicate property "
                     "'m1' to object (type 'container')");
    object_add_error(s, "{'id': 'm2', 'size': 8388608}",
                     "Parameter 'qom-type' is missing");
    object_add_error(s, "{'qom-type': 'memory-backend-ram', 'size': 1}",
                     "Parameter 'id' is missing");
    object_add_error(s, "{'qom-type': 'nope', 'id': 'm3'}",
                     "Parameter 'qom-type' does not accept value 'nope'");
    object_add_error(s, "{'qom-type': 'memory-backend', 'id': 'm3', "
                     "'size': 4096}", "Parameter 'qom-type' does not accept "
                     "value 'memory-backend'");
    object_add_error(s, "{'qom-type': 'memory-backend-ram', 'id': 'm4'}",
                     "Parameter 'size' is missing");
    object_add_error(s, "{'qom-type': 'memory-backend-ram', 'id': '1bad', "
                     "'size': 8388608}", "Parameter 'id' expects an "
                     "identifier");
    object_add_error(s, "{'qom-type': 'memory-backend-ram', 'id': 'm5', "
                     "'size': 8388608, 'bogus': 1}",
                     "Parameter 'bogus' is unexpected");
    g_assert_false(qom_list_has(s, "/objects", "m5", "child<memory-backend-ram>"));

    assert_generic_error(qtest_qmp(s, "{'execute': 'object-del', 'arguments': "
                                   "{'id': 'zz'}}"), "object 'zz' not found");
    assert_generic_error(qtest_qmp(s, "{'execute': 'object-del', 'arguments': "
                                   "{'id': 'm0'}}"),
                         "object 'm0' is in use, can not be deleted");
    qtest_qmp_assert_success(s, "{'execute': 'object-del', 'arguments': "
                             "{'id': 'm1'}}");
    g_assert_false(qom_list_has(s, "/objects", "m1",
                                "child<memory-backend-ram>"));
    /* The id is free again. */
    qtest_qmp_assert_success(s, "{'execute': 'object-add', 'arguments': "
                             "{'qom-type': 'memory-backend-memfd', "
                             "'id': 'm1', 'size': 4194304, 'share': true}}");
    g_assert_true(qom_list_has(s, "/objects", "m1",
                               "child<memory-backend-memfd>"));
    qtest_quit(s);
}

/* The machine and its devices, on the pc machine. */
static void test_qom_machine(void)
{
    QTestState *s = qtest_init("-machine pc -m 128M "
                               "-device pci-testdev,addr=5,id=td");

    g_assert_true(qom_list_has(s, "/machine", "ioapic", "child<ioapic>"));
    g_assert_true(qom_list_has(s, "/machine", "peripheral",
                               "child<container>"));
    g_assert_true(qom_list_has(s, "/machine/peripheral", "td",
                               "child<pci-testdev>"));
    g_assert_true(qom_list_has(s, "/machine/peripheral/td", "addr", "int32"));
    g_assert_cmpint(qtest_qom_get_int(s, "/machine/peripheral/td", "addr"),
                    ==, 5 << 3);
    g_assert_cmpint(qtest_qom_get_int(s, "td", "addr"), ==, 5 << 3);
    g_assert_true(qtest_qom_get_bool(s, "/machine/peripheral/td",
                                     "realized"));
    g_assert_cmpint(qtest_qom_get_int(s, "/machine", "max-ram-below-4g"), ==,
                    0xe0000000);
    assert_generic_error(qtest_qmp(s, "{'execute': 'qom-set', 'arguments': "
                                   "{'path': '/machine/peripheral/td', "
                                   "'property': 'addr', 'value': '06.0'}}"),
                         "Attempt to set property 'addr' on device 'td' "
                         "(type 'pci-testdev') after it was realized");
    assert_error(qtest_qmp(s, "{'execute': 'qom-list', 'arguments': "
                           "{'path': '/machine/peripheral/nope'}}"),
                 "DeviceNotFound",
                 "Device '/machine/peripheral/nope' not found");
    qtest_quit(s);
}

/* device_add / device_del on the pc machine (PCI hotplug). */
static void test_device_add_del(void)
{
    QTestState *s = qtest_init("-machine pc -m 128M");
    JsonObject *event, *data;

    qtest_qmp_assert_success(s, "{'execute': 'device_add', 'arguments': "
                             "{'driver': 'pci-testdev', 'id': 'hp', "
                             "'addr': '6'}}");
    g_assert_true(qom_list_has(s, "/machine/peripheral", "hp",
                               "child<pci-testdev>"));
    /* It answers on the PCI bus at 00:06.0. */
    qtest_outl(s, 0xcf8, 0x80000000 | (6 << 11));
    g_assert_cmphex(qtest_inl(s, 0xcfc), ==, 0x00051b36);

    assert_generic_error(qtest_qmp(s, "{'execute': 'device_add', "
                                   "'arguments': {'driver': 'pci-testdev', "
                                   "'id': 'hp'}}"),
                         "Duplicate ID 'hp' for device");
    assert_generic_error(qtest_qmp(s, "{'execute': 'device_add', "
                                   "'arguments': {'id': 'x'}}"),
                         "Parameter 'driver' is missing");
    assert_generic_error(qtest_qmp(s, "{'execute': 'device_add', "
                                   "'arguments': {'driver': 1}}"),
                         "Invalid parameter type for 'driver', expected: "
                         "string");
    assert_generic_error(qtest_qmp(s, "{'execute': 'device_add', "
                                   "'arguments': {'driver': 'nope'}}"),
                         "'nope' is not a valid device model name");

    qtest_qmp_assert_success(s, "{'execute': 'device_del', 'arguments': "
                             "{'id': 'hp'}}");
    event = qtest_qmp_eventwait_ref(s, "DEVICE_DELETED");
    data = json_object_get_object_member(event, "data");
    g_assert_cmpstr(json_object_get_string_member(data, "device"), ==, "hp");
    g_assert_cmpstr(json_object_get_string_member(data, "path"), ==,
                    "/machine/peripheral/hp");
    json_object_unref(event);
    g_assert_false(qom_list_has(s, "/machine/peripheral", "hp", ""));
    qtest_outl(s, 0xcf8, 0x80000000 | (6 << 11));
    g_assert_cmphex(qtest_inl(s, 0xcfc), ==, 0xffffffff);
    assert_error(qtest_qmp(s, "{'execute': 'device_del', 'arguments': "
                           "{'id': 'hp'}}"),
                 "DeviceNotFound", "Device 'hp' not found");
    qtest_quit(s);
}

/* --- Errors ------------------------------------------------------------- */

static void test_malformed_input(void)
{
    QTestState *s = qtest_init("-machine none");

    qtest_qmp_send_raw(s, "garbage\n");
    assert_generic_error(qtest_qmp_receive(s),
                         "JSON parse error, invalid keyword 'garbage'");
    qtest_qmp_send_raw(s, "{\"execute\": }");
    assert_generic_error(qtest_qmp_receive(s),
                         "JSON parse error, expecting value");
    qtest_qmp_send_raw(s, "{\"a\" 1}");
    assert_generic_error(qtest_qmp_receive(s),
                         "JSON parse error, missing : in object pair");
    /* A value followed by a stray brace: answered, then one error. */
    qtest_qmp_send_raw(s, "{\"execute\": \"query-version\"}}");
    g_assert_true(json_object_has_member(qtest_qmp_receive(s), "return"));
    assert_generic_error(qtest_qmp_receive(s),
                         "JSON parse error, expecting value");
    qtest_qmp_send_raw(s, "[1, 2]");
    assert_generic_error(qtest_qmp_receive(s),
                         "QMP input must be a JSON object");
    qtest_qmp_send_raw(s, "\"str\" ");
    assert_generic_error(qtest_qmp_receive(s),
                         "QMP input must be a JSON object");
    qtest_qmp_send_raw(s, "123\n");
    assert_generic_error(qtest_qmp_receive(s),
                         "QMP input must be a JSON object");
    assert_alive(s);
    qtest_quit(s);
}

static void test_bad_requests(void)
{
    QTestState *s = qtest_init("-machine none");

    assert_error(qtest_qmp(s, "{'execute': 'no-such-command'}"),
                 "CommandNotFound",
                 "The command no-such-command has not been found");
    assert_generic_error(qtest_qmp(s, "{'foo': 1}"),
                         "QMP input member 'foo' is unexpected");
    assert_generic_error(qtest_qmp(s, "{'execute': 1}"),
                         "QMP input member 'execute' must be a string");
    assert_generic_error(qtest_qmp(s, "{'arguments': {}}"),
                         "QMP input lacks member 'execute'");
    assert_generic_error(qtest_qmp(s, "{'execute': 'query-status', "
                                   "'arguments': null}"),
                         "QMP input member 'arguments' must be an object");
    assert_generic_error(qtest_qmp(s, "{'exec-oob': 'query-status'}"),
                         "The command query-status does not support OOB");
    /* Missing, extra and mistyped arguments. */
    assert_generic_error(qtest_qmp(s, "{'execute': 'qom-get', 'arguments': "
                                   "{'path': '/objects'}}"),
                         "Parameter 'property' is missing");
    assert_generic_error(qtest_qmp(s, "{'execute': 'qom-get', 'arguments': "
                                   "{'path': '/objects', 'property': 'x', "
                                   "'extra': 1}}"),
                         "Parameter 'extra' is unexpected");
    assert_generic_error(qtest_qmp(s, "{'execute': 'qom-get', 'arguments': "
                                   "{'path': 3, 'property': 'type'}}"),
                         "Invalid parameter type for 'path', expected: "
                         "string");
    assert_generic_error(qtest_qmp(s, "{'execute': 'query-status', "
                                   "'arguments': {'a': 1}}"),
                         "Parameter 'a' is unexpected");
    assert_alive(s);
    qtest_quit(s);
}

/* The next raw QMP line that is not an event. */
static char *receive_response_line(QTestState *s)
{
    for (;;) {
        char *line = qtest_qmp_receive_line(s);

        if (!g_str_has_prefix(line, "{\"timestamp\"")) {
            return line;
        }
        g_free(line);
    }
}

static void test_id_echo(void)
{
    QTestState *s = qtest_init("-machine none");
    g_autofree char *ok = NULL, *err = NULL, *obj = NULL;
    g_autofree char *unknown = NULL, *bad = NULL;

    qtest_qmp_send(s, "{'execute': 'query-version', 'id': 'abc'}");
    ok = receive_response_line(s);
    g_assert_true(g_str_has_suffix(ok, ", \"id\": \"abc\"}"));
    qtest_qmp_send(s, "{'execute': 'stop', 'id': 7}");
    err = receive_response_line(s);
    g_assert_cmpstr(err, ==, "{\"return\": {}, \"id\": 7}");
    qtest_qmp_send(s, "{'execute': 'cont', 'id': {'a': [1, 'x']}}");
    obj = receive_response_line(s);
    g_assert_cmpstr(obj, ==, "{\"return\": {}, \"id\": {\"a\": [1, \"x\"]}}");
    /* Errors carry the id first, as in QEMU. */
    qtest_qmp_send(s, "{'execute': 'nope', 'id': 5}");
    unknown = receive_response_line(s);
    g_assert_cmpstr(unknown, ==, "{\"id\": 5, \"error\": {\"class\": "
                    "\"CommandNotFound\", \"desc\": \"The command nope has "
                    "not been found\"}}");
    qtest_qmp_send(s, "{'execute': 'qom-get', 'id': 'q', 'arguments': {}}");
    bad = receive_response_line(s);
    g_assert_cmpstr(bad, ==, "{\"id\": \"q\", \"error\": {\"class\": "
                    "\"GenericError\", \"desc\": \"Parameter 'path' is "
                    "missing\"}}");
    qtest_quit(s);
}

/* Values split across writes and several values in one write. */
static void test_stream_split(void)
{
    QTestState *s = qtest_init("-machine none");
    g_autoptr(JsonObject) r1 = NULL;
    g_autoptr(JsonObject) r2 = NULL;
    g_autoptr(JsonObject) r3 = NULL;

    qtest_qmp_send_raw(s, "{\"execute\": \"query-");
    qtest_qmp_send_raw(s, "status\", \"id\": 1}{\"execute\": \"query-ver");
    qtest_qmp_send_raw(s, "sion\", \"id\": \"}{\"}  {'execute': 'qom-list', "
                       "'arguments': {'path': '/'}, 'id': 3}");
    r1 = qtest_qmp_receive(s);
    r2 = qtest_qmp_receive(s);
    r3 = qtest_qmp_receive(s);
    g_assert_cmpint(json_object_get_int_member(r1, "id"), ==, 1);
    g_assert_true(json_object_has_member(r1, "return"));
    g_assert_cmpstr(json_object_get_string_member(r2, "id"), ==, "}{");
    g_assert_true(json_object_has_member(r2, "return"));
    g_assert_cmpint(json_object_get_int_member(r3, "id"), ==, 3);
    g_assert_true(json_object_has_member(r3, "return"));
    qtest_quit(s);
}

/* --- Several monitors --------------------------------------------------- */

static void test_second_monitor(void)
{
    g_autofree char *dir = g_dir_make_tmp("qmp-test-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "mon1.sock", NULL);
    QTestState *s = qtest_initf("-machine none -chardev socket,id=mon1,"
                                "path=%s,server=on,wait=off "
                                "-mon chardev=mon1,mode=control", path);
    RawClient c = raw_connect(path);
    g_autofree char *ev1 = NULL, *ev2 = NULL;

    raw_expect_line(&c, GREETING);
    /* Not negotiated yet: no events. */
    qtest_qmp_assert_success(s, "{'execute': 'stop'}");
    raw_send(&c, "{\"execute\": \"qmp_capabilities\"}");
    raw_expect_line(&c, "{\"return\": {}}");

    qtest_qmp_assert_success(s, "{'execute': 'cont'}");
    qtest_qmp_assert_success(s, "{'execute': 'stop'}");
    ev1 = raw_read_event_name(&c);
    ev2 = raw_read_event_name(&c);
    g_assert_cmpstr(ev1, ==, "RESUME");
    g_assert_cmpstr(ev2, ==, "STOP");
    /* Commands on the second monitor act on the same VM. */
    raw_send(&c, "{\"execute\": \"cont\", \"id\": 1}");
    g_free(ev1);
    ev1 = raw_read_event_name(&c);
    g_assert_cmpstr(ev1, ==, "RESUME");
    raw_expect_line(&c, "{\"return\": {}, \"id\": 1}");
    assert_status(s, "running", true);

    /* Leave in the middle of a value; a new client gets a new session. */
    raw_send(&c, "{\"execute\": \"query-");
    raw_close(&c);
    c = raw_connect(path);
    raw_expect_line(&c, GREETING);
    raw_send(&c, "{\"execute\": \"query-status\"}");
    raw_expect_line(&c, "{\"error\": {\"class\": \"CommandNotFound\", "
                    "\"desc\": \"Expecting capabilities negotiation with "
                    "'qmp_capabilities'\"}}");
    raw_send(&c, "\x01\xff garbage ]]] {\"execute\": \"qmp_capabilities\"}");
    raw_expect_line(&c, "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                    "\"JSON parse error, expecting value\"}}");
    raw_close(&c);

    /* The main monitor never noticed. */
    assert_status(s, "running", true);
    qtest_quit(s);
    unlink(path);
    rmdir(dir);
}

static void test_hmp_on_chardev(void)
{
    g_autofree char *dir = g_dir_make_tmp("qmp-test-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "hmp.sock", NULL);
    static const char banner[] = "sparsevm 0.1.0 monitor - type 'help' for "
                                 "more information\r\n(qemu) ";
    static const char reply[] = "0.1.0\r\n(qemu) ";
    QTestState *s = qtest_initf("-machine none -chardev socket,id=hmp0,"
                                "path=%s,server=on,wait=off "
                                "-mon chardev=hmp0", path);
    RawClient c = raw_connect(path);
    g_autofree char *got_banner = raw_read_bytes(&c, strlen(banner));
    g_autofree char *got_reply = NULL;

    g_assert_cmpstr(got_banner, ==, banner);
    raw_send(&c, "info version\r\n");
    got_reply = raw_read_bytes(&c, strlen(reply));
    g_assert_cmpstr(got_reply, ==, reply);
    raw_close(&c);
    qtest_quit(s);
    unlink(path);
    rmdir(dir);
}

/* --- Command-line errors ------------------------------------------------ */

static void check_start_error(const char *args, const char *expected)
{
    int status;
    g_autofree char *err = qtest_init_expect_fail(args, &status);

    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_cmpstr(err, ==, expected);
}

static void test_cmdline_errors(void)
{
    check_start_error("-qmp bogus:x",
                      "sparsevm: -qmp bogus:x: 'bogus:x' is not a valid "
                      "char driver\n");
    check_start_error("-qmp unix:/nonexistent/q",
                      "sparsevm: -qmp unix:/nonexistent/q: Failed to connect "
                      "to '/nonexistent/q': No such file or directory\n");
    check_start_error("-mon chardev=nope",
                      "sparsevm: -mon chardev=nope: chardev \"nope\" not "
                      "found\n");
    check_start_error("-chardev null,id=c -mon chardev=c,mode=bogus",
                      "sparsevm: -mon chardev=c,mode=bogus: Parameter 'mode' "
                      "does not accept value 'bogus'\n");
    check_start_error("-chardev foo,id=x",
                      "sparsevm: -chardev foo,id=x: 'foo' is not a valid "
                      "char driver name\n");
    check_start_error("-chardev socket,path=/tmp/x",
                      "sparsevm: -chardev socket,path=/tmp/x: chardev: no id "
                      "specified\n");
    check_start_error("-chardev socket,id=c0,path=/nonexistent/x",
                      "sparsevm: -chardev socket,id=c0,path=/nonexistent/x: "
                      "Failed to connect to '/nonexistent/x': No such file "
                      "or directory\n");
    check_start_error("-chardev socket,id=c0,path=/tmp/x,bogus=1",
                      "sparsevm: -chardev socket,id=c0,path=/tmp/x,bogus=1: "
                      "Invalid parameter 'bogus'\n");
    check_start_error("-chardev socket,id=c0,path=/tmp/x,server=maybe",
                      "sparsevm: -chardev socket,id=c0,path=/tmp/x,"
                      "server=maybe: Parameter 'server' expects 'on' or "
                      "'off'\n");
    check_start_error("-chardev null,id=c -chardev null,id=c",
                      "sparsevm: -chardev null,id=c: attempt to add "
                      "duplicate property 'c' to object (type "
                      "'container')\n");
    check_start_error("-accel foo", "sparsevm: -accel foo: invalid "
                      "accelerator foo\n");
    check_start_error("-accel qtest,foo=1", "sparsevm: -accel qtest,foo=1: "
                      "invalid accelerator qtest\n");
    check_start_error("-machine none,accel=tcg", "sparsevm: invalid "
                      "accelerator tcg\n");
    check_start_error("-qtest unix:/nonexistent/x",
                      "sparsevm: Failed to connect to '/nonexistent/x': No "
                      "such file or directory\n"
                      "sparsevm: Failed to initialize device for qtest: "
                      "\"unix:/nonexistent/x\"\n");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/qmp/greeting", test_greeting);
    qtest_add_func("/qmp/negotiation", test_negotiation);
    qtest_add_func("/qmp/query-version", test_query_version);
    qtest_add_func("/qmp/query-commands", test_query_commands);
    qtest_add_func("/qmp/status-stop-cont", test_status_stop_cont);
    qtest_add_func("/qmp/running-without-S", test_running_without_S);
    qtest_add_func("/qmp/system-reset", test_system_reset);
    qtest_add_func("/qmp/quit", test_quit);
    qtest_add_func("/qmp/sigterm", test_sigterm);
    qtest_add_func("/qmp/human-monitor-command", test_human_monitor_command);
    qtest_add_func("/qmp/object-add-del", test_object_add_del);
    qtest_add_func("/qmp/qom-backend", test_qom_backend);
    qtest_add_func("/qmp/qom-machine", test_qom_machine);
    qtest_add_func("/qmp/device-add-del", test_device_add_del);
    qtest_add_func("/qmp/malformed-input", test_malformed_input);
    qtest_add_func("/qmp/bad-requests", test_bad_requests);
    qtest_add_func("/qmp/id-echo", test_id_echo);
    qtest_add_func("/qmp/stream-split", test_stream_split);
    qtest_add_func("/qmp/second-monitor", test_second_monitor);
    qtest_add_func("/qmp/hmp-on-chardev", test_hmp_on_chardev);
    qtest_add_func("/qmp/cmdline-errors", test_cmdline_errors);
    return g_test_run();
}
