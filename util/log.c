/*
 * Debug logging: -d items and the -D log file.
 */
#include "qemu/osdep.h"
#include "qemu/log.h"

int qemu_loglevel;

static FILE *log_file;          /* NULL: stderr */
static GMutex log_lock;

typedef struct LogItem {
    int mask;
    const char *name;
    const char *help;
} LogItem;

static const LogItem log_items[] = {
    { LOG_GUEST_ERROR, "guest_errors",
      "log when the guest OS does something invalid (eg accessing a\n"
      "non-existent register)" },
    { LOG_UNIMP, "unimp", "log unimplemented functionality" },
};

void qemu_log(const char *fmt, ...)
{
    va_list ap;

    g_mutex_lock(&log_lock);
    va_start(ap, fmt);
    vfprintf(log_file ? log_file : stderr, fmt, ap);
    va_end(ap);
    fflush(log_file ? log_file : stderr);
    g_mutex_unlock(&log_lock);
}

int qemu_str_to_log_mask(const char *str, Error **errp)
{
    g_auto(GStrv) names = g_strsplit(str, ",", -1);
    int mask = 0;

    for (int i = 0; names[i]; i++) {
        size_t j;

        if (!names[i][0]) {
            continue;
        }
        for (j = 0; j < ARRAY_SIZE(log_items); j++) {
            if (!strcmp(names[i], log_items[j].name)) {
                mask |= log_items[j].mask;
                break;
            }
        }
        if (j == ARRAY_SIZE(log_items)) {
            error_setg(errp, "unknown log item '%s'", names[i]);
            return 0;
        }
    }
    if (!mask) {
        error_setg(errp, "no log item given");
    }
    return mask;
}

void qemu_print_log_usage(FILE *f)
{
    fprintf(f, "Log items (comma separated):\n");
    for (size_t i = 0; i < ARRAY_SIZE(log_items); i++) {
        fprintf(f, "%-15s %s\n", log_items[i].name, log_items[i].help);
    }
}

bool qemu_set_log_filename_flags(const char *filename, int mask,
                                 Error **errp)
{
    FILE *f = NULL;

    if (filename) {
        f = fopen(filename, "w");
        if (!f) {
            error_setg_errno(errp, errno, "Error opening logfile %s",
                             filename);
            return false;
        }
    }
    g_mutex_lock(&log_lock);
    if (log_file) {
        fclose(log_file);
    }
    log_file = f;
    qemu_loglevel = mask;
    g_mutex_unlock(&log_lock);
    return true;
}

void qemu_log_close(void)
{
    g_mutex_lock(&log_lock);
    if (log_file) {
        fclose(log_file);
        log_file = NULL;
    }
    g_mutex_unlock(&log_lock);
}
