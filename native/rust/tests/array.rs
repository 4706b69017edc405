//! The array workload (interop_array_rust, native/include/interop_array.h) on every path this CPU has
//! against this file's own plain loops of docs/workload-spec.md ("The chunked-array example"): y bit
//! for bit, generated and in memory, whole and in bands of rows with the transposed columns apart (as
//! an MPI rank holds them, with padded leading dimensions), at several chunks and 1..3 threads; the
//! tiles' column sums; the generation; the checksum and sum; the argument statuses in order; a panic
//! turned into INTERNAL with its message. Small orders: the CTest program test_array_kernels runs the
//! larger ones through the C ABI.

use interop_rust::array::{self, COLUMN_SUMS, GENERATE, TILE_ROWS, Y};
use interop_rust::isa::Path;
use interop_rust::status::INTERNAL;
use interop_rust::{interop_rust_isa_active, interop_rust_last_error};
use std::ptr::{null, null_mut};

const SEED: u64 = 42;

/// The spec's x[i][j] (written from the spec, not from the library).
fn spec_x(n: usize, i: usize, j: usize) -> f64 {
    let k = (i * n + j) as u64;
    let mut z = SEED.wrapping_add((k + 1).wrapping_mul(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
    z ^= z >> 31;
    (z >> 11) as f64 / 9_007_199_254_740_992.0
}

/// The spec's plain loops: x, the tiles' column sums, m, y, y's checksum and sum(x).
struct Reference {
    n: usize,
    x: Vec<f64>,
    tiles: Vec<f64>,
    m: Vec<f64>,
    y: Vec<f64>,
    checksum: u64,
    sum_x: f64,
}

fn reference(n: usize) -> Reference {
    let rows = TILE_ROWS as usize;
    let tiles = (n + rows - 1) / rows;
    let mut x = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            x[i * n + j] = spec_x(n, i, j);
        }
    }
    let (mut sums, mut m, mut sum_x) = (vec![0.0; tiles * n], vec![0.0; n], 0.0);
    for j in 0..n {
        let mut total = 0.0;
        for t in 0..tiles {
            let mut s = 0.0;
            for i in t * rows..n.min((t + 1) * rows) {
                s += x[i * n + j];
            }
            sums[t * n + j] = s;
            total += s;
        }
        sum_x += total;
        m[j] = total / n as f64;
    }
    let (mut y, mut checksum) = (vec![0.0; n * n], 0_u64);
    for i in 0..n {
        for j in 0..n {
            y[i * n + j] = (x[i * n + j] + x[j * n + i]) - m[j];
            checksum = checksum.wrapping_add(y[i * n + j].to_bits());
        }
    }
    Reference { n, x, tiles: sums, m, y, checksum, sum_x }
}

/// The first element whose bits differ, as (index, got, expected).
fn first_difference(got: &[f64], expected: &[f64]) -> Option<(usize, f64, f64)> {
    got.iter().zip(expected).enumerate().find(|(_, (g, e))| g.to_bits() != e.to_bits()).map(|(k, (g, e))| (k, *g, *e))
}

/// sum(y) against sum(x): equal in exact arithmetic, n^2 terms of size < 2 apart.
fn sum_close(sum: f64, sum_x: f64, n: usize) -> bool {
    (sum - sum_x).abs() <= 1e-13 * (n * n) as f64 + 1e-12
}

/// The y pass on a path: (status, sum, checksum).
#[allow(clippy::too_many_arguments)]
fn y_pass(
    path: Path,
    r: &Reference,
    chunk: usize,
    rows: (usize, usize),
    x: Option<(&[f64], usize, &[f64], usize)>,
    out: Option<(&mut [f64], usize)>,
    threads: i32,
) -> (i32, f64, u64) {
    let (mut sum, mut checksum) = (f64::NAN, 0x5555_u64);
    let (xp, ldx, xtp, ldxt) = match x {
        Some((x, ldx, xt, ldxt)) => (x.as_ptr(), ldx as i64, xt.as_ptr(), ldxt as i64),
        None => (null(), r.n as i64, null(), r.n as i64),
    };
    let (outp, ldout) = match out {
        Some((y, ldy)) => (y.as_mut_ptr(), ldy as i64),
        None => (null_mut(), r.n as i64),
    };
    let status = unsafe {
        array::run(
            path,
            Y,
            r.n as i64,
            chunk as i64,
            SEED,
            rows.0 as i64,
            rows.1 as i64,
            xp,
            ldx,
            xtp,
            ldxt,
            r.m.as_ptr(),
            outp,
            ldout,
            &mut sum,
            &mut checksum,
            threads,
        )
    };
    (status, sum, checksum)
}

/// The chunks each order is tried at: 1 (a block per element) only where that stays quick.
fn chunks(n: usize) -> Vec<usize> {
    let mut c: Vec<usize> = [1, 7, 32, 100, n].iter().copied().filter(|&c| c <= n && (c > 1 || n <= 33)).collect();
    c.dedup();
    c
}

const ORDERS: [usize; 5] = [1, 7, 33, 64, 300];

#[test]
fn y_whole_is_the_specs_bit_for_bit_on_every_path_chunk_and_thread_count() {
    for n in ORDERS {
        let r = reference(n);
        for path in Path::available() {
            for chunk in chunks(n) {
                for threads in 1..=3 {
                    for in_memory in [false, true] {
                        let what = format!(
                            "{:?} n {} chunk {} threads {} {}",
                            path,
                            n,
                            chunk,
                            threads,
                            if in_memory { "in memory" } else { "generated" }
                        );
                        // x and xt the same array: the paired blocks, as generated x takes them.
                        let x = if in_memory { Some((&r.x[..], n, &r.x[..], n)) } else { None };
                        // y 32-byte aligned (rows of n % 4 == 0 streamed on the vector paths) and one
                        // element past that (every row stored plainly).
                        let mut store = vec![f64::NAN; n * n + 5];
                        let aligned = (32 - store.as_ptr() as usize % 32) % 32 / 8;
                        for shift in [0, 1] {
                            store.fill(f64::NAN);
                            let y = &mut store[aligned + shift..aligned + shift + n * n];
                            let (status, sum, checksum) = y_pass(path, &r, chunk, (0, n), x, Some((y, n)), threads);
                            assert_eq!(status, 0, "{}", what);
                            if let Some((k, got, want)) = first_difference(y, &r.y) {
                                panic!(
                                    "{} shift {}: y[{}][{}] = {:e}, the spec's {:e}",
                                    what,
                                    shift,
                                    k / n,
                                    k % n,
                                    got,
                                    want
                                );
                            }
                            assert_eq!(checksum, r.checksum, "{} shift {}: checksum", what, shift);
                            assert!(sum_close(sum, r.sum_x, n), "{}: sum {} against sum(x) {}", what, sum, r.sum_x);
                        }
                        // Not kept: the same checksum.
                        let (status, _, bare) = y_pass(path, &r, chunk, (0, n), x, None, threads);
                        assert_eq!((status, bare), (0, r.checksum), "{}: y not kept", what);
                    }
                }
            }
        }
    }
}

#[test]
fn y_in_bands_with_the_transposed_columns_apart_is_the_specs() {
    for n in ORDERS {
        let r = reference(n);
        for path in Path::available() {
            for chunk in chunks(n) {
                let bands = 3.min(n);
                let mut total = 0_u64;
                for b in 0..bands {
                    // interop_split's bands: the remainder one row each over the first.
                    let (q, rem) = (n / bands, n % bands);
                    let begin = b * q + b.min(rem);
                    let end = begin + q + usize::from(b < rem);
                    let rows = end - begin;
                    // Padded leading dimensions: x's rows by n + 3, xt's columns by rows + 2, y's by n + 1.
                    let (ldx, ldxt, ldy) = (n + 3, rows + 2, n + 1);
                    let mut x = vec![f64::NAN; rows * ldx];
                    let mut xt = vec![f64::NAN; n * ldxt];
                    for i in begin..end {
                        for j in 0..n {
                            x[(i - begin) * ldx + j] = r.x[i * n + j];
                            xt[j * ldxt + (i - begin)] = r.x[j * n + i];
                        }
                    }
                    for in_memory in [false, true] {
                        let what = format!(
                            "{:?} n {} chunk {} band [{}, {}) {}",
                            path,
                            n,
                            chunk,
                            begin,
                            end,
                            if in_memory { "in memory" } else { "generated" }
                        );
                        let source = if in_memory { Some((&x[..], ldx, &xt[..], ldxt)) } else { None };
                        let mut y = vec![f64::NAN; rows * ldy];
                        let (status, _, checksum) =
                            y_pass(path, &r, chunk, (begin, end), source, Some((&mut y, ldy)), 2);
                        assert_eq!(status, 0, "{}", what);
                        for i in begin..end {
                            let got = &y[(i - begin) * ldy..(i - begin) * ldy + n];
                            if let Some((j, g, e)) = first_difference(got, &r.y[i * n..(i + 1) * n]) {
                                panic!("{}: y[{}][{}] = {:e}, the spec's {:e}", what, i, j, g, e);
                            }
                            assert!(y[(i - begin) * ldy + n].is_nan(), "{}: the padding of row {} written", what, i);
                        }
                        if in_memory {
                            total = total.wrapping_add(checksum);
                        }
                    }
                }
                assert_eq!(total, r.checksum, "{:?} n {} chunk {}: the bands' checksums", path, n, chunk);
            }
        }
    }
}

#[test]
fn the_column_sums_and_the_generation_are_the_specs() {
    for n in [1, 7, 255, 256, 300, 513] {
        let r = reference(n);
        let rows = TILE_ROWS as usize;
        let tiles = (n + rows - 1) / rows;
        for path in Path::available() {
            for first_tile in (0..tiles).step_by((tiles - 1).max(1)) {
                let begin = first_tile * rows;
                for in_memory in [false, true] {
                    let mut sums = vec![f64::NAN; tiles * n];
                    let x = if in_memory { r.x[begin * n..].as_ptr() } else { null() };
                    let status = unsafe {
                        array::run(
                            path,
                            COLUMN_SUMS,
                            n as i64,
                            1,
                            SEED,
                            begin as i64,
                            n as i64,
                            x,
                            n as i64,
                            null(),
                            0,
                            null(),
                            sums.as_mut_ptr(),
                            n as i64,
                            null_mut(),
                            null_mut(),
                            2,
                        )
                    };
                    let what = format!("{:?} n {} from tile {} in memory {}", path, n, first_tile, in_memory);
                    assert_eq!(status, 0, "{}", what);
                    let count = (tiles - first_tile) * n;
                    if let Some((k, g, e)) = first_difference(&sums[..count], &r.tiles[first_tile * n..]) {
                        panic!("{}: tile {} column {} = {:e}, the spec's {:e}", what, first_tile + k / n, k % n, g, e);
                    }
                }
            }
            // Rows [n/3, n) generated in blocks of 5 rows into a padded array.
            let (begin, ld) = (n / 3, n + 2);
            let mut x = vec![f64::NAN; (n - begin) * ld];
            let status = unsafe {
                array::run(
                    path,
                    GENERATE,
                    n as i64,
                    n.min(5) as i64,
                    SEED,
                    begin as i64,
                    n as i64,
                    null(),
                    n as i64,
                    null(),
                    0,
                    null(),
                    x.as_mut_ptr(),
                    ld as i64,
                    null_mut(),
                    null_mut(),
                    3,
                )
            };
            assert_eq!(status, 0);
            for i in begin..n {
                let got = &x[(i - begin) * ld..(i - begin) * ld + n];
                assert!(first_difference(got, &r.x[i * n..(i + 1) * n]).is_none(), "{:?} n {}: row {}", path, n, i);
            }
        }
    }
}

/// The export on the active path, as C calls it.
#[allow(clippy::too_many_arguments)]
fn export(
    pass: i32,
    n: i64,
    chunk: i64,
    rows: (i64, i64),
    x: (*const f64, i64),
    xt: (*const f64, i64),
    m: *const f64,
    out: (*mut f64, i64),
    sum: *mut f64,
    checksum: *mut u64,
    threads: i32,
) -> i32 {
    unsafe {
        array::interop_array_rust(
            pass, n, chunk, SEED, rows.0, rows.1, x.0, x.1, xt.0, xt.1, m, out.0, out.1, sum, checksum, threads,
        )
    }
}

#[test]
fn the_export_checks_its_arguments_in_the_headers_order() {
    let (mut out, m, x) = ([0.0; 64], [0.0; 8], [0.0; 64]);
    let (mut sum, mut checksum) = (0.0, 0_u64);
    let (o, s, c) = (out.as_mut_ptr(), &mut sum as *mut f64, &mut checksum as *mut u64);
    let (xp, mp) = (x.as_ptr(), m.as_ptr());
    let none = (null(), 8);
    // Each call breaks one rule (and only the ones the header checks after it).
    let cases: [(i32, i32, &str); 17] = [
        (export(7, 8, 2, (0, 8), none, none, mp, (o, 8), s, c, 1), -1, "pass 7"),
        (export(Y, 0, 1, (0, 0), none, none, mp, (o, 8), s, c, 1), -2, "n 0"),
        (export(Y, 8, 0, (0, 8), none, none, mp, (o, 8), s, c, 1), -3, "chunk 0"),
        (export(Y, 8, 9, (0, 8), none, none, mp, (o, 8), s, c, 1), -3, "chunk past n"),
        (export(Y, 8, 2, (5, 4), none, none, mp, (o, 8), s, c, 1), -4, "rows backwards"),
        (export(Y, 8, 2, (0, 9), none, none, mp, (o, 8), s, c, 1), -4, "rows past n"),
        (
            export(
                COLUMN_SUMS,
                600,
                2,
                (100, 600),
                (null(), 600),
                (null(), 0),
                null(),
                (o, 600),
                null_mut(),
                null_mut(),
                1,
            ),
            -4,
            "column sums off a tile boundary",
        ),
        (export(Y, 8, 2, (0, 8), (xp, 7), (xp, 8), mp, (o, 8), s, c, 1), -5, "ldx 7"),
        (export(Y, 8, 2, (0, 8), (xp, 8), (xp, 7), mp, (o, 8), s, c, 1), -5, "ldxt 7"),
        (export(Y, 8, 2, (0, 8), none, none, mp, (o, 7), s, c, 1), -5, "ldout 7"),
        (export(Y, 8, 2, (0, 8), (xp, 8), (null(), 8), mp, (o, 8), s, c, 1), -6, "x without xt"),
        (export(Y, 8, 2, (0, 8), none, none, null(), (o, 8), s, c, 1), -6, "no means"),
        (export(Y, 8, 2, (0, 8), none, none, mp, (o, 8), null_mut(), c, 1), -6, "no sum"),
        (export(Y, 8, 2, (0, 8), none, none, mp, (o, 8), s, null_mut(), 1), -6, "no checksum"),
        (
            export(COLUMN_SUMS, 8, 2, (0, 8), none, (null(), 0), null(), (null_mut(), 8), null_mut(), null_mut(), 1),
            -6,
            "column sums without out",
        ),
        (
            export(GENERATE, 8, 2, (0, 8), (xp, 8), (null(), 0), null(), (o, 8), null_mut(), null_mut(), 1),
            -6,
            "generation given x",
        ),
        (export(Y, 8, 2, (0, 8), none, none, mp, (o, 8), s, c, 0), -7, "threads 0"),
    ];
    for (status, expected, what) in cases {
        assert_eq!(status, expected, "{}", what);
    }
    // The unused leading dimensions are not checked: y not kept with ldout 0, generated x with ldx 0.
    assert_eq!(export(Y, 8, 2, (0, 8), (null(), 0), (null(), 0), mp, (null_mut(), 0), s, c, 2), 0);
    // No rows: nothing computed, sum and checksum 0.
    sum = 1.0;
    checksum = 1;
    assert_eq!(export(Y, 8, 2, (4, 4), none, none, mp, (null_mut(), 8), &mut sum, &mut checksum, 3), 0);
    assert_eq!((sum, checksum), (0.0, 0));
}

#[test]
fn the_export_runs_the_active_path_and_a_panic_becomes_internal_with_its_message() {
    let n = 40;
    let r = reference(n);
    let (mut sum, mut checksum) = (0.0, 0_u64);
    let mut y = vec![0.0; n * n];
    let none = (null(), n as i64);
    let status = export(
        Y,
        n as i64,
        9,
        (0, n as i64),
        none,
        none,
        r.m.as_ptr(),
        (y.as_mut_ptr(), n as i64),
        &mut sum,
        &mut checksum,
        2,
    );
    assert_eq!(status, 0, "on path {}", interop_rust_isa_active());
    assert!(first_difference(&y, &r.y).is_none() && checksum == r.checksum);
    // A grid of i64::MAX^2 / 2 blocks cannot be counted: the kernel panics, the boundary reports it.
    let status = export(
        Y,
        i64::MAX,
        1,
        (0, i64::MAX),
        none,
        none,
        r.m.as_ptr(),
        (null_mut(), i64::MAX),
        &mut sum,
        &mut checksum,
        2,
    );
    assert_eq!(status, INTERNAL);
    let mut buffer = [0 as std::os::raw::c_char; 128];
    let length = unsafe { interop_rust_last_error(buffer.as_mut_ptr(), buffer.len() as i32) };
    let text = unsafe { std::ffi::CStr::from_ptr(buffer.as_ptr()) }.to_string_lossy().into_owned();
    assert!(length > 0 && text.starts_with("panic: more blocks than an int64_t counts"), "{:?}", text);
}
