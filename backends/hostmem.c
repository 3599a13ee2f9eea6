/*
 * Host memory backend: the abstract base of memory-backend-{ram,memfd,file}.
 */
#include "qemu/osdep.h"

#include <sys/mman.h>

#include "sysemu/hostmem.h"
#include "exec/ram_addr.h"
#include "qapi/error.h"
#include "qemu/module.h"
#include "qom/object_interfaces.h"

char *host_memory_backend_get_name(HostMemoryBackend *backend)
{
    Object *obj = OBJECT(backend);
    const char *id;

    if (backend->use_canonical_path) {
        return object_get_canonical_path(obj);
    }
    id = object_get_canonical_path_component(obj);
    /* Not added to /objects (e.g. object_new() in a test): use the type. */
    return g_strdup(id ? id : object_get_typename(obj));
}

bool host_memory_backend_mr_inited(HostMemoryBackend *backend)
{
    return backend->mr.ram_block != NULL;
}

MemoryRegion *host_memory_backend_get_memory(HostMemoryBackend *backend)
{
    return host_memory_backend_mr_inited(backend) ? &backend->mr : NULL;
}

void host_memory_backend_set_mapped(HostMemoryBackend *backend, bool mapped)
{
    backend->is_mapped = mapped;
}

bool host_memory_backend_is_mapped(HostMemoryBackend *backend)
{
    return backend->is_mapped;
}

size_t host_memory_backend_pagesize(HostMemoryBackend *memdev)
{
    g_assert(host_memory_backend_mr_inited(memdev));
    return qemu_ram_pagesize(memdev->mr.ram_block);
}

static void backend_madvise(HostMemoryBackend *backend, int advice)
{
    /* Advisory only (e.g. KSM may be compiled out): errors are ignored. */
    (void)madvise(memory_region_get_ram_ptr(&backend->mr),
                  memory_region_size(&backend->mr), advice);
}

static bool backend_prealloc(HostMemoryBackend *backend, Error **errp)
{
    return qemu_prealloc_mem(memory_region_get_fd(&backend->mr),
                             memory_region_get_ram_ptr(&backend->mr),
                             memory_region_size(&backend->mr),
                             backend->prealloc_threads, false, errp);
}

/* Properties */

static void error_set_immutable(Object *obj, const char *name, Error **errp)
{
    error_setg(errp, "cannot change property %s of %s", name,
               object_get_typename(obj));
}

static uint64_t host_memory_backend_get_size(Object *obj, Error **errp)
{
    return MEMORY_BACKEND(obj)->size;
}

static void host_memory_backend_set_size(Object *obj, uint64_t value,
                                         Error **errp)
{
    HostMemoryBackend *backend = MEMORY_BACKEND(obj);

    if (host_memory_backend_mr_inited(backend)) {
        error_set_immutable(obj, "size", errp);
        return;
    }
    if (!value) {
        error_setg(errp, "property 'size' of %s doesn't take value '%" PRIu64
                   "'", object_get_typename(obj), value);
        return;
    }
    backend->size = value;
}

static bool host_memory_backend_get_share(Object *obj, Error **errp)
{
    return MEMORY_BACKEND(obj)->share;
}

static void host_memory_backend_set_share(Object *obj, bool value,
                                          Error **errp)
{
    HostMemoryBackend *backend = MEMORY_BACKEND(obj);

    if (host_memory_backend_mr_inited(backend)) {
        error_setg(errp, "cannot change property value");
        return;
    }
    backend->share = value;
}

static bool host_memory_backend_get_reserve(Object *obj, Error **errp)
{
    return MEMORY_BACKEND(obj)->reserve;
}

static void host_memory_backend_set_reserve(Object *obj, bool value,
                                            Error **errp)
{
    HostMemoryBackend *backend = MEMORY_BACKEND(obj);

    if (host_memory_backend_mr_inited(backend)) {
        error_setg(errp, "cannot change property value");
        return;
    }
    if (backend->prealloc && !value) {
        error_setg(errp, "'prealloc=on' and 'reserve=off' are incompatible");
        return;
    }
    backend->reserve = value;
}

static bool host_memory_backend_get_prealloc(Object *obj, Error **errp)
{
    return MEMORY_BACKEND(obj)->prealloc;
}

static void host_memory_backend_set_prealloc(Object *obj, bool value,
                                             Error **errp)
{
    HostMemoryBackend *backend = MEMORY_BACKEND(obj);

    if (value && !backend->reserve) {
        error_setg(errp, "'prealloc=on' and 'reserve=off' are incompatible");
        return;
    }
    /* Turning it on for existing memory preallocates right away. */
    if (value && !backend->prealloc &&
        host_memory_backend_mr_inited(backend) &&
        !backend_prealloc(backend, errp)) {
        return;
    }
    backend->prealloc = value;
}

static uint64_t host_memory_backend_get_prealloc_threads(Object *obj,
                                                         Error **errp)
{
    return MEMORY_BACKEND(obj)->prealloc_threads;
}

static void host_memory_backend_set_prealloc_threads(Object *obj,
                                                     uint64_t value,
                                                     Error **errp)
{
    if (!value || value > UINT32_MAX) {
        error_setg(errp, "property 'prealloc-threads' of %s doesn't take"
                   " value '%" PRIu64 "'", object_get_typename(obj), value);
        return;
    }
    MEMORY_BACKEND(obj)->prealloc_threads = value;
}

static bool host_memory_backend_get_merge(Object *obj, Error **errp)
{
    return MEMORY_BACKEND(obj)->merge;
}

static void host_memory_backend_set_merge(Object *obj, bool value,
                                          Error **errp)
{
    HostMemoryBackend *backend = MEMORY_BACKEND(obj);

    if (host_memory_backend_mr_inited(backend) && value != backend->merge) {
        backend_madvise(backend, value ? MADV_MERGEABLE : MADV_UNMERGEABLE);
    }
    backend->merge = value;
}

static bool host_memory_backend_get_dump(Object *obj, Error **errp)
{
    return MEMORY_BACKEND(obj)->dump;
}

static void host_memory_backend_set_dump(Object *obj, bool value,
                                         Error **errp)
{
    HostMemoryBackend *backend = MEMORY_BACKEND(obj);

    if (host_memory_backend_mr_inited(backend) && value != backend->dump) {
        backend_madvise(backend, value ? MADV_DODUMP : MADV_DONTDUMP);
    }
    backend->dump = value;
}

static bool host_memory_backend_get_use_canonical_path(Object *obj,
                                                       Error **errp)
{
    return MEMORY_BACKEND(obj)->use_canonical_path;
}

static void host_memory_backend_set_use_canonical_path(Object *obj,
                                                       bool value,
                                                       Error **errp)
{
    MEMORY_BACKEND(obj)->use_canonical_path = value;
}

/* UserCreatable */

/*
 * Name the RAMBlock after the backend (its id, or canonical path), as
 * QEMU does when a backend's memory gets registered.  Backends that are
 * not in /objects have no id: their blocks stay unnamed.
 */
static void host_memory_backend_name_ramblock(HostMemoryBackend *backend)
{
    RAMBlock *rb = backend->mr.ram_block;
    g_autofree char *name = NULL;

    if (qemu_ram_get_idstr(rb)[0] ||
        !object_get_canonical_path_component(OBJECT(backend))) {
        return;
    }
    name = host_memory_backend_get_name(backend);
    qemu_ram_set_idstr(rb, name, NULL);
}

static void host_memory_backend_memory_complete(UserCreatable *uc,
                                                Error **errp)
{
    HostMemoryBackend *backend = MEMORY_BACKEND(uc);
    HostMemoryBackendClass *bc = MEMORY_BACKEND_GET_CLASS(uc);

    if (!bc->alloc(backend, errp)) {
        return;
    }
    g_assert(host_memory_backend_mr_inited(backend));
    host_memory_backend_name_ramblock(backend);

    if (backend->merge) {
        backend_madvise(backend, MADV_MERGEABLE);
    }
    if (!backend->dump) {
        backend_madvise(backend, MADV_DONTDUMP);
    }
    if (backend->prealloc) {
        backend_prealloc(backend, errp);
    }
}

static bool host_memory_backend_can_be_deleted(UserCreatable *uc)
{
    return !host_memory_backend_is_mapped(MEMORY_BACKEND(uc));
}

static void host_memory_backend_class_init(ObjectClass *oc, void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);
    ObjectProperty *prop;

    ucc->complete = host_memory_backend_memory_complete;
    ucc->can_be_deleted = host_memory_backend_can_be_deleted;

    object_class_property_add_size(oc, "size", host_memory_backend_get_size,
                                   host_memory_backend_set_size);
    object_class_property_set_description(oc, "size",
        "Size of the memory region (ex: 500M)");

    object_class_property_add_bool(oc, "share", host_memory_backend_get_share,
                                   host_memory_backend_set_share);
    object_class_property_set_description(oc, "share",
        "Mark the memory as private to the VMM or shared");

    prop = object_class_property_add_bool(oc, "reserve",
                                          host_memory_backend_get_reserve,
                                          host_memory_backend_set_reserve);
    object_property_set_default_bool(prop, true);
    object_class_property_set_description(oc, "reserve",
        "Reserve swap space (or huge pages) if applicable");

    object_class_property_add_bool(oc, "prealloc",
                                   host_memory_backend_get_prealloc,
                                   host_memory_backend_set_prealloc);
    object_class_property_set_description(oc, "prealloc",
        "Preallocate memory");

    prop = object_class_property_add_uint64(oc, "prealloc-threads",
                                     host_memory_backend_get_prealloc_threads,
                                     host_memory_backend_set_prealloc_threads);
    object_property_set_default_uint(prop, 1);
    object_class_property_set_description(oc, "prealloc-threads",
        "Number of CPU threads to use for prealloc");

    prop = object_class_property_add_bool(oc, "merge",
                                          host_memory_backend_get_merge,
                                          host_memory_backend_set_merge);
    object_property_set_default_bool(prop, true);
    object_class_property_set_description(oc, "merge",
        "Mark memory as mergeable");

    prop = object_class_property_add_bool(oc, "dump",
                                          host_memory_backend_get_dump,
                                          host_memory_backend_set_dump);
    object_property_set_default_bool(prop, true);
    object_class_property_set_description(oc, "dump",
        "Set to 'off' to exclude from core dump");

    object_class_property_add_bool(oc, "x-use-canonical-path-for-ramblock-id",
        host_memory_backend_get_use_canonical_path,
        host_memory_backend_set_use_canonical_path);
    object_class_property_set_description(oc,
        "x-use-canonical-path-for-ramblock-id",
        "Name the memory after the canonical path, not the id");
}

static const TypeInfo host_memory_backend_info = {
    .name = TYPE_MEMORY_BACKEND,
    .parent = TYPE_OBJECT,
    .abstract = true,
    .class_size = sizeof(HostMemoryBackendClass),
    .class_init = host_memory_backend_class_init,
    .instance_size = sizeof(HostMemoryBackend),
    .interfaces = (InterfaceInfo[]) {
        { TYPE_USER_CREATABLE },
        { }
    },
};

static void host_memory_backend_register_types(void)
{
    type_register_static(&host_memory_backend_info);
}

type_init(host_memory_backend_register_types)
