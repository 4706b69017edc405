using System.Globalization;
using Interop.Cli.Commands;
using Interop.Cli.Schema;
using Interop.Core;
using Interop.Native;

namespace Interop.Cli.Workloads.Inv;

/// <summary>Measured inversion results and their verdict (<see cref="InvRun.Verify"/>), as text or as the schema's document.</summary>
internal sealed class InvReport(InvOptions options, int n, double generateSeconds, string? openBlas, IReadOnlyList<InvResult> measured, Verdict verdict) : IRunReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    // Every row held against the limit kept for its path and threads: a later row that beat a limit
    // had it measured again, and the rows before it are held against the same, better one.
    private readonly IReadOnlyList<InvResult> results = [.. measured.Select(r => r with { Limit = FmaLimits.Latest(r.Limit) })];

    public Verdict Verdict => verdict;

    /// <summary>The job the run ran in ("single process", "MPI, 2 rank(s) ...").</summary>
    public string Job { get; init; } = "single process";

    /// <summary>The job's ranks: a distributed backend ran on all of them, the others on rank 0.</summary>
    public int Ranks { get; init; } = 1;

    /// <summary>True when rank 0 never held the matrix: a distributed backend generated its blocks on every rank.</summary>
    public bool GeneratedInPlace { get; init; }

    private bool Verified => verdict.Passed;

    private string Source => options.Input is string path ? $"matrix from {path}" : $"A = R∘Rᵀ, seed {options.Seed}";

    // The one speedup definition (Speedups): over the same backend on 1 x 1, which a run of one thread
    // count measures only for its 1 x 1 rows; the others are over managed-serial, named under the table.
    private static SpeedupPoint Describe(InvResult r) => new(r.Backend, IsaNames.Name(r.Isa), r.Ranks, r.Threads, r.N, 2.0 * r.N * r.N * r.N, r.Stats);

    private Speedup? SpeedupOf(InvResult r) => Speedups.Of(r, results, Describe);

    /// <summary>The check line with the verdict's failure after it, where a check failed (the table's check column says which).</summary>
    public string CheckLine => Verified ? ResidualLine : $"{ResidualLine}; FAILED, {verdict.Failure}";

    private string ResidualLine =>
        $"check: scaled residual ||I - A X||_1 / (n eps ||A||_1 ||X||_1) must be <= {InvResult.ResidualThreshold}" +
        (options.Check == InvCheck.Estimate ? " (||I - A X||_1 estimated: LAPACK's dlacn2, a lower bound; --check full computes it)" : string.Empty) + "; " +
        $"checks took {Units.Seconds(results.Sum(r => r.CheckSeconds))} in all" +
        (options.Output is string path
            ? Verified ? $"; inverse from {results[0].Backend} written to {path}" : $"; {path} not written (a check failed)"
            : string.Empty);

    public void WriteText(TextWriter output)
    {
        output.WriteLine(
            $"Matrix inversion: n = {n}, {Source} ({(GeneratedInPlace ? "generated in place on every rank" : $"{(options.Input is null ? "generated" : "loaded")} in {Units.Seconds(generateSeconds)}")}), " +
            $"{options.Threads.Threads} thread(s) per parallel backend (from {options.Threads.Source}), " +
            StatsText.Runs(options.Repeats, options.Warmup, results.Select(r => r.Seconds.Count)));
        output.WriteLine($"Environment: {EnvironmentInfo.Summary()}");
        output.WriteLine($"OpenBLAS: {openBlas ?? "not available"}");
        output.WriteLine();

        // A distributed backend ran on every rank: its rows say ranks x threads, and so do the
        // others', which ran on rank 0 alone (1xT).
        bool distributed = results.Any(r => r.Ranks > 1);
        IReadOnlyList<TableColumn> columns = InvWorkload.Instance.CommandColumns(distributed);
        var rows = results.Select(r => new[]
        {
            r.Backend,
            IsaNames.Name(r.Isa),
            distributed ? $"{r.Ranks}x{r.Threads}" : r.Threads.ToString(Invariant),
            r.N.ToString(Invariant),
            Units.Seconds(r.Stats.Median),
            StatsText.Ci(r.Stats),
            r.Seconds.Count.ToString(Invariant),
            Units.Rate(r.Gflops),
            PeakText.Percent(r.PercentOfPeak),
            PeakText.Over(r.OverDgemm),
            SpeedupOf(r) is Speedup s ? s.Ratio.Format() : "-",
            r.Residual.ToString("G3", Invariant),
            r.MaxDifferenceFromLapack is double d ? d.ToString("0.0e+00", Invariant) : "-",
            r.Verified ? "ok" : "FAILED",
        }).ToList();
        TextTable.Write(output, columns, rows, options.Columns);
        if (Speedups.Legend(results.Select(r => (Describe(r), SpeedupOf(r)))) is string speedups)
        {
            output.WriteLine(speedups);
        }

        output.WriteLine(StatsText.CiLegend);
        output.WriteLine();
        output.WriteLine(ResidualLine);
        bool perRank = results.Any(r => r.Ranks > 1);
        if (results.Any(r => r.Limit is not null))
        {
            output.WriteLine(PeakText.LimitsLine(results.Select(r => r.Limit).OfType<PathLimit>().Select(l => (IsaNames.Name(l.Isa), l.Threads, l.Gflops)), perRank));
        }
        else
        {
            output.WriteLine(options.MeasurePeak ? "peak: not measured (no native library)" : "peak: not measured (one run, no warm-up; --repeat times it)");
        }

        if (results.Select(r => r.Dgemm).OfType<DgemmRate>().ToList() is { Count: > 0 } dgemm)
        {
            output.WriteLine(PeakText.DgemmLine(PeakText.OpenBlasDgemm(dgemm[0]), $"n = {dgemm[0].N.ToString(Invariant)}", dgemm.Select(d => (d.Threads, d.Gflops)), perRank));
        }

        if (results.Any(r => r.AbovePeak))
        {
            output.WriteLine(PeakText.AboveLine);
        }

        if (StatsText.NoiseWarning([.. results.Select(r => ($"{r.Backend} {r.Ranks}x{r.Threads}", r.Stats))]) is string warning)
        {
            output.WriteLine(warning);
        }
    }

    /// <summary>The run as the schema's document (<see cref="ResultDocument"/>, kind "inv").</summary>
    public ResultDocument Document() =>
        Documents.OfThisProcess(
            "inv",
            Verified,
            new RunParameters
            {
                Workloads = ["inv"],
                N = n,
                Seed = options.Input is null ? options.Seed : null,
                Input = options.Input,
                Output = Verified ? options.Output : null,
                Isa = [IsaNames.Name(options.Isa.Isa)],
                IsaSource = options.Isa.Source,
                Threads = [options.Threads.Threads],
                ThreadsSource = options.Threads.Source,
                Ranks = Ranks,
                Job = Job,
                Repeat = options.Repeat,
                Warmup = options.Warmup,
                ResidualCheck = options.Check == InvCheck.Estimate ? "estimate" : "full",
                GenerateSeconds = generateSeconds,
            },
            [.. results.Select(r => Documents.Point(InvWorkload.Instance, r.Backend, r.Isa, r.Ranks, r.Threads, null, r.N, options.Input is null ? options.Seed : null,
                r.Seconds, r.Verified, $"residual={r.Residual.ToString("G3", Invariant)}") with
            {
                PeakGflops = r.Limit?.Gflops,
                PeakSource = r.Limit is null ? null : MeasuredPoint.FmaLimitSource,
                FractionOfPeak = Documents.Finite(r.PercentOfPeak / 100),
                AbovePeak = r.Limit is null ? null : r.AbovePeak,
                DgemmGflops = r.Dgemm?.Gflops,
                OverDgemm = Documents.Finite(r.OverDgemm),
                Speedup = Documents.Finite(SpeedupOf(r)?.Ratio.Value),
                SpeedupReference = SpeedupOf(r)?.ReferenceName,
                Residual = Documents.Finite(r.Residual),
                ResidualThreshold = InvResult.ResidualThreshold,
                MaxAbsDiffVsLapack = Documents.Finite(r.MaxDifferenceFromLapack),
                CheckSeconds = r.CheckSeconds,
            })],
            Documents.Environment(EnvironmentInfo.Collect()) with { Openblas = openBlas });
}
