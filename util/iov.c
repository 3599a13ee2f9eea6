#include "qemu/osdep.h"
#include "qemu/iov.h"

size_t iov_size(const struct iovec *iov, unsigned int iov_cnt)
{
    size_t total = 0;
    unsigned int i;

    for (i = 0; i < iov_cnt; i++) {
        total += iov[i].iov_len;
    }
    return total;
}

/*
 * Walk [offset, offset + bytes) of the vector, calling @fn on each
 * contiguous piece with its position in the flat range.
 */
static size_t iov_walk(const struct iovec *iov, unsigned int iov_cnt,
                       size_t offset, size_t bytes,
                       void (*fn)(void *base, size_t done, size_t len,
                                  void *opaque),
                       void *opaque)
{
    size_t done = 0;
    unsigned int i;

    for (i = 0; i < iov_cnt && done < bytes; i++) {
        size_t len;

        if (offset >= iov[i].iov_len) {
            offset -= iov[i].iov_len;
            continue;
        }
        len = MIN(iov[i].iov_len - offset, bytes - done);
        fn((char *)iov[i].iov_base + offset, done, len, opaque);
        done += len;
        offset = 0;
    }
    return done;
}

static void copy_in(void *base, size_t done, size_t len, void *opaque)
{
    memcpy(base, (const char *)opaque + done, len);
}

static void copy_out(void *base, size_t done, size_t len, void *opaque)
{
    memcpy((char *)opaque + done, base, len);
}

static void fill(void *base, size_t done, size_t len, void *opaque)
{
    memset(base, *(int *)opaque, len);
}

size_t iov_from_buf(const struct iovec *iov, unsigned int iov_cnt,
                    size_t offset, const void *buf, size_t bytes)
{
    return iov_walk(iov, iov_cnt, offset, bytes, copy_in, (void *)buf);
}

size_t iov_to_buf(const struct iovec *iov, unsigned int iov_cnt,
                  size_t offset, void *buf, size_t bytes)
{
    return iov_walk(iov, iov_cnt, offset, bytes, copy_out, buf);
}

size_t iov_memset(const struct iovec *iov, unsigned int iov_cnt,
                  size_t offset, int fillc, size_t bytes)
{
    return iov_walk(iov, iov_cnt, offset, bytes, fill, &fillc);
}
