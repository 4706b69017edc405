using System.Diagnostics;
using System.Runtime.InteropServices;
using Interop.Backends.ChunkedArray;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli.Workloads.ChunkedArray;

/// <summary>
/// Measures one backend's array kernel over the ranks of a job. A run is the spec's two passes: the column sums of every
/// 256-row tile (x generated or read), the means added from them in tile order, then y with its sum
/// and checksum (y kept in memory in the memory case). x and y live in native memory, 64-byte
/// aligned, allocated and x filled before the warm-up (untimed, as Dask's from_array is given an
/// array that exists); a run that gives another checksum than the first is an error.
/// </summary>
internal static unsafe class ArrayBench
{
    /// <summary>
    /// <paramref name="warmup"/> untimed runs, then timed ones as <paramref name="repeat"/> says, of
    /// <paramref name="shape"/> on <paramref name="threads"/> threads a rank. Every rank sees the same
    /// timings (the slowest rank's) and the same result.
    /// </summary>
    public static ArrayMeasurement Run(IJob job, IArrayKernel kernel, ArrayShape shape, int threads, RepeatPolicy repeat, int warmup, ArrayFileOutput? output = null)
    {
        using IArrayPasses arrays = shape.Case == ArrayCase.File ? new ArrayFileRun(job, kernel, shape, threads, output) : new ArrayBuffers(job, kernel, shape, threads);
        ArrayResult? result = null;
        for (int i = 0; i < warmup; i++)
        {
            result = Same(kernel, result, arrays.Once());
        }

        var seconds = new List<double>(repeat.MinRuns);
        var compute = new List<double>(repeat.MinRuns);
        var communication = new List<double>(repeat.MinRuns);
        long bytesSent = 0;
        while (!repeat.Done(seconds))
        {
            job.Barrier();
            job.TakeCommunicationSeconds();
            job.TakeBytesSent();
            long start = Stopwatch.GetTimestamp();
            ArrayResult now;
            using (Tracing.Span($"array {kernel.Backend}", "compute", $"{threads} thread(s), {shape.Text}, rows {arrays.Band}"))
            {
                now = arrays.Once();
            }

            double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double mpi = job.TakeCommunicationSeconds();
            bytesSent = job.TakeBytesSent();
            compute.Add(wall - mpi);
            communication.Add(mpi);
            seconds.Add(job.MaxAll(wall));
            result = Same(kernel, result, now);
        }

        var file = arrays as ArrayFileRun;
        file?.Finish();
        double[] rankCompute = job.GatherAll([TimingStats.From(compute).Median]);
        double[] rankCommunication = job.GatherAll([TimingStats.From(communication).Median]);
        long[] rankBytes = job.GatherAll(bytesSent);
        return new ArrayMeasurement(kernel.Backend, kernel.Path, threads, job.Size, shape, result! with { SpotCheck = arrays.SpotCheck() }, seconds)
        {
            RankComputeSeconds = rankCompute,
            RankCommunicationSeconds = rankCommunication,
            RankBytesSent = rankBytes,
            Memory = file is null ? null : new ArrayFileMemory(shape.Files!.MemoryLimit, file.Plan.Bytes, job.GatherAll(file.BaselineRss), job.GatherAll(file.PeakRss)),
        };
    }

    /// <summary>
    /// Seconds one run of <paramref name="shape"/> takes over the job after one untimed run, and the seconds
    /// its arrays took to set up (allocated, first touched, x generated: a point pays them once, and at a
    /// large order they outweigh a run): a probe for calibrating the size.
    /// </summary>
    public static (double Run, double Setup) Probe(IJob job, IArrayKernel kernel, ArrayShape shape, int threads)
    {
        job.Barrier();
        long setup = Stopwatch.GetTimestamp();
        using var arrays = new ArrayBuffers(job, kernel, shape, threads);
        double setupSeconds = job.MaxAll(Stopwatch.GetElapsedTime(setup).TotalSeconds);
        arrays.Once();
        job.Barrier();
        long start = Stopwatch.GetTimestamp();
        arrays.Once();
        return (job.MaxAll(Stopwatch.GetElapsedTime(start).TotalSeconds), setupSeconds);
    }

    /// <summary>
    /// Rank <paramref name="rank"/>'s band of rows of <paramref name="ranks"/>: whole 256-row tiles, split as
    /// evenly as they go (<see cref="RangeSplitter"/>), so that a tile's column sums are one rank's and the
    /// tiles' sums gathered in rank order are in tile order.
    /// </summary>
    public static IndexRange BandOf(long n, int ranks, int rank)
    {
        IndexRange tiles = RangeSplitter.Part(new IndexRange(0, ArrayArguments.Tiles(0, n)), ranks, rank);
        return new IndexRange(Math.Min(n, tiles.Begin * ArrayArguments.TileRows), Math.Min(n, tiles.End * ArrayArguments.TileRows));
    }

    private static ArrayResult Same(IArrayKernel kernel, ArrayResult? earlier, ArrayResult now) =>
        earlier is null || earlier.Checksum == now.Checksum
            ? now
            : throw new InvalidOperationException(
                $"array on {kernel.Backend} gave checksum {ArrayCheck.Hex(now.Checksum)} after {ArrayCheck.Hex(earlier.Checksum)} on an earlier run of the same x");

    /// <summary>
    /// One rank's arrays for one backend's runs. In one process: x and y whole (the memory case), or
    /// nothing (the sum case: x generated where it is read). Over several ranks, the distributed array:
    /// this rank's band of x (generated before timing in the memory case, inside each run in the sum
    /// case: a rank generates only its own elements), the transposed columns it receives from every
    /// rank (xt[j][i - band begin] = x[j][i]: rank s sends its rows' columns of this band straight from
    /// its x, a strided block, no packing; this rank's own block is copied locally), y's band in the
    /// memory case.
    /// </summary>
    private sealed class ArrayBuffers : IArrayPasses
    {
        private readonly IJob job;
        private readonly IArrayKernel kernel;
        private readonly ArrayShape shape;
        private readonly int threads;
        private readonly IndexRange[] bands;
        private readonly double* x;
        private readonly double* y;
        private readonly double* xt;
        private readonly long[] sendRows = [];
        private readonly long[] sendWidths = [];
        private readonly long[] sendOffsets = [];
        private readonly long[] receiveCounts = [];
        private readonly long[] receiveOffsets = [];
        private readonly double[] tileSums;
        private readonly double[] means;

        public ArrayBuffers(IJob job, IArrayKernel kernel, ArrayShape shape, int threads)
        {
            this.job = job;
            this.kernel = kernel;
            this.shape = shape;
            this.threads = threads;
            long n = shape.N;
            bands = [.. Enumerable.Range(0, job.Size).Select(r => BandOf(n, job.Size, r))];
            Band = bands[job.Rank];
            tileSums = new double[ArrayArguments.Tiles(Band.Begin, Band.End) * n];
            means = new double[n];
            long rows = Band.Length;
            bool distributed = job.Size > 1;
            if (shape.Case == ArrayCase.Memory || distributed)
            {
                x = Allocate(rows * n, "x");
            }

            if (shape.Case == ArrayCase.Memory)
            {
                y = Allocate(rows * n, "y");
                NativeMemory.Clear(y, (nuint)(rows * n * sizeof(double)));
                Generate();
            }

            if (distributed)
            {
                // To rank s: this band's rows of s's columns, read from x with stride n. The block to
                // itself travels no MPI path (rows 0 here, count 0 there): CopyOwnBlock moves it.
                xt = Allocate(n * rows, "the transposed columns");
                int me = job.Rank;
                sendRows = [.. bands.Select((b, s) => s == me ? 0 : rows)];
                sendWidths = [.. bands.Select(b => b.Length)];
                sendOffsets = [.. bands.Select(b => b.Begin)];
                receiveCounts = [.. bands.Select((b, r) => r == me ? 0 : b.Length * rows)];
                receiveOffsets = [.. bands.Select(b => b.Begin * rows)];
                NativeMemory.Clear(xt, (nuint)(rows * n * sizeof(double)));
            }
        }

        /// <summary>This rank's rows.</summary>
        public IndexRange Band { get; }

        /// <summary>One run: the tiles' sums, the means in tile order, y; over ranks with the transposed blocks exchanged before y.</summary>
        public ArrayResult Once()
        {
            long n = shape.N;
            long rows = Band.Length;
            if (job.Size == 1)
            {
                fixed (double* sums = tileSums, m = means)
                {
                    kernel.Run(new ArrayCall(ArrayPass.ColumnSums, n, shape.Chunk, shape.Seed, 0, n, x, n, null, 0, null, sums, n), threads);
                    double total = ArrayCheck.Means(tileSums, n, means);
                    ArrayPassResult r = kernel.Run(new ArrayCall(ArrayPass.Y, n, shape.Chunk, shape.Seed, 0, n, x, n, x, n, m, y, n), threads);
                    return new ArrayResult(r.Checksum, r.Sum, total);
                }
            }

            if (shape.Case == ArrayCase.Sum)
            {
                Generate();
            }

            // This band's own work first, then the exchange. Open MPI moves a strided block over shared
            // memory in fragments that the sender packs and the receiver unpacks inside MPI calls, so an
            // exchange started before the column sums would not travel while they run (measured: no
            // gain); the wait polls without sleeping (interop_mpi_request_wait) while the fragments move.
            ColumnSums();
            CopyOwnBlock();
            job.StartExchange(x, n, sendRows, sendWidths, sendOffsets, xt, receiveCounts, receiveOffsets).Wait();

            // Every rank's tiles' sums, in rank order: tile order.
            byte[][] all = job.GatherAll(MemoryMarshal.AsBytes(tileSums.AsSpan()).ToArray());
            double[] allSums = [.. all.SelectMany(b => MemoryMarshal.Cast<byte, double>(b.AsSpan()).ToArray())];
            double sumX = ArrayCheck.Means(allSums, n, means);
            ArrayPassResult part;
            fixed (double* m = means)
            {
                part = rows > 0
                    ? kernel.Run(new ArrayCall(ArrayPass.Y, n, shape.Chunk, shape.Seed, Band.Begin, Band.End, x, n, xt, rows, m, y, n), threads)
                    : default;
            }

            // The parts' checksums add modulo 2^64 in any order; the sums in rank order.
            var mine = new byte[2 * sizeof(long)];
            BitConverter.TryWriteBytes(mine, part.Checksum);
            BitConverter.TryWriteBytes(mine.AsSpan(sizeof(long)), part.Sum);
            ulong checksum = 0;
            double sum = 0;
            foreach (byte[] rank in job.GatherAll(mine))
            {
                checksum = unchecked(checksum + BitConverter.ToUInt64(rank, 0));
                sum += BitConverter.ToDouble(rank, sizeof(long));
            }

            return new ArrayResult(checksum, sum, sumX);
        }

        /// <summary>The spec's means of some columns and y at some of this rank's elements (when kept) against this run's: null, or what differs.</summary>
        public string? SpotCheck()
        {
            long first = Band.Begin;
            IndexRange band = Band;
            return ArrayCheck.Spot(shape, means, y == null ? null : (i, j) => y[((i - first) * shape.N) + j], band);
        }

        public void Dispose()
        {
            NativeMemory.AlignedFree(x);
            NativeMemory.AlignedFree(y);
            NativeMemory.AlignedFree(xt);
        }

        // This rank's rows of x from the generator, by the backend's own kernel.
        private void Generate()
        {
            if (Band.Length > 0)
            {
                kernel.Run(new ArrayCall(ArrayPass.Generate, shape.N, shape.Chunk, shape.Seed, Band.Begin, Band.End, null, shape.N, null, 0, null, x, shape.N), threads);
            }
        }

        // This band's tiles' column sums.
        private void ColumnSums()
        {
            if (Band.Length > 0)
            {
                fixed (double* sums = tileSums)
                {
                    kernel.Run(new ArrayCall(ArrayPass.ColumnSums, shape.N, shape.Chunk, shape.Seed, Band.Begin, Band.End, x, shape.N, null, 0, null, sums, shape.N), threads);
                }
            }
        }

        // This rank's own block of xt: its rows' columns of its own band, one row segment each (xt's
        // row Band.Begin + r), copied here rather than through MPI, which would copy it the same way
        // after setting up a datatype for it.
        private void CopyOwnBlock()
        {
            long n = shape.N;
            long rows = Band.Length;
            long bytes = rows * sizeof(double);
            using var span = Tracing.Span("copy the own block", "compute");
            for (long r = 0; r < rows; r++)
            {
                Buffer.MemoryCopy(x + (r * n) + Band.Begin, xt + ((Band.Begin + r) * rows), bytes, bytes);
            }
        }

        private static double* Allocate(long doubles, string what)
        {
            nuint bytes = checked((nuint)(Math.Max(doubles, 1) * sizeof(double)));
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

    /// <summary>Each rank's median seconds outside MPI calls (generating, packing, the passes).</summary>
    public IReadOnlyList<double> RankComputeSeconds { get; init; } = [];

    /// <summary>Each rank's median seconds inside MPI calls (the exchange's start and wait, the gathers).</summary>
    public IReadOnlyList<double> RankCommunicationSeconds { get; init; } = [];

    /// <summary>Each rank's bytes sent to the other ranks in one run (its transposed blocks).</summary>
    public IReadOnlyList<long> RankBytesSent { get; init; } = [];

    /// <summary>The file case's memory limit and each rank's resident memory (null in the other cases).</summary>
    public ArrayFileMemory? Memory { get; init; }

    public int Workers => Ranks * Threads;

    /// <summary>GB/s of the memory case's least traffic (x read twice, y written) over the median time, whatever the case.</summary>
    public double GigabytesPerSecond => Shape.Bytes / Stats.Median / 1e9;

    /// <summary>The triad limit of the point's workers (<see cref="ArrayTriad.Of"/>), measured on rank 0; null where it could not be.</summary>
    public double? TriadGigabytesPerSecond { get; init; }

    /// <summary>GB/s over the triad limit (null without one).</summary>
    public double? FractionOfTriad => TriadGigabytesPerSecond is double limit && limit > 0 ? GigabytesPerSecond / limit : null;
}
