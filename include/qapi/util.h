/*
 * Helpers for enumerations and booleans given as strings, as in QEMU.
 */
#ifndef QAPI_UTIL_H
#define QAPI_UTIL_H

#include "qapi/error.h"

/* Names of an enumeration's values, indexed by value. */
typedef struct QEnumLookup {
    const char *const *array;
    const int size;
} QEnumLookup;

/* The name of @val; asserts 0 <= @val < lookup->size. */
const char *qapi_enum_lookup(const QEnumLookup *lookup, int val);

/*
 * The value named @buf.  If @buf is NULL, returns @def without error.
 * Unknown name: error "Invalid parameter '@buf'" and returns @def.
 */
int qapi_enum_parse(const QEnumLookup *lookup, const char *buf, int def,
                    Error **errp);

/*
 * Parse on/off/yes/no/true/false/y/n for parameter @name into *@obj.
 * Error: "Parameter '@name' expects 'on' or 'off'".
 */
bool qapi_bool_parse(const char *name, const char *value, bool *obj,
                     Error **errp);

#endif
