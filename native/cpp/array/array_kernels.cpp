// The array workload's pieces (interop_array.h; array_kernels.hpp says what each does) for the
// cpp-threads backend, one instruction-set path per compilation: CMake compiles this file once per path
// with that path's -march, INTEROP_CPP_ISA_LEVEL and INTEROP_CPP_ISA_NAMESPACE (as src/kernels.cpp), and
// with -ffp-contract=off, so that y and the column sums round as the spec's loops do.
//
// The algorithm is the C kernel's (native/array/array_c_kernel.c): plain loops over contiguous
// columns, which the compiler vectorizes at the path's -march; the transposed reads go through small
// square tiles (TILE x TILE, in L1) so that every inner loop runs along a row. No reassociation:
// y[i][j] = (x[i][j] + x[j][i]) - m[j] and the column sums' row order are kept exactly; only the check
// sum's order is the kernel's (eight lanes).
//
// No inline function or template here may be shared with another path's copy (src/isa_kernels.hpp):
// everything is in an anonymous namespace, splitmix.h's mix is static, and the standard library is not
// used (the GCC builtin memcpy instead).
#include "array_kernels.hpp"

#include "interop.h"
#include "splitmix.h"

#include <stdint.h>

#if !defined(INTEROP_CPP_ISA_LEVEL) || !defined(INTEROP_CPP_ISA_NAMESPACE)
#error "array_kernels.cpp is compiled once per path: INTEROP_CPP_ISA_LEVEL and INTEROP_CPP_ISA_NAMESPACE"
#endif

namespace interop_cpp {
namespace INTEROP_CPP_ISA_NAMESPACE {
namespace {

// The edge of the square tiles a block is walked in: two tiles of x and one transposed (3 x 8 KiB).
constexpr int64_t tile = 32;
constexpr int lanes = 8;

using Tile = double[tile][tile];

// The top 53 bits as an integer below 2^53, exact in a double, times 2^-53 (exact too).
double unit(uint64_t z)
{
    return static_cast<double>(static_cast<int64_t>(z >> 11)) * 0x1p-53;
}

// buffer[r][c] = x[row0 + r][col0 + c] for r < rows, c < cols, from memory or the generator.
void load_tile(const ArraySource &src, int64_t row0, int64_t col0, int64_t rows, int64_t cols, Tile &buffer)
{
    for (int64_t r = 0; r < rows; ++r) {
        if (src.x != nullptr) {
            __builtin_memcpy(buffer[r], src.x + (row0 + r - src.row_begin) * src.ldx + col0,
                             sizeof(double) * static_cast<uint64_t>(cols));
        } else {
            const uint64_t k = static_cast<uint64_t>((row0 + r) * src.n + col0);
            for (int64_t c = 0; c < cols; ++c)
                buffer[r][c] = unit(interop_mix(src.seed, k + static_cast<uint64_t>(c)));
        }
    }
}

// buffer[r][c] = x[col0 + c][row0 + r]: the transposed tile, read along rows of x (from xt or the
// generator), then turned.
void load_transposed_tile(const ArraySource &src, int64_t row0, int64_t col0, int64_t rows, int64_t cols,
                          Tile &buffer)
{
    Tile rows_of_x;  // rows_of_x[c][r] = x[col0 + c][row0 + r]
    for (int64_t c = 0; c < cols; ++c) {
        if (src.x != nullptr) {
            __builtin_memcpy(rows_of_x[c], src.xt + (col0 + c) * src.ldxt + (row0 - src.row_begin),
                             sizeof(double) * static_cast<uint64_t>(rows));
        } else {
            const uint64_t k = static_cast<uint64_t>((col0 + c) * src.n + row0);
            for (int64_t r = 0; r < rows; ++r)
                rows_of_x[c][r] = unit(interop_mix(src.seed, k + static_cast<uint64_t>(r)));
        }
    }
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
            buffer[r][c] = rows_of_x[c][r];
}

// out[c][r] = in[r][c] for r < rows, c < cols.
void transpose_tile(const Tile &in, int64_t rows, int64_t cols, Tile &out)
{
    for (int64_t c = 0; c < cols; ++c)
        for (int64_t r = 0; r < rows; ++r)
            out[c][r] = in[r][c];
}

// y's row segment = (a + t) - m, in that order; its sum into eight lanes and its bits into eight more.
// Inline (as the C kernel's static inline): the lanes then stay in registers across a tile's rows.
inline void y_row(const double *a, const double *t, const double *m, int64_t cols, double *y, double (&sum_lanes)[lanes],
           uint64_t (&bit_lanes)[lanes])
{
    double row[tile];
    for (int64_t c = 0; c < cols; ++c)
        row[c] = (a[c] + t[c]) - m[c];
    const int64_t whole = cols - cols % lanes;
    for (int64_t c = 0; c < whole; c += lanes) {
        for (int l = 0; l < lanes; ++l) {
            uint64_t bits;
            __builtin_memcpy(&bits, &row[c + l], sizeof bits);
            sum_lanes[l] += row[c + l];
            bit_lanes[l] += bits;
        }
    }
    for (int64_t c = whole; c < cols; ++c) {
        uint64_t bits;
        __builtin_memcpy(&bits, &row[c], sizeof bits);
        sum_lanes[0] += row[c];
        bit_lanes[0] += bits;
    }
    if (y != nullptr)
        __builtin_memcpy(y, row, sizeof(double) * static_cast<uint64_t>(cols));
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
    Tile a, t, scratch;
    for (int64_t ti = i0; ti < i1; ti += tile) {
        const int64_t rows = i1 - ti < tile ? i1 - ti : tile;
        // A diagonal tile of a pair is its own partner: walk only the tiles on and above it.
        for (int64_t tj = pair && j0 == i0 ? ti : j0; tj < j1; tj += tile) {
            const int64_t cols = j1 - tj < tile ? j1 - tj : tile;
            load_tile(src, ti, tj, rows, cols, a);
            load_transposed_tile(src, ti, tj, rows, cols, t);
            for (int64_t r = 0; r < rows; ++r)
                y_row(a[r], t[r], m + tj, cols, y == nullptr ? nullptr : y + (ti + r - src.row_begin) * ldy + tj,
                      sum_lanes, bit_lanes);
            if (pair && !(j0 == i0 && tj == ti)) {
                // The partner tile, rows tj.. and columns ti..: x[tj + c][ti + r] is t[r][c], x[ti + r][tj + c]
                // is a[r][c]; both turned so that its rows run along y's.
                transpose_tile(t, rows, cols, scratch);  // scratch[c][r] = x[tj + c][ti + r]
                transpose_tile(a, rows, cols, t);        // t[c][r] = x[ti + r][tj + c]
                for (int64_t c = 0; c < cols; ++c)
                    y_row(scratch[c], t[c], m + ti, rows,
                          y == nullptr ? nullptr : y + (tj + c - src.row_begin) * ldy + ti, sum_lanes, bit_lanes);
            }
        }
    }
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
