/*
 * Character devices (QEMU's Chardev): byte streams between the emulator
 * and the outside (UNIX sockets, stdio), used by the monitors, qtest and
 * vhost-user.  All I/O runs on the GLib main loop.
 *
 * A chardev is a QOM object of a "chardev-*" type, added as
 * /chardevs/<id>.  Exactly one front end (CharBackend, see char-fe.h)
 * may be attached to it.
 */
#ifndef CHARDEV_CHAR_H
#define CHARDEV_CHAR_H

#include "qom/object.h"
#include "qapi/error.h"

#define TYPE_CHARDEV "chardev"
OBJECT_DECLARE_TYPE(Chardev, ChardevClass, CHARDEV)

#define TYPE_CHARDEV_SOCKET "chardev-socket"
#define TYPE_CHARDEV_STDIO "chardev-stdio"
#define TYPE_CHARDEV_NULL "chardev-null"
#define TYPE_CHARDEV_FILE "chardev-file"

/* At most this many fds travel with one message (SCM_RIGHTS). */
#define CHARDEV_MAX_MSGFDS 16

typedef enum QEMUChrEvent {
    CHR_EVENT_BREAK,
    CHR_EVENT_OPENED,           /* a peer is connected (or stdio opened) */
    CHR_EVENT_MUX_IN,
    CHR_EVENT_MUX_OUT,
    CHR_EVENT_CLOSED,           /* the peer left / input ended */
} QEMUChrEvent;

typedef struct CharBackend CharBackend;

struct Chardev {
    /* private: */
    Object parent_obj;

    /* public: */
    char *label;                /* the id */
    char *filename;             /* description, e.g. "unix:/x,server=on" */
    bool be_open;               /* a peer is connected */
    CharBackend *be;            /* the front end, or NULL */
};

struct ChardevClass {
    /* private: */
    ObjectClass parent_class;

    /* public: */
    /*
     * Open the device once its properties are set.  Set *@be_opened to
     * false if no peer is connected yet (the driver then reports
     * CHR_EVENT_OPENED itself when one arrives).
     */
    void (*open)(Chardev *chr, bool *be_opened, Error **errp);
    /* Write all of @buf (blocking); returns @len or -1 (no peer, error). */
    int (*chr_write)(Chardev *chr, const uint8_t *buf, int len);
    /* Blocking read of up to @len bytes; 0 at end of stream, -1 error. */
    int (*chr_sync_read)(Chardev *chr, uint8_t *buf, int len);
    int (*get_msgfds)(Chardev *chr, int *fds, int num);
    int (*set_msgfds)(Chardev *chr, int *fds, int num);
    /* The front end's handlers changed (start/stop reading). */
    void (*chr_update_read_handler)(Chardev *chr);
    /* Drop the connection (a server socket then listens again). */
    void (*chr_disconnect)(Chardev *chr);
    /* The front end can take input again after can_read() returned 0. */
    void (*chr_accept_input)(Chardev *chr);
    /*
     * Block until a peer is connected (a listening socket accepts one),
     * without running the main loop.  Optional: NULL means the driver is
     * connected once opened.
     */
    bool (*chr_wait_connected)(Chardev *chr, Error **errp);
};

/*
 * Create chardev @id of QOM type @typename with the properties @props
 * (KeyValList of "key=value" strings, may be NULL) and open it.
 * Errors (QEMU's texts): "Invalid parameter 'X'", property parse errors,
 * "attempt to add duplicate property 'ID' to object (type 'container')",
 * the driver's open errors (e.g. "Failed to connect to 'P': <strerror>").
 */
typedef struct KeyValList KeyValList;
Chardev *qemu_chardev_new(const char *id, const char *typename,
                          KeyValList *props, Error **errp);

/*
 * -chardev BACKEND,id=ID[,key=value...]: BACKEND is "socket", "stdio"
 * or "null" (QOM type "chardev-BACKEND").  Errors as QEMU: "'X' is not a
 * valid char driver name", "chardev: no id specified", ...
 */
Chardev *qemu_chr_new_from_cmdline(const char *optarg, Error **errp);

/*
 * The legacy syntax of -qmp, -qtest, -serial...: "stdio", "null",
 * "unix:PATH[,server=on|off][,wait=on|off]" (also the old bare "server"
 * and "nowait" flags).  Error: "'X' is not a valid char driver".
 */
Chardev *qemu_chr_new_legacy(const char *label, const char *spec,
                             Error **errp);

/* Same, reporting errors with error_report() and returning NULL (QEMU). */
Chardev *qemu_chr_new(const char *label, const char *filename,
                      GMainContext *context);

/* The chardev with id @label, or NULL. */
Chardev *qemu_chr_find(const char *label);

/* Remove the chardev (it must have no front end). */
void qemu_chr_delete(Chardev *chr);

/* --- For drivers ------------------------------------------------------ */

/* Deliver @event to the front end (tracking be_open). */
void qemu_chr_be_event(Chardev *chr, QEMUChrEvent event);
/* How many bytes the front end accepts now (0: none / no front end). */
int qemu_chr_be_can_write(Chardev *chr);
/* Hand received bytes to the front end. */
void qemu_chr_be_write(Chardev *chr, const uint8_t *buf, int len);

#endif
