/*
 * kernel_table.h: the native kernels of native/kernels.json, for the C programs around them (the
 * CTest suites, bench_kernels). CMake generates the rows of this build (kernel_rows.c.in); a program
 * finds a row by its id or backend name and binds it by symbol with dlopen/dlsym, so a new kernel
 * library is one row of the table and no program names its functions or includes its header.
 */
#ifndef INTEROP_KERNEL_TABLE_H
#define INTEROP_KERNEL_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef int32_t (*interop_pi_kernel)(uint64_t seed, int64_t begin, int64_t end, int32_t threads,
                                     int64_t *inside);
typedef int32_t (*interop_inv_kernel)(int64_t n, double *a, int32_t threads);

/* A library of the table, as this build has it. */
typedef struct {
    const char *name;              /* "interop_native" */
    const char *path;              /* the file in the build's bin folder */
    const char *abi_symbol;        /* int32_t (void): its ABI version */
    int32_t abi_version;           /* the version the table expects */
    const char *isa_prefix;        /* <prefix>_supported, <prefix>_select, <prefix>_active */
    const char *last_error_symbol; /* int32_t (char *, int32_t), or NULL */
    uint32_t isa_paths;            /* bit 1 << INTEROP_ISA_x for each path the table lists */
} interop_kernel_library;

/* One entry point of a row: the workload it runs and its symbol. The workload is a key of the row's
 * "symbols" map in native/kernels.json, whatever it is: the table knows no list of workloads, so a new
 * workload's symbols need no edit here. */
typedef struct {
    const char *workload; /* "pi" */
    const char *symbol;   /* "interop_pi_count_c" */
} interop_kernel_symbol;

/* A kernel row: one backend, with an entry point for each workload it runs (any non-empty subset). */
typedef struct {
    const char *backend; /* "c-openmp" */
    const char *id;      /* "c": CTest names and bench_kernels's argument */
    const interop_kernel_library *library;
    const interop_kernel_symbol *symbols;
    size_t symbol_count;
    const int64_t *test_orders; /* inversion orders at this kernel's own block edges */
    size_t test_order_count;
} interop_kernel_row;

extern const interop_kernel_row interop_kernel_rows[];
extern const size_t interop_kernel_row_count;

/* A bound entry point, of no particular type: the program that calls it casts it to its workload's
 * type (interop_pi_kernel, ...). ISO C converts between function pointer types, and GCC's
 * -Wcast-function-type leaves void (*)(void) alone. */
typedef void (*interop_kernel_function)(void);

/* The most workloads one row may name; interop_kernel_bind refuses a row with more. */
#define INTEROP_KERNEL_MAX_WORKLOADS 16

/* A row bound to its library's functions. */
typedef struct {
    const interop_kernel_row *row;
    /* functions[i] is the entry point of row->symbols[i]; interop_kernel_function_of finds one. */
    interop_kernel_function functions[INTEROP_KERNEL_MAX_WORKLOADS];
    int32_t (*isa_supported)(int32_t isa);
    int32_t (*isa_select)(int32_t isa);
    int32_t (*isa_active)(void);
    int32_t (*last_error)(char *buffer, int32_t capacity); /* NULL if the library has none */
} interop_kernel;

/* The row whose id or backend name is `name`, or NULL. */
const interop_kernel_row *interop_kernel_find(const char *name);

/* The row's symbol for `workload` ("pi", ...), or NULL when the row does not run it: the
 * CTest programs and bench_kernels then skip the row for that workload. */
const char *interop_kernel_symbol_of(const interop_kernel_row *row, const char *workload);

/* The bound entry point of `workload` ("pi", ...), or NULL when the row does not run it (or the kernel
 * is not bound). */
interop_kernel_function interop_kernel_function_of(const interop_kernel *kernel, const char *workload);

/* Loads the row's library, checks its ABI version and resolves every function the row names (a
 * workload it leaves out has no function: interop_kernel_function_of gives NULL). Returns 0, or -1 with the reason in `error` (NUL-terminated,
 * truncated to capacity). */
int interop_kernel_bind(const interop_kernel_row *row, interop_kernel *kernel, char *error, size_t capacity);

/* interop_kernel_bind_path's answer when the path is not there to run (CTest's "skipped" code). */
#define INTEROP_KERNEL_PATH_MISSING 77

/* Binds the row (NULL: an unknown name) and forces path `isa` on its library (INTEROP_ISA_AUTO: the
 * library's own choice). Returns 0 ready; INTEROP_KERNEL_PATH_MISSING when the library, or this CPU,
 * lacks the path; -1 when the row cannot be bound, or the library takes the path but does not run it;
 * the reason in `message` (NUL-terminated, truncated to capacity) unless 0. The CTest programs and
 * bench_kernels prepare every kernel they run with it. */
int interop_kernel_bind_path(const interop_kernel_row *row, int32_t isa, interop_kernel *kernel,
                             char *message, size_t capacity);

/* interop_kernel_bind_path for the CTest programs, on `row` (NULL: an unknown name, `name`) and its
 * `workload`: prints "skipped: ..." on stdout or "FAIL: ..." on stderr, and returns 0,
 * INTEROP_KERNEL_PATH_MISSING (CTest's skip code: the path is missing, or the row does not run the
 * workload) or 1. */
int interop_kernel_prepare_row(const interop_kernel_row *row, const char *name, const char *workload,
                               int32_t isa, interop_kernel *kernel);

/* interop_kernel_prepare_row on the row of this build whose id or backend name is `name`. */
int interop_kernel_prepare(const char *name, const char *workload, int32_t isa, interop_kernel *kernel);

/* Calls visit(row, kernel, isa, context) for every row of this build that runs `workload`, bound, on
 * every path its library runs here, selected (the CTest programs' "every row agrees" suites); a row
 * that runs no such kernel is printed as left out. Every library is set back to its own choice after
 * its paths. Returns the failures, each printed as "FAIL: ..." on stderr: a row that cannot be bound,
 * a path that cannot be selected, and no row running the workload at all. */
typedef void (*interop_kernel_path_visit)(const interop_kernel_row *row, interop_kernel *kernel, int32_t isa,
                                          void *context);
int interop_kernel_for_each_path(const char *workload, interop_kernel_path_visit visit, void *context);

/* The row ids of this build, "c|fortran|...", for usage lines. */
const char *interop_kernel_ids(void);

/* The message of this thread's last INTEROP_STATUS_INTERNAL failure in the kernel's library ("" if the
 * library keeps none), in a buffer the next call overwrites. */
const char *interop_kernel_last_error(const interop_kernel *kernel);

/* The INTEROP_ISA_* value of a path name ("auto", "scalar", "avx2", "avx512"), or -1; and back. */
int32_t interop_kernel_isa_parse(const char *name);
const char *interop_kernel_isa_name(int32_t isa);

#endif /* INTEROP_KERNEL_TABLE_H */
