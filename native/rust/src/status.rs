//! Status codes and ISA values shared with C (native/include/interop.h and interop_rust.h).

/// The ABI version of libinterop_rust (INTEROP_RUST_ABI_VERSION); bumped when an export changes.
pub const ABI_VERSION: i32 = 1;

/// A workspace could not be allocated (INTEROP_STATUS_NO_MEMORY).
pub const NO_MEMORY: i32 = -1000;

/// A panic was caught at the boundary (INTEROP_STATUS_INTERNAL); its message is kept for
/// interop_rust_last_error.
pub const INTERNAL: i32 = -1001;

/// Flag of an inversion status whose pivot was NaN or Inf (INTEROP_STATUS_NONFINITE | step).
pub const NONFINITE: i32 = 0x4000_0000;

/// interop.h's INTEROP_ISA_* values.
pub const ISA_AUTO: i32 = 0;
pub const ISA_SCALAR: i32 = 1;
pub const ISA_AVX2: i32 = 2;
pub const ISA_AVX512: i32 = 3;
