/*
 * vhost-user frontend: speaks the vhost-user protocol (QEMU's
 * docs/interop/vhost-user.rst) to a backend process over a UNIX socket
 * chardev, and implements VhostOps for struct vhost_dev on top of it.
 *
 * Life of a VhostUserState:
 *   vhost_user_init()      attach to the chardev (connected) and
 *                          negotiate: GET_FEATURES, GET/SET_PROTOCOL_FEATURES,
 *                          GET_QUEUE_NUM (MQ), GET_MAX_MEM_SLOTS
 *                          (CONFIGURE_MEM_SLOTS), SET_OWNER;
 *   vhost_dev_init(&dev, &vhost_user_ops, u, ...)  the memory table;
 *   vhost_dev_start()/stop()  the vrings (SET_VRING_*, GET_VRING_BASE);
 *   vhost_user_cleanup().
 *
 * Failures: a write or read that fails, a reply with the wrong request,
 * flags or size, a backend that closes the socket, or a REPLY_ACK that is
 * not 0 mark the state broken: the error is returned (through errp) once,
 * then every operation fails at once with "vhost-user backend is broken".
 * The frontend device reports it (virtio_error()) and stops using the
 * backend; nothing aborts.
 */
#ifndef HW_VIRTIO_VHOST_USER_H
#define HW_VIRTIO_VHOST_USER_H

#include "chardev/char-fe.h"
#include "hw/virtio/vhost.h"

/* Feature bit of GET_FEATURES: the backend speaks protocol features. */
#define VHOST_USER_F_PROTOCOL_FEATURES 30

/* Protocol feature bits (GET/SET_PROTOCOL_FEATURES). */
#define VHOST_USER_PROTOCOL_F_MQ 0
#define VHOST_USER_PROTOCOL_F_REPLY_ACK 3
#define VHOST_USER_PROTOCOL_F_CONFIG 9
#define VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS 15

/* The protocol features this frontend implements. */
#define VHOST_USER_PROTOCOL_FEATURES_SUPPORTED \
    ((1ULL << VHOST_USER_PROTOCOL_F_MQ) | \
     (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) | \
     (1ULL << VHOST_USER_PROTOCOL_F_CONFIG) | \
     (1ULL << VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS))

/* Regions of SET_MEM_TABLE, and the memslots without CONFIGURE_MEM_SLOTS. */
#define VHOST_USER_MEMORY_BASELINE_NREGIONS 8

typedef enum VhostUserRequest {
    VHOST_USER_GET_FEATURES = 1,
    VHOST_USER_SET_FEATURES = 2,
    VHOST_USER_SET_OWNER = 3,
    VHOST_USER_RESET_OWNER = 4,
    VHOST_USER_SET_MEM_TABLE = 5,
    VHOST_USER_SET_VRING_NUM = 8,
    VHOST_USER_SET_VRING_ADDR = 9,
    VHOST_USER_SET_VRING_BASE = 10,
    VHOST_USER_GET_VRING_BASE = 11,
    VHOST_USER_SET_VRING_KICK = 12,
    VHOST_USER_SET_VRING_CALL = 13,
    VHOST_USER_GET_PROTOCOL_FEATURES = 15,
    VHOST_USER_SET_PROTOCOL_FEATURES = 16,
    VHOST_USER_GET_QUEUE_NUM = 17,
    VHOST_USER_SET_VRING_ENABLE = 18,
    VHOST_USER_GET_CONFIG = 24,
    VHOST_USER_SET_CONFIG = 25,
    VHOST_USER_GET_MAX_MEM_SLOTS = 36,
    VHOST_USER_ADD_MEM_REG = 37,
    VHOST_USER_REM_MEM_REG = 38,
} VhostUserRequest;

/* Header flags. */
#define VHOST_USER_VERSION 0x1
#define VHOST_USER_VERSION_MASK 0x3
#define VHOST_USER_REPLY_MASK 0x4
#define VHOST_USER_NEED_REPLY_MASK 0x8

/* SET_VRING_KICK/CALL payload: index in bits 0-7, "no fd" flag. */
#define VHOST_USER_VRING_IDX_MASK 0xff
#define VHOST_USER_VRING_NOFD_MASK (1ULL << 8)

typedef struct VhostUserState {
    CharBackend *chr;
    uint64_t features;              /* the backend's GET_FEATURES */
    uint64_t protocol_features;     /* negotiated */
    unsigned int memslots_limit;
    unsigned int max_queues;        /* GET_QUEUE_NUM, 1 without MQ */
    bool broken;
} VhostUserState;

extern const VhostOps vhost_user_ops;

/*
 * Attach @u to @chr (a connected socket chardev; the caller owns the
 * CharBackend and its handlers) and negotiate.  On failure @u is broken.
 */
bool vhost_user_init(VhostUserState *u, CharBackend *chr, Error **errp);
/* Forget the chardev (does not close it). */
void vhost_user_cleanup(VhostUserState *u);

/*
 * Mark @u broken (the socket closed, or unexpected bytes arrived); returns
 * true if it was not broken before.
 */
bool vhost_user_set_broken(VhostUserState *u);

static inline bool vhost_user_has_protocol_feature(VhostUserState *u,
                                                   unsigned int bit)
{
    return u->protocol_features & (1ULL << bit);
}

/* GET_CONFIG: @len bytes of device config from offset 0 (needs CONFIG). */
bool vhost_user_get_config(VhostUserState *u, uint8_t *config, uint32_t len,
                           Error **errp);
/* SET_CONFIG: write @len bytes at @offset of the device config. */
bool vhost_user_set_config(VhostUserState *u, const uint8_t *data,
                           uint32_t offset, uint32_t len, Error **errp);

#endif
