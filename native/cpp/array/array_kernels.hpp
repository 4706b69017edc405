// Internal: what the per-path array objects (array_kernels.cpp, compiled once per instruction-set path)
// offer the export (array_exports.cpp). Plain data and functions only, for the reason
// src/isa_kernels.hpp gives: nothing inline may be shared between the copies of different paths.
#ifndef INTEROP_CPP_ARRAY_KERNELS_HPP
#define INTEROP_CPP_ARRAY_KERNELS_HPP

#include <stdint.h>

namespace interop_cpp {

// Where a piece reads x: generated (x null), or rows and transposed columns in memory.
struct ArraySource {
    int64_t n;
    uint64_t seed;
    int64_t row_begin;  // the first row the pointers below start at
    const double *x;    // null: generated; else x[(i - row_begin) ldx + j] = x[i][j]
    int64_t ldx;
    const double *xt;   // xt[j ldxt + (i - row_begin)] = x[j][i]; null when generated
    int64_t ldxt;
};

// One piece's share of y's sum and checksum.
struct ArrayPartial {
    double sum;
    uint64_t checksum;
};

// One path's pieces of work (interop_array.h's passes), each run on the calling thread.
struct ArrayKernels {
    int32_t isa;  // INTEROP_ISA_*
    // out[j - col_begin] = the sum over rows [first, first + rows) of x[i][j], in row order from 0.
    void (*column_sums)(const ArraySource &src, int64_t first, int64_t rows, int64_t col_begin, int64_t col_end,
                        double *out);
    // y's block rows [i0, i1) x columns [j0, j1); with pair set, also the transposed block (rows [j0, j1) x
    // columns [i0, i1)) from the same elements of x. y null (not kept) or y[(i - row_begin) ldy + j].
    ArrayPartial (*block)(const ArraySource &src, const double *m, int64_t i0, int64_t i1, int64_t j0, int64_t j1,
                          bool pair, double *y, int64_t ldy);
    // out[(i - first) ldout + j] = x[i][j] for rows [first, first + rows) and columns [col_begin, col_end).
    void (*generate)(uint64_t seed, int64_t n, int64_t first, int64_t rows, int64_t col_begin, int64_t col_end,
                     double *out, int64_t ldout);
};

namespace isa_scalar {
extern const ArrayKernels array_kernels;
}
#if defined(INTEROP_HAVE_X86_ISAS)
namespace isa_avx2 {
extern const ArrayKernels array_kernels;
}
namespace isa_avx512 {
extern const ArrayKernels array_kernels;
}
#endif

}  // namespace interop_cpp

#endif
