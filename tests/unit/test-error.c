/*
 * Error API and error reporting.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"

/* Capture everything error_report() & co print during a test. */
static GString *captured;

static void capture_start(void)
{
    captured = g_string_new(NULL);
    error_report_set_capture(captured);
}

static char *capture_stop(void)
{
    error_report_set_capture(NULL);
    return g_string_free(g_steal_pointer(&captured), false);
}

static void test_setg(void)
{
    Error *err = NULL;

    error_setg(&err, "bad value %d for '%s'", 42, "size");
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, "bad value 42 for 'size'");
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_GENERIC_ERROR);
    error_free_or_abort(&err);
    g_assert_null(err);

    /* A NULL errp ignores the error. */
    error_setg(NULL, "ignored");
}

static void test_setg_errno(void)
{
    Error *err = NULL;
    g_autofree char *expected =
        g_strdup_printf("cannot open 'x': %s", g_strerror(ENOENT));

    errno = EBUSY;
    error_setg_errno(&err, ENOENT, "cannot open '%s'", "x");
    g_assert_cmpstr(error_get_pretty(err), ==, expected);
    /* errno is preserved for the caller. */
    g_assert_cmpint(errno, ==, EBUSY);
    error_free(err);

    err = NULL;
    error_setg_file_open(&err, EACCES, "/tmp/f");
    g_free(expected);
    expected = g_strdup_printf("Could not open '/tmp/f': %s",
                               g_strerror(EACCES));
    g_assert_cmpstr(error_get_pretty(err), ==, expected);
    error_free(err);
}

static void test_classes(void)
{
    Error *err = NULL;

    error_set(&err, ERROR_CLASS_DEVICE_NOT_FOUND, "Device '%s' not found",
              "mem0");
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_DEVICE_NOT_FOUND);
    g_assert_cmpstr(error_get_pretty(err), ==, "Device 'mem0' not found");
    error_free(err);

    g_assert_cmpstr(ErrorClass_str(ERROR_CLASS_GENERIC_ERROR), ==,
                    "GenericError");
    g_assert_cmpstr(ErrorClass_str(ERROR_CLASS_COMMAND_NOT_FOUND), ==,
                    "CommandNotFound");
    g_assert_cmpstr(ErrorClass_str(ERROR_CLASS_DEVICE_NOT_ACTIVE), ==,
                    "DeviceNotActive");
    g_assert_cmpstr(ErrorClass_str(ERROR_CLASS_DEVICE_NOT_FOUND), ==,
                    "DeviceNotFound");
    g_assert_cmpstr(ErrorClass_str(ERROR_CLASS_KVM_MISSING_CAP), ==,
                    "KVMMissingCap");
    g_assert_null(ErrorClass_str(ERROR_CLASS__MAX));
}

static void test_propagate(void)
{
    Error *dst = NULL;
    Error *first = NULL;
    Error *second = NULL;

    /* Nothing to propagate. */
    error_propagate(&dst, NULL);
    g_assert_null(dst);

    error_setg(&first, "first");
    error_propagate(&dst, first);
    g_assert_true(dst == first);

    /* The first error wins; the second is freed (ASan checks the leak). */
    error_setg(&second, "second");
    error_propagate(&dst, second);
    g_assert_cmpstr(error_get_pretty(dst), ==, "first");

    /* Propagating to NULL frees. */
    second = NULL;
    error_setg(&second, "dropped");
    error_propagate(NULL, second);

    error_free(dst);
}

static void test_prepend(void)
{
    Error *err = NULL;
    Error *dst = NULL;

    /* No error: nothing happens. */
    error_prepend(&err, "ignored: ");
    g_assert_null(err);

    error_setg(&err, "disk full");
    error_prepend(&err, "writing '%s': ", "f");
    g_assert_cmpstr(error_get_pretty(err), ==, "writing 'f': disk full");

    error_propagate_prepend(&dst, err, "job %d: ", 7);
    g_assert_cmpstr(error_get_pretty(dst), ==,
                    "job 7: writing 'f': disk full");
    error_free(dst);
}

static void test_hint_and_report(void)
{
    Error *err = NULL;
    g_autofree char *out = NULL;

    error_setg(&err, "Parameter 'size' expects a size");
    error_append_hint(&err, "You may use k, M, G or T suffixes.\n");
    error_append_hint(&err, "Second line.\n");

    capture_start();
    error_report_err(err);
    out = capture_stop();
    g_assert_cmpstr(out, ==,
                    "sparsevm: Parameter 'size' expects a size\n"
                    "You may use k, M, G or T suffixes.\n"
                    "Second line.\n");
}

static void test_reportf_and_warn(void)
{
    Error *err = NULL;
    g_autofree char *out = NULL;

    capture_start();
    error_setg(&err, "oops");
    error_reportf_err(err, "step %d: ", 2);
    err = NULL;
    error_setg(&err, "careful");
    warn_report_err(err);
    err = NULL;
    error_setg(&err, "odd");
    warn_reportf_err(err, "x: ");
    warn_report("low memory: %d MiB", 12);
    info_report("ready");
    error_printf("raw %s", "text");
    out = capture_stop();
    g_assert_cmpstr(out, ==,
                    "sparsevm: step 2: oops\n"
                    "sparsevm: warning: careful\n"
                    "sparsevm: warning: x: odd\n"
                    "sparsevm: warning: low memory: 12 MiB\n"
                    "sparsevm: info: ready\n"
                    "raw text");
}

static void test_progname(void)
{
    g_autofree char *out = NULL;

    capture_start();
    error_init("/usr/bin/qemu-system-x86_64");
    error_report("hello");
    error_set_progname("sparsevm");
    error_report("again");
    out = capture_stop();
    g_assert_cmpstr(out, ==, "qemu-system-x86_64: hello\nsparsevm: again\n");
    g_assert_cmpstr(error_get_progname(), ==, "sparsevm");
}

static void report_twice(void)
{
    error_report_once("only once %d", 1);
}

static void test_report_once(void)
{
    g_autofree char *out = NULL;

    capture_start();
    report_twice();
    report_twice();
    out = capture_stop();
    g_assert_cmpstr(out, ==, "sparsevm: only once 1\n");
}

static void test_copy(void)
{
    Error *err = NULL;
    Error *copy;

    error_set(&err, ERROR_CLASS_KVM_MISSING_CAP, "no cap");
    error_append_hint(&err, "hint\n");
    copy = error_copy(err);
    error_free(err);
    g_assert_cmpstr(error_get_pretty(copy), ==, "no cap");
    g_assert_cmpint(error_get_class(copy), ==, ERROR_CLASS_KVM_MISSING_CAP);
    error_free(copy);
}

/* Uses ERRP_GUARD() to look at the callee's error even when errp is NULL. */
static bool fails_inner(Error **errp)
{
    error_setg(errp, "inner failure");
    return false;
}

static int guarded_outer_saw_error;

static bool guarded_outer(Error **errp)
{
    ERRP_GUARD();

    fails_inner(errp);
    if (*errp) {
        guarded_outer_saw_error++;
        error_append_hint(errp, "Try again.\n");
        error_prepend(errp, "outer: ");
        return false;
    }
    return true;
}

static void test_errp_guard(void)
{
    Error *err = NULL;
    g_autofree char *out = NULL;

    guarded_outer_saw_error = 0;
    g_assert_false(guarded_outer(NULL));
    g_assert_cmpint(guarded_outer_saw_error, ==, 1);

    g_assert_false(guarded_outer(&err));
    g_assert_cmpint(guarded_outer_saw_error, ==, 2);
    g_assert_cmpstr(error_get_pretty(err), ==, "outer: inner failure");
    capture_start();
    error_report_err(err);
    out = capture_stop();
    g_assert_cmpstr(out, ==, "sparsevm: outer: inner failure\nTry again.\n");
}

static void test_abort_subprocess(void)
{
    if (g_test_subprocess()) {
        error_setg(&error_abort, "boom %d", 1);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*Unexpected error in test_abort_subprocess()"
                              "*sparsevm: boom 1*");
}

static void test_fatal_subprocess(void)
{
    if (g_test_subprocess()) {
        Error *err = NULL;

        error_setg(&err, "fatal thing");
        error_propagate(&error_fatal, err);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("sparsevm: fatal thing\n");
}

static void test_errp_guard_fatal_subprocess(void)
{
    if (g_test_subprocess()) {
        /* Through ERRP_GUARD the hint must reach the user before exit. */
        guarded_outer(&error_fatal);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("sparsevm: outer: inner failure\nTry again.\n");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/error/setg", test_setg);
    g_test_add_func("/error/setg-errno", test_setg_errno);
    g_test_add_func("/error/classes", test_classes);
    g_test_add_func("/error/propagate", test_propagate);
    g_test_add_func("/error/prepend", test_prepend);
    g_test_add_func("/error/hint-and-report", test_hint_and_report);
    g_test_add_func("/error/reportf-and-warn", test_reportf_and_warn);
    g_test_add_func("/error/progname", test_progname);
    g_test_add_func("/error/report-once", test_report_once);
    g_test_add_func("/error/copy", test_copy);
    g_test_add_func("/error/errp-guard", test_errp_guard);
    g_test_add_func("/error/abort", test_abort_subprocess);
    g_test_add_func("/error/fatal", test_fatal_subprocess);
    g_test_add_func("/error/errp-guard-fatal",
                    test_errp_guard_fatal_subprocess);
    return g_test_run();
}
