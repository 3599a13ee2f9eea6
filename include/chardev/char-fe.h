/*
 * The front-end side of a chardev (QEMU's CharBackend): what a device or
 * monitor uses to talk over a chardev.
 */
#ifndef CHARDEV_CHAR_FE_H
#define CHARDEV_CHAR_FE_H

#include "chardev/char.h"

/* How many bytes the front end can take now (0: pause input). */
typedef int IOCanReadHandler(void *opaque);
typedef void IOReadHandler(void *opaque, const uint8_t *buf, int size);
typedef void IOEventHandler(void *opaque, QEMUChrEvent event);
typedef int BackendChangeHandler(void *opaque);

struct CharBackend {
    Chardev *chr;
    IOEventHandler *chr_event;
    IOCanReadHandler *chr_can_read;
    IOReadHandler *chr_read;
    BackendChangeHandler *chr_be_change;
    void *opaque;
    int tag;
    bool fe_is_open;
};

/*
 * Attach @b to @s.  Error "Device 'ID' is in use" if @s already has a
 * front end.  A NULL @s gives a disconnected backend (writes fail).
 */
bool qemu_chr_fe_init(CharBackend *b, Chardev *s, Error **errp);

/* Detach (handlers removed); @del: also delete the chardev. */
void qemu_chr_fe_deinit(CharBackend *b, bool del);

/*
 * Install the handlers (NULL handlers: stop receiving).  If a peer is
 * already connected and @fd_event is set, CHR_EVENT_OPENED is delivered
 * right away.  @context must be NULL or the default context.
 */
void qemu_chr_fe_set_handlers(CharBackend *b,
                              IOCanReadHandler *fd_can_read,
                              IOReadHandler *fd_read,
                              IOEventHandler *fd_event,
                              BackendChangeHandler *be_change,
                              void *opaque,
                              GMainContext *context,
                              bool set_open);

Chardev *qemu_chr_fe_get_driver(CharBackend *be);
/* Whether a chardev is attached. */
bool qemu_chr_fe_backend_connected(CharBackend *be);
/* Whether a peer is connected right now. */
bool qemu_chr_fe_backend_open(CharBackend *be);

/*
 * Write all @len bytes (blocking).  Returns @len, or -1 when there is no
 * peer or it went away (never raises SIGPIPE).  fds set with
 * qemu_chr_fe_set_msgfds() go with the first byte.
 */
int qemu_chr_fe_write_all(CharBackend *be, const uint8_t *buf, int len);
int qemu_chr_fe_write(CharBackend *be, const uint8_t *buf, int len);

/*
 * Blocking read of exactly @len bytes, bypassing the read handler (for
 * request/reply protocols such as vhost-user).  Returns @len, or what
 * was read before the peer left, or -1.
 */
int qemu_chr_fe_read_all(CharBackend *be, uint8_t *buf, int len);

/*
 * SCM_RIGHTS.  get_msgfds: move up to @num fds received with the last
 * read into @fds (the caller owns them); returns how many, 0 if none, -1
 * if the chardev cannot carry fds.  Unclaimed fds are closed at the next
 * read.  get_msgfd: one fd or -1.  set_msgfds: copy @fds (not owned) to
 * send with the next write; returns 0, or -1 if unsupported.
 */
int qemu_chr_fe_get_msgfds(CharBackend *be, int *fds, int num);
int qemu_chr_fe_get_msgfd(CharBackend *be);
int qemu_chr_fe_set_msgfds(CharBackend *be, int *fds, int num);

/* Resume input paused by a can_read() of 0. */
void qemu_chr_fe_accept_input(CharBackend *be);

/* Drop the current connection (server sockets accept a new one). */
void qemu_chr_fe_disconnect(CharBackend *be);
/*
 * Block until a peer is connected, without dispatching other main-loop
 * sources (vhost-user waits for its backend this way at startup).
 * Returns false with @errp set if there is no chardev or accepting fails.
 */
bool qemu_chr_fe_wait_connected(CharBackend *be, Error **errp);

#endif
