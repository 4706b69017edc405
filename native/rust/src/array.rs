//! The lesson's Dask example, y = x + xT - mean(x, axis 0) (docs/workload-spec.md, "The chunked-array
//! example"; the contract of native/include/interop_array.h), a port of native/array/array_entry.c and
//! array_c_kernel.c: the argument checks, each pass's pieces of work (a tile's column sums over a
//! stripe of columns, a block of y or a block and its transposed partner, a block of generated rows)
//! taken dynamically by a team of exactly `threads` threads from one atomic counter.
//!
//! The pieces are one plain-Rust body per piece, compiled once per path: each path's function enables
//! the path's target features and inlines the body, so that LLVM vectorizes its loops over contiguous
//! columns for that path (std::arch has no vector SplitMix64 or transposed tile worth writing by hand),
//! except the generator's on the paths without 64-bit vector products (`IN_REGISTERS`).
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

/// Columns per piece of the column sums: a stripe's sums (16 KiB) stay in L1 while its tile's rows pass.
const SUM_STRIPE: usize = 2048;
/// The edge of the square tiles a block is walked in: two tiles of x and one transposed (3 x 8 KiB).
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

/// One thread's tiles, kept across its pieces (24 KiB, on its stack).
struct Scratch {
    a: [[f64; TILE]; TILE],
    t: [[f64; TILE]; TILE],
    turned: [[f64; TILE]; TILE],
}

impl Scratch {
    fn new() -> Scratch {
        Scratch { a: [[0.0; TILE]; TILE], t: [[0.0; TILE]; TILE], turned: [[0.0; TILE]; TILE] }
    }
}

/// A block's y: the sum in LANES partials and the bits of its elements, modulo 2^64.
struct Partial {
    lanes: [f64; LANES],
    bits: [u64; LANES],
}

/// buffer[r][c] = x[row0 + r][col0 + c] for r < rows, c < cols, from memory or the generator.
///
/// # Safety
/// The rows are the source's (x given: within its rows and columns).
#[inline(always)]
unsafe fn load_tile<const VECTORS: bool>(
    src: &Source,
    row0: usize,
    col0: usize,
    rows: usize,
    cols: usize,
    buffer: &mut [[f64; TILE]; TILE],
) {
    for (r, line) in buffer[..rows].iter_mut().enumerate() {
        let line = &mut line[..cols];
        if src.x.is_null() {
            let k = counter(src.n, row0 + r, col0);
            for (c, v) in line.iter_mut().enumerate() {
                *v = generated::<VECTORS>(src.seed, k.wrapping_add(c as u64));
            }
        } else {
            let from = src.x.add((row0 + r - src.row_begin) * src.ldx + col0);
            line.copy_from_slice(std::slice::from_raw_parts(from, cols));
        }
    }
}

/// buffer[r][c] = x[col0 + c][row0 + r]: the transposed tile, from xt (or the generator) row of x by
/// row of x into `rows_of_x`, then turned.
///
/// # Safety
/// The columns are the source's (x given: xt holds rows row0.. of every column col0..).
#[inline(always)]
unsafe fn load_transposed_tile<const VECTORS: bool>(
    src: &Source,
    row0: usize,
    col0: usize,
    rows: usize,
    cols: usize,
    rows_of_x: &mut [[f64; TILE]; TILE],
    buffer: &mut [[f64; TILE]; TILE],
) {
    for (c, line) in rows_of_x[..cols].iter_mut().enumerate() {
        let line = &mut line[..rows];
        if src.x.is_null() {
            let k = counter(src.n, col0 + c, row0);
            for (r, v) in line.iter_mut().enumerate() {
                *v = generated::<VECTORS>(src.seed, k.wrapping_add(r as u64));
            }
        } else {
            let from = src.xt.add((col0 + c) * src.ldxt + (row0 - src.row_begin));
            line.copy_from_slice(std::slice::from_raw_parts(from, rows));
        }
    }
    transpose_tile(rows_of_x, cols, rows, buffer);
}

/// out[c][r] = input[r][c] for r < rows, c < cols.
#[inline(always)]
fn transpose_tile(input: &[[f64; TILE]; TILE], rows: usize, cols: usize, out: &mut [[f64; TILE]; TILE]) {
    for (c, line) in out[..cols].iter_mut().enumerate() {
        for (r, v) in line[..rows].iter_mut().enumerate() {
            *v = input[r][c];
        }
    }
}

/// y's row segment = (a + t) - m, in that order; its sum into the lanes and its bits into theirs;
/// stored at y unless y is NULL.
///
/// # Safety
/// y is NULL or has a.len() writable doubles.
#[inline(always)]
unsafe fn y_row(a: &[f64], t: &[f64], m: &[f64], y: *mut f64, partial: &mut Partial) {
    let cols = a.len();
    let mut row = [0.0_f64; TILE];
    let row = &mut row[..cols];
    for (((v, &a), &t), &m) in row.iter_mut().zip(a).zip(&t[..cols]).zip(&m[..cols]) {
        *v = (a + t) - m;
    }
    let mut whole = row.chunks_exact(LANES);
    for group in &mut whole {
        for ((lane, bits), &v) in partial.lanes.iter_mut().zip(&mut partial.bits).zip(group) {
            *lane += v;
            *bits = bits.wrapping_add(v.to_bits());
        }
    }
    for &v in whole.remainder() {
        partial.lanes[0] += v;
        partial.bits[0] = partial.bits[0].wrapping_add(v.to_bits());
    }
    if !y.is_null() {
        std::ptr::copy_nonoverlapping(row.as_ptr(), y, cols);
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
/// x columns [i0, i1)) from the same tiles of x. y is NULL (not kept) or y[(i - row_begin) ldy + j].
/// Returns the block's sum and checksum.
///
/// # Safety
/// The rows and columns are the source's; m has n elements; y NULL or covering the rows.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn block_body<const VECTORS: bool>(
    src: &Source,
    m: &[f64],
    (i0, i1, j0, j1): (usize, usize, usize, usize),
    pair: bool,
    y: *mut f64,
    ldy: usize,
    scratch: &mut Scratch,
) -> (f64, u64) {
    let mut partial = Partial { lanes: [0.0; LANES], bits: [0; LANES] };
    let Scratch { a, t, turned } = scratch;
    let y_at = |i: usize, j: usize| if y.is_null() { y } else { y.add((i - src.row_begin) * ldy + j) };
    let mut ti = i0;
    while ti < i1 {
        let rows = (i1 - ti).min(TILE);
        // A diagonal tile of a pair is its own partner: walk only the tiles on and above it.
        let mut tj = if pair && j0 == i0 { ti } else { j0 };
        while tj < j1 {
            let cols = (j1 - tj).min(TILE);
            load_tile::<VECTORS>(src, ti, tj, rows, cols, a);
            load_transposed_tile::<VECTORS>(src, ti, tj, rows, cols, turned, t);
            for r in 0..rows {
                y_row(&a[r][..cols], &t[r][..cols], &m[tj..tj + cols], y_at(ti + r, tj), &mut partial);
            }
            if pair && !(j0 == i0 && tj == ti) {
                // The partner tile, rows tj.. and columns ti..: x[tj + c][ti + r] is t[r][c], x[ti + r][tj + c]
                // is a[r][c]; both turned so that its rows run along y's.
                transpose_tile(t, rows, cols, turned); // turned[c][r] = x[tj + c][ti + r]
                transpose_tile(a, rows, cols, t); // t[c][r] = x[ti + r][tj + c]
                for c in 0..cols {
                    y_row(&turned[c][..rows], &t[c][..rows], &m[ti..ti + rows], y_at(tj + c, ti), &mut partial);
                }
            }
            tj += cols;
        }
        ti += rows;
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
/// $generate: how the path makes x's elements (`generated`).
macro_rules! path_pieces {
    ($name:ident, $generate:ident $(, $features:literal)?) => {
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
                block_body::<$generate>(src, m, range, pair, y, ldy, scratch)
            }

            $(#[target_feature(enable = $features)])?
            pub(super) unsafe fn generate(seed: u64, n: usize, first: usize, rows: usize, out: *mut f64, ldout: usize) {
                generate_body::<$generate>(seed, n, first, rows, out, ldout)
            }

            pub(super) const PIECES: Pieces = Pieces { column_sums, block, generate };
        }
    };
}

path_pieces!(scalar, IN_REGISTERS);
#[cfg(target_arch = "x86_64")]
path_pieces!(avx2, IN_REGISTERS, "avx2,fma");
// The crate's rust-version is 1.63; the build turns this feature on only for rustc 1.89 or later,
// where these target features are stable.
#[cfg(feature = "avx512")]
path_pieces!(avx512, IN_VECTORS, "avx512f,avx512dq,avx512bw,avx512vl,avx2,fma");

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

/// One pass of the array workload on the given path (interop_array_rust's contract; the arguments
/// checked, status 0 returned by the caller).
///
/// # Safety
/// The pointers cover what interop_array.h says for the pass.
#[allow(clippy::too_many_arguments)]
unsafe fn run_checked(
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
    threads: usize,
) {
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
        run_checked(
            path,
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
            threads as usize,
        );
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
