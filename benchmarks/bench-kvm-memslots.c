/*
 * Cost of mapping (and unmapping) one more KVM memslot with the real
 * /dev/kvm: one unmergeable alias added to address_space_memory in one
 * transaction, i.e. one KVM_SET_USER_MEMORY_REGION from the KVM memslot
 * listener, while N memslots are already mapped (N = 16, 256, 1024).
 *
 * Prints a table and one machine-readable "BENCH ..." line; never fails
 * on timing.  Exits 77 (skipped) without /dev/kvm.
 */
#include "qemu/osdep.h"
#include "bench-util.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <time.h>
#include "exec/memory.h"
#include "exec/address-spaces.h"
#include "qemu/main-loop.h"
#include "sysemu/accel.h"
#include "sysemu/kvm.h"

#define SLOT_SIZE (2 * MiB)
#define MAX_SLOTS 1024
#define SLOTS_BASE (4 * GiB)
#define REPETITIONS 501

typedef struct Bench {
    void *host;
    MemoryRegion ram;
    MemoryRegion container;
    MemoryRegion slots[MAX_SLOTS + 1];
    unsigned nr_mapped;
} Bench;

static Bench bench;

static void map_slot(unsigned i, bool map)
{
    memory_region_transaction_begin();
    if (map) {
        memory_region_add_subregion(&bench.container,
                                    (uint64_t)i * SLOT_SIZE,
                                    &bench.slots[i]);
    } else {
        memory_region_del_subregion(&bench.container, &bench.slots[i]);
    }
    memory_region_transaction_commit();
}

/* Map slots [nr_mapped, n) so that @n are mapped. */
static void grow_to(unsigned n)
{
    memory_region_transaction_begin();
    while (bench.nr_mapped < n) {
        map_slot(bench.nr_mapped++, true);
    }
    memory_region_transaction_commit();
}

static void setup(void)
{
    bench.host = mmap(NULL, (MAX_SLOTS + 1) * SLOT_SIZE,
                      PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    g_assert(bench.host != MAP_FAILED);
    memory_region_init_ram_ptr(&bench.ram, NULL, "bench-mem0",
                               (MAX_SLOTS + 1) * SLOT_SIZE, bench.host);
    memory_region_init(&bench.container, NULL, "bench-memslots",
                       (MAX_SLOTS + 1) * SLOT_SIZE);
    for (unsigned i = 0; i <= MAX_SLOTS; i++) {
        g_autofree char *name = g_strdup_printf("bench-memslot-%u", i);

        memory_region_init_alias(&bench.slots[i], NULL, name, &bench.ram,
                                 (uint64_t)i * SLOT_SIZE, SLOT_SIZE);
        memory_region_set_unmergeable(&bench.slots[i], true);
    }
    memory_region_add_subregion(get_system_memory(), SLOTS_BASE,
                                &bench.container);
}

static void teardown(void)
{
    memory_region_transaction_begin();
    while (bench.nr_mapped) {
        map_slot(--bench.nr_mapped, false);
    }
    memory_region_del_subregion(get_system_memory(), &bench.container);
    memory_region_transaction_commit();
    for (unsigned i = 0; i <= MAX_SLOTS; i++) {
        object_unref(OBJECT(&bench.slots[i]));
    }
    object_unref(OBJECT(&bench.container));
    object_unref(OBJECT(&bench.ram));
    munmap(bench.host, (MAX_SLOTS + 1) * SLOT_SIZE);
}

int main(int argc, char **argv)
{
    static const unsigned sizes[] = { 16, 256, 1024 };
    double map_us[ARRAY_SIZE(sizes)], unmap_us[ARRAY_SIZE(sizes)];
    Error *err = NULL;
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        printf("SKIP: /dev/kvm is not available: %s\n", strerror(errno));
        return 77;
    }
    close(fd);
    bql_lock();
    memory_map_init();
    if (!accel_configure("kvm", NULL, &err)) {
        printf("SKIP: %s\n", error_get_pretty(err));
        error_free(err);
        return 77;
    }
    setup();

    printf("KVM memslots: map/unmap one more memslot (one unmergeable alias, "
           "one transaction)\nnext to N mapped; median of %d, wall-clock "
           "microseconds\n\n", REPETITIONS);
    printf("%8s %10s %12s %12s\n", "N", "in use", "map us", "unmap us");
    for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
        g_autoptr(GArray) map = g_array_new(false, false, sizeof(double));
        g_autoptr(GArray) unmap = g_array_new(false, false, sizeof(double));
        unsigned used;

        grow_to(sizes[s]);
        used = kvm_get_used_memslots();
        for (int r = 0; r < REPETITIONS; r++) {
            double start = now_us(), us;

            map_slot(bench.nr_mapped, true);
            us = now_us() - start;
            g_array_append_val(map, us);
            /* Exactly one more memslot: the neighbours stayed. */
            g_assert_cmpuint(kvm_get_used_memslots(), ==, used + 1);
            start = now_us();
            map_slot(bench.nr_mapped, false);
            us = now_us() - start;
            g_array_append_val(unmap, us);
        }
        map_us[s] = median(map);
        unmap_us[s] = median(unmap);
        printf("%8u %10u %12.3f %12.3f\n", sizes[s], used, map_us[s],
               unmap_us[s]);
    }

    printf("BENCH bench-kvm-memslots");
    for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
        printf(" map_us_%u=%.3f unmap_us_%u=%.3f", sizes[s], map_us[s],
               sizes[s], unmap_us[s]);
    }
    printf("\n");
    teardown();
    kvm_cleanup();
    bql_unlock();
    return 0;
}
