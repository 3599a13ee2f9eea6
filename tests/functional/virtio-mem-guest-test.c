/*
 * KVM functional tests: boot the freestanding test guest
 * (tests/guest/guest.elf) with -accel kvm and a virtio-mem device, and
 * follow what it reports on the debug console while the test changes
 * requested-size over QMP: plugging, the guest's pattern seen by the host,
 * growing and shrinking, memslots against the flat view, an access to an
 * unmapped memslot, system_reset, and the loaded image.
 *
 * Everything skips without /dev/kvm or without the guest binary.
 */
#include "qemu/osdep.h"
#include <fcntl.h>
#include <elf.h>
#include <sys/procfs.h>
#include <sys/wait.h>
#include "libqtest.h"

#define MIB (1024ULL * 1024)
#define GIB (1024 * MIB)
#define VMEM_ADDR (4 * GIB)         /* device memory starts at 4 GiB */
#define STEP_TIMEOUT_US (30 * G_USEC_PER_SEC)

typedef struct GuestVM {
    QTestState *qts;
    char *dir;
    char *con_log;              /* the guest's debug console */
    char *err_log;              /* -d guest_errors -D */
    size_t con_seen;            /* console bytes already consumed */
    uint64_t seed;
} GuestVM;

static const char *guest_path(void)
{
    const char *path = g_getenv("SPARSEVM_GUEST");

    return path && g_file_test(path, G_FILE_TEST_EXISTS) ? path : NULL;
}

static bool can_run(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        g_test_skip("/dev/kvm is not available (cannot be opened): "
                    "skipping the KVM functional test");
        return false;
    }
    close(fd);
    if (!guest_path()) {
        g_test_skip("the test guest (tests/guest/guest.elf) was not built");
        return false;
    }
    return true;
}

static char *read_file(const char *path)
{
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return g_strdup("");
    }
    return text;
}

/*
 * Wait until a console line after what was consumed starts with @prefix;
 * consume up to the end of that line and return it.  Fails on an ERROR
 * line; after STEP_TIMEOUT_US fails too, or returns NULL if @may_time_out.
 */
static char *wait_line_or_timeout(GuestVM *vm, const char *prefix,
                                  bool may_time_out)
{
    gint64 deadline = g_get_monotonic_time() + STEP_TIMEOUT_US;

    for (;;) {
        g_autofree char *text = read_file(vm->con_log);
        size_t len = strlen(text);
        char *p = text + MIN(vm->con_seen, len);

        while (*p) {
            char *nl = strchr(p, '\n');

            if (!nl) {
                break;
            }
            *nl = '\0';
            if (g_str_has_prefix(p, "ERROR")) {
                g_error("guest reported: %s", p);
            }
            vm->con_seen = nl + 1 - text;
            if (g_str_has_prefix(p, prefix)) {
                return g_strdup(p);
            }
            p = nl + 1;
        }
        if (g_get_monotonic_time() > deadline) {
            if (may_time_out) {
                return NULL;
            }
            g_error("no guest line \"%s\" within 30 s; console:\n%s",
                    prefix, read_file(vm->con_log));
        }
        g_usleep(20 * 1000);
    }
}

static char *wait_line(GuestVM *vm, const char *prefix)
{
    return wait_line_or_timeout(vm, prefix, false);
}

static bool wait_ready_or_timeout(GuestVM *vm, bool may_time_out)
{
    g_autofree char *line = wait_line_or_timeout(vm, "guest: ready seed 0x",
                                                 may_time_out);

    if (line) {
        vm->seed = g_ascii_strtoull(line + strlen("guest: ready seed 0x"),
                                    NULL, 16);
    }
    return line != NULL;
}

/* Whether @text appears anywhere on the console within STEP_TIMEOUT_US. */
static bool console_has(GuestVM *vm, const char *text)
{
    gint64 deadline = g_get_monotonic_time() + STEP_TIMEOUT_US;

    for (;;) {
        g_autofree char *console = read_file(vm->con_log);

        if (strstr(console, text)) {
            return true;
        }
        if (g_get_monotonic_time() > deadline) {
            return false;
        }
        g_usleep(20 * 1000);
    }
}

static void wait_ready(GuestVM *vm)
{
    wait_ready_or_timeout(vm, false);
}

static void wait_settled(GuestVM *vm, uint64_t size)
{
    g_autofree char *want = g_strdup_printf(
        "virtio-mem: settled requested 0x%" PRIx64 " plugged 0x%" PRIx64,
        size, size);

    g_free(wait_line(vm, want));
}

/* 1 GiB of RAM, device memory @maxmem - 1G, a virtio-mem device vm0. */
static GuestVM *guest_start_size(const char *maxmem, const char *memdev_size,
                                 const char *device_opts, const char *append)
{
    GuestVM *vm = g_new0(GuestVM, 1);
    g_autofree char *args = NULL;

    vm->dir = g_dir_make_tmp("sparsevm-guest-XXXXXX", NULL);
    g_assert_nonnull(vm->dir);
    vm->con_log = g_build_filename(vm->dir, "console.log", NULL);
    vm->err_log = g_build_filename(vm->dir, "errors.log", NULL);
    args = g_strdup_printf(
        "-accel kvm -m 1G,maxmem=%s -kernel %s %s%s%s "
        "-debugcon file:%s -d guest_errors -D %s "
        "-device isa-debug-exit,iobase=0xf4,iosize=0x04 "
        "-object memory-backend-ram,id=mem0,size=%s,reserve=off "
        "-device virtio-mem-pci,id=vm0,memdev=mem0%s",
        maxmem,
        guest_path(), append ? "-append '" : "", append ? append : "",
        append ? "'" : "", vm->con_log, vm->err_log, memdev_size,
        device_opts ? device_opts : "");
    vm->qts = qtest_init(args);
    wait_ready(vm);
    return vm;
}

/* A 64 GiB virtio-mem device (vm0) with 2 MiB blocks. */
static GuestVM *guest_start(const char *device_opts, const char *append)
{
    return guest_start_size("65G", "64G", device_opts, append);
}

static void guest_stop(GuestVM *vm)
{
    qtest_quit(vm->qts);
    unlink(vm->con_log);
    unlink(vm->err_log);
    rmdir(vm->dir);
    g_free(vm->con_log);
    g_free(vm->err_log);
    g_free(vm->dir);
    g_free(vm);
}

static void set_requested_size(GuestVM *vm, uint64_t size)
{
    qtest_qmp_assert_success(vm->qts, "{'execute': 'qom-set', 'arguments': "
                             "{'path': '/machine/peripheral/vm0', "
                             "'property': 'requested-size', 'value': %"
                             PRIu64 "}}", size);
}

/* The guest's pattern: the page's address XOR the per-boot seed. */
static void check_pattern(GuestVM *vm, uint64_t plugged)
{
    uint64_t pages[] = { 0, 4096, plugged / 2, plugged - 4096 };

    for (size_t i = 0; i < G_N_ELEMENTS(pages); i++) {
        uint64_t gpa = VMEM_ADDR + pages[i];

        g_assert_cmphex(qtest_readq(vm->qts, gpa), ==, gpa ^ vm->seed);
    }
}

static uint64_t qom_plugged_size(GuestVM *vm)
{
    return qtest_qom_get_int(vm->qts, "/machine/peripheral/vm0", "size");
}

/* Boot, the command line, and config-change interrupts (irq=on). */
static void test_boot_ready(void)
{
    g_autofree char *console = NULL;
    GuestVM *vm;

    if (!can_run()) {
        return;
    }
    vm = guest_start(NULL, "irq=on");
    console = read_file(vm->con_log);
    g_assert_nonnull(strstr(console, "cmdline \"irq=on\"\n"));
    g_assert_nonnull(strstr(console, "irq: pin 1 gsi "));
    wait_settled(vm, 0);
    g_assert_cmpuint(qom_plugged_size(vm), ==, 0);
    set_requested_size(vm, 64 * MIB);
    wait_settled(vm, 64 * MIB);
    /* the config change that asked for 64 MiB also came as an interrupt */
    g_assert_true(console_has(vm, "\nirq: count "));
    guest_stop(vm);
}

static void test_plug_1g(void)
{
    GuestVM *vm;

    if (!can_run()) {
        return;
    }
    vm = guest_start(NULL, NULL);
    wait_settled(vm, 0);
    set_requested_size(vm, 1 * GIB);
    wait_settled(vm, 1 * GIB);
    g_assert_cmpuint(qom_plugged_size(vm), ==, 1 * GIB);
    check_pattern(vm, 1 * GIB);
    guest_stop(vm);
}

static void test_grow_shrink(void)
{
    static const uint64_t steps[] = {
        512 * MIB, 2 * GIB, 1 * GIB, 6 * MIB, 3 * GIB, 0, 256 * MIB,
    };
    GuestVM *vm;

    if (!can_run()) {
        return;
    }
    vm = guest_start(NULL, NULL);
    wait_settled(vm, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
        set_requested_size(vm, steps[i]);
        wait_settled(vm, steps[i]);
        g_assert_cmpuint(qom_plugged_size(vm), ==, steps[i]);
        if (steps[i]) {
            check_pattern(vm, steps[i]);
        }
    }
    guest_stop(vm);
}

static bool has_command(QTestState *qts, const char *name)
{
    JsonNode *ret = qtest_qmp_assert_success(qts, "{'execute': "
                                             "'query-commands'}");
    JsonArray *list = json_node_get_array(ret);

    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *o = json_array_get_object_element(list, i);

        if (!strcmp(json_object_get_string_member(o, "name"), name)) {
            return true;
        }
    }
    return false;
}

/* "START-END" of the device's RAM in the flat view, sorted. */
static GPtrArray *mtree_device_ranges(GuestVM *vm)
{
    g_autofree char *out = qtest_hmp(vm->qts, "info mtree -f");
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    GPtrArray *ranges = g_ptr_array_new_with_free_func(g_free);

    for (int i = 0; lines[i]; i++) {
        uint64_t start, end;
        char *rest;

        start = g_ascii_strtoull(g_strchug(lines[i]), &rest, 16);
        if (*rest != '-' || !strstr(rest, "(prio") ||
            !strstr(rest, ", ram): mem0")) {
            continue;
        }
        end = g_ascii_strtoull(rest + 1, NULL, 16);
        if (start >= VMEM_ADDR) {
            g_autofree char *r = g_strdup_printf("%" PRIx64 "-%" PRIx64,
                                                 start, end);

            if (!g_ptr_array_find_with_equal_func(ranges, r, g_str_equal,
                                                  NULL)) {
                g_ptr_array_add(ranges, g_steal_pointer(&r));
            }
        }
    }
    return ranges;
}

static gint cmp_str_ptr(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static GPtrArray *kvm_device_ranges(GuestVM *vm)
{
    JsonNode *ret = qtest_qmp_assert_success(vm->qts, "{'execute': "
                                             "'x-query-kvm-memslots'}");
    JsonArray *list = json_node_get_array(ret);
    GPtrArray *ranges = g_ptr_array_new_with_free_func(g_free);

    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *o = json_array_get_object_element(list, i);
        uint64_t start = json_object_get_int_member(o, "guest-phys-addr");
        uint64_t size = json_object_get_int_member(o, "size");

        if (start >= VMEM_ADDR) {
            g_ptr_array_add(ranges, g_strdup_printf("%" PRIx64 "-%" PRIx64,
                                                    start, start + size - 1));
        }
    }
    g_ptr_array_sort(ranges, cmp_str_ptr);
    return ranges;
}

/* The memslots KVM has for the device are the ones the flat view maps. */
static void check_memslots(GuestVM *vm, guint expect_min)
{
    g_autoptr(GPtrArray) fv = mtree_device_ranges(vm);
    g_autoptr(GPtrArray) kvm = kvm_device_ranges(vm);

    g_ptr_array_sort(fv, cmp_str_ptr);
    g_assert_cmpuint(kvm->len, ==, fv->len);
    g_assert_cmpuint(kvm->len, >=, expect_min);
    for (guint i = 0; i < kvm->len; i++) {
        g_assert_cmpstr(g_ptr_array_index(kvm, i), ==,
                        g_ptr_array_index(fv, i));
    }
}

static void test_memslots(void)
{
    static const struct {
        uint64_t size;
        guint min_slots;
    } steps[] = {
        { 512 * MIB, 1 }, { 2 * GIB + 512 * MIB, 3 }, { 1 * GIB, 1 },
        { 0, 0 }, { 1 * GIB + 2 * MIB, 2 },
    };
    GuestVM *vm;

    if (!can_run()) {
        return;
    }
    /* 8 GiB in memslots of 1 GiB: a few GiB plugged span several */
    vm = guest_start_size("9G", "8G", ",memslots=8", NULL);
    if (!has_command(vm->qts, "x-query-kvm-memslots")) {
        guest_stop(vm);
        g_test_skip("needs x-query-kvm-memslots");
        return;
    }
    wait_settled(vm, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
        set_requested_size(vm, steps[i].size);
        wait_settled(vm, steps[i].size);
        check_memslots(vm, steps[i].min_slots);
    }
    guest_stop(vm);
}

static void assert_running(GuestVM *vm)
{
    JsonNode *ret = qtest_qmp_assert_success(vm->qts, "{'execute': "
                                             "'query-status'}");
    JsonObject *o = json_node_get_object(ret);

    g_assert_cmpstr(json_object_get_string_member(o, "status"), ==,
                    "running");
}

/* An access to an unmapped memslot is a logged guest error, nothing more. */
static void test_probe_unmapped(void)
{
    /* memslots of 8 GiB: the fifth starts 32 GiB into the device */
    uint64_t probe = VMEM_ADDR + 32 * GIB;
    g_autofree char *append = g_strdup_printf("probe=0x%" PRIx64, probe);
    g_autofree char *want = g_strdup_printf("Invalid access at addr 0x%"
                                            PRIX64, probe);
    g_autofree char *line = NULL;
    g_autofree char *errors = NULL;
    GuestVM *vm;

    if (!can_run()) {
        return;
    }
    vm = guest_start(",memslots=8,requested-size=1G", append);
    wait_settled(vm, 1 * GIB);
    line = wait_line(vm, "probe: wrote");
    errors = read_file(vm->err_log);
    g_assert_nonnull(strstr(errors, want));
    assert_running(vm);
    set_requested_size(vm, 2 * GIB);
    wait_settled(vm, 2 * GIB);
    check_pattern(vm, 2 * GIB);
    assert_running(vm);
    guest_stop(vm);
}

static void test_system_reset(void)
{
    uint64_t first_seed;
    GuestVM *vm;

    if (!can_run()) {
        return;
    }
    vm = guest_start(",requested-size=1G", NULL);
    wait_settled(vm, 1 * GIB);
    first_seed = vm->seed;
    qtest_qmp_assert_success(vm->qts, "{'execute': 'system_reset'}");
    /*
     * The guest is usually inside an MMIO read of the device config when
     * the reset comes: it must restart at its entry all the same.
     */
    g_assert_true(wait_ready_or_timeout(vm, true));
    g_assert_cmphex(vm->seed, !=, first_seed);
    wait_settled(vm, 1 * GIB);
    check_pattern(vm, 1 * GIB);
    assert_running(vm);
    guest_stop(vm);
}

/* The guest's .text in guest RAM is the ELF file's .text. */
static void test_loaded_image(void)
{
    g_autofree char *elf = NULL;
    g_autofree uint8_t *ram = NULL;
    const Elf64_Ehdr *eh;
    const Elf64_Shdr *sh;
    const char *names;
    gsize len;
    GuestVM *vm;

    if (!can_run()) {
        return;
    }
    g_assert_true(g_file_get_contents(guest_path(), &elf, &len, NULL));
    eh = (const Elf64_Ehdr *)elf;
    sh = (const Elf64_Shdr *)(elf + eh->e_shoff);
    names = elf + sh[eh->e_shstrndx].sh_offset;
    vm = guest_start(NULL, NULL);
    for (int i = 0; i < eh->e_shnum; i++) {
        if (!strcmp(names + sh[i].sh_name, ".text")) {
            ram = g_malloc(sh[i].sh_size);
            qtest_memread(vm->qts, sh[i].sh_addr, ram, sh[i].sh_size);
            g_assert_cmpmem(ram, sh[i].sh_size, elf + sh[i].sh_offset,
                            sh[i].sh_size);
        }
    }
    g_assert_nonnull(ram);
    guest_stop(vm);
}

/* The guest's loaded range [lo, hi) from its PT_LOAD segments. */
static void guest_image_range(uint64_t *lo, uint64_t *hi)
{
    g_autofree char *elf = NULL;
    const Elf64_Ehdr *eh;
    const Elf64_Phdr *ph;
    gsize len;

    g_assert_true(g_file_get_contents(guest_path(), &elf, &len, NULL));
    eh = (const Elf64_Ehdr *)elf;
    ph = (const Elf64_Phdr *)(elf + eh->e_phoff);
    *lo = UINT64_MAX;
    *hi = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD) {
            *lo = MIN(*lo, ph[i].p_paddr);
            *hi = MAX(*hi, ph[i].p_paddr + ph[i].p_memsz);
        }
    }
}

/* The NT_PRSTATUS registers of the first vCPU in ELF core @core. */
static struct user_regs_struct core_prstatus_regs(const char *core)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)core;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(core + eh->e_phoff);

    for (int i = 0; i < eh->e_phnum; i++) {
        const char *p = core + ph[i].p_offset;
        const char *end = p + ph[i].p_filesz;

        while (ph[i].p_type == PT_NOTE && p + sizeof(Elf64_Nhdr) <= end) {
            const Elf64_Nhdr *nh = (const Elf64_Nhdr *)p;
            const char *desc = p + sizeof(*nh) + QEMU_ALIGN_UP(nh->n_namesz, 4);

            if (nh->n_type == NT_PRSTATUS) {
                struct elf_prstatus prs;

                g_assert_cmpuint(nh->n_descsz, ==, sizeof(prs));
                memcpy(&prs, desc, sizeof(prs));
                return *(struct user_regs_struct *)&prs.pr_reg;
            }
            p = desc + QEMU_ALIGN_UP(nh->n_descsz, 4);
        }
    }
    g_error("no NT_PRSTATUS note in the dump");
}

/*
 * dump-guest-memory under KVM: the NT_PRSTATUS note carries the vCPU's
 * real registers (RIP inside the guest's image, its code segment) and the
 * plugged memory holds the guest's pattern.
 */
static void test_dump_registers(void)
{
    g_autofree char *core = NULL;
    g_autofree char *path = NULL;
    struct user_regs_struct regs;
    uint64_t lo, hi;
    gsize len;
    GuestVM *vm;

    if (!can_run()) {
        return;
    }
    vm = guest_start(",requested-size=64M", NULL);
    wait_settled(vm, 64 * MIB);
    path = g_build_filename(vm->dir, "core.elf", NULL);
    qtest_qmp_assert_success(vm->qts, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, "
                             "'protocol': 'file:%s'}}", path);
    g_assert_true(g_file_get_contents(path, &core, &len, NULL));
    unlink(path);
    /* RAM + plugged memory + headers and notes (less than 64 KiB). */
    g_assert_cmpuint(len, >=, 1 * GIB + 64 * MIB);
    g_assert_cmpuint(len, <, 1 * GIB + 64 * MIB + 64 * 1024);
    regs = core_prstatus_regs(core);
    guest_image_range(&lo, &hi);
    g_assert_cmphex(regs.rip, >=, lo);
    g_assert_cmphex(regs.rip, <, hi);
    g_assert_cmphex(regs.cs, !=, 0);
    g_assert_cmphex(regs.rsp, !=, 0);
    assert_running(vm);
    check_pattern(vm, 64 * MIB);
    guest_stop(vm);
}

/* exit-after=1: the guest ends sparsevm through isa-debug-exit (0 -> 1). */
static void test_debug_exit(void)
{
    g_autofree char *dir = NULL;
    g_autofree char *log = NULL;
    g_autofree char *args = NULL;
    g_autofree char *err = NULL;
    g_autofree char *console = NULL;
    int status;

    if (!can_run()) {
        return;
    }
    dir = g_dir_make_tmp("sparsevm-guest-XXXXXX", NULL);
    log = g_build_filename(dir, "console.log", NULL);
    args = g_strdup_printf(
        "-accel kvm -m 1G,maxmem=65G -kernel %s -append exit-after=1 "
        "-debugcon file:%s -device isa-debug-exit,iobase=0xf4,iosize=0x04 "
        "-object memory-backend-ram,id=mem0,size=64G,reserve=off "
        "-device virtio-mem-pci,id=vm0,memdev=mem0,requested-size=256M",
        guest_path(), log);
    err = qtest_init_expect_fail(args, &status);
    console = read_file(log);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(console, "virtio-mem: settled requested "
                            "0x10000000 plugged 0x10000000 irqs 0\n"
                            "guest: exit\n"));
    unlink(log);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/functional/guest/boot-ready", test_boot_ready);
    qtest_add_func("/functional/guest/plug-1g", test_plug_1g);
    qtest_add_func("/functional/guest/grow-shrink", test_grow_shrink);
    qtest_add_func("/functional/guest/memslots", test_memslots);
    qtest_add_func("/functional/guest/probe-unmapped", test_probe_unmapped);
    qtest_add_func("/functional/guest/system-reset", test_system_reset);
    qtest_add_func("/functional/guest/loaded-image", test_loaded_image);
    qtest_add_func("/functional/guest/dump-registers", test_dump_registers);
    qtest_add_func("/functional/guest/debug-exit", test_debug_exit);
    return g_test_run();
}
