// The array workload's pieces (interop_array.h; array_kernels.hpp says what each does) for the
// cpp-threads backend, one instruction-set path per compilation: CMake compiles this file once per path
// with that path's -march, INTEROP_CPP_ISA_LEVEL and INTEROP_CPP_ISA_NAMESPACE (as src/kernels.cpp), and
// with -ffp-contract=off, so that y and the column sums round as the spec's loops do.
//
// The algorithm is the C kernel's (native/array/array_c_kernel.c): x from memory is read where it lies
// (rows by pointer and stride), and only the transposed reads go through a small square tile (TILE x
// TILE, in L1), so that every inner loop runs along a row. On the vector paths (avx2, avx512: 256-bit
// AVX2 intrinsics on both, as the C kernel's) the tile is turned in 4 x 4 register squares, and y's rows
// are computed in explicit vectors and streamed past the caches where y is 32-byte aligned, since y is
// not read again. The scalar path is plain loops, no intrinsics. No reassociation:
// y[i][j] = (x[i][j] + x[j][i]) - m[j] and the column sums' row order are kept exactly; only the check
// sum's order is the kernel's (eight lanes).
//
// No inline function or template here may be shared with another path's copy (src/isa_kernels.hpp):
// everything is in an anonymous namespace, splitmix.h's mix is static, the intrinsics are always
// inlined, and the standard library is not used (the GCC builtin memcpy instead).
#include "array_kernels.hpp"

#include "interop.h"
#include "splitmix.h"

#include <stdint.h>

#if !defined(INTEROP_CPP_ISA_LEVEL) || !defined(INTEROP_CPP_ISA_NAMESPACE)
#error "array_kernels.cpp is compiled once per path: INTEROP_CPP_ISA_LEVEL and INTEROP_CPP_ISA_NAMESPACE"
#endif

#if INTEROP_CPP_ISA_LEVEL >= INTEROP_ISA_AVX2 && defined(__AVX2__)
#include "x86_intrinsics.hpp" // only 256-bit intrinsics are used here, on the avx2 and avx512 paths
#define ARRAY_VECTOR 1
#endif

namespace interop_cpp {
namespace INTEROP_CPP_ISA_NAMESPACE {
namespace {

// The edge of the square tiles a block is walked in: the turned tile of x (8 KiB, in L1); generated x
// takes two more.
constexpr int64_t tile = 32;
constexpr int lanes = 8;

using Tile = double[tile][tile];

// The top 53 bits as an integer below 2^53, exact in a double, times 2^-53 (exact too).
double unit(uint64_t z)
{
    return static_cast<double>(static_cast<int64_t>(z >> 11)) * 0x1p-53;
}

// out[r][c] = src[c ld + r] for r < rows, c < cols: a tile read turned, from memory in one pass. On the
// vector paths whole 4 x 4 squares are turned in registers (two unpacks and two lane permutes).
void transposed_load(const double *src, int64_t ld, int64_t rows, int64_t cols, Tile &out)
{
    int64_t c0 = 0;
#if defined(ARRAY_VECTOR)
    const int64_t whole_rows = rows - rows % 4, whole_cols = cols - cols % 4;
    for (; c0 < whole_cols; c0 += 4) {
        const double *s0 = src + c0 * ld, *s1 = s0 + ld, *s2 = s1 + ld, *s3 = s2 + ld;
        for (int64_t r0 = 0; r0 < whole_rows; r0 += 4) {
            const __m256d a = _mm256_loadu_pd(s0 + r0), b = _mm256_loadu_pd(s1 + r0);
            const __m256d c = _mm256_loadu_pd(s2 + r0), d = _mm256_loadu_pd(s3 + r0);
            const __m256d ab_lo = _mm256_unpacklo_pd(a, b), ab_hi = _mm256_unpackhi_pd(a, b);
            const __m256d cd_lo = _mm256_unpacklo_pd(c, d), cd_hi = _mm256_unpackhi_pd(c, d);
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

// buffer[r][c] = x[row0 + r][col0 + c] from the generator.
void generate_tile(const ArraySource &src, int64_t row0, int64_t col0, int64_t rows, int64_t cols, Tile &buffer)
{
    for (int64_t r = 0; r < rows; ++r) {
        const uint64_t k = static_cast<uint64_t>((row0 + r) * src.n + col0);
        for (int64_t c = 0; c < cols; ++c)
            buffer[r][c] = unit(interop_mix(src.seed, k + static_cast<uint64_t>(c)));
    }
}

// y's row segment = (a + t) - m, in that order, written to y (when kept; on the vector paths streamed
// past the caches where it is aligned, as y is not read again), its sum into eight lanes and its bits
// into eight more. Inline (as the C kernel's static inline): the lanes then stay in registers across a
// tile's rows.
inline void y_row(const double *__restrict__ a, const double *__restrict__ t, const double *__restrict__ m,
                  int64_t cols, double *__restrict__ y, double (&sum_lanes)[lanes], uint64_t (&bit_lanes)[lanes])
{
    int64_t c = 0;
#if defined(ARRAY_VECTOR)
    if (y != nullptr && (reinterpret_cast<uintptr_t>(y) & 31) == 0) {
        __m256d sum0 = _mm256_loadu_pd(sum_lanes), sum1 = _mm256_loadu_pd(sum_lanes + 4);
        __m256i bits0 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bit_lanes));
        __m256i bits1 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bit_lanes + 4));
        for (; c + lanes <= cols; c += lanes) {
            const __m256d v0 =
                _mm256_sub_pd(_mm256_add_pd(_mm256_loadu_pd(a + c), _mm256_loadu_pd(t + c)), _mm256_loadu_pd(m + c));
            const __m256d v1 = _mm256_sub_pd(_mm256_add_pd(_mm256_loadu_pd(a + c + 4), _mm256_loadu_pd(t + c + 4)),
                                             _mm256_loadu_pd(m + c + 4));
            _mm256_stream_pd(y + c, v0);
            _mm256_stream_pd(y + c + 4, v1);
            sum0 = _mm256_add_pd(sum0, v0);
            sum1 = _mm256_add_pd(sum1, v1);
            bits0 = _mm256_add_epi64(bits0, _mm256_castpd_si256(v0));
            bits1 = _mm256_add_epi64(bits1, _mm256_castpd_si256(v1));
        }
        _mm256_storeu_pd(sum_lanes, sum0);
        _mm256_storeu_pd(sum_lanes + 4, sum1);
        _mm256_storeu_si256(reinterpret_cast<__m256i *>(bit_lanes), bits0);
        _mm256_storeu_si256(reinterpret_cast<__m256i *>(bit_lanes + 4), bits1);
    }
#endif
    for (; c + lanes <= cols; c += lanes) {
        for (int l = 0; l < lanes; ++l) {
            const double v = (a[c + l] + t[c + l]) - m[c + l];
            uint64_t bits;
            __builtin_memcpy(&bits, &v, sizeof bits);
            sum_lanes[l] += v;
            bit_lanes[l] += bits;
            if (y != nullptr)
                y[c + l] = v;
        }
    }
    for (; c < cols; ++c) {
        const double v = (a[c] + t[c]) - m[c];
        uint64_t bits;
        __builtin_memcpy(&bits, &v, sizeof bits);
        sum_lanes[0] += v;
        bit_lanes[0] += bits;
        if (y != nullptr)
            y[c] = v;
    }
}

void column_sums(const ArraySource &src, int64_t first, int64_t rows, int64_t col_begin, int64_t col_end,
                 double *out)
{
    const int64_t cols = col_end - col_begin;
    for (int64_t c = 0; c < cols; ++c)
        out[c] = 0.0;
    for (int64_t i = first; i < first + rows; ++i) {
        if (src.x != nullptr) {
            const double *row = src.x + (i - src.row_begin) * src.ldx + col_begin;
            for (int64_t c = 0; c < cols; ++c)
                out[c] += row[c];
        } else {
            const uint64_t k = static_cast<uint64_t>(i * src.n + col_begin);
            for (int64_t c = 0; c < cols; ++c)
                out[c] += unit(interop_mix(src.seed, k + static_cast<uint64_t>(c)));
        }
    }
}

ArrayPartial block(const ArraySource &src, const double *m, int64_t i0, int64_t i1, int64_t j0, int64_t j1, bool pair,
                   double *y, int64_t ldy)
{
    double sum_lanes[lanes] = {};
    uint64_t bit_lanes[lanes] = {};
    // x from memory is read where it lies (rows of the tile and of its partner by pointer); only the
    // turned tiles are copies. Generated x is made into a and s first.
    Tile a, s, t, at;
    const int64_t rb = src.row_begin;
    for (int64_t ti = i0; ti < i1; ti += tile) {
        const int64_t rows = i1 - ti < tile ? i1 - ti : tile;
        // A diagonal tile of a pair is its own partner: walk only the tiles on and above it.
        for (int64_t tj = pair && j0 == i0 ? ti : j0; tj < j1; tj += tile) {
            const int64_t cols = j1 - tj < tile ? j1 - tj : tile;
            const bool partner = pair && !(j0 == i0 && tj == ti);
            const double *a_rows, *s_rows;  // x[ti + r][tj ..] and x[tj + c][ti ..], their row strides
            int64_t a_ld, s_ld;
            if (src.x == nullptr) {
                generate_tile(src, ti, tj, rows, cols, a);
                generate_tile(src, tj, ti, cols, rows, s);
                a_rows = &a[0][0];
                s_rows = &s[0][0];
                a_ld = s_ld = tile;
            } else {
                a_rows = src.x + (ti - rb) * src.ldx + tj;
                a_ld = src.ldx;
                // x[tj + c][ti + r] from the transposed columns (the rows of x themselves when xt is x).
                s_rows = src.xt + tj * src.ldxt + (ti - rb);
                s_ld = src.ldxt;
            }
            transposed_load(s_rows, s_ld, rows, cols, t);  // t[r][c] = x[tj + c][ti + r]
            for (int64_t r = 0; r < rows; ++r)
                y_row(a_rows + r * a_ld, t[r], m + tj, cols, y == nullptr ? nullptr : y + (ti + r - rb) * ldy + tj,
                      sum_lanes, bit_lanes);
            if (partner) {
                // The partner tile, rows tj.. and columns ti..:
                // y[tj + c][ti + r] = (x[tj + c][ti + r] + x[ti + r][tj + c]) - m[ti + r].
                transposed_load(a_rows, a_ld, cols, rows, at);  // at[c][r] = x[ti + r][tj + c]
                for (int64_t c = 0; c < cols; ++c)
                    y_row(s_rows + c * s_ld, at[c], m + ti, rows, y == nullptr ? nullptr : y + (tj + c - rb) * ldy + ti,
                          sum_lanes, bit_lanes);
            }
        }
    }
#if defined(ARRAY_VECTOR)
    // The streamed stores are weakly ordered: drained before the piece counts as done.
    _mm_sfence();
#endif
    ArrayPartial partial = {0.0, 0};
    for (int l = 0; l < lanes; ++l) {
        partial.sum += sum_lanes[l];
        partial.checksum += bit_lanes[l];
    }
    return partial;
}

void generate(uint64_t seed, int64_t n, int64_t first, int64_t rows, int64_t col_begin, int64_t col_end, double *out,
              int64_t ldout)
{
    for (int64_t r = 0; r < rows; ++r) {
        double *row = out + r * ldout;
        const uint64_t k = static_cast<uint64_t>((first + r) * n);
        for (int64_t j = col_begin; j < col_end; ++j)
            row[j] = unit(interop_mix(seed, k + static_cast<uint64_t>(j)));
    }
}

}  // namespace

extern const ArrayKernels array_kernels = {INTEROP_CPP_ISA_LEVEL, column_sums, block, generate};

}  // namespace INTEROP_CPP_ISA_NAMESPACE
}  // namespace interop_cpp
