/*
 * The main loop: a GLib main loop that runs until shutdown is requested.
 */
#include "qemu/osdep.h"
#include "sysemu/sysemu.h"

static GMainLoop *main_loop;
static bool shutdown_requested;

GMainContext *qemu_get_aio_context(void)
{
    return g_main_context_default();
}

void qemu_system_shutdown_request(void)
{
    shutdown_requested = true;
    if (main_loop) {
        g_main_loop_quit(main_loop);
    }
}

bool qemu_system_shutdown_requested(void)
{
    return shutdown_requested;
}

int qemu_main_loop(void)
{
    if (shutdown_requested) {
        return 0;
    }
    main_loop = g_main_loop_new(qemu_get_aio_context(), FALSE);
    g_main_loop_run(main_loop);
    g_main_loop_unref(main_loop);
    main_loop = NULL;
    return 0;
}
