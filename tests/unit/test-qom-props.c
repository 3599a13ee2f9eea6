/*
 * QOM properties (JSON accessors, strings, links, defaults, help) and
 * user-creatable objects.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qom/object.h"
#include "qom/object_interfaces.h"

#define TYPE_TEST_ABSTRACT_BACKEND "test-abstract-backend"
#define TYPE_TEST_BACKEND "test-backend"

typedef struct TestBackend {
    Object parent_obj;
    uint64_t size;
    bool reserve;
    int policy;
    char *label;
    uint64_t count;
    Object *node;
    uint64_t host_nodes;
    uint8_t align8;
    bool wo;
    bool reserve_at_init;
    uint64_t count_at_init;
    bool completed;
    bool in_use;
} TestBackend;

DECLARE_INSTANCE_CHECKER(TestBackend, TEST_BACKEND, TYPE_TEST_BACKEND)

static int finalize_count;

enum { POLICY_DEFAULT, POLICY_PREFERRED, POLICY_BIND, POLICY_INTERLEAVE };

static const char *const policy_names[] = {
    "default", "preferred", "bind", "interleave",
};

static const QEnumLookup policy_lookup = {
    .array = policy_names,
    .size = ARRAY_SIZE(policy_names),
};

static uint64_t tb_get_size(Object *obj, Error **errp)
{
    return TEST_BACKEND(obj)->size;
}

static void tb_set_size(Object *obj, uint64_t value, Error **errp)
{
    if (value && value < 4096) {
        error_setg(errp, "size must be at least 4096 bytes");
        return;
    }
    TEST_BACKEND(obj)->size = value;
}

static bool tb_get_reserve(Object *obj, Error **errp)
{
    return TEST_BACKEND(obj)->reserve;
}

static void tb_set_reserve(Object *obj, bool value, Error **errp)
{
    TEST_BACKEND(obj)->reserve = value;
}

static int tb_get_policy(Object *obj, Error **errp)
{
    return TEST_BACKEND(obj)->policy;
}

static void tb_set_policy(Object *obj, int value, Error **errp)
{
    TEST_BACKEND(obj)->policy = value;
}

static char *tb_get_label(Object *obj, Error **errp)
{
    return g_strdup(TEST_BACKEND(obj)->label);
}

static void tb_set_label(Object *obj, const char *value, Error **errp)
{
    TestBackend *tb = TEST_BACKEND(obj);

    g_free(tb->label);
    tb->label = g_strdup(value);
}

static uint64_t tb_get_count(Object *obj, Error **errp)
{
    return TEST_BACKEND(obj)->count;
}

static void tb_set_count(Object *obj, uint64_t value, Error **errp)
{
    TEST_BACKEND(obj)->count = value;
}

static uint64_t tb_get_ro(Object *obj, Error **errp)
{
    return 99;
}

static void tb_set_wo(Object *obj, bool value, Error **errp)
{
    TEST_BACKEND(obj)->wo = value;
}

static void tb_check_node(const Object *obj, const char *name, Object *val,
                          Error **errp)
{
    if (val == obj) {
        error_setg(errp, "a backend cannot link to itself");
    }
}

static void tb_complete(UserCreatable *uc, Error **errp)
{
    TestBackend *tb = TEST_BACKEND(uc);

    if (!tb->size) {
        error_setg(errp, "backend size must not be zero");
        return;
    }
    tb->completed = true;
}

static bool tb_can_be_deleted(UserCreatable *uc)
{
    return !TEST_BACKEND(uc)->in_use;
}

static void tb_instance_init(Object *obj)
{
    TestBackend *tb = TEST_BACKEND(obj);

    /* Class property defaults are already applied. */
    tb->reserve_at_init = tb->reserve;
    tb->count_at_init = tb->count;
    object_property_add_uint64_ptr(obj, "host-nodes", &tb->host_nodes,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint8_ptr(obj, "align8", &tb->align8,
                                  OBJ_PROP_FLAG_READWRITE);
    object_property_add_alias(obj, "alias-size", obj, "size");
}

static void tb_instance_finalize(Object *obj)
{
    g_free(TEST_BACKEND(obj)->label);
    finalize_count++;
}

/* Shared by all instances through a class property. */
static uint32_t tb_generation = 3;

static void tb_class_init(ObjectClass *oc, void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);
    ObjectProperty *prop;

    ucc->complete = tb_complete;
    ucc->can_be_deleted = tb_can_be_deleted;

    object_class_property_add_size(oc, "size", tb_get_size, tb_set_size);
    object_class_property_set_description(oc, "size",
                                          "Size of the memory region");
    prop = object_class_property_add_bool(oc, "reserve", tb_get_reserve,
                                          tb_set_reserve);
    object_property_set_default_bool(prop, true);
    object_class_property_set_description(oc, "reserve",
                                          "Reserve swap space");
    object_class_property_add_enum(oc, "policy", "HostMemPolicy",
                                   &policy_lookup, tb_get_policy,
                                   tb_set_policy);
    object_class_property_add_str(oc, "label", tb_get_label, tb_set_label);
    prop = object_class_property_add_uint64(oc, "count", tb_get_count,
                                            tb_set_count);
    object_property_set_default_uint(prop, 5);
    object_class_property_add_uint64(oc, "ro", tb_get_ro, NULL);
    object_class_property_add_uint32_ptr(oc, "generation", &tb_generation,
                                         OBJ_PROP_FLAG_READ);
    object_class_property_add_bool(oc, "wo", NULL, tb_set_wo);
    object_class_property_add_link(oc, "node", TYPE_TEST_BACKEND,
                                   offsetof(TestBackend, node),
                                   tb_check_node, OBJ_PROP_LINK_STRONG);
}

static const TypeInfo test_types[] = {
    {
        .name = TYPE_TEST_ABSTRACT_BACKEND,
        .parent = TYPE_OBJECT,
        .abstract = true,
        .instance_size = sizeof(TestBackend),
        .interfaces = (InterfaceInfo[]) {
            { TYPE_USER_CREATABLE },
            { }
        },
    },
    {
        .name = TYPE_TEST_BACKEND,
        .parent = TYPE_TEST_ABSTRACT_BACKEND,
        .instance_init = tb_instance_init,
        .instance_finalize = tb_instance_finalize,
        .class_init = tb_class_init,
    },
};

DEFINE_TYPES(test_types)

/* --- helpers ---------------------------------------------------------- */

static char *get_json_text(Object *obj, const char *name)
{
    g_autoptr(JsonNode) node = object_property_get_json(obj, name,
                                                        &error_abort);

    return json_to_string(node, false);
}

static void assert_json(Object *obj, const char *name, const char *expected)
{
    g_autofree char *text = get_json_text(obj, name);

    g_assert_cmpstr(text, ==, expected);
}

static void assert_error(Error **errp, const char *expected)
{
    g_assert_nonnull(*errp);
    g_assert_cmpstr(error_get_pretty(*errp), ==, expected);
    error_free(*errp);
    *errp = NULL;
}

static void set_json_text(Object *obj, const char *name, const char *json,
                          Error **errp)
{
    GError *gerr = NULL;
    g_autoptr(JsonNode) node = json_from_string(json, &gerr);

    g_assert_no_error(gerr);
    g_assert_nonnull(node);
    object_property_set_json(obj, name, node, errp);
}

/* --- tests ------------------------------------------------------------- */

static void test_parse_to_json(void)
{
    Object *obj = object_new(TYPE_TEST_BACKEND);

    object_property_parse(obj, "size", "64G", &error_abort);
    assert_json(obj, "size", "68719476736");
    object_property_parse(obj, "size", "1.5M", &error_abort);
    assert_json(obj, "size", "1572864");
    object_property_parse(obj, "reserve", "off", &error_abort);
    assert_json(obj, "reserve", "false");
    object_property_parse(obj, "reserve", "yes", &error_abort);
    assert_json(obj, "reserve", "true");
    object_property_parse(obj, "policy", "bind", &error_abort);
    assert_json(obj, "policy", "\"bind\"");
    object_property_parse(obj, "label", "hello, world", &error_abort);
    assert_json(obj, "label", "\"hello, world\"");
    object_property_parse(obj, "count", "0x10", &error_abort);
    assert_json(obj, "count", "16");
    object_property_parse(obj, "host-nodes", "12", &error_abort);
    assert_json(obj, "host-nodes", "12");
    object_property_parse(obj, "align8", "255", &error_abort);
    assert_json(obj, "align8", "255");
    assert_json(obj, "ro", "99");
    assert_json(obj, "generation", "3");
    tb_generation = 4;
    assert_json(obj, "generation", "4");
    tb_generation = 3;
    object_property_parse(obj, "wo", "on", &error_abort);
    g_assert_true(TEST_BACKEND(obj)->wo);

    g_assert_cmpuint(TEST_BACKEND(obj)->size, ==, 1572864);
    g_assert_cmpint(TEST_BACKEND(obj)->policy, ==, POLICY_BIND);
    g_assert_cmpuint(TEST_BACKEND(obj)->host_nodes, ==, 12);
    object_unref(obj);
}

static void test_set_json(void)
{
    Object *obj = object_new(TYPE_TEST_BACKEND);
    Error *err = NULL;

    set_json_text(obj, "count", "123", &error_abort);
    g_assert_cmpuint(TEST_BACKEND(obj)->count, ==, 123);
    set_json_text(obj, "reserve", "false", &error_abort);
    g_assert_false(TEST_BACKEND(obj)->reserve);
    set_json_text(obj, "policy", "\"preferred\"", &error_abort);
    g_assert_cmpint(TEST_BACKEND(obj)->policy, ==, POLICY_PREFERRED);
    set_json_text(obj, "label", "\"x\"", &error_abort);
    g_assert_cmpstr(TEST_BACKEND(obj)->label, ==, "x");

    set_json_text(obj, "count", "\"12\"", &err);
    assert_error(&err, "Invalid parameter type for 'count', expected: "
                 "integer");
    set_json_text(obj, "count", "-1", &err);
    assert_error(&err, "Parameter 'count' expects uint64");
    set_json_text(obj, "reserve", "1", &err);
    assert_error(&err, "Invalid parameter type for 'reserve', expected: "
                 "boolean");
    set_json_text(obj, "label", "7", &err);
    assert_error(&err, "Invalid parameter type for 'label', expected: "
                 "string");
    set_json_text(obj, "policy", "\"fastest\"", &err);
    assert_error(&err, "Parameter 'policy' does not accept value 'fastest'");
    set_json_text(obj, "align8", "256", &err);
    assert_error(&err, "Parameter 'align8' expects uint8_t");
    /* Setter errors come through. */
    set_json_text(obj, "size", "100", &err);
    assert_error(&err, "size must be at least 4096 bytes");

    /* Failed sets left the values alone. */
    g_assert_cmpuint(TEST_BACKEND(obj)->count, ==, 123);
    g_assert_cmpint(TEST_BACKEND(obj)->policy, ==, POLICY_PREFERRED);
    g_assert_cmpuint(TEST_BACKEND(obj)->align8, ==, 0);
    object_unref(obj);
}

static void test_parse_errors(void)
{
    Object *obj = object_new(TYPE_TEST_BACKEND);
    Error *err = NULL;

    g_assert_false(object_property_parse(obj, "size", "12Q", &err));
    assert_error(&err, "Parameter 'size' expects a size");
    g_assert_false(object_property_parse(obj, "size", "-1", &err));
    assert_error(&err, "Parameter 'size' expects a size");
    g_assert_false(object_property_parse(obj, "reserve", "maybe", &err));
    assert_error(&err, "Parameter 'reserve' expects 'on' or 'off'");
    g_assert_false(object_property_parse(obj, "count", "abc", &err));
    assert_error(&err, "Parameter 'count' expects uint64");
    g_assert_false(object_property_parse(obj, "count", "-1", &err));
    assert_error(&err, "Parameter 'count' expects uint64");
    g_assert_false(object_property_parse(obj, "count", "1G", &err));
    assert_error(&err, "Parameter 'count' expects uint64");
    g_assert_false(object_property_parse(obj, "align8", "x", &err));
    assert_error(&err, "Parameter 'align8' expects uint8");
    g_assert_false(object_property_parse(obj, "policy", "fastest", &err));
    assert_error(&err, "Parameter 'policy' does not accept value 'fastest'");
    g_assert_false(object_property_parse(obj, "nope", "1", &err));
    assert_error(&err, "Property 'test-backend.nope' not found");
    g_assert_false(object_property_parse(obj, "ro", "1", &err));
    assert_error(&err, "Property 'test-backend.ro' is not writable");
    g_assert_false(object_property_set_uint(obj, "generation", 1, &err));
    assert_error(&err, "Property 'test-backend.generation' is not writable");
    g_assert_null(object_property_get_json(obj, "wo", &err));
    assert_error(&err, "Property 'test-backend.wo' is not readable");
    g_assert_null(object_property_get_json(obj, "nope", &err));
    assert_error(&err, "Property 'test-backend.nope' not found");
    g_assert_null(object_property_find_err(obj, "nope", &err));
    assert_error(&err, "Property 'test-backend.nope' not found");
    object_unref(obj);
}

static void test_size_hint(void)
{
    Object *obj = object_new(TYPE_TEST_BACKEND);
    GString *out = g_string_new(NULL);
    Error *err = NULL;

    object_property_parse(obj, "size", "lots", &err);
    error_report_set_capture(out);
    error_report_err(err);
    error_report_set_capture(NULL);
    g_assert_cmpstr(out->str, ==,
                    "sparsevm: Parameter 'size' expects a size\n"
                    "You may use k, M, G or T suffixes for kilobytes, "
                    "megabytes, gigabytes and terabytes.\n");
    g_string_free(out, true);
    object_unref(obj);
}

static void test_typed_accessors(void)
{
    Object *obj = object_new(TYPE_TEST_BACKEND);
    Error *err = NULL;
    g_autofree char *label = NULL;

    g_assert_true(object_property_set_uint(obj, "count", 77, &error_abort));
    g_assert_cmpuint(object_property_get_uint(obj, "count", &error_abort),
                     ==, 77);
    g_assert_true(object_property_set_bool(obj, "reserve", false,
                                           &error_abort));
    g_assert_false(object_property_get_bool(obj, "reserve", &error_abort));
    g_assert_true(object_property_set_str(obj, "label", "lbl",
                                          &error_abort));
    label = object_property_get_str(obj, "label", &error_abort);
    g_assert_cmpstr(label, ==, "lbl");
    g_assert_true(object_property_set_str(obj, "policy", "interleave",
                                          &error_abort));
    g_assert_cmpint(object_property_get_enum(obj, "policy", "HostMemPolicy",
                                             &error_abort), ==,
                    POLICY_INTERLEAVE);
    g_assert_cmpint(object_property_get_int(obj, "count", &error_abort), ==,
                    77);

    g_assert_cmpint(object_property_get_enum(obj, "policy", "Other", &err),
                    ==, -1);
    assert_error(&err, "Property policy on test-backend is not 'Other' enum "
                 "type");
    g_assert_cmpuint(object_property_get_uint(obj, "label", &err), ==, 0);
    assert_error(&err, "Invalid parameter type for 'label', expected: "
                 "integer");
    g_assert_null(object_property_get_str(obj, "count", &err));
    assert_error(&err, "Invalid parameter type for 'count', expected: "
                 "string");
    g_assert_false(object_property_set_int(obj, "count", -3, &err));
    assert_error(&err, "Parameter 'count' expects uint64");

    g_assert_cmpstr(object_property_get_type(obj, "size", &error_abort), ==,
                    "size");
    g_assert_cmpstr(object_property_get_type(obj, "policy", &error_abort),
                    ==, "HostMemPolicy");
    g_assert_cmpstr(object_property_get_type(obj, "label", &error_abort),
                    ==, "string");
    g_assert_cmpstr(object_property_get_type(obj, "node", &error_abort),
                    ==, "link<test-backend>");
    g_assert_cmpstr(object_property_get_type(obj, "align8", &error_abort),
                    ==, "uint8");
    object_unref(obj);
}

static void test_uint64_extremes(void)
{
    Object *obj = object_new(TYPE_TEST_BACKEND);
    g_autofree char *printed = NULL;

    object_property_set_uint(obj, "count", UINT64_MAX, &error_abort);
    g_assert_cmpuint(TEST_BACKEND(obj)->count, ==, UINT64_MAX);
    g_assert_cmpuint(object_property_get_uint(obj, "count", &error_abort),
                     ==, UINT64_MAX);
    printed = object_property_print(obj, "count", false, &error_abort);
    g_assert_cmpstr(printed, ==, "18446744073709551615");

    object_property_parse(obj, "count", "18446744073709551615",
                          &error_abort);
    g_assert_cmpuint(TEST_BACKEND(obj)->count, ==, UINT64_MAX);
    object_property_set_uint(obj, "count", (uint64_t)INT64_MAX,
                             &error_abort);
    assert_json(obj, "count", "9223372036854775807");
    object_unref(obj);
}

static void test_print(void)
{
    Object *obj = object_new(TYPE_TEST_BACKEND);
    struct {
        const char *name;
        bool human;
        const char *expected;
    } cases[] = {
        { "size", false, "68719476736" },
        { "size", true, "68719476736 (64 GiB)" },
        { "count", false, "16" },
        { "count", true, "16 (0x10)" },
        { "reserve", false, "false" },
        { "policy", false, "bind" },
        { "policy", true, "\"bind\"" },
        { "label", false, "a b" },
        { "label", true, "\"a b\"" },
        { "align8", true, "8 (0x8)" },
        { "node", false, "" },
    };
    size_t i;
    Error *err = NULL;

    object_set_props(obj, &error_abort, "size", "64G", "count", "16",
                     "reserve", "off", "policy", "bind", "label", "a b",
                     "align8", "8", NULL);
    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        g_autofree char *s = object_property_print(obj, cases[i].name,
                                                   cases[i].human,
                                                   &error_abort);

        g_assert_cmpstr(s, ==, cases[i].expected);
    }
    g_assert_null(object_property_print(obj, "wo", false, &err));
    assert_error(&err, "Property 'test-backend.wo' is not readable");

    g_assert_false(object_set_props(obj, &err, "count", "1", "bogus", "2",
                                    NULL));
    assert_error(&err, "Property 'test-backend.bogus' not found");
    g_assert_cmpuint(TEST_BACKEND(obj)->count, ==, 1);
    object_unref(obj);
}

static void test_defaults(void)
{
    Object *obj = object_new(TYPE_TEST_BACKEND);
    TestBackend *tb = TEST_BACKEND(obj);

    /* Applied before instance_init ran. */
    g_assert_true(tb->reserve_at_init);
    g_assert_cmpuint(tb->count_at_init, ==, 5);
    assert_json(obj, "reserve", "true");
    assert_json(obj, "count", "5");
    object_unref(obj);
}

static Object *add_backend(const char *id, const char *size)
{
    g_autofree char *opts = g_strdup_printf("test-backend,id=%s,size=%s", id,
                                            size);

    g_assert_true(user_creatable_add_from_str(opts, &error_abort));
    return object_resolve_path_component(object_get_objects_root(), id);
}

static void test_links(void)
{
    Object *a = add_backend("link-a", "1M");
    Object *b = add_backend("link-b", "2M");
    Object *loose = object_new(TYPE_TEST_BACKEND);
    Error *err = NULL;
    uint32_t b_ref = b->ref;

    g_assert_nonnull(a);
    g_assert_nonnull(b);
    g_assert_null(object_property_get_link(a, "node", &error_abort));
    assert_json(a, "node", "\"\"");

    /* By id under /objects. */
    object_property_parse(a, "node", "link-b", &error_abort);
    g_assert_true(object_property_get_link(a, "node", &error_abort) == b);
    g_assert_true(TEST_BACKEND(a)->node == b);
    assert_json(a, "node", "\"/objects/link-b\"");
    g_assert_cmpuint(b->ref, ==, b_ref + 1);        /* strong link */
    /* Paths can go through links. */
    g_assert_true(object_resolve_path("/objects/link-a/node", NULL) == b);

    /* Clearing drops the reference. */
    object_property_parse(a, "node", "", &error_abort);
    g_assert_null(TEST_BACKEND(a)->node);
    g_assert_cmpuint(b->ref, ==, b_ref);

    /* By absolute path, and via JSON. */
    set_json_text(a, "node", "\"/objects/link-b\"", &error_abort);
    g_assert_true(TEST_BACKEND(a)->node == b);
    g_assert_cmpuint(b->ref, ==, b_ref + 1);

    /* Errors. */
    object_property_parse(a, "node", "/objects", &err);
    assert_error(&err, "Invalid parameter type for 'node', expected: "
                 "test-backend");
    object_property_parse(a, "node", "/objects/zzz", &err);
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_DEVICE_NOT_FOUND);
    assert_error(&err, "Device '/objects/zzz' not found");
    object_property_parse(a, "node", "link-a", &err);
    assert_error(&err, "a backend cannot link to itself");
    g_assert_true(TEST_BACKEND(a)->node == b);

    /* object_property_set_link() works for objects outside the tree. */
    object_property_set_link(a, "node", loose, &error_abort);
    g_assert_true(TEST_BACKEND(a)->node == loose);
    g_assert_cmpuint(b->ref, ==, b_ref);
    g_assert_cmpuint(loose->ref, ==, 2);
    object_property_set_link(a, "node", object_get_root(), &err);
    assert_error(&err, "Invalid parameter type for 'node', expected: "
                 "test-backend");

    /* Finalizing the linking object releases the strong reference. */
    object_unref(loose);
    finalize_count = 0;
    g_assert_true(user_creatable_del("link-a", &error_abort));
    g_assert_cmpint(finalize_count, ==, 2);       /* link-a and loose */
    g_assert_true(user_creatable_del("link-b", &error_abort));
    g_assert_cmpint(finalize_count, ==, 3);
}

static void test_instance_link_and_const_link(void)
{
    Object *obj = object_new(TYPE_CONTAINER);
    Object *target = object_new(TYPE_TEST_BACKEND);
    Object *slot = NULL;
    Error *err = NULL;

    object_property_add_link(obj, "ro-link", TYPE_TEST_BACKEND, &slot, NULL,
                             OBJ_PROP_LINK_DIRECT);
    object_property_set_link(obj, "ro-link", target, &err);
    /* No check callback: read-only, as in QEMU. */
    assert_error(&err, "Property 'container.ro-link' is not writable");

    object_property_add_link(obj, "rw-link", TYPE_TEST_BACKEND, &slot,
                             object_property_allow_set_link,
                             OBJ_PROP_LINK_DIRECT);
    object_property_set_link(obj, "rw-link", target, &error_abort);
    g_assert_true(slot == target);
    g_assert_cmpuint(target->ref, ==, 1);          /* not strong */
    g_assert_true(object_property_get_link(obj, "ro-link", &error_abort) ==
                  target);

    object_property_add_const_link(obj, "const", target);
    g_assert_true(object_resolve_path_component(obj, "const") == target);
    g_assert_cmpstr(object_property_get_type(obj, "const", &error_abort), ==,
                    "link<test-backend>");
    object_unref(obj);
    object_unref(target);
}

static void test_alias(void)
{
    Object *obj = object_new(TYPE_TEST_BACKEND);

    object_property_parse(obj, "alias-size", "2M", &error_abort);
    g_assert_cmpuint(TEST_BACKEND(obj)->size, ==, 2 * MiB);
    assert_json(obj, "alias-size", "2097152");
    g_assert_cmpstr(object_property_get_type(obj, "alias-size",
                                             &error_abort), ==, "size");
    g_assert_cmpstr(object_property_find(obj, "alias-size")->description,
                    ==, "Size of the memory region");
    object_unref(obj);
}

static int release_count;
static JsonNode *raw_value;

static JsonNode *raw_get(Object *obj, ObjectProperty *prop, Error **errp)
{
    return raw_value ? json_node_ref(raw_value)
                     : json_node_new(JSON_NODE_NULL);
}

static void raw_set(Object *obj, ObjectProperty *prop, JsonNode *value,
                    Error **errp)
{
    g_assert_cmpstr(prop->name, ==, "raw");
    g_assert_true(prop->opaque == &release_count);
    if (raw_value) {
        json_node_unref(raw_value);
    }
    raw_value = json_node_copy(value);
}

static void raw_release(Object *obj, const char *name, void *opaque)
{
    g_assert_cmpstr(name, ==, "raw");
    (*(int *)opaque)++;
}

static void test_raw_property(void)
{
    Object *obj = object_new(TYPE_CONTAINER);
    Object *obj2 = object_new(TYPE_CONTAINER);
    Error *err = NULL;

    release_count = 0;
    object_property_add(obj, "raw", "any", raw_get, raw_set, raw_release,
                        &release_count);
    set_json_text(obj, "raw", "{\"a\":[1,true,\"x\"]}", &error_abort);
    assert_json(obj, "raw", "{\"a\":[1,true,\"x\"]}");
    /* Unknown types take the string as is. */
    object_property_parse(obj, "raw", "text", &error_abort);
    assert_json(obj, "raw", "\"text\"");

    g_assert_null(object_property_try_add(obj, "raw", "any", raw_get, NULL,
                                          NULL, NULL, &err));
    assert_error(&err, "attempt to add duplicate property 'raw' to object "
                 "(type 'container')");

    object_property_del(obj, "raw");
    g_assert_cmpint(release_count, ==, 1);
    g_assert_null(object_property_find(obj, "raw"));

    /* Finalization releases instance properties too. */
    object_property_add(obj2, "raw", "any", raw_get, raw_set, raw_release,
                        &release_count);
    object_unref(obj2);
    g_assert_cmpint(release_count, ==, 2);
    object_unref(obj);
    json_node_unref(raw_value);
    raw_value = NULL;
}

static gint compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(a, b);
}

static void test_property_iter(void)
{
    Object *obj = object_new(TYPE_TEST_BACKEND);
    ObjectPropertyIterator iter;
    ObjectProperty *prop;
    GSList *names = NULL, *e;
    GString *s = g_string_new(NULL);

    object_property_iter_init(&iter, obj);
    while ((prop = object_property_iter_next(&iter))) {
        names = g_slist_insert_sorted(names, prop->name, compare_strings);
    }
    for (e = names; e; e = e->next) {
        g_string_append_printf(s, "%s ", (char *)e->data);
    }
    g_assert_cmpstr(s->str, ==, "alias-size align8 count generation host-nodes label "
                    "node policy reserve ro size wo ");
    g_slist_free(names);
    g_string_free(s, true);
    object_unref(obj);
}

static void test_user_creatable_round_trip(void)
{
    Object *obj;
    TestBackend *tb;
    g_autofree char *path = NULL;

    g_assert_true(user_creatable_add_from_str(
                      "test-backend,id=mem0,size=1G,reserve=off,"
                      "policy=bind,label=a,,b", &error_abort));
    obj = object_resolve_path("/objects/mem0", NULL);
    g_assert_nonnull(obj);
    tb = TEST_BACKEND(obj);
    g_assert_true(tb->completed);
    g_assert_cmpuint(tb->size, ==, GiB);
    g_assert_false(tb->reserve);
    g_assert_cmpint(tb->policy, ==, POLICY_BIND);
    g_assert_cmpstr(tb->label, ==, "a,b");
    path = object_get_canonical_path(obj);
    g_assert_cmpstr(path, ==, "/objects/mem0");
    /* Only /objects holds a reference. */
    g_assert_cmpuint(obj->ref, ==, 1);

    finalize_count = 0;
    tb->in_use = true;
    {
        Error *err = NULL;

        g_assert_false(user_creatable_del("mem0", &err));
        assert_error(&err, "object 'mem0' is in use, can not be deleted");
        g_assert_false(user_creatable_del("nothing", &err));
        assert_error(&err, "object 'nothing' not found");
    }
    tb->in_use = false;
    g_assert_true(user_creatable_del("mem0", &error_abort));
    g_assert_cmpint(finalize_count, ==, 1);
    g_assert_null(object_resolve_path("/objects/mem0", NULL));
}

static void check_add_error(const char *optarg, const char *message)
{
    Error *err = NULL;

    finalize_count = 0;
    g_assert_false(user_creatable_add_from_str(optarg, &err));
    assert_error(&err, message);
}

static void test_user_creatable_errors(void)
{
    Object *objects = object_get_objects_root();
    Object *dup;

    add_backend("dup", "1M");
    dup = object_resolve_path_component(objects, "dup");

    check_add_error("test-backend,id=dup,size=1M",
                    "attempt to add duplicate property 'dup' to object "
                    "(type 'container')");
    /* The rejected object was finalized, the original is untouched. */
    g_assert_cmpint(finalize_count, ==, 1);
    g_assert_true(object_resolve_path_component(objects, "dup") == dup);

    check_add_error("test-backend,size=1M", "Parameter 'id' is missing");
    check_add_error("id=x,size=1M", "Parameter 'qom-type' is missing");
    check_add_error("nope,id=x", "invalid object type: nope");
    check_add_error("container,id=x",
                    "object type 'container' isn't supported by object-add");
    check_add_error("test-abstract-backend,id=x",
                    "object type 'test-abstract-backend' is abstract");
    check_add_error("test-backend,id=0x,size=1M",
                    "Parameter 'id' expects an identifier");
    check_add_error("test-backend,id=x,bogus=1",
                    "Property 'test-backend.bogus' not found");
    g_assert_cmpint(finalize_count, ==, 1);
    check_add_error("test-backend,id=x,size=huge",
                    "Parameter 'size' expects a size");
    check_add_error("test-backend,id=x,id=y",
                    "Parameter 'id' is specified more than once");
    check_add_error("test-backend,id=x,size", "Expected '=' after parameter "
                    "'size'");
    /* complete() fails: nothing is left in /objects. */
    check_add_error("test-backend,id=x", "backend size must not be zero");
    g_assert_cmpint(finalize_count, ==, 1);
    g_assert_null(object_resolve_path_component(objects, "x"));

    g_assert_true(user_creatable_del("dup", &error_abort));
}

static void test_user_creatable_add_type(void)
{
    g_autoptr(KeyValList) props = keyval_parse("size=8M,count=3", NULL, NULL,
                                               &error_abort);
    Object *obj = user_creatable_add_type(TYPE_TEST_BACKEND, "typed", props,
                                          &error_abort);
    Object *anon;

    g_assert_true(object_resolve_path("/objects/typed", NULL) == obj);
    g_assert_cmpuint(TEST_BACKEND(obj)->size, ==, 8 * MiB);
    g_assert_cmpuint(TEST_BACKEND(obj)->count, ==, 3);
    g_assert_true(TEST_BACKEND(obj)->completed);

    /* Without an id the caller owns the object. */
    anon = user_creatable_add_type(TYPE_TEST_BACKEND, NULL, props,
                                   &error_abort);
    g_assert_null(anon->parent);
    g_assert_cmpuint(anon->ref, ==, 1);
    object_unref(anon);

    user_creatable_cleanup();
    g_assert_null(object_resolve_path("/objects/typed", NULL));
}

static void test_object_new_with_props(void)
{
    Error *err = NULL;
    Object *obj = object_new_with_props(TYPE_TEST_BACKEND,
                                        object_get_objects_root(), "np0",
                                        &error_abort, "size", "2G",
                                        "policy", "preferred", NULL);

    g_assert_true(object_resolve_path("/objects/np0", NULL) == obj);
    g_assert_true(TEST_BACKEND(obj)->completed);
    g_assert_cmpint(TEST_BACKEND(obj)->policy, ==, POLICY_PREFERRED);

    finalize_count = 0;
    g_assert_null(object_new_with_props(TYPE_TEST_BACKEND,
                                        object_get_objects_root(), "np1",
                                        &err, NULL));
    assert_error(&err, "backend size must not be zero");
    g_assert_cmpint(finalize_count, ==, 1);
    g_assert_null(object_resolve_path("/objects/np1", NULL));
    object_unparent(obj);
}

static void test_help(void)
{
    g_autofree char *text = user_creatable_help_str(TYPE_TEST_BACKEND);
    g_autofree char *list = user_creatable_help_str("help");
    g_autofree char *line = object_property_help("size", "size", NULL,
                                                 NULL);
    g_autofree char *none = user_creatable_help_str("no-such-type");

    g_assert_cmpstr(text, ==,
                    "test-backend options:\n"
                    "  count=<uint64>         -  (default: 5)\n"
                    "  label=<string>\n"
                    "  node=<link<test-backend>>\n"
                    "  policy=<HostMemPolicy>\n"
                    "  reserve=<bool>         - Reserve swap space "
                    "(default: true)\n"
                    "  size=<size>            - Size of the memory region\n"
                    "  wo=<bool>\n");
    g_assert_true(g_str_has_prefix(list, "List of user creatable objects:\n"));
    g_assert_nonnull(strstr(list, "\n  test-backend\n"));
    g_assert_null(strstr(list, "test-abstract-backend"));
    g_assert_cmpstr(line, ==, "  size=<size>");
    g_assert_null(none);
}

static void test_help_from_cmdline(void)
{
    if (g_test_subprocess()) {
        user_creatable_add_from_str("test-backend,help", &error_abort);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout("test-backend options:\n"
                              "  count=<uint64> *-  (default: 5)\n*"
                              "  wo=<bool>\n");
    g_test_trap_assert_stderr("");
}

static void test_type_list_from_cmdline(void)
{
    if (g_test_subprocess()) {
        user_creatable_add_from_str("help", &error_abort);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout("List of user creatable objects:\n*"
                              "  test-backend\n*");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qom-props/parse-to-json", test_parse_to_json);
    g_test_add_func("/qom-props/set-json", test_set_json);
    g_test_add_func("/qom-props/parse-errors", test_parse_errors);
    g_test_add_func("/qom-props/size-hint", test_size_hint);
    g_test_add_func("/qom-props/typed-accessors", test_typed_accessors);
    g_test_add_func("/qom-props/uint64-extremes", test_uint64_extremes);
    g_test_add_func("/qom-props/print", test_print);
    g_test_add_func("/qom-props/defaults", test_defaults);
    g_test_add_func("/qom-props/links", test_links);
    g_test_add_func("/qom-props/instance-link-and-const-link",
                    test_instance_link_and_const_link);
    g_test_add_func("/qom-props/alias", test_alias);
    g_test_add_func("/qom-props/raw-property", test_raw_property);
    g_test_add_func("/qom-props/property-iter", test_property_iter);
    g_test_add_func("/qom-props/user-creatable/round-trip",
                    test_user_creatable_round_trip);
    g_test_add_func("/qom-props/user-creatable/errors",
                    test_user_creatable_errors);
    g_test_add_func("/qom-props/user-creatable/add-type",
                    test_user_creatable_add_type);
    g_test_add_func("/qom-props/object-new-with-props",
                    test_object_new_with_props);
    g_test_add_func("/qom-props/help", test_help);
    g_test_add_func("/qom-props/help-from-cmdline", test_help_from_cmdline);
    g_test_add_func("/qom-props/type-list-from-cmdline",
                    test_type_list_from_cmdline);
    return g_test_run();
}
