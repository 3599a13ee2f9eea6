/*
 * Socket I/O for the fake vhost-user backends of the tests and fuzzers.
 */
#ifndef VHOST_USER_TEST_IO_H
#define VHOST_USER_TEST_IO_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Read exactly @len bytes from @fd into @buf, closing every fd the
 * frontend passes along (memory fds, eventfds: a fake backend uses none).
 * False on EOF or error.
 */
bool vhost_user_test_recv(int fd, void *buf, size_t len);

#endif
