/* Helpers shared by the C kernels, the scalapack wrapper and the benchmarks: the spec's
 * counter-based generator and the exact range splitter. Not part of the exported ABI. */
#ifndef INTEROP_SPLITMIX_H
#define INTEROP_SPLITMIX_H

#include <stdint.h>

#define INTEROP_GOLDEN UINT64_C(0x9E3779B97F4A7C15)
#define INTEROP_MIX1 UINT64_C(0xBF58476D1CE4E5B9)
#define INTEROP_MIX2 UINT64_C(0x94D049BB133111EB)

/* SplitMix64's output function applied to counter k of the stream seeded s. */
static inline uint64_t interop_mix(uint64_t s, uint64_t k)
{
    uint64_t z = s + (k + 1) * INTEROP_GOLDEN;
    z = (z ^ (z >> 30)) * INTEROP_MIX1;
    z = (z ^ (z >> 27)) * INTEROP_MIX2;
    return z ^ (z >> 31);
}

/* Part `index` of `parts` of [begin, end): every element exactly once, the remainder spread one
 * each over the first parts (the same rule as the managed RangeSplitter). */
static inline void interop_split(int64_t begin, int64_t end, int64_t parts, int64_t index,
                                 int64_t *part_begin, int64_t *part_end)
{
    int64_t n = end - begin;
    int64_t q = n / parts;
    int64_t r = n % parts;
    int64_t extra_before = index < r ? index : r;
    *part_begin = begin + index * q + extra_before;
    *part_end = *part_begin + q + (index < r ? 1 : 0);
}

#endif
