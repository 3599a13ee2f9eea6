/*
 * The human monitor (HMP): QEMU's text commands such as "info mtree".
 */
#ifndef MONITOR_HMP_H
#define MONITOR_HMP_H

/*
 * Run one command line and append what it prints to @out.
 * Unknown commands and bad arguments print an error line; nothing here
 * can stop the VM except "quit", which requests shutdown.
 */
void hmp_handle_command(const char *cmdline, GString *out);

/* Serve HMP on standard input/output ("-monitor stdio"). */
void monitor_init_hmp_stdio(void);

#endif
