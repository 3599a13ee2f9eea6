/*
 * The VFIO listener (hw/vfio/common.c) and the emulated container, in
 * process: a test RamDiscardManager populates and discards at other
 * granularities than it was populated, a plain RAM region is mapped
 * twice, the type1 rules of the emulated container, its two ways of
 * pinning (io_uring fixed buffers: VmPin; mlock: VmLck) and their
 * failures, and the discard-coordination combinations.
 */
#include "qemu/osdep.h"
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include "exec/memory.h"
#include "exec/ramblock.h"
#include "hw/vfio/vfio-emulated.h"
#include "qapi/error.h"

#define BLOCK (2 * MiB)
#define SPARSE_SIZE (64 * MiB)
#define SPARSE_GPA (4 * GiB)
#define PLAIN_SIZE (8 * MiB)
#define ALIAS_GPA (16 * MiB)

/* ---- a minimal RamDiscardManager ---- */

#define TYPE_VFIO_TEST_RDM "vfio-test-rdm"
OBJECT_DECLARE_SIMPLE_TYPE(VfioTestRdm, VFIO_TEST_RDM)

struct VfioTestRdm {
    Object parent_obj;
    const MemoryRegion *mr;
    RamDiscardBitmap bm;
    RamDiscardListenerList listeners;
};

static uint64_t rdm_granularity(const RamDiscardManager *rdm,
                                const MemoryRegion *mr)
{
    return VFIO_TEST_RDM(rdm)->bm.block_size;
}

static bool rdm_is_populated(const RamDiscardManager *rdm,
                             const MemoryRegionSection *s)
{
    return ram_discard_bitmap_is_populated(&VFIO_TEST_RDM(rdm)->bm, s);
}

static int rdm_replay_populated(const RamDiscardManager *rdm,
                                MemoryRegionSection *s,
                                ReplayRamPopulate fn, void *opaque)
{
    return ram_discard_bitmap_replay_populated(&VFIO_TEST_RDM(rdm)->bm, s,
                                               fn, opaque);
}

static int rdm_replay_discarded(const RamDiscardManager *rdm,
                                MemoryRegionSection *s,
                                ReplayRamDiscard fn, void *opaque)
{
    return ram_discard_bitmap_replay_discarded(&VFIO_TEST_RDM(rdm)->bm, s,
                                               fn, opaque);
}

static void rdm_register(RamDiscardManager *rdm, RamDiscardListener *rdl,
                         MemoryRegionSection *s)
{
    VfioTestRdm *t = VFIO_TEST_RDM(rdm);

    ram_discard_listener_list_add(&t->listeners, rdm, rdl, s);
}

static void rdm_unregister(RamDiscardManager *rdm, RamDiscardListener *rdl)
{
    VfioTestRdm *t = VFIO_TEST_RDM(rdm);

    ram_discard_listener_list_remove(&t->listeners, rdm, rdl);
}

static void rdm_class_init(ObjectClass *oc, void *data)
{
    RamDiscardManagerClass *k = RAM_DISCARD_MANAGER_CLASS(oc);

    k->get_min_granularity = rdm_granularity;
    k->is_populated = rdm_is_populated;
    k->replay_populated = rdm_replay_populated;
    k->replay_discarded = rdm_replay_discarded;
    k->register_listener = rdm_register;
    k->unregister_listener = rdm_unregister;
}

static void rdm_finalize(Object *obj)
{
    VfioTestRdm *t = VFIO_TEST_RDM(obj);

    ram_discard_listener_list_destroy(&t->listeners);
    ram_discard_bitmap_destroy(&t->bm);
}

static const TypeInfo rdm_info = {
    .name = TYPE_VFIO_TEST_RDM,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(VfioTestRdm),
    .instance_finalize = rdm_finalize,
    .class_init = rdm_class_init,
    .interfaces = (InterfaceInfo[]) {
        { TYPE_RAM_DISCARD_MANAGER },
        { }
    },
};

static int rdm_populate(VfioTestRdm *t, uint64_t offset, uint64_t size)
{
    int ret = ram_discard_listener_list_notify_populate(&t->listeners, t->mr,
                                                        offset, size);

    if (!ret) {
        ram_discard_bitmap_set_populated(&t->bm, offset, size);
    }
    return ret;
}

static void rdm_discard(VfioTestRdm *t, uint64_t offset, uint64_t size)
{
    ram_discard_bitmap_set_discarded(&t->bm, offset, size);
    ram_discard_listener_list_notify_discard(&t->listeners, t->mr, offset,
                                             size);
}

/* ---- fixture: sparse RAM at 4 GiB, plain RAM at 0 ---- */

typedef struct Fixture {
    void *sparse_host, *plain_host;
    MemoryRegion root, sparse, plain, alias;
    AddressSpace as;
    VfioTestRdm *rdm;
    VFIOEmulatedContainer *ec;
} Fixture;

static void *map_anon(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    g_assert(p != MAP_FAILED);
    return p;
}

/* @pin: "io-uring", "mlock", or NULL for the default. */
static void fixture_setup_pin(Fixture *f, uint64_t limit, const char *pin)
{
    memset(f, 0, sizeof(*f));
    f->sparse_host = map_anon(SPARSE_SIZE);
    f->plain_host = map_anon(PLAIN_SIZE);
    memory_region_init(&f->root, NULL, "vfio-test-root", 8 * GiB);
    memory_region_init_ram_ptr(&f->sparse, NULL, "sparse", SPARSE_SIZE,
                               f->sparse_host);
    memory_region_init_ram_ptr(&f->plain, NULL, "plain", PLAIN_SIZE,
                               f->plain_host);
    f->rdm = VFIO_TEST_RDM(object_new(TYPE_VFIO_TEST_RDM));
    f->rdm->mr = &f->sparse;
    ram_discard_bitmap_init(&f->rdm->bm, SPARSE_SIZE, BLOCK);
    ram_discard_listener_list_init(&f->rdm->listeners);
    memory_region_set_ram_discard_manager(&f->sparse,
                                          RAM_DISCARD_MANAGER(f->rdm),
                                          &error_abort);
    memory_region_add_subregion(&f->root, SPARSE_GPA, &f->sparse);
    memory_region_add_subregion(&f->root, 0, &f->plain);
    address_space_init(&f->as, &f->root, "vfio-test");

    f->ec = VFIO_EMULATED_CONTAINER(object_new(TYPE_VFIO_EMULATED_CONTAINER));
    object_property_set_uint(OBJECT(f->ec), "dma-entry-limit", limit,
                             &error_abort);
    if (pin) {
        object_property_set_str(OBJECT(f->ec), "pin", pin, &error_abort);
    }
}

static void fixture_setup(Fixture *f, uint64_t limit)
{
    fixture_setup_pin(f, limit, NULL);
}

static VFIOContainer *fc(Fixture *f)
{
    return vfio_emulated_container_get(f->ec);
}

static void fixture_teardown(Fixture *f)
{
    if (vfio_container_users(fc(f))) {
        vfio_container_detach(fc(f));
    }
    g_assert_cmpuint(vfio_emulated_container_nr_mappings(f->ec), ==, 0);
    g_assert_true(ram_discard_listener_list_empty(&f->rdm->listeners));
    object_unref(OBJECT(f->ec));
    address_space_destroy(&f->as);
    memory_region_del_subregion(&f->root, &f->sparse);
    memory_region_del_subregion(&f->root, &f->plain);
    memory_region_set_ram_discard_manager(&f->sparse, NULL, &error_abort);
    object_unref(OBJECT(f->rdm));
    object_unref(OBJECT(&f->sparse));
    object_unref(OBJECT(&f->plain));
    object_unref(OBJECT(&f->root));
    munmap(f->sparse_host, SPARSE_SIZE);
    munmap(f->plain_host, PLAIN_SIZE);
}

/* "iova+size iova+size ..." of the container's table, sizes in MiB. */
static char *table(Fixture *f)
{
    g_autoptr(GPtrArray) all = vfio_emulated_container_mappings(f->ec);
    GString *s = g_string_new("");

    for (guint i = 0; i < all->len; i++) {
        VFIOEmulatedMapping *m = all->pdata[i];

        g_string_append_printf(s, "%s0x%" PRIx64 "+%" PRIu64, i ? " " : "",
                               m->iova, m->size / MiB);
    }
    return g_string_free(s, false);
}

#define assert_table(f, expected) do {          \
        g_autofree char *t_ = table(f);         \
        g_assert_cmpstr(t_, ==, (expected));    \
    } while (0)

/* A /proc/self/status field ("VmPin", "VmLck") in bytes. */
static uint64_t self_status(const char *field)
{
    g_autofree char *status = NULL;
    g_autofree char *key = g_strdup_printf("\n%s:", field);
    const char *line;

    g_assert_true(g_file_get_contents("/proc/self/status", &status, NULL,
                                      NULL));
    line = strstr(status, key);
    g_assert_nonnull(line);
    return g_ascii_strtoull(line + strlen(key), NULL, 10) * KiB;
}

/* What the kernel accounts for the pinning @f's container uses. */
static uint64_t self_pinned(Fixture *f)
{
    const char *pin = vfio_emulated_container_pin(f->ec);

    return self_status(strcmp(pin, "mlock") ? "VmPin" : "VmLck");
}

/* Can this process register io_uring buffers (else those tests skip)? */
static bool io_uring_usable(void)
{
    struct io_uring_params params = { 0 };
    struct io_uring_rsrc_register reg = {
        .nr = 1, .flags = IORING_RSRC_REGISTER_SPARSE,
    };
    int fd = syscall(__NR_io_uring_setup, 1, &params);
    bool ok;

    if (fd < 0) {
        return false;
    }
    ok = syscall(__NR_io_uring_register, fd, IORING_REGISTER_BUFFERS2, &reg,
                 sizeof(reg)) == 0;
    close(fd);
    return ok;
}

static bool skip_pin(const char *pin)
{
    if (!strcmp(pin, "io-uring") && !io_uring_usable()) {
        g_test_skip("io_uring fixed buffers are not available here "
                    "(io_uring_disabled sysctl, seccomp or an old kernel)");
        return true;
    }
    return false;
}

/* ---- tests ---- */

static void test_granularity(void)
{
    Fixture f;

    fixture_setup(&f, 100);
    g_assert_true(vfio_container_attach(fc(&f), &f.as, &error_abort));
    assert_table(&f, "0x0+8");

    /* One populate of 4 blocks: 4 mappings. */
    g_assert_cmpint(rdm_populate(f.rdm, 0, 4 * BLOCK), ==, 0);
    assert_table(&f, "0x0+8 0x100000000+2 0x100200000+2 0x100400000+2 "
                     "0x100600000+2");
    /* Discarded in the middle, 2 blocks at once. */
    rdm_discard(f.rdm, BLOCK, 2 * BLOCK);
    assert_table(&f, "0x0+8 0x100000000+2 0x100600000+2");
    /* Two populates, one discard across both. */
    g_assert_cmpint(rdm_populate(f.rdm, 10 * BLOCK, BLOCK), ==, 0);
    g_assert_cmpint(rdm_populate(f.rdm, 11 * BLOCK, BLOCK), ==, 0);
    rdm_discard(f.rdm, 10 * BLOCK, 2 * BLOCK);
    assert_table(&f, "0x0+8 0x100000000+2 0x100600000+2");
    g_assert_cmpuint(vfio_emulated_container_pinned_bytes(f.ec), ==,
                     PLAIN_SIZE + 2 * BLOCK);
    g_assert_cmpuint(self_pinned(&f), ==, PLAIN_SIZE + 2 * BLOCK);

    /* Removing the section unregisters the listener and unmaps it. */
    memory_region_set_enabled(&f.sparse, false);
    g_assert_true(ram_discard_listener_list_empty(&f.rdm->listeners));
    assert_table(&f, "0x0+8");
    memory_region_set_enabled(&f.sparse, true);
    /* Added again: the populated blocks are replayed. */
    assert_table(&f, "0x0+8 0x100000000+2 0x100600000+2");
    g_assert_cmpuint(vfio_container_worst_case_mappings(fc(&f)), ==,
                     1 + SPARSE_SIZE / BLOCK);
    fixture_teardown(&f);
}

static void test_veto_rolls_back(void)
{
    Fixture f;

    /* Plain RAM + 2 blocks. */
    fixture_setup(&f, 3);
    g_assert_true(vfio_container_attach(fc(&f), &f.as, &error_abort));
    /* The worst case (1 + 32) is over 3: a warning naming block-size. */
    g_assert_cmpuint(vfio_container_warnings(fc(&f))->len, ==, 1);
    g_assert_nonnull(strstr(vfio_container_warnings(fc(&f))->pdata[0],
                            "'block-size'"));
    g_assert_cmpint(rdm_populate(f.rdm, 0, 3 * BLOCK), ==, -ENOSPC);
    assert_table(&f, "0x0+8");
    g_assert_true(ram_discard_bitmap_range_discarded(&f.rdm->bm, 0,
                                                     3 * BLOCK));
    g_assert_cmpint(rdm_populate(f.rdm, 0, 2 * BLOCK), ==, 0);
    assert_table(&f, "0x0+8 0x100000000+2 0x100200000+2");
    rdm_discard(f.rdm, 0, 2 * BLOCK);
    fixture_teardown(&f);
}

static void test_attach_fails_cleanly(void)
{
    Fixture f;
    Error *err = NULL;

    /* Populated before the attach; the replay cannot map it all. */
    fixture_setup(&f, 2);
    ram_discard_bitmap_set_populated(&f.rdm->bm, 0, 2 * BLOCK);
    g_assert_false(vfio_container_attach(fc(&f), &f.as, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "limit of 2"));
    error_free(err);
    g_assert_cmpuint(vfio_container_users(fc(&f)), ==, 0);
    assert_table(&f, "");
    ram_discard_bitmap_set_discarded(&f.rdm->bm, 0, 2 * BLOCK);
    fixture_teardown(&f);
}

/*
 * Two IOVAs of the same host pages.  io_uring pins per buffer, as type1
 * pins per mapping: accounted twice.  mlock locks the union once.
 */
static void test_shared_host_pages(gconstpointer data)
{
    const char *pin = data;
    bool per_mapping = !strcmp(pin, "io-uring");
    Fixture f;

    if (skip_pin(pin)) {
        return;
    }
    fixture_setup_pin(&f, 100, pin);
    memory_region_init_alias(&f.alias, NULL, "plain-alias", &f.plain, 0,
                             PLAIN_SIZE);
    memory_region_add_subregion(&f.root, ALIAS_GPA, &f.alias);
    g_assert_true(vfio_container_attach(fc(&f), &f.as, &error_abort));
    g_assert_cmpstr(vfio_emulated_container_pin(f.ec), ==, pin);
    assert_table(&f, "0x0+8 0x1000000+8");
    g_assert_cmpuint(vfio_emulated_container_mapped_bytes(f.ec), ==,
                     2 * PLAIN_SIZE);
    g_assert_cmpuint(vfio_emulated_container_pinned_bytes(f.ec), ==,
                     (per_mapping ? 2 : 1) * PLAIN_SIZE);
    g_assert_cmpuint(self_pinned(&f), ==, (per_mapping ? 2 : 1) * PLAIN_SIZE);
    /* One of the two goes: the host pages stay pinned for the other. */
    memory_region_del_subregion(&f.root, &f.alias);
    assert_table(&f, "0x0+8");
    g_assert_cmpuint(vfio_emulated_container_pinned_bytes(f.ec), ==,
                     PLAIN_SIZE);
    /* munlock() does not count: the remaining mapping was locked again. */
    g_assert_cmpuint(self_pinned(&f), ==, PLAIN_SIZE);
    object_unref(OBJECT(&f.alias));
    fixture_teardown(&f);
    g_assert_cmpuint(self_status("VmPin"), ==, 0);
    g_assert_cmpuint(self_status("VmLck"), ==, 0);
}

/*
 * io_uring: a fixed buffer holds at most 1 GiB, so a larger mapping takes
 * several; a ring holds 16384 buffers, so more mappings take more rings.
 * Freed slots are reused.
 */
static void test_io_uring_slots(void)
{
    const uint64_t big = GiB + 8 * MiB, n_small = 16384 + 16;
    VFIOEmulatedContainer *ec;
    VFIOContainer *c;
    uint8_t *host;
    Error *err = NULL;

    if (skip_pin("io-uring")) {
        return;
    }
    host = mmap(NULL, big, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    g_assert(host != MAP_FAILED);
    ec = VFIO_EMULATED_CONTAINER(object_new(TYPE_VFIO_EMULATED_CONTAINER));
    object_property_set_uint(OBJECT(ec), "dma-entry-limit", 2 * n_small,
                             &error_abort);
    c = vfio_emulated_container_get(ec);

    g_assert_cmpint(c->ops->dma_map(c, 0, big, host, false, &error_abort),
                    ==, 0);
    g_assert_cmpuint(self_status("VmPin"), ==, big);
    g_assert_cmpint(c->ops->dma_unmap(c, 0, big, &error_abort), ==, 0);
    g_assert_cmpuint(self_status("VmPin"), ==, 0);

    /* One page each: the last ones land in a second ring. */
    for (uint64_t i = 0; i < n_small; i++) {
        g_assert_cmpint(c->ops->dma_map(c, i * 4096, 4096, host + i * 4096,
                                        false, &error_abort), ==, 0);
    }
    g_assert_cmpuint(self_status("VmPin"), ==, n_small * 4096);
    g_assert_cmpint(c->ops->dma_unmap(c, 0, 8 * 4096, &error_abort), ==, 0);
    g_assert_cmpuint(self_status("VmPin"), ==, (n_small - 8) * 4096);
    /* The big one again, in reused slots. */
    g_assert_cmpint(c->ops->dma_map(c, GiB * 4, big, host, false, &err),
                    ==, 0);
    g_assert_null(err);
    g_assert_cmpuint(self_status("VmPin"), ==, (n_small - 8) * 4096 + big);
    g_assert_cmpuint(vfio_emulated_container_pinned_bytes(ec), ==,
                     (n_small - 8) * 4096 + big);

    /* Finalizing unpins what is left. */
    object_unref(OBJECT(ec));
    g_assert_cmpuint(self_status("VmPin"), ==, 0);
    munmap(host, big);
}

static void test_type1_rules(void)
{
    Fixture f;
    VFIOContainer *c;
    Error *err = NULL;
    uint8_t *p;

    fixture_setup(&f, 3);
    c = fc(&f);
    p = f.plain_host;
    g_assert_cmpint(c->ops->dma_map(c, 0, 4 * MiB, p, false, &error_abort),
                    ==, 0);
    g_assert_cmpint(c->ops->dma_map(c, 2 * MiB, 4 * MiB, p, false, &err),
                    ==, -EEXIST);
    error_free(g_steal_pointer(&err));
    g_assert_cmpint(c->ops->dma_map(c, 4096, 4096, p + 1, false, &err),
                    ==, -EINVAL);
    error_free(g_steal_pointer(&err));
    g_assert_cmpint(c->ops->dma_map(c, 4 * MiB, MiB, p, true, &error_abort),
                    ==, 0);
    g_assert_cmpint(c->ops->dma_map(c, 5 * MiB, MiB, p, false, &error_abort),
                    ==, 0);
    g_assert_cmpint(c->ops->dma_map(c, 6 * MiB, MiB, p, false, &err),
                    ==, -ENOSPC);
    error_free(g_steal_pointer(&err));
    /* Cutting a mapping is refused; a range holding whole ones is fine. */
    g_assert_cmpint(c->ops->dma_unmap(c, 0, 2 * MiB, &err), ==, -EINVAL);
    error_free(g_steal_pointer(&err));
    g_assert_cmpint(c->ops->dma_unmap(c, 4 * MiB, 4 * MiB, &error_abort), ==,
                    0);
    assert_table(&f, "0x0+4");
    g_assert_cmpint(c->ops->dma_unmap(c, 0, 64 * MiB, &error_abort), ==, 0);
    assert_table(&f, "");
    fixture_teardown(&f);
}

/* Drop CAP_IPC_LOCK from this process's effective set. */
static void drop_cap_ipc_lock(void)
{
    struct __user_cap_header_struct hdr = {
        .version = _LINUX_CAPABILITY_VERSION_3,
    };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

    g_assert_cmpint(syscall(SYS_capget, &hdr, data), ==, 0);
    data[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
    g_assert_cmpint(syscall(SYS_capset, &hdr, data), ==, 0);
}

/*
 * Without CAP_IPC_LOCK and with a small RLIMIT_MEMLOCK pinning fails: the
 * attach fails with a message saying what is missing, nothing is mapped.
 */
static void test_pin_failure(gconstpointer data)
{
    const char *pin = data;

    if (skip_pin(pin)) {
        return;
    }
    if (g_test_subprocess()) {
        struct rlimit lim = { 64 * KiB, 64 * KiB };
        Fixture f;
        Error *err = NULL;

        g_assert_cmpint(setrlimit(RLIMIT_MEMLOCK, &lim), ==, 0);
        drop_cap_ipc_lock();
        fixture_setup_pin(&f, 100, pin);
        g_assert_false(vfio_container_attach(fc(&f), &f.as, &err));
        g_test_message("%s", error_get_pretty(err));
        g_assert_nonnull(strstr(error_get_pretty(err),
                                strcmp(pin, "mlock") ?
                                "as io_uring fixed buffers failed" :
                                "with mlock() failed"));
        g_assert_nonnull(strstr(error_get_pretty(err),
                                "(needs CAP_IPC_LOCK or a large enough "
                                "RLIMIT_MEMLOCK)"));
        error_free(err);
        assert_table(&f, "");
        g_assert_cmpuint(self_pinned(&f), ==, 0);
        fixture_teardown(&f);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_test_trap_assert_passed();
}

/* Make io_uring_setup fail with ENOSYS in this process (seccomp). */
static void block_io_uring(void)
{
    struct sock_filter insns[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { .len = G_N_ELEMENTS(insns), .filter = insns };

    g_assert_cmpint(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), ==, 0);
    g_assert_cmpint(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog), ==, 0);
}

/*
 * Without io_uring the default falls back to mlock with a warning, while
 * an explicit pin=io-uring refuses to map.
 */
static void test_no_io_uring(void)
{
    if (g_test_subprocess()) {
        Fixture f;
        Error *err = NULL;

        block_io_uring();
        fixture_setup_pin(&f, 100, "io-uring");
        g_assert_false(vfio_container_attach(fc(&f), &f.as, &err));
        g_assert_nonnull(strstr(error_get_pretty(err),
                                "pin=io-uring: io_uring is not available: "
                                "io_uring_setup failed: Function not "
                                "implemented"));
        error_free(err);
        assert_table(&f, "");
        fixture_teardown(&f);

        fixture_setup(&f, 100);
        g_assert_true(vfio_container_attach(fc(&f), &f.as, &error_abort));
        g_assert_cmpstr(vfio_emulated_container_pin(f.ec), ==, "mlock");
        assert_table(&f, "0x0+8");
        g_assert_cmpuint(self_status("VmLck"), ==, PLAIN_SIZE);
        fixture_teardown(&f);
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("*io_uring is not available (io_uring_setup "
                              "failed: Function not implemented); pinning "
                              "with mlock()*");
}

static void test_discard_coordination(void)
{
    Error *err = NULL;

    /* virtio-mem's coordinated discards: plain VFIO works beside them. */
    g_assert_cmpint(ram_block_coordinated_discard_require(true), ==, 0);
    g_assert_true(vfio_discard_disable(VFIO_DISCARD_UNCOORDINATED_DISABLED,
                                       "test", &error_abort));
    g_assert_false(vfio_discard_disable(VFIO_DISCARD_ALL_DISABLED, "test",
                                        &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "virtio-mem"));
    error_free(g_steal_pointer(&err));
    vfio_discard_enable(VFIO_DISCARD_UNCOORDINATED_DISABLED);
    ram_block_coordinated_discard_require(false);

    /* An uncoordinated discarder (a balloon) excludes even plain VFIO. */
    g_assert_cmpint(ram_block_discard_require(true), ==, 0);
    g_assert_false(vfio_discard_disable(VFIO_DISCARD_UNCOORDINATED_DISABLED,
                                        "test", &err));
    error_free(g_steal_pointer(&err));
    ram_block_discard_require(false);

    /* A full disable keeps virtio-mem out. */
    g_assert_true(vfio_discard_disable(VFIO_DISCARD_ALL_DISABLED, "test",
                                       &error_abort));
    g_assert_cmpint(ram_block_coordinated_discard_require(true), <, 0);
    vfio_discard_enable(VFIO_DISCARD_ALL_DISABLED);
    g_assert_cmpint(ram_block_coordinated_discard_require(true), ==, 0);
    ram_block_coordinated_discard_require(false);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    type_register_static(&rdm_info);

    g_test_add_func("/vfio/granularity", test_granularity);
    g_test_add_func("/vfio/veto-rolls-back", test_veto_rolls_back);
    g_test_add_func("/vfio/attach-fails-cleanly", test_attach_fails_cleanly);
    g_test_add_data_func("/vfio/shared-host-pages/io-uring", "io-uring",
                         test_shared_host_pages);
    g_test_add_data_func("/vfio/shared-host-pages/mlock", "mlock",
                         test_shared_host_pages);
    g_test_add_func("/vfio/type1-rules", test_type1_rules);
    g_test_add_func("/vfio/io-uring-slots", test_io_uring_slots);
    g_test_add_data_func("/vfio/pin-failure/io-uring", "io-uring",
                         test_pin_failure);
    g_test_add_data_func("/vfio/pin-failure/mlock", "mlock",
                         test_pin_failure);
    g_test_add_func("/vfio/no-io-uring", test_no_io_uring);
    g_test_add_func("/vfio/discard-coordination", test_discard_coordination);
    return g_test_run();
}
