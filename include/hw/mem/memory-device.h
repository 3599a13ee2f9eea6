/*
 * Memory devices: devices that provide guest RAM inside the machine's
 * device-memory area (virtio-mem-pci today; DIMMs would be others).
 *
 * A device implementing the TYPE_MEMORY_DEVICE interface is plugged in
 * three steps driven by the machine's hotplug handler:
 *   memory_device_pre_plug()  before realize: checks that the device fits
 *                             (maxmem, address space, memslots) and picks
 *                             its address (first fit, or the one given);
 *   dc->realize               the device sets up its memory region;
 *   memory_device_plug()      after realize: maps the region at that
 *                             address inside "device-memory".
 * memory_device_unplug() undoes the plug.
 *
 * Layout: machine_memory_devices_init() creates ms->device_memory, whose
 * "device-memory" container is mapped into system memory at @base.  Every
 * device's region becomes a subregion of that container at (address -
 * base).  Which region is mapped is the device's business
 * (get_memory_region): it may be a RAM region or a container of aliases.
 */
#ifndef HW_MEM_MEMORY_DEVICE_H
#define HW_MEM_MEMORY_DEVICE_H

#include "qom/object.h"
#include "exec/memory.h"

typedef struct MachineState MachineState;

#define TYPE_MEMORY_DEVICE "memory-device"

typedef struct MemoryDeviceClass MemoryDeviceClass;
DECLARE_CLASS_CHECKERS(MemoryDeviceClass, MEMORY_DEVICE, TYPE_MEMORY_DEVICE)
#define MEMORY_DEVICE(obj) \
    INTERFACE_CHECK(MemoryDeviceState, (obj), TYPE_MEMORY_DEVICE)

/* The interface instance: any Object implementing TYPE_MEMORY_DEVICE. */
typedef struct MemoryDeviceState MemoryDeviceState;

/*
 * What query-memory-devices reports for one device: @type is the QAPI
 * union tag ("virtio-mem"), @data the member object (owned, in the order
 * QEMU prints the members).
 */
typedef struct MemoryDeviceInfo {
    char *type;
    JsonObject *data;
} MemoryDeviceInfo;

struct MemoryDeviceClass {
    /* private */
    InterfaceClass parent_class;

    /* public */

    /* The device's address in guest physical memory (0: not yet set). */
    uint64_t (*get_addr)(const MemoryDeviceState *md);

    /* Store the address chosen by memory_device_pre_plug(). */
    void (*set_addr)(MemoryDeviceState *md, uint64_t addr, Error **errp);

    /*
     * The amount of memory the guest can use right now (virtio-mem: the
     * plugged size); memory_device's accounting uses the region size.
     */
    uint64_t (*get_plugged_size)(const MemoryDeviceState *md, Error **errp);

    /*
     * The region to map into device memory.  Must be the same region from
     * pre_plug to unplug; its size is the space the device occupies.
     */
    MemoryRegion *(*get_memory_region)(MemoryDeviceState *md, Error **errp);

    /*
     * Optional: how many memslots the device's region needs (default 1).
     * For a device whose region is a container of several aliases.
     */
    unsigned int (*get_memslots)(MemoryDeviceState *md);

    /*
     * Optional: called in pre_plug before get_memslots, with the number
     * of memslots the device may use at most, so it can decide how many.
     */
    void (*decide_memslots)(MemoryDeviceState *md, unsigned int limit);

    /*
     * Optional: the alignment the device needs for its address, beyond
     * the region's own alignment (virtio-mem: its block size).
     */
    uint64_t (*get_min_alignment)(const MemoryDeviceState *md);

    /* Describe the device for query-memory-devices. */
    void (*fill_device_info)(const MemoryDeviceState *md,
                             MemoryDeviceInfo *info);
};

/*
 * Memslots (KVM memslots, vhost memory regions) of memory devices.  Each
 * device reserves get_memslots() when it is plugged ("required"); a
 * listener counts the RAM sections really mapped inside device memory
 * ("used").  Reserved-but-unused memslots still look free to KVM and
 * vhost, so checks subtract them.
 *
 * MEMORY_DEVICES_SOFT_MEMSLOT_LIMIT: what devices deciding for themselves
 * (decide_memslots) share; they get a single memslot when KVM or a vhost
 * backend has fewer than MEMORY_DEVICES_SAFE_MAX_MEMSLOTS in total.
 * MEMORY_DEVICES_MAX_MEMSLOTS: the hard cap over all memory devices.
 */
#define MEMORY_DEVICES_SOFT_MEMSLOT_LIMIT 256
#define MEMORY_DEVICES_SAFE_MAX_MEMSLOTS 509
#define MEMORY_DEVICES_MAX_MEMSLOTS 2048

/*
 * Create ms->device_memory covering [@base, @base + @size) of guest
 * physical memory and map its "device-memory" container into system
 * memory.  Called once by the machine, only when maxmem > RAM.
 */
void machine_memory_devices_init(MachineState *ms, hwaddr base,
                                 uint64_t size);

/* Unregister the memslot listener and free ms->device_memory. */
void machine_memory_devices_finalize(MachineState *ms);

/*
 * Memslots reserved by plugged memory devices but not mapped yet (0
 * without device memory); other memslot consumers (vhost) must leave
 * room for them.
 */
unsigned int memory_devices_get_reserved_memslots(void);

/*
 * Check that @md fits (device memory enabled, maxmem, memslots, an
 * explicit address aligned, inside and not overlapping) and assign its
 * address.  A device with decide_memslots decides first, with the limit
 * described above; then its get_memslots() must fit under
 * MEMORY_DEVICES_MAX_MEMSLOTS and into what KVM and every vhost backend
 * have free minus other devices' reservations.  QEMU's error texts
 * (memslot errors: "hypervisor has only N free memory slots, but M are
 * required", "a used vhost backend has only ...").
 */
void memory_device_pre_plug(MemoryDeviceState *md, MachineState *ms,
                            Error **errp);

/* Map the device's region at its address and reserve its memslots. */
void memory_device_plug(MemoryDeviceState *md, MachineState *ms);

/* Unmap the device's region and release its memslots. */
void memory_device_unplug(MemoryDeviceState *md, MachineState *ms);

/* The size the device occupies in device memory (its region's size). */
uint64_t memory_device_get_region_size(const MemoryDeviceState *md,
                                       Error **errp);

/* Sum of the plugged sizes of all memory devices (for "info memory..."). */
uint64_t get_plugged_memory_size(void);

/*
 * query-memory-devices: a new JSON array of {"type": ..., "data": {...}}
 * objects, ordered by address.
 */
JsonArray *qmp_memory_device_list(void);

/*
 * HMP "info memory-devices" in QEMU's text format; prints nothing when
 * there are none.
 */
void hmp_info_memory_devices(GString *out, int argc, char **argv);

/* Free what fill_device_info put into @info. */
void memory_device_info_clear(MemoryDeviceInfo *info);

#endif
