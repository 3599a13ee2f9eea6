/*
 * qdev buses: TYPE_BUS and the bus side of the qdev tree.
 */
#include "qemu/osdep.h"
#include "hw/qdev-core.h"
#include "qdev-internal.h"

static BusChild *bus_find_child(BusState *bus, DeviceState *child)
{
    for (GList *l = bus->children; l; l = l->next) {
        BusChild *kid = l->data;

        if (kid->child == child) {
            return kid;
        }
    }
    return NULL;
}

static char *bus_child_property_name(BusChild *kid)
{
    return g_strdup_printf("child[%d]", kid->index);
}

void bus_add_child(BusState *bus, DeviceState *child)
{
    BusChild *kid = g_new0(BusChild, 1);
    g_autofree char *name = NULL;

    kid->child = child;
    kid->index = bus->max_index++;
    object_ref(OBJECT(child));
    bus->children = g_list_append(bus->children, kid);
    bus->num_children++;
    name = bus_child_property_name(kid);
    object_property_add_link(OBJECT(bus), name,
                             object_get_typename(OBJECT(child)),
                             (Object **)&kid->child, NULL,
                             OBJ_PROP_LINK_DIRECT);
}

void bus_remove_child(BusState *bus, DeviceState *child)
{
    BusChild *kid = bus_find_child(bus, child);
    g_autofree char *name = NULL;

    g_assert(kid);
    name = bus_child_property_name(kid);
    object_property_del(OBJECT(bus), name);
    bus->children = g_list_remove(bus->children, kid);
    bus->num_children--;
    child->parent_bus = NULL;
    g_free(kid);
    object_unref(OBJECT(child));
}

DeviceState *qbus_first_child(BusState *bus)
{
    return bus->children ? ((BusChild *)bus->children->data)->child : NULL;
}

bool qbus_is_full(BusState *bus)
{
    BusClass *bc = BUS_GET_CLASS(bus);

    return bus->full || (bc->max_dev && bus->num_children >= bc->max_dev);
}

static char *qbus_default_name(BusState *bus, const char *typename)
{
    DeviceState *parent = bus->parent;
    char *name;

    if (parent && parent->id) {
        return g_strdup_printf("%s.%d", parent->id, parent->num_child_bus);
    }
    name = g_strdup_printf("%s.%d", typename,
                           BUS_GET_CLASS(bus)->automatic_ids++);
    for (char *p = name; *p; p++) {
        *p = g_ascii_tolower(*p);
    }
    return name;
}

static void qbus_init_internal(BusState *bus, DeviceState *parent,
                               const char *name)
{
    const char *typename = object_get_typename(OBJECT(bus));

    bus->parent = parent;
    bus->name = name ? g_strdup(name) : qbus_default_name(bus, typename);
    if (parent) {
        parent->child_bus = g_slist_prepend(parent->child_bus, bus);
        parent->num_child_bus++;
        object_property_add_child(OBJECT(parent), bus->name, OBJECT(bus));
        /* The parent device's child<> property owns the bus now. */
        object_unref(OBJECT(bus));
    }
}

void qbus_init(void *bus, size_t size, const char *typename,
               DeviceState *parent, const char *name)
{
    object_initialize(bus, size, typename);
    qbus_init_internal(bus, parent, name);
}

BusState *qbus_new(const char *typename, DeviceState *parent,
                   const char *name)
{
    BusState *bus = BUS(object_new(typename));

    qbus_init_internal(bus, parent, name);
    return bus;
}

bool qbus_realize(BusState *bus, Error **errp)
{
    BusClass *bc = BUS_GET_CLASS(bus);

    if (bus->realized) {
        return true;
    }
    if (bc->realize) {
        Error *err = NULL;

        bc->realize(bus, &err);
        if (err) {
            error_propagate(errp, err);
            return false;
        }
    }
    bus->realized = true;
    return true;
}

void qbus_unrealize(BusState *bus)
{
    BusClass *bc = BUS_GET_CLASS(bus);

    if (!bus->realized) {
        return;
    }
    for (GList *l = bus->children; l; l = l->next) {
        BusChild *kid = l->data;

        qdev_unrealize(kid->child);
    }
    if (bc->unrealize) {
        bc->unrealize(bus);
    }
    bus->realized = false;
}

void qbus_set_hotplug_handler(BusState *bus, Object *handler)
{
    object_property_set_link(OBJECT(bus), "hotplug-handler", handler,
                             &error_abort);
}

void qbus_set_bus_hotplug_handler(BusState *bus)
{
    qbus_set_hotplug_handler(bus, OBJECT(bus));
}

void bus_cold_reset(BusState *bus)
{
    BusClass *bc = BUS_GET_CLASS(bus);

    /* Children first, as QEMU's reset hold phase. */
    for (GList *l = bus->children; l; l = l->next) {
        BusChild *kid = l->data;

        if (kid->child->realized) {
            device_cold_reset(kid->child);
        }
    }
    if (bc->reset) {
        bc->reset(bus);
    }
}

DeviceState *qdev_find_recursive(BusState *bus, const char *id)
{
    for (GList *l = bus->children; l; l = l->next) {
        DeviceState *dev = ((BusChild *)l->data)->child;

        if (dev->id && !strcmp(dev->id, id)) {
            return dev;
        }
        for (GSList *b = dev->child_bus; b; b = b->next) {
            DeviceState *found = qdev_find_recursive(b->data, id);

            if (found) {
                return found;
            }
        }
    }
    return NULL;
}

static bool bus_get_realized(Object *obj, Error **errp)
{
    return BUS(obj)->realized;
}

static void bus_set_realized(Object *obj, bool value, Error **errp)
{
    if (value) {
        qbus_realize(BUS(obj), errp);
    } else {
        qbus_unrealize(BUS(obj));
    }
}

static void bus_unparent(Object *obj)
{
    BusState *bus = BUS(obj);

    while (bus->children) {
        DeviceState *dev = ((BusChild *)bus->children->data)->child;

        if (OBJECT(dev)->parent) {
            object_unparent(OBJECT(dev));
        } else {
            qdev_unrealize(dev);
            bus_remove_child(bus, dev);
        }
    }
    if (bus->parent) {
        bus->parent->child_bus = g_slist_remove(bus->parent->child_bus, bus);
        bus->parent->num_child_bus--;
        bus->parent = NULL;
    }
}

static void bus_instance_init(Object *obj)
{
    BusState *bus = BUS(obj);

    object_property_add_link(obj, "hotplug-handler", TYPE_HOTPLUG_HANDLER,
                             (Object **)&bus->hotplug_handler,
                             object_property_allow_set_link,
                             OBJ_PROP_LINK_DIRECT);
}

static void bus_instance_finalize(Object *obj)
{
    BusState *bus = BUS(obj);

    g_assert(!bus->children);
    g_free(bus->name);
}

static void bus_class_init(ObjectClass *oc, void *data)
{
    oc->unparent = bus_unparent;
    object_class_property_add_bool(oc, "realized", bus_get_realized,
                                   bus_set_realized);
}

static const TypeInfo bus_info = {
    .name = TYPE_BUS,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(BusState),
    .abstract = true,
    .class_size = sizeof(BusClass),
    .instance_init = bus_instance_init,
    .instance_finalize = bus_instance_finalize,
    .class_init = bus_class_init,
};

static void bus_register_types(void)
{
    type_register_static(&bus_info);
}

type_init(bus_register_types)
