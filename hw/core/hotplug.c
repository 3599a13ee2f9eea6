/*
 * The hotplug handler interface.
 */
#include "qemu/osdep.h"
#include "hw/hotplug.h"

static void hotplug_call(hotplug_fn fn, HotplugHandler *plug_handler,
                         DeviceState *plugged_dev, Error **errp)
{
    if (fn) {
        fn(plug_handler, plugged_dev, errp);
    }
}

void hotplug_handler_pre_plug(HotplugHandler *plug_handler,
                              DeviceState *plugged_dev, Error **errp)
{
    hotplug_call(HOTPLUG_HANDLER_GET_CLASS(plug_handler)->pre_plug,
                 plug_handler, plugged_dev, errp);
}

void hotplug_handler_plug(HotplugHandler *plug_handler,
                          DeviceState *plugged_dev, Error **errp)
{
    hotplug_call(HOTPLUG_HANDLER_GET_CLASS(plug_handler)->plug,
                 plug_handler, plugged_dev, errp);
}

void hotplug_handler_unplug_request(HotplugHandler *plug_handler,
                                    DeviceState *plugged_dev, Error **errp)
{
    hotplug_call(HOTPLUG_HANDLER_GET_CLASS(plug_handler)->unplug_request,
                 plug_handler, plugged_dev, errp);
}

void hotplug_handler_unplug(HotplugHandler *plug_handler,
                            DeviceState *plugged_dev, Error **errp)
{
    hotplug_call(HOTPLUG_HANDLER_GET_CLASS(plug_handler)->unplug,
                 plug_handler, plugged_dev, errp);
}

static const TypeInfo hotplug_handler_info = {
    .name = TYPE_HOTPLUG_HANDLER,
    .parent = TYPE_INTERFACE,
    .class_size = sizeof(HotplugHandlerClass),
};

static void hotplug_handler_register_types(void)
{
    type_register_static(&hotplug_handler_info);
}

type_init(hotplug_handler_register_types)
