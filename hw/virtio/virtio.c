/*
 * Virtio core: device state, feature negotiation and split virtqueues.
 */
#include "qemu/osdep.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-bus.h"
#include "exec/address-spaces.h"
#include "qemu/error-report.h"

/* Split ring layout (virtio 1.2 section 2.7). */
#define DESC_SIZE 16                    /* struct vring_desc */
#define AVAIL_RING_OFFSET 4             /* after flags, idx */
#define USED_ELEM_SIZE 8                /* struct vring_used_elem */

struct VirtQueue {
    VirtIODevice *vdev;
    int index;
    /* Size given by virtio_add_queue(); 0: the slot is unused. */
    unsigned int num_max;
    /* Size chosen by the driver. */
    unsigned int num;
    hwaddr desc;
    hwaddr avail;
    hwaddr used;
    bool enabled;
    uint16_t vector;

    uint16_t last_avail_idx;
    uint16_t used_idx;
    /* Elements popped but not yet flushed. */
    unsigned int inuse;
    /* used idx at the last interrupt (EVENT_IDX), if valid. */
    uint16_t signalled_used;
    bool signalled_used_valid;
    bool notification;

    VirtIOHandleOutput handle_output;
};

/* One descriptor as read from guest memory. */
typedef struct VRingDescHost {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} VRingDescHost;

/* The buffers of a chain being popped. */
typedef struct ChainMap {
    GArray *out_sg;     /* of struct iovec */
    GArray *out_addr;   /* of hwaddr */
    GArray *in_sg;
    GArray *in_addr;
} ChainMap;

static const char *virtio_id_to_name(uint16_t device_id)
{
    switch (device_id) {
    case VIRTIO_ID_NET:
        return "virtio-net";
    case VIRTIO_ID_BLOCK:
        return "virtio-blk";
    case VIRTIO_ID_CONSOLE:
        return "virtio-serial";
    case VIRTIO_ID_RNG:
        return "virtio-rng";
    case VIRTIO_ID_BALLOON:
        return "virtio-balloon";
    case VIRTIO_ID_MEM:
        return "virtio-mem";
    default:
        return "virtio-device";
    }
}

/* --- Little-endian helpers (rings and config are little endian) ------ */

static uint16_t lduw_le_p(const void *p)
{
    uint16_t v;

    memcpy(&v, p, sizeof(v));
    return GUINT16_FROM_LE(v);
}

static uint32_t ldl_le_p(const void *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return GUINT32_FROM_LE(v);
}

static uint64_t ldq_le_p(const void *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return GUINT64_FROM_LE(v);
}

static void stw_le_p(void *p, uint16_t v)
{
    v = GUINT16_TO_LE(v);
    memcpy(p, &v, sizeof(v));
}

static void stl_le_p(void *p, uint32_t v)
{
    v = GUINT32_TO_LE(v);
    memcpy(p, &v, sizeof(v));
}

/* --- Guest memory ----------------------------------------------------- */

static AddressSpace *vdev_as(VirtIODevice *vdev)
{
    return vdev->dma_as ? vdev->dma_as : &address_space_memory;
}

/* Does [start, start + len) run past the end of the address space? */
static bool range_wraps(hwaddr start, uint64_t len)
{
    return start + len < start;
}

static bool guest_read(VirtIODevice *vdev, hwaddr addr, void *buf,
                       hwaddr len)
{
    if (range_wraps(addr, len)) {
        return false;
    }
    return address_space_read(vdev_as(vdev), addr, MEMTXATTRS_UNSPECIFIED,
                              buf, len) == MEMTX_OK;
}

static bool guest_write(VirtIODevice *vdev, hwaddr addr, const void *buf,
                        hwaddr len)
{
    if (range_wraps(addr, len)) {
        return false;
    }
    return address_space_write(vdev_as(vdev), addr, MEMTXATTRS_UNSPECIFIED,
                               buf, len) == MEMTX_OK;
}

static bool guest_read16(VirtIODevice *vdev, hwaddr addr, uint16_t *val)
{
    uint16_t le;

    if (!guest_read(vdev, addr, &le, sizeof(le))) {
        return false;
    }
    *val = GUINT16_FROM_LE(le);
    return true;
}

static bool guest_write16(VirtIODevice *vdev, hwaddr addr, uint16_t val)
{
    uint16_t le = GUINT16_TO_LE(val);

    return guest_write(vdev, addr, &le, sizeof(le));
}

/*
 * Append the host mapping of guest range [@addr, @addr + @len) to @sg
 * (and the guest addresses to @addrs): one iovec per RAM section.
 * Fails if any byte is not RAM (or is ROM, for a writable buffer).
 */
static bool map_guest_buffer(VirtIODevice *vdev, hwaddr addr, uint32_t len,
                             bool is_write, GArray *sg, GArray *addrs)
{
    AddressSpace *as = vdev_as(vdev);
    uint64_t left = len;

    while (left) {
        MemoryRegionSection s;
        struct iovec iov;
        bool ok;

        if (addr + left < addr) {
            return false;           /* wraps around 2^64 */
        }
        s = memory_region_find(as->root, addr, left);
        if (!s.mr) {
            return false;
        }
        ok = memory_region_is_ram(s.mr) && !memory_region_is_ram_device(s.mr) &&
             s.offset_within_address_space == addr &&
             !(is_write && s.readonly);
        if (ok) {
            iov.iov_base = (uint8_t *)memory_region_get_ram_ptr(s.mr) +
                           s.offset_within_region;
            iov.iov_len = int128_get64(s.size);
            ok = iov.iov_base != NULL;
        }
        memory_region_unref(s.mr);
        if (!ok) {
            return false;
        }
        if (sg->len >= VIRTQUEUE_MAX_SIZE) {
            return false;
        }
        g_array_append_val(sg, iov);
        g_array_append_val(addrs, addr);
        addr += iov.iov_len;
        left -= iov.iov_len;
    }
    return true;
}

/* --- Ring accessors --------------------------------------------------- */

static bool vring_read_desc(VirtQueue *vq, hwaddr table, unsigned int i,
                            VRingDescHost *d)
{
    uint8_t raw[DESC_SIZE];

    if (!guest_read(vq->vdev, table + (hwaddr)i * DESC_SIZE, raw,
                    sizeof(raw))) {
        return false;
    }
    d->addr = ldq_le_p(raw);
    d->len = ldl_le_p(raw + 8);
    d->flags = lduw_le_p(raw + 12);
    d->next = lduw_le_p(raw + 14);
    return true;
}

static hwaddr vring_avail_ring_addr(VirtQueue *vq, unsigned int i)
{
    return vq->avail + AVAIL_RING_OFFSET + 2 * (hwaddr)i;
}

static hwaddr vring_used_event_addr(VirtQueue *vq)
{
    return vring_avail_ring_addr(vq, vq->num);
}

static hwaddr vring_avail_event_addr(VirtQueue *vq)
{
    return vq->used + 4 + USED_ELEM_SIZE * (hwaddr)vq->num;
}

static bool vring_avail_idx(VirtQueue *vq, uint16_t *idx)
{
    return guest_read16(vq->vdev, vq->avail + 2, idx);
}

static bool vring_avail_flags(VirtQueue *vq, uint16_t *flags)
{
    return guest_read16(vq->vdev, vq->avail, flags);
}

static void vring_used_flags_update(VirtQueue *vq, uint16_t set,
                                    uint16_t clear)
{
    uint16_t flags;

    if (!guest_read16(vq->vdev, vq->used, &flags)) {
        virtio_error(vq->vdev, "virtio: cannot access used ring of queue %d",
                     vq->index);
        return;
    }
    guest_write16(vq->vdev, vq->used, (flags | set) & ~clear);
}

static void vring_set_avail_event(VirtQueue *vq, uint16_t val)
{
    if (!vq->notification) {
        return;
    }
    if (!guest_write16(vq->vdev, vring_avail_event_addr(vq), val)) {
        virtio_error(vq->vdev, "virtio: cannot access used ring of queue %d",
                     vq->index);
    }
}

/* --- Queue state ------------------------------------------------------ */

static void virtqueue_reset_state(VirtQueue *vq)
{
    vq->num = vq->num_max;
    vq->desc = 0;
    vq->avail = 0;
    vq->used = 0;
    vq->enabled = false;
    vq->vector = VIRTIO_NO_VECTOR;
    vq->last_avail_idx = 0;
    vq->used_idx = 0;
    vq->inuse = 0;
    vq->signalled_used = 0;
    vq->signalled_used_valid = false;
    vq->notification = true;
}

bool virtio_queue_ready(VirtQueue *vq)
{
    return vq->num_max && vq->enabled && vq->desc != 0;
}

/* Ready, and the device may process it. */
static bool virtqueue_usable(VirtQueue *vq)
{
    return virtio_queue_ready(vq) && !vq->vdev->broken &&
           (vq->vdev->status & VIRTIO_CONFIG_S_DRIVER_OK);
}

VirtQueue *virtio_get_queue(VirtIODevice *vdev, int n)
{
    g_assert(n >= 0 && n < VIRTIO_QUEUE_MAX);
    return &vdev->vq[n];
}

int virtio_get_queue_index(VirtQueue *vq)
{
    return vq->index;
}

VirtIODevice *virtio_queue_get_vdev(VirtQueue *vq)
{
    return vq->vdev;
}

int virtio_get_num_queues(VirtIODevice *vdev)
{
    int i;

    for (i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        if (!vdev->vq[i].num_max) {
            break;
        }
    }
    return i;
}

/* The queue @n, or NULL if it does not exist. */
static VirtQueue *queue_lookup(VirtIODevice *vdev, int n)
{
    if (!vdev->vq || n < 0 || n >= VIRTIO_QUEUE_MAX || !vdev->vq[n].num_max) {
        return NULL;
    }
    return &vdev->vq[n];
}

int virtio_queue_get_num(VirtIODevice *vdev, int n)
{
    VirtQueue *vq = queue_lookup(vdev, n);

    return vq ? vq->num : 0;
}

int virtio_queue_get_max_num(VirtIODevice *vdev, int n)
{
    VirtQueue *vq = queue_lookup(vdev, n);

    return vq ? vq->num_max : 0;
}

void virtio_queue_set_num(VirtIODevice *vdev, int n, int num)
{
    VirtQueue *vq = queue_lookup(vdev, n);

    if (!vq || num <= 0 || num > vq->num_max || (num & (num - 1))) {
        return;
    }
    vq->num = num;
}

void virtio_queue_set_rings(VirtIODevice *vdev, int n, hwaddr desc,
                            hwaddr avail, hwaddr used)
{
    VirtQueue *vq = queue_lookup(vdev, n);

    if (!vq) {
        return;
    }
    vq->desc = desc;
    vq->avail = avail;
    vq->used = used;
}

hwaddr virtio_queue_get_desc_addr(VirtIODevice *vdev, int n)
{
    VirtQueue *vq = queue_lookup(vdev, n);

    return vq ? vq->desc : 0;
}

hwaddr virtio_queue_get_avail_addr(VirtIODevice *vdev, int n)
{
    VirtQueue *vq = queue_lookup(vdev, n);

    return vq ? vq->avail : 0;
}

hwaddr virtio_queue_get_used_addr(VirtIODevice *vdev, int n)
{
    VirtQueue *vq = queue_lookup(vdev, n);

    return vq ? vq->used : 0;
}

void virtio_queue_enable(VirtIODevice *vdev, uint32_t queue_index)
{
    VirtQueue *vq = queue_lookup(vdev, queue_index);

    if (vq) {
        vq->enabled = true;
    }
}

bool virtio_queue_get_enabled(VirtIODevice *vdev, int n)
{
    VirtQueue *vq = queue_lookup(vdev, n);

    return vq && vq->enabled;
}

void virtio_queue_set_vector(VirtIODevice *vdev, int n, uint16_t vector)
{
    VirtQueue *vq = queue_lookup(vdev, n);

    if (vq) {
        vq->vector = vector;
    }
}

uint16_t virtio_queue_vector(VirtIODevice *vdev, int n)
{
    VirtQueue *vq = queue_lookup(vdev, n);

    return vq ? vq->vector : VIRTIO_NO_VECTOR;
}

void virtio_queue_notify(VirtIODevice *vdev, int n)
{
    VirtQueue *vq = queue_lookup(vdev, n);

    if (!vq || !virtqueue_usable(vq) || !vq->handle_output) {
        return;
    }
    vq->handle_output(vdev, vq);
}

VirtQueue *virtio_add_queue(VirtIODevice *vdev, int queue_size,
                            VirtIOHandleOutput handle_output)
{
    int i;

    g_assert(queue_size > 0 && queue_size <= VIRTQUEUE_MAX_SIZE &&
             !(queue_size & (queue_size - 1)));
    for (i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        if (!vdev->vq[i].num_max) {
            break;
        }
    }
    g_assert(i < VIRTIO_QUEUE_MAX);

    vdev->vq[i].num_max = queue_size;
    vdev->vq[i].handle_output = handle_output;
    virtqueue_reset_state(&vdev->vq[i]);
    return &vdev->vq[i];
}

void virtio_delete_queue(VirtQueue *vq)
{
    vq->num_max = 0;
    vq->handle_output = NULL;
    virtqueue_reset_state(vq);
}

void virtio_del_queue(VirtIODevice *vdev, int n)
{
    g_assert(n >= 0 && n < VIRTIO_QUEUE_MAX);
    virtio_delete_queue(&vdev->vq[n]);
}

/* --- Popping requests ------------------------------------------------- */

static void chain_map_init(ChainMap *m)
{
    m->out_sg = g_array_new(FALSE, FALSE, sizeof(struct iovec));
    m->out_addr = g_array_new(FALSE, FALSE, sizeof(hwaddr));
    m->in_sg = g_array_new(FALSE, FALSE, sizeof(struct iovec));
    m->in_addr = g_array_new(FALSE, FALSE, sizeof(hwaddr));
}

static void chain_map_free(ChainMap *m)
{
    g_array_free(m->out_sg, TRUE);
    g_array_free(m->out_addr, TRUE);
    g_array_free(m->in_sg, TRUE);
    g_array_free(m->in_addr, TRUE);
}

/* Map one buffer descriptor into @m; false after reporting an error. */
static bool chain_add_desc(VirtQueue *vq, ChainMap *m,
                           const VRingDescHost *d)
{
    VirtIODevice *vdev = vq->vdev;
    bool is_write = d->flags & VRING_DESC_F_WRITE;

    if (!d->len) {
        virtio_error(vdev, "virtio: zero sized buffers are not allowed");
        return false;
    }
    if (!is_write && m->in_sg->len) {
        virtio_error(vdev, "virtio: incorrect order for descriptors");
        return false;
    }
    if (!map_guest_buffer(vdev, d->addr, d->len, is_write,
                          is_write ? m->in_sg : m->out_sg,
                          is_write ? m->in_addr : m->out_addr)) {
        virtio_error(vdev, "virtio: bogus descriptor or out of resources: "
                     "0x%" PRIx64 "+0x%" PRIx32, d->addr, d->len);
        return false;
    }
    return true;
}

/*
 * Walk the chain starting at descriptor @i of the table at @table with
 * @max entries.  Every table entry may be visited once at most: more
 * means a loop.
 */
static bool chain_walk(VirtQueue *vq, ChainMap *m, hwaddr table,
                       unsigned int max, unsigned int i, VRingDescHost *d,
                       bool indirect, unsigned int *ndescs)
{
    VirtIODevice *vdev = vq->vdev;
    unsigned int visited = 0;

    for (;;) {
        if (d->flags & VRING_DESC_F_INDIRECT) {
            virtio_error(vdev, indirect ?
                         "virtio: nested indirect descriptor" :
                         "virtio: indirect descriptor inside a chain");
            return false;
        }
        if (!chain_add_desc(vq, m, d)) {
            return false;
        }
        (*ndescs)++;
        if (!(d->flags & VRING_DESC_F_NEXT)) {
            return true;
        }
        if (++visited >= max) {
            virtio_error(vdev, "virtio: looped descriptor");
            return false;
        }
        i = d->next;
        if (i >= max) {
            virtio_error(vdev, "virtio: desc next is %u", i);
            return false;
        }
        if (!vring_read_desc(vq, table, i, d)) {
            virtio_error(vdev, "virtio: cannot read descriptor %u", i);
            return false;
        }
    }
}

/* The head is an indirect descriptor: walk its table instead. */
static bool chain_walk_indirect(VirtQueue *vq, ChainMap *m,
                                const VRingDescHost *head,
                                unsigned int *ndescs)
{
    VirtIODevice *vdev = vq->vdev;
    unsigned int max = head->len / DESC_SIZE;
    VRingDescHost d;

    if (!virtio_vdev_has_feature(vdev, VIRTIO_RING_F_INDIRECT_DESC)) {
        virtio_error(vdev, "virtio: indirect descriptor not negotiated");
        return false;
    }
    if (head->flags & VRING_DESC_F_NEXT) {
        virtio_error(vdev, "virtio: indirect descriptor with next flag");
        return false;
    }
    if (!head->len || head->len % DESC_SIZE || max > VIRTQUEUE_MAX_SIZE ||
        range_wraps(head->addr, head->len)) {
        virtio_error(vdev, "virtio: invalid size for indirect buffer table");
        return false;
    }
    if (!vring_read_desc(vq, head->addr, 0, &d)) {
        virtio_error(vdev, "virtio: cannot read indirect descriptor table");
        return false;
    }
    /* The table's own entries are checked as they are read. */
    return chain_walk(vq, m, head->addr, max, 0, &d, true, ndescs);
}

static void *element_from_map(const ChainMap *m, size_t sz, unsigned int head,
                              unsigned int ndescs)
{
    size_t in_num = m->in_sg->len, out_num = m->out_sg->len;
    size_t off_in_addr = QEMU_ALIGN_UP(sz, __alignof__(hwaddr));
    size_t off_out_addr = off_in_addr + in_num * sizeof(hwaddr);
    size_t off_in_sg = QEMU_ALIGN_UP(off_out_addr + out_num * sizeof(hwaddr),
                                     __alignof__(struct iovec));
    size_t off_out_sg = off_in_sg + in_num * sizeof(struct iovec);
    size_t total = off_out_sg + out_num * sizeof(struct iovec);
    VirtQueueElement *elem = g_malloc0(total);

    elem->index = head;
    elem->ndescs = ndescs;
    elem->in_num = in_num;
    elem->out_num = out_num;
    elem->in_addr = (hwaddr *)((uint8_t *)elem + off_in_addr);
    elem->out_addr = (hwaddr *)((uint8_t *)elem + off_out_addr);
    elem->in_sg = (struct iovec *)((uint8_t *)elem + off_in_sg);
    elem->out_sg = (struct iovec *)((uint8_t *)elem + off_out_sg);
    if (in_num) {
        memcpy(elem->in_addr, m->in_addr->data, in_num * sizeof(hwaddr));
        memcpy(elem->in_sg, m->in_sg->data, in_num * sizeof(struct iovec));
    }
    if (out_num) {
        memcpy(elem->out_addr, m->out_addr->data, out_num * sizeof(hwaddr));
        memcpy(elem->out_sg, m->out_sg->data, out_num * sizeof(struct iovec));
    }
    return elem;
}

static bool vring_wraps(VirtQueue *vq)
{
    return range_wraps(vq->desc, (uint64_t)DESC_SIZE * vq->num) ||
           range_wraps(vq->avail, 6 + 2 * (uint64_t)vq->num) ||
           range_wraps(vq->used, 6 + (uint64_t)USED_ELEM_SIZE * vq->num);
}

/*
 * How many new entries the driver made available; -1 after reporting a
 * bogus avail idx.
 */
static int virtqueue_num_heads(VirtQueue *vq)
{
    uint16_t avail_idx, n;

    if (vring_wraps(vq)) {
        virtio_error(vq->vdev, "virtio: rings of queue %d wrap around the "
                     "address space", vq->index);
        return -1;
    }
    if (!vring_avail_idx(vq, &avail_idx)) {
        virtio_error(vq->vdev, "virtio: cannot access avail ring of queue %d",
                     vq->index);
        return -1;
    }
    n = avail_idx - vq->last_avail_idx;
    if (n > vq->num) {
        virtio_error(vq->vdev, "virtio: guest moved avail index from %u to %u",
                     vq->last_avail_idx, avail_idx);
        return -1;
    }
    return n;
}

int virtio_queue_empty(VirtQueue *vq)
{
    if (!virtqueue_usable(vq)) {
        return 1;
    }
    return virtqueue_num_heads(vq) <= 0;
}

void *virtqueue_pop(VirtQueue *vq, size_t sz)
{
    VirtIODevice *vdev = vq->vdev;
    unsigned int ndescs = 0;
    uint16_t head;
    VRingDescHost d;
    ChainMap m;
    bool ok;
    void *elem;

    g_assert(sz >= sizeof(VirtQueueElement));
    if (!virtqueue_usable(vq) || virtqueue_num_heads(vq) <= 0) {
        return NULL;
    }
    if (!guest_read16(vdev, vring_avail_ring_addr(vq,
                                                  vq->last_avail_idx % vq->num),
                      &head)) {
        virtio_error(vdev, "virtio: cannot access avail ring of queue %d",
                     vq->index);
        return NULL;
    }
    if (head >= vq->num) {
        virtio_error(vdev, "virtio: guest says index %u is available", head);
        return NULL;
    }
    if (!vring_read_desc(vq, vq->desc, head, &d)) {
        virtio_error(vdev, "virtio: cannot read descriptor %u", head);
        return NULL;
    }

    chain_map_init(&m);
    if (d.flags & VRING_DESC_F_INDIRECT) {
        ok = chain_walk_indirect(vq, &m, &d, &ndescs);
    } else {
        ok = chain_walk(vq, &m, vq->desc, vq->num, head, &d, false, &ndescs);
    }
    elem = ok ? element_from_map(&m, sz, head, ndescs) : NULL;
    chain_map_free(&m);
    if (!elem) {
        return NULL;
    }

    vq->last_avail_idx++;
    vq->inuse++;
    if (virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        vring_set_avail_event(vq, vq->last_avail_idx);
    }
    return elem;
}

void virtqueue_unpop(VirtQueue *vq, const VirtQueueElement *elem,
                     unsigned int len)
{
    vq->last_avail_idx--;
    vq->inuse--;
}

void virtqueue_detach_element(VirtQueue *vq, const VirtQueueElement *elem,
                              unsigned int len)
{
    vq->inuse--;
}

/* --- Returning buffers ------------------------------------------------ */

void virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem,
                    unsigned int len, unsigned int idx)
{
    uint8_t raw[USED_ELEM_SIZE];
    hwaddr at;

    if (!virtio_queue_ready(vq) || vq->vdev->broken || vring_wraps(vq)) {
        return;
    }
    at = vq->used + 4 + USED_ELEM_SIZE * (hwaddr)((vq->used_idx + idx) %
                                                  vq->num);
    stl_le_p(raw, elem->index);
    stl_le_p(raw + 4, len);
    if (!guest_write(vq->vdev, at, raw, sizeof(raw))) {
        virtio_error(vq->vdev, "virtio: cannot access used ring of queue %d",
                     vq->index);
    }
}

void virtqueue_flush(VirtQueue *vq, unsigned int count)
{
    uint16_t old = vq->used_idx, new = old + count;

    vq->inuse -= MIN(count, vq->inuse);
    if (!virtio_queue_ready(vq) || vq->vdev->broken || vring_wraps(vq)) {
        return;
    }
    if (!guest_write16(vq->vdev, vq->used + 2, new)) {
        virtio_error(vq->vdev, "virtio: cannot access used ring of queue %d",
                     vq->index);
        return;
    }
    vq->used_idx = new;
    /* The last interrupt is too far behind for vring_need_event(). */
    if ((int16_t)(new - vq->signalled_used) < (uint16_t)(new - old)) {
        vq->signalled_used_valid = false;
    }
}

void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem,
                    unsigned int len)
{
    virtqueue_fill(vq, elem, len, 0);
    virtqueue_flush(vq, 1);
}

void virtio_queue_set_notification(VirtQueue *vq, int enable)
{
    vq->notification = enable;
    if (!virtqueue_usable(vq) || vring_wraps(vq)) {
        return;
    }
    if (virtio_vdev_has_feature(vq->vdev, VIRTIO_RING_F_EVENT_IDX)) {
        uint16_t avail_idx;

        if (enable && vring_avail_idx(vq, &avail_idx)) {
            vring_set_avail_event(vq, avail_idx);
        }
    } else if (enable) {
        vring_used_flags_update(vq, 0, VRING_USED_F_NO_NOTIFY);
    } else {
        vring_used_flags_update(vq, VRING_USED_F_NO_NOTIFY, 0);
    }
}

/* --- Interrupts ------------------------------------------------------- */

static bool virtio_should_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    uint16_t old, new, used_event, flags;
    bool valid;

    if (!virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        return vring_avail_flags(vq, &flags) &&
               !(flags & VRING_AVAIL_F_NO_INTERRUPT);
    }
    valid = vq->signalled_used_valid;
    vq->signalled_used_valid = true;
    old = vq->signalled_used;
    new = vq->signalled_used = vq->used_idx;
    if (!guest_read16(vdev, vring_used_event_addr(vq), &used_event)) {
        return false;
    }
    return !valid || vring_need_event(used_event, new, old);
}

void virtio_notify_vector(VirtIODevice *vdev, uint16_t vector)
{
    BusState *qbus = qdev_get_parent_bus(DEVICE(vdev));
    VirtioBusClass *k;

    if (!qbus || vdev->disabled) {
        return;
    }
    k = VIRTIO_BUS_GET_CLASS(qbus);
    if (k->notify) {
        k->notify(qbus->parent, vector);
    }
}

void virtio_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    if (!virtio_queue_ready(vq) || vdev->broken || vring_wraps(vq) ||
        !virtio_should_notify(vdev, vq)) {
        return;
    }
    vdev->isr |= VIRTIO_ISR_QUEUE;
    virtio_notify_vector(vdev, vq->vector);
}

void virtio_notify_config(VirtIODevice *vdev)
{
    if (!(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        return;
    }
    /* QEMU sets both ISR bits for a configuration change. */
    vdev->isr |= VIRTIO_ISR_QUEUE | VIRTIO_ISR_CONFIG;
    vdev->generation++;
    virtio_notify_vector(vdev, vdev->config_vector);
}

uint8_t virtio_isr_read_and_clear(VirtIODevice *vdev)
{
    uint8_t isr = vdev->isr;

    vdev->isr = 0;
    return isr;
}

/* --- Features, status, reset, errors ---------------------------------- */

int virtio_set_features(VirtIODevice *vdev, uint64_t val)
{
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(vdev);
    bool bad = val & ~vdev->host_features;

    if (vdev->status & VIRTIO_CONFIG_S_FEATURES_OK) {
        return -EINVAL;
    }
    val &= vdev->host_features;
    if (k->set_features) {
        k->set_features(vdev, val);
    }
    vdev->guest_features = val;
    return bad ? -1 : 0;
}

static int virtio_validate_features(VirtIODevice *vdev)
{
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(vdev);

    if (!virtio_vdev_has_feature(vdev, VIRTIO_F_VERSION_1)) {
        return -EINVAL;
    }
    return k->validate_features ? k->validate_features(vdev) : 0;
}

int virtio_set_status(VirtIODevice *vdev, uint8_t val)
{
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(vdev);

    if (!(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK) &&
        (val & VIRTIO_CONFIG_S_FEATURES_OK) &&
        virtio_validate_features(vdev)) {
        return -EINVAL;
    }
    if (k->set_status) {
        k->set_status(vdev, val);
    }
    /*
     * A device broken by set_status (e.g. a vhost backend that cannot
     * start) keeps NEEDS_RESET: only a reset clears it.
     */
    if (vdev->broken) {
        val |= VIRTIO_CONFIG_S_NEEDS_RESET;
    }
    vdev->status = val;
    return 0;
}

bool virtio_device_started(VirtIODevice *vdev, uint8_t status)
{
    return (status & VIRTIO_CONFIG_S_DRIVER_OK) && !vdev->broken;
}

void virtio_reset(void *opaque)
{
    VirtIODevice *vdev = opaque;
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(vdev);
    int i;

    if (k->reset) {
        k->reset(vdev);
    }
    vdev->broken = false;
    vdev->guest_features = 0;
    vdev->queue_sel = 0;
    vdev->status = 0;
    vdev->isr = 0;
    vdev->config_vector = VIRTIO_NO_VECTOR;
    virtio_notify_vector(vdev, vdev->config_vector);
    for (i = 0; vdev->vq && i < VIRTIO_QUEUE_MAX; i++) {
        virtqueue_reset_state(&vdev->vq[i]);
    }
}

void virtio_error(VirtIODevice *vdev, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_report("%s", msg);

    vdev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
    virtio_notify_config(vdev);
    vdev->broken = true;
}

/* --- Config space ----------------------------------------------------- */

size_t virtio_config_len(VirtIODevice *vdev)
{
    return vdev->config_len;
}

static bool config_refresh(VirtIODevice *vdev, uint32_t addr, unsigned size)
{
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(vdev);

    if ((uint64_t)addr + size > vdev->config_len) {
        return false;
    }
    if (k->get_config) {
        k->get_config(vdev, vdev->config);
    }
    return true;
}

uint32_t virtio_config_modern_readb(VirtIODevice *vdev, uint32_t addr)
{
    if (!config_refresh(vdev, addr, 1)) {
        return UINT32_MAX;
    }
    return *((uint8_t *)vdev->config + addr);
}

uint32_t virtio_config_modern_readw(VirtIODevice *vdev, uint32_t addr)
{
    if (!config_refresh(vdev, addr, 2)) {
        return UINT32_MAX;
    }
    return lduw_le_p((uint8_t *)vdev->config + addr);
}

uint32_t virtio_config_modern_readl(VirtIODevice *vdev, uint32_t addr)
{
    if (!config_refresh(vdev, addr, 4)) {
        return UINT32_MAX;
    }
    return ldl_le_p((uint8_t *)vdev->config + addr);
}

static void config_write(VirtIODevice *vdev, uint32_t addr, uint32_t data,
                         unsigned size)
{
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(vdev);
    uint8_t *p;

    if (!config_refresh(vdev, addr, size)) {
        return;
    }
    p = (uint8_t *)vdev->config + addr;
    switch (size) {
    case 1:
        *p = data;
        break;
    case 2:
        stw_le_p(p, data);
        break;
    default:
        stl_le_p(p, data);
        break;
    }
    if (k->set_config) {
        k->set_config(vdev, vdev->config);
    }
}

void virtio_config_modern_writeb(VirtIODevice *vdev, uint32_t addr,
                                 uint32_t data)
{
    config_write(vdev, addr, data, 1);
}

void virtio_config_modern_writew(VirtIODevice *vdev, uint32_t addr,
                                 uint32_t data)
{
    config_write(vdev, addr, data, 2);
}

void virtio_config_modern_writel(VirtIODevice *vdev, uint32_t addr,
                                 uint32_t data)
{
    config_write(vdev, addr, data, 4);
}

/* --- Device setup ----------------------------------------------------- */

void virtio_init(VirtIODevice *vdev, uint16_t device_id, size_t config_size)
{
    int i;

    vdev->device_id = device_id;
    vdev->name = virtio_id_to_name(device_id);
    vdev->status = 0;
    vdev->isr = 0;
    vdev->queue_sel = 0;
    vdev->config_vector = VIRTIO_NO_VECTOR;
    vdev->vq = g_new0(VirtQueue, VIRTIO_QUEUE_MAX);
    for (i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        vdev->vq[i].vdev = vdev;
        vdev->vq[i].index = i;
        virtqueue_reset_state(&vdev->vq[i]);
    }
    vdev->config_len = config_size;
    vdev->config = config_size ? g_malloc0(config_size) : NULL;
}

void virtio_cleanup(VirtIODevice *vdev)
{
    g_clear_pointer(&vdev->config, g_free);
    vdev->config_len = 0;
    g_clear_pointer(&vdev->vq, g_free);
}

void virtio_instance_init_common(Object *proxy_obj, void *data,
                                 size_t vdev_size, const char *vdev_name)
{
    ObjectPropertyIterator iter;
    ObjectProperty *prop;

    object_initialize_child_with_props(proxy_obj, "virtio-backend", data,
                                       vdev_size, vdev_name, &error_abort,
                                       NULL);
    object_class_property_iter_init(&iter, object_get_class(OBJECT(data)));
    while ((prop = object_property_iter_next(&iter))) {
        if (object_property_find(proxy_obj, prop->name)) {
            continue;
        }
        object_property_add_alias(proxy_obj, prop->name, OBJECT(data),
                                  prop->name);
    }
}

static void virtio_device_realize(DeviceState *dev, Error **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_GET_CLASS(dev);
    ERRP_GUARD();

    if (vdc->realize) {
        vdc->realize(dev, errp);
        if (*errp) {
            return;
        }
    }
    virtio_bus_device_plugged(vdev, errp);
    if (*errp) {
        if (vdc->unrealize) {
            vdc->unrealize(dev);
        }
    }
}

static void virtio_device_unrealize(DeviceState *dev)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_GET_CLASS(dev);

    virtio_bus_device_unplugged(vdev);
    if (vdc->unrealize) {
        vdc->unrealize(dev);
    }
    g_clear_pointer(&vdev->bus_name, g_free);
}

static void virtio_device_instance_init(Object *obj)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(obj);

    vdev->config_vector = VIRTIO_NO_VECTOR;
    vdev->host_features = (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |
                          (1ULL << VIRTIO_RING_F_EVENT_IDX);
}

static void virtio_device_instance_finalize(Object *obj)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(obj);

    /* A device that was never unrealized still owns its buffers. */
    virtio_cleanup(vdev);
    g_clear_pointer(&vdev->bus_name, g_free);
}

static void virtio_device_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = virtio_device_realize;
    dc->unrealize = virtio_device_unrealize;
    dc->bus_type = TYPE_VIRTIO_BUS;
}

static const TypeInfo virtio_types[] = {
    {
        .name = TYPE_VIRTIO_DEVICE,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(VirtIODevice),
        .instance_init = virtio_device_instance_init,
        .instance_finalize = virtio_device_instance_finalize,
        .abstract = true,
        .class_size = sizeof(VirtioDeviceClass),
        .class_init = virtio_device_class_init,
    },
};

DEFINE_TYPES(virtio_types)
