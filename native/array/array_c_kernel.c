/* The array workload's pieces in C, compiled once per instruction-set path (src/isa.h; array_kernel.h
 * says what each does). Plain loops over contiguous columns, which GCC vectorizes at the path's
 * -march; the transposed reads go through small square tiles (TILE x TILE, in L1) so that every
 * inner loop runs along a row. No reassociation: y[i][j] = (x[i][j] + x[j][i]) - m[j] and the column
 * sums' row order are kept exactly; only the check sum's order is the kernel's (eight lanes). */
#include "array_kernel.h"
#include "splitmix.h"

#include <string.h>

/* The edge of the square tiles a block is walked in: two tiles of x and one transposed (3 x 8 KiB). */
#define TILE 32
#define LANES 8

static inline double unit(uint64_t z)
{
    /* The top 53 bits as an integer below 2^53, exact in a double, times 2^-53. */
    return (double)(int64_t)(z >> 11) * 0x1p-53;
}

/* buffer[r][c] = x[row0 + r][col0 + c] for r < rows, c < cols, from memory or the generator. */
static void load_tile(const array_source *src, int64_t row0, int64_t col0, int64_t rows, int64_t cols,
                      double buffer[TILE][TILE])
{
    for (int64_t r = 0; r < rows; ++r) {
        if (src->x != NULL) {
            memcpy(buffer[r], src->x + (row0 + r - src->row_begin) * src->ldx + col0, sizeof(double) * (size_t)cols);
        } else {
            uint64_t k = (uint64_t)((row0 + r) * src->n + col0);
            for (int64_t c = 0; c < cols; ++c)
                buffer[r][c] = unit(interop_mix(src->seed, k + (uint64_t)c));
        }
    }
}

/* buffer[r][c] = x[col0 + c][row0 + r]: the transposed tile, from xt (or the generator) row by row,
 * then turned. */
static void load_transposed_tile(const array_source *src, int64_t row0, int64_t col0, int64_t rows, int64_t cols,
                                 double buffer[TILE][TILE])
{
    double rows_of_x[TILE][TILE]; /* rows_of_x[c][r] = x[col0 + c][row0 + r] */
    for (int64_t c = 0; c < cols; ++c) {
        if (src->x != NULL) {
            memcpy(rows_of_x[c], src->xt + (col0 + c) * src->ldxt + (row0 - src->row_begin), sizeof(double) * (size_t)rows);
        } else {
            uint64_t k = (uint64_t)((col0 + c) * src->n + row0);
            for (int64_t r = 0; r < rows; ++r)
                rows_of_x[c][r] = unit(interop_mix(src->seed, k + (uint64_t)r));
        }
    }
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
            buffer[r][c] = rows_of_x[c][r];
}

static void transpose_tile(double in[TILE][TILE], int64_t rows, int64_t cols, double out[TILE][TILE])
{
    for (int64_t c = 0; c < cols; ++c)
        for (int64_t r = 0; r < rows; ++r)
            out[c][r] = in[r][c];
}

/* y's row segment = (a + t) - m, its sum into eight lanes and its bits into eight more. */
static inline void y_row(const double *a, const double *t, const double *m, int64_t cols, double *y,
                         double lanes[LANES], uint64_t bit_lanes[LANES])
{
    double row[TILE];
    for (int64_t c = 0; c < cols; ++c)
        row[c] = (a[c] + t[c]) - m[c];
    int64_t whole = cols - cols % LANES;
    for (int64_t c = 0; c < whole; c += LANES) {
        for (int l = 0; l < LANES; ++l) {
            uint64_t bits;
            memcpy(&bits, &row[c + l], sizeof bits);
            lanes[l] += row[c + l];
            bit_lanes[l] += bits;
        }
    }
    for (int64_t c = whole; c < cols; ++c) {
        uint64_t bits;
        memcpy(&bits, &row[c], sizeof bits);
        lanes[0] += row[c];
        bit_lanes[0] += bits;
    }
    if (y != NULL)
        memcpy(y, row, sizeof(double) * (size_t)cols);
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
    double a[TILE][TILE], t[TILE][TILE], scratch[TILE][TILE];
    for (int64_t ti = i0; ti < i1; ti += TILE) {
        int64_t rows = i1 - ti < TILE ? i1 - ti : TILE;
        /* A diagonal tile of a pair is its own partner: walk only the tiles on and above it. */
        for (int64_t tj = pair && j0 == i0 ? ti : j0; tj < j1; tj += TILE) {
            int64_t cols = j1 - tj < TILE ? j1 - tj : TILE;
            load_tile(src, ti, tj, rows, cols, a);
            load_transposed_tile(src, ti, tj, rows, cols, t);
            for (int64_t r = 0; r < rows; ++r)
                y_row(a[r], t[r], m + tj, cols, y == NULL ? NULL : y + (ti + r - src->row_begin) * ldy + tj, lanes,
                      bit_lanes);
            if (pair && !(j0 == i0 && tj == ti)) {
                /* The partner tile, rows tj.. and columns ti..: x[tj + c][ti + r] is t[r][c], x[ti + r][tj + c]
                 * is a[r][c]; both turned so that its rows run along y's. */
                transpose_tile(t, rows, cols, scratch); /* scratch[c][r] = x[tj + c][ti + r] */
                transpose_tile(a, rows, cols, t);       /* t[c][r] = x[ti + r][tj + c] */
                for (int64_t c = 0; c < cols; ++c)
                    y_row(scratch[c], t[c], m + ti, rows,
                          y == NULL ? NULL : y + (tj + c - src->row_begin) * ldy + ti, lanes, bit_lanes);
            }
        }
    }
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
