/*
 * User-creatable objects (-object TYPE,id=ID,...), with QEMU's API.
 */
#ifndef QOM_OBJECT_INTERFACES_H
#define QOM_OBJECT_INTERFACES_H

#include "qom/object.h"
#include "qemu/keyval.h"

#define TYPE_USER_CREATABLE "user-creatable"

typedef struct UserCreatable UserCreatable;
typedef struct UserCreatableClass UserCreatableClass;

#define USER_CREATABLE(obj) \
    INTERFACE_CHECK(UserCreatable, (obj), TYPE_USER_CREATABLE)
#define USER_CREATABLE_CLASS(klass) \
    OBJECT_CLASS_CHECK(UserCreatableClass, (klass), TYPE_USER_CREATABLE)
#define USER_CREATABLE_GET_CLASS(obj) \
    OBJECT_GET_CLASS(UserCreatableClass, (obj), TYPE_USER_CREATABLE)

/*
 * @complete: called once all properties given by the user have been set;
 * finishes construction or fails (the object is then deleted).
 * @can_be_deleted: return false to refuse user_creatable_del() (e.g. a
 * memory backend still in use).  NULL means "yes".
 */
struct UserCreatableClass {
    InterfaceClass parent_class;

    void (*complete)(UserCreatable *uc, Error **errp);
    bool (*can_be_deleted)(UserCreatable *uc);
};

/* Call @uc's complete method, if any. */
bool user_creatable_complete(UserCreatable *uc, Error **errp);

/* Whether @uc may be deleted now. */
bool user_creatable_can_be_deleted(UserCreatable *uc);

/*
 * Create an object of user-creatable @type, set @props on it in order
 * (through object_property_parse(); @props may be NULL), add it as
 * /objects/@id (if @id is not NULL) and complete it.  On failure nothing
 * is left behind.
 * Errors (QEMU's wording):
 *   "Parameter 'id' expects an identifier" (bad @id),
 *   "invalid object type: %s" (unknown type),
 *   "object type '%s' isn't supported by object-add" (not user-creatable),
 *   "object type '%s' is abstract",
 *   "attempt to add duplicate property '%s' to object (type 'container')",
 *   property errors ("Property '%s.%s' not found", ...), complete()'s.
 * Returns the object; with an @id the reference belongs to /objects
 * (do not unref), without one it belongs to the caller.
 */
Object *user_creatable_add_type(const char *type, const char *id,
                                const KeyValList *props, Error **errp);

/*
 * Parse "TYPE,id=ID,key=value,..." (-object syntax, implied key
 * "qom-type") and user_creatable_add_type() it.
 * Errors: "Parameter 'qom-type' is missing", "Parameter 'id' is missing",
 * keyval syntax errors.  As in QEMU, a help request ("help",
 * "TYPE,help") prints the help to stdout and exits the process with 0.
 */
bool user_creatable_add_from_str(const char *str, Error **errp);

/* user_creatable_add_from_str(), exiting on error (for -object). */
void user_creatable_process_cmdline(const char *cmdline);

/*
 * Print help to stdout and return true if @type is "help"/"?" (lists the
 * user-creatable types: "List of user creatable objects:\n" then
 * "  TYPE\n" lines), or if @opts is NULL or has a "help"/"?" key (lists
 * the settable class properties of @type: "TYPE options:\n" then sorted
 * object_property_help() lines).  Returns false if nothing was printed
 * (no help requested, or unknown @type).
 */
bool user_creatable_print_help(const char *type, const KeyValList *opts);

/* The text user_creatable_print_help() would print for @type (caller
 * frees), or NULL for an unknown type. */
char *user_creatable_help_str(const char *type);

/*
 * Delete /objects/@id.  Errors: "object '%s' not found",
 * "object '%s' is in use, can not be deleted".
 */
bool user_creatable_del(const char *id, Error **errp);

/* Delete every user-created object (at exit). */
void user_creatable_cleanup(void);

#endif
