/*
 * Debug logging (QEMU's -d ITEM[,...] and -D FILE).
 *
 * qemu_log_mask(LOG_GUEST_ERROR, "...") prints only when "-d guest_errors"
 * enabled that item; the output goes to the -D file, or to stderr.  The
 * message carries its own newline, as in QEMU.  Thread-safe: a vCPU
 * thread logs while the main loop may log too.
 */
#ifndef QEMU_LOG_H
#define QEMU_LOG_H

#include "qemu/osdep.h"
#include "qapi/error.h"

#define LOG_GUEST_ERROR (1 << 11)   /* the guest did something invalid */
#define LOG_UNIMP       (1 << 10)   /* the guest used something not modelled */

/* The enabled items (a mask of LOG_*). */
extern int qemu_loglevel;

static inline bool qemu_loglevel_mask(int mask)
{
    return (qemu_loglevel & mask) != 0;
}

void qemu_log(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

#define qemu_log_mask(mask, fmt, ...)                   \
    do {                                                \
        if (qemu_loglevel_mask(mask)) {                 \
            qemu_log(fmt, ##__VA_ARGS__);               \
        }                                               \
    } while (0)

/*
 * Parse a -d argument ("guest_errors,unimp"); "help" is not an item
 * (see qemu_print_log_usage()).  Returns the mask, or 0 with @errp set
 * ("unknown log item 'x'").
 */
int qemu_str_to_log_mask(const char *str, Error **errp);

/* Print the -d items with their descriptions ("-d help"). */
void qemu_print_log_usage(FILE *f);

/*
 * Enable the items in @mask and send the log to @filename (NULL: stderr;
 * the file is truncated).  Returns false with @errp set if the file cannot
 * be opened.
 */
bool qemu_set_log_filename_flags(const char *filename, int mask,
                                 Error **errp);

/* Close the log file (at exit). */
void qemu_log_close(void);

#endif
