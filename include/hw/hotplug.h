/*
 * Hotplug handler interface: an object (a machine or a bus owner) that
 * wires devices in and out around their realize / unrealize.
 */
#ifndef HW_HOTPLUG_H
#define HW_HOTPLUG_H

#include "qom/object.h"

#define TYPE_HOTPLUG_HANDLER "hotplug-handler"

typedef struct HotplugHandler HotplugHandler;     /* incomplete: an Object */
typedef struct HotplugHandlerClass HotplugHandlerClass;
typedef struct DeviceState DeviceState;
typedef struct BusState BusState;

DECLARE_CLASS_CHECKERS(HotplugHandlerClass, HOTPLUG_HANDLER,
                       TYPE_HOTPLUG_HANDLER)
#define HOTPLUG_HANDLER(obj) \
    INTERFACE_CHECK(HotplugHandler, (obj), TYPE_HOTPLUG_HANDLER)

typedef void (*hotplug_fn)(HotplugHandler *plug_handler,
                           DeviceState *plugged_dev, Error **errp);
typedef bool (*hotplug_bus_fn)(HotplugHandler *plug_handler, BusState *bus);

/*
 * @pre_plug: runs before the device's realize; may refuse the device.
 * @plug: runs after a successful realize (an error unrealizes it again).
 * @unplug_request: asks the guest to release the device (device_del).
 * @unplug: removes the device (before it is unrealized).
 * Every callback is optional.
 */
struct HotplugHandlerClass {
    InterfaceClass parent;

    hotplug_fn pre_plug;
    hotplug_fn plug;
    hotplug_fn unplug_request;
    hotplug_fn unplug;
    hotplug_bus_fn is_hotpluggable_bus;
};

void hotplug_handler_pre_plug(HotplugHandler *plug_handler,
                              DeviceState *plugged_dev, Error **errp);
void hotplug_handler_plug(HotplugHandler *plug_handler,
                          DeviceState *plugged_dev, Error **errp);
void hotplug_handler_unplug_request(HotplugHandler *plug_handler,
                                    DeviceState *plugged_dev, Error **errp);
void hotplug_handler_unplug(HotplugHandler *plug_handler,
                            DeviceState *plugged_dev, Error **errp);

#endif
