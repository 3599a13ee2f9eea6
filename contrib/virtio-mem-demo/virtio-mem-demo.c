/*
 * The main job: start sparsevm with 1 GiB of RAM and a 64 GiB virtio-mem
 * device, act as the guest's virtio-mem driver over the qtest protocol,
 * and show what the host pays for memory as it is plugged and unplugged.
 *
 * sparsevm is $SPARSEVM_BINARY; the driver side uses libqtest and libqos
 * (tests/qtest/) exactly as the qtests do.
 */
#include "qemu/osdep.h"
#include "qemu/units.h"
#include "libqos/virtio-mem.h"

#define MACHINE_ARGS \
    "-machine pc -m 1G,maxmem=65G " \
    "-object memory-backend-ram,id=mem0,size=64G,reserve=off " \
    "-device virtio-mem-pci,id=vm0,memdev=mem0,requested-size=0"

/* At most this many blocks per PLUG/UNPLUG request (1 GiB of 2 MiB). */
#define BLOCKS_PER_REQUEST 512

typedef struct Driver {
    QVirtioMemDriver vmem;
    QTestState *qts;
    uint64_t addr, block_size;  /* from the device's configuration */
    uint64_t plugged;           /* what this driver has plugged */
} Driver;

#define CONFIG(d, field) QVIRTIO_MEM_CONFIG(&(d)->vmem, field)

static uint16_t driver_request(Driver *d, uint16_t type, uint64_t addr,
                               uint16_t nb_blocks)
{
    return qvirtio_mem_request(&d->vmem, type, addr, nb_blocks, NULL);
}

static const char *response_name(uint16_t type)
{
    return qvirtio_mem_response_name(type);
}

/* Find virtio-mem-pci at 00:02.0 and start the guest driver. */
static void driver_start(Driver *d, QTestState *qts)
{
    memset(d, 0, sizeof(*d));
    qvirtio_mem_driver_start(&d->vmem, qts, QPCI_DEVFN(2, 0));
    d->qts = qts;
    d->addr = d->vmem.addr;
    d->block_size = d->vmem.block_size;
}

static void driver_stop(Driver *d)
{
    qvirtio_mem_driver_stop(&d->vmem);
}

/* The byte the driver writes all over block @block. */
static uint8_t block_pattern(uint64_t block)
{
    return 0x11 + block % 0xee;
}

/*
 * Follow requested_size as a guest driver does: plug (and fill) or
 * unplug blocks at the top of what is plugged.  Prints each request.
 */
static void driver_follow_requested_size(Driver *d)
{
    uint64_t requested = CONFIG(d, requested_size);

    while (d->plugged < requested) {
        uint64_t blocks = MIN((requested - d->plugged) / d->block_size,
                              BLOCKS_PER_REQUEST);
        uint64_t start = d->addr + d->plugged;
        uint16_t answer = driver_request(d, VIRTIO_MEM_REQ_PLUG, start,
                                         blocks);

        printf("    PLUG   %#" PRIx64 " + %4" PRIu64 " blocks -> %s\n",
               start, blocks, response_name(answer));
        if (answer != VIRTIO_MEM_RESP_ACK) {
            return;
        }
        for (uint64_t i = 0; i < blocks; i++) {
            uint64_t block = d->plugged / d->block_size + i;

            qtest_memset(d->qts, d->addr + block * d->block_size,
                         block_pattern(block), d->block_size);
        }
        d->plugged += blocks * d->block_size;
    }
    if (requested == 0 && d->plugged) {
        uint16_t answer = driver_request(d, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0);

        printf("    UNPLUG_ALL                     -> %s\n",
               response_name(answer));
        if (answer == VIRTIO_MEM_RESP_ACK) {
            d->plugged = 0;
        }
        return;
    }
    while (d->plugged > requested) {
        uint64_t blocks = MIN((d->plugged - requested) / d->block_size,
                              BLOCKS_PER_REQUEST);
        uint64_t start = d->addr + d->plugged - blocks * d->block_size;
        uint16_t answer = driver_request(d, VIRTIO_MEM_REQ_UNPLUG, start,
                                         blocks);

        printf("    UNPLUG %#" PRIx64 " + %4" PRIu64 " blocks -> %s\n",
               start, blocks, response_name(answer));
        if (answer != VIRTIO_MEM_RESP_ACK) {
            return;
        }
        d->plugged -= blocks * d->block_size;
    }
}

/*
 * Check what the guest sees: every plugged block still holds its pattern
 * (first and last byte), the first unplugged block reads zeros.
 */
static bool driver_verify(Driver *d)
{
    uint64_t nr_plugged = d->plugged / d->block_size;

    for (uint64_t block = 0; block < nr_plugged; block++) {
        uint64_t base = d->addr + block * d->block_size;

        if (qtest_readb(d->qts, base) != block_pattern(block) ||
            qtest_readb(d->qts, base + d->block_size - 1) !=
            block_pattern(block)) {
            printf("    block %" PRIu64 " lost its data\n", block);
            return false;
        }
    }
    if (qtest_readq(d->qts, d->addr + d->plugged) != 0) {
        printf("    unplugged memory does not read as zeros\n");
        return false;
    }
    return true;
}

/* VmRSS of process @pid, in bytes. */
static uint64_t process_rss(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
    g_autofree char *status = NULL;
    const char *line;

    if (!g_file_get_contents(path, &status, NULL, NULL)) {
        return 0;
    }
    line = strstr(status, "VmRSS:");
    return line ? g_ascii_strtoull(line + 6, NULL, 10) * KiB : 0;
}

static void print_rss(QTestState *qts, uint64_t baseline)
{
    uint64_t rss = process_rss(qtest_pid(qts));

    printf("    sparsevm RSS: %" PRIu64 " MiB (%+" PRId64 " MiB from the "
           "start)\n", rss / MiB, ((int64_t)rss - (int64_t)baseline) /
           (int64_t)MiB);
}

static void print_memory_devices(QTestState *qts)
{
    JsonNode *ret = qtest_qmp_assert_success(qts,
                        "{'execute': 'query-memory-devices'}");
    g_autofree char *text = json_to_string(ret, false);

    printf("    query-memory-devices: %s\n", text);
}

/* The lines of "info mtree" that belong to the system address space. */
static void print_mtree_memory(QTestState *qts)
{
    g_autofree char *mtree = qtest_hmp(qts, "info mtree");
    g_auto(GStrv) lines = g_strsplit(mtree, "\n", -1);

    printf("    info mtree (address-space: memory, RAM and device memory):\n");
    for (int i = 1; lines[i] && *lines[i]; i++) {
        if (!strstr(lines[i], "virtio-pci") &&
            (strstr(lines[i], "ram") || strstr(lines[i], "device-memory") ||
             strstr(lines[i], "system"))) {
            printf("      %s\n", lines[i]);
        }
    }
}

static void request_size(QTestState *qts, const char *size_text,
                         uint64_t size)
{
    printf("\n$ qom-set vm0 requested-size %s\n", size_text);
    qtest_qmp_assert_success(qts, "{'execute': 'qom-set', 'arguments': "
                             "{'path': 'vm0', 'property': 'requested-size', "
                             "'value': %" PRIu64 "}}", size);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *text;
        uint64_t size;
    } steps[] = {
        { "2G", 2 * GiB },
        { "512M", 512 * MiB },
        { "3G", 3 * GiB },
        { "0", 0 },
    };
    QTestState *qts;
    Driver d;
    uint64_t baseline;
    bool ok = true;

    printf("sparsevm %s\n\n", MACHINE_ARGS);
    qts = qtest_init(MACHINE_ARGS);
    baseline = process_rss(qtest_pid(qts));
    driver_start(&d, qts);
    printf("guest driver: virtio-mem at %#" PRIx64 ", block size %" PRIu64
           " MiB, region %" PRIu64 " GiB\n", d.addr, d.block_size / MiB,
           CONFIG(&d, region_size) / GiB);
    print_mtree_memory(qts);
    print_memory_devices(qts);
    print_rss(qts, baseline);

    for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
        request_size(qts, steps[i].text, steps[i].size);
        driver_follow_requested_size(&d);
        ok = driver_verify(&d) && ok;
        printf("    plugged %" PRIu64 " MiB, usable region %" PRIu64
               " MiB; guest data %s\n", CONFIG(&d, plugged_size) / MiB,
               CONFIG(&d, usable_region_size) / MiB,
               ok ? "verified" : "WRONG");
        print_memory_devices(qts);
        print_rss(qts, baseline);
        if (i == 0) {
            print_mtree_memory(qts);
        }
    }

    driver_stop(&d);
    qtest_quit(qts);
    printf("\n%s\n", ok ? "done: plugged memory held the guest's data and "
           "unplugged memory went back to the host" : "FAILED");
    return ok ? 0 : 1;
}
