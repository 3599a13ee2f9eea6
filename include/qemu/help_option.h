/*
 * Recognizing help requests in option values.
 */
#ifndef QEMU_HELP_OPTION_H
#define QEMU_HELP_OPTION_H

/* True for "help" and "?", e.g. "-object help", "-machine ?". */
static inline bool is_help_option(const char *s)
{
    return s && (!strcmp(s, "help") || !strcmp(s, "?"));
}

#endif
