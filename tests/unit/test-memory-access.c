/*
 * Accesses through an address space: RAM copies, MMIO dispatch with access
 * size splitting/widening and byte order, unassigned space, aliases, and
 * accesses straddling several sections.
 */
#include "qemu/osdep.h"

#include "exec/address-spaces.h"
#include "exec/memory.h"
#include "qapi/error.h"

/* --- A recording MMIO device ---------------------------------------- */

typedef struct Access {
    bool is_write;
    hwaddr addr;
    unsigned size;
    uint64_t value;
} Access;

typedef struct Device {
    MemoryRegion mr;
    GArray *log;                /* of Access */
    /* Reads return (addr + 1) * 0x11 per byte unless fixed_value. */
    bool use_fixed_value;
    uint64_t fixed_value;
    bool refuse_writes;
} Device;

static uint64_t device_value_at(Device *dev, hwaddr addr, unsigned size)
{
    uint64_t value = 0;

    if (dev->use_fixed_value) {
        return dev->fixed_value;
    }
    for (unsigned i = 0; i < size; i++) {
        value |= (uint64_t)(uint8_t)((addr + i + 1) * 0x11) << (i * 8);
    }
    return value;
}

static uint64_t device_read(void *opaque, hwaddr addr, unsigned size)
{
    Device *dev = opaque;
    Access a = {
        .addr = addr, .size = size, .value = device_value_at(dev, addr, size),
    };

    g_array_append_val(dev->log, a);
    return a.value;
}

static void device_write(void *opaque, hwaddr addr, uint64_t data,
                         unsigned size)
{
    Device *dev = opaque;
    Access a = { .is_write = true, .addr = addr, .size = size, .value = data };

    g_array_append_val(dev->log, a);
}

static bool device_accepts(void *opaque, hwaddr addr, unsigned size,
                           bool is_write, MemTxAttrs attrs)
{
    Device *dev = opaque;

    return !(is_write && dev->refuse_writes);
}

static void device_init(Device *dev, const MemoryRegionOps *ops,
                        const char *name, uint64_t size)
{
    memset(dev, 0, sizeof(*dev));
    dev->log = g_array_new(false, false, sizeof(Access));
    memory_region_init_io(&dev->mr, NULL, ops, dev, name, size);
}

static void device_destroy(Device *dev)
{
    if (dev->mr.container) {
        memory_region_del_subregion(dev->mr.container, &dev->mr);
    }
    object_unref(OBJECT(&dev->mr));
    g_array_free(dev->log, true);
}

/* Check and clear the device's log against (is_write, addr, size, value). */
static void assert_accesses(Device *dev, const Access *expected, size_t n)
{
    for (guint i = 0; i < dev->log->len; i++) {
        Access *a = &g_array_index(dev->log, Access, i);

        g_test_message("  access %u: %s 0x%" PRIx64 " size %u value 0x%"
                       PRIx64, i, a->is_write ? "write" : "read", a->addr,
                       a->size, a->value);
    }
    g_assert_cmpuint(dev->log->len, ==, n);
    for (size_t i = 0; i < n; i++) {
        Access *a = &g_array_index(dev->log, Access, i);

        g_assert_cmpint(a->is_write, ==, expected[i].is_write);
        g_assert_cmphex(a->addr, ==, expected[i].addr);
        g_assert_cmpuint(a->size, ==, expected[i].size);
        g_assert_cmphex(a->value, ==, expected[i].value);
    }
    g_array_set_size(dev->log, 0);
}

#define ASSERT_ACCESSES(dev, ...)                                     \
    do {                                                              \
        const Access expected_[] = { __VA_ARGS__ };                   \
        assert_accesses((dev), expected_, ARRAY_SIZE(expected_));     \
    } while (0)

#define RD(a, s, v) \
    { .is_write = false, .addr = (a), .size = (s), .value = (v) }
#define WR(a, s, v) \
    { .is_write = true, .addr = (a), .size = (s), .value = (v) }

/* 1..8 byte accesses, implemented up to 4 bytes. */
static const MemoryRegionOps le_ops = {
    .read = device_read,
    .write = device_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8,
               .accepts = device_accepts },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static const MemoryRegionOps be_ops = {
    .read = device_read,
    .write = device_write,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

/* Only 4-byte accesses are implemented: smaller ones are widened. */
static const MemoryRegionOps wide_ops = {
    .read = device_read,
    .write = device_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

/* Only aligned 4-byte accesses are valid at all. */
static const MemoryRegionOps strict_ops = {
    .read = device_read,
    .write = device_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

/* --- Fixture -------------------------------------------------------- */

typedef struct Fixture {
    MemoryRegion root;
    MemoryRegion ram;
    AddressSpace as;
} Fixture;

#define RAM_BASE 0x10000
#define RAM_SIZE 0x4000

static void fixture_init(Fixture *f)
{
    memory_region_init(&f->root, NULL, "root", UINT64_MAX);
    memory_region_init_ram_nomigrate(&f->ram, NULL, "ram", RAM_SIZE,
                                     &error_abort);
    memory_region_add_subregion(&f->root, RAM_BASE, &f->ram);
    address_space_init(&f->as, &f->root, "test");
}

static void fixture_destroy(Fixture *f)
{
    address_space_destroy(&f->as);
    memory_region_del_subregion(&f->root, &f->ram);
    object_unref(OBJECT(&f->ram));
    object_unref(OBJECT(&f->root));
}

static uint8_t *ram_host(Fixture *f)
{
    return memory_region_get_ram_ptr(&f->ram);
}

/* --- Tests ---------------------------------------------------------- */

static void test_ram_bytes(void)
{
    Fixture f;
    uint8_t in[256], out[256];

    fixture_init(&f);
    for (int i = 0; i < 256; i++) {
        in[i] = i ^ 0x5a;
    }
    g_assert_cmphex(address_space_write(&f.as, RAM_BASE + 0x123,
                                        MEMTXATTRS_UNSPECIFIED, in,
                                        sizeof(in)), ==, MEMTX_OK);
    g_assert_cmpmem(ram_host(&f) + 0x123, sizeof(in), in, sizeof(in));

    ram_host(&f)[0x3fff] = 0xab;
    g_assert_cmphex(address_space_read(&f.as, RAM_BASE + 0x123,
                                       MEMTXATTRS_UNSPECIFIED, out,
                                       sizeof(out)), ==, MEMTX_OK);
    g_assert_cmpmem(out, sizeof(out), in, sizeof(in));
    g_assert_cmphex(ldub_phys(&f.as, RAM_BASE + 0x3fff), ==, 0xab);

    stl_le_phys(&f.as, RAM_BASE + 0x10, 0x11223344);
    g_assert_cmphex(ram_host(&f)[0x10], ==, 0x44);
    g_assert_cmphex(ram_host(&f)[0x13], ==, 0x11);
    g_assert_cmphex(ldl_le_phys(&f.as, RAM_BASE + 0x10), ==, 0x11223344);
    g_assert_cmphex(address_space_ldl_be(&f.as, RAM_BASE + 0x10,
                                         MEMTXATTRS_UNSPECIFIED, NULL),
                    ==, 0x44332211);
    stq_le_phys(&f.as, RAM_BASE + 0x20, 0x0102030405060708ULL);
    g_assert_cmphex(ldq_le_phys(&f.as, RAM_BASE + 0x20), ==,
                    0x0102030405060708ULL);
    stw_le_phys(&f.as, RAM_BASE + 0x30, 0xbeef);
    g_assert_cmphex(lduw_le_phys(&f.as, RAM_BASE + 0x30), ==, 0xbeef);
    fixture_destroy(&f);
}

static void test_mmio_split_le(void)
{
    Fixture f;
    Device dev;
    uint8_t buf[8];
    MemTxResult r;

    fixture_init(&f);
    device_init(&dev, &le_ops, "dev", 0x100);
    memory_region_add_subregion(&f.root, 0x1000, &dev.mr);

    /* 8 bytes allowed on the bus, 4 implemented: two 4-byte calls. */
    r = address_space_read(&f.as, 0x1008, MEMTXATTRS_UNSPECIFIED, buf, 8);
    g_assert_cmphex(r, ==, MEMTX_OK);
    ASSERT_ACCESSES(&dev, RD(0x8, 4, 0xccbbaa99), RD(0xc, 4, 0x10ffeedd));
    for (int i = 0; i < 8; i++) {
        g_assert_cmphex(buf[i], ==, (uint8_t)((0x8 + i + 1) * 0x11));
    }

    /* Unaligned 8 bytes at 0x3: split by alignment into 1 + 4 + 2 + 1. */
    r = address_space_read(&f.as, 0x1003, MEMTXATTRS_UNSPECIFIED, buf, 8);
    g_assert_cmphex(r, ==, MEMTX_OK);
    ASSERT_ACCESSES(&dev, RD(0x3, 1, 0x44), RD(0x4, 4, 0x88776655),
                    RD(0x8, 2, 0xaa99), RD(0xa, 1, 0xbb));

    address_space_stq_le(&f.as, 0x1010, 0x8877665544332211ULL,
                         MEMTXATTRS_UNSPECIFIED, &r);
    g_assert_cmphex(r, ==, MEMTX_OK);
    ASSERT_ACCESSES(&dev, WR(0x10, 4, 0x44332211), WR(0x14, 4, 0x88776655));

    address_space_stw_le(&f.as, 0x1020, 0xabcd, MEMTXATTRS_UNSPECIFIED, &r);
    ASSERT_ACCESSES(&dev, WR(0x20, 2, 0xabcd));

    /* Refused by valid.accepts: decode error, nothing reaches it. */
    dev.refuse_writes = true;
    address_space_stl_le(&f.as, 0x1020, 1, MEMTXATTRS_UNSPECIFIED, &r);
    g_assert_cmphex(r, ==, MEMTX_DECODE_ERROR);
    g_assert_cmpuint(dev.log->len, ==, 0);

    device_destroy(&dev);
    fixture_destroy(&f);
}

static void test_mmio_big_endian(void)
{
    Fixture f;
    Device dev;
    uint8_t buf[4];
    MemTxResult r;

    fixture_init(&f);
    device_init(&dev, &be_ops, "be", 0x100);
    memory_region_add_subregion(&f.root, 0x2000, &dev.mr);
    dev.use_fixed_value = true;
    dev.fixed_value = 0x11223344;

    r = address_space_read(&f.as, 0x2000, MEMTXATTRS_UNSPECIFIED, buf, 4);
    g_assert_cmphex(r, ==, MEMTX_OK);
    ASSERT_ACCESSES(&dev, RD(0x0, 4, 0x11223344));
    g_assert_cmphex(buf[0], ==, 0x11);
    g_assert_cmphex(buf[3], ==, 0x44);
    g_assert_cmphex(address_space_ldl_be(&f.as, 0x2000,
                                         MEMTXATTRS_UNSPECIFIED, NULL),
                    ==, 0x11223344);
    ASSERT_ACCESSES(&dev, RD(0x0, 4, 0x11223344));

    /* An 8-byte big-endian value: high half at the lower address. */
    address_space_stq_be(&f.as, 0x2008, 0x0102030405060708ULL,
                         MEMTXATTRS_UNSPECIFIED, &r);
    ASSERT_ACCESSES(&dev, WR(0x8, 4, 0x01020304), WR(0xc, 4, 0x05060708));
    device_destroy(&dev);
    fixture_destroy(&f);
}

static void test_mmio_widened(void)
{
    Fixture f;
    Device dev;
    MemTxResult r;

    fixture_init(&f);
    device_init(&dev, &wide_ops, "wide", 0x100);
    memory_region_add_subregion(&f.root, 0x3000, &dev.mr);

    /* A byte read becomes one 4-byte call; the low byte is returned. */
    g_assert_cmphex(address_space_ldub(&f.as, 0x3004,
                                       MEMTXATTRS_UNSPECIFIED, &r), ==, 0x55);
    g_assert_cmphex(r, ==, MEMTX_OK);
    ASSERT_ACCESSES(&dev, RD(0x4, 4, 0x88776655));

    address_space_stw_le(&f.as, 0x3008, 0x1234, MEMTXATTRS_UNSPECIFIED, &r);
    ASSERT_ACCESSES(&dev, WR(0x8, 4, 0x1234));
    device_destroy(&dev);
    fixture_destroy(&f);
}

static void test_mmio_invalid_size(void)
{
    Fixture f;
    Device dev;
    uint8_t buf[8];
    MemTxResult r;

    fixture_init(&f);
    device_init(&dev, &strict_ops, "strict", 0x100);
    memory_region_add_subregion(&f.root, 0x4000, &dev.mr);

    g_assert_cmphex(address_space_ldl_le(&f.as, 0x4004,
                                         MEMTXATTRS_UNSPECIFIED, &r),
                    ==, 0x88776655);
    g_assert_cmphex(r, ==, MEMTX_OK);
    ASSERT_ACCESSES(&dev, RD(0x4, 4, 0x88776655));

    /* Two bytes are below valid.min_access_size: refused, reads zero. */
    memset(buf, 0xff, sizeof(buf));
    r = address_space_read(&f.as, 0x4004, MEMTXATTRS_UNSPECIFIED, buf, 2);
    g_assert_cmphex(r, ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(buf[0], ==, 0);
    g_assert_cmphex(buf[1], ==, 0);
    g_assert_cmphex(buf[2], ==, 0xff);
    g_assert_cmpuint(dev.log->len, ==, 0);
    device_destroy(&dev);
    fixture_destroy(&f);
}

static void test_unassigned(void)
{
    Fixture f;
    uint8_t buf[16];
    MemTxResult r;

    fixture_init(&f);
    memset(buf, 0xee, sizeof(buf));
    r = address_space_read(&f.as, 0x500000, MEMTXATTRS_UNSPECIFIED, buf, 16);
    g_assert_cmphex(r, ==, MEMTX_DECODE_ERROR);
    for (int i = 0; i < 16; i++) {
        g_assert_cmphex(buf[i], ==, 0);
    }
    r = address_space_write(&f.as, 0x500000, MEMTXATTRS_UNSPECIFIED, buf, 16);
    g_assert_cmphex(r, ==, MEMTX_DECODE_ERROR);
    fixture_destroy(&f);
}

/* RAM, then MMIO, then nothing, in one access. */
static void test_straddle(void)
{
    Fixture f;
    Device dev;
    uint8_t buf[16], pattern[16];
    MemTxResult r;

    fixture_init(&f);
    device_init(&dev, &le_ops, "dev", 0x6);
    memory_region_add_subregion(&f.root, RAM_BASE + RAM_SIZE, &dev.mr);
    memset(ram_host(&f) + RAM_SIZE - 4, 0x77, 4);

    memset(buf, 0xee, sizeof(buf));
    r = address_space_read(&f.as, RAM_BASE + RAM_SIZE - 4,
                           MEMTXATTRS_UNSPECIFIED, buf, 16);
    g_assert_cmphex(r, ==, MEMTX_DECODE_ERROR);
    ASSERT_ACCESSES(&dev, RD(0x0, 4, 0x44332211), RD(0x4, 2, 0x6655));
    for (int i = 0; i < 4; i++) {
        g_assert_cmphex(buf[i], ==, 0x77);
    }
    for (int i = 0; i < 6; i++) {
        g_assert_cmphex(buf[4 + i], ==, (uint8_t)((i + 1) * 0x11));
    }
    for (int i = 10; i < 16; i++) {
        g_assert_cmphex(buf[i], ==, 0);
    }

    for (int i = 0; i < 16; i++) {
        pattern[i] = 0xa0 + i;
    }
    r = address_space_write(&f.as, RAM_BASE + RAM_SIZE - 4,
                            MEMTXATTRS_UNSPECIFIED, pattern, 16);
    g_assert_cmphex(r, ==, MEMTX_DECODE_ERROR);
    g_assert_cmpmem(ram_host(&f) + RAM_SIZE - 4, 4, pattern, 4);
    ASSERT_ACCESSES(&dev, WR(0x0, 4, 0xa7a6a5a4), WR(0x4, 2, 0xa9a8));
    device_destroy(&dev);
    fixture_destroy(&f);
}

static void test_alias_offsets(void)
{
    Fixture f;
    MemoryRegion a1, a2;
    uint8_t v = 0x3c;

    fixture_init(&f);
    memory_region_init_alias(&a1, NULL, "a1", &f.ram, 0x1000, 0x2000);
    memory_region_init_alias(&a2, NULL, "a2", &a1, 0x100, 0x100);
    memory_region_add_subregion(&f.root, 0x80000, &a2);

    g_assert_cmphex(address_space_write(&f.as, 0x80010,
                                        MEMTXATTRS_UNSPECIFIED, &v, 1),
                    ==, MEMTX_OK);
    g_assert_cmphex(ram_host(&f)[0x1110], ==, 0x3c);
    ram_host(&f)[0x11ff] = 0x99;
    g_assert_cmphex(ldub_phys(&f.as, 0x800ff), ==, 0x99);
    /* Past the end of the alias: unassigned. */
    g_assert_cmphex(ldub_phys(&f.as, 0x80100), ==, 0);

    memory_region_del_subregion(&f.root, &a2);
    object_unref(OBJECT(&a2));
    object_unref(OBJECT(&a1));
    fixture_destroy(&f);
}

static void test_readonly(void)
{
    Fixture f;
    MemoryRegion rom, ro_alias;
    uint8_t v = 0x11;

    fixture_init(&f);
    memory_region_init_rom_nomigrate(&rom, NULL, "rom", 0x1000,
                                     &error_abort);
    ((uint8_t *)memory_region_get_ram_ptr(&rom))[0] = 0x42;
    memory_region_add_subregion(&f.root, 0x90000, &rom);
    g_assert_cmphex(address_space_write(&f.as, 0x90000,
                                        MEMTXATTRS_UNSPECIFIED, &v, 1),
                    ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(ldub_phys(&f.as, 0x90000), ==, 0x42);

    /* A read-only alias protects the RAM behind it. */
    memory_region_init_alias(&ro_alias, NULL, "ro", &f.ram, 0, 0x1000);
    memory_region_set_readonly(&ro_alias, true);
    memory_region_add_subregion(&f.root, 0xa0000, &ro_alias);
    ram_host(&f)[0] = 0x24;
    g_assert_cmphex(address_space_write(&f.as, 0xa0000,
                                        MEMTXATTRS_UNSPECIFIED, &v, 1),
                    ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(ram_host(&f)[0], ==, 0x24);
    g_assert_cmphex(ldub_phys(&f.as, 0xa0000), ==, 0x24);

    memory_region_del_subregion(&f.root, &ro_alias);
    memory_region_del_subregion(&f.root, &rom);
    object_unref(OBJECT(&ro_alias));
    object_unref(OBJECT(&rom));
    fixture_destroy(&f);
}

/* The global address spaces exist on first use. */
static void test_system_memory(void)
{
    MemoryRegion ram;
    AddressSpace *as;
    bool seen_memory = false, seen_io = false;

    g_assert_cmphex(address_space_ldl_le(&address_space_io, 0x60,
                                         MEMTXATTRS_UNSPECIFIED, NULL),
                    ==, 0xffffffff);
    memory_region_init_ram_nomigrate(&ram, NULL, "sys-ram", 0x1000,
                                     &error_abort);
    memory_region_add_subregion(get_system_memory(), 0x1000, &ram);
    stl_le_phys(&address_space_memory, 0x1004, 0xcafef00d);
    g_assert_cmphex(((uint32_t *)memory_region_get_ram_ptr(&ram))[1], ==,
                    GUINT32_TO_LE(0xcafef00d));
    g_assert_true(address_space_memory.root == get_system_memory());
    g_assert_cmpstr(memory_region_name(get_system_io()), ==, "io");
    for (as = address_space_next(NULL); as; as = address_space_next(as)) {
        seen_memory |= as == &address_space_memory;
        seen_io |= as == &address_space_io;
    }
    g_assert_true(seen_memory && seen_io);
    memory_region_del_subregion(get_system_memory(), &ram);
    object_unref(OBJECT(&ram));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/memory/access/ram-bytes", test_ram_bytes);
    g_test_add_func("/memory/access/mmio-split-le", test_mmio_split_le);
    g_test_add_func("/memory/access/mmio-big-endian", test_mmio_big_endian);
    g_test_add_func("/memory/access/mmio-widened", test_mmio_widened);
    g_test_add_func("/memory/access/mmio-invalid-size",
                    test_mmio_invalid_size);
    g_test_add_func("/memory/access/unassigned", test_unassigned);
    g_test_add_func("/memory/access/straddle", test_straddle);
    g_test_add_func("/memory/access/alias-offsets", test_alias_offsets);
    g_test_add_func("/memory/access/readonly", test_readonly);
    g_test_add_func("/memory/access/system-memory", test_system_memory);
    return g_test_run();
}
