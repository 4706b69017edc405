//! Threads: `threads` threads exactly, the caller being thread 0 and the others scoped threads
//! (std::thread::scope), as an OpenMP team: a contiguous split of a range, and a barrier.
//!
//! A thread the system refuses to start makes the team smaller (like OpenMP's team under a thread
//! limit): the work is split by the team size actually running, so nothing is dropped. A panic on
//! any thread breaks the barrier, so that the others stop instead of waiting for it forever, and is
//! re-raised on the calling thread with its own payload (for the boundary's catch_unwind).

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread;

/// Part `index` of `parts` of [begin, end): every element exactly once, the remainder spread one each
/// over the first parts (native/common/splitmix.h's interop_split, the managed RangeSplitter's rule).
pub fn split(begin: i64, end: i64, parts: i64, index: i64) -> (i64, i64) {
    let n = end - begin;
    let q = n / parts;
    let r = n % parts;
    let part_begin = begin + index * q + index.min(r);
    (part_begin, part_begin + q + i64::from(index < r))
}

/// The barrier was broken: another thread of the team panicked; stop.
#[derive(Debug)]
pub struct Broken;

struct State {
    /// 0 until the caller has started every thread it could; then the team size.
    size: usize,
    arrived: usize,
    generation: u64,
    broken: bool,
}

/// A team's shared barrier.
pub struct Team {
    state: Mutex<State>,
    changed: Condvar,
}

impl Team {
    fn new() -> Team {
        Team { state: Mutex::new(State { size: 0, arrived: 0, generation: 0, broken: false }), changed: Condvar::new() }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock; a poisoned lock still holds a consistent state.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn start(&self, size: usize) {
        self.lock().size = size;
        self.changed.notify_all();
    }

    /// Waits until the caller has started the team; returns its size, or Broken.
    fn await_start(&self) -> Result<usize, Broken> {
        let mut state = self.lock();
        while state.size == 0 && !state.broken {
            state = self.changed.wait(state).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        if state.broken {
            Err(Broken)
        } else {
            Ok(state.size)
        }
    }

    fn break_barrier(&self) {
        self.lock().broken = true;
        self.changed.notify_all();
    }

    /// Waits until every thread of the team has arrived; Broken if a thread panicked.
    pub fn wait(&self) -> Result<(), Broken> {
        let mut state = self.lock();
        if state.broken {
            return Err(Broken);
        }
        let generation = state.generation;
        state.arrived += 1;
        if state.arrived == state.size {
            state.arrived = 0;
            state.generation += 1;
            self.changed.notify_all();
            return Ok(());
        }
        while state.generation == generation && !state.broken {
            state = self.changed.wait(state).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        if state.generation != generation {
            Ok(())
        } else {
            Err(Broken)
        }
    }
}

type Payload = Box<dyn Any + Send + 'static>;

/// Runs one thread's share, turning a panic into a broken barrier and its payload.
fn member<F>(team: &Team, index: usize, size: usize, body: &F) -> Result<(), Payload>
where
    F: Fn(usize, usize, &Team) -> Result<(), Broken> + Sync,
{
    match panic::catch_unwind(AssertUnwindSafe(|| body(index, size, team))) {
        Ok(_) => Ok(()), // Broken: another thread panicked, and its payload is the one re-raised
        Err(payload) => {
            team.break_barrier();
            Err(payload)
        }
    }
}

/// Runs `body(index, size, team)` on a team of `threads` threads (fewer only if the system refuses to
/// start one), index 0 on the calling thread, and returns when all have finished. A panic in any of
/// them is re-raised here, once all have stopped.
pub fn run<F>(threads: usize, body: F)
where
    F: Fn(usize, usize, &Team) -> Result<(), Broken> + Sync,
{
    let team = Team::new();
    let first_panic = thread::scope(|scope| {
        let mut handles = Vec::new();
        for index in 1..threads.max(1) {
            let (team, body) = (&team, &body);
            let spawned = thread::Builder::new().spawn_scoped(scope, move || match team.await_start() {
                Ok(size) => member(team, index, size, body),
                Err(Broken) => Ok(()),
            });
            match spawned {
                Ok(handle) => handles.push(handle),
                Err(_) => break,
            }
        }
        let size = handles.len() + 1;
        team.start(size);
        let mut first_panic = member(&team, 0, size, &body).err();
        for handle in handles {
            let outcome = handle.join().unwrap_or_else(Err);
            if let (None, Err(payload)) = (&first_panic, outcome) {
                first_panic = Some(payload);
            }
        }
        first_panic
    });
    if let Some(payload) = first_panic {
        panic::resume_unwind(payload);
    }
}

/// Sums `count(begin, end)` over the parts of [begin, end) split among `threads` threads: one
/// contiguous part each, as interop_split.
pub fn sum_over_parts<F>(begin: i64, end: i64, threads: usize, count: F) -> u64
where
    F: Fn(i64, i64) -> u64 + Sync,
{
    let total = std::sync::atomic::AtomicU64::new(0);
    run(threads, |index, size, _| {
        let (part_begin, part_end) = split(begin, end, size as i64, index as i64);
        total.fetch_add(count(part_begin, part_end), std::sync::atomic::Ordering::Relaxed);
        Ok(())
    });
    total.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary;
    use crate::status::INTERNAL;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn split_covers_the_range_once_with_the_remainder_first() {
        for (begin, end) in [(0_i64, 0_i64), (0, 10), (7, 8), (3, 100), (i64::MAX - 5, i64::MAX)] {
            for parts in 1..=7 {
                let mut next = begin;
                for index in 0..parts {
                    let (b, e) = split(begin, end, parts, index);
                    assert_eq!(b, next);
                    assert!(e >= b && e - b <= (end - begin) / parts + 1);
                    next = e;
                }
                assert_eq!(next, end);
            }
        }
        assert_eq!(split(0, 10, 3, 0), (0, 4));
        assert_eq!(split(0, 10, 3, 2), (7, 10));
    }

    #[test]
    fn the_team_has_the_threads_asked_for_and_its_barrier_holds() {
        for threads in [1, 2, 3, 5] {
            let before = AtomicUsize::new(0);
            let ran = AtomicUsize::new(0);
            run(threads, |_, size, team| {
                assert_eq!(size, threads);
                before.fetch_add(1, Ordering::SeqCst);
                team.wait()?;
                // Nobody passes the barrier before everyone reached it.
                assert_eq!(before.load(Ordering::SeqCst), threads);
                team.wait()?;
                ran.fetch_add(1, Ordering::SeqCst);
                Ok(())
            });
            assert_eq!(ran.load(Ordering::SeqCst), threads);
        }
    }

    #[test]
    fn a_panic_on_a_worker_stops_the_team_and_reaches_the_boundary() {
        // Thread 2 panics while the others wait at the barrier: they must stop, not hang, and the
        // boundary must report the worker's own message.
        let status = boundary::guard(|| {
            run(3, |index, _, team| {
                if index == 2 {
                    panic!("worker {} failed", index);
                }
                team.wait()?;
                team.wait()?;
                Ok(())
            });
            0
        });
        assert_eq!(status, INTERNAL);
        let mut buffer = [0 as std::os::raw::c_char; 64];
        unsafe { boundary::copy_last_error(buffer.as_mut_ptr(), 64) };
        let text = unsafe { std::ffi::CStr::from_ptr(buffer.as_ptr()) }.to_string_lossy().into_owned();
        assert_eq!(text, "panic: worker 2 failed");
    }
}
