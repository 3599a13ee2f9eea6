/*
 * The abstract accelerator type and accelerator selection.
 */
#include "qemu/osdep.h"
#include "sysemu/accel.h"

static AccelState *the_accel;

AccelClass *accel_find(const char *opt_name)
{
    g_autofree char *typename = g_strdup_printf(ACCEL_CLASS_NAME("%s"),
                                                opt_name);
    ObjectClass *oc = object_class_by_name(typename);

    if (!oc || !object_class_dynamic_cast(oc, TYPE_ACCEL) ||
        object_class_is_abstract(oc)) {
        return NULL;
    }
    return ACCEL_CLASS(oc);
}

static bool accel_set_props(AccelState *accel, KeyValList *props,
                            Error **errp)
{
    for (size_t i = 0; props && i < keyval_list_length(props); i++) {
        const KeyValPair *p = keyval_list_nth(props, i);

        if (!object_property_parse(OBJECT(accel), p->key, p->value, errp)) {
            return false;
        }
    }
    return true;
}

bool accel_configure(const char *name, KeyValList *props, Error **errp)
{
    AccelClass *ac = accel_find(name);
    AccelState *accel;
    int ret;

    g_assert(!the_accel);
    if (!ac) {
        error_setg(errp, "invalid accelerator %s", name);
        return false;
    }
    accel = ACCEL(object_new_with_class(OBJECT_CLASS(ac)));
    if (!accel_set_props(accel, props, NULL)) {
        /* QEMU 7.2 words a bad accelerator property like this. */
        error_setg(errp, "invalid accelerator %s", name);
        object_unref(OBJECT(accel));
        return false;
    }
    ret = ac->init_machine ? ac->init_machine(NULL) : 0;
    if (ret < 0) {
        error_setg_errno(errp, -ret, "failed to initialize %s", ac->name);
        object_unref(OBJECT(accel));
        return false;
    }
    if (ac->allowed) {
        *ac->allowed = true;
    }
    the_accel = accel;
    return true;
}

AccelState *current_accel(void)
{
    return the_accel;
}

const char *current_accel_name(void)
{
    return the_accel ? ACCEL_GET_CLASS(the_accel)->name : NULL;
}

static void print_accel_name(gpointer data, gpointer user_data)
{
    printf("%s\n", ACCEL_CLASS(data)->name);
}

void accel_print_list(void)
{
    g_autoptr(GSList) list = object_class_get_list_sorted(TYPE_ACCEL, false);

    printf("Accelerators supported in sparsevm binary:\n");
    g_slist_foreach(list, print_accel_name, NULL);
}

static const TypeInfo accel_type = {
    .name = TYPE_ACCEL,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(AccelState),
    .class_size = sizeof(AccelClass),
    .abstract = true,
};

static void accel_register_types(void)
{
    type_register_static(&accel_type);
}

type_init(accel_register_types)
