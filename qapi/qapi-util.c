/*
 * Enumerations and booleans given as strings.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/util.h"
#include "qemu/cutils.h"

const char *qapi_enum_lookup(const QEnumLookup *lookup, int val)
{
    g_assert(val >= 0 && val < lookup->size);
    return lookup->array[val];
}

int qapi_enum_parse(const QEnumLookup *lookup, const char *buf, int def,
                    Error **errp)
{
    int i;

    if (!buf) {
        return def;
    }
    for (i = 0; i < lookup->size; i++) {
        if (!strcmp(buf, lookup->array[i])) {
            return i;
        }
    }
    error_setg(errp, "Invalid parameter '%s'", buf);
    return def;
}

bool qapi_bool_parse(const char *name, const char *value, bool *obj,
                     Error **errp)
{
    if (qemu_strtobool(value, obj) == 0) {
        return true;
    }
    error_setg(errp, "Parameter '%s' expects 'on' or 'off'", name);
    return false;
}
