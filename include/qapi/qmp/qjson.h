/*
 * JSON text as QEMU's QMP writes it: {"key": value, "k2": [1, 2]} with
 * ", " and ": " separators, non-ASCII and control characters escaped as
 * \uXXXX.
 */
#ifndef QAPI_QMP_QJSON_H
#define QAPI_QMP_QJSON_H

#include <json-glib/json-glib.h>

/*
 * Serialize @node (NULL is "null").  @pretty: one member per line,
 * indented by 4 spaces per level.  Caller frees.
 */
char *qmp_json_to_string(JsonNode *node, bool pretty);
/* Same for an object. */
char *qmp_json_object_to_string(JsonObject *obj, bool pretty);

/*
 * Parse one JSON value; single-quoted strings are accepted as in QEMU.
 * On failure returns NULL and sets @errp to QEMU's "JSON parse error,
 * ..." message.  Caller unrefs.
 */
#include "qapi/error.h"
JsonNode *qmp_json_parse(const char *text, Error **errp);

#endif
