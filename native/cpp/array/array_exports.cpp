// The export interop_array_cpp (interop_array.h): the argument checks (native/common/array_check.h, the
// C export's own), the path (the one the library's interop_cpp_isa_select chose for all its kernels),
// the pass's pieces of work (a tile's column sums over a stripe of columns, a block of y or a block and
// its transposed partner, a block of generated rows) and `threads` std::threads taking them from an
// atomic counter, as the C kernel's OpenMP team takes them with schedule(dynamic, 1)
// (native/array/array_entry.c).
#include "interop_array.h"
#include "interop_cpp.h"

#include "array_check.h"
#include "array_kernels.hpp"
#include "guard.hpp"
#include "isa_kernels.hpp"
#include "team.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

namespace interop_cpp {
namespace {

const ArrayKernels *const array_paths[] = {
    &isa_scalar::array_kernels,
#if defined(INTEROP_HAVE_X86_ISAS)
    &isa_avx2::array_kernels,
    &isa_avx512::array_kernels,
#endif
};

const ArrayKernels &active_array_kernels()
{
    const std::int32_t isa = active_kernels().isa;
    for (const ArrayKernels *p : array_paths)
        if (p->isa == isa)
            return *p;
    return *array_paths[0];
}

// Columns per piece of the column sums, as the C export's: a stripe's sums (128 KiB) stay in L2 while its
// tile's rows pass, each row's segment long enough for the prefetchers to stream it.
constexpr std::int64_t sum_stripe = 16384;

// piece(p, t) for every p in [0, pieces), on `threads` threads (the caller as thread t = 0) that each take
// the next piece from one counter until none is left: dynamic, one piece at a time.
template <class Piece>
void run_pieces(std::int32_t threads, std::int64_t pieces, Piece &piece)
{
    std::atomic<std::int64_t> next{0};
    auto body = [&](int t) {
        for (std::int64_t p = next.fetch_add(1, std::memory_order_relaxed); p < pieces;
             p = next.fetch_add(1, std::memory_order_relaxed))
            piece(p, t);
    };
    run_on_threads(threads, body);
}

// Block row or column b of the global grid, clipped to [lo, hi).
void block_range(std::int64_t b, std::int64_t chunk, std::int64_t lo, std::int64_t hi, std::int64_t &begin,
                 std::int64_t &end)
{
    const std::int64_t first = b * chunk, last = first + chunk;
    begin = first > lo ? first : lo;
    end = last < hi ? last : hi;
}

std::int32_t y_pass(const ArrayKernels &k, const ArraySource &src, std::int64_t chunk, std::int64_t row_begin,
                    std::int64_t row_end, const double *m, double *y, std::int64_t ldy, double *sum,
                    std::uint64_t *checksum, std::int32_t threads)
{
    const std::int64_t n = src.n;
    const std::int64_t blocks = (n + chunk - 1) / chunk;
    const std::int64_t first_block = row_begin / chunk;
    const std::int64_t block_rows = row_end > row_begin ? (row_end - 1) / chunk + 1 - first_block : 0;
    // A block and its transposed partner together when both are this call's and x is read from one
    // place: every element of x then read (or generated) once.
    const bool pair = row_begin == 0 && row_end == n && (src.x == nullptr || (src.xt == src.x && src.ldxt == src.ldx));
    // The pairs in row order, (bi, bj) for bj >= bi: pair_row_start[bi] is the index of (bi, bi), which
    // a piece finds by bisection (a list of the pairs themselves would take n^2 / 2 entries at chunk 1).
    std::vector<std::int64_t> pair_row_start;
    if (pair) {
        pair_row_start.resize(static_cast<std::size_t>(blocks) + 1);
        for (std::int64_t bi = 0; bi <= blocks; ++bi)
            pair_row_start[static_cast<std::size_t>(bi)] = bi * blocks - bi * (bi - 1) / 2;
    }
    const std::int64_t pieces = pair ? pair_row_start.back() : block_rows * blocks;
    // Each thread's sum and checksum, a cache line apart, added in thread order at the end.
    struct alignas(64) Part {
        double sum = 0.0;
        std::uint64_t checksum = 0;
    };
    std::vector<Part> parts(static_cast<std::size_t>(threads));
    auto piece = [&](std::int64_t p, int t) {
        std::int64_t bi, bj;
        if (pair) {
            bi = std::upper_bound(pair_row_start.begin(), pair_row_start.end(), p) - pair_row_start.begin() - 1;
            bj = bi + (p - pair_row_start[static_cast<std::size_t>(bi)]);
        } else {
            bi = first_block + p / blocks;
            bj = p % blocks;
        }
        std::int64_t i0, i1, j0, j1;
        block_range(bi, chunk, row_begin, row_end, i0, i1);
        block_range(bj, chunk, 0, n, j0, j1);
        const ArrayPartial partial = k.block(src, m, i0, i1, j0, j1, pair, y, ldy);
        Part &part = parts[static_cast<std::size_t>(t)];
        part.sum += partial.sum;
        part.checksum += partial.checksum;
    };
    run_pieces(threads, pieces, piece);
    double total = 0.0;
    std::uint64_t bits = 0;
    for (const Part &part : parts) {
        total += part.sum;
        bits += part.checksum;
    }
    *sum = total;
    *checksum = bits;
    return 0;
}

}  // namespace
}  // namespace interop_cpp

using namespace interop_cpp;

extern "C" INTEROP_EXPORT int32_t interop_array_cpp(int32_t pass, int64_t n, int64_t chunk, uint64_t seed,
                                                    int64_t row_begin, int64_t row_end, const double *x, int64_t ldx,
                                                    const double *xt, int64_t ldxt, const double *m, double *out,
                                                    int64_t ldout, double *sum, uint64_t *checksum, int32_t threads)
{
    const int32_t status = interop_array_check_arguments(pass, n, chunk, row_begin, row_end, x, ldx, xt, ldxt, m, out,
                                                         ldout, sum, checksum, threads);
    if (status != 0)
        return status;
    return guarded([&]() -> int32_t {
        const ArrayKernels &k = active_array_kernels();
        const ArraySource src = {n, seed, row_begin, x, ldx, x != nullptr ? xt : nullptr, ldxt};
        if (pass == INTEROP_ARRAY_Y)
            return y_pass(k, src, chunk, row_begin, row_end, m, out, ldout, sum, checksum, threads);
        if (pass == INTEROP_ARRAY_COLUMN_SUMS) {
            const int64_t tiles = (row_end - row_begin + INTEROP_ARRAY_TILE_ROWS - 1) / INTEROP_ARRAY_TILE_ROWS;
            const int64_t stripes = (n + sum_stripe - 1) / sum_stripe;
            auto piece = [&](int64_t p, int) {
                const int64_t t = p / stripes, s = p % stripes;
                const int64_t first = row_begin + t * INTEROP_ARRAY_TILE_ROWS;
                const int64_t rows = std::min<int64_t>(row_end - first, INTEROP_ARRAY_TILE_ROWS);
                const int64_t c0 = s * sum_stripe, c1 = std::min(c0 + sum_stripe, n);
                k.column_sums(src, first, rows, c0, c1, out + t * ldout + c0);
            };
            run_pieces(threads, tiles * stripes, piece);
            return 0;
        }
        // INTEROP_ARRAY_GENERATE: blocks of `chunk` rows, whole rows each.
        const int64_t block_rows = (row_end - row_begin + chunk - 1) / chunk;
        auto piece = [&](int64_t b, int) {
            const int64_t first = row_begin + b * chunk;
            const int64_t rows = std::min(row_end - first, chunk);
            k.generate(seed, n, first, rows, 0, n, out + (first - row_begin) * ldout, ldout);
        };
        run_pieces(threads, block_rows, piece);
        return 0;
    });
}
