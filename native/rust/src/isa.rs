//! Which instruction-set path the kernels take: the best this CPU has (AUTO), or the one forced with
//! interop_rust_isa_select. One process-wide value, as interop_isa_select's in libinterop_native.

use crate::status::{ISA_AUTO, ISA_AVX2, ISA_AVX512, ISA_SCALAR};
use std::sync::atomic::{AtomicI32, Ordering};

/// A path this library has code for. The AVX-512 path exists only in a build with the cargo feature
/// `avx512`, which needs rustc 1.89 or later (its AVX-512 intrinsics and target features are stable
/// from there on); native/rust/CMakeLists.txt turns it on for such a compiler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// Plain Rust for the x86-64 baseline (SSE2 at most).
    Scalar,
    /// AVX2 + FMA micro-kernels (std::arch, enabled per function and detected at run time).
    Avx2,
    /// AVX-512 (F, DQ, BW, VL) micro-kernels of 512-bit vectors, detected at run time.
    #[cfg(feature = "avx512")]
    Avx512,
}

impl Path {
    /// The paths this CPU can run (under INTEROP_TEST_ISA_MAX), best last.
    pub fn available() -> Vec<Path> {
        let mut paths = vec![Path::Scalar];
        if cpu_runs(ISA_AVX2) {
            paths.push(Path::Avx2);
        }
        #[cfg(feature = "avx512")]
        if cpu_runs(ISA_AVX512) {
            paths.push(Path::Avx512);
        }
        paths
    }

    pub fn isa(self) -> i32 {
        match self {
            Path::Scalar => ISA_SCALAR,
            Path::Avx2 => ISA_AVX2,
            #[cfg(feature = "avx512")]
            Path::Avx512 => ISA_AVX512,
        }
    }

    /// The path of an INTEROP_ISA_* value that this library has code for.
    fn of(isa: i32) -> Option<Path> {
        match isa {
            ISA_SCALAR => Some(Path::Scalar),
            ISA_AVX2 => Some(Path::Avx2),
            #[cfg(feature = "avx512")]
            ISA_AVX512 => Some(Path::Avx512),
            _ => None,
        }
    }
}

/// AUTO, or the path forced by select. Written by select, read by every kernel call.
static FORCED: AtomicI32 = AtomicI32::new(ISA_AUTO);

/// The variable that caps the paths detection reports, for the tests: with "avx2" this library
/// behaves as on a CPU without AVX-512 (the same variable and values as libinterop_native's).
pub const TEST_ISA_MAX_VARIABLE: &str = "INTEROP_TEST_ISA_MAX";

/// The highest path a value of INTEROP_TEST_ISA_MAX allows: exactly scalar, avx2 or avx512, as the
/// other libraries and the driver read it (native/common/cpu_runs.h, ManagedIsa.TestCap). Unset, empty
/// or any other value caps nothing: an unknown value is ignored, as they ignore it, rather than read
/// as some cap the user did not ask for.
pub fn test_isa_cap(value: Option<&str>) -> i32 {
    match value {
        Some("scalar") => ISA_SCALAR,
        Some("avx2") => ISA_AVX2,
        _ => ISA_AVX512,
    }
}

/// The cap of this process, read from the environment once (the detection it caps is cached the
/// same way, and a path must not change under a running kernel). 0: not read yet. Two threads that
/// race to read it store the same value.
static CAP: AtomicI32 = AtomicI32::new(0);

fn cap() -> i32 {
    let cap = CAP.load(Ordering::Relaxed);
    if cap != 0 {
        return cap;
    }
    let value = std::env::var(TEST_ISA_MAX_VARIABLE).ok();
    let cap = test_isa_cap(value.as_deref());
    CAP.store(cap, Ordering::Relaxed);
    cap
}

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

/// The features the AVX-512 code is compiled with (gemm.rs, pi.rs), as x86-64-v4 asks for them in
/// libinterop_native: F, DQ (vpmullq), BW and VL, on top of AVX2 and FMA; the detection includes the
/// operating system's support for the ZMM state.
#[cfg(all(feature = "avx512", target_arch = "x86_64"))]
fn avx512_detected() -> bool {
    avx2_detected()
        && std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512dq")
        && std::is_x86_feature_detected!("avx512bw")
        && std::is_x86_feature_detected!("avx512vl")
}

#[cfg(not(all(feature = "avx512", target_arch = "x86_64")))]
fn avx512_detected() -> bool {
    false
}

fn cpu_runs(isa: i32) -> bool {
    if isa > cap() {
        return false;
    }
    match isa {
        ISA_SCALAR => true,
        ISA_AVX2 => avx2_detected(),
        ISA_AVX512 => avx512_detected(),
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

/// The path the kernels take now: the forced one, else the best this CPU runs.
pub fn active() -> Path {
    match Path::of(FORCED.load(Ordering::Relaxed)) {
        Some(path) => path,
        None => *Path::available().last().unwrap_or(&Path::Scalar),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_variable_names_a_path_or_caps_nothing() {
        assert_eq!(test_isa_cap(Some("scalar")), ISA_SCALAR);
        assert_eq!(test_isa_cap(Some("avx2")), ISA_AVX2);
        // Exactly as C and C# read it: another spelling is no cap in any of them.
        assert_eq!(test_isa_cap(Some(" AVX2 ")), ISA_AVX512);
        assert_eq!(test_isa_cap(Some("avx512")), ISA_AVX512);
        for none in [None, Some(""), Some("sse9"), Some("auto"), Some("avx2 avx512")] {
            assert_eq!(test_isa_cap(none), ISA_AVX512, "{:?}", none);
        }
    }

    #[test]
    fn auto_is_the_best_available_path() {
        assert_eq!(supported(ISA_AUTO), 1);
        assert_eq!(supported(-1), -1);
        assert_eq!(supported(ISA_AVX512 + 1), -1);
        let available = Path::available();
        assert_eq!(available[0], Path::Scalar);
        for isa in [ISA_SCALAR, ISA_AVX2, ISA_AVX512] {
            let listed = available.iter().any(|p| p.isa() == isa);
            assert_eq!(supported(isa), i32::from(listed), "isa {}", isa);
        }
    }
}
