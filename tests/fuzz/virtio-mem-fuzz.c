/*
 * libFuzzer target: arbitrary descriptor rings and virtio-mem requests.
 *
 * virtio-mem runs in-process on the virtio test transport (its DMA
 * address space is system memory) (1 MiB of guest RAM at 0, the 64 MiB
 * device at 4 GiB).  The input is a program of small operations (write a
 * descriptor, publish a head and notify, send a well-formed request with
 * fuzzed fields, change requested-size, reset the device); after each one
 * the device's invariants are checked.  ASan/UBSan catch memory errors.
 *
 * Build: make fuzz (clang, -Dfuzzing=true).
 */
#include "qemu/osdep.h"
#include <linux/virtio_config.h>
#include <linux/virtio_mem.h>
#include <linux/virtio_ring.h>
#include "exec/address-spaces.h"
#include "exec/memory.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-bus.h"
#include "hw/virtio/virtio-mem.h"
#include "qapi/error.h"
#include "qom/object_interfaces.h"
#include "sysemu/hostmem.h"
#include "sysemu/reset.h"
#include "sysemu/shutdown-cause.h"
#include "virtio-test-transport.h"

#define BLOCK (2 * MiB)
#define REGION_SIZE (64 * MiB)
#define DEV_ADDR (4 * GiB)
#define RAM_SIZE (1 * MiB)
#define DESC_ADDR 0x1000
#define AVAIL_ADDR 0x2000
#define USED_ADDR 0x3000
#define REQ_ADDR 0x10000
#define RESP_ADDR 0x11000
#define QSIZE 8

/* The machine every input runs on, created once. */
typedef struct FuzzMachine {
    MemoryRegion ram;
    uint8_t *ram_ptr;
    HostMemoryBackend *memdev;
    MemoryRegion *mr;
    DeviceState *transport;
    VirtIOMEM *vmem;
    VirtIODevice *vdev;
    uint16_t avail_idx;
} FuzzMachine;

static FuzzMachine m;

/* Reads the input front to back; past its end everything reads 0. */
typedef struct Input {
    const uint8_t *data;
    size_t size;
} Input;

static uint64_t take(Input *in, unsigned bytes)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < bytes; i++) {
        v |= (uint64_t)(in->size ? (in->size--, *in->data++) : 0) << (8 * i);
    }
    return v;
}

static void driver_start(void)
{
    uint8_t s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

    virtio_set_status(m.vdev, s);
    virtio_set_features(m.vdev, m.vdev->host_features);
    s |= VIRTIO_CONFIG_S_FEATURES_OK;
    virtio_set_status(m.vdev, s);
    memset(m.ram_ptr + DESC_ADDR, 0, 0x3000);
    m.avail_idx = 0;
    virtio_queue_set_num(m.vdev, 0, QSIZE);
    virtio_queue_set_rings(m.vdev, 0, DESC_ADDR, AVAIL_ADDR, USED_ADDR);
    virtio_queue_enable(m.vdev, 0);
    virtio_set_status(m.vdev, s | VIRTIO_CONFIG_S_DRIVER_OK);
}

static void machine_init(void)
{
    memory_region_init_ram(&m.ram, NULL, "fuzz-ram", RAM_SIZE, &error_abort);
    memory_region_add_subregion(get_system_memory(), 0, &m.ram);
    m.ram_ptr = memory_region_get_ram_ptr(&m.ram);

    user_creatable_add_from_str("memory-backend-ram,id=mem0,size=64M,"
                                "reserve=off", &error_abort);
    m.memdev = MEMORY_BACKEND(object_resolve_path_component(
                                  object_get_objects_root(), "mem0"));
    m.mr = host_memory_backend_get_memory(m.memdev);

    m.transport = virtio_test_transport_new();
    m.vmem = VIRTIO_MEM(qdev_new(TYPE_VIRTIO_MEM));
    m.vdev = VIRTIO_DEVICE(m.vmem);
    object_property_set_link(OBJECT(m.vmem), "memdev", OBJECT(m.memdev),
                             &error_abort);
    object_property_set_uint(OBJECT(m.vmem), "memaddr", DEV_ADDR,
                             &error_abort);
    qdev_realize(DEVICE(m.vmem), virtio_test_transport_bus(m.transport),
                 &error_abort);
    memory_region_add_subregion(get_system_memory(), DEV_ADDR, m.mr);
}

/* Back to a known state: nothing plugged, device reset and restarted. */
static void machine_reset(void)
{
    object_property_set_uint(OBJECT(m.vmem), "requested-size", 0,
                             &error_abort);
    qemu_devices_reset(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
    virtio_reset(m.vdev);
    memset(m.ram_ptr, 0, RAM_SIZE);
    driver_start();
}

static void op_write_descriptor(Input *in)
{
    static const uint64_t addrs[] = { REQ_ADDR, RESP_ADDR, DESC_ADDR,
                                      RAM_SIZE - 8, DEV_ADDR, 0 };
    hwaddr desc = DESC_ADDR + 16 * (take(in, 1) % QSIZE);
    uint8_t pick = take(in, 1);
    uint64_t addr = pick < 0xf0 ? addrs[pick % ARRAY_SIZE(addrs)]
                                : take(in, 8);

    stq_le_phys(&address_space_memory, desc, addr);
    stl_le_phys(&address_space_memory, desc + 8, take(in, 2));
    stw_le_phys(&address_space_memory, desc + 12, take(in, 1) & 7);
    stw_le_phys(&address_space_memory, desc + 14, take(in, 1));
}

static void op_publish(Input *in)
{
    uint16_t head = take(in, 1);

    stw_le_phys(&address_space_memory, AVAIL_ADDR + 4 +
                2 * (m.avail_idx % QSIZE), head);
    /* Now and then jump the index: the device must refuse that. */
    m.avail_idx += (take(in, 1) == 0xff) ? take(in, 2) : 1;
    stw_le_phys(&address_space_memory, AVAIL_ADDR + 2, m.avail_idx);
    virtio_queue_notify(m.vdev, 0);
}

/* A well-formed request chain with fuzzed request fields. */
static void op_request(Input *in)
{
    struct virtio_mem_req req = {
        .type = GUINT16_TO_LE(take(in, 1) % 6),
        .u.plug.addr = GUINT64_TO_LE(DEV_ADDR - BLOCK +
                                     (take(in, 1) * BLOCK) +
                                     (take(in, 1) == 0xff ? take(in, 3) : 0)),
        .u.plug.nb_blocks = GUINT16_TO_LE(take(in, 1) % 40),
    };
    uint32_t req_len = sizeof(req) - (take(in, 1) == 0xff ? take(in, 1) % 25 : 0);
    uint32_t resp_len = sizeof(struct virtio_mem_resp) -
                        (take(in, 1) == 0xff ? take(in, 1) % 11 : 0);

    address_space_write(&address_space_memory, REQ_ADDR,
                        MEMTXATTRS_UNSPECIFIED, &req, sizeof(req));
    stq_le_phys(&address_space_memory, DESC_ADDR, REQ_ADDR);
    stl_le_phys(&address_space_memory, DESC_ADDR + 8, req_len);
    stw_le_phys(&address_space_memory, DESC_ADDR + 12, VRING_DESC_F_NEXT);
    stw_le_phys(&address_space_memory, DESC_ADDR + 14, 1);
    stq_le_phys(&address_space_memory, DESC_ADDR + 16, RESP_ADDR);
    stl_le_phys(&address_space_memory, DESC_ADDR + 24, resp_len);
    stw_le_phys(&address_space_memory, DESC_ADDR + 28, VRING_DESC_F_WRITE);
    stw_le_phys(&address_space_memory, AVAIL_ADDR + 4 +
                2 * (m.avail_idx % QSIZE), 0);
    m.avail_idx++;
    stw_le_phys(&address_space_memory, AVAIL_ADDR + 2, m.avail_idx);
    virtio_queue_notify(m.vdev, 0);
}

static void op_requested_size(Input *in)
{
    uint64_t size = (take(in, 1) % 40) * BLOCK;

    /* Invalid sizes are refused with an Error, never a crash. */
    object_property_set_uint(OBJECT(m.vmem), "requested-size", size, NULL);
}

/* What must hold whatever the guest did. */
static void check_invariants(void)
{
    uint64_t plugged = object_property_get_uint(OBJECT(m.vmem), "size",
                                                &error_abort);

    if (plugged % BLOCK || plugged > REGION_SIZE) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Input in = { data, size };
    unsigned ops = 0;

    if (!m.vdev) {
        machine_init();
    }
    machine_reset();
    while (in.size && ops++ < 64) {
        switch (take(&in, 1) % 6) {
        case 0:
            op_write_descriptor(&in);
            break;
        case 1:
            op_publish(&in);
            break;
        case 2:
        case 3:
            op_request(&in);
            break;
        case 4:
            op_requested_size(&in);
            break;
        case 5:
            virtio_reset(m.vdev);
            driver_start();
            break;
        }
        check_invariants();
    }
    return 0;
}
