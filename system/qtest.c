/*
 * The qtest protocol server.
 *
 * One command per line, words separated by blanks; numbers in C syntax
 * (0x.. hex, decimal).  Every command gets exactly one reply line:
 * "OK", "OK <value>" or "FAIL <reason>".  Interrupt changes of an
 * intercepted device arrive asynchronously as "IRQ raise N" /
 * "IRQ lower N".  Memory accesses go through address_space_memory, port
 * accesses through address_space_io.
 */
#include "qemu/osdep.h"
#include "sysemu/qtest.h"
#include "chardev/char-fe.h"
#include "exec/address-spaces.h"
#include "exec/memory.h"
#include "qemu/cutils.h"
#include "qemu/timer.h"
#include "hw/qdev-core.h"
#include "hw/irq.h"

#define QTEST_MAX_IRQS 64
/* A line longer than this cannot be a valid command. */
#define QTEST_MAX_LINE (64 * 1024 * 1024)

static CharBackend qtest_chr;
static GString *inbuf;
static FILE *qtest_log_fp;
static int64_t qtest_start_us;
static bool qtest_opened;

static DeviceState *irq_intercept_dev;
static int irq_levels[QTEST_MAX_IRQS];

bool qtest_driver(void)
{
    return qtest_opened;
}

static double qtest_elapsed(void)
{
    return (g_get_monotonic_time() - qtest_start_us) / 1e6;
}

static void qtest_log(char dir, const char *line)
{
    if (qtest_log_fp) {
        fprintf(qtest_log_fp, "[%c +%.6f] %s\n", dir, qtest_elapsed(), line);
        fflush(qtest_log_fp);
    }
}

static void G_GNUC_PRINTF(1, 2) qtest_send(const char *fmt, ...)
{
    g_autofree char *line = NULL;
    g_autofree char *wire = NULL;
    va_list ap;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_log('S', line);
    wire = g_strconcat(line, "\n", NULL);
    qemu_chr_fe_write_all(&qtest_chr, (const uint8_t *)wire, strlen(wire));
}

/* --- Arguments ---------------------------------------------------------- */

typedef struct QTestCmd {
    char **words;
    int argc;
    const char *error;          /* first argument error, for the reply */
} QTestCmd;

static uint64_t arg_u64(QTestCmd *cmd, int i)
{
    uint64_t value = 0;

    if (cmd->error) {
        return 0;
    }
    if (i >= cmd->argc) {
        cmd->error = "missing argument";
        return 0;
    }
    if (qemu_strtou64(cmd->words[i], NULL, 0, &value) < 0) {
        cmd->error = "invalid number";
    }
    return value;
}

static int64_t arg_i64(QTestCmd *cmd, int i)
{
    int64_t value = 0;

    if (cmd->error) {
        return 0;
    }
    if (i >= cmd->argc) {
        cmd->error = "missing argument";
        return 0;
    }
    if (qemu_strtoi64(cmd->words[i], NULL, 0, &value) < 0) {
        cmd->error = "invalid number";
    }
    return value;
}

static const char *arg_str(QTestCmd *cmd, int i)
{
    if (!cmd->error && i >= cmd->argc) {
        cmd->error = "missing argument";
    }
    return cmd->error ? NULL : cmd->words[i];
}

/* Guest buffers are allocated from test input: keep them bounded. */
static void check_size(QTestCmd *cmd, uint64_t size)
{
    if (!cmd->error && size > 256 * MiB) {
        cmd->error = "size too large";
    }
}

static bool args_ok(QTestCmd *cmd, int expected)
{
    if (cmd->error) {
        qtest_send("FAIL %s", cmd->error);
        return false;
    }
    if (cmd->argc > expected) {
        qtest_send("FAIL too many arguments");
        return false;
    }
    return true;
}

/* --- Commands --------------------------------------------------------- */

static void cmd_out(QTestCmd *cmd)
{
    uint64_t addr = arg_u64(cmd, 1);
    uint64_t value = arg_u64(cmd, 2);
    char size = cmd->words[0][3];

    if (!args_ok(cmd, 3)) {
        return;
    }
    if (size == 'b') {
        address_space_stb(&address_space_io, addr, value,
                          MEMTXATTRS_UNSPECIFIED, NULL);
    } else if (size == 'w') {
        address_space_stw_le(&address_space_io, addr, value,
                             MEMTXATTRS_UNSPECIFIED, NULL);
    } else {
        address_space_stl_le(&address_space_io, addr, value,
                             MEMTXATTRS_UNSPECIFIED, NULL);
    }
    qtest_send("OK");
}

static void cmd_in(QTestCmd *cmd)
{
    uint64_t addr = arg_u64(cmd, 1);
    char size = cmd->words[0][2];
    uint32_t value;

    if (!args_ok(cmd, 2)) {
        return;
    }
    if (size == 'b') {
        value = address_space_ldub(&address_space_io, addr,
                                   MEMTXATTRS_UNSPECIFIED, NULL);
    } else if (size == 'w') {
        value = address_space_lduw_le(&address_space_io, addr,
                                      MEMTXATTRS_UNSPECIFIED, NULL);
    } else {
        value = address_space_ldl_le(&address_space_io, addr,
                                     MEMTXATTRS_UNSPECIFIED, NULL);
    }
    qtest_send("OK 0x%04x", value);
}

static int access_size(char suffix)
{
    switch (suffix) {
    case 'b':
        return 1;
    case 'w':
        return 2;
    case 'l':
        return 4;
    default:
        return 8;
    }
}

static void cmd_write_sized(QTestCmd *cmd)
{
    uint64_t addr = arg_u64(cmd, 1);
    uint64_t value = arg_u64(cmd, 2);
    int size = access_size(cmd->words[0][5]);
    uint8_t buf[8];

    if (!args_ok(cmd, 3)) {
        return;
    }
    for (int i = 0; i < size; i++) {
        buf[i] = value >> (8 * i);
    }
    address_space_write(&address_space_memory, addr, MEMTXATTRS_UNSPECIFIED,
                        buf, size);
    qtest_send("OK");
}

static void cmd_read_sized(QTestCmd *cmd)
{
    uint64_t addr = arg_u64(cmd, 1);
    int size = access_size(cmd->words[0][4]);
    uint8_t buf[8] = { 0 };
    uint64_t value = 0;

    if (!args_ok(cmd, 2)) {
        return;
    }
    address_space_read(&address_space_memory, addr, MEMTXATTRS_UNSPECIFIED,
                       buf, size);
    for (int i = 0; i < size; i++) {
        value |= (uint64_t)buf[i] << (8 * i);
    }
    qtest_send("OK 0x%016" PRIx64, value);
}

static void cmd_read(QTestCmd *cmd)
{
    uint64_t addr = arg_u64(cmd, 1);
    uint64_t size = arg_u64(cmd, 2);
    g_autofree uint8_t *data = NULL;
    g_autoptr(GString) hex = NULL;

    check_size(cmd, size);
    if (!args_ok(cmd, 3)) {
        return;
    }
    data = g_malloc0(size);
    address_space_read(&address_space_memory, addr, MEMTXATTRS_UNSPECIFIED,
                       data, size);
    hex = g_string_sized_new(2 * size + 2);
    g_string_append(hex, "0x");
    for (uint64_t i = 0; i < size; i++) {
        g_string_append_printf(hex, "%02x", data[i]);
    }
    qtest_send("OK %s", hex->str);
}

static int hex_digit(char c)
{
    return g_ascii_xdigit_value(c);
}

static void cmd_write(QTestCmd *cmd)
{
    uint64_t addr = arg_u64(cmd, 1);
    uint64_t size = arg_u64(cmd, 2);
    const char *hex = arg_str(cmd, 3);
    g_autofree uint8_t *data = NULL;
    size_t hex_len;

    check_size(cmd, size);
    if (!args_ok(cmd, 4)) {
        return;
    }
    if (hex[0] != '0' || (hex[1] != 'x' && hex[1] != 'X')) {
        qtest_send("FAIL invalid data");
        return;
    }
    hex += 2;
    hex_len = strlen(hex);
    if (hex_len % 2 || hex_len / 2 > size) {
        qtest_send("FAIL invalid data");
        return;
    }
    data = g_malloc0(size);
    /* Data shorter than @size is padded with zeros, as in QEMU. */
    for (size_t i = 0; i < hex_len / 2; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            qtest_send("FAIL invalid data");
            return;
        }
        data[i] = hi << 4 | lo;
    }
    address_space_write(&address_space_memory, addr, MEMTXATTRS_UNSPECIFIED,
                        data, size);
    qtest_send("OK");
}

static void cmd_memset(QTestCmd *cmd)
{
    uint64_t addr = arg_u64(cmd, 1);
    uint64_t size = arg_u64(cmd, 2);
    uint64_t pattern = arg_u64(cmd, 3);
    g_autofree uint8_t *data = NULL;

    if (!cmd->error && pattern > 0xff) {
        cmd->error = "invalid pattern";
    }
    check_size(cmd, size);
    if (!args_ok(cmd, 4)) {
        return;
    }
    data = g_malloc(size ? size : 1);
    memset(data, pattern, size);
    address_space_write(&address_space_memory, addr, MEMTXATTRS_UNSPECIFIED,
                        data, size);
    qtest_send("OK");
}

static void cmd_b64read(QTestCmd *cmd)
{
    uint64_t addr = arg_u64(cmd, 1);
    uint64_t size = arg_u64(cmd, 2);
    g_autofree uint8_t *data = NULL;
    g_autofree char *b64 = NULL;

    check_size(cmd, size);
    if (!args_ok(cmd, 3)) {
        return;
    }
    data = g_malloc0(size ? size : 1);
    address_space_read(&address_space_memory, addr, MEMTXATTRS_UNSPECIFIED,
                       data, size);
    b64 = g_base64_encode(data, size);
    qtest_send("OK %s", b64);
}

static bool is_base64(const char *text)
{
    for (const char *p = text; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '+' && *p != '/' && *p != '=') {
            return false;
        }
    }
    return true;
}

static void cmd_b64write(QTestCmd *cmd)
{
    uint64_t addr = arg_u64(cmd, 1);
    uint64_t size = arg_u64(cmd, 2);
    const char *b64 = arg_str(cmd, 3);
    g_autofree uint8_t *data = NULL;
    gsize len;

    check_size(cmd, size);
    if (!args_ok(cmd, 4)) {
        return;
    }
    if (!is_base64(b64)) {
        qtest_send("FAIL invalid data");
        return;
    }
    data = g_base64_decode(b64, &len);
    /* Like QEMU: extra data is ignored, missing data is not written. */
    address_space_write(&address_space_memory, addr, MEMTXATTRS_UNSPECIFIED,
                        data, MIN((uint64_t)len, size));
    qtest_send("OK");
}

static void cmd_endianness(QTestCmd *cmd)
{
    if (args_ok(cmd, 1)) {
        qtest_send("OK little");
    }
}

static void cmd_clock_step(QTestCmd *cmd)
{
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    int64_t step;

    if (cmd->argc > 1) {
        step = arg_i64(cmd, 1);
        if (!cmd->error && step < 0) {
            cmd->error = "invalid number";
        }
    } else {
        step = qemu_clock_deadline_ns_all(QEMU_CLOCK_VIRTUAL, 0);
        if (step < 0) {
            step = 0;
        }
    }
    if (!args_ok(cmd, 2)) {
        return;
    }
    if (!qemu_clock_virtual_is_manual()) {
        qtest_send("FAIL the virtual clock is not under qtest control");
        return;
    }
    qemu_clock_advance_virtual(step > INT64_MAX - now ? INT64_MAX
                                                      : now + step);
    qtest_send("OK %" PRIi64, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
}

static void cmd_clock_set(QTestCmd *cmd)
{
    int64_t target = arg_i64(cmd, 1);

    if (!args_ok(cmd, 2)) {
        return;
    }
    if (!qemu_clock_virtual_is_manual()) {
        qtest_send("FAIL the virtual clock is not under qtest control");
        return;
    }
    qemu_clock_advance_virtual(target);
    qtest_send("OK %" PRIi64, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
}

/* --- Interrupt interception --------------------------------------------- */

static void qtest_report_irq(int n, int level)
{
    if (n < 0 || n >= QTEST_MAX_IRQS || irq_levels[n] == level) {
        return;
    }
    irq_levels[n] = level;
    qtest_send("IRQ %s %d", level ? "raise" : "lower", n);
}

/* Intercepted inputs still reach the device (qemu_irq_intercept_in()). */
static void qtest_irq_in_handler(void *opaque, int n, int level)
{
    qemu_set_irq(*(qemu_irq *)opaque, level);
    qtest_report_irq(n, level);
}

static void qtest_irq_out_handler(void *opaque, int n, int level)
{
    qtest_report_irq(n, level);
}

static void intercept_gpio_list(DeviceState *dev, NamedGPIOList *ngl,
                                bool out)
{
    if (out) {
        for (int i = 0; i < ngl->num_out; i++) {
            qdev_connect_gpio_out_named(dev, ngl->name, i,
                qemu_allocate_irq(qtest_irq_out_handler, NULL, i));
        }
    } else {
        qemu_irq_intercept_in(ngl->in, qtest_irq_in_handler, ngl->num_in);
    }
}

static void cmd_irq_intercept(QTestCmd *cmd)
{
    const char *path = arg_str(cmd, 1);
    bool out = !strcmp(cmd->words[0], "irq_intercept_out");
    Object *obj;
    DeviceState *dev;

    if (!args_ok(cmd, 2)) {
        return;
    }
    obj = object_resolve_path(path, NULL);
    dev = obj ? (DeviceState *)object_dynamic_cast(obj, TYPE_DEVICE) : NULL;
    if (!dev) {
        qtest_send("FAIL Unknown device");
        return;
    }
    if (irq_intercept_dev) {
        qtest_send(irq_intercept_dev == dev ? "OK"
                   : "FAIL Interrupts already intercepted");
        return;
    }
    for (GSList *l = dev->gpios; l; l = l->next) {
        NamedGPIOList *ngl = l->data;

        /* Only the unnamed group, as in QEMU. */
        if (!ngl->name) {
            intercept_gpio_list(dev, ngl, out);
        }
    }
    irq_intercept_dev = dev;
    qtest_send("OK");
}

/* --- Dispatch ----------------------------------------------------------- */

typedef struct QTestCommand {
    const char *name;
    void (*fn)(QTestCmd *cmd);
} QTestCommand;

static const QTestCommand qtest_commands[] = {
    { "outb", cmd_out }, { "outw", cmd_out }, { "outl", cmd_out },
    { "inb", cmd_in }, { "inw", cmd_in }, { "inl", cmd_in },
    { "writeb", cmd_write_sized }, { "writew", cmd_write_sized },
    { "writel", cmd_write_sized }, { "writeq", cmd_write_sized },
    { "readb", cmd_read_sized }, { "readw", cmd_read_sized },
    { "readl", cmd_read_sized }, { "readq", cmd_read_sized },
    { "read", cmd_read }, { "write", cmd_write },
    { "memset", cmd_memset },
    { "b64read", cmd_b64read }, { "b64write", cmd_b64write },
    { "endianness", cmd_endianness },
    { "clock_step", cmd_clock_step }, { "clock_set", cmd_clock_set },
    { "irq_intercept_in", cmd_irq_intercept },
    { "irq_intercept_out", cmd_irq_intercept },
};

static void qtest_process_command(const char *line)
{
    g_auto(GStrv) words = g_strsplit_set(line, " \t", -1);
    QTestCmd cmd = { 0 };
    int argc = 0;

    qtest_log('R', line);
    /* Drop the empty words of repeated blanks. */
    for (int i = 0; words[i]; i++) {
        if (*words[i]) {
            words[argc++] = words[i];
        } else {
            g_free(words[i]);
        }
    }
    words[argc] = NULL;
    if (argc == 0) {
        qtest_send("FAIL empty command");
        return;
    }
    cmd.words = words;
    cmd.argc = argc;
    for (size_t i = 0; i < ARRAY_SIZE(qtest_commands); i++) {
        if (!strcmp(qtest_commands[i].name, words[0])) {
            qtest_commands[i].fn(&cmd);
            return;
        }
    }
    qtest_send("FAIL Unknown command '%s'", words[0]);
}

static int qtest_can_read(void *opaque)
{
    return 1024;
}

static void qtest_read(void *opaque, const uint8_t *buf, int size)
{
    char *nl;

    g_string_append_len(inbuf, (const char *)buf, size);
    while ((nl = memchr(inbuf->str, '\n', inbuf->len))) {
        g_autofree char *line = g_strndup(inbuf->str, nl - inbuf->str);

        g_string_erase(inbuf, 0, nl - inbuf->str + 1);
        g_strchomp(line);
        qtest_process_command(line);
    }
    if (inbuf->len > QTEST_MAX_LINE) {
        g_string_truncate(inbuf, 0);
        qtest_send("FAIL line too long");
    }
}

static void qtest_event(void *opaque, QEMUChrEvent event)
{
    switch (event) {
    case CHR_EVENT_OPENED:
        qtest_opened = true;
        g_string_truncate(inbuf, 0);
        memset(irq_levels, 0, sizeof(irq_levels));
        qtest_log('I', "OPENED");
        break;
    case CHR_EVENT_CLOSED:
        qtest_opened = false;
        qtest_log('I', "CLOSED");
        break;
    default:
        break;
    }
}

bool qtest_server_init(const char *qtest_chrdev, const char *qtest_log_path,
                       Error **errp)
{
    Chardev *chr = qemu_chr_new_legacy("qtest", qtest_chrdev, errp);

    if (!chr) {
        return false;
    }
    if (qtest_log_path && strcmp(qtest_log_path, "none")) {
        qtest_log_fp = !strcmp(qtest_log_path, "-") ? stderr
                       : fopen(qtest_log_path, "w");
        if (!qtest_log_fp) {
            error_setg_errno(errp, errno, "Could not open '%s'",
                             qtest_log_path);
            qemu_chr_delete(chr);
            return false;
        }
    }
    qtest_start_us = g_get_monotonic_time();
    inbuf = g_string_new(NULL);
    if (!qemu_chr_fe_init(&qtest_chr, chr, errp)) {
        return false;
    }
    qemu_chr_fe_set_handlers(&qtest_chr, qtest_can_read, qtest_read,
                             qtest_event, NULL, NULL, NULL, true);
    return true;
}
