/*
 * The command line: a QEMU-compatible subset of options, and the machine
 * they describe.
 */
#include "qemu/osdep.h"
#include "sysemu/sysemu.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/cutils.h"
#include "qemu/keyval.h"
#include "qom/object.h"
#include "qom/object_interfaces.h"
#include "exec/address-spaces.h"
#include "monitor/hmp.h"
#include "hw/boards.h"
#include "hw/qdev-core.h"
#include "hw/sysbus.h"
#include "qemu/help_option.h"
#include "qemu/log.h"
#include "sysemu/kvm.h"
#include "monitor/cmdline.h"
#include "sysemu/runstate.h"
#include "chardev/char.h"

#define SPARSEVM_VERSION "0.1.0"

typedef struct MachineConfig {
    char *type;                 /* NULL: the default machine */
    const char *m_arg;          /* the -m argument, for error messages */
    uint64_t ram_size;          /* 0: the machine's default */
    uint64_t maxmem;            /* 0: same as the RAM size */
    uint64_t ram_slots;
} MachineConfig;

/* What the command line asked for, applied after parsing. */
typedef struct CmdlineConfig {
    MachineConfig machine;
    int log_mask;               /* -d items */
    const char *log_file;       /* -D */
    GPtrArray *objects;         /* -object option strings, in order */
    GPtrArray *devices;         /* -device option strings, in order */
    GPtrArray *machine_args;    /* -machine option strings, in order */
    const char *monitor;
    const char *name;
    const char *pidfile;
    bool nodefaults;
    bool start_stopped;
    const char *kernel;         /* -kernel, -append: machine properties */
    const char *append;
    GPtrArray *debugcons;       /* -debugcon arguments, in order */
} CmdlineConfig;

static CmdlineConfig config;

typedef enum {
    OPT_LOG_ITEMS, OPT_LOG_FILE,
    OPT_HELP, OPT_VERSION, OPT_MACHINE, OPT_M, OPT_OBJECT, OPT_MONITOR,
    OPT_NODEFAULTS, OPT_DISPLAY, OPT_S, OPT_NAME, OPT_PIDFILE, OPT_SMP,
    OPT_DEVICE, OPT_KERNEL, OPT_APPEND, OPT_DEBUGCON,
    OPT_MONITOR_FAMILY,     /* handled by monitor/cmdline.c */
} OptionIndex;

typedef struct CmdlineOption {
    const char *name;
    bool has_arg;
    OptionIndex index;
    const char *help;
} CmdlineOption;

static const CmdlineOption options[] = {
    { "h", false, OPT_HELP, "display this help and exit" },
    { "help", false, OPT_HELP, NULL },
    { "version", false, OPT_VERSION, "display version information and exit" },
    { "machine", true, OPT_MACHINE, "select the machine (-machine help)" },
    { "M", true, OPT_MACHINE, NULL },
    { "m", true, OPT_M,
      "[size=]SIZE[,slots=N,maxmem=SIZE]: RAM and hot-pluggable memory" },
    { "object", true, OPT_OBJECT, "TYPE,id=ID[,prop=value...]: create an "
      "object (-object help)" },
    { "device", true, OPT_DEVICE, "TYPE[,id=ID][,bus=BUS][,prop=value...]: "
      "add a device (-device help)" },
    { "monitor", true, OPT_MONITOR, "stdio|none: the human monitor" },
    { "nodefaults", false, OPT_NODEFAULTS, "create no default devices" },
    { "display", true, OPT_DISPLAY, "none (the only display)" },
    { "S", false, OPT_S, "do not start CPUs at startup" },
    { "name", true, OPT_NAME, "NAME: the guest's name" },
    { "pidfile", true, OPT_PIDFILE, "FILE: write the process id to FILE" },
    { "smp", true, OPT_SMP, "1 (one vCPU)" },
    { "chardev", true, OPT_MONITOR_FAMILY,
      "socket|stdio|null,id=ID[,path=PATH,server=on|off,wait=on|off]" },
    { "mon", true, OPT_MONITOR_FAMILY,
      "[chardev=]ID[,mode=control|readline][,pretty=on|off]" },
    { "qmp", true, OPT_MONITOR_FAMILY, "DEV: QMP on DEV (stdio, unix:PATH..)" },
    { "qmp-pretty", true, OPT_MONITOR_FAMILY, "DEV: pretty-printed QMP" },
    { "accel", true, OPT_MONITOR_FAMILY,
      "qtest|kvm: the accelerator (-accel help)" },
    { "d", true, OPT_LOG_ITEMS, "item1,...: enable logging of specified "
      "items (-d help)" },
    { "D", true, OPT_LOG_FILE, "logfile: output log to logfile (default "
      "stderr)" },
    { "qtest", true, OPT_MONITOR_FAMILY, "DEV: qtest protocol on DEV" },
    { "qtest-log", true, OPT_MONITOR_FAMILY, "FILE: log qtest traffic" },
    { "kernel", true, OPT_KERNEL, "FILE: boot a 64-bit ELF directly" },
    { "append", true, OPT_APPEND, "STRING: the -kernel command line" },
    { "debugcon", true, OPT_DEBUGCON,
      "file:PATH|stdio|null|chardev:ID: isa-debugcon at port 0xe9" },
};

static G_NORETURN void usage(void)
{
    printf("usage: sparsevm [options]\n\n");
    for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
        if (options[i].help) {
            printf("-%-12s %s\n", options[i].name, options[i].help);
        }
    }
    exit(0);
}

/* Report "-OPT ARG: MESSAGE" the way QEMU locates command-line errors. */
static G_NORETURN G_GNUC_PRINTF(3, 4)
void cmdline_error(const char *opt, const char *arg, const char *fmt, ...)
{
    char *msg;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (arg) {
        error_report("-%s %s: %s", opt, arg, msg);
    } else {
        error_report("-%s: %s", opt, msg);
    }
    /* exit() does not run the cleanup of automatic variables. */
    g_free(msg);
    exit(1);
}

/* Same with an Error: its message and hint; frees @err. */
static G_NORETURN void cmdline_error_err(const char *opt, const char *arg,
                                         Error *err)
{
    error_reportf_err(err, "-%s %s: ", opt, arg);
    exit(1);
}

static const CmdlineOption *lookup_option(const char *arg)
{
    /* QEMU accepts both -opt and --opt. */
    if (arg[0] == '-' && arg[1] == '-') {
        arg++;
    }
    for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
        if (!strcmp(arg + 1, options[i].name)) {
            return &options[i];
        }
    }
    return NULL;
}

static void parse_size_option(const char *opt, const char *arg,
                              const char *key, const char *value,
                              bool default_mib, uint64_t *result)
{
    int ret = default_mib ? qemu_strtosz_MiB(value, NULL, result)
                          : qemu_strtosz(value, NULL, result);

    if (ret < 0) {
        cmdline_error(opt, arg, "Parameter '%s' expects a non-negative number "
                      "below 2^64\nOptional suffix k, M, G, T, P or E means "
                      "kilo-, mega-, giga-, tera-, peta-\nand exabytes, "
                      "respectively.", key);
    }
}

/* -m [size=]SIZE[,slots=N,maxmem=SIZE] */
static void parse_memory_option(const char *arg)
{
    Error *err = NULL;
    g_autoptr(KeyValList) kv = keyval_parse(arg, "size", NULL, &err);
    MachineConfig *m = &config.machine;
    const char *value;

    m->m_arg = arg;
    if (!kv) {
        cmdline_error("m", arg, "%s", error_get_pretty(err));
    }
    for (size_t i = 0; i < keyval_list_length(kv); i++) {
        const KeyValPair *p = keyval_list_nth(kv, i);

        if (strcmp(p->key, "size") && strcmp(p->key, "slots") &&
            strcmp(p->key, "maxmem")) {
            cmdline_error("m", arg, "Invalid parameter '%s'", p->key);
        }
    }
    value = keyval_list_get(kv, "size");
    if (value) {
        parse_size_option("m", arg, "size", value, true, &m->ram_size);
        if (m->ram_size == 0) {
            cmdline_error("m", arg, "memory size must not be zero");
        }
    }
    value = keyval_list_get(kv, "maxmem");
    if (value) {
        parse_size_option("m", arg, "maxmem", value, false, &m->maxmem);
    }
    value = keyval_list_get(kv, "slots");
    if (value && qemu_strtou64(value, NULL, 0, &m->ram_slots) < 0) {
        cmdline_error("m", arg, "Parameter 'slots' expects uint64");
    }
    if (m->ram_slots && !m->maxmem) {
        cmdline_error("m", arg, "slots specified but no max-size");
    }
    if (m->maxmem && m->maxmem < m->ram_size) {
        cmdline_error("m", arg, "invalid value of maxmem: maximum memory size "
                      "(0x%" PRIx64 ") must be at least the initial memory "
                      "size (0x%" PRIx64 ")", m->maxmem, m->ram_size);
    }
}

static gint machine_class_cmp(gconstpointer a, gconstpointer b)
{
    const MachineClass *mc1 = a, *mc2 = b;

    /* Versioned families first, as QEMU lists them. */
    if (!mc1->family != !mc2->family) {
        return mc1->family ? -1 : 1;
    }
    return strcmp(mc1->name, mc2->name);
}

static void list_machines(void)
{
    g_autoptr(GSList) list = g_slist_sort(machine_class_list(),
                                          machine_class_cmp);

    printf("Supported machines are:\n");
    for (GSList *l = list; l; l = l->next) {
        MachineClass *mc = l->data;

        if (mc->alias) {
            printf("%-20s %s (alias of %s)\n", mc->alias, mc->desc, mc->name);
        }
        printf("%-20s %s%s\n", mc->name, mc->desc,
               mc->is_default ? " (default)" : "");
    }
}

static MachineClass *select_machine(void)
{
    const char *type = config.machine.type;
    MachineClass *mc = type ? find_machine_class(type)
                            : find_default_machine_class();

    g_assert(mc || type);
    return mc;
}

/* "-machine TYPE,help": the machine type's properties. */
static void print_machine_props(const char *arg, MachineClass *mc)
{
    Object *obj = object_new(object_class_get_name(OBJECT_CLASS(mc)));
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    ObjectPropertyIterator iter;
    ObjectProperty *prop;

    object_property_iter_init(&iter, obj);
    while ((prop = object_property_iter_next(&iter))) {
        if (strcmp(prop->name, "type")) {
            g_ptr_array_add(lines, object_property_help(prop->name,
                                                        prop->type,
                                                        prop->defval,
                                                        prop->description));
        }
    }
    object_unref(obj);
    printf("%s options:\n", object_class_get_name(OBJECT_CLASS(mc)));
    for (guint i = 0; i < lines->len; i++) {
        printf("%s\n", (char *)g_ptr_array_index(lines, i));
    }
}

/* -machine [type=]TYPE[,prop=value...]; several -machine options merge. */
static void parse_machine_option(const char *arg)
{
    Error *err = NULL;
    bool help = false;
    g_autoptr(KeyValList) kv = keyval_parse(arg, "type", &help, &err);
    const char *type;

    if (!kv) {
        cmdline_error("machine", arg, "%s", error_get_pretty(err));
    }
    type = keyval_list_get(kv, "type");
    if (is_help_option(type) || (help && !type)) {
        list_machines();
        exit(0);
    }
    if (type) {
        if (!find_machine_class(type)) {
            cmdline_error("machine", arg, "unsupported machine type: \"%s\"\n"
                          "Use -machine help to list supported machines",
                          type);
        }
        g_free(config.machine.type);
        config.machine.type = g_strdup(type);
    }
    if (help) {
        print_machine_props(arg, select_machine());
        exit(0);
    }
    for (size_t i = 0; i < keyval_list_length(kv); i++) {
        const KeyValPair *p = keyval_list_nth(kv, i);

        if (!strcmp(p->key, "accel")) {
            monitor_cmdline_option("machine-accel", p->value);
        }
    }
    /* Other properties are set once the machine exists. */
    g_ptr_array_add(config.machine_args, (gpointer)arg);
}

/* -d item1,...: QEMU's log items; -d help lists them. */
static void parse_log_items(const char *arg)
{
    Error *err = NULL;

    if (is_help_option(arg)) {
        qemu_print_log_usage(stdout);
        exit(0);
    }
    config.log_mask = qemu_str_to_log_mask(arg, &err);
    if (!config.log_mask) {
        cmdline_error_err("d", arg, err);
    }
}

static void handle_option(const CmdlineOption *opt, const char *arg)
{
    switch (opt->index) {
    case OPT_HELP:
        usage();
    case OPT_VERSION:
        printf("sparsevm version " SPARSEVM_VERSION "\n");
        exit(0);
    case OPT_MACHINE:
        parse_machine_option(arg);
        break;
    case OPT_M:
        parse_memory_option(arg);
        break;
    case OPT_OBJECT:
        g_ptr_array_add(config.objects, (gpointer)arg);
        break;
    case OPT_DEVICE:
        g_ptr_array_add(config.devices, (gpointer)arg);
        break;
    case OPT_MONITOR:
        if (strcmp(arg, "stdio") && strcmp(arg, "none")) {
            cmdline_error("monitor", arg, "only 'stdio' and 'none' are "
                          "supported");
        }
        config.monitor = arg;
        break;
    case OPT_NODEFAULTS:
        config.nodefaults = true;
        break;
    case OPT_DISPLAY:
        if (strcmp(arg, "none")) {
            cmdline_error("display", arg, "only '-display none' is supported");
        }
        break;
    case OPT_S:
        config.start_stopped = true;
        break;
    case OPT_NAME:
        config.name = arg;
        break;
    case OPT_PIDFILE:
        config.pidfile = arg;
        break;
    case OPT_LOG_ITEMS:
        parse_log_items(arg);
        break;
    case OPT_LOG_FILE:
        config.log_file = arg;
        break;
    case OPT_MONITOR_FAMILY:
        monitor_cmdline_option(opt->name, arg);
        break;
    case OPT_KERNEL:
        config.kernel = arg;
        break;
    case OPT_APPEND:
        config.append = arg;
        break;
    case OPT_DEBUGCON:
        g_ptr_array_add(config.debugcons, (gpointer)arg);
        break;
    case OPT_SMP:
        if (strcmp(arg, "1") && strcmp(arg, "cpus=1")) {
            cmdline_error("smp", arg, "only one vCPU is supported");
        }
        break;
    }
}

static void parse_cmdline(int argc, char **argv)
{
    Error *err = NULL;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const CmdlineOption *opt;

        if (arg[0] != '-') {
            error_report("%s: invalid option", arg);
            exit(1);
        }
        opt = lookup_option(arg);
        if (!opt) {
            error_report("%s: invalid option", arg);
            exit(1);
        }
        if (opt->has_arg) {
            if (i + 1 >= argc) {
                error_report("%s: requires an argument", arg);
                exit(1);
            }
            handle_option(opt, argv[++i]);
        } else {
            handle_option(opt, NULL);
        }
    }
    if (!qemu_set_log_filename_flags(config.log_file, config.log_mask,
                                     &err)) {
        cmdline_error_err("D", config.log_file, err);
    }
}

static void create_objects(void)
{
    for (guint i = 0; i < config.objects->len; i++) {
        const char *arg = g_ptr_array_index(config.objects, i);
        Error *err = NULL;

        if (!user_creatable_add_from_str(arg, &err)) {
            cmdline_error_err("object", arg, err);
        }
    }
}

/* "-device help", "-device TYPE,help": print and exit, as QEMU does. */
static void process_device_help(void)
{
    for (guint i = 0; i < config.devices->len; i++) {
        const char *arg = g_ptr_array_index(config.devices, i);
        Error *err = NULL;

        if (qdev_device_help(arg, &err)) {
            if (err) {
                cmdline_error_err("device", arg, err);
            }
            exit(0);
        }
    }
}

/* -m applied to the machine, with the machine's default RAM size. */
static void machine_set_memory(MachineState *ms, MachineClass *mc)
{
    MachineConfig *m = &config.machine;

    ms->ram_size = m->ram_size ? m->ram_size : mc->default_ram_size;
    ms->maxram_size = m->maxmem ? m->maxmem : ms->ram_size;
    ms->ram_slots = m->ram_slots;
    if (ms->maxram_size < ms->ram_size) {
        cmdline_error("m", m->m_arg, "invalid value of maxmem: maximum memory "
                      "size (0x%" PRIx64 ") must be at least the initial "
                      "memory size (0x%" PRIx64 ")",
                      (uint64_t)ms->maxram_size, (uint64_t)ms->ram_size);
    }
}

/* The properties of every -machine option, in command-line order. */
static void machine_set_props(MachineState *ms)
{
    for (guint i = 0; i < config.machine_args->len; i++) {
        const char *arg = g_ptr_array_index(config.machine_args, i);
        g_autoptr(KeyValList) kv = keyval_parse(arg, "type", NULL,
                                                &error_abort);

        for (size_t j = 0; j < keyval_list_length(kv); j++) {
            const KeyValPair *p = keyval_list_nth(kv, j);
            Error *err = NULL;

            if (!strcmp(p->key, "type") || !strcmp(p->key, "accel")) {
                continue;
            }
            if (!object_property_parse(OBJECT(ms), p->key, p->value, &err)) {
                cmdline_error_err("machine", arg, err);
            }
        }
    }
}

/* The machine object at /machine; its board is built later. */
static MachineState *create_machine(void)
{
    MachineClass *mc = select_machine();
    MachineState *ms;

    ms = MACHINE(object_new(object_class_get_name(OBJECT_CLASS(mc))));
    object_property_add_child(object_get_root(), "machine", OBJECT(ms));
    object_unref(OBJECT(ms));
    object_property_add_child(container_get(OBJECT(ms), "/unattached"),
                              "sysbus", OBJECT(sysbus_get_default()));
    current_machine = ms;
    machine_set_memory(ms, mc);
    machine_set_props(ms);
    if (config.kernel) {
        object_property_set_str(OBJECT(ms), "kernel", config.kernel,
                                &error_abort);
    }
    if (config.append) {
        if (!ms->kernel_filename) {
            cmdline_error("append", config.append, "-append only allowed "
                          "with -kernel option");
        }
        object_property_set_str(OBJECT(ms), "append", config.append,
                                &error_abort);
    }
    return ms;
}

static void init_board(MachineState *ms)
{
    Error *err = NULL;

    machine_run_board_init(ms, NULL, &err);
    if (err) {
        error_report_err(err);
        exit(1);
    }
}

static void create_devices(void)
{
    for (guint i = 0; i < config.devices->len; i++) {
        const char *arg = g_ptr_array_index(config.devices, i);
        Error *err = NULL;

        if (!qdev_device_add_from_str(arg, &err)) {
            cmdline_error_err("device", arg, err);
        }
    }
}

/* -debugcon SPEC: a chardev "debugcon<N>" and an isa-debugcon using it. */
static void create_debugcons(void)
{
    for (guint i = 0; i < config.debugcons->len; i++) {
        const char *arg = g_ptr_array_index(config.debugcons, i);
        g_autofree char *label = NULL;
        g_autofree char *opts = NULL;
        Error *err = NULL;

        if (g_str_has_prefix(arg, "chardev:")) {
            label = g_strdup(arg + strlen("chardev:"));
        } else {
            label = g_strdup_printf("debugcon%u", i);
            if (!qemu_chr_new_legacy(label, arg, &err)) {
                cmdline_error_err("debugcon", arg, err);
            }
        }
        opts = g_strdup_printf("isa-debugcon,chardev=%s", label);
        if (!qdev_device_add_from_str(opts, &err)) {
            cmdline_error_err("debugcon", arg, err);
        }
    }
}

static void write_pidfile(void)
{
    g_autofree char *pid = g_strdup_printf("%d\n", (int)getpid());
    GError *gerr = NULL;

    if (!g_file_set_contents(config.pidfile, pid, -1, &gerr)) {
        error_report("cannot create PID file: %s", gerr->message);
        g_error_free(gerr);
        exit(1);
    }
}

void qemu_init(int argc, char **argv)
{
    error_init(argv[0]);
    error_set_progname("sparsevm");
    MachineState *machine;

    config.objects = g_ptr_array_new();
    config.devices = g_ptr_array_new();
    config.machine_args = g_ptr_array_new();
    config.debugcons = g_ptr_array_new();

    parse_cmdline(argc, argv);
    process_device_help();
    if (config.pidfile) {
        write_pidfile();
    }
    /* QEMU's order: machine object, backends, board, -device devices. */
    memory_map_init();
    machine = create_machine();
    create_objects();
    monitor_cmdline_apply();
    init_board(machine);
    create_devices();
    create_debugcons();
    qdev_machine_creation_done();
    qemu_system_reset(SHUTDOWN_CAUSE_NONE);
    kvm_start_vcpus();
    if (config.monitor && !strcmp(config.monitor, "stdio")) {
        monitor_init_hmp_stdio();
    }
    if (!config.start_stopped) {
        vm_start();
    }
}

void qemu_cleanup(void)
{
    if (config.pidfile) {
        unlink(config.pidfile);
    }
    g_ptr_array_free(config.objects, TRUE);
    g_ptr_array_free(config.devices, TRUE);
    g_ptr_array_free(config.machine_args, TRUE);
    g_ptr_array_free(config.debugcons, TRUE);
    g_free(config.machine.type);
}
