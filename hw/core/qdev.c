/*
 * qdev: TYPE_DEVICE, realization, hotplug handlers and gpio lines.
 */
#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/boards.h"
#include "qdev-internal.h"

static bool machine_creation_done;

bool qdev_machine_creation_done_get(void)
{
    return machine_creation_done;
}

void qdev_machine_creation_done(void)
{
    machine_creation_done = true;
}

Object *qdev_get_machine(void)
{
    return container_get(object_get_root(), "/machine");
}

/* --- classes ------------------------------------------------------------ */

void device_class_set_parent_realize(DeviceClass *dc,
                                     DeviceRealize dev_realize,
                                     DeviceRealize *parent_realize)
{
    *parent_realize = dc->realize;
    dc->realize = dev_realize;
}

void device_class_set_parent_unrealize(DeviceClass *dc,
                                       DeviceUnrealize dev_unrealize,
                                       DeviceUnrealize *parent_unrealize)
{
    *parent_unrealize = dc->unrealize;
    dc->unrealize = dev_unrealize;
}

void device_class_set_parent_reset(DeviceClass *dc, DeviceReset dev_reset,
                                   DeviceReset *parent_reset)
{
    *parent_reset = dc->reset;
    dc->reset = dev_reset;
}

/* --- creation ----------------------------------------------------------- */

DeviceState *qdev_new(const char *name)
{
    ObjectClass *oc = object_class_by_name(name);

    if (!oc) {
        error_report("unknown type '%s'", name);
        abort();
    }
    return DEVICE(object_new(name));
}

DeviceState *qdev_try_new(const char *name)
{
    if (!object_class_by_name(name)) {
        return NULL;
    }
    return DEVICE(object_new(name));
}

const char *qdev_set_id(DeviceState *dev, char *id, Error **errp)
{
    Object *machine = qdev_get_machine();
    ObjectProperty *prop;

    g_assert(!dev->id && !dev->realized);
    if (id) {
        prop = object_property_try_add_child(
            container_get(machine, "/peripheral"), id, OBJECT(dev), NULL);
        if (!prop) {
            error_setg(errp, "Duplicate device ID '%s'", id);
            g_free(id);
            return NULL;
        }
        dev->id = id;
    } else {
        prop = object_property_add_child(
            container_get(machine, "/peripheral-anon"), "device[*]",
            OBJECT(dev));
    }
    return prop->name;
}

bool qdev_set_parent_bus(DeviceState *dev, BusState *bus, Error **errp)
{
    BusClass *bc = BUS_GET_CLASS(bus);

    if (bc->check_address && !bc->check_address(bus, dev, errp)) {
        return false;
    }
    object_ref(OBJECT(dev));
    if (dev->parent_bus) {
        bus_remove_child(dev->parent_bus, dev);
    }
    dev->parent_bus = bus;
    bus_add_child(bus, dev);
    object_unref(OBJECT(dev));
    return true;
}

BusState *qdev_get_parent_bus(const DeviceState *dev)
{
    return dev->parent_bus;
}

BusState *qdev_get_child_bus(DeviceState *dev, const char *name)
{
    for (GSList *l = dev->child_bus; l; l = l->next) {
        BusState *bus = l->data;

        if (!strcmp(name, bus->name)) {
            return bus;
        }
    }
    return NULL;
}

char *qdev_get_dev_path(DeviceState *dev)
{
    BusClass *bc;

    if (!dev || !dev->parent_bus) {
        return NULL;
    }
    bc = BUS_GET_CLASS(dev->parent_bus);
    return bc->get_dev_path ? bc->get_dev_path(dev) : NULL;
}

bool qdev_realize(DeviceState *dev, BusState *bus, Error **errp)
{
    /* e.g. "-device TYPE,realized=on" */
    if (dev->realized) {
        error_setg(errp, "Device '%s' is already realized",
                   object_get_typename(OBJECT(dev)));
        return false;
    }
    g_assert(!dev->parent_bus);

    if (bus) {
        if (!qdev_set_parent_bus(dev, bus, errp)) {
            return false;
        }
    } else {
        g_assert(!DEVICE_GET_CLASS(dev)->bus_type);
    }
    if (!object_property_set_bool(OBJECT(dev), "realized", true, errp)) {
        if (dev->parent_bus) {
            bus_remove_child(dev->parent_bus, dev);
        }
        return false;
    }
    return true;
}

bool qdev_realize_and_unref(DeviceState *dev, BusState *bus, Error **errp)
{
    bool ret = qdev_realize(dev, bus, errp);

    object_unref(OBJECT(dev));
    return ret;
}

void qdev_unrealize(DeviceState *dev)
{
    object_property_set_bool(OBJECT(dev), "realized", false, &error_abort);
}

/* --- hotplug ------------------------------------------------------------- */

HotplugHandler *qdev_get_machine_hotplug_handler(DeviceState *dev)
{
    Object *obj = object_resolve_path_component(object_get_root(),
                                                "machine");
    MachineClass *mc;

    if (!obj || !object_dynamic_cast(obj, TYPE_MACHINE)) {
        return NULL;
    }
    mc = MACHINE_GET_CLASS(obj);
    return mc->get_hotplug_handler ?
           mc->get_hotplug_handler(MACHINE(obj), dev) : NULL;
}

HotplugHandler *qdev_get_bus_hotplug_handler(DeviceState *dev)
{
    return dev->parent_bus ? dev->parent_bus->hotplug_handler : NULL;
}

HotplugHandler *qdev_get_hotplug_handler(DeviceState *dev)
{
    HotplugHandler *handler = qdev_get_machine_hotplug_handler(dev);

    return handler ? handler : qdev_get_bus_hotplug_handler(dev);
}

bool qdev_hotplug_allowed(DeviceState *dev, Error **errp)
{
    Object *obj = object_resolve_path_component(object_get_root(),
                                                "machine");
    MachineClass *mc;

    if (!obj || !object_dynamic_cast(obj, TYPE_MACHINE)) {
        return true;
    }
    mc = MACHINE_GET_CLASS(obj);
    return mc->hotplug_allowed ?
           mc->hotplug_allowed(MACHINE(obj), dev, errp) : true;
}

void qdev_simple_device_unplug_cb(HotplugHandler *hotplug_dev,
                                  DeviceState *dev, Error **errp)
{
    qdev_unrealize(dev);
}

void qdev_unplug(DeviceState *dev, Error **errp)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    HotplugHandler *handler;
    Error *err = NULL;

    if (dev->parent_bus && !qbus_is_hotpluggable(dev->parent_bus)) {
        error_setg(errp, "Bus '%s' does not support hotplugging",
                   dev->parent_bus->name);
        return;
    }
    if (!dc->hotpluggable) {
        error_setg(errp, "Device '%s' does not support hotplugging",
                   object_get_typename(OBJECT(dev)));
        return;
    }
    handler = qdev_get_hotplug_handler(dev);
    if (!handler) {
        error_setg(errp, "Device '%s' does not support hotplugging",
                   object_get_typename(OBJECT(dev)));
        return;
    }
    if (HOTPLUG_HANDLER_GET_CLASS(handler)->unplug_request) {
        hotplug_handler_unplug_request(handler, dev, errp);
        return;
    }
    hotplug_handler_unplug(handler, dev, &err);
    if (err) {
        error_propagate(errp, err);
        return;
    }
    object_unparent(OBJECT(dev));
}

/* --- reset --------------------------------------------------------------- */

static void device_reset_subtree(DeviceState *dev)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);

    /* Buses were prepended: walk them in creation order. */
    g_autoptr(GSList) buses = g_slist_reverse(g_slist_copy(dev->child_bus));

    for (GSList *l = buses; l; l = l->next) {
        bus_cold_reset(l->data);
    }
    if (dc->reset) {
        dc->reset(dev);
    }
}

void device_cold_reset(DeviceState *dev)
{
    if (dev->realized) {
        device_reset_subtree(dev);
    }
}

/* --- realize ------------------------------------------------------------- */

static bool device_get_realized(Object *obj, Error **errp)
{
    return DEVICE(obj)->realized;
}

static void device_unrealize_children(DeviceState *dev)
{
    for (GSList *l = dev->child_bus; l; l = l->next) {
        qbus_unrealize(l->data);
    }
}

static bool device_realize_children(DeviceState *dev, Error **errp)
{
    g_autoptr(GSList) buses = g_slist_reverse(g_slist_copy(dev->child_bus));

    for (GSList *l = buses; l; l = l->next) {
        if (!qbus_realize(l->data, errp)) {
            return false;
        }
    }
    return true;
}

static void device_realize_fail(DeviceState *dev, bool attached,
                                bool call_unrealize)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);

    if (call_unrealize) {
        device_unrealize_children(dev);
        g_clear_pointer(&dev->canonical_path, g_free);
        if (dc->unrealize) {
            dc->unrealize(dev);
        }
    }
    if (attached) {
        object_unparent(OBJECT(dev));
    }
}

static void device_do_realize(DeviceState *dev, Error **errp)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    Object *obj = OBJECT(dev);
    HotplugHandler *handler;
    bool attached = false;
    Error *err = NULL;

    if (dev->hotplugged && !dc->hotpluggable) {
        error_setg(errp, "Device '%s' does not support hotplugging",
                   object_get_typename(obj));
        return;
    }
    if (!obj->parent) {
        object_property_add_child(container_get(qdev_get_machine(),
                                                "/unattached"),
                                  "device[*]", obj);
        attached = true;
    }
    handler = qdev_get_hotplug_handler(dev);
    if (handler) {
        hotplug_handler_pre_plug(handler, dev, &err);
        if (err) {
            goto fail;
        }
    }
    if (dc->realize) {
        dc->realize(dev, &err);
        if (err) {
            goto fail;
        }
    }
    g_free(dev->canonical_path);
    dev->canonical_path = object_get_canonical_path(obj);
    if (!device_realize_children(dev, &err)) {
        goto fail_realized;
    }
    if (dev->hotplugged) {
        device_reset_subtree(dev);
    }
    dev->pending_deleted_event = false;
    if (handler) {
        hotplug_handler_plug(handler, dev, &err);
        if (err) {
            goto fail_realized;
        }
    }
    dev->realized = true;
    return;

fail_realized:
    device_realize_fail(dev, attached, true);
    error_propagate(errp, err);
    return;
fail:
    device_realize_fail(dev, attached, false);
    error_propagate(errp, err);
}

static void device_do_unrealize(DeviceState *dev)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);

    dev->realized = false;
    device_unrealize_children(dev);
    if (dc->unrealize) {
        dc->unrealize(dev);
    }
    dev->pending_deleted_event = true;
}

static void device_set_realized(Object *obj, bool value, Error **errp)
{
    DeviceState *dev = DEVICE(obj);

    if (value && !dev->realized) {
        device_do_realize(dev, errp);
    } else if (!value && dev->realized) {
        device_do_unrealize(dev);
    }
}

static bool device_get_hotpluggable(Object *obj, Error **errp)
{
    DeviceClass *dc = DEVICE_GET_CLASS(obj);
    DeviceState *dev = DEVICE(obj);

    return dc->hotpluggable &&
           (!dev->parent_bus || qbus_is_hotpluggable(dev->parent_bus));
}

static bool device_get_hotplugged(Object *obj, Error **errp)
{
    return DEVICE(obj)->hotplugged;
}

/* --- gpio ----------------------------------------------------------------- */

NamedGPIOList *qdev_get_named_gpio_list(DeviceState *dev, const char *name)
{
    NamedGPIOList *ngl;

    for (GSList *l = dev->gpios; l; l = l->next) {
        ngl = l->data;
        if (!g_strcmp0(name, ngl->name)) {
            return ngl;
        }
    }
    ngl = g_new0(NamedGPIOList, 1);
    ngl->name = g_strdup(name);
    dev->gpios = g_slist_prepend(dev->gpios, ngl);
    return ngl;
}

void qdev_init_gpio_in_named_with_opaque(DeviceState *dev,
                                         qemu_irq_handler handler,
                                         void *opaque, const char *name,
                                         int n)
{
    NamedGPIOList *ngl = qdev_get_named_gpio_list(dev, name);
    const char *prefix = name ? name : "unnamed-gpio-in";

    g_assert(ngl->num_out == 0 || name == NULL);
    ngl->in = g_renew(qemu_irq, ngl->in, ngl->num_in + n);
    for (int i = ngl->num_in; i < ngl->num_in + n; i++) {
        g_autofree char *propname = g_strdup_printf("%s[%d]", prefix, i);

        ngl->in[i] = qemu_allocate_irq(handler, opaque, i);
        object_property_add_child(OBJECT(dev), propname,
                                  OBJECT(ngl->in[i]));
    }
    ngl->num_in += n;
}

void qdev_init_gpio_in_named(DeviceState *dev, qemu_irq_handler handler,
                             const char *name, int n)
{
    qdev_init_gpio_in_named_with_opaque(dev, handler, dev, name, n);
}

void qdev_init_gpio_in(DeviceState *dev, qemu_irq_handler handler, int n)
{
    qdev_init_gpio_in_named(dev, handler, NULL, n);
}

void qdev_init_gpio_out_named(DeviceState *dev, qemu_irq *pins,
                              const char *name, int n)
{
    NamedGPIOList *ngl = qdev_get_named_gpio_list(dev, name);
    const char *prefix = name ? name : "unnamed-gpio-out";

    for (int i = 0; i < n; i++) {
        g_autofree char *propname =
            g_strdup_printf("%s[%d]", prefix, ngl->num_out + i);

        pins[i] = NULL;
        object_property_add_link(OBJECT(dev), propname, TYPE_IRQ,
                                 (Object **)&pins[i],
                                 object_property_allow_set_link,
                                 OBJ_PROP_LINK_STRONG);
    }
    ngl->num_out += n;
}

void qdev_init_gpio_out(DeviceState *dev, qemu_irq *pins, int n)
{
    qdev_init_gpio_out_named(dev, pins, NULL, n);
}

qemu_irq qdev_get_gpio_in_named(DeviceState *dev, const char *name, int n)
{
    NamedGPIOList *ngl = qdev_get_named_gpio_list(dev, name);

    g_assert(n >= 0 && n < ngl->num_in);
    return ngl->in[n];
}

qemu_irq qdev_get_gpio_in(DeviceState *dev, int n)
{
    return qdev_get_gpio_in_named(dev, NULL, n);
}

static char *gpio_out_property_name(const char *name, int n)
{
    return g_strdup_printf("%s[%d]", name ? name : "unnamed-gpio-out", n);
}

void qdev_connect_gpio_out_named(DeviceState *dev, const char *name, int n,
                                 qemu_irq input_pin)
{
    g_autofree char *propname = gpio_out_property_name(name, n);

    object_property_set_link(OBJECT(dev), propname, OBJECT(input_pin),
                             &error_abort);
}

void qdev_connect_gpio_out(DeviceState *dev, int n, qemu_irq pin)
{
    qdev_connect_gpio_out_named(dev, NULL, n, pin);
}

qemu_irq qdev_get_gpio_out_connector(DeviceState *dev, const char *name,
                                     int n)
{
    g_autofree char *propname = gpio_out_property_name(name, n);

    return (qemu_irq)object_property_get_link(OBJECT(dev), propname, NULL);
}

/* --- the type --------------------------------------------------------------- */

static void device_initfn(Object *obj)
{
    DeviceState *dev = DEVICE(obj);

    if (machine_creation_done) {
        dev->hotplugged = 1;
    }
    dev->instance_id_alias = -1;
    object_property_add_link(obj, "parent_bus", TYPE_BUS,
                             (Object **)&dev->parent_bus, NULL,
                             OBJ_PROP_LINK_DIRECT);
}

static void device_unparent(Object *obj)
{
    DeviceState *dev = DEVICE(obj);

    if (dev->realized) {
        qdev_unrealize(dev);
    }
    while (dev->child_bus) {
        object_unparent(OBJECT(dev->child_bus->data));
    }
    if (dev->parent_bus) {
        bus_remove_child(dev->parent_bus, dev);
    }
}

static void device_finalize(Object *obj)
{
    DeviceState *dev = DEVICE(obj);

    for (GSList *l = dev->gpios; l; l = l->next) {
        NamedGPIOList *ngl = l->data;

        qemu_free_irqs(ngl->in, ngl->num_in);
        g_free(ngl->name);
        g_free(ngl);
    }
    g_slist_free(dev->gpios);
    g_free(dev->id);
    g_free(dev->canonical_path);
}

static void device_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    oc->unparent = device_unparent;
    dc->hotpluggable = true;
    dc->user_creatable = true;
    object_class_property_add_bool(oc, "realized", device_get_realized,
                                   device_set_realized);
    object_class_property_add_bool(oc, "hotpluggable",
                                   device_get_hotpluggable, NULL);
    object_class_property_add_bool(oc, "hotplugged", device_get_hotplugged,
                                   NULL);
}

/* Each class lists its own static properties (parents are walked). */
static void device_class_base_init(ObjectClass *oc, void *data)
{
    DEVICE_CLASS(oc)->props_ = NULL;
}

static const TypeInfo device_type_info = {
    .name = TYPE_DEVICE,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(DeviceState),
    .instance_init = device_initfn,
    .instance_finalize = device_finalize,
    .class_init = device_class_init,
    .class_base_init = device_class_base_init,
    .abstract = true,
    .class_size = sizeof(DeviceClass),
};

static void qdev_register_types(void)
{
    type_register_static(&device_type_info);
}

type_init(qdev_register_types)
