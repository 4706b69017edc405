using System.Diagnostics;
using System.Runtime.InteropServices;
using Interop.Backends.Ep;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli.Workloads.Ep;

/// <summary>
/// Measures one backend's EP kernel across the ranks of a job, as NPB's MPI version splits it: the
/// batches [0, 2^(M-16)) contiguously over the ranks (<see cref="RangeSplitter"/>, remainder spread),
/// each rank runs its own with the backend's threads, and every rank's per-batch sums and counts are
/// gathered (in rank order, which is batch order) and reduced in batch order (<see cref="EpResult.Reduce"/>),
/// so one backend and path gives the same bits on any number of ranks and threads. A result that
/// changes between repeats is an error.
/// </summary>
internal static class EpBench
{
    /// <summary>This rank's batches: a contiguous part of [0, batches).</summary>
    public static IndexRange Mine(IJob job, EpClass size) => RangeSplitter.Part(new IndexRange(0, size.Batches), job.Size, job.Rank);

    /// <summary>One untimed run over the job: the result, known to every rank.</summary>
    public static EpResult Once(IJob job, IEpKernel kernel, EpClass size, int threads) =>
        Combine(job, Compute(kernel, Mine(job, size), threads));

    /// <summary>
    /// Seconds one run of <paramref name="size"/> takes over the job (the slowest rank), after an
    /// untimed run of one batch a rank: a probe run for calibrating sizes.
    /// </summary>
    public static double Probe(IJob job, IEpKernel kernel, EpClass size, int threads)
    {
        Compute(kernel, new IndexRange(job.Rank, job.Rank + 1), threads);
        job.Barrier();
        long start = Stopwatch.GetTimestamp();
        Combine(job, Compute(kernel, Mine(job, size), threads));
        return job.MaxAll(Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    /// <summary>
    /// <paramref name="warmup"/> untimed runs, then timed ones as <paramref name="repeat"/> says. Every
    /// rank sees the same timings (the slowest rank's) and the same result, so every rank stops after
    /// the same run and fails alike.
    /// </summary>
    public static EpMeasurement Run(IJob job, IEpKernel kernel, EpClass size, int threads, RepeatPolicy repeat, int warmup)
    {
        IndexRange mine = Mine(job, size);
        EpResult? result = null;
        for (int i = 0; i < warmup; i++)
        {
            result = Same(kernel, result, Combine(job, Compute(kernel, mine, threads)));
        }

        var seconds = new List<double>(repeat.MinRuns);
        var compute = new List<double>(repeat.MinRuns);
        var communication = new List<double>(repeat.MinRuns);
        while (!repeat.Done(seconds))
        {
            job.Barrier();
            job.TakeCommunicationSeconds();
            long start = Stopwatch.GetTimestamp();
            RankPart part;
            using (Tracing.Span($"ep {kernel.Backend}", "compute", $"{threads} thread(s), batches {mine}"))
            {
                part = Compute(kernel, mine, threads);
            }

            compute.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            EpResult total;
            using (Tracing.Span("gather and reduce in batch order", "mpi"))
            {
                total = Combine(job, part);
            }

            double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
            communication.Add(job.TakeCommunicationSeconds());
            seconds.Add(job.MaxAll(wall));
            result = Same(kernel, result, total);
        }

        double[] rankCompute = job.GatherAll([TimingStats.From(compute).Median]);
        double[] rankCommunication = job.GatherAll([TimingStats.From(communication).Median]);
        return new EpMeasurement(kernel.Backend, kernel.Path, threads, job.Size, size, result!, seconds, rankCompute, rankCommunication.Max());
    }

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

    /// <summary>One rank's share: its counts q0..q9 and its batches' sums (4 per batch, in batch order).</summary>
    private sealed record RankPart(long[] Counts, double[] BatchSums);

    private static RankPart Compute(IEpKernel kernel, IndexRange mine, int threads)
    {
        var sums = new double[checked((int)(EpArguments.SumsPerBatch * mine.Length))];
        var counts = new long[EpArguments.Annuli];
        kernel.Run(mine.Begin, mine.Length, threads, sums, counts);
        return new RankPart(counts, sums);
    }

    // Every rank's part, in rank order: ranks hold contiguous batch ranges in rank order, so the
    // concatenated sums are in batch order, and reduced one batch after the other.
    private static EpResult Combine(IJob job, RankPart part)
    {
        if (job.Size == 1)
        {
            return EpResult.Reduce(part.BatchSums, part.Counts);
        }

        byte[] mine = [.. MemoryMarshal.AsBytes(part.Counts.AsSpan()), .. MemoryMarshal.AsBytes(part.BatchSums.AsSpan())];
        byte[][] all = job.GatherAll(mine);
        int countBytes = EpArguments.Annuli * sizeof(long);
        var counts = new long[EpArguments.Annuli];
        var sums = new List<double>();
        foreach (byte[] rank in all)
        {
            ReadOnlySpan<long> q = MemoryMarshal.Cast<byte, long>(rank.AsSpan(0, countBytes));
            for (int l = 0; l < EpArguments.Annuli; l++)
            {
                counts[l] += q[l];
            }

            sums.AddRange(MemoryMarshal.Cast<byte, double>(rank.AsSpan(countBytes)));
        }

        return EpResult.Reduce(CollectionsMarshal.AsSpan(sums), counts);
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

    /// <summary>NPB's Mop/s: 2^(M+1) randoms / median seconds / 1e6.</summary>
    public double Mops => Size.Operations / Stats.Median / 1e6;

    /// <summary>Mop/s per worker (ranks x threads).</summary>
    public double MopsPerWorker => Mops / (Ranks * (double)Threads);

    /// <summary>How much longer the slowest rank computed than the average rank (0 = perfect).</summary>
    public double Imbalance => LoadImbalance.Of(RankComputeSeconds);
}
