/*
 * interop_rust.h: the exported C ABI of libinterop_rust, the rust-threads backend's kernels
 * (native/rust, std-only Rust: std::thread::scope teams, AVX2 and AVX-512 through std::arch chosen at
 * run time; the AVX-512 path only in a build by rustc 1.89 or later, see native/rust/CMakeLists.txt).
 *
 * Same rules as interop.h: every export starts with "interop_", only fixed-width integers, double and
 * pointers cross the boundary, every kernel returns an int32_t status (0 success, -i argument i
 * invalid, > 0 a numerical failure). A Rust panic never crosses the boundary: the export returns
 * INTEROP_STATUS_INTERNAL and keeps the panic's message for interop_rust_last_error.
 */
#ifndef INTEROP_RUST_H
#define INTEROP_RUST_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a signature below changes; the managed side refuses a mismatched library. */
#define INTEROP_RUST_ABI_VERSION 1

/* The values interop.h defines, repeated so that this header stands alone. */
#ifndef INTEROP_STATUS_NO_MEMORY
#define INTEROP_STATUS_NO_MEMORY (-1000)
#endif
#ifndef INTEROP_STATUS_NONFINITE
#define INTEROP_STATUS_NONFINITE 0x40000000
#endif
#ifndef INTEROP_ISA_AUTO
#define INTEROP_ISA_AUTO 0
#define INTEROP_ISA_SCALAR 1
#define INTEROP_ISA_AVX2 2
#define INTEROP_ISA_AVX512 3
#endif

/* A failure inside the library that is no argument or numerical status (a caught Rust panic). */
#ifndef INTEROP_STATUS_INTERNAL
#define INTEROP_STATUS_INTERNAL (-1001)
#endif

int32_t interop_rust_abi_version(void);

/*
 * Monte Carlo pi: interop_pi_count_c's contract (interop.h). Counts the darts k in [begin, end) of
 * the stream seeded `seed` inside the quarter circle on exactly `threads` threads, each counting one
 * contiguous part, and stores the count in *inside; bit-identical to interop_pi_count_c.
 * Status: -2 begin < 0, -3 end < begin, -4 threads < 1, -5 inside is NULL; INTEROP_STATUS_INTERNAL.
 */
int32_t interop_pi_count_rust(uint64_t seed, int64_t begin, int64_t end, int32_t threads, int64_t *inside);

/*
 * Dense matrix inversion in place: interop_inv_c's contract and algorithm (interop.h), row-major
 * in and out, LU with partial pivoting of A itself, `threads` threads exactly.
 * Status: 0 ok; -1 n < 1; -2 a is NULL; -3 threads < 1; INTEROP_STATUS_NO_MEMORY; k > 0 singular at
 * step k; INTEROP_STATUS_NONFINITE | k a NaN or Inf pivot at step k; INTEROP_STATUS_INTERNAL.
 * On a failure `a` is unspecified.
 */
int32_t interop_inv_rust(int64_t n, double *a, int32_t threads);

/* Instruction-set paths, interop_isa_*'s semantics for this library's kernels. It has SCALAR, AVX2
 * (AVX2 + FMA detected at run time) and, when built with the avx512 feature (rustc 1.89 or later),
 * AVX512 (AVX-512 F, DQ, BW and VL detected at run time); without that feature supported(AVX512) is 0
 * and select(AVX512) is 1. The environment variable INTEROP_TEST_ISA_MAX (scalar|avx2|avx512, read
 * once; unset, empty or another value: no cap) caps what the detection reports, for the tests.
 *   supported: 1 this CPU and library can run it (AUTO always), 0 not, -1 not a path;
 *   select:    0 ok; -1 not a path; 1 cannot run it (the path in use is unchanged);
 *   active:    the path in use now, SCALAR, AVX2 or AVX512, never AUTO. */
int32_t interop_rust_isa_supported(int32_t isa);
int32_t interop_rust_isa_select(int32_t isa);
int32_t interop_rust_isa_active(void);

/* Copies the message of this thread's last INTEROP_STATUS_INTERNAL failure into buffer
 * (NUL-terminated, truncated to capacity bytes including the NUL; nothing is copied if buffer is NULL
 * or capacity < 1) and returns its full length in bytes, 0 if there was none. */
int32_t interop_rust_last_error(char *buffer, int32_t capacity);

#ifdef __cplusplus
}
#endif

#endif /* INTEROP_RUST_H */
