/*
 * Static device properties (QEMU's Property arrays).
 *
 * A DeviceClass lists its properties in a Property array terminated by
 * DEFINE_PROP_END_OF_LIST() and installs it with device_class_set_props().
 * Each entry becomes a class property of the QOM type (JSON accessors, see
 * qom/object.h) stored at a fixed offset in the instance, with its default
 * applied when the instance is created.  Setting a property of a realized
 * device fails with "Attempt to set property '%s' on device '%s' (type
 * '%s') after it was realized" (anonymous devices: "... on anonymous
 * device (type '%s') after it was realized").
 */
#ifndef QDEV_PROPERTIES_H
#define QDEV_PROPERTIES_H

#include "hw/qdev-core.h"

typedef struct PropertyInfo PropertyInfo;

struct Property {
    const char *name;
    const PropertyInfo *info;
    ptrdiff_t offset;
    uint8_t bitnr;              /* DEFINE_PROP_BIT/_BIT64 */
    bool set_default;
    union {
        int64_t i;
        uint64_t u;
    } defval;
    const char *link_type;      /* DEFINE_PROP_LINK */
};

struct PropertyInfo {
    const char *name;           /* QOM type, e.g. "uint32", "OnOffAuto" */
    const char *description;
    const QEnumLookup *enum_table;
    /* The property may be set on a realized device. */
    bool realized_set_allowed;
    /*
     * (not in QEMU) -device passes the value as a JSON string, which the
     * setter parses itself (e.g. PCI "addr=05.0"), instead of converting
     * it by the property's type name.
     */
    bool parse_as_string;
    /* "info qtree" text of the value (NULL: object_property_print()). */
    char *(*print)(Object *obj, Property *prop);
    void (*set_default_value)(ObjectProperty *op, const Property *prop);
    /* Builds the class property itself (links). */
    ObjectProperty *(*create)(ObjectClass *oc, const char *name,
                              Property *prop);
    ObjectPropertyGet *get;
    ObjectPropertySet *set;
    ObjectPropertyRelease *release;
};

/* OnOffAuto as QEMU's QAPI type: names "auto", "on", "off". */
typedef enum OnOffAuto {
    ON_OFF_AUTO_AUTO,
    ON_OFF_AUTO_ON,
    ON_OFF_AUTO_OFF,
    ON_OFF_AUTO__MAX,
} OnOffAuto;
extern const QEnumLookup OnOffAuto_lookup;

extern const PropertyInfo qdev_prop_bit;
extern const PropertyInfo qdev_prop_bit64;
extern const PropertyInfo qdev_prop_bool;
extern const PropertyInfo qdev_prop_uint8;
extern const PropertyInfo qdev_prop_uint16;
extern const PropertyInfo qdev_prop_uint32;
extern const PropertyInfo qdev_prop_int32;
extern const PropertyInfo qdev_prop_uint64;
extern const PropertyInfo qdev_prop_int64;
extern const PropertyInfo qdev_prop_size;
extern const PropertyInfo qdev_prop_string;
extern const PropertyInfo qdev_prop_link;
extern const PropertyInfo qdev_prop_on_off_auto;

#ifndef typeof_field
#define typeof_field(type, field) typeof(((type *)0)->field)
#endif
/* 0 when the two types are compatible, a compile error otherwise. */
#ifndef type_check
#define type_check(t1, t2) \
    (sizeof(char[__builtin_types_compatible_p(t1, t2) ? 1 : -1]) - 1)
#endif

#define DEFINE_PROP(_name, _state, _field, _prop, _type, ...) {  \
        .name      = (_name),                                    \
        .info      = &(_prop),                                   \
        .offset    = offsetof(_state, _field)                    \
            + type_check(_type, typeof_field(_state, _field)),   \
        __VA_ARGS__                                              \
        }

#define DEFINE_PROP_SIGNED(_name, _state, _field, _defval, _prop, _type) \
    DEFINE_PROP(_name, _state, _field, _prop, _type,                     \
                .set_default = true,                                     \
                .defval.i    = (_type)_defval)

#define DEFINE_PROP_SIGNED_NODEFAULT(_name, _state, _field, _prop, _type) \
    DEFINE_PROP(_name, _state, _field, _prop, _type)

#define DEFINE_PROP_UNSIGNED(_name, _state, _field, _defval, _prop, _type) \
    DEFINE_PROP(_name, _state, _field, _prop, _type,                       \
                .set_default = true,                                       \
                .defval.u  = (_type)_defval)

#define DEFINE_PROP_UNSIGNED_NODEFAULT(_name, _state, _field, _prop, _type) \
    DEFINE_PROP(_name, _state, _field, _prop, _type)

/* Bit @_bit of a uint32_t field, shown as a "bool" property. */
#define DEFINE_PROP_BIT(_name, _state, _field, _bit, _defval)   \
    DEFINE_PROP(_name, _state, _field, qdev_prop_bit, uint32_t, \
                .bitnr       = (_bit),                          \
                .set_default = true,                            \
                .defval.u    = (bool)_defval)

/* Bit @_bit of a uint64_t field. */
#define DEFINE_PROP_BIT64(_name, _state, _field, _bit, _defval)   \
    DEFINE_PROP(_name, _state, _field, qdev_prop_bit64, uint64_t, \
                .bitnr    = (_bit),                               \
                .set_default = true,                              \
                .defval.u  = (bool)_defval)

#define DEFINE_PROP_BOOL(_name, _state, _field, _defval)     \
    DEFINE_PROP(_name, _state, _field, qdev_prop_bool, bool, \
                .set_default = true,                         \
                .defval.u    = (bool)_defval)

#define DEFINE_PROP_UINT8(_n, _s, _f, _d)                       \
    DEFINE_PROP_UNSIGNED(_n, _s, _f, _d, qdev_prop_uint8, uint8_t)
#define DEFINE_PROP_UINT16(_n, _s, _f, _d)                      \
    DEFINE_PROP_UNSIGNED(_n, _s, _f, _d, qdev_prop_uint16, uint16_t)
#define DEFINE_PROP_UINT32(_n, _s, _f, _d)                      \
    DEFINE_PROP_UNSIGNED(_n, _s, _f, _d, qdev_prop_uint32, uint32_t)
#define DEFINE_PROP_INT32(_n, _s, _f, _d)                      \
    DEFINE_PROP_SIGNED(_n, _s, _f, _d, qdev_prop_int32, int32_t)
#define DEFINE_PROP_UINT64(_n, _s, _f, _d)                      \
    DEFINE_PROP_UNSIGNED(_n, _s, _f, _d, qdev_prop_uint64, uint64_t)
#define DEFINE_PROP_INT64(_n, _s, _f, _d)                      \
    DEFINE_PROP_SIGNED(_n, _s, _f, _d, qdev_prop_int64, int64_t)
#define DEFINE_PROP_SIZE(_n, _s, _f, _d)                       \
    DEFINE_PROP_UNSIGNED(_n, _s, _f, _d, qdev_prop_size, uint64_t)
/* A char * field (NULL by default), freed with the device. */
#define DEFINE_PROP_STRING(_n, _s, _f)             \
    DEFINE_PROP(_n, _s, _f, qdev_prop_string, char*)
#define DEFINE_PROP_ON_OFF_AUTO(_n, _s, _f, _d) \
    DEFINE_PROP_SIGNED(_n, _s, _f, _d, qdev_prop_on_off_auto, OnOffAuto)

/*
 * A "link<@_type>" property stored in @_field (of type @_ptr_type); set by
 * id under /objects or by path.  Holds a reference on its target (as
 * QEMU's OBJ_PROP_LINK_STRONG), dropped when the device dies.
 */
#define DEFINE_PROP_LINK(_name, _state, _field, _type, _ptr_type) {     \
        .name = (_name),                                                \
        .info = &(qdev_prop_link),                                      \
        .offset = offsetof(_state, _field)                              \
            + type_check(_ptr_type, typeof_field(_state, _field)),      \
        .link_type  = _type,                                            \
        }

#define DEFINE_PROP_END_OF_LIST()               \
    {}

/* Set static properties (abort on error: for board code). */
void qdev_prop_set_bit(DeviceState *dev, const char *name, bool value);
void qdev_prop_set_uint8(DeviceState *dev, const char *name, uint8_t value);
void qdev_prop_set_uint16(DeviceState *dev, const char *name,
                          uint16_t value);
void qdev_prop_set_uint32(DeviceState *dev, const char *name,
                          uint32_t value);
void qdev_prop_set_int32(DeviceState *dev, const char *name, int32_t value);
void qdev_prop_set_uint64(DeviceState *dev, const char *name,
                          uint64_t value);
void qdev_prop_set_string(DeviceState *dev, const char *name,
                          const char *value);
void qdev_prop_set_enum(DeviceState *dev, const char *name, int value);

/* The error for a property set after realize (texts above). */
void qdev_prop_set_after_realize(DeviceState *dev, const char *name,
                                 Error **errp);

/* Pointer to the field of @prop in @obj. */
void *object_field_prop_ptr(Object *obj, Property *prop);

/*
 * The Property of @dev called @name among its class's static
 * properties (or NULL).
 */
Property *qdev_find_static_property(DeviceClass *dc, const char *name);

#endif
