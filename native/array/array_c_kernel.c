/* The array workload's pieces in C, compiled once per instruction-set path (src/isa.h; array_kernel.h
 * says what each does). Plain loops over contiguous columns, which GCC vectorizes at the path's
 * -march; the transposed reads go through small square tiles (TILE x TILE, in L1) so that every
 * inner loop runs along a row. No reassociation: y[i][j] = (x[i][j] + x[j][i]) - m[j] and the column
 * sums' row order are kept exactly; only the check sum's order is the kernel's (eight lanes). */
#include "array_kernel.h"
#include "splitmix.h"

#include <string.h>

#if INTEROP_ISA_LEVEL >= 2 && defined(__x86_64__)
#include <immintrin.h>
#endif

/* The edge of the square tiles a block is walked in: two tiles of x and one transposed (3 x 8 KiB). */
#define TILE 32
#define LANES 8

static inline double unit(uint64_t z)
{
    /* The top 53 bits as an integer below 2^53, exact in a double, times 2^-53. */
    return (double)(int64_t)(z >> 11) * 0x1p-53;
}

/* out[r][c] = src[c ld + r] for r < rows, c < cols: a tile read turned, from memory in one pass. On
 * the vector paths whole 4 x 4 squares are turned in registers (two unpacks and two lane permutes). */
static void transposed_load(const double *src, int64_t ld, int64_t rows, int64_t cols, double out[TILE][TILE])
{
    int64_t c0 = 0;
#if INTEROP_ISA_LEVEL >= 2 && defined(__x86_64__)
    int64_t whole_rows = rows - rows % 4, whole_cols = cols - cols % 4;
    for (; c0 < whole_cols; c0 += 4) {
        const double *s0 = src + c0 * ld, *s1 = s0 + ld, *s2 = s1 + ld, *s3 = s2 + ld;
        for (int64_t r0 = 0; r0 < whole_rows; r0 += 4) {
            __m256d a = _mm256_loadu_pd(s0 + r0), b = _mm256_loadu_pd(s1 + r0);
            __m256d c = _mm256_loadu_pd(s2 + r0), d = _mm256_loadu_pd(s3 + r0);
            __m256d ab_lo = _mm256_unpacklo_pd(a, b), ab_hi = _mm256_unpackhi_pd(a, b);
            __m256d cd_lo = _mm256_unpacklo_pd(c, d), cd_hi = _mm256_unpackhi_pd(c, d);
            _mm256_storeu_pd(&out[r0][c0], _mm256_permute2f128_pd(ab_lo, cd_lo, 0x20));
            _mm256_storeu_pd(&out[r0 + 1][c0], _mm256_permute2f128_pd(ab_hi, cd_hi, 0x20));
            _mm256_storeu_pd(&out[r0 + 2][c0], _mm256_permute2f128_pd(ab_lo, cd_lo, 0x31));
            _mm256_storeu_pd(&out[r0 + 3][c0], _mm256_permute2f128_pd(ab_hi, cd_hi, 0x31));
        }
        for (int64_t r = whole_rows; r < rows; ++r)
            for (int64_t c = c0; c < c0 + 4; ++c)
                out[r][c] = src[c * ld + r];
    }
#endif
    for (int64_t c = c0; c < cols; ++c)
        for (int64_t r = 0; r < rows; ++r)
            out[r][c] = src[c * ld + r];
}

/* buffer[r][c] = x[row0 + r][col0 + c] from the generator. */
static void generate_tile(const array_source *src, int64_t row0, int64_t col0, int64_t rows, int64_t cols,
                          double buffer[TILE][TILE])
{
    for (int64_t r = 0; r < rows; ++r) {
        uint64_t k = (uint64_t)((row0 + r) * src->n + col0);
        for (int64_t c = 0; c < cols; ++c)
            buffer[r][c] = unit(interop_mix(src->seed, k + (uint64_t)c));
    }
}

/* y's row segment = (a + t) - m, written to y (when kept; streamed past the caches where it is
 * aligned, as y is not read again), its sum into eight lanes and its bits into eight more. */
static inline void y_row(const double *restrict a, const double *restrict t, const double *restrict m, int64_t cols,
                         double *restrict y, double lanes[LANES], uint64_t bit_lanes[LANES])
{
    int64_t c = 0;
#if INTEROP_ISA_LEVEL >= 2 && defined(__x86_64__)
    if (y != NULL && ((uintptr_t)y & 31) == 0) {
        __m256d sum0 = _mm256_loadu_pd(lanes), sum1 = _mm256_loadu_pd(lanes + 4);
        __m256i bits0 = _mm256_loadu_si256((const __m256i *)bit_lanes);
        __m256i bits1 = _mm256_loadu_si256((const __m256i *)(bit_lanes + 4));
        for (; c + LANES <= cols; c += LANES) {
            __m256d v0 = _mm256_sub_pd(_mm256_add_pd(_mm256_loadu_pd(a + c), _mm256_loadu_pd(t + c)), _mm256_loadu_pd(m + c));
            __m256d v1 = _mm256_sub_pd(_mm256_add_pd(_mm256_loadu_pd(a + c + 4), _mm256_loadu_pd(t + c + 4)),
                                       _mm256_loadu_pd(m + c + 4));
            _mm256_stream_pd(y + c, v0);
            _mm256_stream_pd(y + c + 4, v1);
            sum0 = _mm256_add_pd(sum0, v0);
            sum1 = _mm256_add_pd(sum1, v1);
            bits0 = _mm256_add_epi64(bits0, _mm256_castpd_si256(v0));
            bits1 = _mm256_add_epi64(bits1, _mm256_castpd_si256(v1));
        }
        _mm256_storeu_pd(lanes, sum0);
        _mm256_storeu_pd(lanes + 4, sum1);
        _mm256_storeu_si256((__m256i *)bit_lanes, bits0);
        _mm256_storeu_si256((__m256i *)(bit_lanes + 4), bits1);
    }
#endif
    for (; c + LANES <= cols; c += LANES) {
        for (int l = 0; l < LANES; ++l) {
            double v = (a[c + l] + t[c + l]) - m[c + l];
            uint64_t bits;
            memcpy(&bits, &v, sizeof bits);
            lanes[l] += v;
            bit_lanes[l] += bits;
            if (y != NULL)
                y[c + l] = v;
        }
    }
    for (; c < cols; ++c) {
        double v = (a[c] + t[c]) - m[c];
        uint64_t bits;
        memcpy(&bits, &v, sizeof bits);
        lanes[0] += v;
        bit_lanes[0] += bits;
        if (y != NULL)
            y[c] = v;
    }
}

void INTEROP_ISA_NAME(interop_array_column_sums_c)(const array_source *src, int64_t first, int64_t rows,
                                                   int64_t col_begin, int64_t col_end, double *out)
{
    int64_t cols = col_end - col_begin;
    for (int64_t c = 0; c < cols; ++c)
        out[c] = 0.0;
    for (int64_t i = first; i < first + rows; ++i) {
        if (src->x != NULL) {
            const double *row = src->x + (i - src->row_begin) * src->ldx + col_begin;
            for (int64_t c = 0; c < cols; ++c)
                out[c] += row[c];
        } else {
            uint64_t k = (uint64_t)(i * src->n + col_begin);
            for (int64_t c = 0; c < cols; ++c)
                out[c] += unit(interop_mix(src->seed, k + (uint64_t)c));
        }
    }
}

array_partial INTEROP_ISA_NAME(interop_array_block_c)(const array_source *src, const double *m, int64_t i0,
                                                      int64_t i1, int64_t j0, int64_t j1, int32_t pair, double *y,
                                                      int64_t ldy)
{
    double lanes[LANES] = {0};
    uint64_t bit_lanes[LANES] = {0};
    /* x from memory is read where it lies (rows of the tile and of its partner by pointer); only the
     * turned tiles are copies. Generated x is made into a and s first. */
    double a[TILE][TILE], s[TILE][TILE], t[TILE][TILE], at[TILE][TILE];
    int64_t rb = src->row_begin;
    for (int64_t ti = i0; ti < i1; ti += TILE) {
        int64_t rows = i1 - ti < TILE ? i1 - ti : TILE;
        /* A diagonal tile of a pair is its own partner: walk only the tiles on and above it. */
        for (int64_t tj = pair && j0 == i0 ? ti : j0; tj < j1; tj += TILE) {
            int64_t cols = j1 - tj < TILE ? j1 - tj : TILE;
            int partner = pair && !(j0 == i0 && tj == ti);
            const double *a_rows, *s_rows; /* x[ti + r][tj ..] and x[tj + c][ti ..], their row strides */
            int64_t a_ld, s_ld;
            if (src->x == NULL) {
                generate_tile(src, ti, tj, rows, cols, a);
                generate_tile(src, tj, ti, cols, rows, s);
                a_rows = &a[0][0];
                s_rows = &s[0][0];
                a_ld = s_ld = TILE;
            } else {
                a_rows = src->x + (ti - rb) * src->ldx + tj;
                a_ld = src->ldx;
                /* x[tj + c][ti + r] from the transposed columns (the rows of x themselves when xt is x). */
                s_rows = src->xt + tj * src->ldxt + (ti - rb);
                s_ld = src->ldxt;
            }
            transposed_load(s_rows, s_ld, rows, cols, t); /* t[r][c] = x[tj + c][ti + r] */
            for (int64_t r = 0; r < rows; ++r)
                y_row(a_rows + r * a_ld, t[r], m + tj, cols, y == NULL ? NULL : y + (ti + r - rb) * ldy + tj, lanes,
                      bit_lanes);
            if (partner) {
                /* The partner tile, rows tj.. and columns ti..: y[tj + c][ti + r] = (x[tj + c][ti + r] + x[ti + r][tj + c]) - m[ti + r]. */
                transposed_load(a_rows, a_ld, cols, rows, at); /* at[c][r] = x[ti + r][tj + c] */
                for (int64_t c = 0; c < cols; ++c)
                    y_row(s_rows + c * s_ld, at[c], m + ti, rows, y == NULL ? NULL : y + (tj + c - rb) * ldy + ti,
                          lanes, bit_lanes);
            }
        }
    }
#if INTEROP_ISA_LEVEL >= 2 && defined(__x86_64__)
    /* The streamed stores are weakly ordered: drained before the piece counts as done. */
    _mm_sfence();
#endif
    array_partial partial = {0.0, 0};
    for (int l = 0; l < LANES; ++l) {
        partial.sum += lanes[l];
        partial.checksum += bit_lanes[l];
    }
    return partial;
}

void INTEROP_ISA_NAME(interop_array_generate_c)(uint64_t seed, int64_t n, int64_t first, int64_t rows,
                                                int64_t col_begin, int64_t col_end, double *out, int64_t ldout)
{
    for (int64_t r = 0; r < rows; ++r) {
        double *row = out + r * ldout;
        uint64_t k = (uint64_t)((first + r) * n);
        for (int64_t j = col_begin; j < col_end; ++j)
            row[j] = unit(interop_mix(seed, k + (uint64_t)j));
    }
}
