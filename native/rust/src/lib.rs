//! libinterop_rust: the rust-threads backend's kernels (Monte Carlo pi and dense inversion) behind the
//! C ABI of native/include/interop_rust.h, with the semantics, argument checks and status codes of
//! interop_pi_count_c and interop_inv_c (native/include/interop.h); NPB EP (ep.rs) and the chunked-array
//! example (array.rs) behind the shared headers interop_ep.h and interop_array.h. std only; threads are
//! std::thread::scope teams; the AVX2 path (and the AVX-512 one, in a build with the `avx512` feature:
//! rustc 1.89 or later) is std::arch code detected at run time.
//!
//! No panic crosses the boundary: every export runs its body through boundary::guard, which returns
//! INTEROP_STATUS_INTERNAL (-1001) and keeps the message for interop_rust_last_error.

// The AVX-512 code is x86-64's (std::arch::x86_64); the feature means nothing elsewhere.
#[cfg(all(feature = "avx512", not(target_arch = "x86_64")))]
compile_error!("the avx512 feature needs an x86-64 target");

mod alloc;
pub mod array;
pub mod boundary;
pub mod ep;
mod gemm;
pub mod inverse;
pub mod isa;
pub mod pi;
pub mod status;
pub mod team;

use std::os::raw::c_char;

/// INTEROP_RUST_ABI_VERSION.
#[no_mangle]
pub extern "C" fn interop_rust_abi_version() -> i32 {
    status::ABI_VERSION
}

/// Counts the darts k in [begin, end) of the stream seeded `seed` inside the quarter circle on
/// `threads` threads and stores the count in *inside. Status: 0; -2 begin < 0; -3 end < begin;
/// -4 threads < 1; -5 inside NULL; INTERNAL.
///
/// # Safety
/// `inside` is NULL or points to a writable int64_t.
#[no_mangle]
pub unsafe extern "C" fn interop_pi_count_rust(seed: u64, begin: i64, end: i64, threads: i32, inside: *mut i64) -> i32 {
    boundary::guard(|| {
        if begin < 0 {
            return -2;
        }
        if end < begin {
            return -3;
        }
        if threads < 1 {
            return -4;
        }
        if inside.is_null() {
            return -5;
        }
        let count = pi::count(isa::active(), seed, begin, end, threads as usize);
        *inside = count as i64;
        0
    })
}

/// Inverts the row-major n x n matrix at `a` in place on `threads` threads. Status: 0; -1 n < 1;
/// -2 a NULL; -3 threads < 1; NO_MEMORY; k > 0 singular at step k; NONFINITE | k; INTERNAL.
///
/// # Safety
/// `a` is NULL or points to n*n doubles that nothing else uses during the call.
#[no_mangle]
pub unsafe extern "C" fn interop_inv_rust(n: i64, a: *mut f64, threads: i32) -> i32 {
    boundary::guard(|| {
        if n < 1 {
            return -1;
        }
        if a.is_null() {
            return -2;
        }
        if threads < 1 {
            return -3;
        }
        match usize::try_from(n) {
            Ok(n) => inverse::invert(isa::active(), n, a, threads as usize),
            Err(_) => status::NO_MEMORY,
        }
    })
}

/// 1 if this CPU and library can run the path, 0 if not (AVX-512 in a build without the `avx512`
/// feature, or a path above INTEROP_TEST_ISA_MAX), -1 for a value that is no path.
#[no_mangle]
pub extern "C" fn interop_rust_isa_supported(isa: i32) -> i32 {
    boundary::guard(|| isa::supported(isa))
}

/// Forces the path of every kernel of this library from now on (AUTO: the best this CPU has).
/// 0 ok; -1 not a path; 1 this CPU or library cannot run it (the path in use is unchanged).
#[no_mangle]
pub extern "C" fn interop_rust_isa_select(isa: i32) -> i32 {
    boundary::guard(|| isa::select(isa))
}

/// The path the kernels take now: SCALAR, AVX2 or AVX512, never AUTO.
#[no_mangle]
pub extern "C" fn interop_rust_isa_active() -> i32 {
    boundary::guard(|| isa::active().isa())
}

/// Copies the message of this thread's last INTERNAL failure into `buffer` (NUL-terminated, truncated
/// to `capacity`) and returns its full length in bytes, 0 if none.
///
/// # Safety
/// `buffer` is NULL or points to `capacity` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn interop_rust_last_error(buffer: *mut c_char, capacity: i32) -> i32 {
    boundary::copy_last_error(buffer, capacity)
}
