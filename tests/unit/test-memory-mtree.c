/*
 * `info mtree` / `info mtree -f` golden texts: the virtio-mem memslot
 * layouts of the design notes (seed 003), and a small machine-like tree.
 */
#include "qemu/osdep.h"
#include <sys/mman.h>
#include "exec/memory.h"
#include "exec/mtree.h"
#include "qapi/error.h"
#include "qom/object.h"

/*
 * The lines of `info mtree` quoted in the virtio-mem memslots series, for
 * 0, 3, 21 and 6 mapped memslots of a 500 GiB device (the quote lost its
 * indentation: device-memory is a child of "system").
 */
static const char *const seed_0_memslots[] = {
    "0000000140000000-000001047fffffff (prio 0, i/o): device-memory",
    "0000000140000000-0000007e3fffffff (prio 0, i/o): virtio-mem-memslots",
    NULL
};

static const char *const seed_3_memslots[] = {
    "0000000140000000-000001047fffffff (prio 0, i/o): device-memory",
    "0000000140000000-0000007e3fffffff (prio 0, i/o): virtio-mem-memslots",
    "0000000140000000-000000017fffffff (prio 0, ram):"
        " alias virtio-mem-memslot-0"
        " @mem0 0000000000000000-000000003fffffff",
    "0000000180000000-00000001bfffffff (prio 0, ram):"
        " alias virtio-mem-memslot-1"
        " @mem0 0000000040000000-000000007fffffff",
    "00000001c0000000-00000001ffffffff (prio 0, ram):"
        " alias virtio-mem-memslot-2"
        " @mem0 0000000080000000-00000000bfffffff",
    NULL
};

static const char *const seed_21_memslots[] = {
    "0000000140000000-000001047fffffff (prio 0, i/o): device-memory",
    "0000000140000000-0000007e3fffffff (prio 0, i/o): virtio-mem-memslots",
    "0000000140000000-000000017fffffff (prio 0, ram):"
        " alias virtio-mem-memslot-0"
        " @mem0 0000000000000000-000000003fffffff",
    "0000000180000000-00000001bfffffff (prio 0, ram):"
        " alias virtio-mem-memslot-1"
        " @mem0 0000000040000000-000000007fffffff",
    "00000001c0000000-00000001ffffffff (prio 0, ram):"
        " alias virtio-mem-memslot-2"
        " @mem0 0000000080000000-00000000bfffffff",
    "0000000200000000-000000023fffffff (prio 0, ram):"
        " alias virtio-mem-memslot-3"
        " @mem0 00000000c0000000-00000000ffffffff",
    "0000000240000000-000000027fffffff (prio 0, ram):"
        " alias virtio-mem-memslot-4"
        " @mem0 0000000100000000-000000013fffffff",
    "0000000280000000-00000002bfffffff (prio 0, ram):"
        " alias virtio-mem-memslot-5"
        " @mem0 0000000140000000-000000017fffffff",
    "00000002c0000000-00000002ffffffff (prio 0, ram):"
        " alias virtio-mem-memslot-6"
        " @mem0 0000000180000000-00000001bfffffff",
    "0000000300000000-000000033fffffff (prio 0, ram):"
        " alias virtio-mem-memslot-7"
        " @mem0 00000001c0000000-00000001ffffffff",
    "0000000340000000-000000037fffffff (prio 0, ram):"
        " alias virtio-mem-memslot-8"
        " @mem0 0000000200000000-000000023fffffff",
    "0000000380000000-00000003bfffffff (prio 0, ram):"
        " alias virtio-mem-memslot-9"
        " @mem0 0000000240000000-000000027fffffff",
    "00000003c0000000-00000003ffffffff (prio 0, ram):"
        " alias virtio-mem-memslot-10"
        " @mem0 0000000280000000-00000002bfffffff",
    "0000000400000000-000000043fffffff (prio 0, ram):"
        " alias virtio-mem-memslot-11"
        " @mem0 00000002c0000000-00000002ffffffff",
    "0000000440000000-000000047fffffff (prio 0, ram):"
        " alias virtio-mem-memslot-12"
        " @mem0 0000000300000000-000000033fffffff",
    "0000000480000000-00000004bfffffff (prio 0, ram):"
        " alias virtio-mem-memslot-13"
        " @mem0 0000000340000000-000000037fffffff",
    "00000004c0000000-00000004ffffffff (prio 0, ram):"
        " alias virtio-mem-memslot-14"
        " @mem0 0000000380000000-00000003bfffffff",
    "0000000500000000-000000053fffffff (prio 0, ram):"
        " alias virtio-mem-memslot-15"
        " @mem0 00000003c0000000-00000003ffffffff",
    "0000000540000000-000000057fffffff (prio 0, ram):"
        " alias virtio-mem-memslot-16"
        " @mem0 0000000400000000-000000043fffffff",
    "0000000580000000-00000005bfffffff (prio 0, ram):"
        " alias virtio-mem-memslot-17"
        " @mem0 0000000440000000-000000047fffffff",
    "00000005c0000000-00000005ffffffff (prio 0, ram):"
        " alias virtio-mem-memslot-18"
        " @mem0 0000000480000000-00000004bfffffff",
    "0000000600000000-000000063fffffff (prio 0, ram):"
        " alias virtio-mem-memslot-19"
        " @mem0 00000004c0000000-00000004ffffffff",
    "0000000640000000-000000067fffffff (prio 0, ram):"
        " alias virtio-mem-memslot-20"
        " @mem0 0000000500000000-000000053fffffff",
    NULL
};

static const char *const seed_6_memslots[] = {
    "0000000140000000-000001047fffffff (prio 0, i/o): device-memory",
    "0000000140000000-0000007e3fffffff (prio 0, i/o): virtio-mem-memslots",
    "0000000140000000-000000017fffffff (prio 0, ram):"
        " alias virtio-mem-memslot-0"
        " @mem0 0000000000000000-000000003fffffff",
    "0000000180000000-00000001bfffffff (prio 0, ram):"
        " alias virtio-mem-memslot-1"
        " @mem0 0000000040000000-000000007fffffff",
    "00000001c0000000-00000001ffffffff (prio 0, ram):"
        " alias virtio-mem-memslot-2"
        " @mem0 0000000080000000-00000000bfffffff",
    "0000000200000000-000000023fffffff (prio 0, ram):"
        " alias virtio-mem-memslot-3"
        " @mem0 00000000c0000000-00000000ffffffff",
    "0000000240000000-000000027fffffff (prio 0, ram):"
        " alias virtio-mem-memslot-4"
        " @mem0 0000000100000000-000000013fffffff",
    "0000000280000000-00000002bfffffff (prio 0, ram):"
        " alias virtio-mem-memslot-5"
        " @mem0 0000000140000000-000000017fffffff",
    NULL
};

#define MEMSLOT_SIZE (1 * GiB)
#define NR_MEMSLOTS 500
#define DEVICE_MEMORY_BASE 0x140000000ULL
#define DEVICE_MEMORY_SIZE 0x10340000000ULL

static char *mtree_text(bool flatview, bool owner, bool disabled)
{
    GString *out = g_string_new("");

    mtree_info(out, flatview, owner, disabled);
    return g_string_free(out, false);
}

/* Compare line by line first: a failure then names the line. */
static void assert_text(const char *actual, const char *expected)
{
    g_auto(GStrv) actual_lines = g_strsplit(actual, "\n", -1);
    g_auto(GStrv) expected_lines = g_strsplit(expected, "\n", -1);
    guint i;

    for (i = 0; actual_lines[i] && expected_lines[i]; i++) {
        g_assert_cmpstr(actual_lines[i], ==, expected_lines[i]);
    }
    g_assert_cmpuint(g_strv_length(actual_lines), ==,
                     g_strv_length(expected_lines));
    g_assert_cmpstr(actual, ==, expected);
}

static void append_indented(GString *s, unsigned level, const char *line)
{
    while (level--) {
        g_string_append(s, "  ");
    }
    g_string_append_printf(s, "%s\n", line);
}

/* ---- (a) the seed's virtio-mem memslots layout ---- */

typedef struct MemslotLayout {
    void *host;
    MemoryRegion system;
    MemoryRegion device_memory;
    MemoryRegion memslots;
    MemoryRegion mem0;
    MemoryRegion memslot[NR_MEMSLOTS];
    unsigned nr_mapped;
    AddressSpace as;
} MemslotLayout;

static void memslot_layout_init(MemslotLayout *l)
{
    unsigned i;

    /* 500 GiB that nothing may touch: any access would fault. */
    l->host = mmap(NULL, NR_MEMSLOTS * MEMSLOT_SIZE, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    g_assert(l->host != MAP_FAILED);

    memory_region_init(&l->system, NULL, "system", UINT64_MAX);
    memory_region_init(&l->device_memory, NULL, "device-memory",
                       DEVICE_MEMORY_SIZE);
    memory_region_init(&l->memslots, NULL, "virtio-mem-memslots",
                       NR_MEMSLOTS * MEMSLOT_SIZE);
    memory_region_init_ram_ptr(&l->mem0, NULL, "mem0",
                               NR_MEMSLOTS * MEMSLOT_SIZE, l->host);
    for (i = 0; i < NR_MEMSLOTS; i++) {
        g_autofree char *name = g_strdup_printf("virtio-mem-memslot-%u", i);

        memory_region_init_alias(&l->memslot[i], NULL, name, &l->mem0,
                                 i * MEMSLOT_SIZE, MEMSLOT_SIZE);
        memory_region_set_unmergeable(&l->memslot[i], true);
    }
    memory_region_add_subregion(&l->device_memory, 0, &l->memslots);
    memory_region_add_subregion(&l->system, DEVICE_MEMORY_BASE,
                                &l->device_memory);
    l->nr_mapped = 0;
    address_space_init(&l->as, &l->system, "memory");
}

/* Map exactly the first @nr memslots, in one transaction. */
static void memslot_layout_map(MemslotLayout *l, unsigned nr)
{
    memory_region_transaction_begin();
    for (; l->nr_mapped < nr; l->nr_mapped++) {
        memory_region_add_subregion(&l->memslots,
                                    l->nr_mapped * MEMSLOT_SIZE,
                                    &l->memslot[l->nr_mapped]);
    }
    for (; l->nr_mapped > nr; l->nr_mapped--) {
        memory_region_del_subregion(&l->memslots,
                                    &l->memslot[l->nr_mapped - 1]);
    }
    memory_region_transaction_commit();
}

static void memslot_layout_destroy(MemslotLayout *l)
{
    unsigned i;

    memslot_layout_map(l, 0);
    address_space_destroy(&l->as);
    memory_region_del_subregion(&l->system, &l->device_memory);
    memory_region_del_subregion(&l->device_memory, &l->memslots);
    for (i = 0; i < NR_MEMSLOTS; i++) {
        object_unref(OBJECT(&l->memslot[i]));
    }
    object_unref(OBJECT(&l->mem0));
    object_unref(OBJECT(&l->memslots));
    object_unref(OBJECT(&l->device_memory));
    object_unref(OBJECT(&l->system));
    munmap(l->host, NR_MEMSLOTS * MEMSLOT_SIZE);
}

/* What QEMU prints for the layout, given the seed's lines. */
static char *memslot_layout_expected(const char *const *seed_lines)
{
    GString *s = g_string_new("address-space: memory\n");
    unsigned i;

    append_indented(s, 1, "0000000000000000-ffffffffffffffff "
                    "(prio 0, i/o): system");
    for (i = 0; seed_lines[i]; i++) {
        /* device-memory, virtio-mem-memslots, then the memslots. */
        append_indented(s, 2 + MIN(i, 2), seed_lines[i]);
    }
    g_string_append(s, "\n");
    if (i > 2) {
        g_string_append(s, "memory-region: mem0\n"
                        "  0000000000000000-0000007cffffffff "
                        "(prio 0, ram): mem0\n\n");
    }
    return g_string_free(s, false);
}

static void test_seed_memslots(void)
{
    static const struct {
        unsigned nr;
        const char *const *seed_lines;
    } steps[] = {
        { 0, seed_0_memslots },
        { 3, seed_3_memslots },
        { 21, seed_21_memslots },
        { 6, seed_6_memslots },     /* after a reboot: 15 unmapped */
    };
    MemslotLayout *l = g_new0(MemslotLayout, 1);
    unsigned i;

    memslot_layout_init(l);
    for (i = 0; i < ARRAY_SIZE(steps); i++) {
        g_autofree char *expected = memslot_layout_expected(
            steps[i].seed_lines);
        g_autofree char *actual = NULL;

        memslot_layout_map(l, steps[i].nr);
        actual = mtree_text(false, false, false);
        assert_text(actual, expected);
        /* Nothing is disabled: -D changes nothing. */
        g_free(actual);
        actual = mtree_text(false, false, true);
        assert_text(actual, expected);
    }
    memslot_layout_destroy(l);
    g_free(l);
}

static void test_seed_memslots_flatview(void)
{
    MemslotLayout *l = g_new0(MemslotLayout, 1);
    g_autofree char *empty = NULL;
    g_autofree char *three = NULL;

    memslot_layout_init(l);
    empty = mtree_text(true, false, false);
    assert_text(empty,
                "FlatView #0\n"
                " AS \"memory\", root: system\n"
                " Root memory region: system\n"
                "  No rendered FlatView\n"
                "\n");

    /* Unmergeable: three ranges, not one merged 3 GiB range. */
    memslot_layout_map(l, 3);
    three = mtree_text(true, false, false);
    assert_text(three,
                "FlatView #0\n"
                " AS \"memory\", root: system\n"
                " Root memory region: system\n"
                "  0000000140000000-000000017fffffff (prio 0, ram): mem0\n"
                "  0000000180000000-00000001bfffffff (prio 0, ram): mem0"
                " @0000000040000000\n"
                "  00000001c0000000-00000001ffffffff (prio 0, ram): mem0"
                " @0000000080000000\n"
                "\n");
    memslot_layout_destroy(l);
    g_free(l);
}

/* ---- (b) a small machine: RAM aliases, MMIO, ROM, disabled regions ---- */

typedef struct SmallMachine {
    void *host;
    MemoryRegion system, pc_ram, ram_below_4g, ram_above_4g, vga_lowmem;
    MemoryRegion smram, pci_hole, bar0, bar1, hpet, bios, pmem, ram_ro;
    MemoryRegion io, pic, serial;
    MemoryRegion empty_root, bus_master, bm_container, bm_alias;
    AddressSpace as_memory, as_io, as_cpu, as_empty, as_dma, as_e1000;
} SmallMachine;

#define PC_RAM_SIZE (16 * MiB)
#define PMEM_SIZE (1 * MiB)

static void small_machine_init(SmallMachine *m)
{
    m->host = mmap(NULL, PC_RAM_SIZE + PMEM_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    g_assert(m->host != MAP_FAILED);

    memory_region_init(&m->system, NULL, "system", UINT64_MAX);
    memory_region_init_ram_ptr(&m->pc_ram, NULL, "pc.ram", PC_RAM_SIZE,
                               m->host);
    memory_region_init_alias(&m->ram_below_4g, NULL, "ram-below-4g",
                             &m->pc_ram, 0, 8 * MiB);
    memory_region_add_subregion(&m->system, 0, &m->ram_below_4g);
    memory_region_init_alias(&m->ram_above_4g, NULL, "ram-above-4g",
                             &m->pc_ram, 8 * MiB, 8 * MiB);
    memory_region_add_subregion(&m->system, 4 * GiB, &m->ram_above_4g);

    memory_region_init_io(&m->vga_lowmem, NULL, NULL, NULL, "vga-lowmem",
                          0x20000);
    memory_region_add_subregion_overlap(&m->system, 0xa0000, &m->vga_lowmem,
                                        1);
    memory_region_init_alias(&m->smram, NULL, "smram", &m->pc_ram, 0xa0000,
                             0x20000);
    memory_region_set_enabled(&m->smram, false);
    memory_region_add_subregion_overlap(&m->system, 0xa0000, &m->smram, 2);

    memory_region_init(&m->pci_hole, NULL, "pci-hole", 256 * MiB);
    memory_region_init_io(&m->bar0, NULL, NULL, NULL, "bar0", 0x1000);
    memory_region_add_subregion(&m->pci_hole, 0x1000, &m->bar0);
    memory_region_init_io(&m->bar1, NULL, NULL, NULL, "bar1", 0x1000);
    memory_region_set_enabled(&m->bar1, false);
    memory_region_add_subregion(&m->pci_hole, 0x2000, &m->bar1);
    memory_region_add_subregion(&m->system, 0xe0000000, &m->pci_hole);

    memory_region_init_io(&m->hpet, NULL, NULL, NULL, "hpet", 0x400);
    memory_region_add_subregion(&m->system, 0xfed00000, &m->hpet);
    memory_region_init_rom(&m->bios, NULL, "bios", 64 * KiB, &error_abort);
    memory_region_add_subregion(&m->system, 0xffff0000, &m->bios);

    memory_region_init_ram_ptr(&m->pmem, NULL, "pmem", PMEM_SIZE,
                               (char *)m->host + PC_RAM_SIZE);
    memory_region_set_nonvolatile(&m->pmem, true);
    memory_region_add_subregion(&m->system, 8 * GiB, &m->pmem);
    memory_region_init_alias(&m->ram_ro, NULL, "ram-ro", &m->pc_ram,
                             1 * MiB, 1 * MiB);
    memory_region_set_readonly(&m->ram_ro, true);
    memory_region_add_subregion(&m->system, 12 * GiB, &m->ram_ro);

    memory_region_init(&m->io, NULL, "io", 64 * KiB);
    memory_region_init_io(&m->pic, NULL, NULL, NULL, "pic", 2);
    memory_region_add_subregion(&m->io, 0x20, &m->pic);
    memory_region_init_io(&m->serial, NULL, NULL, NULL, "serial", 8);
    memory_region_add_subregion(&m->io, 0x3f8, &m->serial);

    memory_region_init(&m->empty_root, NULL, "empty-root", 4 * KiB);
    /* A whole-system alias, as PCI bus masters use. */
    memory_region_init_alias(&m->bus_master, NULL, "bus master", &m->system,
                             0, UINT64_MAX);
    /* The same, inside a container: its only child, covering it. */
    memory_region_init(&m->bm_container, NULL, "bus master container",
                       UINT64_MAX);
    memory_region_init_alias(&m->bm_alias, NULL, "e1000-bus-master",
                             &m->system, 0, UINT64_MAX);
    memory_region_add_subregion(&m->bm_container, 0, &m->bm_alias);

    address_space_init(&m->as_memory, &m->system, "memory");
    address_space_init(&m->as_io, &m->io, "I/O");
    address_space_init(&m->as_cpu, &m->system, "cpu-memory-0");
    address_space_init(&m->as_empty, &m->empty_root, "empty");
    address_space_init(&m->as_dma, &m->bus_master, "pci-dma");
    address_space_init(&m->as_e1000, &m->bm_container, "e1000");
}

static void small_machine_destroy(SmallMachine *m)
{
    MemoryRegion *in_system[] = {
        &m->ram_below_4g, &m->ram_above_4g, &m->vga_lowmem, &m->smram,
        &m->pci_hole, &m->hpet, &m->bios, &m->pmem, &m->ram_ro,
    };
    MemoryRegion *all[] = {
        &m->bus_master, &m->bm_alias, &m->bm_container, &m->ram_below_4g,
        &m->ram_above_4g, &m->smram, &m->ram_ro, &m->vga_lowmem, &m->bar0, &m->bar1, &m->pci_hole,
        &m->hpet, &m->bios, &m->pmem, &m->pc_ram, &m->pic, &m->serial,
        &m->io, &m->empty_root, &m->system,
    };
    unsigned i;

    address_space_destroy(&m->as_e1000);
    address_space_destroy(&m->as_dma);
    address_space_destroy(&m->as_empty);
    address_space_destroy(&m->as_cpu);
    address_space_destroy(&m->as_io);
    address_space_destroy(&m->as_memory);
    memory_region_transaction_begin();
    for (i = 0; i < ARRAY_SIZE(in_system); i++) {
        memory_region_del_subregion(&m->system, in_system[i]);
    }
    memory_region_del_subregion(&m->pci_hole, &m->bar0);
    memory_region_del_subregion(&m->pci_hole, &m->bar1);
    memory_region_del_subregion(&m->io, &m->pic);
    memory_region_del_subregion(&m->io, &m->serial);
    memory_region_del_subregion(&m->bm_container, &m->bm_alias);
    memory_region_transaction_commit();
    for (i = 0; i < ARRAY_SIZE(all); i++) {
        object_unref(OBJECT(all[i]));
    }
    munmap(m->host, PC_RAM_SIZE + PMEM_SIZE);
}

#define SYSTEM_TREE(SMRAM, BAR1)                                            \
    "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n"           \
    "    0000000000000000-00000000007fffff (prio 0, ram):"                  \
    " alias ram-below-4g @pc.ram 0000000000000000-00000000007fffff\n"      \
    SMRAM                                                                   \
    "    00000000000a0000-00000000000bffff (prio 1, i/o): vga-lowmem\n"     \
    "    00000000e0000000-00000000efffffff (prio 0, i/o): pci-hole\n"       \
    "      00000000e0001000-00000000e0001fff (prio 0, i/o): bar0\n"         \
    BAR1                                                                    \
    "    00000000fed00000-00000000fed003ff (prio 0, i/o): hpet\n"           \
    "    00000000ffff0000-00000000ffffffff (prio 0, rom): bios\n"           \
    "    0000000100000000-00000001007fffff (prio 0, ram):"                  \
    " alias ram-above-4g @pc.ram 0000000000800000-0000000000ffffff\n"      \
    "    0000000200000000-00000002000fffff (prio 0, nv-ram): pmem\n"        \
    "    0000000300000000-00000003000fffff (prio 0, ram):"                  \
    " alias ram-ro @pc.ram 0000000000100000-00000000001fffff\n"

#define SMRAM_LINE                                                          \
    "    00000000000a0000-00000000000bffff (prio 2, ram):"                  \
    " alias smram @pc.ram 00000000000a0000-00000000000bffff [disabled]\n"
#define BAR1_LINE                                                           \
    "      00000000e0002000-00000000e0002fff (prio 0, i/o): bar1"           \
    " [disabled]\n"

#define SMALL_MACHINE_TREES(SMRAM, BAR1)                                    \
    "address-space: cpu-memory-0\n"                                         \
    "address-space: memory\n"                                               \
    SYSTEM_TREE(SMRAM, BAR1)                                                \
    "\n"                                                                    \
    "address-space: I/O\n"                                                  \
    "  0000000000000000-000000000000ffff (prio 0, i/o): io\n"               \
    "    0000000000000020-0000000000000021 (prio 0, i/o): pic\n"            \
    "    00000000000003f8-00000000000003ff (prio 0, i/o): serial\n"         \
    "\n"                                                                    \
    "address-space: empty\n"                                                \
    "  0000000000000000-0000000000000fff (prio 0, i/o): empty-root\n"       \
    "\n"                                                                    \
    "address-space: pci-dma\n"                                              \
    "  0000000000000000-ffffffffffffffff (prio 0, i/o):"                    \
    " alias bus master @system 0000000000000000-ffffffffffffffff\n"        \
    "\n"                                                                    \
    "address-space: e1000\n"                                                \
    "  0000000000000000-ffffffffffffffff (prio 0, i/o):"                    \
    " bus master container\n"                                               \
    "    0000000000000000-ffffffffffffffff (prio 0, i/o): alias"            \
    " e1000-bus-master @system 0000000000000000-ffffffffffffffff\n"        \
    "\n"                                                                    \
    "memory-region: pc.ram\n"                                               \
    "  0000000000000000-0000000000ffffff (prio 0, ram): pc.ram\n"           \
    "\n"                                                                    \
    "memory-region: system\n"                                               \
    SYSTEM_TREE(SMRAM, BAR1)                                                \
    "\n"

static void test_small_machine(void)
{
    SmallMachine *m = g_new0(SmallMachine, 1);
    g_autofree char *tree = NULL;
    g_autofree char *tree_disabled = NULL;
    g_autofree char *flat = NULL;

    small_machine_init(m);
    tree = mtree_text(false, false, false);
    assert_text(tree, SMALL_MACHINE_TREES("", ""));

    tree_disabled = mtree_text(false, false, true);
    assert_text(tree_disabled, SMALL_MACHINE_TREES(SMRAM_LINE, BAR1_LINE));

    flat = mtree_text(true, false, false);
    assert_text(flat,
        "FlatView #0\n"
        " AS \"memory\", root: system\n"
        " AS \"cpu-memory-0\", root: system\n"
        " AS \"pci-dma\", root: bus master, alias system\n"
        " AS \"e1000\", root: bus master container\n"
        " Root memory region: system\n"
        "  0000000000000000-000000000009ffff (prio 0, ram): pc.ram\n"
        "  00000000000a0000-00000000000bffff (prio 1, i/o): vga-lowmem\n"
        "  00000000000c0000-00000000007fffff (prio 0, ram): pc.ram"
        " @00000000000c0000\n"
        "  00000000e0001000-00000000e0001fff (prio 0, i/o): bar0\n"
        "  00000000fed00000-00000000fed003ff (prio 0, i/o): hpet\n"
        "  00000000ffff0000-00000000ffffffff (prio 0, rom): bios\n"
        "  0000000100000000-00000001007fffff (prio 0, ram): pc.ram"
        " @0000000000800000\n"
        "  0000000200000000-00000002000fffff (prio 0, nv-ram): pmem\n"
        "  0000000300000000-00000003000fffff (prio 0, rom): pc.ram"
        " @0000000000100000\n"
        "\n"
        "FlatView #1\n"
        " AS \"I/O\", root: io\n"
        " Root memory region: io\n"
        "  0000000000000020-0000000000000021 (prio 0, i/o): pic\n"
        "  00000000000003f8-00000000000003ff (prio 0, i/o): serial\n"
        "\n"
        "FlatView #2\n"
        " AS \"empty\", root: empty-root\n"
        " Root memory region: (none)\n"
        "  No rendered FlatView\n"
        "\n");

    /* Enabling the SMRAM alias hides the VGA window below it. */
    memory_region_set_enabled(&m->smram, true);
    g_free(flat);
    flat = mtree_text(true, false, false);
    g_assert_nonnull(strstr(flat,
        "  0000000000000000-00000000007fffff (prio 0, ram): pc.ram\n"
        "  00000000e0001000-00000000e0001fff (prio 0, i/o): bar0\n"));
    g_assert_null(strstr(flat, "vga-lowmem"));

    small_machine_destroy(m);
    g_free(m);
}

/* ---- (c) owners: -o ---- */

static void test_owner(void)
{
    Object *owner = object_new(TYPE_CONTAINER);
    MemoryRegion *root = g_new0(MemoryRegion, 1);
    MemoryRegion *owned = g_new0(MemoryRegion, 1);
    AddressSpace as;
    g_autofree char *tree = NULL;
    g_autofree char *flat = NULL;

    object_property_add_child(object_get_root(), "mtree-owner", owner);
    object_unref(owner);

    memory_region_init(root, NULL, "owner-root", 64 * KiB);
    memory_region_init_io(owned, owner, NULL, NULL, "owned-mmio", 0x100);
    memory_region_add_subregion(root, 0x1000, owned);
    address_space_init(&as, root, "owner-test");

    tree = mtree_text(false, true, false);
    assert_text(tree,
        "address-space: owner-test\n"
        "  0000000000000000-000000000000ffff (prio 0, i/o): owner-root"
        " orphan\n"
        "    0000000000001000-00000000000010ff (prio 0, i/o): owned-mmio"
        " owner:{obj path=/mtree-owner}\n"
        "\n");
    flat = mtree_text(true, true, false);
    assert_text(flat,
        "FlatView #0\n"
        " AS \"owner-test\", root: owner-root\n"
        " Root memory region: owner-root\n"
        "  0000000000001000-00000000000010ff (prio 0, i/o): owned-mmio"
        " owner:{obj path=/mtree-owner}\n"
        "\n");

    address_space_destroy(&as);
    memory_region_del_subregion(root, owned);
    object_unref(OBJECT(root));
    g_free(root);
    /* The owner holds the only reference on its region. */
    object_unparent(owner);
    g_free(owned);
}

/* ---- (d) QEMU's marker for a region wrapping around 2^64 ---- */

static void test_overflow_marker(void)
{
    MemoryRegion *root = g_new0(MemoryRegion, 1);
    MemoryRegion *wrap = g_new0(MemoryRegion, 1);
    AddressSpace as;
    g_autofree char *tree = NULL;

    memory_region_init(root, NULL, "wrap-root", UINT64_MAX);
    memory_region_init_io(wrap, NULL, NULL, NULL, "wrap", 0x20000);
    memory_region_add_subregion(root, 0xffffffffffff0000ULL, wrap);
    address_space_init(&as, root, "wrap-test");

    tree = mtree_text(false, false, false);
    assert_text(tree,
        "address-space: wrap-test\n"
        "  0000000000000000-ffffffffffffffff (prio 0, i/o): wrap-root\n"
        "[DETECTED OVERFLOW!]     ffffffffffff0000-000000000000ffff"
        " (prio 0, i/o): wrap\n"
        "\n");

    address_space_destroy(&as);
    memory_region_del_subregion(root, wrap);
    object_unref(OBJECT(wrap));
    object_unref(OBJECT(root));
    g_free(wrap);
    g_free(root);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mtree/seed-memslots", test_seed_memslots);
    g_test_add_func("/mtree/seed-memslots-flatview",
                    test_seed_memslots_flatview);
    g_test_add_func("/mtree/small-machine", test_small_machine);
    g_test_add_func("/mtree/owner", test_owner);
    g_test_add_func("/mtree/overflow-marker", test_overflow_marker);
    return g_test_run();
}
