/*
 * The built-in QMP commands.
 */
#include "qemu/osdep.h"
#include "qapi/qmp/dispatch.h"
#include "monitor/hmp.h"
#include "monitor-internal.h"
#include "qom/object.h"
#include "qapi/qmp-event.h"
#include "hw/qdev-core.h"
#include "sysemu/runstate.h"

#define SPARSEVM_MAJOR 0
#define SPARSEVM_MINOR 1
#define SPARSEVM_MICRO 0
#define SPARSEVM_PACKAGE "sparsevm 0.1.0"

JsonObject *qmp_version_info(void)
{
    JsonObject *info = json_object_new();
    JsonObject *qemu = json_object_new();

    json_object_set_int_member(qemu, "micro", SPARSEVM_MICRO);
    json_object_set_int_member(qemu, "minor", SPARSEVM_MINOR);
    json_object_set_int_member(qemu, "major", SPARSEVM_MAJOR);
    json_object_set_object_member(info, "qemu", qemu);
    json_object_set_string_member(info, "package", SPARSEVM_PACKAGE);
    return info;
}

static JsonNode *node_from_object(JsonObject *obj)
{
    return json_node_init_object(json_node_alloc(), obj);
}

static void qmp_capabilities(JsonObject *args, JsonNode **ret, Error **errp)
{
    JsonArray *enable;

    if (!json_object_has_member(args, "enable")) {
        return;
    }
    enable = json_object_get_array_member(args, "enable");
    for (guint i = 0; i < json_array_get_length(enable); i++) {
        JsonNode *cap = json_array_get_element(enable, i);

        if (!JSON_NODE_HOLDS_VALUE(cap) ||
            json_node_get_value_type(cap) != G_TYPE_STRING) {
            error_setg(errp, "Invalid parameter type for 'enable[%u]', "
                       "expected: string", i);
            return;
        }
        if (strcmp(json_node_get_string(cap), "oob")) {
            /* QEMU 7.2 names the parameter 'null' here. */
            error_setg(errp, "Parameter 'null' does not accept value '%s'",
                       json_node_get_string(cap));
            return;
        }
    }
}

static void qmp_query_version(JsonObject *args, JsonNode **ret, Error **errp)
{
    *ret = node_from_object(qmp_version_info());
}

static void qmp_query_status(JsonObject *args, JsonNode **ret, Error **errp)
{
    JsonObject *info = json_object_new();

    json_object_set_string_member(info, "status",
                                  qapi_enum_lookup(&RunState_lookup,
                                                   runstate_get()));
    json_object_set_boolean_member(info, "singlestep", false);
    json_object_set_boolean_member(info, "running", runstate_is_running());
    *ret = node_from_object(info);
}

static void qmp_query_commands(JsonObject *args, JsonNode **ret,
                               Error **errp)
{
    g_auto(GStrv) names = qmp_command_names();
    JsonArray *list = json_array_new();

    for (int i = 0; names[i]; i++) {
        JsonObject *info = json_object_new();

        json_object_set_string_member(info, "name", names[i]);
        json_array_add_object_element(list, info);
    }
    *ret = json_node_init_array(json_node_alloc(), list);
    json_array_unref(list);
}

static void qmp_stop(JsonObject *args, JsonNode **ret, Error **errp)
{
    /* Before the first start, only the later start is cancelled. */
    if (runstate_check(RUN_STATE_PRELAUNCH)) {
        return;
    }
    vm_stop(RUN_STATE_PAUSED);
}

static void qmp_cont(JsonObject *args, JsonNode **ret, Error **errp)
{
    if (runstate_check(RUN_STATE_SHUTDOWN) ||
        runstate_check(RUN_STATE_INTERNAL_ERROR)) {
        error_setg(errp, "Resetting the Virtual Machine is required");
        return;
    }
    vm_start();
}

static void qmp_system_reset(JsonObject *args, JsonNode **ret, Error **errp)
{
    qemu_system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
}

static void qmp_quit(JsonObject *args, JsonNode **ret, Error **errp)
{
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
}

static void qmp_human_monitor_command(JsonObject *args, JsonNode **ret,
                                      Error **errp)
{
    const char *cmdline = json_object_get_string_member(args, "command-line");
    g_autoptr(GString) out = g_string_new(NULL);
    GString *crlf = g_string_new(NULL);

    hmp_handle_command(cmdline, out);
    /* QEMU's monitor output uses CR LF line ends. */
    for (gsize i = 0; i < out->len; i++) {
        if (out->str[i] == '\n') {
            g_string_append_c(crlf, '\r');
        }
        g_string_append_c(crlf, out->str[i]);
    }
    *ret = json_node_init_string(json_node_alloc(), crlf->str);
    g_string_free(crlf, TRUE);
}

/* The object at @path (absolute or partial), or an error as in QEMU. */
static Object *qom_resolve(const char *path, Error **errp)
{
    bool ambiguous = false;
    Object *obj = object_resolve_path(path, &ambiguous);

    if (!obj) {
        if (ambiguous) {
            error_setg(errp, "Path '%s' is ambiguous", path);
        } else {
            error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                      "Device '%s' not found", path);
        }
    }
    return obj;
}

static void qmp_qom_list(JsonObject *args, JsonNode **ret, Error **errp)
{
    Object *obj = qom_resolve(json_object_get_string_member(args, "path"),
                              errp);
    ObjectPropertyIterator iter;
    ObjectProperty *prop;
    JsonArray *list;

    if (!obj) {
        return;
    }
    list = json_array_new();
    object_property_iter_init(&iter, obj);
    while ((prop = object_property_iter_next(&iter))) {
        JsonObject *info = json_object_new();

        json_object_set_string_member(info, "name", prop->name);
        json_object_set_string_member(info, "type", prop->type);
        json_array_add_object_element(list, info);
    }
    *ret = json_node_init_array(json_node_alloc(), list);
    json_array_unref(list);
}

static void qmp_qom_get(JsonObject *args, JsonNode **ret, Error **errp)
{
    Object *obj = qom_resolve(json_object_get_string_member(args, "path"),
                              errp);

    if (obj) {
        *ret = object_property_get_json(obj,
            json_object_get_string_member(args, "property"), errp);
    }
}

static void qmp_qom_set(JsonObject *args, JsonNode **ret, Error **errp)
{
    Object *obj = qom_resolve(json_object_get_string_member(args, "path"),
                              errp);

    if (obj) {
        object_property_set_json(obj,
                                 json_object_get_string_member(args,
                                                               "property"),
                                 json_object_get_member(args, "value"),
                                 errp);
    }
}

/* Every member but "driver"/"id"/"bus" is a device property. */
static void qmp_device_add(JsonObject *args, JsonNode **ret, Error **errp)
{
    JsonNode *driver = json_object_get_member(args, "driver");

    if (!driver) {
        error_setg(errp, "Parameter 'driver' is missing");
        return;
    }
    if (!JSON_NODE_HOLDS_VALUE(driver) ||
        json_node_get_value_type(driver) != G_TYPE_STRING) {
        error_setg(errp, "Invalid parameter type for 'driver', expected: "
                   "string");
        return;
    }
    qdev_device_add_from_json(args, errp);
}

static void qmp_device_del(JsonObject *args, JsonNode **ret, Error **errp)
{
    const char *id = json_object_get_string_member(args, "id");
    DeviceState *dev = qdev_find_by_id_or_path(id);
    g_autofree char *path = NULL;
    g_autofree char *dev_id = NULL;
    JsonObject *data;

    if (!dev) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Device '%s' not found", id);
        return;
    }
    path = object_get_canonical_path(OBJECT(dev));
    dev_id = g_strdup(dev->id);
    if (!qdev_device_del(id, errp)) {
        return;
    }
    /* Gone already (no unplug request to the guest): say so, as QEMU. */
    if (!qdev_find_by_id_or_path(path)) {
        data = json_object_new();
        if (dev_id) {
            json_object_set_string_member(data, "device", dev_id);
        }
        json_object_set_string_member(data, "path", path);
        qapi_event_send("DEVICE_DELETED", data);
    }
}

static void qmp_register_builtin_commands(void)
{
    qmp_register_command_args("qmp_capabilities", qmp_capabilities,
                              QCO_ALLOW_PRECONFIG, "enable?:array");
    qmp_register_command_args("query-version", qmp_query_version,
                              QCO_NO_OPTIONS, "");
    qmp_register_command_args("query-status", qmp_query_status,
                              QCO_NO_OPTIONS, "");
    qmp_register_command_args("query-commands", qmp_query_commands,
                              QCO_NO_OPTIONS, "");
    qmp_register_command_args("stop", qmp_stop, QCO_NO_OPTIONS, "");
    qmp_register_command_args("cont", qmp_cont, QCO_NO_OPTIONS, "");
    qmp_register_command_args("system_reset", qmp_system_reset,
                              QCO_NO_OPTIONS, "");
    qmp_register_command_args("quit", qmp_quit, QCO_NO_OPTIONS, "");
    qmp_register_command_args("human-monitor-command",
                              qmp_human_monitor_command, QCO_NO_OPTIONS,
                              "command-line:str cpu-index?:int");
    qmp_register_command_args("qom-list", qmp_qom_list, QCO_NO_OPTIONS,
                              "path:str");
    qmp_register_command_args("qom-get", qmp_qom_get, QCO_NO_OPTIONS,
                              "path:str property:str");
    qmp_register_command_args("qom-set", qmp_qom_set, QCO_NO_OPTIONS,
                              "path:str property:str value:any");
    qmp_register_command("device_add", qmp_device_add, QCO_NO_OPTIONS);
    qmp_register_command_args("device_del", qmp_device_del, QCO_NO_OPTIONS,
                              "id:str");
}

type_init(qmp_register_builtin_commands)
