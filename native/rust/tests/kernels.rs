//! The library through its exports (as C calls them) and the inversion on every path this CPU has:
//! residuals, singular and non-finite inputs, argument checks, the ISA switch.

use interop_rust::isa::Path;
use interop_rust::status::{ISA_AUTO, ISA_AVX2, ISA_AVX512, ISA_SCALAR, NONFINITE, NO_MEMORY};
use interop_rust::{
    interop_inv_rust, interop_pi_count_rust, interop_rust_abi_version, interop_rust_isa_active,
    interop_rust_isa_select, interop_rust_isa_supported, interop_rust_last_error,
};

/// The spec's uniform double of counter k (written from the spec, not from the library).
fn unit(seed: u64, k: u64) -> f64 {
    let mut z = seed.wrapping_add((k + 1).wrapping_mul(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
    z ^= z >> 31;
    (z >> 11) as f64 * (1.0 / (1_u64 << 53) as f64)
}

/// The spec's matrix A = R∘Rᵀ, row-major.
fn spec_matrix(n: usize, seed: u64) -> Vec<f64> {
    let mut a = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            a[i * n + j] = unit(seed, (i * n + j) as u64) * unit(seed, (j * n + i) as u64);
        }
    }
    a
}

/// Unit diagonal, -1 above, zeros below but a last row of uniform numbers: partial pivoting of A has
/// no element growth, of Aᵀ 2^(n-1) (so a kernel that pivots the wrong matrix fails the residual).
fn growth_matrix(n: usize, seed: u64) -> Vec<f64> {
    let mut a = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            a[i * n + j] = if j > i {
                -1.0
            } else if j == i {
                1.0
            } else if i == n - 1 {
                unit(seed, j as u64)
            } else {
                0.0
            };
        }
    }
    a
}

fn norm1(n: usize, m: &[f64]) -> f64 {
    (0..n).map(|j| (0..n).map(|i| m[i * n + j].abs()).sum::<f64>()).fold(0.0, f64::max)
}

/// The spec's scaled residual ||I - A X||_1 / (n eps ||A||_1 ||X||_1); +Inf for NaN or Inf.
fn residual(n: usize, a: &[f64], x: &[f64]) -> f64 {
    if x.iter().any(|v| !v.is_finite()) {
        return f64::INFINITY;
    }
    let mut r = vec![0.0; n * n];
    for i in 0..n {
        for k in 0..n {
            let aik = a[i * n + k];
            for j in 0..n {
                r[i * n + j] -= aik * x[k * n + j];
            }
        }
        r[i * n + i] += 1.0;
    }
    norm1(n, &r) / (n as f64 * f64::EPSILON * norm1(n, a) * norm1(n, x))
}

fn invert(path: Path, a: &[f64], n: usize, threads: usize) -> (i32, Vec<f64>) {
    let mut x = a.to_vec();
    let status = unsafe { interop_rust::inverse::invert(path, n, x.as_mut_ptr(), threads) };
    (status, x)
}

#[test]
fn inverses_pass_the_residual_check_on_every_path_size_and_thread_count() {
    for path in Path::available() {
        for &n in &[1, 2, 3, 5, 7, 8, 17, 31, 64, 127, 128, 129, 200, 263] {
            let a = spec_matrix(n, 11 + n as u64);
            // 7 threads: more threads than columns for the small orders (empty shares).
            for threads in [1, 2, 3, 7] {
                let (status, x) = invert(path, &a, n, threads);
                assert_eq!(status, 0, "{:?} n {} threads {}", path, n, threads);
                let r = residual(n, &a, &x);
                assert!(r <= 30.0, "{:?} n {} threads {}: residual {}", path, n, threads, r);
            }
        }
    }
}

#[test]
fn the_pivoting_is_that_of_a_itself() {
    for path in Path::available() {
        for n in [60, 150] {
            let a = growth_matrix(n, 2024);
            let (status, x) = invert(path, &a, n, 2);
            assert_eq!(status, 0);
            assert!(residual(n, &a, &x) <= 30.0, "{:?} n {}", path, n);
        }
    }
}

#[test]
fn the_paths_and_thread_counts_agree_on_the_inverse() {
    let n = 300;
    let a = spec_matrix(n, 5);
    let (_, reference) = invert(Path::Scalar, &a, n, 1);
    for path in Path::available() {
        for threads in [1, 2, 4] {
            let (status, x) = invert(path, &a, n, threads);
            assert_eq!(status, 0);
            let scale = reference.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            let worst = x.iter().zip(&reference).fold(0.0_f64, |m, (p, q)| m.max((p - q).abs()));
            // A conditioned but not singular matrix: the orders of the sums differ, the answers barely.
            assert!(worst <= 1e-6 * scale, "{:?} {} threads: {} of {}", path, threads, worst, scale);
        }
    }
}

/// The cases of the kept-workspace tests: orders on both sides of the block size NB = 128, growing and
/// shrinking, on team sizes that change the number of packing buffers in the workspace.
const REUSE_CASES: [(usize, usize); 8] = [(150, 1), (300, 2), (20, 3), (129, 1), (300, 1), (64, 4), (257, 2), (7, 2)];

/// Every case's inverse on one path, each in a fresh buffer, in the order given.
fn inverses(path: Path, order: &[usize]) -> Vec<Vec<f64>> {
    order
        .iter()
        .map(|&case| {
            let (n, threads) = REUSE_CASES[case];
            let (status, x) = invert(path, &spec_matrix(n, 40 + n as u64), n, threads);
            assert_eq!(status, 0, "{:?} n {} threads {}", path, n, threads);
            x
        })
        .collect()
}

#[test]
fn a_kept_workspace_gives_the_same_inverse_whatever_the_calls_before() {
    // The library keeps the last call's workspace for the next: growing and shrinking orders and team
    // sizes, in two different orders, must give bit for bit the same inverses (the workspace's stale
    // contents of another order must never be read), each with a passing residual.
    let forward: Vec<usize> = (0..REUSE_CASES.len()).collect();
    let backward: Vec<usize> = forward.iter().rev().copied().collect();
    for path in Path::available() {
        let first = inverses(path, &forward);
        let mut second = inverses(path, &backward);
        second.reverse();
        for (case, (x, y)) in first.iter().zip(&second).enumerate() {
            let (n, threads) = REUSE_CASES[case];
            assert!(x == y, "{:?} n {} threads {}: the inverse depends on the calls before", path, n, threads);
            assert!(residual(n, &spec_matrix(n, 40 + n as u64), x) <= 30.0, "{:?} n {}", path, n);
        }
    }
}

#[test]
fn concurrent_calls_each_have_a_workspace_of_their_own() {
    // Four callers at once, each running the cases in its own order: one takes the kept workspace,
    // the others allocate their own; every inverse equals the one computed alone.
    for path in Path::available() {
        let alone = inverses(path, &(0..REUSE_CASES.len()).collect::<Vec<_>>());
        let together: Vec<Vec<Vec<f64>>> = std::thread::scope(|scope| {
            let callers: Vec<_> = (0..4)
                .map(|caller| {
                    scope.spawn(move || {
                        let order: Vec<usize> =
                            (0..REUSE_CASES.len()).map(|i| (i * 3 + caller) % REUSE_CASES.len()).collect();
                        let mut results = vec![Vec::new(); REUSE_CASES.len()];
                        for (x, &case) in inverses(path, &order).into_iter().zip(&order) {
                            results[case] = x;
                        }
                        results
                    })
                })
                .collect();
            callers.into_iter().map(|caller| caller.join().unwrap()).collect()
        });
        for (caller, results) in together.iter().enumerate() {
            for (case, x) in results.iter().enumerate() {
                let (n, threads) = REUSE_CASES[case];
                assert!(x == &alone[case], "{:?} caller {} n {} threads {}", path, caller, n, threads);
            }
        }
    }
}

#[test]
fn singular_inputs_name_the_failing_step() {
    let n = 9;
    for path in Path::available() {
        for threads in [1, 2] {
            let mut a = spec_matrix(n, 7);
            for i in 0..n {
                a[i * n + 4] = 0.0; // column 5
            }
            assert_eq!(invert(path, &a, n, threads).0, 5, "zero column 5");
            let mut a = spec_matrix(n, 7);
            for j in 0..n {
                a[4 * n + j] = 0.0; // row 5
            }
            let status = invert(path, &a, n, threads).0;
            assert!(status > 0 && status <= n as i32, "zero row: {}", status);
            assert_eq!(invert(path, &vec![0.0; n * n], n, threads).0, 1, "all zero");
            let mut a = spec_matrix(n, 7);
            for j in 0..n {
                a[2 * n + j] = a[6 * n + j];
            }
            let status = invert(path, &a, n, threads).0;
            assert!(status > 0 && status <= n as i32, "equal rows: {}", status);
            // Numerically singular: rank one, all pivots after the first at rounding level.
            let ones = vec![1.0; n * n];
            assert_eq!(invert(path, &ones, n, threads).0, 2, "rank one");
        }
    }
}

#[test]
fn nan_and_inf_are_non_finite_pivots() {
    for path in Path::available() {
        for n in [9, 200] {
            for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                for place in [0, 10, n * n / 2 + 3, n * n - 1] {
                    let mut a = spec_matrix(n, 7);
                    a[place] = bad;
                    let status = invert(path, &a, n, 2).0;
                    let step = status & !NONFINITE;
                    assert!(
                        status > 0 && status & NONFINITE != 0 && step >= 1 && step <= n as i32,
                        "{:?} {} at {} of {}: status {}",
                        path,
                        bad,
                        place,
                        n,
                        status
                    );
                }
            }
        }
        assert_eq!(invert(path, &vec![f64::NAN; 81], 9, 1).0, NONFINITE | 1, "all NaN");
        // The identity with a NaN on the diagonal: steps 1 and 2 pass, step 3 is not finite.
        let mut a = vec![0.0; 16];
        for i in 0..4 {
            a[i * 4 + i] = 1.0;
        }
        a[2 * 4 + 2] = f64::NAN;
        assert_eq!(invert(path, &a, 4, 1).0, NONFINITE | 3);
        // Aᵀ of the growth matrix overflows inside the factorization. The kernel factors A
        // equilibrated (every |b_ij| <= 1), so no scale of A overflows it: it takes an element growth
        // beyond 2^1024, the growth matrix's 2^(n-1) at n = 1060.
        let n = 1060;
        let g = growth_matrix(n, 2024);
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                a[j * n + i] = g[i * n + j];
            }
        }
        let status = invert(path, &a, n, 1).0;
        assert!(status > 0 && status & NONFINITE != 0, "overflow: {}", status);
    }
}

#[test]
fn the_exports_check_their_arguments() {
    unsafe {
        let mut one = 1.0;
        assert_eq!(interop_inv_rust(0, &mut one, 1), -1);
        assert_eq!(interop_inv_rust(1, std::ptr::null_mut(), 1), -2);
        assert_eq!(interop_inv_rust(1, &mut one, 0), -3);
        assert_eq!(interop_inv_rust(1, &mut one, 1), 0);
        assert_eq!(one, 1.0);
        let mut two = 4.0;
        assert_eq!(interop_inv_rust(1, &mut two, 3), 0);
        assert_eq!(two, 0.25);
        // n*n does not fit the address space: no workspace, never an abort (and `a` is not read).
        assert_eq!(interop_inv_rust(1 << 32, &mut one, 1), NO_MEMORY);
        assert_eq!(interop_inv_rust(3_000_000_000, &mut one, 1), NO_MEMORY);
        let mut inside = -1_i64;
        assert_eq!(interop_pi_count_rust(1, -1, 10, 1, &mut inside), -2);
        assert_eq!(interop_pi_count_rust(1, 10, 9, 1, &mut inside), -3);
        assert_eq!(interop_pi_count_rust(1, 0, 10, 0, &mut inside), -4);
        assert_eq!(interop_pi_count_rust(1, 0, 10, 1, std::ptr::null_mut()), -5);
        assert_eq!(inside, -1);
        assert_eq!(interop_pi_count_rust(42, 0, 1_000_000, 3, &mut inside), 0);
        assert_eq!(inside, 785_402);
        assert_eq!(interop_pi_count_rust(0, 0, 1000, 2, &mut inside), 0);
        assert_eq!(inside, 784);
        assert_eq!(interop_pi_count_rust(0, 5, 5, 4, &mut inside), 0);
        assert_eq!(inside, 0);
        // No panic happened on this thread: no message.
        assert_eq!(interop_rust_last_error(std::ptr::null_mut(), 0), 0);
    }
    assert_eq!(interop_rust_abi_version(), 1);
}

/// The paths this library should report here, derived from the CPU's features as the test sees them,
/// the `avx512` feature of this build and INTEROP_TEST_ISA_MAX (not from the library's own detection).
fn expected_paths() -> Vec<i32> {
    let cap = match std::env::var("INTEROP_TEST_ISA_MAX").unwrap_or_default().trim().to_ascii_lowercase().as_str() {
        "scalar" => ISA_SCALAR,
        "avx2" => ISA_AVX2,
        _ => ISA_AVX512,
    };
    let mut paths = vec![ISA_SCALAR];
    #[cfg(target_arch = "x86_64")]
    {
        let avx2 = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
        if avx2 && cap >= ISA_AVX2 {
            paths.push(ISA_AVX2);
        }
        let avx512 = is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512dq")
            && is_x86_feature_detected!("avx512bw")
            && is_x86_feature_detected!("avx512vl");
        if cfg!(feature = "avx512") && avx2 && avx512 && cap >= ISA_AVX512 {
            paths.push(ISA_AVX512);
        }
    }
    paths
}

#[test]
fn the_isa_switch_has_interop_isa_select_semantics() {
    let expected = expected_paths();
    assert_eq!(Path::available().iter().map(|p| p.isa()).collect::<Vec<_>>(), expected);
    assert_eq!(interop_rust_isa_supported(-1), -1);
    assert_eq!(interop_rust_isa_supported(4), -1);
    assert_eq!(interop_rust_isa_supported(ISA_AUTO), 1);
    for isa in [ISA_SCALAR, ISA_AVX2, ISA_AVX512] {
        assert_eq!(interop_rust_isa_supported(isa), i32::from(expected.contains(&isa)), "supported({})", isa);
    }
    let best = *expected.last().unwrap();
    assert_eq!(interop_rust_isa_active(), best, "auto takes the best path");
    assert_eq!(interop_rust_isa_select(9), -1);
    for isa in [ISA_AVX2, ISA_AVX512].iter().filter(|isa| !expected.contains(isa)) {
        assert_eq!(interop_rust_isa_select(*isa), 1);
        assert_eq!(interop_rust_isa_active(), best, "a refused path leaves the path in use");
    }
    for &isa in &expected {
        assert_eq!(interop_rust_isa_select(isa), 0);
        assert_eq!(interop_rust_isa_active(), isa);
        let mut inside = 0;
        assert_eq!(unsafe { interop_pi_count_rust(42, 0, 1_000_000, 2, &mut inside) }, 0);
        assert_eq!(inside, 785_402, "isa {}", isa);
    }
    assert_eq!(interop_rust_isa_select(ISA_AUTO), 0);
    assert_eq!(interop_rust_isa_active(), best);
}

/// INTEROP_TEST_ISA_MAX, read once per process: each value in a fresh process of this test program,
/// which runs the test above under it (an unknown value caps nothing).
#[test]
fn the_test_isa_cap_holds_in_a_fresh_process() {
    let program = std::env::current_exe().unwrap();
    for value in ["scalar", "avx2", "avx512", "", "sse9"] {
        let output = std::process::Command::new(&program)
            .args(["--exact", "the_isa_switch_has_interop_isa_select_semantics", "--test-threads", "1"])
            .env("INTEROP_TEST_ISA_MAX", value)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && text.contains("1 passed"),
            "INTEROP_TEST_ISA_MAX={}: {}{}",
            value,
            text,
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// The spec judges numerical singularity on the equilibrated matrix (issue 20, class 4): a badly
/// scaled regular matrix is inverted, exactly for a diagonal; a well-conditioned one scaled by 1e±k
/// passes the check; a numerically singular one is refused at its step at any scale.
#[test]
fn singularity_is_judged_on_the_equilibrated_matrix() {
    let diagonal = |d: &[f64]| {
        let n = d.len();
        let mut a = vec![0.0; n * n];
        for (i, v) in d.iter().enumerate() {
            a[i * n + i] = *v;
        }
        a
    };
    for path in Path::available() {
        let d = [1e300, 1e-300, 1.0, 2.0, 3e200, 7e-150];
        let (status, x) = invert(path, &diagonal(&d), d.len(), 2);
        assert_eq!(status, 0, "{:?}: diag(1e300, 1e-300, ...)", path);
        let inverse: Vec<f64> = d.iter().map(|v| 1.0 / v).collect();
        assert_eq!(x, diagonal(&inverse), "{:?}: the inverse of a diagonal is exact", path);

        let n = 50;
        let mut well = spec_matrix(n, 20);
        for i in 0..n {
            well[i * n + i] += n as f64;
        }
        for k in [-300, -100, -4, 4, 100, 300] {
            let a: Vec<f64> = well.iter().map(|v| v * 10f64.powi(k)).collect();
            let (status, x) = invert(path, &a, n, 2);
            assert_eq!(status, 0, "{:?} x1e{}", path, k);
            let r = residual(n, &a, &x);
            assert!(r <= 30.0, "{:?} x1e{}: residual {}", path, k, r);
        }

        // [[1, 1], [1, 1 + 2^-52]] behind a 1e300 and beside a 1: the pivot of step 3 is 2^-52 of
        // the equilibrated matrix, at rounding level, at any scale.
        for scale in [1.0, 1e-200, 1e200] {
            let mut a = vec![0.0; 16];
            a[0] = 1e300;
            a[5] = scale;
            a[6] = scale;
            a[9] = scale;
            a[10] = scale * (1.0 + f64::EPSILON);
            a[15] = scale;
            assert_eq!(invert(path, &a, 4, 2).0, 3, "{:?}: numerically singular x{}", path, scale);
        }
    }
}
