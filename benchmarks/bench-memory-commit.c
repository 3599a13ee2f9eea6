/*
 * Cost of one memory transaction commit that maps or unmaps a single
 * unmergeable alias next to N already mapped ones (virtio-mem memslots).
 *
 * Prints a table, the ratio cost(N=1024) / cost(N=16) (goal: <= 2) and one
 * machine-readable "BENCH ..." line.  Never fails on timing.
 */
#include "qemu/osdep.h"
#include "bench-util.h"
#include <sys/mman.h>
#include <time.h>
#include "exec/memory.h"
#include "qom/object.h"

#define SLOT_SIZE (2 * MiB)
#define MAX_SLOTS 1024
#define REPETITIONS 2001

typedef struct CountingListener {
    MemoryListener listener;
    uint64_t calls;
} CountingListener;

static void count_call(MemoryListener *listener)
{
    container_of(listener, CountingListener, listener)->calls++;
}

static void count_begin(MemoryListener *listener)
{
    count_call(listener);
}

static void count_commit(MemoryListener *listener)
{
    count_call(listener);
}

static void count_section(MemoryListener *listener,
                          MemoryRegionSection *section)
{
    count_call(listener);
}

typedef struct Bench {
    void *host;
    MemoryRegion root;
    MemoryRegion ram;
    MemoryRegion slots_container;
    MemoryRegion slots[MAX_SLOTS + 1];
    AddressSpace as;
    CountingListener counter;
} Bench;

typedef struct Result {
    unsigned nr_mapped;
    double map_us;
    double unmap_us;
    double map_calls;
    double unmap_calls;
} Result;

static void bench_setup(Bench *b, unsigned nr_mapped)
{
    unsigned i;

    b->host = mmap(NULL, (MAX_SLOTS + 1) * SLOT_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    g_assert(b->host != MAP_FAILED);

    memory_region_init(&b->root, NULL, "bench-system", UINT64_MAX);
    memory_region_init_ram_ptr(&b->ram, NULL, "bench-mem0",
                               (MAX_SLOTS + 1) * SLOT_SIZE, b->host);
    memory_region_init(&b->slots_container, NULL, "bench-memslots",
                       (MAX_SLOTS + 1) * SLOT_SIZE);
    for (i = 0; i <= nr_mapped; i++) {
        g_autofree char *name = g_strdup_printf("bench-memslot-%u", i);

        memory_region_init_alias(&b->slots[i], NULL, name, &b->ram,
                                 (uint64_t)i * SLOT_SIZE, SLOT_SIZE);
        memory_region_set_unmergeable(&b->slots[i], true);
    }

    memory_region_transaction_begin();
    for (i = 0; i < nr_mapped; i++) {
        memory_region_add_subregion(&b->slots_container,
                                    (uint64_t)i * SLOT_SIZE, &b->slots[i]);
    }
    memory_region_add_subregion(&b->root, 4 * GiB, &b->slots_container);
    memory_region_transaction_commit();

    address_space_init(&b->as, &b->root, "bench-memory");
    b->counter = (CountingListener) {
        .listener = {
            .name = "bench-counter",
            .begin = count_begin,
            .commit = count_commit,
            .region_add = count_section,
            .region_del = count_section,
            .region_nop = count_section,
        },
    };
    memory_listener_register(&b->counter.listener, &b->as);
}

static void bench_teardown(Bench *b, unsigned nr_mapped)
{
    unsigned i;

    memory_listener_unregister(&b->counter.listener);
    address_space_destroy(&b->as);
    memory_region_transaction_begin();
    memory_region_del_subregion(&b->root, &b->slots_container);
    for (i = 0; i < nr_mapped; i++) {
        memory_region_del_subregion(&b->slots_container, &b->slots[i]);
    }
    memory_region_transaction_commit();
    for (i = 0; i <= nr_mapped; i++) {
        object_unref(OBJECT(&b->slots[i]));
    }
    object_unref(OBJECT(&b->slots_container));
    object_unref(OBJECT(&b->ram));
    object_unref(OBJECT(&b->root));
    munmap(b->host, (MAX_SLOTS + 1) * SLOT_SIZE);
}

/* Time one transaction (un)mapping @slot; returns µs, counts calls. */
static double timed_commit(Bench *b, unsigned slot, bool map,
                           uint64_t *calls)
{
    uint64_t calls_before = b->counter.calls;
    double start = now_us();
    double elapsed;

    memory_region_transaction_begin();
    if (map) {
        memory_region_add_subregion(&b->slots_container,
                                    (uint64_t)slot * SLOT_SIZE,
                                    &b->slots[slot]);
    } else {
        memory_region_del_subregion(&b->slots_container, &b->slots[slot]);
    }
    memory_region_transaction_commit();
    elapsed = now_us() - start;

    *calls += b->counter.calls - calls_before;
    return elapsed;
}

static Result bench_run(unsigned nr_mapped)
{
    Bench *b = g_new0(Bench, 1);
    g_autoptr(GArray) map_us = g_array_new(false, false, sizeof(double));
    g_autoptr(GArray) unmap_us = g_array_new(false, false, sizeof(double));
    uint64_t map_calls = 0, unmap_calls = 0;
    Result r = { .nr_mapped = nr_mapped };
    unsigned i;

    bench_setup(b, nr_mapped);
    for (i = 0; i < REPETITIONS; i++) {
        double us;

        us = timed_commit(b, nr_mapped, true, &map_calls);
        g_array_append_val(map_us, us);
        us = timed_commit(b, nr_mapped, false, &unmap_calls);
        g_array_append_val(unmap_us, us);
    }
    bench_teardown(b, nr_mapped);
    g_free(b);

    r.map_us = median(map_us);
    r.unmap_us = median(unmap_us);
    r.map_calls = (double)map_calls / REPETITIONS;
    r.unmap_calls = (double)unmap_calls / REPETITIONS;
    return r;
}

int main(int argc, char **argv)
{
    static const unsigned sizes[] = { 16, 256, 1024 };
    Result results[ARRAY_SIZE(sizes)];
    double cost_first, cost_last, ratio;
    unsigned i;

    printf("memory commit: map/unmap one unmergeable alias next to N mapped\n");
    printf("(median of %d commits each, wall-clock microseconds)\n\n",
           REPETITIONS);
    printf("%8s %12s %12s %14s %14s\n", "N", "map us", "unmap us",
           "calls/map", "calls/unmap");
    for (i = 0; i < ARRAY_SIZE(sizes); i++) {
        results[i] = bench_run(sizes[i]);
        printf("%8u %12.3f %12.3f %14.1f %14.1f\n", results[i].nr_mapped,
               results[i].map_us, results[i].unmap_us,
               results[i].map_calls, results[i].unmap_calls);
    }

    cost_first = results[0].map_us + results[0].unmap_us;
    cost_last = results[ARRAY_SIZE(sizes) - 1].map_us +
                results[ARRAY_SIZE(sizes) - 1].unmap_us;
    ratio = cost_first > 0 ? cost_last / cost_first : 0;
    printf("\ncost(1024)/cost(16) = %.2f (goal <= 2)\n", ratio);

    printf("BENCH bench-memory-commit");
    for (i = 0; i < ARRAY_SIZE(sizes); i++) {
        printf(" map_us_%u=%.3f unmap_us_%u=%.3f calls_per_commit_%u=%.1f",
               sizes[i], results[i].map_us, sizes[i], results[i].unmap_us,
               sizes[i],
               (results[i].map_calls + results[i].unmap_calls) / 2);
    }
    printf(" ratio_1024_16=%.2f\n", ratio);
    return 0;
}
