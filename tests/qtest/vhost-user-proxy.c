/*
 * A logging vhost-user proxy for tests (see vhost-user-proxy.h).
 *
 * One thread accepts frontends one after the other; for each it connects
 * to the backend and relays whole messages (header, payload, file
 * descriptors) until either side hangs up.  Decoding, logging, the
 * memory-table tracking and the rewrites happen on the message in
 * between, under p->lock; the sockets are only touched by the thread.
 */
#include "qemu/osdep.h"
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <glib-unix.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include "vhost-user-proxy.h"

#define HDR_SIZE 12
#define MAX_PAYLOAD 4096        /* more than any message the tests use */
#define MAX_FDS 16
#define FAKE_BACKEND_MEM_SLOTS 509

typedef struct RawMsg {
    uint32_t request, flags, size;
    uint8_t payload[MAX_PAYLOAD];
    int fds[MAX_FDS];
    unsigned nfds;
} RawMsg;

struct VhostUserProxy {
    char *listen_path;
    char *backend_path;         /* NULL: answer as a fake backend */
    uint64_t capacity;          /* fake backend: sectors */
    int listen_fd;
    int stop_pipe[2];
    GThread *thread;

    GMutex lock;
    GCond cond;
    uint64_t protocol_mask;
    uint64_t max_mem_slots;     /* 0: pass through */
    unsigned connections;
    GPtrArray *log;             /* of VhostUserProxyMsg * */
    GArray *table;              /* of VhostUserProxyRegion */
    unsigned table_errors;
    uint8_t fake_status;        /* fake backend: SET_STATUS value */
};

const char *vhost_user_request_name(uint32_t request)
{
    static const char *const names[] = {
        [VHOST_USER_GET_FEATURES] = "GET_FEATURES",
        [VHOST_USER_SET_FEATURES] = "SET_FEATURES",
        [VHOST_USER_SET_OWNER] = "SET_OWNER",
        [VHOST_USER_RESET_OWNER] = "RESET_OWNER",
        [VHOST_USER_SET_MEM_TABLE] = "SET_MEM_TABLE",
        [VHOST_USER_SET_LOG_BASE] = "SET_LOG_BASE",
        [VHOST_USER_SET_LOG_FD] = "SET_LOG_FD",
        [VHOST_USER_SET_VRING_NUM] = "SET_VRING_NUM",
        [VHOST_USER_SET_VRING_ADDR] = "SET_VRING_ADDR",
        [VHOST_USER_SET_VRING_BASE] = "SET_VRING_BASE",
        [VHOST_USER_GET_VRING_BASE] = "GET_VRING_BASE",
        [VHOST_USER_SET_VRING_KICK] = "SET_VRING_KICK",
        [VHOST_USER_SET_VRING_CALL] = "SET_VRING_CALL",
        [VHOST_USER_SET_VRING_ERR] = "SET_VRING_ERR",
        [VHOST_USER_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
        [VHOST_USER_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
        [VHOST_USER_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
        [VHOST_USER_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
        [VHOST_USER_SET_BACKEND_REQ_FD] = "SET_BACKEND_REQ_FD",
        [VHOST_USER_GET_CONFIG] = "GET_CONFIG",
        [VHOST_USER_SET_CONFIG] = "SET_CONFIG",
        [VHOST_USER_GET_INFLIGHT_FD] = "GET_INFLIGHT_FD",
        [VHOST_USER_SET_INFLIGHT_FD] = "SET_INFLIGHT_FD",
        [VHOST_USER_RESET_DEVICE] = "RESET_DEVICE",
        [VHOST_USER_GET_MAX_MEM_SLOTS] = "GET_MAX_MEM_SLOTS",
        [VHOST_USER_ADD_MEM_REG] = "ADD_MEM_REG",
        [VHOST_USER_REM_MEM_REG] = "REM_MEM_REG",
        [VHOST_USER_SET_STATUS] = "SET_STATUS",
        [VHOST_USER_GET_STATUS] = "GET_STATUS",
    };

    if (request < G_N_ELEMENTS(names) && names[request]) {
        return names[request];
    }
    return "UNKNOWN";
}

/* --- Socket I/O ---------------------------------------------------- */

static void close_fds(RawMsg *m)
{
    for (unsigned i = 0; i < m->nfds; i++) {
        close(m->fds[i]);
    }
    m->nfds = 0;
}

/* Read exactly @len bytes, collecting passed fds into @m; false on EOF. */
static bool recv_full(int sock, void *buf, size_t len, RawMsg *m)
{
    size_t done = 0;

    while (done < len) {
        char control[CMSG_SPACE(MAX_FDS * sizeof(int))];
        struct iovec iov = { (char *)buf + done, len - done };
        struct msghdr msg = {
            .msg_iov = &iov, .msg_iovlen = 1,
            .msg_control = control, .msg_controllen = sizeof(control),
        };
        ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
             c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
                continue;
            }
            unsigned n_in = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            int *in = (int *)CMSG_DATA(c);
            for (unsigned i = 0; i < n_in; i++) {
                if (m->nfds < MAX_FDS) {
                    m->fds[m->nfds++] = in[i];
                } else {
                    close(in[i]);
                }
            }
        }
        done += n;
    }
    return true;
}

static bool recv_message(int sock, RawMsg *m)
{
    uint32_t hdr[3];

    m->nfds = 0;
    if (!recv_full(sock, hdr, HDR_SIZE, m)) {
        close_fds(m);
        return false;
    }
    m->request = GUINT32_FROM_LE(hdr[0]);
    m->flags = GUINT32_FROM_LE(hdr[1]);
    m->size = GUINT32_FROM_LE(hdr[2]);
    if (m->size > MAX_PAYLOAD ||
        (m->size && !recv_full(sock, m->payload, m->size, m))) {
        close_fds(m);
        return false;
    }
    return true;
}

/* Send @m with its fds (which stay open: the caller closes them). */
static bool send_message(int sock, const RawMsg *m)
{
    uint32_t hdr[3] = {
        GUINT32_TO_LE(m->request), GUINT32_TO_LE(m->flags),
        GUINT32_TO_LE(m->size),
    };
    char control[CMSG_SPACE(MAX_FDS * sizeof(int))];
    struct iovec iov[2] = {
        { hdr, HDR_SIZE }, { (void *)m->payload, m->size },
    };
    struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
    size_t total = HDR_SIZE + m->size, done = 0;

    if (m->nfds) {
        struct cmsghdr *c;

        memset(control, 0, sizeof(control));
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(m->nfds * sizeof(int));
        c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(m->nfds * sizeof(int));
        memcpy(CMSG_DATA(c), m->fds, m->nfds * sizeof(int));
    }
    while (done < total) {
        ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        done += n;
        /* The fds went with the first bytes; send the rest plainly. */
        msg.msg_control = NULL;
        msg.msg_controllen = 0;
        while (n > 0 && msg.msg_iovlen) {
            size_t step = MIN((size_t)n, msg.msg_iov->iov_len);

            msg.msg_iov->iov_base = (char *)msg.msg_iov->iov_base + step;
            msg.msg_iov->iov_len -= step;
            n -= step;
            if (!msg.msg_iov->iov_len) {
                msg.msg_iov++;
                msg.msg_iovlen--;
            }
        }
    }
    return true;
}

/* --- Decoding, tracking, rewriting (under p->lock) ----------------- */

static uint64_t payload_u64(const RawMsg *m, size_t off)
{
    uint64_t v;

    memcpy(&v, m->payload + off, sizeof(v));
    return GUINT64_FROM_LE(v);
}

static void set_payload_u64(RawMsg *m, uint64_t v)
{
    v = GUINT64_TO_LE(v);
    memcpy(m->payload, &v, sizeof(v));
    m->size = sizeof(v);
}

static VhostUserProxyRegion region_at(const RawMsg *m, size_t off)
{
    VhostUserProxyRegion r = {
        .guest_addr = payload_u64(m, off),
        .size = payload_u64(m, off + 8),
        .userspace_addr = payload_u64(m, off + 16),
        .mmap_offset = payload_u64(m, off + 24),
    };
    return r;
}

static void msg_free(gpointer data)
{
    VhostUserProxyMsg *msg = data;

    g_array_unref(msg->regions);
    g_free(msg);
}

static VhostUserProxyMsg *msg_copy(const VhostUserProxyMsg *src)
{
    VhostUserProxyMsg *msg = g_memdup2(src, sizeof(*src));

    msg->regions = g_array_copy(src->regions);
    return msg;
}

static gint region_cmp(gconstpointer a, gconstpointer b)
{
    const VhostUserProxyRegion *ra = a, *rb = b;

    return ra->guest_addr < rb->guest_addr ? -1 :
           ra->guest_addr > rb->guest_addr;
}

static bool ranges_overlap(const VhostUserProxyRegion *a,
                           const VhostUserProxyRegion *b)
{
    return a->guest_addr < b->guest_addr + b->size &&
           b->guest_addr < a->guest_addr + a->size;
}

static void table_add(VhostUserProxy *p, const VhostUserProxyRegion *r)
{
    for (guint i = 0; i < p->table->len; i++) {
        if (ranges_overlap(r, &g_array_index(p->table,
                                             VhostUserProxyRegion, i))) {
            p->table_errors++;
        }
    }
    g_array_append_val(p->table, *r);
    g_array_sort(p->table, region_cmp);
}

static void table_remove(VhostUserProxy *p, const VhostUserProxyRegion *r)
{
    for (guint i = 0; i < p->table->len; i++) {
        VhostUserProxyRegion *t = &g_array_index(p->table,
                                                 VhostUserProxyRegion, i);

        if (t->guest_addr == r->guest_addr && t->size == r->size) {
            g_array_remove_index(p->table, i);
            return;
        }
    }
    p->table_errors++;
}

/* Decode the regions of a memory message and apply it to the table. */
static void track_memory(VhostUserProxy *p, const RawMsg *m,
                         VhostUserProxyMsg *msg)
{
    VhostUserProxyRegion r;

    switch (m->request) {
    case VHOST_USER_SET_MEM_TABLE: {
        uint32_t n;

        if (m->size < 8) {
            p->table_errors++;
            return;
        }
        memcpy(&n, m->payload, sizeof(n));
        n = GUINT32_FROM_LE(n);
        if (8 + (size_t)n * 32 > m->size) {
            p->table_errors++;
            return;
        }
        g_array_set_size(p->table, 0);
        for (uint32_t i = 0; i < n; i++) {
            r = region_at(m, 8 + i * 32);
            g_array_append_val(msg->regions, r);
            table_add(p, &r);
        }
        break;
    }
    case VHOST_USER_ADD_MEM_REG:
    case VHOST_USER_REM_MEM_REG:
        if (m->size < 40) {
            p->table_errors++;
            return;
        }
        r = region_at(m, 8);
        g_array_append_val(msg->regions, r);
        if (m->request == VHOST_USER_ADD_MEM_REG) {
            table_add(p, &r);
        } else {
            table_remove(p, &r);
        }
        break;
    }
}

/* Rewrite a backend reply as configured. */
static void rewrite_reply(VhostUserProxy *p, RawMsg *m)
{
    if (!(m->flags & VHOST_USER_FLAG_REPLY) || m->size != 8) {
        return;
    }
    if (m->request == VHOST_USER_GET_PROTOCOL_FEATURES) {
        set_payload_u64(m, payload_u64(m, 0) & ~p->protocol_mask);
    } else if (m->request == VHOST_USER_GET_MAX_MEM_SLOTS &&
               p->max_mem_slots) {
        set_payload_u64(m, p->max_mem_slots);
    }
}

static void log_message(VhostUserProxy *p, RawMsg *m, bool from_backend)
{
    VhostUserProxyMsg *msg = g_new0(VhostUserProxyMsg, 1);

    msg->from_backend = from_backend;
    msg->request = m->request;
    msg->flags = m->flags;
    msg->size = m->size;
    msg->nfds = m->nfds;
    msg->regions = g_array_new(false, true, sizeof(VhostUserProxyRegion));
    if (m->size == 8) {
        msg->has_u64 = true;
        msg->u64 = payload_u64(m, 0);
    }
    if (!from_backend) {
        track_memory(p, m, msg);
    }
    g_ptr_array_add(p->log, msg);
    g_cond_broadcast(&p->cond);
}

/* --- The fake backend ---------------------------------------------- */

static uint64_t fake_features(void)
{
    return (1ULL << VIRTIO_F_VERSION_1) |
           (1ULL << VHOST_USER_F_PROTOCOL_FEATURES) |
           (1ULL << VIRTIO_BLK_F_FLUSH);
}

static uint64_t fake_protocol_features(void)
{
    return (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) |
           (1ULL << VHOST_USER_PROTOCOL_F_CONFIG) |
           (1ULL << VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS);
}

/*
 * Build the answer to @req in @reply; false when @req wants none.  Replies
 * are made before the rewrites, as a real backend's would be.
 */
static bool fake_answer(VhostUserProxy *p, const RawMsg *req, RawMsg *reply)
{
    reply->request = req->request;
    reply->flags = 1 | VHOST_USER_FLAG_REPLY;
    reply->nfds = 0;
    reply->size = 0;

    switch (req->request) {
    case VHOST_USER_GET_FEATURES:
        set_payload_u64(reply, fake_features());
        return true;
    case VHOST_USER_GET_PROTOCOL_FEATURES:
        set_payload_u64(reply, fake_protocol_features());
        return true;
    case VHOST_USER_GET_QUEUE_NUM:
        set_payload_u64(reply, 1);
        return true;
    case VHOST_USER_GET_MAX_MEM_SLOTS:
        set_payload_u64(reply, FAKE_BACKEND_MEM_SLOTS);
        return true;
    case VHOST_USER_GET_STATUS:
        set_payload_u64(reply, p->fake_status);
        return true;
    case VHOST_USER_GET_VRING_BASE:
        /* struct vhost_vring_state: the index, then 0 as the last avail. */
        memcpy(reply->payload, req->payload, 4);
        memset(reply->payload + 4, 0, 4);
        reply->size = 8;
        return true;
    case VHOST_USER_GET_CONFIG: {
        /* offset u32, size u32, flags u32, then the config bytes. */
        struct virtio_blk_config cfg = {
            .capacity = GUINT64_TO_LE(p->capacity),
            .num_queues = GUINT16_TO_LE(1),
        };
        uint32_t offset, size;

        memcpy(&offset, req->payload, 4);
        memcpy(&size, req->payload + 4, 4);
        offset = GUINT32_FROM_LE(offset);
        size = GUINT32_FROM_LE(size);
        memcpy(reply->payload, req->payload, 12);
        memset(reply->payload + 12, 0, MIN(size, MAX_PAYLOAD - 12));
        if (offset < sizeof(cfg)) {
            memcpy(reply->payload + 12, (uint8_t *)&cfg + offset,
                   MIN(size, sizeof(cfg) - offset));
        }
        reply->size = 12 + MIN(size, MAX_PAYLOAD - 12);
        return true;
    }
    case VHOST_USER_SET_STATUS:
        p->fake_status = payload_u64(req, 0);
        break;
    }
    if (req->flags & VHOST_USER_FLAG_NEED_REPLY) {
        set_payload_u64(reply, 0);      /* success */
        return true;
    }
    return false;
}

/* --- The relay thread ---------------------------------------------- */

/* Relay one message from @from to @to; false when a side hung up. */
static bool relay_one(VhostUserProxy *p, int from, int to, bool from_backend)
{
    g_autofree RawMsg *m = g_new0(RawMsg, 1);
    bool ok = true;

    if (!recv_message(from, m)) {
        return false;
    }
    g_mutex_lock(&p->lock);
    if (from_backend) {
        rewrite_reply(p, m);
        log_message(p, m, true);
    } else if (to >= 0) {
        log_message(p, m, false);
    }
    g_mutex_unlock(&p->lock);

    if (to >= 0) {
        ok = send_message(to, m);
    } else {
        g_autofree RawMsg *reply = g_new0(RawMsg, 1);
        bool answer;

        /* The fake backend: log the request, then its (rewritten) reply. */
        g_mutex_lock(&p->lock);
        answer = fake_answer(p, m, reply);
        if (answer) {
            rewrite_reply(p, reply);
        }
        log_message(p, m, false);
        if (answer) {
            log_message(p, reply, true);
        }
        g_mutex_unlock(&p->lock);
        ok = !answer || send_message(from, reply);
    }
    close_fds(m);
    return ok;
}

static int connect_backend(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    return fd;
}

/* Relay between @front and @back (-1: fake backend) until a side hangs up
 * or the proxy stops; returns false when it stops. */
static bool relay(VhostUserProxy *p, int front, int back)
{
    for (;;) {
        struct pollfd pfd[3] = {
            { p->stop_pipe[0], POLLIN, 0 },
            { front, POLLIN, 0 },
            { back, POLLIN, 0 },
        };

        if (poll(pfd, back >= 0 ? 3 : 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        if (pfd[0].revents) {
            return false;
        }
        if (pfd[1].revents && !relay_one(p, front, back, false)) {
            return true;
        }
        if (back >= 0 && pfd[2].revents && !relay_one(p, back, front, true)) {
            return true;
        }
    }
}

static gpointer proxy_thread(gpointer opaque)
{
    VhostUserProxy *p = opaque;

    for (;;) {
        struct pollfd pfd[2] = {
            { p->stop_pipe[0], POLLIN, 0 }, { p->listen_fd, POLLIN, 0 },
        };
        int front, back = -1;
        bool go_on;

        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        if (pfd[0].revents) {
            break;
        }
        front = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (front < 0) {
            continue;
        }
        if (p->backend_path) {
            back = connect_backend(p->backend_path);
            if (back < 0) {
                /* No backend: the frontend sees the connection drop. */
                close(front);
                continue;
            }
        }
        g_mutex_lock(&p->lock);
        p->connections++;
        g_cond_broadcast(&p->cond);
        g_mutex_unlock(&p->lock);

        go_on = relay(p, front, back);
        close(front);
        if (back >= 0) {
            close(back);
        }
        if (!go_on) {
            break;
        }
    }
    return NULL;
}

/* --- Public API ---------------------------------------------------- */

VhostUserProxy *vhost_user_proxy_new(const char *listen_path,
                                     const char *backend_path,
                                     uint64_t capacity_sectors)
{
    VhostUserProxy *p = g_new0(VhostUserProxy, 1);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    p->listen_path = g_strdup(listen_path);
    p->backend_path = g_strdup(backend_path);
    p->capacity = capacity_sectors;
    p->log = g_ptr_array_new_with_free_func(msg_free);
    p->table = g_array_new(false, true, sizeof(VhostUserProxyRegion));
    g_mutex_init(&p->lock);
    g_cond_init(&p->cond);

    if (strlen(listen_path) >= sizeof(addr.sun_path)) {
        g_error("vhost-user proxy: socket path too long: %s", listen_path);
    }
    g_strlcpy(addr.sun_path, listen_path, sizeof(addr.sun_path));
    unlink(listen_path);
    p->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (p->listen_fd < 0 ||
        bind(p->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(p->listen_fd, 1) < 0) {
        g_error("vhost-user proxy: cannot listen on %s: %s", listen_path,
                g_strerror(errno));
    }
    if (!g_unix_open_pipe(p->stop_pipe, FD_CLOEXEC, NULL)) {
        g_error("vhost-user proxy: pipe: %s", g_strerror(errno));
    }
    p->thread = g_thread_new("vhost-user-proxy", proxy_thread, p);
    return p;
}

void vhost_user_proxy_free(VhostUserProxy *p)
{
    if (!p) {
        return;
    }
    if (write(p->stop_pipe[1], "x", 1) != 1) {
        g_error("vhost-user proxy: cannot stop the thread");
    }
    g_thread_join(p->thread);
    close(p->stop_pipe[0]);
    close(p->stop_pipe[1]);
    close(p->listen_fd);
    unlink(p->listen_path);
    g_ptr_array_unref(p->log);
    g_array_unref(p->table);
    g_mutex_clear(&p->lock);
    g_cond_clear(&p->cond);
    g_free(p->listen_path);
    g_free(p->backend_path);
    g_free(p);
}

void vhost_user_proxy_mask_protocol_features(VhostUserProxy *p,
                                             uint64_t mask)
{
    g_mutex_lock(&p->lock);
    p->protocol_mask = mask;
    g_mutex_unlock(&p->lock);
}

void vhost_user_proxy_set_max_mem_slots(VhostUserProxy *p, uint64_t slots)
{
    g_mutex_lock(&p->lock);
    p->max_mem_slots = slots;
    g_mutex_unlock(&p->lock);
}

unsigned vhost_user_proxy_connections(VhostUserProxy *p)
{
    unsigned n;

    g_mutex_lock(&p->lock);
    n = p->connections;
    g_mutex_unlock(&p->lock);
    return n;
}

GPtrArray *vhost_user_proxy_log(VhostUserProxy *p)
{
    GPtrArray *copy = g_ptr_array_new_with_free_func(msg_free);

    g_mutex_lock(&p->lock);
    for (guint i = 0; i < p->log->len; i++) {
        g_ptr_array_add(copy, msg_copy(g_ptr_array_index(p->log, i)));
    }
    g_mutex_unlock(&p->lock);
    return copy;
}

void vhost_user_proxy_clear_log(VhostUserProxy *p)
{
    g_mutex_lock(&p->lock);
    g_ptr_array_set_size(p->log, 0);
    g_mutex_unlock(&p->lock);
}

static unsigned count_locked(VhostUserProxy *p, uint32_t request, bool all)
{
    unsigned n = 0;

    for (guint i = 0; i < p->log->len; i++) {
        VhostUserProxyMsg *msg = g_ptr_array_index(p->log, i);

        if (!msg->from_backend && (all || msg->request == request)) {
            n++;
        }
    }
    return n;
}

unsigned vhost_user_proxy_count(VhostUserProxy *p, uint32_t request)
{
    unsigned n;

    g_mutex_lock(&p->lock);
    n = count_locked(p, request, false);
    g_mutex_unlock(&p->lock);
    return n;
}

unsigned vhost_user_proxy_count_all(VhostUserProxy *p)
{
    unsigned n;

    g_mutex_lock(&p->lock);
    n = count_locked(p, 0, true);
    g_mutex_unlock(&p->lock);
    return n;
}

bool vhost_user_proxy_wait_count(VhostUserProxy *p, uint32_t request,
                                 unsigned count, unsigned timeout_s)
{
    gint64 deadline = g_get_monotonic_time() + timeout_s * G_TIME_SPAN_SECOND;
    bool reached;

    g_mutex_lock(&p->lock);
    while (!(reached = count_locked(p, request, false) >= count)) {
        if (!g_cond_wait_until(&p->cond, &p->lock, deadline)) {
            reached = count_locked(p, request, false) >= count;
            break;
        }
    }
    g_mutex_unlock(&p->lock);
    return reached;
}

GArray *vhost_user_proxy_mem_table(VhostUserProxy *p)
{
    GArray *copy;

    g_mutex_lock(&p->lock);
    copy = g_array_copy(p->table);
    g_mutex_unlock(&p->lock);
    return copy;
}

unsigned vhost_user_proxy_table_errors(VhostUserProxy *p)
{
    unsigned n;

    g_mutex_lock(&p->lock);
    n = p->table_errors;
    g_mutex_unlock(&p->lock);
    return n;
}
