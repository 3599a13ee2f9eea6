/*
 * QOM properties: typed helpers (bool, str, enum, uint64, size, integer
 * pointers, links, aliases), defaults, and generic access by JSON value
 * or command-line string.
 */
#include "qemu/osdep.h"
#include "qom/qom-json.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qom/object.h"

/* --- JSON value helpers ----------------------------------------------- */


/* Release callback of instance properties that own their opaque. */
static void property_release_data(Object *obj, const char *name,
                                  void *opaque)
{
    g_free(opaque);
}

/* --- bool ----------------------------------------------------------- */

typedef struct BoolProperty {
    bool (*get)(Object *, Error **);
    void (*set)(Object *, bool, Error **);
} BoolProperty;

static JsonNode *property_get_bool(Object *obj, ObjectProperty *prop,
                                   Error **errp)
{
    BoolProperty *bp = prop->opaque;
    Error *err = NULL;
    bool value = bp->get(obj, &err);

    if (err) {
        error_propagate(errp, err);
        return NULL;
    }
    return qom_json_new_bool(value);
}

static void property_set_bool(Object *obj, ObjectProperty *prop,
                              JsonNode *node, Error **errp)
{
    BoolProperty *bp = prop->opaque;
    bool value;

    if (qom_json_get_bool(node, prop->name, &value, errp)) {
        bp->set(obj, value, errp);
    }
}

static BoolProperty *bool_property_new(bool (*get)(Object *, Error **),
                                       void (*set)(Object *, bool, Error **))
{
    BoolProperty *bp = g_new0(BoolProperty, 1);

    bp->get = get;
    bp->set = set;
    return bp;
}

ObjectProperty *object_property_add_bool(Object *obj, const char *name,
                                         bool (*get)(Object *, Error **),
                                         void (*set)(Object *, bool,
                                                     Error **))
{
    return object_property_add(obj, name, "bool",
                               get ? property_get_bool : NULL,
                               set ? property_set_bool : NULL,
                               property_release_data,
                               bool_property_new(get, set));
}

ObjectProperty *object_class_property_add_bool(ObjectClass *klass,
                                               const char *name,
                                               bool (*get)(Object *,
                                                           Error **),
                                               void (*set)(Object *, bool,
                                                           Error **))
{
    return object_class_property_add(klass, name, "bool",
                                     get ? property_get_bool : NULL,
                                     set ? property_set_bool : NULL,
                                     NULL, bool_property_new(get, set));
}

/* --- str ------------------------------------------------------------ */

typedef struct StringProperty {
    char *(*get)(Object *, Error **);
    void (*set)(Object *, const char *, Error **);
} StringProperty;

static JsonNode *property_get_str(Object *obj, ObjectProperty *prop,
                                  Error **errp)
{
    StringProperty *sp = prop->opaque;
    Error *err = NULL;
    g_autofree char *value = sp->get(obj, &err);

    if (err) {
        error_propagate(errp, err);
        return NULL;
    }
    return qom_json_new_str(value);
}

static void property_set_str(Object *obj, ObjectProperty *prop,
                             JsonNode *node, Error **errp)
{
    StringProperty *sp = prop->opaque;
    const char *value;

    if (qom_json_get_str(node, prop->name, &value, errp)) {
        sp->set(obj, value, errp);
    }
}

static StringProperty *string_property_new(char *(*get)(Object *, Error **),
                                           void (*set)(Object *, const char *,
                                                       Error **))
{
    StringProperty *sp = g_new0(StringProperty, 1);

    sp->get = get;
    sp->set = set;
    return sp;
}

ObjectProperty *object_property_add_str(Object *obj, const char *name,
                                        char *(*get)(Object *, Error **),
                                        void (*set)(Object *, const char *,
                                                    Error **))
{
    return object_property_add(obj, name, "string",
                               get ? property_get_str : NULL,
                               set ? property_set_str : NULL,
                               property_release_data,
                               string_property_new(get, set));
}

ObjectProperty *object_class_property_add_str(ObjectClass *klass,
                                              const char *name,
                                              char *(*get)(Object *,
                                                           Error **),
                                              void (*set)(Object *,
                                                          const char *,
                                                          Error **))
{
    return object_class_property_add(klass, name, "string",
                                     get ? property_get_str : NULL,
                                     set ? property_set_str : NULL,
                                     NULL, string_property_new(get, set));
}

/* --- enum ----------------------------------------------------------- */

typedef struct EnumProperty {
    const QEnumLookup *lookup;
    int (*get)(Object *, Error **);
    void (*set)(Object *, int, Error **);
} EnumProperty;

static JsonNode *property_get_enum(Object *obj, ObjectProperty *prop,
                                   Error **errp)
{
    EnumProperty *ep = prop->opaque;
    Error *err = NULL;
    int value = ep->get(obj, &err);

    if (err) {
        error_propagate(errp, err);
        return NULL;
    }
    return qom_json_new_str(qapi_enum_lookup(ep->lookup, value));
}

static void property_set_enum(Object *obj, ObjectProperty *prop,
                              JsonNode *node, Error **errp)
{
    EnumProperty *ep = prop->opaque;
    const char *name;
    int value;

    if (!qom_json_get_str(node, prop->name, &name, errp)) {
        return;
    }
    value = qapi_enum_parse(ep->lookup, name, -1, NULL);
    if (value < 0) {
        error_setg(errp, "Parameter '%s' does not accept value '%s'",
                   prop->name, name);
        return;
    }
    ep->set(obj, value, errp);
}

static EnumProperty *enum_property_new(const QEnumLookup *lookup,
                                       int (*get)(Object *, Error **),
                                       void (*set)(Object *, int, Error **))
{
    EnumProperty *ep = g_new0(EnumProperty, 1);

    ep->lookup = lookup;
    ep->get = get;
    ep->set = set;
    return ep;
}

ObjectProperty *object_property_add_enum(Object *obj, const char *name,
                                         const char *typename,
                                         const QEnumLookup *lookup,
                                         int (*get)(Object *, Error **),
                                         void (*set)(Object *, int,
                                                     Error **))
{
    return object_property_add(obj, name, typename,
                               get ? property_get_enum : NULL,
                               set ? property_set_enum : NULL,
                               property_release_data,
                               enum_property_new(lookup, get, set));
}

ObjectProperty *object_class_property_add_enum(ObjectClass *klass,
                                               const char *name,
                                               const char *typename,
                                               const QEnumLookup *lookup,
                                               int (*get)(Object *,
                                                          Error **),
                                               void (*set)(Object *, int,
                                                           Error **))
{
    return object_class_property_add(klass, name, typename,
                                     get ? property_get_enum : NULL,
                                     set ? property_set_enum : NULL,
                                     NULL,
                                     enum_property_new(lookup, get, set));
}

static bool property_is_enum(ObjectProperty *prop)
{
    return prop->get == property_get_enum || prop->set == property_set_enum;
}

/* --- uint64 / size -------------------------------------------------- */

typedef struct Uint64Property {
    uint64_t (*get)(Object *, Error **);
    void (*set)(Object *, uint64_t, Error **);
} Uint64Property;

static JsonNode *property_get_uint64(Object *obj, ObjectProperty *prop,
                                     Error **errp)
{
    Uint64Property *up = prop->opaque;
    Error *err = NULL;
    uint64_t value = up->get(obj, &err);

    if (err) {
        error_propagate(errp, err);
        return NULL;
    }
    return qom_json_new_uint(value);
}

static void property_set_uint64(Object *obj, ObjectProperty *prop,
                                JsonNode *node, Error **errp)
{
    Uint64Property *up = prop->opaque;
    uint64_t value;

    if (qom_json_get_uint(node, prop->name, &value, errp)) {
        up->set(obj, value, errp);
    }
}

static Uint64Property *uint64_property_new(uint64_t (*get)(Object *,
                                                           Error **),
                                           void (*set)(Object *, uint64_t,
                                                       Error **))
{
    Uint64Property *up = g_new0(Uint64Property, 1);

    up->get = get;
    up->set = set;
    return up;
}

static ObjectProperty *add_uint64_typed(Object *obj, const char *name,
                                        const char *type,
                                        uint64_t (*get)(Object *, Error **),
                                        void (*set)(Object *, uint64_t,
                                                    Error **))
{
    return object_property_add(obj, name, type,
                               get ? property_get_uint64 : NULL,
                               set ? property_set_uint64 : NULL,
                               property_release_data,
                               uint64_property_new(get, set));
}

static ObjectProperty *class_add_uint64_typed(ObjectClass *klass,
                                              const char *name,
                                              const char *type,
                                              uint64_t (*get)(Object *,
                                                              Error **),
                                              void (*set)(Object *, uint64_t,
                                                          Error **))
{
    return object_class_property_add(klass, name, type,
                                     get ? property_get_uint64 : NULL,
                                     set ? property_set_uint64 : NULL,
                                     NULL, uint64_property_new(get, set));
}

ObjectProperty *object_property_add_uint64(Object *obj, const char *name,
                                           uint64_t (*get)(Object *,
                                                           Error **),
                                           void (*set)(Object *, uint64_t,
                                                       Error **))
{
    return add_uint64_typed(obj, name, "uint64", get, set);
}

ObjectProperty *object_class_property_add_uint64(ObjectClass *klass,
                                                 const char *name,
                                                 uint64_t (*get)(Object *,
                                                                 Error **),
                                                 void (*set)(Object *,
                                                             uint64_t,
                                                             Error **))
{
    return class_add_uint64_typed(klass, name, "uint64", get, set);
}

ObjectProperty *object_property_add_size(Object *obj, const char *name,
                                         uint64_t (*get)(Object *,
                                                         Error **),
                                         void (*set)(Object *, uint64_t,
                                                     Error **))
{
    return add_uint64_typed(obj, name, "size", get, set);
}

ObjectProperty *object_class_property_add_size(ObjectClass *klass,
                                               const char *name,
                                               uint64_t (*get)(Object *,
                                                               Error **),
                                               void (*set)(Object *,
                                                           uint64_t,
                                                           Error **))
{
    return class_add_uint64_typed(klass, name, "size", get, set);
}

/* --- integers backed by a variable ----------------------------------- */

#define DEFINE_UINT_PTR_ACCESSORS(bits)                                    \
static JsonNode *property_get_uint##bits##_ptr(Object *obj,                \
                                               ObjectProperty *prop,       \
                                               Error **errp)               \
{                                                                          \
    return qom_json_new_uint(*(uint##bits##_t *)prop->opaque);                 \
}                                                                          \
                                                                           \
static void property_set_uint##bits##_ptr(Object *obj,                     \
                                          ObjectProperty *prop,            \
                                          JsonNode *node, Error **errp)    \
{                                                                          \
    uint64_t value;                                                        \
                                                                           \
    if (!qom_json_get_uint(node, prop->name, &value, errp)) {                  \
        return;                                                            \
    }                                                                      \
    if (value > UINT##bits##_MAX) {                                        \
        error_setg(errp, "Parameter '%s' expects uint" #bits "_t",         \
                   prop->name);                                            \
        return;                                                            \
    }                                                                      \
    *(uint##bits##_t *)prop->opaque = value;                               \
}                                                                          \
                                                                           \
ObjectProperty *object_property_add_uint##bits##_ptr(Object *obj,          \
                                                     const char *name,     \
                                                     const uint##bits##_t *v, \
                                                     ObjectPropertyFlags flags) \
{                                                                          \
    return object_property_add(obj, name, "uint" #bits,                    \
        (flags & OBJ_PROP_FLAG_READ) ? property_get_uint##bits##_ptr : NULL, \
        (flags & OBJ_PROP_FLAG_WRITE) ? property_set_uint##bits##_ptr : NULL, \
        NULL, (void *)v);                                                  \
}                                                                          \
                                                                           \
ObjectProperty *object_class_property_add_uint##bits##_ptr(                \
    ObjectClass *klass, const char *name, const uint##bits##_t *v,         \
    ObjectPropertyFlags flags)                                             \
{                                                                          \
    return object_class_property_add(klass, name, "uint" #bits,            \
        (flags & OBJ_PROP_FLAG_READ) ? property_get_uint##bits##_ptr : NULL, \
        (flags & OBJ_PROP_FLAG_WRITE) ? property_set_uint##bits##_ptr : NULL, \
        NULL, (void *)v);                                                  \
}

DEFINE_UINT_PTR_ACCESSORS(8)
DEFINE_UINT_PTR_ACCESSORS(16)
DEFINE_UINT_PTR_ACCESSORS(32)
DEFINE_UINT_PTR_ACCESSORS(64)

/* --- links ------------------------------------------------------------ */

typedef struct LinkProperty {
    Object **targetp;
    Object *target_storage;     /* for const links */
    void (*check)(const Object *, const char *, Object *, Error **);
    ObjectPropertyLinkFlags flags;
    ptrdiff_t offset;
} LinkProperty;

static Object **link_targetp(Object *obj, LinkProperty *lprop)
{
    if (lprop->flags & OBJ_PROP_LINK_CLASS) {
        return (Object **)((char *)obj + lprop->offset);
    }
    return lprop->targetp;
}

void object_property_allow_set_link(const Object *obj, const char *name,
                                    Object *child, Error **errp)
{
}

static JsonNode *object_get_link_property(Object *obj, ObjectProperty *prop,
                                          Error **errp)
{
    Object *target = *link_targetp(obj, prop->opaque);
    g_autofree char *path = target ? object_get_canonical_path(target) : NULL;

    return qom_json_new_str(path ? path : "");
}

/* "link<TYPE>" -> "TYPE" (caller frees). */
static char *link_type_target(const char *type)
{
    g_assert(g_str_has_prefix(type, "link<"));
    return g_strndup(type + 5, strlen(type) - 6);
}

/*
 * Find the object named @path for link property @name of type
 * @target_type: a path, or the id of an object under /objects.
 */
static Object *object_resolve_link(const char *name, const char *path,
                                   const char *target_type, Error **errp)
{
    bool ambiguous = false;
    Object *target = NULL;

    if (!strchr(path, '/')) {
        target = object_resolve_path_component(object_get_objects_root(),
                                               path);
    }
    if (!target) {
        target = object_resolve_path(path, &ambiguous);
    }
    if (ambiguous) {
        error_setg(errp, "Path '%s' does not uniquely identify an object",
                   path);
        return NULL;
    }
    if (!target) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "Device '%s' not found",
                  path);
        return NULL;
    }
    if (!object_dynamic_cast(target, target_type)) {
        qom_json_error_type(errp, name, target_type);
        return NULL;
    }
    return target;
}

/* Store @new_target into the link, after the type and check callbacks. */
static bool link_property_store(Object *obj, ObjectProperty *prop,
                                Object *new_target, Error **errp)
{
    LinkProperty *lprop = prop->opaque;
    Object **targetp = link_targetp(obj, lprop);
    Object *old_target = *targetp;
    g_autofree char *target_type = link_type_target(prop->type);
    Error *err = NULL;

    if (new_target && !object_dynamic_cast(new_target, target_type)) {
        qom_json_error_type(errp, prop->name, target_type);
        return false;
    }
    lprop->check(obj, prop->name, new_target, &err);
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    *targetp = new_target;
    if (lprop->flags & OBJ_PROP_LINK_STRONG) {
        object_ref(new_target);
        object_unref(old_target);
    }
    return true;
}

static void object_set_link_property(Object *obj, ObjectProperty *prop,
                                     JsonNode *node, Error **errp)
{
    g_autofree char *target_type = link_type_target(prop->type);
    Object *new_target = NULL;
    const char *path;

    if (!qom_json_get_str(node, prop->name, &path, errp)) {
        return;
    }
    if (*path) {
        new_target = object_resolve_link(prop->name, path, target_type, errp);
        if (!new_target) {
            return;
        }
    }
    link_property_store(obj, prop, new_target, errp);
}

static Object *object_resolve_link_property(Object *parent, void *opaque,
                                            const char *part)
{
    return *link_targetp(parent, opaque);
}

static void object_release_link_property(Object *obj, const char *name,
                                         void *opaque)
{
    LinkProperty *lprop = opaque;
    Object **targetp = link_targetp(obj, lprop);

    if ((lprop->flags & OBJ_PROP_LINK_STRONG) && *targetp) {
        object_unref(*targetp);
        *targetp = NULL;
    }
    if (!(lprop->flags & OBJ_PROP_LINK_CLASS)) {
        g_free(lprop);
    }
}

static ObjectProperty *add_link_common(ObjectProperty *prop)
{
    prop->resolve = object_resolve_link_property;
    return prop;
}

ObjectProperty *object_property_add_link(Object *obj, const char *name,
                                         const char *type, Object **targetp,
                                         void (*check)(const Object *obj,
                                                       const char *name,
                                                       Object *val,
                                                       Error **errp),
                                         ObjectPropertyLinkFlags flags)
{
    LinkProperty *lprop = g_new0(LinkProperty, 1);
    g_autofree char *full_type = g_strdup_printf("link<%s>", type);

    lprop->targetp = targetp;
    lprop->check = check;
    lprop->flags = flags & ~OBJ_PROP_LINK_CLASS;
    return add_link_common(object_property_add(obj, name, full_type,
                               object_get_link_property,
                               check ? object_set_link_property : NULL,
                               object_release_link_property, lprop));
}

ObjectProperty *object_class_property_add_link(ObjectClass *oc,
                                               const char *name,
                                               const char *type,
                                               ptrdiff_t offset,
                                               void (*check)(const Object *obj,
                                                             const char *name,
                                                             Object *val,
                                                             Error **errp),
                                               ObjectPropertyLinkFlags flags)
{
    LinkProperty *lprop = g_new0(LinkProperty, 1);
    g_autofree char *full_type = g_strdup_printf("link<%s>", type);

    lprop->offset = offset;
    lprop->check = check;
    lprop->flags = flags | OBJ_PROP_LINK_CLASS;
    return add_link_common(object_class_property_add(oc, name, full_type,
                               object_get_link_property,
                               check ? object_set_link_property : NULL,
                               object_release_link_property, lprop));
}

ObjectProperty *object_property_add_const_link(Object *obj, const char *name,
                                               Object *target)
{
    LinkProperty *lprop = g_new0(LinkProperty, 1);
    g_autofree char *full_type =
        g_strdup_printf("link<%s>", object_get_typename(target));

    lprop->target_storage = target;
    lprop->targetp = &lprop->target_storage;
    lprop->flags = OBJ_PROP_LINK_DIRECT;
    return add_link_common(object_property_add(obj, name, full_type,
                               object_get_link_property, NULL,
                               object_release_link_property, lprop));
}

/* --- aliases ---------------------------------------------------------- */

typedef struct AliasProperty {
    Object *target_obj;
    char *target_name;
} AliasProperty;

static JsonNode *property_get_alias(Object *obj, ObjectProperty *prop,
                                    Error **errp)
{
    AliasProperty *ap = prop->opaque;

    return object_property_get_json(ap->target_obj, ap->target_name, errp);
}

static void property_set_alias(Object *obj, ObjectProperty *prop,
                               JsonNode *node, Error **errp)
{
    AliasProperty *ap = prop->opaque;

    object_property_set_json(ap->target_obj, ap->target_name, node, errp);
}

static Object *property_resolve_alias(Object *obj, void *opaque,
                                      const char *part)
{
    AliasProperty *ap = opaque;

    return object_resolve_path_component(ap->target_obj, ap->target_name);
}

static void property_release_alias(Object *obj, const char *name,
                                   void *opaque)
{
    AliasProperty *ap = opaque;

    g_free(ap->target_name);
    g_free(ap);
}

ObjectProperty *object_property_add_alias(Object *obj, const char *name,
                                          Object *target_obj,
                                          const char *target_name)
{
    ObjectProperty *target_prop =
        object_property_find_err(target_obj, target_name, &error_abort);
    AliasProperty *ap = g_new0(AliasProperty, 1);
    ObjectProperty *prop;

    ap->target_obj = target_obj;
    ap->target_name = g_strdup(target_name);
    prop = object_property_add(obj, name, target_prop->type,
                               target_prop->get ? property_get_alias : NULL,
                               target_prop->set ? property_set_alias : NULL,
                               property_release_alias, ap);
    prop->resolve = property_resolve_alias;
    prop->description = g_strdup(target_prop->description);
    return prop;
}

/* --- defaults --------------------------------------------------------- */

static void object_property_init_defval(Object *obj, ObjectProperty *prop)
{
    prop->set(obj, prop, prop->defval, &error_abort);
}

static void object_property_set_default(ObjectProperty *prop,
                                        JsonNode *defval)
{
    g_assert(!prop->defval);
    g_assert(prop->set);
    prop->defval = defval;
    prop->init = object_property_init_defval;
}

void object_property_set_default_bool(ObjectProperty *prop, bool value)
{
    object_property_set_default(prop, qom_json_new_bool(value));
}

void object_property_set_default_str(ObjectProperty *prop, const char *value)
{
    object_property_set_default(prop, qom_json_new_str(value));
}

void object_property_set_default_int(ObjectProperty *prop, int64_t value)
{
    object_property_set_default(prop, qom_json_new_int(value));
}

void object_property_set_default_uint(ObjectProperty *prop, uint64_t value)
{
    object_property_set_default(prop, qom_json_new_uint(value));
}

/* --- generic access ---------------------------------------------------- */

JsonNode *object_property_get_json(Object *obj, const char *name,
                                   Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);

    if (!prop) {
        return NULL;
    }
    if (!prop->get) {
        error_setg(errp, "Property '%s.%s' is not readable",
                   object_get_typename(obj), name);
        return NULL;
    }
    return prop->get(obj, prop, errp);
}

bool object_property_set_json(Object *obj, const char *name,
                              JsonNode *value, Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);
    Error *err = NULL;

    if (!prop) {
        return false;
    }
    if (!prop->set) {
        error_setg(errp, "Property '%s.%s' is not writable",
                   object_get_typename(obj), name);
        return false;
    }
    prop->set(obj, prop, value, &err);
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    return true;
}

/* Set from a JSON node we own. */
static bool set_json_consume(Object *obj, const char *name, JsonNode *node,
                             Error **errp)
{
    bool ok = object_property_set_json(obj, name, node, errp);

    json_node_unref(node);
    return ok;
}

bool object_property_set_bool(Object *obj, const char *name, bool value,
                              Error **errp)
{
    return set_json_consume(obj, name, qom_json_new_bool(value), errp);
}

bool object_property_set_int(Object *obj, const char *name, int64_t value,
                             Error **errp)
{
    return set_json_consume(obj, name, qom_json_new_int(value), errp);
}

bool object_property_set_uint(Object *obj, const char *name, uint64_t value,
                              Error **errp)
{
    return set_json_consume(obj, name, qom_json_new_uint(value), errp);
}

bool object_property_set_str(Object *obj, const char *name,
                             const char *value, Error **errp)
{
    return set_json_consume(obj, name, qom_json_new_str(value), errp);
}

bool object_property_get_bool(Object *obj, const char *name, Error **errp)
{
    g_autoptr(JsonNode) node = object_property_get_json(obj, name, errp);
    bool value = false;

    if (node) {
        qom_json_get_bool(node, name, &value, errp);
    }
    return value;
}

int64_t object_property_get_int(Object *obj, const char *name, Error **errp)
{
    g_autoptr(JsonNode) node = object_property_get_json(obj, name, errp);
    int64_t value = -1;

    if (node && !qom_json_get_int(node, name, &value, errp)) {
        value = -1;
    }
    return value;
}

uint64_t object_property_get_uint(Object *obj, const char *name,
                                  Error **errp)
{
    g_autoptr(JsonNode) node = object_property_get_json(obj, name, errp);
    uint64_t value = 0;

    if (node && !qom_json_get_uint(node, name, &value, errp)) {
        value = 0;
    }
    return value;
}

char *object_property_get_str(Object *obj, const char *name, Error **errp)
{
    g_autoptr(JsonNode) node = object_property_get_json(obj, name, errp);
    const char *value;

    if (!node || !qom_json_get_str(node, name, &value, errp)) {
        return NULL;
    }
    return g_strdup(value);
}

bool object_property_set_link(Object *obj, const char *name, Object *value,
                              Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);
    g_autofree char *path = NULL;

    if (!prop) {
        return false;
    }
    /* Links of ours take the object itself: it need not be in the tree. */
    if (prop->set == object_set_link_property) {
        return link_property_store(obj, prop, value, errp);
    }
    if (value) {
        path = object_get_canonical_path(value);
    }
    return object_property_set_str(obj, name, path ? path : "", errp);
}

Object *object_property_get_link(Object *obj, const char *name, Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);
    g_autofree char *path = NULL;

    if (!prop) {
        return NULL;
    }
    if (prop->resolve) {
        return prop->resolve(obj, prop->opaque, name);
    }
    path = object_property_get_str(obj, name, errp);
    if (!path || !*path) {
        return NULL;
    }
    return object_resolve_path(path, NULL);
}

int object_property_get_enum(Object *obj, const char *name,
                             const char *typename, Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);
    EnumProperty *ep;
    g_autofree char *value = NULL;

    if (!prop) {
        return -1;
    }
    if (strcmp(prop->type, typename) != 0 || !property_is_enum(prop)) {
        error_setg(errp, "Property %s on %s is not '%s' enum type", name,
                   object_get_typename(obj), typename);
        return -1;
    }
    ep = prop->opaque;
    value = object_property_get_str(obj, name, errp);
    if (!value) {
        return -1;
    }
    return qapi_enum_parse(ep->lookup, value, -1, errp);
}

const char *object_property_get_type(Object *obj, const char *name,
                                     Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);

    return prop ? prop->type : NULL;
}

/* --- strings ------------------------------------------------------------ */

static bool type_is_uint(const char *type)
{
    return !strcmp(type, "uint8") || !strcmp(type, "uint16") ||
           !strcmp(type, "uint32") || !strcmp(type, "uint64");
}

static bool type_is_int(const char *type)
{
    return !strcmp(type, "int") || !strcmp(type, "int8") ||
           !strcmp(type, "int16") || !strcmp(type, "int32") ||
           !strcmp(type, "int64");
}

/* Convert @string to JSON for property @prop; NULL with @errp on error. */
static JsonNode *property_parse_string(ObjectProperty *prop,
                                       const char *string, Error **errp)
{
    const char *type = prop->type;

    if (!strcmp(type, "bool")) {
        bool value;

        if (!qapi_bool_parse(prop->name, string, &value, errp)) {
            return NULL;
        }
        return qom_json_new_bool(value);
    }
    if (!strcmp(type, "size")) {
        uint64_t value;

        if (qemu_strtosz(string, NULL, &value) < 0) {
            ERRP_GUARD();

            error_setg(errp, "Parameter '%s' expects a size", prop->name);
            error_append_hint(errp, "You may use k, M, G or T suffixes for "
                              "kilobytes, megabytes, gigabytes and "
                              "terabytes.\n");
            return NULL;
        }
        return qom_json_new_uint(value);
    }
    if (type_is_uint(type)) {
        uint64_t value;
        const char *p = string;

        while (g_ascii_isspace(*p)) {
            p++;
        }
        if (*p == '-' || qemu_strtou64(string, NULL, 0, &value) < 0) {
            error_setg(errp, "Parameter '%s' expects %s", prop->name, type);
            return NULL;
        }
        return qom_json_new_uint(value);
    }
    if (type_is_int(type)) {
        int64_t value;

        if (qemu_strtoi64(string, NULL, 0, &value) < 0) {
            error_setg(errp, "Parameter '%s' expects int64", prop->name);
            return NULL;
        }
        return qom_json_new_int(value);
    }
    /* Strings, enums (checked by the setter), link paths, others. */
    return qom_json_new_str(string);
}

bool object_property_parse(Object *obj, const char *name,
                           const char *string, Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);
    JsonNode *node;

    if (!prop) {
        return false;
    }
    if (!prop->set) {
        error_setg(errp, "Property '%s.%s' is not writable",
                   object_get_typename(obj), name);
        return false;
    }
    node = property_parse_string(prop, string, errp);
    if (!node) {
        return false;
    }
    return set_json_consume(obj, name, node, errp);
}

static char *json_scalar_to_str(JsonNode *node)
{
    if (JSON_NODE_HOLDS_NULL(node)) {
        return g_strdup("");
    }
    if (!JSON_NODE_HOLDS_VALUE(node)) {
        return json_to_string(node, false);
    }
    switch (json_node_get_value_type(node)) {
    case G_TYPE_BOOLEAN:
        return g_strdup(json_node_get_boolean(node) ? "true" : "false");
    case G_TYPE_INT64:
        return g_strdup_printf("%" PRId64, json_node_get_int(node));
    case G_TYPE_STRING:
        return g_strdup(json_node_get_string(node));
    default:
        return json_to_string(node, false);
    }
}

char *object_property_print(Object *obj, const char *name, bool human,
                            Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);
    g_autoptr(JsonNode) node = NULL;
    uint64_t u;

    if (!prop) {
        return NULL;
    }
    node = object_property_get_json(obj, name, errp);
    if (!node) {
        return NULL;
    }
    if ((!strcmp(prop->type, "size") || type_is_uint(prop->type)) &&
        qom_json_get_uint(node, name, &u, NULL)) {
        if (!human) {
            return g_strdup_printf("%" PRIu64, u);
        }
        if (!strcmp(prop->type, "size")) {
            g_autofree char *pretty = size_to_str(u);

            return g_strdup_printf("%" PRIu64 " (%s)", u, pretty);
        }
        return g_strdup_printf("%" PRIu64 " (0x%" PRIx64 ")", u, u);
    }
    if (human && qom_json_holds(node, G_TYPE_INT64)) {
        int64_t i = json_node_get_int(node);

        return g_strdup_printf("%" PRId64 " (0x%" PRIx64 ")", i, (uint64_t)i);
    }
    if (human && qom_json_holds(node, G_TYPE_STRING)) {
        return g_strdup_printf("\"%s\"", json_node_get_string(node));
    }
    return json_scalar_to_str(node);
}

char *object_property_help(const char *name, const char *type,
                           JsonNode *defval, const char *description)
{
    GString *str = g_string_new(NULL);

    g_string_append_printf(str, "  %s=<%s>", name, type);
    if (description || defval) {
        while (str->len < 24) {
            g_string_append_c(str, ' ');
        }
        g_string_append(str, " - ");
    }
    if (description) {
        g_string_append(str, description);
    }
    if (defval) {
        g_autofree char *text = json_to_string(defval, false);

        g_string_append_printf(str, " (default: %s)", text);
    }
    return g_string_free(str, false);
}
