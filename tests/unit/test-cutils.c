/*
 * Number/size parsing (cutils) and keyval option strings.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/util.h"
#include "qemu/cutils.h"
#include "qemu/id.h"
#include "qemu/keyval.h"

typedef struct SizeCase {
    const char *str;
    int ret;
    uint64_t value;
} SizeCase;

static void check_strtosz_table(const SizeCase *cases, size_t n,
                                int (*fn)(const char *, const char **,
                                          uint64_t *))
{
    size_t i;

    for (i = 0; i < n; i++) {
        uint64_t value = 0xdeadbeef;
        int ret = fn(cases[i].str, NULL, &value);

        if (ret != cases[i].ret ||
            (ret == 0 && value != cases[i].value)) {
            g_test_message("'%s': ret %d value %" PRIu64, cases[i].str, ret,
                           value);
        }
        g_assert_cmpint(ret, ==, cases[i].ret);
        if (ret == 0) {
            g_assert_cmpuint(value, ==, cases[i].value);
        }
    }
}

static void test_strtosz(void)
{
    static const SizeCase cases[] = {
        { "0", 0, 0 },
        { "4096", 0, 4096 },
        { "  12345", 0, 12345 },
        { "0x1000", 0, 4096 },
        { "0X10k", 0, 16 * KiB },
        { "010", 0, 10 },                    /* not octal */
        { "1B", 0, 1 },
        { "1b", 0, 1 },
        { "1k", 0, KiB },
        { "1K", 0, KiB },
        { "64M", 0, 64 * MiB },
        { "64m", 0, 64 * MiB },
        { "1G", 0, GiB },
        { "65G", 0, 65 * GiB },
        { "2T", 0, 2 * TiB },
        { "3P", 0, 3 * PiB },
        { "15E", 0, 15 * (uint64_t)EiB },
        { "1.5G", 0, GiB + GiB / 2 },
        { "1.5k", 0, 1536 },
        { "0.5M", 0, 512 * KiB },
        { "12.345M", 0, 12944670 },          /* truncated, not rounded up */
        { "18446744073709551615", 0, UINT64_MAX },
        /* overflow */
        { "18446744073709551616", -ERANGE, 0 },
        { "16E", -ERANGE, 0 },
        { "16384P", -ERANGE, 0 },
        { "15.9999999999999999999E", -ERANGE, 0 },
        /* garbage */
        { "", -EINVAL, 0 },
        { "   ", -EINVAL, 0 },
        { "abc", -EINVAL, 0 },
        { "12x", -EINVAL, 0 },
        { "1G junk", -EINVAL, 0 },
        { "1GB", -EINVAL, 0 },
        { "-1", -EINVAL, 0 },
        { "-0", -EINVAL, 0 },
        { "+1", -EINVAL, 0 },
        { "1.5", -EINVAL, 0 },               /* fraction of a byte */
        { "1.5B", -EINVAL, 0 },
        { "1.", -EINVAL, 0 },
        { ".5G", -EINVAL, 0 },
        { "0x1.8G", -EINVAL, 0 },            /* no hex fractions */
        { "1e3", -EINVAL, 0 },               /* 'e' is exbibytes, not exp */
        { "0x", -EINVAL, 0 },
    };

    check_strtosz_table(cases, ARRAY_SIZE(cases), qemu_strtosz);
}

static void test_strtosz_mib(void)
{
    static const SizeCase cases[] = {
        { "512", 0, 512 * MiB },
        { "1G", 0, GiB },
        { "1.5", 0, MiB + MiB / 2 },
        { "4096B", 0, 4096 },
        { "17592186044416", -ERANGE, 0 },    /* 2^44 MiB = 2^64 */
        { "x", -EINVAL, 0 },
    };

    check_strtosz_table(cases, ARRAY_SIZE(cases), qemu_strtosz_MiB);
}

static void test_strtosz_metric(void)
{
    static const SizeCase cases[] = {
        { "12k", 0, 12000 },
        { "1.5M", 0, 1500000 },
        { "1G", 0, 1000000000 },
    };

    check_strtosz_table(cases, ARRAY_SIZE(cases), qemu_strtosz_metric);
}

static void test_strtosz_end(void)
{
    const char *str = "64G,maxmem=65G";
    const char *end = NULL;
    uint64_t value = 0;

    g_assert_cmpint(qemu_strtosz(str, &end, &value), ==, 0);
    g_assert_cmpuint(value, ==, 64 * GiB);
    g_assert_true(end == str + 3);

    /* On error @end stays at the start. */
    str = "zz";
    g_assert_cmpint(qemu_strtosz(str, &end, &value), ==, -EINVAL);
    g_assert_true(end == str);
}

static void test_strtou64(void)
{
    const char *end;
    uint64_t v;

    g_assert_cmpint(qemu_strtou64("123", NULL, 0, &v), ==, 0);
    g_assert_cmpuint(v, ==, 123);
    g_assert_cmpint(qemu_strtou64("0x10", NULL, 0, &v), ==, 0);
    g_assert_cmpuint(v, ==, 16);
    g_assert_cmpint(qemu_strtou64("010", NULL, 0, &v), ==, 0);
    g_assert_cmpuint(v, ==, 8);
    g_assert_cmpint(qemu_strtou64("010", NULL, 10, &v), ==, 0);
    g_assert_cmpuint(v, ==, 10);
    g_assert_cmpint(qemu_strtou64("18446744073709551615", NULL, 0, &v), ==,
                    0);
    g_assert_cmpuint(v, ==, UINT64_MAX);
    g_assert_cmpint(qemu_strtou64("18446744073709551616", NULL, 0, &v), ==,
                    -ERANGE);
    g_assert_cmpuint(v, ==, UINT64_MAX);
    /* strtoull() semantics for a leading '-', as in QEMU. */
    g_assert_cmpint(qemu_strtou64("-1", NULL, 0, &v), ==, 0);
    g_assert_cmpuint(v, ==, UINT64_MAX);
    g_assert_cmpint(qemu_strtou64("-18446744073709551616", NULL, 0, &v), ==,
                    -ERANGE);
    g_assert_cmpint(qemu_strtou64("12abc", NULL, 0, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtou64("", NULL, 0, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtou64("-", NULL, 0, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtou64(NULL, NULL, 0, &v), ==, -EINVAL);

    g_assert_cmpint(qemu_strtou64("12abc", &end, 0, &v), ==, 0);
    g_assert_cmpuint(v, ==, 12);
    g_assert_cmpstr(end, ==, "abc");
}

static void test_strtoi64_and_friends(void)
{
    int64_t i64;
    int i;
    unsigned long ul;
    unsigned int ui;
    long l;
    double d;

    g_assert_cmpint(qemu_strtoi64("-42", NULL, 0, &i64), ==, 0);
    g_assert_cmpint(i64, ==, -42);
    g_assert_cmpint(qemu_strtoi64("9223372036854775808", NULL, 0, &i64), ==,
                    -ERANGE);
    g_assert_cmpint(i64, ==, INT64_MAX);
    g_assert_cmpint(qemu_strtoi64("-9223372036854775809", NULL, 0, &i64), ==,
                    -ERANGE);
    g_assert_cmpint(i64, ==, INT64_MIN);

    g_assert_cmpint(qemu_strtoi("2147483647", NULL, 10, &i), ==, 0);
    g_assert_cmpint(i, ==, INT_MAX);
    g_assert_cmpint(qemu_strtoi("2147483648", NULL, 10, &i), ==, -ERANGE);
    g_assert_cmpint(i, ==, INT_MAX);
    g_assert_cmpint(qemu_strtoi("-2147483649", NULL, 10, &i), ==, -ERANGE);
    g_assert_cmpint(i, ==, INT_MIN);
    g_assert_cmpint(qemu_strtoi(" 7 ", NULL, 10, &i), ==, -EINVAL);

    g_assert_cmpint(qemu_strtoul("0xff", NULL, 16, &ul), ==, 0);
    g_assert_cmpuint(ul, ==, 255);
    g_assert_cmpint(qemu_strtoui("4294967296", NULL, 0, &ui), ==, -ERANGE);
    g_assert_cmpuint(ui, ==, UINT_MAX);
    g_assert_cmpint(qemu_strtoui("-1", NULL, 0, &ui), ==, 0);
    g_assert_cmpuint(ui, ==, UINT_MAX);
    g_assert_cmpint(qemu_strtol("-5", NULL, 0, &l), ==, 0);
    g_assert_cmpint(l, ==, -5);
    g_assert_cmpint(qemu_strtod("2.5", NULL, &d), ==, 0);
    g_assert_cmpfloat(d, ==, 2.5);
    g_assert_cmpint(qemu_strtod("2.5x", NULL, &d), ==, -EINVAL);
}

static void test_size_to_str(void)
{
    static const struct {
        uint64_t value;
        const char *str;
    } cases[] = {
        { 0, "0 B" },
        { 512, "512 B" },
        { 999, "999 B" },
        { 1000, "0.977 KiB" },
        { 1536, "1.5 KiB" },
        { 2 * GiB, "2 GiB" },
        { 64 * GiB, "64 GiB" },
        { 65 * GiB, "65 GiB" },
        { 1023 * MiB, "0.999 GiB" },
        { 3 * TiB, "3 TiB" },
        { UINT64_MAX, "16 EiB" },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        g_autofree char *s = size_to_str(cases[i].value);

        g_assert_cmpstr(s, ==, cases[i].str);
    }
}

static void test_strtobool(void)
{
    static const char *const yes[] = { "on", "yes", "true", "y" };
    static const char *const no[] = { "off", "no", "false", "n" };
    Error *err = NULL;
    bool b;
    size_t i;

    for (i = 0; i < ARRAY_SIZE(yes); i++) {
        b = false;
        g_assert_cmpint(qemu_strtobool(yes[i], &b), ==, 0);
        g_assert_true(b);
        b = true;
        g_assert_cmpint(qemu_strtobool(no[i], &b), ==, 0);
        g_assert_false(b);
    }
    g_assert_cmpint(qemu_strtobool("On", &b), ==, -EINVAL);
    g_assert_cmpint(qemu_strtobool("1", &b), ==, -EINVAL);
    g_assert_cmpint(qemu_strtobool("", &b), ==, -EINVAL);

    g_assert_false(qapi_bool_parse("reserve", "maybe", &b, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'reserve' expects 'on' or 'off'");
    error_free(err);
}

static void test_enum_lookup(void)
{
    static const char *const names[] = { "default", "preferred", "bind" };
    static const QEnumLookup lookup = { .array = names, .size = 3 };
    Error *err = NULL;

    g_assert_cmpstr(qapi_enum_lookup(&lookup, 2), ==, "bind");
    g_assert_cmpint(qapi_enum_parse(&lookup, "preferred", -1, &error_abort),
                    ==, 1);
    g_assert_cmpint(qapi_enum_parse(&lookup, NULL, 7, &error_abort), ==, 7);
    g_assert_cmpint(qapi_enum_parse(&lookup, "interleave", -1, &err), ==, -1);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter 'interleave'");
    error_free(err);
}

static void test_misc_strings(void)
{
    const char *rest;
    char buf[4];

    g_assert_cmpint(strstart("memory-backend-ram", "memory-", &rest), ==, 1);
    g_assert_cmpstr(rest, ==, "backend-ram");
    g_assert_cmpint(strstart("memory", "mem0", NULL), ==, 0);
    g_assert_cmpint(stristart("HELP", "help", &rest), ==, 1);
    g_assert_cmpstr(rest, ==, "");
    pstrcpy(buf, sizeof(buf), "abcdef");
    g_assert_cmpstr(buf, ==, "abc");
    g_assert_cmpint(qemu_strnlen("abc", 2), ==, 2);
    g_assert_cmpint(qemu_strnlen("abc", 10), ==, 3);

    g_assert_true(id_wellformed("mem0"));
    g_assert_true(id_wellformed("a-b.c_d"));
    g_assert_false(id_wellformed("0mem"));
    g_assert_false(id_wellformed("mem 0"));
    g_assert_false(id_wellformed(""));
}

static void test_buffer_is_zero(void)
{
    g_autofree uint8_t *buf = g_malloc0(8192);

    g_assert_true(buffer_is_zero(buf, 8192));
    buf[8191] = 1;
    g_assert_false(buffer_is_zero(buf, 8192));
    g_assert_true(buffer_is_zero(buf, 8191));
    g_assert_true(buffer_is_zero(buf, 0));
}

/* --- keyval ----------------------------------------------------------- */

/* "k=v;k2=v2" rendering of a list, for compact assertions. */
static char *kv_dump(const KeyValList *list)
{
    GString *s = g_string_new(NULL);
    size_t i;

    for (i = 0; i < keyval_list_length(list); i++) {
        const KeyValPair *pair = keyval_list_nth(list, i);

        g_string_append_printf(s, "%s%s=%s", i ? ";" : "", pair->key,
                               pair->value);
    }
    return g_string_free(s, false);
}

static void check_keyval(const char *params, const char *implied_key,
                         const char *expected)
{
    g_autoptr(KeyValList) list = keyval_parse(params, implied_key, NULL,
                                              &error_abort);
    g_autofree char *dump = kv_dump(list);

    g_assert_cmpstr(dump, ==, expected);
}

static void check_keyval_error(const char *params, const char *implied_key,
                               const char *message)
{
    Error *err = NULL;
    KeyValList *list = keyval_parse(params, implied_key, NULL, &err);

    g_assert_null(list);
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, message);
    error_free(err);
}

static void test_keyval_parse(void)
{
    check_keyval("", NULL, "");
    check_keyval("memory-backend-ram,id=mem0,size=64G", "qom-type",
                 "qom-type=memory-backend-ram;id=mem0;size=64G");
    check_keyval("1G,maxmem=65G,slots=4", "size",
                 "size=1G;maxmem=65G;slots=4");
    check_keyval("size=1G,slots=4", "size", "size=1G;slots=4");
    check_keyval("a=1,b=2,", NULL, "a=1;b=2");
    check_keyval("path=/tmp/a,,b,,,share=on", NULL,
                 "path=/tmp/a,b,;share=on");
    check_keyval("a=x=y", NULL, "a=x=y");
    check_keyval("a=", NULL, "a=");
    check_keyval("my,,file,x=1", "path", "path=my,file;x=1");
    check_keyval("node.id=3,x-y_z=4", NULL, "node.id=3;x-y_z=4");
}

static void test_keyval_errors(void)
{
    check_keyval_error("a=1,a=2", NULL,
                       "Parameter 'a' is specified more than once");
    check_keyval_error("1G,size=2G", "size",
                       "Parameter 'size' is specified more than once");
    check_keyval_error("=1", NULL, "Invalid parameter ''");
    check_keyval_error("a=1,,,=2", NULL, "Invalid parameter ''");
    check_keyval("a=1,,b=2", NULL, "a=1,b=2");
    check_keyval_error(",", "size", "Invalid parameter ''");
    check_keyval_error("a b=1", NULL, "Invalid parameter 'a b'");
    check_keyval_error("_a=1", NULL, "Invalid parameter '_a'");
    check_keyval_error("mem0", NULL, "Expected '=' after parameter 'mem0'");
    check_keyval_error("a=1,b", "size", "Expected '=' after parameter 'b'");
    check_keyval_error("memory-backend-ram,id", "qom-type",
                       "Expected '=' after parameter 'id'");
}

static void test_keyval_help(void)
{
    bool help = true;
    g_autoptr(KeyValList) l1 = keyval_parse("memory-backend-ram,size=1G",
                                            "qom-type", &help, &error_abort);
    g_autoptr(KeyValList) l2 = NULL;
    g_autoptr(KeyValList) l3 = NULL;
    g_autoptr(KeyValList) l4 = NULL;
    g_autofree char *d2 = NULL;

    g_assert_nonnull(l1);
    g_assert_false(help);
    l2 = keyval_parse("memory-backend-ram,help", "qom-type", &help,
                      &error_abort);
    g_assert_true(help);
    d2 = kv_dump(l2);
    g_assert_cmpstr(d2, ==, "qom-type=memory-backend-ram");

    l3 = keyval_parse("?", "qom-type", &help, &error_abort);
    g_assert_true(help);
    g_assert_cmpuint(keyval_list_length(l3), ==, 0);

    /* Without a help pointer, "help" is a plain implied value. */
    l4 = keyval_parse("help", "qom-type", NULL, &error_abort);
    g_assert_cmpstr(keyval_list_get(l4, "qom-type"), ==, "help");
}

static void test_keyval_list_ops(void)
{
    g_autoptr(KeyValList) list = keyval_parse("t,id=m,size=1G", "qom-type",
                                              NULL, &error_abort);
    g_autoptr(KeyValList) copy = NULL;
    g_autofree char *id = NULL;
    g_autofree char *str = NULL;
    g_autofree char *dump = NULL;

    g_assert_cmpstr(keyval_list_get(list, "size"), ==, "1G");
    g_assert_null(keyval_list_get(list, "nope"));
    copy = keyval_list_copy(list);
    id = keyval_list_remove(list, "id");
    g_assert_cmpstr(id, ==, "m");
    g_assert_null(keyval_list_remove(list, "id"));
    dump = kv_dump(list);
    g_assert_cmpstr(dump, ==, "qom-type=t;size=1G");
    g_assert_cmpuint(keyval_list_length(copy), ==, 3);

    keyval_list_add(copy, "path", "/a,b", &error_abort);
    str = keyval_list_to_string(copy);
    g_assert_cmpstr(str, ==, "qom-type=t,id=m,size=1G,path=/a,,b");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cutils/strtosz", test_strtosz);
    g_test_add_func("/cutils/strtosz-MiB", test_strtosz_mib);
    g_test_add_func("/cutils/strtosz-metric", test_strtosz_metric);
    g_test_add_func("/cutils/strtosz-end", test_strtosz_end);
    g_test_add_func("/cutils/strtou64", test_strtou64);
    g_test_add_func("/cutils/strtoi64-and-friends",
                    test_strtoi64_and_friends);
    g_test_add_func("/cutils/size-to-str", test_size_to_str);
    g_test_add_func("/cutils/strtobool", test_strtobool);
    g_test_add_func("/cutils/enum-lookup", test_enum_lookup);
    g_test_add_func("/cutils/misc-strings", test_misc_strings);
    g_test_add_func("/cutils/buffer-is-zero", test_buffer_is_zero);
    g_test_add_func("/keyval/parse", test_keyval_parse);
    g_test_add_func("/keyval/errors", test_keyval_errors);
    g_test_add_func("/keyval/help", test_keyval_help);
    g_test_add_func("/keyval/list-ops", test_keyval_list_ops);
    return g_test_run();
}
