/*
 * The KVM accelerator: the VM, its in-kernel irqchip, and the memslot
 * listener that mirrors the RAM sections of address_space_memory into
 * KVM memslots.  The vCPU lives in kvm-cpus.c.  See docs/kvm.md.
 */
#include "qemu/osdep.h"
#include "accel/kvm/kvm-internal.h"
#include "sysemu/kvm.h"
#include "sysemu/accel.h"
#include "exec/memory.h"
#include "exec/address-spaces.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "qemu/cutils.h"
#include "qemu/bitops.h"
#include "qapi/qmp/dispatch.h"
#include <fcntl.h>
#include <sys/ioctl.h>

bool kvm_allowed;
KVMState *kvm_state;

/* One KVM memslot: a page-aligned piece of a RAM section. */
typedef struct KVMSlot {
    unsigned int id;
    hwaddr gpa;
    uint64_t size;
    void *hva;
    uint32_t flags;             /* KVM_MEM_READONLY */
} KVMSlot;

static MemoryListener kvm_memory_listener;
/* Slots in use, keyed by guest-physical start (uint64_t *). */
static GHashTable *kvm_slots;
/* Slot ids in use (bit per id, nr_memslots bits). */
static unsigned long *kvm_slot_ids;
/* KVM_SET_USER_MEMORY_REGION calls so far (shown by info kvm-memslots). */
static uint64_t kvm_slot_updates;

int kvm_vm_ioctl(int type, void *arg)
{
    int ret = ioctl(kvm_state->vmfd, type, arg);

    return ret < 0 ? -errno : ret;
}

static int kvm_check_extension(int extension)
{
    int ret = ioctl(kvm_state->fd, KVM_CHECK_EXTENSION, extension);

    return ret < 0 ? 0 : ret;
}

unsigned int kvm_get_max_memslots(void)
{
    return kvm_state ? kvm_state->nr_memslots : UINT_MAX;
}

unsigned int kvm_get_used_memslots(void)
{
    return kvm_slots ? g_hash_table_size(kvm_slots) : 0;
}

unsigned int kvm_get_free_memslots(void)
{
    if (!kvm_state) {
        return UINT_MAX;
    }
    return kvm_state->nr_memslots - kvm_get_used_memslots();
}

bool kvm_irqchip_in_kernel(void)
{
    return kvm_state && kvm_state->irqchip_in_kernel;
}

void kvm_set_irq(int gsi, int level)
{
    struct kvm_irq_level irq = { .irq = gsi, .level = level };
    int ret;

    if (!kvm_irqchip_in_kernel()) {
        return;
    }
    ret = kvm_vm_ioctl(KVM_IRQ_LINE_STATUS, &irq);
    if (ret < 0) {
        error_report("kvm: KVM_IRQ_LINE_STATUS(gsi %d, level %d) failed: %s",
                     gsi, level, strerror(-ret));
    }
}

/* --- Memslots ----------------------------------------------------------- */

/* The lowest free slot id (ids are recycled), or -1 when all are used. */
static int kvm_alloc_slot_id(void)
{
    unsigned int n = kvm_state->nr_memslots;

    for (unsigned int w = 0; w < BITS_TO_LONGS(n); w++) {
        if (kvm_slot_ids[w] != ~0UL) {
            unsigned int id = w * BITS_PER_LONG +
                              __builtin_ctzl(~kvm_slot_ids[w]);

            if (id >= n) {
                break;
            }
            set_bit(id, kvm_slot_ids);
            return id;
        }
    }
    return -1;
}

static int kvm_set_user_memory_region(unsigned int id, hwaddr gpa,
                                      uint64_t size, void *hva,
                                      uint32_t flags)
{
    struct kvm_userspace_memory_region mem = {
        .slot = id,
        .flags = flags,
        .guest_phys_addr = gpa,
        .memory_size = size,
        .userspace_addr = (uintptr_t)hva,
    };

    kvm_slot_updates++;
    return kvm_vm_ioctl(KVM_SET_USER_MEMORY_REGION, &mem);
}

/*
 * The page-aligned part of @section that becomes a memslot: KVM only maps
 * whole host pages, so an unaligned head and tail are left to MMIO exits,
 * as QEMU does.  Returns false if nothing remains.
 */
static bool kvm_section_to_slot(MemoryRegionSection *section, KVMSlot *slot)
{
    uint64_t page = qemu_real_host_page_size();
    hwaddr start = section->offset_within_address_space;
    uint64_t size = int128_get64(section->size);
    uint64_t delta = ROUND_UP(start, page) - start;
    uint8_t *ram;

    if (delta >= size) {
        return false;
    }
    size = ROUND_DOWN(size - delta, page);
    if (!size) {
        return false;
    }
    ram = memory_region_get_ram_ptr(section->mr);
    if (!ram) {
        return false;
    }
    slot->gpa = start + delta;
    slot->size = size;
    slot->hva = ram + section->offset_within_region + delta;
    slot->flags = (section->readonly || memory_region_is_rom(section->mr))
                  ? KVM_MEM_READONLY : 0;
    return true;
}

static void kvm_region_add(MemoryListener *listener,
                           MemoryRegionSection *section)
{
    KVMSlot new = { 0 };
    KVMSlot *slot;
    int id, ret;

    if (!memory_region_is_ram(section->mr) ||
        !kvm_section_to_slot(section, &new)) {
        return;
    }
    id = kvm_alloc_slot_id();
    if (id < 0) {
        error_report("kvm: cannot map RAM at 0x%" HWADDR_PRIx " (%s): all %u "
                     "KVM memslots (KVM_CAP_NR_MEMSLOTS) are in use",
                     new.gpa, memory_region_name(section->mr),
                     kvm_state->nr_memslots);
        exit(1);
    }
    ret = kvm_set_user_memory_region(id, new.gpa, new.size, new.hva,
                                     new.flags);
    if (ret < 0) {
        error_report("kvm: error registering slot %d at 0x%" HWADDR_PRIx
                     " size 0x%" PRIx64 " (%s): %s", id, new.gpa, new.size,
                     memory_region_name(section->mr), strerror(-ret));
        exit(1);
    }
    slot = g_new(KVMSlot, 1);
    *slot = new;
    slot->id = id;
    /* The memory core deletes a changed section before adding it again. */
    g_assert(!g_hash_table_contains(kvm_slots, &slot->gpa));
    g_hash_table_insert(kvm_slots, &slot->gpa, slot);
}

static void kvm_region_del(MemoryListener *listener,
                           MemoryRegionSection *section)
{
    KVMSlot old = { 0 };
    KVMSlot *slot;
    int ret;

    if (!memory_region_is_ram(section->mr) ||
        !kvm_section_to_slot(section, &old)) {
        return;
    }
    slot = g_hash_table_lookup(kvm_slots, &old.gpa);
    if (!slot) {
        error_report("kvm: no memslot at 0x%" HWADDR_PRIx " to remove",
                     old.gpa);
        return;
    }
    g_assert(slot->size == old.size);
    ret = kvm_set_user_memory_region(slot->id, slot->gpa, 0, slot->hva, 0);
    if (ret < 0) {
        /* The slot keeps mapping memory that may be freed: fatal. */
        error_report("kvm: error unregistering slot %u: %s", slot->id,
                     strerror(-ret));
        abort();
    }
    clear_bit(slot->id, kvm_slot_ids);
    g_hash_table_remove(kvm_slots, &old.gpa);
}

static void kvm_memory_listener_init(void)
{
    kvm_slots = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
                                      g_free);
    kvm_slot_ids = g_new0(unsigned long,
                          BITS_TO_LONGS(kvm_state->nr_memslots));
    kvm_memory_listener = (MemoryListener) {
        .name = "kvm-memory",
        .priority = 10,
        .region_add = kvm_region_add,
        .region_del = kvm_region_del,
    };
    memory_listener_register(&kvm_memory_listener, &address_space_memory);
}

static gint kvm_slot_cmp(gconstpointer a, gconstpointer b)
{
    const KVMSlot *sa = *(KVMSlot *const *)a;
    const KVMSlot *sb = *(KVMSlot *const *)b;

    return sa->gpa < sb->gpa ? -1 : sa->gpa > sb->gpa;
}

/* The slots in use sorted by guest-physical address (free the array). */
static GPtrArray *kvm_sorted_slots(void)
{
    GPtrArray *list = g_ptr_array_new();
    GHashTableIter iter;
    gpointer value;

    if (kvm_slots) {
        g_hash_table_iter_init(&iter, kvm_slots);
        while (g_hash_table_iter_next(&iter, NULL, &value)) {
            g_ptr_array_add(list, value);
        }
    }
    g_ptr_array_sort(list, kvm_slot_cmp);
    return list;
}

static void qmp_x_query_kvm_memslots(JsonObject *args, JsonNode **ret,
                                     Error **errp)
{
    g_autoptr(GPtrArray) slots = NULL;
    JsonArray *array;

    if (!kvm_enabled()) {
        error_setg(errp, "KVM is not enabled");
        return;
    }
    slots = kvm_sorted_slots();
    array = json_array_new();
    for (guint i = 0; i < slots->len; i++) {
        KVMSlot *slot = g_ptr_array_index(slots, i);
        JsonObject *info = json_object_new();

        json_object_set_int_member(info, "slot", slot->id);
        json_object_set_int_member(info, "guest-phys-addr", slot->gpa);
        json_object_set_int_member(info, "size", slot->size);
        json_object_set_int_member(info, "userspace-addr",
                                   (uintptr_t)slot->hva);
        json_object_set_boolean_member(info, "readonly",
                                       slot->flags & KVM_MEM_READONLY);
        json_array_add_object_element(array, info);
    }
    *ret = json_node_init_array(json_node_alloc(), array);
    json_array_unref(array);
}

void hmp_info_kvm(GString *out, int argc, char **argv)
{
    g_string_append_printf(out, "kvm support: %s\n",
                           kvm_enabled() ? "enabled" : "disabled");
}

void hmp_info_kvm_memslots(GString *out, int argc, char **argv)
{
    g_autoptr(GPtrArray) slots = NULL;

    if (!kvm_enabled()) {
        g_string_append(out, "KVM is not enabled\n");
        return;
    }
    slots = kvm_sorted_slots();
    for (guint i = 0; i < slots->len; i++) {
        KVMSlot *slot = g_ptr_array_index(slots, i);
        g_autofree char *size = size_to_str(slot->size);

        g_string_append_printf(out, "slot %u: 0x%016" PRIx64 "-0x%016" PRIx64
                               " (%s) hva %p%s\n", slot->id, slot->gpa,
                               slot->gpa + slot->size - 1, size, slot->hva,
                               slot->flags & KVM_MEM_READONLY ? " readonly"
                                                              : "");
    }
    g_string_append_printf(out, "%u of %u memslots in use, %" PRIu64
                           " KVM_SET_USER_MEMORY_REGION calls\n",
                           kvm_get_used_memslots(), kvm_get_max_memslots(),
                           kvm_slot_updates);
}

/* --- Accelerator init --------------------------------------------------- */

static bool kvm_init_irqchip(Error **errp)
{
    struct kvm_pit_config pit = { .flags = 0 };
    int ret;

    ret = kvm_vm_ioctl(KVM_CREATE_IRQCHIP, NULL);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not create the in-kernel irqchip");
        return false;
    }
    kvm_state->irqchip_in_kernel = true;
    ret = kvm_vm_ioctl(KVM_CREATE_PIT2, &pit);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Create kernel PIT failed");
        return false;
    }
    return true;
}

/* Real-mode helpers KVM needs on Intel (harmless elsewhere), as QEMU sets. */
static bool kvm_init_x86_vm_areas(Error **errp)
{
    uint64_t identity = KVM_IDENTITY_MAP_ADDR;
    int ret;

    if (kvm_check_extension(KVM_CAP_SET_IDENTITY_MAP_ADDR)) {
        ret = kvm_vm_ioctl(KVM_SET_IDENTITY_MAP_ADDR, &identity);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to set identity map address");
            return false;
        }
    }
    ret = kvm_vm_ioctl(KVM_SET_TSS_ADDR, (void *)(uintptr_t)KVM_TSS_ADDR);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to set TSS address");
        return false;
    }
    return true;
}

static void kvm_close_fds(void)
{
    if (kvm_state->vmfd >= 0) {
        close(kvm_state->vmfd);
    }
    if (kvm_state->fd >= 0) {
        close(kvm_state->fd);
    }
    g_clear_pointer(&kvm_state, g_free);
}

static int kvm_open_vm(void)
{
    int ret;

    kvm_state->fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm_state->fd < 0) {
        ret = -errno;
        error_report("Could not access KVM kernel module: %s", strerror(-ret));
        return ret;
    }
    ret = ioctl(kvm_state->fd, KVM_GET_API_VERSION, 0);
    if (ret != KVM_API_VERSION) {
        error_report("kvm version not supported (got %d, want %d)", ret,
                     KVM_API_VERSION);
        return -EINVAL;
    }
    do {
        kvm_state->vmfd = ioctl(kvm_state->fd, KVM_CREATE_VM, 0);
    } while (kvm_state->vmfd < 0 && errno == EINTR);
    if (kvm_state->vmfd < 0) {
        ret = -errno;
        error_report("ioctl(KVM_CREATE_VM) failed: %s", strerror(-ret));
        return ret;
    }
    kvm_state->vcpu_mmap_size = ioctl(kvm_state->fd, KVM_GET_VCPU_MMAP_SIZE,
                                      0);
    if (kvm_state->vcpu_mmap_size < (int)sizeof(struct kvm_run)) {
        error_report("KVM_GET_VCPU_MMAP_SIZE failed");
        return -EINVAL;
    }
    kvm_state->nr_memslots = kvm_check_extension(KVM_CAP_NR_MEMSLOTS);
    if (!kvm_state->nr_memslots) {
        /* Kernels that do not say support at least 32 (QEMU's fallback). */
        kvm_state->nr_memslots = 32;
    }
    return 0;
}

static int kvm_init(MachineState *ms)
{
    Error *err = NULL;
    int ret;

    kvm_state = g_new0(KVMState, 1);
    kvm_state->fd = -1;
    kvm_state->vmfd = -1;
    ret = kvm_open_vm();
    if (ret < 0) {
        kvm_close_fds();
        return ret;
    }
    if (!kvm_init_x86_vm_areas(&err) || !kvm_init_irqchip(&err) ||
        !kvm_init_vcpu(&err)) {
        error_report_err(err);
        kvm_close_fds();
        return -EINVAL;
    }
    kvm_memory_listener_init();
    return 0;
}

void kvm_cleanup(void)
{
    if (!kvm_state) {
        return;
    }
    kvm_destroy_vcpu();
    memory_listener_unregister(&kvm_memory_listener);
    g_clear_pointer(&kvm_slots, g_hash_table_destroy);
    g_clear_pointer(&kvm_slot_ids, g_free);
    kvm_close_fds();
    kvm_allowed = false;
}

static void kvm_accel_class_init(ObjectClass *oc, void *data)
{
    AccelClass *ac = ACCEL_CLASS(oc);

    ac->name = "kvm";
    ac->init_machine = kvm_init;
    ac->allowed = &kvm_allowed;
}

static const TypeInfo kvm_accel_type = {
    .name = TYPE_KVM_ACCEL,
    .parent = TYPE_ACCEL,
    .class_init = kvm_accel_class_init,
};

static void kvm_type_init(void)
{
    type_register_static(&kvm_accel_type);
    qmp_register_command_args("x-query-kvm-memslots",
                              qmp_x_query_kvm_memslots, QCO_NO_OPTIONS, "");
}

type_init(kvm_type_init)
