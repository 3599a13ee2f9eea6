/*
 * Running registration functions at program start.
 */
#ifndef QEMU_MODULE_H
#define QEMU_MODULE_H

/*
 * type_init(fn): call fn() before main() (a constructor), typically to
 * register QOM types.  Registration order does not matter: types are
 * resolved lazily when first used.
 */
#define type_init(function)                                               \
    static void __attribute__((constructor)) do_qemu_init_##function(void) \
    {                                                                     \
        function();                                                       \
    }

#define block_init(function) type_init(function)
#define opts_init(function) type_init(function)

#endif
