//! Which instruction-set path the kernels take: the best this CPU has (AUTO), or the one forced with
//! interop_rust_isa_select. One process-wide value, as interop_isa_select's in libinterop_native.

use crate::status::{ISA_AUTO, ISA_AVX2, ISA_AVX512, ISA_SCALAR};
use std::sync::atomic::{AtomicI32, Ordering};

/// A path this library has code for. There is no AVX-512 path: Debian's rustc 1.63 has no stable
/// AVX-512 intrinsics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// Plain Rust for the x86-64 baseline (SSE2 at most).
    Scalar,
    /// AVX2 + FMA micro-kernels (std::arch, enabled per function and detected at run time).
    Avx2,
}

impl Path {
    /// The paths this CPU can run, best last.
    pub fn available() -> Vec<Path> {
        let mut paths = vec![Path::Scalar];
        if cpu_runs(ISA_AVX2) {
            paths.push(Path::Avx2);
        }
        paths
    }

    pub fn isa(self) -> i32 {
        match self {
            Path::Scalar => ISA_SCALAR,
            Path::Avx2 => ISA_AVX2,
        }
    }
}

/// AUTO, or the path forced by select. Written by select, read by every kernel call.
static FORCED: AtomicI32 = AtomicI32::new(ISA_AUTO);

#[cfg(target_arch = "x86_64")]
fn avx2_detected() -> bool {
    // The AVX2 code uses AVX2 and FMA instructions and nothing else beyond the baseline; the
    // detection includes the operating system's support for the YMM state.
    std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
}

#[cfg(not(target_arch = "x86_64"))]
fn avx2_detected() -> bool {
    false
}

fn cpu_runs(isa: i32) -> bool {
    match isa {
        ISA_SCALAR => true,
        ISA_AVX2 => avx2_detected(),
        _ => false,
    }
}

/// 1 if this CPU and library can run the path (AUTO always), 0 if not, -1 for a value that is no path.
pub fn supported(isa: i32) -> i32 {
    if !(ISA_AUTO..=ISA_AVX512).contains(&isa) {
        -1
    } else if isa == ISA_AUTO || cpu_runs(isa) {
        1
    } else {
        0
    }
}

/// 0 ok; -1 not a path; 1 this CPU or library cannot run it (the path in use is unchanged).
pub fn select(isa: i32) -> i32 {
    match supported(isa) {
        -1 => -1,
        0 => 1,
        _ => {
            FORCED.store(isa, Ordering::Relaxed);
            0
        }
    }
}

/// The path the kernels take now.
pub fn active() -> Path {
    match FORCED.load(Ordering::Relaxed) {
        ISA_SCALAR => Path::Scalar,
        ISA_AVX2 => Path::Avx2,
        _ if cpu_runs(ISA_AVX2) => Path::Avx2,
        _ => Path::Scalar,
    }
}
