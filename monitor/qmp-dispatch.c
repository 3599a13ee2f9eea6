/*
 * The QMP command registry and request dispatcher.
 */
#include "qemu/osdep.h"
#include "qapi/qmp/dispatch.h"

typedef struct QmpCommand {
    char *name;
    QmpCommandFunc *fn;
    unsigned options;
    char *args_schema;          /* NULL: arguments not checked */
} QmpCommand;

static GHashTable *commands;    /* name -> QmpCommand * */

static void qmp_command_free(gpointer data)
{
    QmpCommand *cmd = data;

    g_free(cmd->name);
    g_free(cmd->args_schema);
    g_free(cmd);
}

static GHashTable *command_table(void)
{
    if (!commands) {
        commands = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                         qmp_command_free);
    }
    return commands;
}

static void register_command(const char *name, QmpCommandFunc *fn,
                             unsigned options, const char *schema)
{
    QmpCommand *cmd = g_new0(QmpCommand, 1);

    g_assert(!qmp_command_exists(name));
    cmd->name = g_strdup(name);
    cmd->fn = fn;
    cmd->options = options;
    cmd->args_schema = g_strdup(schema);
    g_hash_table_insert(command_table(), cmd->name, cmd);
}

void qmp_register_command(const char *name, QmpCommandFunc *fn,
                          unsigned options)
{
    register_command(name, fn, options, NULL);
}

void qmp_register_command_args(const char *name, QmpCommandFunc *fn,
                               unsigned options, const char *args_schema)
{
    g_assert(args_schema);
    register_command(name, fn, options, args_schema);
}

void qmp_unregister_command(const char *name)
{
    g_hash_table_remove(command_table(), name);
}

bool qmp_command_exists(const char *name)
{
    return g_hash_table_contains(command_table(), name);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **qmp_command_names(void)
{
    guint n;
    char **names = (char **)g_hash_table_get_keys_as_array(command_table(),
                                                           &n);
    char **copy = g_new0(char *, n + 1);

    for (guint i = 0; i < n; i++) {
        copy[i] = g_strdup(names[i]);
    }
    g_free(names);
    qsort(copy, n, sizeof(char *), compare_names);
    return copy;
}

/* --- Argument schemas --------------------------------------------------- */

typedef struct ArgSpec {
    char *name;
    const char *type;           /* schema type name */
    bool optional;
} ArgSpec;

static const struct {
    const char *name;
    const char *qapi_name;      /* as in QEMU's "expected: ..." */
} arg_types[] = {
    { "str", "string" },
    { "int", "integer" },
    { "bool", "boolean" },
    { "number", "number" },
    { "object", "object" },
    { "array", "array" },
    { "any", "any" },
};

static const char *arg_type_qapi_name(const char *type)
{
    for (size_t i = 0; i < ARRAY_SIZE(arg_types); i++) {
        if (!strcmp(arg_types[i].name, type)) {
            return arg_types[i].qapi_name;
        }
    }
    g_error("QMP argument schema: unknown type '%s'", type);
}

static bool node_has_type(JsonNode *node, const char *type)
{
    GType vt;

    if (!strcmp(type, "any")) {
        return !JSON_NODE_HOLDS_NULL(node);
    }
    if (!strcmp(type, "object")) {
        return JSON_NODE_HOLDS_OBJECT(node);
    }
    if (!strcmp(type, "array")) {
        return JSON_NODE_HOLDS_ARRAY(node);
    }
    if (!JSON_NODE_HOLDS_VALUE(node)) {
        return false;
    }
    vt = json_node_get_value_type(node);
    if (!strcmp(type, "str")) {
        return vt == G_TYPE_STRING;
    }
    if (!strcmp(type, "int")) {
        return vt == G_TYPE_INT64;
    }
    if (!strcmp(type, "bool")) {
        return vt == G_TYPE_BOOLEAN;
    }
    /* number */
    return vt == G_TYPE_INT64 || vt == G_TYPE_DOUBLE;
}

/* Parse "a:str b?:int" into specs; a malformed schema is a bug. */
static GArray *parse_schema(const char *schema)
{
    g_auto(GStrv) items = g_strsplit_set(schema, " \t", -1);
    GArray *specs = g_array_new(FALSE, TRUE, sizeof(ArgSpec));

    for (int i = 0; items[i]; i++) {
        const char *colon = strchr(items[i], ':');
        ArgSpec spec = { 0 };
        size_t len;

        if (!*items[i]) {
            continue;
        }
        g_assert(colon);
        len = colon - items[i];
        spec.optional = len && items[i][len - 1] == '?';
        spec.name = g_strndup(items[i], spec.optional ? len - 1 : len);
        arg_type_qapi_name(colon + 1);      /* asserts the type is known */
        spec.type = g_intern_string(colon + 1);
        g_array_append_val(specs, spec);
    }
    return specs;
}

static void free_schema(GArray *specs)
{
    for (guint i = 0; i < specs->len; i++) {
        g_free(g_array_index(specs, ArgSpec, i).name);
    }
    g_array_free(specs, TRUE);
}

static const ArgSpec *find_spec(GArray *specs, const char *name)
{
    for (guint i = 0; i < specs->len; i++) {
        const ArgSpec *spec = &g_array_index(specs, ArgSpec, i);

        if (!strcmp(spec->name, name)) {
            return spec;
        }
    }
    return NULL;
}

bool qmp_args_check(JsonObject *args, const char *schema, Error **errp)
{
    GArray *specs = parse_schema(schema);
    g_autoptr(GList) members = json_object_get_members(args);
    bool ok = false;

    for (guint i = 0; i < specs->len; i++) {
        const ArgSpec *spec = &g_array_index(specs, ArgSpec, i);
        JsonNode *node = json_object_get_member(args, spec->name);

        if (!node) {
            if (!spec->optional) {
                error_setg(errp, "Parameter '%s' is missing", spec->name);
                goto out;
            }
            continue;
        }
        if (!node_has_type(node, spec->type)) {
            error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                       spec->name, arg_type_qapi_name(spec->type));
            goto out;
        }
    }
    for (GList *l = members; l; l = l->next) {
        if (!find_spec(specs, l->data)) {
            error_setg(errp, "Parameter '%s' is unexpected",
                       (const char *)l->data);
            goto out;
        }
    }
    ok = true;
out:
    free_schema(specs);
    return ok;
}

/* --- Dispatch ------------------------------------------------------------- */

JsonObject *qmp_error_response(const char *klass, const char *desc)
{
    JsonObject *resp = json_object_new();
    JsonObject *err = json_object_new();

    json_object_set_string_member(err, "class", klass);
    json_object_set_string_member(err, "desc", desc);
    json_object_set_object_member(resp, "error", err);
    return resp;
}

/* QEMU puts "id" first in errors and last in successful responses. */
static JsonObject *error_response_with_id(const char *klass,
                                          const char *desc, JsonNode *id)
{
    JsonObject *resp = json_object_new();
    JsonObject *err = json_object_new();

    if (id) {
        json_object_set_member(resp, "id", json_node_copy(id));
    }
    json_object_set_string_member(err, "class", klass);
    json_object_set_string_member(err, "desc", desc);
    json_object_set_object_member(resp, "error", err);
    return resp;
}

static JsonObject *error_response_from(Error *err, JsonNode *id)
{
    JsonObject *resp = error_response_with_id(
        ErrorClass_str(error_get_class(err)), error_get_pretty(err), id);

    error_free(err);
    return resp;
}

/* QEMU's checks of the request object itself. */
static bool check_request(JsonObject *request, Error **errp)
{
    g_autoptr(GList) members = json_object_get_members(request);

    for (GList *l = members; l; l = l->next) {
        const char *key = l->data;
        JsonNode *node = json_object_get_member(request, key);

        if (!strcmp(key, "execute") || !strcmp(key, "exec-oob")) {
            if (!JSON_NODE_HOLDS_VALUE(node) ||
                json_node_get_value_type(node) != G_TYPE_STRING) {
                error_setg(errp, "QMP input member '%s' must be a string",
                           key);
                return false;
            }
        } else if (!strcmp(key, "arguments")) {
            if (!JSON_NODE_HOLDS_OBJECT(node)) {
                error_setg(errp, "QMP input member 'arguments' must be an "
                           "object");
                return false;
            }
        } else if (strcmp(key, "id") && strcmp(key, "control")) {
            error_setg(errp, "QMP input member '%s' is unexpected", key);
            return false;
        }
    }
    if (!json_object_has_member(request, "execute") &&
        !json_object_has_member(request, "exec-oob")) {
        error_setg(errp, "QMP input lacks member 'execute'");
        return false;
    }
    return true;
}

static JsonObject *run_command(QmpCommand *cmd, JsonObject *args,
                               JsonNode *id)
{
    Error *err = NULL;
    JsonNode *ret = NULL;
    JsonObject *resp;

    if (cmd->args_schema && !qmp_args_check(args, cmd->args_schema, &err)) {
        return error_response_from(err, id);
    }
    cmd->fn(args, &ret, &err);
    if (err) {
        if (ret) {
            json_node_unref(ret);
        }
        return error_response_from(err, id);
    }
    resp = json_object_new();
    if (!ret) {
        ret = json_node_init_object(json_node_alloc(), json_object_new());
    }
    json_object_set_member(resp, "return", ret);
    if (id) {
        json_object_set_member(resp, "id", json_node_copy(id));
    }
    return resp;
}

JsonObject *qmp_dispatch(JsonObject *request, bool negotiated)
{
    JsonNode *id = json_object_get_member(request, "id");
    g_autoptr(JsonObject) empty_args = NULL;
    Error *err = NULL;
    const char *name;
    JsonObject *args;
    QmpCommand *cmd;
    g_autofree char *msg = NULL;

    if (!check_request(request, &err)) {
        return error_response_from(err, id);
    }
    if (json_object_has_member(request, "exec-oob")) {
        name = json_object_get_string_member(request, "exec-oob");
        msg = g_strdup_printf("The command %s does not support OOB", name);
        return error_response_with_id(QMP_ERROR_CLASS_GENERIC, msg, id);
    }
    name = json_object_get_string_member(request, "execute");
    cmd = g_hash_table_lookup(command_table(), name);
    if (!negotiated && (!cmd || !(cmd->options & QCO_ALLOW_PRECONFIG))) {
        return error_response_with_id(QMP_ERROR_CLASS_COMMAND_NOT_FOUND,
            "Expecting capabilities negotiation with 'qmp_capabilities'", id);
    }
    if (negotiated && !strcmp(name, "qmp_capabilities")) {
        return error_response_with_id(QMP_ERROR_CLASS_COMMAND_NOT_FOUND,
            "Capabilities negotiation is already complete, command ignored",
            id);
    }
    if (!cmd) {
        msg = g_strdup_printf("The command %s has not been found", name);
        return error_response_with_id(QMP_ERROR_CLASS_COMMAND_NOT_FOUND, msg,
                                      id);
    }
    if (json_object_has_member(request, "arguments")) {
        args = json_object_get_object_member(request, "arguments");
    } else {
        empty_args = json_object_new();
        args = empty_args;
    }
    return run_command(cmd, args, id);
}
