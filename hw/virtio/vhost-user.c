/*
 * vhost-user frontend: the protocol, and VhostOps on top of it.
 * See include/hw/virtio/vhost-user.h and docs/vhost.md.
 */
#include "qemu/osdep.h"
#include "hw/virtio/vhost-user.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include <linux/vhost_types.h>

/* Biggest device config GET_CONFIG may carry. */
#define VHOST_USER_MAX_CONFIG_SIZE 256

typedef struct QEMU_PACKED VhostUserHeader {
    uint32_t request;
    uint32_t flags;
    uint32_t size;              /* of the payload that follows */
} VhostUserHeader;

/* One region of the memory table as the protocol describes it. */
typedef struct QEMU_PACKED VhostUserMemRegion {
    uint64_t guest_phys_addr;
    uint64_t memory_size;
    uint64_t userspace_addr;
    uint64_t mmap_offset;
} VhostUserMemRegion;

typedef struct QEMU_PACKED VhostUserMemory {
    uint32_t nregions;
    uint32_t padding;
    VhostUserMemRegion regions[VHOST_USER_MEMORY_BASELINE_NREGIONS];
} VhostUserMemory;

typedef struct QEMU_PACKED VhostUserMemRegMsg {
    uint64_t padding;
    VhostUserMemRegion region;
} VhostUserMemRegMsg;

typedef struct QEMU_PACKED VhostUserConfig {
    uint32_t offset;
    uint32_t size;
    uint32_t flags;
    uint8_t region[VHOST_USER_MAX_CONFIG_SIZE];
} VhostUserConfig;

typedef union VhostUserPayload {
    uint64_t u64;
    struct vhost_vring_state state;
    struct vhost_vring_addr addr;
    VhostUserMemory memory;
    VhostUserMemRegMsg mem_reg;
    VhostUserConfig config;
} VhostUserPayload;

typedef struct QEMU_PACKED VhostUserMsg {
    VhostUserHeader hdr;
    VhostUserPayload payload;
} VhostUserMsg;

#define VHOST_USER_CONFIG_HDR_SIZE offsetof(VhostUserConfig, region)

static const char *vhost_user_request_name(uint32_t request)
{
    switch (request) {
    case VHOST_USER_GET_FEATURES: return "GET_FEATURES";
    case VHOST_USER_SET_FEATURES: return "SET_FEATURES";
    case VHOST_USER_SET_OWNER: return "SET_OWNER";
    case VHOST_USER_SET_MEM_TABLE: return "SET_MEM_TABLE";
    case VHOST_USER_SET_VRING_NUM: return "SET_VRING_NUM";
    case VHOST_USER_SET_VRING_ADDR: return "SET_VRING_ADDR";
    case VHOST_USER_SET_VRING_BASE: return "SET_VRING_BASE";
    case VHOST_USER_GET_VRING_BASE: return "GET_VRING_BASE";
    case VHOST_USER_SET_VRING_KICK: return "SET_VRING_KICK";
    case VHOST_USER_SET_VRING_CALL: return "SET_VRING_CALL";
    case VHOST_USER_GET_PROTOCOL_FEATURES: return "GET_PROTOCOL_FEATURES";
    case VHOST_USER_SET_PROTOCOL_FEATURES: return "SET_PROTOCOL_FEATURES";
    case VHOST_USER_GET_QUEUE_NUM: return "GET_QUEUE_NUM";
    case VHOST_USER_SET_VRING_ENABLE: return "SET_VRING_ENABLE";
    case VHOST_USER_GET_CONFIG: return "GET_CONFIG";
    case VHOST_USER_SET_CONFIG: return "SET_CONFIG";
    case VHOST_USER_GET_MAX_MEM_SLOTS: return "GET_MAX_MEM_SLOTS";
    case VHOST_USER_ADD_MEM_REG: return "ADD_MEM_REG";
    case VHOST_USER_REM_MEM_REG: return "REM_MEM_REG";
    default: return "?";
    }
}

bool vhost_user_set_broken(VhostUserState *u)
{
    bool was = u->broken;

    u->broken = true;
    return !was;
}

/* Fail at once if the backend is already known to be broken. */
static bool vhost_user_check(VhostUserState *u, Error **errp)
{
    if (u->broken || !u->chr || !qemu_chr_fe_backend_open(u->chr)) {
        u->broken = true;
        error_setg(errp, "vhost-user backend is broken");
        return false;
    }
    return true;
}

static bool vhost_user_write(VhostUserState *u, VhostUserMsg *msg,
                             int *fds, int fd_num, Error **errp)
{
    int size = sizeof(msg->hdr) + msg->hdr.size;

    if (!vhost_user_check(u, errp)) {
        return false;
    }
    msg->hdr.flags |= VHOST_USER_VERSION;
    if (fd_num && qemu_chr_fe_set_msgfds(u->chr, fds, fd_num) < 0) {
        error_setg(errp, "vhost-user: the chardev cannot pass file "
                   "descriptors");
        u->broken = true;
        return false;
    }
    if (qemu_chr_fe_write_all(u->chr, (const uint8_t *)msg, size) != size) {
        error_setg(errp, "vhost-user: failed to send %s to the backend",
                   vhost_user_request_name(msg->hdr.request));
        u->broken = true;
        return false;
    }
    return true;
}

/*
 * Read the reply to @request into @reply; its payload must be exactly
 * @size bytes (or at most @size when @size_is_max).
 */
static bool vhost_user_read_reply(VhostUserState *u, uint32_t request,
                                  VhostUserMsg *reply, uint32_t size,
                                  bool size_is_max, Error **errp)
{
    const char *name = vhost_user_request_name(request);
    int hdr_size = sizeof(reply->hdr);
    uint32_t got;

    if (qemu_chr_fe_read_all(u->chr, (uint8_t *)&reply->hdr,
                             hdr_size) != hdr_size) {
        error_setg(errp, "vhost-user: the backend closed the connection "
                   "instead of answering %s", name);
        goto broken;
    }
    got = reply->hdr.size;
    if (reply->hdr.request != request ||
        (reply->hdr.flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION ||
        !(reply->hdr.flags & VHOST_USER_REPLY_MASK) ||
        got > sizeof(reply->payload) ||
        (size_is_max ? got > size : got != size)) {
        error_setg(errp, "vhost-user: bad reply to %s (request %" PRIu32
                   ", flags 0x%" PRIx32 ", size %" PRIu32 ")", name,
                   reply->hdr.request, reply->hdr.flags, got);
        goto broken;
    }
    if (got && qemu_chr_fe_read_all(u->chr, (uint8_t *)&reply->payload,
                                    got) != (int)got) {
        error_setg(errp, "vhost-user: the backend closed the connection "
                   "in the middle of its answer to %s", name);
        goto broken;
    }
    return true;

broken:
    u->broken = true;
    return false;
}

static bool vhost_user_reply_ack(VhostUserState *u)
{
    return vhost_user_has_protocol_feature(u,
                                           VHOST_USER_PROTOCOL_F_REPLY_ACK);
}

/*
 * Send @msg; with REPLY_ACK negotiated and @ack, ask for an answer and
 * check that it is 0 (success).
 */
static bool vhost_user_send(VhostUserState *u, VhostUserMsg *msg, int *fds,
                            int fd_num, bool ack, Error **errp)
{
    uint32_t request = msg->hdr.request;
    VhostUserMsg reply;

    ack = ack && vhost_user_reply_ack(u);
    if (ack) {
        msg->hdr.flags |= VHOST_USER_NEED_REPLY_MASK;
    }
    if (!vhost_user_write(u, msg, fds, fd_num, errp)) {
        return false;
    }
    if (!ack) {
        return true;
    }
    if (!vhost_user_read_reply(u, request, &reply, sizeof(reply.payload.u64),
                               false, errp)) {
        return false;
    }
    if (reply.payload.u64) {
        error_setg(errp, "vhost-user: the backend failed %s (%" PRIu64 ")",
                   vhost_user_request_name(request), reply.payload.u64);
        /* what it holds now is unknown (e.g. part of the memory table) */
        u->broken = true;
        return false;
    }
    return true;
}

static bool vhost_user_get_u64(VhostUserState *u, uint32_t request,
                               uint64_t *val, Error **errp)
{
    VhostUserMsg msg = { .hdr.request = request };

    if (!vhost_user_write(u, &msg, NULL, 0, errp) ||
        !vhost_user_read_reply(u, request, &msg, sizeof(msg.payload.u64),
                               false, errp)) {
        return false;
    }
    *val = msg.payload.u64;
    return true;
}

static bool vhost_user_set_u64(VhostUserState *u, uint32_t request,
                               uint64_t val, bool ack, Error **errp)
{
    VhostUserMsg msg = {
        .hdr.request = request,
        .hdr.size = sizeof(msg.payload.u64),
        .payload.u64 = val,
    };

    return vhost_user_send(u, &msg, NULL, 0, ack, errp);
}

static bool vhost_user_set_vring_state(VhostUserState *u, uint32_t request,
                                       unsigned int idx, unsigned int num,
                                       bool ack, Error **errp)
{
    VhostUserMsg msg = {
        .hdr.request = request,
        .hdr.size = sizeof(msg.payload.state),
        .payload.state = { .index = idx, .num = num },
    };

    return vhost_user_send(u, &msg, NULL, 0, ack, errp);
}

/* --- Negotiation ----------------------------------------------------- */

bool vhost_user_init(VhostUserState *u, CharBackend *chr, Error **errp)
{
    uint64_t protocol_features, val;

    *u = (VhostUserState) { .chr = chr, .max_queues = 1 };
    if (!vhost_user_get_u64(u, VHOST_USER_GET_FEATURES, &u->features, errp)) {
        return false;
    }
    u->memslots_limit = VHOST_USER_MEMORY_BASELINE_NREGIONS;
    if (u->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)) {
        if (!vhost_user_get_u64(u, VHOST_USER_GET_PROTOCOL_FEATURES,
                                &protocol_features, errp)) {
            return false;
        }
        protocol_features &= VHOST_USER_PROTOCOL_FEATURES_SUPPORTED;
        if (!vhost_user_set_u64(u, VHOST_USER_SET_PROTOCOL_FEATURES,
                                protocol_features, false, errp)) {
            return false;
        }
        u->protocol_features = protocol_features;
    }
    if (vhost_user_has_protocol_feature(u, VHOST_USER_PROTOCOL_F_MQ)) {
        if (!vhost_user_get_u64(u, VHOST_USER_GET_QUEUE_NUM, &val, errp)) {
            return false;
        }
        if (!val) {
            error_setg(errp, "vhost-user: the backend has no queues");
            u->broken = true;
            return false;
        }
        u->max_queues = MIN(val, (uint64_t)VHOST_USER_VRING_IDX_MASK + 1);
    }
    if (vhost_user_has_protocol_feature(u,
                VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS)) {
        if (!vhost_user_get_u64(u, VHOST_USER_GET_MAX_MEM_SLOTS, &val,
                                errp)) {
            return false;
        }
        u->memslots_limit = MIN(val, (uint64_t)UINT_MAX);
    }
    return vhost_user_send(u, &(VhostUserMsg) {
                               .hdr.request = VHOST_USER_SET_OWNER,
                           }, NULL, 0, false, errp);
}

void vhost_user_cleanup(VhostUserState *u)
{
    u->chr = NULL;
    u->broken = true;
}

bool vhost_user_get_config(VhostUserState *u, uint8_t *config, uint32_t len,
                           Error **errp)
{
    VhostUserMsg msg = {
        .hdr.request = VHOST_USER_GET_CONFIG,
        .hdr.size = VHOST_USER_CONFIG_HDR_SIZE + len,
        .payload.config = { .offset = 0, .size = len },
    };

    g_assert(len <= VHOST_USER_MAX_CONFIG_SIZE);
    if (!vhost_user_has_protocol_feature(u, VHOST_USER_PROTOCOL_F_CONFIG)) {
        error_setg(errp, "vhost-user: the backend does not provide the "
                   "device configuration (protocol feature CONFIG)");
        return false;
    }
    if (!vhost_user_write(u, &msg, NULL, 0, errp) ||
        !vhost_user_read_reply(u, VHOST_USER_GET_CONFIG, &msg,
                               VHOST_USER_CONFIG_HDR_SIZE + len, false,
                               errp)) {
        return false;
    }
    if (msg.payload.config.size != len) {
        error_setg(errp, "vhost-user: GET_CONFIG returned %" PRIu32
                   " bytes instead of %" PRIu32, msg.payload.config.size,
                   len);
        u->broken = true;
        return false;
    }
    memcpy(config, msg.payload.config.region, len);
    return true;
}

bool vhost_user_set_config(VhostUserState *u, const uint8_t *data,
                           uint32_t offset, uint32_t len, Error **errp)
{
    VhostUserMsg msg = {
        .hdr.request = VHOST_USER_SET_CONFIG,
        .hdr.size = VHOST_USER_CONFIG_HDR_SIZE + len,
        .payload.config = { .offset = offset, .size = len },
    };

    g_assert(len <= VHOST_USER_MAX_CONFIG_SIZE);
    memcpy(msg.payload.config.region, data, len);
    return vhost_user_send(u, &msg, NULL, 0, true, errp);
}

/* --- VhostOps -------------------------------------------------------- */

static VhostUserState *vhost_user_of(struct vhost_dev *dev)
{
    return dev->opaque;
}

static unsigned int vhost_user_memslots_limit(struct vhost_dev *dev)
{
    return vhost_user_of(dev)->memslots_limit;
}

/* Only memory the backend can mmap() through an fd is in the table. */
static bool vhost_user_mem_section_filter(struct vhost_dev *dev,
                                          MemoryRegionSection *section)
{
    return memory_region_get_fd(section->mr) >= 0;
}

static bool vhost_user_set_features(struct vhost_dev *dev, uint64_t features,
                                    Error **errp)
{
    VhostUserState *u = vhost_user_of(dev);

    /* keep protocol features on: the rings then start disabled */
    features |= u->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES);
    return vhost_user_set_u64(u, VHOST_USER_SET_FEATURES, features, false,
                              errp);
}

static VhostUserMemRegion vhost_user_region(const VhostMemoryRegion *r)
{
    return (VhostUserMemRegion) {
        .guest_phys_addr = r->guest_phys_addr,
        .memory_size = r->memory_size,
        .userspace_addr = r->userspace_addr,
        .mmap_offset = r->mmap_offset,
    };
}

static bool vhost_user_mem_reg(VhostUserState *u, uint32_t request,
                               const VhostMemoryRegion *r, Error **errp)
{
    VhostUserMsg msg = {
        .hdr.request = request,
        .hdr.size = sizeof(msg.payload.mem_reg),
        .payload.mem_reg.region = vhost_user_region(r),
    };
    int fd = r->fd;

    /* REM_MEM_REG names the region by its addresses: no fd (the spec) */
    return vhost_user_send(u, &msg, &fd,
                           request == VHOST_USER_ADD_MEM_REG ? 1 : 0, true,
                           errp);
}

static bool vhost_user_configurable_slots(VhostUserState *u)
{
    return vhost_user_has_protocol_feature(u,
                VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS);
}

static bool vhost_user_check_limit(VhostUserState *u, unsigned int nregions,
                                   Error **errp)
{
    if (nregions > u->memslots_limit) {
        error_setg(errp, "vhost-user: the memory table needs %u regions, "
                   "the backend takes %u", nregions, u->memslots_limit);
        return false;
    }
    return true;
}

static bool vhost_user_set_mem_table(struct vhost_dev *dev, Error **errp)
{
    VhostUserState *u = vhost_user_of(dev);
    GArray *table = dev->mem_table;
    VhostUserMsg msg = { .hdr.request = VHOST_USER_SET_MEM_TABLE };
    int fds[VHOST_USER_MEMORY_BASELINE_NREGIONS];

    if (!vhost_user_check_limit(u, table->len, errp)) {
        return false;
    }
    if (vhost_user_configurable_slots(u)) {
        /* a fresh backend has no regions: add each one */
        for (unsigned int i = 0; i < table->len; i++) {
            if (!vhost_user_mem_reg(u, VHOST_USER_ADD_MEM_REG,
                                    &g_array_index(table, VhostMemoryRegion,
                                                   i), errp)) {
                return false;
            }
        }
        return true;
    }
    if (table->len > VHOST_USER_MEMORY_BASELINE_NREGIONS) {
        error_setg(errp, "vhost-user: SET_MEM_TABLE takes at most %d "
                   "regions, %u needed", VHOST_USER_MEMORY_BASELINE_NREGIONS,
                   table->len);
        return false;
    }
    msg.payload.memory.nregions = table->len;
    for (unsigned int i = 0; i < table->len; i++) {
        VhostMemoryRegion *r = &g_array_index(table, VhostMemoryRegion, i);

        msg.payload.memory.regions[i] = vhost_user_region(r);
        fds[i] = r->fd;
    }
    msg.hdr.size = offsetof(VhostUserMemory, regions) +
                   table->len * sizeof(VhostUserMemRegion);
    return vhost_user_send(u, &msg, fds, table->len, true, errp);
}

static bool vhost_user_update_mem_table(struct vhost_dev *dev,
                                        const VhostMemTableDiff *diff,
                                        Error **errp)
{
    VhostUserState *u = vhost_user_of(dev);

    if (!vhost_user_configurable_slots(u)) {
        return vhost_user_set_mem_table(dev, errp);
    }
    if (!vhost_user_check_limit(u, dev->mem_table->len, errp)) {
        return false;
    }
    /* removals first: the backend never holds more than the new table */
    for (unsigned int i = 0; i < diff->removed->len; i++) {
        if (!vhost_user_mem_reg(u, VHOST_USER_REM_MEM_REG,
                                &g_array_index(diff->removed,
                                               VhostMemoryRegion, i), errp)) {
            return false;
        }
    }
    for (unsigned int i = 0; i < diff->added->len; i++) {
        if (!vhost_user_mem_reg(u, VHOST_USER_ADD_MEM_REG,
                                &g_array_index(diff->added,
                                               VhostMemoryRegion, i), errp)) {
            return false;
        }
    }
    return true;
}

static bool vhost_user_set_vring_num(struct vhost_dev *dev, unsigned int idx,
                                     unsigned int num, Error **errp)
{
    return vhost_user_set_vring_state(vhost_user_of(dev),
                                      VHOST_USER_SET_VRING_NUM, idx, num,
                                      false, errp);
}

static bool vhost_user_set_vring_base(struct vhost_dev *dev,
                                      unsigned int idx, unsigned int base,
                                      Error **errp)
{
    return vhost_user_set_vring_state(vhost_user_of(dev),
                                      VHOST_USER_SET_VRING_BASE, idx, base,
                                      false, errp);
}

static bool vhost_user_set_vring_enable(struct vhost_dev *dev,
                                        unsigned int idx, bool enable,
                                        Error **errp)
{
    VhostUserState *u = vhost_user_of(dev);

    /* without protocol features a ring starts at its first kick */
    if (!(u->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES))) {
        return true;
    }
    return vhost_user_set_vring_state(u, VHOST_USER_SET_VRING_ENABLE, idx,
                                      enable, false, errp);
}

static bool vhost_user_set_vring_addr(struct vhost_dev *dev,
                                      unsigned int idx, uint64_t desc,
                                      uint64_t avail, uint64_t used,
                                      Error **errp)
{
    VhostUserMsg msg = {
        .hdr.request = VHOST_USER_SET_VRING_ADDR,
        .hdr.size = sizeof(msg.payload.addr),
        .payload.addr = {
            .index = idx,
            .desc_user_addr = desc,
            .avail_user_addr = avail,
            .used_user_addr = used,
        },
    };

    return vhost_user_send(vhost_user_of(dev), &msg, NULL, 0, false, errp);
}

static bool vhost_user_set_vring_fd(VhostUserState *u, uint32_t request,
                                    unsigned int idx, int fd, Error **errp)
{
    VhostUserMsg msg = {
        .hdr.request = request,
        .hdr.size = sizeof(msg.payload.u64),
        .payload.u64 = idx & VHOST_USER_VRING_IDX_MASK,
    };

    if (fd < 0) {
        msg.payload.u64 |= VHOST_USER_VRING_NOFD_MASK;
    }
    return vhost_user_send(u, &msg, &fd, fd < 0 ? 0 : 1, false, errp);
}

static bool vhost_user_set_vring_kick(struct vhost_dev *dev,
                                      unsigned int idx, int fd, Error **errp)
{
    return vhost_user_set_vring_fd(vhost_user_of(dev),
                                   VHOST_USER_SET_VRING_KICK, idx, fd, errp);
}

static bool vhost_user_set_vring_call(struct vhost_dev *dev,
                                      unsigned int idx, int fd, Error **errp)
{
    return vhost_user_set_vring_fd(vhost_user_of(dev),
                                   VHOST_USER_SET_VRING_CALL, idx, fd, errp);
}

static bool vhost_user_get_vring_base(struct vhost_dev *dev,
                                      unsigned int idx, unsigned int *base,
                                      Error **errp)
{
    VhostUserState *u = vhost_user_of(dev);
    VhostUserMsg msg = {
        .hdr.request = VHOST_USER_GET_VRING_BASE,
        .hdr.size = sizeof(msg.payload.state),
        .payload.state = { .index = idx },
    };

    if (!vhost_user_write(u, &msg, NULL, 0, errp) ||
        !vhost_user_read_reply(u, VHOST_USER_GET_VRING_BASE, &msg,
                               sizeof(msg.payload.state), false, errp)) {
        return false;
    }
    *base = msg.payload.state.num;
    return true;
}

const VhostOps vhost_user_ops = {
    .vhost_backend_memslots_limit = vhost_user_memslots_limit,
    .vhost_backend_mem_section_filter = vhost_user_mem_section_filter,
    .vhost_set_features = vhost_user_set_features,
    .vhost_set_mem_table = vhost_user_set_mem_table,
    .vhost_update_mem_table = vhost_user_update_mem_table,
    .vhost_set_vring_num = vhost_user_set_vring_num,
    .vhost_set_vring_base = vhost_user_set_vring_base,
    .vhost_set_vring_addr = vhost_user_set_vring_addr,
    .vhost_set_vring_kick = vhost_user_set_vring_kick,
    .vhost_set_vring_call = vhost_user_set_vring_call,
    .vhost_set_vring_enable = vhost_user_set_vring_enable,
    .vhost_get_vring_base = vhost_user_get_vring_base,
};
