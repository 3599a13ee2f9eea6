/*
 * The KVM accelerator with the real /dev/kvm (every test skips without
 * it): the memslot table against the flat view, neighbour memslots left
 * untouched when virtio-mem maps and unmaps memslot aliases, the
 * x-query-kvm-memslots fields, HMP, run state (stop/cont/quit/SIGTERM),
 * qtest beside -accel kvm, command-line errors, and tiny hand-assembled
 * guests (with -kernel, when the binary has it: skipped otherwise) for
 * PIO/MMIO exits, guest-error logging, stop/cont/reset, triple faults and
 * interrupts through the in-kernel irqchip.
 */
#include "qemu/osdep.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <elf.h>
#include "libqtest.h"
#include "libqos/virtio-mem.h"

#define MIB (1024ULL * 1024)
#define GIB (1024 * MIB)

/* 8 memslots of 1 GiB for an 8 GiB device at 4 GiB. */
#define VMEM_ARGS "-accel kvm -S -machine pc -nodefaults " \
    "-m 1G,maxmem=9G,slots=1 " \
    "-object memory-backend-ram,id=mem0,size=8G,reserve=off " \
    "-device virtio-mem-pci,id=vm0,memdev=mem0,memslots=8,requested-size=0"

typedef struct Range {
    uint64_t start, end;    /* inclusive */
    int64_t slot;           /* -1 for ranges from info mtree */
} Range;

static bool kvm_available(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        g_test_skip("/dev/kvm is not available (cannot be opened): "
                    "skipping the KVM test");
        return false;
    }
    close(fd);
    return true;
}

/* x-query-kvm-memslots as ranges, in the order returned. */
static GArray *query_memslots(QTestState *qts)
{
    JsonNode *ret = qtest_qmp_assert_success(qts, "{'execute': "
                                             "'x-query-kvm-memslots'}");
    JsonArray *list = json_node_get_array(ret);
    GArray *ranges = g_array_new(FALSE, FALSE, sizeof(Range));

    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *o = json_array_get_object_element(list, i);
        Range r = {
            .start = json_object_get_int_member(o, "guest-phys-addr"),
            .slot = json_object_get_int_member(o, "slot"),
        };

        r.end = r.start + json_object_get_int_member(o, "size") - 1;
        g_array_append_val(ranges, r);
    }
    return ranges;
}

/* The RAM/ROM ranges of the "memory" flat view of info mtree -f. */
static GArray *mtree_ram_ranges(QTestState *qts)
{
    g_autofree char *out = qtest_hmp(qts, "info mtree -f");
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    GArray *ranges = g_array_new(FALSE, FALSE, sizeof(Range));
    bool in_memory = false;

    for (int i = 0; lines[i]; i++) {
        Range r = { .slot = -1 };
        char kind[16];

        if (g_str_has_prefix(lines[i], "FlatView")) {
            in_memory = false;
        } else if (strstr(lines[i], "AS \"memory\"")) {
            in_memory = true;
        } else if (in_memory &&
                   sscanf(lines[i], " %" SCNx64 "-%" SCNx64
                          " (prio %*d, %15[a-z]", &r.start, &r.end,
                          kind) == 3 &&
                   (!strcmp(kind, "ram") || !strcmp(kind, "rom"))) {
            g_array_append_val(ranges, r);
        }
    }
    return ranges;
}

/* The table must be exactly the RAM of the flat view, sorted. */
static void assert_slots_match_mtree(QTestState *qts)
{
    g_autoptr(GArray) slots = query_memslots(qts);
    g_autoptr(GArray) ram = mtree_ram_ranges(qts);

    g_assert_cmpuint(slots->len, ==, ram->len);
    for (guint i = 0; i < slots->len; i++) {
        Range *s = &g_array_index(slots, Range, i);
        Range *m = &g_array_index(ram, Range, i);

        g_assert_cmphex(s->start, ==, m->start);
        g_assert_cmphex(s->end, ==, m->end);
    }
}

/* The slot id mapping guest address @gpa (-1 if none). */
static int64_t slot_at(GArray *slots, uint64_t gpa)
{
    for (guint i = 0; i < slots->len; i++) {
        Range *s = &g_array_index(slots, Range, i);

        if (s->start == gpa) {
            return s->slot;
        }
    }
    return -1;
}

/* KVM_SET_USER_MEMORY_REGION calls so far (info kvm-memslots). */
static uint64_t slot_updates(QTestState *qts)
{
    g_autofree char *out = qtest_hmp(qts, "info kvm-memslots");
    const char *line = strstr(out, "memslots in use, ");
    uint64_t n;

    g_assert_nonnull(line);
    g_assert_cmpint(sscanf(line, "memslots in use, %" SCNu64, &n), ==, 1);
    return n;
}

static void set_requested_size(QTestState *qts, uint64_t size)
{
    qtest_qmp_assert_success(qts, "{'execute': 'qom-set', 'arguments': "
                             "{'path': 'vm0', 'property': 'requested-size', "
                             "'value': %" PRIu64 "}}", size);
}

static void test_memslots_follow_virtio_mem(void)
{
    QTestState *qts;
    QVirtioMemDriver drv;
    g_autoptr(GArray) before = NULL;
    g_autoptr(GArray) grown = NULL;
    g_autoptr(GArray) shrunk = NULL;
    uint64_t dev_addr, updates;
    guint mapped;
    int64_t ram_slot;

    if (!kvm_available()) {
        return;
    }
    qts = qtest_init(VMEM_ARGS);
    qvirtio_mem_driver_start(&drv, qts, QPCI_DEVFN(2, 0));
    dev_addr = drv.addr;

    /* Boot: only pc.ram (below 4 GiB, 1 GiB). */
    assert_slots_match_mtree(qts);
    before = query_memslots(qts);
    g_assert_cmpuint(before->len, ==, 1);
    ram_slot = slot_at(before, 0);
    g_assert_cmpint(ram_slot, >=, 0);

    /*
     * 2 GiB requested: the first memslots of the device get mapped, each
     * with exactly one KVM call (pc.ram is not removed and re-added).
     */
    updates = slot_updates(qts);
    set_requested_size(qts, 2 * GIB);
    assert_slots_match_mtree(qts);
    grown = query_memslots(qts);
    g_assert_cmpuint(grown->len, >, 2);
    g_assert_cmpuint(slot_updates(qts) - updates, ==, grown->len - 1);
    g_assert_cmpint(slot_at(grown, 0), ==, ram_slot);
    g_assert_cmpint(slot_at(grown, dev_addr), >=, 0);

    /* 4 GiB: more are mapped; the ones already there keep their slot. */
    set_requested_size(qts, 4 * GIB);
    assert_slots_match_mtree(qts);
    {
        g_autoptr(GArray) more = query_memslots(qts);

        g_assert_cmpuint(more->len, >, grown->len);
        g_assert_cmpuint(slot_updates(qts) - updates, ==, more->len - 1);
        updates = slot_updates(qts);
        mapped = more->len - 1;
        for (guint i = 0; i < grown->len; i++) {
            Range *r = &g_array_index(grown, Range, i);

            g_assert_cmpint(slot_at(more, r->start), ==, r->slot);
        }
    }

    /* Shrink: 0 requested and UNPLUG_ALL unmaps the device's memslots. */
    set_requested_size(qts, 0);
    g_assert_cmpuint(qvirtio_mem_request(&drv, VIRTIO_MEM_REQ_UNPLUG_ALL, 0,
                                         0, NULL), ==, VIRTIO_MEM_RESP_ACK);
    assert_slots_match_mtree(qts);
    shrunk = query_memslots(qts);
    g_assert_cmpuint(shrunk->len, ==, 1);
    /* One removal per device memslot, nothing else. */
    g_assert_cmpuint(slot_updates(qts) - updates, ==, mapped);
    g_assert_cmpint(slot_at(shrunk, 0), ==, ram_slot);

    /* Grow again: freed slot ids are recycled, pc.ram still untouched. */
    set_requested_size(qts, 2 * GIB);
    assert_slots_match_mtree(qts);
    {
        g_autoptr(GArray) again = query_memslots(qts);

        g_assert_cmpuint(again->len, ==, grown->len);
        g_assert_cmpint(slot_at(again, 0), ==, ram_slot);
        g_assert_cmpint(slot_at(again, dev_addr), ==,
                        slot_at(grown, dev_addr));
    }
    qvirtio_mem_driver_stop(&drv);
    qtest_quit(qts);
}

static void test_memslots_json(void)
{
    QTestState *qts;
    JsonNode *ret;
    JsonArray *list;
    JsonObject *o;
    g_autofree char *hmp = NULL;
    g_autofree char *info = NULL;

    if (!kvm_available()) {
        return;
    }
    qts = qtest_init("-accel kvm -S -machine pc -nodefaults -m 256M");
    ret = qtest_qmp_assert_success(qts, "{'execute': 'x-query-kvm-memslots'}");
    list = json_node_get_array(ret);
    g_assert_cmpuint(json_array_get_length(list), ==, 1);
    o = json_array_get_object_element(list, 0);
    g_assert_cmpuint(json_object_get_size(o), ==, 5);
    g_assert_cmpint(json_object_get_int_member(o, "slot"), >=, 0);
    g_assert_cmphex(json_object_get_int_member(o, "guest-phys-addr"), ==, 0);
    g_assert_cmphex(json_object_get_int_member(o, "size"), ==, 256 * MIB);
    g_assert_cmpint(json_object_get_int_member(o, "userspace-addr"), !=, 0);
    g_assert_false(json_object_get_boolean_member(o, "readonly"));

    hmp = qtest_hmp(qts, "info kvm-memslots");
    g_assert_nonnull(strstr(hmp, ": 0x0000000000000000-0x000000000fffffff "
                            "(256 MiB) hva 0x"));
    g_assert_true(g_str_has_prefix(hmp, "slot "));
    info = qtest_hmp(qts, "info kvm");
    g_assert_cmpstr(info, ==, "kvm support: enabled\n");
    qtest_quit(qts);
}

/* Under the qtest accelerator the query answers an error, HMP says so. */
static void test_without_kvm(void)
{
    QTestState *qts = qtest_init("-machine pc -nodefaults");
    JsonObject *resp = qtest_qmp(qts, "{'execute': 'x-query-kvm-memslots'}");
    JsonObject *err = json_object_get_object_member(resp, "error");
    g_autofree char *info = qtest_hmp(qts, "info kvm");

    g_assert_cmpstr(json_object_get_string_member(err, "class"), ==,
                    "GenericError");
    g_assert_cmpstr(json_object_get_string_member(err, "desc"), ==,
                    "KVM is not enabled");
    json_object_unref(resp);
    g_assert_cmpstr(info, ==, "kvm support: disabled\n");
    qtest_quit(qts);
}

static const char *status_of(QTestState *qts)
{
    JsonNode *ret = qtest_qmp_assert_success(qts, "{'execute': "
                                             "'query-status'}");

    return json_object_get_string_member(json_node_get_object(ret),
                                         "status");
}

/* Without -kernel no vCPU runs, but the run state and QMP work. */
static void test_stop_cont_quit(void)
{
    QTestState *qts;

    if (!kvm_available()) {
        return;
    }
    qts = qtest_init("-accel kvm -S -machine pc -nodefaults -m 128M");
    g_assert_cmpstr(status_of(qts), ==, "prelaunch");
    qtest_qmp_assert_success(qts, "{'execute': 'cont'}");
    qtest_qmp_eventwait(qts, "RESUME");
    g_assert_cmpstr(status_of(qts), ==, "running");
    qtest_qmp_assert_success(qts, "{'execute': 'stop'}");
    qtest_qmp_eventwait(qts, "STOP");
    g_assert_cmpstr(status_of(qts), ==, "paused");
    qtest_qmp_assert_success(qts, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(qts, "RESET");
    qtest_qmp_assert_success(qts, "{'execute': 'cont'}");
    qtest_qmp_eventwait(qts, "RESUME");
    qtest_qmp_assert_success(qts, "{'execute': 'quit'}");
    qtest_quit(qts);
}

static void test_sigterm(void)
{
    QTestState *qts;
    JsonObject *event, *data;

    if (!kvm_available()) {
        return;
    }
    qts = qtest_init("-accel kvm -machine pc -nodefaults -m 128M");
    g_assert_cmpstr(status_of(qts), ==, "running");
    g_assert_cmpint(kill(qtest_pid(qts), SIGTERM), ==, 0);
    event = qtest_qmp_eventwait_ref(qts, "SHUTDOWN");
    data = json_object_get_object_member(event, "data");
    g_assert_cmpstr(json_object_get_string_member(data, "reason"), ==,
                    "host-signal");
    json_object_unref(event);
    qtest_quit(qts);
}

/* qtest accesses devices and RAM beside KVM; the clock is KVM's. */
static void test_qtest_beside_kvm(void)
{
    QTestState *qts;
    g_autofree char *reply = NULL;

    if (!kvm_available()) {
        return;
    }
    qts = qtest_init("-accel kvm -S -machine pc -nodefaults -m 128M");
    qtest_writeq(qts, 0x1000, 0x1122334455667788ULL);
    g_assert_cmphex(qtest_readq(qts, 0x1000), ==, 0x1122334455667788ULL);
    /* PCI config space of the host bridge through 0xcf8/0xcfc. */
    qtest_outl(qts, 0xcf8, 0x80000000);
    g_assert_cmphex(qtest_inl(qts, 0xcfc), ==, 0x12378086);
    reply = qtest_raw_cmd(qts, "clock_step 1000");
    g_assert_true(g_str_has_prefix(reply, "FAIL"));
    qtest_quit(qts);
}

static void test_accel_cmdline(void)
{
    int status;
    g_autofree char *bad_prop = NULL;

    if (!kvm_available()) {
        return;
    }
    bad_prop = qtest_init_expect_fail("-accel kvm,foo=1", &status);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_cmpstr(bad_prop, ==, "sparsevm: -accel kvm,foo=1: invalid "
                    "accelerator kvm\n");
}

/* --- A tiny guest (needs -kernel, the x86-boot loader) ------------------ */

#define GUEST_ENTRY 0x200000ULL
#define GUEST_DATA 0x300000ULL      /* counter, RSI, RDI at +0, +8, +16 */
#define GUEST_RAM (256 * MIB)
#define GUEST_MMIO_HOLE 0xd0000000ULL

/*
 * 64-bit code: save RSI/RDI, write PCI config address 0x80000010 to port
 * 0xcf8 (a PIO exit the test reads back), store to unassigned MMIO at
 * 0xd0000000 (an MMIO exit nobody accepts), then count forever in RAM.
 */
static const uint8_t guest_pio_mmio_loop[] = {
    0xb9, 0x00, 0x00, 0x30, 0x00,           /* mov $0x300000,%ecx */
    0x48, 0x89, 0x71, 0x08,                 /* mov %rsi,8(%rcx) */
    0x48, 0x89, 0x79, 0x10,                 /* mov %rdi,16(%rcx) */
    0xb8, 0x10, 0x00, 0x00, 0x80,           /* mov $0x80000010,%eax */
    0xba, 0xf8, 0x0c, 0x00, 0x00,           /* mov $0xcf8,%edx */
    0xef,                                   /* out %eax,(%dx) */
    0xbb, 0x00, 0x00, 0x00, 0xd0,           /* mov $0xd0000000,%ebx */
    0xc7, 0x03, 0x78, 0x56, 0x34, 0x12,     /* movl $0x12345678,(%rbx) */
    0x48, 0xff, 0x01,                       /* 1: incq (%rcx) */
    0xeb, 0xfb,                             /* jmp 1b */
};

/* Count one boot, then ud2 without an IDT: a triple fault. */
static const uint8_t guest_triple_fault[] = {
    0xb9, 0x00, 0x00, 0x30, 0x00,           /* mov $0x300000,%ecx */
    0x48, 0xff, 0x01,                       /* incq (%rcx) */
    0x0f, 0x0b,                             /* ud2 */
};

/* Write a one-segment ELF64 executable loading @code at GUEST_ENTRY. */
static char *write_guest_elf(const void *code, size_t len)
{
    const size_t code_offset = 0x1000;
    g_autofree uint8_t *image = g_malloc0(code_offset + len);
    Elf64_Ehdr *eh = (Elf64_Ehdr *)image;
    Elf64_Phdr *ph = (Elf64_Phdr *)(image + sizeof(*eh));
    GError *gerr = NULL;
    char *path;
    int fd;

    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = GUEST_ENTRY;
    eh->e_phoff = sizeof(*eh);
    eh->e_ehsize = sizeof(*eh);
    eh->e_phentsize = sizeof(*ph);
    eh->e_phnum = 1;
    ph->p_type = PT_LOAD;
    ph->p_flags = PF_R | PF_X;
    ph->p_offset = code_offset;
    ph->p_vaddr = ph->p_paddr = GUEST_ENTRY;
    ph->p_filesz = ph->p_memsz = len;
    ph->p_align = 0x1000;
    memcpy(image + code_offset, code, len);

    fd = g_file_open_tmp("kvm-test-guest-XXXXXX.elf", &path, &gerr);
    g_assert_no_error(gerr);
    close(fd);
    g_assert_true(g_file_set_contents(path, (char *)image, code_offset + len,
                                      &gerr));
    g_assert_no_error(gerr);
    return path;
}

/* Whether this sparsevm has -kernel (the x86-boot loader). */
static bool kernel_supported(void)
{
    const char *binary = g_getenv("SPARSEVM_BINARY");
    const char *argv[] = { binary, "-h", NULL };
    g_autofree char *out = NULL;

    if (!binary || !g_spawn_sync(NULL, (char **)argv, NULL,
                                 G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                                 &out, NULL, NULL, NULL) ||
        !strstr(out, "\n-kernel ")) {
        g_test_skip("this sparsevm has no -kernel: no guest to run");
        return false;
    }
    return true;
}

/*
 * Wait until the guest's qword at @addr is at least @min and return it
 * (the vCPU runs on its own; the bound only turns a hang into a failure).
 */
static uint64_t wait_guest_qword(QTestState *qts, uint64_t addr,
                                 uint64_t min)
{
    uint64_t val = 0;

    for (int i = 0; i < 3000; i++) {
        val = qtest_readq(qts, addr);
        if (val >= min) {
            return val;
        }
        g_usleep(10 * 1000);
    }
    g_error("guest qword at 0x%" PRIx64 " stuck at %" PRIu64 " (< %" PRIu64
            ")", addr, val, min);
}

static void test_guest_pio_mmio_ram(void)
{
    g_autofree char *elf = NULL;
    g_autofree char *log = NULL;
    g_autofree char *log_text = NULL;
    g_autofree char *cmdline = NULL;
    QTestState *qts;
    uint64_t count, count2;
    char buf[8];

    if (!kvm_available() || !kernel_supported()) {
        return;
    }
    elf = write_guest_elf(guest_pio_mmio_loop,
                          sizeof(guest_pio_mmio_loop));
    log = g_strdup_printf("%s.log", elf);
    qts = qtest_initf("-accel kvm -S -machine pc -nodefaults -m 256M "
                      "-kernel %s -append hello -d guest_errors -D %s",
                      elf, log);
    g_assert_cmphex(qtest_readq(qts, GUEST_DATA), ==, 0);

    qtest_qmp_assert_success(qts, "{'execute': 'cont'}");
    wait_guest_qword(qts, GUEST_DATA, 1);
    /* Entry registers from the boot state, the PIO write, the MMIO log. */
    g_assert_cmphex(qtest_readq(qts, GUEST_DATA + 8), ==, GUEST_RAM);
    qtest_memread(qts, qtest_readq(qts, GUEST_DATA + 16), buf, 6);
    g_assert_cmpmem(buf, 6, "hello", 6);
    g_assert_cmphex(qtest_inl(qts, 0xcf8), ==, 0x80000010);
    g_assert_true(g_file_get_contents(log, &log_text, NULL, NULL));
    g_assert_nonnull(strstr(log_text, "Invalid access at addr 0xD0000000, "
                            "size 4, region '(null)', reason: rejected\n"));

    /* stop returns with the vCPU out of the guest: nothing moves. */
    qtest_qmp_assert_success(qts, "{'execute': 'stop'}");
    count = qtest_readq(qts, GUEST_DATA);
    g_usleep(50 * 1000);
    g_assert_cmpuint(qtest_readq(qts, GUEST_DATA), ==, count);
    qtest_qmp_assert_success(qts, "{'execute': 'cont'}");
    count2 = wait_guest_qword(qts, GUEST_DATA, count + 1);
    g_assert_cmpuint(count2, >, count);

    /* A reset while paused restarts the guest at its entry point. */
    qtest_qmp_assert_success(qts, "{'execute': 'stop'}");
    qtest_writeq(qts, GUEST_DATA + 8, 0);
    qtest_qmp_assert_success(qts, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(qts, "RESET");
    g_assert_cmphex(qtest_readq(qts, GUEST_DATA + 8), ==, 0);
    qtest_qmp_assert_success(qts, "{'execute': 'cont'}");
    wait_guest_qword(qts, GUEST_DATA + 8, GUEST_RAM);
    g_assert_cmphex(qtest_readq(qts, GUEST_DATA + 8), ==, GUEST_RAM);

    /* quit with the vCPU inside KVM_RUN: joined, exit status 0. */
    qtest_quit(qts);
    unlink(elf);
    unlink(log);
}

/*
 * Interrupts through KVM's in-kernel irqchip: the guest installs an IDT
 * gate for vector 0x30, masks the PIC, enables its LAPIC, routes IOAPIC
 * pin 10 (PCI slot 2 INTA -> PIRQB -> GSI 10) edge-triggered to vector
 * 0x30, sets a ready flag and halts with interrupts on; the handler
 * counts at GUEST_DATA and EOIs.
 */
#define IRQ_HANDLER_OFFSET 0x100
#define IRQ_IDT_OFFSET 0x1000
#define IRQ_IDTR_OFFSET 0x1ff0
#define IRQ_IMAGE_SIZE 0x2000
#define IRQ_VECTOR 0x30

static const uint8_t guest_irq_main[] = {
    0xb9, 0x00, 0x00, 0x30, 0x00,           /* mov $0x300000,%ecx */
    0xbb, 0x00, 0x13, 0x20, 0x00,           /* mov $0x201300,%ebx (gate) */
    0x8c, 0xc8,                             /* mov %cs,%eax */
    0x66, 0x89, 0x43, 0x02,                 /* mov %ax,2(%rbx) */
    0x0f, 0x01, 0x1c, 0x25, 0xf0, 0x1f, 0x20, 0x00, /* lidt 0x201ff0 */
    /* Mask the PIC: KVM's BSP LAPIC accepts ExtINT, and the PIT ticks. */
    0xb0, 0xff,                             /* mov $0xff,%al */
    0xe6, 0x21,                             /* out %al,$0x21 */
    0xe6, 0xa1,                             /* out %al,$0xa1 */
    0xba, 0xf0, 0x00, 0xe0, 0xfe,           /* mov $0xfee000f0,%edx */
    0xc7, 0x02, 0xff, 0x01, 0x00, 0x00,     /* movl $0x1ff,(%rdx): SVR */
    0xba, 0x00, 0x00, 0xc0, 0xfe,           /* mov $0xfec00000,%edx */
    0xc7, 0x02, 0x25, 0x00, 0x00, 0x00,     /* movl $0x25,(%rdx) */
    0xc7, 0x42, 0x10, 0x00, 0x00, 0x00, 0x00, /* movl $0,0x10(%rdx) */
    0xc7, 0x02, 0x24, 0x00, 0x00, 0x00,     /* movl $0x24,(%rdx) */
    0xc7, 0x42, 0x10, IRQ_VECTOR, 0x00, 0x00, 0x00, /* movl $0x30,0x10(%rdx) */
    0x48, 0xc7, 0x41, 0x08, 0x01, 0x00, 0x00, 0x00, /* movq $1,8(%rcx) */
    0xfb,                                   /* sti */
    0xf4,                                   /* 1: hlt */
    0xeb, 0xfd,                             /* jmp 1b */
};

static const uint8_t guest_irq_handler[] = {
    0x48, 0xff, 0x04, 0x25, 0x00, 0x00, 0x30, 0x00, /* incq 0x300000 */
    0x50,                                   /* push %rax */
    0xb8, 0xb0, 0x00, 0xe0, 0xfe,           /* mov $0xfee000b0,%eax */
    0xc7, 0x00, 0x00, 0x00, 0x00, 0x00,     /* movl $0,(%rax): EOI */
    0x58,                                   /* pop %rax */
    0x48, 0xcf,                             /* iretq */
};

static char *write_irq_guest(void)
{
    g_autofree uint8_t *image = g_malloc0(IRQ_IMAGE_SIZE);
    uint64_t handler = GUEST_ENTRY + IRQ_HANDLER_OFFSET;
    uint8_t *gate = image + IRQ_IDT_OFFSET + IRQ_VECTOR * 16;
    uint8_t *idtr = image + IRQ_IDTR_OFFSET;
    uint64_t idt_base = GUEST_ENTRY + IRQ_IDT_OFFSET;
    uint16_t idt_limit = 0xfff;

    memcpy(image, guest_irq_main, sizeof(guest_irq_main));
    memcpy(image + IRQ_HANDLER_OFFSET, guest_irq_handler,
           sizeof(guest_irq_handler));
    /* 64-bit interrupt gate, DPL 0, present; the selector is set at run. */
    gate[0] = handler & 0xff;
    gate[1] = (handler >> 8) & 0xff;
    gate[5] = 0x8e;
    gate[6] = (handler >> 16) & 0xff;
    gate[7] = (handler >> 24) & 0xff;
    memcpy(idtr, &idt_limit, 2);
    memcpy(idtr + 2, &idt_base, 8);
    return write_guest_elf(image, IRQ_IMAGE_SIZE);
}

#define TESTDEV_MMIO 0xe0000000u
#define TESTDEV_INTX 0xf0
#define TESTDEV_SLOT2_CFG(reg) (0x80000000u | (2 << 11) | (reg))

static void test_guest_irq(void)
{
    g_autofree char *elf = NULL;
    QTestState *qts;

    if (!kvm_available() || !kernel_supported()) {
        return;
    }
    elf = write_irq_guest();
    qts = qtest_initf("-accel kvm -S -machine pc -nodefaults -m 256M "
                      "-kernel %s -device pci-testdev,addr=2", elf);
    /* BAR0 and memory decoding of pci-testdev, as firmware would. */
    qtest_outl(qts, 0xcf8, TESTDEV_SLOT2_CFG(0x10));
    qtest_outl(qts, 0xcfc, TESTDEV_MMIO);
    qtest_outl(qts, 0xcf8, TESTDEV_SLOT2_CFG(0x04));
    qtest_outw(qts, 0xcfc, 0x2);
    qtest_irq_intercept_in(qts, "/machine/ioapic");

    qtest_qmp_assert_success(qts, "{'execute': 'cont'}");
    wait_guest_qword(qts, GUEST_DATA + 8, 1);
    g_assert_cmpuint(qtest_readq(qts, GUEST_DATA), ==, 0);

    /* Each rising edge of GSI 10 is one interrupt in the guest. */
    for (uint64_t n = 1; n <= 3; n++) {
        qtest_writel(qts, TESTDEV_MMIO + TESTDEV_INTX, 1);
        g_assert_true(qtest_get_irq(qts, 10));
        wait_guest_qword(qts, GUEST_DATA, n);
        qtest_writel(qts, TESTDEV_MMIO + TESTDEV_INTX, 0);
        g_assert_false(qtest_get_irq(qts, 10));
    }
    g_usleep(20 * 1000);
    g_assert_cmpuint(qtest_readq(qts, GUEST_DATA), ==, 3);
    /* The guest never faulted (a triple fault would have reset it). */
    g_assert_null(qtest_qmp_event_ref(qts, "RESET"));
    qtest_quit(qts);
    unlink(elf);
}

static void test_guest_triple_fault(void)
{
    g_autofree char *elf = NULL;
    JsonObject *event, *data;
    QTestState *qts;

    if (!kvm_available() || !kernel_supported()) {
        return;
    }
    elf = write_guest_elf(guest_triple_fault, sizeof(guest_triple_fault));
    qts = qtest_initf("-accel kvm -machine pc -nodefaults -m 256M "
                      "-kernel %s", elf);
    /* Each triple fault resets the machine; the guest boots again. */
    for (int i = 0; i < 2; i++) {
        event = qtest_qmp_eventwait_ref(qts, "RESET");
        data = json_object_get_object_member(event, "data");
        g_assert_true(json_object_get_boolean_member(data, "guest"));
        g_assert_cmpstr(json_object_get_string_member(data, "reason"), ==,
                        "guest-reset");
        json_object_unref(event);
    }
    wait_guest_qword(qts, GUEST_DATA, 2);
    g_assert_cmpstr(status_of(qts), ==, "running");
    qtest_quit(qts);
    unlink(elf);
}

/*
 * Without /dev/kvm (hidden by an empty /dev in a private mount namespace):
 * QEMU's two error lines and exit status 1.  Needs root and unshare.
 */
static void test_no_dev_kvm(void)
{
    const char *binary = g_getenv("SPARSEVM_BINARY");
    g_autofree char *quoted = g_shell_quote(binary ? binary : "");
    g_autofree char *script = g_strdup_printf(
        "mount -t tmpfs none /dev || exit 99; exec %s -display none "
        "-machine none -accel kvm", quoted);
    const char *argv[] = { "unshare", "-m", "sh", "-c", script, NULL };
    g_autofree char *err = NULL;
    int status;

    if (geteuid() != 0 ||
        !g_spawn_sync(NULL, (char **)argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                      NULL, NULL, &err, &status, NULL) ||
        !WIFEXITED(status) || WEXITSTATUS(status) == 99 ||
        g_str_has_prefix(err, "unshare:")) {
        g_test_skip("cannot hide /dev/kvm (needs root and unshare -m)");
        return;
    }
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_cmpstr(err, ==, "sparsevm: Could not access KVM kernel module: "
                    "No such file or directory\n"
                    "sparsevm: -accel kvm: failed to initialize kvm: No "
                    "such file or directory\n");
}

/* -d / -D errors (no KVM needed). */
static void test_log_cmdline(void)
{
    int status;
    g_autofree char *bad_item = qtest_init_expect_fail("-d bogus", &status);
    g_autofree char *bad_file = NULL;

    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_cmpstr(bad_item, ==, "sparsevm: -d bogus: unknown log item "
                    "'bogus'\n");
    bad_file = qtest_init_expect_fail("-d guest_errors -D /nonexistent/x",
                                      &status);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_cmpstr(bad_file, ==, "sparsevm: -D /nonexistent/x: Error opening "
                    "logfile /nonexistent/x: No such file or directory\n");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/kvm/memslots/virtio-mem", test_memslots_follow_virtio_mem);
    qtest_add_func("/kvm/memslots/json-hmp", test_memslots_json);
    qtest_add_func("/kvm/without-kvm", test_without_kvm);
    qtest_add_func("/kvm/runstate/stop-cont-quit", test_stop_cont_quit);
    qtest_add_func("/kvm/runstate/sigterm", test_sigterm);
    qtest_add_func("/kvm/qtest-beside-kvm", test_qtest_beside_kvm);
    qtest_add_func("/kvm/cmdline", test_accel_cmdline);
    qtest_add_func("/kvm/no-dev-kvm", test_no_dev_kvm);
    qtest_add_func("/kvm/log-cmdline", test_log_cmdline);
    qtest_add_func("/kvm/guest/pio-mmio-ram", test_guest_pio_mmio_ram);
    qtest_add_func("/kvm/guest/triple-fault", test_guest_triple_fault);
    qtest_add_func("/kvm/guest/irq", test_guest_irq);
    return g_test_run();
}
