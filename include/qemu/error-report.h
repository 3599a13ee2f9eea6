/*
 * Printing errors, warnings and information for the user.
 *
 * error_report("msg %d", 1) prints "sparsevm: msg 1\n" to stderr;
 * warn_report() prints "sparsevm: warning: ...", info_report()
 * "sparsevm: info: ...".  The message must not end in a newline.
 */
#ifndef QEMU_ERROR_REPORT_H
#define QEMU_ERROR_REPORT_H

/* Set the program name used as the message prefix (default "sparsevm"). */
void error_set_progname(const char *progname);
/* The current program name prefix. */
const char *error_get_progname(void);
/* QEMU's name: sets the program name from argv[0]'s basename. */
void error_init(const char *argv0);

/* Print to stderr (or the capture buffer), no prefix, no newline added. */
void error_printf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void error_vprintf(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);

void error_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void warn_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void info_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void error_vreport(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);
void warn_vreport(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);
void info_vreport(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);

/* Report only the first time *@printed is false; returns true if printed. */
bool error_report_once_cond(bool *printed, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
bool warn_report_once_cond(bool *printed, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

#define error_report_once(fmt, ...)                                     \
    ({                                                                  \
        static bool print_once_;                                        \
        error_report_once_cond(&print_once_, fmt, ##__VA_ARGS__);       \
    })

#define warn_report_once(fmt, ...)                                      \
    ({                                                                  \
        static bool print_once_;                                        \
        warn_report_once_cond(&print_once_, fmt, ##__VA_ARGS__);        \
    })

/*
 * Testing aid (not in QEMU): while a capture buffer is installed, every
 * function above appends its output to @buf instead of writing to stderr.
 * Pass NULL to restore stderr.  Returns the previously installed buffer.
 * Not thread-safe; meant for unit tests.
 */
GString *error_report_set_capture(GString *buf);

#endif
