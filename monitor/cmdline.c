/*
 * Command-line options of chardevs, monitors, accelerators and qtest.
 */
#include "qemu/osdep.h"
#include "monitor/cmdline.h"
#include "monitor/monitor.h"
#include "chardev/char.h"
#include "qemu/error-report.h"
#include "qemu/keyval.h"
#include "sysemu/accel.h"
#include "sysemu/qtest.h"

typedef struct DeferredOption {
    const char *name;
    const char *arg;
} DeferredOption;

static GArray *deferred;            /* of DeferredOption, in order */
static char *accel_arg;             /* the -accel / accel= argument */
static const char *accel_opt_name;  /* "accel", or NULL for -machine */
static const char *qtest_chrdev;
static const char *qtest_log;

static const char *const handled_options[] = {
    "chardev", "mon", "qmp", "qmp-pretty", "accel", "qtest", "qtest-log",
};

bool monitor_cmdline_handles(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(handled_options); i++) {
        if (!strcmp(handled_options[i], name)) {
            return true;
        }
    }
    return false;
}

/* @name NULL: no location (-machine accel=, as QEMU reports it). */
static G_NORETURN void option_error(const char *name, const char *arg,
                                    Error *err)
{
    if (name) {
        error_report("-%s %s: %s", name, arg, error_get_pretty(err));
    } else {
        error_report("%s", error_get_pretty(err));
    }
    error_free(err);
    exit(1);
}

static void defer(const char *name, const char *arg)
{
    DeferredOption opt = { name, arg };

    if (!deferred) {
        deferred = g_array_new(FALSE, FALSE, sizeof(DeferredOption));
    }
    g_array_append_val(deferred, opt);
}

static void record_accel(const char *name, const char *arg)
{
    Error *err = NULL;
    bool help = false;
    g_autoptr(KeyValList) kv = keyval_parse(arg, "accel", &help, &err);
    const char *accel;

    if (!kv) {
        option_error(name, arg, err);
    }
    accel = keyval_list_get(kv, "accel");
    if (help || (accel && !strcmp(accel, "help"))) {
        accel_print_list();
        exit(0);
    }
    g_free(accel_arg);
    accel_arg = g_strdup(arg);
    accel_opt_name = name;
}

void monitor_cmdline_option(const char *name, const char *arg)
{
    if (!strcmp(name, "accel")) {
        record_accel("accel", arg);
    } else if (!strcmp(name, "machine-accel")) {
        record_accel(NULL, arg);
    } else if (!strcmp(name, "qtest")) {
        qtest_chrdev = arg;
    } else if (!strcmp(name, "qtest-log")) {
        qtest_log = arg;
    } else {
        g_assert(monitor_cmdline_handles(name));
        defer(name, arg);
    }
}

static void create_chardevs(void)
{
    for (guint i = 0; deferred && i < deferred->len; i++) {
        DeferredOption *opt = &g_array_index(deferred, DeferredOption, i);
        Error *err = NULL;

        if (!strcmp(opt->name, "chardev") &&
            !qemu_chr_new_from_cmdline(opt->arg, &err)) {
            option_error(opt->name, opt->arg, err);
        }
    }
}

static void create_monitors(void)
{
    for (guint i = 0; deferred && i < deferred->len; i++) {
        DeferredOption *opt = &g_array_index(deferred, DeferredOption, i);
        Error *err = NULL;
        bool ok = true;

        if (!strcmp(opt->name, "mon")) {
            ok = monitor_new_from_opts(opt->arg, &err);
        } else if (!strcmp(opt->name, "qmp")) {
            ok = monitor_add_qmp_legacy(opt->arg, false, &err);
        } else if (!strcmp(opt->name, "qmp-pretty")) {
            ok = monitor_add_qmp_legacy(opt->arg, true, &err);
        }
        if (!ok) {
            option_error(opt->name, opt->arg, err);
        }
    }
}

static void configure_accelerator(void)
{
    g_autoptr(KeyValList) kv = NULL;
    g_autofree char *name = NULL;
    Error *err = NULL;

    if (!accel_arg) {
        if (!accel_configure("qtest", NULL, &err)) {
            error_report_err(err);
            exit(1);
        }
        return;
    }
    kv = keyval_parse(accel_arg, "accel", NULL, &error_abort);
    name = keyval_list_remove(kv, "accel");
    if (!name) {
        error_setg(&err, "Parameter 'accel' is missing");
        option_error(accel_opt_name, accel_arg, err);
    }
    if (!accel_configure(name, kv, &err)) {
        option_error(accel_opt_name, accel_arg, err);
    }
}

static void start_qtest(void)
{
    Error *err = NULL;

    if (!qtest_chrdev) {
        return;
    }
    if (!qtest_server_init(qtest_chrdev, qtest_log, &err)) {
        error_report_err(err);
        error_report("Failed to initialize device for qtest: \"%s\"",
                     qtest_chrdev);
        exit(1);
    }
}

void monitor_cmdline_apply(void)
{
    create_chardevs();
    configure_accelerator();
    start_qtest();
    create_monitors();
}
