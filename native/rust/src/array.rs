//! The lesson's Dask example, y = x + xT - mean(x, axis 0) (docs/workload-spec.md, "The chunked-array
//! example"; the contract of native/include/interop_array.h), a port of native/array/array_entry.c and
//! array_c_kernel.c: the argument checks, each pass's pieces of work (a tile's column sums over a
//! stripe of columns, a block of y or a block and its transposed partner, a block of generated rows)
//! taken dynamically by a team of exactly `threads` threads from one atomic counter.
//!
//! The pieces are one body per piece, compiled once per path: each path's function enables the path's
//! target features and inlines the body, so that LLVM vectorizes its loops over contiguous columns for
//! that path, except the generator's on the paths without 64-bit vector products (`IN_REGISTERS`).
//! A block reads x where it lies (rows by pointer and stride) and copies only its turned tiles; on the
//! AVX2 and AVX-512 paths (`wide`) those are turned in 4 x 4 register squares and y's rows are made in
//! explicit vectors and streamed past the caches, as array_c_kernel.c does; the scalar path's loops
//! are plain Rust.
//! Rust never contracts a multiply and an add into an FMA, and LLVM vectorizes no floating-point sum
//! across its terms, so y[i][j] = (x[i][j] + x[j][i]) - m[j] and the column sums' row order are kept
//! exactly on every path; only the check sum's order is the kernel's (eight lanes, as the C kernel's).

use crate::isa::Path;
use crate::pi::mix;
use crate::{boundary, team};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

/// INTEROP_ARRAY_TILE_ROWS: rows per tile of the column sums, fixed by the spec.
pub const TILE_ROWS: i64 = 256;
/// INTEROP_ARRAY_COLUMN_SUMS: the tiles' column sums of the rows.
pub const COLUMN_SUMS: i32 = 0;
/// INTEROP_ARRAY_Y: y's rows, with its sum and checksum.
pub const Y: i32 = 1;
/// INTEROP_ARRAY_GENERATE: x's rows from the generator.
pub const GENERATE: i32 = 2;

/// Columns per piece of the column sums, as array_entry.c's: a stripe's sums (128 KiB) stay in L2
/// while its tile's rows pass, each row's segment long enough for the prefetchers to stream it.
const SUM_STRIPE: usize = 16384;
/// The edge of the square tiles a block is walked in: a tile and its partner turned (2 x 8 KiB, in L1).
const TILE: usize = 32;
/// Partial sums of y per block: the check sum's order (y's own bits do not depend on it).
const LANES: usize = 8;
/// 2^-53: x is the top 53 bits of mix times this (exact).
const TWO_TO_MINUS_53: f64 = 1.0 / (1_u64 << 53) as f64;

/// x[i][j] of the generator: the top 53 bits of mix(seed, i n + j), below 2^53 and so exact in a
/// double, times 2^-53 (exact).
#[inline(always)]
pub fn unit(z: u64) -> f64 {
    (z >> 11) as f64 * TWO_TO_MINUS_53
}

/// How a path makes x's elements (`generated`), the same doubles either way: in vectors (AVX-512DQ:
/// vpmullq for mix's products, vcvtqq2pd for the conversion), or in 64-bit integer registers one
/// element at a time, where mix's products are one imul each, which beats the vectors of 64-bit
/// products that SSE2 and AVX2 can only emulate with three 32-bit ones each (and their conversion,
/// which LLVM would do one element at a time anyway). Measured on a Zen 5 (issue 25): AVX2's
/// generation 1.2x faster in registers than in emulated vectors.
const IN_REGISTERS: bool = false;
/// Only the AVX-512 path, in a build that has it, makes them in vectors.
#[cfg(feature = "avx512")]
const IN_VECTORS: bool = true;

/// Keeps its value in a general register: LLVM cannot widen the empty asm into vectors, so a loop
/// around it stays one element at a time (Rust has no stable pragma against vectorizing a loop).
#[inline(always)]
fn in_register(z: u64) -> u64 {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    {
        let mut z = z;
        // SAFETY: the template is a comment: no instruction, no memory, no flags touched.
        unsafe { std::arch::asm!("/* {0} */", inout(reg) z, options(pure, nomem, nostack, preserves_flags)) };
        z
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    z
}

/// x[i][j] for counter k = i n + j, made as VECTORS says.
#[inline(always)]
fn generated<const VECTORS: bool>(seed: u64, k: u64) -> f64 {
    if VECTORS {
        unit(mix(seed, k))
    } else {
        unit(in_register(mix(seed, k)))
    }
}

/// Where a piece reads x: generated (x NULL), or rows and transposed columns in memory.
struct Source {
    n: usize,
    seed: u64,
    /// The first row the pointers below start at.
    row_begin: usize,
    /// NULL: generated; else x[(i - row_begin) ldx + j] = x[i][j].
    x: *const f64,
    ldx: usize,
    /// xt[j ldxt + (i - row_begin)] = x[j][i]; NULL when generated.
    xt: *const f64,
    ldxt: usize,
}

// SAFETY: the team only reads x and xt, which nothing writes during the call.
unsafe impl Sync for Source {}

/// The counter of element (i, j): i n + j modulo 2^64, as the spec's uint64 arithmetic.
#[inline(always)]
fn counter(n: usize, i: usize, j: usize) -> u64 {
    (i as u64).wrapping_mul(n as u64).wrapping_add(j as u64)
}

/// A square tile of doubles in L1, rows of TILE.
type Tile = [[f64; TILE]; TILE];

/// One thread's tiles, kept across its pieces (32 KiB, on its stack): x in memory is read where it
/// lies, so `a` and `s` hold x only when it is generated (a block's tile and its partner's); `t` and
/// `at` are the two tiles turned.
struct Scratch {
    a: Tile,
    s: Tile,
    t: Tile,
    at: Tile,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch { a: [[0.0; TILE]; TILE], s: [[0.0; TILE]; TILE], t: [[0.0; TILE]; TILE], at: [[0.0; TILE]; TILE] }
    }
}

/// A block's y: the sum in LANES partials and the bits of its elements, modulo 2^64.
struct Partial {
    lanes: [f64; LANES],
    bits: [u64; LANES],
}

/// The vector paths' code (AVX2 and AVX-512 alike: a block's work is loads and stores, which 256-bit
/// vectors already keep at memory speed), written with std::arch: LLVM does not turn 4 x 4 squares
/// in registers nor choose streaming stores on its own.
#[cfg(target_arch = "x86_64")]
mod wide {
    use super::{Partial, Tile, LANES};
    use std::arch::x86_64::*;

    /// out[r][c] = src[c ld + r] for the columns below cols - cols % 4, which it returns: whole 4 x 4
    /// squares turned in registers (two unpacks and two lane permutes), their leftover rows one by one.
    ///
    /// # Safety
    /// src[c ld + r] readable for those columns and r < rows; rows, cols <= TILE.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn transposed_squares(
        src: *const f64,
        ld: usize,
        rows: usize,
        cols: usize,
        out: &mut Tile,
    ) -> usize {
        let (whole_rows, whole_cols) = (rows - rows % 4, cols - cols % 4);
        for c0 in (0..whole_cols).step_by(4) {
            let s0 = src.add(c0 * ld);
            let (s1, s2, s3) = (s0.add(ld), s0.add(2 * ld), s0.add(3 * ld));
            for r0 in (0..whole_rows).step_by(4) {
                let (a, b) = (_mm256_loadu_pd(s0.add(r0)), _mm256_loadu_pd(s1.add(r0)));
                let (c, d) = (_mm256_loadu_pd(s2.add(r0)), _mm256_loadu_pd(s3.add(r0)));
                let (ab_lo, ab_hi) = (_mm256_unpacklo_pd(a, b), _mm256_unpackhi_pd(a, b));
                let (cd_lo, cd_hi) = (_mm256_unpacklo_pd(c, d), _mm256_unpackhi_pd(c, d));
                _mm256_storeu_pd(out[r0][c0..].as_mut_ptr(), _mm256_permute2f128_pd(ab_lo, cd_lo, 0x20));
                _mm256_storeu_pd(out[r0 + 1][c0..].as_mut_ptr(), _mm256_permute2f128_pd(ab_hi, cd_hi, 0x20));
                _mm256_storeu_pd(out[r0 + 2][c0..].as_mut_ptr(), _mm256_permute2f128_pd(ab_lo, cd_lo, 0x31));
                _mm256_storeu_pd(out[r0 + 3][c0..].as_mut_ptr(), _mm256_permute2f128_pd(ab_hi, cd_hi, 0x31));
            }
            for (r, line) in out[whole_rows..rows].iter_mut().enumerate() {
                for (c, v) in line[c0..c0 + 4].iter_mut().enumerate() {
                    *v = *src.add((c0 + c) * ld + whole_rows + r);
                }
            }
        }
        whole_cols
    }

    /// y_row's whole groups of LANES columns, which it returns: (a + t) - m in two vectors, the sums
    /// and bits in the lanes; y written (not NULL) with streaming stores where it is 32-byte aligned,
    /// as y is not read again, and plain ones elsewhere.
    ///
    /// # Safety
    /// a, t, m have cols readable doubles; y NULL or cols writable.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn y_groups(
        a: *const f64,
        t: *const f64,
        m: *const f64,
        cols: usize,
        y: *mut f64,
        partial: &mut Partial,
    ) -> usize {
        let stream = y as usize % 32 == 0;
        let (lanes, bits) = (partial.lanes.as_mut_ptr(), partial.bits.as_mut_ptr() as *mut __m256i);
        let (mut sum0, mut sum1) = (_mm256_loadu_pd(lanes), _mm256_loadu_pd(lanes.add(4)));
        let (mut bits0, mut bits1) = (_mm256_loadu_si256(bits), _mm256_loadu_si256(bits.add(1)));
        let whole = cols - cols % LANES;
        for c in (0..whole).step_by(LANES) {
            let v0 = _mm256_sub_pd(
                _mm256_add_pd(_mm256_loadu_pd(a.add(c)), _mm256_loadu_pd(t.add(c))),
                _mm256_loadu_pd(m.add(c)),
            );
            let v1 = _mm256_sub_pd(
                _mm256_add_pd(_mm256_loadu_pd(a.add(c + 4)), _mm256_loadu_pd(t.add(c + 4))),
                _mm256_loadu_pd(m.add(c + 4)),
            );
            if !y.is_null() {
                if stream {
                    _mm256_stream_pd(y.add(c), v0);
                    _mm256_stream_pd(y.add(c + 4), v1);
                } else {
                    _mm256_storeu_pd(y.add(c), v0);
                    _mm256_storeu_pd(y.add(c + 4), v1);
                }
            }
            sum0 = _mm256_add_pd(sum0, v0);
            sum1 = _mm256_add_pd(sum1, v1);
            bits0 = _mm256_add_epi64(bits0, _mm256_castpd_si256(v0));
            bits1 = _mm256_add_epi64(bits1, _mm256_castpd_si256(v1));
        }
        _mm256_storeu_pd(lanes, sum0);
        _mm256_storeu_pd(lanes.add(4), sum1);
        _mm256_storeu_si256(bits, bits0);
        _mm256_storeu_si256(bits.add(1), bits1);
        whole
    }

    /// The streamed stores are weakly ordered: drained before a piece counts as done.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn drain() {
        _mm_sfence();
    }
}

/// out[r][c] = src[c ld + r] for r < rows, c < cols: a tile read turned, from memory in one pass (on
/// the WIDE paths whole 4 x 4 squares in registers).
///
/// # Safety
/// src[c ld + r] readable for c < cols, r < rows; rows, cols <= TILE; WIDE only where the CPU has AVX2.
#[inline(always)]
unsafe fn transposed_load<const WIDE: bool>(src: *const f64, ld: usize, rows: usize, cols: usize, out: &mut Tile) {
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if WIDE {
        done = wide::transposed_squares(src, ld, rows, cols, out);
    }
    for c in done..cols {
        for (r, line) in out[..rows].iter_mut().enumerate() {
            line[c] = *src.add(c * ld + r);
        }
    }
}

/// buffer[r][c] = x[row0 + r][col0 + c] from the generator.
#[inline(always)]
fn generate_tile<const VECTORS: bool>(
    src: &Source,
    row0: usize,
    col0: usize,
    rows: usize,
    cols: usize,
    buffer: &mut Tile,
) {
    for (r, line) in buffer[..rows].iter_mut().enumerate() {
        let k = counter(src.n, row0 + r, col0);
        for (c, v) in line[..cols].iter_mut().enumerate() {
            *v = generated::<VECTORS>(src.seed, k.wrapping_add(c as u64));
        }
    }
}

/// y's row segment = (a + t) - m, in that order; its sum into the lanes and its bits into theirs;
/// stored at y unless y is NULL.
///
/// # Safety
/// y is NULL or has a.len() writable doubles; t and m at least as long as a; WIDE as transposed_load.
#[inline(always)]
unsafe fn y_row<const WIDE: bool>(a: &[f64], t: &[f64], m: &[f64], y: *mut f64, partial: &mut Partial) {
    let cols = a.len();
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if WIDE {
        // A whole tile's row with its length a constant, so that LLVM unrolls its four groups as GCC
        // does the C kernel's; the same loop left rolled over a variable length made the AVX-512
        // path's y pass 1.17x slower on a Zen 5 (1.12x the AVX2 path's; issue 25).
        done = if cols == TILE {
            wide::y_groups(a.as_ptr(), t.as_ptr(), m.as_ptr(), TILE, y, partial)
        } else {
            wide::y_groups(a.as_ptr(), t.as_ptr(), m.as_ptr(), cols, y, partial)
        };
        if done == cols {
            return;
        }
    }
    // One pass, as the C kernel's: each element made, added to its lane and stored before the next
    // (a row of temporaries, summed and then copied to y, made the scalar path's y pass 1.6x slower).
    let (a, t, m) = (&a[done..], &t[done..cols], &m[done..cols]);
    let mut c = done;
    for ((a, t), m) in a.chunks_exact(LANES).zip(t.chunks_exact(LANES)).zip(m.chunks_exact(LANES)) {
        for l in 0..LANES {
            let v = (a[l] + t[l]) - m[l];
            partial.lanes[l] += v;
            partial.bits[l] = partial.bits[l].wrapping_add(v.to_bits());
            if !y.is_null() {
                *y.add(c + l) = v;
            }
        }
        c += LANES;
    }
    for ((&a, &t), &m) in a[c - done..].iter().zip(&t[c - done..]).zip(&m[c - done..]) {
        let v = (a + t) - m;
        partial.lanes[0] += v;
        partial.bits[0] = partial.bits[0].wrapping_add(v.to_bits());
        if !y.is_null() {
            *y.add(c) = v;
        }
        c += 1;
    }
}

/// out[c - col_begin] = the sum over rows [first, first + rows) of x[i][c], in row order from 0.
///
/// # Safety
/// The rows are the source's; out has col_end - col_begin writable doubles.
#[inline(always)]
unsafe fn column_sums_body<const VECTORS: bool>(
    src: &Source,
    first: usize,
    rows: usize,
    col_begin: usize,
    col_end: usize,
    out: *mut f64,
) {
    let out = std::slice::from_raw_parts_mut(out, col_end - col_begin);
    for v in out.iter_mut() {
        *v = 0.0;
    }
    for i in first..first + rows {
        if src.x.is_null() {
            let k = counter(src.n, i, col_begin);
            for (c, v) in out.iter_mut().enumerate() {
                *v += generated::<VECTORS>(src.seed, k.wrapping_add(c as u64));
            }
        } else {
            let row = std::slice::from_raw_parts(src.x.add((i - src.row_begin) * src.ldx + col_begin), out.len());
            for (v, &x) in out.iter_mut().zip(row) {
                *v += x;
            }
        }
    }
}

/// y's block rows [i0, i1) x columns [j0, j1); with `pair`, also the transposed block (rows [j0, j1)
/// x columns [i0, i1)) from the same elements of x. y is NULL (not kept) or y[(i - row_begin) ldy + j].
/// Returns the block's sum and checksum.
///
/// # Safety
/// The rows and columns are the source's; m has n elements; y NULL or covering the rows; WIDE as
/// transposed_load.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn block_body<const VECTORS: bool, const WIDE: bool>(
    src: &Source,
    m: &[f64],
    (i0, i1, j0, j1): (usize, usize, usize, usize),
    pair: bool,
    y: *mut f64,
    ldy: usize,
    scratch: &mut Scratch,
) -> (f64, u64) {
    let mut partial = Partial { lanes: [0.0; LANES], bits: [0; LANES] };
    let Scratch { a, s, t, at } = scratch;
    let rb = src.row_begin;
    let y_at = |i: usize, j: usize| if y.is_null() { y } else { y.add((i - rb) * ldy + j) };
    let mut ti = i0;
    while ti < i1 {
        let rows = (i1 - ti).min(TILE);
        // A diagonal tile of a pair is its own partner: walk only the tiles on and above it.
        let mut tj = if pair && j0 == i0 { ti } else { j0 };
        while tj < j1 {
            let cols = (j1 - tj).min(TILE);
            // x[ti + r][tj ..] and x[tj + c][ti ..] by their rows' starts and stride: x in memory where it
            // lies (the second from the transposed columns, which are x's rows when xt is x); generated
            // x made into a and s first.
            let (a_rows, a_ld, s_rows, s_ld) = if src.x.is_null() {
                generate_tile::<VECTORS>(src, ti, tj, rows, cols, a);
                generate_tile::<VECTORS>(src, tj, ti, cols, rows, s);
                (a.as_ptr() as *const f64, TILE, s.as_ptr() as *const f64, TILE)
            } else {
                (src.x.add((ti - rb) * src.ldx + tj), src.ldx, src.xt.add(tj * src.ldxt + (ti - rb)), src.ldxt)
            };
            transposed_load::<WIDE>(s_rows, s_ld, rows, cols, t); // t[r][c] = x[tj + c][ti + r]
            for (r, t_row) in t[..rows].iter().enumerate() {
                let a_row = std::slice::from_raw_parts(a_rows.add(r * a_ld), cols);
                y_row::<WIDE>(a_row, t_row, &m[tj..], y_at(ti + r, tj), &mut partial);
            }
            if pair && !(j0 == i0 && tj == ti) {
                // The partner tile, rows tj.. and columns ti..:
                // y[tj + c][ti + r] = (x[tj + c][ti + r] + x[ti + r][tj + c]) - m[ti + r].
                transposed_load::<WIDE>(a_rows, a_ld, cols, rows, at); // at[c][r] = x[ti + r][tj + c]
                for (c, at_row) in at[..cols].iter().enumerate() {
                    let s_row = std::slice::from_raw_parts(s_rows.add(c * s_ld), rows);
                    y_row::<WIDE>(s_row, at_row, &m[ti..], y_at(tj + c, ti), &mut partial);
                }
            }
            tj += cols;
        }
        ti += rows;
    }
    #[cfg(target_arch = "x86_64")]
    if WIDE {
        wide::drain();
    }
    let mut sum = 0.0;
    let mut bits = 0_u64;
    for l in 0..LANES {
        sum += partial.lanes[l];
        bits = bits.wrapping_add(partial.bits[l]);
    }
    (sum, bits)
}

/// out[(i - first) ldout + j] = x[i][j] for rows [first, first + rows) and every column.
///
/// # Safety
/// out covers the rows with stride ldout >= n.
#[inline(always)]
unsafe fn generate_body<const VECTORS: bool>(
    seed: u64,
    n: usize,
    first: usize,
    rows: usize,
    out: *mut f64,
    ldout: usize,
) {
    for r in 0..rows {
        let row = std::slice::from_raw_parts_mut(out.add(r * ldout), n);
        let k = counter(n, first + r, 0);
        for (j, v) in row.iter_mut().enumerate() {
            *v = generated::<VECTORS>(seed, k.wrapping_add(j as u64));
        }
    }
}

/// One path's pieces: the bodies above, compiled with the path's target features.
struct Pieces {
    column_sums: unsafe fn(&Source, usize, usize, usize, usize, *mut f64),
    #[allow(clippy::type_complexity)]
    block: unsafe fn(&Source, &[f64], (usize, usize, usize, usize), bool, *mut f64, usize, &mut Scratch) -> (f64, u64),
    generate: unsafe fn(u64, usize, usize, usize, *mut f64, usize),
}

/// A module of one path's pieces, each with the path's target features (none for the scalar path);
/// $generate: how the path makes x's elements (`generated`); $wide: whether its blocks use the
/// vector code (`wide`).
macro_rules! path_pieces {
    ($name:ident, $generate:ident, $wide:literal $(, $features:literal)?) => {
        mod $name {
            use super::*;

            $(#[target_feature(enable = $features)])?
            pub(super) unsafe fn column_sums(src: &Source, first: usize, rows: usize, c0: usize, c1: usize, out: *mut f64) {
                column_sums_body::<$generate>(src, first, rows, c0, c1, out)
            }

            $(#[target_feature(enable = $features)])?
            pub(super) unsafe fn block(
                src: &Source,
                m: &[f64],
                range: (usize, usize, usize, usize),
                pair: bool,
                y: *mut f64,
                ldy: usize,
                scratch: &mut Scratch,
            ) -> (f64, u64) {
                block_body::<$generate, $wide>(src, m, range, pair, y, ldy, scratch)
            }

            $(#[target_feature(enable = $features)])?
            pub(super) unsafe fn generate(seed: u64, n: usize, first: usize, rows: usize, out: *mut f64, ldout: usize) {
                generate_body::<$generate>(seed, n, first, rows, out, ldout)
            }

            pub(super) const PIECES: Pieces = Pieces { column_sums, block, generate };
        }
    };
}

path_pieces!(scalar, IN_REGISTERS, false);
#[cfg(target_arch = "x86_64")]
path_pieces!(avx2, IN_REGISTERS, true, "avx2,fma");
// The crate's rust-version is 1.63; the build turns this feature on only for rustc 1.89 or later,
// where these target features are stable.
#[cfg(feature = "avx512")]
path_pieces!(avx512, IN_VECTORS, true, "avx512f,avx512dq,avx512bw,avx512vl,avx2,fma");

/// The pieces of a path (the unsafe functions' SAFETY: a path is only active where its CPU features
/// were detected, isa.rs).
fn pieces_of(path: Path) -> Pieces {
    match path {
        Path::Scalar => scalar::PIECES,
        #[cfg(target_arch = "x86_64")]
        Path::Avx2 => avx2::PIECES,
        #[cfg(not(target_arch = "x86_64"))]
        Path::Avx2 => scalar::PIECES,
        #[cfg(feature = "avx512")]
        Path::Avx512 => avx512::PIECES,
    }
}

/// Piece p of the upper triangle of a blocks x blocks grid, row by row (bi, then bj >= bi): the C
/// kernel's order of the pairs, found without a list of them.
pub fn triangle_piece(p: i64, blocks: i64) -> (i64, i64) {
    // Pieces before row b: b blocks - b (b - 1) / 2 (in 128 bits: no overflow for any i64 grid).
    let before = |b: i64| -> i64 {
        let (b, w) = (i128::from(b), i128::from(blocks));
        (b * (2 * w - b + 1) / 2) as i64
    };
    // The root of b^2 - (2 blocks + 1) b + 2p = 0 as a first guess, then corrected exactly.
    let f = 2.0 * blocks as f64 + 1.0;
    let guess = ((f - (f * f - 8.0 * p as f64).max(0.0).sqrt()) / 2.0).floor();
    let mut b = if guess.is_finite() { (guess as i64).clamp(0, blocks - 1) } else { 0 };
    while b > 0 && before(b) > p {
        b -= 1;
    }
    while b + 1 < blocks && before(b + 1) <= p {
        b += 1;
    }
    (b, b + (p - before(b)))
}

/// Block row or column b of the global grid of `chunk`, clipped to [lo, hi).
fn block_range(b: i64, chunk: i64, lo: i64, hi: i64) -> (usize, usize) {
    let first = b * chunk;
    let last = first.saturating_add(chunk);
    (first.max(lo) as usize, last.min(hi) as usize)
}

/// Runs `piece(p, scratch)` for p in [0, pieces) on exactly `threads` threads (fewer only if the
/// system refuses one, team.rs), each taking the next p from one counter (OpenMP's dynamic, 1), and
/// returns the sum and checksum of the pieces' results.
fn dynamic<F>(pieces: i64, threads: usize, piece: F) -> (f64, u64)
where
    F: Fn(i64, &mut Scratch) -> (f64, u64) + Sync,
{
    let next = AtomicI64::new(0);
    let total = Mutex::new((0.0_f64, 0_u64));
    team::run(threads, |_, _, _| {
        let mut scratch = Scratch::new();
        let (mut sum, mut bits) = (0.0, 0_u64);
        loop {
            let p = next.fetch_add(1, Ordering::Relaxed);
            if p >= pieces {
                break;
            }
            let (s, b) = piece(p, &mut scratch);
            sum += s;
            bits = bits.wrapping_add(b);
        }
        let mut total = total.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        total.0 += sum;
        total.1 = total.1.wrapping_add(bits);
        Ok(())
    });
    total.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The caller's output, which the team shares: each piece writes its own part of it. Read through
/// `at`, so that a closure captures the whole (Sync) value, not its raw pointer field.
#[derive(Clone, Copy)]
struct Out(*mut f64);
// SAFETY: the pieces of a pass write disjoint elements of the caller's output.
unsafe impl Sync for Out {}

impl Out {
    fn at(self) -> *mut f64 {
        self.0
    }
}

/// The checks of interop_array.h, in its order (as native/common/array_check.h's, the C and C++ exports').
#[allow(clippy::too_many_arguments)]
fn check_arguments(
    pass: i32,
    n: i64,
    chunk: i64,
    row_begin: i64,
    row_end: i64,
    x: *const f64,
    ldx: i64,
    xt: *const f64,
    ldxt: i64,
    m: *const f64,
    out: *const f64,
    ldout: i64,
    sum: *const f64,
    checksum: *const u64,
    threads: i32,
) -> i32 {
    if pass != COLUMN_SUMS && pass != Y && pass != GENERATE {
        return -1;
    }
    if n < 1 {
        return -2;
    }
    if chunk < 1 || chunk > n {
        return -3;
    }
    if row_begin < 0 || row_begin > row_end || row_end > n {
        return -4;
    }
    if pass == COLUMN_SUMS && (row_begin % TILE_ROWS != 0 || (row_end % TILE_ROWS != 0 && row_end != n)) {
        return -4;
    }
    if (!x.is_null() && ldx < n)
        || (pass == Y && !x.is_null() && ldxt < row_end - row_begin)
        || ((!out.is_null() || pass != Y) && ldout < n)
    {
        return -5;
    }
    if pass == Y && ((!x.is_null() && xt.is_null()) || m.is_null() || sum.is_null() || checksum.is_null()) {
        return -6;
    }
    if pass != Y && out.is_null() {
        return -6;
    }
    if pass == GENERATE && !x.is_null() {
        return -6;
    }
    if threads < 1 {
        return -7;
    }
    0
}

/// INTEROP_ARRAY_Y over rows [row_begin, row_end): blocks of the global grid, or a block and its
/// transposed partner when the rows are all of x and x is read from one place (generated, or xt the
/// same array as x): every element of x then read (or generated) once.
#[allow(clippy::too_many_arguments)]
unsafe fn y_pass(
    k: &Pieces,
    src: &Source,
    chunk: i64,
    row_begin: i64,
    row_end: i64,
    m: *const f64,
    y: *mut f64,
    ldy: usize,
    threads: usize,
) -> (f64, u64) {
    let n = src.n as i64;
    let blocks = (n - 1) / chunk + 1;
    let first_block = row_begin / chunk;
    let block_rows = if row_end > row_begin { (row_end - 1) / chunk + 1 - first_block } else { 0 };
    let pair = row_begin == 0 && row_end == n && (src.x.is_null() || (src.xt == src.x && src.ldxt == src.ldx));
    let pieces = if pair { blocks.checked_mul(blocks + 1).map(|p| p / 2) } else { block_rows.checked_mul(blocks) }
        .expect("more blocks than an int64_t counts: a larger chunk is needed");
    // m (n elements, the caller's promise) becomes a slice only after that check, so that an n too
    // large for any array fails there without a slice of it ever being made.
    let m = std::slice::from_raw_parts(m, src.n);
    let (out, block) = (Out(y), k.block);
    dynamic(pieces, threads, move |p, scratch| {
        let (bi, bj) = if pair { triangle_piece(p, blocks) } else { (first_block + p / blocks, p % blocks) };
        let (i0, i1) = block_range(bi, chunk, row_begin, row_end);
        let (j0, j1) = block_range(bj, chunk, 0, n);
        // SAFETY: the block is within the rows and n; the CPU runs the path (pieces_of).
        block(src, m, (i0, i1, j0, j1), pair, out.at(), ldy, scratch)
    })
}

/// One pass of the array workload (interop_array.h) over rows [row_begin, row_end) of the n x n
/// matrices on exactly `threads` threads taking chunk x chunk blocks dynamically, on the given path
/// (the export's on the active one; the tests' on each path the CPU has, without changing the
/// process-wide choice under other tests). Status: 0; -1 pass; -2 n; -3 chunk; -4 rows; -5 a leading
/// dimension; -6 a pointer; -7 threads; INTERNAL (a panic, its message for interop_rust_last_error).
///
/// # Safety
/// The pointers are NULL or cover what interop_array.h says for the pass; nothing else writes them
/// during the call; the CPU runs the path (Path::available()).
#[allow(clippy::too_many_arguments)]
pub unsafe fn run(
    path: Path,
    pass: i32,
    n: i64,
    chunk: i64,
    seed: u64,
    row_begin: i64,
    row_end: i64,
    x: *const f64,
    ldx: i64,
    xt: *const f64,
    ldxt: i64,
    m: *const f64,
    out: *mut f64,
    ldout: i64,
    sum: *mut f64,
    checksum: *mut u64,
    threads: i32,
) -> i32 {
    boundary::guard(|| {
        let status = check_arguments(
            pass, n, chunk, row_begin, row_end, x, ldx, xt, ldxt, m, out, ldout, sum, checksum, threads,
        );
        if status != 0 {
            return status;
        }
        let threads = threads as usize;
        let k = pieces_of(path);
        // Leading dimensions a pass does not read may be anything: only checked ones become usize.
        let given = |ld: i64, used: bool| if used { ld as usize } else { 0 };
        let src = Source {
            n: n as usize,
            seed,
            row_begin: row_begin as usize,
            x,
            ldx: given(ldx, !x.is_null()),
            xt: if x.is_null() { std::ptr::null() } else { xt },
            ldxt: given(ldxt, pass == Y && !x.is_null()),
        };
        let ldout = given(ldout, !out.is_null());
        match pass {
            Y => {
                let (s, c) = y_pass(&k, &src, chunk, row_begin, row_end, m, out, ldout, threads);
                *sum = s;
                *checksum = c;
            }
            COLUMN_SUMS => {
                let tiles = (row_end - row_begin + TILE_ROWS - 1) / TILE_ROWS;
                let stripes = ((src.n + SUM_STRIPE - 1) / SUM_STRIPE) as i64;
                let (src, out, column_sums) = (&src, Out(out), k.column_sums);
                dynamic(tiles * stripes, threads, move |p, _| {
                    let (t, s) = (p / stripes, (p % stripes) as usize);
                    let first = row_begin + t * TILE_ROWS;
                    let rows = (row_end - first).min(TILE_ROWS) as usize;
                    let c0 = s * SUM_STRIPE;
                    let c1 = (c0 + SUM_STRIPE).min(src.n);
                    // SAFETY: the tile's rows are the source's, its sums row t of out; the CPU runs the path.
                    column_sums(src, first as usize, rows, c0, c1, out.at().add(t as usize * ldout + c0));
                    (0.0, 0)
                });
            }
            _ => {
                // GENERATE: blocks of `chunk` rows, whole rows each.
                let block_rows = (row_end - row_begin + chunk - 1) / chunk;
                let (out, generate, n) = (Out(out), k.generate, src.n);
                dynamic(block_rows, threads, move |b, _| {
                    let first = row_begin + b * chunk;
                    let rows = (row_end - first).min(chunk) as usize;
                    // SAFETY: rows [first, first + rows) are within the caller's; the CPU runs the path.
                    generate(seed, n, first as usize, rows, out.at().add((first - row_begin) as usize * ldout), ldout);
                    (0.0, 0)
                });
            }
        }
        0
    })
}

/// interop_array.h's entry point: `run` on the path interop_rust_isa_select chose.
///
/// # Safety
/// The pointers are NULL or cover what interop_array.h says for the pass; nothing else writes them
/// during the call.
#[no_mangle]
pub unsafe extern "C" fn interop_array_rust(
    pass: i32,
    n: i64,
    chunk: i64,
    seed: u64,
    row_begin: i64,
    row_end: i64,
    x: *const f64,
    ldx: i64,
    xt: *const f64,
    ldxt: i64,
    m: *const f64,
    out: *mut f64,
    ldout: i64,
    sum: *mut f64,
    checksum: *mut u64,
    threads: i32,
) -> i32 {
    run(
        crate::isa::active(),
        pass,
        n,
        chunk,
        seed,
        row_begin,
        row_end,
        x,
        ldx,
        xt,
        ldxt,
        m,
        out,
        ldout,
        sum,
        checksum,
        threads,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_triangle_pieces_are_the_pairs_in_row_order_once_each() {
        for blocks in 1..40_i64 {
            let mut p = 0;
            for bi in 0..blocks {
                for bj in bi..blocks {
                    assert_eq!(triangle_piece(p, blocks), (bi, bj), "piece {} of {} blocks", p, blocks);
                    p += 1;
                }
            }
        }
        // A grid far past f64's exact integers: the correction makes the guess exact.
        let blocks = 3_000_000_000_i64;
        let last = blocks / 2 * (blocks + 1) - 1;
        assert_eq!(triangle_piece(last, blocks), (blocks - 1, blocks - 1));
        assert_eq!(triangle_piece(blocks, blocks), (1, 1));
        assert_eq!(triangle_piece(blocks - 1, blocks), (0, blocks - 1));
    }

    #[test]
    fn unit_is_the_top_53_bits_times_two_to_minus_53() {
        assert_eq!(unit(0), 0.0);
        assert_eq!(unit(u64::MAX), 1.0 - TWO_TO_MINUS_53);
        assert_eq!(unit(1 << 11), TWO_TO_MINUS_53);
        assert_eq!(unit((1 << 11) - 1), 0.0);
    }
}
