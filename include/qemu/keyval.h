/*
 * Parsing "key=value,key2=value2" option strings as QEMU's command line
 * does (keyval syntax):
 *   - pairs are separated by ',', ",," in a value stands for one ','
 *   - the first element may omit "key=" if an implied key is given, e.g.
 *     "memory-backend-ram,id=mem0" with implied key "qom-type", or
 *     "1G,maxmem=65G" with implied key "size"
 *   - keys are made of [A-Za-z0-9_-.]; empty or duplicate keys are errors
 *   - "help" or "?" as an element requests help (see keyval_parse()).
 * Unlike QEMU the result is a flat, ordered list of (key, value) pairs
 * rather than a QDict (dotted keys are kept as they are).
 */
#ifndef QEMU_KEYVAL_H
#define QEMU_KEYVAL_H

#include "qapi/error.h"

typedef struct KeyValPair {
    char *key;
    char *value;
} KeyValPair;

typedef struct KeyValList {
    GPtrArray *pairs;           /* of KeyValPair *, in input order */
} KeyValList;

KeyValList *keyval_list_new(void);
void keyval_list_free(KeyValList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(KeyValList, keyval_list_free)

/* Number of pairs. */
size_t keyval_list_length(const KeyValList *list);
/* The @n-th pair (0-based, @n < length). */
const KeyValPair *keyval_list_nth(const KeyValList *list, size_t n);
/* The value of @key, or NULL if absent. */
const char *keyval_list_get(const KeyValList *list, const char *key);
/* Append a pair; error "Parameter '@key' is specified more than once". */
bool keyval_list_add(KeyValList *list, const char *key, const char *value,
                     Error **errp);
/* Remove @key; returns its value (caller frees) or NULL if absent. */
char *keyval_list_remove(KeyValList *list, const char *key);
/* A deep copy. */
KeyValList *keyval_list_copy(const KeyValList *list);

/*
 * Parse @params.  @implied_key may be NULL (then every element needs
 * "key=").  If @p_help is not NULL, an element "help" or "?" sets
 * *@p_help = true instead of being an error; otherwise *@p_help is set to
 * false.  Returns NULL with @errp set on a syntax error.
 */
KeyValList *keyval_parse(const char *params, const char *implied_key,
                         bool *p_help, Error **errp);

/* Render back to "k=v,k2=v2" form, escaping ',' as ",,". Caller frees. */
char *keyval_list_to_string(const KeyValList *list);

#endif
