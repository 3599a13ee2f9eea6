/*
 * Host memory backends created from -object option strings: properties,
 * the memory they end up with, and their error messages.
 */
#include "qemu/osdep.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "sysemu/hostmem.h"
#include "exec/ram_addr.h"
#include "qapi/error.h"
#include "qom/object_interfaces.h"

static char *tmp_dir;

static size_t page_size(void)
{
    return qemu_real_host_page_size();
}

static Object *find_object(const char *id)
{
    return object_resolve_path_component(object_get_objects_root(), id);
}

static HostMemoryBackend *add_backend(const char *fmt, ...)
    G_GNUC_PRINTF(1, 2);

static HostMemoryBackend *add_backend(const char *fmt, ...)
{
    g_autofree char *opts = NULL;
    g_auto(GStrv) parts = NULL;
    const char *id = NULL;
    va_list ap;
    int i;

    va_start(ap, fmt);
    opts = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    g_assert_true(user_creatable_add_from_str(opts, &error_abort));
    parts = g_strsplit(opts, ",", -1);
    for (i = 0; parts[i]; i++) {
        if (g_str_has_prefix(parts[i], "id=")) {
            id = parts[i] + 3;
        }
    }
    g_assert_nonnull(id);
    return MEMORY_BACKEND(find_object(id));
}

static void del_backend(const char *id)
{
    g_assert_true(user_creatable_del(id, &error_abort));
    g_assert_null(find_object(id));
}

static size_t resident_pages(void *host, size_t length)
{
    size_t npages = length / page_size();
    g_autofree unsigned char *vec = g_malloc(npages);
    size_t i, count = 0;

    g_assert_cmpint(mincore(host, length, vec), ==, 0);
    for (i = 0; i < npages; i++) {
        count += vec[i] & 1;
    }
    return count;
}

static uint64_t rss_bytes(void)
{
    g_autofree char *statm = NULL;
    g_auto(GStrv) fields = NULL;

    g_assert_true(g_file_get_contents("/proc/self/statm", &statm, NULL,
                                      NULL));
    fields = g_strsplit(statm, " ", -1);
    return g_ascii_strtoull(fields[1], NULL, 10) * page_size();
}

/* The VmFlags line of the mapping that starts at @host, from smaps. */
static char *mapping_vmflags(void *host)
{
    g_autofree char *smaps = NULL;
    g_autofree char *start = g_strdup_printf("\n%" PRIxPTR "-",
                                             (uintptr_t)host);
    const char *map, *flags;

    g_assert_true(g_file_get_contents("/proc/self/smaps", &smaps, NULL,
                                      NULL));
    map = strstr(smaps, start);
    g_assert_nonnull(map);
    flags = strstr(map, "VmFlags:");
    g_assert_nonnull(flags);
    return g_strndup(flags, strcspn(flags, "\n"));
}

static void test_ram_basic(void)
{
    HostMemoryBackend *b = add_backend("memory-backend-ram,id=ram0,size=64M");
    Object *obj = OBJECT(b);
    MemoryRegion *mr = host_memory_backend_get_memory(b);
    RAMBlock *rb;
    g_autofree char *name = host_memory_backend_get_name(b);

    g_assert_cmpstr(object_get_typename(obj), ==, TYPE_MEMORY_BACKEND_RAM);
    g_assert_cmpuint(object_property_get_uint(obj, "size", &error_abort), ==,
                     64 * MiB);
    g_assert_false(object_property_get_bool(obj, "share", &error_abort));
    g_assert_true(object_property_get_bool(obj, "reserve", &error_abort));
    g_assert_false(object_property_get_bool(obj, "prealloc", &error_abort));
    g_assert_true(object_property_get_bool(obj, "merge", &error_abort));
    g_assert_true(object_property_get_bool(obj, "dump", &error_abort));
    g_assert_cmpuint(object_property_get_uint(obj, "prealloc-threads",
                                              &error_abort), ==, 1);
    g_assert_cmpstr(name, ==, "ram0");

    g_assert_true(host_memory_backend_mr_inited(b));
    g_assert_true(mr == &b->mr);
    g_assert_true(memory_region_is_ram(mr));
    g_assert_cmpuint(memory_region_size(mr), ==, 64 * MiB);
    g_assert_cmpstr(memory_region_name(mr), ==, "ram0");
    g_assert_true(memory_region_owner(mr) == obj);

    rb = mr->ram_block;
    g_assert_nonnull(rb);
    g_assert_cmpuint(qemu_ram_get_used_length(rb), ==, 64 * MiB);
    g_assert_false(qemu_ram_is_shared(rb));
    g_assert_false(qemu_ram_is_noreserve(rb));
    g_assert_cmpint(qemu_ram_get_fd(rb), ==, -1);
    g_assert_cmpuint(host_memory_backend_pagesize(b), ==, page_size());
    g_assert_true(memory_region_get_ram_ptr(mr) == qemu_ram_get_host_addr(rb));
    /* The RAMBlock is named after the backend. */
    g_assert_cmpstr(qemu_ram_get_idstr(rb), ==, "ram0");
    g_assert_true(qemu_ram_block_by_name("ram0") == rb);

    /* Nothing is populated until used. */
    g_assert_cmpuint(resident_pages(qemu_ram_get_host_addr(rb), 64 * MiB), ==,
                     0);

    del_backend("ram0");
}

static void test_ram_share(void)
{
    HostMemoryBackend *b = add_backend("memory-backend-ram,id=shr0,size=4M,"
                                       "share=on");
    RAMBlock *rb = b->mr.ram_block;
    uint8_t *host = qemu_ram_get_host_addr(rb);
    uint8_t byte = 0;

    g_assert_true(object_property_get_bool(OBJECT(b), "share", &error_abort));
    g_assert_true(qemu_ram_is_shared(rb));
    g_assert_cmpint(memory_region_get_fd(&b->mr), >=, 0);

    /* The memory really is the memfd's: a write shows through the fd. */
    host[3 * MiB + 5] = 0xa5;
    g_assert_cmpint(pread(memory_region_get_fd(&b->mr), &byte, 1,
                          3 * MiB + 5), ==, 1);
    g_assert_cmpuint(byte, ==, 0xa5);

    del_backend("shr0");
}

/* 64 GiB / 1 TiB with reserve=off: address space only, no RSS. */
static void test_ram_huge_noreserve(void)
{
    static const struct {
        const char *opts, *id;
        uint64_t size;
    } cases[] = {
        { "memory-backend-ram,id=big0,size=64G,reserve=off", "big0",
          64 * GiB },
        { "memory-backend-ram,id=big1,size=1T,reserve=off", "big1", TiB },
        { "memory-backend-memfd,id=big2,size=64G,reserve=off", "big2",
          64 * GiB },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        uint64_t rss_before = rss_bytes();
        HostMemoryBackend *b = add_backend("%s", cases[i].opts);
        RAMBlock *rb = b->mr.ram_block;
        uint8_t *last;

        g_assert_false(object_property_get_bool(OBJECT(b), "reserve",
                                                &error_abort));
        g_assert_true(qemu_ram_is_noreserve(rb));
        g_assert_cmpuint(memory_region_size(&b->mr), ==, cases[i].size);
        g_assert_cmpuint(rss_bytes(), <=, rss_before + 1 * MiB);

        last = (uint8_t *)qemu_ram_get_host_addr(rb) + cases[i].size - 1;
        *last = 0x77;
        g_assert_cmpuint(*last, ==, 0x77);
        g_assert_cmpuint(rss_bytes(), <=, rss_before + 2 * MiB);
        del_backend(cases[i].id);
    }
}

static void test_immutable_after_complete(void)
{
    HostMemoryBackend *b = add_backend("memory-backend-ram,id=imm0,size=8M");
    Object *obj = OBJECT(b);
    Error *err = NULL;

    g_assert_false(object_property_set_uint(obj, "size", 16 * MiB, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "cannot change property size of memory-backend-ram");
    error_free(err);
    err = NULL;
    g_assert_cmpuint(object_property_get_uint(obj, "size", &error_abort), ==,
                     8 * MiB);

    g_assert_false(object_property_set_bool(obj, "share", true, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "cannot change property value");
    error_free(err);
    err = NULL;
    g_assert_false(object_property_set_bool(obj, "reserve", false, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "cannot change property value");
    error_free(err);
    err = NULL;
    g_assert_false(object_property_get_bool(obj, "share", &error_abort));
    g_assert_true(object_property_get_bool(obj, "reserve", &error_abort));

    del_backend("imm0");
}

/* object_new() + setters + complete, without the option-string path. */
static void test_object_new_complete(void)
{
    Object *obj = object_new(TYPE_MEMORY_BACKEND_MEMFD);
    HostMemoryBackend *b = MEMORY_BACKEND(obj);

    g_assert_false(host_memory_backend_mr_inited(b));
    g_assert_null(host_memory_backend_get_memory(b));
    /* Before completion everything may change. */
    object_property_set_uint(obj, "size", 2 * MiB, &error_abort);
    object_property_set_uint(obj, "size", 6 * MiB, &error_abort);
    object_property_set_bool(obj, "share", false, &error_abort);
    object_property_set_bool(obj, "seal", false, &error_abort);
    g_assert_true(user_creatable_complete(USER_CREATABLE(obj),
                                          &error_abort));

    g_assert_cmpuint(memory_region_size(&b->mr), ==, 6 * MiB);
    g_assert_false(qemu_ram_is_shared(b->mr.ram_block));
    g_assert_cmpint(qemu_ram_get_fd(b->mr.ram_block), >=, 0);
    /* Without an id there is no name for the RAMBlock. */
    g_assert_cmpstr(qemu_ram_get_idstr(b->mr.ram_block), ==, "");
    object_unref(obj);
}

typedef struct ErrorCase {
    const char *opts;
    const char *msg;
} ErrorCase;

static void check_error_case(const char *opts, const char *msg)
{
    Error *err = NULL;

    g_test_message("%s", opts);
    g_assert_false(user_creatable_add_from_str(opts, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
    /* Nothing is left behind. */
    g_assert_null(find_object("e0"));
}

static void test_errors(void)
{
    static const ErrorCase cases[] = {
        { "memory-backend-ram,id=e0,size=0",
          "property 'size' of memory-backend-ram doesn't take value '0'" },
        { "memory-backend-ram,id=e0",
          "can't create backend with size 0" },
        { "memory-backend-memfd,id=e0",
          "can't create backend with size 0" },
        { "memory-backend-file,id=e0",
          "can't create backend with size 0" },
        { "memory-backend-file,id=e0,size=1M",
          "mem-path property not set" },
        { "memory-backend-ram,id=e0,size=1M,reserve=off,prealloc=on",
          "'prealloc=on' and 'reserve=off' are incompatible" },
        { "memory-backend-ram,id=e0,size=1M,prealloc=on,reserve=off",
          "'prealloc=on' and 'reserve=off' are incompatible" },
        { "memory-backend-ram,id=e0,size=banana",
          "Parameter 'size' expects a size" },
        { "memory-backend-ram,id=e0,size=1M,share=maybe",
          "Parameter 'share' expects 'on' or 'off'" },
        { "memory-backend-ram,id=e0,size=1M,prealloc-threads=0",
          "property 'prealloc-threads' of memory-backend-ram doesn't take"
          " value '0'" },
        { "memory-backend-memfd,id=e0,size=4M,hugetlbsize=3M",
          "property 'hugetlbsize' of memory-backend-memfd doesn't take"
          " value '3145728'" },
        { "memory-backend-ram,id=e0,size=1M,bogus=1",
          "Property 'memory-backend-ram.bogus' not found" },
        { "memory-backend,id=e0,size=1M",
          "object type 'memory-backend' is abstract" },
        { "memory-backend-file,id=e0,size=1M,mem-path=/nonexistent/dir/f",
          "can't open backing store /nonexistent/dir/f for guest RAM:"
          " No such file or directory" },
    };
    g_autofree char *align_opts = NULL;
    g_autofree char *small_opts = NULL;
    g_autofree char *small = g_build_filename(tmp_dir, "small", NULL);
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        check_error_case(cases[i].opts, cases[i].msg);
    }

    align_opts = g_strdup_printf("memory-backend-file,id=e0,size=4M,"
                                 "mem-path=%s,align=3M", tmp_dir);
    check_error_case(align_opts, "alignment 0x300000 must be a power of two");

    g_assert_true(g_file_set_contents(small, "tiny", 4, NULL));
    small_opts = g_strdup_printf("memory-backend-file,id=e0,size=4M,"
                                 "mem-path=%s,share=on", small);
    check_error_case(small_opts, "backing store size 0x4 does not match"
                     " 'size' option 0x400000 (at offset 0x0)");
    g_assert_cmpint(unlink(small), ==, 0);
}

static void test_mapped_cannot_be_deleted(void)
{
    HostMemoryBackend *b = add_backend("memory-backend-ram,id=map0,size=2M");
    Error *err = NULL;

    host_memory_backend_set_mapped(b, true);
    g_assert_true(host_memory_backend_is_mapped(b));
    g_assert_false(user_creatable_del("map0", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "object 'map0' is in use, can not be deleted");
    error_free(err);
    g_assert_true(find_object("map0") == OBJECT(b));

    host_memory_backend_set_mapped(b, false);
    del_backend("map0");
}

static void test_memfd(void)
{
    HostMemoryBackend *b = add_backend("memory-backend-memfd,id=mfd0,"
                                       "size=16M");
    RAMBlock *rb = b->mr.ram_block;
    uint8_t *host = qemu_ram_get_host_addr(rb);
    int fd = memory_region_get_fd(&b->mr);

    g_assert_true(object_property_get_bool(OBJECT(b), "share", &error_abort));
    g_assert_true(object_property_get_bool(OBJECT(b), "seal", &error_abort));
    g_assert_false(object_property_get_bool(OBJECT(b), "hugetlb",
                                            &error_abort));
    g_assert_true(qemu_ram_is_shared(rb));
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(fcntl(fd, F_GET_SEALS), ==,
                    F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
    g_assert_cmpint(ftruncate(fd, 32 * MiB), ==, -1);

    /* Discarding really frees the memfd's pages. */
    memset(host, 0x3c, 16 * MiB);
    g_assert_cmpuint(resident_pages(host, 16 * MiB), ==, 16 * MiB /
                     page_size());
    g_assert_cmpint(ram_block_discard_range(rb, 4 * MiB, 8 * MiB), ==, 0);
    g_assert_cmpuint(resident_pages(host + 4 * MiB, 8 * MiB), ==, 0);
    g_assert_cmpuint(resident_pages(host, 4 * MiB), ==, 4 * MiB / page_size());
    g_assert_cmpuint(host[4 * MiB - 1], ==, 0x3c);
    g_assert_cmpuint(host[4 * MiB], ==, 0);
    g_assert_cmpuint(host[12 * MiB - 1], ==, 0);
    g_assert_cmpuint(host[12 * MiB], ==, 0x3c);
    del_backend("mfd0");

    /* seal=off: the memfd can still be resized. */
    b = add_backend("memory-backend-memfd,id=mfd1,size=4M,seal=off");
    fd = memory_region_get_fd(&b->mr);
    g_assert_cmpint(fcntl(fd, F_GET_SEALS), ==, F_SEAL_SEAL);
    g_assert_cmpint(ftruncate(fd, 8 * MiB), ==, 0);
    del_backend("mfd1");
}

static void test_memfd_hugetlb(void)
{
    Error *err = NULL;
    HostMemoryBackend *b;

    if (!user_creatable_add_from_str("memory-backend-memfd,id=hug0,size=4M,"
                                     "hugetlb=on,hugetlbsize=2M,reserve=off",
                                     &err)) {
        g_test_skip(error_get_pretty(err));
        error_free(err);
        return;
    }
    b = MEMORY_BACKEND(find_object("hug0"));
    g_assert_cmpuint(host_memory_backend_pagesize(b), ==, 2 * MiB);
    g_assert_cmpuint(object_property_get_uint(OBJECT(b), "hugetlbsize",
                                              &error_abort), ==, 2 * MiB);
    g_assert_cmpuint((uintptr_t)memory_region_get_ram_ptr(&b->mr) % (2 * MiB),
                     ==, 0);
    del_backend("hug0");
}

static void test_file(void)
{
    g_autofree char *path = g_build_filename(tmp_dir, "guest-ram", NULL);
    HostMemoryBackend *b;
    uint8_t *host;
    uint8_t buf[2];
    struct stat st;
    int fd;

    /* A named file, at an offset, with a larger alignment. */
    b = add_backend("memory-backend-file,id=file0,size=4M,mem-path=%s,"
                    "share=on,offset=1M,align=8M", path);
    host = memory_region_get_ram_ptr(&b->mr);
    g_assert_cmpuint((uintptr_t)host % (8 * MiB), ==, 0);
    g_assert_cmpuint(object_property_get_uint(OBJECT(b), "align",
                                              &error_abort), ==, 8 * MiB);
    host[0] = 0x11;
    host[4 * MiB - 1] = 0x22;
    del_backend("file0");

    /* The data is in the file, after the offset. */
    fd = open(path, O_RDONLY);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(fstat(fd, &st), ==, 0);
    g_assert_cmpint(st.st_size, ==, 5 * MiB);
    g_assert_cmpint(pread(fd, &buf[0], 1, 1 * MiB), ==, 1);
    g_assert_cmpint(pread(fd, &buf[1], 1, 5 * MiB - 1), ==, 1);
    g_assert_cmpuint(buf[0], ==, 0x11);
    g_assert_cmpuint(buf[1], ==, 0x22);

    /* readonly=on maps the same data. */
    b = add_backend("memory-backend-file,id=file1,size=4M,mem-path=%s,"
                    "offset=1M,readonly=on", path);
    host = memory_region_get_ram_ptr(&b->mr);
    g_assert_cmpuint(host[0], ==, 0x11);
    g_assert_cmpuint(host[4 * MiB - 1], ==, 0x22);
    g_assert_cmpint(object_property_set_bool(OBJECT(b), "readonly", false,
                                             NULL), ==, false);
    del_backend("file1");

    /* discard-data=on punches the data out when the backend goes away. */
    b = add_backend("memory-backend-file,id=file2,size=4M,mem-path=%s,"
                    "share=on,offset=1M,discard-data=on", path);
    del_backend("file2");
    g_assert_cmpint(pread(fd, &buf[0], 1, 1 * MiB), ==, 1);
    g_assert_cmpint(pread(fd, &buf[1], 1, 5 * MiB - 1), ==, 1);
    g_assert_cmpuint(buf[0], ==, 0);
    g_assert_cmpuint(buf[1], ==, 0);
    g_assert_cmpint(fstat(fd, &st), ==, 0);
    g_assert_cmpint(st.st_blocks, ==, 0);

    close(fd);
    g_assert_cmpint(unlink(path), ==, 0);

    /* A directory: an unlinked temporary file, nothing left in the dir. */
    b = add_backend("memory-backend-file,id=file3,size=4M,mem-path=%s,"
                    "share=on", tmp_dir);
    g_assert_cmpint(fstat(memory_region_get_fd(&b->mr), &st), ==, 0);
    g_assert_cmpint(st.st_nlink, ==, 0);
    del_backend("file3");
}

static void test_prealloc(void)
{
    HostMemoryBackend *b = add_backend("memory-backend-ram,id=pre0,size=32M,"
                                       "prealloc=on,prealloc-threads=2");
    void *host = memory_region_get_ram_ptr(&b->mr);

    g_assert_true(object_property_get_bool(OBJECT(b), "prealloc",
                                           &error_abort));
    g_assert_cmpuint(resident_pages(host, 32 * MiB), ==, 32 * MiB /
                     page_size());
    del_backend("pre0");

    /* Switching prealloc on later populates the existing memory. */
    b = add_backend("memory-backend-ram,id=pre1,size=8M");
    host = memory_region_get_ram_ptr(&b->mr);
    g_assert_cmpuint(resident_pages(host, 8 * MiB), ==, 0);
    object_property_set_bool(OBJECT(b), "prealloc", true, &error_abort);
    g_assert_cmpuint(resident_pages(host, 8 * MiB), ==, 8 * MiB / page_size());
    del_backend("pre1");
}

static void test_merge_dump_flags(void)
{
    HostMemoryBackend *b = add_backend("memory-backend-ram,id=flg0,size=4M,"
                                       "dump=off");
    void *host = memory_region_get_ram_ptr(&b->mr);
    g_autofree char *flags = mapping_vmflags(host);
    g_autofree char *flags_after = NULL;

    g_assert_nonnull(strstr(flags, " dd"));
    object_property_set_bool(OBJECT(b), "dump", true, &error_abort);
    flags_after = mapping_vmflags(host);
    g_assert_null(strstr(flags_after, " dd"));
    del_backend("flg0");
}

static void test_canonical_path_name(void)
{
    HostMemoryBackend *b = add_backend("memory-backend-ram,id=cp0,size=2M,"
                                       "x-use-canonical-path-for-ramblock-id"
                                       "=on");

    g_assert_cmpstr(memory_region_name(&b->mr), ==, "/objects/cp0");
    g_assert_cmpstr(qemu_ram_get_idstr(b->mr.ram_block), ==, "/objects/cp0");
    del_backend("cp0");
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);

    tmp_dir = g_dir_make_tmp("test-hostmem-XXXXXX", NULL);
    g_assert_nonnull(tmp_dir);

    g_test_add_func("/hostmem/ram/basic", test_ram_basic);
    g_test_add_func("/hostmem/ram/share", test_ram_share);
    g_test_add_func("/hostmem/ram/huge-noreserve", test_ram_huge_noreserve);
    g_test_add_func("/hostmem/immutable-after-complete",
                    test_immutable_after_complete);
    g_test_add_func("/hostmem/object-new-complete", test_object_new_complete);
    g_test_add_func("/hostmem/errors", test_errors);
    g_test_add_func("/hostmem/mapped-cannot-be-deleted",
                    test_mapped_cannot_be_deleted);
    g_test_add_func("/hostmem/memfd/basic", test_memfd);
    g_test_add_func("/hostmem/memfd/hugetlb", test_memfd_hugetlb);
    g_test_add_func("/hostmem/file", test_file);
    g_test_add_func("/hostmem/prealloc", test_prealloc);
    g_test_add_func("/hostmem/merge-dump-flags", test_merge_dump_flags);
    g_test_add_func("/hostmem/canonical-path-name", test_canonical_path_name);

    ret = g_test_run();
    rmdir(tmp_dir);
    g_free(tmp_dir);
    return ret;
}
