/*
 * Private to monitor/: the JSON stream splitter of QMP sessions.
 */
#ifndef MONITOR_INTERNAL_H
#define MONITOR_INTERNAL_H

#include "qapi/error.h"

/*
 * Cuts a byte stream into JSON values: tracks strings (double and single
 * quoted, with escapes) and brace/bracket nesting.  Each complete value
 * (or stray closing bracket, reported as text to parse so that it fails
 * like QEMU) is passed to @emit as a NUL-terminated string.
 */
typedef void JsonSplitterEmit(void *opaque, const char *text);

typedef struct JsonSplitter {
    GString *buf;
    int depth;
    char quote;                 /* 0, '"' or '\'' */
    bool escape;
    bool in_bare;               /* inside a top-level number/keyword */
    JsonSplitterEmit *emit;
    void *opaque;
} JsonSplitter;

/* Values larger or deeper than this are dropped with an error value. */
#define JSON_SPLITTER_MAX_SIZE (64 * 1024 * 1024)
#define JSON_SPLITTER_MAX_DEPTH 1024

void json_splitter_init(JsonSplitter *js, JsonSplitterEmit *emit,
                        void *opaque);
void json_splitter_feed(JsonSplitter *js, const char *data, size_t len);
/* Forget a partial value (new connection). */
void json_splitter_reset(JsonSplitter *js);
void json_splitter_destroy(JsonSplitter *js);

/* {"qemu": {"micro", "minor", "major"}, "package"} (new object). */
#include <json-glib/json-glib.h>
JsonObject *qmp_version_info(void);

#endif
