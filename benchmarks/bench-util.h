/*
 * Small helpers the benchmarks share: a monotonic clock in microseconds
 * and the median of a GArray of doubles.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <glib.h>
#include <time.h>

static inline double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static inline gint compare_doubles(gconstpointer a, gconstpointer b)
{
    double da = *(const double *)a, db = *(const double *)b;

    return (da > db) - (da < db);
}

/* Sorts @samples (doubles) and returns the middle one. */
static inline double median(GArray *samples)
{
    g_array_sort(samples, compare_doubles);
    return g_array_index(samples, double, samples->len / 2);
}

#endif
