/*
 * libinterop_scalapack: the distributed inversion backend (native/include/interop_scalapack.h).
 *
 * ScaLAPACK does the work: pdgetrf + pdgetri on a 2-D block-cyclic distribution over a BLACS grid
 * of MPI_COMM_WORLD, pdgemr2d to move whole matrices between rank 0 and the grid, pdtran for the
 * row-major/column-major turn, pdgemm + pdlange for the residual. This file adds what every backend
 * of the project shares: argument checks with LAPACK-style statuses, the spec's matrix, the pivot
 * rules of interop_inv_lapack, and the scaled residual; and what a distributed library needs so that
 * no rank can hang: every collective entry point first combines the ranks' statuses and parameters
 * in one MPI_Allreduce (agree()), and every later branch depends only on agreed values.
 */
#include "interop_scalapack.h"

#include "equilibrate.h"
#include "interop.h"
#include "splitmix.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

/* The statuses this header shares with interop.h must stay equal to them. */
_Static_assert(INTEROP_SCALAPACK_NO_MEMORY == INTEROP_STATUS_NO_MEMORY, "NO_MEMORY differs from interop.h");
_Static_assert(INTEROP_SCALAPACK_NONFINITE == INTEROP_STATUS_NONFINITE, "NONFINITE differs from interop.h");

/*
 * ScaLAPACK, PBLAS and BLACS ship no C header: the prototypes used here, from their Fortran (and
 * BLACS's C) interfaces, LP64 (32-bit INTEGER). Descriptors are INTEGER(9). The Fortran character
 * arguments are all CHARACTER*1, whose hidden length the callees never read.
 */
extern void descinit_(int *desc, const int *m, const int *n, const int *mb, const int *nb, const int *irsrc,
                      const int *icsrc, const int *ictxt, const int *lld, int *info);
extern int numroc_(const int *n, const int *nb, const int *iproc, const int *isrcproc, const int *nprocs);
extern void pdgetrf_(const int *m, const int *n, double *a, const int *ia, const int *ja, const int *desca,
                     int *ipiv, int *info);
extern void pdgetri_(const int *n, double *a, const int *ia, const int *ja, const int *desca, const int *ipiv,
                     double *work, const int *lwork, int *iwork, const int *liwork, int *info);
extern void pdgemr2d_(const int *m, const int *n, const double *a, const int *ia, const int *ja,
                      const int *desca, double *b, const int *ib, const int *jb, const int *descb,
                      const int *ictxt);
extern void pdtran_(const int *m, const int *n, const double *alpha, const double *a, const int *ia,
                    const int *ja, const int *desca, const double *beta, double *c, const int *ic,
                    const int *jc, const int *descc);
extern void pdgemm_(const char *transa, const char *transb, const int *m, const int *n, const int *k,
                    const double *alpha, const double *a, const int *ia, const int *ja, const int *desca,
                    const double *b, const int *ib, const int *jb, const int *descb, const double *beta,
                    double *c, const int *ic, const int *jc, const int *descc);
extern double pdlange_(const char *norm, const int *m, const int *n, const double *a, const int *ia,
                       const int *ja, const int *desca, double *work);
extern int Csys2blacs_handle(MPI_Comm comm);
extern void Cfree_blacs_system_handle(int handle);
extern void Cblacs_gridinit(int *context, const char *order, int rows, int cols);
extern void Cblacs_gridinfo(int context, int *rows, int *cols, int *row, int *col);
extern void Cblacs_gridexit(int context);
extern void openblas_set_num_threads(int threads);

/*
 * PBLAS's blocking factor. PBLAS (pdgemm, pdtrsm, pdtrmm: every update inside pdgetrf and pdgetri)
 * cuts the shared dimension into panels of PILAENV() columns, which ScaLAPACK ships as a constant 32
 * to be replaced for the machine ("users are encouraged to modify this subroutine"). Depth-32
 * panels make each local DGEMM a rank-32 update at a fraction of OpenBLAS's speed: pdgemm at
 * n = 3000 on 2 ranks x 1 thread (AMD EPYC Zen 3) ran at 55 GFLOP/s with 32 and 75 with 128, the
 * distribution's block. This library exports its own pilaenv_, which answers the block size of the
 * plan being run, so that PBLAS's panels are the distribution's blocks. It takes the place of
 * ScaLAPACK's because libinterop_scalapack comes before libscalapack in the search order of every
 * process that loads it (a program linked with it, or the driver's dlopen of it);
 * test_scalapack checks that it does. Written only by the collective calls of one plan at a time,
 * before they call ScaLAPACK; read by ScaLAPACK on the same thread.
 */
static int pblas_block = 32;

__attribute__((visibility("default"))) int pilaenv_(const int *context, const char *precision);

int pilaenv_(const int *context, const char *precision)
{
    (void)context;
    (void)precision;
    return pblas_block;
}

/* Descriptor fields (0-based positions of ScaLAPACK's DTYPE_, CTXT_, M_, ..., LLD_). */
enum { DESC_CTXT = 1, DESC_LLD = 8, DESC_LENGTH = 9 };

/* What the plan's matrix buffer holds; identical on every rank, since every change is agreed. */
enum plan_state { HOLDS_NOTHING, HOLDS_MATRIX, HOLDS_INVERSE, INVERSION_FAILED };

struct interop_scalapack_plan {
    int n, block, rows, cols, threads;
    int rank;
    int system_handle;  /* Csys2blacs_handle(MPI_COMM_WORLD), freed by destroy */
    int context;        /* the rows x cols grid */
    int root_context;   /* the 1 x 1 grid of rank 0 (-1 on the other ranks) */
    int my_row, my_col; /* this rank's place in the grid */
    int local_rows, local_cols, panel_cols, panel_width;
    int desc[DESC_LENGTH];       /* A and X: n x n, block x block, on the grid */
    int panel_desc[DESC_LENGTH]; /* the residual's n x panel_width panels */
    int root_desc[DESC_LENGTH];  /* n x n in one block on rank 0 (context -1 elsewhere) */
    double *matrix;              /* A, then its LU, then the inverse X (column-major, leading dim desc[8]) */
    double *kept;                /* a scattered A, kept for the residual (NULL until the first scatter) */
    double *panel;               /* I - A X(:, J) of the residual, one panel J of columns at a time */
    double *a_panel;             /* the residual's panel A(:, K) of a generated A, made again when needed */
    double *norm_work;           /* pdlange's workspace */
    int *pivots;                 /* pdgetrf's IPIV */
    double *work;                /* pdgetri's WORK */
    int *iwork;                  /* pdgetri's IWORK */
    int lwork, liwork;
    int64_t bytes_this_rank, bytes_max_rank;
    enum plan_state state;
    int generated; /* the matrix came from generate (1: A(i, j) is remade from `seed`) or scatter (0) */
    uint64_t seed;
};

int32_t interop_scalapack_abi_version(void)
{
    return INTEROP_SCALAPACK_ABI_VERSION;
}

int32_t interop_scalapack_grid_shape(int32_t ranks, int32_t *rows, int32_t *cols)
{
    if (ranks < 1)
        return -1;
    if (rows == NULL)
        return -2;
    if (cols == NULL)
        return -3;
    /* c, the largest divisor of ranks that is <= sqrt(ranks), and ranks / c: what
     * MPI_Dims_create(ranks, 2) gives (in its non-increasing order, rows >= cols), without calling
     * MPI (the managed side shows the default before MPI starts). */
    int32_t c = 1;
    for (int32_t d = 1; (int64_t)d * d <= ranks; ++d)
        if (ranks % d == 0)
            c = d;
    *rows = ranks / c;
    *cols = c;
    return 0;
}

/* 1 when MPI can be called: initialized and not finalized. */
static int mpi_usable(void)
{
    int initialized = 0, finalized = 0;
    return MPI_Initialized(&initialized) == MPI_SUCCESS && initialized &&
           MPI_Finalized(&finalized) == MPI_SUCCESS && !finalized;
}

/* The collective entry points, compared by agree(): ranks in different calls must not wait for
 * each other in mismatched collectives (say rank 0 scattering while the others generate). */
enum operation { OP_CREATE = 1, OP_GENERATE, OP_SCATTER, OP_INVERT, OP_RESIDUAL, OP_GATHER };

enum { AGREED_VALUES = 4 };

/*
 * The first step of every collective entry point, and of each later step that may fail on some
 * ranks only: combines this rank's status with every other rank's, and checks that the entry point
 * and the `count` (<= AGREED_VALUES) parameters that must be equal everywhere are. One
 * MPI_Allreduce(MIN) of a fixed-size vector [status, op, -op, v0, -v0, ...], whatever the call:
 * the minimum and the maximum of each value. Returns the most negative status of any rank; else
 * MISMATCH if the operations or a value differ; else 0. Every rank returns the same.
 */
static int32_t agree(enum operation op, int32_t status, const int64_t *values, int count)
{
    int64_t send[3 + 2 * AGREED_VALUES] = {0}, receive[3 + 2 * AGREED_VALUES];
    if (!mpi_usable())
        return INTEROP_SCALAPACK_ERR_STATE;
    send[0] = status;
    send[1] = op;
    send[2] = -(int64_t)op;
    for (int i = 0; i < count && i < AGREED_VALUES; ++i) {
        send[3 + 2 * i] = values[i];
        send[4 + 2 * i] = -values[i];
    }
    if (MPI_Allreduce(send, receive, 3 + 2 * AGREED_VALUES, MPI_INT64_T, MPI_MIN, MPI_COMM_WORLD) !=
        MPI_SUCCESS)
        return INTEROP_SCALAPACK_ERR_MPI;
    if (receive[0] < 0)
        return (int32_t)receive[0];
    for (int i = 0; i < 1 + AGREED_VALUES; ++i)
        if (receive[1 + 2 * i] != -receive[2 + 2 * i])
            return INTEROP_SCALAPACK_ERR_MISMATCH;
    return 0;
}

/* An MPI call's result as a status; every rank then agrees on it. */
static int32_t mpi_status(int result)
{
    return result == MPI_SUCCESS ? 0 : INTEROP_SCALAPACK_ERR_MPI;
}

/* Global (0-based) index of local index `local` along a dimension cut in blocks of `block`, dealt
 * over `procs` processes from process 0, on process `proc` (ScaLAPACK's INDXL2G). */
static int64_t global_index(int64_t local, int block, int proc, int procs)
{
    return (local / block * procs + proc) * block + local % block;
}

/* Element (i, j) of the spec's matrix: R[i][j] * R[j][i], as the managed SpecMatrix computes it. */
static double spec_element(uint64_t seed, int64_t n, int64_t i, int64_t j)
{
    double rij = (double)(interop_mix(seed, (uint64_t)(i * n + j)) >> 11) * 0x1p-53;
    double rji = (double)(interop_mix(seed, (uint64_t)(j * n + i)) >> 11) * 0x1p-53;
    return rij * rji;
}

static void release(interop_scalapack_plan *p)
{
    free(p->matrix);
    free(p->kept);
    free(p->panel);
    free(p->a_panel);
    free(p->norm_work);
    free(p->pivots);
    free(p->work);
    free(p->iwork);
    if (p->context >= 0)
        Cblacs_gridexit(p->context);
    if (p->root_context >= 0)
        Cblacs_gridexit(p->root_context);
    if (p->system_handle >= 0)
        Cfree_blacs_system_handle(p->system_handle);
    free(p);
}

/* Allocates count elements of `size` bytes (at least one element), adding them to *bytes. */
static void *allocate(int64_t count, size_t size, int64_t *bytes)
{
    size_t elements = count > 0 ? (size_t)count : 1;
    *bytes += (int64_t)(elements * size);
    return malloc(elements * size);
}

/* The grids and descriptors; 0 or LIBRARY. Collective (BLACS_GRIDINIT is, over the world). */
static int32_t build_grids(interop_scalapack_plan *p)
{
    const int zero = 0;
    int info = 0, grid_rows = 0, grid_cols = 0;
    p->system_handle = Csys2blacs_handle(MPI_COMM_WORLD);
    p->context = p->system_handle;
    Cblacs_gridinit(&p->context, "R", p->rows, p->cols);
    p->root_context = p->system_handle;
    Cblacs_gridinit(&p->root_context, "R", 1, 1);
    if (p->context < 0)
        return INTEROP_SCALAPACK_ERR_LIBRARY;
    Cblacs_gridinfo(p->context, &grid_rows, &grid_cols, &p->my_row, &p->my_col);
    if (grid_rows != p->rows || grid_cols != p->cols || p->my_row < 0 || p->my_col < 0)
        return INTEROP_SCALAPACK_ERR_LIBRARY;
    p->local_rows = numroc_(&p->n, &p->block, &p->my_row, &zero, &p->rows);
    p->local_cols = numroc_(&p->n, &p->block, &p->my_col, &zero, &p->cols);
    int lld = p->local_rows > 1 ? p->local_rows : 1;
    descinit_(p->desc, &p->n, &p->n, &p->block, &p->block, &zero, &zero, &p->context, &lld, &info);
    if (info != 0)
        return INTEROP_SCALAPACK_ERR_LIBRARY;
    /* Residual panels: whole cycles of process rows and columns (so that every panel and every
     * block of X they meet starts on process row and column 0, aligned with each other), about
     * n / 8 columns wide. */
    int lcm = p->rows;
    while (lcm % p->cols != 0)
        lcm += p->rows;
    int cycle = p->block * lcm;
    int cycles = (p->n + 8 * cycle - 1) / (8 * cycle);
    p->panel_width = cycles * cycle < p->n ? cycles * cycle : p->n;
    p->panel_cols = numroc_(&p->panel_width, &p->block, &p->my_col, &zero, &p->cols);
    descinit_(p->panel_desc, &p->n, &p->panel_width, &p->block, &p->block, &zero, &zero, &p->context, &lld,
              &info);
    if (info != 0)
        return INTEROP_SCALAPACK_ERR_LIBRARY;
    /* The 1 x 1 grid holds the whole matrix in one block on rank 0; the other ranks describe it
     * with context -1, which pdgemr2d reads as "not in this grid". */
    if (p->root_context >= 0) {
        descinit_(p->root_desc, &p->n, &p->n, &p->n, &p->n, &zero, &zero, &p->root_context, &p->n, &info);
        if (info != 0)
            return INTEROP_SCALAPACK_ERR_LIBRARY;
    } else {
        int outside[DESC_LENGTH] = {1, -1, p->n, p->n, p->n, p->n, 0, 0, 1};
        memcpy(p->root_desc, outside, sizeof outside);
    }
    return 0;
}

/* pdgetri's workspace: its own query, never below the sizes its documentation gives (some
 * ScaLAPACK releases answered the IWORK query with less than they use on non-square grids). */
static int32_t query_workspace(interop_scalapack_plan *p)
{
    const int one = 1, minus_one = -1;
    double work_query = 0.0, no_matrix = 0.0;
    int iwork_query = 0, info = 0, no_pivots = 0;
    /* A query reads the descriptor only: the matrix and pivots are not allocated yet. */
    pdgetri_(&p->n, &no_matrix, &one, &one, p->desc, &no_pivots, &work_query, &minus_one, &iwork_query,
             &minus_one, &info);
    if (info != 0)
        return INTEROP_SCALAPACK_ERR_LIBRARY;
    int64_t rows_padded = (int64_t)p->local_rows + p->block;
    int64_t lwork =
        (int64_t)work_query > rows_padded * p->block ? (int64_t)work_query : rows_padded * p->block;
    int64_t liwork = (int64_t)p->local_cols + 2 * (int64_t)p->block + p->local_rows / p->block + 1;
    if (iwork_query > liwork)
        liwork = iwork_query;
    if (lwork > INT_MAX || liwork > INT_MAX)
        return INTEROP_SCALAPACK_ERR_TOO_LARGE;
    p->lwork = (int)lwork;
    p->liwork = (int)liwork;
    return 0;
}

/* What create allocates on this rank (the sizes it passes to allocate()). */
static int64_t planned_bytes(const interop_scalapack_plan *p)
{
    int64_t panel = (int64_t)p->local_rows * p->panel_cols;
    return (int64_t)sizeof *p +
           (int64_t)sizeof(double) *
               ((int64_t)p->local_rows * p->local_cols + 2 * panel + p->local_cols + p->block + p->lwork) +
           (int64_t)sizeof(int) * ((int64_t)p->local_rows + p->block + p->liwork);
}

/* The first number in `path` (INT64_MAX when unreadable, or not a number, as cgroup's "max"). */
static int64_t read_number(const char *path)
{
    FILE *f = fopen(path, "r");
    long long value = -1;
    if (f == NULL)
        return INT64_MAX;
    if (fscanf(f, "%lld", &value) != 1 || value < 0)
        value = -1;
    fclose(f);
    return value < 0 ? INT64_MAX : (int64_t)value;
}

/* MemAvailable of /proc/meminfo in bytes, INT64_MAX when unknown. */
static int64_t memory_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    long long kib = -1;
    if (f == NULL)
        return INT64_MAX;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "MemAvailable: %lld kB", &kib) == 1)
            break;
    fclose(f);
    return kib < 0 ? INT64_MAX : (int64_t)kib * 1024;
}

/* The least room left under the memory.max of this process's cgroup (v2) and of each parent,
 * INT64_MAX when none is limited or cgroup v2 is not mounted. */
static int64_t cgroup_room(void)
{
    FILE *f = fopen("/proc/self/cgroup", "r");
    char line[4096], path[4200];
    int64_t room = INT64_MAX;
    if (f == NULL)
        return room;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "0::", 3) != 0)
            continue;
        char *group = line + 3;
        group[strcspn(group, "\n")] = '\0';
        for (;;) {
            snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.max", strcmp(group, "/") == 0 ? "" : group);
            int64_t limit = read_number(path);
            snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.current",
                     strcmp(group, "/") == 0 ? "" : group);
            int64_t used = read_number(path);
            if (limit != INT64_MAX && used != INT64_MAX && limit - used < room)
                room = limit > used ? limit - used : 0;
            char *slash = strrchr(group, '/');
            if (slash == NULL || slash == group)
                break;
            *slash = '\0';
        }
        break;
    }
    fclose(f);
    return room;
}

/* INTEROP_MEMORY_LIMIT in bytes: a number with an optional K, M, G or T (1024^k); INT64_MAX when
 * unset; -1 when set but not such a number. */
static int64_t memory_limit_variable(void)
{
    const char *text = getenv(INTEROP_SCALAPACK_MEMORY_LIMIT_VARIABLE);
    if (text == NULL || *text == '\0')
        return INT64_MAX;
    char *end = NULL;
    double value = strtod(text, &end);
    const char *units = "KMGT", *unit = *end != '\0' ? strchr(units, toupper((unsigned char)*end)) : NULL;
    int shift = unit != NULL ? 10 * (int)(unit - units + 1) : 0;
    if (unit != NULL)
        ++end;
    if (end == text || *end != '\0' || !(value >= 0.0) || ldexp(value, shift) >= 0x1p62)
        return -1;
    return (int64_t)ldexp(value, shift);
}

/*
 * Collective: 0 when the ranks of every node together plan to allocate no more than that node
 * offers (the least of MemAvailable, the cgroup's room and INTEROP_MEMORY_LIMIT, as its ranks see
 * them); NO_MEMORY otherwise, on that node's ranks (agree() then spreads it); ERR_ENVIRONMENT when
 * INTEROP_MEMORY_LIMIT is not a size on some rank of the node; ERR_MPI. Unknown figures do not limit.
 */
static int32_t check_node_memory(int64_t bytes)
{
    MPI_Comm node;
    int64_t limit = memory_limit_variable(), offered = memory_available(), room = cgroup_room();
    if (room < offered)
        offered = room;
    if (limit >= 0 && limit < offered)
        offered = limit;
    int64_t mine[2] = {bytes, limit < 0 ? -1 : offered}, node_total[2] = {0, 0}, node_least[2] = {0, 0};
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) != MPI_SUCCESS)
        return INTEROP_SCALAPACK_ERR_MPI;
    int ok = MPI_Allreduce(mine, node_total, 1, MPI_INT64_T, MPI_SUM, node) == MPI_SUCCESS &&
             MPI_Allreduce(mine, node_least, 2, MPI_INT64_T, MPI_MIN, node) == MPI_SUCCESS;
    MPI_Comm_free(&node);
    if (!ok)
        return INTEROP_SCALAPACK_ERR_MPI;
    if (node_least[1] < 0)
        return INTEROP_SCALAPACK_ERR_ENVIRONMENT;
    return node_total[0] > node_least[1] ? INTEROP_SCALAPACK_NO_MEMORY : 0;
}

/* bytes_max_rank := the largest bytes_this_rank of any rank. */
static int32_t combine_bytes(interop_scalapack_plan *p)
{
    return mpi_status(
        MPI_Allreduce(&p->bytes_this_rank, &p->bytes_max_rank, 1, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD));
}

int32_t interop_scalapack_create(int64_t n, int32_t grid_rows, int32_t grid_cols, int32_t block,
                                 int32_t threads, interop_scalapack_plan **plan)
{
    int32_t status = 0;
    int size = 0, rank = 0;
    if (plan != NULL)
        *plan = NULL;
    if (n < 1 || n > INT_MAX)
        status = -1;
    else if (grid_rows < 1)
        status = -2;
    else if (grid_cols < 1)
        status = -3;
    else if (block < 1)
        status = -4;
    else if (threads < 1)
        status = -5;
    else if (plan == NULL)
        status = -6;
    else if (!mpi_usable())
        return INTEROP_SCALAPACK_ERR_STATE;
    else if (MPI_Comm_size(MPI_COMM_WORLD, &size) != MPI_SUCCESS ||
             MPI_Comm_rank(MPI_COMM_WORLD, &rank) != MPI_SUCCESS)
        status = INTEROP_SCALAPACK_ERR_MPI;
    else if ((int64_t)grid_rows * grid_cols != size)
        status = INTEROP_SCALAPACK_ERR_GRID;
    const int64_t values[4] = {n, grid_rows, grid_cols, block};
    if ((status = agree(OP_CREATE, status, values, 4)) != 0)
        return status;

    interop_scalapack_bound_mpi_calls();
    interop_scalapack_plan *p = calloc(1, sizeof *p);
    if (p != NULL) {
        p->n = (int)n;
        p->block = block;
        p->rows = grid_rows;
        p->cols = grid_cols;
        p->threads = threads;
        p->rank = rank;
        p->system_handle = p->context = p->root_context = -1;
    }
    if ((status = agree(OP_CREATE, p == NULL ? INTEROP_SCALAPACK_NO_MEMORY : 0, NULL, 0)) != 0) {
        free(p);
        return status;
    }
    status = build_grids(p);
    /* ScaLAPACK addresses A(i, j) of a local matrix as i + j * LLD in 32-bit integers. */
    if (status == 0 && (int64_t)p->desc[DESC_LLD] * (p->local_cols > 1 ? p->local_cols : 1) > INT_MAX)
        status = INTEROP_SCALAPACK_ERR_TOO_LARGE;
    if ((status = agree(OP_CREATE, status, NULL, 0)) == 0)
        status = query_workspace(p);
    if ((status = agree(OP_CREATE, status, NULL, 0)) == 0)
        status = check_node_memory(planned_bytes(p));
    if ((status = agree(OP_CREATE, status, NULL, 0)) == 0) {
        int64_t bytes = (int64_t)sizeof *p;
        int64_t elements = (int64_t)p->local_rows * p->local_cols;
        p->matrix = allocate(elements, sizeof(double), &bytes);
        p->panel = allocate((int64_t)p->local_rows * p->panel_cols, sizeof(double), &bytes);
        p->a_panel = allocate((int64_t)p->local_rows * p->panel_cols, sizeof(double), &bytes);
        p->norm_work = allocate((int64_t)p->local_cols + p->block, sizeof(double), &bytes);
        p->pivots = allocate((int64_t)p->local_rows + p->block, sizeof(int), &bytes);
        p->work = allocate(p->lwork, sizeof(double), &bytes);
        p->iwork = allocate(p->liwork, sizeof(int), &bytes);
        if (p->matrix == NULL || p->panel == NULL || p->a_panel == NULL || p->norm_work == NULL ||
            p->pivots == NULL || p->work == NULL || p->iwork == NULL)
            status = INTEROP_SCALAPACK_NO_MEMORY;
        p->bytes_this_rank = bytes;
    }
    if ((status = agree(OP_CREATE, status, NULL, 0)) == 0)
        status = combine_bytes(p);
    if ((status = agree(OP_CREATE, status, NULL, 0)) != 0) {
        release(p);
        return status;
    }
    openblas_set_num_threads(threads);
    p->state = HOLDS_NOTHING;
    *plan = p;
    return 0;
}

int32_t interop_scalapack_layout(const interop_scalapack_plan *plan, int64_t *local_rows, int64_t *local_cols,
                                 int64_t *bytes_this_rank, int64_t *bytes_max_rank)
{
    if (plan == NULL)
        return -1;
    if (local_rows != NULL)
        *local_rows = plan->local_rows;
    if (local_cols != NULL)
        *local_cols = plan->local_cols;
    if (bytes_this_rank != NULL)
        *bytes_this_rank = plan->bytes_this_rank;
    if (bytes_max_rank != NULL)
        *bytes_max_rank = plan->bytes_max_rank;
    return 0;
}

/* Fills the local part of columns [first, first + count) of the spec's A, distributed as an n x count
 * matrix from process row and column 0 (the whole matrix, or a residual panel), leading dimension lld. */
static void generate_columns(const interop_scalapack_plan *p, double *m, int first, int count, int64_t lld)
{
    const int zero = 0;
    int64_t local_count = numroc_(&count, &p->block, &p->my_col, &zero, &p->cols);
    for (int64_t lj = 0; lj < local_count; ++lj) {
        int64_t j = first + global_index(lj, p->block, p->my_col, p->cols);
        for (int64_t li = 0; li < p->local_rows; ++li) {
            int64_t i = global_index(li, p->block, p->my_row, p->rows);
            m[li + lj * lld] = spec_element(p->seed, p->n, i, j);
        }
    }
}

int32_t interop_scalapack_generate(interop_scalapack_plan *plan, uint64_t seed)
{
    /* The seed is compared as two 32-bit halves: each fits the int64 the comparison negates. */
    const int64_t values[2] = {(int64_t)(seed >> 32), (int64_t)(seed & 0xffffffffu)};
    int32_t status = agree(OP_GENERATE, plan == NULL ? -1 : 0, values, 2);
    if (status != 0)
        return status;
    interop_scalapack_plan *p = plan;
    p->seed = seed;
    p->generated = 1;
    generate_columns(p, p->matrix, 0, p->n, p->desc[DESC_LLD]);
    p->state = HOLDS_MATRIX;
    return 0;
}

int32_t interop_scalapack_scatter(interop_scalapack_plan *plan, const double *a)
{
    int32_t status = plan == NULL                                   ? -1
                     : plan->rank == 0 && a == NULL                 ? -2
                     : plan->n > INTEROP_SCALAPACK_MAX_GATHER_ORDER ? INTEROP_SCALAPACK_ERR_TOO_LARGE
                                                                    : 0;
    if ((status = agree(OP_SCATTER, status, NULL, 0)) != 0)
        return status;
    interop_scalapack_plan *p = plan;
    /* A scattered A cannot be made again from a formula: the first scatter allocates its copy. */
    if (p->kept == NULL) {
        int64_t bytes = 0;
        p->kept = allocate((int64_t)p->local_rows * p->local_cols, sizeof(double), &bytes);
        if ((status = agree(OP_SCATTER, p->kept == NULL ? INTEROP_SCALAPACK_NO_MEMORY : 0, NULL, 0)) != 0)
            return status;
        p->bytes_this_rank += bytes;
        if ((status = agree(OP_SCATTER, combine_bytes(p), NULL, 0)) != 0)
            return status;
    }
    const int one = 1;
    const double unit = 1.0, nothing = 0.0;
    static const double placeholder = 0.0;
    pblas_block = p->block;
    /* Rank 0's row-major A is Aᵀ column-major: moved into `kept` as it is, then transposed into
     * `matrix`, so that the plan factors A itself (see interop_scalapack.h). */
    pdgemr2d_(&p->n, &p->n, p->rank == 0 ? a : &placeholder, &one, &one, p->root_desc, p->kept, &one, &one,
              p->desc, &p->context);
    pdtran_(&p->n, &p->n, &unit, p->kept, &one, &one, p->desc, &nothing, p->matrix, &one, &one, p->desc);
    memcpy(p->kept, p->matrix, sizeof(double) * (size_t)p->local_rows * (size_t)p->local_cols);
    p->generated = 0;
    p->state = HOLDS_MATRIX;
    return 0;
}

/* The first failing pivot of U's diagonal on this rank, as (step << 1) | nonfinite, or INT64_MAX. */
static int64_t first_failed_pivot(const interop_scalapack_plan *p, double threshold)
{
    int64_t lld = p->desc[DESC_LLD];
    for (int64_t k = 0; k < p->n; ++k) {
        int64_t block = k / p->block;
        if (block % p->rows != p->my_row || block % p->cols != p->my_col)
            continue;
        int64_t li = block / p->rows * p->block + k % p->block;
        int64_t lj = block / p->cols * p->block + k % p->block;
        double pivot = p->matrix[li + lj * lld];
        if (!(fabs(pivot) > threshold) || !isfinite(pivot))
            return (k + 1) << 1 | (isfinite(pivot) ? 0 : 1);
    }
    return INT64_MAX;
}

/* Equilibration of the distributed A by powers of two, the rule of every backend (equilibrate.h),
 * computed where the matrix lies: each rank's maxima of its rows (then of its row-scaled columns)
 * are combined by one MPI_MAX reduction of n doubles each, so every rank holds all of r and c
 * (scales[0..n) and scales[n..2n)); each scales its own elements to B = diag(r) A diag(c) when any
 * scale is not 1. O(n^2 / ranks) work and two reductions, against pdgetrf's O(n^3 / ranks). Sets
 * *threshold to the pivot threshold on B, n * 2^-52 * max|b_ij| over the finite elements, and
 * *scaled to whether the matrix changed. Every rank returns the same status. */
static int32_t equilibrate_distributed(interop_scalapack_plan *p, double *scales, double *threshold,
                                       int *scaled)
{
    const int64_t n = p->n, lld = p->desc[DESC_LLD];
    double *mine = malloc(sizeof(double) * (size_t)n), *r = scales, *c = scales + n;
    int32_t status = agree(OP_INVERT, mine == NULL ? INTEROP_SCALAPACK_NO_MEMORY : 0, NULL, 0);
    if (status != 0) {
        free(mine);
        return status;
    }
    for (int64_t i = 0; i < n; ++i)
        mine[i] = 0.0;
    for (int64_t lj = 0; lj < p->local_cols; ++lj)
        for (int64_t li = 0; li < p->local_rows; ++li) {
            int64_t i = global_index(li, p->block, p->my_row, p->rows);
            double v = fabs(p->matrix[li + lj * lld]);
            if (v > mine[i] && v <= 0x1.fffffffffffffp1023)
                mine[i] = v;
        }
    status = agree(OP_INVERT, mpi_status(MPI_Allreduce(mine, r, (int)n, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD)),
                   NULL, 0);
    if (status != 0) {
        free(mine);
        return status;
    }
    int any = 0;
    for (int64_t i = 0; i < n; ++i) {
        r[i] = interop_equilibration_scale(r[i]);
        any |= r[i] != 1.0;
        mine[i] = 0.0;
    }
    for (int64_t lj = 0; lj < p->local_cols; ++lj) {
        int64_t j = global_index(lj, p->block, p->my_col, p->cols);
        for (int64_t li = 0; li < p->local_rows; ++li) {
            double v = fabs(p->matrix[li + lj * lld]) * r[global_index(li, p->block, p->my_row, p->rows)];
            if (v > mine[j] && v <= 0x1.fffffffffffffp1023)
                mine[j] = v;
        }
    }
    status = agree(OP_INVERT, mpi_status(MPI_Allreduce(mine, c, (int)n, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD)),
                   NULL, 0);
    free(mine);
    if (status != 0)
        return status;
    double max_b = 0.0;
    for (int64_t j = 0; j < n; ++j) {
        double s = interop_equilibration_scale(c[j]);
        if (c[j] * s > max_b)
            max_b = c[j] * s;
        c[j] = s;
        any |= s != 1.0;
    }
    if (any)
        for (int64_t lj = 0; lj < p->local_cols; ++lj) {
            double cj = c[global_index(lj, p->block, p->my_col, p->cols)];
            for (int64_t li = 0; li < p->local_rows; ++li)
                p->matrix[li + lj * lld] =
                    p->matrix[li + lj * lld] * r[global_index(li, p->block, p->my_row, p->rows)] * cj;
        }
    *threshold = (double)n * 0x1p-52 * max_b;
    *scaled = any;
    return 0;
}

/* X = diag(c) inv(B) diag(r) on this rank's elements of inv(B): X(i, j) = c_i inv(B)(i, j) r_j, exactly. */
static void unequilibrate_distributed(interop_scalapack_plan *p, const double *scales)
{
    const int64_t n = p->n, lld = p->desc[DESC_LLD];
    const double *r = scales, *c = scales + n;
    for (int64_t lj = 0; lj < p->local_cols; ++lj) {
        double rj = r[global_index(lj, p->block, p->my_col, p->cols)];
        for (int64_t li = 0; li < p->local_rows; ++li)
            p->matrix[li + lj * lld] =
                p->matrix[li + lj * lld] * c[global_index(li, p->block, p->my_row, p->rows)] * rj;
    }
}

int32_t interop_scalapack_invert(interop_scalapack_plan *plan, double *seconds)
{
    int32_t status = plan == NULL ? -1 : plan->state != HOLDS_MATRIX ? INTEROP_SCALAPACK_ERR_ORDER : 0;
    if ((status = agree(OP_INVERT, status, NULL, 0)) != 0)
        return status;
    interop_scalapack_plan *p = plan;
    const int one = 1;
    int info = 0;
    openblas_set_num_threads(p->threads);
    pblas_block = p->block;
    double *scales = malloc(sizeof(double) * 2 * (size_t)p->n);
    if ((status = agree(OP_INVERT, scales == NULL ? INTEROP_SCALAPACK_NO_MEMORY : 0, NULL, 0)) != 0) {
        free(scales);
        return status;
    }
    if ((status = agree(OP_INVERT, mpi_status(MPI_Barrier(MPI_COMM_WORLD)), NULL, 0)) != 0) {
        free(scales);
        return status;
    }
    double start = MPI_Wtime();
    /* pdgetrf and pdgetri run on B, A equilibrated (timed, as the other backends' equilibration is),
     * and the pivots are judged on B. */
    double threshold = 0.0;
    int scaled = 0;
    if ((status = equilibrate_distributed(p, scales, &threshold, &scaled)) != 0) {
        free(scales);
        return status;
    }
    pdgetrf_(&p->n, &p->n, p->matrix, &one, &one, p->desc, p->pivots, &info);
    /* pdgetrf reports exact zeros only (and goes on): the rules of every backend, applied to U's
     * diagonal in step order, each rank checking the pivots it holds, the first failure agreed. */
    int64_t local_failure = info < 0 ? -1 : first_failed_pivot(p, threshold), failure = 0;
    if ((status = agree(
             OP_INVERT,
             mpi_status(MPI_Allreduce(&local_failure, &failure, 1, MPI_INT64_T, MPI_MIN, MPI_COMM_WORLD)),
             NULL, 0)) != 0) {
        free(scales);
        return status;
    }
    if (failure < 0) {
        free(scales);
        p->state = INVERSION_FAILED;
        return INTEROP_SCALAPACK_ERR_LIBRARY;
    }
    if (failure != INT64_MAX) {
        free(scales);
        p->state = INVERSION_FAILED;
        int32_t step = (int32_t)(failure >> 1);
        return (failure & 1) != 0 ? INTEROP_SCALAPACK_NONFINITE | step : step;
    }
    pdgetri_(&p->n, p->matrix, &one, &one, p->desc, p->pivots, p->work, &p->lwork, p->iwork, &p->liwork,
             &info);
    if (info >= 0 && scaled)
        unequilibrate_distributed(p, scales);
    free(scales);
    double local_seconds = MPI_Wtime() - start, slowest = 0.0;
    if ((status = agree(OP_INVERT, info < 0 ? INTEROP_SCALAPACK_ERR_LIBRARY : 0, NULL, 0)) != 0) {
        p->state = INVERSION_FAILED;
        return status;
    }
    if ((status = agree(
             OP_INVERT,
             mpi_status(MPI_Allreduce(&local_seconds, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD)),
             NULL, 0)) != 0)
        return status;
    /* pdgetri's INFO > 0 is an exact zero on U's diagonal, which the checks above have ruled out. */
    p->state = HOLDS_INVERSE;
    if (seconds != NULL)
        *seconds = slowest;
    return 0;
}

/* 1 if any of count elements (column-major, leading dimension lld, rows x cols) is NaN or Inf. */
static int any_nonfinite(const double *m, int64_t rows, int64_t cols, int64_t lld)
{
    for (int64_t j = 0; j < cols; ++j)
        for (int64_t i = 0; i < rows; ++i)
            if (!isfinite(m[i + j * lld]))
                return 1;
    return 0;
}

int32_t interop_scalapack_residual(interop_scalapack_plan *plan, double *residual)
{
    int32_t status = plan == NULL                   ? -1
                     : residual == NULL             ? -2
                     : plan->state != HOLDS_INVERSE ? INTEROP_SCALAPACK_ERR_ORDER
                                                    : 0;
    if ((status = agree(OP_RESIDUAL, status, NULL, 0)) != 0)
        return status;
    interop_scalapack_plan *p = plan;
    const int one = 1;
    const double minus_one = -1.0, zero = 0.0, unit = 1.0;
    int64_t lld = p->desc[DESC_LLD];
    openblas_set_num_threads(p->threads);
    pblas_block = p->block;
    /* NaN and Inf anywhere make r = +Inf, as in interop_inv_residual: checked here rather than
     * trusted to pdlange, whose maxima may drop a NaN. */
    int nonfinite = any_nonfinite(p->matrix, p->local_rows, p->local_cols, lld);
    if (!p->generated)
        nonfinite |= any_nonfinite(p->kept, p->local_rows, p->local_cols, lld);
    double norm_r = 0.0, norm_a = 0.0;
    /* ||I - A X||_1 is the largest column sum: the largest over panels J of columns of X. A scattered
     * A is kept whole; a generated one is made again panel by panel, C_J = -sum_K A(:, K) X(K, J),
     * so that it never takes a second n x n matrix (its ||A||_1 is then taken panel by panel). */
    for (int j0 = 0; j0 < p->n; j0 += p->panel_width) {
        int width = p->n - j0 < p->panel_width ? p->n - j0 : p->panel_width, column = j0 + 1;
        if (!p->generated) {
            pdgemm_("N", "N", &p->n, &width, &p->n, &minus_one, p->kept, &one, &one, p->desc, p->matrix, &one,
                    &column, p->desc, &zero, p->panel, &one, &one, p->panel_desc);
        }
        for (int k0 = 0; p->generated && k0 < p->n; k0 += p->panel_width) {
            int depth = p->n - k0 < p->panel_width ? p->n - k0 : p->panel_width, row = k0 + 1;
            generate_columns(p, p->a_panel, k0, depth, lld);
            pdgemm_("N", "N", &p->n, &width, &depth, &minus_one, p->a_panel, &one, &one, p->panel_desc,
                    p->matrix, &row, &column, p->desc, k0 == 0 ? &zero : &unit, p->panel, &one, &one,
                    p->panel_desc);
            if (j0 == 0) {
                double panel_norm =
                    pdlange_("1", &p->n, &depth, p->a_panel, &one, &one, p->panel_desc, p->norm_work);
                norm_a = panel_norm > norm_a || isnan(panel_norm) ? panel_norm : norm_a;
            }
        }
        int local_width = numroc_(&width, &p->block, &p->my_col, &(const int){0}, &p->cols);
        for (int64_t lc = 0; lc < local_width; ++lc) {
            int64_t i = j0 + global_index(lc, p->block, p->my_col, p->cols);
            /* Row i of the panel's column lc is the diagonal: is it on this rank? */
            int64_t block = i / p->block;
            if (block % p->rows == p->my_row)
                p->panel[block / p->rows * p->block + i % p->block + lc * lld] += 1.0;
        }
        nonfinite |= any_nonfinite(p->panel, p->local_rows, local_width, lld);
        double panel_norm = pdlange_("1", &p->n, &width, p->panel, &one, &one, p->panel_desc, p->norm_work);
        if (panel_norm > norm_r || isnan(panel_norm))
            norm_r = panel_norm;
    }
    if (!p->generated)
        norm_a = pdlange_("1", &p->n, &p->n, p->kept, &one, &one, p->desc, p->norm_work);
    double norm_x = pdlange_("1", &p->n, &p->n, p->matrix, &one, &one, p->desc, p->norm_work);
    double r = norm_r / ((double)p->n * 0x1p-52 * norm_a * norm_x);
    /* One value everywhere: pdlange's result is the same on every rank of the grid, and so is the
     * non-finite flag once combined; the largest r over the ranks settles any difference. */
    double local[2] = {isfinite(r) && norm_a != 0.0 && norm_x != 0.0 ? r : INFINITY, nonfinite ? 1.0 : 0.0};
    double global[2] = {0.0, 0.0};
    if ((status = agree(OP_RESIDUAL,
                        mpi_status(MPI_Allreduce(local, global, 2, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD)),
                        NULL, 0)) != 0)
        return status;
    *residual = global[1] != 0.0 ? INFINITY : global[0];
    return 0;
}

/* x := xᵀ in place for the n x n matrix x (rank 0's gathered matrix), by 32 x 32 tiles. */
static void transpose_in_place(int64_t n, double *x)
{
    const int64_t tile = 32;
    for (int64_t i0 = 0; i0 < n; i0 += tile)
        for (int64_t j0 = i0; j0 < n; j0 += tile) {
            int64_t i1 = i0 + tile < n ? i0 + tile : n, j1 = j0 + tile < n ? j0 + tile : n;
            for (int64_t i = i0; i < i1; ++i)
                for (int64_t j = (j0 > i + 1 ? j0 : i + 1); j < j1; ++j) {
                    double t = x[i * n + j];
                    x[i * n + j] = x[j * n + i];
                    x[j * n + i] = t;
                }
        }
}

int32_t interop_scalapack_gather(interop_scalapack_plan *plan, double *x)
{
    int32_t status = plan == NULL                                   ? -1
                     : plan->rank == 0 && x == NULL                 ? -2
                     : plan->n > INTEROP_SCALAPACK_MAX_GATHER_ORDER ? INTEROP_SCALAPACK_ERR_TOO_LARGE
                     : plan->state != HOLDS_MATRIX && plan->state != HOLDS_INVERSE
                         ? INTEROP_SCALAPACK_ERR_ORDER
                         : 0;
    if ((status = agree(OP_GATHER, status, NULL, 0)) != 0)
        return status;
    interop_scalapack_plan *p = plan;
    const int one = 1;
    double placeholder = 0.0;
    pdgemr2d_(&p->n, &p->n, p->matrix, &one, &one, p->desc, p->rank == 0 ? x : &placeholder, &one, &one,
              p->root_desc, &p->context);
    /* Column-major X in rank 0's buffer is Xᵀ row-major. */
    if (p->rank == 0)
        transpose_in_place(p->n, x);
    return 0;
}

int32_t interop_scalapack_destroy(interop_scalapack_plan *plan)
{
    if (plan != NULL)
        release(plan);
    return 0;
}
