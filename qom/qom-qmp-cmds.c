/*
 * QMP object-add / object-del: -object at run time.
 */
#include "qemu/osdep.h"
#include "qapi/qmp/dispatch.h"
#include "qom/object_interfaces.h"
#include "qom/qom-json.h"
#include "sysemu/hostmem.h"

/*
 * What QEMU's QAPI schema for object-add checks before any object exists:
 * the type is one of the user-creatable ones, and the members the schema
 * makes mandatory are there.
 */
static bool object_add_check_schema(const char *type, const KeyValList *props,
                                    Error **errp)
{
    ObjectClass *oc = object_class_by_name(type);

    if (!oc || object_class_is_abstract(oc) ||
        !object_class_dynamic_cast(oc, TYPE_USER_CREATABLE)) {
        error_setg(errp, "Parameter 'qom-type' does not accept value '%s'",
                   type);
        return false;
    }
    for (size_t i = 0; i < keyval_list_length(props); i++) {
        const char *key = keyval_list_nth(props, i)->key;

        if (!object_class_property_find(oc, key)) {
            error_setg(errp, "Parameter '%s' is unexpected", key);
            return false;
        }
    }
    if (object_class_dynamic_cast(oc, TYPE_MEMORY_BACKEND) &&
        !keyval_list_get(props, "size")) {
        error_setg(errp, "Parameter '%s' is missing", "size");
        return false;
    }
    if (object_class_dynamic_cast(oc, TYPE_MEMORY_BACKEND_FILE) &&
        !keyval_list_get(props, "mem-path")) {
        error_setg(errp, "Parameter '%s' is missing", "mem-path");
        return false;
    }
    return true;
}

/* {"qom-type": TYPE, "id": ID, PROP: VALUE...}: like -object TYPE,id=ID,... */
static void qmp_object_add(JsonObject *args, JsonNode **ret, Error **errp)
{
    g_autoptr(KeyValList) props = qom_json_object_to_keyval(args, errp);
    g_autofree char *type = NULL;
    g_autofree char *id = NULL;

    if (!props) {
        return;
    }
    type = keyval_list_remove(props, "qom-type");
    if (!type) {
        error_setg(errp, "Parameter '%s' is missing", "qom-type");
        return;
    }
    id = keyval_list_remove(props, "id");
    if (!id) {
        error_setg(errp, "Parameter '%s' is missing", "id");
        return;
    }
    if (object_add_check_schema(type, props, errp)) {
        user_creatable_add_type(type, id, props, errp);
    }
}

static void qmp_object_del(JsonObject *args, JsonNode **ret, Error **errp)
{
    user_creatable_del(json_object_get_string_member(args, "id"), errp);
}

static void qom_qmp_register_commands(void)
{
    qmp_register_command("object-add", qmp_object_add, QCO_NO_OPTIONS);
    qmp_register_command_args("object-del", qmp_object_del, QCO_NO_OPTIONS,
                              "id:str");
}

type_init(qom_qmp_register_commands)
