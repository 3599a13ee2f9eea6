/*
 * memory-backend-memfd: memory from a memfd (optionally hugetlb, sealed).
 */
#include "qemu/osdep.h"

/* Before <sys/mman.h>, which then skips its own MFD_* definitions. */
#include <linux/memfd.h>
#include <sys/mman.h>
#include <fcntl.h>

#include "sysemu/hostmem.h"
#include "qapi/error.h"
#include "qemu/module.h"

OBJECT_DECLARE_SIMPLE_TYPE(HostMemoryBackendMemfd, MEMORY_BACKEND_MEMFD)

struct HostMemoryBackendMemfd {
    HostMemoryBackend parent_obj;

    bool hugetlb;
    uint64_t hugetlbsize;
    bool seal;
};

static unsigned int memfd_backend_flags(HostMemoryBackendMemfd *m)
{
    unsigned int flags = MFD_CLOEXEC;

    if (m->seal) {
        flags |= MFD_ALLOW_SEALING;
    }
    if (m->hugetlb) {
        flags |= MFD_HUGETLB;
        if (m->hugetlbsize) {
            /* The kernel wants log2 of the huge page size. */
            flags |= ((unsigned int)__builtin_ctzll(m->hugetlbsize) &
                      MFD_HUGE_MASK) << MFD_HUGE_SHIFT;
        }
    }
    return flags;
}

/* A memfd of @size bytes, sealed against resizing if requested. */
static int memfd_backend_create_fd(HostMemoryBackendMemfd *m, uint64_t size,
                                   Error **errp)
{
    const unsigned int flags = memfd_backend_flags(m);
    const int seals = F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL;
    int fd = memfd_create(TYPE_MEMORY_BACKEND_MEMFD, flags);

    if (fd < 0) {
        error_setg_errno(errp, errno, "failed to create memfd with flags 0x%x",
                         flags);
        return -1;
    }
    if (ftruncate(fd, size) < 0) {
        error_setg_errno(errp, errno, "failed to resize memfd to %" PRIu64,
                         size);
        goto fail;
    }
    if (m->seal && fcntl(fd, F_ADD_SEALS, seals) < 0) {
        error_setg_errno(errp, errno, "failed to add seals 0x%x", seals);
        goto fail;
    }
    return fd;

fail:
    close(fd);
    return -1;
}

static bool memfd_backend_memory_alloc(HostMemoryBackend *backend,
                                       Error **errp)
{
    HostMemoryBackendMemfd *m = MEMORY_BACKEND_MEMFD(backend);
    g_autofree char *name = NULL;
    uint32_t ram_flags;
    int fd;

    if (!backend->size) {
        error_setg(errp, "can't create backend with size 0");
        return false;
    }

    fd = memfd_backend_create_fd(m, backend->size, errp);
    if (fd < 0) {
        return false;
    }

    name = host_memory_backend_get_name(backend);
    ram_flags = backend->share ? RAM_SHARED : RAM_PRIVATE;
    ram_flags |= backend->reserve ? 0 : RAM_NORESERVE;
    if (!memory_region_init_ram_from_fd(&backend->mr, OBJECT(backend), name,
                                        backend->size, ram_flags, fd, 0,
                                        errp)) {
        close(fd);
        return false;
    }
    /* The RAMBlock owns the fd now. */
    return true;
}

static bool memfd_backend_check_mutable(Object *obj, Error **errp)
{
    if (host_memory_backend_mr_inited(MEMORY_BACKEND(obj))) {
        error_setg(errp, "cannot change property value");
        return false;
    }
    return true;
}

static bool memfd_backend_get_hugetlb(Object *obj, Error **errp)
{
    return MEMORY_BACKEND_MEMFD(obj)->hugetlb;
}

static void memfd_backend_set_hugetlb(Object *obj, bool value, Error **errp)
{
    if (memfd_backend_check_mutable(obj, errp)) {
        MEMORY_BACKEND_MEMFD(obj)->hugetlb = value;
    }
}

static uint64_t memfd_backend_get_hugetlbsize(Object *obj, Error **errp)
{
    return MEMORY_BACKEND_MEMFD(obj)->hugetlbsize;
}

static void memfd_backend_set_hugetlbsize(Object *obj, uint64_t value,
                                          Error **errp)
{
    if (!memfd_backend_check_mutable(obj, errp)) {
        return;
    }
    if (!value || (value & (value - 1))) {
        error_setg(errp, "property 'hugetlbsize' of %s doesn't take value '%"
                   PRIu64 "'", object_get_typename(obj), value);
        return;
    }
    MEMORY_BACKEND_MEMFD(obj)->hugetlbsize = value;
}

static bool memfd_backend_get_seal(Object *obj, Error **errp)
{
    return MEMORY_BACKEND_MEMFD(obj)->seal;
}

static void memfd_backend_set_seal(Object *obj, bool value, Error **errp)
{
    if (memfd_backend_check_mutable(obj, errp)) {
        MEMORY_BACKEND_MEMFD(obj)->seal = value;
    }
}

static void memfd_backend_instance_init(Object *obj)
{
    /* A memfd exists to be shared: default to share=on, as QEMU does. */
    MEMORY_BACKEND(obj)->share = true;
}

static void memfd_backend_class_init(ObjectClass *oc, void *data)
{
    HostMemoryBackendClass *bc = MEMORY_BACKEND_CLASS(oc);
    ObjectProperty *prop;

    bc->alloc = memfd_backend_memory_alloc;

    object_class_property_add_bool(oc, "hugetlb", memfd_backend_get_hugetlb,
                                   memfd_backend_set_hugetlb);
    object_class_property_set_description(oc, "hugetlb",
        "Use huge pages");
    object_class_property_add_size(oc, "hugetlbsize",
                                   memfd_backend_get_hugetlbsize,
                                   memfd_backend_set_hugetlbsize);
    object_class_property_set_description(oc, "hugetlbsize",
        "Huge pages size (ex: 2M, 1G)");
    prop = object_class_property_add_bool(oc, "seal", memfd_backend_get_seal,
                                          memfd_backend_set_seal);
    object_property_set_default_bool(prop, true);
    object_class_property_set_description(oc, "seal",
        "Seal growing & shrinking");
}

static const TypeInfo memfd_backend_info = {
    .name = TYPE_MEMORY_BACKEND_MEMFD,
    .parent = TYPE_MEMORY_BACKEND,
    .instance_init = memfd_backend_instance_init,
    .class_init = memfd_backend_class_init,
    .instance_size = sizeof(HostMemoryBackendMemfd),
};

static void memfd_backend_register_types(void)
{
    type_register_static(&memfd_backend_info);
}

type_init(memfd_backend_register_types)
