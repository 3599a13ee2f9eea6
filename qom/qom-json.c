/*
 * JSON values of QOM properties: the one place that decides how bool,
 * integers and strings travel as json-glib nodes (shared by QOM's typed
 * properties and qdev's static properties).
 */
#include "qemu/osdep.h"
#include "qom/qom-json.h"

JsonNode *qom_json_new_bool(bool value)
{
    JsonNode *node = json_node_new(JSON_NODE_VALUE);

    json_node_set_boolean(node, value);
    return node;
}

JsonNode *qom_json_new_int(int64_t value)
{
    JsonNode *node = json_node_new(JSON_NODE_VALUE);

    json_node_set_int(node, value);
    return node;
}

/* JSON integers are signed 64-bit here; larger values become doubles. */
JsonNode *qom_json_new_uint(uint64_t value)
{
    JsonNode *node;

    if (value <= INT64_MAX) {
        return qom_json_new_int(value);
    }
    node = json_node_new(JSON_NODE_VALUE);
    json_node_set_double(node, (double)value);
    return node;
}

JsonNode *qom_json_new_str(const char *value)
{
    JsonNode *node;

    if (!value) {
        return json_node_new(JSON_NODE_NULL);
    }
    node = json_node_new(JSON_NODE_VALUE);
    json_node_set_string(node, value);
    return node;
}

bool qom_json_holds(JsonNode *node, GType type)
{
    return node && JSON_NODE_HOLDS_VALUE(node) &&
           json_node_get_value_type(node) == type;
}

void qom_json_error_type(Error **errp, const char *name,
                         const char *expected)
{
    error_setg(errp, "Invalid parameter type for '%s', expected: %s",
               name, expected);
}

bool qom_json_get_bool(JsonNode *node, const char *name, bool *value,
                       Error **errp)
{
    if (!qom_json_holds(node, G_TYPE_BOOLEAN)) {
        qom_json_error_type(errp, name, "boolean");
        return false;
    }
    *value = json_node_get_boolean(node);
    return true;
}

bool qom_json_get_int(JsonNode *node, const char *name, int64_t *value,
                      Error **errp)
{
    if (!qom_json_holds(node, G_TYPE_INT64)) {
        qom_json_error_type(errp, name, "integer");
        return false;
    }
    *value = json_node_get_int(node);
    return true;
}

bool qom_json_get_uint(JsonNode *node, const char *name, uint64_t *value,
                       Error **errp)
{
    if (qom_json_holds(node, G_TYPE_INT64)) {
        int64_t v = json_node_get_int(node);

        if (v < 0) {
            error_setg(errp, "Parameter '%s' expects uint64", name);
            return false;
        }
        *value = v;
        return true;
    }
    if (qom_json_holds(node, G_TYPE_DOUBLE)) {
        double d = json_node_get_double(node);

        /*
         * Accept the doubles qom_json_new_uint() produces; 2^64 is what
         * UINT64_MAX rounds to, so saturate to keep that one exact.
         */
        if (d < 0x1p63 || d > 0x1p64) {      /* all integral this large */
            error_setg(errp, "Parameter '%s' expects uint64", name);
            return false;
        }
        *value = d == 0x1p64 ? UINT64_MAX : (uint64_t)d;
        return true;
    }
    qom_json_error_type(errp, name, "integer");
    return false;
}

bool qom_json_get_str(JsonNode *node, const char *name,
                      const char **value, Error **errp)
{
    if (!qom_json_holds(node, G_TYPE_STRING)) {
        qom_json_error_type(errp, name, "string");
        return false;
    }
    *value = json_node_get_string(node);
    return true;
}

static char *json_scalar_to_opt(JsonNode *node)
{
    if (!JSON_NODE_HOLDS_VALUE(node)) {
        return NULL;
    }
    switch (json_node_get_value_type(node)) {
    case G_TYPE_STRING:
        return g_strdup(json_node_get_string(node));
    case G_TYPE_INT64:
        return g_strdup_printf("%" PRId64, json_node_get_int(node));
    case G_TYPE_DOUBLE:
        return g_strdup_printf("%.17g", json_node_get_double(node));
    case G_TYPE_BOOLEAN:
        return g_strdup(json_node_get_boolean(node) ? "on" : "off");
    default:
        return NULL;
    }
}

KeyValList *qom_json_object_to_keyval(JsonObject *args, Error **errp)
{
    g_autoptr(KeyValList) opts = keyval_list_new();
    g_autoptr(GList) members = json_object_get_members(args);

    for (GList *l = members; l; l = l->next) {
        const char *key = l->data;
        g_autofree char *value =
            json_scalar_to_opt(json_object_get_member(args, key));

        if (value && !keyval_list_add(opts, key, value, errp)) {
            return NULL;
        }
    }
    return g_steal_pointer(&opts);
}
