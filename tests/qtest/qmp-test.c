/*
 * QMP: greeting, negotiation, commands, errors and events, against the
 * sparsevm binary.
 */
#include "qemu/osdep.h"
#include "libqtest.h"

static void test_qmp_smoke(void)
{
    QTestState *s = qtest_init("-machine none -m 16M");
    JsonNode *ret = qtest_qmp_assert_success(s, "{'execute': 'query-status'}");

    g_assert_true(JSON_NODE_HOLDS_OBJECT(ret));
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/qmp/smoke", test_qmp_smoke);
    return g_test_run();
}
