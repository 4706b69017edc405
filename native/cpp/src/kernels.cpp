// The cpp-threads kernels of one instruction-set path: the pi counting loop and one thread's share of
// the blocked inversion. CMake compiles this file once per path with that path's -march and
//   INTEROP_CPP_ISA_LEVEL      1 scalar (x86-64), 2 avx2 (x86-64-v3), 3 avx512 (x86-64-v4)
//   INTEROP_CPP_ISA_NAMESPACE  isa_scalar, isa_avx2, isa_avx512
// and links the copies side by side; exports.cpp picks one at run time.
//
// The algorithms are those of the C kernels (native/src/pi_c_kernel.c, native/src/lu_inverse_c.c),
// which explain them at length; the comments here say where this port differs. The one register
// micro-kernel is a template over a vector type (the path's register: 2, 4 or 8 doubles) and the tile
// shape, which follows the register file as in C:
//   avx512  16 x 12: 2 x 12 zmm accumulators + 2 for A + 1 broadcast of B, of 32 registers;
//   avx2     8 x 6:  2 x 6 ymm accumulators + 2 for A + 1 broadcast, of 16;
//   scalar   4 x 4:  2 x 4 xmm accumulators (SSE2 has no FMA: a multiply and an add each).
// Where C uses OpenMP, this uses the plan's std::thread team: a "single" is thread 0 followed by a
// barrier, a dynamic loop an atomic counter in InverseWork, a static loop contiguous chunks.
//
// No inline function or template here may be shared with another path's copy (isa_kernels.hpp):
// everything is in an anonymous namespace, and the standard library is not used (the GCC builtins
// for memcpy, fabs, isfinite, cbrt and the atomics instead).
#include "isa_kernels.hpp"

#include "interop.h"

#include <stdint.h>

#if !defined(INTEROP_CPP_ISA_LEVEL) || !defined(INTEROP_CPP_ISA_NAMESPACE)
#error "kernels.cpp is compiled once per path: INTEROP_CPP_ISA_LEVEL and INTEROP_CPP_ISA_NAMESPACE"
#endif

#if INTEROP_CPP_ISA_LEVEL == INTEROP_ISA_AVX512 && defined(__AVX512F__) && defined(__AVX512DQ__)
#include "x86_intrinsics.hpp"
#define KERNEL_AVX512 1
#elif INTEROP_CPP_ISA_LEVEL == INTEROP_ISA_AVX2 && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define KERNEL_AVX2 1
#endif

namespace interop_cpp {
namespace INTEROP_CPP_ISA_NAMESPACE {
namespace {

// ---------------------------------------------------------------------------------------------
// Monte Carlo pi: SplitMix64 (docs/workload-spec.md), counts bit-identical to C's.
// ---------------------------------------------------------------------------------------------

constexpr uint64_t golden = 0x9E3779B97F4A7C15ULL;
constexpr uint64_t mix1 = 0xBF58476D1CE4E5B9ULL;
constexpr uint64_t mix2 = 0x94D049BB133111EBULL;
// Below 2^62 means inside: x, y are 31-bit, so x*x + y*y is exact in 64 bits.
constexpr uint64_t radius_squared = 1ULL << 62;

inline uint64_t mix(uint64_t seed, uint64_t k)
{
    uint64_t z = seed + (k + 1) * golden;
    z = (z ^ (z >> 30)) * mix1;
    z = (z ^ (z >> 27)) * mix2;
    return z ^ (z >> 31);
}

// The reference loop, straight from the spec (the scalar path, and the vector paths' tails).
uint64_t count_scalar(uint64_t seed, uint64_t begin, uint64_t end)
{
    uint64_t inside = 0;
    for (uint64_t k = begin; k < end; ++k) {
        uint64_t z = mix(seed, k);
        uint64_t x = static_cast<uint32_t>(z >> 32) >> 1;
        uint64_t y = static_cast<uint32_t>(z) >> 1;
        inside += (x * x + y * y) < radius_squared;
    }
    return inside;
}

#if defined(KERNEL_AVX512)
// 8 darts per vector; vpmullq for the generator, vpmuludq for the 31-bit squares, a masked
// subtract of -1 for the count.
inline __m512i pi_block(__m512i z, __m512i inside)
{
    const __m512i m1 = _mm512_set1_epi64(static_cast<long long>(mix1));
    const __m512i m2 = _mm512_set1_epi64(static_cast<long long>(mix2));
    const __m512i r2_limit = _mm512_set1_epi64(static_cast<long long>(radius_squared));
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), m1);
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), m2);
    z = _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
    __m512i x = _mm512_srli_epi64(z, 33);
    __m512i y = _mm512_srli_epi32(z, 1);  // (uint32)z >> 1 in each lane's low half
    __m512i r2 = _mm512_add_epi64(_mm512_mul_epu32(x, x), _mm512_mul_epu32(y, y));
    __mmask8 hit = _mm512_cmplt_epu64_mask(r2, r2_limit);
    return _mm512_mask_sub_epi64(inside, hit, inside, _mm512_set1_epi64(-1));
}

// Four vectors in flight (32 darts per iteration); the counter is advanced by addition.
uint64_t count_range(uint64_t seed, uint64_t begin, uint64_t end)
{
    constexpr int lanes = 8, unroll = 4;
    const uint64_t n = end - begin;
    const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i g = _mm512_set1_epi64(static_cast<long long>(golden));
    const __m512i step = _mm512_set1_epi64(static_cast<long long>(lanes * unroll * golden));
    const __m512i z0 = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(seed + (begin + 1) * golden)),
                                        _mm512_mullo_epi64(lane, g));
    __m512i z[unroll], inside[unroll];
    for (int u = 0; u < unroll; ++u) {
        z[u] = _mm512_add_epi64(z0, _mm512_set1_epi64(static_cast<long long>(static_cast<uint64_t>(u * lanes) * golden)));
        inside[u] = _mm512_setzero_si512();
    }
    uint64_t i = 0;
    for (; i + lanes * unroll <= n; i += lanes * unroll) {
        for (int u = 0; u < unroll; ++u) {
            inside[u] = pi_block(z[u], inside[u]);
            z[u] = _mm512_add_epi64(z[u], step);
        }
    }
    uint64_t total = 0;
    for (int u = 0; u < unroll; ++u)
        total += static_cast<uint64_t>(_mm512_reduce_add_epi64(inside[u]));
    return total + count_scalar(seed, begin + i, end);
}

#elif defined(KERNEL_AVX2)
// z * c modulo 2^64 for a constant c without vpmullq: the low product is one vpmuludq, the two
// cross terms (wanted modulo 2^32) the halves of one vpmulld by c with its halves swapped.
inline __m256i mul64_const(__m256i z, __m256i c, __m256i c_swap, __m256i high_half)
{
    __m256i low = _mm256_mul_epu32(z, c);
    __m256i cross = _mm256_mullo_epi32(z, c_swap);
    cross = _mm256_and_si256(_mm256_add_epi64(cross, _mm256_slli_epi64(cross, 32)), high_half);
    return _mm256_add_epi64(low, cross);
}

// 4 darts per vector. x*x + y*y < 2^63, so bit 62 alone says "outside": the kernel counts the darts
// outside with a shift and an add.
inline __m256i pi_block(__m256i z, __m256i outside, __m256i m1, __m256i m1_swap, __m256i m2, __m256i m2_swap,
                        __m256i high_half)
{
    z = mul64_const(_mm256_xor_si256(z, _mm256_srli_epi64(z, 30)), m1, m1_swap, high_half);
    z = mul64_const(_mm256_xor_si256(z, _mm256_srli_epi64(z, 27)), m2, m2_swap, high_half);
    z = _mm256_xor_si256(z, _mm256_srli_epi64(z, 31));
    __m256i x = _mm256_srli_epi64(z, 33);
    __m256i y = _mm256_srli_epi32(z, 1);
    __m256i r2 = _mm256_add_epi64(_mm256_mul_epu32(x, x), _mm256_mul_epu32(y, y));
    return _mm256_add_epi64(outside, _mm256_srli_epi64(r2, 62));
}

// Four vectors in flight (16 darts per iteration).
uint64_t count_range(uint64_t seed, uint64_t begin, uint64_t end)
{
    constexpr int lanes = 4, unroll = 4;
    const uint64_t n = end - begin;
    const __m256i m1 = _mm256_set1_epi64x(static_cast<long long>(mix1));
    const __m256i m1_swap = _mm256_set1_epi64x(static_cast<long long>(mix1 >> 32 | mix1 << 32));
    const __m256i m2 = _mm256_set1_epi64x(static_cast<long long>(mix2));
    const __m256i m2_swap = _mm256_set1_epi64x(static_cast<long long>(mix2 >> 32 | mix2 << 32));
    const __m256i high_half = _mm256_set1_epi64x(static_cast<long long>(0xFFFFFFFF00000000ULL));
    const __m256i step = _mm256_set1_epi64x(static_cast<long long>(lanes * unroll * golden));
    const uint64_t z0 = seed + (begin + 1) * golden;
    __m256i z[unroll], outside[unroll];
    for (int u = 0; u < unroll; ++u) {
        uint64_t first = z0 + static_cast<uint64_t>(u * lanes) * golden;
        z[u] = _mm256_set_epi64x(static_cast<long long>(first + 3 * golden), static_cast<long long>(first + 2 * golden),
                                 static_cast<long long>(first + golden), static_cast<long long>(first));
        outside[u] = _mm256_setzero_si256();
    }
    uint64_t i = 0;
    for (; i + lanes * unroll <= n; i += lanes * unroll) {
        for (int u = 0; u < unroll; ++u) {
            outside[u] = pi_block(z[u], outside[u], m1, m1_swap, m2, m2_swap, high_half);
            z[u] = _mm256_add_epi64(z[u], step);
        }
    }
    __m256i sum = _mm256_add_epi64(_mm256_add_epi64(outside[0], outside[1]), _mm256_add_epi64(outside[2], outside[3]));
    uint64_t lane_sums[lanes];
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(lane_sums), sum);
    return i - (lane_sums[0] + lane_sums[1] + lane_sums[2] + lane_sums[3]) + count_scalar(seed, begin + i, end);
}

#else
uint64_t count_range(uint64_t seed, uint64_t begin, uint64_t end)
{
    return count_scalar(seed, begin, end);
}
#endif

// ---------------------------------------------------------------------------------------------
// Inversion: the path's vector type and block sizes.
// ---------------------------------------------------------------------------------------------

#if defined(KERNEL_AVX512)
struct Vec {
    using reg = __m512d;
    static constexpr int lanes = 8;
    static constexpr bool prefetch_c = true;
    static reg zero() { return _mm512_setzero_pd(); }
    static reg load_aligned(const double *p) { return _mm512_load_pd(p); }
    static reg load(const double *p) { return _mm512_loadu_pd(p); }
    static void store(double *p, reg v) { _mm512_storeu_pd(p, v); }
    static reg broadcast(const double *p) { return _mm512_set1_pd(*p); }
    static reg fma(reg a, reg b, reg c) { return _mm512_fmadd_pd(a, b, c); }
    static reg sub(reg a, reg b) { return _mm512_sub_pd(a, b); }
};
// B sliver 12 KiB of a 32-48 KiB L1; A block 192 KiB (scaled from AVX2's, as in C).
constexpr Blocking blocking = {16, 12, 256, 192, 1536, 128};
#elif defined(KERNEL_AVX2)
struct Vec {
    using reg = __m256d;
    static constexpr int lanes = 4;
    static constexpr bool prefetch_c = true;
    static reg zero() { return _mm256_setzero_pd(); }
    static reg load_aligned(const double *p) { return _mm256_load_pd(p); }
    static reg load(const double *p) { return _mm256_loadu_pd(p); }
    static void store(double *p, reg v) { _mm256_storeu_pd(p, v); }
    static reg broadcast(const double *p) { return _mm256_broadcast_sd(p); }
    static reg fma(reg a, reg b, reg c) { return _mm256_fmadd_pd(a, b, c); }
    static reg sub(reg a, reg b) { return _mm256_sub_pd(a, b); }
};
// Zen 3: B sliver 6 KiB of the 32 KiB L1; A block 96 KiB of the 512 KiB L2 (C's measured sizes).
constexpr Blocking blocking = {8, 6, 256, 96, 1536, 128};
#else
// GCC vectors of two doubles: SSE2 registers on x86-64, whatever fits elsewhere. memcpy moves them
// (no alignment or aliasing assumptions; plain vector loads once compiled).
struct Vec {
    typedef double reg __attribute__((vector_size(16)));
    static constexpr int lanes = 2;
    static constexpr bool prefetch_c = false;
    static reg zero() { return reg{0.0, 0.0}; }
    static reg load_aligned(const double *p) { return load(p); }
    static reg load(const double *p)
    {
        reg v;
        __builtin_memcpy(&v, p, sizeof v);
        return v;
    }
    static void store(double *p, reg v) { __builtin_memcpy(p, &v, sizeof v); }
    static reg broadcast(const double *p) { return reg{*p, *p}; }
    static reg fma(reg a, reg b, reg c) { return c + a * b; }
    static reg sub(reg a, reg b) { return a - b; }
};
constexpr Blocking blocking = {4, 4, 256, 128, 1536, 128};
#endif

constexpr int64_t MR = blocking.mr, NR = blocking.nr, KC = blocking.kc, MC = blocking.mc, NC = blocking.nc,
                  NB = blocking.nb;

// The solves multiply a block row by a diagonal block's inverse in place: gemm packs all k rows of
// its B before it writes C, which holds only while a GEMM's k fits one packed panel.
static_assert(NB <= KC, "a block's GEMMs must fit one packed KC panel");
static_assert(NC % NR == 0 && MC % MR == 0, "blocks are whole slivers");
static_assert(MR % Vec::lanes == 0, "a micro-tile's column is whole vectors");

inline int64_t min64(int64_t x, int64_t y)
{
    return x < y ? x : y;
}

// Element (i, j) of the column-major matrix at a with leading dimension ld.
inline double &at(double *a, int64_t ld, int64_t i, int64_t j)
{
    return a[i + j * ld];
}
inline const double &at(const double *a, int64_t ld, int64_t i, int64_t j)
{
    return a[i + j * ld];
}

// How a micro-tile is written: C -= A B (the updates) or C = A B (the multiplications by an inverse).
enum class Mode { update, set };

// The shape of the packed A in a GEMM: general, or a triangle whose zero micro-tiles are skipped.
enum class Shape { full, lower, upper };

// ---- The register micro-kernel: acc = Ap[MR x kc] Bp[kc x NR], both packed k-major (Ap 64-byte
// aligned), the MR/lanes x NR accumulators in registers over the whole depth; then C -= acc or
// C = acc on a full MR x NR tile of C (column stride ldc). The loops over the tile have constant
// trips and are unrolled completely, so that every accumulator is a register of its own. ----
template <class V, int64_t TileRows, int64_t TileColumns>
inline void micro_kernel(int64_t kc, const double *__restrict a, const double *__restrict b, double *__restrict c,
                         int64_t ldc, Mode mode)
{
    constexpr int64_t vectors = TileRows / V::lanes;
    typename V::reg acc[TileColumns][vectors];
#pragma GCC unroll 16
    for (int64_t j = 0; j < TileColumns; ++j)
#pragma GCC unroll 4
        for (int64_t v = 0; v < vectors; ++v)
            acc[j][v] = V::zero();
    if (V::prefetch_c) {
        // The tile of C is written at the end: start fetching its columns (two lines each) now.
#pragma GCC unroll 16
        for (int64_t j = 0; j < TileColumns; ++j) {
            __builtin_prefetch(c + j * ldc, 1);
            __builtin_prefetch(c + j * ldc + TileRows - 1, 1);
        }
    }
    // Unrolled: the loop's own adds, compare and branch are a sixth of the AVX2 loop's instructions
    // otherwise (C measured +5-9% for the whole inversion on Zen 3).
#pragma GCC unroll 4
    for (int64_t k = 0; k < kc; ++k, a += TileRows, b += TileColumns) {
        typename V::reg av[vectors];
#pragma GCC unroll 4
        for (int64_t v = 0; v < vectors; ++v)
            av[v] = V::load_aligned(a + v * V::lanes);
#pragma GCC unroll 16
        for (int64_t j = 0; j < TileColumns; ++j) {
            const typename V::reg bj = V::broadcast(b + j);
#pragma GCC unroll 4
            for (int64_t v = 0; v < vectors; ++v)
                acc[j][v] = V::fma(av[v], bj, acc[j][v]);
        }
    }
#pragma GCC unroll 16
    for (int64_t j = 0; j < TileColumns; ++j) {
        double *cj = c + ldc * j;
#pragma GCC unroll 4
        for (int64_t v = 0; v < vectors; ++v) {
            double *p = cj + v * V::lanes;
            V::store(p, mode == Mode::set ? acc[j][v] : V::sub(V::load(p), acc[j][v]));
        }
    }
}

// ---- Packing and the blocking loops. ----

// Packs the mc x kc block of A into MR-row slivers (zero-padded), k-major inside a sliver.
void pack_a(int64_t mc, int64_t kc, const double *a, int64_t lda, double *__restrict out)
{
    for (int64_t i0 = 0; i0 < mc; i0 += MR) {
        const double *src = a + i0;
        if (mc - i0 >= MR) {
            for (int64_t k = 0; k < kc; ++k, out += MR)
                __builtin_memcpy(out, src + k * lda, sizeof(double) * MR);
        } else {
            int64_t mr = mc - i0;
            for (int64_t k = 0; k < kc; ++k, out += MR) {
                int64_t i = 0;
                for (; i < mr; ++i)
                    out[i] = src[i + k * lda];
                for (; i < MR; ++i)
                    out[i] = 0.0;
            }
        }
    }
}

// Packs the kc x nc block of B into NR-column slivers (zero-padded), k-major inside a sliver.
void pack_b(int64_t kc, int64_t nc, const double *b, int64_t ldb, double *__restrict out)
{
    for (int64_t j0 = 0; j0 < nc; j0 += NR, out += NR * kc) {
        int64_t nr = min64(nc - j0, NR);
        for (int64_t j = 0; j < nr; ++j) {
            const double *src = b + (j0 + j) * ldb;
            for (int64_t k = 0; k < kc; ++k)
                out[k * NR + j] = src[k];
        }
        for (int64_t j = nr; j < NR; ++j)
            for (int64_t k = 0; k < kc; ++k)
                out[k * NR + j] = 0.0;
    }
}

// One thread's packing buffers.
struct PackBuffers {
    double *a;  // MC x KC
    double *b;  // KC x NC, or less for a small matrix
};

// Every micro-tile of C[mc x nc] from the packed Ap and Bp; with a triangular A (row0: this block's
// first row in it) the k range of a sliver stops at its diagonal.
void macro_kernel(int64_t mc, int64_t nc, int64_t kc, const double *pa, const double *pb, double *c, int64_t ldc,
                  Mode mode, Shape shape, int64_t row0)
{
    for (int64_t j = 0; j < nc; j += NR) {
        int64_t nr = min64(nc - j, NR);
        for (int64_t i = 0; i < mc; i += MR) {
            int64_t mr = min64(mc - i, MR);
            int64_t k_begin = 0, k_end = kc;
            if (shape == Shape::lower)
                k_end = min64(kc, row0 + i + MR);
            else if (shape == Shape::upper)
                k_begin = min64(kc, row0 + i);
            const double *ap = pa + i * kc + k_begin * MR, *bp = pb + j * kc + k_begin * NR;
            double *cij = &at(c, ldc, i, j);
            if (mr == MR && nr == NR) {
                micro_kernel<Vec, MR, NR>(k_end - k_begin, ap, bp, cij, ldc, mode);
            } else {
                // Edge tile: a full tile into a buffer, then only its mr x nr corner into C.
                alignas(64) double tile[MR * NR];
                micro_kernel<Vec, MR, NR>(k_end - k_begin, ap, bp, tile, MR, Mode::set);
                for (int64_t jj = 0; jj < nr; ++jj)
                    for (int64_t ii = 0; ii < mr; ++ii)
                        at(cij, ldc, ii, jj) =
                            mode == Mode::set ? tile[ii + jj * MR] : at(cij, ldc, ii, jj) - tile[ii + jj * MR];
            }
        }
    }
}

// C[m x n] -= A[m x k] B[k x n] (update) or C = A B (set), column-major, on the calling thread. set
// and a triangular shape need k <= KC; then C may be B itself (B's rows are packed before C is written).
void gemm(int64_t m, int64_t n, int64_t k, const double *a, int64_t lda, const double *b, int64_t ldb, double *c,
          int64_t ldc, Mode mode, Shape shape, const PackBuffers &pack)
{
    if (m <= 0 || n <= 0 || k <= 0)
        return;
    for (int64_t jc = 0; jc < n; jc += NC) {
        int64_t nc = min64(n - jc, NC);
        for (int64_t pc = 0; pc < k; pc += KC) {
            int64_t kc = min64(k - pc, KC);
            pack_b(kc, nc, &at(b, ldb, pc, jc), ldb, pack.b);
            for (int64_t ic = 0; ic < m; ic += MC) {
                int64_t mc = min64(m - ic, MC);
                pack_a(mc, kc, &at(a, lda, ic, pc), lda, pack.a);
                macro_kernel(mc, nc, kc, pack.a, pack.b, &at(c, ldc, ic, jc), ldc, mode, shape, ic);
            }
        }
    }
}

// ---- Threads: each takes a contiguous range of columns in whole NR slivers. ----

// Cut point t of `threads` for n columns. uniform: equal parts. Otherwise the cost of column c falls
// as (n - c)^2 (the solve L Y = I), and equal work puts cut t at n (1 - (1 - t/T)^(1/3)).
int64_t column_cut(int64_t n, int t, int threads, bool uniform)
{
    if (t <= 0)
        return 0;
    if (t >= threads)
        return n;
    double f = static_cast<double>(t) / threads;
    if (!uniform)
        f = 1.0 - __builtin_cbrt(1.0 - f);
    int64_t c = static_cast<int64_t>(f * static_cast<double>(n) / NR + 0.5) * NR;
    return min64(c, n);
}

// The next chunk of a loop shared dynamically through counter (an OpenMP schedule(dynamic, chunk)).
inline int64_t next_chunk(int64_t &counter, int64_t chunk)
{
    return __atomic_fetch_add(&counter, chunk, __ATOMIC_RELAXED);
}

// ---- LU of a panel: recursive (Toledo), so that most of its flops are GEMMs too. ----

// Below this width a panel is factored column by column.
constexpr int64_t panel_leaf_width = 16;

inline int32_t pivot_failure(double pivot, int64_t step)
{
    return __builtin_isfinite(pivot) ? static_cast<int32_t>(step)
                                     : INTEROP_STATUS_NONFINITE | static_cast<int32_t>(step);
}

// Swaps rows j and ipiv[j] for the steps j in [j_begin, j_end) in columns [c_begin, c_end).
void swap_rows(int64_t n, double *a, const int64_t *ipiv, int64_t j_begin, int64_t j_end, int64_t c_begin,
               int64_t c_end)
{
    for (int64_t c = c_begin; c < c_end; ++c) {
        double *col = &at(a, n, 0, c);
        for (int64_t j = j_begin; j < j_end; ++j) {
            double tmp = col[j];
            col[j] = col[ipiv[j]];
            col[ipiv[j]] = tmp;
        }
    }
}

// Unblocked LU with partial pivoting of rows j0..n-1 of columns [j0, j0+w). Returns 0, or the
// failure status of the first pivot at or below the threshold (or not finite).
int32_t panel_leaf(int64_t n, double *a, int64_t j0, int64_t w, int64_t *ipiv, double threshold)
{
    for (int64_t j = j0; j < j0 + w; ++j) {
        double *col = &at(a, n, 0, j);
        int64_t p = j;
        double best = __builtin_fabs(col[j]);
        for (int64_t i = j + 1; i < n; ++i)
            if (__builtin_fabs(col[i]) > best) {
                best = __builtin_fabs(col[i]);
                p = i;
            }
        if (!(best > threshold) || !__builtin_isfinite(best))  // NaN fails the first test, Inf the second
            return pivot_failure(best, j + 1);
        ipiv[j] = p;
        if (p != j)
            for (int64_t c = j0; c < j0 + w; ++c) {
                double tmp = at(a, n, j, c);
                at(a, n, j, c) = at(a, n, p, c);
                at(a, n, p, c) = tmp;
            }
        double inv = 1.0 / col[j];
        for (int64_t i = j + 1; i < n; ++i)
            col[i] *= inv;
        for (int64_t c = j + 1; c < j0 + w; ++c) {
            double *target = &at(a, n, 0, c);
            double u = target[j];
            for (int64_t i = j + 1; i < n; ++i)
                target[i] -= col[i] * u;
        }
    }
    return 0;
}

// LU with partial pivoting of rows j0..n-1 of columns [j0, j0+w): left half, update of the right
// half (swaps, U12 = inv(L11) A12, A22 -= L21 U12), right half, its swaps in the left half.
int32_t panel_lu(int64_t n, double *a, int64_t j0, int64_t w, int64_t *ipiv, double threshold,
                 const PackBuffers &pack)
{
    if (w <= panel_leaf_width)
        return panel_leaf(n, a, j0, w, ipiv, threshold);
    int64_t w1 = w / 2, w2 = w - w1, j1 = j0 + w1;
    int32_t status = panel_lu(n, a, j0, w1, ipiv, threshold, pack);
    if (status != 0)
        return status;
    swap_rows(n, a, ipiv, j0, j1, j1, j0 + w);
    for (int64_t c = j1; c < j0 + w; ++c) {
        double *x = &at(a, n, 0, c);
        for (int64_t k = j0; k < j1; ++k) {
            const double *lk = &at(a, n, 0, k);
            double xk = x[k];
            for (int64_t i = k + 1; i < j1; ++i)
                x[i] -= lk[i] * xk;
        }
    }
    gemm(n - j1, w2, w1, &at(a, n, j1, j0), n, &at(a, n, j0, j1), n, &at(a, n, j1, j1), n, Mode::update,
         Shape::full, pack);
    status = panel_lu(n, a, j1, w2, ipiv, threshold, pack);
    if (status != 0)
        return status;
    swap_rows(n, a, ipiv, j1, j0 + w, j0, j1);
    return 0;
}

// ---- Inverses of the diagonal blocks (kb x kb, leading dimension kb), for the solves. ----

// inv(L11) of the unit lower L11 at l (column-major, ld n): column j solves L t = e_j.
void invert_unit_lower(int64_t n, const double *l, int64_t kb, double *t)
{
    for (int64_t j = 0; j < kb; ++j) {
        double *x = t + j * kb;
        __builtin_memset(x, 0, sizeof(double) * static_cast<uint64_t>(kb));
        x[j] = 1.0;
        for (int64_t k = j; k < kb; ++k) {
            const double *lk = &at(l, n, 0, k);
            double xk = x[k];
            for (int64_t i = k + 1; i < kb; ++i)
                x[i] -= lk[i] * xk;
        }
    }
}

// inv(U11) of the upper U11 at u (column-major, ld n): column j solves U t = e_j.
void invert_upper(int64_t n, const double *u, int64_t kb, double *t)
{
    for (int64_t j = 0; j < kb; ++j) {
        double *x = t + j * kb;
        __builtin_memset(x, 0, sizeof(double) * static_cast<uint64_t>(kb));
        x[j] = 1.0;
        for (int64_t k = j; k >= 0; --k) {
            const double *uk = &at(u, n, 0, k);
            double xk = x[k] / uk[k];
            x[k] = xk;
            for (int64_t i = 0; i < k; ++i)
                x[i] -= uk[i] * xk;
        }
    }
}

// ---- The in-place transpose and the row-major store, shared by the team. ----

constexpr int64_t transpose_tile = 32;

// a := aᵀ for the n x n matrix a, by pairs of tiles across the diagonal; the team takes the tile
// columns one at a time (C: schedule(dynamic, 1)).
void transpose_in_place(int64_t n, double *a, int64_t &next_tile_column)
{
    const int64_t t = transpose_tile, tiles = (n + t - 1) / t;
    for (int64_t bj = next_chunk(next_tile_column, 1); bj < tiles; bj = next_chunk(next_tile_column, 1)) {
        int64_t j0 = bj * t, j1 = min64(j0 + t, n);
        for (int64_t i0 = 0; i0 <= j0; i0 += t) {
            int64_t i1 = min64(i0 + t, n);
            for (int64_t i = i0; i < i1; ++i) {
                double *row = a + i * n, *column = a + i;
                for (int64_t j = (j0 > i + 1 ? j0 : i + 1); j < j1; ++j) {
                    double tmp = row[j];
                    row[j] = column[j * n];
                    column[j * n] = tmp;
                }
            }
        }
    }
}

// a[i*n + j] = x[i + source[j]*n]: the column-major x, its columns gathered by source, written
// row-major by T x T tiles; thread `thread` takes a contiguous chunk of the tile rows (C:
// schedule(static)).
void store_transposed(int64_t n, const double *x, const int64_t *source, double *a, int thread, int threads)
{
    constexpr int64_t T = 32;
    const int64_t tile_rows = (n + T - 1) / T;
    const int64_t per_thread = (tile_rows + threads - 1) / threads;
    const int64_t first = min64(tile_rows, thread * per_thread), last = min64(tile_rows, first + per_thread);
    for (int64_t i0 = first * T; i0 < last * T; i0 += T) {
        int64_t i1 = min64(n, i0 + T);
        for (int64_t j0 = 0; j0 < n; j0 += T) {
            int64_t j1 = min64(n, j0 + T);
            for (int64_t i = i0; i < i1; ++i) {
                double *row = a + i * n;
                for (int64_t j = j0; j < j1; ++j)
                    row[j] = x[i + source[j] * n];
            }
        }
    }
}

// ---- The phases, with the names of the C# kernel (managed/Interop.Backends/Inversion/
// BlockedInverse.cs), each run by every thread of the team; inverse_thread strings them together
// with the team's barriers. ----

// The barrier every thread of the inversion's team waits at.
inline void barrier(InverseWork &work)
{
    barrier_wait(*work.barrier);
}

// 1. P M = L U, blocked right-looking: thread 0 factors each panel, then every thread brings its
// share of the trailing columns up to date. False on a failed pivot (work.status), on every thread
// alike; true when L and U are complete, the later panels' swaps in L's columns included.
bool factor_lu(InverseWork &work, int thread, const PackBuffers &pack)
{
    const int64_t n = work.n;
    const int threads = work.threads;
    double *const a = work.a;
    int64_t *const ipiv = work.ipiv;
    for (int64_t k0 = 0; k0 < n; k0 += NB) {
        int64_t kb = min64(n - k0, NB), rest = n - k0 - kb;
        double *tl = work.inv_l + k0 * NB;
        if (thread == 0) {
            int32_t s = panel_lu(n, a, k0, kb, ipiv, work.threshold, pack);
            if (s != 0)
                work.status = s;
            else
                invert_unit_lower(n, &at(a, n, k0, k0), kb, tl);
        }
        barrier(work);
        if (work.status != 0)
            return false;
        // The panel's swaps in this thread's trailing columns, then their U12 and update.
        int64_t cb = k0 + kb + column_cut(rest, thread, threads, true);
        int64_t ce = k0 + kb + column_cut(rest, thread + 1, threads, true);
        swap_rows(n, a, ipiv, k0, k0 + kb, cb, ce);
        gemm(kb, ce - cb, kb, tl, kb, &at(a, n, k0, cb), n, &at(a, n, k0, cb), n, Mode::set, Shape::lower, pack);
        gemm(rest, ce - cb, kb, &at(a, n, k0 + kb, k0), n, &at(a, n, k0, cb), n, &at(a, n, k0 + kb, cb), n,
             Mode::update, Shape::full, pack);
        barrier(work);
    }

    // The later panels' swaps in the columns of L, each column all at once (chunks of 8 columns,
    // shared dynamically: the work falls along the columns). No barrier after them: inv(U11), next,
    // reads only the diagonal blocks, which these swaps (rows below a column's block) do not touch.
    for (int64_t c0 = next_chunk(work.next_swap, 8); c0 < n; c0 = next_chunk(work.next_swap, 8))
        for (int64_t c = c0; c < min64(n, c0 + 8); ++c)
            swap_rows(n, a, ipiv, (c / NB + 1) * NB, n, c, c + 1);
    return true;
}

// inv(U11) of every diagonal block, for solve_upper, shared among the threads.
void invert_upper_blocks(InverseWork &work)
{
    const int64_t n = work.n, blocks = (n + NB - 1) / NB;
    for (int64_t b = next_chunk(work.next_block, 1); b < blocks; b = next_chunk(work.next_block, 1))
        invert_upper(n, &at(work.a, n, b * NB, b * NB), min64(n - b * NB, NB), work.inv_u + b * NB * NB);
}

// 2. Y = inv(L): L Y = I by blocks of rows in this thread's columns of X, skipping Y's zero upper
// triangle; the column cuts balance the work, which falls along the columns.
void invert_lower(InverseWork &work, int thread, const PackBuffers &pack)
{
    const int64_t n = work.n;
    const double *const a = work.a;
    double *const x = work.x;
    const int64_t cb = column_cut(n, thread, work.threads, false);
    const int64_t ce = column_cut(n, thread + 1, work.threads, false);
    for (int64_t c = cb; c < ce; ++c) {
        __builtin_memset(&at(x, n, 0, c), 0, sizeof(double) * static_cast<uint64_t>(n));
        at(x, n, c, c) = 1.0;
    }
    for (int64_t k0 = cb / NB * NB; k0 < n; k0 += NB) {
        int64_t kb = min64(n - k0, NB), w = min64(ce, k0 + kb) - cb;
        if (w <= 0)
            continue;
        gemm(kb, w, kb, work.inv_l + k0 * NB, kb, &at(x, n, k0, cb), n, &at(x, n, k0, cb), n, Mode::set,
             Shape::lower, pack);
        gemm(n - k0 - kb, w, kb, &at(a, n, k0 + kb, k0), n, &at(x, n, k0, cb), n, &at(x, n, k0 + kb, cb), n,
             Mode::update, Shape::full, pack);
    }
}

// 3. Z = inv(U) Y: U Z = Y, backward by blocks of rows in this thread's columns of X; every column
// costs the same.
void solve_upper(InverseWork &work, int thread, const PackBuffers &pack)
{
    const int64_t n = work.n;
    const double *const a = work.a;
    double *const x = work.x;
    const int64_t cb = column_cut(n, thread, work.threads, true);
    const int64_t ce = column_cut(n, thread + 1, work.threads, true);
    for (int64_t k0 = (n - 1) / NB * NB; k0 >= 0; k0 -= NB) {
        int64_t kb = min64(n - k0, NB);
        gemm(kb, ce - cb, kb, work.inv_u + k0 * NB, kb, &at(x, n, k0, cb), n, &at(x, n, k0, cb), n, Mode::set,
             Shape::upper, pack);
        gemm(k0, ce - cb, kb, &at(a, n, 0, k0), n, &at(x, n, k0, cb), n, &at(x, n, 0, cb), n, Mode::update,
             Shape::full, pack);
    }
}

// 4. inv(M) = Z P replaces M, row-major: column j of the inverse is column source[j] of Z, with
// source the inverse of the permutation of the pivots (computed by thread 0 into ipiv, free by now).
void permute(InverseWork &work, int thread)
{
    const int64_t n = work.n;
    int64_t *const ipiv = work.ipiv;
    if (thread == 0) {
        int64_t *perm = work.perm;
        for (int64_t i = 0; i < n; ++i)
            perm[i] = i;
        for (int64_t j = 0; j < n; ++j) {
            int64_t tmp = perm[j];
            perm[j] = perm[ipiv[j]];
            perm[ipiv[j]] = tmp;
        }
        for (int64_t c = 0; c < n; ++c)
            ipiv[perm[c]] = c;
    }
    barrier(work);  // also: every thread's columns of Z are done
    store_transposed(n, work.x, ipiv, work.a, thread, work.threads);
}

// One thread's share of the whole inversion (C: the body of the parallel region), the phases in turn.
void inverse_thread(InverseWork &work, int thread)
{
    const PackBuffers pack = {work.pack_a[thread], work.pack_b[thread]};
    // 0. M = A: the row-major A read column-major is Aᵀ.
    transpose_in_place(work.n, work.a, work.next_tile);
    barrier(work);
    if (!factor_lu(work, thread, pack))
        return;
    invert_upper_blocks(work);
    barrier(work);
    invert_lower(work, thread, pack);
    barrier(work);
    solve_upper(work, thread, pack);
    permute(work, thread);
}

}  // namespace

extern const IsaKernels kernels = {INTEROP_CPP_ISA_LEVEL, blocking, count_range, inverse_thread};

}  // namespace INTEROP_CPP_ISA_NAMESPACE
}  // namespace interop_cpp
