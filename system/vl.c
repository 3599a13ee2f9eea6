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
#include "sysemu/hostmem.h"
#include "monitor/hmp.h"
#include "monitor/cmdline.h"
#include "sysemu/runstate.h"

#define SPARSEVM_VERSION "0.1.0"

typedef struct MachineConfig {
    const char *type;
    uint64_t ram_size;          /* 0: the machine has no RAM */
    uint64_t maxmem;
    uint64_t ram_slots;
} MachineConfig;

/* What the command line asked for, applied after parsing. */
typedef struct CmdlineConfig {
    MachineConfig machine;
    GPtrArray *objects;         /* -object option strings, in order */
    const char *monitor;
    const char *name;
    const char *pidfile;
    bool nodefaults;
    bool start_stopped;
} CmdlineConfig;

static CmdlineConfig config;

typedef enum {
    OPT_HELP, OPT_VERSION, OPT_MACHINE, OPT_M, OPT_OBJECT, OPT_MONITOR,
    OPT_NODEFAULTS, OPT_DISPLAY, OPT_S, OPT_NAME, OPT_PIDFILE, OPT_SMP,
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
    { "accel", true, OPT_MONITOR_FAMILY, "qtest: the accelerator" },
    { "qtest", true, OPT_MONITOR_FAMILY, "DEV: qtest protocol on DEV" },
    { "qtest-log", true, OPT_MONITOR_FAMILY, "FILE: log qtest traffic" },
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
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (arg) {
        error_report("-%s %s: %s", opt, arg, msg);
    } else {
        error_report("-%s: %s", opt, msg);
    }
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

static void list_machines(void)
{
    printf("Supported machines are:\n");
    printf("%-20s %s\n", "none", "empty machine (default)");
}

/* -machine [type=]TYPE: only "none" exists until the pc machine lands. */
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
    if (help || (type && (!strcmp(type, "help") || !strcmp(type, "?")))) {
        list_machines();
        exit(0);
    }
    for (size_t i = 0; i < keyval_list_length(kv); i++) {
        const KeyValPair *p = keyval_list_nth(kv, i);

        if (!strcmp(p->key, "accel")) {
            monitor_cmdline_option("machine-accel", p->value);
        } else if (strcmp(p->key, "type")) {
            cmdline_error("machine", arg, "Invalid parameter '%s'", p->key);
        }
    }
    if (type && strcmp(type, "none")) {
        cmdline_error("machine", arg, "unsupported machine type: \"%s\"\n"
                      "Use -machine help to list supported machines", type);
    }
    config.machine.type = "none";
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
    case OPT_MONITOR_FAMILY:
        monitor_cmdline_option(opt->name, arg);
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
}

static void create_objects(void)
{
    for (guint i = 0; i < config.objects->len; i++) {
        const char *arg = g_ptr_array_index(config.objects, i);
        Error *err = NULL;

        if (!user_creatable_add_from_str(arg, &err)) {
            cmdline_error("object", arg, "%s", error_get_pretty(err));
        }
    }
}

/*
 * The "none" machine: its RAM (if -m was given) is a memory-backend-ram
 * "/objects/ram" mapped at guest physical address 0.
 */
static void machine_none_init(void)
{
    g_autofree char *size = NULL;
    g_autoptr(KeyValList) props = keyval_list_new();
    Error *err = NULL;
    Object *obj;
    HostMemoryBackend *backend;

    memory_map_init();
    if (!config.machine.ram_size) {
        return;
    }
    size = g_strdup_printf("%" PRIu64, config.machine.ram_size);
    keyval_list_add(props, "size", size, &error_abort);
    obj = user_creatable_add_type(TYPE_MEMORY_BACKEND_RAM, "ram", props, &err);
    if (!obj) {
        error_report("cannot allocate machine RAM: %s", error_get_pretty(err));
        exit(1);
    }
    backend = MEMORY_BACKEND(obj);
    host_memory_backend_set_mapped(backend, true);
    memory_region_add_subregion(get_system_memory(), 0,
                                host_memory_backend_get_memory(backend));
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
    config.machine.type = "none";
    config.objects = g_ptr_array_new();

    parse_cmdline(argc, argv);
    if (config.pidfile) {
        write_pidfile();
    }
    create_objects();
    monitor_cmdline_apply();
    machine_none_init();
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
}
