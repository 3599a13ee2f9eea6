/*
 * vfio-emulated-container: VFIO type1 semantics without an IOMMU (see
 * include/hw/vfio/vfio-emulated.h), and QMP x-query-vfio-container.
 */
#include "qemu/osdep.h"
#include <sys/syscall.h>
#include <sys/uio.h>
#include <linux/io_uring.h>
#include "qapi/qmp/dispatch.h"
#include "qemu/error-report.h"
#include "qom/object_interfaces.h"
#include "hw/vfio/vfio-emulated.h"

#define VFIO_EMULATED_PAGE_SIZE 4096

/* io_uring limits: buffers per ring, bytes per fixed buffer. */
#define VFIO_RING_SLOTS         (1u << 14)      /* IORING_MAX_REG_BUFFERS */
#define VFIO_RING_MAX_BUFFER    ((uint64_t)1 << 30)

#define VFIO_PIN_HINT "needs CAP_IPC_LOCK or a large enough RLIMIT_MEMLOCK"

/* ---- pinning with mlock ---- */

/*
 * mlock()/munlock() through syscall(): AddressSanitizer intercepts the libc
 * wrappers and turns them into no-ops, which would hide the pins.
 */
static int vfio_mlock(void *addr, size_t len)
{
    return syscall(SYS_mlock, addr, len);
}

static int vfio_munlock(void *addr, size_t len)
{
    return syscall(SYS_munlock, addr, len);
}

/* ---- pinning with io_uring fixed buffers ---- */

/*
 * Registering a fixed buffer makes the kernel pin its pages with
 * pin_user_pages(FOLL_LONGTERM) and account them (mm->pinned_vm, VmPin;
 * RLIMIT_MEMLOCK without CAP_IPC_LOCK) until the buffer is unregistered:
 * what VFIO type1 does for a DMA mapping.  The rings are never used for
 * I/O; each holds a sparse table of VFIO_RING_SLOTS buffers, updated one
 * slot at a time.
 */
static int vfio_ring_new(Error **errp)
{
    struct io_uring_params params = { 0 };
    struct io_uring_rsrc_register reg = {
        .nr = VFIO_RING_SLOTS,
        .flags = IORING_RSRC_REGISTER_SPARSE,
    };
    int fd = syscall(__NR_io_uring_setup, 1, &params);

    if (fd < 0) {
        error_setg_errno(errp, errno, "io_uring_setup failed");
        return -1;
    }
    if (syscall(__NR_io_uring_register, fd, IORING_REGISTER_BUFFERS2,
                &reg, sizeof(reg)) < 0) {
        error_setg_errno(errp, errno, "registering a sparse io_uring buffer "
                         "table failed");
        close(fd);
        return -1;
    }
    return fd;
}

/* Point @slot of @fd at [@base, @base + @len), or empty it (NULL, 0). */
static int vfio_ring_set_slot(int fd, uint32_t slot, void *base, size_t len)
{
    struct iovec iov = { .iov_base = base, .iov_len = len };
    struct io_uring_rsrc_update2 update = {
        .offset = slot,
        .data = (uintptr_t)&iov,
        .nr = 1,
    };

    if (syscall(__NR_io_uring_register, fd, IORING_REGISTER_BUFFERS_UPDATE,
                &update, sizeof(update)) < 0) {
        return -errno;
    }
    return 0;
}

/* A free slot number (ring * VFIO_RING_SLOTS + index), adding a ring. */
static bool vfio_slot_alloc(VFIOEmulatedContainer *ec, uint32_t *slot,
                            Error **errp)
{
    int fd;

    if (ec->free_slots->len) {
        *slot = g_array_index(ec->free_slots, uint32_t,
                              ec->free_slots->len - 1);
        g_array_set_size(ec->free_slots, ec->free_slots->len - 1);
        return true;
    }
    if (ec->next_slot / VFIO_RING_SLOTS >= ec->rings->len) {
        fd = vfio_ring_new(errp);
        if (fd < 0) {
            return false;
        }
        g_array_append_val(ec->rings, fd);
    }
    *slot = ec->next_slot++;
    return true;
}

static int vfio_slot_set(VFIOEmulatedContainer *ec, uint32_t slot,
                         void *base, size_t len)
{
    int fd = g_array_index(ec->rings, int, slot / VFIO_RING_SLOTS);

    return vfio_ring_set_slot(fd, slot % VFIO_RING_SLOTS, base, len);
}

/* Empty the slot (unpinning its pages) and make it reusable. */
static void vfio_slot_release(VFIOEmulatedContainer *ec, uint32_t slot)
{
    int ret = vfio_slot_set(ec, slot, NULL, 0);

    if (ret) {
        /* Cannot happen for a slot we filled; the pages stay pinned. */
        warn_report("vfio-emulated-container: unpinning slot %u failed: %s",
                    slot, strerror(-ret));
        return;
    }
    g_array_append_val(ec->free_slots, slot);
}

static void vfio_uring_unpin(VFIOEmulatedContainer *ec, VFIOEmulatedMapping *m)
{
    for (uint32_t i = 0; i < m->nr_slots; i++) {
        vfio_slot_release(ec, m->slots[i]);
    }
    g_clear_pointer(&m->slots, g_free);
    m->nr_slots = 0;
}

/* Pin @m as fixed buffers of at most VFIO_RING_MAX_BUFFER bytes. */
static int vfio_uring_pin(VFIOEmulatedContainer *ec, VFIOEmulatedMapping *m,
                          Error **errp)
{
    uint32_t n = DIV_ROUND_UP(m->size, VFIO_RING_MAX_BUFFER);
    int ret;

    m->slots = g_new(uint32_t, n);
    m->nr_slots = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t off = i * VFIO_RING_MAX_BUFFER;
        uint64_t len = MIN(m->size - off, VFIO_RING_MAX_BUFFER);
        uint32_t slot;

        if (!vfio_slot_alloc(ec, &slot, errp)) {
            vfio_uring_unpin(ec, m);
            return -ENOMEM;
        }
        ret = vfio_slot_set(ec, slot, (uint8_t *)m->vaddr + off, len);
        if (ret) {
            g_array_append_val(ec->free_slots, slot);
            vfio_uring_unpin(ec, m);
            error_setg_errno(errp, -ret, "pinning 0x%" PRIx64 " bytes as "
                             "io_uring fixed buffers failed%s", m->size,
                             ret == -ENOMEM ? " (" VFIO_PIN_HINT ")" : "");
            return ret;
        }
        m->slots[m->nr_slots++] = slot;
    }
    return 0;
}

static void vfio_uring_close(VFIOEmulatedContainer *ec)
{
    for (guint i = 0; i < ec->rings->len; i++) {
        int fd = g_array_index(ec->rings, int, i);

        /* Synchronous, unlike the teardown that close() starts. */
        syscall(__NR_io_uring_register, fd, IORING_UNREGISTER_BUFFERS,
                NULL, 0);
        close(fd);
    }
    g_array_set_size(ec->rings, 0);
}

/* ---- choosing the pinning ---- */

static const char *const vfio_pin_names[] = {
    [VFIO_EMULATED_PIN_DEFAULT] = "io-uring",
    [VFIO_EMULATED_PIN_IO_URING] = "io-uring",
    [VFIO_EMULATED_PIN_MLOCK] = "mlock",
};

/*
 * Decide the pinning once, before the first mapping: io_uring needs a
 * working ring (it may be missing, or disabled by the io_uring_disabled
 * sysctl or a seccomp filter).
 */
static bool vfio_emulated_pin_choose(VFIOEmulatedContainer *ec, Error **errp)
{
    Error *local_err = NULL;
    int fd;

    if (ec->pin != VFIO_EMULATED_PIN_DEFAULT) {
        return true;
    }
    if (ec->pin_requested == VFIO_EMULATED_PIN_MLOCK) {
        ec->pin = VFIO_EMULATED_PIN_MLOCK;
        return true;
    }
    fd = vfio_ring_new(&local_err);
    if (fd >= 0) {
        g_array_append_val(ec->rings, fd);
        ec->pin = VFIO_EMULATED_PIN_IO_URING;
        return true;
    }
    if (ec->pin_requested == VFIO_EMULATED_PIN_IO_URING) {
        error_propagate_prepend(errp, local_err, "%s: pin=io-uring: io_uring "
                                "is not available: ", ec->container.name);
        return false;
    }
    warn_report("%s: io_uring is not available (%s); pinning with mlock(), "
                "which keeps virtio-mem from discarding private memory",
                ec->container.name, error_get_pretty(local_err));
    error_free(local_err);
    ec->pin = VFIO_EMULATED_PIN_MLOCK;
    return true;
}

const char *vfio_emulated_container_pin(VFIOEmulatedContainer *ec)
{
    return vfio_pin_names[ec->pin != VFIO_EMULATED_PIN_DEFAULT ?
                          ec->pin : ec->pin_requested];
}

static int vfio_emulated_pin(VFIOEmulatedContainer *ec, VFIOEmulatedMapping *m,
                             Error **errp)
{
    if (!vfio_emulated_pin_choose(ec, errp)) {
        return -EOPNOTSUPP;
    }
    if (ec->pin == VFIO_EMULATED_PIN_IO_URING) {
        return vfio_uring_pin(ec, m, errp);
    }
    if (vfio_mlock(m->vaddr, m->size)) {
        int err = errno;

        error_setg_errno(errp, err, "pinning 0x%" PRIx64 " bytes with mlock() "
                         "failed (" VFIO_PIN_HINT ")", m->size);
        return -err;
    }
    return 0;
}

/* mlock only: the caller re-locks what other mappings still need. */
static void vfio_emulated_unpin(VFIOEmulatedContainer *ec,
                                VFIOEmulatedMapping *m)
{
    if (ec->pin == VFIO_EMULATED_PIN_IO_URING) {
        vfio_uring_unpin(ec, m);
    } else {
        vfio_munlock(m->vaddr, m->size);
    }
}

static void vfio_emulated_mapping_free(gpointer p)
{
    VFIOEmulatedMapping *m = p;

    g_free(m->slots);
    g_free(m);
}

static VFIOEmulatedContainer *vfio_emulated_of(VFIOContainer *c)
{
    return container_of(c, VFIOEmulatedContainer, container);
}

static gint vfio_emulated_cmp_iova(gconstpointer a, gconstpointer b,
                                   gpointer unused)
{
    hwaddr x = *(const hwaddr *)a, y = *(const hwaddr *)b;

    return x < y ? -1 : x > y;
}

/* The mapping with the highest iova below @addr, or NULL. */
static VFIOEmulatedMapping *vfio_emulated_find_below(VFIOEmulatedContainer *ec,
                                                     hwaddr addr)
{
    GTreeNode *node = g_tree_lower_bound(ec->mappings, &addr);

    node = node ? g_tree_node_previous(node) : g_tree_node_last(ec->mappings);
    return node ? g_tree_node_value(node) : NULL;
}

static bool vfio_emulated_range_ok(hwaddr iova, uint64_t size)
{
    return size && QEMU_IS_ALIGNED(iova, VFIO_EMULATED_PAGE_SIZE) &&
           QEMU_IS_ALIGNED(size, VFIO_EMULATED_PAGE_SIZE) &&
           iova + size - 1 >= iova;
}

static int vfio_emulated_dma_map(VFIOContainer *c, hwaddr iova, uint64_t size,
                                 void *vaddr, bool readonly, Error **errp)
{
    VFIOEmulatedContainer *ec = vfio_emulated_of(c);
    VFIOEmulatedMapping *m;
    int ret;

    if (!vfio_emulated_range_ok(iova, size) ||
        !QEMU_IS_ALIGNED((uintptr_t)vaddr, VFIO_EMULATED_PAGE_SIZE)) {
        error_setg_errno(errp, EINVAL, "unaligned DMA mapping");
        return -EINVAL;
    }
    m = vfio_emulated_find_below(ec, iova + size);
    if (m && m->iova + m->size > iova) {
        error_setg_errno(errp, EEXIST, "overlaps the mapping at 0x%" PRIx64,
                         m->iova);
        return -EEXIST;
    }
    if (g_tree_nnodes(ec->mappings) >= ec->dma_entry_limit) {
        error_setg_errno(errp, ENOSPC, "the container's limit of %" PRIu64
                         " DMA mappings is reached", ec->dma_entry_limit);
        return -ENOSPC;
    }
    m = g_new0(VFIOEmulatedMapping, 1);
    m->iova = iova;
    m->size = size;
    m->vaddr = vaddr;
    m->readonly = readonly;
    ret = vfio_emulated_pin(ec, m, errp);
    if (ret) {
        g_free(m);
        return ret;
    }
    g_tree_insert(ec->mappings, &m->iova, m);
    ec->mapped_bytes += size;
    return 0;
}

/*
 * mlock: @gone was unlocked; lock again what other mappings of the same
 * host memory still need (mlock does not count: one munlock undoes all).
 */
static void vfio_emulated_repin(VFIOEmulatedContainer *ec,
                                VFIOEmulatedMapping *gone)
{
    uintptr_t start = (uintptr_t)gone->vaddr;
    uintptr_t end = start + gone->size;
    g_autoptr(GPtrArray) all = vfio_emulated_container_mappings(ec);

    for (guint i = 0; i < all->len; i++) {
        VFIOEmulatedMapping *m = all->pdata[i];
        uintptr_t s = MAX(start, (uintptr_t)m->vaddr);
        uintptr_t e = MIN(end, (uintptr_t)m->vaddr + m->size);

        if (s < e && vfio_mlock((void *)s, e - s)) {
            /* Pinned memory stays allocated anyway; only VmLck differs. */
            warn_report("vfio-emulated-container: re-pinning failed: %s",
                        strerror(errno));
        }
    }
}

static int vfio_emulated_dma_unmap(VFIOContainer *c, hwaddr iova,
                                   uint64_t size, Error **errp)
{
    VFIOEmulatedContainer *ec = vfio_emulated_of(c);
    g_autoptr(GPtrArray) gone =
        g_ptr_array_new_with_free_func(vfio_emulated_mapping_free);
    VFIOEmulatedMapping *m;

    if (!vfio_emulated_range_ok(iova, size)) {
        error_setg_errno(errp, EINVAL, "unaligned DMA unmap");
        return -EINVAL;
    }
    /* Like type1 v2: refuse to cut a mapping at either end. */
    m = vfio_emulated_find_below(ec, iova);
    if (m && m->iova + m->size > iova) {
        error_setg_errno(errp, EINVAL, "would cut the mapping at 0x%" PRIx64,
                         m->iova);
        return -EINVAL;
    }
    m = vfio_emulated_find_below(ec, iova + size);
    if (m && m->iova + m->size > iova + size) {
        error_setg_errno(errp, EINVAL, "would cut the mapping at 0x%" PRIx64,
                         m->iova);
        return -EINVAL;
    }
    while ((m = vfio_emulated_find_below(ec, iova + size)) &&
           m->iova >= iova) {
        g_tree_steal(ec->mappings, &m->iova);
        ec->mapped_bytes -= m->size;
        vfio_emulated_unpin(ec, m);
        g_ptr_array_add(gone, m);
    }
    for (guint i = 0; ec->pin == VFIO_EMULATED_PIN_MLOCK && i < gone->len;
         i++) {
        vfio_emulated_repin(ec, gone->pdata[i]);
    }
    return 0;
}

static const VFIOContainerOps vfio_emulated_ops = {
    .dma_map = vfio_emulated_dma_map,
    .dma_unmap = vfio_emulated_dma_unmap,
};

/* ---- queries ---- */

VFIOContainer *vfio_emulated_container_get(VFIOEmulatedContainer *ec)
{
    return &ec->container;
}

uint64_t vfio_emulated_container_nr_mappings(VFIOEmulatedContainer *ec)
{
    return g_tree_nnodes(ec->mappings);
}

uint64_t vfio_emulated_container_mapped_bytes(VFIOEmulatedContainer *ec)
{
    return ec->mapped_bytes;
}

static gboolean vfio_emulated_collect(gpointer key, gpointer value,
                                      gpointer opaque)
{
    g_ptr_array_add(opaque, value);
    return FALSE;
}

GPtrArray *vfio_emulated_container_mappings(VFIOEmulatedContainer *ec)
{
    GPtrArray *all = g_ptr_array_sized_new(g_tree_nnodes(ec->mappings));

    g_tree_foreach(ec->mappings, vfio_emulated_collect, all);
    return all;
}

static gint vfio_emulated_cmp_vaddr(gconstpointer a, gconstpointer b)
{
    const VFIOEmulatedMapping *x = *(VFIOEmulatedMapping * const *)a;
    const VFIOEmulatedMapping *y = *(VFIOEmulatedMapping * const *)b;

    return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

uint64_t vfio_emulated_container_pinned_bytes(VFIOEmulatedContainer *ec)
{
    g_autoptr(GPtrArray) all = NULL;
    uintptr_t covered = 0;      /* end of the union so far */
    uint64_t pinned = 0;

    if (ec->pin != VFIO_EMULATED_PIN_MLOCK) {
        /* Every fixed buffer accounts its own pages. */
        return ec->mapped_bytes;
    }
    all = vfio_emulated_container_mappings(ec);
    g_ptr_array_sort(all, vfio_emulated_cmp_vaddr);
    for (guint i = 0; i < all->len; i++) {
        VFIOEmulatedMapping *m = all->pdata[i];
        uintptr_t start = MAX((uintptr_t)m->vaddr, covered);
        uintptr_t end = (uintptr_t)m->vaddr + m->size;

        if (end > start) {
            pinned += end - start;
            covered = end;
        }
    }
    return pinned;
}

/* ---- QOM ---- */

static uint64_t vfio_emulated_get_limit(Object *obj, Error **errp)
{
    return VFIO_EMULATED_CONTAINER(obj)->dma_entry_limit;
}

static void vfio_emulated_set_limit(Object *obj, uint64_t value, Error **errp)
{
    VFIOEmulatedContainer *ec = VFIO_EMULATED_CONTAINER(obj);

    if (vfio_container_users(&ec->container)) {
        error_setg(errp, "'dma-entry-limit' cannot be changed while a device "
                   "uses the container");
        return;
    }
    if (!value || value > UINT32_MAX) {
        error_setg(errp, "'dma-entry-limit' must be between 1 and %u",
                   UINT32_MAX);
        return;
    }
    ec->dma_entry_limit = value;
    ec->container.dma_max_mappings = value;
}

static bool vfio_emulated_get_strict(Object *obj, Error **errp)
{
    return VFIO_EMULATED_CONTAINER(obj)->strict_dma_limit;
}

static void vfio_emulated_set_strict(Object *obj, bool value, Error **errp)
{
    VFIOEmulatedContainer *ec = VFIO_EMULATED_CONTAINER(obj);

    ec->strict_dma_limit = value;
    ec->container.strict_dma_limit = value;
}

static char *vfio_emulated_get_pin(Object *obj, Error **errp)
{
    return g_strdup(vfio_emulated_container_pin(VFIO_EMULATED_CONTAINER(obj)));
}

static void vfio_emulated_set_pin(Object *obj, const char *value,
                                  Error **errp)
{
    VFIOEmulatedContainer *ec = VFIO_EMULATED_CONTAINER(obj);

    if (ec->pin != VFIO_EMULATED_PIN_DEFAULT) {
        error_setg(errp, "'pin' cannot be changed once the container pins");
        return;
    }
    if (!strcmp(value, "io-uring")) {
        ec->pin_requested = VFIO_EMULATED_PIN_IO_URING;
    } else if (!strcmp(value, "mlock")) {
        ec->pin_requested = VFIO_EMULATED_PIN_MLOCK;
    } else {
        error_setg(errp, "'pin' must be 'io-uring' or 'mlock', not '%s'",
                   value);
    }
}

static void vfio_emulated_complete(UserCreatable *uc, Error **errp)
{
    VFIOEmulatedContainer *ec = VFIO_EMULATED_CONTAINER(uc);
    const char *id = object_get_canonical_path_component(OBJECT(uc));
    g_autofree char *name = g_strdup_printf("vfio-emulated-container '%s'",
                                            id ? id : "");

    g_free(ec->container.name);
    ec->container.name = g_steal_pointer(&name);
    vfio_emulated_pin_choose(ec, errp);
}

static bool vfio_emulated_can_be_deleted(UserCreatable *uc)
{
    return !vfio_container_users(&VFIO_EMULATED_CONTAINER(uc)->container);
}

static void vfio_emulated_init(Object *obj)
{
    VFIOEmulatedContainer *ec = VFIO_EMULATED_CONTAINER(obj);

    ec->dma_entry_limit = VFIO_DEFAULT_DMA_ENTRY_LIMIT;
    vfio_container_init(&ec->container, &vfio_emulated_ops,
                        "vfio-emulated-container", VFIO_EMULATED_PAGE_SIZE,
                        ec->dma_entry_limit);
    ec->mappings = g_tree_new_full(vfio_emulated_cmp_iova, NULL, NULL,
                                   vfio_emulated_mapping_free);
    ec->rings = g_array_new(false, false, sizeof(int));
    ec->free_slots = g_array_new(false, false, sizeof(uint32_t));
}

static void vfio_emulated_finalize(Object *obj)
{
    VFIOEmulatedContainer *ec = VFIO_EMULATED_CONTAINER(obj);
    g_autoptr(GPtrArray) left = vfio_emulated_container_mappings(ec);

    for (guint i = 0; i < left->len; i++) {
        vfio_emulated_unpin(ec, left->pdata[i]);
    }
    vfio_uring_close(ec);
    g_array_unref(ec->rings);
    g_array_unref(ec->free_slots);
    g_tree_destroy(ec->mappings);
    vfio_container_destroy(&ec->container);
}

static void vfio_emulated_class_init(ObjectClass *oc, void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);
    ObjectProperty *prop;

    ucc->complete = vfio_emulated_complete;
    ucc->can_be_deleted = vfio_emulated_can_be_deleted;

    prop = object_class_property_add_uint64(oc, "dma-entry-limit",
                                            vfio_emulated_get_limit,
                                            vfio_emulated_set_limit);
    object_property_set_default_uint(prop, VFIO_DEFAULT_DMA_ENTRY_LIMIT);
    object_class_property_set_description(oc, "dma-entry-limit",
        "Maximum number of DMA mappings (VFIO type1's dma_entry_limit)");
    prop = object_class_property_add_bool(oc, "strict-dma-limit",
                                          vfio_emulated_get_strict,
                                          vfio_emulated_set_strict);
    object_property_set_default_bool(prop, false);
    object_class_property_set_description(oc, "strict-dma-limit",
        "Refuse sparse RAM that may need more mappings than the limit "
        "(default: warn)");
    object_class_property_add_str(oc, "pin", vfio_emulated_get_pin,
                                  vfio_emulated_set_pin);
    object_class_property_set_description(oc, "pin",
        "How mapped memory is pinned: io-uring (like VFIO type1, the "
        "default) or mlock");
}

static const TypeInfo vfio_emulated_info = {
    .name = TYPE_VFIO_EMULATED_CONTAINER,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(VFIOEmulatedContainer),
    .instance_init = vfio_emulated_init,
    .instance_finalize = vfio_emulated_finalize,
    .class_init = vfio_emulated_class_init,
    .interfaces = (InterfaceInfo[]) {
        { TYPE_USER_CREATABLE },
        { }
    },
};

/* ---- QMP ---- */

static JsonObject *vfio_emulated_mapping_json(VFIOEmulatedMapping *m)
{
    JsonObject *o = json_object_new();

    json_object_set_int_member(o, "iova", m->iova);
    json_object_set_int_member(o, "size", m->size);
    json_object_set_boolean_member(o, "readonly", m->readonly);
    return o;
}

static void qmp_x_query_vfio_container(JsonObject *args, JsonNode **ret,
                                       Error **errp)
{
    const char *id = json_object_get_string_member(args, "id");
    Object *obj = object_resolve_path_component(object_get_objects_root(), id);
    VFIOEmulatedContainer *ec;
    g_autoptr(GPtrArray) all = NULL;
    const GPtrArray *warnings;
    JsonObject *info;
    JsonArray *list;

    ec = obj ? (VFIOEmulatedContainer *)
               object_dynamic_cast(obj, TYPE_VFIO_EMULATED_CONTAINER) : NULL;
    if (!ec) {
        error_setg(errp, "'%s' is not a vfio-emulated-container", id);
        return;
    }
    info = json_object_new();
    json_object_set_string_member(info, "id", id);
    json_object_set_int_member(info, "dma-entry-limit", ec->dma_entry_limit);
    json_object_set_int_member(info, "users",
                               vfio_container_users(&ec->container));
    json_object_set_int_member(info, "nr-mappings",
                               vfio_emulated_container_nr_mappings(ec));
    json_object_set_int_member(info, "worst-case-mappings",
        vfio_container_worst_case_mappings(&ec->container));
    json_object_set_int_member(info, "mapped-bytes", ec->mapped_bytes);
    json_object_set_int_member(info, "pinned-bytes",
                               vfio_emulated_container_pinned_bytes(ec));
    json_object_set_string_member(info, "pin",
                                  vfio_emulated_container_pin(ec));

    list = json_array_new();
    all = vfio_emulated_container_mappings(ec);
    for (guint i = 0; i < all->len; i++) {
        JsonObject *m = vfio_emulated_mapping_json(all->pdata[i]);

        json_array_add_object_element(list, m);
    }
    json_object_set_array_member(info, "mappings", list);

    list = json_array_new();
    warnings = vfio_container_warnings(&ec->container);
    for (guint i = 0; i < warnings->len; i++) {
        json_array_add_string_element(list, warnings->pdata[i]);
    }
    json_object_set_array_member(info, "warnings", list);

    *ret = json_node_init_object(json_node_alloc(), info);
    json_object_unref(info);
}

static void vfio_emulated_register(void)
{
    type_register_static(&vfio_emulated_info);
    qmp_register_command_args("x-query-vfio-container",
                              qmp_x_query_vfio_container, QCO_NO_OPTIONS,
                              "id:str");
}

type_init(vfio_emulated_register)
