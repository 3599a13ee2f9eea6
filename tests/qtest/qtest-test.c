/*
 * The qtest protocol, against the sparsevm binary.
 */
#include "qemu/osdep.h"
#include "libqtest.h"

static void test_qtest_smoke(void)
{
    QTestState *s = qtest_init("-machine none -m 16M");

    qtest_writel(s, 0x1000, 0xdeadbeef);
    g_assert_cmphex(qtest_readl(s, 0x1000), ==, 0xdeadbeef);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/qtest/smoke", test_qtest_smoke);
    return g_test_run();
}
