/*
 * Socket I/O for the fake vhost-user backends (see vhost-user-test-io.h).
 */
#include "qemu/osdep.h"
#include <sys/socket.h>
#include "vhost-user-test-io.h"

/* Close the fds of every SCM_RIGHTS message in @msg. */
static void close_passed_fds(struct msghdr *msg)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
        int nfds;

        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
            continue;
        }
        nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (int i = 0; i < nfds; i++) {
            int one;

            memcpy(&one, CMSG_DATA(c) + i * sizeof(int), sizeof(one));
            close(one);
        }
    }
}

bool vhost_user_test_recv(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;
    union {
        char buf[CMSG_SPACE(sizeof(int) * 16)];
        struct cmsghdr align;
    } control;

    while (len) {
        struct iovec iov = { .iov_base = p, .iov_len = len };
        struct msghdr msg = {
            .msg_iov = &iov, .msg_iovlen = 1,
            .msg_control = control.buf, .msg_controllen = sizeof(control.buf),
        };
        ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);

        if (n <= 0) {
            return false;
        }
        close_passed_fds(&msg);
        p += n;
        len -= n;
    }
    return true;
}
