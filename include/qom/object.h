/*
 * QOM: the QEMU Object Model, with QEMU's API.
 *
 * Types are registered from TypeInfo descriptions (usually at program start
 * through type_init()/DEFINE_TYPES()).  A type has one parent type and may
 * implement any number of interfaces; classes are initialized lazily on
 * first use.  Objects are reference counted and form a composition tree
 * rooted at "/" through "child<>" properties.
 *
 * Deviation from QEMU: there are no Visitors.  Property accessors exchange
 * JSON values (json-glib JsonNode):
 *   - a getter returns a new JsonNode the caller owns (json_node_unref()),
 *   - a setter borrows the JsonNode it is given.
 * JSON types by property type: "bool" -> boolean, "int"/"uint64"/"size"/
 * "uint8".."uint32" -> integer, "string"/enums/links -> string (links: the
 * target's canonical path, "" when NULL).  uint64 values above INT64_MAX
 * are represented as a JSON double: UINT64_MAX round-trips exactly, other
 * values that large may lose low-order bits.
 */
#ifndef QOM_OBJECT_H
#define QOM_OBJECT_H

#include <json-glib/json-glib.h>
#include "qapi/error.h"
#include "qapi/util.h"
#include "qemu/module.h"

struct TypeImpl;
typedef struct TypeImpl *Type;

typedef struct TypeInfo TypeInfo;
typedef struct InterfaceClass InterfaceClass;
typedef struct InterfaceInfo InterfaceInfo;
typedef struct Object Object;
typedef struct ObjectClass ObjectClass;
typedef struct ObjectProperty ObjectProperty;

#define TYPE_OBJECT "object"
#define TYPE_INTERFACE "interface"

/* Property accessors (see the JSON deviation above). */
typedef JsonNode *ObjectPropertyGet(Object *obj, ObjectProperty *prop,
                                    Error **errp);
typedef void ObjectPropertySet(Object *obj, ObjectProperty *prop,
                               JsonNode *value, Error **errp);
/* Follows a path component through this property ("child<>", "link<>"). */
typedef Object *ObjectPropertyResolve(Object *obj, void *opaque,
                                      const char *part);
/* Called when the property is removed (object finalization or _del). */
typedef void ObjectPropertyRelease(Object *obj, const char *name,
                                   void *opaque);
/* Called for class properties on each new instance (sets defaults). */
typedef void ObjectPropertyInit(Object *obj, ObjectProperty *prop);

struct ObjectProperty {
    char *name;
    char *type;
    char *description;
    ObjectPropertyGet *get;
    ObjectPropertySet *set;
    ObjectPropertyResolve *resolve;
    ObjectPropertyRelease *release;
    ObjectPropertyInit *init;
    void *opaque;
    JsonNode *defval;           /* default value, or NULL */
};

typedef void ObjectUnparent(Object *obj);
typedef void ObjectFree(void *obj);

/* The base of every class structure. */
struct ObjectClass {
    /* private: */
    Type type;
    GSList *interfaces;         /* of InterfaceClass * */
    ObjectUnparent *unparent;
    GHashTable *properties;     /* name -> ObjectProperty * */
};

/* The base of every instance structure. */
struct Object {
    /* private: */
    ObjectClass *class;
    ObjectFree *free;           /* NULL for embedded objects */
    GHashTable *properties;     /* name -> ObjectProperty * */
    GPtrArray *property_order;  /* the same, in insertion order */
    uint32_t ref;
    Object *parent;
};

struct InterfaceInfo {
    const char *type;
};

/* The base of every interface class structure. */
struct InterfaceClass {
    ObjectClass parent_class;
    /* private: */
    ObjectClass *concrete_class;
    Type interface_type;
};

/*
 * TypeInfo: describes a type for type_register_static().
 * @class_init runs for the type's class after the parent's class has been
 * copied into it and every ancestor's @class_base_init has run on it; it
 * receives @class_data.  @instance_init runs parent first,
 * @instance_finalize runs child first.  @interfaces is terminated by an
 * entry with a NULL type.
 */
struct TypeInfo {
    const char *name;
    const char *parent;

    size_t instance_size;
    size_t instance_align;
    void (*instance_init)(Object *obj);
    void (*instance_post_init)(Object *obj);
    void (*instance_finalize)(Object *obj);

    bool abstract;
    size_t class_size;

    void (*class_init)(ObjectClass *klass, void *data);
    void (*class_base_init)(ObjectClass *klass, void *data);
    void *class_data;

    InterfaceInfo *interfaces;
};

/* Casts without checks. */
#define OBJECT(obj) ((Object *)(obj))
#define OBJECT_CLASS(class) ((ObjectClass *)(class))

/* Checked casts: abort with a message naming both types on mismatch. */
#define OBJECT_CHECK(type, obj, name) \
    ((type *)object_dynamic_cast_assert(OBJECT(obj), (name), \
                                        __FILE__, __LINE__, __func__))

#define OBJECT_CLASS_CHECK(class_type, class, name) \
    ((class_type *)object_class_dynamic_cast_assert(OBJECT_CLASS(class), \
                                        (name), __FILE__, __LINE__, __func__))

#define OBJECT_GET_CLASS(class, obj, name) \
    OBJECT_CLASS_CHECK(class, object_get_class(OBJECT(obj)), name)

/* Cast an object to an interface: yields the object pointer itself. */
#define INTERFACE_CHECK(interface, obj, name) \
    ((interface *)object_dynamic_cast_assert(OBJECT((obj)), (name), \
                                             __FILE__, __LINE__, __func__))

#define INTERFACE_CLASS(klass) \
    OBJECT_CLASS_CHECK(InterfaceClass, klass, TYPE_INTERFACE)

#define DECLARE_INSTANCE_CHECKER(InstanceType, OBJ_NAME, TYPENAME) \
    static inline G_GNUC_UNUSED InstanceType *                     \
    OBJ_NAME(const void *obj)                                      \
    { return OBJECT_CHECK(InstanceType, obj, TYPENAME); }

#define DECLARE_CLASS_CHECKERS(ClassType, OBJ_NAME, TYPENAME)          \
    static inline G_GNUC_UNUSED ClassType *                            \
    OBJ_NAME##_GET_CLASS(const void *obj)                              \
    { return OBJECT_GET_CLASS(ClassType, obj, TYPENAME); }             \
                                                                       \
    static inline G_GNUC_UNUSED ClassType *                            \
    OBJ_NAME##_CLASS(const void *klass)                                \
    { return OBJECT_CLASS_CHECK(ClassType, klass, TYPENAME); }

#define DECLARE_OBJ_CHECKERS(InstanceType, ClassType, OBJ_NAME, TYPENAME) \
    DECLARE_INSTANCE_CHECKER(InstanceType, OBJ_NAME, TYPENAME)            \
    DECLARE_CLASS_CHECKERS(ClassType, OBJ_NAME, TYPENAME)

/* Interfaces: the instance type is normally an incomplete struct. */
#define DECLARE_INTERFACE_CHECKER(InterfaceType, OBJ_NAME, TYPENAME) \
    static inline G_GNUC_UNUSED InterfaceType *                      \
    OBJ_NAME(const void *obj)                                        \
    { return INTERFACE_CHECK(InterfaceType, obj, TYPENAME); }

#define OBJECT_DECLARE_TYPE(InstanceType, ClassType, MODULE_OBJ_NAME) \
    typedef struct InstanceType InstanceType;                         \
    typedef struct ClassType ClassType;                               \
    G_DEFINE_AUTOPTR_CLEANUP_FUNC(InstanceType, object_unref)         \
    DECLARE_OBJ_CHECKERS(InstanceType, ClassType,                     \
                         MODULE_OBJ_NAME, TYPE_##MODULE_OBJ_NAME)

#define OBJECT_DECLARE_SIMPLE_TYPE(InstanceType, MODULE_OBJ_NAME)     \
    typedef struct InstanceType InstanceType;                         \
    G_DEFINE_AUTOPTR_CLEANUP_FUNC(InstanceType, object_unref)         \
    DECLARE_INSTANCE_CHECKER(InstanceType, MODULE_OBJ_NAME,           \
                             TYPE_##MODULE_OBJ_NAME)

/* Register every TypeInfo of @type_array at program start. */
#define DEFINE_TYPES(type_array)                                          \
    static void do_qemu_init_types_##type_array(void)                     \
    {                                                                     \
        type_register_static_array(type_array, ARRAY_SIZE(type_array));   \
    }                                                                     \
    type_init(do_qemu_init_types_##type_array)

/* --- Types --------------------------------------------------------- */

/* Register a type; @info and its strings must stay valid forever. */
Type type_register_static(const TypeInfo *info);
/* Register a type; @info is copied. */
Type type_register(const TypeInfo *info);
void type_register_static_array(const TypeInfo *infos, int nr_infos);

/* --- Lifetime ------------------------------------------------------ */

/*
 * Allocate and initialize an object of concrete type @typename (aborts if
 * the type is unknown or abstract).  The new object has a reference count
 * of 1 and no parent.
 */
Object *object_new(const char *typename);
Object *object_new_with_class(ObjectClass *klass);

/*
 * object_new(), then set the properties given as (name, string value)
 * pairs terminated by NULL (through object_property_parse()), add it as
 * child @id of @parent (if @parent), and complete it if it is
 * user-creatable.  Returns the object (owned by @parent if given) or NULL.
 */
Object *object_new_with_props(const char *typename, Object *parent,
                              const char *id, Error **errp, ...)
    G_GNUC_NULL_TERMINATED;

/* Set properties from (name, string value, ..., NULL). */
bool object_set_props(Object *obj, Error **errp, ...) G_GNUC_NULL_TERMINATED;

/*
 * Initialize an object embedded in a larger structure (e.g. a
 * MemoryRegion in a device).  @size must be at least the type's instance
 * size.  The memory is not freed when the last reference is dropped.
 */
void object_initialize(void *obj, size_t size, const char *typename);

/*
 * object_initialize() @child and add it as child @propname of @parent;
 * @parent then holds the only reference.
 */
bool object_initialize_child_with_props(Object *parent, const char *propname,
                                        void *child, size_t size,
                                        const char *type, Error **errp, ...)
    G_GNUC_NULL_TERMINATED;
void object_initialize_child_internal(Object *parent, const char *propname,
                                      void *child, size_t size,
                                      const char *type);
#define object_initialize_child(parent, propname, child, type) \
    object_initialize_child_internal((parent), (propname), \
                                     (child), sizeof(*(child)), (type))

/* Take a reference; returns @obj. */
Object *object_ref(void *obj);
/*
 * Drop a reference; on the last one the object is finalized: properties
 * are deleted (their release callbacks run, children are unparented),
 * instance_finalize runs from the type up to TYPE_OBJECT, and the memory
 * is freed unless the object was embedded (object_initialize()).
 */
void object_unref(void *obj);

/* Remove @obj from its parent (drops the parent's reference). */
void object_unparent(Object *obj);

/* --- Casts and classes --------------------------------------------- */

/* @obj if it is (or implements) @typename, else NULL. */
Object *object_dynamic_cast(Object *obj, const char *typename);
Object *object_dynamic_cast_assert(Object *obj, const char *typename,
                                   const char *file, int line,
                                   const char *func);

/*
 * @klass if it is @typename or derives from it; for an interface name,
 * the class's InterfaceClass for that interface; else NULL.
 */
ObjectClass *object_class_dynamic_cast(ObjectClass *klass,
                                       const char *typename);
ObjectClass *object_class_dynamic_cast_assert(ObjectClass *klass,
                                              const char *typename,
                                              const char *file, int line,
                                              const char *func);

ObjectClass *object_get_class(Object *obj);
const char *object_get_typename(const Object *obj);
const char *object_class_get_name(ObjectClass *klass);
/* NULL for TYPE_OBJECT and interfaces' roots. */
ObjectClass *object_class_get_parent(ObjectClass *klass);
bool object_class_is_abstract(ObjectClass *klass);
/* The class of @typename (initialized on demand), or NULL if unknown. */
ObjectClass *object_class_by_name(const char *typename);
ObjectClass *module_object_class_by_name(const char *typename);
/* The instance size of @typename. */
size_t object_type_get_instance_size(const char *typename);

/*
 * Call @fn for every registered class that is (or implements)
 * @implements_type (NULL: every class), skipping abstract ones unless
 * @include_abstract.
 */
void object_class_foreach(void (*fn)(ObjectClass *klass, void *opaque),
                          const char *implements_type, bool include_abstract,
                          void *opaque);
/* Same as a list (free with g_slist_free()). */
GSList *object_class_get_list(const char *implements_type,
                              bool include_abstract);
/* Same, sorted by type name. */
GSList *object_class_get_list_sorted(const char *implements_type,
                                     bool include_abstract);

/* --- Composition tree ---------------------------------------------- */

/* The root container "/". */
Object *object_get_root(void);
/* "/objects", where user-creatable objects live. */
Object *object_get_objects_root(void);
/* A root for internal objects, not reachable from "/". */
Object *object_get_internal_root(void);

/*
 * Return the container at @path below @root, creating missing
 * "container" objects on the way ("/a/b").
 */
Object *container_get(Object *root, const char *path);
#define TYPE_CONTAINER "container"

/*
 * Add @child as property @name ("child<TYPE>") of @obj; takes a reference
 * on @child and sets its parent.  A @name ending in "[*]" is numbered:
 * "[*]" becomes "[0]", "[1]", ... (the first free one).
 * Errors: duplicate name ("attempt to add duplicate property '%s' to
 * object (type '%s')"); @child already has a parent (abort).
 */
ObjectProperty *object_property_try_add_child(Object *obj, const char *name,
                                              Object *child, Error **errp);
/* Same, aborting on error. */
ObjectProperty *object_property_add_child(Object *obj, const char *name,
                                          Object *child);

/* "/a/b/c" (root is "/"); NULL if @obj is not attached to the root. */
char *object_get_canonical_path(const Object *obj);
/* @obj's property name in its parent, NULL if unparented.  Not a copy. */
const char *object_get_canonical_path_component(const Object *obj);

/*
 * Resolve @path.  An absolute path ("/objects/mem0") is followed from the
 * root through child<> and link<> properties.  A partial path ("mem0",
 * "objects/mem0") matches any object whose path ends that way; if there
 * are several, NULL is returned and *@ambiguous (if non-NULL) is set.
 */
Object *object_resolve_path(const char *path, bool *ambiguous);
/* Same, but the result must be (or implement) @typename. */
Object *object_resolve_path_type(const char *path, const char *typename,
                                 bool *ambiguous);
/* Resolve @path relative to @parent (absolute paths still start at "/"). */
Object *object_resolve_path_at(Object *parent, const char *path);
/* The object @part of @parent (a child<> or link<> property), or NULL. */
Object *object_resolve_path_component(Object *parent, const char *part);

/*
 * Call @fn for each child of @obj (in insertion order); stops at and
 * returns the first non-zero return value.
 */
int object_child_foreach(Object *obj, int (*fn)(Object *child, void *opaque),
                         void *opaque);
/* Same, depth-first over all descendants. */
int object_child_foreach_recursive(Object *obj,
                                   int (*fn)(Object *child, void *opaque),
                                   void *opaque);

/* --- Properties: raw ------------------------------------------------ */

/*
 * Add an instance property.  NULL @get / @set make it write-only /
 * read-only.  Error on a duplicate name (instance or class property):
 * "attempt to add duplicate property '%s' to object (type '%s')".
 */
ObjectProperty *object_property_try_add(Object *obj, const char *name,
                                        const char *type,
                                        ObjectPropertyGet *get,
                                        ObjectPropertySet *set,
                                        ObjectPropertyRelease *release,
                                        void *opaque, Error **errp);
/* Same, aborting on error. */
ObjectProperty *object_property_add(Object *obj, const char *name,
                                    const char *type,
                                    ObjectPropertyGet *get,
                                    ObjectPropertySet *set,
                                    ObjectPropertyRelease *release,
                                    void *opaque);
/* Remove an instance property (runs its release callback). */
void object_property_del(Object *obj, const char *name);

/* Add a class property, inherited by subclasses; aborts on duplicates. */
ObjectProperty *object_class_property_add(ObjectClass *klass,
                                          const char *name,
                                          const char *type,
                                          ObjectPropertyGet *get,
                                          ObjectPropertySet *set,
                                          ObjectPropertyRelease *release,
                                          void *opaque);

/* Find a property of @obj (class chain first, then instance) or NULL. */
ObjectProperty *object_property_find(Object *obj, const char *name);
/* Same, with error "Property '<type>.<name>' not found". */
ObjectProperty *object_property_find_err(Object *obj, const char *name,
                                         Error **errp);
ObjectProperty *object_class_property_find(ObjectClass *klass,
                                           const char *name);
ObjectProperty *object_class_property_find_err(ObjectClass *klass,
                                               const char *name,
                                               Error **errp);

void object_property_set_description(Object *obj, const char *name,
                                     const char *description);
void object_class_property_set_description(ObjectClass *klass,
                                           const char *name,
                                           const char *description);

/*
 * Record a default for a class property (applied through its setter).
 * As in QEMU, the defaults are applied to each new instance right after
 * allocation, before any instance_init runs, and shown by help.
 */
void object_property_set_default_bool(ObjectProperty *prop, bool value);
void object_property_set_default_str(ObjectProperty *prop,
                                     const char *value);
void object_property_set_default_int(ObjectProperty *prop, int64_t value);
void object_property_set_default_uint(ObjectProperty *prop, uint64_t value);

/* Iterate over all properties of an object (instance + class ones). */
typedef struct ObjectPropertyIterator {
    ObjectClass *nextclass;
    GHashTableIter iter;
} ObjectPropertyIterator;

void object_property_iter_init(ObjectPropertyIterator *iter, Object *obj);
void object_class_property_iter_init(ObjectPropertyIterator *iter,
                                     ObjectClass *klass);
ObjectProperty *object_property_iter_next(ObjectPropertyIterator *iter);

/* --- Properties: typed helpers -------------------------------------- */

typedef enum ObjectPropertyFlags {
    OBJ_PROP_FLAG_READ = 1 << 0,
    OBJ_PROP_FLAG_WRITE = 1 << 1,
    OBJ_PROP_FLAG_READWRITE = (OBJ_PROP_FLAG_READ | OBJ_PROP_FLAG_WRITE),
} ObjectPropertyFlags;

/* "bool" */
ObjectProperty *object_property_add_bool(Object *obj, const char *name,
                                         bool (*get)(Object *, Error **),
                                         void (*set)(Object *, bool,
                                                     Error **));
ObjectProperty *object_class_property_add_bool(ObjectClass *klass,
                                               const char *name,
                                               bool (*get)(Object *,
                                                           Error **),
                                               void (*set)(Object *, bool,
                                                           Error **));

/* Type "string" (as in QEMU); the getter returns a newly allocated
 * string (or NULL: JSON null). */
ObjectProperty *object_property_add_str(Object *obj, const char *name,
                                        char *(*get)(Object *, Error **),
                                        void (*set)(Object *, const char *,
                                                    Error **));
ObjectProperty *object_class_property_add_str(ObjectClass *klass,
                                              const char *name,
                                              char *(*get)(Object *,
                                                           Error **),
                                              void (*set)(Object *,
                                                          const char *,
                                                          Error **));

/* Enum property of type @typename; values are names from @lookup. */
ObjectProperty *object_property_add_enum(Object *obj, const char *name,
                                         const char *typename,
                                         const QEnumLookup *lookup,
                                         int (*get)(Object *, Error **),
                                         void (*set)(Object *, int,
                                                     Error **));
ObjectProperty *object_class_property_add_enum(ObjectClass *klass,
                                               const char *name,
                                               const char *typename,
                                               const QEnumLookup *lookup,
                                               int (*get)(Object *,
                                                          Error **),
                                               void (*set)(Object *, int,
                                                           Error **));

/* (not in QEMU) "uint64" and "size" properties with plain accessors. */
ObjectProperty *object_property_add_uint64(Object *obj, const char *name,
                                           uint64_t (*get)(Object *,
                                                           Error **),
                                           void (*set)(Object *, uint64_t,
                                                       Error **));
ObjectProperty *object_class_property_add_uint64(ObjectClass *klass,
                                                 const char *name,
                                                 uint64_t (*get)(Object *,
                                                                 Error **),
                                                 void (*set)(Object *,
                                                             uint64_t,
                                                             Error **));
ObjectProperty *object_property_add_size(Object *obj, const char *name,
                                         uint64_t (*get)(Object *,
                                                         Error **),
                                         void (*set)(Object *, uint64_t,
                                                     Error **));
ObjectProperty *object_class_property_add_size(ObjectClass *klass,
                                               const char *name,
                                               uint64_t (*get)(Object *,
                                                               Error **),
                                               void (*set)(Object *,
                                                           uint64_t,
                                                           Error **));

/*
 * Integer properties backed by a variable ("uint8".."uint64").  Writes
 * are allowed only with OBJ_PROP_FLAG_WRITE; values that do not fit are
 * rejected.
 */
ObjectProperty *object_property_add_uint8_ptr(Object *obj, const char *name,
                                              const uint8_t *v,
                                              ObjectPropertyFlags flags);
ObjectProperty *object_property_add_uint16_ptr(Object *obj, const char *name,
                                               const uint16_t *v,
                                               ObjectPropertyFlags flags);
ObjectProperty *object_property_add_uint32_ptr(Object *obj, const char *name,
                                               const uint32_t *v,
                                               ObjectPropertyFlags flags);
ObjectProperty *object_property_add_uint64_ptr(Object *obj, const char *name,
                                               const uint64_t *v,
                                               ObjectPropertyFlags flags);
/* Class versions: @v is shared by all instances (e.g. a static). */
ObjectProperty *object_class_property_add_uint8_ptr(ObjectClass *klass,
                                                    const char *name,
                                                    const uint8_t *v,
                                                    ObjectPropertyFlags flags);
ObjectProperty *object_class_property_add_uint16_ptr(ObjectClass *klass,
                                                     const char *name,
                                                     const uint16_t *v,
                                                     ObjectPropertyFlags flags);
ObjectProperty *object_class_property_add_uint32_ptr(ObjectClass *klass,
                                                     const char *name,
                                                     const uint32_t *v,
                                                     ObjectPropertyFlags flags);
ObjectProperty *object_class_property_add_uint64_ptr(ObjectClass *klass,
                                                     const char *name,
                                                     const uint64_t *v,
                                                     ObjectPropertyFlags flags);

/* Link flags (as in QEMU). */
typedef enum ObjectPropertyLinkFlags {
    OBJ_PROP_LINK_DIRECT = 0x0,
    /* The link holds a reference on its target. */
    OBJ_PROP_LINK_STRONG = 0x1,
    /* internal: @offset-based class property */
    OBJ_PROP_LINK_CLASS = 0x4,
} ObjectPropertyLinkFlags;

/* A link check that always allows setting (QEMU's default). */
void object_property_allow_set_link(const Object *obj, const char *name,
                                    Object *child, Error **errp);

/*
 * "link<@type>" property stored in *@targetp.  Setting it by string (an
 * id under /objects, an absolute or partial path, "" for NULL) or with
 * object_property_set_link() type-checks the target ("Invalid parameter
 * type for '%s', expected: %s"; unknown path: "Device '%s' not found",
 * class DeviceNotFound), calls @check (NULL makes the link read-only) and,
 * with OBJ_PROP_LINK_STRONG, takes a reference on the new target and
 * drops the one on the old (and on the target when the object dies).
 * Reading it gives the target's canonical path ("" if NULL).
 */
ObjectProperty *object_property_add_link(Object *obj, const char *name,
                                         const char *type, Object **targetp,
                                         void (*check)(const Object *obj,
                                                       const char *name,
                                                       Object *val,
                                                       Error **errp),
                                         ObjectPropertyLinkFlags flags);
/* Same, as a class property; the link lives at @offset in the instance. */
ObjectProperty *object_class_property_add_link(ObjectClass *oc,
                                               const char *name,
                                               const char *type,
                                               ptrdiff_t offset,
                                               void (*check)(const Object *obj,
                                                             const char *name,
                                                             Object *val,
                                                             Error **errp),
                                               ObjectPropertyLinkFlags flags);
/* A read-only link to @target (which must outlive the property). */
ObjectProperty *object_property_add_const_link(Object *obj, const char *name,
                                               Object *target);
/* Forward property @name of @obj to @target_name of @target_obj. */
ObjectProperty *object_property_add_alias(Object *obj, const char *name,
                                          Object *target_obj,
                                          const char *target_name);

/* --- Properties: generic access ------------------------------------- */

/*
 * Get a property as JSON (new reference).  Errors: unknown property
 * ("Property '<type>.<name>' not found"), write-only property
 * ("Property '<type>.<name>' is not readable").
 */
JsonNode *object_property_get_json(Object *obj, const char *name,
                                   Error **errp);
/*
 * Set a property from JSON (borrowed).  Errors: unknown property,
 * read-only property ("Property '<type>.<name>' is not writable"),
 * and the setter's own ("Invalid parameter type for '%s', expected: %s"
 * for a JSON value of the wrong type).
 */
bool object_property_set_json(Object *obj, const char *name,
                              JsonNode *value, Error **errp);

bool object_property_set_bool(Object *obj, const char *name, bool value,
                              Error **errp);
bool object_property_get_bool(Object *obj, const char *name, Error **errp);
bool object_property_set_int(Object *obj, const char *name, int64_t value,
                             Error **errp);
int64_t object_property_get_int(Object *obj, const char *name, Error **errp);
bool object_property_set_uint(Object *obj, const char *name, uint64_t value,
                              Error **errp);
uint64_t object_property_get_uint(Object *obj, const char *name,
                                  Error **errp);
bool object_property_set_str(Object *obj, const char *name,
                             const char *value, Error **errp);
/* Caller frees; NULL on error. */
char *object_property_get_str(Object *obj, const char *name, Error **errp);
/*
 * For link properties made by object_property_add_link() & co. the target
 * is stored directly (it need not be in the composition tree); for other
 * properties its canonical path is set as a string.
 */
bool object_property_set_link(Object *obj, const char *name, Object *value,
                              Error **errp);
/* The link target (no reference taken), or NULL. */
Object *object_property_get_link(Object *obj, const char *name,
                                 Error **errp);
/* The value of enum property @name of enum type @typename; -1 on error. */
int object_property_get_enum(Object *obj, const char *name,
                             const char *typename, Error **errp);

/*
 * Set a property from a command-line string, converted by the property's
 * type: "bool": on/off/yes/no/true/false ("Parameter '%s' expects 'on' or
 * 'off'"); "size": qemu_strtosz() ("Parameter '%s' expects a size");
 * "uint8".."uint64": decimal/hex ("Parameter '%s' expects uint64"...);
 * "int": ("Parameter '%s' expects int64"); enums by name ("Parameter '%s'
 * does not accept value '%s'"); links by path or by id under /objects;
 * "string" as is.
 */
bool object_property_parse(Object *obj, const char *name,
                           const char *string, Error **errp);

/*
 * A property's value as a string: the inverse of object_property_parse().
 * With @human, sizes are printed with size_to_str() and strings quoted.
 * Caller frees; NULL on error.
 */
char *object_property_print(Object *obj, const char *name, bool human,
                            Error **errp);

/* The property's type string, or NULL with "not found" error. */
const char *object_property_get_type(Object *obj, const char *name,
                                     Error **errp);

/*
 * One help line as printed by "-object TYPE,help":
 * "  NAME=<TYPE>" padded to 24 columns, then " - DESCRIPTION" and
 * " (default: VALUE)" when known.  Caller frees.
 */
char *object_property_help(const char *name, const char *type,
                           JsonNode *defval, const char *description);

#endif
