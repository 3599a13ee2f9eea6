/*
 * Parsing "key=value,..." option strings (QEMU's keyval syntax), into a
 * flat ordered list of pairs.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/help_option.h"
#include "qemu/keyval.h"

/* Longest key accepted, as in QEMU. */
#define KEYVAL_KEY_MAX 127

static void keyval_pair_free(gpointer data)
{
    KeyValPair *pair = data;

    g_free(pair->key);
    g_free(pair->value);
    g_free(pair);
}

KeyValList *keyval_list_new(void)
{
    KeyValList *list = g_new0(KeyValList, 1);

    list->pairs = g_ptr_array_new_with_free_func(keyval_pair_free);
    return list;
}

void keyval_list_free(KeyValList *list)
{
    if (!list) {
        return;
    }
    g_ptr_array_free(list->pairs, true);
    g_free(list);
}

size_t keyval_list_length(const KeyValList *list)
{
    return list->pairs->len;
}

const KeyValPair *keyval_list_nth(const KeyValList *list, size_t n)
{
    g_assert(n < list->pairs->len);
    return g_ptr_array_index(list->pairs, n);
}

static int keyval_list_index(const KeyValList *list, const char *key)
{
    guint i;

    for (i = 0; i < list->pairs->len; i++) {
        const KeyValPair *pair = g_ptr_array_index(list->pairs, i);

        if (!strcmp(pair->key, key)) {
            return i;
        }
    }
    return -1;
}

const char *keyval_list_get(const KeyValList *list, const char *key)
{
    int i = keyval_list_index(list, key);

    return i < 0 ? NULL : keyval_list_nth(list, i)->value;
}

bool keyval_list_add(KeyValList *list, const char *key, const char *value,
                     Error **errp)
{
    KeyValPair *pair;

    if (keyval_list_index(list, key) >= 0) {
        error_setg(errp, "Parameter '%s' is specified more than once", key);
        return false;
    }
    pair = g_new(KeyValPair, 1);
    pair->key = g_strdup(key);
    pair->value = g_strdup(value);
    g_ptr_array_add(list->pairs, pair);
    return true;
}

char *keyval_list_remove(KeyValList *list, const char *key)
{
    int i = keyval_list_index(list, key);
    KeyValPair *pair;
    char *value;

    if (i < 0) {
        return NULL;
    }
    pair = g_ptr_array_steal_index(list->pairs, i);
    value = pair->value;
    pair->value = NULL;
    keyval_pair_free(pair);
    return value;
}

KeyValList *keyval_list_copy(const KeyValList *list)
{
    KeyValList *copy = keyval_list_new();
    size_t i;

    for (i = 0; i < keyval_list_length(list); i++) {
        const KeyValPair *pair = keyval_list_nth(list, i);

        keyval_list_add(copy, pair->key, pair->value, &error_abort);
    }
    return copy;
}

/*
 * Read from *@s up to the next separator, unescaping ",," into ','.
 * A key stops at '=' too.  Returns the separator found ('=', ',' or
 * '\0') and leaves *@s after it.
 */
static char keyval_fetch(const char **s, bool is_key, GString *out)
{
    const char *p = *s;

    g_string_truncate(out, 0);
    for (;;) {
        if (*p == '\0') {
            *s = p;
            return '\0';
        }
        if (*p == ',') {
            if (p[1] == ',') {
                g_string_append_c(out, ',');
                p += 2;
                continue;
            }
            *s = p + 1;
            return ',';
        }
        if (is_key && *p == '=') {
            *s = p + 1;
            return '=';
        }
        g_string_append_c(out, *p++);
    }
}

static bool keyval_key_valid(const char *key)
{
    const char *p;

    if (!g_ascii_isalnum(key[0])) {
        return false;
    }
    for (p = key; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.') {
            return false;
        }
    }
    return true;
}

/* Parse one element at *@s into @list; advances *@s. */
static bool keyval_parse_one(KeyValList *list, const char **s, bool first,
                             const char *implied_key, bool *p_help,
                             Error **errp)
{
    g_autoptr(GString) key = g_string_new(NULL);
    g_autoptr(GString) value = g_string_new(NULL);
    char sep;

    sep = keyval_fetch(s, true, key);
    if (sep != '=') {
        if (p_help && is_help_option(key->str)) {
            *p_help = true;
            return true;
        }
        if (first && implied_key && key->len) {
            return keyval_list_add(list, implied_key, key->str, errp);
        }
        if (!key->len) {
            error_setg(errp, "Invalid parameter ''");
        } else {
            error_setg(errp, "Expected '=' after parameter '%s'", key->str);
        }
        return false;
    }
    if (!keyval_key_valid(key->str)) {
        error_setg(errp, "Invalid parameter '%s'", key->str);
        return false;
    }
    if (key->len > KEYVAL_KEY_MAX) {
        error_setg(errp, "Parameter '%s' is too long", key->str);
        return false;
    }
    keyval_fetch(s, false, value);
    return keyval_list_add(list, key->str, value->str, errp);
}

KeyValList *keyval_parse(const char *params, const char *implied_key,
                         bool *p_help, Error **errp)
{
    g_autoptr(KeyValList) list = keyval_list_new();
    const char *s = params;
    bool first = true;

    if (p_help) {
        *p_help = false;
    }
    while (*s) {
        if (!keyval_parse_one(list, &s, first, implied_key, p_help, errp)) {
            return NULL;
        }
        first = false;
    }
    return g_steal_pointer(&list);
}

static void keyval_append_escaped(GString *out, const char *s)
{
    for (; *s; s++) {
        if (*s == ',') {
            g_string_append_c(out, ',');
        }
        g_string_append_c(out, *s);
    }
}

char *keyval_list_to_string(const KeyValList *list)
{
    GString *out = g_string_new(NULL);
    size_t i;

    for (i = 0; i < keyval_list_length(list); i++) {
        const KeyValPair *pair = keyval_list_nth(list, i);

        if (i) {
            g_string_append_c(out, ',');
        }
        g_string_append_printf(out, "%s=", pair->key);
        keyval_append_escaped(out, pair->value);
    }
    return g_string_free(out, false);
}
