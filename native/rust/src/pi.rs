//! Monte Carlo pi (docs/workload-spec.md), a port of native/src/pi_c_kernel.c: SplitMix64's
//! output function on counter k, x and y the two 31-bit halves, inside iff x*x + y*y < 2^62. Exact
//! integer arithmetic: the count is the same on every path and for every split.

use crate::isa::Path;

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
const MIX1: u64 = 0xBF58_476D_1CE4_E5B9;
const MIX2: u64 = 0x94D0_49BB_1331_11EB;

/// Below 2^62 means inside: x and y are 31-bit, so x*x + y*y is exact in 64 bits.
const RADIUS_SQUARED: u64 = 1 << 62;

/// SplitMix64's output function applied to counter k of the stream seeded s.
#[inline(always)]
pub fn mix(seed: u64, k: u64) -> u64 {
    let mut z = seed.wrapping_add(k.wrapping_add(1).wrapping_mul(GOLDEN));
    z = (z ^ (z >> 30)).wrapping_mul(MIX1);
    z = (z ^ (z >> 27)).wrapping_mul(MIX2);
    z ^ (z >> 31)
}

/// The reference loop, straight from the spec.
pub fn count_scalar(seed: u64, begin: u64, end: u64) -> u64 {
    let mut inside = 0;
    for k in begin..end {
        let z = mix(seed, k);
        let x = u64::from((z >> 32) as u32 >> 1);
        let y = u64::from(z as u32 >> 1);
        inside += u64::from(x * x + y * y < RADIUS_SQUARED);
    }
    inside
}

/// The darts of [begin, end) inside the quarter circle, on one thread, on the given path.
pub fn count_range(path: Path, seed: u64, begin: u64, end: u64) -> u64 {
    match path {
        Path::Scalar => count_scalar(seed, begin, end),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: Path::Avx2 is only selected where AVX2 and FMA were detected (isa.rs).
        Path::Avx2 => unsafe { avx2::count(seed, begin, end) },
        #[cfg(not(target_arch = "x86_64"))]
        Path::Avx2 => count_scalar(seed, begin, end),
        // SAFETY: Path::Avx512 is only selected where the AVX-512 features were detected (isa.rs).
        #[cfg(feature = "avx512")]
        Path::Avx512 => unsafe { avx512::count(seed, begin, end) },
    }
}

/// The darts of [begin, end) inside, counted by `threads` threads, each a contiguous part.
pub fn count(path: Path, seed: u64, begin: i64, end: i64, threads: usize) -> u64 {
    if threads == 1 {
        return count_range(path, seed, begin as u64, end as u64);
    }
    crate::team::sum_over_parts(begin, end, threads, |b, e| count_range(path, seed, b as u64, e as u64))
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{count_scalar, GOLDEN, MIX1, MIX2};
    use std::arch::x86_64::*;

    /// z * c modulo 2^64 for a constant c = c_hi 2^32 + c_lo without a 64-bit vector multiply: the low
    /// product z_lo c_lo is one vpmuludq; the cross terms z_lo c_hi and z_hi c_lo, wanted modulo 2^32,
    /// are the two halves of one vpmulld by c with its halves swapped, summed into the high half by a
    /// shift and an add, the low half masked off (pi_c_kernel.c's mul64_const: two multiplies and one
    /// shift instead of three vpmuludq and two shifts).
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn mul64_const(z: __m256i, c: __m256i, c_swap: __m256i, high_half: __m256i) -> __m256i {
        let low = _mm256_mul_epu32(z, c);
        let cross = _mm256_mullo_epi32(z, c_swap);
        let cross = _mm256_and_si256(_mm256_add_epi64(cross, _mm256_slli_epi64(cross, 32)), high_half);
        _mm256_add_epi64(low, cross)
    }

    /// Constants of the micro-kernel, held in registers across the loop.
    #[derive(Clone, Copy)]
    struct Constants {
        mix1: __m256i,
        mix1_swap: __m256i,
        mix2: __m256i,
        mix2_swap: __m256i,
        high_half: __m256i,
    }

    /// Register micro-kernel: 4 darts per vector. x*x + y*y is below 2^63, so bit 62 alone says
    /// "outside": the kernel counts the darts outside with one shift and an add.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn block(z: __m256i, outside: __m256i, k: Constants) -> __m256i {
        let z = mul64_const(_mm256_xor_si256(z, _mm256_srli_epi64(z, 30)), k.mix1, k.mix1_swap, k.high_half);
        let z = mul64_const(_mm256_xor_si256(z, _mm256_srli_epi64(z, 27)), k.mix2, k.mix2_swap, k.high_half);
        let z = _mm256_xor_si256(z, _mm256_srli_epi64(z, 31));
        let x = _mm256_srli_epi64(z, 33);
        let y = _mm256_srli_epi32(z, 1); // (u32)z >> 1 in each lane's low half: vpmuludq reads only that
        let r2 = _mm256_add_epi64(_mm256_mul_epu32(x, x), _mm256_mul_epu32(y, y));
        _mm256_add_epi64(outside, _mm256_srli_epi64(r2, 62))
    }

    fn swap_halves(c: u64) -> u64 {
        c.rotate_left(32)
    }

    /// Four vectors in flight (16 darts per iteration) to hide the multiply latency, the counter
    /// s + (k+1) golden advanced by addition; the tail on the scalar loop.
    #[target_feature(enable = "avx2")]
    pub unsafe fn count(seed: u64, begin: u64, end: u64) -> u64 {
        const LANES: u64 = 4;
        const UNROLL: usize = 4;
        let n = end - begin;
        let k = Constants {
            mix1: _mm256_set1_epi64x(MIX1 as i64),
            mix1_swap: _mm256_set1_epi64x(swap_halves(MIX1) as i64),
            mix2: _mm256_set1_epi64x(MIX2 as i64),
            mix2_swap: _mm256_set1_epi64x(swap_halves(MIX2) as i64),
            high_half: _mm256_set1_epi64x(0xFFFF_FFFF_0000_0000_u64 as i64),
        };
        let step = _mm256_set1_epi64x((LANES * UNROLL as u64).wrapping_mul(GOLDEN) as i64);
        let z0 = seed.wrapping_add(begin.wrapping_add(1).wrapping_mul(GOLDEN));
        let mut z = [_mm256_setzero_si256(); UNROLL];
        let mut outside = [_mm256_setzero_si256(); UNROLL];
        for (u, lane) in z.iter_mut().enumerate() {
            let first = z0.wrapping_add((u as u64 * LANES).wrapping_mul(GOLDEN));
            let at = |i: u64| first.wrapping_add(i.wrapping_mul(GOLDEN)) as i64;
            *lane = _mm256_set_epi64x(at(3), at(2), at(1), at(0));
        }
        let mut i = 0;
        while i + LANES * UNROLL as u64 <= n {
            for u in 0..UNROLL {
                outside[u] = block(z[u], outside[u], k);
                z[u] = _mm256_add_epi64(z[u], step);
            }
            i += LANES * UNROLL as u64;
        }
        let sum = _mm256_add_epi64(_mm256_add_epi64(outside[0], outside[1]), _mm256_add_epi64(outside[2], outside[3]));
        let mut lanes = [0_u64; 4];
        _mm256_storeu_si256(lanes.as_mut_ptr() as *mut __m256i, sum);
        i - lanes.iter().sum::<u64>() + count_scalar(seed, begin + i, end)
    }
}

/// The AVX-512 path: 8 darts per vector, the 64-bit multiplies of the generator one vpmullq each, the
/// 31-bit squares vpmuludq. As on the AVX2 path, x*x + y*y is below 2^63, so bit 62 alone says
/// "outside": a shift and an add count the darts outside (pi_c_kernel.c's compare into a mask and
/// masked subtract becomes three instructions in LLVM's hands: compare, mask to vector, subtract).
#[cfg(feature = "avx512")]
// The crate's rust-version is 1.63; the build turns this feature on only for rustc 1.89 or later,
// where these intrinsics are stable.
#[allow(clippy::incompatible_msrv)]
mod avx512 {
    use super::{count_scalar, GOLDEN, MIX1, MIX2};
    use std::arch::x86_64::*;

    /// Register micro-kernel: 8 darts per vector; `outside` counts per lane.
    #[inline]
    #[target_feature(enable = "avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")]
    unsafe fn block(z: __m512i, outside: __m512i, mix1: __m512i, mix2: __m512i) -> __m512i {
        let z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64::<30>(z)), mix1);
        let z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64::<27>(z)), mix2);
        let z = _mm512_xor_si512(z, _mm512_srli_epi64::<31>(z));
        let x = _mm512_srli_epi64::<33>(z);
        // vpmuludq reads the low 32 bits of each lane only: a 32-bit shift makes (u32)z >> 1 there.
        let y = _mm512_srli_epi32::<1>(z);
        let r2 = _mm512_add_epi64(_mm512_mul_epu32(x, x), _mm512_mul_epu32(y, y));
        _mm512_add_epi64(outside, _mm512_srli_epi64::<62>(r2))
    }

    /// Four vectors in flight (32 darts per iteration) to hide the multiply latency, the counter
    /// s + (k+1) golden advanced by addition; the tail on the scalar loop.
    #[target_feature(enable = "avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")]
    pub unsafe fn count(seed: u64, begin: u64, end: u64) -> u64 {
        const LANES: u64 = 8;
        const UNROLL: usize = 4;
        let n = end - begin;
        let mix1 = _mm512_set1_epi64(MIX1 as i64);
        let mix2 = _mm512_set1_epi64(MIX2 as i64);
        let step = _mm512_set1_epi64((LANES * UNROLL as u64).wrapping_mul(GOLDEN) as i64);
        let z0 = seed.wrapping_add(begin.wrapping_add(1).wrapping_mul(GOLDEN));
        let mut z = [_mm512_setzero_si512(); UNROLL];
        let mut outside = [_mm512_setzero_si512(); UNROLL];
        for (u, lane) in z.iter_mut().enumerate() {
            let first = z0.wrapping_add((u as u64 * LANES).wrapping_mul(GOLDEN));
            let at = |i: u64| first.wrapping_add(i.wrapping_mul(GOLDEN)) as i64;
            *lane = _mm512_set_epi64(at(7), at(6), at(5), at(4), at(3), at(2), at(1), at(0));
        }
        let mut i = 0;
        while i + LANES * UNROLL as u64 <= n {
            for u in 0..UNROLL {
                outside[u] = block(z[u], outside[u], mix1, mix2);
                z[u] = _mm512_add_epi64(z[u], step);
            }
            i += LANES * UNROLL as u64;
        }
        let sum = _mm512_add_epi64(_mm512_add_epi64(outside[0], outside[1]), _mm512_add_epi64(outside[2], outside[3]));
        let mut lanes = [0_u64; 8];
        _mm512_storeu_si512(lanes.as_mut_ptr() as *mut _, sum);
        i - lanes.iter().sum::<u64>() + count_scalar(seed, begin + i, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Written from the spec independently of the kernels above.
    fn reference(seed: u64, begin: u64, end: u64) -> u64 {
        (begin..end)
            .filter(|&k| {
                let mut z = seed.wrapping_add((k + 1).wrapping_mul(0x9E3779B97F4A7C15));
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
                z ^= z >> 31;
                let (x, y) = ((z >> 33) as u128, ((z & 0xFFFF_FFFF) >> 1) as u128);
                x * x + y * y < 1 << 62
            })
            .count() as u64
    }

    #[test]
    fn the_spec_reference_values_on_every_path_and_thread_count() {
        for path in Path::available() {
            for threads in 1..=4 {
                assert_eq!(count(path, 42, 0, 1_000_000, threads), 785_402, "{:?} {}", path, threads);
                assert_eq!(count(path, 0, 0, 1000, threads), 784, "{:?} {}", path, threads);
            }
        }
    }

    #[test]
    fn every_path_matches_the_reference_around_the_vector_widths() {
        let begins = [0_u64, 1, 7, 31, 33, 1_000_003, 1 << 40];
        let sizes = [0_u64, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 63, 64, 65, 1000, 100_003];
        for seed in [0, 1, 42, u64::MAX] {
            for &begin in &begins {
                for &size in &sizes {
                    let expected = reference(seed, begin, begin + size);
                    for path in Path::available() {
                        for threads in [1, 3, 5] {
                            let got = count(path, seed, begin as i64, (begin + size) as i64, threads);
                            assert_eq!(
                                got, expected,
                                "{:?} seed {} [{}, +{}) {} threads",
                                path, seed, begin, size, threads
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_top_of_the_index_space_does_not_overflow() {
        let top = i64::MAX;
        for path in Path::available() {
            assert_eq!(count(path, 7, top - 100, top, 3), reference(7, top as u64 - 100, top as u64));
        }
    }

    #[test]
    fn counts_do_not_depend_on_the_thread_count() {
        let expected = count(Path::Scalar, 2024, 12_345, 12_345 + 2_000_003, 1);
        for path in Path::available() {
            for threads in 1..=6 {
                assert_eq!(count(path, 2024, 12_345, 12_345 + 2_000_003, threads), expected);
            }
        }
    }
}
