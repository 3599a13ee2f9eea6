/*
 * dump-guest-memory of a sparse guest: 1 GiB of RAM plus a 64 GiB region
 * with a RamDiscardManager (as virtio-mem) of which 1 GiB is populated,
 * in 512 blocks of 2 MiB spread over the first 2 GiB.  The dump goes
 * through QMP (qmp_dispatch) in process; its size and time are compared
 * with dd writing the same number of bytes to the same directory.
 *
 * Prints numbers and one machine-readable "BENCH ..." line; never fails on
 * timing (only on a wrong dump size, which is not a timing question).
 */
#include "qemu/osdep.h"
#include <elf.h>
#include <sys/procfs.h>
#include <sys/stat.h>
#include <time.h>
#include "exec/address-spaces.h"
#include "exec/memory.h"
#include "exec/ram-discard-manager.h"
#include "qapi/qmp/dispatch.h"
#include "qom/object.h"

#define RAM_SIZE (1 * GiB)
#define DEV_SIZE (64 * GiB)
#define DEV_ADDR (4 * GiB)
#define BLOCK (2 * MiB)
#define PLUGGED_BLOCKS 512
#define RUNS 3

/* ---- a minimal RamDiscardManager over a bitmap ---- */

#define TYPE_BENCH_RDM "bench-ram-discard-manager"
OBJECT_DECLARE_SIMPLE_TYPE(BenchRdm, BENCH_RDM)

struct BenchRdm {
    Object parent_obj;
    RamDiscardBitmap populated;
};

static uint64_t bench_rdm_granularity(const RamDiscardManager *rdm,
                                      const MemoryRegion *mr)
{
    return BENCH_RDM(rdm)->populated.block_size;
}

static bool bench_rdm_is_populated(const RamDiscardManager *rdm,
                                   const MemoryRegionSection *section)
{
    return ram_discard_bitmap_is_populated(&BENCH_RDM(rdm)->populated,
                                           section);
}

static int bench_rdm_replay_populated(const RamDiscardManager *rdm,
                                      MemoryRegionSection *section,
                                      ReplayRamPopulate fn, void *opaque)
{
    return ram_discard_bitmap_replay_populated(&BENCH_RDM(rdm)->populated,
                                               section, fn, opaque);
}

static int bench_rdm_replay_discarded(const RamDiscardManager *rdm,
                                      MemoryRegionSection *section,
                                      ReplayRamDiscard fn, void *opaque)
{
    return ram_discard_bitmap_replay_discarded(&BENCH_RDM(rdm)->populated,
                                               section, fn, opaque);
}

static void bench_rdm_class_init(ObjectClass *oc, void *data)
{
    RamDiscardManagerClass *rdmc = RAM_DISCARD_MANAGER_CLASS(oc);

    rdmc->get_min_granularity = bench_rdm_granularity;
    rdmc->is_populated = bench_rdm_is_populated;
    rdmc->replay_populated = bench_rdm_replay_populated;
    rdmc->replay_discarded = bench_rdm_replay_discarded;
}

static const TypeInfo bench_rdm_info = {
    .name = TYPE_BENCH_RDM,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(BenchRdm),
    .class_init = bench_rdm_class_init,
    .interfaces = (InterfaceInfo[]) {
        { TYPE_RAM_DISCARD_MANAGER },
        { }
    },
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double run_dump(const char *path, const char *format)
{
    g_autofree char *text = g_strdup_printf(
        "{\"execute\": \"dump-guest-memory\", \"arguments\": "
        "{\"paging\": false, \"protocol\": \"file:%s\", \"format\": \"%s\"}}",
        path, format);
    g_autoptr(JsonParser) parser = json_parser_new();
    JsonObject *resp;
    double t0, t1;

    unlink(path);
    g_assert_true(json_parser_load_from_data(parser, text, -1, NULL));
    t0 = now_s();
    resp = qmp_dispatch(json_node_get_object(json_parser_get_root(parser)),
                        true);
    t1 = now_s();
    if (!json_object_has_member(resp, "return")) {
        g_error("dump-guest-memory failed");
    }
    json_object_unref(resp);
    return t1 - t0;
}

static double run_dd(const char *path, uint64_t bytes)
{
    g_autofree char *cmd = g_strdup_printf("dd if=/dev/zero of=%s bs=1M "
                                           "count=%" PRIu64 " status=none",
                                           path, bytes / MiB);
    int status;
    double t0, t1;

    unlink(path);
    t0 = now_s();
    g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, &status, NULL));
    t1 = now_s();
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    return t1 - t0;
}

static uint64_t file_size(const char *path)
{
    struct stat st;

    g_assert_cmpint(stat(path, &st), ==, 0);
    return st.st_size;
}

int main(int argc, char **argv)
{
    MemoryRegion *ram = g_new0(MemoryRegion, 1);
    MemoryRegion *dev = g_new0(MemoryRegion, 1);
    g_autofree char *dir = g_dir_make_tmp("bench-dump-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "dump", NULL);
    uint64_t plugged = PLUGGED_BLOCKS * BLOCK;
    /* Ehdr, PT_NOTE + one PT_LOAD per block, one NT_PRSTATUS; page aligned */
    uint64_t headers = ROUND_UP(sizeof(Elf64_Ehdr) + (2 + PLUGGED_BLOCKS) *
                                sizeof(Elf64_Phdr) + sizeof(Elf64_Nhdr) + 8 +
                                sizeof(struct elf_prstatus), 4096);
    uint64_t expected = headers + RAM_SIZE + plugged;
    double dump_best = 1e9, dd_best = 1e9, kdump_time;
    uint64_t size = 0, kdump_size;
    BenchRdm *rdm;
    uint8_t *host;

    type_register_static(&bench_rdm_info);
    memory_map_init();
    if (!memory_region_init_ram(ram, NULL, "pc.ram", RAM_SIZE,
                                &error_abort) ||
        !memory_region_init_ram_flags_nomigrate(dev, NULL, "mem0", DEV_SIZE,
                                                RAM_NORESERVE,
                                                &error_abort)) {
        return 1;
    }
    rdm = BENCH_RDM(object_new(TYPE_BENCH_RDM));
    ram_discard_bitmap_init(&rdm->populated, DEV_SIZE, BLOCK);
    memory_region_set_ram_discard_manager(dev, RAM_DISCARD_MANAGER(rdm),
                                          &error_abort);

    /* Guest data everywhere that is dumped: real pages, not zero pages. */
    memset(memory_region_get_ram_ptr(ram), 0x5a, RAM_SIZE);
    host = memory_region_get_ram_ptr(dev);
    for (unsigned i = 0; i < PLUGGED_BLOCKS; i++) {
        uint64_t off = 2 * i * BLOCK;

        ram_discard_bitmap_set_populated(&rdm->populated, off, BLOCK);
        memset(host + off, i & 0xff, BLOCK);
    }
    memory_region_add_subregion(get_system_memory(), 0, ram);
    memory_region_add_subregion(get_system_memory(), DEV_ADDR, dev);

    for (int run = 0; run < RUNS; run++) {
        dump_best = MIN(dump_best, run_dump(path, "elf"));
        size = file_size(path);
        dd_best = MIN(dd_best, run_dd(path, size));
    }
    kdump_time = run_dump(path, "kdump-raw-zlib");
    kdump_size = file_size(path);
    unlink(path);
    rmdir(dir);

    printf("guest: %" PRIu64 " MiB RAM + %" PRIu64 " GiB device, %" PRIu64
           " MiB plugged in %u blocks of %" PRIu64 " MiB\n",
           (uint64_t)(RAM_SIZE / MiB), (uint64_t)(DEV_SIZE / GiB),
           plugged / MiB, PLUGGED_BLOCKS, (uint64_t)(BLOCK / MiB));
    printf("ELF dump: %" PRIu64 " bytes = headers %" PRIu64 " + guest bytes %"
           PRIu64 " (RAM + plugged = %" PRIu64 ")\n", size, headers,
           size - headers, (uint64_t)RAM_SIZE + plugged);
    printf("ELF dump time (best of %d): %.3f s; dd of the same size: %.3f s;"
           " ratio %.2f (goal <= 1.2)\n", RUNS, dump_best, dd_best,
           dump_best / dd_best);
    printf("kdump-raw-zlib: %" PRIu64 " bytes in %.3f s\n", kdump_size,
           kdump_time);
    printf("BENCH dump size=%" PRIu64 " expected=%" PRIu64 " dump_s=%.3f "
           "dd_s=%.3f ratio=%.3f kdump_s=%.3f kdump_bytes=%" PRIu64 "\n",
           size, expected, dump_best, dd_best, dump_best / dd_best,
           kdump_time, kdump_size);
    return size == expected ? 0 : 1;
}
