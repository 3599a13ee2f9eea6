/*
 * A logging vhost-user proxy for tests.
 *
 * The proxy listens on a UNIX socket (the path the VMM's
 * "-chardev socket,path=..." connects to) and, for each frontend that
 * connects, opens a connection to the real backend's socket and relays
 * the two byte streams message by message, passing the SCM_RIGHTS file
 * descriptors on.  Every message is decoded into a log the test asserts
 * on; a few replies can be rewritten to play a different backend:
 *
 *   - the GET_PROTOCOL_FEATURES answer with bits masked (e.g. hide
 *     CONFIGURE_MEM_SLOTS: the frontend must fall back to SET_MEM_TABLE);
 *   - the GET_MAX_MEM_SLOTS answer replaced (a backend with 8 or 32 slots).
 *
 * Without a backend path the proxy answers the frontend itself as a
 * minimal vhost-user-blk backend that maps nothing (for benchmarks that
 * need more memory slots than a real backend offers): see
 * vhost_user_proxy_new().
 *
 * The relay runs in a thread of its own; every function here may be
 * called from the test's thread at any time.  The layouts follow the
 * vhost-user specification (QEMU docs/interop/vhost-user.rst); there is no
 * kernel UAPI header for them.
 */
#ifndef VHOST_USER_PROXY_H
#define VHOST_USER_PROXY_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

/* Front-end requests (the "request" field of the header). */
enum {
    VHOST_USER_GET_FEATURES = 1,
    VHOST_USER_SET_FEATURES = 2,
    VHOST_USER_SET_OWNER = 3,
    VHOST_USER_RESET_OWNER = 4,
    VHOST_USER_SET_MEM_TABLE = 5,
    VHOST_USER_SET_LOG_BASE = 6,
    VHOST_USER_SET_LOG_FD = 7,
    VHOST_USER_SET_VRING_NUM = 8,
    VHOST_USER_SET_VRING_ADDR = 9,
    VHOST_USER_SET_VRING_BASE = 10,
    VHOST_USER_GET_VRING_BASE = 11,
    VHOST_USER_SET_VRING_KICK = 12,
    VHOST_USER_SET_VRING_CALL = 13,
    VHOST_USER_SET_VRING_ERR = 14,
    VHOST_USER_GET_PROTOCOL_FEATURES = 15,
    VHOST_USER_SET_PROTOCOL_FEATURES = 16,
    VHOST_USER_GET_QUEUE_NUM = 17,
    VHOST_USER_SET_VRING_ENABLE = 18,
    VHOST_USER_SET_BACKEND_REQ_FD = 21,
    VHOST_USER_GET_CONFIG = 24,
    VHOST_USER_SET_CONFIG = 25,
    VHOST_USER_GET_INFLIGHT_FD = 31,
    VHOST_USER_SET_INFLIGHT_FD = 32,
    VHOST_USER_RESET_DEVICE = 34,
    VHOST_USER_GET_MAX_MEM_SLOTS = 36,
    VHOST_USER_ADD_MEM_REG = 37,
    VHOST_USER_REM_MEM_REG = 38,
    VHOST_USER_SET_STATUS = 39,
    VHOST_USER_GET_STATUS = 40,
};

/* Header flags. */
#define VHOST_USER_VERSION_MASK     0x3
#define VHOST_USER_FLAG_REPLY       (1u << 2)
#define VHOST_USER_FLAG_NEED_REPLY  (1u << 3)

/* GET_FEATURES bit announcing the protocol feature negotiation. */
#define VHOST_USER_F_PROTOCOL_FEATURES 30

/* Protocol feature bits (GET/SET_PROTOCOL_FEATURES). */
enum {
    VHOST_USER_PROTOCOL_F_MQ = 0,
    VHOST_USER_PROTOCOL_F_REPLY_ACK = 3,
    VHOST_USER_PROTOCOL_F_BACKEND_REQ = 5,
    VHOST_USER_PROTOCOL_F_CONFIG = 9,
    VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD = 12,
    VHOST_USER_PROTOCOL_F_RESET_DEVICE = 13,
    VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS = 15,
    VHOST_USER_PROTOCOL_F_STATUS = 16,
};

/* SET_MEM_TABLE carries at most this many regions. */
#define VHOST_USER_MEM_TABLE_MAX_REGIONS 8

/* One memory region as the wire carries it. */
typedef struct VhostUserProxyRegion {
    uint64_t guest_addr;
    uint64_t size;
    uint64_t userspace_addr;
    uint64_t mmap_offset;
} VhostUserProxyRegion;

/* One logged message, after any rewrite (what the receiver saw). */
typedef struct VhostUserProxyMsg {
    bool from_backend;          /* a reply (backend → frontend) */
    uint32_t request;
    uint32_t flags;
    uint32_t size;              /* payload bytes */
    unsigned nfds;              /* file descriptors passed with it */
    bool has_u64;               /* payload is a single u64 ... */
    uint64_t u64;               /* ... this one */
    /*
     * SET_MEM_TABLE: all of its regions; ADD_MEM_REG / REM_MEM_REG: the
     * one region.  Empty otherwise.
     */
    GArray *regions;            /* of VhostUserProxyRegion */
} VhostUserProxyMsg;

typedef struct VhostUserProxy VhostUserProxy;

/*
 * Listen on @listen_path (created; removed again by _free()) and relay
 * to the backend listening on @backend_path.  @backend_path NULL: the
 * proxy is the backend itself, a virtio-blk device with one queue,
 * @capacity_sectors sectors, protocol features REPLY_ACK, CONFIG and
 * CONFIGURE_MEM_SLOTS and 509 memory slots (before the rewrites below);
 * it keeps the memory table (see vhost_user_proxy_mem_table()) but maps
 * nothing, so no I/O is possible.  g_error() on failure.
 */
VhostUserProxy *vhost_user_proxy_new(const char *listen_path,
                                     const char *backend_path,
                                     uint64_t capacity_sectors);
/* Stop the thread, close every connection, remove the socket. */
void vhost_user_proxy_free(VhostUserProxy *p);

/* Clear @mask in every GET_PROTOCOL_FEATURES reply from now on. */
void vhost_user_proxy_mask_protocol_features(VhostUserProxy *p,
                                             uint64_t mask);
/* Answer GET_MAX_MEM_SLOTS with @slots from now on (0: pass through). */
void vhost_user_proxy_set_max_mem_slots(VhostUserProxy *p, uint64_t slots);

/* How many frontend connections were accepted so far. */
unsigned vhost_user_proxy_connections(VhostUserProxy *p);

/*
 * A copy of the log (caller frees with g_ptr_array_unref(); the elements
 * are freed with it).  vhost_user_proxy_clear_log() forgets what was
 * logged so far (the memory table is kept).
 */
GPtrArray *vhost_user_proxy_log(VhostUserProxy *p);
void vhost_user_proxy_clear_log(VhostUserProxy *p);

/* Frontend requests of type @request logged so far. */
unsigned vhost_user_proxy_count(VhostUserProxy *p, uint32_t request);
/* All frontend requests logged so far. */
unsigned vhost_user_proxy_count_all(VhostUserProxy *p);

/*
 * Wait until at least @count frontend requests of type @request were
 * relayed (and answered, when the frontend asked for a reply), or
 * @timeout_s passed.  Returns whether the count was reached.
 */
bool vhost_user_proxy_wait_count(VhostUserProxy *p, uint32_t request,
                                 unsigned count, unsigned timeout_s);

/*
 * The memory table the backend holds after the messages relayed so far
 * (SET_MEM_TABLE replaces it, ADD_MEM_REG adds a region, REM_MEM_REG
 * removes the matching one), sorted by guest address.  The proxy asserts
 * nothing: a REM_MEM_REG of an unknown region or an ADD_MEM_REG of an
 * overlapping one is recorded in vhost_user_proxy_table_errors().
 * Caller frees with g_array_unref().
 */
GArray *vhost_user_proxy_mem_table(VhostUserProxy *p);
/* Inconsistencies seen while tracking the table (0: none). */
unsigned vhost_user_proxy_table_errors(VhostUserProxy *p);

/* "SET_MEM_TABLE", ... or "UNKNOWN". */
const char *vhost_user_request_name(uint32_t request);

#endif
