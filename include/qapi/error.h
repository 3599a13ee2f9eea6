/*
 * Error reporting through Error ** out-parameters, with QEMU's API.
 *
 * Conventions (as in QEMU):
 * - A function that can fail takes `Error **errp` last.  On failure it sets
 *   *errp (if errp is not NULL) and returns false / NULL / a negative value.
 * - The caller may pass NULL (ignore the error), &error_abort (abort on
 *   error, printing where it was raised) or &error_fatal (print it and
 *   exit(1)), or the address of a local `Error *err = NULL`.
 * - *errp must be NULL when an error is set into it; setting an error twice
 *   is a programming error and aborts.
 * - A function that needs to look at an error it got from a callee uses
 *   ERRP_GUARD() at its top, then tests `*errp`.
 */
#ifndef QAPI_ERROR_H
#define QAPI_ERROR_H

typedef struct Error Error;

/* QMP error classes; ErrorClass_str() gives their QMP names. */
typedef enum ErrorClass {
    ERROR_CLASS_GENERIC_ERROR,
    ERROR_CLASS_COMMAND_NOT_FOUND,
    ERROR_CLASS_DEVICE_NOT_ACTIVE,
    ERROR_CLASS_DEVICE_NOT_FOUND,
    ERROR_CLASS_KVM_MISSING_CAP,
    ERROR_CLASS__MAX,
} ErrorClass;

/* "GenericError", "CommandNotFound", ...; NULL for an out-of-range value. */
const char *ErrorClass_str(ErrorClass klass);

/* Pass &error_abort to abort on an error, &error_fatal to exit(1). */
extern Error *error_abort;
extern Error *error_fatal;

/*
 * Set a generic error with a printf-style message into *errp.
 * The message should be a single short sentence without a trailing period
 * or newline; use error_append_hint() for longer explanations.
 */
#define error_setg(errp, fmt, ...) \
    error_setg_internal((errp), __FILE__, __LINE__, __func__, \
                        (fmt), ## __VA_ARGS__)

/* Like error_setg(), appending ": " and strerror(@os_errno). */
#define error_setg_errno(errp, os_errno, fmt, ...) \
    error_setg_errno_internal((errp), __FILE__, __LINE__, __func__, \
                              (os_errno), (fmt), ## __VA_ARGS__)

/* Like error_setg(), with an explicit error class. */
#define error_set(errp, err_class, fmt, ...) \
    error_set_internal((errp), __FILE__, __LINE__, __func__, \
                       (err_class), (fmt), ## __VA_ARGS__)

/* "Could not open '@filename'" plus the errno text. */
#define error_setg_file_open(errp, os_errno, filename) \
    error_setg_file_open_internal((errp), __FILE__, __LINE__, __func__, \
                                  (os_errno), (filename))

void error_setg_internal(Error **errp, const char *src, int line,
                         const char *func, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);
void error_setg_errno_internal(Error **errp, const char *src, int line,
                               const char *func, int os_errno,
                               const char *fmt, ...)
    G_GNUC_PRINTF(6, 7);
void error_set_internal(Error **errp, const char *src, int line,
                        const char *func, ErrorClass err_class,
                        const char *fmt, ...)
    G_GNUC_PRINTF(6, 7);
void error_setg_file_open_internal(Error **errp, const char *src, int line,
                                   const char *func, int os_errno,
                                   const char *filename);

/* The error's message (without hints). */
const char *error_get_pretty(const Error *err);

/* The error's class. */
ErrorClass error_get_class(const Error *err);

/* A deep copy of @err. */
Error *error_copy(const Error *err);

/* Free @err; NULL is allowed. */
void error_free(Error *err);

/* Assert *@errp is set, free it and set *@errp to NULL (for tests). */
void error_free_or_abort(Error **errp);

/*
 * Move @local_err into *@dst_errp.  If @dst_errp is NULL, @local_err is
 * freed; if *@dst_errp is already set, @local_err is freed (the first error
 * wins); &error_abort / &error_fatal act on @local_err.
 */
void error_propagate(Error **dst_errp, Error *local_err);

/* error_prepend() to @local_err, then error_propagate(). */
void error_propagate_prepend(Error **dst_errp, Error *local_err,
                             const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* Prepend a formatted prefix to the message of *@errp, if set. */
void error_prepend(Error *const *errp, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
void error_vprepend(Error *const *errp, const char *fmt, va_list ap)
    G_GNUC_PRINTF(2, 0);

/*
 * Append a human-readable hint (usually ending in "\n") to *@errp.
 * Hints are printed by error_report_err() after the message.  Must not be
 * used with &error_fatal / &error_abort (use ERRP_GUARD()).
 */
void error_append_hint(Error *const *errp, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/* error_report() the message and hint of @err, then free it. */
void error_report_err(Error *err);
/* Same, as a warning. */
void warn_report_err(Error *err);
/* Prepend a prefix, then error_report_err() / warn_report_err(). */
void error_reportf_err(Error *err, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
void warn_reportf_err(Error *err, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/*
 * ERRP_GUARD(): put at the top of a function with an `Error **errp`
 * parameter when it dereferences errp or calls error_append_hint().  It
 * makes errp point to a local Error * when the caller passed NULL or
 * &error_fatal, and propagates that local error on function exit.
 */
typedef struct ErrorPropagator {
    Error *local_err;
    Error **errp;
} ErrorPropagator;

static inline void error_propagator_cleanup(ErrorPropagator *prop)
{
    error_propagate(prop->errp, prop->local_err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ErrorPropagator, error_propagator_cleanup)

#define ERRP_GUARD()                                            \
    g_auto(ErrorPropagator) _auto_errp_prop = { .errp = errp }; \
    do {                                                        \
        if (!errp || errp == &error_fatal) {                    \
            errp = &_auto_errp_prop.local_err;                  \
        }                                                       \
    } while (0)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Error, error_free)

#endif
