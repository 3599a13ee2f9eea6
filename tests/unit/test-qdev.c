/*
 * qdev: static properties, realize/unrealize order, hotplug handlers,
 * gpio lines, reset order, ids and device_add from options.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/keyval.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/sysbus.h"
#include "hw/boards.h"
#include "hw/irq.h"
#include "sysemu/reset.h"
#include "sysemu/hostmem.h"
#include "exec/address-spaces.h"
#include "qom/object_interfaces.h"

#define TYPE_TEST_BUS "test-bus"
#define TYPE_TEST_DEV "test-dev"
#define TYPE_TEST_ABSTRACT_DEV "test-abstract-dev"
#define TYPE_TEST_BRIDGE "test-bridge"
#define TYPE_TEST_MACHINE "test-machine"
#define TYPE_TEST_HOTPLUG "test-hotplug"

/* Every callback appends "event:name " here. */
static GString *trace;

static void trace_event(const char *event, DeviceState *dev)
{
    g_string_append_printf(trace, "%s:%s ", event,
                           dev->id ? dev->id : object_get_typename(OBJECT(dev)));
}

static void trace_reset(void)
{
    g_string_truncate(trace, 0);
}

/* --- test devices -------------------------------------------------------- */

typedef struct TestDev {
    DeviceState parent_obj;

    uint8_t u8;
    uint32_t a;
    int32_t i32;
    uint64_t u64;
    bool b;
    char *s;
    uint64_t sz;
    OnOffAuto o;
    uint32_t flags;
    HostMemoryBackend *memdev;
    bool fail_realize;
    qemu_irq out[2];
    int last_irq_n, last_irq_level, irq_calls;
} TestDev;

DECLARE_INSTANCE_CHECKER(TestDev, TEST_DEV, TYPE_TEST_DEV)

static Property test_dev_props[] = {
    DEFINE_PROP_UINT8("u8", TestDev, u8, 7),
    DEFINE_PROP_UINT32("a", TestDev, a, 3),
    DEFINE_PROP_INT32("i32", TestDev, i32, -5),
    DEFINE_PROP_UINT64("u64", TestDev, u64, 0),
    DEFINE_PROP_BOOL("b", TestDev, b, true),
    DEFINE_PROP_STRING("s", TestDev, s),
    DEFINE_PROP_SIZE("sz", TestDev, sz, 4 * KiB),
    DEFINE_PROP_ON_OFF_AUTO("o", TestDev, o, ON_OFF_AUTO_AUTO),
    DEFINE_PROP_BIT("bit2", TestDev, flags, 2, true),
    DEFINE_PROP_LINK("memdev", TestDev, memdev, TYPE_MEMORY_BACKEND,
                     HostMemoryBackend *),
    DEFINE_PROP_BOOL("fail-realize", TestDev, fail_realize, false),
    DEFINE_PROP_END_OF_LIST(),
};

static void test_dev_realize(DeviceState *dev, Error **errp)
{
    TestDev *d = (TestDev *)object_dynamic_cast(OBJECT(dev), TYPE_TEST_DEV);

    if (d && d->fail_realize) {
        error_setg(errp, "realize refused");
        return;
    }
    trace_event("realize", dev);
}

static void test_dev_unrealize(DeviceState *dev)
{
    trace_event("unrealize", dev);
}

static void test_dev_reset(DeviceState *dev)
{
    trace_event("reset", dev);
}

static void test_dev_irq(void *opaque, int n, int level)
{
    TestDev *d = opaque;

    d->last_irq_n = n;
    d->last_irq_level = level;
    d->irq_calls++;
}

static void test_dev_init(Object *obj)
{
    TestDev *d = TEST_DEV(obj);

    qdev_init_gpio_in(DEVICE(obj), test_dev_irq, 2);
    qdev_init_gpio_in_named(DEVICE(obj), test_dev_irq, "named-in", 3);
    qdev_init_gpio_out_named(DEVICE(obj), d->out, "named-out", 2);
}

static void test_dev_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = test_dev_realize;
    dc->unrealize = test_dev_unrealize;
    dc->reset = test_dev_reset;
    dc->bus_type = TYPE_TEST_BUS;
    dc->desc = "a test device";
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    device_class_set_props(dc, test_dev_props);
}

typedef struct TestBridge {
    SysBusDevice parent_obj;
    BusState *bus;
} TestBridge;

DECLARE_INSTANCE_CHECKER(TestBridge, TEST_BRIDGE, TYPE_TEST_BRIDGE)

static void test_bridge_init(Object *obj)
{
    TEST_BRIDGE(obj)->bus = qbus_new(TYPE_TEST_BUS, DEVICE(obj), "tbus");
}

static void test_bridge_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = test_dev_realize;
    dc->unrealize = test_dev_unrealize;
    dc->reset = test_dev_reset;
}

static void test_bus_reset(BusState *bus)
{
    g_string_append_printf(trace, "busreset:%s ", bus->name);
}

static void test_bus_class_init(ObjectClass *oc, void *data)
{
    BUS_CLASS(oc)->reset = test_bus_reset;
}

/* --- hotplug handlers ------------------------------------------------------ */

typedef struct TestHotplug {
    Object parent_obj;
    const char *name;
    bool fail_pre_plug, fail_plug;
} TestHotplug;

DECLARE_INSTANCE_CHECKER(TestHotplug, TEST_HOTPLUG, TYPE_TEST_HOTPLUG)

static void test_hotplug_pre_plug(HotplugHandler *h, DeviceState *dev,
                                  Error **errp)
{
    TestHotplug *t = TEST_HOTPLUG(h);

    g_string_append_printf(trace, "%s-pre_plug:%s ", t->name, dev->id);
    if (t->fail_pre_plug) {
        error_setg(errp, "pre_plug refused");
    }
}

static void test_hotplug_plug(HotplugHandler *h, DeviceState *dev,
                              Error **errp)
{
    TestHotplug *t = TEST_HOTPLUG(h);

    g_string_append_printf(trace, "%s-plug:%s ", t->name, dev->id);
    if (t->fail_plug) {
        error_setg(errp, "plug refused");
    }
}

static void test_hotplug_unplug(HotplugHandler *h, DeviceState *dev,
                                Error **errp)
{
    g_string_append_printf(trace, "%s-unplug:%s ", TEST_HOTPLUG(h)->name,
                           dev->id);
    qdev_simple_device_unplug_cb(h, dev, errp);
}

static void test_hotplug_class_init(ObjectClass *oc, void *data)
{
    HotplugHandlerClass *hc = HOTPLUG_HANDLER_CLASS(oc);

    hc->pre_plug = test_hotplug_pre_plug;
    hc->plug = test_hotplug_plug;
    hc->unplug = test_hotplug_unplug;
}

/* The machine handles devices whose id starts with "mach". */
typedef struct TestMachine {
    MachineState parent_obj;
    TestHotplug handler;
} TestMachine;

static HotplugHandler *test_machine_get_hotplug_handler(MachineState *ms,
                                                        DeviceState *dev)
{
    TestMachine *tm = (TestMachine *)ms;

    if (dev->id && g_str_has_prefix(dev->id, "mach")) {
        return HOTPLUG_HANDLER(&tm->handler);
    }
    return NULL;
}

static void test_machine_init(Object *obj)
{
    TestMachine *tm = (TestMachine *)obj;

    object_initialize(&tm->handler, sizeof(tm->handler), TYPE_TEST_HOTPLUG);
    tm->handler.name = "machine";
}

static void test_machine_class_init(ObjectClass *oc, void *data)
{
    MACHINE_CLASS(oc)->get_hotplug_handler = test_machine_get_hotplug_handler;
}

static const TypeInfo test_types[] = {
    {
        .name = TYPE_TEST_BUS,
        .parent = TYPE_BUS,
        .instance_size = sizeof(BusState),
        .class_init = test_bus_class_init,
    }, {
        .name = TYPE_TEST_ABSTRACT_DEV,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(DeviceState),
        .abstract = true,
    }, {
        .name = TYPE_TEST_DEV,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(TestDev),
        .instance_init = test_dev_init,
        .class_init = test_dev_class_init,
    }, {
        .name = TYPE_TEST_BRIDGE,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(TestBridge),
        .instance_init = test_bridge_init,
        .class_init = test_bridge_class_init,
    }, {
        .name = TYPE_TEST_HOTPLUG,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(TestHotplug),
        .class_init = test_hotplug_class_init,
        .interfaces = (InterfaceInfo[]) {
            { TYPE_HOTPLUG_HANDLER },
            { }
        },
    }, {
        .name = TYPE_TEST_MACHINE,
        .parent = TYPE_MACHINE,
        .instance_size = sizeof(TestMachine),
        .instance_init = test_machine_init,
        .class_init = test_machine_class_init,
    },
};

DEFINE_TYPES(test_types)

/* --- helpers --------------------------------------------------------------- */

static TestBridge *new_bridge(const char *id)
{
    DeviceState *dev = qdev_new(TYPE_TEST_BRIDGE);

    if (id) {
        g_assert_nonnull(qdev_set_id(dev, g_strdup(id), &error_abort));
    }
    sysbus_realize_and_unref(SYS_BUS_DEVICE(dev), &error_abort);
    return TEST_BRIDGE(dev);
}

static DeviceState *new_dev(const char *id)
{
    DeviceState *dev = qdev_new(TYPE_TEST_DEV);

    if (id) {
        g_assert_nonnull(qdev_set_id(dev, g_strdup(id), &error_abort));
    }
    return dev;
}

static void check_error(Error *err, const char *expected)
{
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, expected);
    error_free(err);
}

/* --- properties ------------------------------------------------------------- */

static void test_props_defaults(void)
{
    DeviceState *dev = qdev_new(TYPE_TEST_DEV);
    Object *obj = OBJECT(dev);
    TestDev *d = TEST_DEV(dev);
    g_autofree char *s = NULL;
    g_autofree char *o = NULL;

    g_assert_cmpuint(d->u8, ==, 7);
    g_assert_cmpuint(d->a, ==, 3);
    g_assert_cmpint(d->i32, ==, -5);
    g_assert_true(d->b);
    g_assert_null(d->s);
    g_assert_cmpuint(d->sz, ==, 4096);
    g_assert_cmpint(d->o, ==, ON_OFF_AUTO_AUTO);
    g_assert_cmpuint(d->flags, ==, 1 << 2);
    g_assert_cmpuint(object_property_get_uint(obj, "a", &error_abort), ==, 3);
    g_assert_cmpint(object_property_get_int(obj, "i32", &error_abort), ==, -5);
    s = object_property_get_str(obj, "s", &error_abort);
    g_assert_cmpstr(s, ==, "");
    o = object_property_get_str(obj, "o", &error_abort);
    g_assert_cmpstr(o, ==, "auto");
    g_assert_cmpstr(object_property_get_type(obj, "o", NULL), ==, "OnOffAuto");
    g_assert_cmpstr(object_property_get_type(obj, "s", NULL), ==, "str");
    g_assert_cmpstr(object_property_get_type(obj, "memdev", NULL), ==,
                    "link<memory-backend>");
    object_unref(obj);
}

static void test_props_set(void)
{
    DeviceState *dev = qdev_new(TYPE_TEST_DEV);
    Object *obj = OBJECT(dev);
    TestDev *d = TEST_DEV(dev);
    Error *err = NULL;

    qdev_prop_set_uint32(dev, "a", 0xdeadbeef);
    g_assert_cmpuint(d->a, ==, 0xdeadbeef);
    qdev_prop_set_uint64(dev, "u64", UINT64_MAX);
    g_assert_cmpuint(d->u64, ==, UINT64_MAX);
    qdev_prop_set_int32(dev, "i32", INT32_MIN);
    g_assert_cmpint(d->i32, ==, INT32_MIN);
    qdev_prop_set_string(dev, "s", "hello");
    g_assert_cmpstr(d->s, ==, "hello");
    qdev_prop_set_enum(dev, "o", ON_OFF_AUTO_OFF);
    g_assert_cmpint(d->o, ==, ON_OFF_AUTO_OFF);
    qdev_prop_set_bit(dev, "bit2", false);
    g_assert_cmpuint(d->flags, ==, 0);

    /* Command-line strings, converted by the property type. */
    g_assert_true(object_property_parse(obj, "sz", "2M", &error_abort));
    g_assert_cmpuint(d->sz, ==, 2 * MiB);
    g_assert_true(object_property_parse(obj, "o", "on", &error_abort));
    g_assert_cmpint(d->o, ==, ON_OFF_AUTO_ON);
    g_assert_true(object_property_parse(obj, "b", "off", &error_abort));
    g_assert_false(d->b);

    /* Bad values leave the field alone. */
    g_assert_false(object_property_parse(obj, "o", "maybe", &err));
    check_error(err, "Parameter 'o' does not accept value 'maybe'");
    err = NULL;
    g_assert_false(object_property_set_uint(obj, "u8", 256, &err));
    check_error(err, "Parameter 'u8' expects uint8");
    err = NULL;
    g_assert_false(object_property_set_int(obj, "i32", INT64_C(1) << 31,
                                           &err));
    check_error(err, "Parameter 'i32' expects int32");
    err = NULL;
    g_assert_false(object_property_set_str(obj, "a", "1", &err));
    check_error(err, "Invalid parameter type for 'a', expected: integer");
    err = NULL;
    g_assert_false(object_property_parse(obj, "nope", "1", &err));
    check_error(err, "Property 'test-dev.nope' not found");
    g_assert_cmpuint(d->u8, ==, 7);
    g_assert_cmpint(d->o, ==, ON_OFF_AUTO_ON);
    object_unref(obj);
}

static void test_props_link(void)
{
    g_autoptr(KeyValList) props = keyval_list_new();
    DeviceState *dev = qdev_new(TYPE_TEST_DEV);
    Object *backend;
    Error *err = NULL;

    keyval_list_add(props, "size", "1M", &error_abort);
    backend = user_creatable_add_type(TYPE_MEMORY_BACKEND_RAM, "qdevmem",
                                      props, &error_abort);
    g_assert_true(object_property_parse(OBJECT(dev), "memdev", "qdevmem",
                                        &error_abort));
    g_assert_true(TEST_DEV(dev)->memdev == MEMORY_BACKEND(backend));
    /* The link holds a reference. */
    g_assert_cmpuint(backend->ref, ==, 2);
    g_assert_false(object_property_parse(OBJECT(dev), "memdev", "nosuch",
                                         &err));
    check_error(err, "Device 'nosuch' not found");
    object_unref(OBJECT(dev));
    g_assert_cmpuint(backend->ref, ==, 1);
    g_assert_true(user_creatable_del("qdevmem", &error_abort));
}

static void test_props_after_realize(void)
{
    TestBridge *br = new_bridge(NULL);
    DeviceState *dev = new_dev("late");
    DeviceState *anon = new_dev(NULL);
    Error *err = NULL;

    qdev_realize(dev, br->bus, &error_abort);
    qdev_realize(anon, br->bus, &error_abort);
    g_assert_false(object_property_set_uint(OBJECT(dev), "a", 1, &err));
    check_error(err, "Attempt to set property 'a' on device 'late' "
                "(type 'test-dev') after it was realized");
    err = NULL;
    g_assert_false(object_property_parse(OBJECT(anon), "s", "x", &err));
    check_error(err, "Attempt to set property 's' on anonymous device "
                "(type 'test-dev') after it was realized");
    g_assert_cmpuint(TEST_DEV(dev)->a, ==, 3);

    /* Unrealized, the device takes properties again. */
    qdev_unrealize(dev);
    g_assert_true(object_property_set_uint(OBJECT(dev), "a", 1,
                                           &error_abort));
    object_unparent(OBJECT(dev));
    object_unparent(OBJECT(anon));
    object_unparent(OBJECT(br));
    object_unref(OBJECT(dev));
    object_unref(OBJECT(anon));
}

/* --- realize / unrealize ------------------------------------------------------ */

static void test_realize_order(void)
{
    TestBridge *br;
    DeviceState *c1 = new_dev("c1"), *c2 = new_dev("c2");
    g_autofree char *path = NULL;

    trace_reset();
    br = new_bridge("br");
    g_assert_true(DEVICE(br)->realized);
    g_assert_true(br->bus->realized);
    g_assert_true(qdev_realize_and_unref(c1, br->bus, &error_abort));
    g_assert_true(qdev_realize_and_unref(c2, br->bus, &error_abort));
    g_assert_cmpstr(trace->str, ==, "realize:br realize:c1 realize:c2 ");
    g_assert_true(c1->parent_bus == br->bus);
    g_assert_true(qbus_first_child(br->bus) == c1);
    g_assert_cmpint(br->bus->num_children, ==, 2);
    path = object_get_canonical_path(OBJECT(c1));
    g_assert_cmpstr(path, ==, "/machine/peripheral/c1");
    g_assert_cmpstr(c1->canonical_path, ==, "/machine/peripheral/c1");
    g_assert_true(qdev_find_recursive(sysbus_get_default(), "c2") == c2);
    g_assert_true(qdev_get_child_bus(DEVICE(br), "tbus") == br->bus);

    /* Unrealizing the bridge unrealizes the devices on its bus first. */
    trace_reset();
    qdev_unrealize(DEVICE(br));
    g_assert_cmpstr(trace->str, ==,
                    "unrealize:c1 unrealize:c2 unrealize:br ");
    g_assert_false(c1->realized);
    g_assert_false(br->bus->realized);

    /* Unparenting the bridge takes the devices on its bus away. */
    object_unparent(OBJECT(br));
    g_assert_null(object_resolve_path("/machine/peripheral/c1", NULL));
    g_assert_null(object_resolve_path("/machine/peripheral/br", NULL));
}

static void test_realize_failure(void)
{
    TestBridge *br = new_bridge(NULL);
    DeviceState *dev = new_dev(NULL);
    Error *err = NULL;

    qdev_prop_set_bit(dev, "fail-realize", true);
    trace_reset();
    g_assert_false(qdev_realize(dev, br->bus, &err));
    check_error(err, "realize refused");
    g_assert_false(dev->realized);
    g_assert_null(dev->parent_bus);
    g_assert_cmpint(br->bus->num_children, ==, 0);
    g_assert_cmpstr(trace->str, ==, "");
    object_unparent(OBJECT(dev));
    object_unref(OBJECT(dev));
    object_unparent(OBJECT(br));
}

static void test_unattached(void)
{
    TestBridge *br;
    DeviceState *dev = qdev_new(TYPE_TEST_DEV);
    g_autofree char *path = NULL;

    br = TEST_BRIDGE(qdev_new(TYPE_TEST_BRIDGE));
    sysbus_realize(SYS_BUS_DEVICE(br), &error_abort);
    qdev_realize(dev, br->bus, &error_abort);
    path = object_get_canonical_path(OBJECT(dev));
    g_assert_true(g_str_has_prefix(path, "/machine/unattached/device["));
    object_unparent(OBJECT(dev));
    object_unref(OBJECT(dev));
    object_unparent(OBJECT(br));
    object_unref(OBJECT(br));
}

/* --- hotplug handlers -------------------------------------------------------- */

static void test_hotplug_order(void)
{
    TestBridge *br = new_bridge(NULL);
    TestHotplug *bush = TEST_HOTPLUG(object_new(TYPE_TEST_HOTPLUG));
    TestMachine *tm = (TestMachine *)qdev_get_machine();
    DeviceState *busdev = new_dev("busdev");
    DeviceState *machdev = new_dev("machdev");
    DeviceState *refused = new_dev("refused");
    DeviceState *unplugged = new_dev("unplugged");
    Error *err = NULL;

    bush->name = "bus";
    qbus_set_hotplug_handler(br->bus, OBJECT(bush));
    g_assert_true(qbus_is_hotpluggable(br->bus));

    /* pre_plug before realize, plug after; the machine's handler wins. */
    trace_reset();
    qdev_realize(busdev, br->bus, &error_abort);
    qdev_realize(machdev, br->bus, &error_abort);
    g_assert_cmpstr(trace->str, ==,
                    "bus-pre_plug:busdev realize:busdev bus-plug:busdev "
                    "machine-pre_plug:machdev realize:machdev "
                    "machine-plug:machdev ");
    g_assert_true(qdev_get_hotplug_handler(machdev) ==
                  HOTPLUG_HANDLER(&tm->handler));
    g_assert_true(qdev_get_hotplug_handler(busdev) == HOTPLUG_HANDLER(bush));

    /* A refusing pre_plug: no realize. */
    bush->fail_pre_plug = true;
    trace_reset();
    g_assert_false(qdev_realize(refused, br->bus, &err));
    check_error(err, "pre_plug refused");
    g_assert_cmpstr(trace->str, ==, "bus-pre_plug:refused ");
    g_assert_false(refused->realized);

    /* A refusing plug: the device is unrealized again. */
    bush->fail_pre_plug = false;
    bush->fail_plug = true;
    trace_reset();
    err = NULL;
    g_assert_false(qdev_realize(refused, br->bus, &err));
    check_error(err, "plug refused");
    g_assert_cmpstr(trace->str, ==, "bus-pre_plug:refused realize:refused "
                    "bus-plug:refused unrealize:refused ");
    g_assert_false(refused->realized);
    bush->fail_plug = false;

    /* qdev_unplug without unplug_request: unplug, unrealize, unparent. */
    qdev_realize(unplugged, br->bus, &error_abort);
    object_ref(OBJECT(unplugged));
    trace_reset();
    qdev_unplug(unplugged, &error_abort);
    g_assert_cmpstr(trace->str, ==,
                    "bus-unplug:unplugged unrealize:unplugged ");
    g_assert_null(OBJECT(unplugged)->parent);
    g_assert_null(unplugged->parent_bus);
    object_unref(OBJECT(unplugged));

    object_unparent(OBJECT(busdev));
    object_unparent(OBJECT(machdev));
    object_unparent(OBJECT(refused));
    object_unparent(OBJECT(br));
    object_unref(OBJECT(busdev));
    object_unref(OBJECT(machdev));
    object_unref(OBJECT(refused));
    object_unref(OBJECT(unplugged));
    object_unref(OBJECT(bush));
}

static void test_unplug_not_hotpluggable(void)
{
    TestBridge *br = new_bridge(NULL);
    DeviceState *dev = new_dev("fixed");
    Error *err = NULL;

    qdev_realize(dev, br->bus, &error_abort);
    qdev_unplug(dev, &err);
    check_error(err, "Bus 'tbus' does not support hotplugging");
    g_assert_true(dev->realized);
    object_unparent(OBJECT(dev));
    object_unparent(OBJECT(br));
    object_unref(OBJECT(dev));
}

/* --- gpio ---------------------------------------------------------------------- */

static int intercepted_n = -1, intercepted_level = -1;

static void intercept_handler(void *opaque, int n, int level)
{
    intercepted_n = n;
    intercepted_level = level;
    /* Forward to the original line, as qtest does. */
    qemu_set_irq(*(qemu_irq *)opaque, level);
}

static void test_gpio(void)
{
    DeviceState *src = qdev_new(TYPE_TEST_DEV);
    DeviceState *dst = qdev_new(TYPE_TEST_DEV);
    TestDev *d = TEST_DEV(dst);
    NamedGPIOList *ngl;
    qemu_irq line;

    ngl = qdev_get_named_gpio_list(dst, NULL);
    g_assert_cmpint(ngl->num_in, ==, 2);
    ngl = qdev_get_named_gpio_list(dst, "named-in");
    g_assert_cmpint(ngl->num_in, ==, 3);
    g_assert_cmpint(qdev_get_named_gpio_list(dst, "named-out")->num_out, ==,
                    2);
    g_assert_true(object_property_find(OBJECT(dst), "unnamed-gpio-in[1]"));
    g_assert_true(object_property_find(OBJECT(dst), "named-in[2]"));
    g_assert_true(object_property_find(OBJECT(dst), "named-out[1]"));

    /* An unconnected output is a no-op. */
    qemu_set_irq(TEST_DEV(src)->out[1], 1);

    line = qdev_get_gpio_in_named(dst, "named-in", 2);
    qdev_connect_gpio_out_named(src, "named-out", 1, line);
    g_assert_true(TEST_DEV(src)->out[1] == line);
    g_assert_true(qdev_get_gpio_out_connector(src, "named-out", 1) == line);
    qemu_irq_raise(TEST_DEV(src)->out[1]);
    g_assert_cmpint(d->last_irq_n, ==, 2);
    g_assert_cmpint(d->last_irq_level, ==, 1);
    qemu_irq_pulse(qdev_get_gpio_in(dst, 1));
    g_assert_cmpint(d->last_irq_n, ==, 1);
    g_assert_cmpint(d->last_irq_level, ==, 0);
    g_assert_cmpint(d->irq_calls, ==, 3);

    /* Interception: the new handler sees the line and may forward it. */
    qemu_irq_intercept_in(ngl->in, intercept_handler, ngl->num_in);
    qemu_irq_lower(TEST_DEV(src)->out[1]);
    g_assert_cmpint(intercepted_n, ==, 2);
    g_assert_cmpint(intercepted_level, ==, 0);
    g_assert_cmpint(d->last_irq_n, ==, 2);
    g_assert_cmpint(d->irq_calls, ==, 4);

    qdev_connect_gpio_out_named(src, "named-out", 1, NULL);
    g_assert_null(TEST_DEV(src)->out[1]);
    object_unref(OBJECT(src));
    object_unref(OBJECT(dst));
}

/* --- reset ---------------------------------------------------------------------- */

static int reset_handler_calls;

static void reset_handler(void *opaque)
{
    reset_handler_calls++;
    g_string_append_printf(trace, "handler:%s ", (const char *)opaque);
}

static void test_reset_order(void)
{
    TestBridge *br = new_bridge("rbr");
    DeviceState *c1 = new_dev("r1"), *c2 = new_dev("r2"), *c3 = new_dev("r3");

    qdev_realize_and_unref(c1, br->bus, &error_abort);
    qdev_realize_and_unref(c2, br->bus, &error_abort);
    /* Unrealized devices are not reset. */
    qdev_set_parent_bus(c3, br->bus, &error_abort);

    trace_reset();
    device_cold_reset(DEVICE(br));
    g_assert_cmpstr(trace->str, ==,
                    "reset:r1 reset:r2 busreset:tbus reset:rbr ");

    qemu_register_reset(reset_handler, (void *)"h1");
    qemu_register_reset(reset_handler, (void *)"h2");
    trace_reset();
    qemu_devices_reset(SHUTDOWN_CAUSE_GUEST_RESET);
    g_assert_cmpstr(trace->str, ==, "handler:h1 handler:h2 "
                    "reset:r1 reset:r2 busreset:tbus reset:rbr ");
    qemu_unregister_reset(reset_handler, (void *)"h1");
    qemu_unregister_reset(reset_handler, (void *)"h2");
    trace_reset();
    qemu_devices_reset(SHUTDOWN_CAUSE_GUEST_RESET);
    g_assert_cmpint(reset_handler_calls, ==, 2);
    g_assert_cmpstr(trace->str, ==,
                    "reset:r1 reset:r2 busreset:tbus reset:rbr ");

    object_unparent(OBJECT(br));
    object_unparent(OBJECT(c3));
    object_unref(OBJECT(c3));
}

/* --- ids and device_add ------------------------------------------------------- */

static void test_ids(void)
{
    DeviceState *a = qdev_new(TYPE_TEST_DEV);
    DeviceState *b = qdev_new(TYPE_TEST_DEV);
    DeviceState *anon = qdev_new(TYPE_TEST_DEV);
    g_autofree char *path = NULL;
    const char *name;
    Error *err = NULL;

    g_assert_cmpstr(qdev_set_id(a, g_strdup("dup"), &error_abort), ==, "dup");
    g_assert_null(qdev_set_id(b, g_strdup("dup"), &err));
    check_error(err, "Duplicate device ID 'dup'");
    g_assert_null(b->id);
    name = qdev_set_id(anon, NULL, &error_abort);
    g_assert_true(g_str_has_prefix(name, "device["));
    path = object_get_canonical_path(OBJECT(anon));
    g_assert_true(g_str_has_prefix(path, "/machine/peripheral-anon/device["));
    object_unparent(OBJECT(a));
    object_unparent(OBJECT(anon));
    object_unref(OBJECT(a));
    object_unref(OBJECT(b));
    object_unref(OBJECT(anon));
}

static void check_device_add_error(const char *opts, const char *expected)
{
    Error *err = NULL;

    g_assert_null(qdev_device_add_from_str(opts, &err));
    check_error(err, expected);
}

static void test_device_add(void)
{
    TestBridge *br = new_bridge("addbr");
    DeviceState *dev;
    g_autofree char *path = NULL;

    trace_reset();
    dev = qdev_device_add_from_str("test-dev,id=added,a=42,o=off,sz=1M",
                                   &error_abort);
    g_assert_true(dev->realized);
    g_assert_true(dev->parent_bus == br->bus);
    g_assert_cmpuint(TEST_DEV(dev)->a, ==, 42);
    g_assert_cmpint(TEST_DEV(dev)->o, ==, ON_OFF_AUTO_OFF);
    g_assert_cmpuint(TEST_DEV(dev)->sz, ==, MiB);
    path = object_get_canonical_path(OBJECT(dev));
    g_assert_cmpstr(path, ==, "/machine/peripheral/added");
    g_assert_cmpstr(trace->str, ==, "realize:added ");

    check_device_add_error("nosuch", "'nosuch' is not a valid device model "
                           "name");
    check_device_add_error("test-abstract-dev", "Parameter 'driver' expects "
                           "a non-abstract device type");
    check_device_add_error("test-bridge", "Parameter 'driver' expects a "
                           "pluggable device type");
    check_device_add_error("test-dev,bus=nobus", "Bus 'nobus' not found");
    check_device_add_error("test-dev,id=added", "Duplicate ID 'added' for "
                           "device");
    check_device_add_error("test-dev,id=1x", "Parameter 'id' expects an "
                           "identifier");
    check_device_add_error("test-dev,foo=1", "Property 'test-dev.foo' not "
                           "found");
    check_device_add_error("test-dev,a=x", "Parameter 'a' expects uint32");
    check_device_add_error("test-dev,id=bad,fail-realize=on",
                           "realize refused");
    /* A failed device_add leaves nothing behind. */
    g_assert_null(object_resolve_path("/machine/peripheral/bad", NULL));
    g_assert_cmpint(br->bus->num_children, ==, 1);

    dev = qdev_device_add_from_str("test-dev,bus=tbus", &error_abort);
    g_assert_true(dev->parent_bus == br->bus);

    /* QMP device_add arguments. */
    {
        g_autoptr(JsonParser) parser = json_parser_new();
        JsonObject *args;
        Error *err = NULL;

        g_assert_true(json_parser_load_from_data(parser,
            "{\"driver\": \"test-dev\", \"id\": \"fromjson\", \"a\": 7, "
            "\"b\": false, \"sz\": 1048576, \"o\": \"on\"}", -1, NULL));
        args = json_node_get_object(json_parser_get_root(parser));
        dev = qdev_device_add_from_json(args, &error_abort);
        g_assert_cmpuint(TEST_DEV(dev)->a, ==, 7);
        g_assert_false(TEST_DEV(dev)->b);
        g_assert_cmpuint(TEST_DEV(dev)->sz, ==, MiB);
        g_assert_cmpint(TEST_DEV(dev)->o, ==, ON_OFF_AUTO_ON);
        g_assert_true(json_parser_load_from_data(parser,
            "{\"driver\": \"test-dev\", \"u8\": 300}", -1, NULL));
        args = json_node_get_object(json_parser_get_root(parser));
        g_assert_null(qdev_device_add_from_json(args, &err));
        check_error(err, "Parameter 'u8' expects uint8");
    }
    object_unparent(OBJECT(br));
}

static void test_device_help(void)
{
    g_autoptr(GString) out = g_string_new(NULL);
    Error *err = NULL;
    const char *misc;

    qdev_print_devinfos(out);
    misc = strstr(out->str, "Misc devices:\n");
    g_assert_nonnull(misc);
    g_assert_nonnull(strstr(misc, "\nname \"test-dev\", bus test-bus, desc "
                            "\"a test device\"\n"));
    g_assert_null(strstr(out->str, "test-bridge"));

    g_string_truncate(out, 0);
    g_assert_true(qdev_print_device_props(out, "test-dev", &error_abort));
    g_assert_true(g_str_has_prefix(out->str, "test-dev options:\n"
                                   "  a=<uint32>             -  "
                                   "(default: 3)\n"
                                   "  b=<bool>               -  "
                                   "(default: true)\n"
                                   "  bit2=<bool>            - on/off "
                                   "(default: true)\n"));
    g_assert_nonnull(strstr(out->str, "\n  memdev=<link<memory-backend>>\n"));
    g_assert_nonnull(strstr(out->str, "\n  o=<OnOffAuto>          - "
                            "on/off/auto (default: \"auto\")\n"));
    g_assert_null(strstr(out->str, "realized"));
    g_assert_false(qdev_print_device_props(out, "nosuch", &err));
    check_error(err, "'nosuch' is not a valid device model name");
}

/* Runs last: once machine creation is done, new devices are hot plugged. */
static void test_hotplugged(void)
{
    TestBridge *br = new_bridge(NULL);
    TestHotplug *bush = TEST_HOTPLUG(object_new(TYPE_TEST_HOTPLUG));
    DeviceState *dev;
    Error *err = NULL;

    bush->name = "bus";
    qbus_set_hotplug_handler(br->bus, OBJECT(bush));
    qdev_machine_creation_done();
    g_assert_true(qdev_machine_creation_done_get());

    /* A hot-plugged device is reset after realize, before plug. */
    dev = new_dev("hot");
    g_assert_true(dev->hotplugged);
    g_assert_true(object_property_get_bool(OBJECT(dev), "hotplugged",
                                           &error_abort));
    trace_reset();
    qdev_realize_and_unref(dev, br->bus, &error_abort);
    g_assert_cmpstr(trace->str, ==, "bus-pre_plug:hot realize:hot reset:hot "
                    "bus-plug:hot ");

    /* device_add refuses buses without hotplug handler... */
    qbus_set_hotplug_handler(br->bus, NULL);
    g_assert_null(qdev_device_add_from_str("test-dev,id=hot2", &err));
    check_error(err, "Bus 'tbus' does not support hotplugging");
    /* ...and devices that cannot be hot plugged. */
    DEVICE_CLASS(object_class_by_name(TYPE_TEST_DEV))->hotpluggable = false;
    qbus_set_hotplug_handler(br->bus, OBJECT(bush));
    err = NULL;
    g_assert_null(qdev_device_add_from_str("test-dev,id=hot3", &err));
    check_error(err, "Parameter 'driver' expects a pluggable device type");
    dev = new_dev("hot4");
    err = NULL;
    g_assert_false(qdev_realize(dev, br->bus, &err));
    check_error(err, "Device 'test-dev' does not support hotplugging");
    DEVICE_CLASS(object_class_by_name(TYPE_TEST_DEV))->hotpluggable = true;

    object_unparent(OBJECT(dev));
    object_unref(OBJECT(dev));
    object_unparent(OBJECT(br));
    object_unref(OBJECT(bush));
}

int main(int argc, char **argv)
{
    Object *machine;

    g_test_init(&argc, &argv, NULL);
    trace = g_string_new(NULL);
    memory_map_init();
    machine = object_new(TYPE_TEST_MACHINE);
    object_property_add_child(object_get_root(), "machine", machine);
    object_unref(machine);

    g_test_add_func("/qdev/props/defaults", test_props_defaults);
    g_test_add_func("/qdev/props/set", test_props_set);
    g_test_add_func("/qdev/props/link", test_props_link);
    g_test_add_func("/qdev/props/after-realize", test_props_after_realize);
    g_test_add_func("/qdev/realize/order", test_realize_order);
    g_test_add_func("/qdev/realize/failure", test_realize_failure);
    g_test_add_func("/qdev/realize/unattached", test_unattached);
    g_test_add_func("/qdev/hotplug/order", test_hotplug_order);
    g_test_add_func("/qdev/hotplug/not-hotpluggable",
                    test_unplug_not_hotpluggable);
    g_test_add_func("/qdev/gpio", test_gpio);
    g_test_add_func("/qdev/reset/order", test_reset_order);
    g_test_add_func("/qdev/ids", test_ids);
    g_test_add_func("/qdev/device-add", test_device_add);
    g_test_add_func("/qdev/device-help", test_device_help);
    /* Last: it ends the "machine creation" phase for the process. */
    g_test_add_func("/qdev/zz-last/hotplugged", test_hotplugged);
    return g_test_run();
}
