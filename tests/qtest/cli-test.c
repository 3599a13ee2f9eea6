/*
 * The command line and the human monitor, tested by running the real
 * sparsevm binary (path in $SPARSEVM_BINARY).
 */
#include "qemu/osdep.h"
#include <sys/wait.h>

typedef struct RunResult {
    int status;                 /* exit status, or -1 if killed */
    char *out;
    char *err;
} RunResult;

static void run_result_clear(RunResult *r)
{
    g_free(r->out);
    g_free(r->err);
}

/* Run sparsevm with @args (NULL-terminated) feeding @input on stdin. */
static RunResult run_sparsevm(const char *input, const char *const *args)
{
    const char *bin = g_getenv("SPARSEVM_BINARY");
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree char *in_path = NULL;
    GError *gerr = NULL;
    RunResult r = { 0 };
    int in_fd, wait_status;

    g_assert_nonnull(bin);
    in_fd = g_file_open_tmp("cli-test-XXXXXX", &in_path, &gerr);
    g_assert_no_error(gerr);
    g_assert_cmpint(write(in_fd, input, strlen(input)), ==, strlen(input));
    close(in_fd);

    /* Go through the shell only to redirect stdin from the file. */
    g_ptr_array_add(argv, (gpointer)"/bin/sh");
    g_ptr_array_add(argv, (gpointer)"-c");
    g_ptr_array_add(argv, (gpointer)"f=$1; shift; exec \"$@\" < \"$f\"");
    g_ptr_array_add(argv, (gpointer)"sh");
    g_ptr_array_add(argv, in_path);
    g_ptr_array_add(argv, (gpointer)bin);
    for (int i = 0; args[i]; i++) {
        g_ptr_array_add(argv, (gpointer)args[i]);
    }
    g_ptr_array_add(argv, NULL);
    g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL,
                 NULL, &r.out, &r.err, &wait_status, &gerr);
    g_assert_no_error(gerr);
    unlink(in_path);
    r.status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
    return r;
}

/* An invalid command line: exit status 1 and exactly @first_line first. */
static void check_cmdline_error(const char *const *args,
                                const char *first_line)
{
    RunResult r = run_sparsevm("", args);
    g_auto(GStrv) lines = g_strsplit(r.err, "\n", 2);

    g_assert_cmpint(r.status, ==, 1);
    g_assert_cmpstr(lines[0], ==, first_line);
    g_assert_cmpstr(r.out, ==, "");
    run_result_clear(&r);
}

static void test_cli_invalid_option(void)
{
    check_cmdline_error((const char *[]){ "-foo", NULL },
                        "sparsevm: -foo: invalid option");
    check_cmdline_error((const char *[]){ "-m", NULL },
                        "sparsevm: -m: requires an argument");
}

static void test_cli_bad_memory(void)
{
    check_cmdline_error((const char *[]){ "-m", "foo", NULL },
                        "sparsevm: -m foo: Parameter 'size' expects a "
                        "non-negative number below 2^64");
    check_cmdline_error((const char *[]){ "-m", "1G,maxmem=512M", NULL },
                        "sparsevm: -m 1G,maxmem=512M: invalid value of maxmem: "
                        "maximum memory size (0x20000000) must be at least "
                        "the initial memory size (0x40000000)");
    check_cmdline_error((const char *[]){ "-m", "1G,slots=2", NULL },
                        "sparsevm: -m 1G,slots=2: slots specified but no "
                        "max-size");
    check_cmdline_error((const char *[]){ "-m", "1G,bogus=1", NULL },
                        "sparsevm: -m 1G,bogus=1: Invalid parameter 'bogus'");
}

static void test_cli_bad_object(void)
{
    check_cmdline_error((const char *[]){ "-object",
                        "memory-backend-ram,id=m,size=1G,foo=1", NULL },
                        "sparsevm: -object memory-backend-ram,id=m,size=1G,"
                        "foo=1: Property 'memory-backend-ram.foo' not found");
    check_cmdline_error((const char *[]){ "-object",
                        "no-such-type,id=m", NULL },
                        "sparsevm: -object no-such-type,id=m: invalid object "
                        "type: no-such-type");
    check_cmdline_error((const char *[]){ "-object",
                        "memory-backend-ram,id=m,size=huge", NULL },
                        "sparsevm: -object memory-backend-ram,id=m,size=huge: "
                        "Parameter 'size' expects a size");
    check_cmdline_error((const char *[]){ "-machine", "nosuch", NULL },
                        "sparsevm: -machine nosuch: unsupported machine type: "
                        "\"nosuch\"");
}

static const char *const demo_args[] = {
    "-machine", "none", "-nodefaults", "-display", "none", "-m", "1G",
    "-object", "memory-backend-ram,id=mem0,size=64G,reserve=off",
    "-monitor", "stdio", NULL
};

static void test_hmp_info_mtree(void)
{
    RunResult r = run_sparsevm("info mtree\nquit\n", demo_args);

    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.err, ==, "");
    g_assert_cmpstr(r.out, ==,
        "sparsevm 0.1.0 monitor - type 'help' for more information\n"
        "(qemu) address-space: memory\n"
        "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n"
        "    0000000000000000-000000003fffffff (prio 0, ram): ram\n"
        "\n"
        "address-space: I/O\n"
        "  0000000000000000-000000000000ffff (prio 0, i/o): io\n"
        "\n"
        "(qemu) ");
    run_result_clear(&r);
}

static void test_hmp_info_ramblock(void)
{
    RunResult r = run_sparsevm("info ramblock\nquit\n", demo_args);

    g_assert_cmpint(r.status, ==, 0);
    /* The 64 GiB backend and the 1 GiB machine RAM, in allocation order. */
    g_assert_nonnull(strstr(r.out,
        "                    mem0    4 KiB  0x0000000000000000 "
        "0x0000001000000000 0x0000001000000000\n"
        "                     ram    4 KiB  0x0000001000000000 "
        "0x0000000040000000 0x0000000040000000\n"));
    run_result_clear(&r);
}

static void test_hmp_bad_command(void)
{
    RunResult r = run_sparsevm("frobnicate\ninfo nosuch\ninfo mtree -x\n"
                               "info version\nquit\n", demo_args);

    /* Errors are printed and the monitor keeps serving commands. */
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "unknown command: 'frobnicate'\n"));
    g_assert_nonnull(strstr(r.out, "unknown command: 'info nosuch'\n"));
    g_assert_nonnull(strstr(r.out, "info mtree: invalid option '-x'\n"));
    g_assert_nonnull(strstr(r.out, "(qemu) 0.1.0\n"));
    run_result_clear(&r);
}

static void test_cli_pidfile(void)
{
    g_autofree char *dir = g_dir_make_tmp("cli-test-XXXXXX", NULL);
    g_autofree char *pidfile = g_build_filename(dir, "pid", NULL);
    const char *argv[] = { g_getenv("SPARSEVM_BINARY"), "-pidfile", pidfile,
                           "-monitor", "stdio", NULL };
    g_autofree char *contents = NULL;
    GError *gerr = NULL;
    GPid pid;
    int in_fd, status;

    g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
                             G_SPAWN_DO_NOT_REAP_CHILD |
                             G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &pid,
                             &in_fd, NULL, NULL, &gerr);
    g_assert_no_error(gerr);

    /* The file appears while the VM runs and holds its process id. */
    for (int i = 0; i < 1000 && !g_file_test(pidfile, G_FILE_TEST_EXISTS);
         i++) {
        g_usleep(10 * 1000);
    }
    g_assert_true(g_file_get_contents(pidfile, &contents, NULL, NULL));
    g_assert_cmpint(atoi(contents), ==, pid);

    g_assert_cmpint(write(in_fd, "quit\n", 5), ==, 5);
    close(in_fd);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    /* ... and is removed at exit. */
    g_assert_false(g_file_test(pidfile, G_FILE_TEST_EXISTS));
    rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cli/invalid-option", test_cli_invalid_option);
    g_test_add_func("/cli/bad-memory", test_cli_bad_memory);
    g_test_add_func("/cli/bad-object", test_cli_bad_object);
    g_test_add_func("/cli/pidfile", test_cli_pidfile);
    g_test_add_func("/hmp/info-mtree", test_hmp_info_mtree);
    g_test_add_func("/hmp/info-ramblock", test_hmp_info_ramblock);
    g_test_add_func("/hmp/bad-command", test_hmp_bad_command);
    return g_test_run();
}
