/*
 * Static device properties: each Property of a DeviceClass becomes a
 * class property whose value lives at Property.offset in the device.
 */
#include "qemu/osdep.h"
#include "qom/qom-json.h"
#include "hw/qdev-properties.h"

static const char *const OnOffAuto_names[] = { "auto", "on", "off" };

const QEnumLookup OnOffAuto_lookup = {
    .array = OnOffAuto_names,
    .size = ON_OFF_AUTO__MAX,
};

void *object_field_prop_ptr(Object *obj, Property *prop)
{
    return (char *)obj + prop->offset;
}

void qdev_prop_set_after_realize(DeviceState *dev, const char *name,
                                 Error **errp)
{
    if (dev->id) {
        error_setg(errp, "Attempt to set property '%s' on device '%s' "
                   "(type '%s') after it was realized", name, dev->id,
                   object_get_typename(OBJECT(dev)));
    } else {
        error_setg(errp, "Attempt to set property '%s' on anonymous device "
                   "(type '%s') after it was realized", name,
                   object_get_typename(OBJECT(dev)));
    }
}


static Property *op_prop(ObjectProperty *op)
{
    return op->opaque;
}

static void *op_field(Object *obj, ObjectProperty *op)
{
    return object_field_prop_ptr(obj, op_prop(op));
}

/* --- bool and bits ------------------------------------------------------ */

static JsonNode *prop_get_bool(Object *obj, ObjectProperty *op, Error **errp)
{
    return qom_json_new_bool(*(bool *)op_field(obj, op));
}

static void prop_set_bool(Object *obj, ObjectProperty *op, JsonNode *value,
                          Error **errp)
{
    bool v;

    if (qom_json_get_bool(value, op->name, &v, errp)) {
        *(bool *)op_field(obj, op) = v;
    }
}

static void set_default_value_bool(ObjectProperty *op, const Property *prop)
{
    object_property_set_default_bool(op, prop->defval.u);
}

const PropertyInfo qdev_prop_bool = {
    .name = "bool",
    .get = prop_get_bool,
    .set = prop_set_bool,
    .set_default_value = set_default_value_bool,
};

static JsonNode *prop_get_bit(Object *obj, ObjectProperty *op, Error **errp)
{
    uint32_t *p = op_field(obj, op);

    return qom_json_new_bool(*p & (1U << op_prop(op)->bitnr));
}

static void prop_set_bit(Object *obj, ObjectProperty *op, JsonNode *value,
                         Error **errp)
{
    uint32_t *p = op_field(obj, op);
    uint32_t mask = 1U << op_prop(op)->bitnr;
    bool v;

    if (qom_json_get_bool(value, op->name, &v, errp)) {
        *p = v ? *p | mask : *p & ~mask;
    }
}

const PropertyInfo qdev_prop_bit = {
    .name = "bool",
    .description = "on/off",
    .get = prop_get_bit,
    .set = prop_set_bit,
    .set_default_value = set_default_value_bool,
};

static JsonNode *prop_get_bit64(Object *obj, ObjectProperty *op,
                                Error **errp)
{
    uint64_t *p = op_field(obj, op);

    return qom_json_new_bool(*p & (1ULL << op_prop(op)->bitnr));
}

static void prop_set_bit64(Object *obj, ObjectProperty *op, JsonNode *value,
                           Error **errp)
{
    uint64_t *p = op_field(obj, op);
    uint64_t mask = 1ULL << op_prop(op)->bitnr;
    bool v;

    if (qom_json_get_bool(value, op->name, &v, errp)) {
        *p = v ? *p | mask : *p & ~mask;
    }
}

const PropertyInfo qdev_prop_bit64 = {
    .name = "bool",
    .description = "on/off",
    .get = prop_get_bit64,
    .set = prop_set_bit64,
    .set_default_value = set_default_value_bool,
};

/* --- integers ------------------------------------------------------------ */

static void set_default_value_uint(ObjectProperty *op, const Property *prop)
{
    object_property_set_default_uint(op, prop->defval.u);
}

static void set_default_value_int(ObjectProperty *op, const Property *prop)
{
    object_property_set_default_int(op, prop->defval.i);
}

/* Read an unsigned value that must not exceed @max. */
static bool prop_get_uint_arg(ObjectProperty *op, JsonNode *value,
                              uint64_t max, const char *type, uint64_t *v,
                              Error **errp)
{
    if (!qom_json_get_uint(value, op->name, v, errp)) {
        return false;
    }
    if (*v > max) {
        error_setg(errp, "Parameter '%s' expects %s", op->name, type);
        return false;
    }
    return true;
}

#define DEFINE_UINT_PROP_ACCESSORS(bits)                                     \
static JsonNode *prop_get_uint##bits(Object *obj, ObjectProperty *op,       \
                                     Error **errp)                          \
{                                                                           \
    return qom_json_new_uint(*(uint##bits##_t *)op_field(obj, op));            \
}                                                                           \
                                                                            \
static void prop_set_uint##bits(Object *obj, ObjectProperty *op,            \
                                JsonNode *value, Error **errp)              \
{                                                                           \
    uint64_t v;                                                             \
                                                                            \
    if (prop_get_uint_arg(op, value, UINT##bits##_MAX, "uint" #bits, &v,    \
                          errp)) {                                          \
        *(uint##bits##_t *)op_field(obj, op) = v;                           \
    }                                                                       \
}                                                                           \
                                                                            \
const PropertyInfo qdev_prop_uint##bits = {                                 \
    .name = "uint" #bits,                                                   \
    .get = prop_get_uint##bits,                                             \
    .set = prop_set_uint##bits,                                             \
    .set_default_value = set_default_value_uint,                            \
};

DEFINE_UINT_PROP_ACCESSORS(8)
DEFINE_UINT_PROP_ACCESSORS(16)
DEFINE_UINT_PROP_ACCESSORS(32)
DEFINE_UINT_PROP_ACCESSORS(64)

const PropertyInfo qdev_prop_size = {
    .name = "size",
    .get = prop_get_uint64,
    .set = prop_set_uint64,
    .set_default_value = set_default_value_uint,
};

static JsonNode *prop_get_int32(Object *obj, ObjectProperty *op,
                                Error **errp)
{
    return qom_json_new_int(*(int32_t *)op_field(obj, op));
}

static void prop_set_int32(Object *obj, ObjectProperty *op, JsonNode *value,
                           Error **errp)
{
    int64_t v;

    if (!qom_json_get_int(value, op->name, &v, errp)) {
        return;
    }
    if (v < INT32_MIN || v > INT32_MAX) {
        error_setg(errp, "Parameter '%s' expects int32", op->name);
        return;
    }
    *(int32_t *)op_field(obj, op) = v;
}

const PropertyInfo qdev_prop_int32 = {
    .name = "int32",
    .get = prop_get_int32,
    .set = prop_set_int32,
    .set_default_value = set_default_value_int,
};

static JsonNode *prop_get_int64(Object *obj, ObjectProperty *op,
                                Error **errp)
{
    return qom_json_new_int(*(int64_t *)op_field(obj, op));
}

static void prop_set_int64(Object *obj, ObjectProperty *op, JsonNode *value,
                           Error **errp)
{
    int64_t v;

    if (qom_json_get_int(value, op->name, &v, errp)) {
        *(int64_t *)op_field(obj, op) = v;
    }
}

const PropertyInfo qdev_prop_int64 = {
    .name = "int64",
    .get = prop_get_int64,
    .set = prop_set_int64,
    .set_default_value = set_default_value_int,
};

/* --- strings -------------------------------------------------------------- */

static JsonNode *prop_get_string(Object *obj, ObjectProperty *op,
                                 Error **errp)
{
    char **p = op_field(obj, op);

    /* QEMU reads an unset string property as "". */
    return qom_json_new_str(*p ? *p : "");
}

static void prop_set_string(Object *obj, ObjectProperty *op, JsonNode *value,
                            Error **errp)
{
    char **p = op_field(obj, op);
    const char *v;

    if (qom_json_get_str(value, op->name, &v, errp)) {
        g_free(*p);
        *p = g_strdup(v);
    }
}

static void prop_release_string(Object *obj, const char *name, void *opaque)
{
    char **p = object_field_prop_ptr(obj, opaque);

    g_free(*p);
    *p = NULL;
}

const PropertyInfo qdev_prop_string = {
    .name = "str",
    .get = prop_get_string,
    .set = prop_set_string,
    .release = prop_release_string,
};

/* --- enums ------------------------------------------------------------------ */

static JsonNode *prop_get_enum(Object *obj, ObjectProperty *op, Error **errp)
{
    const QEnumLookup *lookup = op_prop(op)->info->enum_table;
    int value = *(int *)op_field(obj, op);

    return qom_json_new_str(qapi_enum_lookup(lookup, value));
}

static void prop_set_enum(Object *obj, ObjectProperty *op, JsonNode *value,
                          Error **errp)
{
    const QEnumLookup *lookup = op_prop(op)->info->enum_table;
    const char *name;
    int v;

    if (!qom_json_get_str(value, op->name, &name, errp)) {
        return;
    }
    v = qapi_enum_parse(lookup, name, -1, NULL);
    if (v < 0) {
        error_setg(errp, "Parameter '%s' does not accept value '%s'",
                   op->name, name);
        return;
    }
    *(int *)op_field(obj, op) = v;
}

static void set_default_value_enum(ObjectProperty *op, const Property *prop)
{
    object_property_set_default_str(op,
        qapi_enum_lookup(prop->info->enum_table, prop->defval.i));
}

const PropertyInfo qdev_prop_on_off_auto = {
    .name = "OnOffAuto",
    .description = "on/off/auto",
    .enum_table = &OnOffAuto_lookup,
    .get = prop_get_enum,
    .set = prop_set_enum,
    .set_default_value = set_default_value_enum,
};

/* --- links ------------------------------------------------------------------ */

static void qdev_prop_allow_set_link_before_realize(const Object *obj,
                                                    const char *name,
                                                    Object *val,
                                                    Error **errp)
{
    DeviceState *dev = DEVICE(obj);

    if (dev->realized) {
        error_setg(errp, "Attempt to set link property '%s' on device '%s' "
                   "(type '%s') after it was realized", name,
                   dev->id ? dev->id : "<anonymous>",
                   object_get_typename(OBJECT(obj)));
    }
}

static ObjectProperty *create_link_property(ObjectClass *oc,
                                            const char *name,
                                            Property *prop)
{
    return object_class_property_add_link(oc, name, prop->link_type,
                                          prop->offset,
                                          qdev_prop_allow_set_link_before_realize,
                                          OBJ_PROP_LINK_STRONG);
}

const PropertyInfo qdev_prop_link = {
    .name = "link",
    .create = create_link_property,
};

/* --- class properties ----------------------------------------------------- */

static JsonNode *field_prop_get(Object *obj, ObjectProperty *op,
                                Error **errp)
{
    return op_prop(op)->info->get(obj, op, errp);
}

static void field_prop_set(Object *obj, ObjectProperty *op, JsonNode *value,
                           Error **errp)
{
    Property *prop = op_prop(op);
    DeviceState *dev = DEVICE(obj);

    if (dev->realized && !prop->info->realized_set_allowed) {
        qdev_prop_set_after_realize(dev, op->name, errp);
        return;
    }
    prop->info->set(obj, op, value, errp);
}

static void field_prop_release(Object *obj, const char *name, void *opaque)
{
    Property *prop = opaque;

    prop->info->release(obj, name, opaque);
}

static void qdev_class_add_property(DeviceClass *klass, const char *name,
                                    Property *prop)
{
    ObjectClass *oc = OBJECT_CLASS(klass);
    ObjectProperty *op;

    if (prop->info->create) {
        op = prop->info->create(oc, name, prop);
    } else {
        op = object_class_property_add(oc, name, prop->info->name,
                                       prop->info->get ? field_prop_get : NULL,
                                       prop->info->set ? field_prop_set : NULL,
                                       prop->info->release ?
                                       field_prop_release : NULL,
                                       prop);
    }
    if (prop->set_default && prop->info->set_default_value) {
        prop->info->set_default_value(op, prop);
    }
    if (prop->info->description) {
        object_class_property_set_description(oc, name,
                                              prop->info->description);
    }
}

void device_class_set_props(DeviceClass *dc, Property *props)
{
    dc->props_ = props;
    for (Property *prop = props; prop && prop->name; prop++) {
        qdev_class_add_property(dc, prop->name, prop);
    }
}

Property *qdev_find_static_property(DeviceClass *dc, const char *name)
{
    for (ObjectClass *oc = OBJECT_CLASS(dc); oc;
         oc = object_class_get_parent(oc)) {
        DeviceClass *klass = (DeviceClass *)
            object_class_dynamic_cast(oc, TYPE_DEVICE);

        if (!klass) {
            break;
        }
        for (Property *prop = klass->props_; prop && prop->name; prop++) {
            if (!strcmp(prop->name, name)) {
                return prop;
            }
        }
    }
    return NULL;
}

/* --- setters for board code ---------------------------------------------- */

void qdev_prop_set_bit(DeviceState *dev, const char *name, bool value)
{
    object_property_set_bool(OBJECT(dev), name, value, &error_abort);
}

void qdev_prop_set_uint8(DeviceState *dev, const char *name, uint8_t value)
{
    object_property_set_uint(OBJECT(dev), name, value, &error_abort);
}

void qdev_prop_set_uint16(DeviceState *dev, const char *name, uint16_t value)
{
    object_property_set_uint(OBJECT(dev), name, value, &error_abort);
}

void qdev_prop_set_uint32(DeviceState *dev, const char *name, uint32_t value)
{
    object_property_set_uint(OBJECT(dev), name, value, &error_abort);
}

void qdev_prop_set_int32(DeviceState *dev, const char *name, int32_t value)
{
    object_property_set_int(OBJECT(dev), name, value, &error_abort);
}

void qdev_prop_set_uint64(DeviceState *dev, const char *name, uint64_t value)
{
    object_property_set_uint(OBJECT(dev), name, value, &error_abort);
}

void qdev_prop_set_string(DeviceState *dev, const char *name,
                          const char *value)
{
    object_property_set_str(OBJECT(dev), name, value, &error_abort);
}

void qdev_prop_set_enum(DeviceState *dev, const char *name, int value)
{
    Property *prop = qdev_find_static_property(DEVICE_GET_CLASS(dev), name);

    g_assert(prop && prop->info->enum_table);
    object_property_set_str(OBJECT(dev), name,
                            qapi_enum_lookup(prop->info->enum_table, value),
                            &error_abort);
}
