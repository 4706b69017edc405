#!/usr/bin/env python3
"""Dask's and NumPy's own versions of `interop array`'s cases (issue 25), timed in one process.

The lesson's example y = x + x.T - x.mean(axis=0) on an n x n array of doubles in c x c chunks:

  sum     x generated, y reduced to its sum, never stored.
            Dask:  da.random.RandomState(seed).random_sample((n, n), chunks=c), the expression, .sum()
            NumPy: np.random.RandomState(seed).random_sample((n, n)), the expression, .sum()
  memory  x in memory (generated before timing), y stored into an array allocated before timing.
            Dask:  da.from_array(x, chunks=c), the expression, da.store(y, out)
            NumPy: np.add(x, x.T, out=out); np.subtract(out, x.mean(axis=0), out=out)
  file    x.npy (written once by NumPy, outside timing) to y.npy.
            Dask:  da.from_array(np.load(x.npy, mmap_mode='r'), chunks=c), the expression,
                   da.store(y, np.lib.format.open_memmap(y.npy, mode='w+', ...)), flush
            NumPy: the same memory map in and out, the memory case's two ufunc calls, flush

x is NumPy's Mersenne Twister here (Dask seeds one per chunk), not the SplitMix64 generator of
docs/workload-spec.md that `interop array` uses: the numbers differ, the work does not (every
element of x is a uniform double either way), so the times compare and the values do not.

Every timed run builds Dask's graph and computes it: the graph is part of what Dask costs. The
implementations take turns within each round (after one untimed warm-up run each), so a slow spell
of a shared machine falls on all of them. Each run is checked outside the timing: sum(y) equals
sum(x) in exact arithmetic, so the sum must lie within 8 standard deviations of n^2/2 (a y missing
its mean or its transpose is off by about n^2/2); a stored y must match sampled elements and the
corners recomputed from x (the output is filled with NaN before each memory-case run so that a run
that writes nothing cannot pass on the previous run's y).

da.store runs with lock=False: each chunk of y goes to its own region of the output, so Dask's
default lock (one threading.Lock around every chunk's write) would only serialize the writes.

Prints one JSON line per timed run on stdout:
  {"case": "sum", "impl": "dask-threads", "n": 1000, "chunk": 250, "threads": 2, "round": 1,
   "seconds": 0.0123, "check": "sum(y)=500123.4 (n^2/2 +- 8 sd)"}
The implementations: dask-threads (Dask's threaded scheduler with num_workers = --threads),
dask-sync (Dask's synchronous scheduler, one thread), numpy (one thread: NumPy's ufuncs and
reductions do not use threads).

Usage: dask_cases.py --case sum|memory|file --size N --chunk C [--threads T] [--rounds R]
                     [--impl dask-threads,dask-sync,numpy] [--seed S] [--dir DIR]
"""

import argparse
import json
import math
import os
import sys
import time

IMPLS = ("dask-threads", "dask-sync", "numpy")
SAMPLES = 64


def fail(message):
    print(f"dask_cases: {message}", file=sys.stderr)
    sys.exit(2)


def parse_args():
    parser = argparse.ArgumentParser(description="Dask's and NumPy's versions of interop array's cases, timed.")
    parser.add_argument("--case", required=True, choices=("sum", "memory", "file"))
    parser.add_argument("--size", type=int, default=10000, help="the order n of x (default 10000)")
    parser.add_argument("--chunk", type=int, default=1000, help="the chunks' edge c (default 1000, or n when smaller)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="Dask's threaded scheduler's num_workers (default: the CPUs)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds after one warm-up (default 5)")
    parser.add_argument("--impl", default=",".join(IMPLS), help="comma-separated: " + ", ".join(IMPLS))
    parser.add_argument("--seed", type=int, default=42, help="the Mersenne Twister's seed (default 42)")
    parser.add_argument("--dir", default=".", help="file case: where x.npy and y.npy are written (default .)")
    args = parser.parse_args()
    if args.size < 16:
        fail(f"--size {args.size}: at least 16 (the sum check needs n^2/2 to stand out of the noise)")
    args.chunk = min(args.chunk, args.size)
    if args.chunk < 1:
        fail(f"--chunk {args.chunk}: at least 1")
    if args.threads < 1:
        fail(f"--threads {args.threads}: at least 1")
    if args.rounds < 1:
        fail(f"--rounds {args.rounds}: at least 1")
    if not 0 <= args.seed < 2**32:
        fail(f"--seed {args.seed}: 0 to 2^32-1 (NumPy's RandomState)")
    args.impl = [name for name in args.impl.split(",") if name]
    for name in args.impl:
        if name not in IMPLS:
            fail(f"--impl {name}: not one of {', '.join(IMPLS)}")
    if not args.impl:
        fail("--impl: none given")
    if args.case == "file" and not os.path.isdir(args.dir):
        fail(f"--dir {args.dir}: not a directory")
    return args


def compute_kwargs(impl, threads):
    """Dask's scheduler for an implementation: threads with num_workers, or synchronous."""
    if impl == "dask-threads":
        return {"scheduler": "threads", "num_workers": threads}
    return {"scheduler": "synchronous"}


def expression(x):
    """The lesson's y, on Dask arrays or NumPy arrays alike."""
    return x + x.T - x.mean(axis=0)


def run_sum(impl, args):
    n, c = args.size, args.chunk
    if impl == "numpy":
        import numpy as np
        x = np.random.RandomState(args.seed).random_sample((n, n))
        return float(expression(x).sum())
    import dask.array as da
    x = da.random.RandomState(args.seed).random_sample((n, n), chunks=(c, c))
    return float(expression(x).sum().compute(**compute_kwargs(impl, args.threads)))


def store(impl, x, out, args):
    """y from x into out: Dask over x's chunks, or NumPy's ufuncs writing out directly."""
    import numpy as np
    if impl == "numpy":
        np.add(x, x.T, out=out)
        np.subtract(out, x.mean(axis=0), out=out)
        return
    import dask.array as da
    xd = da.from_array(x, chunks=(args.chunk, args.chunk))
    da.store(expression(xd), out, lock=False, **compute_kwargs(impl, args.threads))


class StoredCheck:
    """Sampled elements of y (and its corners, where a ragged last chunk lands) recomputed from x."""

    def __init__(self, x):
        import numpy as np
        n = x.shape[0]
        rng = np.random.default_rng(12345)
        rows = list(rng.integers(0, n, SAMPLES)) + [0, n - 1, n - 1]
        cols = list(rng.integers(0, n, SAMPLES)) + [n - 1, 0, n - 1]
        self.rows, self.cols = np.array(rows), np.array(cols)
        means = {j: float(np.asarray(x[:, j]).mean()) for j in set(cols)}
        self.expected = np.array([(x[i, j] + x[j, i]) - means[j] for i, j in zip(rows, cols)])

    def __call__(self, y):
        import numpy as np
        got = np.asarray(y[self.rows, self.cols])
        error = np.abs(got - self.expected)
        # a NaN is an element no run wrote (the fill before each run): the worst of all
        worst = int(np.argmax(np.where(np.isnan(error), np.inf, error)))
        if not error[worst] <= 1e-9:
            i, j = self.rows[worst], self.cols[worst]
            raise RuntimeError(f"y[{i}][{j}] = {got[worst]!r}, expected {self.expected[worst]!r}")
        return f"{len(self.expected)} sampled elements of y within 1e-9 (largest error {error.max():.1e})"


def check_sum(total, n):
    sd = n / math.sqrt(12.0)  # sum of n^2 uniforms on [0, 1): mean n^2/2, standard deviation n/sqrt(12)
    if not abs(total - n * n / 2.0) <= 8.0 * sd:
        raise RuntimeError(f"sum(y) = {total!r}, expected n^2/2 = {n * n / 2.0} +- {8.0 * sd:.1f}")
    return f"sum(y)={total:.6f} (n^2/2 +- 8 sd)"


def write_x(path, args):
    """x.npy for the file case, written once by NumPy; kept when it already has this n and seed."""
    import numpy as np
    stamp = path + ".seed"
    if os.path.exists(path) and os.path.exists(stamp):
        with open(stamp) as f:
            if f.read().strip() == str(args.seed) and np.load(path, mmap_mode="r").shape == (args.size, args.size):
                return
    np.save(path, np.random.RandomState(args.seed).random_sample((args.size, args.size)))
    with open(stamp, "w") as f:
        f.write(f"{args.seed}\n")


def main():
    args = parse_args()
    import numpy as np

    if args.case == "sum":
        def once(impl):
            start = time.perf_counter()
            total = run_sum(impl, args)
            return time.perf_counter() - start, lambda: check_sum(total, args.size)
    elif args.case == "memory":
        x = np.random.RandomState(args.seed).random_sample((args.size, args.size))
        out = np.empty_like(x)
        checker = StoredCheck(x)

        def once(impl):
            out.fill(np.nan)
            start = time.perf_counter()
            store(impl, x, out, args)
            return time.perf_counter() - start, lambda: checker(out)
    else:
        x_path, y_path = os.path.join(args.dir, "x.npy"), os.path.join(args.dir, "y.npy")
        write_x(x_path, args)
        checker = StoredCheck(np.load(x_path, mmap_mode="r"))

        def once(impl):
            if os.path.exists(y_path):
                os.remove(y_path)  # a fresh file each run, as a file-to-file tool writes it
            start = time.perf_counter()
            x = np.load(x_path, mmap_mode="r")
            out = np.lib.format.open_memmap(y_path, mode="w+", dtype=np.float64, shape=x.shape)
            store(impl, x, out, args)
            out.flush()
            seconds = time.perf_counter() - start
            del out
            return seconds, lambda: checker(np.load(y_path, mmap_mode="r"))

    def checked(impl, check):
        try:
            return check()
        except RuntimeError as e:
            print(f"dask_cases: {args.case} {impl}: wrong result: {e}", file=sys.stderr)
            sys.exit(1)

    for impl in args.impl:
        _, check = once(impl)  # the warm-up: imports, thread pools, page faults
        checked(impl, check)
    for round_number in range(1, args.rounds + 1):
        for impl in args.impl:
            seconds, check = once(impl)
            verdict = checked(impl, check)
            print(json.dumps({"case": args.case, "impl": impl, "n": args.size, "chunk": args.chunk,
                              "threads": args.threads if impl == "dask-threads" else 1,
                              "round": round_number, "seconds": seconds, "check": verdict}), flush=True)


if __name__ == "__main__":
    main()
