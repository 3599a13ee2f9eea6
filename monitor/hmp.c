/*
 * The human monitor: command table, "info" sub-commands, stdio front end.
 */
#include "qemu/osdep.h"
#include "monitor/hmp.h"
#include "exec/mtree.h"
#include "exec/cpu-common.h"
#include "exec/ramblock.h"
#include "hw/mem/memory-device.h"
#include "hw/pci/pci.h"
#include "hw/qdev-core.h"
#include "qemu/cutils.h"
#include "sysemu/sysemu.h"
#include "sysemu/kvm.h"

#define HMP_PROMPT "(qemu) "

typedef void HMPHandler(GString *out, int argc, char **argv);

typedef struct HMPCommand {
    const char *name;
    const char *args_help;
    const char *help;
    HMPHandler *handler;
} HMPCommand;

static void hmp_help(GString *out, int argc, char **argv);
static void hmp_info(GString *out, int argc, char **argv);

static void hmp_quit(GString *out, int argc, char **argv)
{
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
}

static void hmp_info_version(GString *out, int argc, char **argv)
{
    g_string_append(out, "0.1.0\n");
}

/* info mtree [-f] [-d] [-o] [-D] */
static void hmp_info_mtree(GString *out, int argc, char **argv)
{
    bool flatview = false, owner = false, disabled = false;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-f")) {
            flatview = true;
        } else if (!strcmp(argv[i], "-o")) {
            owner = true;
        } else if (!strcmp(argv[i], "-D")) {
            disabled = true;
        } else if (!strcmp(argv[i], "-d")) {
            /* No dispatch trees here: accepted and ignored, like TCG-less QEMU. */
        } else {
            g_string_append_printf(out, "info mtree: invalid option '%s'\n",
                                   argv[i]);
            return;
        }
    }
    mtree_info(out, flatview, owner, disabled);
}

static int ramblock_line(RAMBlock *rb, void *opaque)
{
    GString *out = opaque;
    g_autofree char *psize = size_to_str(qemu_ram_pagesize(rb));

    g_string_append_printf(out,
                           "%24s %8s  0x%016" PRIx64 " 0x%016" PRIx64
                           " 0x%016" PRIx64 "\n",
                           qemu_ram_get_idstr(rb), psize,
                           (uint64_t)qemu_ram_get_offset(rb),
                           (uint64_t)qemu_ram_get_used_length(rb),
                           (uint64_t)qemu_ram_get_max_length(rb));
    return 0;
}

static void hmp_info_ramblock(GString *out, int argc, char **argv)
{
    g_string_append_printf(out, "%24s %8s  %18s %18s %18s\n", "Block Name",
                           "PSize", "Offset", "Used", "Total");
    qemu_ram_foreach_block(ramblock_line, out);
}

static const HMPCommand hmp_info_cmds[] = {
    { "kvm", "", "show KVM information", hmp_info_kvm },
    { "kvm-memslots", "", "show the KVM memslots (slot, guest-physical "
      "range, size, host address)", hmp_info_kvm_memslots },
    { "memory-devices", "", "show memory devices", hmp_info_memory_devices },
    { "mtree", "[-f][-d][-o][-D]", "show memory tree (-f: dump flat view for "
      "address spaces; -o: dump region owners/parents; -D: dump disabled "
      "regions)", hmp_info_mtree },
    { "pci", "", "show PCI info", hmp_info_pci },
    { "qtree", "", "show device tree", hmp_info_qtree },
    { "ramblock", "", "Display system RAMBlock information",
      hmp_info_ramblock },
    { "version", "", "show the version of sparsevm", hmp_info_version },
    { NULL },
};

static const HMPCommand hmp_cmds[] = {
    { "device_add", "driver[,prop=value][,...]", "add device, like -device "
      "on the command line", hmp_device_add },
    { "device_del", "device", "remove device", hmp_device_del },
    { "help", "[cmd]", "show the help", hmp_help },
    { "info", "[subcommand]", "show various information about the system "
      "state", hmp_info },
    { "quit", "", "quit the emulator", hmp_quit },
    { NULL },
};

static const HMPCommand *hmp_find(const HMPCommand *table, const char *name)
{
    for (const HMPCommand *c = table; c->name; c++) {
        if (!strcmp(c->name, name)) {
            return c;
        }
    }
    return NULL;
}

static void hmp_list(GString *out, const HMPCommand *table, const char *prefix)
{
    for (const HMPCommand *c = table; c->name; c++) {
        g_string_append_printf(out, "%s%s %s -- %s\n", prefix, c->name,
                               c->args_help, c->help);
    }
}

static void hmp_help(GString *out, int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "info")) {
        hmp_list(out, hmp_info_cmds, "info ");
        return;
    }
    hmp_list(out, hmp_cmds, "");
}

static void hmp_info(GString *out, int argc, char **argv)
{
    const HMPCommand *c;

    if (argc < 2) {
        hmp_list(out, hmp_info_cmds, "info ");
        return;
    }
    c = hmp_find(hmp_info_cmds, argv[1]);
    if (!c) {
        g_string_append_printf(out, "unknown command: 'info %s'\n", argv[1]);
        return;
    }
    c->handler(out, argc - 1, argv + 1);
}

void hmp_handle_command(const char *cmdline, GString *out)
{
    g_autofree char *line = g_strstrip(g_strdup(cmdline));
    g_auto(GStrv) argv = g_strsplit_set(line, " \t", -1);
    const HMPCommand *c;
    int argc;

    /* g_strsplit_set leaves empty strings for repeated blanks: drop them. */
    argc = 0;
    for (int i = 0; argv[i]; i++) {
        if (*argv[i]) {
            argv[argc++] = argv[i];
        } else {
            g_free(argv[i]);
        }
    }
    argv[argc] = NULL;
    if (argc == 0) {
        return;
    }
    c = hmp_find(hmp_cmds, argv[0]);
    if (!c) {
        g_string_append_printf(out, "unknown command: '%s'\n", argv[0]);
        return;
    }
    c->handler(out, argc, argv);
}

static gboolean hmp_stdio_readable(GIOChannel *chan, GIOCondition cond,
                                   gpointer opaque)
{
    g_autofree char *line = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    GIOStatus status;

    status = g_io_channel_read_line(chan, &line, NULL, NULL, NULL);
    if (status == G_IO_STATUS_AGAIN) {
        return G_SOURCE_CONTINUE;
    }
    if (status != G_IO_STATUS_NORMAL) {
        /* End of input: the monitor goes quiet, the VM keeps running. */
        return G_SOURCE_REMOVE;
    }
    hmp_handle_command(line, out);
    if (!qemu_system_shutdown_requested()) {
        g_string_append(out, HMP_PROMPT);
    }
    fputs(out->str, stdout);
    fflush(stdout);
    return G_SOURCE_CONTINUE;
}

void monitor_init_hmp_stdio(void)
{
    GIOChannel *chan = g_io_channel_unix_new(STDIN_FILENO);

    printf("sparsevm 0.1.0 monitor - type 'help' for more information\n"
           HMP_PROMPT);
    fflush(stdout);
    g_io_add_watch(chan, G_IO_IN | G_IO_HUP | G_IO_ERR, hmp_stdio_readable,
                   NULL);
    g_io_channel_unref(chan);
}
