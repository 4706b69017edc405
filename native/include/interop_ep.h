/*
 * interop_ep.h: the NAS Parallel Benchmarks EP kernel (NPB 3.4, the "embarrassingly parallel"
 * Gaussian pairs), one contract that every kernel library implements with one symbol per language:
 * interop_ep_c and interop_ep_fortran (libinterop_native, OpenMP; native/ep/), interop_ep_cpp
 * (libinterop_cpp, std::thread; native/cpp/ep/), interop_ep_rust (libinterop_rust; native/rust/src/ep.rs).
 * A shared header: named after no library, each function is the library's that exports it (the ABI check).
 *
 * The generator: x_{k+1} = a x_k mod 2^46, a = 5^13, seed 271828183; random r = x 2^-46. Batch k
 * (0-based) of 2^16 pairs starts from s_k = seed A^k mod 2^46, A = a^(2^17); its randoms are
 * r_i = (a^(i+1) s_k mod 2^46) 2^-46, i = 0 .. 2^17 - 1, and pair i is x1 = 2 r_{2i} - 1,
 * x2 = 2 r_{2i+1} - 1. A pair with t1 = x1 x1 + x2 x2 <= 1 is accepted (two roundings, no fused
 * multiply-add): t2 = sqrt(-2 log(t1) / t1), t3 = x1 t2, t4 = x2 t2, and it counts in annulus
 * l = (int)max(|t3|, |t4|).
 */
#ifndef INTEROP_EP_H
#define INTEROP_EP_H

#include "interop.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A failure inside a library that is no argument or numerical status (a caught C++ exception or Rust
 * panic, the message kept for its interop_<library>_last_error); interop_cpp.h and interop_rust.h too. */
#ifndef INTEROP_STATUS_INTERNAL
#define INTEROP_STATUS_INTERNAL (-1001)
#endif

/* Pairs in one batch (NPB's 2^MK, MK = 16), annuli counted (NPB's NQ), and the most batches a run may
 * reach: 2^27 batches use 2^44 randoms, the generator's whole period. */
#define INTEROP_EP_BATCH_PAIRS 65536
#define INTEROP_EP_ANNULI 10
#define INTEROP_EP_MAX_BATCHES (INT64_C(1) << 27)

/* Every interop_ep_<language>: runs batches [first_batch, first_batch + batches) on exactly `threads`
 * threads (OpenMP, std::thread or Rust's scoped threads; whole batches per thread, contiguous).
 * batch_sums[4 j + 0..3] = Σt3, Σt4, Σ|t3|, Σ|t4| over the accepted pairs of batch first_batch + j,
 * each summed in an order fixed by the instruction-set path alone (scalar: pair order; vector:
 * per-lane partials, then the lanes in order), never by the thread count: a path gives bit-identical
 * sums at every thread count. counts[0..9] = the accepted pairs per annulus over all the batches
 * (overwritten); their sum is the accepted pairs.
 * Status: 0; -1 first_batch < 0; -2 batches < 0; -3 threads < 1; -4 batch_sums is NULL; -5 counts is
 * NULL; -6 first_batch + batches > INTEROP_EP_MAX_BATCHES (past the generator's period);
 * INTEROP_STATUS_NO_MEMORY; INTEROP_STATUS_INTERNAL (C++, Rust); 1 a pair fell past annulus 9 (a
 * numerical failure: the sums and counts are then not NPB's). */
INTEROP_EXPORT int32_t interop_ep_c(int64_t first_batch, int64_t batches, int32_t threads, double *batch_sums,
                                    int64_t *counts);
INTEROP_EXPORT int32_t interop_ep_fortran(int64_t first_batch, int64_t batches, int32_t threads,
                                          double *batch_sums, int64_t *counts);
INTEROP_EXPORT int32_t interop_ep_cpp(int64_t first_batch, int64_t batches, int32_t threads, double *batch_sums,
                                      int64_t *counts);
INTEROP_EXPORT int32_t interop_ep_rust(int64_t first_batch, int64_t batches, int32_t threads, double *batch_sums,
                                       int64_t *counts);

#ifdef __cplusplus
}
#endif

#endif /* INTEROP_EP_H */
