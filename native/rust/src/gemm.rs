//! The GEMM of the inversion, BLIS style as in native/src/lu_inverse_c.c: blocking loops (`gemm`),
//! packing (`pack_a`, `pack_b`), a macro-kernel over the packed blocks and a register micro-kernel per
//! path whose shape follows the register file:
//!   avx512 16 x 12: 2 x 12 zmm accumulators + 2 for A + 1 broadcast of B, of 32 registers (only in
//!                   a build with the `avx512` feature: rustc 1.89 or later);
//!   avx2    8 x 6: 2 x 6 ymm accumulators + 2 for A + 1 broadcast of B, of 16 registers;
//!   scalar  4 x 4: 2 x 4 xmm accumulators (SSE2 has no FMA: a multiply and an add each).
//! Matrices are column-major (element (i, j) at a[i + j*ld]) behind raw pointers: the inversion's
//! threads write disjoint column ranges of shared matrices, and a multiplication by a block's inverse
//! writes C over B (`gemm` packs all of B before it writes C).

/// How a micro-tile is written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// C -= A B (the updates)
    Update,
    /// C = A B (the multiplications by an inverse)
    Set,
}

/// The shape of A in a GEMM: general, or a triangle whose zero micro-tiles are skipped.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Full,
    Lower,
    Upper,
}

/// One path's register micro-kernel and block sizes. Every GEMM here has depth k <= NB (KC caps it):
/// an NR-column sliver of packed B (k x NR) is reused from L1 by all the micro-tiles of an MC x k
/// block of packed A in L2; NC columns of packed B stay in L3 (the C kernel's sizes, measured there).
pub trait Kernel: Copy + Send + Sync + 'static {
    const MR: usize;
    const NR: usize;
    const KC: usize = 256;
    const MC: usize;
    const NC: usize = 1536;
    const NB: usize = 128;

    /// acc = A[MR x kc] B[kc x NR], both packed k-major (A 64-byte aligned); then C -= acc or C = acc
    /// on a full MR x NR tile of C with column stride ldc.
    ///
    /// # Safety
    /// a and b hold kc packed slivers; c is an MR x NR tile with stride ldc; the CPU runs the path.
    unsafe fn micro(kc: usize, a: *const f64, b: *const f64, c: *mut f64, ldc: usize, mode: Mode);
}

/// The largest micro-tile (AVX-512's 16 x 12), in doubles.
const TILE_MAX: usize = 16 * 12;

/// The edge tiles' buffer: the largest micro-tile, aligned as the packed buffers.
#[repr(C, align(64))]
struct Tile([f64; TILE_MAX]);

/// One thread's packing buffers, 64-byte aligned (the micro-kernels' aligned loads): parts of the
/// inversion's workspace, which outlives the call that packs into them.
pub struct Pack {
    a: *mut f64,
    b: *mut f64,
}

impl Pack {
    /// The lengths in doubles of the packed A (MC x KC) and B (KC x NC, or less for a small matrix of
    /// order n).
    pub fn lengths<K: Kernel>(n: usize) -> (usize, usize) {
        let b_columns = K::NC.min((n + K::NR - 1) / K::NR * K::NR);
        (K::MC * K::KC, K::KC * b_columns)
    }

    /// # Safety
    /// a and b are 64-byte aligned and hold Pack::lengths doubles that only this Pack's user touches.
    pub unsafe fn new(a: *mut f64, b: *mut f64) -> Pack {
        Pack { a, b }
    }
}

/// Packs the mc x kc block of A into MR-row slivers (zero-padded), k-major inside a sliver.
unsafe fn pack_a<K: Kernel>(mc: usize, kc: usize, a: *const f64, lda: usize, mut out: *mut f64) {
    let mr_full = K::MR;
    let mut i0 = 0;
    while i0 < mc {
        let src = a.add(i0);
        let mr = (mc - i0).min(mr_full);
        for k in 0..kc {
            let column = src.add(k * lda);
            if mr == mr_full {
                std::ptr::copy_nonoverlapping(column, out, mr_full);
            } else {
                for i in 0..mr_full {
                    *out.add(i) = if i < mr { *column.add(i) } else { 0.0 };
                }
            }
            out = out.add(mr_full);
        }
        i0 += mr_full;
    }
}

/// Packs the kc x nc block of B into NR-column slivers (zero-padded), k-major inside a sliver. Column
/// by column: the reads are contiguous, the writes strided by NR inside the sliver (in L1).
unsafe fn pack_b<K: Kernel>(kc: usize, nc: usize, b: *const f64, ldb: usize, mut out: *mut f64) {
    let nr_full = K::NR;
    let mut j0 = 0;
    while j0 < nc {
        let nr = (nc - j0).min(nr_full);
        for j in 0..nr_full {
            if j < nr {
                let src = b.add((j0 + j) * ldb);
                for k in 0..kc {
                    *out.add(k * nr_full + j) = *src.add(k);
                }
            } else {
                for k in 0..kc {
                    *out.add(k * nr_full + j) = 0.0;
                }
            }
        }
        out = out.add(nr_full * kc);
        j0 += nr_full;
    }
}

/// Every micro-tile of C[mc x nc] from the packed A (MR slivers) and B (NR slivers). With a
/// triangular A (row0: this block's first row in it) the k range of a sliver stops at its diagonal.
#[allow(clippy::too_many_arguments)]
unsafe fn macro_kernel<K: Kernel>(
    mc: usize,
    nc: usize,
    kc: usize,
    pa: *const f64,
    pb: *const f64,
    c: *mut f64,
    ldc: usize,
    mode: Mode,
    shape: Shape,
    row0: usize,
) {
    let (mr_full, nr_full) = (K::MR, K::NR);
    let mut j = 0;
    while j < nc {
        let nr = (nc - j).min(nr_full);
        let mut i = 0;
        while i < mc {
            let mr = (mc - i).min(mr_full);
            let (k_begin, k_end) = match shape {
                Shape::Full => (0, kc),
                Shape::Lower => (0, kc.min(row0 + i + mr_full)),
                Shape::Upper => (kc.min(row0 + i), kc),
            };
            let ap = pa.add(i * kc + k_begin * mr_full);
            let bp = pb.add(j * kc + k_begin * nr_full);
            let cij = c.add(i + j * ldc);
            if mr == mr_full && nr == nr_full {
                K::micro(k_end - k_begin, ap, bp, cij, ldc, mode);
            } else {
                // Edge tile: a full tile into a buffer, then only its mr x nr corner into C.
                // Not zeroed: the micro-kernel sets every element of the full tile before it is read.
                debug_assert!(mr_full * nr_full <= TILE_MAX);
                let mut tile = std::mem::MaybeUninit::<Tile>::uninit();
                let tile = tile.as_mut_ptr() as *mut f64;
                K::micro(k_end - k_begin, ap, bp, tile, mr_full, Mode::Set);
                for jj in 0..nr {
                    for ii in 0..mr {
                        let target = cij.add(ii + jj * ldc);
                        let value = *tile.add(ii + jj * mr_full);
                        *target = if mode == Mode::Set { value } else { *target - value };
                    }
                }
            }
            i += mr_full;
        }
        j += nr_full;
    }
}

/// C[m x n] -= A[m x k] B[k x n] (Update) or C = A B (Set), column-major, on the calling thread. Set
/// and a triangular shape need k <= KC (one k panel; the callers' k is at most NB). Then C may be B
/// itself: all of B's rows in a column block are packed before C's are written.
///
/// # Safety
/// The matrices hold the given extents; no other thread writes what this call reads or writes.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm<K: Kernel>(
    m: usize,
    n: usize,
    k: usize,
    a: *const f64,
    lda: usize,
    b: *const f64,
    ldb: usize,
    c: *mut f64,
    ldc: usize,
    mode: Mode,
    shape: Shape,
    pack: &mut Pack,
) {
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    debug_assert!(mode == Mode::Update && shape == Shape::Full || k <= K::KC);
    let (pa, pb) = (pack.a, pack.b);
    let mut jc = 0;
    while jc < n {
        let nc = (n - jc).min(K::NC);
        let mut pc = 0;
        while pc < k {
            let kc = (k - pc).min(K::KC);
            pack_b::<K>(kc, nc, b.add(pc + jc * ldb), ldb, pb);
            let mut ic = 0;
            while ic < m {
                let mc = (m - ic).min(K::MC);
                pack_a::<K>(mc, kc, a.add(ic + pc * lda), lda, pa);
                macro_kernel::<K>(mc, nc, kc, pa, pb, c.add(ic + jc * ldc), ldc, mode, shape, ic);
                ic += K::MC;
            }
            pc += K::KC;
        }
        jc += K::NC;
    }
}

/// The portable path: two doubles per register, a 4 x 4 tile in 8 accumulators.
#[derive(Clone, Copy)]
pub struct Scalar;

impl Kernel for Scalar {
    const MR: usize = 4;
    const NR: usize = 4;
    const MC: usize = 128;

    #[cfg(target_arch = "x86_64")]
    unsafe fn micro(kc: usize, a: *const f64, b: *const f64, c: *mut f64, ldc: usize, mode: Mode) {
        sse2::micro(kc, a, b, c, ldc, mode)
    }

    #[cfg(not(target_arch = "x86_64"))]
    unsafe fn micro(kc: usize, a: *const f64, b: *const f64, c: *mut f64, ldc: usize, mode: Mode) {
        let mut acc = [[0.0_f64; 4]; 4];
        for k in 0..kc {
            for (j, column) in acc.iter_mut().enumerate() {
                let bj = *b.add(k * 4 + j);
                for (i, value) in column.iter_mut().enumerate() {
                    *value += *a.add(k * 4 + i) * bj;
                }
            }
        }
        for (j, column) in acc.iter().enumerate() {
            for (i, value) in column.iter().enumerate() {
                let target = c.add(i + j * ldc);
                *target = if mode == Mode::Set { *value } else { *target - *value };
            }
        }
    }
}

/// SSE2 is part of the x86-64 baseline: the scalar path's micro-kernel (as GCC makes of the C
/// kernel's vectors of two doubles).
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use super::Mode;
    use std::arch::x86_64::*;

    macro_rules! fma_column {
        ($a0:ident, $a1:ident, $b:ident, $j:expr, $c0:ident, $c1:ident) => {
            let bj = _mm_set1_pd(*$b.add($j));
            $c0 = _mm_add_pd($c0, _mm_mul_pd($a0, bj));
            $c1 = _mm_add_pd($c1, _mm_mul_pd($a1, bj));
        };
    }

    macro_rules! store_column {
        ($c:ident, $ldc:ident, $mode:ident, $j:expr, $c0:ident, $c1:ident) => {
            let cj = $c.add($ldc * $j);
            if $mode == Mode::Set {
                _mm_storeu_pd(cj, $c0);
                _mm_storeu_pd(cj.add(2), $c1);
            } else {
                _mm_storeu_pd(cj, _mm_sub_pd(_mm_loadu_pd(cj), $c0));
                _mm_storeu_pd(cj.add(2), _mm_sub_pd(_mm_loadu_pd(cj.add(2)), $c1));
            }
        };
    }

    #[inline(always)]
    pub unsafe fn micro(kc: usize, mut a: *const f64, mut b: *const f64, c: *mut f64, ldc: usize, mode: Mode) {
        let (mut c00, mut c10, mut c01, mut c11) =
            (_mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd());
        let (mut c02, mut c12, mut c03, mut c13) =
            (_mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd());
        macro_rules! step {
            () => {
                let a0 = _mm_load_pd(a);
                let a1 = _mm_load_pd(a.add(2));
                fma_column!(a0, a1, b, 0, c00, c10);
                fma_column!(a0, a1, b, 1, c01, c11);
                fma_column!(a0, a1, b, 2, c02, c12);
                fma_column!(a0, a1, b, 3, c03, c13);
                a = a.add(4);
                b = b.add(4);
            };
        }
        // Unrolled by 4, as the C kernel (#pragma GCC unroll 4).
        let mut k = kc;
        while k >= 4 {
            step!();
            step!();
            step!();
            step!();
            k -= 4;
        }
        while k > 0 {
            step!();
            k -= 1;
        }
        store_column!(c, ldc, mode, 0, c00, c10);
        store_column!(c, ldc, mode, 1, c01, c11);
        store_column!(c, ldc, mode, 2, c02, c12);
        store_column!(c, ldc, mode, 3, c03, c13);
    }
}

/// The AVX2 + FMA path: an 8 x 6 tile in 12 ymm accumulators.
#[derive(Clone, Copy)]
pub struct Avx2;

impl Kernel for Avx2 {
    const MR: usize = 8;
    const NR: usize = 6;
    /// Zen 3: B sliver 6 KiB of the 32 KiB L1; A block 96 KiB of the 512 KiB L2.
    const MC: usize = 96;

    #[cfg(target_arch = "x86_64")]
    unsafe fn micro(kc: usize, a: *const f64, b: *const f64, c: *mut f64, ldc: usize, mode: Mode) {
        avx2::micro(kc, a, b, c, ldc, mode)
    }

    #[cfg(not(target_arch = "x86_64"))]
    unsafe fn micro(_: usize, _: *const f64, _: *const f64, _: *mut f64, _: usize, _: Mode) {
        unreachable!("the AVX2 path exists on x86-64 only")
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::Mode;
    use std::arch::x86_64::*;

    macro_rules! fma_column {
        ($a0:ident, $a1:ident, $b:ident, $j:expr, $c0:ident, $c1:ident) => {
            let bj = _mm256_broadcast_sd(&*$b.add($j));
            $c0 = _mm256_fmadd_pd($a0, bj, $c0);
            $c1 = _mm256_fmadd_pd($a1, bj, $c1);
        };
    }

    macro_rules! store_column {
        ($c:ident, $ldc:ident, $mode:ident, $j:expr, $c0:ident, $c1:ident) => {
            let cj = $c.add($ldc * $j);
            if $mode == Mode::Set {
                _mm256_storeu_pd(cj, $c0);
                _mm256_storeu_pd(cj.add(4), $c1);
            } else {
                _mm256_storeu_pd(cj, _mm256_sub_pd(_mm256_loadu_pd(cj), $c0));
                _mm256_storeu_pd(cj.add(4), _mm256_sub_pd(_mm256_loadu_pd(cj.add(4)), $c1));
            }
        };
    }

    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn micro(kc: usize, mut a: *const f64, mut b: *const f64, c: *mut f64, ldc: usize, mode: Mode) {
        let (mut c00, mut c10, mut c01, mut c11) =
            (_mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd());
        let (mut c02, mut c12, mut c03, mut c13) =
            (_mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd());
        let (mut c04, mut c14, mut c05, mut c15) =
            (_mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd());
        // The tile of C is written at the end: start fetching its 6 columns (two lines each) now.
        for j in 0..6 {
            _mm_prefetch(c.add(j * ldc) as *const i8, _MM_HINT_T0);
            _mm_prefetch(c.add(j * ldc + 7) as *const i8, _MM_HINT_T0);
        }
        macro_rules! step {
            () => {
                let a0 = _mm256_load_pd(a);
                let a1 = _mm256_load_pd(a.add(4));
                fma_column!(a0, a1, b, 0, c00, c10);
                fma_column!(a0, a1, b, 1, c01, c11);
                fma_column!(a0, a1, b, 2, c02, c12);
                fma_column!(a0, a1, b, 3, c03, c13);
                fma_column!(a0, a1, b, 4, c04, c14);
                fma_column!(a0, a1, b, 5, c05, c15);
                a = a.add(8);
                b = b.add(6);
            };
        }
        // Unrolled by 4, as the C kernel: the loop's own adds, compare and branch are otherwise a
        // sixth of its instructions.
        let mut k = kc;
        while k >= 4 {
            step!();
            step!();
            step!();
            step!();
            k -= 4;
        }
        while k > 0 {
            step!();
            k -= 1;
        }
        store_column!(c, ldc, mode, 0, c00, c10);
        store_column!(c, ldc, mode, 1, c01, c11);
        store_column!(c, ldc, mode, 2, c02, c12);
        store_column!(c, ldc, mode, 3, c03, c13);
        store_column!(c, ldc, mode, 4, c04, c14);
        store_column!(c, ldc, mode, 5, c05, c15);
    }
}

/// The AVX-512 path: a 16 x 12 tile in 24 zmm accumulators (lu_inverse_c.c's AVX-512 kernel).
#[cfg(feature = "avx512")]
#[derive(Clone, Copy)]
pub struct Avx512;

#[cfg(feature = "avx512")]
impl Kernel for Avx512 {
    const MR: usize = 16;
    const NR: usize = 12;
    /// B sliver 12 KiB of a 32-48 KiB L1; A block 192 KiB of a 1-2 MiB L2 (the C kernel's sizes).
    const MC: usize = 192;

    unsafe fn micro(kc: usize, a: *const f64, b: *const f64, c: *mut f64, ldc: usize, mode: Mode) {
        avx512::micro(kc, a, b, c, ldc, mode)
    }
}

#[cfg(feature = "avx512")]
// The crate's rust-version is 1.63; the build turns this feature on only for rustc 1.89 or later,
// where these intrinsics are stable.
#[allow(clippy::incompatible_msrv)]
mod avx512 {
    use super::Mode;
    use std::arch::x86_64::*;

    macro_rules! fma_column {
        ($a0:ident, $a1:ident, $b:ident, $j:expr, $c0:ident, $c1:ident) => {
            let bj = _mm512_set1_pd(*$b.add($j));
            $c0 = _mm512_fmadd_pd($a0, bj, $c0);
            $c1 = _mm512_fmadd_pd($a1, bj, $c1);
        };
    }

    macro_rules! store_column {
        ($c:ident, $ldc:ident, $mode:ident, $j:expr, $c0:ident, $c1:ident) => {
            let cj = $c.add($ldc * $j);
            if $mode == Mode::Set {
                _mm512_storeu_pd(cj, $c0);
                _mm512_storeu_pd(cj.add(8), $c1);
            } else {
                _mm512_storeu_pd(cj, _mm512_sub_pd(_mm512_loadu_pd(cj), $c0));
                _mm512_storeu_pd(cj.add(8), _mm512_sub_pd(_mm512_loadu_pd(cj.add(8)), $c1));
            }
        };
    }

    #[target_feature(enable = "avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")]
    pub unsafe fn micro(kc: usize, mut a: *const f64, mut b: *const f64, c: *mut f64, ldc: usize, mode: Mode) {
        let zero = _mm512_setzero_pd();
        let (mut c00, mut c10, mut c01, mut c11, mut c02, mut c12) = (zero, zero, zero, zero, zero, zero);
        let (mut c03, mut c13, mut c04, mut c14, mut c05, mut c15) = (zero, zero, zero, zero, zero, zero);
        let (mut c06, mut c16, mut c07, mut c17, mut c08, mut c18) = (zero, zero, zero, zero, zero, zero);
        let (mut c09, mut c19, mut c0a, mut c1a, mut c0b, mut c1b) = (zero, zero, zero, zero, zero, zero);
        // The tile of C is written at the end: start fetching its 12 columns (two lines each) now.
        for j in 0..12 {
            _mm_prefetch::<_MM_HINT_T0>(c.add(j * ldc) as *const i8);
            _mm_prefetch::<_MM_HINT_T0>(c.add(j * ldc + 15) as *const i8);
        }
        macro_rules! step {
            () => {
                let a0 = _mm512_load_pd(a);
                let a1 = _mm512_load_pd(a.add(8));
                fma_column!(a0, a1, b, 0, c00, c10);
                fma_column!(a0, a1, b, 1, c01, c11);
                fma_column!(a0, a1, b, 2, c02, c12);
                fma_column!(a0, a1, b, 3, c03, c13);
                fma_column!(a0, a1, b, 4, c04, c14);
                fma_column!(a0, a1, b, 5, c05, c15);
                fma_column!(a0, a1, b, 6, c06, c16);
                fma_column!(a0, a1, b, 7, c07, c17);
                fma_column!(a0, a1, b, 8, c08, c18);
                fma_column!(a0, a1, b, 9, c09, c19);
                fma_column!(a0, a1, b, 10, c0a, c1a);
                fma_column!(a0, a1, b, 11, c0b, c1b);
                a = a.add(16);
                b = b.add(12);
            };
        }
        // Unrolled by 4, as the C kernel.
        let mut k = kc;
        while k >= 4 {
            step!();
            step!();
            step!();
            step!();
            k -= 4;
        }
        while k > 0 {
            step!();
            k -= 1;
        }
        store_column!(c, ldc, mode, 0, c00, c10);
        store_column!(c, ldc, mode, 1, c01, c11);
        store_column!(c, ldc, mode, 2, c02, c12);
        store_column!(c, ldc, mode, 3, c03, c13);
        store_column!(c, ldc, mode, 4, c04, c14);
        store_column!(c, ldc, mode, 5, c05, c15);
        store_column!(c, ldc, mode, 6, c06, c16);
        store_column!(c, ldc, mode, 7, c07, c17);
        store_column!(c, ldc, mode, 8, c08, c18);
        store_column!(c, ldc, mode, 9, c09, c19);
        store_column!(c, ldc, mode, 10, c0a, c1a);
        store_column!(c, ldc, mode, 11, c0b, c1b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alloc::AlignedBuffer;
    use crate::isa::Path;

    fn naive(m: usize, n: usize, k: usize, a: &[f64], b: &[f64], c: &mut [f64], mode: Mode) {
        for j in 0..n {
            for i in 0..m {
                let dot: f64 = (0..k).map(|p| a[i + p * m] * b[p + j * k]).sum();
                c[i + j * m] = if mode == Mode::Set { dot } else { c[i + j * m] - dot };
            }
        }
    }

    fn check<K: Kernel>() {
        for &(m, n, k) in &[
            (1, 1, 1),
            (7, 5, 3),
            (8, 6, 128),
            (16, 12, 128),
            (33, 25, 7),
            (97, 13, 130),
            (200, 1600, 40),
            (130, 7, 300),
        ] {
            let a: Vec<f64> = (0..m * k).map(|x| ((x * 7 % 13) as f64) - 6.0).collect();
            let b: Vec<f64> = (0..k * n).map(|x| ((x * 5 % 11) as f64) - 5.0).collect();
            let c0: Vec<f64> = (0..m * n).map(|x| (x % 3) as f64).collect();
            for mode in [Mode::Update, Mode::Set] {
                if mode == Mode::Set && k > K::KC {
                    continue;
                }
                let (mut expected, mut got) = (c0.clone(), c0.clone());
                naive(m, n, k, &a, &b, &mut expected, mode);
                let (a_len, b_len) = Pack::lengths::<K>(n.max(m));
                let (mut pack_a, mut pack_b) = (AlignedBuffer::new(a_len).unwrap(), AlignedBuffer::new(b_len).unwrap());
                let mut pack = unsafe { Pack::new(pack_a.as_mut_ptr(), pack_b.as_mut_ptr()) };
                unsafe {
                    gemm::<K>(m, n, k, a.as_ptr(), m, b.as_ptr(), k, got.as_mut_ptr(), m, mode, Shape::Full, &mut pack)
                };
                // Small integers: every product and sum is exact, whatever the order.
                assert_eq!(got, expected, "m {} n {} k {}", m, n, k);
            }
        }
    }

    #[test]
    fn gemm_matches_the_naive_product_on_every_path() {
        check::<Scalar>();
        if Path::available().contains(&Path::Avx2) {
            check::<Avx2>();
        }
        #[cfg(feature = "avx512")]
        if Path::available().contains(&Path::Avx512) {
            check::<Avx512>();
        }
    }
}
