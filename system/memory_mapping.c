/*
 * The guest-physical memory blocks a dump writes (see
 * include/sysemu/memory_mapping.h).
 */
#include "qemu/osdep.h"
#include "sysemu/memory_mapping.h"

typedef struct GuestPhysCollector {
    MemoryListener listener;
    GuestPhysBlockList *list;
} GuestPhysCollector;

static void guest_phys_block_clear(gpointer data)
{
    GuestPhysBlock *block = data;

    if (block->rdm) {
        object_unref(OBJECT(block->rdm));
    }
    memory_region_unref(block->mr);
}

void guest_phys_blocks_init(GuestPhysBlockList *list)
{
    list->blocks = g_array_new(FALSE, TRUE, sizeof(GuestPhysBlock));
    g_array_set_clear_func(list->blocks, guest_phys_block_clear);
}

void guest_phys_blocks_free(GuestPhysBlockList *list)
{
    if (list->blocks) {
        g_array_unref(list->blocks);
        list->blocks = NULL;
    }
}

/* Add one populated piece of RAM, merging it with its predecessor. */
static void guest_phys_blocks_add_section(GuestPhysBlockList *list,
                                          const MemoryRegionSection *section)
{
    hwaddr start = section->offset_within_address_space;
    uint64_t size = int128_get64(section->size);
    uint8_t *host = (uint8_t *)memory_region_get_ram_ptr(section->mr) +
                    section->offset_within_region;
    GuestPhysBlock *last = NULL;
    GuestPhysBlock block;

    if (!size) {
        return;
    }
    if (list->blocks->len) {
        last = guest_phys_block(list, list->blocks->len - 1);
    }
    if (last && last->mr == section->mr && last->target_end == start &&
        last->host_addr + (last->target_end - last->target_start) == host) {
        last->target_end = start + size;
        return;
    }
    block = (GuestPhysBlock) {
        .target_start = start,
        .target_end = start + size,
        .host_addr = host,
        .mr = section->mr,
        .offset_in_region = section->offset_within_region,
        .rdm = memory_region_get_ram_discard_manager(section->mr),
    };
    memory_region_ref(block.mr);
    if (block.rdm) {
        object_ref(OBJECT(block.rdm));
    }
    g_array_append_val(list->blocks, block);
}

static int guest_phys_populated_cb(MemoryRegionSection *section, void *opaque)
{
    guest_phys_blocks_add_section(opaque, section);
    return 0;
}

static void guest_phys_region_add(MemoryListener *listener,
                                  MemoryRegionSection *section)
{
    GuestPhysCollector *c = container_of(listener, GuestPhysCollector,
                                         listener);
    RamDiscardManager *rdm;

    if (!memory_region_is_ram(section->mr) ||
        memory_region_is_ram_device(section->mr) ||
        memory_region_is_nonvolatile(section->mr)) {
        return;
    }
    rdm = memory_region_get_ram_discard_manager(section->mr);
    if (rdm) {
        /* Sparse RAM: only what is populated (seed 004). */
        ram_discard_manager_replay_populated(rdm, section,
                                             guest_phys_populated_cb,
                                             c->list);
        return;
    }
    guest_phys_blocks_add_section(c->list, section);
}

void guest_phys_blocks_append(GuestPhysBlockList *list, AddressSpace *as)
{
    GuestPhysCollector c = {
        .listener = {
            .region_add = guest_phys_region_add,
            .name = "guest-phys-blocks",
        },
        .list = list,
    };

    /* Registering replays the current view as region_add calls. */
    memory_listener_register(&c.listener, as);
    memory_listener_unregister(&c.listener);
}

void guest_phys_blocks_filter(GuestPhysBlockList *list, hwaddr begin,
                              uint64_t length)
{
    hwaddr end = length > UINT64_MAX - begin ? UINT64_MAX : begin + length;
    unsigned i = 0;

    while (i < list->blocks->len) {
        GuestPhysBlock *b = guest_phys_block(list, i);
        hwaddr start = MAX(b->target_start, begin);
        hwaddr stop = MIN(b->target_end, end);

        if (start >= stop) {
            g_array_remove_index(list->blocks, i);
            continue;
        }
        b->host_addr += start - b->target_start;
        b->offset_in_region += start - b->target_start;
        b->target_start = start;
        b->target_end = stop;
        i++;
    }
}

uint64_t guest_phys_blocks_total_size(const GuestPhysBlockList *list)
{
    uint64_t total = 0;

    for (unsigned i = 0; i < guest_phys_blocks_count(list); i++) {
        const GuestPhysBlock *b = guest_phys_block(list, i);

        total += b->target_end - b->target_start;
    }
    return total;
}

bool guest_phys_block_populated(const GuestPhysBlock *block, uint64_t offset,
                                uint64_t size)
{
    MemoryRegionSection section;

    if (!block->rdm) {
        return true;
    }
    if (memory_region_get_ram_discard_manager(block->mr) != block->rdm) {
        return false;
    }
    section = (MemoryRegionSection) {
        .mr = block->mr,
        .offset_within_region = block->offset_in_region + offset,
        .offset_within_address_space = block->target_start + offset,
        .size = int128_make64(size),
    };
    return ram_discard_manager_is_populated(block->rdm, &section);
}

uint64_t guest_phys_block_granularity(const GuestPhysBlock *block)
{
    if (!block->rdm) {
        return 0;
    }
    return ram_discard_manager_get_min_granularity(block->rdm, block->mr);
}
