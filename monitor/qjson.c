/*
 * JSON in QEMU's QMP text form, and parsing with QEMU's quoting rules.
 */
#include "qemu/osdep.h"
#include "qapi/qmp/qjson.h"
#include <math.h>

static void append_node(GString *out, JsonNode *node, bool pretty,
                        int level);

static void append_indent(GString *out, bool pretty, int level)
{
    if (pretty) {
        g_string_append_c(out, '\n');
        for (int i = 0; i < level; i++) {
            g_string_append(out, "    ");
        }
    }
}

static void append_string(GString *out, const char *raw)
{
    /* Invalid UTF-8 (from a peer) becomes U+FFFD instead of being over-read. */
    g_autofree char *str = g_utf8_make_valid(raw, -1);

    g_string_append_c(out, '"');
    for (const char *p = str; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);

        switch (c) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\b':
            g_string_append(out, "\\b");
            break;
        case '\f':
            g_string_append(out, "\\f");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\r':
            g_string_append(out, "\\r");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        default:
            if (c >= 0x20 && c < 0x7f) {
                g_string_append_c(out, (char)c);
            } else if (c < 0x10000) {
                g_string_append_printf(out, "\\u%04X", c);
            } else {
                /* UTF-16 surrogate pair. */
                c -= 0x10000;
                g_string_append_printf(out, "\\u%04X\\u%04X",
                                       0xD800 | (c >> 10),
                                       0xDC00 | (c & 0x3FF));
            }
        }
    }
    g_string_append_c(out, '"');
}

static void append_value(GString *out, JsonNode *node)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];

    switch (json_node_get_value_type(node)) {
    case G_TYPE_INT64:
        g_string_append_printf(out, "%" PRId64, json_node_get_int(node));
        break;
    case G_TYPE_DOUBLE:
        if (!isfinite(json_node_get_double(node))) {
            /* JSON has no infinity: keep the output parseable. */
            g_string_append(out, "null");
            break;
        }
        g_string_append(out, g_ascii_formatd(buf, sizeof(buf), "%.17g",
                                             json_node_get_double(node)));
        break;
    case G_TYPE_BOOLEAN:
        g_string_append(out, json_node_get_boolean(node) ? "true" : "false");
        break;
    case G_TYPE_STRING:
        append_string(out, json_node_get_string(node));
        break;
    default:
        g_string_append(out, "null");
    }
}

static void append_object(GString *out, JsonObject *obj, bool pretty,
                          int level)
{
    g_autoptr(GList) members = json_object_get_members(obj);
    bool first = true;

    g_string_append_c(out, '{');
    for (GList *l = members; l; l = l->next) {
        if (!first) {
            g_string_append_c(out, ',');
            if (!pretty) {
                g_string_append_c(out, ' ');
            }
        }
        first = false;
        append_indent(out, pretty, level + 1);
        append_string(out, l->data);
        g_string_append(out, ": ");
        append_node(out, json_object_get_member(obj, l->data), pretty,
                    level + 1);
    }
    append_indent(out, pretty, level);
    g_string_append_c(out, '}');
}

static void append_array(GString *out, JsonArray *arr, bool pretty,
                         int level)
{
    guint n = json_array_get_length(arr);

    g_string_append_c(out, '[');
    for (guint i = 0; i < n; i++) {
        if (i) {
            g_string_append_c(out, ',');
            if (!pretty) {
                g_string_append_c(out, ' ');
            }
        }
        append_indent(out, pretty, level + 1);
        append_node(out, json_array_get_element(arr, i), pretty, level + 1);
    }
    append_indent(out, pretty, level);
    g_string_append_c(out, ']');
}

static void append_node(GString *out, JsonNode *node, bool pretty,
                        int level)
{
    if (!node) {
        g_string_append(out, "null");
        return;
    }
    switch (JSON_NODE_TYPE(node)) {
    case JSON_NODE_OBJECT:
        append_object(out, json_node_get_object(node), pretty, level);
        break;
    case JSON_NODE_ARRAY:
        append_array(out, json_node_get_array(node), pretty, level);
        break;
    case JSON_NODE_VALUE:
        append_value(out, node);
        break;
    case JSON_NODE_NULL:
        g_string_append(out, "null");
        break;
    }
}

char *qmp_json_to_string(JsonNode *node, bool pretty)
{
    GString *out = g_string_new(NULL);

    append_node(out, node, pretty, 0);
    return g_string_free(out, FALSE);
}

char *qmp_json_object_to_string(JsonObject *obj, bool pretty)
{
    GString *out = g_string_new(NULL);

    append_object(out, obj, pretty, 0);
    return g_string_free(out, FALSE);
}

/*
 * Rewrite single-quoted strings as double-quoted ones (QEMU's JSON
 * extension); double-quoted strings pass through untouched.
 */
static char *normalize_quotes(const char *text)
{
    GString *out = g_string_sized_new(strlen(text));
    char quote = 0;

    for (const char *p = text; *p; p++) {
        char c = *p;

        if (!quote) {
            if (c == '\'') {
                quote = c;
                g_string_append_c(out, '"');
            } else {
                if (c == '"') {
                    quote = c;
                }
                g_string_append_c(out, c);
            }
            continue;
        }
        if (c == '\\' && p[1]) {
            p++;
            if (quote == '\'' && *p == '\'') {
                g_string_append_c(out, '\'');
            } else {
                g_string_append_c(out, '\\');
                g_string_append_c(out, *p);
            }
            continue;
        }
        if (c == quote) {
            quote = 0;
            g_string_append_c(out, '"');
        } else if (c == '"' && quote == '\'') {
            g_string_append(out, "\\\"");
        } else {
            g_string_append_c(out, c);
        }
    }
    return g_string_free(out, FALSE);
}

/* A bare word such as "garbage" gets QEMU's "invalid keyword" text. */
static bool is_bare_word(const char *text)
{
    const char *p = text;

    while (g_ascii_isspace(*p)) {
        p++;
    }
    if (!g_ascii_isalpha(*p)) {
        return false;
    }
    while (*p && !g_ascii_isspace(*p)) {
        if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-') {
            return false;
        }
        p++;
    }
    while (g_ascii_isspace(*p)) {
        p++;
    }
    return *p == '\0';
}

JsonNode *qmp_json_parse(const char *text, Error **errp)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    g_autofree char *normalized = normalize_quotes(text);
    g_autoptr(GError) gerr = NULL;
    JsonNode *root;

    if (json_parser_load_from_data(parser, normalized, -1, &gerr)) {
        root = json_parser_steal_root(parser);
        if (root) {
            return root;
        }
        error_setg(errp, "JSON parse error, expecting value");
        return NULL;
    }
    if (is_bare_word(text)) {
        g_autofree char *word = g_strstrip(g_strdup(text));

        error_setg(errp, "JSON parse error, invalid keyword '%s'", word);
    } else if (gerr->domain == JSON_PARSER_ERROR &&
               gerr->code == JSON_PARSER_ERROR_MISSING_COLON) {
        error_setg(errp, "JSON parse error, missing : in object pair");
    } else {
        error_setg(errp, "JSON parse error, expecting value");
    }
    return NULL;
}
