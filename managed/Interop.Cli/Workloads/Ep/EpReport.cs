using System.Globalization;
using Interop.Backends.Ep;
using Interop.Cli.Commands;
using Interop.Cli.Jobs;
using Interop.Cli.Schema;
using Interop.Core;

namespace Interop.Cli.Workloads.Ep;

/// <summary>Measured EP results and their checks (<see cref="EpCheck"/>), as text or as the schema's document.</summary>
internal sealed class EpReport(EpOptions options, string job, IReadOnlyList<EpMeasurement> results, EpCheck check) : IRunReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public Verdict Verdict => check.Verdict;

    /// <summary>Each rank's threads when the job is heterogeneous (declared in the header); null otherwise.</summary>
    public RankThreads? Heterogeneous { get; init; }

    /// <summary>"class S (2^24 = 16,777,216 pairs in 256 batches)" or "M = 17 (...)".</summary>
    public static string SizeText(EpClass size) =>
        $"{(size.IsNpbClass ? $"class {size.Name}" : $"M = {size.M}")} (2^{size.M} = {size.Pairs.ToString("N0", Invariant)} pairs in {size.Batches.ToString("N0", Invariant)} batches)";

    // The one speedup definition (Speedups): over the same backend on 1 x 1, which a run of one thread
    // count measures only for its 1 x 1 rows; the others are over managed-serial, named under the table.
    private static SpeedupPoint Describe(EpMeasurement r) => new(r.Backend, IsaNames.Name(r.Isa), r.Ranks, r.Threads, r.Size.Pairs, r.Size.Operations, r.Stats);

    private Speedup? SpeedupOf(EpMeasurement r) => Speedups.Of(r, results, Describe);

    public string CheckLine => check.Line();

    public void WriteText(TextWriter output)
    {
        int ranks = results[0].Ranks;
        string sums = options.Variant == EpVariant.Npb34 ? "sx = sum |t3|, sy = sum |t4|" : "sx = sum t3, sy = sum t4";
        (string beforeThreads, string inThreads) = options.Schedule.HeaderText(options.Size.Batches, ranks, options.Threads.Threads, job);
        output.WriteLine(
            $"NPB EP {SizeText(options.Size)}, {EpVerification.Name(options.Variant)} ({sums}); {beforeThreads}" +
            $"{options.Threads.Threads} thread(s) per parallel backend (from {options.Threads.Source}{inThreads}), " +
            StatsText.Runs(options.Repeats, options.Warmup, results.Select(r => r.Seconds.Count)));
        if (Heterogeneous is RankThreads heterogeneous)
        {
            output.WriteLine($"heterogeneous job: {heterogeneous.Describe()}");
        }

        output.WriteLine($"Environment: {EnvironmentInfo.Summary()}");
        output.WriteLine();

        IReadOnlyList<TableColumn> columns = EpWorkload.Instance.CommandColumns(ranks > 1);
        var rows = results.Select((r, i) =>
        {
            (double sx, double sy) = EpCheck.Sums(r.Result, options.Variant);
            return new[]
            {
                r.Backend,
                IsaNames.Name(r.Isa),
                r.Ranks.ToString(Invariant),
                RankThreads.Text(r.Threads, r.RankThreads),
                r.Size.IsNpbClass ? r.Size.Name : "-",
                r.Size.M.ToString(Invariant),
                r.Result.Pairs.ToString(Invariant),
                EpCheck.Sum(sx),
                EpCheck.Sum(sy),
                Units.Seconds(r.Stats.Median),
                StatsText.Ci(r.Stats),
                r.Seconds.Count.ToString(Invariant),
                r.Mops.ToString("0.0", Invariant),
                r.MopsPerWorker.ToString("0.0", Invariant),
                SpeedupOf(r) is Speedup s ? s.Ratio.Format() : "-",
                check.Column(i),
            };
        }).ToList();
        if (ranks > 1)
        {
            // Per-rank compute times gathered to rank 0: how evenly the split loaded the ranks.
            rows = [.. rows.Zip(results, (row, r) => (string[])[.. row,
                $"{Units.Seconds(r.RankComputeSeconds.Min())} - {Units.Seconds(r.RankComputeSeconds.Max())}",
                r.Imbalance.ToString("P1", Invariant),
                Units.Seconds(r.CommunicationSeconds)])];
        }

        TextTable.Write(output, columns, rows, options.Columns);
        if (Speedups.Legend(results.Select(r => (Describe(r), SpeedupOf(r)))) is string speedups)
        {
            output.WriteLine(speedups);
        }

        output.WriteLine(StatsText.CiLegend);
        foreach (EpMeasurement r in results.Where(r => r.Ranks > 1))
        {
            // Under every schedule: each rank's compute seconds, threads and batches, and the slowest over the mean.
            output.WriteLine(TaskPoolGather.LoadLine(
                r.Backend, options.Schedule.Kind.ToString().ToLowerInvariant(), r.RankComputeSeconds, RankItems(r),
                r.RankThreads ?? [.. Enumerable.Repeat(r.Threads, r.Ranks)], ScheduleUnit.EpBatches.Plural, b => b.ToString(Invariant)));
            if (r.Pool is not null)
            {
                output.WriteLine(TaskPoolGather.Line(r.Backend, r.Pool, ScheduleUnit.EpBatches.Plural, b => b.ToString(Invariant)));
            }
        }

        output.WriteLine();
        EpResult first = results[0].Result;
        output.WriteLine($"pairs accepted: {first.Pairs.ToString(Invariant)}; q0..q9: {string.Join(" ", first.Counts.Select(q => q.ToString(Invariant)))}" +
            (check.Verdict.Passed ? $" (identical on all {results.Count} backend(s))" : $" ({results[0].Backend})"));
        output.WriteLine(CheckLine);
        if (StatsText.NoiseWarning([.. results.Select(r => ($"{r.Backend} {RankThreads.Shape(r.Ranks, r.Threads, r.RankThreads)}", r.Stats))]) is string warning)
        {
            output.WriteLine(warning);
        }
    }

    /// <summary>The run as the schema's document (<see cref="ResultDocument"/>, kind "ep"), EP's own keys from <see cref="EpFields"/>.</summary>
    public ResultDocument Document() =>
        Documents.OfThisProcess(
            EpWorkload.Instance.Name,
            check.Verdict.Passed,
            new RunParameters
            {
                Workloads = [EpWorkload.Instance.Name],
                Isa = [IsaNames.Name(options.Isa.Isa)],
                IsaSource = options.Isa.Source,
                Threads = [options.Threads.Threads],
                ThreadsSource = Heterogeneous is RankThreads h ? $"heterogeneous job: {h.Describe()}" : options.Threads.Source,
                Ranks = results.Count > 0 ? results[0].Ranks : 1,
                Job = job,
                Repeat = options.Repeat,
                Warmup = options.Warmup,
                OwnParameters = EpFields.Parameters(options.Size, options.Variant),
            },
            [.. results.Select((r, i) => EpFields.Point(r, check, i) with
            {
                Speedup = Documents.Finite(SpeedupOf(r)?.Ratio.Value),
                SpeedupReference = SpeedupOf(r)?.ReferenceName,
                Schedule = options.Schedule.Text,
                RankComputeSeconds = r.RankComputeSeconds,
                LoadImbalance = Documents.Finite(r.Imbalance),
                MpiSeconds = r.CommunicationSeconds,
                RankChunks = r.Pool?.Chunks,
                RankItems = RankItems(r),
                RankBusySeconds = r.Pool?.BusySeconds,
                RankThreadChunks = r.Pool?.ThreadChunks,
                RankThreadBusySeconds = r.Pool?.ThreadBusySeconds,
            })]);

    // The pool's batches per rank, or the static split's ranges (every rank an equal range).
    private static IReadOnlyList<long> RankItems(EpMeasurement r) => r.Pool?.Items ?? EpBench.StaticItems(r.Ranks, r.Size);
}
