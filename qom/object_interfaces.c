/*
 * User-creatable objects: the "user-creatable" interface and -object.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/help_option.h"
#include "qemu/id.h"
#include "qom/object_interfaces.h"

bool user_creatable_complete(UserCreatable *uc, Error **errp)
{
    UserCreatableClass *ucc = USER_CREATABLE_GET_CLASS(uc);
    Error *err = NULL;

    if (ucc->complete) {
        ucc->complete(uc, &err);
        error_propagate(errp, err);
    }
    return !err;
}

bool user_creatable_can_be_deleted(UserCreatable *uc)
{
    UserCreatableClass *ucc = USER_CREATABLE_GET_CLASS(uc);

    return !ucc->can_be_deleted || ucc->can_be_deleted(uc);
}

static bool user_creatable_check_type(const char *type, Error **errp)
{
    ObjectClass *klass = object_class_by_name(type);

    if (!klass) {
        error_setg(errp, "invalid object type: %s", type);
        return false;
    }
    if (!object_class_dynamic_cast(klass, TYPE_USER_CREATABLE)) {
        error_setg(errp, "object type '%s' isn't supported by object-add",
                   type);
        return false;
    }
    if (object_class_is_abstract(klass)) {
        error_setg(errp, "object type '%s' is abstract", type);
        return false;
    }
    return true;
}

static bool object_set_props_from_list(Object *obj, const KeyValList *props,
                                       Error **errp)
{
    size_t i;

    for (i = 0; props && i < keyval_list_length(props); i++) {
        const KeyValPair *pair = keyval_list_nth(props, i);

        if (!object_property_parse(obj, pair->key, pair->value, errp)) {
            return false;
        }
    }
    return true;
}

Object *user_creatable_add_type(const char *type, const char *id,
                                const KeyValList *props, Error **errp)
{
    ERRP_GUARD();
    Object *obj;

    if (id && !id_wellformed(id)) {
        error_setg(errp, "Parameter '%s' expects %s", "id", "an identifier");
        error_append_hint(errp, "Identifiers consist of letters, digits, "
                          "'-', '.', '_', starting with a letter.\n");
        return NULL;
    }
    if (!user_creatable_check_type(type, errp)) {
        return NULL;
    }

    obj = object_new(type);
    if (!object_set_props_from_list(obj, props, errp)) {
        goto fail;
    }
    if (id && !object_property_try_add_child(object_get_objects_root(), id,
                                             obj, errp)) {
        goto fail;
    }
    if (!user_creatable_complete(USER_CREATABLE(obj), errp)) {
        if (id) {
            object_property_del(object_get_objects_root(), id);
        }
        goto fail;
    }
    if (id) {
        /* /objects holds the reference now. */
        object_unref(obj);
    }
    return obj;

fail:
    object_unref(obj);
    return NULL;
}

bool user_creatable_add_from_str(const char *str, Error **errp)
{
    g_autoptr(KeyValList) props = NULL;
    g_autofree char *type = NULL;
    g_autofree char *id = NULL;
    bool help;

    props = keyval_parse(str, "qom-type", &help, errp);
    if (!props) {
        return false;
    }
    type = keyval_list_remove(props, "qom-type");
    /* As in QEMU, "-object help" / "-object TYPE,help" print and exit. */
    if (help) {
        user_creatable_print_help(type ? type : "help", NULL);
        exit(0);
    }
    if (!type) {
        error_setg(errp, "Parameter '%s' is missing", "qom-type");
        return false;
    }
    id = keyval_list_remove(props, "id");
    if (!id) {
        error_setg(errp, "Parameter '%s' is missing", "id");
        return false;
    }
    return user_creatable_add_type(type, id, props, errp) != NULL;
}

void user_creatable_process_cmdline(const char *cmdline)
{
    user_creatable_add_from_str(cmdline, &error_fatal);
}

static char *user_creatable_type_list_str(void)
{
    GString *out = g_string_new("List of user creatable objects:\n");
    GSList *list = object_class_get_list_sorted(TYPE_USER_CREATABLE, false);
    GSList *e;

    for (e = list; e; e = e->next) {
        g_string_append_printf(out, "  %s\n", object_class_get_name(e->data));
    }
    g_slist_free(list);
    return g_string_free(out, false);
}

static gint compare_str_ptrs(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *user_creatable_help_str(const char *type)
{
    ObjectClass *klass;
    ObjectPropertyIterator iter;
    ObjectProperty *prop;
    g_autoptr(GPtrArray) lines = NULL;
    GString *out;
    guint i;

    if (is_help_option(type)) {
        return user_creatable_type_list_str();
    }
    klass = object_class_by_name(type);
    if (!klass) {
        return NULL;
    }
    lines = g_ptr_array_new_with_free_func(g_free);
    object_class_property_iter_init(&iter, klass);
    while ((prop = object_property_iter_next(&iter))) {
        if (!prop->set) {
            continue;
        }
        g_ptr_array_add(lines, object_property_help(prop->name, prop->type,
                                                    prop->defval,
                                                    prop->description));
    }
    g_ptr_array_sort(lines, compare_str_ptrs);

    out = g_string_new(NULL);
    if (lines->len) {
        g_string_append_printf(out, "%s options:\n", type);
    } else {
        g_string_append_printf(out, "There are no options for %s.\n", type);
    }
    for (i = 0; i < lines->len; i++) {
        g_string_append_printf(out, "%s\n",
                               (char *)g_ptr_array_index(lines, i));
    }
    return g_string_free(out, false);
}

bool user_creatable_print_help(const char *type, const KeyValList *opts)
{
    g_autofree char *text = NULL;

    if (!is_help_option(type) &&
        opts && !keyval_list_get(opts, "help") && !keyval_list_get(opts, "?")) {
        return false;
    }
    text = user_creatable_help_str(type);
    if (!text) {
        return false;
    }
    fputs(text, stdout);
    return true;
}

bool user_creatable_del(const char *id, Error **errp)
{
    Object *container = object_get_objects_root();
    Object *obj = object_resolve_path_component(container, id);

    if (!obj || !object_dynamic_cast(obj, TYPE_USER_CREATABLE)) {
        error_setg(errp, "object '%s' not found", id);
        return false;
    }
    if (!user_creatable_can_be_deleted(USER_CREATABLE(obj))) {
        error_setg(errp, "object '%s' is in use, can not be deleted", id);
        return false;
    }
    object_unparent(obj);
    return true;
}

void user_creatable_cleanup(void)
{
    object_unparent(object_get_objects_root());
}

static const TypeInfo user_creatable_info = {
    .name = TYPE_USER_CREATABLE,
    .parent = TYPE_INTERFACE,
    .class_size = sizeof(UserCreatableClass),
};

static void register_user_creatable_type(void)
{
    type_register_static(&user_creatable_info);
}

type_init(register_user_creatable_type)
