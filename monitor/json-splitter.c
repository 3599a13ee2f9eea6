/*
 * Cutting a QMP byte stream into JSON values.
 *
 * Several values may arrive in one read and one value may span reads, so
 * the splitter keeps the unfinished value and the lexical state between
 * calls.  Only structure is tracked here; json-glib parses each value.
 */
#include "qemu/osdep.h"
#include "monitor-internal.h"

void json_splitter_init(JsonSplitter *js, JsonSplitterEmit *emit,
                        void *opaque)
{
    memset(js, 0, sizeof(*js));
    js->buf = g_string_new(NULL);
    js->emit = emit;
    js->opaque = opaque;
}

void json_splitter_reset(JsonSplitter *js)
{
    g_string_truncate(js->buf, 0);
    js->depth = 0;
    js->quote = 0;
    js->escape = false;
    js->in_bare = false;
}

void json_splitter_destroy(JsonSplitter *js)
{
    g_string_free(js->buf, TRUE);
    js->buf = NULL;
}

static void flush_value(JsonSplitter *js)
{
    g_autofree char *text = g_strdup(js->buf->str);

    json_splitter_reset(js);
    js->emit(js->opaque, text);
}

/* Inside a string: only escapes and the closing quote matter. */
static void feed_string_char(JsonSplitter *js, char c)
{
    if (js->escape) {
        js->escape = false;
    } else if (c == '\\') {
        js->escape = true;
    } else if (c == js->quote) {
        js->quote = 0;
        if (js->depth == 0) {
            flush_value(js);
        }
    }
}

static void feed_structural_char(JsonSplitter *js, char c)
{
    switch (c) {
    case '"':
    case '\'':
        js->quote = c;
        break;
    case '{':
    case '[':
        js->depth++;
        break;
    case '}':
    case ']':
        js->depth--;
        if (js->depth <= 0) {
            /* A complete value, or a stray bracket that fails to parse. */
            flush_value(js);
        }
        break;
    }
}

static void feed_char(JsonSplitter *js, char c)
{
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    bool structural = strchr("{}[]\"'", c) != NULL;

    if (js->depth == 0 && !js->quote) {
        if (js->in_bare && (space || structural)) {
            flush_value(js);
        }
        if (space) {
            return;
        }
        if (!structural) {
            js->in_bare = true;
            g_string_append_c(js->buf, c);
            return;
        }
    }
    g_string_append_c(js->buf, c);
    if (js->quote) {
        feed_string_char(js, c);
    } else {
        feed_structural_char(js, c);
    }
}

void json_splitter_feed(JsonSplitter *js, const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\0') {
            /* Never valid in JSON text; QEMU's lexer rejects it too. */
            json_splitter_reset(js);
            js->emit(js->opaque, "\x01");
            continue;
        }
        feed_char(js, data[i]);
        if (js->buf->len > JSON_SPLITTER_MAX_SIZE ||
            js->depth > JSON_SPLITTER_MAX_DEPTH) {
            json_splitter_reset(js);
            js->emit(js->opaque, "\x01");
        }
    }
}
