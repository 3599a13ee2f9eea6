/*
 * String and number helpers, with QEMU's semantics.
 */
#ifndef QEMU_CUTILS_H
#define QEMU_CUTILS_H

/*
 * Integer parsing: qemu_strto*() parse @nptr in @base (0: auto-detect
 * "0x"/"0" prefixes) and return 0 on success or a negative errno:
 * -EINVAL for a NULL @nptr, no digits or (when @endptr is NULL) trailing
 * garbage; -ERANGE on overflow (with *@result clamped to the type's limit).
 * If @endptr is not NULL, *@endptr is set to the first unparsed character
 * and trailing characters are allowed.  Leading whitespace is skipped.
 * The unsigned variants accept a leading '-' like strtoul() does
 * ("-1" -> UINT64_MAX) as in QEMU, but reject values below -MAX.
 */
int qemu_strtoi(const char *nptr, const char **endptr, int base,
                int *result);
int qemu_strtoui(const char *nptr, const char **endptr, int base,
                 unsigned int *result);
int qemu_strtol(const char *nptr, const char **endptr, int base,
                long *result);
int qemu_strtoul(const char *nptr, const char **endptr, int base,
                 unsigned long *result);
int qemu_strtoi64(const char *nptr, const char **endptr, int base,
                  int64_t *result);
int qemu_strtou64(const char *nptr, const char **endptr, int base,
                  uint64_t *result);
/* Same conventions for a double (strtod() syntax). */
int qemu_strtod(const char *nptr, const char **endptr, double *result);

/*
 * Parse a size such as "4096", "64G", "1.5k", "0x1000" into bytes.
 * Suffixes B K M G T P E (case-insensitive) are powers of 1024; without a
 * suffix the unit is bytes (qemu_strtosz), MiB (qemu_strtosz_MiB) or the
 * number is taken as is with powers of 1000 (qemu_strtosz_metric).
 * The number is decimal (leading zeros do not mean octal) or hex with
 * "0x".  A fraction is allowed only with a decimal number and a unit
 * larger than a byte ("1.5G"; not "0x1.8G", not "1.5" for qemu_strtosz);
 * the result is truncated to whole bytes.
 * Returns 0, -EINVAL (garbage, negative, empty) or -ERANGE (above
 * UINT64_MAX).  @end follows the qemu_strto*() convention.
 */
int qemu_strtosz(const char *nptr, const char **end, uint64_t *result);
int qemu_strtosz_MiB(const char *nptr, const char **end, uint64_t *result);
int qemu_strtosz_metric(const char *nptr, const char **end,
                        uint64_t *result);

/*
 * Human-readable size with binary units, e.g. "2 GiB", "1.5 KiB",
 * "512 B" (up to 3 significant digits, like QEMU's size_to_str()).
 * Caller frees.
 */
char *size_to_str(uint64_t val);

/*
 * Parse "on"/"yes"/"true"/"y" as true and "off"/"no"/"false"/"n" as false.
 * Returns 0 or -EINVAL.
 */
int qemu_strtobool(const char *str, bool *result);

/* If @str starts with @val, set *@ptr past it (if @ptr) and return 1. */
int strstart(const char *str, const char *val, const char **ptr);
/* Case-insensitive strstart(). */
int stristart(const char *str, const char *val, const char **ptr);
/* Copy at most @buf_size - 1 bytes, always NUL-terminating. */
void pstrcpy(char *buf, int buf_size, const char *str);
/* Length of @s, but at most @max_len. */
int qemu_strnlen(const char *s, int max_len);

/* True if all @len bytes at @buf are zero. */
bool buffer_is_zero(const void *buf, size_t len);

#endif
