/*
 * The sparsevm test guest: a freestanding x86-64 program booted with
 * -kernel.  Its CPL0 part only installs the IDT (CPL0 code is emulated on
 * the test host, slowly); everything else runs in ring 3 with IOPL 3:
 * PCI enumeration, a virtio-mem driver that follows requested_size and
 * checks every plugged page, and the -append commands.  It reports on
 * the debug console (port 0xe9) one line per event; see
 * docs/test-guest.md for the protocol.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_mem.h>

#define DEBUGCON_PORT   0xe9
#define DEBUG_EXIT_PORT 0xf4
#define PCI_CONF_ADDR   0xcf8
#define PCI_CONF_DATA   0xcfc
#define PCI_HOLE_END    0xfec00000ULL
#define IOAPIC_BASE     0xfec00000ULL
#define LAPIC_BASE      0xfee00000ULL
#define IRQ_VECTOR      0x30
#define SEL_CODE0       0x08
#define VIRTIO_ID_MEM_PCI 0x1058
#define QUEUE_MAX       256
#define PAGE_SIZE       4096ULL
#define MAX_BLOCKS_PER_REQ 512
#define SPIN_LIMIT      200000000ULL

/* Exit codes through isa-debug-exit (sparsevm exits with (V << 1) | 1). */
#define EXIT_OK         0
#define EXIT_EXCEPTION  0x10
#define EXIT_FATAL      0x11

uint64_t boot_cmdline, boot_low_ram;        /* set by entry.S */
extern const uint64_t exception_stubs[32];
extern char irq_stub[];

static uint8_t user_stack[64 * 1024] __attribute__((aligned(16)));
const uint8_t *const user_stack_top = user_stack + sizeof(user_stack);

/* --- port and MMIO helpers --------------------------------------------- */

/*
 * Port I/O.  Ring 3 runs with IOPL 3, but the test host (PVM) ignores
 * IOPL for guest user mode and raises #GP: the CPL0 #GP handler then
 * performs the access for it (emulate_io()), so ring 3 just uses the
 * instructions either way.
 */
static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;

    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void cpl0_outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static void cpl0_put_str(const char *s)
{
    while (*s) {
        cpl0_outb(DEBUGCON_PORT, *s++);
    }
}

static void cpl0_put_hex(uint64_t v)
{
    for (int shift = 60; shift >= 0; shift -= 4) {
        if ((v >> shift) || !shift) {
            cpl0_outb(DEBUGCON_PORT, "0123456789abcdef"[(v >> shift) & 0xf]);
        }
    }
}

static inline void barrier(void)
{
    __asm__ volatile("mfence" : : : "memory");
}

static inline void cpu_relax(void)
{
    __asm__ volatile("pause");
}

#define MMIO(type, addr) (*(volatile type *)(uintptr_t)(addr))

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static __attribute__((noreturn)) void guest_exit(uint32_t code)
{
    outl(DEBUG_EXIT_PORT, code);
    for (;;) {
        cpu_relax();
    }
}

/* --- debug console output ----------------------------------------------- */

static void put_str(const char *s)
{
    while (*s) {
        outb(DEBUGCON_PORT, *s++);
    }
}

static void put_num(uint64_t v, unsigned base)
{
    char buf[24];
    int i = 0;

    do {
        buf[i++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (i) {
        outb(DEBUGCON_PORT, buf[--i]);
    }
}

/* %s, %u/%d (64-bit unsigned/signed), %x (64-bit hex, no prefix), %c */
static void gprintf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            outb(DEBUGCON_PORT, *fmt);
            continue;
        }
        switch (*++fmt) {
        case 's':
            put_str(va_arg(ap, const char *));
            break;
        case 'u':
            put_num(va_arg(ap, uint64_t), 10);
            break;
        case 'd': {
            int64_t v = va_arg(ap, int64_t);

            if (v < 0) {
                outb(DEBUGCON_PORT, '-');
                v = -v;
            }
            put_num(v, 10);
            break;
        }
        case 'x':
            put_num(va_arg(ap, uint64_t), 16);
            break;
        case 'c':
            outb(DEBUGCON_PORT, va_arg(ap, int));
            break;
        case '%':
            outb(DEBUGCON_PORT, '%');
            break;
        default:
            return;
        }
    }
    va_end(ap);
}

/* --- CPL0: IDT, exception and interrupt handlers ------------------------ */

typedef struct IdtGate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
} __attribute__((packed)) IdtGate;

typedef struct TrapFrame {
    uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
} TrapFrame;

static IdtGate idt[256] __attribute__((aligned(16)));
static volatile uint64_t irq_count;
static volatile uint64_t isr_addr;          /* the virtio ISR register */

static void set_gate(int vec, uint64_t handler)
{
    idt[vec] = (IdtGate) {
        .offset_lo = handler & 0xffff,
        .selector = SEL_CODE0,
        .type_attr = 0x8e,                  /* present, DPL 0, interrupt */
        .offset_mid = (handler >> 16) & 0xffff,
        .offset_hi = handler >> 32,
    };
}

void cpl0_setup(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = { sizeof(idt) - 1, (uintptr_t)idt };

    for (int i = 0; i < 32; i++) {
        set_gate(i, exception_stubs[i]);
    }
    set_gate(IRQ_VECTOR, (uintptr_t)irq_stub);

    __asm__ volatile("lidt %0" : : "m"(idtr));
}

/*
 * Perform ring 3's in/out/sti that trapped with #GP; false if the
 * instruction is something else.  Runs at CPL0: keep it short.
 */
static bool emulate_io(TrapFrame *f)
{
    const uint8_t *ip = (const uint8_t *)(uintptr_t)f->rip;
    unsigned len = 1;
    bool word = false;
    uint16_t port = f->rdx;
    uint32_t v;

    if ((f->cs & 3) != 3) {
        return false;
    }
    if (ip[0] == 0x66) {
        word = true;
        ip++;
        len++;
    }
    if (ip[0] >= 0xe4 && ip[0] <= 0xe7) {       /* imm8 port forms */
        port = ip[1];
        len++;
    }
    switch (ip[0]) {
    case 0xe6:
    case 0xee:
        __asm__ volatile("outb %b0, %w1" : : "a"(f->rax), "Nd"(port));
        break;
    case 0xe7:
    case 0xef:
        if (word) {
            __asm__ volatile("outw %w0, %w1" : : "a"(f->rax), "Nd"(port));
        } else {
            __asm__ volatile("outl %k0, %w1" : : "a"(f->rax), "Nd"(port));
        }
        break;
    case 0xe4:
    case 0xec:
        __asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port));
        f->rax = (f->rax & ~0xffULL) | (v & 0xff);
        break;
    case 0xe5:
    case 0xed:
        if (word) {
            __asm__ volatile("inw %w1, %w0" : "=a"(v) : "Nd"(port));
            f->rax = (f->rax & ~0xffffULL) | (v & 0xffff);
        } else {
            __asm__ volatile("inl %w1, %k0" : "=a"(v) : "Nd"(port));
            f->rax = v;
        }
        break;
    case 0xfb:                                  /* sti */
        f->rflags |= 0x200;
        break;
    default:
        return false;
    }
    f->rip += len;
    return true;
}

void exception_handler(TrapFrame *f)
{
    uint64_t cr2;

    if (f->vector == 13 && emulate_io(f)) {
        return;
    }
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    /* Only shifts and port writes: this runs at CPL0 (emulated). */
    cpl0_put_str("ERROR exception vector 0x");
    cpl0_put_hex(f->vector);
    cpl0_put_str(" error 0x");
    cpl0_put_hex(f->error);
    cpl0_put_str(" rip 0x");
    cpl0_put_hex(f->rip);
    cpl0_put_str(" cr2 0x");
    cpl0_put_hex(cr2);
    cpl0_put_str(" cs 0x");
    cpl0_put_hex(f->cs);
    cpl0_put_str(" rsp 0x");
    cpl0_put_hex(f->rsp);
    cpl0_put_str("\n");
    __asm__ volatile("outl %0, %1" : : "a"(EXIT_EXCEPTION),
                     "Nd"(DEBUG_EXIT_PORT));
    for (;;) {
        __asm__ volatile("hlt");
    }
}

void irq_handler(TrapFrame *f)
{
    /* Reading the ISR acknowledges the interrupt (deasserts INTx). */
    if (isr_addr) {
        (void)MMIO(uint8_t, isr_addr);
    }
    irq_count++;
    MMIO(uint32_t, LAPIC_BASE + 0xb0) = 0;  /* EOI */
}

/* --- the command line ------------------------------------------------------ */

typedef struct GuestOptions {
    bool probe;
    uint64_t probe_addr;
    bool irq;
    uint64_t exit_after;                    /* 0: run forever */
} GuestOptions;

static GuestOptions opts;

static bool starts_with(const char *s, const char *prefix, const char **rest)
{
    while (*prefix) {
        if (*s++ != *prefix++) {
            return false;
        }
    }
    *rest = s;
    return true;
}

static bool parse_u64(const char *s, uint64_t *v)
{
    unsigned base = 10;

    *v = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s || *s == ' ') {
        return false;
    }
    for (; *s && *s != ' '; s++) {
        unsigned d;

        if (*s >= '0' && *s <= '9') {
            d = *s - '0';
        } else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f') {
            d = (*s | 0x20) - 'a' + 10;
        } else {
            return false;
        }
        *v = *v * base + d;
    }
    return true;
}

static void parse_cmdline(const char *s)
{
    while (*s) {
        const char *arg;

        if (*s == ' ') {
            s++;
            continue;
        }
        if (starts_with(s, "probe=", &arg)) {
            opts.probe = parse_u64(arg, &opts.probe_addr);
        } else if (starts_with(s, "irq=on", &arg)) {
            opts.irq = true;
        } else if (starts_with(s, "exit-after=", &arg)) {
            parse_u64(arg, &opts.exit_after);
        } else {
            arg = s;
            gprintf("ERROR unknown command line argument at \"%s\"\n", s);
        }
        s = arg;
        while (*s && *s != ' ') {
            s++;
        }
    }
}

/* --- PCI ------------------------------------------------------------------- */

static uint32_t pci_addr(int dev, int off)
{
    return 0x80000000u | (dev << 11) | (off & 0xfc);
}

static uint32_t pci_read32(int dev, int off)
{
    outl(PCI_CONF_ADDR, pci_addr(dev, off));
    return inl(PCI_CONF_DATA);
}

static void pci_write32(int dev, int off, uint32_t val)
{
    outl(PCI_CONF_ADDR, pci_addr(dev, off));
    outl(PCI_CONF_DATA, val);
}

static uint8_t pci_read8(int dev, int off)
{
    return pci_read32(dev, off) >> ((off & 3) * 8);
}

static uint16_t pci_read16(int dev, int off)
{
    return pci_read32(dev, off) >> ((off & 2) * 8);
}

static void pci_write16(int dev, int off, uint16_t val)
{
    uint32_t old = pci_read32(dev, off);
    int shift = (off & 2) * 8;

    old &= ~(0xffffu << shift);
    pci_write32(dev, off, old | ((uint32_t)val << shift));
}

static uint64_t bar_addr[6];
static uint64_t pci_next_mmio;

/* Size and place every memory BAR of @dev in the 32-bit PCI hole. */
static bool pci_assign_bars(int dev)
{
    pci_write16(dev, PCI_COMMAND, 0);
    for (int i = 0; i < 6; i++) {
        int off = PCI_BASE_ADDRESS_0 + 4 * i;
        uint32_t orig = pci_read32(dev, off);
        bool is64 = (orig & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
                    PCI_BASE_ADDRESS_MEM_TYPE_64;
        uint64_t mask, size;

        if (orig & PCI_BASE_ADDRESS_SPACE_IO) {
            continue;
        }
        pci_write32(dev, off, 0xffffffff);
        mask = pci_read32(dev, off) & PCI_BASE_ADDRESS_MEM_MASK;
        if (is64) {
            pci_write32(dev, off + 4, 0xffffffff);
            mask |= (uint64_t)pci_read32(dev, off + 4) << 32;
        } else if (mask) {
            mask |= 0xffffffff00000000ULL;
        }
        if (!mask) {
            if (is64) {
                i++;
            }
            continue;
        }
        size = ~mask + 1;
        pci_next_mmio = (pci_next_mmio + size - 1) & ~(size - 1);
        if (pci_next_mmio + size > PCI_HOLE_END) {
            gprintf("ERROR no room for BAR%u (0x%x bytes) in the PCI hole\n",
                    (uint64_t)i, size);
            return false;
        }
        bar_addr[i] = pci_next_mmio;
        pci_write32(dev, off, (uint32_t)pci_next_mmio);
        if (is64) {
            pci_write32(dev, off + 4, pci_next_mmio >> 32);
            i++;
        }
        pci_next_mmio += size;
    }
    pci_write16(dev, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    return true;
}

/* --- virtio-mem -------------------------------------------------------- */

typedef struct VirtioMem {
    int dev;
    volatile struct virtio_pci_common_cfg *common;
    volatile struct virtio_mem_config *cfg;
    volatile uint16_t *notify;
    uint64_t isr;
    uint64_t block_size, addr, region_size;
    uint64_t plugged_blocks;                /* [addr, + n * bs) is plugged */
    uint16_t qsize, avail_idx, used_idx;
    int gsi;
} VirtioMem;

static struct vring_desc vq_desc[QUEUE_MAX] __attribute__((aligned(16)));
static struct {
    struct vring_avail hdr;
    uint16_t ring[QUEUE_MAX + 1];
} vq_avail __attribute__((aligned(2)));
static struct {
    struct vring_used hdr;
    struct vring_used_elem ring[QUEUE_MAX];
    uint16_t avail_event;
} vq_used __attribute__((aligned(4)));
static struct virtio_mem_req vm_req;
static struct virtio_mem_resp vm_resp;
static VirtioMem vmem;
static uint64_t seed;

static int pci_find_virtio_mem(void)
{
    for (int dev = 0; dev < 32; dev++) {
        uint32_t id = pci_read32(dev, PCI_VENDOR_ID);

        if ((id & 0xffff) == 0x1af4 && (id >> 16) == VIRTIO_ID_MEM_PCI) {
            return dev;
        }
    }
    return -1;
}

/* Walk the vendor capabilities: common, notify, ISR and device config. */
static bool virtio_find_caps(VirtioMem *vm)
{
    uint32_t notify_mult = 0;
    uint64_t notify_base = 0;
    int pos;

    if (!(pci_read16(vm->dev, PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
        gprintf("ERROR virtio-mem has no capability list\n");
        return false;
    }
    for (pos = pci_read8(vm->dev, PCI_CAPABILITY_LIST) & ~3; pos;
         pos = pci_read8(vm->dev, pos + 1) & ~3) {
        uint8_t type, bar;
        uint64_t base;

        if (pci_read8(vm->dev, pos) != PCI_CAP_ID_VNDR) {
            continue;
        }
        type = pci_read8(vm->dev, pos + 3);
        bar = pci_read8(vm->dev, pos + 4);
        if (bar > 5) {
            continue;
        }
        base = bar_addr[bar] + pci_read32(vm->dev, pos + 8);
        switch (type) {
        case VIRTIO_PCI_CAP_COMMON_CFG:
            vm->common = (void *)(uintptr_t)base;
            break;
        case VIRTIO_PCI_CAP_NOTIFY_CFG:
            notify_base = base;
            notify_mult = pci_read32(vm->dev, pos + 16);
            break;
        case VIRTIO_PCI_CAP_ISR_CFG:
            vm->isr = base;
            break;
        case VIRTIO_PCI_CAP_DEVICE_CFG:
            vm->cfg = (void *)(uintptr_t)base;
            break;
        }
    }
    if (!vm->common || !notify_base || !vm->isr || !vm->cfg) {
        gprintf("ERROR virtio-mem lacks a virtio-pci capability\n");
        return false;
    }
    vm->common->queue_select = 0;
    vm->notify = (void *)(uintptr_t)(notify_base +
                                     vm->common->queue_notify_off *
                                     notify_mult);
    return true;
}

static uint64_t virtio_device_features(VirtioMem *vm)
{
    uint64_t f;

    vm->common->device_feature_select = 0;
    f = vm->common->device_feature;
    vm->common->device_feature_select = 1;
    return f | (uint64_t)vm->common->device_feature << 32;
}

static bool virtio_mem_init(VirtioMem *vm)
{
    uint64_t features, wanted = 1ULL << VIRTIO_F_VERSION_1;
    uint16_t qsize;

    vm->common->device_status = 0;
    while (vm->common->device_status) {
        cpu_relax();
    }
    vm->common->device_status = VIRTIO_CONFIG_S_ACKNOWLEDGE;
    vm->common->device_status |= VIRTIO_CONFIG_S_DRIVER;
    features = virtio_device_features(vm);
    if (!(features & wanted)) {
        gprintf("ERROR virtio-mem does not offer VIRTIO_F_VERSION_1\n");
        return false;
    }
    wanted |= features & (1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE);
    vm->common->guest_feature_select = 0;
    vm->common->guest_feature = (uint32_t)wanted;
    vm->common->guest_feature_select = 1;
    vm->common->guest_feature = wanted >> 32;
    vm->common->device_status |= VIRTIO_CONFIG_S_FEATURES_OK;
    if (!(vm->common->device_status & VIRTIO_CONFIG_S_FEATURES_OK)) {
        gprintf("ERROR virtio-mem refused features 0x%x\n", wanted);
        return false;
    }

    vm->common->queue_select = 0;
    qsize = vm->common->queue_size;
    if (!qsize) {
        gprintf("ERROR virtio-mem has no request queue\n");
        return false;
    }
    if (qsize > QUEUE_MAX) {
        qsize = QUEUE_MAX;
        vm->common->queue_size = qsize;
    }
    vm->qsize = qsize;
    vm->avail_idx = vm->used_idx = 0;
    vq_avail.hdr.idx = 0;
    vq_avail.hdr.flags = VRING_AVAIL_F_NO_INTERRUPT;
    vq_used.hdr.idx = 0;
    vm->common->queue_desc_lo = (uintptr_t)vq_desc;
    vm->common->queue_desc_hi = 0;
    vm->common->queue_avail_lo = (uintptr_t)&vq_avail;
    vm->common->queue_avail_hi = 0;
    vm->common->queue_used_lo = (uintptr_t)&vq_used;
    vm->common->queue_used_hi = 0;
    vm->common->queue_enable = 1;
    vm->common->device_status |= VIRTIO_CONFIG_S_DRIVER_OK;

    vm->block_size = vm->cfg->block_size;
    vm->addr = vm->cfg->addr;
    vm->region_size = vm->cfg->region_size;
    vm->plugged_blocks = 0;
    gprintf("virtio-mem: device 00:%u.0 features 0x%x addr 0x%x region 0x%x "
            "block 0x%x\n", (uint64_t)vm->dev, wanted, vm->addr,
            vm->region_size, vm->block_size);
    return true;
}

/* Send one request and wait for its response; returns the response type. */
static int virtio_mem_request(VirtioMem *vm, uint16_t type, uint64_t addr,
                              uint64_t nb_blocks)
{
    uint16_t slot = vm->avail_idx % vm->qsize;
    uint64_t spins = 0;

    vm_req = (struct virtio_mem_req) { .type = type };
    vm_req.u.plug.addr = addr;
    vm_req.u.plug.nb_blocks = nb_blocks;
    vm_resp.type = 0xffff;
    vq_desc[0] = (struct vring_desc) {
        .addr = (uintptr_t)&vm_req, .len = sizeof(vm_req),
        .flags = VRING_DESC_F_NEXT, .next = 1,
    };
    vq_desc[1] = (struct vring_desc) {
        .addr = (uintptr_t)&vm_resp, .len = sizeof(vm_resp),
        .flags = VRING_DESC_F_WRITE,
    };
    vq_avail.ring[slot] = 0;
    barrier();
    vq_avail.hdr.idx = ++vm->avail_idx;
    barrier();
    *vm->notify = 0;
    while (*(volatile uint16_t *)&vq_used.hdr.idx == vm->used_idx) {
        if (++spins > SPIN_LIMIT) {
            gprintf("ERROR virtio-mem request %u timed out (device status "
                    "0x%x)\n", (uint64_t)type,
                    (uint64_t)vm->common->device_status);
            return -1;
        }
        cpu_relax();
    }
    vm->used_idx++;
    barrier();
    return vm_resp.type;
}

static const char *resp_name(int type)
{
    switch (type) {
    case VIRTIO_MEM_RESP_ACK:
        return "ACK";
    case VIRTIO_MEM_RESP_NACK:
        return "NACK";
    case VIRTIO_MEM_RESP_BUSY:
        return "BUSY";
    case VIRTIO_MEM_RESP_ERROR:
        return "ERROR";
    default:
        return "no response";
    }
}

static uint64_t pattern(uint64_t page)
{
    return page ^ seed;
}

static void fill_blocks(VirtioMem *vm, uint64_t first, uint64_t n)
{
    uint64_t start = vm->addr + first * vm->block_size;
    uint64_t end = start + n * vm->block_size;

    for (uint64_t p = start; p < end; p += PAGE_SIZE) {
        MMIO(uint64_t, p) = pattern(p);
    }
}

/* Check every page of the plugged set; returns the number of mismatches. */
static uint64_t verify_plugged(VirtioMem *vm)
{
    uint64_t end = vm->addr + vm->plugged_blocks * vm->block_size;
    uint64_t bad = 0;

    for (uint64_t p = vm->addr; p < end; p += PAGE_SIZE) {
        uint64_t v = MMIO(uint64_t, p);

        if (v != pattern(p)) {
            if (!bad) {
                gprintf("ERROR verify mismatch at 0x%x: read 0x%x expected "
                        "0x%x\n", p, v, pattern(p));
            }
            bad++;
        }
    }
    return bad;
}

static bool plug_range(VirtioMem *vm, uint64_t first, uint64_t n, bool plug)
{
    uint64_t addr = vm->addr + first * vm->block_size;
    int resp;

    for (int tries = 0; tries < 100; tries++) {
        resp = virtio_mem_request(vm, plug ? VIRTIO_MEM_REQ_PLUG
                                           : VIRTIO_MEM_REQ_UNPLUG, addr, n);
        if (resp != VIRTIO_MEM_RESP_BUSY) {
            break;
        }
    }
    if (resp != VIRTIO_MEM_RESP_ACK) {
        gprintf("ERROR virtio-mem %s 0x%x blocks %u: %s\n",
                plug ? "plug" : "unplug", addr, n, resp_name(resp));
        return false;
    }
    return true;
}

/* Read requested_size and usable_region_size consistently. */
static void read_config(VirtioMem *vm, uint64_t *requested, uint64_t *usable,
                        uint8_t *generation)
{
    uint8_t gen;

    do {
        gen = vm->common->config_generation;
        *requested = vm->cfg->requested_size;
        *usable = vm->cfg->usable_region_size;
    } while (gen != vm->common->config_generation);
    *generation = gen;
}

/* Plug or unplug blocks until the plugged size is requested_size. */
static void follow_request(VirtioMem *vm, uint64_t requested, uint64_t usable)
{
    uint64_t target = requested / vm->block_size;
    uint64_t max = usable / vm->block_size;
    uint64_t bad, plugged;
    bool ok = true;

    if (target > max) {
        gprintf("ERROR requested 0x%x beyond usable region 0x%x\n",
                requested, usable);
        target = max;
    }
    if (target == 0 && vm->plugged_blocks) {
        ok = virtio_mem_request(vm, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0) ==
             VIRTIO_MEM_RESP_ACK;
        if (ok) {
            vm->plugged_blocks = 0;
        } else {
            gprintf("ERROR virtio-mem unplug all failed\n");
        }
    }
    while (ok && vm->plugged_blocks < target) {
        uint64_t n = target - vm->plugged_blocks;

        n = n > MAX_BLOCKS_PER_REQ ? MAX_BLOCKS_PER_REQ : n;
        ok = plug_range(vm, vm->plugged_blocks, n, true);
        if (ok) {
            fill_blocks(vm, vm->plugged_blocks, n);
            vm->plugged_blocks += n;
        }
    }
    while (ok && vm->plugged_blocks > target) {
        uint64_t n = vm->plugged_blocks - target;

        n = n > MAX_BLOCKS_PER_REQ ? MAX_BLOCKS_PER_REQ : n;
        ok = plug_range(vm, vm->plugged_blocks - n, n, false);
        if (ok) {
            vm->plugged_blocks -= n;
        }
    }
    bad = verify_plugged(vm);
    plugged = vm->cfg->plugged_size;
    if (plugged != vm->plugged_blocks * vm->block_size) {
        gprintf("ERROR device plugged_size 0x%x, driver plugged 0x%x\n",
                plugged, vm->plugged_blocks * vm->block_size);
    }
    if (bad) {
        gprintf("ERROR verify: %u pages wrong\n", bad);
    }
    gprintf("virtio-mem: requested 0x%x plugged 0x%x blocks %u verified %s\n",
            requested, vm->plugged_blocks * vm->block_size,
            vm->plugged_blocks, bad ? "FAILED" : "ok");
}

/* --- interrupts (irq=on) ------------------------------------------------- */

static void ioapic_write(uint32_t reg, uint32_t val)
{
    MMIO(uint32_t, IOAPIC_BASE) = reg;
    MMIO(uint32_t, IOAPIC_BASE + 0x10) = val;
}

/* Route the device's INTx (level, active high) to IRQ_VECTOR on CPU 0. */
static void irq_setup(VirtioMem *vm)
{
    int pin = pci_read8(vm->dev, PCI_INTERRUPT_PIN);
    int pirq, gsi;

    if (!pin) {
        gprintf("ERROR virtio-mem has no interrupt pin\n");
        return;
    }
    /* PIIX3 swizzle (INTA of slot 1 is PIRQA); routes in 00:01.0 0x60.. */
    pirq = (pin - 1 + vm->dev - 1) & 3;
    gsi = pci_read8(1, 0x60 + pirq);
    if (gsi & 0x80) {
        gprintf("ERROR PIRQ%c is not routed\n", 'A' + pirq);
        return;
    }
    isr_addr = vm->isr;
    /* Only the I/O APIC: mask the 8259s and the LAPIC's LINT0/LINT1. */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    MMIO(uint32_t, LAPIC_BASE + 0x350) = 1 << 16;
    MMIO(uint32_t, LAPIC_BASE + 0x360) = 1 << 16;
    MMIO(uint32_t, LAPIC_BASE + 0x80) = 0;          /* TPR */
    MMIO(uint32_t, LAPIC_BASE + 0xf0) = 0x1ff;      /* SVR: enabled */
    ioapic_write(0x11 + 2 * gsi, 0);                /* destination APIC 0 */
    ioapic_write(0x10 + 2 * gsi, IRQ_VECTOR | (1 << 15));
    vm->gsi = gsi;
    __asm__ volatile("sti");
    gprintf("irq: pin %u gsi %u vector 0x%x\n", (uint64_t)pin, (uint64_t)gsi,
            (uint64_t)IRQ_VECTOR);
}

/* --- ring 3 main ----------------------------------------------------------- */

static void do_probe(uint64_t addr)
{
    uint64_t v = MMIO(uint64_t, addr);

    gprintf("probe: read 0x%x at 0x%x\n", v, addr);
    MMIO(uint64_t, addr) = ~v;
    gprintf("probe: wrote 0x%x at 0x%x\n", ~v, addr);
}

static void settled(VirtioMem *vm, uint64_t requested, unsigned count)
{
    gprintf("virtio-mem: settled requested 0x%x plugged 0x%x irqs %u\n",
            requested, vm->plugged_blocks * vm->block_size, irq_count);
    if (count == 1 && opts.probe) {
        do_probe(opts.probe_addr);
    }
    if (opts.exit_after && count >= opts.exit_after) {
        gprintf("guest: exit\n");
        guest_exit(EXIT_OK);
    }
}

static void delay(void)
{
    for (int i = 0; i < 20000; i++) {
        cpu_relax();
    }
}

static __attribute__((noreturn)) void idle(void)
{
    for (;;) {
        cpu_relax();
    }
}

void __attribute__((noreturn)) user_main(void)
{
    const char *cmdline = (const char *)(uintptr_t)boot_cmdline;
    VirtioMem *vm = &vmem;
    unsigned settle_count = 0;
    int last_gen = -1;
    uint64_t reported_irqs = 0;

    seed = rdtsc() * 0x9e3779b97f4a7c15ULL;
    seed &= ~(PAGE_SIZE - 1) << 16;             /* keep low bits readable */
    gprintf("guest: boot low-ram 0x%x cmdline \"%s\"\n", boot_low_ram,
            cmdline);
    parse_cmdline(cmdline);
    pci_next_mmio = (boot_low_ram + 0xfffffff) & ~0xfffffffULL;

    vm->dev = pci_find_virtio_mem();
    if (vm->dev < 0) {
        gprintf("guest: ready seed 0x%x (no virtio-mem)\n", seed);
        gprintf("virtio-mem: settled requested 0x0 plugged 0x0 irqs 0\n");
        if (opts.probe) {
            do_probe(opts.probe_addr);
        }
        if (opts.exit_after) {
            guest_exit(EXIT_OK);
        }
        idle();
    }
    if (!pci_assign_bars(vm->dev) || !virtio_find_caps(vm) ||
        !virtio_mem_init(vm)) {
        guest_exit(EXIT_FATAL);
    }
    if (opts.irq) {
        irq_setup(vm);
    }
    /* A new boot knows nothing about plugged blocks: start from none. */
    if (vm->cfg->plugged_size &&
        virtio_mem_request(vm, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0) !=
        VIRTIO_MEM_RESP_ACK) {
        gprintf("ERROR virtio-mem unplug all at boot failed\n");
    }
    gprintf("guest: ready seed 0x%x\n", seed);

    for (;;) {
        uint64_t requested, usable, irqs = irq_count;
        uint8_t gen;

        if (irqs != reported_irqs) {
            reported_irqs = irqs;
            gprintf("irq: count %u\n", irqs);
        }
        read_config(vm, &requested, &usable, &gen);
        if (gen != last_gen) {
            last_gen = gen;
            if (requested != vm->plugged_blocks * vm->block_size ||
                !settle_count) {
                follow_request(vm, requested, usable);
                settled(vm, requested, ++settle_count);
            }
        }
        delay();
    }
}
