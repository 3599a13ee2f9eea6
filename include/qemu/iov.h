/*
 * Scatter/gather helpers over struct iovec arrays (QEMU's API).
 *
 * @offset is a byte offset into the concatenation of all elements; copies
 * stop at the end of the vector.  Each copy returns the number of bytes
 * actually copied, which is less than asked when the vector is too short.
 */
#ifndef QEMU_IOV_H
#define QEMU_IOV_H

#include <sys/uio.h>

/* Total number of bytes in @iov[0..@iov_cnt). */
size_t iov_size(const struct iovec *iov, unsigned int iov_cnt);

/* Copy @bytes from @buf into the vector, starting @offset bytes in. */
size_t iov_from_buf(const struct iovec *iov, unsigned int iov_cnt,
                    size_t offset, const void *buf, size_t bytes);

/* Copy @bytes from the vector, starting @offset bytes in, into @buf. */
size_t iov_to_buf(const struct iovec *iov, unsigned int iov_cnt,
                  size_t offset, void *buf, size_t bytes);

/* Fill @bytes of the vector, starting @offset bytes in, with @fillc. */
size_t iov_memset(const struct iovec *iov, unsigned int iov_cnt,
                  size_t offset, int fillc, size_t bytes);

#endif
