/*
 * -device and -machine on the command line: help output and QEMU's
 * error lines, by running the sparsevm binary.
 */
#include "qemu/osdep.h"
#include <sys/wait.h>

typedef struct RunResult {
    int status;                 /* exit status, or -1 if killed */
    char *out;
    char *err;
} RunResult;

/* Run sparsevm with @args (NULL-terminated), stdin from /dev/null. */
static RunResult run_sparsevm(const char *const *args)
{
    const char *bin = g_getenv("SPARSEVM_BINARY");
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    GError *gerr = NULL;
    RunResult r = { 0 };
    int wait_status;

    g_assert_nonnull(bin);
    g_ptr_array_add(argv, (gpointer)bin);
    for (int i = 0; args[i]; i++) {
        g_ptr_array_add(argv, (gpointer)args[i]);
    }
    g_ptr_array_add(argv, NULL);
    g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL,
                 NULL, &r.out, &r.err, &wait_status, &gerr);
    g_assert_no_error(gerr);
    r.status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
    return r;
}

static void run_result_clear(RunResult *r)
{
    g_free(r->out);
    g_free(r->err);
}

/* Exit status 1, nothing on stdout, exactly @line on stderr. */
static void check_error(const char *const *args, const char *line)
{
    RunResult r = run_sparsevm(args);
    g_autofree char *expected = g_strdup_printf("%s\n", line);

    g_assert_cmpint(r.status, ==, 1);
    g_assert_cmpstr(r.out, ==, "");
    g_assert_cmpstr(r.err, ==, expected);
    run_result_clear(&r);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_device_help(void)
{
    RunResult r = run_sparsevm(ARGS("-device", "help"));
    const char *misc;

    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.err, ==, "");
    /* Categories in QEMU's order, a blank line before each but the first. */
    misc = strstr(r.out, "Misc devices:\n");
    g_assert_nonnull(misc);
    g_assert_true(misc == r.out || misc[-1] == '\n');
    g_assert_nonnull(strstr(misc, "\nname \"pci-testdev\", bus PCI, desc "
                            "\"PCI Test Device\"\n"));
    /* Board devices are not user creatable. */
    g_assert_null(strstr(r.out, "\"i440FX\""));
    g_assert_null(strstr(r.out, "\"PIIX3\""));
    g_assert_null(strstr(r.out, "\"ioapic\""));
    run_result_clear(&r);

    /* "-device ?" is the same request. */
    r = run_sparsevm(ARGS("-device", "?"));
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "name \"pci-testdev\""));
    run_result_clear(&r);
}

static void test_device_type_help(void)
{
    RunResult r = run_sparsevm(ARGS("-device", "pci-testdev,help"));

    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.err, ==, "");
    g_assert_cmpstr(r.out, ==,
        "pci-testdev options:\n"
        "  addr=<int32>           - Slot and optional function number, "
        "example: 06.0 or 06 (default: -1)\n"
        "  multifunction=<bool>   - on/off (default: false)\n"
        "  rombar=<uint32>        -  (default: 1)\n"
        "  romfile=<str>\n");
    run_result_clear(&r);

    check_error(ARGS("-device", "foo,help"),
                "sparsevm: -device foo,help: 'foo' is not a valid device "
                "model name");
}

static void test_device_errors(void)
{
    check_error(ARGS("-device", "foo"),
                "sparsevm: -device foo: 'foo' is not a valid device model "
                "name");
    check_error(ARGS("-device", "pci-testdev,foo=1"),
                "sparsevm: -device pci-testdev,foo=1: Property "
                "'pci-testdev.foo' not found");
    check_error(ARGS("-device", "pci-testdev,rombar=x"),
                "sparsevm: -device pci-testdev,rombar=x: Parameter 'rombar' "
                "expects uint32");
    check_error(ARGS("-device", "pci-device"),
                "sparsevm: -device pci-device: Parameter 'driver' expects a "
                "non-abstract device type");
    check_error(ARGS("-device", "i440FX"),
                "sparsevm: -device i440FX: Parameter 'driver' expects a "
                "pluggable device type");
    check_error(ARGS("-device", "pci-testdev,bus=pci.1"),
                "sparsevm: -device pci-testdev,bus=pci.1: Bus 'pci.1' not "
                "found");
    check_error(ARGS("-machine", "none", "-device", "pci-testdev"),
                "sparsevm: -device pci-testdev: No 'PCI' bus found for "
                "device 'pci-testdev'");
    check_error(ARGS("-device", "pci-testdev,bus="),
                "sparsevm: -device pci-testdev,bus=: Bus '' not found");
    check_error(ARGS("-device", ""),
                "sparsevm: -device : Parameter 'driver' is missing");
    check_error(ARGS("-device", "pci-testdev,hotplugged=on"),
                "sparsevm: -device pci-testdev,hotplugged=on: Property "
                "'pci-testdev.hotplugged' is not writable");
    /* Realizing through the property, before the bus is set, fails. */
    check_error(ARGS("-device", "pci-testdev,realized=on"),
                "sparsevm: -device pci-testdev,realized=on: PCI device "
                "'pci-testdev' needs a PCI bus");
    check_error(ARGS("-device", "pci-testdev,id=a", "-device",
                     "pci-testdev,id=a"),
                "sparsevm: -device pci-testdev,id=a: Duplicate ID 'a' for "
                "device");
}

static void test_device_bad_id(void)
{
    RunResult r = run_sparsevm(ARGS("-device", "pci-testdev,id=1a"));

    /* QEMU's error and its hint. */
    g_assert_cmpint(r.status, ==, 1);
    g_assert_cmpstr(r.err, ==,
                    "sparsevm: -device pci-testdev,id=1a: Parameter 'id' "
                    "expects an identifier\n"
                    "Identifiers consist of letters, digits, '-', '.', '_', "
                    "starting with a letter.\n");
    run_result_clear(&r);
}

static void test_device_addr_errors(void)
{
    check_error(ARGS("-device", "pci-testdev,addr=1"),
                "sparsevm: -device pci-testdev,addr=1: PCI: slot 1 function "
                "0 not available for pci-testdev, in use by PIIX3,id=(null)");
    check_error(ARGS("-device", "pci-testdev,id=t1,addr=0x1f.0",
                     "-device", "pci-testdev,addr=1f.0"),
                "sparsevm: -device pci-testdev,addr=1f.0: PCI: slot 31 "
                "function 0 not available for pci-testdev, in use by "
                "pci-testdev,id=t1");
    /* Automatic slots are taken in command-line order. */
    check_error(ARGS("-device", "pci-testdev,id=t1", "-device",
                     "pci-testdev,addr=2"),
                "sparsevm: -device pci-testdev,addr=2: PCI: slot 2 function "
                "0 not available for pci-testdev, in use by pci-testdev,id=t1");
    check_error(ARGS("-device", "pci-testdev,addr=zz"),
                "sparsevm: -device pci-testdev,addr=zz: Property "
                "'pci-testdev.addr' doesn't take value 'zz'");
    check_error(ARGS("-device", "pci-testdev,addr=0x20"),
                "sparsevm: -device pci-testdev,addr=0x20: Property "
                "'pci-testdev.addr' doesn't take value '0x20'");
    check_error(ARGS("-device", "pci-testdev,addr=05.8"),
                "sparsevm: -device pci-testdev,addr=05.8: Property "
                "'pci-testdev.addr' doesn't take value '05.8'");
}

static void test_machine_help(void)
{
    RunResult r = run_sparsevm(ARGS("-machine", "help"));

    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.out, ==,
        "Supported machines are:\n"
        "pc                   Standard PC (i440FX + PIIX, 1996) (alias of "
        "pc-i440fx-7.2)\n"
        "pc-i440fx-7.2        Standard PC (i440FX + PIIX, 1996) (default)\n"
        "none                 empty machine\n");
    run_result_clear(&r);

    r = run_sparsevm(ARGS("-machine", "pc,help"));
    g_assert_cmpint(r.status, ==, 0);
    g_assert_true(g_str_has_prefix(r.out, "pc-i440fx-7.2-machine options:\n"));
    g_assert_nonnull(strstr(r.out, "\n  max-ram-below-4g=<size> - Maximum "
                            "ram below the 4G boundary (32bit boundary)\n"));
    run_result_clear(&r);
}

static void test_machine_errors(void)
{
    check_error(ARGS("-machine", "pc,foo=1"),
                "sparsevm: -machine pc,foo=1: Property "
                "'pc-i440fx-7.2-machine.foo' not found");
    check_error(ARGS("-machine", "pc,max-ram-below-4g=8G"),
                "sparsevm: -machine pc,max-ram-below-4g=8G: Machine option "
                "'max-ram-below-4g=8589934592' expects size less than or "
                "equal to 4G");
    check_error(ARGS("-m", "1G,maxmem=9G,slots=300"),
                "sparsevm: unsupported amount of memory slots: 300");
    /* The default RAM size (128 MiB) counts for maxmem too. */
    check_error(ARGS("-m", "maxmem=64M"),
                "sparsevm: -m maxmem=64M: invalid value of maxmem: maximum "
                "memory size (0x4000000) must be at least the initial memory "
                "size (0x8000000)");
    check_error(ARGS("-machine", "pc,memory-backend=nope", "-m", "1G"),
                "sparsevm: Memory backend 'nope' not found");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/device-cli/help", test_device_help);
    g_test_add_func("/device-cli/type-help", test_device_type_help);
    g_test_add_func("/device-cli/errors", test_device_errors);
    g_test_add_func("/device-cli/bad-id", test_device_bad_id);
    g_test_add_func("/device-cli/addr-errors", test_device_addr_errors);
    g_test_add_func("/machine-cli/help", test_machine_help);
    g_test_add_func("/machine-cli/errors", test_machine_errors);
    return g_test_run();
}
