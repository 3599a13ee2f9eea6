/*
 * Machines: the board a VM is built on (QEMU's TYPE_MACHINE).
 *
 * Exactly one machine exists, created by vl.c from -machine TYPE (default:
 * the class with is_default), at /machine; current_machine points to it.
 * Machine types are named "NAME-machine" (MACHINE_TYPE_NAME("pc-i440fx-7.2"))
 * and may have an alias ("pc").  vl.c creates the machine object first,
 * sets ram_size (-m or default_ram_size) / maxram_size / ram_slots and the
 * -machine properties, creates the -object backends, then calls
 * machine_run_board_init(): it takes the "memory-backend" backend, or
 * creates /objects/<default_ram_id> of ram_size, as machine->ram, and runs
 * MachineClass.init.  -device devices come after.
 */
#ifndef HW_BOARDS_H
#define HW_BOARDS_H

#include "exec/memory.h"
#include "hw/qdev-core.h"
#include "sysemu/hostmem.h"
#include "sysemu/shutdown-cause.h"

#define TYPE_MACHINE_SUFFIX "-machine"
#define MACHINE_TYPE_NAME(machinename) (machinename TYPE_MACHINE_SUFFIX)

#define TYPE_MACHINE "machine"
OBJECT_DECLARE_TYPE(MachineState, MachineClass, MACHINE)

extern MachineState *current_machine;

/*
 * The device memory region of a machine (memory devices: virtio-mem,
 * pc-dimm): see machine_memory_devices_init() in hw/mem/memory-device.h.
 */
typedef struct DeviceMemoryState {
    hwaddr base;
    MemoryRegion mr;
    /* memslots really in use inside mr (counted by listener) */
    unsigned int used_memslots;
    /* memslots reserved by the plugged memory devices */
    unsigned int required_memslots;
    MemoryListener listener;
} DeviceMemoryState;

struct MachineClass {
    /* private: */
    ObjectClass parent_class;

    /* public: */
    const char *family;         /* NULL: not versioned */
    char *name;                 /* type name without "-machine" */
    const char *alias;          /* e.g. "pc" */
    const char *desc;

    void (*init)(MachineState *state);
    /* System reset (NULL: qemu_devices_reset()). */
    void (*reset)(MachineState *state, ShutdownCause reason);

    int max_cpus;
    int default_cpus;
    bool is_default;
    bool no_parallel, no_serial, no_floppy, no_cdrom, no_sdcard;
    bool has_hotpluggable_cpus;
    /* RAM when -m has no size (0: no RAM). */
    ram_addr_t default_ram_size;
    /* Id of the RAM backend vl.c creates ("pc.ram"). */
    const char *default_ram_id;
    /* The machine's hotplug handler for @dev, or NULL (the bus's). */
    HotplugHandler *(*get_hotplug_handler)(MachineState *machine,
                                           DeviceState *dev);
    /* Whether @dev may be hot plugged (NULL: yes). */
    bool (*hotplug_allowed)(MachineState *state, DeviceState *dev,
                            Error **errp);
};

struct MachineState {
    /* private: */
    Object parent_obj;

    /* public: */
    char *dtb;
    char *dumpdtb;
    char *kernel_filename;
    char *kernel_cmdline;
    char *initrd_filename;
    const char *cpu_type;

    /* machine's "memory-backend" property: id of the RAM backend */
    char *ram_memdev_id;
    /* The RAM backend (machine->ram is its region), or NULL. */
    HostMemoryBackend *memdev;
    /* The machine's RAM (the backend's region), or NULL without RAM. */
    MemoryRegion *ram;
    /* Device memory (NULL unless maxmem > size), see DeviceMemoryState. */
    DeviceMemoryState *device_memory;

    ram_addr_t ram_size;
    ram_addr_t maxram_size;
    uint64_t ram_slots;
};

/* The machine class called @name (type name or alias), or NULL. */
MachineClass *find_machine_class(const char *name);
/* The default machine class (is_default), or NULL. */
MachineClass *find_default_machine_class(void);
/* All non-abstract machine classes, sorted by name. */
GSList *machine_class_list(void);

/*
 * Create the machine's RAM backend if needed and run MachineClass.init;
 * errors (e.g. RAM allocation) are reported through @errp.
 */
void machine_run_board_init(MachineState *machine, const char *mem_path,
                            Error **errp);

#endif
