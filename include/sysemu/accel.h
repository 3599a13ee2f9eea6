/*
 * Accelerators (QEMU's AccelState/AccelClass): what runs the guest.
 *
 * An accelerator is a QOM type "NAME-accel" (ACCEL_CLASS_NAME("qtest")).
 * vl.c selects one with -accel NAME or -machine accel=NAME (default:
 * "qtest" until kvm exists) and instantiates it before the machine.
 */
#ifndef SYSEMU_ACCEL_H
#define SYSEMU_ACCEL_H

#include "qom/object.h"
#include "qapi/error.h"
#include "qemu/keyval.h"

#define TYPE_ACCEL "accel"
#define ACCEL_CLASS_SUFFIX "-" TYPE_ACCEL
#define ACCEL_CLASS_NAME(a) (a ACCEL_CLASS_SUFFIX)

OBJECT_DECLARE_TYPE(AccelState, AccelClass, ACCEL)

typedef struct MachineState MachineState;

struct AccelState {
    /* private: */
    Object parent_obj;
};

struct AccelClass {
    /* private: */
    ObjectClass parent_class;

    /* public: */
    const char *name;           /* "qtest" */
    /* Start the accelerator; @ms may be NULL (called before the machine). */
    int (*init_machine)(MachineState *ms);
    /* Set to true once this accelerator runs (e.g. qtest_allowed). */
    bool *allowed;
};

/* The class of accelerator @opt_name ("qtest"), or NULL. */
AccelClass *accel_find(const char *opt_name);

/*
 * Create accelerator @name with properties @props (may be NULL) and run
 * its init_machine.  Errors: "invalid accelerator NAME" (also for a bad
 * property, as QEMU 7.2 says), init failures.  Only one accelerator can
 * be configured.
 */
bool accel_configure(const char *name, KeyValList *props, Error **errp);

/* The configured accelerator, or NULL before accel_configure(). */
AccelState *current_accel(void);
/* Its name ("qtest"), or NULL. */
const char *current_accel_name(void);

/* Print "Accelerators supported in sparsevm binary:" and the names. */
void accel_print_list(void);

#endif
