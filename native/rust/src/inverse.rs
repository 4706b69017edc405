//! Dense matrix inversion in place, a port of native/src/lu_inverse_c.c (same algorithm, block sizes,
//! thresholds and statuses), its threads a std::thread::scope team (team.rs) instead of OpenMP's.
//!
//! The buffer holds the row-major A; the kernel works column-major, so it first transposes the buffer
//! in place and the pivoting is LAPACK's on A itself. Then:
//!   1. blocked right-looking LU with partial pivoting, P M = L U: a recursive panel (thread 0), row
//!      swaps, U12 = inv(L11) A12 and the GEMM update of the trailing matrix (threads split columns);
//!   2. Y = inv(L) by the blocked solve L Y = I, skipping Y's zero upper triangle;
//!   3. Z = inv(U) Y by the blocked solve U Z = Y;
//!   4. inv(M) = Z P replaces M, written row-major.
//!
//! Every triangular solve by a diagonal block is a GEMM by the block's inverse, formed once, so nearly
//! all the flops run in the micro-kernel (gemm.rs).

use crate::alloc::{self, AlignedBuffer};
use crate::gemm::{gemm, Avx2, Kernel, Mode, Pack, Scalar, Shape};
use crate::isa::Path;
use crate::status::{NONFINITE, NO_MEMORY};
use crate::team::{self, Broken, Team};
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Below this width a panel is factored column by column (its m x w block stays in L2).
const PANEL_LEAF: usize = 16;

/// Tiles of the transposes: two 32 x 32 tiles of doubles (16 KiB) stay in L1 while they swap.
const TILE: usize = 32;

/// The scale 2^-e for a row or column whose largest finite |element| is `max` (0 if none): e is the
/// exponent of max = f * 2^e, f in [0.5, 1) (C's frexp), clamped to [-1022, 1023] so that the scale
/// is a normal double (native/common/equilibrate.h, whose rule every backend follows).
fn equilibration_scale(max: f64) -> f64 {
    if !(max > 0.0) {
        return 1.0;
    }
    let bits = max.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let exponent = if biased == 0 {
        // Subnormal: 2^-1022 * mantissa / 2^52, the mantissa's leading one at bit 63 - lz.
        let mantissa = bits & ((1 << 52) - 1);
        (63 - mantissa.leading_zeros() as i32) - 1073
    } else {
        biased - 1022
    };
    let k = (-exponent).clamp(-1022, 1023);
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// Equilibration by powers of two (native/common/equilibrate.h): the row scales r = scales[..n] and
/// column scales c = scales[n..] of the row-major n x n matrix `a`; `a` becomes
/// B = diag(r) A diag(c) when any scale is not 1. Returns the pivot threshold on B,
/// n * 2^-52 * max|b_ij| over the finite elements (a pivot at or below it counts as zero:
/// numerically singular, judged on the equilibrated matrix as the spec says), and whether `a` was
/// changed. NaN and Inf are left out of the maxima: the factorization finds them as a non-finite
/// pivot.
fn equilibrate(a: &mut [f64], n: usize, scales: &mut [f64]) -> (f64, bool) {
    let (r, c) = scales.split_at_mut(n);
    c.fill(0.0);
    let mut any = false;
    for (i, row) in a.chunks_exact(n).enumerate() {
        let max = row.iter().map(|v| v.abs()).filter(|v| *v <= f64::MAX).fold(0.0, f64::max);
        r[i] = equilibration_scale(max);
        any |= r[i] != 1.0;
        for (cj, v) in c.iter_mut().zip(row) {
            let scaled = v.abs() * r[i];
            if scaled > *cj && scaled <= f64::MAX {
                *cj = scaled;
            }
        }
    }
    let mut max_b: f64 = 0.0;
    for cj in c.iter_mut() {
        let s = equilibration_scale(*cj);
        max_b = max_b.max(*cj * s);
        *cj = s;
        any |= s != 1.0;
    }
    if any {
        for (row, ri) in a.chunks_exact_mut(n).zip(r.iter()) {
            for (v, cj) in row.iter_mut().zip(c.iter()) {
                *v = *v * *ri * *cj;
            }
        }
    }
    (n as f64 * f64::EPSILON * max_b, any)
}

/// x := diag(c) x diag(r) for the row-major inverse x of B: inv(A) = diag(c) inv(B) diag(r), exactly.
fn unequilibrate(x: &mut [f64], n: usize, scales: &[f64]) {
    let (r, c) = scales.split_at(n);
    for (row, ci) in x.chunks_exact_mut(n).zip(c.iter()) {
        for (v, rj) in row.iter_mut().zip(r.iter()) {
            *v = *v * *ci * *rj;
        }
    }
}

/// The status of a failed pivot at 1-based step `step`: non-finite (NaN or Inf) or singular.
fn pivot_failure(pivot: f64, step: usize) -> i32 {
    if pivot.is_finite() {
        step as i32
    } else {
        NONFINITE | step as i32
    }
}

/// Element (i, j) of a column-major matrix with leading dimension ld.
#[inline(always)]
unsafe fn at(a: *mut f64, ld: usize, i: usize, j: usize) -> *mut f64 {
    a.add(i + j * ld)
}

/// Swaps rows j and ipiv[j] for the steps j in [j_begin, j_end) in columns [c_begin, c_end).
unsafe fn swap_rows(
    n: usize,
    a: *mut f64,
    ipiv: *const usize,
    j_begin: usize,
    j_end: usize,
    c_begin: usize,
    c_end: usize,
) {
    for c in c_begin..c_end {
        let column = at(a, n, 0, c);
        for j in j_begin..j_end {
            std::ptr::swap(column.add(j), column.add(*ipiv.add(j)));
        }
    }
}

/// Unblocked LU with partial pivoting of rows j0..n-1 of columns [j0, j0+w); swaps stay inside these
/// columns. Returns 0, or the failure status of a pivot at or below the threshold, or not finite.
unsafe fn panel_leaf(n: usize, a: *mut f64, j0: usize, w: usize, ipiv: *mut usize, threshold: f64) -> i32 {
    for j in j0..j0 + w {
        let column = at(a, n, 0, j);
        let mut p = j;
        let mut best = (*column.add(j)).abs();
        for i in j + 1..n {
            let v = (*column.add(i)).abs();
            if v > best {
                best = v;
                p = i;
            }
        }
        // NaN fails the first test, Inf the second (a negated comparison on purpose: NaN is not >).
        #[allow(clippy::neg_cmp_op_on_partial_ord)]
        let failed = !(best > threshold) || !best.is_finite();
        if failed {
            return pivot_failure(best, j + 1);
        }
        *ipiv.add(j) = p;
        if p != j {
            for c in j0..j0 + w {
                std::ptr::swap(at(a, n, j, c), at(a, n, p, c));
            }
        }
        let inverse = 1.0 / *column.add(j);
        for i in j + 1..n {
            *column.add(i) *= inverse;
        }
        for c in j + 1..j0 + w {
            let target = at(a, n, 0, c);
            let u = *target.add(j);
            for i in j + 1..n {
                *target.add(i) -= *column.add(i) * u;
            }
        }
    }
    0
}

/// LU with partial pivoting of rows j0..n-1 of columns [j0, j0+w), recursive (Toledo) so that most
/// of its flops are GEMMs too: factor the left half, bring the right half up to date (swaps,
/// U12 = inv(L11) A12, A22 -= L21 U12), factor it, then apply its swaps to the left half.
#[allow(clippy::too_many_arguments)]
unsafe fn panel_lu<K: Kernel>(
    n: usize,
    a: *mut f64,
    j0: usize,
    w: usize,
    ipiv: *mut usize,
    threshold: f64,
    pack: &mut Pack,
) -> i32 {
    if w <= PANEL_LEAF {
        return panel_leaf(n, a, j0, w, ipiv, threshold);
    }
    let (w1, w2) = (w / 2, w - w / 2);
    let j1 = j0 + w1;
    let status = panel_lu::<K>(n, a, j0, w1, ipiv, threshold, pack);
    if status != 0 {
        return status;
    }
    swap_rows(n, a, ipiv, j0, j1, j1, j0 + w);
    // U12 = inv(L11) A12 by substitution: w1 x w2 is small next to the GEMM below.
    for c in j1..j0 + w {
        let x = at(a, n, 0, c);
        for k in j0..j1 {
            let lk = at(a, n, 0, k);
            let xk = *x.add(k);
            for i in k + 1..j1 {
                *x.add(i) -= *lk.add(i) * xk;
            }
        }
    }
    gemm::<K>(
        n - j1,
        w2,
        w1,
        at(a, n, j1, j0),
        n,
        at(a, n, j0, j1),
        n,
        at(a, n, j1, j1),
        n,
        Mode::Update,
        Shape::Full,
        pack,
    );
    let status = panel_lu::<K>(n, a, j1, w2, ipiv, threshold, pack);
    if status != 0 {
        return status;
    }
    swap_rows(n, a, ipiv, j1, j0 + w, j0, j1);
    0
}

/// inv(L11) of the unit lower kb x kb block at l (ld n) into t (ld kb): column j solves L t = e_j.
unsafe fn invert_unit_lower(n: usize, l: *mut f64, kb: usize, t: *mut f64) {
    for j in 0..kb {
        let x = t.add(j * kb);
        std::ptr::write_bytes(x, 0, kb);
        *x.add(j) = 1.0;
        for k in j..kb {
            let lk = at(l, n, 0, k);
            let xk = *x.add(k);
            for i in k + 1..kb {
                *x.add(i) -= *lk.add(i) * xk;
            }
        }
    }
}

/// inv(U11) of the upper kb x kb block at u (ld n) into t (ld kb): column j solves U t = e_j.
unsafe fn invert_upper(n: usize, u: *mut f64, kb: usize, t: *mut f64) {
    for j in 0..kb {
        let x = t.add(j * kb);
        std::ptr::write_bytes(x, 0, kb);
        *x.add(j) = 1.0;
        for k in (0..=j).rev() {
            let uk = at(u, n, 0, k);
            let xk = *x.add(k) / *uk.add(k);
            *x.add(k) = xk;
            for i in 0..k {
                *x.add(i) -= *uk.add(i) * xk;
            }
        }
    }
}

/// Tile column `bj` of the in-place transpose a := aᵀ: its tiles on and above the diagonal swap with
/// their mirror images.
unsafe fn transpose_tile_column(n: usize, a: *mut f64, bj: usize) {
    let j0 = bj * TILE;
    let j1 = (j0 + TILE).min(n);
    let mut i0 = 0;
    while i0 <= j0 {
        let i1 = (i0 + TILE).min(n);
        for i in i0..i1 {
            let (row, column) = (a.add(i * n), a.add(i));
            for j in j0.max(i + 1)..j1 {
                std::ptr::swap(row.add(j), column.add(j * n));
            }
        }
        i0 += TILE;
    }
}

/// Tile row `bi` of a[i*n + j] = x[i + source[j]*n]: the column-major x, its columns gathered by
/// source, written row-major by T x T tiles so that both stay in L1.
unsafe fn store_tile_row(n: usize, x: *const f64, source: *const usize, a: *mut f64, bi: usize) {
    let i0 = bi * TILE;
    let i1 = (i0 + TILE).min(n);
    let mut j0 = 0;
    while j0 < n {
        let j1 = (j0 + TILE).min(n);
        for i in i0..i1 {
            let row = a.add(i * n);
            for j in j0..j1 {
                *row.add(j) = *x.add(i + *source.add(j) * n);
            }
        }
        j0 += TILE;
    }
}

/// Cut point t of T for n columns, in whole NR slivers. uniform: equal parts. Otherwise the cost of
/// column c falls as (n - c)^2 (the solve L Y = I, Y lower triangular), and equal work puts cut t at
/// n (1 - (1 - t/T)^(1/3)).
fn column_cut(n: usize, t: usize, threads: usize, uniform: bool, nr: usize) -> usize {
    if t == 0 {
        return 0;
    }
    if t >= threads {
        return n;
    }
    let mut f = t as f64 / threads as f64;
    if !uniform {
        f = 1.0 - (1.0 - f).cbrt();
    }
    let c = (f * n as f64 / nr as f64 + 0.5) as usize * nr;
    c.min(n)
}

/// Hands out the indices 0..count one at a time to whichever thread asks (OpenMP's dynamic schedule).
struct Dynamic(AtomicUsize);

impl Dynamic {
    fn new() -> Dynamic {
        Dynamic(AtomicUsize::new(0))
    }

    fn next(&self, count: usize) -> Option<usize> {
        let index = self.0.fetch_add(1, Ordering::Relaxed);
        if index < count {
            Some(index)
        } else {
            None
        }
    }
}

/// What the team shares: the caller's matrix, the workspaces, the outcome. The threads write
/// disjoint parts between barriers (the phases above), through raw pointers.
struct Shared {
    n: usize,
    a: *mut f64,
    x: *mut f64,
    ipiv: *mut usize,
    perm: *mut usize,
    inv_l: *mut f64,
    inv_u: *mut f64,
    /// Every thread's packing buffers, `per_thread` bytes apart; thread t's are at t * per_thread.
    packing: *mut u8,
    per_thread: usize,
    pack_a_bytes: usize,
    threshold: f64,
    status: AtomicI32,
    transpose_tiles: Dynamic,
    swap_chunks: Dynamic,
    upper_blocks: Dynamic,
}

// SAFETY: the pointers are used by the team's threads on disjoint parts, ordered by the barriers.
unsafe impl Sync for Shared {}

/// Columns [begin, end) of `count` that thread `t` of a team of `size` takes (column_cut).
fn my_columns<K: Kernel>(count: usize, t: usize, size: usize, uniform: bool) -> (usize, usize) {
    (column_cut(count, t, size, uniform, K::NR), column_cut(count, t + 1, size, uniform, K::NR))
}

// The phases, with the names of the C# kernel (managed/Interop.Backends/Inversion/BlockedInverse.cs),
// each run by every thread of the team; `member` strings them together with the team's barriers.

/// 0. M = A: the row-major A read column-major is Aᵀ; the team takes the tile columns dynamically.
unsafe fn transpose(s: &Shared) {
    let tiles = (s.n + TILE - 1) / TILE;
    while let Some(bj) = s.transpose_tiles.next(tiles) {
        transpose_tile_column(s.n, s.a, bj);
    }
}

/// 1. P M = L U, blocked right-looking: thread 0 factors each panel, then every thread brings its
/// share of the trailing columns up to date. Ok(false) on a failed pivot (s.status), on every thread
/// alike; Ok(true) when L and U are complete, the later panels' swaps in L's columns included.
unsafe fn factor_lu<K: Kernel>(
    s: &Shared,
    t: usize,
    size: usize,
    team: &Team,
    pack: &mut Pack,
) -> Result<bool, Broken> {
    let (n, a, nb) = (s.n, s.a, K::NB);
    let mut k0 = 0;
    while k0 < n {
        let (kb, tl) = ((n - k0).min(nb), s.inv_l.add(k0 * nb));
        let rest = n - k0 - kb;
        if t == 0 {
            let status = panel_lu::<K>(n, a, k0, kb, s.ipiv, s.threshold, pack);
            if status != 0 {
                s.status.store(status, Ordering::Relaxed);
            } else {
                invert_unit_lower(n, at(a, n, k0, k0), kb, tl);
            }
        }
        team.wait()?;
        if s.status.load(Ordering::Relaxed) != 0 {
            return Ok(false);
        }
        // The panel's swaps in this thread's trailing columns, whose U12 and update it then computes
        // alone. (The columns of L left of the panel get them after the LU.)
        let (cb, ce) = my_columns::<K>(rest, t, size, true);
        let (cb, ce) = (cb + k0 + kb, ce + k0 + kb);
        swap_rows(n, a, s.ipiv, k0, k0 + kb, cb, ce);
        // U12 = inv(L11) A12, in place; then A22 -= L21 U12, the GEMM carrying most work.
        gemm::<K>(kb, ce - cb, kb, tl, kb, at(a, n, k0, cb), n, at(a, n, k0, cb), n, Mode::Set, Shape::Lower, pack);
        gemm::<K>(
            rest,
            ce - cb,
            kb,
            at(a, n, k0 + kb, k0),
            n,
            at(a, n, k0, cb),
            n,
            at(a, n, k0 + kb, cb),
            n,
            Mode::Update,
            Shape::Full,
            pack,
        );
        team.wait()?;
        k0 += nb;
    }

    // The later panels' swaps in the columns of L, deferred to here so that each column takes all of
    // its swaps at once while it sits in L1. The work falls along the columns: chunks of 8, dynamic.
    // No barrier after them: inv(U11) reads only the diagonal blocks, which these swaps (rows below
    // a column's block) do not touch.
    let chunks = (n + 7) / 8;
    while let Some(chunk) = s.swap_chunks.next(chunks) {
        for c in chunk * 8..(chunk * 8 + 8).min(n) {
            swap_rows(n, a, s.ipiv, ((c / nb + 1) * nb).min(n), n, c, c + 1);
        }
    }
    Ok(true)
}

/// inv(U11) of every diagonal block, for solve_upper, shared among the threads.
unsafe fn invert_upper_blocks<K: Kernel>(s: &Shared) {
    let (n, nb) = (s.n, K::NB);
    let blocks = (n + nb - 1) / nb;
    while let Some(b) = s.upper_blocks.next(blocks) {
        invert_upper(n, at(s.a, n, b * nb, b * nb), (n - b * nb).min(nb), s.inv_u.add(b * nb * nb));
    }
}

/// 2. Y = inv(L): L Y = I by blocks of rows, in this thread's columns of X. Y is unit lower
/// triangular, so row block k0 has nonzeros only in columns < k0 + kb: the GEMMs skip the zero
/// columns, and the cuts balance the work.
unsafe fn invert_lower<K: Kernel>(s: &Shared, t: usize, size: usize, pack: &mut Pack) {
    let (n, a, x, nb) = (s.n, s.a, s.x, K::NB);
    let (cb, ce) = my_columns::<K>(n, t, size, false);
    for c in cb..ce {
        std::ptr::write_bytes(at(x, n, 0, c), 0, n);
        *at(x, n, c, c) = 1.0;
    }
    let mut k0 = cb / nb * nb;
    while k0 < n && cb < ce {
        let kb = (n - k0).min(nb);
        let w = ce.min(k0 + kb) - cb;
        gemm::<K>(
            kb,
            w,
            kb,
            s.inv_l.add(k0 * nb),
            kb,
            at(x, n, k0, cb),
            n,
            at(x, n, k0, cb),
            n,
            Mode::Set,
            Shape::Lower,
            pack,
        );
        gemm::<K>(
            n - k0 - kb,
            w,
            kb,
            at(a, n, k0 + kb, k0),
            n,
            at(x, n, k0, cb),
            n,
            at(x, n, k0 + kb, cb),
            n,
            Mode::Update,
            Shape::Full,
            pack,
        );
        k0 += nb;
    }
}

/// 3. Z = inv(U) Y: U Z = Y, backward by blocks of rows, in this thread's columns of X; every column
/// costs the same.
unsafe fn solve_upper<K: Kernel>(s: &Shared, t: usize, size: usize, pack: &mut Pack) {
    let (n, a, x, nb) = (s.n, s.a, s.x, K::NB);
    let (cb, ce) = my_columns::<K>(n, t, size, true);
    let mut k0 = (n - 1) / nb * nb;
    loop {
        let kb = (n - k0).min(nb);
        gemm::<K>(
            kb,
            ce - cb,
            kb,
            s.inv_u.add(k0 * nb),
            kb,
            at(x, n, k0, cb),
            n,
            at(x, n, k0, cb),
            n,
            Mode::Set,
            Shape::Upper,
            pack,
        );
        gemm::<K>(
            k0,
            ce - cb,
            kb,
            at(a, n, 0, k0),
            n,
            at(x, n, k0, cb),
            n,
            at(x, n, 0, cb),
            n,
            Mode::Update,
            Shape::Full,
            pack,
        );
        if k0 == 0 {
            break;
        }
        k0 -= nb;
    }
}

/// 4. inv(M) = Z P replaces M, row-major. Row i of P is row perm[i] of the identity, so column c of
/// Z is column perm[c] of the inverse; column j of the inverse is column source[j] of Z (source =
/// perm's inverse, kept in ipiv, free now). Thread 0 computes source while the team waits (the
/// barrier also waits for every thread's columns of Z), then the team shares the tile rows.
unsafe fn permute(s: &Shared, t: usize, size: usize, team: &Team) -> Result<(), Broken> {
    let n = s.n;
    if t == 0 {
        let (ipiv, perm) = (s.ipiv, s.perm);
        for i in 0..n {
            *perm.add(i) = i;
        }
        for j in 0..n {
            std::ptr::swap(perm.add(j), perm.add(*ipiv.add(j)));
        }
        for c in 0..n {
            *ipiv.add(*perm.add(c)) = c;
        }
    }
    team.wait()?;
    let tiles = (n + TILE - 1) / TILE;
    let (first, last) = team::split(0, tiles as i64, size as i64, t as i64);
    for bi in first as usize..last as usize {
        store_tile_row(n, s.x, s.ipiv, s.a, bi);
    }
    Ok(())
}

/// One thread's part of the inversion: thread `t` of a team of `size`, the phases in turn.
unsafe fn member<K: Kernel>(s: &Shared, t: usize, size: usize, team: &Team) -> Result<(), Broken> {
    let mine = s.packing.add(t * s.per_thread);
    let mut pack = Pack::new(mine as *mut f64, mine.add(s.pack_a_bytes) as *mut f64);
    transpose(s);
    team.wait()?;
    if !factor_lu::<K>(s, t, size, team, &mut pack)? {
        return Ok(());
    }
    invert_upper_blocks::<K>(s);
    team.wait()?;
    invert_lower::<K>(s, t, size, &mut pack);
    team.wait()?;
    solve_upper::<K>(s, t, size, &mut pack);
    permute(s, t, size, team)
}

/// The kept workspace, or None; taken and given back under the lock only.
static KEPT_WORKSPACE: Mutex<Option<AlignedBuffer<u8>>> = Mutex::new(None);

fn kept_workspace() -> MutexGuard<'static, Option<AlignedBuffer<u8>>> {
    // Nothing panics while holding the lock; a poisoned lock still holds a buffer or None.
    KEPT_WORKSPACE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A workspace of at least `bytes`: the kept one if it is big enough, else a new one (None if there
/// is no memory). A kept one too small is freed first, outside the lock. Concurrent calls: one takes
/// the kept workspace, the others allocate their own.
fn workspace_take(bytes: usize) -> Option<AlignedBuffer<u8>> {
    let kept = kept_workspace().take();
    match kept {
        Some(w) if w.len() >= bytes => Some(w),
        stale => {
            drop(stale);
            alloc::workspace(bytes)
        }
    }
}

/// The largest workspace kept after a call (about n = 11500): the C kernel's KEEP_LIMIT_BYTES. Page
/// faults cost O(n^2) against the inversion's O(n^3), so above this order they are a few per cent at
/// most, while a kept workspace of that size in each of several kernels of one process would add up
/// to memory the user's matrix needs.
const KEEP_LIMIT_BYTES: usize = 1 << 30;

/// Keeps `w` for the next call (another call's workspace, given back meanwhile, is freed outside the
/// lock), unless it is larger than KEEP_LIMIT_BYTES.
fn workspace_give_back(w: AlignedBuffer<u8>) {
    if w.len() > KEEP_LIMIT_BYTES {
        return;
    }
    let stale = kept_workspace().replace(w);
    drop(stale);
}

/// Bytes rounded up to a cache line, None on overflow.
fn line_up(bytes: usize) -> Option<usize> {
    Some(bytes.checked_add(63)? / 64 * 64)
}

/// The workspace's layout: its pieces' sizes in bytes, each a whole number of cache lines.
struct Layout {
    x: usize,
    inverses: usize,
    index: usize,
    pack_a: usize,
    per_thread: usize,
    total: usize,
}

impl Layout {
    /// X (n x n), inv(L11) and inv(U11) of every diagonal block (NB x NB apart), the pivots, their
    /// permutation, and per thread a packed A and B. None if a size overflows.
    fn new<K: Kernel>(n: usize, threads: usize) -> Option<Layout> {
        let f64_bytes = std::mem::size_of::<f64>();
        let blocks = (n + K::NB - 1) / K::NB;
        let x = line_up(n.checked_mul(n)?.checked_mul(f64_bytes)?)?;
        let inverses = line_up(blocks * K::NB * K::NB * f64_bytes)?;
        let index = line_up(n.checked_mul(std::mem::size_of::<usize>())?)?;
        let (a_len, b_len) = Pack::lengths::<K>(n);
        let pack_a = a_len * f64_bytes;
        let per_thread = line_up(pack_a + b_len * f64_bytes)?;
        let total =
            x.checked_add(2 * inverses)?.checked_add(2 * index)?.checked_add(threads.checked_mul(per_thread)?)?;
        Some(Layout { x, inverses, index, pack_a, per_thread, total })
    }
}

fn invert_with<K: Kernel>(n: usize, a: *mut f64, threads: usize) -> i32 {
    let layout = match Layout::new::<K>(n, threads) {
        Some(layout) => layout,
        None => return NO_MEMORY,
    };
    // The workspace is kept from one call to the next: memory the process has not touched before
    // costs a page fault per 4 KiB page on its first write, and a fresh n x n X is new memory on
    // every call (the allocator maps a block that large afresh and unmaps it when freed). On the C
    // kernel (Zen 5 VM, n = 3400, 1 thread) that was 0.25-0.30 s of a 1.44 s inversion, and the
    // first GEMM passes over X ran 2.5x slower; see native/src/lu_inverse_c.c.
    let mut work = match workspace_take(layout.total) {
        Some(work) => work,
        None => return NO_MEMORY,
    };
    let base = work.as_mut_ptr();
    // SAFETY: the caller passes n*n doubles at a (interop_inv_rust's contract), used by nothing else.
    let matrix = unsafe { std::slice::from_raw_parts_mut(a, n * n) };
    let mut scales = vec![0.0; 2 * n];
    let (threshold, scaled) = equilibrate(matrix, n, &mut scales);
    // SAFETY: the pieces lie inside the workspace (layout.total bytes), each 64-byte aligned.
    let shared = unsafe {
        let inverses = base.add(layout.x);
        let indices = inverses.add(2 * layout.inverses);
        Shared {
            n,
            a,
            x: base as *mut f64,
            ipiv: indices as *mut usize,
            perm: indices.add(layout.index) as *mut usize,
            inv_l: inverses as *mut f64,
            inv_u: inverses.add(layout.inverses) as *mut f64,
            packing: indices.add(2 * layout.index),
            per_thread: layout.per_thread,
            pack_a_bytes: layout.pack_a,
            threshold,
            status: AtomicI32::new(0),
            transpose_tiles: Dynamic::new(),
            swap_chunks: Dynamic::new(),
            upper_blocks: Dynamic::new(),
        }
    };
    // SAFETY: every pointer in `shared` covers its extent; the phases write disjoint parts; the team
    // has at most `threads` threads, each with its own packing buffers.
    team::run(threads, |t, size, team| unsafe { member::<K>(&shared, t, size, team) });
    let status = shared.status.load(Ordering::Relaxed);
    workspace_give_back(work);
    if status == 0 && scaled {
        // SAFETY: as above; the team is done with a.
        unequilibrate(unsafe { std::slice::from_raw_parts_mut(a, n * n) }, n, &scales);
    }
    status
}

/// Inverts the row-major n x n matrix at `a` in place on `threads` threads (interop_inv_c's contract;
/// the arguments are checked by the caller).
///
/// # Safety
/// `a` points to n*n doubles that nothing else uses during the call.
pub unsafe fn invert(path: Path, n: usize, a: *mut f64, threads: usize) -> i32 {
    match path {
        Path::Scalar => invert_with::<Scalar>(n, a, threads),
        Path::Avx2 => invert_with::<Avx2>(n, a, threads),
        #[cfg(feature = "avx512")]
        Path::Avx512 => invert_with::<crate::gemm::Avx512>(n, a, threads),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gemm::Scalar;

    fn kept() -> Option<(usize, usize)> {
        kept_workspace().as_mut().map(|w| (w.as_mut_ptr() as usize, w.len()))
    }

    // One test: the other tests of this crate do not touch the kept workspace, so nothing races it.
    #[test]
    fn the_kept_workspace_is_reused_replaced_and_bounded() {
        let _ = kept_workspace().take();
        // Nothing kept: a new one, which the call keeps.
        let mut first = workspace_take(4096).unwrap();
        let first_at = first.as_mut_ptr() as usize;
        workspace_give_back(first);
        assert_eq!(kept(), Some((first_at, 4096)));
        // Big enough: the same memory, and nothing is kept while it is out.
        let mut again = workspace_take(1000).unwrap();
        assert_eq!(again.as_mut_ptr() as usize, first_at);
        assert_eq!(kept(), None);
        // A second call meanwhile allocates its own; the last given back is kept.
        let mut other = workspace_take(1000).unwrap();
        let other_at = other.as_mut_ptr() as usize;
        assert_ne!(other_at, first_at);
        workspace_give_back(again);
        workspace_give_back(other);
        assert_eq!(kept(), Some((other_at, 1024)));
        // Too small: replaced by a new one of the size asked.
        let larger = workspace_take(100_000).unwrap();
        assert!(larger.len() >= 100_000);
        assert_eq!(kept(), None);
        workspace_give_back(larger);
        assert!(kept().unwrap().1 >= 100_000);
        // Above the bound: freed when given back; the workspace kept meanwhile stays.
        let huge = workspace_take(KEEP_LIMIT_BYTES + 1).unwrap();
        assert!(huge.len() > KEEP_LIMIT_BYTES);
        assert_eq!(kept(), None, "the one kept before, too small, was freed");
        let mut small = workspace_take(2048).unwrap();
        let small_at = small.as_mut_ptr() as usize;
        workspace_give_back(small);
        workspace_give_back(huge);
        assert_eq!(kept(), Some((small_at, 2048)));
        // An inversion keeps what its layout needs.
        let n = 100;
        let mut a: Vec<f64> =
            (0..n * n).map(|k| if k % (n + 1) == 0 { 4.0 } else { 1.0 / (1 + k % 7) as f64 }).collect();
        assert_eq!(invert_with::<Scalar>(n, a.as_mut_ptr(), 3), 0);
        assert!(kept().unwrap().1 >= Layout::new::<Scalar>(n, 3).unwrap().total);
    }

    #[test]
    fn a_layout_that_overflows_is_none() {
        assert!(Layout::new::<Scalar>(1 << 32, 1).is_none());
        assert!(Layout::new::<Scalar>(100, usize::MAX / 2).is_none());
        let layout = Layout::new::<Scalar>(130, 2).unwrap();
        assert_eq!(layout.x, 130 * 130 * 8 + 32);
        assert_eq!(layout.inverses, 2 * 128 * 128 * 8);
        assert_eq!(layout.total, layout.x + 2 * layout.inverses + 2 * layout.index + 2 * layout.per_thread);
    }
}
