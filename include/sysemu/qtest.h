/*
 * The qtest accelerator and protocol server (QEMU's qtest): a test drives
 * the VM over a chardev with text commands (see docs in system/qtest.c
 * and tests/qtest/libqtest.h).
 */
#ifndef SYSEMU_QTEST_H
#define SYSEMU_QTEST_H

#include "qapi/error.h"

#define TYPE_QTEST_ACCEL "qtest-accel"

/* True once the qtest accelerator runs. */
extern bool qtest_allowed;

static inline bool qtest_enabled(void)
{
    return qtest_allowed;
}

/*
 * Serve the qtest protocol on chardev spec @qtest_chrdev (legacy syntax,
 * e.g. "unix:PATH" to connect to a test), logging every command and reply
 * to @qtest_log (a file name, "none"/NULL: no log).
 */
bool qtest_server_init(const char *qtest_chrdev, const char *qtest_log,
                       Error **errp);

/* Whether a qtest client is connected. */
bool qtest_driver(void);

#endif
