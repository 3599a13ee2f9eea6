/*
 * RAMBlocks: allocation of the host memory behind guest RAM, the global
 * ram_addr_t space, discarding/populating ranges, and discard coordination.
 */
#include "qemu/osdep.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/falloc.h>
#include <linux/magic.h>

#include "exec/ramblock.h"
#include "exec/ram_addr.h"
#include "exec/memory.h"
#include "qapi/error.h"
#include "qemu/error-report.h"

/*
 * Anonymous memory and ram_addr_t offsets are aligned to this, so that the
 * host can back the guest with transparent huge pages.
 */
#define RAM_BLOCK_MIN_ALIGN (2 * MiB)

/* All RAMBlocks, sorted by offset; protected by ram_list_lock. */
static GPtrArray *ram_list;
static GRecMutex ram_list_lock;

static void ram_list_lock_acquire(void)
{
    g_rec_mutex_lock(&ram_list_lock);
    if (!ram_list) {
        ram_list = g_ptr_array_new();
    }
}

static void ram_list_lock_release(void)
{
    g_rec_mutex_unlock(&ram_list_lock);
}

static const char *ram_block_name(RAMBlock *rb)
{
    return rb->idstr[0] ? rb->idstr : "(unnamed)";
}

/* Page size of the memory behind @fd: the huge page size on hugetlbfs. */
static size_t fd_page_size(int fd)
{
    struct statfs fs;
    int ret;

    if (fd < 0) {
        return qemu_real_host_page_size();
    }
    do {
        ret = fstatfs(fd, &fs);
    } while (ret != 0 && errno == EINTR);

    if (ret == 0 && fs.f_type == HUGETLBFS_MAGIC) {
        return fs.f_bsize;
    }
    return qemu_real_host_page_size();
}

/*
 * Map @size bytes at an address aligned to @align (a power of two): reserve
 * @size + @align bytes of inaccessible address space, map the memory over
 * its aligned part and give the slack back.
 */
static void *ram_mmap(int fd, size_t size, size_t align, uint32_t ram_flags,
                      uint64_t fd_offset, Error **errp)
{
    const size_t total = size + align;
    int prot = PROT_READ | ((ram_flags & RAM_READONLY) ? 0 : PROT_WRITE);
    int flags = MAP_FIXED;
    uint8_t *guard, *aligned, *ptr;
    size_t head, tail;

    flags |= (ram_flags & RAM_SHARED) ? MAP_SHARED : MAP_PRIVATE;
    flags |= fd < 0 ? MAP_ANONYMOUS : 0;
    flags |= (ram_flags & RAM_NORESERVE) ? MAP_NORESERVE : 0;

    guard = mmap(NULL, total, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (guard == MAP_FAILED) {
        error_setg_errno(errp, errno,
                         "cannot reserve 0x%zx bytes of address space", total);
        return NULL;
    }

    aligned = (uint8_t *)ROUND_UP((uintptr_t)guard, (uintptr_t)align);
    ptr = mmap(aligned, size, prot, flags, fd, (off_t)fd_offset);
    if (ptr == MAP_FAILED) {
        int err = errno;

        munmap(guard, total);
        error_setg_errno(errp, err, "cannot map 0x%zx bytes of guest RAM",
                         size);
        return NULL;
    }

    head = aligned - guard;
    tail = total - head - size;
    if (head) {
        munmap(guard, head);
    }
    if (tail) {
        munmap(aligned + size, tail);
    }
    return ptr;
}

static RAMBlock *ram_block_new(MemoryRegion *mr, ram_addr_t used_length,
                               ram_addr_t max_length, uint32_t flags,
                               size_t page_size)
{
    RAMBlock *block = g_new0(RAMBlock, 1);

    block->mr = mr;
    block->used_length = used_length;
    block->max_length = max_length;
    block->flags = flags;
    block->page_size = page_size;
    block->fd = -1;
    return block;
}

/*
 * Find the lowest free, aligned range of @size bytes in the ram_addr_t
 * space.  Returns false if the space is exhausted; *@index receives the
 * position at which a block at *@offset keeps ram_list sorted.
 */
static bool find_ram_offset(ram_addr_t size, ram_addr_t align,
                            ram_addr_t *offset, guint *index)
{
    ram_addr_t candidate = 0;
    guint i;

    for (i = 0; i < ram_list->len; i++) {
        RAMBlock *b = g_ptr_array_index(ram_list, i);

        if (candidate <= b->offset && b->offset - candidate >= size) {
            break;
        }
        if (b->offset + b->max_length > RAM_ADDR_MAX - align) {
            return false;
        }
        candidate = ROUND_UP(b->offset + b->max_length, align);
    }
    if (candidate > RAM_ADDR_MAX - size) {
        return false;
    }
    *offset = candidate;
    *index = i;
    return true;
}

/* Give @block its ram_addr_t range and publish it in the RAM list. */
static bool ram_block_add(RAMBlock *block, Error **errp)
{
    ram_addr_t align = MAX(block->page_size, RAM_BLOCK_MIN_ALIGN);
    guint index;
    bool ok;

    ram_list_lock_acquire();
    ok = find_ram_offset(block->max_length, align, &block->offset, &index);
    if (ok) {
        g_ptr_array_insert(ram_list, index, block);
    }
    ram_list_lock_release();

    if (!ok) {
        error_setg(errp, "no free range of 0x" RAM_ADDR_FMT
                   " bytes left in the RAM address space", block->max_length);
    }
    return ok;
}

static void ram_block_release_memory(RAMBlock *block)
{
    if (block->host && !(block->flags & RAM_PREALLOC)) {
        munmap(block->host, block->max_length);
    }
    if (block->fd >= 0) {
        close(block->fd);
    }
}

static int ram_memfd_create(size_t size, Error **errp)
{
    int fd = memfd_create("sparsevm-ram", MFD_CLOEXEC);

    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot create memfd for guest RAM");
        return -1;
    }
    if (ftruncate(fd, size) < 0) {
        error_setg_errno(errp, errno, "cannot resize memfd to 0x%zx bytes",
                         size);
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * Round *@size up to @page_size.  Fails for 0, and for sizes that no host
 * mapping (and no ram_addr_t range) can have.
 */
static bool ram_size_round_up(ram_addr_t *size, size_t page_size,
                              Error **errp)
{
    if (!*size) {
        error_setg(errp, "cannot allocate a RAM block of size 0");
        return false;
    }
    if (*size > RAM_ADDR_MAX / 2) {
        error_setg(errp, "RAM block size 0x" RAM_ADDR_FMT " is too large",
                   *size);
        return false;
    }
    *size = ROUND_UP(*size, (ram_addr_t)page_size);
    return true;
}

static RAMBlock *ram_alloc_anon(ram_addr_t size, ram_addr_t max_size,
                                RAMBlockResizedFunc resized,
                                uint32_t ram_flags, MemoryRegion *mr,
                                Error **errp)
{
    const size_t page_size = qemu_real_host_page_size();
    RAMBlock *block;
    int fd = -1;

    if (!ram_size_round_up(&size, page_size, errp) ||
        !ram_size_round_up(&max_size, page_size, errp)) {
        return NULL;
    }
    g_assert(max_size >= size);

    if (ram_flags & RAM_SHARED) {
        fd = ram_memfd_create(max_size, errp);
        if (fd < 0) {
            return NULL;
        }
    }

    block = ram_block_new(mr, size, max_size, ram_flags, page_size);
    block->fd = fd;
    block->resized = resized;
    block->host = ram_mmap(fd, max_size, RAM_BLOCK_MIN_ALIGN, ram_flags, 0,
                           errp);
    if (!block->host || !ram_block_add(block, errp)) {
        ram_block_release_memory(block);
        g_free(block);
        return NULL;
    }
    return block;
}

RAMBlock *qemu_ram_alloc(ram_addr_t size, uint32_t ram_flags,
                         MemoryRegion *mr, Error **errp)
{
    g_assert(!(ram_flags & ~(RAM_SHARED | RAM_NORESERVE)));
    return ram_alloc_anon(size, size, NULL, ram_flags, mr, errp);
}

RAMBlock *qemu_ram_alloc_resizeable(ram_addr_t size, ram_addr_t max_size,
                                    RAMBlockResizedFunc resized,
                                    MemoryRegion *mr, Error **errp)
{
    if (max_size < size) {
        error_setg(errp, "maximum size 0x" RAM_ADDR_FMT " of resizeable RAM"
                   " is smaller than its size 0x" RAM_ADDR_FMT,
                   max_size, size);
        return NULL;
    }
    return ram_alloc_anon(size, max_size, resized, RAM_RESIZEABLE, mr, errp);
}

/* Make sure @fd holds @offset + @size bytes; only empty files are grown. */
static bool ram_fd_check_size(int fd, uint64_t offset, uint64_t size,
                              bool readonly, Error **errp)
{
    struct stat st;

    if (fstat(fd, &st) < 0) {
        error_setg_errno(errp, errno, "cannot stat the backing store");
        return false;
    }
    if ((uint64_t)st.st_size >= offset + size) {
        return true;
    }
    if (st.st_size > 0 || readonly) {
        error_setg(errp, "backing store size 0x%" PRIx64
                   " does not match 'size' option 0x%" PRIx64
                   " (at offset 0x%" PRIx64 ")",
                   (uint64_t)st.st_size, size, offset);
        return false;
    }
    if (ftruncate(fd, offset + size) < 0) {
        error_setg_errno(errp, errno,
                         "cannot grow the backing store to 0x%" PRIx64
                         " bytes", offset + size);
        return false;
    }
    return true;
}

RAMBlock *qemu_ram_alloc_from_fd(ram_addr_t size, MemoryRegion *mr,
                                 uint32_t ram_flags, int fd, off_t offset,
                                 Error **errp)
{
    const size_t page_size = fd_page_size(fd);
    /* A memory-backend-file's "align" reaches us through the region. */
    const uint64_t align = mr ? mr->align : 0;
    RAMBlock *block;

    g_assert(!(ram_flags & ~(RAM_SHARED | RAM_NORESERVE | RAM_READONLY)));
    g_assert(fd >= 0);

    if (!ram_size_round_up(&size, page_size, errp)) {
        return NULL;
    }
    if (align % page_size) {
        error_setg(errp, "alignment 0x%" PRIx64 " must be a multiple of the"
                   " page size 0x%zx", align, page_size);
        return NULL;
    }
    if (align & (align - 1)) {
        error_setg(errp, "alignment 0x%" PRIx64 " must be a power of two",
                   align);
        return NULL;
    }
    if (offset < 0 || !QEMU_IS_ALIGNED((uint64_t)offset, page_size)) {
        error_setg(errp, "offset 0x%" PRIx64 " is not aligned to the page"
                   " size 0x%zx of the backing store", (uint64_t)offset,
                   page_size);
        return NULL;
    }
    if (!ram_fd_check_size(fd, offset, size, ram_flags & RAM_READONLY,
                           errp)) {
        return NULL;
    }

    block = ram_block_new(mr, size, size, ram_flags, page_size);
    block->fd_offset = offset;
    block->host = ram_mmap(fd, size,
                           MAX(align, MAX(page_size, RAM_BLOCK_MIN_ALIGN)),
                           ram_flags, offset, errp);
    if (!block->host || !ram_block_add(block, errp)) {
        /* The caller still owns @fd on failure. */
        ram_block_release_memory(block);
        g_free(block);
        return NULL;
    }
    block->fd = fd;
    return block;
}

/* Open an unlinked temporary file inside directory @dir. */
static int ram_open_tmpfile(const char *dir, Error **errp)
{
    g_autofree char *template =
        g_strdup_printf("%s/sparsevm_back_mem.XXXXXX", dir);
    int fd = mkostemp(template, O_CLOEXEC);

    if (fd < 0) {
        error_setg_errno(errp, errno,
                         "unable to create backing store for guest RAM in %s",
                         dir);
        return -1;
    }
    unlink(template);
    return fd;
}

/*
 * Open (or create) the backing store @path; *@created tells whether we
 * created @path ourselves.
 */
static int ram_open_backing_store(const char *path, bool readonly,
                                  bool *created, Error **errp)
{
    int fd;

    *created = false;
    for (;;) {
        fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
        if (fd >= 0) {
            return fd;
        }
        if (errno == EISDIR) {
            if (readonly) {
                error_setg(errp, "cannot create a backing store in directory"
                           " %s in read-only mode", path);
                return -1;
            }
            return ram_open_tmpfile(path, errp);
        }
        if (errno != ENOENT || readonly) {
            break;
        }
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
            *created = true;
            return fd;
        }
        if (errno != EEXIST) {
            break;
        }
        /* Someone created it between our two open() calls: try again. */
    }
    error_setg_errno(errp, errno, "can't open backing store %s for guest RAM",
                     path);
    return -1;
}

RAMBlock *qemu_ram_alloc_from_file(ram_addr_t size, MemoryRegion *mr,
                                   uint32_t ram_flags, const char *mem_path,
                                   off_t offset, Error **errp)
{
    RAMBlock *block;
    bool created;
    int fd;

    fd = ram_open_backing_store(mem_path, ram_flags & RAM_READONLY, &created,
                                errp);
    if (fd < 0) {
        return NULL;
    }
    block = qemu_ram_alloc_from_fd(size, mr, ram_flags, fd, offset, errp);
    if (!block) {
        if (created) {
            unlink(mem_path);
        }
        close(fd);
    }
    return block;
}

RAMBlock *qemu_ram_alloc_from_ptr(ram_addr_t size, void *host,
                                  MemoryRegion *mr, Error **errp)
{
    const size_t page_size = qemu_real_host_page_size();
    RAMBlock *block;

    g_assert(host);
    if (!ram_size_round_up(&size, page_size, errp)) {
        return NULL;
    }
    if (!QEMU_IS_ALIGNED((uintptr_t)host, page_size)) {
        error_setg(errp, "host memory %p is not aligned to the page size"
                   " 0x%zx", host, page_size);
        return NULL;
    }
    block = ram_block_new(mr, size, size, RAM_PREALLOC, page_size);
    block->host = host;
    if (!ram_block_add(block, errp)) {
        g_free(block);
        return NULL;
    }
    return block;
}

void qemu_ram_free(RAMBlock *block)
{
    bool found;

    if (!block) {
        return;
    }

    ram_list_lock_acquire();
    found = g_ptr_array_remove(ram_list, block);
    ram_list_lock_release();
    g_assert(found);

    ram_block_release_memory(block);
    g_free(block);
}

int qemu_ram_resize(RAMBlock *block, ram_addr_t newsize, Error **errp)
{
    newsize = ROUND_UP(newsize, block->page_size);
    if (newsize == block->used_length) {
        return 0;
    }
    if (!(block->flags & RAM_RESIZEABLE)) {
        error_setg_errno(errp, EINVAL, "Size mismatch: %s: 0x" RAM_ADDR_FMT
                         " != 0x" RAM_ADDR_FMT, ram_block_name(block),
                         newsize, block->used_length);
        return -EINVAL;
    }
    if (!newsize || newsize > block->max_length) {
        error_setg_errno(errp, EINVAL, "Size too large: %s: 0x" RAM_ADDR_FMT
                         " > 0x" RAM_ADDR_FMT, ram_block_name(block),
                         newsize, block->max_length);
        return -EINVAL;
    }
    block->used_length = newsize;
    if (block->resized) {
        block->resized(block->idstr, newsize, block->host);
    }
    return 0;
}

/* Accessors */

void *qemu_ram_get_host_addr(RAMBlock *rb)
{
    return rb->host;
}

ram_addr_t qemu_ram_get_offset(RAMBlock *rb)
{
    return rb->offset;
}

ram_addr_t qemu_ram_get_used_length(RAMBlock *rb)
{
    return rb->used_length;
}

ram_addr_t qemu_ram_get_max_length(RAMBlock *rb)
{
    return rb->max_length;
}

const char *qemu_ram_get_idstr(RAMBlock *rb)
{
    return rb->idstr;
}

size_t qemu_ram_pagesize(RAMBlock *block)
{
    return block->page_size;
}

int qemu_ram_get_fd(RAMBlock *rb)
{
    return rb->fd;
}

ram_addr_t qemu_ram_get_fd_offset(RAMBlock *rb)
{
    return rb->fd_offset;
}

bool qemu_ram_is_shared(RAMBlock *rb)
{
    return rb->flags & RAM_SHARED;
}

bool qemu_ram_is_noreserve(RAMBlock *rb)
{
    return rb->flags & RAM_NORESERVE;
}

bool qemu_ram_is_resizeable(RAMBlock *rb)
{
    return rb->flags & RAM_RESIZEABLE;
}

void qemu_ram_set_idstr(RAMBlock *block, const char *name, void *dev)
{
    guint i;

    g_assert(block && name);
    g_assert(!block->idstr[0]);
    g_strlcpy(block->idstr, name, sizeof(block->idstr));

    ram_list_lock_acquire();
    for (i = 0; i < ram_list->len; i++) {
        RAMBlock *b = g_ptr_array_index(ram_list, i);

        if (b != block && !strcmp(b->idstr, block->idstr)) {
            error_report("RAMBlock \"%s\" already registered, abort!",
                         block->idstr);
            abort();
        }
    }
    ram_list_lock_release();
}

void qemu_ram_unset_idstr(RAMBlock *block)
{
    if (block) {
        memset(block->idstr, 0, sizeof(block->idstr));
    }
}

size_t qemu_ram_pagesize_largest(void)
{
    size_t largest = qemu_real_host_page_size();
    guint i;

    ram_list_lock_acquire();
    for (i = 0; i < ram_list->len; i++) {
        RAMBlock *b = g_ptr_array_index(ram_list, i);

        largest = MAX(largest, b->page_size);
    }
    ram_list_lock_release();
    return largest;
}

/* Lookups */

static bool ram_block_contains_host(RAMBlock *b, const uint8_t *host)
{
    return host >= b->host && host - b->host < b->max_length;
}

RAMBlock *qemu_ram_block_from_host(void *ptr, bool round_offset,
                                   ram_addr_t *offset)
{
    RAMBlock *found = NULL;
    guint i;

    ram_list_lock_acquire();
    for (i = 0; i < ram_list->len; i++) {
        RAMBlock *b = g_ptr_array_index(ram_list, i);

        if (ram_block_contains_host(b, ptr)) {
            found = b;
            break;
        }
    }
    ram_list_lock_release();

    if (found && offset) {
        *offset = (uint8_t *)ptr - found->host;
        if (round_offset) {
            *offset = ROUND_DOWN(*offset,
                                 (ram_addr_t)qemu_real_host_page_size());
        }
    }
    return found;
}

ram_addr_t qemu_ram_addr_from_host(void *ptr)
{
    ram_addr_t offset;
    RAMBlock *block = qemu_ram_block_from_host(ptr, false, &offset);

    return block ? block->offset + offset : RAM_ADDR_INVALID;
}

ram_addr_t qemu_ram_block_host_offset(RAMBlock *rb, void *host)
{
    g_assert(ram_block_contains_host(rb, host));
    return (uint8_t *)host - rb->host;
}

RAMBlock *qemu_ram_block_by_name(const char *name)
{
    RAMBlock *found = NULL;
    guint i;

    ram_list_lock_acquire();
    for (i = 0; i < ram_list->len; i++) {
        RAMBlock *b = g_ptr_array_index(ram_list, i);

        if (b->idstr[0] && !strcmp(b->idstr, name)) {
            found = b;
            break;
        }
    }
    ram_list_lock_release();
    return found;
}

static RAMBlock *ram_block_by_offset(ram_addr_t addr)
{
    RAMBlock *found = NULL;
    guint i;

    ram_list_lock_acquire();
    for (i = 0; i < ram_list->len; i++) {
        RAMBlock *b = g_ptr_array_index(ram_list, i);

        if (addr >= b->offset && addr - b->offset < b->max_length) {
            found = b;
            break;
        }
    }
    ram_list_lock_release();
    return found;
}

void *qemu_map_ram_ptr(RAMBlock *ram_block, ram_addr_t addr)
{
    if (!ram_block) {
        ram_block = ram_block_by_offset(addr);
        g_assert(ram_block);
        addr -= ram_block->offset;
    }
    g_assert(addr < ram_block->max_length);
    return ram_block->host + addr;
}

int qemu_ram_foreach_block(RAMBlockIterFunc func, void *opaque)
{
    int ret = 0;
    guint i;

    ram_list_lock_acquire();
    for (i = 0; i < ram_list->len && !ret; i++) {
        ret = func(g_ptr_array_index(ram_list, i), opaque);
    }
    ram_list_lock_release();
    return ret;
}

/* Discarding and populating */

static int ram_block_check_range(RAMBlock *rb, uint64_t start, size_t length,
                                 const char *what)
{
    if (!QEMU_IS_ALIGNED(start, rb->page_size)) {
        error_report("%s: start 0x%" PRIx64 " in RAM block '%s' is not"
                     " aligned to its page size 0x%zx", what, start,
                     ram_block_name(rb), rb->page_size);
        return -EINVAL;
    }
    if (!QEMU_IS_ALIGNED(length, rb->page_size)) {
        error_report("%s: length 0x%zx in RAM block '%s' is not aligned to"
                     " its page size 0x%zx", what, length,
                     ram_block_name(rb), rb->page_size);
        return -EINVAL;
    }
    if (length > rb->used_length || start > rb->used_length - length) {
        error_report("%s: range [0x%" PRIx64 ", 0x%" PRIx64 ") is outside"
                     " RAM block '%s' of size 0x" RAM_ADDR_FMT, what, start,
                     start + length, ram_block_name(rb), rb->used_length);
        return -EINVAL;
    }
    return 0;
}

/*
 * Free the pages behind [start, start + length).  Whatever is in the fd (if
 * writable) gets a hole punched: that frees shmem/hugetlb/page cache pages
 * and zaps them from every mapping.  Private mappings also hold anonymous
 * (copy-on-write) pages of their own, which only MADV_DONTNEED drops.
 */
int ram_block_discard_range(RAMBlock *rb, uint64_t start, size_t length)
{
    uint8_t *host = rb->host + start;
    bool punch_hole = rb->fd >= 0 && !(rb->flags & RAM_READONLY);
    bool drop_mapping = !(rb->flags & RAM_SHARED) || !punch_hole;
    int ret;

    ret = ram_block_check_range(rb, start, length, __func__);
    if (ret || !length) {
        return ret;
    }

    if (punch_hole &&
        fallocate(rb->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  rb->fd_offset + start, length) < 0) {
        ret = -errno;
        error_report("%s: fallocate(PUNCH_HOLE) on RAM block '%s' at 0x%"
                     PRIx64 "+0x%zx failed: %s", __func__, ram_block_name(rb),
                     start, length, strerror(-ret));
        return ret;
    }
    if (drop_mapping && madvise(host, length, MADV_DONTNEED) < 0) {
        ret = -errno;
        error_report("%s: madvise(DONTNEED) on RAM block '%s' at 0x%" PRIx64
                     "+0x%zx failed: %s", __func__, ram_block_name(rb),
                     start, length, strerror(-ret));
        return ret;
    }
    return 0;
}

/*
 * Fault pages in by hand, for kernels without MADV_POPULATE_*.  Adding 0
 * atomically dirties a page without ever losing a concurrent write.
 */
static void touch_pages(uint8_t *area, size_t length, size_t page_size,
                        bool writable)
{
    size_t off;

    for (off = 0; off < length; off += page_size) {
        volatile uint8_t *p = area + off;

        if (writable) {
            __atomic_fetch_add(p, 0, __ATOMIC_RELAXED);
        } else {
            (void)*p;
        }
    }
}

/* Returns 0 or a negative errno. */
static int populate_host_range(uint8_t *area, size_t length, size_t page_size,
                               bool writable)
{
    int advice = writable ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;

    if (!length || madvise(area, length, advice) == 0) {
        return 0;
    }
    if (errno != EINVAL) {
        return -errno;
    }
    touch_pages(area, length, page_size, writable);
    return 0;
}

int ram_block_populate_range(RAMBlock *rb, uint64_t start, size_t length)
{
    bool writable = !(rb->flags & RAM_READONLY);
    int ret;

    ret = ram_block_check_range(rb, start, length, __func__);
    if (ret) {
        return ret;
    }
    ret = populate_host_range(rb->host + start, length, rb->page_size,
                              writable);
    if (ret) {
        error_report("%s: populating RAM block '%s' at 0x%" PRIx64 "+0x%zx"
                     " failed: %s", __func__, ram_block_name(rb), start,
                     length, strerror(-ret));
    }
    return ret;
}

typedef struct PreallocChunk {
    uint8_t *area;
    size_t length;
    size_t page_size;
    int ret;
} PreallocChunk;

static gpointer prealloc_thread(gpointer opaque)
{
    PreallocChunk *chunk = opaque;

    chunk->ret = populate_host_range(chunk->area, chunk->length,
                                     chunk->page_size, true);
    return NULL;
}

/* Enough work per thread to be worth a thread. */
#define PREALLOC_MIN_CHUNK (64 * MiB)

bool qemu_prealloc_mem(int fd, char *area, size_t sz, int max_threads,
                       bool async, Error **errp)
{
    const size_t page_size = fd_page_size(fd);
    size_t chunk_size, off;
    g_autofree PreallocChunk *chunks = NULL;
    g_autofree GThread **threads = NULL;
    int nthreads, i, ret = 0;

    nthreads = CLAMP(max_threads, 1, 64);
    nthreads = MIN((size_t)nthreads, MAX(sz / PREALLOC_MIN_CHUNK, 1));
    chunk_size = ROUND_UP((sz + nthreads - 1) / nthreads, page_size);

    chunks = g_new0(PreallocChunk, nthreads);
    threads = g_new0(GThread *, nthreads);
    for (i = 0, off = 0; i < nthreads && off < sz; i++, off += chunk_size) {
        chunks[i] = (PreallocChunk) {
            .area = (uint8_t *)area + off,
            .length = MIN(chunk_size, sz - off),
            .page_size = page_size,
        };
        if (nthreads == 1) {
            prealloc_thread(&chunks[i]);
        } else {
            threads[i] = g_thread_new("prealloc", prealloc_thread, &chunks[i]);
        }
    }
    for (i = 0; i < nthreads; i++) {
        if (threads[i]) {
            g_thread_join(threads[i]);
        }
        if (!ret) {
            ret = chunks[i].ret;
        }
    }

    if (ret) {
        error_setg_errno(errp, -ret, "preallocating memory failed");
        if (ret == -ENOMEM || ret == -EFAULT) {
            error_append_hint(errp, "Insufficient free host memory pages"
                              " available to allocate guest RAM\n");
        }
        return false;
    }
    return true;
}

/* Discard coordination */

static GMutex discard_lock;
static unsigned int discard_disabled_cnt;
static unsigned int uncoordinated_discard_disabled_cnt;
static unsigned int discard_required_cnt;
static unsigned int coordinated_discard_required_cnt;

/*
 * Enter (@state) or leave a state counted by @cnt.  Entering fails with
 * -EBUSY while @conflict is true; evaluated with discard_lock held.
 */
static int discard_state_change(unsigned int *cnt, bool state, bool conflict)
{
    if (!state) {
        g_assert(*cnt > 0);
        (*cnt)--;
        return 0;
    }
    if (conflict) {
        return -EBUSY;
    }
    (*cnt)++;
    return 0;
}

int ram_block_discard_disable(bool state)
{
    int ret;

    g_mutex_lock(&discard_lock);
    ret = discard_state_change(&discard_disabled_cnt, state,
                               discard_required_cnt ||
                               coordinated_discard_required_cnt);
    g_mutex_unlock(&discard_lock);
    return ret;
}

int ram_block_uncoordinated_discard_disable(bool state)
{
    int ret;

    g_mutex_lock(&discard_lock);
    ret = discard_state_change(&uncoordinated_discard_disabled_cnt, state,
                               discard_required_cnt);
    g_mutex_unlock(&discard_lock);
    return ret;
}

int ram_block_discard_require(bool state)
{
    int ret;

    g_mutex_lock(&discard_lock);
    ret = discard_state_change(&discard_required_cnt, state,
                               discard_disabled_cnt ||
                               uncoordinated_discard_disabled_cnt);
    g_mutex_unlock(&discard_lock);
    return ret;
}

int ram_block_coordinated_discard_require(bool state)
{
    int ret;

    g_mutex_lock(&discard_lock);
    ret = discard_state_change(&coordinated_discard_required_cnt, state,
                               discard_disabled_cnt);
    g_mutex_unlock(&discard_lock);
    return ret;
}

bool ram_block_discard_is_disabled(void)
{
    bool ret;

    g_mutex_lock(&discard_lock);
    ret = discard_disabled_cnt || uncoordinated_discard_disabled_cnt;
    g_mutex_unlock(&discard_lock);
    return ret;
}

bool ram_block_discard_is_required(void)
{
    bool ret;

    g_mutex_lock(&discard_lock);
    ret = discard_required_cnt || coordinated_discard_required_cnt;
    g_mutex_unlock(&discard_lock);
    return ret;
}
