//! NPB EP (interop_ep_rust) against NPB's published values for class S on every path this CPU has and
//! 1..3 threads, the generator against hand-computed values, and the export's argument checks.
//! Class A's throughput: `cargo test --release --test ep -- --ignored --nocapture`.

use interop_rust::ep::{self, batch_start, multiply, power, randlc, BATCH_PAIRS, MULTIPLIER, SEED};
use interop_rust::isa::Path;
use std::time::Instant;

/// Class S: 2^24 pairs, 256 batches.
const CLASS_S_BATCHES: i64 = 256;
/// NPB 3.3's signed sums Σt3, Σt4 of class S.
const NPB33_S: [f64; 2] = [-3.247834652034740e+3, -6.958407078382297e+3];
/// NPB 3.4.2's sums of absolute values Σ|t3|, Σ|t4| and accepted pairs of class S.
const NPB342_S: [f64; 2] = [1.051299420395306e+07, 1.051517131857535e+07];
const NPB342_S_PAIRS: i64 = 13_176_389;

/// The four totals of the per-batch sums, added in batch order (as the driver adds them).
fn totals(sums: &[f64]) -> [f64; 4] {
    let mut t = [0.0; 4];
    for batch in sums.chunks_exact(4) {
        for (total, s) in t.iter_mut().zip(batch) {
            *total += s;
        }
    }
    t
}

fn within(value: f64, reference: f64) -> bool {
    ((value - reference) / reference).abs() <= 1e-8
}

/// The first pair of batches [0, batches) whose annulus libm's log and the vector paths' log (ep::log_model,
/// bit for bit what they compute) put on different sides of a boundary: what makes q differ by path.
fn pair_across_a_boundary(batches: i64) -> String {
    for k in 0..batches as u64 {
        let mut x = batch_start(k);
        for i in 0..BATCH_PAIRS {
            let x1 = 2.0 * randlc(&mut x, MULTIPLIER) - 1.0;
            let x2 = 2.0 * randlc(&mut x, MULTIPLIER) - 1.0;
            let t1 = x1 * x1 + x2 * x2;
            if t1 <= 1.0 {
                let annulus = |log: f64| {
                    let t2 = (-2.0 * log / t1).sqrt();
                    (x1 * t2).abs().max((x2 * t2).abs()) as i64
                };
                let (libm, vector) = (annulus(t1.ln()), annulus(ep::log_model(t1)));
                if libm != vector {
                    return format!(
                        "batch {} pair {} (t1 = {:e}): annulus {} with libm's log, {} with the vector log",
                        k, i, t1, libm, vector
                    );
                }
            }
        }
    }
    "no pair's annulus depends on the log (a kernel miscounts)".to_string()
}

#[test]
fn class_s_matches_npb_on_every_path_and_thread_count() {
    let mut first_counts: Option<(Path, [i64; 11])> = None;
    for path in Path::available() {
        let mut one_thread: Option<Vec<f64>> = None;
        for threads in 1..=3 {
            let mut sums = vec![f64::NAN; 4 * CLASS_S_BATCHES as usize];
            let counts = ep::run(path, 0, CLASS_S_BATCHES, threads, &mut sums);
            let what = format!("{:?}, {} threads", path, threads);
            let t = totals(&sums);
            assert!(within(t[0], NPB33_S[0]) && within(t[1], NPB33_S[1]), "{}: NPB 3.3 sums {:?}", what, &t[..2]);
            assert!(within(t[2], NPB342_S[0]) && within(t[3], NPB342_S[1]), "{}: NPB 3.4.2 sums {:?}", what, &t[2..]);
            assert_eq!(counts[10], 0, "{}: no deviate past annulus 9", what);
            assert_eq!(counts[..10].iter().sum::<i64>(), NPB342_S_PAIRS, "{}: accepted pairs", what);
            match &first_counts {
                None => first_counts = Some((path, counts)),
                Some((first_path, expected)) => {
                    assert!(
                        &counts == expected,
                        "{}: q0..q9 {:?} differ from {:?}'s {:?}; {}",
                        what,
                        counts,
                        first_path,
                        expected,
                        pair_across_a_boundary(CLASS_S_BATCHES)
                    )
                }
            }
            match &one_thread {
                None => one_thread = Some(sums),
                Some(expected) => {
                    for (j, (got, want)) in sums.chunks_exact(4).zip(expected.chunks_exact(4)).enumerate() {
                        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                        assert_eq!(bits(got), bits(want), "{}: batch {} differs from 1 thread's", what, j);
                    }
                }
            }
        }
    }
}

#[test]
fn no_class_s_pair_changes_annulus_with_the_vector_log() {
    // Stronger than equal q on every path: not even two moves that cancel out.
    assert!(
        pair_across_a_boundary(CLASS_S_BATCHES).starts_with("no pair"),
        "{}",
        pair_across_a_boundary(CLASS_S_BATCHES)
    );
}

#[test]
fn the_export_runs_class_s_on_the_active_path_and_a_part_of_it_alone() {
    let mut sums = vec![0.0; 4 * CLASS_S_BATCHES as usize];
    let mut counts = [-1_i64; 10];
    let status = unsafe { ep::interop_ep_rust(0, CLASS_S_BATCHES, 2, sums.as_mut_ptr(), counts.as_mut_ptr()) };
    assert_eq!(status, 0);
    assert_eq!(counts.iter().sum::<i64>(), NPB342_S_PAIRS);
    let t = totals(&sums);
    assert!(within(t[0], NPB33_S[0]) && within(t[1], NPB33_S[1]), "{:?}", t);
    // Batches 100..107 on their own (as one MPI rank would run them): the same sums, bit for bit.
    let mut part = vec![0.0; 4 * 7];
    let mut part_counts = [0_i64; 10];
    assert_eq!(unsafe { ep::interop_ep_rust(100, 7, 3, part.as_mut_ptr(), part_counts.as_mut_ptr()) }, 0);
    assert_eq!(
        part.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        sums[400..428].iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
}

#[test]
fn the_export_checks_its_arguments_in_order() {
    let mut sums = [0.0; 8];
    let mut counts = [7_i64; 10];
    let (s, c) = (sums.as_mut_ptr(), counts.as_mut_ptr());
    let null_sums = std::ptr::null_mut();
    let null_counts = std::ptr::null_mut();
    unsafe {
        assert_eq!(ep::interop_ep_rust(-1, -1, 0, null_sums, null_counts), -1);
        assert_eq!(ep::interop_ep_rust(0, -1, 0, null_sums, null_counts), -2);
        assert_eq!(ep::interop_ep_rust(0, 1, 0, null_sums, null_counts), -3);
        assert_eq!(ep::interop_ep_rust(0, 1, 1, null_sums, null_counts), -4);
        assert_eq!(ep::interop_ep_rust(0, 1, 1, s, null_counts), -5);
        assert_eq!(ep::interop_ep_rust((1 << 27) - 1, 2, 1, s, c), -6);
        assert_eq!(ep::interop_ep_rust(1 << 27, 0, 1, s, c), 0, "no batch past the period: nothing to do");
        assert_eq!(ep::interop_ep_rust(i64::MAX, 1, 1, s, c), -6, "no overflow in the check");
        assert_eq!(counts, [0; 10], "no batches: the counts are overwritten with zeros");
        // The last batch of the period runs.
        assert_eq!(ep::interop_ep_rust((1 << 27) - 1, 1, 2, s, c), 0);
    }
    // About pi/4 of the batch's 2^16 pairs are accepted (5 standard deviations: 525).
    let pairs = counts.iter().sum::<i64>();
    assert!((pairs - 51_472).abs() < 525, "{} pairs accepted", pairs);
    assert!(sums[..4].iter().all(|v| v.is_finite()) && sums[2] > 0.0 && sums[3] > 0.0);
}

#[test]
fn randlc_gives_the_hand_computed_states() {
    // a S, a^2 S, a^3 S mod 2^46, computed by hand (big integers) from a = 5^13, S = 271828183.
    let mut x = SEED;
    let expected = [32_883_653_486_115_u64, 55_063_727_434_591, 39_106_144_873_291];
    for &state in &expected {
        let r = randlc(&mut x, MULTIPLIER);
        assert_eq!(x, state);
        assert_eq!(r, state as f64 / 70_368_744_177_664.0, "r = x 2^-46 exactly");
        assert_eq!(ep::uniform(state), 2.0 * r - 1.0, "the kernels' 2r - 1 is NPB's");
    }
    assert_eq!(MULTIPLIER, 5_u64.pow(13));
    // A = a^(2^17) mod 2^46 and the starts of batches 1 and 255, by hand as well.
    assert_eq!(power(MULTIPLIER, 1 << 17), 62_362_532_446_209);
    assert_eq!(batch_start(1), 7_493_776_032_983);
    assert_eq!(batch_start(255), 58_991_384_970_455);
}

#[test]
fn the_jump_ahead_equals_stepping_the_generator() {
    let mut x = SEED;
    for k in 0..4_u64 {
        assert_eq!(batch_start(k), x, "batch {}", k);
        for _ in 0..2 * BATCH_PAIRS {
            randlc(&mut x, MULTIPLIER);
        }
    }
    let mut stepped = 1_u64;
    for e in 0..300_u64 {
        assert_eq!(power(MULTIPLIER, e), stepped, "a^{}", e);
        stepped = multiply(stepped, MULTIPLIER);
    }
}

#[test]
#[ignore]
fn class_a_throughput() {
    // Class A: 2^28 pairs, 2^(M+1) randoms counted as NPB counts its operations.
    const BATCHES: i64 = 1 << 12;
    let operations = 2f64.powi(29);
    let mut sums = vec![0.0; 4 * BATCHES as usize];
    for path in Path::available() {
        for threads in 1..=2 {
            let started = Instant::now();
            let counts = ep::run(path, 0, BATCHES, threads, &mut sums);
            let seconds = started.elapsed().as_secs_f64();
            let t = totals(&sums);
            println!(
                "rust {:?} {} thread(s): {:.3} s, {:.1} Mop/s; sums {:.15e} {:.15e} {:.15e} {:.15e}, pairs {}",
                path,
                threads,
                seconds,
                operations / seconds / 1e6,
                t[0],
                t[1],
                t[2],
                t[3],
                counts[..10].iter().sum::<i64>()
            );
        }
    }
}
