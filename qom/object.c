/*
 * QOM core: types, classes, casts, object lifetime, the composition tree
 * and raw property management.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qom/object.h"
#include "qom/object_interfaces.h"

struct TypeImpl {
    char *name;
    char *parent;
    struct TypeImpl *parent_type;

    size_t class_size;
    size_t instance_size;
    size_t instance_align;

    void (*class_init)(ObjectClass *klass, void *data);
    void (*class_base_init)(ObjectClass *klass, void *data);
    void *class_data;

    void (*instance_init)(Object *obj);
    void (*instance_post_init)(Object *obj);
    void (*instance_finalize)(Object *obj);

    bool abstract;

    char **interfaces;          /* NULL-terminated names */

    ObjectClass *class;
};

typedef struct TypeImpl TypeImpl;

static GHashTable *type_table;

static GHashTable *type_table_get(void)
{
    if (!type_table) {
        type_table = g_hash_table_new(g_str_hash, g_str_equal);
    }
    return type_table;
}

static TypeImpl *type_new(const TypeInfo *info)
{
    TypeImpl *ti = g_new0(TypeImpl, 1);
    GPtrArray *ifaces = g_ptr_array_new();
    int i;

    ti->name = g_strdup(info->name);
    ti->parent = g_strdup(info->parent);
    ti->class_size = info->class_size;
    ti->instance_size = info->instance_size;
    ti->instance_align = info->instance_align;
    ti->class_init = info->class_init;
    ti->class_base_init = info->class_base_init;
    ti->class_data = info->class_data;
    ti->instance_init = info->instance_init;
    ti->instance_post_init = info->instance_post_init;
    ti->instance_finalize = info->instance_finalize;
    ti->abstract = info->abstract;
    for (i = 0; info->interfaces && info->interfaces[i].type; i++) {
        g_ptr_array_add(ifaces, g_strdup(info->interfaces[i].type));
    }
    g_ptr_array_add(ifaces, NULL);
    ti->interfaces = (char **)g_ptr_array_free(ifaces, false);
    return ti;
}

Type type_register(const TypeInfo *info)
{
    TypeImpl *ti;

    g_assert(info->name);
    if (g_hash_table_lookup(type_table_get(), info->name)) {
        fprintf(stderr, "Registering '%s' which already exists\n",
                info->name);
        abort();
    }
    ti = type_new(info);
    g_hash_table_insert(type_table_get(), ti->name, ti);
    return ti;
}

Type type_register_static(const TypeInfo *info)
{
    return type_register(info);
}

void type_register_static_array(const TypeInfo *infos, int nr_infos)
{
    int i;

    for (i = 0; i < nr_infos; i++) {
        type_register_static(&infos[i]);
    }
}

static TypeImpl *type_get_by_name(const char *name)
{
    if (!name) {
        return NULL;
    }
    return g_hash_table_lookup(type_table_get(), name);
}

static TypeImpl *type_get_parent(TypeImpl *ti)
{
    if (!ti->parent_type && ti->parent) {
        ti->parent_type = type_get_by_name(ti->parent);
        if (!ti->parent_type) {
            fprintf(stderr, "Type '%s' is missing its parent '%s'\n",
                    ti->name, ti->parent);
            abort();
        }
    }
    return ti->parent_type;
}

static size_t type_class_get_size(TypeImpl *ti)
{
    if (ti->class_size) {
        return ti->class_size;
    }
    if (type_get_parent(ti)) {
        return type_class_get_size(type_get_parent(ti));
    }
    return sizeof(ObjectClass);
}

static size_t type_object_get_size(TypeImpl *ti)
{
    if (ti->instance_size) {
        return ti->instance_size;
    }
    if (type_get_parent(ti)) {
        return type_object_get_size(type_get_parent(ti));
    }
    return 0;
}

/* True if @type is @target_type or derives from it. */
static bool type_is_ancestor(TypeImpl *type, TypeImpl *target_type)
{
    g_assert(target_type);
    while (type) {
        if (type == target_type) {
            return true;
        }
        type = type_get_parent(type);
    }
    return false;
}

static void object_property_free(gpointer data);
static void type_initialize(TypeImpl *ti);

/*
 * Give @ti's class its own InterfaceClass for @interface_type, derived
 * from @parent_type (the interface itself, or the parent class's
 * implementation of it, so that overridden methods are inherited).
 */
static void type_initialize_interface(TypeImpl *ti, TypeImpl *interface_type,
                                      TypeImpl *parent_type)
{
    TypeInfo info = { 0 };
    g_autofree char *name = g_strdup_printf("%s::%s", ti->name,
                                            interface_type->name);
    TypeImpl *iface_impl;
    InterfaceClass *new_iface;

    info.name = name;
    info.parent = parent_type->name;
    info.abstract = true;
    iface_impl = type_new(&info);
    iface_impl->parent_type = parent_type;
    type_initialize(iface_impl);

    new_iface = (InterfaceClass *)iface_impl->class;
    new_iface->concrete_class = ti->class;
    new_iface->interface_type = interface_type;
    ti->class->interfaces = g_slist_append(ti->class->interfaces, new_iface);
}

static void type_initialize(TypeImpl *ti)
{
    TypeImpl *parent;
    TypeImpl *p;
    int i;

    if (ti->class) {
        return;
    }

    ti->class_size = type_class_get_size(ti);
    ti->instance_size = type_object_get_size(ti);
    /* Types without instances (interfaces) can only be abstract. */
    if (ti->instance_size == 0) {
        ti->abstract = true;
    }

    ti->class = g_malloc0(ti->class_size);
    parent = type_get_parent(ti);
    if (parent) {
        GSList *e;

        type_initialize(parent);
        g_assert(parent->class_size <= ti->class_size);
        memcpy(ti->class, parent->class, parent->class_size);
        ti->class->interfaces = NULL;

        for (e = parent->class->interfaces; e; e = e->next) {
            InterfaceClass *iface = e->data;
            ObjectClass *klass = OBJECT_CLASS(iface);

            type_initialize_interface(ti, iface->interface_type, klass->type);
        }
    }
    ti->class->type = ti;
    ti->class->properties = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                  NULL, object_property_free);

    for (i = 0; ti->interfaces[i]; i++) {
        TypeImpl *t = type_get_by_name(ti->interfaces[i]);

        if (!t) {
            fprintf(stderr, "Type '%s' implements unknown interface '%s'\n",
                    ti->name, ti->interfaces[i]);
            abort();
        }
        type_initialize(t);
        /* Already implemented through the parent class. */
        if (object_class_dynamic_cast(ti->class, t->name)) {
            continue;
        }
        type_initialize_interface(ti, t, t);
    }

    for (p = parent; p; p = type_get_parent(p)) {
        if (p->class_base_init) {
            p->class_base_init(ti->class, ti->class_data);
        }
    }
    if (ti->class_init) {
        ti->class_init(ti->class, ti->class_data);
    }
}

/* --- Casts and classes ----------------------------------------------- */

ObjectClass *object_class_dynamic_cast(ObjectClass *klass,
                                       const char *typename)
{
    TypeImpl *target_type;
    TypeImpl *type;
    ObjectClass *ret = NULL;

    if (!klass) {
        return NULL;
    }
    type = klass->type;
    if (!strcmp(type->name, typename)) {
        return klass;
    }
    target_type = type_get_by_name(typename);
    if (!target_type) {
        return NULL;
    }
    if (klass->interfaces &&
        type_is_ancestor(target_type, type_get_by_name(TYPE_INTERFACE))) {
        int found = 0;
        GSList *e;

        for (e = klass->interfaces; e; e = e->next) {
            ObjectClass *iface = e->data;

            if (type_is_ancestor(iface->type, target_type)) {
                ret = iface;
                found++;
            }
        }
        /* Ambiguous: several interfaces derive from @target_type. */
        if (found > 1) {
            ret = NULL;
        }
    } else if (type_is_ancestor(type, target_type)) {
        ret = klass;
    }
    return ret;
}

ObjectClass *object_class_dynamic_cast_assert(ObjectClass *klass,
                                              const char *typename,
                                              const char *file, int line,
                                              const char *func)
{
    ObjectClass *ret;

    if (!klass) {
        return NULL;
    }
    ret = object_class_dynamic_cast(klass, typename);
    if (!ret) {
        fprintf(stderr, "%s:%d:%s: Object class %p (type '%s') is not an "
                "instance of type '%s'\n", file, line, func, klass,
                klass->type->name, typename);
        abort();
    }
    return ret;
}

Object *object_dynamic_cast(Object *obj, const char *typename)
{
    if (obj && object_class_dynamic_cast(object_get_class(obj), typename)) {
        return obj;
    }
    return NULL;
}

Object *object_dynamic_cast_assert(Object *obj, const char *typename,
                                   const char *file, int line,
                                   const char *func)
{
    if (obj && !object_dynamic_cast(obj, typename)) {
        fprintf(stderr, "%s:%d:%s: Object %p (type '%s') is not an "
                "instance of type '%s'\n", file, line, func, obj,
                object_get_typename(obj), typename);
        abort();
    }
    return obj;
}

ObjectClass *object_get_class(Object *obj)
{
    return obj->class;
}

const char *object_get_typename(const Object *obj)
{
    return obj->class->type->name;
}

const char *object_class_get_name(ObjectClass *klass)
{
    return klass->type->name;
}

ObjectClass *object_class_get_parent(ObjectClass *klass)
{
    TypeImpl *type = type_get_parent(klass->type);

    if (!type) {
        return NULL;
    }
    type_initialize(type);
    return type->class;
}

bool object_class_is_abstract(ObjectClass *klass)
{
    return klass->type->abstract;
}

ObjectClass *object_class_by_name(const char *typename)
{
    TypeImpl *type = type_get_by_name(typename);

    if (!type) {
        return NULL;
    }
    type_initialize(type);
    return type->class;
}

ObjectClass *module_object_class_by_name(const char *typename)
{
    return object_class_by_name(typename);
}

size_t object_type_get_instance_size(const char *typename)
{
    TypeImpl *type = type_get_by_name(typename);

    g_assert(type);
    type_initialize(type);
    return type->instance_size;
}

void object_class_foreach(void (*fn)(ObjectClass *klass, void *opaque),
                          const char *implements_type, bool include_abstract,
                          void *opaque)
{
    g_autoptr(GList) types = g_hash_table_get_values(type_table_get());
    GList *e;

    for (e = types; e; e = e->next) {
        TypeImpl *type = e->data;
        ObjectClass *k;

        type_initialize(type);
        k = type->class;
        if (!include_abstract && type->abstract) {
            continue;
        }
        if (implements_type &&
            !object_class_dynamic_cast(k, implements_type)) {
            continue;
        }
        fn(k, opaque);
    }
}

static void object_class_get_list_tramp(ObjectClass *klass, void *opaque)
{
    GSList **list = opaque;

    *list = g_slist_prepend(*list, klass);
}

GSList *object_class_get_list(const char *implements_type,
                              bool include_abstract)
{
    GSList *list = NULL;

    object_class_foreach(object_class_get_list_tramp, implements_type,
                         include_abstract, &list);
    return list;
}

static gint object_class_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(object_class_get_name((ObjectClass *)a),
                  object_class_get_name((ObjectClass *)b));
}

GSList *object_class_get_list_sorted(const char *implements_type,
                                     bool include_abstract)
{
    return g_slist_sort(object_class_get_list(implements_type,
                                              include_abstract),
                        object_class_cmp);
}

/* --- Object lifetime ------------------------------------------------- */

static void object_init_with_type(Object *obj, TypeImpl *ti)
{
    if (type_get_parent(ti)) {
        object_init_with_type(obj, type_get_parent(ti));
    }
    if (ti->instance_init) {
        ti->instance_init(obj);
    }
}

static void object_post_init_with_type(Object *obj, TypeImpl *ti)
{
    if (ti->instance_post_init) {
        ti->instance_post_init(obj);
    }
    if (type_get_parent(ti)) {
        object_post_init_with_type(obj, type_get_parent(ti));
    }
}

static void object_deinit(Object *obj, TypeImpl *ti)
{
    if (ti->instance_finalize) {
        ti->instance_finalize(obj);
    }
    if (type_get_parent(ti)) {
        object_deinit(obj, type_get_parent(ti));
    }
}

static void object_class_property_init_all(Object *obj)
{
    ObjectPropertyIterator iter;
    ObjectProperty *prop;

    object_class_property_iter_init(&iter, object_get_class(obj));
    while ((prop = object_property_iter_next(&iter))) {
        if (prop->init) {
            prop->init(obj, prop);
        }
    }
}

static void object_check_instantiable(TypeImpl *type)
{
    if (type->abstract) {
        fprintf(stderr, "object type '%s' is abstract\n", type->name);
        abort();
    }
}

static void object_initialize_with_type(Object *obj, size_t size,
                                        TypeImpl *type)
{
    type_initialize(type);
    object_check_instantiable(type);
    g_assert(type->instance_size >= sizeof(Object));
    g_assert(size >= type->instance_size);

    memset(obj, 0, type->instance_size);
    obj->class = type->class;
    obj->ref = 1;
    obj->properties = g_hash_table_new(g_str_hash, g_str_equal);
    obj->property_order = g_ptr_array_new();
    object_class_property_init_all(obj);
    object_init_with_type(obj, type);
    object_post_init_with_type(obj, type);
}

static TypeImpl *type_get_by_name_or_abort(const char *typename)
{
    TypeImpl *type = type_get_by_name(typename);

    if (!type) {
        fprintf(stderr, "missing object type '%s'\n", typename);
        abort();
    }
    return type;
}

void object_initialize(void *data, size_t size, const char *typename)
{
    object_initialize_with_type(data, size,
                                type_get_by_name_or_abort(typename));
}

static Object *object_new_with_type(TypeImpl *type)
{
    Object *obj;
    ObjectFree *obj_free;

    type_initialize(type);
    object_check_instantiable(type);
    if (type->instance_align > G_MEM_ALIGN) {
        obj = g_aligned_alloc0(1, type->instance_size, type->instance_align);
        obj_free = g_aligned_free;
    } else {
        obj = g_malloc0(type->instance_size);
        obj_free = g_free;
    }
    object_initialize_with_type(obj, type->instance_size, type);
    obj->free = obj_free;
    return obj;
}

Object *object_new_with_class(ObjectClass *klass)
{
    return object_new_with_type(klass->type);
}

Object *object_new(const char *typename)
{
    return object_new_with_type(type_get_by_name_or_abort(typename));
}

/* Remove instance property @prop from @obj's tables and release it. */
static void object_property_remove(Object *obj, ObjectProperty *prop)
{
    g_hash_table_remove(obj->properties, prop->name);
    g_ptr_array_remove(obj->property_order, prop);
    if (prop->release) {
        prop->release(obj, prop->name, prop->opaque);
    }
    object_property_free(prop);
}

/*
 * Release every instance property, newest first, then give class
 * properties a chance to release per-instance state (e.g. strong links).
 */
static void object_property_del_all(Object *obj)
{
    ObjectPropertyIterator iter;
    ObjectProperty *prop;

    while (obj->property_order->len) {
        object_property_remove(obj, g_ptr_array_index(obj->property_order,
                                             obj->property_order->len - 1));
    }
    object_class_property_iter_init(&iter, object_get_class(obj));
    while ((prop = object_property_iter_next(&iter))) {
        if (prop->release) {
            prop->release(obj, prop->name, prop->opaque);
        }
    }
}

static void object_finalize(Object *obj)
{
    ObjectFree *obj_free = obj->free;

    object_property_del_all(obj);
    object_deinit(obj, obj->class->type);
    g_assert(obj->ref == 0);
    g_assert(obj->parent == NULL);
    g_hash_table_unref(obj->properties);
    g_ptr_array_free(obj->property_order, true);
    if (obj_free) {
        obj_free(obj);
    }
}

Object *object_ref(void *objptr)
{
    Object *obj = OBJECT(objptr);

    if (!obj) {
        return NULL;
    }
    __atomic_fetch_add(&obj->ref, 1, __ATOMIC_SEQ_CST);
    return obj;
}

void object_unref(void *objptr)
{
    Object *obj = OBJECT(objptr);

    if (!obj) {
        return;
    }
    g_assert(obj->ref > 0);
    if (__atomic_sub_fetch(&obj->ref, 1, __ATOMIC_SEQ_CST) == 0) {
        object_finalize(obj);
    }
}

/* The child<> property of @obj that holds @child, or NULL. */
static ObjectProperty *object_find_child_property(Object *obj, Object *child)
{
    guint i;

    for (i = 0; i < obj->property_order->len; i++) {
        ObjectProperty *prop = g_ptr_array_index(obj->property_order, i);

        if (g_str_has_prefix(prop->type, "child<") && prop->opaque == child) {
            return prop;
        }
    }
    return NULL;
}

void object_unparent(Object *obj)
{
    ObjectProperty *prop;

    if (!obj->parent) {
        return;
    }
    prop = object_find_child_property(obj->parent, obj);
    g_assert(prop);
    object_property_remove(obj->parent, prop);
}

/* --- Properties: raw -------------------------------------------------- */

static void object_property_free(gpointer data)
{
    ObjectProperty *prop = data;

    g_free(prop->name);
    g_free(prop->type);
    g_free(prop->description);
    if (prop->defval) {
        json_node_unref(prop->defval);
    }
    g_free(prop);
}

static ObjectProperty *object_property_new(const char *name,
                                           const char *type,
                                           ObjectPropertyGet *get,
                                           ObjectPropertySet *set,
                                           ObjectPropertyRelease *release,
                                           void *opaque)
{
    ObjectProperty *prop = g_new0(ObjectProperty, 1);

    prop->name = g_strdup(name);
    prop->type = g_strdup(type);
    prop->get = get;
    prop->set = set;
    prop->release = release;
    prop->opaque = opaque;
    return prop;
}

ObjectProperty *object_property_try_add(Object *obj, const char *name,
                                        const char *type,
                                        ObjectPropertyGet *get,
                                        ObjectPropertySet *set,
                                        ObjectPropertyRelease *release,
                                        void *opaque, Error **errp)
{
    ObjectProperty *prop;
    size_t name_len = strlen(name);

    if (name_len >= 3 && !memcmp(name + name_len - 3, "[*]", 4)) {
        g_autofree char *base = g_strndup(name, name_len - 3);
        int i;

        for (i = 0; i < INT_MAX; i++) {
            g_autofree char *full = g_strdup_printf("%s[%d]", base, i);

            if (!object_property_find(obj, full)) {
                return object_property_try_add(obj, full, type, get, set,
                                               release, opaque, errp);
            }
        }
        g_assert_not_reached();
    }

    if (object_property_find(obj, name)) {
        error_setg(errp, "attempt to add duplicate property '%s' to object "
                   "(type '%s')", name, object_get_typename(obj));
        return NULL;
    }
    prop = object_property_new(name, type, get, set, release, opaque);
    g_hash_table_insert(obj->properties, prop->name, prop);
    g_ptr_array_add(obj->property_order, prop);
    return prop;
}

ObjectProperty *object_property_add(Object *obj, const char *name,
                                    const char *type,
                                    ObjectPropertyGet *get,
                                    ObjectPropertySet *set,
                                    ObjectPropertyRelease *release,
                                    void *opaque)
{
    return object_property_try_add(obj, name, type, get, set, release,
                                   opaque, &error_abort);
}

void object_property_del(Object *obj, const char *name)
{
    ObjectProperty *prop = g_hash_table_lookup(obj->properties, name);

    g_assert(prop);
    object_property_remove(obj, prop);
}

ObjectProperty *object_class_property_add(ObjectClass *klass,
                                          const char *name,
                                          const char *type,
                                          ObjectPropertyGet *get,
                                          ObjectPropertySet *set,
                                          ObjectPropertyRelease *release,
                                          void *opaque)
{
    ObjectProperty *prop;

    if (object_class_property_find(klass, name)) {
        fprintf(stderr, "attempt to add duplicate property '%s' to class "
                "(type '%s')\n", name, object_class_get_name(klass));
        abort();
    }
    prop = object_property_new(name, type, get, set, release, opaque);
    g_hash_table_insert(klass->properties, prop->name, prop);
    return prop;
}

ObjectProperty *object_class_property_find(ObjectClass *klass,
                                           const char *name)
{
    ObjectClass *parent = object_class_get_parent(klass);

    if (parent) {
        ObjectProperty *prop = object_class_property_find(parent, name);

        if (prop) {
            return prop;
        }
    }
    return g_hash_table_lookup(klass->properties, name);
}

ObjectProperty *object_class_property_find_err(ObjectClass *klass,
                                               const char *name,
                                               Error **errp)
{
    ObjectProperty *prop = object_class_property_find(klass, name);

    if (!prop) {
        error_setg(errp, "Property '%s.%s' not found",
                   object_class_get_name(klass), name);
    }
    return prop;
}

ObjectProperty *object_property_find(Object *obj, const char *name)
{
    ObjectProperty *prop = object_class_property_find(obj->class, name);

    if (prop) {
        return prop;
    }
    return g_hash_table_lookup(obj->properties, name);
}

ObjectProperty *object_property_find_err(Object *obj, const char *name,
                                         Error **errp)
{
    ObjectProperty *prop = object_property_find(obj, name);

    if (!prop) {
        error_setg(errp, "Property '%s.%s' not found",
                   object_get_typename(obj), name);
    }
    return prop;
}

void object_property_iter_init(ObjectPropertyIterator *iter, Object *obj)
{
    g_hash_table_iter_init(&iter->iter, obj->properties);
    iter->nextclass = object_get_class(obj);
}

void object_class_property_iter_init(ObjectPropertyIterator *iter,
                                     ObjectClass *klass)
{
    g_hash_table_iter_init(&iter->iter, klass->properties);
    iter->nextclass = object_class_get_parent(klass);
}

ObjectProperty *object_property_iter_next(ObjectPropertyIterator *iter)
{
    gpointer key, val;

    while (!g_hash_table_iter_next(&iter->iter, &key, &val)) {
        if (!iter->nextclass) {
            return NULL;
        }
        g_hash_table_iter_init(&iter->iter, iter->nextclass->properties);
        iter->nextclass = object_class_get_parent(iter->nextclass);
    }
    return val;
}

void object_property_set_description(Object *obj, const char *name,
                                     const char *description)
{
    ObjectProperty *prop = object_property_find_err(obj, name, &error_abort);

    g_free(prop->description);
    prop->description = g_strdup(description);
}

void object_class_property_set_description(ObjectClass *klass,
                                           const char *name,
                                           const char *description)
{
    ObjectProperty *prop = g_hash_table_lookup(klass->properties, name);

    g_assert(prop);
    g_free(prop->description);
    prop->description = g_strdup(description);
}

/* --- Composition tree ------------------------------------------------- */

Object *object_get_root(void)
{
    static Object *root;

    if (!root) {
        root = object_new(TYPE_CONTAINER);
    }
    return root;
}

Object *object_get_objects_root(void)
{
    return container_get(object_get_root(), "/objects");
}

Object *object_get_internal_root(void)
{
    static Object *internal_root;

    if (!internal_root) {
        internal_root = object_new(TYPE_CONTAINER);
    }
    return internal_root;
}

static JsonNode *object_get_child_property(Object *obj, ObjectProperty *prop,
                                           Error **errp)
{
    g_autofree char *path = object_get_canonical_path(prop->opaque);
    JsonNode *node = json_node_new(JSON_NODE_VALUE);

    json_node_set_string(node, path ? path : "");
    return node;
}

static Object *object_resolve_child_property(Object *parent, void *opaque,
                                             const char *part)
{
    return opaque;
}

static void object_finalize_child_property(Object *obj, const char *name,
                                           void *opaque)
{
    Object *child = opaque;

    if (child->class->unparent) {
        child->class->unparent(child);
    }
    child->parent = NULL;
    object_unref(child);
}

ObjectProperty *object_property_try_add_child(Object *obj, const char *name,
                                              Object *child, Error **errp)
{
    g_autofree char *type = NULL;
    ObjectProperty *prop;

    g_assert(!child->parent);
    type = g_strdup_printf("child<%s>", object_get_typename(child));
    prop = object_property_try_add(obj, name, type, object_get_child_property,
                                   NULL, object_finalize_child_property,
                                   child, errp);
    if (!prop) {
        return NULL;
    }
    prop->resolve = object_resolve_child_property;
    object_ref(child);
    child->parent = obj;
    return prop;
}

ObjectProperty *object_property_add_child(Object *obj, const char *name,
                                          Object *child)
{
    return object_property_try_add_child(obj, name, child, &error_abort);
}

const char *object_get_canonical_path_component(const Object *obj)
{
    ObjectProperty *prop;

    if (!obj->parent) {
        return NULL;
    }
    prop = object_find_child_property(obj->parent, (Object *)obj);
    g_assert(prop);
    return prop->name;
}

char *object_get_canonical_path(const Object *obj)
{
    Object *root = object_get_root();
    GString *path = g_string_new(NULL);

    if (obj == root) {
        g_string_free(path, true);
        return g_strdup("/");
    }
    while (obj != root) {
        const char *component = object_get_canonical_path_component(obj);

        if (!component) {
            g_string_free(path, true);
            return NULL;
        }
        g_string_prepend(path, component);
        g_string_prepend_c(path, '/');
        obj = obj->parent;
    }
    return g_string_free(path, false);
}

Object *object_resolve_path_component(Object *parent, const char *part)
{
    ObjectProperty *prop = object_property_find(parent, part);

    if (!prop || !prop->resolve) {
        return NULL;
    }
    return prop->resolve(parent, prop->opaque, part);
}

static Object *object_resolve_abs_path(Object *parent, char **parts,
                                       const char *typename)
{
    Object *child;

    if (!*parts) {
        return object_dynamic_cast(parent, typename);
    }
    if (!**parts) {
        return object_resolve_abs_path(parent, parts + 1, typename);
    }
    child = object_resolve_path_component(parent, *parts);
    if (!child) {
        return NULL;
    }
    return object_resolve_abs_path(child, parts + 1, typename);
}

static Object *object_resolve_partial_path(Object *parent, char **parts,
                                           const char *typename,
                                           bool *ambiguous)
{
    Object *obj = object_resolve_abs_path(parent, parts, typename);
    guint i;

    for (i = 0; i < parent->property_order->len; i++) {
        ObjectProperty *prop = g_ptr_array_index(parent->property_order, i);
        Object *found;

        if (!g_str_has_prefix(prop->type, "child<")) {
            continue;
        }
        found = object_resolve_partial_path(prop->opaque, parts, typename,
                                            ambiguous);
        if (*ambiguous) {
            return NULL;
        }
        if (found) {
            if (obj) {
                *ambiguous = true;
                return NULL;
            }
            obj = found;
        }
    }
    return obj;
}

static Object *object_resolve_path_type_at(Object *start, const char *path,
                                           const char *typename,
                                           bool *ambiguousp)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", 0);
    bool ambiguous = false;
    Object *obj;

    if (!typename) {
        typename = TYPE_OBJECT;
    }
    if (parts[0] == NULL || *parts[0] != '\0') {
        obj = object_resolve_partial_path(start, parts, typename,
                                          &ambiguous);
    } else {
        obj = object_resolve_abs_path(object_get_root(), parts + 1, typename);
    }
    if (ambiguousp) {
        *ambiguousp = ambiguous;
    }
    return obj;
}

Object *object_resolve_path_type(const char *path, const char *typename,
                                 bool *ambiguous)
{
    return object_resolve_path_type_at(object_get_root(), path, typename,
                                       ambiguous);
}

Object *object_resolve_path(const char *path, bool *ambiguous)
{
    return object_resolve_path_type(path, TYPE_OBJECT, ambiguous);
}

Object *object_resolve_path_at(Object *parent, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", 0);

    if (*path == '/') {
        return object_resolve_abs_path(object_get_root(), parts + 1,
                                       TYPE_OBJECT);
    }
    return object_resolve_abs_path(parent, parts, TYPE_OBJECT);
}

static int do_object_child_foreach(Object *obj,
                                   int (*fn)(Object *child, void *opaque),
                                   void *opaque, bool recurse)
{
    g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func(
        object_unref);
    guint i;
    int ret = 0;

    /* Snapshot (with references): @fn may unparent children. */
    for (i = 0; i < obj->property_order->len; i++) {
        ObjectProperty *prop = g_ptr_array_index(obj->property_order, i);

        if (g_str_has_prefix(prop->type, "child<")) {
            g_ptr_array_add(children, object_ref(prop->opaque));
        }
    }
    for (i = 0; i < children->len; i++) {
        Object *child = g_ptr_array_index(children, i);

        ret = fn(child, opaque);
        if (ret) {
            break;
        }
        if (recurse) {
            ret = do_object_child_foreach(child, fn, opaque, true);
            if (ret) {
                break;
            }
        }
    }
    return ret;
}

int object_child_foreach(Object *obj, int (*fn)(Object *child, void *opaque),
                         void *opaque)
{
    return do_object_child_foreach(obj, fn, opaque, false);
}

int object_child_foreach_recursive(Object *obj,
                                   int (*fn)(Object *child, void *opaque),
                                   void *opaque)
{
    return do_object_child_foreach(obj, fn, opaque, true);
}

/* --- Construction helpers ---------------------------------------------- */

static bool object_set_propv(Object *obj, Error **errp, va_list vargs)
{
    const char *propname;

    while ((propname = va_arg(vargs, const char *))) {
        const char *value = va_arg(vargs, const char *);

        g_assert(value);
        if (!object_property_parse(obj, propname, value, errp)) {
            return false;
        }
    }
    return true;
}

bool object_set_props(Object *obj, Error **errp, ...)
{
    va_list vargs;
    bool ok;

    va_start(vargs, errp);
    ok = object_set_propv(obj, errp, vargs);
    va_end(vargs);
    return ok;
}

/* Complete @obj if it is user-creatable. */
static bool object_complete_if_user_creatable(Object *obj, Error **errp)
{
    UserCreatable *uc = (UserCreatable *)object_dynamic_cast(
        obj, TYPE_USER_CREATABLE);

    return !uc || user_creatable_complete(uc, errp);
}

Object *object_new_with_props(const char *typename, Object *parent,
                              const char *id, Error **errp, ...)
{
    ObjectClass *klass = object_class_by_name(typename);
    Object *obj;
    va_list vargs;
    bool ok;

    if (!klass) {
        error_setg(errp, "invalid object type: %s", typename);
        return NULL;
    }
    if (object_class_is_abstract(klass)) {
        error_setg(errp, "object type '%s' is abstract", typename);
        return NULL;
    }
    obj = object_new_with_class(klass);

    va_start(vargs, errp);
    ok = object_set_propv(obj, errp, vargs);
    va_end(vargs);
    if (!ok) {
        goto fail;
    }
    if (id && parent &&
        !object_property_try_add_child(parent, id, obj, errp)) {
        goto fail;
    }
    if (!object_complete_if_user_creatable(obj, errp)) {
        object_unparent(obj);
        goto fail;
    }
    if (id && parent) {
        object_unref(obj);
    }
    return obj;

fail:
    object_unref(obj);
    return NULL;
}

bool object_initialize_child_with_props(Object *parent, const char *propname,
                                        void *childobj, size_t size,
                                        const char *type, Error **errp, ...)
{
    Object *obj = OBJECT(childobj);
    va_list vargs;
    bool ok;

    object_initialize(childobj, size, type);
    va_start(vargs, errp);
    ok = object_set_propv(obj, errp, vargs);
    va_end(vargs);
    if (ok) {
        ok = object_property_try_add_child(parent, propname, obj, errp);
        if (ok && !object_complete_if_user_creatable(obj, errp)) {
            object_unparent(obj);
            ok = false;
        }
    }
    /* On success the parent holds the only reference. */
    object_unref(obj);
    return ok;
}

void object_initialize_child_internal(Object *parent, const char *propname,
                                      void *child, size_t size,
                                      const char *type)
{
    object_initialize_child_with_props(parent, propname, child, size, type,
                                       &error_abort, NULL);
}

/* --- Base types --------------------------------------------------------- */

static const TypeInfo object_base_types[] = {
    {
        .name = TYPE_OBJECT,
        .instance_size = sizeof(Object),
        .class_size = sizeof(ObjectClass),
        .abstract = true,
    },
    {
        .name = TYPE_INTERFACE,
        .class_size = sizeof(InterfaceClass),
        .abstract = true,
    },
};

DEFINE_TYPES(object_base_types)
