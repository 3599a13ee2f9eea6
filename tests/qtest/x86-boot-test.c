/*
 * Direct boot (-kernel/-append) under -accel qtest: the ELF segments and
 * bss, the identity-mapped page tables (2 MiB pages, user/writable, up to
 * the end of device memory), the GDT and TSS, the command line, all
 * written again at system_reset; plus the errors for bad files.  Also the
 * debug devices: isa-debugcon output and readback, isa-debug-exit status.
 */
#include "qemu/osdep.h"
#include <elf.h>
#include <sys/wait.h>
#include "libqtest.h"

#define MIB (1024ULL * 1024)
#define GIB (1024 * MIB)
#define PAGE 4096ULL

#define SEG0_ADDR 0x300000ULL
#define SEG0_FILESZ 0x180
#define SEG0_MEMSZ 0x3000
#define SEG1_ADDR 0x500000ULL
#define SEG1_FILESZ 0x40

/* -m 512M,maxmem=9G: device memory [4 GiB, 12.5 GiB), mapped to 13 GiB. */
#define BOOT_ARGS "-m 512M,maxmem=9G "
#define LOW_RAM (512 * MIB)
#define MAP_GIB 13ULL

typedef struct Layout {
    uint64_t base, pml4, pdpt, pd, gdt, tss, cmdline, int_stack_top;
} Layout;

/* The documented layout (include/hw/i386/x86-boot.h) for BOOT_ARGS. */
static Layout expected_layout(void)
{
    uint64_t size = (1 + 1 + MAP_GIB + 3) * PAGE + 16 * 1024 + 64 * 1024;
    Layout l;

    l.base = LOW_RAM - size;
    l.pml4 = l.base;
    l.pdpt = l.pml4 + PAGE;
    l.pd = l.pdpt + PAGE;
    l.gdt = l.pd + MAP_GIB * PAGE;
    l.tss = l.gdt + PAGE;
    l.cmdline = l.tss + PAGE;
    l.int_stack_top = l.cmdline + PAGE + 16 * 1024;
    return l;
}

typedef struct ElfSpec {
    uint8_t class;
    uint16_t machine;
    uint64_t entry;
    uint64_t seg0_addr, seg0_memsz, seg0_filesz;
    bool truncate_phdrs;
} ElfSpec;

static uint8_t seg_byte(int seg, int i)
{
    return (uint8_t)(0x5a + seg * 0x31 + i * 7);
}

static char *write_elf(const ElfSpec *spec)
{
    size_t data0 = 0x1000, data1 = 0x2000;
    size_t size = data1 + SEG1_FILESZ;
    g_autofree uint8_t *file = g_malloc0(size);
    Elf64_Ehdr *eh = (Elf64_Ehdr *)file;
    Elf64_Phdr *ph = (Elf64_Phdr *)(file + sizeof(*eh));
    char *path = NULL;
    int fd = g_file_open_tmp("x86-boot-XXXXXX.elf", &path, NULL);

    g_assert_cmpint(fd, >=, 0);
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = spec->class ? spec->class : ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = spec->machine ? spec->machine : EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = spec->entry ? spec->entry : SEG0_ADDR + 0x10;
    eh->e_phoff = sizeof(*eh);
    eh->e_ehsize = sizeof(*eh);
    eh->e_phentsize = sizeof(*ph);
    eh->e_phnum = spec->truncate_phdrs ? 200 : 3;
    ph[0] = (Elf64_Phdr) {
        .p_type = PT_LOAD, .p_offset = data0,
        .p_vaddr = 0xffffffff80000000ULL,   /* p_paddr is what counts */
        .p_paddr = spec->seg0_addr ? spec->seg0_addr : SEG0_ADDR,
        .p_filesz = spec->seg0_filesz ? spec->seg0_filesz : SEG0_FILESZ,
        .p_memsz = spec->seg0_memsz ? spec->seg0_memsz : SEG0_MEMSZ,
    };
    ph[1] = (Elf64_Phdr) {
        .p_type = PT_LOAD, .p_offset = data1, .p_paddr = SEG1_ADDR,
        .p_filesz = SEG1_FILESZ, .p_memsz = SEG1_FILESZ,
    };
    ph[2] = (Elf64_Phdr) { .p_type = PT_NOTE, .p_offset = 0, .p_filesz = 4 };
    for (int i = 0; i < SEG0_FILESZ; i++) {
        file[data0 + i] = seg_byte(0, i);
    }
    for (int i = 0; i < SEG1_FILESZ; i++) {
        file[data1 + i] = seg_byte(1, i);
    }
    g_assert_cmpint(write(fd, file, size), ==, size);
    close(fd);
    return path;
}

static void check_segments(QTestState *qts)
{
    uint8_t buf[SEG0_MEMSZ];

    qtest_memread(qts, SEG0_ADDR, buf, sizeof(buf));
    for (int i = 0; i < SEG0_MEMSZ; i++) {
        g_assert_cmphex(buf[i], ==, i < SEG0_FILESZ ? seg_byte(0, i) : 0);
    }
    qtest_memread(qts, SEG1_ADDR, buf, SEG1_FILESZ);
    for (int i = 0; i < SEG1_FILESZ; i++) {
        g_assert_cmphex(buf[i], ==, seg_byte(1, i));
    }
}

/* The PDE that maps @addr: a user-writable 2 MiB page at @addr's 2 MiB. */
static void check_mapping(QTestState *qts, const Layout *l, uint64_t addr)
{
    uint64_t pml4e = qtest_readq(qts, l->pml4 + ((addr >> 39) & 511) * 8);
    uint64_t pdpt = pml4e & ~0xfffULL;
    uint64_t pdpte = qtest_readq(qts, pdpt + ((addr >> 30) & 511) * 8);
    uint64_t pd = pdpte & ~0xfffULL;
    uint64_t pde = qtest_readq(qts, pd + ((addr >> 21) & 511) * 8);

    g_assert_cmphex(pml4e & 0xfff, ==, 0x7);        /* P, RW, US */
    g_assert_cmphex(pdpte & 0xfff, ==, 0x7);        /* not a 1 GiB page */
    g_assert_cmphex(pd, ==, l->pd + (addr >> 30) * PAGE);
    g_assert_cmphex(pde, ==, (addr & ~(2 * MIB - 1)) | 0x87);
}

static void check_tables(QTestState *qts, const Layout *l)
{
    uint64_t tss_lo, tss_hi;
    char cmdline[32];

    g_assert_cmphex(qtest_readq(qts, l->pml4), ==, l->pdpt | 7);
    g_assert_cmphex(qtest_readq(qts, l->pml4 + 8), ==, 0);
    check_mapping(qts, l, 0);
    check_mapping(qts, l, SEG0_ADDR);
    check_mapping(qts, l, l->base);
    check_mapping(qts, l, 0xfec00000ULL);           /* the I/O APIC */
    check_mapping(qts, l, 4 * GIB + 3 * MIB);       /* device memory */
    check_mapping(qts, l, MAP_GIB * GIB - 1);       /* last mapped byte */
    /* nothing beyond */
    g_assert_cmphex(qtest_readq(qts, l->pdpt + MAP_GIB * 8), ==, 0);

    g_assert_cmphex(qtest_readq(qts, l->gdt), ==, 0);
    g_assert_cmphex(qtest_readq(qts, l->gdt + 0x08), ==, 0x00af9a000000ffffULL);
    g_assert_cmphex(qtest_readq(qts, l->gdt + 0x10), ==, 0x00cf92000000ffffULL);
    g_assert_cmphex(qtest_readq(qts, l->gdt + 0x18), ==, 0x00affa000000ffffULL);
    g_assert_cmphex(qtest_readq(qts, l->gdt + 0x20), ==, 0x00cff2000000ffffULL);
    tss_lo = qtest_readq(qts, l->gdt + 0x28);
    tss_hi = qtest_readq(qts, l->gdt + 0x30);
    g_assert_cmphex(tss_lo & 0xffff, ==, 103);                 /* limit */
    g_assert_cmphex((tss_lo >> 40) & 0xff, ==, 0x89);          /* P, type 9 */
    g_assert_cmphex(((tss_lo >> 16) & 0xffffff) |
                    ((tss_lo >> 56) << 24) | (tss_hi << 32), ==, l->tss);
    g_assert_cmphex(qtest_readq(qts, l->tss + 4), ==, l->int_stack_top);
    g_assert_cmphex(qtest_readw(qts, l->tss + 102), ==, 104); /* no bitmap */

    qtest_memread(qts, l->cmdline, cmdline, sizeof(cmdline));
    g_assert_cmpstr(cmdline, ==, "probe=0x1234 hello");
}

static void test_load(void)
{
    ElfSpec spec = { 0 };
    g_autofree char *elf = write_elf(&spec);
    Layout l = expected_layout();
    QTestState *qts;

    qts = qtest_initf(BOOT_ARGS "-kernel %s -append 'probe=0x1234 hello'",
                      elf);
    check_segments(qts);
    check_tables(qts, &l);

    /* Scribble over everything; system_reset writes it all again. */
    qtest_memset(qts, SEG0_ADDR, 0xcc, SEG0_MEMSZ);
    qtest_memset(qts, SEG1_ADDR, 0xcc, SEG1_FILESZ);
    qtest_memset(qts, l.base, 0xcc, LOW_RAM - l.base);
    g_assert_cmphex(qtest_readq(qts, l.pml4), ==, 0xccccccccccccccccULL);
    qtest_qmp_assert_success(qts, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(qts, "RESET");      /* the reset is done */
    check_segments(qts);
    check_tables(qts, &l);
    qtest_quit(qts);
    unlink(elf);
}

/* -machine kernel=,append= are the same as -kernel/-append. */
static void test_machine_props(void)
{
    ElfSpec spec = { 0 };
    g_autofree char *elf = write_elf(&spec);
    Layout l = expected_layout();
    QTestState *qts;
    JsonNode *ret;

    qts = qtest_initf(BOOT_ARGS "-machine kernel=%s,append=hi", elf);
    check_segments(qts);
    g_assert_cmphex(qtest_readl(qts, l.cmdline), ==, 'h' | 'i' << 8);
    ret = qtest_qmp_assert_success(qts, "{'execute': 'qom-get', 'arguments':"
                                   " {'path': '/machine', 'property': "
                                   "'append'}}");
    g_assert_cmpstr(json_node_get_string(ret), ==, "hi");
    qtest_quit(qts);
    unlink(elf);
}

static void expect_error(const char *args, const char *message)
{
    int status;
    g_autofree char *err = qtest_init_expect_fail(args, &status);

    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    if (!strstr(err, message)) {
        g_error("expected \"%s\" in: %s", message, err);
    }
}

static void expect_elf_error(const ElfSpec *spec, const char *message)
{
    g_autofree char *elf = write_elf(spec);
    g_autofree char *args = g_strdup_printf(BOOT_ARGS "-kernel %s", elf);

    expect_error(args, message);
    unlink(elf);
}

static void test_bad_files(void)
{
    g_autofree char *text = NULL;
    g_autofree char *args = NULL;
    g_autofree char *long_append = g_strnfill(5000, 'x');
    int fd = g_file_open_tmp("x86-boot-XXXXXX.txt", &text, NULL);

    g_assert_cmpint(write(fd, "#!/bin/sh\n", 10), ==, 10);
    close(fd);
    args = g_strdup_printf("-kernel %s", text);
    expect_error(args, "could not load kernel");
    expect_error(args, "not an ELF file");
    unlink(text);
    expect_error("-kernel /nonexistent/guest.elf",
                 "could not load kernel '/nonexistent/guest.elf'");
    expect_error("-append foo", "-append only allowed with -kernel option");

    expect_elf_error(&(ElfSpec) { .class = ELFCLASS32 },
                     "not a 64-bit little-endian ELF file");
    expect_elf_error(&(ElfSpec) { .machine = EM_386 }, "is not x86-64");
    expect_elf_error(&(ElfSpec) { .truncate_phdrs = true },
                     "beyond the end of the file");
    expect_elf_error(&(ElfSpec) { .seg0_filesz = 0x100000 },
                     "beyond the end of the file");
    expect_elf_error(&(ElfSpec) { .seg0_filesz = 0x100, .seg0_memsz = 0x80 },
                     "p_filesz > p_memsz");
    expect_elf_error(&(ElfSpec) { .seg0_addr = 1 * GIB },
                     "is not in RAM below the boot tables");
    expect_elf_error(&(ElfSpec) { .seg0_addr = LOW_RAM - 0x1000 },
                     "is not in RAM below the boot tables");
    expect_elf_error(&(ElfSpec) { .seg0_addr = 0xfffffffffffff000ULL },
                     "is not in RAM below the boot tables");
    expect_elf_error(&(ElfSpec) { .seg0_addr = SEG1_ADDR - 0x100 },
                     "overlap");
    expect_elf_error(&(ElfSpec) { .entry = 0x100 },
                     "entry point 0x100 is not in a loaded segment");

    g_free(args);
    {
        ElfSpec spec = { 0 };
        g_autofree char *elf = write_elf(&spec);

        args = g_strdup_printf("-kernel %s -append %s", elf, long_append);
        expect_error(args, "-append string longer than 4095 bytes");
        unlink(elf);
    }
}

/* isa-debugcon: bytes to the chardev, reads give 0xe9; in "info mtree". */
static void test_debugcon(void)
{
    g_autofree char *dir = g_dir_make_tmp("debugcon-XXXXXX", NULL);
    g_autofree char *log = g_build_filename(dir, "con.log", NULL);
    g_autofree char *text = NULL;
    g_autofree char *mtree = NULL;
    QTestState *qts;

    qts = qtest_initf("-debugcon file:%s -chardev file,id=c2,path=%s/c2.log "
                      "-device isa-debugcon,iobase=0x402,chardev=c2", log,
                      dir);
    qtest_outb(qts, 0xe9, 'o');
    qtest_outb(qts, 0xe9, 'k');
    qtest_outb(qts, 0x402, '!');
    g_assert_cmphex(qtest_inb(qts, 0xe9), ==, 0xe9);
    mtree = qtest_hmp(qts, "info mtree");
    g_assert_nonnull(strstr(mtree, "00000000000000e9-00000000000000e9 "
                            "(prio 0, i/o): isa-debugcon"));
    g_assert_nonnull(strstr(mtree, "0000000000000402-0000000000000402 "
                            "(prio 0, i/o): isa-debugcon"));
    qtest_quit(qts);
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "ok");
    g_free(text);
    g_free(log);
    log = g_build_filename(dir, "c2.log", NULL);
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "!");
    unlink(log);
    g_free(log);
    log = g_build_filename(dir, "con.log", NULL);
    unlink(log);
    rmdir(dir);
}

static void test_debugcon_errors(void)
{
    expect_error("-debugcon bogus:x", "-debugcon bogus:x: 'bogus:x' is not "
                 "a valid char driver");
    expect_error("-debugcon file:/nonexistent/dir/x",
                 "Could not open '/nonexistent/dir/x'");
    expect_error("-device isa-debugcon", "empty char device");
    expect_error("-device isa-debugcon,chardev=nope", "can't find value "
                 "'nope'");
    expect_error("-device isa-debug-exit,iobase=0xfffe,iosize=4",
                 "do not fit the I/O space");
}

/*
 * isa-debug-exit: a write of V ends sparsevm with status (V << 1) | 1.
 * libqtest treats an exit during a command as an error, so this drives
 * the qtest protocol on sparsevm's stdin and waits for its status.
 */
static void test_debug_exit(void)
{
    const char *argv[] = {
        g_getenv("SPARSEVM_BINARY"), "-accel", "qtest", "-qtest", "stdio",
        "-display", "none", "-device",
        "isa-debug-exit,iobase=0xf4,iosize=0x04", NULL,
    };
    const char cmd[] = "outl 0xf4 0x21\n";
    g_autoptr(GError) gerr = NULL;
    GPid pid;
    int in_fd, status;

    g_assert_nonnull(argv[0]);
    g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD |
                                           G_SPAWN_STDOUT_TO_DEV_NULL,
                                           NULL, NULL, &pid, &in_fd, NULL,
                                           NULL, &gerr));
    g_assert_cmpint(write(in_fd, cmd, strlen(cmd)), ==, strlen(cmd));
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    close(in_fd);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, (0x21 << 1) | 1);
}

/* ... and it shows in the I/O address space where ISA would put it. */
static void test_debug_exit_mtree(void)
{
    QTestState *qts;
    g_autofree char *mtree = NULL;

    qts = qtest_init("-device isa-debug-exit,iobase=0xf4,iosize=0x04");
    mtree = qtest_hmp(qts, "info mtree");
    g_assert_nonnull(strstr(mtree, "00000000000000f4-00000000000000f7 "
                            "(prio 0, i/o): isa-debug-exit"));
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/x86-boot/load-and-reset", test_load);
    qtest_add_func("/x86-boot/machine-props", test_machine_props);
    qtest_add_func("/x86-boot/bad-files", test_bad_files);
    qtest_add_func("/debugcon/output", test_debugcon);
    qtest_add_func("/debugcon/errors", test_debugcon_errors);
    qtest_add_func("/debug-exit/status", test_debug_exit);
    qtest_add_func("/debug-exit/mtree", test_debug_exit_mtree);
    return g_test_run();
}
