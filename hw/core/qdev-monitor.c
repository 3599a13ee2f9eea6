/*
 * -device and device_add: creating devices from options, and their help.
 */
#include "qemu/osdep.h"
#include "qemu/help_option.h"
#include "qemu/id.h"
#include "qemu/keyval.h"
#include "qom/qom-json.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/sysbus.h"

static const char *const device_category_names[DEVICE_CATEGORY_MAX + 1] = {
    [DEVICE_CATEGORY_BRIDGE] = "Controller/Bridge/Hub",
    [DEVICE_CATEGORY_USB] = "USB",
    [DEVICE_CATEGORY_STORAGE] = "Storage",
    [DEVICE_CATEGORY_NETWORK] = "Network",
    [DEVICE_CATEGORY_INPUT] = "Input",
    [DEVICE_CATEGORY_DISPLAY] = "Display",
    [DEVICE_CATEGORY_SOUND] = "Sound",
    [DEVICE_CATEGORY_MISC] = "Misc",
    [DEVICE_CATEGORY_CPU] = "CPU",
    [DEVICE_CATEGORY_WATCHDOG] = "Watchdog",
    [DEVICE_CATEGORY_MAX] = "Uncategorized",
};

/* --- help ----------------------------------------------------------------- */

static gint devinfo_cmp(gconstpointer a, gconstpointer b)
{
    return g_ascii_strcasecmp(object_class_get_name((ObjectClass *)a),
                              object_class_get_name((ObjectClass *)b));
}

static bool device_has_no_category(DeviceClass *dc)
{
    for (int i = 0; i < DEVICE_CATEGORY_MAX; i++) {
        if (test_bit(i, dc->categories)) {
            return false;
        }
    }
    return true;
}

static void qdev_print_devinfo(GString *out, DeviceClass *dc)
{
    g_string_append_printf(out, "name \"%s\"",
                           object_class_get_name(OBJECT_CLASS(dc)));
    if (dc->bus_type) {
        g_string_append_printf(out, ", bus %s", dc->bus_type);
    }
    if (dc->desc) {
        g_string_append_printf(out, ", desc \"%s\"", dc->desc);
    }
    if (!dc->user_creatable) {
        g_string_append(out, ", no-user");
    }
    g_string_append_c(out, '\n');
}

void qdev_print_devinfos(GString *out)
{
    g_autoptr(GSList) list = g_slist_sort(object_class_get_list(TYPE_DEVICE,
                                                                false),
                                          devinfo_cmp);

    for (int i = 0; i <= DEVICE_CATEGORY_MAX; i++) {
        bool cat_printed = false;

        for (GSList *l = list; l; l = l->next) {
            DeviceClass *dc = DEVICE_CLASS(l->data);

            if (!dc->user_creatable) {
                continue;
            }
            if (i < DEVICE_CATEGORY_MAX ? !test_bit(i, dc->categories)
                                        : !device_has_no_category(dc)) {
                continue;
            }
            if (!cat_printed) {
                g_string_append_printf(out, "%s%s devices:\n", i ? "\n" : "",
                                       device_category_names[i]);
                cat_printed = true;
            }
            qdev_print_devinfo(out, dc);
        }
    }
}

/* Properties of every device that "-device TYPE,help" leaves out. */
static bool device_prop_is_internal(const char *name)
{
    static const char *const internal[] = {
        "type", "realized", "hotpluggable", "hotplugged", "parent_bus",
    };

    for (size_t i = 0; i < ARRAY_SIZE(internal); i++) {
        if (!strcmp(name, internal[i])) {
            return true;
        }
    }
    return false;
}

static gint compare_str_ptrs(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

static ObjectClass *device_class_for_help(const char *type, Error **errp)
{
    ObjectClass *oc = object_class_by_name(type);

    if (!oc || !object_class_dynamic_cast(oc, TYPE_DEVICE)) {
        error_setg(errp, "'%s' is not a valid device model name", type);
        return NULL;
    }
    if (object_class_is_abstract(oc)) {
        error_setg(errp, "Parameter 'driver' expects a non-abstract device "
                   "type");
        return NULL;
    }
    return oc;
}

bool qdev_print_device_props(GString *out, const char *type, Error **errp)
{
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    ObjectPropertyIterator iter;
    ObjectProperty *prop;
    Object *obj;

    if (!device_class_for_help(type, errp)) {
        return false;
    }
    /* An instance shows the properties instance_init adds too. */
    obj = object_new(type);
    object_property_iter_init(&iter, obj);
    while ((prop = object_property_iter_next(&iter))) {
        if (device_prop_is_internal(prop->name)) {
            continue;
        }
        g_ptr_array_add(lines, object_property_help(prop->name, prop->type,
                                                    prop->defval,
                                                    prop->description));
    }
    object_unref(obj);
    g_ptr_array_sort(lines, compare_str_ptrs);
    if (!lines->len) {
        g_string_append_printf(out, "There are no options for %s.\n", type);
        return true;
    }
    g_string_append_printf(out, "%s options:\n", type);
    for (guint i = 0; i < lines->len; i++) {
        g_string_append_printf(out, "%s\n",
                               (char *)g_ptr_array_index(lines, i));
    }
    return true;
}

bool qdev_device_help(const char *optstr, Error **errp)
{
    g_autoptr(KeyValList) opts = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    const char *driver;
    bool help = false;

    opts = keyval_parse(optstr, "driver", &help, NULL);
    if (!opts) {
        return false;
    }
    driver = keyval_list_get(opts, "driver");
    if (is_help_option(driver) || (help && !driver)) {
        qdev_print_devinfos(out);
    } else if (help && driver) {
        if (!qdev_print_device_props(out, driver, errp)) {
            return true;
        }
    } else {
        return false;
    }
    fputs(out->str, stdout);
    return true;
}

/* --- buses ----------------------------------------------------------------- */

BusState *qbus_find_recursive(BusState *bus, const char *name,
                              const char *bus_typename)
{
    bool match = (!name || !strcmp(bus->name, name)) &&
                 (!bus_typename ||
                  object_dynamic_cast(OBJECT(bus), bus_typename));

    /* Without a name, look for a bus that still has room. */
    if (match && (name || !qbus_is_full(bus))) {
        return bus;
    }
    for (GList *l = bus->children; l; l = l->next) {
        DeviceState *dev = ((BusChild *)l->data)->child;
        g_autoptr(GSList) buses =
            g_slist_reverse(g_slist_copy(dev->child_bus));

        for (GSList *b = buses; b; b = b->next) {
            BusState *found = qbus_find_recursive(b->data, name,
                                                  bus_typename);

            if (found) {
                return found;
            }
        }
    }
    return NULL;
}

/*
 * A bus path: a bus name ("pci.0"), or "/"-separated device ids and bus
 * names ending with a bus ("vm0/virtio-bus" style paths below a device).
 */
static BusState *qbus_find(const char *path, Error **errp)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", -1);
    BusState *bus = sysbus_get_default();
    DeviceState *dev = NULL;

    if (!*path) {
        error_setg(errp, "Bus '%s' not found", path);
        return NULL;
    }
    for (int i = 0; parts[i]; i++) {
        const char *elem = parts[i];

        if (!*elem) {
            continue;
        }
        if (dev) {
            bus = qdev_get_child_bus(dev, elem);
            dev = NULL;
        } else {
            BusState *found = qbus_find_recursive(bus, elem, NULL);

            if (found) {
                bus = found;
                continue;
            }
            dev = qdev_find_recursive(bus, elem);
            if (dev && dev->num_child_bus == 1 && !parts[i + 1]) {
                bus = dev->child_bus->data;
                dev = NULL;
                continue;
            }
            bus = NULL;
        }
        if (!bus && !dev) {
            break;
        }
    }
    if (!bus || dev) {
        error_setg(errp, "Bus '%s' not found", path);
        return NULL;
    }
    return bus;
}

/* --- device_add ---------------------------------------------------------------- */

static DeviceClass *qdev_get_device_class(const char *driver, Error **errp)
{
    ObjectClass *oc = object_class_by_name(driver);
    DeviceClass *dc;

    if (!oc || !object_class_dynamic_cast(oc, TYPE_DEVICE)) {
        error_setg(errp, "'%s' is not a valid device model name", driver);
        return NULL;
    }
    if (object_class_is_abstract(oc)) {
        error_setg(errp, "Parameter 'driver' expects a non-abstract device "
                   "type");
        return NULL;
    }
    dc = DEVICE_CLASS(oc);
    if (!dc->user_creatable ||
        (qdev_machine_creation_done_get() && !dc->hotpluggable)) {
        error_setg(errp, "Parameter 'driver' expects a pluggable device "
                   "type");
        return NULL;
    }
    return dc;
}

static bool device_id_available(const char *id, Error **errp)
{
    Object *peripheral = container_get(qdev_get_machine(), "/peripheral");

    if (!id_wellformed(id)) {
        error_setg(errp, "Parameter 'id' expects an identifier");
        error_append_hint(errp, "Identifiers consist of letters, digits, "
                          "'-', '.', '_', starting with a letter.\n");
        return false;
    }
    if (object_resolve_path_component(peripheral, id)) {
        error_setg(errp, "Duplicate ID '%s' for device", id);
        return false;
    }
    return true;
}

static BusState *device_add_find_bus(DeviceClass *dc, const char *driver,
                                     const char *path, Error **errp)
{
    BusState *bus;

    if (path) {
        bus = qbus_find(path, errp);
        if (!bus) {
            return NULL;
        }
        if (!dc->bus_type || !object_dynamic_cast(OBJECT(bus),
                                                  dc->bus_type)) {
            error_setg(errp, "Device '%s' can't go on %s bus", driver,
                       object_get_typename(OBJECT(bus)));
            return NULL;
        }
        return bus;
    }
    if (!dc->bus_type) {
        return NULL;
    }
    bus = qbus_find_recursive(sysbus_get_default(), NULL, dc->bus_type);
    if (!bus || qbus_is_full(bus)) {
        error_setg(errp, "No '%s' bus found for device '%s'", dc->bus_type,
                   driver);
        return NULL;
    }
    return bus;
}

static bool device_set_props(DeviceState *dev, const KeyValList *opts,
                             Error **errp)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);

    for (size_t i = 0; i < keyval_list_length(opts); i++) {
        const KeyValPair *p = keyval_list_nth(opts, i);
        Property *prop;

        if (!strcmp(p->key, "driver") || !strcmp(p->key, "bus") ||
            !strcmp(p->key, "id")) {
            continue;
        }
        prop = qdev_find_static_property(dc, p->key);
        if (prop && prop->info->parse_as_string) {
            if (!object_property_set_str(OBJECT(dev), p->key, p->value,
                                         errp)) {
                return false;
            }
        } else if (!object_property_parse(OBJECT(dev), p->key, p->value,
                                          errp)) {
            return false;
        }
    }
    return true;
}

DeviceState *qdev_device_add_from_keyval(const KeyValList *opts,
                                         Error **errp)
{
    const char *driver = keyval_list_get(opts, "driver");
    const char *id = keyval_list_get(opts, "id");
    DeviceClass *dc;
    DeviceState *dev;
    BusState *bus;
    Error *err = NULL;

    if (!driver) {
        error_setg(errp, "Parameter 'driver' is missing");
        return NULL;
    }
    dc = qdev_get_device_class(driver, errp);
    if (!dc) {
        return NULL;
    }
    if (id && !device_id_available(id, errp)) {
        return NULL;
    }
    bus = device_add_find_bus(dc, driver, keyval_list_get(opts, "bus"),
                              &err);
    if (err) {
        error_propagate(errp, err);
        return NULL;
    }
    if (qdev_machine_creation_done_get() && bus &&
        !qbus_is_hotpluggable(bus)) {
        error_setg(errp, "Bus '%s' does not support hotplugging", bus->name);
        return NULL;
    }

    dev = qdev_new(driver);
    if (qdev_machine_creation_done_get()) {
        if (!qdev_hotplug_allowed(dev, &err)) {
            goto fail;
        }
        if (!bus && !qdev_get_machine_hotplug_handler(dev)) {
            error_setg(&err, "Device '%s' can not be hotplugged on this "
                       "machine", driver);
            goto fail;
        }
    }
    if (!qdev_set_id(dev, g_strdup(id), &err) ||
        !device_set_props(dev, opts, &err) ||
        !qdev_realize(dev, bus, &err)) {
        goto fail;
    }
    object_unref(OBJECT(dev));
    return dev;

fail:
    error_propagate(errp, err);
    object_unparent(OBJECT(dev));
    object_unref(OBJECT(dev));
    return NULL;
}

/* A JSON scalar as QEMU's QemuOpts sees it; NULL for other values. */
DeviceState *qdev_device_add_from_json(JsonObject *args, Error **errp)
{
    g_autoptr(KeyValList) opts = qom_json_object_to_keyval(args, errp);

    return opts ? qdev_device_add_from_keyval(opts, errp) : NULL;
}

DeviceState *qdev_device_add_from_str(const char *optstr, Error **errp)
{
    g_autoptr(KeyValList) opts = keyval_parse(optstr, "driver", NULL, errp);

    if (!opts) {
        return NULL;
    }
    return qdev_device_add_from_keyval(opts, errp);
}

/* --- device_del and HMP ------------------------------------------------------ */

DeviceState *qdev_find_by_id_or_path(const char *id)
{
    Object *obj = object_resolve_path_component(
        container_get(qdev_get_machine(), "/peripheral"), id);

    if (!obj) {
        obj = object_resolve_path_type(id, TYPE_DEVICE, NULL);
    }
    return obj ? (DeviceState *)object_dynamic_cast(obj, TYPE_DEVICE) : NULL;
}

bool qdev_device_del(const char *id, Error **errp)
{
    DeviceState *dev = qdev_find_by_id_or_path(id);
    Error *err = NULL;

    if (!dev) {
        error_setg(errp, "Device '%s' not found", id);
        return false;
    }
    qdev_unplug(dev, &err);
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    return true;
}

void hmp_device_add(GString *out, int argc, char **argv)
{
    Error *err = NULL;

    if (argc < 2) {
        g_string_append(out, "Error: Parameter 'driver' is missing\n");
        return;
    }
    if (qdev_device_help(argv[1], &err)) {
        /* Help goes to stdout in qdev_device_help(); nothing else to do. */
    } else if (!err) {
        qdev_device_add_from_str(argv[1], &err);
    }
    if (err) {
        g_string_append_printf(out, "Error: %s\n", error_get_pretty(err));
        error_free(err);
    }
}

void hmp_device_del(GString *out, int argc, char **argv)
{
    Error *err = NULL;

    if (argc < 2) {
        g_string_append(out, "Error: Parameter 'id' is missing\n");
        return;
    }
    if (!qdev_device_del(argv[1], &err)) {
        g_string_append_printf(out, "Error: %s\n", error_get_pretty(err));
        error_free(err);
    }
}

/* --- info qtree ---------------------------------------------------------------- */

static void qbus_print(GString *out, BusState *bus, int indent);

static void qdev_print_props(GString *out, DeviceState *dev, Property *props,
                             int indent)
{
    for (; props && props->name; props++) {
        g_autofree char *value = props->info->print ?
            props->info->print(OBJECT(dev), props) :
            object_property_print(OBJECT(dev), props->name, true, NULL);

        if (value) {
            g_string_append_printf(out, "%*s%s = %s\n", indent, "",
                                   props->name, *value ? value : "<null>");
        }
    }
}

static void qdev_print(GString *out, DeviceState *dev, int indent)
{
    ObjectClass *class = object_get_class(OBJECT(dev));
    ObjectClass *device_class = object_class_by_name(TYPE_DEVICE);

    g_string_append_printf(out, "%*sdev: %s, id \"%s\"\n", indent, "",
                           object_get_typename(OBJECT(dev)),
                           dev->id ? dev->id : "");
    indent += 2;
    for (GSList *l = dev->gpios; l; l = l->next) {
        NamedGPIOList *ngl = l->data;
        const char *name = ngl->name ? ngl->name : "";

        if (ngl->num_in) {
            g_string_append_printf(out, "%*sgpio-in \"%s\" %d\n", indent,
                                   "", name, ngl->num_in);
        }
        if (ngl->num_out) {
            g_string_append_printf(out, "%*sgpio-out \"%s\" %d\n", indent,
                                   "", name, ngl->num_out);
        }
    }
    for (; class && class != device_class;
         class = object_class_get_parent(class)) {
        qdev_print_props(out, dev, DEVICE_CLASS(class)->props_, indent);
    }
    if (dev->parent_bus && BUS_GET_CLASS(dev->parent_bus)->print_dev) {
        BUS_GET_CLASS(dev->parent_bus)->print_dev(out, dev, indent);
    }
    for (GSList *l = dev->child_bus; l; l = l->next) {
        qbus_print(out, l->data, indent);
    }
}

static void qbus_print(GString *out, BusState *bus, int indent)
{
    g_string_append_printf(out, "%*sbus: %s\n", indent, "", bus->name);
    indent += 2;
    g_string_append_printf(out, "%*stype %s\n", indent, "",
                           object_get_typename(OBJECT(bus)));
    /* Newest first, as QEMU lists them. */
    for (GList *l = g_list_last(bus->children); l; l = l->prev) {
        qdev_print(out, ((BusChild *)l->data)->child, indent);
    }
}

void hmp_info_qtree(GString *out, int argc, char **argv)
{
    qbus_print(out, sysbus_get_default(), 0);
}
