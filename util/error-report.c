/*
 * Printing errors, warnings and information for the user.
 */
#include "qemu/osdep.h"
#include "qemu/error-report.h"

static char *progname;
static GString *capture_buf;

void error_set_progname(const char *name)
{
    g_free(progname);
    progname = g_strdup(name);
}

const char *error_get_progname(void)
{
    return progname ? progname : "sparsevm";
}

void error_init(const char *argv0)
{
    g_autofree char *base = g_path_get_basename(argv0);

    error_set_progname(base);
}

GString *error_report_set_capture(GString *buf)
{
    GString *old = capture_buf;

    capture_buf = buf;
    return old;
}

void error_vprintf(const char *fmt, va_list ap)
{
    if (capture_buf) {
        g_string_append_vprintf(capture_buf, fmt, ap);
    } else {
        vfprintf(stderr, fmt, ap);
    }
}

void error_printf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_vprintf(fmt, ap);
    va_end(ap);
}

static void vreport(const char *kind, const char *fmt, va_list ap)
{
    error_printf("%s: %s", error_get_progname(), kind);
    error_vprintf(fmt, ap);
    error_printf("\n");
    if (!capture_buf) {
        fflush(stderr);
    }
}

void error_vreport(const char *fmt, va_list ap)
{
    vreport("", fmt, ap);
}

void warn_vreport(const char *fmt, va_list ap)
{
    vreport("warning: ", fmt, ap);
}

void info_vreport(const char *fmt, va_list ap)
{
    vreport("info: ", fmt, ap);
}

void error_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_vreport(fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    warn_vreport(fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    info_vreport(fmt, ap);
    va_end(ap);
}

bool error_report_once_cond(bool *printed, const char *fmt, ...)
{
    va_list ap;

    if (*printed) {
        return false;
    }
    *printed = true;
    va_start(ap, fmt);
    error_vreport(fmt, ap);
    va_end(ap);
    return true;
}

bool warn_report_once_cond(bool *printed, const char *fmt, ...)
{
    va_list ap;

    if (*printed) {
        return false;
    }
    *printed = true;
    va_start(ap, fmt);
    warn_vreport(fmt, ap);
    va_end(ap);
    return true;
}
