/*
 * QMP command registry and dispatcher.
 *
 * Commands are registered by name (usually from a type_init()/constructor
 * or machine init) and run on the main loop by every QMP monitor.  A
 * command receives its "arguments" object (never NULL: an empty object
 * when the client sent none), stores its result in *@ret (a new node the
 * dispatcher takes; leave it NULL for QEMU's empty result {}) and reports
 * failures through @errp, whose message becomes the GenericError "desc".
 */
#ifndef QAPI_QMP_DISPATCH_H
#define QAPI_QMP_DISPATCH_H

#include <json-glib/json-glib.h>
#include "qapi/error.h"

typedef void QmpCommandFunc(JsonObject *args, JsonNode **ret, Error **errp);

typedef enum QmpCommandOptions {
    QCO_NO_OPTIONS = 0,
    /* May run before qmp_capabilities (only qmp_capabilities itself). */
    QCO_ALLOW_PRECONFIG = 1 << 0,
    /* Listed for QEMU compatibility; out-of-band execution is not done. */
    QCO_ALLOW_OOB = 1 << 1,
} QmpCommandOptions;

/*
 * Register @name.  Its arguments are passed through unchecked: @fn
 * validates them (see qmp_args_* below).  Registering a name twice is a
 * programming error.
 */
void qmp_register_command(const char *name, QmpCommandFunc *fn,
                          unsigned options);

/*
 * Register @name with an argument schema checked before @fn runs:
 * space-separated "NAME:TYPE" items, TYPE one of str, int, bool, number,
 * object, array, any; a trailing '?' on NAME marks it optional.
 * Example: "path:str property:str value:any", "id?:str".
 * An empty schema means "no arguments".  Errors use QEMU's texts:
 * "Parameter 'X' is missing", "Parameter 'X' is unexpected",
 * "Invalid parameter type for 'X', expected: string".
 */
void qmp_register_command_args(const char *name, QmpCommandFunc *fn,
                               unsigned options, const char *args_schema);

/* Remove @name (no-op if unknown). */
void qmp_unregister_command(const char *name);

/* Whether @name is registered. */
bool qmp_command_exists(const char *name);

/* The registered command names, sorted; free with g_strfreev(). */
char **qmp_command_names(void);

/*
 * Validate @args against @schema (same syntax as above).  Returns false
 * with @errp set on the first problem.
 */
bool qmp_args_check(JsonObject *args, const char *schema, Error **errp);

/*
 * Execute one request object ({"execute": ..., "arguments": ..., "id":
 * ...}) and return the response object (new reference): {"return": ...}
 * or {"error": {"class": ..., "desc": ...}}, with "id" echoed.
 * @negotiated: whether qmp_capabilities ran on this session.  Returns
 * NULL for nothing to answer (never happens today).
 */
JsonObject *qmp_dispatch(JsonObject *request, bool negotiated);

/* Error classes as QEMU names them. */
#define QMP_ERROR_CLASS_GENERIC "GenericError"
#define QMP_ERROR_CLASS_COMMAND_NOT_FOUND "CommandNotFound"

/* {"error": {"class": @klass, "desc": @desc}} (new reference). */
JsonObject *qmp_error_response(const char *klass, const char *desc);

#endif
