/*
 * qdev: devices and buses on top of QOM, with QEMU's API.
 *
 * A device (TYPE_DEVICE) is created with qdev_new(), configured through
 * its properties, then realized (qdev_realize(): plugged into a bus and
 * brought to life); qdev_unrealize() is the reverse.  Devices sit on
 * buses (TYPE_BUS) that devices own, forming the qdev tree whose root is
 * the main system bus (sysbus_get_default()).
 *
 * Realize sequence (device_set_realized()):
 *   1. the hotplug handler (qdev_get_hotplug_handler()) pre_plug,
 *   2. DeviceClass.realize,
 *   3. the device's child buses are realized,
 *   4. the device is cold reset if it was hot plugged (created after
 *      qdev_machine_creation_done()),
 *   5. the hotplug handler plug (an error unrealizes the device again),
 *   6. dev->realized becomes true.
 * A device without QOM parent is first added to /machine/unattached as
 * "device[N]" (and removed again if realize fails).
 * Unrealize: child buses (their devices first), then DeviceClass.unrealize.
 *
 * Deviation from QEMU: lists are GLib lists (no QLIST/QTAILQ), see the
 * fields below; there is no Resettable interface: DeviceClass.reset is the
 * device's cold reset.
 */
#ifndef QDEV_CORE_H
#define QDEV_CORE_H

#include "qemu/bitops.h"
#include "qom/object.h"
#include "hw/hotplug.h"
#include "hw/irq.h"

#define TYPE_DEVICE "device"
#define TYPE_BUS "bus"

typedef struct DeviceState DeviceState;
typedef struct DeviceClass DeviceClass;
typedef struct BusState BusState;
typedef struct BusClass BusClass;
typedef struct Property Property;

DECLARE_OBJ_CHECKERS(DeviceState, DeviceClass, DEVICE, TYPE_DEVICE)
DECLARE_OBJ_CHECKERS(BusState, BusClass, BUS, TYPE_BUS)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DeviceState, object_unref)

/* "-device help" groups user-creatable devices by these categories. */
typedef enum DeviceCategory {
    DEVICE_CATEGORY_BRIDGE,
    DEVICE_CATEGORY_USB,
    DEVICE_CATEGORY_STORAGE,
    DEVICE_CATEGORY_NETWORK,
    DEVICE_CATEGORY_INPUT,
    DEVICE_CATEGORY_DISPLAY,
    DEVICE_CATEGORY_SOUND,
    DEVICE_CATEGORY_MISC,
    DEVICE_CATEGORY_CPU,
    DEVICE_CATEGORY_WATCHDOG,
    DEVICE_CATEGORY_MAX
} DeviceCategory;

typedef void (*DeviceRealize)(DeviceState *dev, Error **errp);
typedef void (*DeviceUnrealize)(DeviceState *dev);
typedef void (*DeviceReset)(DeviceState *dev);

struct DeviceClass {
    /* private: */
    ObjectClass parent_class;

    /* public: */
    DECLARE_BITMAP(categories, DEVICE_CATEGORY_MAX);
    const char *fw_name;
    const char *desc;

    /* private: set through device_class_set_props() */
    Property *props_;

    /* public: */
    /* Whether -device / device_add may create it (default true). */
    bool user_creatable;
    /* Whether it may be realized after machine creation (default true). */
    bool hotpluggable;

    /* The device's cold reset (optional). */
    DeviceReset reset;
    DeviceRealize realize;
    DeviceUnrealize unrealize;

    /* The type of bus the device plugs into (NULL: none / sysbus). */
    const char *bus_type;
};

/* One named group of gpio lines of a device (NULL name: the unnamed). */
typedef struct NamedGPIOList {
    char *name;
    qemu_irq *in;               /* num_in input lines */
    int num_in;
    int num_out;
} NamedGPIOList;

struct DeviceState {
    /* private: */
    Object parent_obj;

    /* public: */
    char *id;                   /* -device id=, or NULL */
    char *canonical_path;       /* set once realized */
    bool realized;
    bool pending_deleted_event;
    int hotplugged;             /* realized after machine creation */
    bool allow_unplug_during_migration;
    BusState *parent_bus;
    GSList *gpios;              /* of NamedGPIOList *, newest first */
    GSList *child_bus;          /* of BusState *, newest first */
    int num_child_bus;
    int instance_id_alias;
    int alias_required_for_version;
};

struct BusClass {
    ObjectClass parent_class;

    /* "info qtree": bus-specific lines about @dev, indented by @indent. */
    void (*print_dev)(GString *out, DeviceState *dev, int indent);
    /* Path of @dev relative to its bus ("0000:00:02.0" for PCI). */
    char *(*get_dev_path)(DeviceState *dev);
    char *(*get_fw_dev_path)(DeviceState *dev);
    /* Validates (and may assign) the bus address of @dev at realize. */
    bool (*check_address)(BusState *bus, DeviceState *dev, Error **errp);
    void (*realize)(BusState *bus, Error **errp);
    void (*unrealize)(BusState *bus);
    void (*reset)(BusState *bus);
    /* Maximum number of children (0: unlimited). */
    int max_dev;
    /* Number given to the next bus created without a name. */
    int automatic_ids;
};

typedef struct BusChild {
    DeviceState *child;
    int index;
} BusChild;

struct BusState {
    /* private: */
    Object obj;

    /* public: */
    DeviceState *parent;
    char *name;
    HotplugHandler *hotplug_handler;
    int max_index;
    bool realized;
    bool full;
    int num_children;
    GList *children;            /* of BusChild *, in plug order */
};

/* --- Device classes ------------------------------------------------ */

/* Install the class's static properties (terminated by END_OF_LIST). */
void device_class_set_props(DeviceClass *dc, Property *props);
/* Replace dc->realize by @dev_realize, keeping the old in *@parent_realize. */
void device_class_set_parent_realize(DeviceClass *dc,
                                     DeviceRealize dev_realize,
                                     DeviceRealize *parent_realize);
void device_class_set_parent_unrealize(DeviceClass *dc,
                                       DeviceUnrealize dev_unrealize,
                                       DeviceUnrealize *parent_unrealize);
void device_class_set_parent_reset(DeviceClass *dc, DeviceReset dev_reset,
                                   DeviceReset *parent_reset);

/* --- Creation and realization ---------------------------------------- */

/* A new device of type @name (aborts if unknown); realize it next. */
DeviceState *qdev_new(const char *name);
/* Same, NULL if the type does not exist. */
DeviceState *qdev_try_new(const char *name);

/*
 * Plug @dev into @bus (may be NULL for bus-less devices) and realize it
 * (the "realized" property).  A device without parent is added to
 * /machine/unattached as "device[N]" first.  On failure @dev is left
 * unrealized and unplugged.
 */
bool qdev_realize(DeviceState *dev, BusState *bus, Error **errp);
/* qdev_realize(), then drop the caller's reference (also on failure). */
bool qdev_realize_and_unref(DeviceState *dev, BusState *bus, Error **errp);
/* Unrealize @dev (children first); it stays on its bus. */
void qdev_unrealize(DeviceState *dev);

/*
 * Set the device's id (takes ownership of @id) and add it to
 * /machine/peripheral/ID, or /machine/peripheral-anon/device[N] without
 * id.  Error on a duplicate id ("Duplicate device ID '%s'").
 * Returns the child property name, or NULL on error.
 */
const char *qdev_set_id(DeviceState *dev, char *id, Error **errp);

/* Move @dev to @bus (unplugs it from its old bus). */
bool qdev_set_parent_bus(DeviceState *dev, BusState *bus, Error **errp);
BusState *qdev_get_parent_bus(const DeviceState *dev);
/* The child bus of @dev named @name, or NULL. */
BusState *qdev_get_child_bus(DeviceState *dev, const char *name);
/* BusClass.get_dev_path of @dev's bus, or NULL; caller frees. */
char *qdev_get_dev_path(DeviceState *dev);
/* The device with id @id on @bus or below, or NULL. */
DeviceState *qdev_find_recursive(BusState *bus, const char *id);

/* /machine (created on first use). */
Object *qdev_get_machine(void);
/* Whether machine creation is done (later realizes are hotplugs). */
bool qdev_machine_creation_done_get(void);
/* Called by vl.c once the machine and -device devices exist. */
void qdev_machine_creation_done(void);

/* --- Hotplug ---------------------------------------------------------- */

/* The machine's handler for @dev (MachineClass.get_hotplug_handler). */
HotplugHandler *qdev_get_machine_hotplug_handler(DeviceState *dev);
/* The handler of @dev's parent bus. */
HotplugHandler *qdev_get_bus_hotplug_handler(DeviceState *dev);
/* The machine's handler if it has one for @dev, else the bus's. */
HotplugHandler *qdev_get_hotplug_handler(DeviceState *dev);
/* Whether @dev may be hot plugged into @bus now. */
bool qdev_hotplug_allowed(DeviceState *dev, Error **errp);

/*
 * device_del: unplug_request (or, without one, unplug + unrealize +
 * unparent) through the hotplug handler.  Errors: "Bus '%s' does not
 * support hotplugging", "Device '%s' does not support hotplugging".
 */
void qdev_unplug(DeviceState *dev, Error **errp);
/* A hotplug_fn that unrealizes @dev (qdev_unplug() then unparents it). */
void qdev_simple_device_unplug_cb(HotplugHandler *hotplug_dev,
                                  DeviceState *dev, Error **errp);

/* --- Buses ------------------------------------------------------------ */

/*
 * Initialize the bus object at @bus (embedded, @size bytes) of type
 * @typename, owned by @parent (may be NULL) as child bus @name (NULL: the
 * bus type's automatic name "<parent id or type>.N" as QEMU).
 */
void qbus_init(void *bus, size_t size, const char *typename,
               DeviceState *parent, const char *name);
BusState *qbus_new(const char *typename, DeviceState *parent,
                   const char *name);
bool qbus_realize(BusState *bus, Error **errp);
void qbus_unrealize(BusState *bus);
/* Make @handler (a TYPE_HOTPLUG_HANDLER) the bus's hotplug handler. */
void qbus_set_hotplug_handler(BusState *bus, Object *handler);
/* Make the bus itself its hotplug handler. */
void qbus_set_bus_hotplug_handler(BusState *bus);
static inline bool qbus_is_hotpluggable(BusState *bus)
{
    return bus->hotplug_handler != NULL;
}
/* Whether the bus cannot take more children. */
bool qbus_is_full(BusState *bus);
/* The first child of @bus, or NULL. */
DeviceState *qbus_first_child(BusState *bus);

/* --- Reset ------------------------------------------------------------ */

/*
 * Cold reset @dev: first (recursively) the devices on its child buses
 * and those buses, then DeviceClass.reset of @dev: children before their
 * parent, as QEMU's reset hold phase.  Unrealized devices are skipped.
 */
void device_cold_reset(DeviceState *dev);
/* Cold reset the devices on @bus (in plug order), then BusClass.reset. */
void bus_cold_reset(BusState *bus);

/* --- -device / device_add (hw/core/qdev-monitor.c) --------------------- */

typedef struct KeyValList KeyValList;

/*
 * Create, configure and realize a device from options: "driver" (the
 * type), optional "bus" (a bus name such as "pci.0"), optional "id",
 * and properties (string values, converted by each property's type as
 * on QEMU's command line; QMP device_add turns its JSON arguments into
 * such strings as QEMU does).  The device lands at
 * /machine/peripheral/ID or /machine/peripheral-anon/device[N].
 * QEMU's errors: "'%s' is not a valid device model name", "Parameter
 * 'driver' expects a non-abstract device type" / "... a pluggable device
 * type", "Bus '%s' not found", "Device '%s' can't go on %s bus", "No '%s'
 * bus found for device '%s'", "Bus '%s' does not support hotplugging",
 * "Parameter 'id' expects an identifier", "Duplicate ID '%s' for
 * device", "Property '%s.%s' not found", and the device's realize errors.
 * Returns the device (owned by its parent container) or NULL.
 */
DeviceState *qdev_device_add_from_keyval(const KeyValList *opts,
                                         Error **errp);
/*
 * Same from QMP device_add arguments: scalar members become option
 * strings as QEMU converts them (integers in decimal, booleans "on" /
 * "off"); other members are ignored.
 */
DeviceState *qdev_device_add_from_json(JsonObject *args, Error **errp);
/* Same from a -device option string ("TYPE,id=X,prop=value"). */
DeviceState *qdev_device_add_from_str(const char *optstr, Error **errp);

/*
 * If @optstr asks for help ("help", "TYPE,help"), print it to stdout as
 * QEMU does and return true; an unknown TYPE with help is an error
 * (*@errp set, returns true as well).
 */
bool qdev_device_help(const char *optstr, Error **errp);

/* The user-creatable device list of "-device help", in QEMU's format. */
void qdev_print_devinfos(GString *out);
/* "TYPE options:" and one line per property; false if TYPE is unknown. */
bool qdev_print_device_props(GString *out, const char *type, Error **errp);

/* The device with id @id (/machine/peripheral/ID) or QOM path @id. */
DeviceState *qdev_find_by_id_or_path(const char *id);
/*
 * device_del: qdev_unplug() the device @id ("Device '%s' not found").
 * Without an unplug_request handler the device is gone on return.
 */
bool qdev_device_del(const char *id, Error **errp);

/* HMP "device_add OPTIONS" and "device_del ID" ("Error: ..." lines). */
void hmp_device_add(GString *out, int argc, char **argv);
void hmp_device_del(GString *out, int argc, char **argv);
/* HMP "info qtree" in QEMU's format. */
void hmp_info_qtree(GString *out, int argc, char **argv);

/* The bus named @name anywhere in the qdev tree, or NULL. */
BusState *qbus_find_recursive(BusState *bus, const char *name,
                              const char *bus_typename);

/* --- GPIO ------------------------------------------------------------- */

/* The gpio group @name (NULL: unnamed) of @dev, created if missing. */
NamedGPIOList *qdev_get_named_gpio_list(DeviceState *dev, const char *name);

/*
 * Input lines: @n lines calling @handler(dev or @opaque, i, level),
 * appended to the group (the numbering continues).
 */
void qdev_init_gpio_in(DeviceState *dev, qemu_irq_handler handler, int n);
void qdev_init_gpio_in_named(DeviceState *dev, qemu_irq_handler handler,
                             const char *name, int n);
void qdev_init_gpio_in_named_with_opaque(DeviceState *dev,
                                         qemu_irq_handler handler,
                                         void *opaque, const char *name,
                                         int n);
/*
 * Output lines: @pins[0..n-1] become "link<irq>" properties "NAME[i]"
 * ("unnamed-gpio-out[i]"); connecting stores the input line in pins[i].
 */
void qdev_init_gpio_out(DeviceState *dev, qemu_irq *pins, int n);
void qdev_init_gpio_out_named(DeviceState *dev, qemu_irq *pins,
                              const char *name, int n);

/* Input line @n of the group (aborts if out of range). */
qemu_irq qdev_get_gpio_in(DeviceState *dev, int n);
qemu_irq qdev_get_gpio_in_named(DeviceState *dev, const char *name, int n);
/* Connect output @n of @dev to the input line @pin (NULL: disconnect). */
void qdev_connect_gpio_out(DeviceState *dev, int n, qemu_irq pin);
void qdev_connect_gpio_out_named(DeviceState *dev, const char *name, int n,
                                 qemu_irq input_pin);
/* What output @n is connected to, or NULL. */
qemu_irq qdev_get_gpio_out_connector(DeviceState *dev, const char *name,
                                     int n);

#endif
