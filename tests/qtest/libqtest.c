/*
 * libqtest: spawn sparsevm under the qtest accelerator and talk to it
 * over the qtest protocol and QMP (see libqtest.h).
 */
#include "qemu/osdep.h"
#include "libqtest.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define QTEST_MAX_IRQS 64
/* Safety nets only: a healthy sparsevm answers in milliseconds. */
#define CONNECT_TIMEOUT_MS (60 * 1000)
#define QUIT_TIMEOUT_MS (30 * 1000)

/* A line-buffered socket. */
typedef struct LineReader {
    int fd;
    GString *buf;
} LineReader;

struct QTestState {
    pid_t pid;
    bool exited;
    int wstatus;
    int expected_status;
    char *tmpdir;
    char *qtest_path;
    char *qmp_path;
    LineReader qtest;
    LineReader qmp;
    bool irq_level[QTEST_MAX_IRQS];
    GQueue responses;           /* of JsonObject *: read ahead */
    GQueue events;              /* of JsonObject * */
    JsonNode *last_return;      /* qtest_qmp_assert_success() result */
};

/* --- Process and sockets ----------------------------------------------- */

static const char *sparsevm_binary(void)
{
    const char *bin = g_getenv("SPARSEVM_BINARY");

    if (!bin) {
        g_error("SPARSEVM_BINARY is not set: run the tests with meson test");
    }
    return bin;
}

static int listen_unix(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpuint(strlen(path), <, sizeof(sun.sun_path));
    strcpy(sun.sun_path, path);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), ==, 0);
    g_assert_cmpint(listen(fd, 1), ==, 0);
    return fd;
}

static bool child_exited(QTestState *s)
{
    if (!s->exited && waitpid(s->pid, &s->wstatus, WNOHANG) == s->pid) {
        s->exited = true;
    }
    return s->exited;
}

static G_NORETURN void child_died(QTestState *s, const char *what)
{
    if (child_exited(s) && WIFEXITED(s->wstatus)) {
        g_error("sparsevm exited with status %d %s",
                WEXITSTATUS(s->wstatus), what);
    }
    if (s->exited && WIFSIGNALED(s->wstatus)) {
        g_error("sparsevm killed by signal %d %s", WTERMSIG(s->wstatus),
                what);
    }
    g_error("sparsevm stopped answering %s", what);
}

/* Accept the connection sparsevm makes to @listen_fd. */
static int accept_child(QTestState *s, int listen_fd, const char *what)
{
    struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };
    int waited = 0;
    int fd;

    while (waited < CONNECT_TIMEOUT_MS) {
        if (poll(&pfd, 1, 100) > 0) {
            fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
            if (fd >= 0) {
                return fd;
            }
        }
        if (child_exited(s)) {
            child_died(s, what);
        }
        waited += 100;
    }
    child_died(s, what);
}

static void child_exec(char **argv)
{
    /* Never outlive a crashed test. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    execv(argv[0], argv);
    fprintf(stderr, "libqtest: cannot run %s: %s\n", argv[0],
            strerror(errno));
    _exit(127);
}

static char **build_argv(QTestState *s, const char *extra_args)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) extra = NULL;
    GError *gerr = NULL;
    const char *log = g_getenv("SPARSEVM_TEST_LOG") ? "-" : "/dev/null";

    g_ptr_array_add(argv, g_strdup(sparsevm_binary()));
    g_ptr_array_add(argv, g_strdup("-qtest"));
    g_ptr_array_add(argv, g_strdup_printf("unix:%s", s->qtest_path));
    g_ptr_array_add(argv, g_strdup("-qtest-log"));
    g_ptr_array_add(argv, g_strdup(log));
    g_ptr_array_add(argv, g_strdup("-qmp"));
    g_ptr_array_add(argv, g_strdup_printf("unix:%s", s->qmp_path));
    if (extra_args && *extra_args &&
        !g_shell_parse_argv(extra_args, NULL, &extra, &gerr)) {
        g_error("libqtest: bad extra arguments '%s': %s", extra_args,
                gerr->message);
    }
    /* A test may pick another accelerator (-accel kvm); qtest otherwise. */
    if (!extra || !g_strv_contains((const char * const *)extra, "-accel")) {
        g_ptr_array_add(argv, g_strdup("-accel"));
        g_ptr_array_add(argv, g_strdup("qtest"));
    }
    g_ptr_array_add(argv, g_strdup("-display"));
    g_ptr_array_add(argv, g_strdup("none"));
    g_ptr_array_add(argv, g_strdup("-nodefaults"));
    for (int i = 0; extra && extra[i]; i++) {
        g_ptr_array_add(argv, g_strdup(extra[i]));
    }
    g_ptr_array_add(argv, NULL);
    return (char **)g_ptr_array_free(g_steal_pointer(&argv), FALSE);
}

static QTestState *qtest_spawn(const char *extra_args)
{
    QTestState *s = g_new0(QTestState, 1);
    g_auto(GStrv) argv = NULL;
    GError *gerr = NULL;
    int qtest_listen, qmp_listen;

    s->tmpdir = g_dir_make_tmp("sparsevm-qtest-XXXXXX", &gerr);
    g_assert_no_error(gerr);
    s->qtest_path = g_build_filename(s->tmpdir, "qtest.sock", NULL);
    s->qmp_path = g_build_filename(s->tmpdir, "qmp.sock", NULL);
    qtest_listen = listen_unix(s->qtest_path);
    qmp_listen = listen_unix(s->qmp_path);
    argv = build_argv(s, extra_args);
    g_queue_init(&s->responses);
    g_queue_init(&s->events);

    s->pid = fork();
    g_assert_cmpint(s->pid, >=, 0);
    if (s->pid == 0) {
        child_exec(argv);
    }
    s->qtest.fd = accept_child(s, qtest_listen, "before connecting to qtest");
    s->qmp.fd = accept_child(s, qmp_listen, "before connecting to QMP");
    s->qtest.buf = g_string_new(NULL);
    s->qmp.buf = g_string_new(NULL);
    close(qtest_listen);
    close(qmp_listen);
    unlink(s->qtest_path);
    unlink(s->qmp_path);
    return s;
}

QTestState *qtest_init_without_qmp_handshake(const char *extra_args)
{
    return qtest_spawn(extra_args);
}

QTestState *qtest_init(const char *extra_args)
{
    QTestState *s = qtest_spawn(extra_args);
    JsonObject *greeting = qtest_qmp_receive_dict(s);

    if (!json_object_has_member(greeting, "QMP")) {
        g_error("libqtest: no QMP greeting");
    }
    json_object_unref(greeting);
    qtest_qmp_assert_success(s, "{'execute': 'qmp_capabilities'}");
    return s;
}

QTestState *qtest_initf(const char *fmt, ...)
{
    g_autofree char *args = NULL;
    va_list ap;

    va_start(ap, fmt);
    args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return qtest_init(args);
}

pid_t qtest_pid(QTestState *s)
{
    return s->pid;
}

void qtest_set_expected_status(QTestState *s, int status)
{
    s->expected_status = status;
}

/* Wait up to @timeout_ms for sparsevm to exit. */
static bool wait_child(QTestState *s, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 10) {
        if (child_exited(s)) {
            return true;
        }
        g_usleep(10 * 1000);
    }
    return false;
}

static void qtest_free(QTestState *s)
{
    JsonObject *obj;

    if (s->qtest.fd >= 0) {
        close(s->qtest.fd);
    }
    if (s->qmp.fd >= 0) {
        close(s->qmp.fd);
    }
    g_string_free(s->qtest.buf, TRUE);
    g_string_free(s->qmp.buf, TRUE);
    while ((obj = g_queue_pop_head(&s->responses))) {
        json_object_unref(obj);
    }
    while ((obj = g_queue_pop_head(&s->events))) {
        json_object_unref(obj);
    }
    if (s->last_return) {
        json_node_unref(s->last_return);
    }
    rmdir(s->tmpdir);
    g_free(s->tmpdir);
    g_free(s->qtest_path);
    g_free(s->qmp_path);
    g_free(s);
}

static void send_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;             /* sparsevm is gone: the caller notices */
        }
        buf += n;
        len -= n;
    }
}

void qtest_kill_qemu(QTestState *s)
{
    if (!child_exited(s)) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &s->wstatus, 0);
        s->exited = true;
    }
}

void qtest_quit(QTestState *s)
{
    static const char quit[] =
        "{\"execute\": \"qmp_capabilities\"}\n{\"execute\": \"quit\"}\n";

    if (!s) {
        return;
    }
    /* The first command is refused when QMP was already negotiated. */
    send_all(s->qmp.fd, quit, strlen(quit));
    if (!wait_child(s, QUIT_TIMEOUT_MS)) {
        g_test_message("libqtest: sparsevm ignored quit, killing it");
        qtest_kill_qemu(s);
        g_error("sparsevm did not quit");
    }
    if (!WIFEXITED(s->wstatus) ||
        WEXITSTATUS(s->wstatus) != s->expected_status) {
        g_error("sparsevm: unexpected wait status 0x%x (expected exit %d)",
                s->wstatus, s->expected_status);
    }
    qtest_free(s);
}

/* --- Line I/O ---------------------------------------------------------- */

/* Read what the socket has; false at EOF or error. */
static bool reader_fill(LineReader *r, bool block)
{
    char buf[65536];
    ssize_t n;

    if (!block) {
        struct pollfd pfd = { .fd = r->fd, .events = POLLIN };

        if (poll(&pfd, 1, 0) <= 0) {
            return true;
        }
    }
    do {
        n = recv(r->fd, buf, sizeof(buf), 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
        return false;
    }
    g_string_append_len(r->buf, buf, n);
    return true;
}

/* The next line without its newline, or NULL if none is complete. */
static char *reader_take_line(LineReader *r)
{
    char *nl = memchr(r->buf->str, '\n', r->buf->len);
    char *line;

    if (!nl) {
        return NULL;
    }
    line = g_strndup(r->buf->str, nl - r->buf->str);
    g_string_erase(r->buf, 0, nl - r->buf->str + 1);
    return line;
}

static char *reader_read_line(QTestState *s, LineReader *r, const char *what)
{
    char *line;

    while (!(line = reader_take_line(r))) {
        if (!reader_fill(r, true)) {
            child_died(s, what);
        }
    }
    return line;
}

/* --- qtest protocol ---------------------------------------------------- */

static void handle_irq_line(QTestState *s, const char *line)
{
    int n;

    if (sscanf(line, "IRQ raise %d", &n) == 1 && n >= 0 &&
        n < QTEST_MAX_IRQS) {
        s->irq_level[n] = true;
    } else if (sscanf(line, "IRQ lower %d", &n) == 1 && n >= 0 &&
               n < QTEST_MAX_IRQS) {
        s->irq_level[n] = false;
    } else {
        g_error("libqtest: bad IRQ line '%s'", line);
    }
}

static char *qtest_vraw_cmd(QTestState *s, const char *fmt, va_list ap)
{
    g_autofree char *cmd = g_strdup_vprintf(fmt, ap);
    g_autofree char *wire = g_strconcat(cmd, "\n", NULL);

    send_all(s->qtest.fd, wire, strlen(wire));
    for (;;) {
        char *line = reader_read_line(s, &s->qtest, "during a qtest command");

        if (!g_str_has_prefix(line, "IRQ ")) {
            return line;
        }
        handle_irq_line(s, line);
        g_free(line);
    }
}

char *qtest_raw_cmd(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    char *reply;

    va_start(ap, fmt);
    reply = qtest_vraw_cmd(s, fmt, ap);
    va_end(ap);
    return reply;
}

/* Run a command that must answer "OK[ VALUE]"; returns VALUE or "". */
static char * G_GNUC_PRINTF(2, 3) qtest_ok(QTestState *s, const char *fmt,
                                           ...)
{
    g_autofree char *reply = NULL;
    va_list ap;

    va_start(ap, fmt);
    reply = qtest_vraw_cmd(s, fmt, ap);
    va_end(ap);
    if (!strcmp(reply, "OK")) {
        return g_strdup("");
    }
    if (!g_str_has_prefix(reply, "OK ")) {
        g_error("libqtest: qtest command failed: '%s'", reply);
    }
    return g_strdup(reply + 3);
}

static uint64_t qtest_ok_u64(QTestState *s, const char *value)
{
    char *end;
    uint64_t v;

    errno = 0;
    v = g_ascii_strtoull(value, &end, 0);
    if (errno || end == value || *end) {
        g_error("libqtest: bad number in reply: '%s'", value);
    }
    return v;
}

#define DEFINE_OUT(fn, cmd, type)                                        \
void fn(QTestState *s, uint16_t addr, type value)                        \
{                                                                        \
    g_free(qtest_ok(s, cmd " 0x%x 0x%x", addr, (unsigned)value));        \
}

#define DEFINE_IN(fn, cmd, type)                                         \
type fn(QTestState *s, uint16_t addr)                                    \
{                                                                        \
    g_autofree char *v = qtest_ok(s, cmd " 0x%x", addr);                 \
    return qtest_ok_u64(s, v);                                           \
}

DEFINE_OUT(qtest_outb, "outb", uint8_t)
DEFINE_OUT(qtest_outw, "outw", uint16_t)
DEFINE_OUT(qtest_outl, "outl", uint32_t)
DEFINE_IN(qtest_inb, "inb", uint8_t)
DEFINE_IN(qtest_inw, "inw", uint16_t)
DEFINE_IN(qtest_inl, "inl", uint32_t)

#define DEFINE_WRITE(fn, cmd, type)                                      \
void fn(QTestState *s, uint64_t addr, type value)                        \
{                                                                        \
    g_free(qtest_ok(s, cmd " 0x%" G_GINT64_MODIFIER "x 0x%"              \
                    G_GINT64_MODIFIER "x", (guint64)addr,                \
                    (guint64)value));                                    \
}

#define DEFINE_READ(fn, cmd, type)                                       \
type fn(QTestState *s, uint64_t addr)                                    \
{                                                                        \
    g_autofree char *v = qtest_ok(s, cmd " 0x%" G_GINT64_MODIFIER "x",   \
                                  (guint64)addr);                        \
    return qtest_ok_u64(s, v);                                           \
}

DEFINE_WRITE(qtest_writeb, "writeb", uint8_t)
DEFINE_WRITE(qtest_writew, "writew", uint16_t)
DEFINE_WRITE(qtest_writel, "writel", uint32_t)
DEFINE_WRITE(qtest_writeq, "writeq", uint64_t)
DEFINE_READ(qtest_readb, "readb", uint8_t)
DEFINE_READ(qtest_readw, "readw", uint16_t)
DEFINE_READ(qtest_readl, "readl", uint32_t)
DEFINE_READ(qtest_readq, "readq", uint64_t)

void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    g_autofree char *hex = NULL;
    uint8_t *out = data;

    if (!size) {
        return;
    }
    hex = qtest_ok(s, "read 0x%" G_GINT64_MODIFIER "x 0x%zx",
                   (guint64)addr, size);
    if (strlen(hex) != 2 + 2 * size || strncmp(hex, "0x", 2)) {
        g_error("libqtest: bad read reply '%.64s'", hex);
    }
    for (size_t i = 0; i < size; i++) {
        int hi = g_ascii_xdigit_value(hex[2 + 2 * i]);
        int lo = g_ascii_xdigit_value(hex[3 + 2 * i]);

        g_assert(hi >= 0 && lo >= 0);
        out[i] = hi << 4 | lo;
    }
}

void qtest_memwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size)
{
    const uint8_t *in = data;
    GString *hex;

    if (!size) {
        return;
    }
    hex = g_string_sized_new(2 * size + 3);
    g_string_append(hex, "0x");
    for (size_t i = 0; i < size; i++) {
        g_string_append_printf(hex, "%02x", in[i]);
    }
    g_free(qtest_ok(s, "write 0x%" G_GINT64_MODIFIER "x 0x%zx %s",
                    (guint64)addr, size, hex->str));
    g_string_free(hex, TRUE);
}

void qtest_memset(QTestState *s, uint64_t addr, uint8_t patt, size_t size)
{
    g_free(qtest_ok(s, "memset 0x%" G_GINT64_MODIFIER "x 0x%zx 0x%02x",
                    (guint64)addr, size, patt));
}

void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    g_autofree char *b64 = NULL;
    g_autofree guchar *bytes = NULL;
    gsize len;

    if (!size) {
        return;
    }
    b64 = qtest_ok(s, "b64read 0x%" G_GINT64_MODIFIER "x 0x%zx",
                   (guint64)addr, size);
    bytes = g_base64_decode(b64, &len);
    g_assert_cmpuint(len, ==, size);
    memcpy(data, bytes, size);
}

void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size)
{
    g_autofree char *b64 = NULL;

    if (!size) {
        return;
    }
    b64 = g_base64_encode(data, size);
    g_free(qtest_ok(s, "b64write 0x%" G_GINT64_MODIFIER "x 0x%zx %s",
                    (guint64)addr, size, b64));
}

static int64_t clock_reply(QTestState *s, char *value)
{
    int64_t v = g_ascii_strtoll(value, NULL, 10);

    g_free(value);
    return v;
}

int64_t qtest_clock_step_next(QTestState *s)
{
    return clock_reply(s, qtest_ok(s, "clock_step"));
}

int64_t qtest_clock_step(QTestState *s, int64_t step)
{
    return clock_reply(s, qtest_ok(s, "clock_step %" G_GINT64_FORMAT,
                                   (gint64)step));
}

int64_t qtest_clock_set(QTestState *s, int64_t val)
{
    return clock_reply(s, qtest_ok(s, "clock_set %" G_GINT64_FORMAT,
                                   (gint64)val));
}

void qtest_irq_intercept_in(QTestState *s, const char *qom_path)
{
    g_free(qtest_ok(s, "irq_intercept_in %s", qom_path));
}

void qtest_irq_intercept_out(QTestState *s, const char *qom_path)
{
    g_free(qtest_ok(s, "irq_intercept_out %s", qom_path));
}

bool qtest_get_irq(QTestState *s, int num)
{
    g_assert(num >= 0 && num < QTEST_MAX_IRQS);
    /* A round trip collects the IRQ lines sent before it. */
    g_free(qtest_ok(s, "endianness"));
    return s->irq_level[num];
}

bool qtest_big_endian(QTestState *s)
{
    g_autofree char *endian = qtest_ok(s, "endianness");

    return !strcmp(endian, "big");
}

/* --- QMP --------------------------------------------------------------- */

/* Single-quoted JSON strings (QEMU test style) to double-quoted. */
static char *normalize_quotes(const char *text)
{
    GString *out = g_string_sized_new(strlen(text));
    char quote = 0;

    for (const char *p = text; *p; p++) {
        if (!quote) {
            if (*p == '\'' || *p == '"') {
                quote = *p;
            }
            g_string_append_c(out, *p == '\'' ? '"' : *p);
        } else if (*p == '\\' && p[1]) {
            if (quote == '\'' && p[1] == '\'') {
                g_string_append_c(out, '\'');
            } else {
                g_string_append_c(out, '\\');
                g_string_append_c(out, p[1]);
            }
            p++;
        } else if (*p == quote) {
            quote = 0;
            g_string_append_c(out, '"');
        } else if (*p == '"') {
            g_string_append(out, "\\\"");
        } else {
            g_string_append_c(out, *p);
        }
    }
    return g_string_free(out, FALSE);
}

static JsonObject *parse_message(const char *line)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    g_autoptr(GError) gerr = NULL;
    JsonNode *root;

    if (!json_parser_load_from_data(parser, line, -1, &gerr)) {
        g_error("libqtest: bad JSON from sparsevm '%s': %s", line,
                gerr->message);
    }
    root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        g_error("libqtest: QMP message is not an object: '%s'", line);
    }
    return json_object_ref(json_node_get_object(root));
}

static bool is_event(JsonObject *msg)
{
    return json_object_has_member(msg, "event");
}

/* Queue the messages already complete or readable without blocking. */
static void qmp_read_available(QTestState *s)
{
    char *line;

    if (!reader_fill(&s->qmp, false)) {
        return;                 /* EOF: the next blocking read reports it */
    }
    while ((line = reader_take_line(&s->qmp))) {
        JsonObject *msg = parse_message(line);

        g_queue_push_tail(is_event(msg) ? &s->events : &s->responses, msg);
        g_free(line);
    }
}

JsonObject *qtest_qmp_receive_dict(QTestState *s)
{
    g_autofree char *line = NULL;

    if (!g_queue_is_empty(&s->responses)) {
        return g_queue_pop_head(&s->responses);
    }
    line = reader_read_line(s, &s->qmp, "while reading QMP");
    return parse_message(line);
}

char *qtest_qmp_receive_line(QTestState *s)
{
    return reader_read_line(s, &s->qmp, "while reading QMP");
}

JsonObject *qtest_qmp_receive(QTestState *s)
{
    for (;;) {
        JsonObject *msg = qtest_qmp_receive_dict(s);

        if (!is_event(msg)) {
            return msg;
        }
        g_queue_push_tail(&s->events, msg);
    }
}

static void qmp_vsend(QTestState *s, const char *fmt, va_list ap,
                      bool convert)
{
    g_autofree char *text = g_strdup_vprintf(fmt, ap);
    g_autofree char *json = convert ? normalize_quotes(text)
                                    : g_strdup(text);
    g_autofree char *wire = convert ? g_strconcat(json, "\n", NULL)
                                    : g_strdup(json);

    send_all(s->qmp.fd, wire, strlen(wire));
}

void qtest_qmp_send(QTestState *s, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    qmp_vsend(s, fmt, ap, true);
    va_end(ap);
}

void qtest_qmp_send_raw(QTestState *s, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    qmp_vsend(s, fmt, ap, false);
    va_end(ap);
}

JsonObject *qtest_vqmp(QTestState *s, const char *fmt, va_list ap)
{
    qmp_vsend(s, fmt, ap, true);
    return qtest_qmp_receive(s);
}

JsonObject *qtest_qmp(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    JsonObject *resp;

    va_start(ap, fmt);
    resp = qtest_vqmp(s, fmt, ap);
    va_end(ap);
    return resp;
}

static JsonNode *vassert_success(QTestState *s, const char *fmt, va_list ap)
{
    g_autoptr(JsonObject) resp = qtest_vqmp(s, fmt, ap);
    JsonNode *ret = json_object_get_member(resp, "return");

    if (!ret) {
        g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(),
                                                         resp);
        g_autofree char *text = json_to_string(node, FALSE);

        g_error("libqtest: QMP command failed: %s", text);
    }
    return json_node_copy(ret);
}

JsonNode *qtest_qmp_assert_success(QTestState *s, const char *fmt, ...)
{
    va_list ap;

    if (s->last_return) {
        json_node_unref(s->last_return);
    }
    va_start(ap, fmt);
    s->last_return = vassert_success(s, fmt, ap);
    va_end(ap);
    return s->last_return;
}

JsonNode *qtest_qmp_assert_success_ref(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    JsonNode *ret;

    va_start(ap, fmt);
    ret = vassert_success(s, fmt, ap);
    va_end(ap);
    return ret;
}

static JsonObject *dequeue_event(QTestState *s, const char *event)
{
    for (GList *l = s->events.head; l; l = l->next) {
        JsonObject *msg = l->data;

        if (!g_strcmp0(json_object_get_string_member(msg, "event"), event)) {
            g_queue_delete_link(&s->events, l);
            return msg;
        }
    }
    return NULL;
}

JsonObject *qtest_qmp_event_ref(QTestState *s, const char *event)
{
    qmp_read_available(s);
    return dequeue_event(s, event);
}

JsonObject *qtest_qmp_eventwait_ref(QTestState *s, const char *event)
{
    JsonObject *msg = dequeue_event(s, event);

    while (!msg) {
        msg = qtest_qmp_receive_dict(s);
        if (!is_event(msg)) {
            g_queue_push_tail(&s->responses, msg);
            /* Responses read ahead stay for the next receive. */
            msg = NULL;
            continue;
        }
        if (g_strcmp0(json_object_get_string_member(msg, "event"), event)) {
            g_queue_push_tail(&s->events, msg);
            msg = NULL;
        }
    }
    return msg;
}

void qtest_qmp_eventwait(QTestState *s, const char *event)
{
    json_object_unref(qtest_qmp_eventwait_ref(s, event));
}

char *qtest_hmp(QTestState *s, const char *fmt, ...)
{
    g_autofree char *cmdline = NULL;
    g_autoptr(JsonNode) cmd_node = NULL;
    g_autofree char *quoted = NULL;
    g_autoptr(JsonObject) resp = NULL;
    JsonNode *ret;
    va_list ap;
    GString *out;

    va_start(ap, fmt);
    cmdline = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    cmd_node = json_node_init_string(json_node_alloc(), cmdline);
    quoted = json_to_string(cmd_node, FALSE);
    /* Raw send: @quoted is already valid JSON. */
    qtest_qmp_send_raw(s, "{\"execute\": \"human-monitor-command\", "
                       "\"arguments\": {\"command-line\": %s}}\n", quoted);
    resp = qtest_qmp_receive(s);
    ret = json_object_get_member(resp, "return");
    if (!ret || json_node_get_value_type(ret) != G_TYPE_STRING) {
        g_error("libqtest: human-monitor-command '%s' failed", cmdline);
    }
    /* CR LF (QEMU's monitor line ends) to plain LF. */
    out = g_string_new(NULL);
    for (const char *p = json_node_get_string(ret); *p; p++) {
        if (!(p[0] == '\r' && p[1] == '\n')) {
            g_string_append_c(out, *p);
        }
    }
    return g_string_free(out, FALSE);
}

/* --- QOM helpers ---------------------------------------------------------- */

JsonNode *qtest_qom_get(QTestState *s, const char *path, const char *property)
{
    return qtest_qmp_assert_success_ref(s,
        "{'execute': 'qom-get', 'arguments': {'path': '%s', "
        "'property': '%s'}}", path, property);
}

bool qtest_qom_get_bool(QTestState *s, const char *path, const char *property)
{
    g_autoptr(JsonNode) node = qtest_qom_get(s, path, property);

    g_assert_cmpint(json_node_get_value_type(node), ==, G_TYPE_BOOLEAN);
    return json_node_get_boolean(node);
}

int64_t qtest_qom_get_int(QTestState *s, const char *path,
                          const char *property)
{
    g_autoptr(JsonNode) node = qtest_qom_get(s, path, property);

    g_assert_cmpint(json_node_get_value_type(node), ==, G_TYPE_INT64);
    return json_node_get_int(node);
}

void qtest_qom_set_bool(QTestState *s, const char *path, const char *property,
                        bool value)
{
    qtest_qmp_assert_success(s,
        "{'execute': 'qom-set', 'arguments': {'path': '%s', "
        "'property': '%s', 'value': %s}}", path, property,
        value ? "true" : "false");
}

/* --- Failing starts ------------------------------------------------------- */

char *qtest_init_expect_fail(const char *extra_args, int *status)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) extra = NULL;
    GString *err = g_string_new(NULL);
    GError *gerr = NULL;
    int pipefd[2];
    pid_t pid;
    int waited = 0;

    g_ptr_array_add(argv, g_strdup(sparsevm_binary()));
    g_ptr_array_add(argv, g_strdup("-display"));
    g_ptr_array_add(argv, g_strdup("none"));
    if (extra_args && *extra_args &&
        !g_shell_parse_argv(extra_args, NULL, &extra, &gerr)) {
        g_error("libqtest: bad extra arguments '%s': %s", extra_args,
                gerr->message);
    }
    for (int i = 0; extra && extra[i]; i++) {
        g_ptr_array_add(argv, g_strdup(extra[i]));
    }
    g_ptr_array_add(argv, NULL);
    g_assert_cmpint(pipe2(pipefd, O_CLOEXEC), ==, 0);

    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        int null_fd = open("/dev/null", O_RDWR);

        dup2(null_fd, STDIN_FILENO);
        dup2(null_fd, STDOUT_FILENO);
        dup2(pipefd[1], STDERR_FILENO);
        child_exec((char **)argv->pdata);
    }
    close(pipefd[1]);
    for (;;) {
        struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
        char buf[4096];
        ssize_t n;

        if (poll(&pfd, 1, 100) == 0) {
            waited += 100;
            if (waited >= CONNECT_TIMEOUT_MS) {
                kill(pid, SIGKILL);
                g_error("libqtest: sparsevm did not exit");
            }
            continue;
        }
        n = read(pipefd[0], buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        g_string_append_len(err, buf, n);
    }
    close(pipefd[0]);
    while (waitpid(pid, status, 0) < 0 && errno == EINTR) {
        /* retry */
    }
    return g_string_free(err, FALSE);
}

/* --- Test registration ---------------------------------------------------- */

const char *qtest_get_arch(void)
{
    return "x86_64";
}

void qtest_add_func(const char *str, void (*fn)(void))
{
    g_autofree char *path = g_strdup_printf("/%s/%s", qtest_get_arch(),
                                            str[0] == '/' ? str + 1 : str);

    g_test_add_func(path, fn);
}

void qtest_add_data_func(const char *str, const void *data,
                         void (*fn)(const void *))
{
    g_autofree char *path = g_strdup_printf("/%s/%s", qtest_get_arch(),
                                            str[0] == '/' ? str + 1 : str);

    g_test_add_data_func(path, data, fn);
}
