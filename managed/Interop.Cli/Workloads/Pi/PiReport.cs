using System.Globalization;
using Interop.Cli.Commands;
using Interop.Cli.Jobs;
using Interop.Cli.Schema;
using Interop.Core;

namespace Interop.Cli.Workloads.Pi;

/// <summary>Measured pi results and their verdict (<see cref="PiRun.Verify"/>), as text or as the schema's document.</summary>
internal sealed class PiReport(PiOptions options, string job, IReadOnlyList<PiResult> results, Verdict verdict) : IRunReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public Verdict Verdict => verdict;

    /// <summary>Each rank's threads when the job is heterogeneous (declared in the header); null otherwise.</summary>
    public RankThreads? Heterogeneous { get; init; }

    private bool Verified => verdict.Passed;

    // The one speedup definition (Speedups): over the same backend on 1 x 1, which a run of one thread
    // count measures only for its 1 x 1 rows; the others are over managed-serial, named under the table.
    private static SpeedupPoint Describe(PiResult r) => new(r.Backend, IsaNames.Name(r.Isa), r.Ranks, r.Threads, r.Darts, r.Darts, r.Stats);

    private Speedup? SpeedupOf(PiResult r) => Speedups.Of(r, results, Describe);

    public string CheckLine => Verified
        ? $"check: all {results.Count} backend(s) counted exactly {results[0].Inside} darts inside"
        : $"check: FAILED, {verdict.Failure}";

    public void WriteText(TextWriter output)
    {
        int ranks = results[0].Ranks;
        (string beforeThreads, string inThreads) = options.Schedule.HeaderText(options.Darts, ranks, options.Threads.Threads, job);
        output.WriteLine(
            $"Monte Carlo pi: {options.Darts.ToString("N0", Invariant)} darts, seed {options.Seed}, {beforeThreads}" +
            $"{options.Threads.Threads} thread(s) per parallel backend (from {options.Threads.Source}{inThreads}), " +
            StatsText.Runs(options.Repeats, options.Warmup, results.Select(r => r.Seconds.Count)));
        if (Heterogeneous is RankThreads heterogeneous)
        {
            output.WriteLine($"heterogeneous job: {heterogeneous.Describe()}");
        }

        output.WriteLine($"Environment: {EnvironmentInfo.Summary()}");
        output.WriteLine();

        bool taskPool = results.Any(r => r.Pool is not null);
        IReadOnlyList<TableColumn> columns = PiWorkload.Instance.CommandColumns(ranks > 1, taskPool);
        var rows = results.Select(r => (string[])
        [
            r.Backend,
            IsaNames.Name(r.Isa),
            r.Ranks.ToString(Invariant),
            RankThreads.Text(r.Threads, r.RankThreads),
            r.Darts.ToString(Invariant),
            r.Inside.ToString(Invariant),
            r.Estimate.ToString("F8", Invariant),
            r.AbsoluteError.ToString("0.0e+00", Invariant),
            Units.Seconds(r.Stats.Median),
            StatsText.Ci(r.Stats),
            r.Seconds.Count.ToString(Invariant),
            r.DartsPerSecond.ToString("0.00e0", Invariant),
            r.DartsPerSecondPerCore.ToString("0.00e0", Invariant),
            SpeedupOf(r) is Speedup s ? s.Ratio.Format() : "-",
            Verified ? "ok" : "MISMATCH",
            // Per-rank compute times gathered to rank 0: how evenly the split loaded the ranks.
            .. ranks > 1
                ? [$"{Units.Seconds(r.RankComputeSeconds.Min())} - {Units.Seconds(r.RankComputeSeconds.Max())}", r.Imbalance.ToString("P1", Invariant), Units.Seconds(r.CommunicationSeconds)]
                : Array.Empty<string>(),
            // What each rank ran of the task pool: the darts a dynamic schedule moved to the faster ranks.
            .. taskPool ? PoolCells(r.Pool) : Array.Empty<string>(),
        ]).ToList();

        TextTable.Write(output, columns, rows, options.Columns);
        if (Speedups.Legend(results.Select(r => (Describe(r), SpeedupOf(r)))) is string speedups)
        {
            output.WriteLine(speedups);
        }

        output.WriteLine(StatsText.CiLegend);
        foreach (PiResult r in results.Where(r => r.Ranks > 1))
        {
            output.WriteLine(LoadLine(r));
            if (r.Pool is not null)
            {
                output.WriteLine(PoolLine(r.Backend, r.Pool));
            }
        }

        output.WriteLine();
        output.WriteLine(CheckLine);
        if (StatsText.NoiseWarning([.. results.Select(r => ($"{r.Backend} {RankThreads.Shape(r.Ranks, r.Threads, r.RankThreads)}", r.Stats))]) is string warning)
        {
            output.WriteLine(warning);
        }
    }

    private static string[] PoolCells(TaskPoolLoad? pool) => pool is null
        ? ["-", "-", "-"]
        : [$"{pool.Chunks.Min().ToString(Invariant)} - {pool.Chunks.Max().ToString(Invariant)}",
            $"{Darts(pool.Items.Min())} - {Darts(pool.Items.Max())}",
            $"{Units.Seconds(pool.BusySeconds.Min())} - {Units.Seconds(pool.BusySeconds.Max())}"];

    internal static string PoolLine(string backend, TaskPoolLoad pool) => TaskPoolGather.Line(backend, pool, "darts", Darts);

    // Under every schedule: each rank's compute seconds, threads and darts, and the slowest over the mean.
    private string LoadLine(PiResult r) => TaskPoolGather.LoadLine(
        r.Backend, options.Schedule.Kind.ToString().ToLowerInvariant(), r.RankComputeSeconds, RankItems(r),
        r.RankThreads ?? [.. Enumerable.Repeat(r.Threads, r.Ranks)], "darts", Darts);

    // The pool's darts per rank, or the static split's ranges (every rank an equal range).
    private static IReadOnlyList<long> RankItems(PiResult r) => r.Pool?.Items ?? PiBench.StaticItems(r.Ranks, r.Darts);

    private static string Darts(long darts) => darts == 0 ? "0" : darts.ToString(PiWorkload.Instance.SizeFormat, Invariant);

    /// <summary>The run as the schema's document (<see cref="ResultDocument"/>, kind "pi").</summary>
    public ResultDocument Document() =>
        Documents.OfThisProcess(
            "pi",
            Verified,
            new RunParameters
            {
                Workloads = ["pi"],
                Darts = options.Darts,
                Seed = options.Seed,
                Isa = [IsaNames.Name(options.Isa.Isa)],
                IsaSource = options.Isa.Source,
                Threads = [options.Threads.Threads],
                ThreadsSource = Heterogeneous is RankThreads h ? $"heterogeneous job: {h.Describe()}" : options.Threads.Source,
                Ranks = results.Count > 0 ? results[0].Ranks : 1,
                Job = job,
                Repeat = options.Repeat,
                Warmup = options.Warmup,
            },
            [.. results.Select(r => Documents.Point(PiWorkload.Instance, r.Backend, r.Isa, r.Ranks, r.Threads, r.Darts, null, r.Seed, r.Seconds, Verified,
                $"inside={r.Inside.ToString(Invariant)}" + (Verified ? string.Empty : " (backends disagree)"), r.RankThreads) with
            {
                Speedup = Documents.Finite(SpeedupOf(r)?.Ratio.Value),
                SpeedupReference = SpeedupOf(r)?.ReferenceName,
                Inside = r.Inside,
                Estimate = r.Estimate,
                AbsError = r.AbsoluteError,
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
}
