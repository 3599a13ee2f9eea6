/*
 * The emulator's life cycle: command line, main loop, shutdown.
 */
#ifndef SYSEMU_SYSEMU_H
#define SYSEMU_SYSEMU_H

#include "qapi/error.h"
#include "sysemu/runstate.h"

/* Parse the command line and build the machine; exits on bad input. */
void qemu_init(int argc, char **argv);

/* Run the main loop until a shutdown is requested; returns the exit status. */
int qemu_main_loop(void);

/* Release what qemu_init() built. */
void qemu_cleanup(void);

/* Shutdown/reset requests: see sysemu/runstate.h. */

/* The GLib main context every event source of the emulator attaches to. */
GMainContext *qemu_get_aio_context(void);

#endif
