/*
 * vhost: the memory table a backend maps.  The builder's merging rules,
 * the diff between two tables, and the MemoryListener on
 * address_space_memory: only sections the backend accepts (here: those
 * with an fd), unmergeable aliases kept apart, and while started exactly
 * the REM/ADD a commit implies, reported to a fake backend.
 */
#include "qemu/osdep.h"
#include "exec/address-spaces.h"
#include "exec/memory.h"
#include "hw/virtio/vhost.h"
#include "hw/virtio/virtio.h"
#include "qapi/error.h"


static VhostMemoryRegion region(uint64_t gpa, uint64_t size, uint64_t hva,
                                int fd, uint64_t off, bool unmergeable)
{
    return (VhostMemoryRegion) {
        .guest_phys_addr = gpa, .memory_size = size, .userspace_addr = hva,
        .fd = fd, .mmap_offset = off, .unmergeable = unmergeable,
    };
}

static GArray *table_new(void)
{
    return g_array_new(false, false, sizeof(VhostMemoryRegion));
}

static VhostMemoryRegion *entry(GArray *t, unsigned int i)
{
    return &g_array_index(t, VhostMemoryRegion, i);
}

/* --- The builder ----------------------------------------------------- */

static void test_build_merges_contiguous(void)
{
    VhostMemoryRegion s[] = {
        region(0x0, 1 * MiB, 0x10000000, 5, 0, false),
        region(1 * MiB, 2 * MiB, 0x10100000, 5, 1 * MiB, false),
        region(3 * MiB, 1 * MiB, 0x10300000, 5, 3 * MiB, false),
    };
    g_autoptr(GArray) t = table_new();

    vhost_mem_table_build(s, G_N_ELEMENTS(s), t);
    g_assert_cmpuint(t->len, ==, 1);
    g_assert_cmphex(entry(t, 0)->guest_phys_addr, ==, 0);
    g_assert_cmphex(entry(t, 0)->memory_size, ==, 4 * MiB);
    g_assert_cmphex(entry(t, 0)->userspace_addr, ==, 0x10000000);
    g_assert_cmphex(entry(t, 0)->mmap_offset, ==, 0);
    g_assert_cmpint(entry(t, 0)->fd, ==, 5);
}

/* Each rule that forbids merging, one pair at a time. */
static void test_build_keeps_apart(void)
{
    const VhostMemoryRegion base = region(0, 1 * MiB, 0x10000000, 5, 0,
                                          false);
    VhostMemoryRegion next[] = {
        /* hole in guest memory */
        region(2 * MiB, 1 * MiB, 0x10100000, 5, 1 * MiB, false),
        /* not contiguous in sparsevm's address space */
        region(1 * MiB, 1 * MiB, 0x20000000, 5, 1 * MiB, false),
        /* another fd */
        region(1 * MiB, 1 * MiB, 0x10100000, 6, 1 * MiB, false),
        /* not contiguous in the fd */
        region(1 * MiB, 1 * MiB, 0x10100000, 5, 8 * MiB, false),
        /* unmergeable (e.g. a virtio-mem memslot alias) */
        region(1 * MiB, 1 * MiB, 0x10100000, 5, 1 * MiB, true),
    };

    for (unsigned int i = 0; i < G_N_ELEMENTS(next); i++) {
        VhostMemoryRegion s[2] = { base, next[i] };
        g_autoptr(GArray) t = table_new();

        vhost_mem_table_build(s, 2, t);
        g_assert_cmpuint(t->len, ==, 2);
        g_assert_cmphex(entry(t, 0)->memory_size, ==, 1 * MiB);
        g_assert_cmphex(entry(t, 1)->guest_phys_addr, ==,
                        next[i].guest_phys_addr);
    }
    /* the unmergeable one on the left side also stays apart */
    {
        VhostMemoryRegion s[2] = {
            region(0, 1 * MiB, 0x10000000, 5, 0, true),
            region(1 * MiB, 1 * MiB, 0x10100000, 5, 1 * MiB, false),
        };
        g_autoptr(GArray) t = table_new();

        vhost_mem_table_build(s, 2, t);
        g_assert_cmpuint(t->len, ==, 2);
    }
}

static void test_diff(void)
{
    g_autoptr(GArray) old = table_new();
    g_autoptr(GArray) new = table_new();
    g_autoptr(GArray) removed = table_new();
    g_autoptr(GArray) added = table_new();
    VhostMemoryRegion a = region(0, 1 * MiB, 0x1000000, 3, 0, false);
    VhostMemoryRegion b = region(4 * MiB, 1 * MiB, 0x2000000, 3, 0, true);
    VhostMemoryRegion c = region(8 * MiB, 1 * MiB, 0x3000000, 3, 0, true);
    /* c grown: a different entry */
    VhostMemoryRegion c2 = region(8 * MiB, 2 * MiB, 0x3000000, 3, 0, true);
    VhostMemoryRegion d = region(16 * MiB, 1 * MiB, 0x4000000, 4, 0, true);

    g_array_append_val(old, a);
    g_array_append_val(old, b);
    g_array_append_val(old, c);
    g_array_append_val(new, a);
    g_array_append_val(new, c2);
    g_array_append_val(new, d);
    vhost_mem_table_diff(old, new, removed, added);
    g_assert_cmpuint(removed->len, ==, 2);
    g_assert_cmphex(entry(removed, 0)->guest_phys_addr, ==, 4 * MiB);
    g_assert_cmphex(entry(removed, 1)->memory_size, ==, 1 * MiB);
    g_assert_cmphex(entry(removed, 1)->guest_phys_addr, ==, 8 * MiB);
    g_assert_cmpuint(added->len, ==, 2);
    g_assert_cmphex(entry(added, 0)->memory_size, ==, 2 * MiB);
    g_assert_cmphex(entry(added, 1)->guest_phys_addr, ==, 16 * MiB);

    /* same tables: nothing to do */
    g_array_set_size(removed, 0);
    g_array_set_size(added, 0);
    vhost_mem_table_diff(new, new, removed, added);
    g_assert_cmpuint(removed->len, ==, 0);
    g_assert_cmpuint(added->len, ==, 0);
}

static void test_gpa_to_hva(void)
{
    g_autoptr(GArray) t = table_new();
    VhostMemoryRegion a = region(1 * MiB, 1 * MiB, 0x7000000, 3, 0, false);

    g_array_append_val(t, a);
    g_assert_cmphex(vhost_mem_table_gpa_to_hva(t, 1 * MiB + 0x10, 0x100), ==,
                    0x7000010);
    /* crosses the end, before, after */
    g_assert_cmphex(vhost_mem_table_gpa_to_hva(t, 2 * MiB - 8, 16), ==, 0);
    g_assert_cmphex(vhost_mem_table_gpa_to_hva(t, 0, 16), ==, 0);
    g_assert_cmphex(vhost_mem_table_gpa_to_hva(t, 2 * MiB, 1), ==, 0);
}

/* --- The listener, with a fake backend -------------------------------- */

typedef struct FakeBackend {
    struct vhost_dev dev;
    unsigned int limit;
    unsigned int set_mem_table_calls;
    unsigned int update_calls;
    GArray *removed;            /* of the last update */
    GArray *added;
    bool fail_update;
    char *failure;              /* what backend_failed got */
} FakeBackend;

static unsigned int fake_limit(struct vhost_dev *dev)
{
    return ((FakeBackend *)dev->opaque)->limit;
}

static bool fake_filter(struct vhost_dev *dev, MemoryRegionSection *section)
{
    return memory_region_get_fd(section->mr) >= 0;
}

static bool fake_set_features(struct vhost_dev *dev, uint64_t features,
                              Error **errp)
{
    return true;
}

static bool fake_set_mem_table(struct vhost_dev *dev, Error **errp)
{
    ((FakeBackend *)dev->opaque)->set_mem_table_calls++;
    return true;
}

static bool fake_update(struct vhost_dev *dev, const VhostMemTableDiff *diff,
                        Error **errp)
{
    FakeBackend *fb = dev->opaque;

    fb->update_calls++;
    g_array_set_size(fb->removed, 0);
    g_array_set_size(fb->added, 0);
    g_array_append_vals(fb->removed, diff->removed->data, diff->removed->len);
    g_array_append_vals(fb->added, diff->added->data, diff->added->len);
    if (fb->fail_update) {
        error_setg(errp, "fake backend: update refused");
        return false;
    }
    return true;
}

static void fake_failed(struct vhost_dev *dev, Error *err)
{
    FakeBackend *fb = dev->opaque;

    g_free(fb->failure);
    fb->failure = g_strdup(error_get_pretty(err));
    vhost_dev_cleanup(dev);
}

static const VhostOps fake_ops = {
    .vhost_backend_memslots_limit = fake_limit,
    .vhost_backend_mem_section_filter = fake_filter,
    .vhost_set_features = fake_set_features,
    .vhost_set_mem_table = fake_set_mem_table,
    .vhost_update_mem_table = fake_update,
};

static void fake_init(FakeBackend *fb, unsigned int limit)
{
    memset(fb, 0, sizeof(*fb));
    fb->limit = limit;
    fb->removed = table_new();
    fb->added = table_new();
    fb->dev.backend_failed = fake_failed;
    g_assert_true(vhost_dev_init(&fb->dev, &fake_ops, fb, &error_abort));
}

static void fake_fini(FakeBackend *fb)
{
    vhost_dev_cleanup(&fb->dev);
    g_array_unref(fb->removed);
    g_array_unref(fb->added);
    g_free(fb->failure);
}

/* 8 MiB of shared RAM (a memfd) plus 1 MiB of private RAM (no fd). */
static MemoryRegion shared_ram, private_ram;
static MemoryRegion slot_alias[4];

#define SHARED_BASE (256 * MiB)
#define PRIVATE_BASE (512 * MiB)
#define SLOTS_BASE (1024 * MiB)

static void map_slot(unsigned int i)
{
    memory_region_add_subregion(get_system_memory(), SLOTS_BASE + i * 2 * MiB,
                                &slot_alias[i]);
}

static void unmap_slot(unsigned int i)
{
    memory_region_del_subregion(get_system_memory(), &slot_alias[i]);
}

static void test_listener_table(void)
{
    FakeBackend fb;
    VhostMemoryRegion *e;
    uint8_t *host = memory_region_get_ram_ptr(&shared_ram);

    fake_init(&fb, 100);
    /* only the shared RAM: the private one has no fd */
    g_assert_cmpuint(fb.dev.mem_table->len, ==, 1);
    e = entry(fb.dev.mem_table, 0);
    g_assert_cmphex(e->guest_phys_addr, ==, SHARED_BASE);
    g_assert_cmphex(e->memory_size, ==, 8 * MiB);
    g_assert_cmphex(e->userspace_addr, ==, (uintptr_t)host);
    g_assert_cmpint(e->fd, ==, memory_region_get_fd(&shared_ram));
    g_assert_cmphex(e->mmap_offset, ==, 0);
    g_assert_cmpuint(vhost_dev_get_used_memslots(&fb.dev), ==, 1);
    g_assert_cmpuint(vhost_get_free_memslots(), ==, 99);

    /*
     * Two unmergeable aliases back to back, contiguous in guest memory,
     * host memory and the fd: still two entries.
     */
    map_slot(0);
    map_slot(1);
    g_assert_cmpuint(fb.dev.mem_table->len, ==, 3);
    e = entry(fb.dev.mem_table, 1);
    g_assert_cmphex(e->guest_phys_addr, ==, SLOTS_BASE);
    g_assert_cmphex(e->memory_size, ==, 2 * MiB);
    g_assert_cmphex(e->mmap_offset, ==, 0);
    e = entry(fb.dev.mem_table, 2);
    g_assert_cmphex(e->guest_phys_addr, ==, SLOTS_BASE + 2 * MiB);
    g_assert_cmphex(e->userspace_addr, ==, (uintptr_t)host + 2 * MiB);
    g_assert_cmphex(e->mmap_offset, ==, 2 * MiB);
    g_assert_cmpuint(vhost_get_free_memslots(), ==, 97);

    /* the same aliases made mergeable: the flat view joins them */
    memory_region_transaction_begin();
    memory_region_set_unmergeable(&slot_alias[0], false);
    memory_region_set_unmergeable(&slot_alias[1], false);
    memory_region_transaction_commit();
    g_assert_cmpuint(fb.dev.mem_table->len, ==, 2);
    g_assert_cmphex(entry(fb.dev.mem_table, 1)->memory_size, ==, 4 * MiB);
    memory_region_transaction_begin();
    memory_region_set_unmergeable(&slot_alias[0], true);
    memory_region_set_unmergeable(&slot_alias[1], true);
    unmap_slot(0);
    unmap_slot(1);
    memory_region_transaction_commit();
    g_assert_cmpuint(fb.dev.mem_table->len, ==, 1);
    fake_fini(&fb);
    g_assert_cmpuint(vhost_get_free_memslots(), ==, UINT_MAX);
}

static void test_listener_incremental(void)
{
    FakeBackend fb;
    VirtIODevice *vdev = g_new0(VirtIODevice, 1);

    fake_init(&fb, 100);
    map_slot(0);
    /* not started: the table is kept, the backend is not told */
    g_assert_cmpuint(fb.update_calls, ==, 0);
    g_assert_true(vhost_dev_start(&fb.dev, vdev, 0, &error_abort));
    g_assert_cmpuint(fb.set_mem_table_calls, ==, 1);

    /* plug two slots in one transaction: one update, two ADDs */
    memory_region_transaction_begin();
    map_slot(1);
    map_slot(2);
    memory_region_transaction_commit();
    g_assert_cmpuint(fb.update_calls, ==, 1);
    g_assert_cmpuint(fb.removed->len, ==, 0);
    g_assert_cmpuint(fb.added->len, ==, 2);
    g_assert_cmphex(entry(fb.added, 0)->guest_phys_addr, ==,
                    SLOTS_BASE + 2 * MiB);
    g_assert_cmphex(entry(fb.added, 1)->guest_phys_addr, ==,
                    SLOTS_BASE + 4 * MiB);

    /* unplug one, plug another: one REM and one ADD */
    memory_region_transaction_begin();
    unmap_slot(0);
    map_slot(3);
    memory_region_transaction_commit();
    g_assert_cmpuint(fb.update_calls, ==, 2);
    g_assert_cmpuint(fb.removed->len, ==, 1);
    g_assert_cmphex(entry(fb.removed, 0)->guest_phys_addr, ==, SLOTS_BASE);
    g_assert_cmpuint(fb.added->len, ==, 1);
    g_assert_cmphex(entry(fb.added, 0)->guest_phys_addr, ==,
                    SLOTS_BASE + 6 * MiB);

    /* a commit that changes nothing the backend maps: no update */
    memory_region_transaction_begin();
    memory_region_transaction_commit();
    g_assert_cmpuint(fb.update_calls, ==, 2);

    /* the backend refuses: the frontend hears it from the main loop */
    fb.fail_update = true;
    unmap_slot(1);
    g_assert_cmpuint(fb.update_calls, ==, 3);
    g_assert_null(fb.failure);
    while (g_main_context_iteration(NULL, false)) {
        /* run the deferred failure */
    }
    g_assert_cmpstr(fb.failure, ==, "fake backend: update refused");
    /* fake_failed unregistered it: no memslots held any more */
    g_assert_cmpuint(vhost_get_free_memslots(), ==, UINT_MAX);
    g_assert_false(fb.dev.started);

    memory_region_transaction_begin();
    unmap_slot(2);
    unmap_slot(3);
    memory_region_transaction_commit();
    fake_fini(&fb);
    g_free(vdev);
}

/* Registering is refused when the backend cannot map what is in use. */
static void test_listener_limit(void)
{
    FakeBackend fb = { .limit = 2 };
    Error *err = NULL;

    map_slot(0);
    map_slot(1);
    /* shared RAM + two slots = 3 */
    g_assert_false(vhost_dev_init(&fb.dev, &fake_ops, &fb, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "limit (2)"));
    error_free(err);
    g_assert_cmpuint(vhost_get_free_memslots(), ==, UINT_MAX);
    unmap_slot(0);
    unmap_slot(1);
    fb.limit = 3;
    g_assert_true(vhost_dev_init(&fb.dev, &fake_ops, &fb, &error_abort));
    g_assert_cmpuint(vhost_get_free_memslots(), ==, 2);
    vhost_dev_cleanup(&fb.dev);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    memory_map_init();
    memory_region_init_ram_flags_nomigrate(&shared_ram, NULL, "shared-ram",
                                           8 * MiB, RAM_SHARED, &error_abort);
    memory_region_init_ram(&private_ram, NULL, "private-ram", 1 * MiB,
                           &error_abort);
    g_assert_cmpint(memory_region_get_fd(&shared_ram), >=, 0);
    g_assert_cmpint(memory_region_get_fd(&private_ram), <, 0);
    memory_region_add_subregion(get_system_memory(), SHARED_BASE,
                                &shared_ram);
    memory_region_add_subregion(get_system_memory(), PRIVATE_BASE,
                                &private_ram);
    for (unsigned int i = 0; i < G_N_ELEMENTS(slot_alias); i++) {
        memory_region_init_alias(&slot_alias[i], NULL, "slot", &shared_ram,
                                 i * 2 * MiB, 2 * MiB);
        memory_region_set_unmergeable(&slot_alias[i], true);
    }

    g_test_add_func("/vhost/table/merge-contiguous",
                    test_build_merges_contiguous);
    g_test_add_func("/vhost/table/keep-apart", test_build_keeps_apart);
    g_test_add_func("/vhost/table/diff", test_diff);
    g_test_add_func("/vhost/table/gpa-to-hva", test_gpa_to_hva);
    g_test_add_func("/vhost/listener/table", test_listener_table);
    g_test_add_func("/vhost/listener/incremental", test_listener_incremental);
    g_test_add_func("/vhost/listener/limit", test_listener_limit);
    return g_test_run();
}
