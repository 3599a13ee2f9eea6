/*
 * Memory devices: placement inside the machine's device memory, and the
 * query-memory-devices / "info memory-devices" reports.
 * See include/hw/mem/memory-device.h.
 */
#include "qemu/osdep.h"
#include "hw/mem/memory-device.h"
#include "hw/boards.h"
#include "hw/qdev-core.h"
#include "hw/virtio/vhost.h"
#include "exec/address-spaces.h"
#include "qapi/error.h"
#include "qapi/qmp/dispatch.h"
#include "qemu/error-report.h"
#include "sysemu/kvm.h"

/* The plugged memory devices, in ascending address order. */
static GList *plugged_devices;

static MemoryDeviceClass *md_class(const MemoryDeviceState *md)
{
    return MEMORY_DEVICE_GET_CLASS((Object *)md);
}

static const char *md_id(const MemoryDeviceState *md)
{
    const char *id = DEVICE(md)->id;

    return id ? id : "";
}

/* Is @section a RAM section inside device memory (one memslot)? */
static bool memory_devices_section_is_memslot(DeviceMemoryState *dms,
                                              MemoryRegionSection *section)
{
    uint64_t start = section->offset_within_address_space;
    uint64_t size = int128_get64(section->size);

    return memory_region_is_ram(section->mr) && start >= dms->base &&
           start - dms->base + size <= memory_region_size(&dms->mr);
}

/*
 * Each RAM section mapped inside device memory is one memslot for KVM
 * and for vhost backends: count them as they come and go.
 */
static void memory_devices_region_add(MemoryListener *listener,
                                      MemoryRegionSection *section)
{
    DeviceMemoryState *dms = container_of(listener, DeviceMemoryState,
                                          listener);

    if (!memory_devices_section_is_memslot(dms, section)) {
        return;
    }
    dms->used_memslots++;
    if (dms->used_memslots > dms->required_memslots) {
        warn_report("memory devices use more memory slots (%u) than they "
                    "reserved (%u)", dms->used_memslots,
                    dms->required_memslots);
    }
}

static void memory_devices_region_del(MemoryListener *listener,
                                      MemoryRegionSection *section)
{
    DeviceMemoryState *dms = container_of(listener, DeviceMemoryState,
                                          listener);

    if (memory_devices_section_is_memslot(dms, section)) {
        g_assert(dms->used_memslots);
        dms->used_memslots--;
    }
}

void machine_memory_devices_init(MachineState *ms, hwaddr base,
                                 uint64_t size)
{
    DeviceMemoryState *dms;

    g_assert(size);
    g_assert(!ms->device_memory);

    dms = ms->device_memory = g_new0(DeviceMemoryState, 1);
    dms->base = base;
    memory_region_init(&dms->mr, OBJECT(ms), "device-memory", size);
    memory_region_add_subregion(get_system_memory(), base, &dms->mr);
    dms->listener = (MemoryListener) {
        .name = "memory-devices",
        .region_add = memory_devices_region_add,
        .region_del = memory_devices_region_del,
    };
    memory_listener_register(&dms->listener, &address_space_memory);
}

void machine_memory_devices_finalize(MachineState *ms)
{
    if (!ms->device_memory) {
        return;
    }
    memory_listener_unregister(&ms->device_memory->listener);
    g_clear_pointer(&ms->device_memory, g_free);
}

/* Memslots reserved by plugged memory devices but not in use yet. */
static unsigned int memory_devices_reserved_memslots(DeviceMemoryState *dms)
{
    if (dms->used_memslots > dms->required_memslots) {
        return 0;   /* unexpected; the listener warned */
    }
    return dms->required_memslots - dms->used_memslots;
}

unsigned int memory_devices_get_reserved_memslots(void)
{
    if (!current_machine || !current_machine->device_memory) {
        return 0;
    }
    return memory_devices_reserved_memslots(current_machine->device_memory);
}

uint64_t memory_device_get_region_size(const MemoryDeviceState *md,
                                       Error **errp)
{
    MemoryRegion *mr;

    mr = md_class(md)->get_memory_region((MemoryDeviceState *)md, errp);
    return mr ? memory_region_size(mr) : 0;
}

static unsigned int memory_device_get_memslots(MemoryDeviceState *md)
{
    MemoryDeviceClass *mdc = md_class(md);

    return mdc->get_memslots ? mdc->get_memslots(md) : 1;
}

static uint64_t memory_device_used_region_size(void)
{
    uint64_t size = 0;

    for (GList *l = plugged_devices; l; l = l->next) {
        size += memory_device_get_region_size(l->data, &error_abort);
    }
    return size;
}

/* Room for @size more bytes within maxmem? */
static bool memory_device_check_addable(MachineState *ms, uint64_t size,
                                        Error **errp)
{
    uint64_t used = memory_device_used_region_size();
    uint64_t available = ms->maxram_size - ms->ram_size;

    if (used + size < used || used + size > available) {
        error_setg(errp, "not enough space, currently 0x%" PRIx64
                   " in use of total space for memory devices 0x%" PRIx64,
                   used, available);
        return false;
    }
    return true;
}

static bool ranges_overlap64(uint64_t a, uint64_t a_size, uint64_t b,
                             uint64_t b_size)
{
    return a < b + b_size && b < a + a_size;
}

/* [@a, @a + @a_size) within [@b, @b + @b_size)? (sizes non-zero) */
static bool range_inside(uint64_t a, uint64_t a_size, uint64_t b,
                         uint64_t b_size)
{
    return a >= b && a + a_size >= a && a + a_size <= b + b_size;
}

/*
 * How many memslots a device of @size that decides for itself may use:
 * what is left of the soft limit, bounded by the memslots KVM and every
 * vhost backend still have free once the reservations of other devices
 * are taken out, and shared in proportion to the space the device takes
 * of what is left of device memory.  At least 1.
 */
static unsigned int memory_device_memslot_decision_limit(MachineState *ms,
                                                         uint64_t size)
{
    DeviceMemoryState *dms = ms->device_memory;
    unsigned int reserved = memory_devices_reserved_memslots(dms);
    unsigned int max = MIN(kvm_get_max_memslots(), vhost_get_max_memslots());
    unsigned int free = MIN(kvm_get_free_memslots(),
                            vhost_get_free_memslots());
    uint64_t available = ms->maxram_size - ms->ram_size -
                         memory_device_used_region_size();
    unsigned int limit;

    /* Too few memslots overall to spend more than one on a device. */
    if (max < MEMORY_DEVICES_SAFE_MAX_MEMSLOTS) {
        return 1;
    }
    if (dms->required_memslots >= MEMORY_DEVICES_SOFT_MEMSLOT_LIMIT ||
        free <= reserved) {
        return 1;
    }
    limit = MEMORY_DEVICES_SOFT_MEMSLOT_LIMIT - dms->required_memslots;
    limit = MIN(limit, free - reserved);

    /* The device takes all the space left: it gets all the memslots. */
    if (size >= available) {
        return limit;
    }
    limit = (unsigned int)((double)limit * size / available);
    return MAX(limit, 1);
}

/*
 * Can @required more memslots be reserved?  The total over memory
 * devices is capped, and KVM and vhost backends must have them free
 * besides the ones other devices reserved but do not use yet (KVM and
 * vhost still count those as free).
 */
static bool memory_device_check_memslots(MachineState *ms,
                                         unsigned int required,
                                         Error **errp)
{
    DeviceMemoryState *dms = ms->device_memory;
    unsigned int reserved = memory_devices_reserved_memslots(dms);
    unsigned int kvm_free = kvm_get_free_memslots();
    unsigned int vhost_free = vhost_get_free_memslots();

    if (required > MEMORY_DEVICES_MAX_MEMSLOTS - dms->required_memslots) {
        error_setg(errp, "memory devices already use %u memory slots, %u "
                   "more would exceed the maximum of %u",
                   dms->required_memslots, required,
                   MEMORY_DEVICES_MAX_MEMSLOTS);
        return false;
    }
    kvm_free = kvm_free > reserved ? kvm_free - reserved : 0;
    if (kvm_enabled() && kvm_free < required) {
        error_setg(errp, "hypervisor has only %u free memory slots, but %u "
                   "are required", kvm_free, required);
        return false;
    }
    vhost_free = vhost_free > reserved ? vhost_free - reserved : 0;
    if (vhost_free < required) {
        error_setg(errp, "a used vhost backend has only %u free memory "
                   "slots, but %u are required", vhost_free, required);
        return false;
    }
    return true;
}

static bool memory_device_check_enabled(MachineState *ms, Error **errp)
{
    if (!ms->device_memory) {
        error_setg(errp, "memory devices (e.g. for memory hotplug) are not "
                   "enabled, please specify the maxmem option");
        return false;
    }
    return true;
}

/*
 * The address for a new device of @size: @hint if it is aligned, inside
 * device memory and free; else (no hint) the lowest aligned free range.
 */
static uint64_t memory_device_get_free_addr(MachineState *ms,
                                            const uint64_t *hint,
                                            uint64_t align, uint64_t size,
                                            Error **errp)
{
    uint64_t base = ms->device_memory->base;
    uint64_t dm_size = memory_region_size(&ms->device_memory->mr);
    uint64_t addr;

    if (!QEMU_IS_ALIGNED(base, align)) {
        warn_report("the alignment (0x%" PRIx64 ") exceeds the expected "
                    "maximum alignment, memory will get fragmented and not "
                    "all 'maxmem' might be usable for memory devices.",
                    align);
    }
    if (hint && !QEMU_IS_ALIGNED(*hint, align)) {
        error_setg(errp, "address must be aligned to 0x%" PRIx64 " bytes",
                   align);
        return 0;
    }
    if (hint && !range_inside(*hint, size, base, dm_size)) {
        error_setg(errp, "can't add memory device [0x%" PRIx64 ":0x%" PRIx64
                   "], usable range for memory devices [0x%" PRIx64
                   ":0x%" PRIx64 "]", *hint, size, base, dm_size);
        return 0;
    }

    addr = hint ? *hint : QEMU_ALIGN_UP(base, align);
    for (GList *l = plugged_devices; l; l = l->next) {
        MemoryDeviceState *other = l->data;
        uint64_t other_addr = md_class(other)->get_addr(other);
        uint64_t other_size = memory_device_get_region_size(other,
                                                            &error_abort);

        if (!ranges_overlap64(addr, size, other_addr, other_size)) {
            continue;
        }
        if (hint) {
            error_setg(errp, "address range conflicts with memory device"
                       " id='%s'", md_id(other));
            return 0;
        }
        /* devices are sorted: retry right after the one in the way */
        addr = QEMU_ALIGN_UP(other_addr + other_size, align);
        if (addr < other_addr) {
            break;
        }
    }
    if (!range_inside(addr, size, base, dm_size)) {
        error_setg(errp, "could not find position in guest address space for "
                   "memory device - memory fragmented or not enough space "
                   "left");
        return 0;
    }
    return addr;
}

static uint64_t memory_device_alignment(MemoryDeviceState *md,
                                        MemoryRegion *mr)
{
    MemoryDeviceClass *mdc = md_class(md);
    uint64_t align = mr->align ? mr->align : qemu_real_host_page_size();

    if (mdc->get_min_alignment) {
        align = MAX(align, mdc->get_min_alignment(md));
    }
    return align;
}

void memory_device_pre_plug(MemoryDeviceState *md, MachineState *ms,
                            Error **errp)
{
    MemoryDeviceClass *mdc = md_class(md);
    Error *local_err = NULL;
    uint64_t addr, align, size;
    MemoryRegion *mr;

    if (!memory_device_check_enabled(ms, errp)) {
        return;
    }
    mr = mdc->get_memory_region(md, errp);
    if (!mr) {
        return;
    }
    size = memory_region_size(mr);
    if (!memory_device_check_addable(ms, size, errp)) {
        return;
    }
    /* The device decides before anyone asks how many it needs. */
    if (mdc->decide_memslots) {
        mdc->decide_memslots(md,
                             memory_device_memslot_decision_limit(ms, size));
    }
    if (!memory_device_check_memslots(ms, memory_device_get_memslots(md),
                                      errp)) {
        return;
    }

    align = memory_device_alignment(md, mr);
    addr = mdc->get_addr(md);
    addr = memory_device_get_free_addr(ms, addr ? &addr : NULL, align, size,
                                       &local_err);
    if (local_err) {
        error_propagate(errp, local_err);
        return;
    }
    mdc->set_addr(md, addr, errp);
}

static gint memory_device_addr_cmp(gconstpointer a, gconstpointer b)
{
    uint64_t addr_a = md_class(a)->get_addr(a);
    uint64_t addr_b = md_class(b)->get_addr(b);

    return addr_a < addr_b ? -1 : addr_a > addr_b;
}

void memory_device_plug(MemoryDeviceState *md, MachineState *ms)
{
    MemoryDeviceClass *mdc = md_class(md);
    MemoryRegion *mr = mdc->get_memory_region(md, &error_abort);
    uint64_t addr = mdc->get_addr(md);

    g_assert(ms->device_memory);
    ms->device_memory->required_memslots += memory_device_get_memslots(md);
    plugged_devices = g_list_insert_sorted(plugged_devices, md,
                                           memory_device_addr_cmp);
    memory_region_add_subregion(&ms->device_memory->mr,
                                addr - ms->device_memory->base, mr);
}

void memory_device_unplug(MemoryDeviceState *md, MachineState *ms)
{
    MemoryDeviceClass *mdc = md_class(md);
    MemoryRegion *mr = mdc->get_memory_region(md, &error_abort);

    g_assert(ms->device_memory);
    g_assert(g_list_find(plugged_devices, md));
    memory_region_del_subregion(&ms->device_memory->mr, mr);
    plugged_devices = g_list_remove(plugged_devices, md);
    ms->device_memory->required_memslots -= memory_device_get_memslots(md);
}

uint64_t get_plugged_memory_size(void)
{
    uint64_t size = 0;

    for (GList *l = plugged_devices; l; l = l->next) {
        MemoryDeviceState *md = l->data;

        size += md_class(md)->get_plugged_size(md, &error_abort);
    }
    return size;
}

void memory_device_info_clear(MemoryDeviceInfo *info)
{
    g_free(info->type);
    if (info->data) {
        json_object_unref(info->data);
    }
    memset(info, 0, sizeof(*info));
}

JsonArray *qmp_memory_device_list(void)
{
    JsonArray *list = json_array_new();

    for (GList *l = plugged_devices; l; l = l->next) {
        MemoryDeviceState *md = l->data;
        MemoryDeviceInfo info = { 0 };
        JsonObject *entry = json_object_new();

        md_class(md)->fill_device_info(md, &info);
        json_object_set_string_member(entry, "type", info.type);
        json_object_set_object_member(entry, "data",
                                      json_object_ref(info.data));
        json_array_add_object_element(list, entry);
        memory_device_info_clear(&info);
    }
    return list;
}

/* ---- HMP ---- */

static void hmp_print_member(GString *out, JsonObject *data, const char *key)
{
    JsonNode *node = json_object_get_member(data, key);

    if (!node) {
        return;
    }
    g_string_append_printf(out, "  %s: ", key);
    if (json_node_get_value_type(node) == G_TYPE_STRING) {
        g_string_append(out, json_node_get_string(node));
    } else if (!strcmp(key, "memaddr") || !strcmp(key, "addr")) {
        g_string_append_printf(out, "0x%" PRIx64,
                               (uint64_t)json_node_get_int(node));
    } else {
        g_string_append_printf(out, "%" PRIu64,
                               (uint64_t)json_node_get_int(node));
    }
    g_string_append_c(out, '\n');
}

void hmp_info_memory_devices(GString *out, int argc, char **argv)
{
    /* QEMU's order for virtio-mem, which differs from the JSON order */
    static const char *const keys[] = {
        "memaddr", "node", "requested-size", "size", "max-size",
        "block-size", "memdev",
    };
    JsonArray *list = qmp_memory_device_list();

    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *entry = json_array_get_object_element(list, i);
        JsonObject *data = json_object_get_object_member(entry, "data");
        const char *id = json_object_has_member(data, "id") ?
            json_object_get_string_member(data, "id") : "";

        g_string_append_printf(out, "Memory device [%s]: \"%s\"\n",
                               json_object_get_string_member(entry, "type"),
                               id);
        for (size_t k = 0; k < G_N_ELEMENTS(keys); k++) {
            hmp_print_member(out, data, keys[k]);
        }
    }
    json_array_unref(list);
}

static void qmp_query_memory_devices(JsonObject *args, JsonNode **ret,
                                     Error **errp)
{
    JsonNode *node = json_node_new(JSON_NODE_ARRAY);

    json_node_take_array(node, qmp_memory_device_list());
    *ret = node;
}

static void qmp_query_memory_size_summary(JsonObject *args, JsonNode **ret,
                                          Error **errp)
{
    JsonObject *summary = json_object_new();
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);

    json_object_set_int_member(summary, "base-memory",
                               current_machine ? current_machine->ram_size : 0);
    json_object_set_int_member(summary, "plugged-memory",
                               get_plugged_memory_size());
    json_node_take_object(node, summary);
    *ret = node;
}

static const TypeInfo memory_device_info = {
    .name = TYPE_MEMORY_DEVICE,
    .parent = TYPE_INTERFACE,
    .class_size = sizeof(MemoryDeviceClass),
};

static void memory_device_register_types(void)
{
    type_register_static(&memory_device_info);
    qmp_register_command_args("query-memory-devices",
                              qmp_query_memory_devices, QCO_NO_OPTIONS, "");
    qmp_register_command_args("query-memory-size-summary",
                              qmp_query_memory_size_summary, QCO_NO_OPTIONS,
                              "");
}

type_init(memory_device_register_types)
