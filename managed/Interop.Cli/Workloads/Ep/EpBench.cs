using System.Diagnostics;
using System.Runtime.InteropServices;
using Interop.Backends.Ep;
using Interop.Cli.Jobs;
using Interop.Core;
using Interop.Mpi;

namespace Interop.Cli.Workloads.Ep;

/// <summary>
/// Measures one backend's EP kernel across the ranks of a job. By default (--schedule static) as
/// NPB's MPI version splits it: the batches [0, 2^(M-16)) contiguously over the ranks
/// (<see cref="RangeSplitter"/>, remainder spread); under dynamic or guided, in chunks of batches
/// that the task pool (<see cref="IJob.Map"/>) hands to whichever rank is free. Each rank runs its
/// batches with the backend's threads, one kernel call a chunk, and every rank's chunks (first batch
/// and per-batch sums) and counts are gathered, the sums put back in batch order and reduced in
/// batch order (<see cref="EpResult.Reduce"/>), so one backend and path gives the same bits on any
/// number of ranks and threads and under any schedule. A result that changes between repeats is an error.
/// </summary>
internal static class EpBench
{
    /// <summary>This rank's batches under the static schedule: a contiguous part of [0, batches).</summary>
    public static IndexRange Mine(IJob job, EpClass size) => RangeSplitter.Part(new IndexRange(0, size.Batches), job.Size, job.Rank);

    /// <summary>One untimed run over the job (static schedule): the result, known to every rank.</summary>
    public static EpResult Once(IJob job, IEpKernel kernel, EpClass size, int threads) =>
        Combine(job, size, Compute(kernel, Mine(job, size), threads));

    /// <summary>
    /// Seconds one run of <paramref name="size"/> takes over the job (the slowest rank, static
    /// schedule), after an untimed run of one batch a rank: a probe run for calibrating sizes.
    /// </summary>
    public static double Probe(IJob job, IEpKernel kernel, EpClass size, int threads)
    {
        Compute(kernel, new IndexRange(job.Rank, job.Rank + 1), threads);
        job.Barrier();
        long start = Stopwatch.GetTimestamp();
        Combine(job, size, Compute(kernel, Mine(job, size), threads));
        return job.MaxAll(Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    /// <summary>
    /// <paramref name="warmup"/> untimed runs, then timed ones as <paramref name="repeat"/> says. Every
    /// rank sees the same timings (the slowest rank's) and the same result, so every rank stops after
    /// the same run and fails alike. In a heterogeneous job <paramref name="rankThreads"/> holds every
    /// rank's threads (this rank's being <paramref name="threads"/>): the pool has their sum of workers,
    /// a static split still one equal range per rank; the result's bits are the same either way (sums
    /// in batch order).
    /// </summary>
    public static EpMeasurement Run(IJob job, IEpKernel kernel, EpClass size, int threads, RepeatPolicy repeat, int warmup,
        RankSchedule? schedule = null, IReadOnlyList<int>? rankThreads = null)
    {
        schedule ??= RankSchedule.Static(ScheduleUnit.EpBatches);
        int workers = rankThreads?.Sum() ?? job.Size * threads;
        string split = schedule.Dynamic ? $"batches [0, {size.Batches}) {schedule.Describe(size.Batches, workers)}" : $"batches {Mine(job, size)}";
        EpResult? result = null;
        for (int i = 0; i < warmup; i++)
        {
            result = Same(kernel, result, Combine(job, size, ComputeMine(job, kernel, size, threads, workers, schedule)));
        }

        var seconds = new List<double>(repeat.MinRuns);
        var compute = new List<double>(repeat.MinRuns);
        var communication = new List<double>(repeat.MinRuns);
        var pools = new List<TaskPoolRun?>(repeat.MinRuns);
        while (!repeat.Done(seconds))
        {
            job.Barrier();
            job.TakeCommunicationSeconds();
            long start = Stopwatch.GetTimestamp();
            RankPart part;
            using (Tracing.Span($"ep {kernel.Backend}", "compute", $"{threads} thread(s), {split}"))
            {
                part = ComputeMine(job, kernel, size, threads, workers, schedule);
                pools.Add(part.Pool);
            }

            compute.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            EpResult total;
            using (Tracing.Span("gather and reduce in batch order", "mpi"))
            {
                total = Combine(job, size, part);
            }

            double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
            communication.Add(job.TakeCommunicationSeconds());
            seconds.Add(job.MaxAll(wall));
            TaskPoolGather.CheckEveryItemRan(job, part.Pool, size.Batches, ScheduleUnit.EpBatches.Plural);
            result = Same(kernel, result, total);
        }

        double[] rankCompute = job.GatherAll([TimingStats.From(compute).Median]);
        double[] rankCommunication = job.GatherAll([TimingStats.From(communication).Median]);
        // As pi's: who ran what in the run whose time is the median.
        TaskPoolLoad? load = TaskPoolGather.OfMedianRun(job, pools, seconds);
        return new EpMeasurement(kernel.Backend, kernel.Path, threads, job.Size, size, result!, seconds, rankCompute, rankCommunication.Max())
        {
            Pool = load,
            RankThreads = rankThreads,
        };
    }

    /// <summary>Each rank's batches under the static split, in rank order (equal ranges, whatever the ranks' threads).</summary>
    public static long[] StaticItems(int ranks, EpClass size) =>
        [.. Enumerable.Range(0, ranks).Select(r => RangeSplitter.Part(new IndexRange(0, size.Batches), ranks, r).Length)];

    /// <summary>Whether two results are the same bits: sums and counts.</summary>
    public static bool Identical(EpResult a, EpResult b) =>
        BitConverter.DoubleToInt64Bits(a.Sx) == BitConverter.DoubleToInt64Bits(b.Sx)
        && BitConverter.DoubleToInt64Bits(a.Sy) == BitConverter.DoubleToInt64Bits(b.Sy)
        && BitConverter.DoubleToInt64Bits(a.SumAbsX) == BitConverter.DoubleToInt64Bits(b.SumAbsX)
        && BitConverter.DoubleToInt64Bits(a.SumAbsY) == BitConverter.DoubleToInt64Bits(b.SumAbsY)
        && a.Counts.SequenceEqual(b.Counts);

    private static EpResult Same(IEpKernel kernel, EpResult? earlier, EpResult now) =>
        earlier is null || Identical(earlier, now)
            ? now
            : throw new InvalidOperationException(
                $"EP on {kernel.Backend} gave {Text(now)} after {Text(earlier)} on an earlier run of the same batches");

    private static string Text(EpResult r) =>
        FormattableString.Invariant($"{r.Pairs} pairs, sx {r.Sx:R}, sy {r.Sy:R}, sum |x| {r.SumAbsX:R}, sum |y| {r.SumAbsY:R}");

    /// <summary>
    /// This rank's share: its counts q0..q9 over all its batches and its chunks of batches, each with
    /// its per-batch sums (one chunk under the static schedule, the task pool's under dynamic and guided).
    /// </summary>
    private sealed record RankPart(long[] Counts, IReadOnlyList<BatchChunk> Chunks)
    {
        /// <summary>What this rank ran of the task pool (dynamic, guided); null under static.</summary>
        public TaskPoolRun? Pool { get; init; }
    }

    /// <summary>Consecutive batches from <see cref="FirstBatch"/> and their sums, 4 per batch in batch order.</summary>
    private sealed record BatchChunk(long FirstBatch, double[] Sums)
    {
        public long Batches => Sums.Length / EpArguments.SumsPerBatch;
    }

    private static RankPart Compute(IEpKernel kernel, IndexRange batches, int threads)
    {
        var sums = new double[checked((int)(EpArguments.SumsPerBatch * batches.Length))];
        var counts = new long[EpArguments.Annuli];
        kernel.Run(batches.Begin, batches.Length, threads, sums, counts);
        return new RankPart(counts, [new BatchChunk(batches.Begin, sums)]);
    }

    /// <summary>
    /// This rank's batches: its own range (static, the kernel sharing it among its threads), or the
    /// chunks the task pool gives its threads (dynamic, guided), one kernel call on the thread that took
    /// it a chunk; the counts add up, the chunks are kept.
    /// </summary>
    private static RankPart ComputeMine(IJob job, IEpKernel kernel, EpClass size, int threads, int workers, RankSchedule schedule)
    {
        if (!schedule.Dynamic)
        {
            return Compute(kernel, Mine(job, size), threads);
        }

        // The task pool runs the chunks on several threads: the lock keeps their updates apart.
        var gate = new Lock();
        var counts = new long[EpArguments.Annuli];
        var chunks = new List<BatchChunk>();
        TaskPoolRun pool = job.Map(size.Batches, schedule.ChunkFor(size.Batches, workers), schedule.Guided, (first, count) =>
        {
            RankPart part = Compute(kernel, new IndexRange(first, first + count), 1);
            lock (gate)
            {
                for (int l = 0; l < EpArguments.Annuli; l++)
                {
                    counts[l] += part.Counts[l];
                }

                chunks.AddRange(part.Chunks);
            }
        }, threads);
        return new RankPart(counts, chunks) { Pool = pool };
    }

    // Every rank's part, on every rank: the counts added, each chunk's sums put at its batches' place,
    // so the sums are in batch order whichever rank ran which chunk, and reduced one batch after the
    // other. The chunks must cover [0, batches) exactly once: anything else is a bug, never a result.
    private static EpResult Combine(IJob job, EpClass size, RankPart part)
    {
        byte[][] all = job.GatherAll(Encode(part));
        var counts = new long[EpArguments.Annuli];
        var sums = new double[checked((int)(EpArguments.SumsPerBatch * size.Batches))];
        var covered = new bool[size.Batches];
        foreach (byte[] rank in all)
        {
            ReadOnlySpan<long> words = MemoryMarshal.Cast<byte, long>(rank.AsSpan());
            for (int l = 0; l < EpArguments.Annuli; l++)
            {
                counts[l] += words[l];
            }

            int at = EpArguments.Annuli + 1;
            for (long c = 0; c < words[EpArguments.Annuli]; c++)
            {
                (long first, long batches) = (words[at], words[at + 1]);
                at += 2;
                if (first < 0 || batches < 0 || first > size.Batches - batches || covered.AsSpan((int)first, (int)batches).Contains(true))
                {
                    throw new InvalidOperationException($"EP: the chunk of batches [{first}, {first + batches}) overlaps another or lies outside [0, {size.Batches})");
                }

                covered.AsSpan((int)first, (int)batches).Fill(true);
                int values = EpArguments.SumsPerBatch * (int)batches;
                MemoryMarshal.Cast<long, double>(words.Slice(at, values)).CopyTo(sums.AsSpan(EpArguments.SumsPerBatch * (int)first));
                at += values;
            }
        }

        int missing = Array.IndexOf(covered, false);
        return missing < 0
            ? EpResult.Reduce(sums, counts)
            : throw new InvalidOperationException($"EP: batch {missing} of [0, {size.Batches}) was run by no rank");
    }

    // One rank's part as 64-bit words: counts q0..q9, the number of chunks, then per chunk its first
    // batch, its batch count and its sums (the doubles' bits).
    private static byte[] Encode(RankPart part)
    {
        int length = checked(EpArguments.Annuli + 1 + part.Chunks.Sum(c => 2 + c.Sums.Length));
        var bytes = new byte[checked(length * sizeof(long))];
        Span<long> words = MemoryMarshal.Cast<byte, long>(bytes.AsSpan());
        part.Counts.CopyTo(words);
        words[EpArguments.Annuli] = part.Chunks.Count;
        int at = EpArguments.Annuli + 1;
        foreach (BatchChunk chunk in part.Chunks)
        {
            (words[at], words[at + 1]) = (chunk.FirstBatch, chunk.Batches);
            at += 2;
            MemoryMarshal.Cast<double, long>(chunk.Sums.AsSpan()).CopyTo(words[at..]);
            at += chunk.Sums.Length;
        }

        return bytes;
    }
}

/// <summary>
/// One backend's measured EP run over <see cref="Ranks"/> processes of <see cref="Threads"/> threads:
/// the result (the same on every run), every timed run's seconds (the slowest rank's), each rank's
/// median compute time and the largest median time a rank spent in MPI calls.
/// </summary>
internal sealed record EpMeasurement(
    string Backend,
    Isa Isa,
    int Threads,
    int Ranks,
    EpClass Size,
    EpResult Result,
    IReadOnlyList<double> Seconds,
    IReadOnlyList<double> RankComputeSeconds,
    double CommunicationSeconds)
{
    public TimingStats Stats => TimingStats.From(Seconds);

    /// <summary>Under --schedule dynamic or guided, each rank's chunks, batches and busy time in the run whose time is the median; null under static.</summary>
    public TaskPoolLoad? Pool { get; init; }

    /// <summary>In a heterogeneous job, each rank's threads (<see cref="Threads"/> is rank 0's); null when every rank runs <see cref="Threads"/>.</summary>
    public IReadOnlyList<int>? RankThreads { get; init; }

    /// <summary>The threads of all ranks together: ranks x threads, or the sum of <see cref="RankThreads"/>.</summary>
    public int Workers => RankThreads?.Sum() ?? Ranks * Threads;

    /// <summary>NPB's Mop/s: 2^(M+1) randoms / median seconds / 1e6.</summary>
    public double Mops => Size.Operations / Stats.Median / 1e6;

    /// <summary>Mop/s per worker (<see cref="Workers"/>).</summary>
    public double MopsPerWorker => Mops / Workers;

    /// <summary>How much longer the slowest rank computed than the average rank (0 = perfect).</summary>
    public double Imbalance => LoadImbalance.Of(RankComputeSeconds);
}
