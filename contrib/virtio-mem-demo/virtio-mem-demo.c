/*
 * The main job: start sparsevm with 1 GiB of RAM and a 64 GiB virtio-mem
 * device, act as the guest's virtio-mem driver over the qtest protocol,
 * and show what the host pays for memory as it is plugged and unplugged.
 *
 * sparsevm is $SPARSEVM_BINARY; the driver side uses libqtest and libqos
 * (tests/qtest/) exactly as the qtests do.
 *
 * Part 2, where /dev/kvm can be opened and the test guest was built
 * ($SPARSEVM_GUEST): the same device under -accel kvm with
 * dynamic-memslots=on, driven by the real guest (tests/guest/, a virtio-mem
 * driver running in the VM); for each requested size it prints what the
 * guest reported on its debug console and the KVM memslots sparsevm holds.
 */
#include "qemu/osdep.h"
#include <fcntl.h>
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

/* --- Part 2: the test guest under KVM ----------------------------------- */

#define KVM_MACHINE_ARGS \
    "-machine pc -m 1G,maxmem=65G -accel kvm " \
    "-object memory-backend-ram,id=mem0,size=64G,reserve=off " \
    "-device virtio-mem-pci,id=vm0,memdev=mem0,requested-size=0," \
    "dynamic-memslots=on,unplugged-inaccessible=on"

/* Seconds to wait for the guest to settle after a change. */
#define GUEST_SETTLE_SECONDS 60

static bool kvm_usable(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        printf("\nPart 2 skipped: /dev/kvm: %s\n", strerror(errno));
        return false;
    }
    close(fd);
    return true;
}

/*
 * Print the guest's console lines after @seen until a "settled" line for
 * @requested; false on an ERROR line or after GUEST_SETTLE_SECONDS.
 */
static bool print_console_until_settled(const char *console, size_t *seen,
                                        uint64_t requested)
{
    g_autofree char *want = g_strdup_printf("virtio-mem: settled requested "
                                            "%#" PRIx64, requested);
    gint64 deadline = g_get_monotonic_time() +
                      GUEST_SETTLE_SECONDS * G_USEC_PER_SEC;

    while (g_get_monotonic_time() < deadline) {
        g_autofree char *text = NULL;
        char *line, *nl;

        g_file_get_contents(console, &text, NULL, NULL);
        line = text ? text + MIN(*seen, strlen(text)) : NULL;
        while (line && (nl = strchr(line, '\n'))) {
            *nl = '\0';
            printf("    console: %s\n", line);
            *seen += nl + 1 - line;
            if (g_str_has_prefix(line, "ERROR")) {
                return false;
            }
            /* 0 is "0x0" on the console, not "%#x"'s "0". */
            if (g_str_has_prefix(line, want) ||
                (requested == 0 &&
                 g_str_has_prefix(line, "virtio-mem: settled requested 0x0 "))) {
                return true;
            }
            line = nl + 1;
        }
        g_usleep(50 * 1000);
    }
    printf("    guest did not settle within %d s\n", GUEST_SETTLE_SECONDS);
    return false;
}

/* The KVM memslots inside the virtio-mem device (at 4 GiB and up). */
static void print_kvm_memslots(QTestState *qts)
{
    JsonArray *slots = json_node_get_array(qtest_qmp_assert_success(qts,
                           "{'execute': 'x-query-kvm-memslots'}"));
    guint n = json_array_get_length(slots), device = 0;
    GString *ranges = g_string_new(NULL);

    for (guint i = 0; i < n; i++) {
        JsonObject *slot = json_array_get_object_element(slots, i);
        uint64_t gpa = json_object_get_int_member(slot, "guest-phys-addr");
        uint64_t size = json_object_get_int_member(slot, "size");

        if (gpa >= 4 * GiB) {
            device++;
            g_string_append_printf(ranges, " %#" PRIx64 "+%" PRIu64 "G", gpa,
                                   size / GiB);
        }
    }
    printf("    KVM memslots: %u in all, %u for virtio-mem:%s\n", n, device,
           ranges->str);
    g_string_free(ranges, true);
}

static bool kvm_guest_demo(const char *guest)
{
    static const struct {
        const char *text;
        uint64_t size;
    } steps[] = {
        { "2G", 2 * GiB },
        { "6G", 6 * GiB },
        { "1G", 1 * GiB },
        { "0", 0 },
    };
    g_autofree char *dir = g_dir_make_tmp("sparsevm-demo-XXXXXX", NULL);
    g_autofree char *console = g_build_filename(dir, "console.log", NULL);
    g_autofree char *args = g_strdup_printf("%s -kernel %s -debugcon file:%s",
                                            KVM_MACHINE_ARGS, guest, console);
    size_t seen = 0;
    uint64_t baseline;
    QTestState *qts;
    bool ok = true;

    printf("\n== Part 2: the test guest's own virtio-mem driver under KVM\n"
           "sparsevm %s -kernel guest.elf -debugcon file:console.log\n",
           KVM_MACHINE_ARGS);
    qts = qtest_init(args);
    baseline = process_rss(qtest_pid(qts));
    printf("    decided memslots: %" PRId64 " (dynamic-memslots: 1 GiB each, "
           "mapped only where blocks are plugged)\n",
           qtest_qom_get_int(qts, "vm0", "memslots"));
    ok = print_console_until_settled(console, &seen, 0);
    print_kvm_memslots(qts);
    for (size_t i = 0; ok && i < ARRAY_SIZE(steps); i++) {
        request_size(qts, steps[i].text, steps[i].size);
        ok = print_console_until_settled(console, &seen, steps[i].size);
        print_kvm_memslots(qts);
        print_rss(qts, baseline);
    }
    qtest_quit(qts);
    unlink(console);
    rmdir(dir);
    return ok;
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
    const char *guest;
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

    guest = g_getenv("SPARSEVM_GUEST");
    if (!guest || !g_file_test(guest, G_FILE_TEST_EXISTS)) {
        printf("\nPart 2 skipped: the test guest was not built\n");
    } else if (kvm_usable()) {
        bool guest_ok = kvm_guest_demo(guest);

        printf("\n%s\n", guest_ok ? "done: the guest plugged, verified "
               "and unplugged its memory; KVM held a memslot only where "
               "memory was plugged" : "FAILED (part 2)");
        ok = ok && guest_ok;
    }
    return ok ? 0 : 1;
}
