//! NPB EP (docs/workload-spec.md; NPB 3.4's ep.f90): batches of 2^16 pairs of uniform
//! randoms from NPB's generator x_{k+1} = a x_k mod 2^46, Gaussian deviates by the Marsaglia polar
//! method, counts in the annuli 0..9 and the sums Σt3, Σt4, Σ|t3|, Σ|t4| per batch.
//!
//! The generator is exact in 64-bit integers (2^46 divides 2^64, so a wrapping multiply and a mask is
//! the product mod 2^46), so the pairs, and with them which pairs are accepted, are the same on every
//! path. What a path may change is the last bit of log(t1): the scalar path calls libm's (f64::ln), the
//! vector paths a polynomial of their own (std has no vector log; below, fdlibm's, within 1 ulp). No
//! expression here is contracted into an FMA except inside that polynomial (Rust never contracts), so
//! t1 = x1*x1 + x2*x2 is rounded twice, as NPB's.
//!
//! A batch's four sums are added in an order that depends on the path only: the scalar path in pair
//! order, the vector paths in GROUP per-position partials (pair p of the batch goes to partial
//! p mod GROUP) reduced in position order at the end of the batch. Threads take whole batches, so a
//! batch's sums are bit-identical for every thread count.

use crate::isa::Path;
use crate::{boundary, team};

/// NPB's multiplier a = 5^13.
pub const MULTIPLIER: u64 = 1_220_703_125;
/// NPB's seed.
pub const SEED: u64 = 271_828_183;
/// The generator works mod 2^46.
pub const MODULUS_MASK: u64 = (1 << 46) - 1;
/// 2^-46: a state x is the random x 2^-46 (exact in a double).
const TWO_TO_MINUS_46: f64 = 1.0 / (1_u64 << 46) as f64;
/// Pairs per batch (NPB's 2^MK, MK = 16).
pub const BATCH_PAIRS: usize = 1 << 16;
/// Batches within the generator's period: 2^(M+1) randoms for M <= 43 is at most 2^44.
pub const MAX_BATCHES: i64 = 1 << 27;
/// NPB's NQ: the annuli 0..9.
pub const ANNULI: usize = 10;

/// x y mod 2^46 (exact: the low 64 bits of the product hold the low 46).
#[inline(always)]
pub fn multiply(x: u64, y: u64) -> u64 {
    x.wrapping_mul(y) & MODULUS_MASK
}

/// base^exponent mod 2^46 by binary exponentiation.
pub fn power(base: u64, mut exponent: u64) -> u64 {
    let (mut result, mut square) = (1, base & MODULUS_MASK);
    while exponent > 0 {
        if exponent & 1 == 1 {
            result = multiply(result, square);
        }
        square = multiply(square, square);
        exponent >>= 1;
    }
    result
}

/// NPB's randlc: advances the state x to a x mod 2^46 and returns the new state times 2^-46.
pub fn randlc(x: &mut u64, a: u64) -> f64 {
    *x = multiply(*x, a);
    // Through i64: below 2^46 the signed conversion is exact, and one instruction (u64's is several).
    (*x as i64) as f64 * TWO_TO_MINUS_46
}

/// NPB's 2 r - 1 of a state x (r = x 2^-46), exactly, as the vector paths make it: x's 46 bits as the
/// top of a mantissa make 1 + r, which doubled and less 3 is 2r - 1 (every step exact).
#[inline(always)]
pub fn uniform(x: u64) -> f64 {
    let one_plus = f64::from_bits((x << 6) | 0x3ff0_0000_0000_0000);
    (one_plus + one_plus) - 3.0
}

/// The state batch k starts from: SEED A^k mod 2^46 with A = a^(2 BATCH_PAIRS), the state before the
/// batch's first random (NPB's jump-ahead).
pub fn batch_start(k: u64) -> u64 {
    let jump = power(MULTIPLIER, 2 * BATCH_PAIRS as u64);
    multiply(SEED, power(jump, k))
}

/// Counts of one or more batches: the annuli 0..9, then the deviates past annulus 9 (or not a
/// number: t1 = 0 exactly), which make the kernel fail with status 1.
pub type Counts = [i64; ANNULI + 1];
const PAST: usize = ANNULI;

/// The annulus of a deviate pair: (int) max(|t3|, |t4|), or PAST for 10 and beyond or NaN.
#[inline(always)]
fn annulus(m: f64) -> usize {
    if m < ANNULI as f64 {
        // SAFETY: m is a maximum of absolute values, so 0 <= m < 10 here (NaN fails the test): the
        // truncation is in range (and needs none of `as`'s saturating checks).
        unsafe { m.to_int_unchecked::<u32>() as usize }
    } else {
        PAST
    }
}

/// One batch on the scalar path, from NPB's loop: sums in pair order.
fn batch_scalar(start: u64, counts: &mut Counts) -> [f64; 4] {
    let mut x = start;
    let mut sums = [0.0; 4];
    for _ in 0..BATCH_PAIRS {
        x = multiply(x, MULTIPLIER);
        let x1 = uniform(x);
        x = multiply(x, MULTIPLIER);
        let x2 = uniform(x);
        let t1 = x1 * x1 + x2 * x2;
        if t1 <= 1.0 {
            let t2 = (-2.0 * t1.ln() / t1).sqrt();
            let (t3, t4) = (x1 * t2, x2 * t2);
            let (a3, a4) = (t3.abs(), t4.abs());
            // NPB's max: the second if either is NaN (only t1 = 0 makes one, and both).
            counts[annulus(if a3 > a4 { a3 } else { a4 })] += 1;
            sums[0] += t3;
            sums[1] += t4;
            sums[2] += a3;
            sums[3] += a4;
        }
    }
    sums
}

/// Pairs per step of a vector path, each the position of one partial sum: 2 x 8 lanes (AVX-512) or
/// 4 x 4 (AVX2), so both vector paths add in the same order.
pub const GROUP: usize = 16;

/// The multipliers of a vector path: position p's first random is a^(2p+1) times the batch start;
/// every position steps by a^(2 GROUP).
fn position_multipliers() -> [u64; GROUP] {
    let mut m = [0; GROUP];
    for (p, slot) in m.iter_mut().enumerate() {
        *slot = power(MULTIPLIER, 2 * p as u64 + 1);
    }
    m
}

/// The partials of a vector path at the end of a batch, and its counters, as one batch's result:
/// partial[s][p] is sum s of position p, counters are (accepted, >= 1, >= 2, >= 3) over the lanes,
/// `rare` the counts of annuli 4..9 and PAST found lane by lane.
fn finish_batch(partial: &[[f64; GROUP]; 4], counters: [i64; 4], rare: &Counts, counts: &mut Counts) -> [f64; 4] {
    let mut sums = [0.0; 4];
    for (sum, positions) in sums.iter_mut().zip(partial) {
        for &v in positions {
            *sum += v;
        }
    }
    let at_least_four: i64 = rare[4..].iter().sum();
    let [accepted, ge1, ge2, ge3] = counters;
    counts[0] += accepted - ge1;
    counts[1] += ge1 - ge2;
    counts[2] += ge2 - ge3;
    counts[3] += ge3 - at_least_four;
    for (count, r) in counts[4..].iter_mut().zip(&rare[4..]) {
        *count += r;
    }
    sums
}

/// The batches [first, first + sums.len() / 4) on one thread, on the given path: their sums into
/// `sums` (four per batch), their counts added to `counts`.
pub fn run_batches(path: Path, first: u64, sums: &mut [f64], counts: &mut Counts) {
    let jump = power(MULTIPLIER, 2 * BATCH_PAIRS as u64);
    let mut start = batch_start(first);
    for batch in sums.chunks_exact_mut(4) {
        let result = match path {
            Path::Scalar => batch_scalar(start, counts),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: Path::Avx2 is only selected where AVX2 and FMA were detected (isa.rs).
            Path::Avx2 => unsafe { avx2::batch(start, counts) },
            #[cfg(not(target_arch = "x86_64"))]
            Path::Avx2 => batch_scalar(start, counts),
            // SAFETY: Path::Avx512 is only selected where the AVX-512 features were detected (isa.rs).
            #[cfg(feature = "avx512")]
            Path::Avx512 => unsafe { avx512::batch(start, counts) },
        };
        batch.copy_from_slice(&result);
        start = multiply(start, jump);
    }
}

/// The batches [first, first + batches) on `threads` threads, each a contiguous run of whole batches:
/// four sums per batch into `sums`, the counts of all of them returned.
pub fn run(path: Path, first: i64, batches: i64, threads: usize, sums: &mut [f64]) -> Counts {
    assert_eq!(sums.len() as i64, 4 * batches, "four sums per batch");
    if threads == 1 {
        let mut counts = [0; ANNULI + 1];
        run_batches(path, first as u64, sums, &mut counts);
        return counts;
    }
    // Each thread writes only its own batches' sums: the slice is shared as its address.
    let base = sums.as_mut_ptr() as usize;
    let total = std::sync::Mutex::new([0_i64; ANNULI + 1]);
    team::run(threads, |index, size, _| {
        let (begin, end) = team::split(first, first + batches, size as i64, index as i64);
        let offset = 4 * (begin - first) as usize;
        let len = 4 * (end - begin) as usize;
        // SAFETY: the parts of split are disjoint and within [first, first + batches), so each
        // thread's range of `sums` is its own; `sums` outlives the team.
        let mine = unsafe { std::slice::from_raw_parts_mut((base as *mut f64).add(offset), len) };
        let mut counts = [0; ANNULI + 1];
        run_batches(path, begin as u64, mine, &mut counts);
        let mut total = total.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for (t, c) in total.iter_mut().zip(&counts) {
            *t += c;
        }
        Ok(())
    });
    total.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// NPB EP over the batches [first_batch, first_batch + batches) on exactly `threads` threads (whole
/// batches each, contiguous), on the path interop_rust_isa_select chose: batch_sums[4j + 0..3] =
/// Σt3, Σt4, Σ|t3|, Σ|t4| of batch first_batch + j; counts[0..9] = q0..q9 over all of them.
/// Status: 0; -1 first_batch < 0; -2 batches < 0; -3 threads < 1; -4 batch_sums NULL; -5 counts NULL;
/// -6 first_batch + batches > 2^27; 1 a deviate past annulus 9; INTERNAL.
///
/// # Safety
/// `batch_sums` is NULL or points to 4 * batches writable doubles, `counts` NULL or to 10 writable
/// int64_t, neither used by anything else during the call.
#[no_mangle]
pub unsafe extern "C" fn interop_ep_rust(
    first_batch: i64,
    batches: i64,
    threads: i32,
    batch_sums: *mut f64,
    counts: *mut i64,
) -> i32 {
    boundary::guard(|| {
        if first_batch < 0 {
            return -1;
        }
        if batches < 0 {
            return -2;
        }
        if threads < 1 {
            return -3;
        }
        if batch_sums.is_null() {
            return -4;
        }
        if counts.is_null() {
            return -5;
        }
        if batches > MAX_BATCHES - first_batch {
            return -6;
        }
        let sums =
            if batches == 0 { &mut [][..] } else { std::slice::from_raw_parts_mut(batch_sums, 4 * batches as usize) };
        let all = run(crate::isa::active(), first_batch, batches, threads as usize, sums);
        std::slice::from_raw_parts_mut(counts, ANNULI).copy_from_slice(&all[..ANNULI]);
        i32::from(all[PAST] > 0)
    })
}

/// fdlibm's log (e_log.c) for the vector paths: x = 2^k m, m in [sqrt(1/2), sqrt(2)), f = m - 1,
/// s = f / (2 + f), log(m) = f - s (f - R(s^2))... with fdlibm's minimax coefficients; error below
/// 1 ulp. Only positive normal x reach it (t1 in [2^-90, 2]; t1 = 0 gives a NaN deviate, PAST).
mod log_constants {
    pub const LG1: f64 = 6.666666666666735130e-01;
    pub const LG2: f64 = 3.999999999940941908e-01;
    pub const LG3: f64 = 2.857142874366239149e-01;
    pub const LG4: f64 = 2.222219843214978396e-01;
    pub const LG5: f64 = 1.818357216161805012e-01;
    pub const LG6: f64 = 1.531383769920937332e-01;
    pub const LG7: f64 = 1.479819860511658591e-01;
    pub const LN2_HI: f64 = 6.93147180369123816490e-01;
    pub const LN2_LO: f64 = 1.90821492927058770002e-10;
    /// Added to x's bits, it carries into the exponent exactly when m >= sqrt(2).
    pub const SQRT_HALF_OFFSET: u64 = 0x3ff0_0000_0000_0000 - 0x3fe6_a09e_667f_3bcd;
    /// The bits of sqrt(1/2): the mantissa field is added back onto it.
    pub const SQRT_HALF_BITS: u64 = 0x3fe6_a09e_667f_3bcd;
    pub const MANTISSA: u64 = 0x000f_ffff_ffff_ffff;
    /// 2^52 + 1023: (exponent field | 2^52's bits) - this is k exactly.
    pub const EXPONENT_BIAS_MAGIC: f64 = 4_503_599_627_371_519.0;
    pub const TWO_52_BITS: u64 = 0x4330_0000_0000_0000;
}

/// The vector log's algorithm, one value at a time, in exactly the vector paths' operations (FMA
/// where they use one): the reference the tests hold the vector paths to.
pub fn log_model(x: f64) -> f64 {
    use log_constants::*;
    let bits = x.to_bits().wrapping_add(SQRT_HALF_OFFSET);
    let k = f64::from_bits((bits >> 52) | TWO_52_BITS) - EXPONENT_BIAS_MAGIC;
    let m = f64::from_bits((bits & MANTISSA) + SQRT_HALF_BITS);
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * LG6.mul_add(w, LG4).mul_add(w, LG2);
    let t2 = z * LG7.mul_add(w, LG5).mul_add(w, LG3).mul_add(w, LG1);
    let r = t2 + t1;
    let hfsq = 0.5 * f * f;
    k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f)
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::log_constants::*;
    use super::{finish_batch, position_multipliers, power, Counts, GROUP, MODULUS_MASK, MULTIPLIER, PAST};
    use std::arch::x86_64::*;

    const LANES: usize = 4;
    const VECTORS: usize = GROUP / LANES;

    /// x c mod 2^46 for a constant c < 2^46 (c_swap: c with its 32-bit halves swapped), without a
    /// 64-bit vector multiply: the low product x_lo c_lo is one vpmuludq, the cross terms x_lo c_hi and
    /// x_hi c_lo (wanted mod 2^32) the two halves of one vpmulld by c_swap (pi.rs's mul64_const).
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn multiply(x: __m256i, c: __m256i, c_swap: __m256i) -> __m256i {
        let low = _mm256_mul_epu32(x, c);
        let cross = _mm256_mullo_epi32(x, c_swap);
        let cross = _mm256_slli_epi64(_mm256_add_epi64(cross, _mm256_srli_epi64(cross, 32)), 32);
        _mm256_and_si256(_mm256_add_epi64(low, cross), _mm256_set1_epi64x(MODULUS_MASK as i64))
    }

    /// A constant for `multiply`: c, and c with its halves swapped.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn constant(c: u64) -> (__m256i, __m256i) {
        (_mm256_set1_epi64x(c as i64), _mm256_set1_epi64x(c.rotate_left(32) as i64))
    }

    /// 2 (x 2^-46) - 1 exactly: x's 46 bits as the top of a mantissa make 1 + x 2^-46, doubled and
    /// less 3 (every step exact).
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn uniform(x: __m256i) -> __m256d {
        let one_plus =
            _mm256_castsi256_pd(_mm256_or_si256(_mm256_slli_epi64(x, 6), _mm256_set1_epi64x(0x3ff0_0000_0000_0000)));
        _mm256_sub_pd(_mm256_add_pd(one_plus, one_plus), _mm256_set1_pd(3.0))
    }

    /// log_model on four lanes.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn log(x: __m256d) -> __m256d {
        let bits = _mm256_add_epi64(_mm256_castpd_si256(x), _mm256_set1_epi64x(SQRT_HALF_OFFSET as i64));
        let exponent = _mm256_or_si256(_mm256_srli_epi64(bits, 52), _mm256_set1_epi64x(TWO_52_BITS as i64));
        let k = _mm256_sub_pd(_mm256_castsi256_pd(exponent), _mm256_set1_pd(EXPONENT_BIAS_MAGIC));
        let m = _mm256_add_epi64(
            _mm256_and_si256(bits, _mm256_set1_epi64x(MANTISSA as i64)),
            _mm256_set1_epi64x(SQRT_HALF_BITS as i64),
        );
        let f = _mm256_sub_pd(_mm256_castsi256_pd(m), _mm256_set1_pd(1.0));
        let s = _mm256_div_pd(f, _mm256_add_pd(_mm256_set1_pd(2.0), f));
        let z = _mm256_mul_pd(s, s);
        let w = _mm256_mul_pd(z, z);
        let t1 = _mm256_fmadd_pd(_mm256_set1_pd(LG6), w, _mm256_set1_pd(LG4));
        let t1 = _mm256_mul_pd(w, _mm256_fmadd_pd(t1, w, _mm256_set1_pd(LG2)));
        let t2 = _mm256_fmadd_pd(_mm256_set1_pd(LG7), w, _mm256_set1_pd(LG5));
        let t2 = _mm256_fmadd_pd(t2, w, _mm256_set1_pd(LG3));
        let t2 = _mm256_mul_pd(z, _mm256_fmadd_pd(t2, w, _mm256_set1_pd(LG1)));
        let r = _mm256_add_pd(t2, t1);
        let hfsq = _mm256_mul_pd(_mm256_mul_pd(_mm256_set1_pd(0.5), f), f);
        let inner = _mm256_add_pd(_mm256_mul_pd(s, _mm256_add_pd(hfsq, r)), _mm256_mul_pd(k, _mm256_set1_pd(LN2_LO)));
        let outer = _mm256_sub_pd(_mm256_sub_pd(hfsq, inner), f);
        _mm256_sub_pd(_mm256_mul_pd(k, _mm256_set1_pd(LN2_HI)), outer)
    }

    /// One batch: GROUP pairs per step, position p (vector p / 4, lane p % 4) with its own state.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn batch(start: u64, counts: &mut Counts) -> [f64; 4] {
        let firsts = position_multipliers();
        let (a, a_swap) = constant(MULTIPLIER);
        let (step, step_swap) = constant(power(MULTIPLIER, 2 * GROUP as u64));
        let mut state = [_mm256_setzero_si256(); VECTORS];
        for (v, s) in state.iter_mut().enumerate() {
            let at = |lane: usize| super::multiply(firsts[v * LANES + lane], start) as i64;
            *s = _mm256_set_epi64x(at(3), at(2), at(1), at(0));
        }
        let zero = _mm256_setzero_pd();
        let mut sums = [[zero; VECTORS]; 4];
        let mut counters = [[_mm256_setzero_si256(); VECTORS]; 4];
        let mut rare: Counts = [0; PAST + 1];
        let abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(i64::MAX));
        let (one, two, three, four) =
            (_mm256_set1_pd(1.0), _mm256_set1_pd(2.0), _mm256_set1_pd(3.0), _mm256_set1_pd(4.0));
        for _ in 0..super::BATCH_PAIRS / GROUP {
            for v in 0..VECTORS {
                let x1 = uniform(state[v]);
                let x2 = uniform(multiply(state[v], a, a_swap));
                state[v] = multiply(state[v], step, step_swap);
                let t1 = _mm256_add_pd(_mm256_mul_pd(x1, x1), _mm256_mul_pd(x2, x2));
                let accepted = _mm256_cmp_pd::<_CMP_LE_OQ>(t1, one);
                let ratio = _mm256_div_pd(_mm256_mul_pd(_mm256_set1_pd(-2.0), log(t1)), t1);
                // Rejected pairs (t1 > 1: a NaN root) become 0: nothing to any sum or counter.
                let t2 = _mm256_and_pd(_mm256_sqrt_pd(ratio), accepted);
                let (t3, t4) = (_mm256_mul_pd(x1, t2), _mm256_mul_pd(x2, t2));
                let (a3, a4) = (_mm256_and_pd(t3, abs_mask), _mm256_and_pd(t4, abs_mask));
                sums[0][v] = _mm256_add_pd(sums[0][v], t3);
                sums[1][v] = _mm256_add_pd(sums[1][v], t4);
                sums[2][v] = _mm256_add_pd(sums[2][v], a3);
                sums[3][v] = _mm256_add_pd(sums[3][v], a4);
                let m = _mm256_max_pd(a3, a4);
                // A true compare is all ones, -1: subtracting it counts one.
                let hits = [
                    accepted,
                    _mm256_cmp_pd::<_CMP_GE_OQ>(m, one),
                    _mm256_cmp_pd::<_CMP_GE_OQ>(m, two),
                    _mm256_cmp_pd::<_CMP_GE_OQ>(m, three),
                ];
                for (counter, hit) in counters.iter_mut().zip(hits) {
                    counter[v] = _mm256_sub_epi64(counter[v], _mm256_castpd_si256(hit));
                }
                // Annulus 4 and beyond (or NaN) is rare (about 1 pair in 10^4): lane by lane.
                let far = _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_NLT_UQ>(m, four));
                if far != 0 {
                    let mut lanes = [0.0; LANES];
                    _mm256_storeu_pd(lanes.as_mut_ptr(), m);
                    for (lane, &value) in lanes.iter().enumerate() {
                        if far & (1 << lane) != 0 {
                            rare[super::annulus(value)] += 1;
                        }
                    }
                }
            }
        }
        let mut partial = [[0.0; GROUP]; 4];
        for (p, s) in partial.iter_mut().zip(&sums) {
            for v in 0..VECTORS {
                _mm256_storeu_pd(p[v * LANES..].as_mut_ptr(), s[v]);
            }
        }
        let mut totals = [0_i64; 4];
        for (total, counter) in totals.iter_mut().zip(&counters) {
            let mut lanes = [0_i64; LANES];
            for c in counter {
                _mm256_storeu_si256(lanes.as_mut_ptr() as *mut __m256i, *c);
                *total += lanes.iter().sum::<i64>();
            }
        }
        finish_batch(&partial, totals, &rare, counts)
    }

    /// log on four values at a time, for the tests.
    pub fn log_all(x: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; x.len()];
        for (o, i) in out.chunks_exact_mut(LANES).zip(x.chunks_exact(LANES)) {
            // SAFETY: the caller has checked that AVX2 and FMA are available (Path::Avx2).
            unsafe { _mm256_storeu_pd(o.as_mut_ptr(), log(_mm256_loadu_pd(i.as_ptr()))) };
        }
        out
    }
}

/// The AVX-512 path: avx2's with 8 lanes, the 64-bit multiplies one vpmullq each, the counters
/// masked adds.
#[cfg(feature = "avx512")]
// The crate's rust-version is 1.63; the build turns this feature on only for rustc 1.89 or later,
// where these intrinsics are stable.
#[allow(clippy::incompatible_msrv)]
mod avx512 {
    use super::log_constants::*;
    use super::{finish_batch, position_multipliers, power, Counts, GROUP, MODULUS_MASK, MULTIPLIER, PAST};
    use std::arch::x86_64::*;

    const LANES: usize = 8;
    const VECTORS: usize = GROUP / LANES;

    #[inline]
    #[target_feature(enable = "avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")]
    unsafe fn multiply(x: __m512i, c: __m512i) -> __m512i {
        _mm512_and_si512(_mm512_mullo_epi64(x, c), _mm512_set1_epi64(MODULUS_MASK as i64))
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")]
    unsafe fn uniform(x: __m512i) -> __m512d {
        let one_plus =
            _mm512_castsi512_pd(_mm512_or_si512(_mm512_slli_epi64::<6>(x), _mm512_set1_epi64(0x3ff0_0000_0000_0000)));
        _mm512_sub_pd(_mm512_add_pd(one_plus, one_plus), _mm512_set1_pd(3.0))
    }

    /// log_model on eight lanes.
    #[inline]
    #[target_feature(enable = "avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")]
    pub unsafe fn log(x: __m512d) -> __m512d {
        let bits = _mm512_add_epi64(_mm512_castpd_si512(x), _mm512_set1_epi64(SQRT_HALF_OFFSET as i64));
        let exponent = _mm512_or_si512(_mm512_srli_epi64::<52>(bits), _mm512_set1_epi64(TWO_52_BITS as i64));
        let k = _mm512_sub_pd(_mm512_castsi512_pd(exponent), _mm512_set1_pd(EXPONENT_BIAS_MAGIC));
        let m = _mm512_add_epi64(
            _mm512_and_si512(bits, _mm512_set1_epi64(MANTISSA as i64)),
            _mm512_set1_epi64(SQRT_HALF_BITS as i64),
        );
        let f = _mm512_sub_pd(_mm512_castsi512_pd(m), _mm512_set1_pd(1.0));
        let s = _mm512_div_pd(f, _mm512_add_pd(_mm512_set1_pd(2.0), f));
        let z = _mm512_mul_pd(s, s);
        let w = _mm512_mul_pd(z, z);
        let t1 = _mm512_fmadd_pd(_mm512_set1_pd(LG6), w, _mm512_set1_pd(LG4));
        let t1 = _mm512_mul_pd(w, _mm512_fmadd_pd(t1, w, _mm512_set1_pd(LG2)));
        let t2 = _mm512_fmadd_pd(_mm512_set1_pd(LG7), w, _mm512_set1_pd(LG5));
        let t2 = _mm512_fmadd_pd(t2, w, _mm512_set1_pd(LG3));
        let t2 = _mm512_mul_pd(z, _mm512_fmadd_pd(t2, w, _mm512_set1_pd(LG1)));
        let r = _mm512_add_pd(t2, t1);
        let hfsq = _mm512_mul_pd(_mm512_mul_pd(_mm512_set1_pd(0.5), f), f);
        let inner = _mm512_add_pd(_mm512_mul_pd(s, _mm512_add_pd(hfsq, r)), _mm512_mul_pd(k, _mm512_set1_pd(LN2_LO)));
        let outer = _mm512_sub_pd(_mm512_sub_pd(hfsq, inner), f);
        _mm512_sub_pd(_mm512_mul_pd(k, _mm512_set1_pd(LN2_HI)), outer)
    }

    #[target_feature(enable = "avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")]
    pub unsafe fn batch(start: u64, counts: &mut Counts) -> [f64; 4] {
        let firsts = position_multipliers();
        let a = _mm512_set1_epi64(MULTIPLIER as i64);
        let step = _mm512_set1_epi64(power(MULTIPLIER, 2 * GROUP as u64) as i64);
        let mut state = [_mm512_setzero_si512(); VECTORS];
        for (v, s) in state.iter_mut().enumerate() {
            let at = |lane: usize| super::multiply(firsts[v * LANES + lane], start) as i64;
            *s = _mm512_set_epi64(at(7), at(6), at(5), at(4), at(3), at(2), at(1), at(0));
        }
        let zero = _mm512_setzero_pd();
        let mut sums = [[zero; VECTORS]; 4];
        let mut counters = [[_mm512_setzero_si512(); VECTORS]; 4];
        let mut rare: Counts = [0; PAST + 1];
        let one_count = _mm512_set1_epi64(1);
        let (one, two, three, four) =
            (_mm512_set1_pd(1.0), _mm512_set1_pd(2.0), _mm512_set1_pd(3.0), _mm512_set1_pd(4.0));
        for _ in 0..super::BATCH_PAIRS / GROUP {
            for v in 0..VECTORS {
                let x1 = uniform(state[v]);
                let x2 = uniform(multiply(state[v], a));
                state[v] = multiply(state[v], step);
                let t1 = _mm512_add_pd(_mm512_mul_pd(x1, x1), _mm512_mul_pd(x2, x2));
                let accepted = _mm512_cmp_pd_mask::<_CMP_LE_OQ>(t1, one);
                let ratio = _mm512_div_pd(_mm512_mul_pd(_mm512_set1_pd(-2.0), log(t1)), t1);
                // Rejected pairs (t1 > 1: a NaN root) become 0: nothing to any sum or counter.
                let t2 = _mm512_maskz_sqrt_pd(accepted, ratio);
                let (t3, t4) = (_mm512_mul_pd(x1, t2), _mm512_mul_pd(x2, t2));
                let (a3, a4) = (_mm512_abs_pd(t3), _mm512_abs_pd(t4));
                sums[0][v] = _mm512_add_pd(sums[0][v], t3);
                sums[1][v] = _mm512_add_pd(sums[1][v], t4);
                sums[2][v] = _mm512_add_pd(sums[2][v], a3);
                sums[3][v] = _mm512_add_pd(sums[3][v], a4);
                let m = _mm512_max_pd(a3, a4);
                let hits = [
                    accepted,
                    _mm512_cmp_pd_mask::<_CMP_GE_OQ>(m, one),
                    _mm512_cmp_pd_mask::<_CMP_GE_OQ>(m, two),
                    _mm512_cmp_pd_mask::<_CMP_GE_OQ>(m, three),
                ];
                for (counter, hit) in counters.iter_mut().zip(hits) {
                    counter[v] = _mm512_mask_add_epi64(counter[v], hit, counter[v], one_count);
                }
                // Annulus 4 and beyond (or NaN) is rare (about 1 pair in 10^4): lane by lane.
                let far = _mm512_cmp_pd_mask::<_CMP_NLT_UQ>(m, four);
                if far != 0 {
                    let mut lanes = [0.0; LANES];
                    _mm512_storeu_pd(lanes.as_mut_ptr(), m);
                    for (lane, &value) in lanes.iter().enumerate() {
                        if far & (1 << lane) != 0 {
                            rare[super::annulus(value)] += 1;
                        }
                    }
                }
            }
        }
        let mut partial = [[0.0; GROUP]; 4];
        for (p, s) in partial.iter_mut().zip(&sums) {
            for v in 0..VECTORS {
                _mm512_storeu_pd(p[v * LANES..].as_mut_ptr(), s[v]);
            }
        }
        let mut totals = [0_i64; 4];
        for (total, counter) in totals.iter_mut().zip(&counters) {
            for c in counter {
                *total += _mm512_reduce_add_epi64(*c);
            }
        }
        finish_batch(&partial, totals, &rare, counts)
    }

    pub fn log_all(x: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; x.len()];
        for (o, i) in out.chunks_exact_mut(LANES).zip(x.chunks_exact(LANES)) {
            // SAFETY: the caller has checked that the AVX-512 features are available (Path::Avx512).
            unsafe { _mm512_storeu_pd(o.as_mut_ptr(), log(_mm512_loadu_pd(i.as_ptr()))) };
        }
        out
    }
}

/// The log a path uses for t1, applied to each value of `x` (whose length is a multiple of 8): libm's
/// on the scalar path, the vector log on the others. For the tests.
pub fn path_log(path: Path, x: &[f64]) -> Vec<f64> {
    assert_eq!(x.len() % 8, 0, "a multiple of 8 values");
    match path {
        Path::Scalar => x.iter().map(|v| v.ln()).collect(),
        #[cfg(target_arch = "x86_64")]
        Path::Avx2 => avx2::log_all(x),
        #[cfg(not(target_arch = "x86_64"))]
        Path::Avx2 => x.iter().map(|v| v.ln()).collect(),
        #[cfg(feature = "avx512")]
        Path::Avx512 => avx512::log_all(x),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Units in the last place between a and b (both finite, same sign).
    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    #[test]
    fn the_vector_log_is_within_one_ulp_of_libm_over_millions_of_values() {
        // Every binade t1 can reach (2^-92 .. 1], densely near 1 where log's relative error is
        // hardest, and the values of x1^2 + x2^2 themselves.
        let mut x = Vec::new();
        let mut state = SEED;
        for _ in 0..1 << 20 {
            let r = randlc(&mut state, MULTIPLIER);
            x.push(r);
            x.push(1.0 - r * 2f64.powi(-20));
            let e = (randlc(&mut state, MULTIPLIER) * 92.0) as i32;
            x.push(r.max(0.5) * 2f64.powi(-e));
            let (x1, x2) = (2.0 * r - 1.0, 2.0 * randlc(&mut state, MULTIPLIER) - 1.0);
            x.push((x1 * x1 + x2 * x2).clamp(f64::MIN_POSITIVE, 1.0));
        }
        x.extend_from_slice(&[
            1.0,
            0.5,
            2f64.powi(-90),
            0.7071067811865476,
            0.7071067811865475,
            1.0 - f64::EPSILON / 2.0,
            0.9999999,
            0.25,
        ]);
        while x.len() % 8 != 0 {
            x.push(1.0);
        }
        let mut worst = 0;
        for &v in &x {
            let model = log_model(v);
            let d = ulps(model, v.ln());
            assert!(d <= 1, "log_model({:e}) = {:e}, libm {:e}: {} ulp", v, model, v.ln(), d);
            worst = worst.max(d);
        }
        assert_eq!(log_model(1.0), 0.0);
        for path in Path::available() {
            let got = path_log(path, &x);
            for (&v, &g) in x.iter().zip(&got) {
                let expected = if path == Path::Scalar { v.ln() } else { log_model(v) };
                assert_eq!(g.to_bits(), expected.to_bits(), "{:?} log({:e})", path, v);
            }
        }
        eprintln!("vector log: at most {} ulp from libm over {} values", worst, x.len());
    }

    #[test]
    fn the_vector_paths_count_like_the_scalar_path_in_one_batch() {
        for k in [0_u64, 1, 255, (1 << 27) - 1] {
            let start = batch_start(k);
            let mut expected = [0; ANNULI + 1];
            let sums = batch_scalar(start, &mut expected);
            for path in Path::available() {
                let mut counts = [0; ANNULI + 1];
                let mut got = [0.0; 4];
                run_batches(path, k, &mut got, &mut counts);
                assert_eq!(counts, expected, "{:?} batch {}", path, k);
                for (g, s) in got.iter().zip(&sums) {
                    assert!((g - s).abs() <= 1e-10 * s.abs().max(1.0), "{:?} batch {}: {} vs {}", path, k, g, s);
                }
            }
        }
    }
}
