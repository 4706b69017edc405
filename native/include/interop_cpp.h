/*
 * interop_cpp.h: the exported C ABI of libinterop_cpp, the cpp-threads backend (C++17 kernels,
 * std::thread). The contract of every kernel library beside libinterop_native: pi and inversion with
 * exactly the semantics, argument checks and status codes of interop_pi_count_c and interop_inv_c
 * (interop.h), pi counts bit-identical to the C kernel, the same instruction-set paths chosen at run time.
 *
 * No C++ exception crosses this boundary: every export catches them; std::bad_alloc becomes
 * INTEROP_STATUS_NO_MEMORY, any other exception INTEROP_STATUS_INTERNAL with its what() kept for
 * interop_cpp_last_error on the thread that made the call.
 */
#ifndef INTEROP_CPP_H
#define INTEROP_CPP_H

#include "interop.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a signature below changes. */
#define INTEROP_CPP_ABI_VERSION 1

/* A C++ exception other than std::bad_alloc was caught in an export (a bug or a misuse, e.g. one plan
 * run from two threads at once): the message is in interop_cpp_last_error. */
#ifndef INTEROP_STATUS_INTERNAL
#define INTEROP_STATUS_INTERNAL (-1001)
#endif

INTEROP_EXPORT int32_t interop_cpp_abi_version(void);

/* interop_pi_count_c's contract on std::threads: the darts [begin, end) split in `threads`
 * contiguous parts by the same rule, the same count for every path and thread count.
 * Status: -2 begin < 0, -3 end < begin, -4 threads < 1, -5 inside is NULL; INTEROP_STATUS_INTERNAL
 * (e.g. a thread could not be started). */
INTEROP_EXPORT int32_t interop_pi_count_cpp(uint64_t seed, int64_t begin, int64_t end, int32_t threads,
                                            int64_t *inside);

/* interop_inv_c's contract (row-major A in place, LU of A itself with partial pivoting, the same
 * pivot threshold and failure statuses): a plan created, run once and destroyed.
 * Status: 0 ok; -1 n < 1; -2 a is NULL; -3 threads < 1; INTEROP_STATUS_NO_MEMORY;
 *         k or INTEROP_STATUS_NONFINITE | k (a failed pivot at step k, see interop_inv_c);
 *         INTEROP_STATUS_INTERNAL. */
INTEROP_EXPORT int32_t interop_inv_cpp(int64_t n, double *a, int32_t threads);

/* Instruction-set paths, with interop_isa_supported/_select/_active's values and semantics
 * (interop.h), for this library's kernels only: SCALAR, AVX2 and AVX512 on x86-64. */
INTEROP_EXPORT int32_t interop_cpp_isa_supported(int32_t isa);
INTEROP_EXPORT int32_t interop_cpp_isa_select(int32_t isa);
INTEROP_EXPORT int32_t interop_cpp_isa_active(void);

/* Copies the message of this thread's last INTEROP_STATUS_INTERNAL failure into buffer,
 * NUL-terminated and truncated to capacity (nothing is written if buffer is NULL or capacity < 1),
 * and returns its full length in bytes (without the NUL), 0 if this thread has had none. */
INTEROP_EXPORT int32_t interop_cpp_last_error(char *buffer, int32_t capacity);

/*
 * A reusable inversion plan: the workspace of an n x n inversion (about n^2 + 2 * 128 n doubles and
 * each thread's packing buffers) and a team of `threads` threads (the caller of run and threads - 1
 * started by create, asleep between runs), allocated once, so that repeated inversions of one size
 * pay neither allocation nor thread start. The path (interop_cpp_isa_select) is read at each run.
 * A plan runs one inversion at a time: a run while another is in progress on the same plan returns
 * INTEROP_STATUS_INTERNAL.
 */
typedef struct interop_cpp_inv_plan interop_cpp_inv_plan;

/* Status: 0 ok (*plan set); -1 n < 1; -2 threads < 1; -3 plan is NULL; INTEROP_STATUS_NO_MEMORY;
 * INTEROP_STATUS_INTERNAL (e.g. a thread could not be started). *plan is NULL on every failure
 * (unless plan itself is NULL). */
INTEROP_EXPORT int32_t interop_cpp_inv_plan_create(int64_t n, int32_t threads, interop_cpp_inv_plan **plan);

/* Inverts the plan's n x n row-major matrix a in place, on the plan's threads.
 * Status: 0 ok; -1 plan is NULL; -2 a is NULL; k or INTEROP_STATUS_NONFINITE | k as interop_inv_c;
 *         INTEROP_STATUS_INTERNAL. */
INTEROP_EXPORT int32_t interop_cpp_inv_plan_run(interop_cpp_inv_plan *plan, double *a);

/* Stops the plan's threads and frees its workspace; NULL is ignored. Not while a run is in progress. */
INTEROP_EXPORT void interop_cpp_inv_plan_destroy(interop_cpp_inv_plan *plan);

#ifdef __cplusplus
}
#endif

#endif /* INTEROP_CPP_H */
