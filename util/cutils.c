/*
 * String and number helpers.
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/id.h"

/*
 * Common tail of the qemu_strto*() family: translate strtoX()'s results
 * into QEMU's convention.
 */
static int check_strtox_error(const char *nptr, char *ep,
                              const char **endptr, int libc_errno)
{
    if (endptr) {
        *endptr = ep;
    }
    if (ep == nptr) {
        return -EINVAL;
    }
    if (!endptr && *ep) {
        return -EINVAL;
    }
    return -libc_errno;
}

/* Parse a signed value into [min, max], clamping on -ERANGE. */
static int strto_signed(const char *nptr, const char **endptr, int base,
                        int64_t min, int64_t max, int64_t *result)
{
    char *ep;
    long long val;
    int ret;

    *result = 0;
    if (!nptr) {
        if (endptr) {
            *endptr = nptr;
        }
        return -EINVAL;
    }
    errno = 0;
    val = strtoll(nptr, &ep, base);
    ret = check_strtox_error(nptr, ep, endptr, errno);
    if (ret == -EINVAL) {
        return ret;
    }
    if (val > max) {
        val = max;
        ret = -ERANGE;
    } else if (val < min) {
        val = min;
        ret = -ERANGE;
    }
    *result = val;
    return ret;
}

/*
 * Parse an unsigned value up to @max.  Like strtoull(), a leading '-'
 * negates modulo 2^bits, but values below -@max are out of range.
 */
static int strto_unsigned(const char *nptr, const char **endptr, int base,
                          uint64_t max, uint64_t *result)
{
    char *ep;
    unsigned long long val;
    const char *p;
    bool negative;
    int ret;

    *result = 0;
    if (!nptr) {
        if (endptr) {
            *endptr = nptr;
        }
        return -EINVAL;
    }
    p = nptr;
    while (g_ascii_isspace(*p)) {
        p++;
    }
    negative = *p == '-';
    errno = 0;
    /* Parse the magnitude ourselves so that "-X" can be range-checked. */
    val = strtoull(negative ? p + 1 : p, &ep, base);
    if (ep == (negative ? p + 1 : p) ||
        (negative && (p[1] == '-' || p[1] == '+' || g_ascii_isspace(p[1])))) {
        ep = (char *)nptr;
    }
    ret = check_strtox_error(nptr, ep, endptr, errno);
    if (ret == -EINVAL) {
        return ret;
    }
    if (ret == -ERANGE || val > max) {
        *result = max;
        return -ERANGE;
    }
    if (negative && val) {
        val = max - val + 1;
    }
    *result = val;
    return ret;
}

int qemu_strtoi(const char *nptr, const char **endptr, int base, int *result)
{
    int64_t v;
    int ret = strto_signed(nptr, endptr, base, INT_MIN, INT_MAX, &v);

    *result = v;
    return ret;
}

int qemu_strtoui(const char *nptr, const char **endptr, int base,
                 unsigned int *result)
{
    uint64_t v;
    int ret = strto_unsigned(nptr, endptr, base, UINT_MAX, &v);

    *result = v;
    return ret;
}

int qemu_strtol(const char *nptr, const char **endptr, int base,
                long *result)
{
    int64_t v;
    int ret = strto_signed(nptr, endptr, base, LONG_MIN, LONG_MAX, &v);

    *result = v;
    return ret;
}

int qemu_strtoul(const char *nptr, const char **endptr, int base,
                 unsigned long *result)
{
    uint64_t v;
    int ret = strto_unsigned(nptr, endptr, base, ULONG_MAX, &v);

    *result = v;
    return ret;
}

int qemu_strtoi64(const char *nptr, const char **endptr, int base,
                  int64_t *result)
{
    return strto_signed(nptr, endptr, base, INT64_MIN, INT64_MAX, result);
}

int qemu_strtou64(const char *nptr, const char **endptr, int base,
                  uint64_t *result)
{
    return strto_unsigned(nptr, endptr, base, UINT64_MAX, result);
}

int qemu_strtod(const char *nptr, const char **endptr, double *result)
{
    char *ep;

    *result = 0;
    if (!nptr) {
        if (endptr) {
            *endptr = nptr;
        }
        return -EINVAL;
    }
    errno = 0;
    *result = strtod(nptr, &ep);
    return check_strtox_error(nptr, ep, endptr, errno);
}

/* Multiplier for size suffix @c, or 0 if @c is not a suffix. */
static uint64_t suffix_mul(char c, uint64_t unit)
{
    switch (g_ascii_toupper(c)) {
    case 'B':
        return 1;
    case 'K':
        return unit;
    case 'M':
        return unit * unit;
    case 'G':
        return unit * unit * unit;
    case 'T':
        return unit * unit * unit * unit;
    case 'P':
        return unit * unit * unit * unit * unit;
    case 'E':
        return unit * unit * unit * unit * unit * unit;
    }
    return 0;
}

/*
 * The integer part is parsed with qemu_strtou64() so that hex works and
 * 'e'/'E' stays a suffix rather than an exponent; the fraction (decimal
 * only) is parsed separately.
 */
static int do_strtosz(const char *nptr, const char **end,
                      uint64_t default_suffix_mul, uint64_t unit,
                      uint64_t *result)
{
    const char *p, *endptr;
    uint64_t val, mul;
    double fraction = 0;
    bool hex;
    int ret;

    *result = 0;
    if (end) {
        *end = nptr;
    }
    if (!nptr) {
        return -EINVAL;
    }
    p = nptr;
    while (g_ascii_isspace(*p)) {
        p++;
    }
    if (*p == '-' || *p == '+') {
        return -EINVAL;
    }
    hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
    /* Leading zeros are decimal here, never octal. */
    ret = qemu_strtou64(p, &endptr, hex ? 16 : 10, &val);
    if (ret == -ERANGE) {
        return ret;
    }
    if (ret) {
        return -EINVAL;
    }
    if (*endptr == '.') {
        const char *frac_start = endptr;
        char *frac_end;

        if (hex) {
            return -EINVAL;
        }
        /* Parse ".DIGITS" only; reject exponents and signs. */
        frac_end = (char *)frac_start + 1;
        while (g_ascii_isdigit(*frac_end)) {
            frac_end++;
        }
        if (frac_end == frac_start + 1) {
            return -EINVAL;
        }
        {
            g_autofree char *frac_str =
                g_strndup(frac_start, frac_end - frac_start);

            fraction = g_ascii_strtod(frac_str, NULL);
        }
        endptr = frac_end;
    }
    mul = suffix_mul(*endptr, unit);
    if (mul) {
        endptr++;
    } else {
        mul = default_suffix_mul;
    }
    /* A fraction of a byte makes no sense. */
    if (mul == 1 && fraction > 0) {
        return -EINVAL;
    }
    if (!end && *endptr) {
        return -EINVAL;
    }
    if (val > UINT64_MAX / mul) {
        return -ERANGE;
    }
    val *= mul;
    if (fraction > 0) {
        double extra = fraction * (double)mul;  /* truncated below */

        if ((double)val + extra >= 0x1p64 ||
            val > UINT64_MAX - (uint64_t)extra) {
            return -ERANGE;
        }
        val += (uint64_t)extra;
    }
    *result = val;
    if (end) {
        *end = endptr;
    }
    return 0;
}

int qemu_strtosz(const char *nptr, const char **end, uint64_t *result)
{
    return do_strtosz(nptr, end, 1, 1024, result);
}

int qemu_strtosz_MiB(const char *nptr, const char **end, uint64_t *result)
{
    return do_strtosz(nptr, end, MiB, 1024, result);
}

int qemu_strtosz_metric(const char *nptr, const char **end,
                        uint64_t *result)
{
    return do_strtosz(nptr, end, 1, 1000, result);
}

char *size_to_str(uint64_t val)
{
    static const char *const units[] = {
        "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
    };
    double v = val;
    size_t i = 0;

    /* Switch units early (at 1000) so that at most 3 digits are shown. */
    while (v >= 1000 && i < ARRAY_SIZE(units) - 1) {
        v /= 1024;
        i++;
    }
    return g_strdup_printf("%0.3g %s", v, units[i]);
}

int qemu_strtobool(const char *str, bool *result)
{
    static const char *const yes[] = { "on", "yes", "true", "y" };
    static const char *const no[] = { "off", "no", "false", "n" };
    size_t i;

    if (!str) {
        return -EINVAL;
    }
    for (i = 0; i < ARRAY_SIZE(yes); i++) {
        if (!strcmp(str, yes[i])) {
            *result = true;
            return 0;
        }
        if (!strcmp(str, no[i])) {
            *result = false;
            return 0;
        }
    }
    return -EINVAL;
}

int strstart(const char *str, const char *val, const char **ptr)
{
    size_t len = strlen(val);

    if (strncmp(str, val, len) != 0) {
        return 0;
    }
    if (ptr) {
        *ptr = str + len;
    }
    return 1;
}

int stristart(const char *str, const char *val, const char **ptr)
{
    size_t len = strlen(val);

    if (g_ascii_strncasecmp(str, val, len) != 0) {
        return 0;
    }
    if (ptr) {
        *ptr = str + len;
    }
    return 1;
}

void pstrcpy(char *buf, int buf_size, const char *str)
{
    int len;

    if (buf_size <= 0) {
        return;
    }
    len = qemu_strnlen(str, buf_size - 1);
    memcpy(buf, str, len);
    buf[len] = '\0';
}

int qemu_strnlen(const char *s, int max_len)
{
    int i;

    for (i = 0; i < max_len && s[i]; i++) {
        /* count */
    }
    return i;
}

bool buffer_is_zero(const void *buf, size_t len)
{
    const unsigned char *p = buf;
    size_t i;

    for (i = 0; i < len; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

bool id_wellformed(const char *id)
{
    const char *p;

    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (p = id + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.' && *p != '_') {
            return false;
        }
    }
    return true;
}
