/*
 * The command-line options of the monitor family, for vl.c:
 *   -chardev BACKEND,id=ID,...   -mon [chardev=]ID[,mode=..][,pretty=..]
 *   -qmp DEV   -qmp-pretty DEV   -accel NAME[,prop=value]
 *   -qtest DEV   -qtest-log FILE
 * and -machine accel=NAME: monitor_cmdline_option("machine-accel", NAME).
 */
#ifndef MONITOR_CMDLINE_H
#define MONITOR_CMDLINE_H

/* Whether -@name is one of the options above. */
bool monitor_cmdline_handles(const char *name);

/*
 * Record -@name @arg.  Help requests ("-accel help") print and exit(0);
 * errors print "-NAME ARG: MESSAGE" and exit(1), as QEMU does.
 */
void monitor_cmdline_option(const char *name, const char *arg);

/*
 * Apply the recorded options in QEMU's order: chardevs, accelerator
 * (default "qtest"), qtest server, monitors.  Call after -object and
 * before building the machine.  Exits(1) with QEMU's message on errors.
 */
void monitor_cmdline_apply(void);

#endif
