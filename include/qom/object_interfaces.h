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
 * /objects/@id and complete it.  On failure nothing is left behind.
 * Errors (QEMU's wording):
 *   "Parameter 'id' expects an identifier" (bad @id),
 *   "invalid object type: %s" (unknown type),
 *   "object type '%s' isn't supported by object-add" (not user-creatable),
 *   "object type '%s' is abstract",
 *   "attempt to add duplicate property '%s' to object (type 'container')",
 *   property errors ("Property '%s.%s' not found", ...).
 * Returns the object (the reference is owned by /objects).
 */
Object *user_creatable_add_type(const char *type, const char *id,
                                const KeyValList *props, Error **errp);

/*
 * Parse "TYPE,id=ID,key=value,..." (-object syntax, implied key
 * "qom-type") and user_creatable_add_type() it.
 * Errors: "Parameter 'qom-type' is missing", "Parameter 'id' is missing",
 * keyval syntax errors.  "help" requests are an error here; use
 * user_creatable_print_help() first.
 */
bool user_creatable_add_from_str(const char *str, Error **errp);

/* user_creatable_add_from_str(), exiting on error (for -object). */
void user_creatable_process_cmdline(const char *cmdline);

/*
 * If @opts requests help ("help" / "?"), or @type is "help", print it to
 * stdout and return true: "-object help" lists the user-creatable types,
 * "-object TYPE,help" the properties of TYPE, one per line:
 * "TYPE options:\n" then object_property_help() lines.
 */
bool user_creatable_print_help(const char *type, const KeyValList *opts);

/* The text user_creatable_print_help() would print (caller frees). */
char *user_creatable_help_str(const char *type);

/*
 * Delete /objects/@id.  Errors: "object '%s' not found",
 * "object '%s' is in use, can not be deleted".
 */
bool user_creatable_del(const char *id, Error **errp);

/* Delete every user-created object (at exit). */
void user_creatable_cleanup(void);

#endif
