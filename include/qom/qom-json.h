/*
 * JSON values of QOM properties.
 *
 * Property accessors exchange json-glib nodes.  Integers are signed 64-bit
 * in JSON here: unsigned values above INT64_MAX travel as doubles (exact
 * for UINT64_MAX, which saturates back).  The getters check the node's
 * type and report QEMU's errors, naming the property @name:
 *   "Invalid parameter type for 'NAME', expected: boolean|integer|string"
 *   "Parameter 'NAME' expects uint64" (negative or out of range).
 */
#ifndef QOM_QOM_JSON_H
#define QOM_QOM_JSON_H

#include <json-glib/json-glib.h>
#include "qapi/error.h"
#include "qemu/keyval.h"

/* New nodes (the caller owns them); a NULL string becomes JSON null. */
JsonNode *qom_json_new_bool(bool value);
JsonNode *qom_json_new_int(int64_t value);
JsonNode *qom_json_new_uint(uint64_t value);
JsonNode *qom_json_new_str(const char *value);

/* Whether @node is a JSON value of GType @type (NULL: no). */
bool qom_json_holds(JsonNode *node, GType type);

/* "Invalid parameter type for '@name', expected: @expected" */
void qom_json_error_type(Error **errp, const char *name,
                         const char *expected);

/* Read @node into *@value; false (and @errp set) on a type mismatch. */
bool qom_json_get_bool(JsonNode *node, const char *name, bool *value,
                       Error **errp);
bool qom_json_get_int(JsonNode *node, const char *name, int64_t *value,
                      Error **errp);
bool qom_json_get_uint(JsonNode *node, const char *name, uint64_t *value,
                       Error **errp);
/* *@value points into @node. */
bool qom_json_get_str(JsonNode *node, const char *name, const char **value,
                      Error **errp);

/*
 * The scalar members of a QMP argument object as option strings, the way
 * QEMU turns them into QemuOpts (numbers in decimal, booleans "on"/"off");
 * non-scalar members are skipped.  NULL (and @errp set) on a duplicate.
 */
KeyValList *qom_json_object_to_keyval(JsonObject *args, Error **errp);

#endif