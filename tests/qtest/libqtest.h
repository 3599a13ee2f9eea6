/*
 * libqtest: start sparsevm under the qtest accelerator and drive it
 * through the qtest protocol (guest memory, I/O ports, clock, irqs) and
 * QMP, like QEMU's tests/qtest/libqtest.h.
 *
 * The binary is $SPARSEVM_BINARY (meson sets it for every qtest).  Every
 * function aborts the test (g_assert / g_error) when sparsevm dies or
 * answers something unexpected: a test never has to check for I/O
 * errors.  JSON values are json-glib objects; "_ref" functions return a
 * reference the caller owns (json_object_unref / json_node_unref).
 *
 * QMP command texts are printf formats (G_GNUC_PRINTF): "%s" inserts raw
 * text, so quote strings yourself.  Single quotes may be used for JSON
 * strings as in QEMU's tests, e.g.
 *   qtest_qmp(s, "{'execute': 'qom-get', 'arguments':"
 *                " {'path': '%s', 'property': 'size'}}", path);
 * (libqtest turns them into double quotes; write \\' for a literal ').
 */
#ifndef LIBQTEST_H
#define LIBQTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct QTestState QTestState;

/*
 * Spawn sparsevm with "-qtest unix:SOCK -qtest-log /dev/null -qmp
 * unix:QMPSOCK -accel qtest -display none -nodefaults" followed by
 * @extra_args (split like a shell would), connect both sockets, read the
 * QMP greeting and run qmp_capabilities.  Aborts if sparsevm fails to
 * start.  $SPARSEVM_TEST_LOG set: the qtest log goes to stderr.
 */
QTestState *qtest_init(const char *extra_args);
QTestState *qtest_initf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/*
 * Same, without reading the greeting nor negotiating: the test reads the
 * greeting with qtest_qmp_receive_dict() itself.
 */
QTestState *qtest_init_without_qmp_handshake(const char *extra_args);

/*
 * Run sparsevm with "-display none" and @extra_args (no qtest/QMP
 * sockets) expecting it to exit by itself; stdin is /dev/null.  Returns
 * its stderr (g_free) and stores the wait() status in *@status (use
 * WIFEXITED/WEXITSTATUS).  Aborts if it has not exited after 60 s.
 */
char *qtest_init_expect_fail(const char *extra_args, int *status);

/*
 * Send "quit", wait for sparsevm to exit (killing it after a timeout)
 * and free @s.  NULL is a no-op.  Asserts sparsevm exited with status 0
 * unless qtest_set_expected_status() said otherwise.
 */
void qtest_quit(QTestState *s);
/* Expect exit status @status from qtest_quit() (default 0). */
void qtest_set_expected_status(QTestState *s, int status);
/* Kill sparsevm (SIGKILL) without quitting: for crash-style tests. */
void qtest_kill_qemu(QTestState *s);

pid_t qtest_pid(QTestState *s);

/* I/O ports (address_space_io). */
void qtest_outb(QTestState *s, uint16_t addr, uint8_t value);
void qtest_outw(QTestState *s, uint16_t addr, uint16_t value);
void qtest_outl(QTestState *s, uint16_t addr, uint32_t value);
uint8_t qtest_inb(QTestState *s, uint16_t addr);
uint16_t qtest_inw(QTestState *s, uint16_t addr);
uint32_t qtest_inl(QTestState *s, uint16_t addr);

/* Guest physical memory (address_space_memory), little-endian values. */
void qtest_writeb(QTestState *s, uint64_t addr, uint8_t value);
void qtest_writew(QTestState *s, uint64_t addr, uint16_t value);
void qtest_writel(QTestState *s, uint64_t addr, uint32_t value);
void qtest_writeq(QTestState *s, uint64_t addr, uint64_t value);
uint8_t qtest_readb(QTestState *s, uint64_t addr);
uint16_t qtest_readw(QTestState *s, uint64_t addr);
uint32_t qtest_readl(QTestState *s, uint64_t addr);
uint64_t qtest_readq(QTestState *s, uint64_t addr);

/* Byte buffers: memread/memwrite use hex, bufread/bufwrite base64. */
void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_memwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size);
void qtest_memset(QTestState *s, uint64_t addr, uint8_t patt, size_t size);
void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size);

/*
 * Virtual clock (only moves through these under the qtest accelerator).
 * Each returns the new clock value in ns.  clock_step_next advances to
 * the next pending timer.
 */
int64_t qtest_clock_step_next(QTestState *s);
int64_t qtest_clock_step(QTestState *s, int64_t step);
int64_t qtest_clock_set(QTestState *s, int64_t val);

/*
 * Intercept the gpio inputs (in) or outputs (out) of the device at QOM
 * path @qom_path: their levels are then reported asynchronously and
 * qtest_get_irq(s, n) returns the last level of line @n (lines 0..63).
 * Only one device may be intercepted per VM.
 */
void qtest_irq_intercept_in(QTestState *s, const char *qom_path);
void qtest_irq_intercept_out(QTestState *s, const char *qom_path);
bool qtest_get_irq(QTestState *s, int num);

/* Whether the target is big endian (the "endianness" command). */
bool qtest_big_endian(QTestState *s);

/*
 * Send one raw qtest protocol line (printf format, no newline) and return
 * the reply line without its newline (g_free), e.g. "OK 0x12" or
 * "FAIL ...".  Asynchronous "IRQ" lines are consumed, not returned.
 */
char *qtest_raw_cmd(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/*
 * QMP.  qtest_qmp() sends one command and returns its response object
 * ({"return": ...} or {"error": ...}; caller unrefs); events arriving
 * before the response are queued for qtest_qmp_eventwait_ref() /
 * qtest_qmp_event_ref().
 */
JsonObject *qtest_qmp(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
JsonObject *qtest_vqmp(QTestState *s, const char *fmt, va_list ap)
    G_GNUC_PRINTF(2, 0);

/* Send a command without waiting; pair with qtest_qmp_receive(). */
void qtest_qmp_send(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Send bytes as they are (no quote conversion, no newline added). */
void qtest_qmp_send_raw(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/* The next response (events queued), caller unrefs. */
JsonObject *qtest_qmp_receive(QTestState *s);
/* The next JSON object of any kind (response, event, greeting). */
JsonObject *qtest_qmp_receive_dict(QTestState *s);
/*
 * The next QMP line exactly as sparsevm wrote it (without the newline),
 * bypassing the queues: for tests of the wire format.  g_free.
 */
char *qtest_qmp_receive_line(QTestState *s);

/*
 * Run a command that must succeed (asserts there is no "error") and
 * return its "return" node.  qtest_qmp_assert_success: the node is owned
 * by @s and valid until the next QMP call on @s (ignoring it is fine);
 * _ref: a new reference for the caller.
 */
JsonNode *qtest_qmp_assert_success(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
JsonNode *qtest_qmp_assert_success_ref(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/*
 * Events.  eventwait: the first queued event named @event, else block
 * until one arrives (other events stay queued).  event_ref: the first
 * queued event named @event (after reading whatever already arrived on
 * the socket) or NULL; never blocks.  Both dequeue the event returned.
 */
JsonObject *qtest_qmp_eventwait_ref(QTestState *s, const char *event);
void qtest_qmp_eventwait(QTestState *s, const char *event);
JsonObject *qtest_qmp_event_ref(QTestState *s, const char *event);

/*
 * Run an HMP command through human-monitor-command and return its text
 * output (g_free).
 */
char *qtest_hmp(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* QOM helpers over qom-get/qom-set; a failing command aborts the test. */
JsonNode *qtest_qom_get(QTestState *s, const char *path,
                        const char *property);    /* caller unrefs */
bool qtest_qom_get_bool(QTestState *s, const char *path,
                        const char *property);
int64_t qtest_qom_get_int(QTestState *s, const char *path,
                          const char *property);
void qtest_qom_set_bool(QTestState *s, const char *path,
                        const char *property, bool value);

/* "x86_64". */
const char *qtest_get_arch(void);

/* g_test_add_func() with the path prefixed by "/<arch>". */
void qtest_add_func(const char *str, void (*fn)(void));
void qtest_add_data_func(const char *str, const void *data,
                         void (*fn)(const void *));

#endif
