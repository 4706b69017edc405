using System.Diagnostics;
using System.Runtime.InteropServices;
using Interop.Backends.ChunkedArray;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli.Workloads.ChunkedArray;

/// <summary>
/// Measures one backend's array kernel. A run is the spec's two passes: the column sums of every
/// 256-row tile (x generated or read), the means added from them in tile order, then y with its sum
/// and checksum (y kept in memory in the memory case). x and y live in native memory, 64-byte
/// aligned, allocated and x filled before the warm-up (untimed, as Dask's from_array is given an
/// array that exists); a run that gives another checksum than the first is an error.
/// </summary>
internal static unsafe class ArrayBench
{
    /// <summary>
    /// <paramref name="warmup"/> untimed runs, then timed ones as <paramref name="repeat"/> says, of
    /// <paramref name="shape"/> on <paramref name="threads"/> threads. Every rank sees the same
    /// timings (the slowest rank's) and the same result.
    /// </summary>
    public static ArrayMeasurement Run(IJob job, IArrayKernel kernel, ArrayShape shape, int threads, RepeatPolicy repeat, int warmup)
    {
        if (job.Size > 1)
        {
            throw new UsageException($"array: {job.Size} MPI ranks: the distributed array is not built yet; run it in one process");
        }

        using var arrays = new ArrayBuffers(kernel, shape, threads);
        ArrayResult? result = null;
        for (int i = 0; i < warmup; i++)
        {
            result = Same(kernel, result, arrays.Once());
        }

        var seconds = new List<double>(repeat.MinRuns);
        while (!repeat.Done(seconds))
        {
            job.Barrier();
            long start = Stopwatch.GetTimestamp();
            ArrayResult now;
            using (Tracing.Span($"array {kernel.Backend}", "compute", $"{threads} thread(s), {shape.Text}"))
            {
                now = arrays.Once();
            }

            seconds.Add(job.MaxAll(Stopwatch.GetElapsedTime(start).TotalSeconds));
            result = Same(kernel, result, now);
        }

        return new ArrayMeasurement(kernel.Backend, kernel.Path, threads, job.Size, shape, result! with { SpotCheck = arrays.SpotCheck() }, seconds);
    }

    /// <summary>Seconds one run of <paramref name="shape"/> takes after one untimed run: a probe for calibrating the size.</summary>
    public static double Probe(IJob job, IArrayKernel kernel, ArrayShape shape, int threads)
    {
        using var arrays = new ArrayBuffers(kernel, shape, threads);
        arrays.Once();
        job.Barrier();
        long start = Stopwatch.GetTimestamp();
        arrays.Once();
        return job.MaxAll(Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    private static ArrayResult Same(IArrayKernel kernel, ArrayResult? earlier, ArrayResult now) =>
        earlier is null || earlier.Checksum == now.Checksum
            ? now
            : throw new InvalidOperationException(
                $"array on {kernel.Backend} gave checksum {ArrayCheck.Hex(now.Checksum)} after {ArrayCheck.Hex(earlier.Checksum)} on an earlier run of the same x");

    /// <summary>A process's arrays of one backend's runs: x and y (the memory case), the tiles' sums and the means.</summary>
    private sealed class ArrayBuffers : IDisposable
    {
        private readonly IArrayKernel kernel;
        private readonly ArrayShape shape;
        private readonly int threads;
        private readonly double* x;
        private readonly double* y;
        private readonly double[] tileSums;
        private readonly double[] means;

        public ArrayBuffers(IArrayKernel kernel, ArrayShape shape, int threads)
        {
            this.kernel = kernel;
            this.shape = shape;
            this.threads = threads;
            long n = shape.N;
            tileSums = new double[ArrayArguments.Tiles(0, n) * n];
            means = new double[n];
            if (shape.Case == ArrayCase.Memory)
            {
                nuint bytes = checked((nuint)(n * n * sizeof(double)));
                x = Allocate(bytes, "x");
                y = Allocate(bytes, "y");
                // Touched before timing, as an array Dask is handed exists: x by the backend's own generation, y cleared.
                kernel.Run(new ArrayCall(ArrayPass.Generate, n, shape.Chunk, shape.Seed, 0, n, null, n, null, 0, null, x, n), threads);
                NativeMemory.Clear(y, bytes);
            }
        }

        /// <summary>One run: the tiles' sums, the means in tile order, y.</summary>
        public ArrayResult Once()
        {
            long n = shape.N;
            fixed (double* sums = tileSums, m = means)
            {
                kernel.Run(new ArrayCall(ArrayPass.ColumnSums, n, shape.Chunk, shape.Seed, 0, n, x, n, null, 0, null, sums, n), threads);
                double sumX = ArrayCheck.Means(tileSums, n, means);
                ArrayPassResult r = kernel.Run(new ArrayCall(ArrayPass.Y, n, shape.Chunk, shape.Seed, 0, n, x, n, x, n, m, y, n), threads);
                return new ArrayResult(r.Checksum, r.Sum, sumX);
            }
        }

        /// <summary>The spec's means of some columns and y at some of their elements (when kept) against this run's: null, or what differs.</summary>
        public string? SpotCheck() => ArrayCheck.Spot(shape, means, y == null ? null : (i, j) => y[(i * shape.N) + j]);

        public void Dispose()
        {
            NativeMemory.AlignedFree(x);
            NativeMemory.AlignedFree(y);
        }

        private static double* Allocate(nuint bytes, string what)
        {
            try
            {
                return (double*)NativeMemory.AlignedAlloc(bytes, 64);
            }
            catch (OutOfMemoryException)
            {
                throw new UsageException($"array: no memory for {what} ({bytes / (1024 * 1024)} MiB): choose a smaller --size");
            }
        }
    }
}

/// <summary>One run's result: y's checksum and sum, x's sum (from the tiles' sums), and the spot check's finding (null: none).</summary>
internal sealed record ArrayResult(ulong Checksum, double Sum, double SumX)
{
    public string? SpotCheck { get; init; }
}

/// <summary>One backend's measured array runs: the result (the same on every run) and every timed run's seconds (the slowest rank's).</summary>
internal sealed record ArrayMeasurement(string Backend, Isa Isa, int Threads, int Ranks, ArrayShape Shape, ArrayResult Result, IReadOnlyList<double> Seconds)
{
    public TimingStats Stats => TimingStats.From(Seconds);

    public int Workers => Ranks * Threads;

    /// <summary>GB/s of the memory case's least traffic (x read twice, y written) over the median time, whatever the case.</summary>
    public double GigabytesPerSecond => Shape.Bytes / Stats.Median / 1e9;
}
