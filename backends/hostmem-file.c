/*
 * memory-backend-file: memory mapped from a file, or from an unlinked
 * temporary file when mem-path is a directory (e.g. a hugetlbfs mount).
 */
#include "qemu/osdep.h"

#include "sysemu/hostmem.h"
#include "exec/ram_addr.h"
#include "qapi/error.h"
#include "qemu/module.h"

OBJECT_DECLARE_SIMPLE_TYPE(HostMemoryBackendFile, MEMORY_BACKEND_FILE)

struct HostMemoryBackendFile {
    HostMemoryBackend parent_obj;

    char *mem_path;
    uint64_t align;
    uint64_t offset;
    bool discard_data;
    bool readonly;
};

static bool file_backend_memory_alloc(HostMemoryBackend *backend,
                                      Error **errp)
{
    HostMemoryBackendFile *fb = MEMORY_BACKEND_FILE(backend);
    g_autofree char *name = NULL;
    uint32_t ram_flags;

    if (!backend->size) {
        error_setg(errp, "can't create backend with size 0");
        return false;
    }
    if (!fb->mem_path) {
        error_setg(errp, "mem-path property not set");
        return false;
    }

    name = host_memory_backend_get_name(backend);
    ram_flags = backend->share ? RAM_SHARED : RAM_PRIVATE;
    ram_flags |= backend->reserve ? 0 : RAM_NORESERVE;
    ram_flags |= fb->readonly ? RAM_READONLY : 0;
    return memory_region_init_ram_from_file(&backend->mr, OBJECT(backend),
                                            name, backend->size, fb->align,
                                            ram_flags, fb->mem_path,
                                            fb->offset, errp);
}

static bool file_backend_check_mutable(Object *obj, const char *name,
                                       Error **errp)
{
    if (host_memory_backend_mr_inited(MEMORY_BACKEND(obj))) {
        error_setg(errp, "cannot change property '%s' of %s", name,
                   object_get_typename(obj));
        return false;
    }
    return true;
}

static char *file_backend_get_mem_path(Object *obj, Error **errp)
{
    return g_strdup(MEMORY_BACKEND_FILE(obj)->mem_path);
}

static void file_backend_set_mem_path(Object *obj, const char *value,
                                      Error **errp)
{
    HostMemoryBackendFile *fb = MEMORY_BACKEND_FILE(obj);

    if (file_backend_check_mutable(obj, "mem-path", errp)) {
        g_free(fb->mem_path);
        fb->mem_path = g_strdup(value);
    }
}

static uint64_t file_backend_get_align(Object *obj, Error **errp)
{
    return MEMORY_BACKEND_FILE(obj)->align;
}

static void file_backend_set_align(Object *obj, uint64_t value, Error **errp)
{
    if (file_backend_check_mutable(obj, "align", errp)) {
        MEMORY_BACKEND_FILE(obj)->align = value;
    }
}

static uint64_t file_backend_get_offset(Object *obj, Error **errp)
{
    return MEMORY_BACKEND_FILE(obj)->offset;
}

static void file_backend_set_offset(Object *obj, uint64_t value,
                                    Error **errp)
{
    if (file_backend_check_mutable(obj, "offset", errp)) {
        MEMORY_BACKEND_FILE(obj)->offset = value;
    }
}

static bool file_backend_get_readonly(Object *obj, Error **errp)
{
    return MEMORY_BACKEND_FILE(obj)->readonly;
}

static void file_backend_set_readonly(Object *obj, bool value, Error **errp)
{
    if (file_backend_check_mutable(obj, "readonly", errp)) {
        MEMORY_BACKEND_FILE(obj)->readonly = value;
    }
}

static bool file_backend_get_discard_data(Object *obj, Error **errp)
{
    return MEMORY_BACKEND_FILE(obj)->discard_data;
}

static void file_backend_set_discard_data(Object *obj, bool value,
                                          Error **errp)
{
    MEMORY_BACKEND_FILE(obj)->discard_data = value;
}

/* discard-data: the data is of no use to anyone once the backend goes. */
static void file_backend_unparent(Object *obj)
{
    HostMemoryBackend *backend = MEMORY_BACKEND(obj);
    RAMBlock *rb = backend->mr.ram_block;

    if (host_memory_backend_mr_inited(backend) &&
        MEMORY_BACKEND_FILE(obj)->discard_data) {
        ram_block_discard_range(rb, 0, qemu_ram_get_used_length(rb));
    }
}

static void file_backend_instance_finalize(Object *obj)
{
    g_free(MEMORY_BACKEND_FILE(obj)->mem_path);
}

static void file_backend_class_init(ObjectClass *oc, void *data)
{
    HostMemoryBackendClass *bc = MEMORY_BACKEND_CLASS(oc);

    bc->alloc = file_backend_memory_alloc;
    oc->unparent = file_backend_unparent;

    object_class_property_add_str(oc, "mem-path", file_backend_get_mem_path,
                                  file_backend_set_mem_path);
    object_class_property_set_description(oc, "mem-path",
        "File (or directory for a temporary file) backing the memory");
    object_class_property_add_size(oc, "align", file_backend_get_align,
                                   file_backend_set_align);
    object_class_property_set_description(oc, "align",
        "Alignment of the host mapping");
    object_class_property_add_size(oc, "offset", file_backend_get_offset,
                                   file_backend_set_offset);
    object_class_property_set_description(oc, "offset",
        "Offset into the target file (ex: 1G)");
    object_class_property_add_bool(oc, "readonly", file_backend_get_readonly,
                                   file_backend_set_readonly);
    object_class_property_set_description(oc, "readonly",
        "Open the file and map the memory read-only");
    object_class_property_add_bool(oc, "discard-data",
                                   file_backend_get_discard_data,
                                   file_backend_set_discard_data);
    object_class_property_set_description(oc, "discard-data",
        "Discard the file's data when the backend is removed");
}

static const TypeInfo file_backend_info = {
    .name = TYPE_MEMORY_BACKEND_FILE,
    .parent = TYPE_MEMORY_BACKEND,
    .class_init = file_backend_class_init,
    .instance_finalize = file_backend_instance_finalize,
    .instance_size = sizeof(HostMemoryBackendFile),
};

static void file_backend_register_types(void)
{
    type_register_static(&file_backend_info);
}

type_init(file_backend_register_types)
