/*
 * QMP internals: the JSON stream splitter, QEMU-style serialization and
 * parse errors, the dispatcher (negotiation, errors, argument checks, id)
 * and the rate limiting of events.
 */
#include "qemu/osdep.h"
#include "qapi/qmp/dispatch.h"
#include "qapi/qmp/qjson.h"
#include "qapi/qmp-event.h"
#include "monitor/monitor.h"
#include "qemu/timer.h"
#include "../../monitor/monitor-internal.h"

/* --- Splitter ----------------------------------------------------------- */

static void collect_value(void *opaque, const char *text)
{
    g_ptr_array_add(opaque, g_strdup(text));
}

static GPtrArray *split_chunks(const char *const *chunks)
{
    GPtrArray *values = g_ptr_array_new_with_free_func(g_free);
    JsonSplitter js;

    json_splitter_init(&js, collect_value, values);
    for (int i = 0; chunks[i]; i++) {
        json_splitter_feed(&js, chunks[i], strlen(chunks[i]));
    }
    json_splitter_destroy(&js);
    return values;
}

static void assert_values(GPtrArray *values, const char *const *expected)
{
    guint n = g_strv_length((char **)expected);

    g_assert_cmpuint(values->len, ==, n);
    for (guint i = 0; i < n; i++) {
        g_assert_cmpstr(g_ptr_array_index(values, i), ==, expected[i]);
    }
}

static void test_splitter_several_per_read(void)
{
    g_autoptr(GPtrArray) v = split_chunks((const char *[]){
        "{\"a\": 1}{\"b\": [1, {\"c\": 2}]}\n  [3]\"str\" 42 true\n", NULL });

    assert_values(v, (const char *[]){ "{\"a\": 1}",
                  "{\"b\": [1, {\"c\": 2}]}", "[3]", "\"str\"", "42",
                  "true", NULL });
}

/* Cut the same input at every position: the values never change. */
static void test_splitter_split_anywhere(void)
{
    const char *input = "{\"execute\": \"x}{\\\"\", 'id': '}\\''}"
                        "{\"execute\": \"y\"}";
    const char *expected[] = { "{\"execute\": \"x}{\\\"\", 'id': '}\\''}",
                               "{\"execute\": \"y\"}", NULL };

    for (size_t cut = 0; cut <= strlen(input); cut++) {
        g_autofree char *head = g_strndup(input, cut);
        g_autoptr(GPtrArray) v = split_chunks((const char *[]){
            head, input + cut, NULL });

        assert_values(v, expected);
    }
}

/* Stray closing brackets come out alone so that they fail to parse. */
static void test_splitter_stray_close(void)
{
    g_autoptr(GPtrArray) v = split_chunks((const char *[]){
        "{\"a\": 1}}garbage {\"b\": 2}", NULL });

    assert_values(v, (const char *[]){ "{\"a\": 1}", "}", "garbage",
                  "{\"b\": 2}", NULL });
}

/* A value not finished yet stays buffered. */
static void test_splitter_partial(void)
{
    g_autoptr(GPtrArray) v = split_chunks((const char *[]){
        "{\"a\": [1, 2", NULL });

    g_assert_cmpuint(v->len, ==, 0);
}

/* --- Serialization and parsing ------------------------------------------ */

static JsonNode *parse_ok(const char *text)
{
    Error *err = NULL;
    JsonNode *node = qmp_json_parse(text, &err);

    g_assert_null(err);
    g_assert_nonnull(node);
    return node;
}

static void test_json_qemu_format(void)
{
    g_autoptr(JsonNode) node = parse_ok(
        "{\"return\": {}, \"a\": [1, -2, true, null, \"s\"], \"e\": [],"
        " \"n\": {\"x\": 1.5}}");
    g_autofree char *text = qmp_json_to_string(node, false);

    g_assert_cmpstr(text, ==, "{\"return\": {}, \"a\": [1, -2, true, null, "
                    "\"s\"], \"e\": [], \"n\": {\"x\": 1.5}}");
}

static void test_json_escapes(void)
{
    g_autoptr(JsonNode) node = json_node_init_string(json_node_alloc(),
        "q\"b\\\n\r\t\x01\x7f\xc3\xa9\xf0\x9f\x98\x80");
    g_autofree char *text = qmp_json_to_string(node, false);

    g_assert_cmpstr(text, ==, "\"q\\\"b\\\\\\n\\r\\t\\u0001\\u007F\\u00E9"
                    "\\uD83D\\uDE00\"");
}

/* Bytes that are not UTF-8 never reach the output as they are. */
static void test_json_invalid_utf8(void)
{
    g_autoptr(JsonNode) node = json_node_init_string(json_node_alloc(), "a");
    g_autofree char *text = NULL;
    static const char bad[] = { 'x', (char)0xff, 'y', (char)0xe0, 0 };

    /* json-glib stores what it is given; the serializer must cope. */
    json_node_set_string(node, bad);
    text = qmp_json_to_string(node, false);
    g_assert_cmpstr(text, ==, "\"x\\uFFFDy\\uFFFD\"");
}

static void test_json_infinity(void)
{
    g_autoptr(JsonNode) node = parse_ok("[1e400, -1e400, 0.5]");
    g_autofree char *text = qmp_json_to_string(node, false);

    g_assert_cmpstr(text, ==, "[null, null, 0.5]");
}

static void test_json_pretty(void)
{
    g_autoptr(JsonNode) node = parse_ok("{\"a\": [1], \"b\": {}}");
    g_autofree char *text = qmp_json_to_string(node, true);

    g_assert_cmpstr(text, ==, "{\n    \"a\": [\n        1\n    ],\n"
                    "    \"b\": {\n    }\n}");
}

static void test_json_single_quotes(void)
{
    g_autoptr(JsonNode) node = parse_ok("{'a': 'it\\'s \"x\"', \"b\": 'c'}");
    JsonObject *obj = json_node_get_object(node);

    g_assert_cmpstr(json_object_get_string_member(obj, "a"), ==,
                    "it's \"x\"");
    g_assert_cmpstr(json_object_get_string_member(obj, "b"), ==, "c");
}

static void assert_parse_error(const char *text, const char *desc)
{
    Error *err = NULL;

    g_assert_null(qmp_json_parse(text, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, desc);
    error_free(err);
}

static void test_json_parse_errors(void)
{
    assert_parse_error("garbage", "JSON parse error, invalid keyword "
                       "'garbage'");
    assert_parse_error("{\"execute\": }", "JSON parse error, expecting value");
    assert_parse_error("}", "JSON parse error, expecting value");
    assert_parse_error("{\"a\" 1}", "JSON parse error, missing : in object "
                       "pair");
    assert_parse_error("g\xe0", "JSON parse error, expecting value");
    assert_parse_error("\"\xff\xe0\"", "JSON parse error, expecting value");
}

/* --- Dispatch ----------------------------------------------------------- */

static void cmd_echo(JsonObject *args, JsonNode **ret, Error **errp)
{
    *ret = json_node_init_object(json_node_alloc(), args);
}

static void cmd_fail(JsonObject *args, JsonNode **ret, Error **errp)
{
    error_setg(errp, "it failed");
}

static void cmd_nothing(JsonObject *args, JsonNode **ret, Error **errp)
{
}

/* Dispatch @request (JSON text) and return the response in QMP text. */
static char *dispatch_text(const char *request, bool negotiated)
{
    g_autoptr(JsonNode) node = parse_ok(request);
    g_autoptr(JsonObject) resp = qmp_dispatch(json_node_get_object(node),
                                              negotiated);

    return qmp_json_object_to_string(resp, false);
}

static void assert_dispatch(const char *request, bool negotiated,
                            const char *response)
{
    g_autofree char *text = dispatch_text(request, negotiated);

    g_assert_cmpstr(text, ==, response);
}

static void test_dispatch_commands(void)
{
    assert_dispatch("{'execute': 'test-echo', 'arguments': {'s': 'x', "
                    "'n': 3}, 'id': 'a'}", true,
                    "{\"return\": {\"s\": \"x\", \"n\": 3}, \"id\": \"a\"}");
    assert_dispatch("{'execute': 'test-nothing'}", true, "{\"return\": {}}");
    assert_dispatch("{'execute': 'test-fail', 'id': 5}", true,
                    "{\"id\": 5, \"error\": {\"class\": \"GenericError\", "
                    "\"desc\": \"it failed\"}}");
    assert_dispatch("{'execute': 'nope', 'id': [1]}", true,
                    "{\"id\": [1], \"error\": {\"class\": "
                    "\"CommandNotFound\", \"desc\": \"The command nope has "
                    "not been found\"}}");
}

static void test_dispatch_negotiation(void)
{
    assert_dispatch("{'execute': 'test-nothing'}", false,
                    "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                    "\"Expecting capabilities negotiation with "
                    "'qmp_capabilities'\"}}");
    assert_dispatch("{'execute': 'qmp_capabilities'}", false,
                    "{\"return\": {}}");
    assert_dispatch("{'execute': 'qmp_capabilities'}", true,
                    "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                    "\"Capabilities negotiation is already complete, command "
                    "ignored\"}}");
}

static void assert_dispatch_error(const char *request, const char *desc)
{
    g_autoptr(JsonNode) node = parse_ok(request);
    g_autoptr(JsonObject) resp = qmp_dispatch(json_node_get_object(node),
                                              true);
    JsonObject *err = json_object_get_object_member(resp, "error");

    g_assert_nonnull(err);
    g_assert_cmpstr(json_object_get_string_member(err, "class"), ==,
                    "GenericError");
    g_assert_cmpstr(json_object_get_string_member(err, "desc"), ==, desc);
}

static void test_dispatch_bad_requests(void)
{
    assert_dispatch_error("{'foo': 1}", "QMP input member 'foo' is "
                          "unexpected");
    assert_dispatch_error("{'id': 1}", "QMP input lacks member 'execute'");
    assert_dispatch_error("{'execute': 1}", "QMP input member 'execute' "
                          "must be a string");
    assert_dispatch_error("{'execute': 'test-args', 'arguments': []}",
                          "QMP input member 'arguments' must be an object");
    assert_dispatch_error("{'exec-oob': 'test-nothing'}",
                          "The command test-nothing does not support OOB");
}

static void test_dispatch_arguments(void)
{
    assert_dispatch("{'execute': 'test-args', 'arguments': {'s': 'a', "
                    "'i': 1, 'b': false, 'o': {}, 'a': [], 'x': 1.5}}",
                    true, "{\"return\": {}}");
    assert_dispatch("{'execute': 'test-args', 'arguments': {'s': 'a', "
                    "'i': 1, 'b': true, 'o': {}, 'a': [], 'x': 2, "
                    "'opt': 'y'}}", true, "{\"return\": {}}");
    assert_dispatch_error("{'execute': 'test-args', 'arguments': {'i': 1}}",
                          "Parameter 's' is missing");
    assert_dispatch_error("{'execute': 'test-args', 'arguments': {'s': 1, "
                          "'i': 1, 'b': true, 'o': {}, 'a': [], 'x': 1}}",
                          "Invalid parameter type for 's', expected: string");
    assert_dispatch_error("{'execute': 'test-args', 'arguments': {'s': '', "
                          "'i': 'one', 'b': true, 'o': {}, 'a': [], "
                          "'x': 1}}",
                          "Invalid parameter type for 'i', expected: "
                          "integer");
    assert_dispatch_error("{'execute': 'test-args', 'arguments': {'s': '', "
                          "'i': 1, 'b': 1, 'o': {}, 'a': [], 'x': 1}}",
                          "Invalid parameter type for 'b', expected: "
                          "boolean");
    assert_dispatch_error("{'execute': 'test-args', 'arguments': {'s': '', "
                          "'i': 1, 'b': true, 'o': [], 'a': [], 'x': 1}}",
                          "Invalid parameter type for 'o', expected: object");
    assert_dispatch_error("{'execute': 'test-args', 'arguments': {'s': '', "
                          "'i': 1, 'b': true, 'o': {}, 'a': {}, 'x': 1}}",
                          "Invalid parameter type for 'a', expected: array");
    assert_dispatch_error("{'execute': 'test-args', 'arguments': {'s': '', "
                          "'i': 1, 'b': true, 'o': {}, 'a': [], 'x': 's'}}",
                          "Invalid parameter type for 'x', expected: number");
    assert_dispatch_error("{'execute': 'test-args', 'arguments': {'s': '', "
                          "'i': 1, 'b': true, 'o': {}, 'a': [], 'x': 1, "
                          "'extra': 0}}", "Parameter 'extra' is unexpected");
    assert_dispatch_error("{'execute': 'test-nothing-checked', "
                          "'arguments': {'a': 1}}",
                          "Parameter 'a' is unexpected");
}

static void test_dispatch_registry(void)
{
    g_auto(GStrv) names = NULL;

    g_assert_true(qmp_command_exists("test-echo"));
    g_assert_false(qmp_command_exists("test-gone"));
    qmp_register_command("test-gone", cmd_nothing, QCO_NO_OPTIONS);
    g_assert_true(qmp_command_exists("test-gone"));
    qmp_unregister_command("test-gone");
    g_assert_false(qmp_command_exists("test-gone"));

    names = qmp_command_names();
    for (int i = 1; names[i]; i++) {
        g_assert_cmpint(strcmp(names[i - 1], names[i]), <, 0);
    }
    g_assert_true(g_strv_contains((const char *const *)names, "test-fail"));
}

/* --- Events ------------------------------------------------------------- */

static GPtrArray *events_seen;  /* of char *: "NAME size" or "NAME" */

static void record_event(JsonObject *event, void *opaque)
{
    JsonObject *data = json_object_has_member(event, "data")
        ? json_object_get_object_member(event, "data") : NULL;
    JsonObject *ts = json_object_get_object_member(event, "timestamp");
    const char *name = json_object_get_string_member(event, "event");

    g_assert_true(json_object_has_member(ts, "seconds"));
    g_assert_true(json_object_has_member(ts, "microseconds"));
    if (data && json_object_has_member(data, "size")) {
        g_ptr_array_add(events_seen, g_strdup_printf("%s %s %" PRId64, name,
            json_object_get_string_member(data, "qom-path"),
            json_object_get_int_member(data, "size")));
    } else {
        g_ptr_array_add(events_seen, g_strdup(name));
    }
}

static void send_size_change(const char *qom_path, int64_t size)
{
    JsonObject *data = json_object_new();

    json_object_set_int_member(data, "size", size);
    json_object_set_string_member(data, "qom-path", qom_path);
    qapi_event_send("MEMORY_DEVICE_SIZE_CHANGE", data);
}

static void events_setup(void)
{
    qemu_clock_set_virtual_manual(true);
    monitor_event_throttle_set_clock(QEMU_CLOCK_VIRTUAL);
    events_seen = g_ptr_array_new_with_free_func(g_free);
    monitor_add_event_listener(record_event, NULL);
}

static void events_teardown(void)
{
    monitor_remove_event_listener(record_event, NULL);
    monitor_event_throttle_reset();
    g_ptr_array_free(events_seen, TRUE);
}

static void assert_events(const char *const *expected)
{
    assert_values(events_seen, expected);
}

static void advance_virtual(int64_t ns)
{
    qemu_clock_advance_virtual(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + ns);
}

/*
 * Three events for one device within a period: the first at once, the
 * last when the period ends, the middle one never.
 */
static void test_event_throttle(void)
{
    const int64_t period = NANOSECONDS_PER_SECOND;

    events_setup();
    g_assert_cmpint(monitor_event_throttle_period("MEMORY_DEVICE_SIZE_CHANGE"),
                    ==, period);
    send_size_change("/machine/peripheral/vm0", 1);
    assert_events((const char *[]){ "MEMORY_DEVICE_SIZE_CHANGE "
                  "/machine/peripheral/vm0 1", NULL });
    advance_virtual(period / 4);
    send_size_change("/machine/peripheral/vm0", 2);
    advance_virtual(period / 4);
    send_size_change("/machine/peripheral/vm0", 3);
    g_assert_cmpuint(events_seen->len, ==, 1);

    advance_virtual(period / 2 - 1);
    g_assert_cmpuint(events_seen->len, ==, 1);
    advance_virtual(1);
    assert_events((const char *[]){
        "MEMORY_DEVICE_SIZE_CHANGE /machine/peripheral/vm0 1",
        "MEMORY_DEVICE_SIZE_CHANGE /machine/peripheral/vm0 3", NULL });

    /* Delivering 3 opened a new period: 4 waits for its end. */
    send_size_change("/machine/peripheral/vm0", 4);
    g_assert_cmpuint(events_seen->len, ==, 2);
    advance_virtual(period);
    g_assert_cmpuint(events_seen->len, ==, 3);
    g_assert_cmpstr(g_ptr_array_index(events_seen, 2), ==,
                    "MEMORY_DEVICE_SIZE_CHANGE /machine/peripheral/vm0 4");

    /* A quiet period closes the state: the next event goes out at once. */
    advance_virtual(period);
    send_size_change("/machine/peripheral/vm0", 5);
    g_assert_cmpuint(events_seen->len, ==, 4);
    events_teardown();
}

/* Devices are throttled independently; other events are never delayed. */
static void test_event_throttle_per_device(void)
{
    events_setup();
    send_size_change("/machine/peripheral/a", 1);
    send_size_change("/machine/peripheral/b", 1);
    send_size_change("/machine/peripheral/a", 2);
    qapi_event_send("STOP", NULL);
    qapi_event_send("STOP", NULL);
    assert_events((const char *[]){
        "MEMORY_DEVICE_SIZE_CHANGE /machine/peripheral/a 1",
        "MEMORY_DEVICE_SIZE_CHANGE /machine/peripheral/b 1",
        "STOP", "STOP", NULL });
    advance_virtual(NANOSECONDS_PER_SECOND);
    g_assert_cmpuint(events_seen->len, ==, 5);
    g_assert_cmpstr(g_ptr_array_index(events_seen, 4), ==,
                    "MEMORY_DEVICE_SIZE_CHANGE /machine/peripheral/a 2");
    g_assert_cmpint(monitor_event_throttle_period("STOP"), ==, 0);
    events_teardown();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qmp_register_command("test-echo", cmd_echo, QCO_NO_OPTIONS);
    qmp_register_command("test-fail", cmd_fail, QCO_NO_OPTIONS);
    qmp_register_command("test-nothing", cmd_nothing, QCO_NO_OPTIONS);
    qmp_register_command_args("test-nothing-checked", cmd_nothing,
                              QCO_NO_OPTIONS, "");
    qmp_register_command_args("test-args", cmd_nothing, QCO_NO_OPTIONS,
                              "s:str i:int b:bool o:object a:array "
                              "x:number opt?:str");

    g_test_add_func("/qmp/splitter/several-per-read",
                    test_splitter_several_per_read);
    g_test_add_func("/qmp/splitter/split-anywhere",
                    test_splitter_split_anywhere);
    g_test_add_func("/qmp/splitter/stray-close", test_splitter_stray_close);
    g_test_add_func("/qmp/splitter/partial", test_splitter_partial);
    g_test_add_func("/qmp/json/qemu-format", test_json_qemu_format);
    g_test_add_func("/qmp/json/escapes", test_json_escapes);
    g_test_add_func("/qmp/json/pretty", test_json_pretty);
    g_test_add_func("/qmp/json/infinity", test_json_infinity);
    g_test_add_func("/qmp/json/invalid-utf8", test_json_invalid_utf8);
    g_test_add_func("/qmp/json/single-quotes", test_json_single_quotes);
    g_test_add_func("/qmp/json/parse-errors", test_json_parse_errors);
    g_test_add_func("/qmp/dispatch/commands", test_dispatch_commands);
    g_test_add_func("/qmp/dispatch/negotiation", test_dispatch_negotiation);
    g_test_add_func("/qmp/dispatch/bad-requests", test_dispatch_bad_requests);
    g_test_add_func("/qmp/dispatch/arguments", test_dispatch_arguments);
    g_test_add_func("/qmp/dispatch/registry", test_dispatch_registry);
    g_test_add_func("/qmp/event/throttle", test_event_throttle);
    g_test_add_func("/qmp/event/throttle-per-device",
                    test_event_throttle_per_device);
    return g_test_run();
}
