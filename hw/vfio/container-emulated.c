/*
 * vfio-emulated-container: VFIO type1 semantics without an IOMMU (see
 * include/hw/vfio/vfio-emulated.h), and QMP x-query-vfio-container.
 */
#include "qemu/osdep.h"
#include <sys/syscall.h>
#include "qapi/qmp/dispatch.h"
#include "qemu/error-report.h"
#include "qom/object_interfaces.h"
#include "hw/vfio/vfio-emulated.h"

#define VFIO_EMULATED_PAGE_SIZE 4096

/*
 * mlock()/munlock() through syscall(): AddressSanitizer intercepts the libc
 * wrappers and turns them into no-ops, which would hide the pins.
 */
static int vfio_pin(void *addr, size_t len)
{
    return syscall(SYS_mlock, addr, len);
}

static int vfio_unpin(void *addr, size_t len)
{
    return syscall(SYS_munlock, addr, len);
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
    if (vfio_pin(vaddr, size)) {
        int err = errno;

        error_setg_errno(errp, err, "pinning 0x%" PRIx64 " bytes with mlock() "
                         "failed (needs CAP_IPC_LOCK or a large enough "
                         "RLIMIT_MEMLOCK)", size);
        return -err;
    }
    m = g_new0(VFIOEmulatedMapping, 1);
    m->iova = iova;
    m->size = size;
    m->vaddr = vaddr;
    m->readonly = readonly;
    g_tree_insert(ec->mappings, &m->iova, m);
    ec->mapped_bytes += size;
    return 0;
}

/*
 * @gone was unpinned; pin again what other mappings of the same host
 * memory still need (mlock does not count: one munlock undoes all).
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

        if (s < e && vfio_pin((void *)s, e - s)) {
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
    g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func(g_free);
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
        vfio_unpin(m->vaddr, m->size);
        g_ptr_array_add(gone, m);
    }
    for (guint i = 0; i < gone->len; i++) {
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
    g_autoptr(GPtrArray) all = vfio_emulated_container_mappings(ec);
    uintptr_t covered = 0;      /* end of the union so far */
    uint64_t pinned = 0;

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

static void vfio_emulated_complete(UserCreatable *uc, Error **errp)
{
    VFIOEmulatedContainer *ec = VFIO_EMULATED_CONTAINER(uc);
    const char *id = object_get_canonical_path_component(OBJECT(uc));
    g_autofree char *name = g_strdup_printf("vfio-emulated-container '%s'",
                                            id ? id : "");

    g_free(ec->container.name);
    ec->container.name = g_steal_pointer(&name);
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
                                   g_free);
}

static void vfio_emulated_finalize(Object *obj)
{
    VFIOEmulatedContainer *ec = VFIO_EMULATED_CONTAINER(obj);
    g_autoptr(GPtrArray) left = vfio_emulated_container_mappings(ec);

    for (guint i = 0; i < left->len; i++) {
        VFIOEmulatedMapping *m = left->pdata[i];

        vfio_unpin(m->vaddr, m->size);
    }
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
