using System.Globalization;
using Interop.Cli.Workloads;
using Interop.Cli.Workloads.Inv;
using Interop.Cli.Workloads.Pi;
using Interop.Core;

namespace Interop.Cli.Compare;

/// <summary>The console tables of a compare run: one per workload.</summary>
internal static class CompareTables
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Write(TextWriter output, CompareRun run)
    {
        foreach (IGrouping<string, ComparePoint> workload in run.Points.GroupBy(p => p.Workload))
        {
            IWorkload kind = WorkloadRegistry.Named(workload.Key);
            bool pi = kind is PiWorkload;
            output.WriteLine(pi ? kind.Title : $"{kind.Title}, {kind.SizeName} = {workload.First().Size}");
            // pi rows may throw different numbers of darts (the serial baseline fewer): the rates compare, the seconds do not.
            // inv: "% of peak" against the FMA limit of the row's path, then "over dgemm"; pi: darts/s/core.
            string[] header = [
                "backend", "isa", "ranks x threads", kind.SizeName, "median", "95% CI", "runs", workload.First().ThroughputUnit,
                .. pi ? ["darts/s/core"] : (string[])["% of peak", "over dgemm"], "speedup", "efficiency", "native/managed", "check"];
            string[] Row(ComparePoint p) =>
            [
                p.Backend,
                p.Isa,
                CompareSummary.Shape(p),
                FormatSize(p),
                Units.Seconds(p.Stats.Median),
                StatsText.Ci(p.Stats),
                p.Seconds.Count.ToString(Invariant),
                FormatRate(p.Throughput, p.ThroughputUnit),
                FormatPerCoreOrPeak(p),
                .. pi ? Array.Empty<string>() : [PeakText.Over(p.OverDgemm)],
                FormatRatio(CompareMetrics.SpeedupRatio(run, p), withNoise: p.Backend != CompareMetrics.Baseline || p.Workers > 1),
                CompareMetrics.EfficiencyRatio(run, p) is RatioEstimate e ? e.Scale(100).Format("0", "%") : "-",
                FormatRatio(CompareMetrics.OverManagedRatio(run, p), withNoise: true),
                (p.Verified ? "ok " : "FAILED ") + p.Check,
            ];
            var rows = workload.Select(Row).ToList();
            TextTable.Write(output, header, rows, rightAligned: [false, false, .. header.Skip(2).SkipLast(1).Select(_ => true), false]);
            if (!pi)
            {
                foreach (string line in PeakLines(run, [.. workload]))
                {
                    output.WriteLine(line);
                }
            }

            if (!pi && workload.Any(p => p.Ranks > 1) && workload.Any(p => p.Ranks == 1))
            {
                output.WriteLine($"ranks: {string.Join(", ", workload.Where(p => p.Ranks > 1).Select(p => p.Backend).Distinct())} ran on every rank, " +
                    "the other inversion backends on rank 0 alone (1 x threads); % of peak is per rank");
            }

            output.WriteLine();
        }

        if (CompareMetrics.SeveralPaths(run))
        {
            WritePaths(output, run);
        }

        if (NoiseWarning(run) is string warning)
        {
            output.WriteLine(warning);
            output.WriteLine();
        }
    }

    /// <summary>
    /// The lines under an inversion table: the FMA limits the rows were held against (each naming
    /// its path), OpenBLAS's dgemm rates (naming OpenBLAS's path), the mark of a row above its limit;
    /// for a run read from a file older than schema 5, that its peak was dgemm's.
    /// </summary>
    public static IEnumerable<string> PeakLines(CompareRun run, IReadOnlyList<ComparePoint> inv)
    {
        bool perRank = inv.Any(p => p.Ranks > 1);
        if (inv.Any(p => p.PeakGflops is not null))
        {
            yield return PeakText.LimitsLine(inv.Where(p => p.PeakGflops is not null).Select(p => (p.Isa, p.Threads, p.PeakGflops!.Value)), perRank);
        }
        else if (run.SchemaVersion < Schema.ResultDocument.FmaLimitVersion && inv.Any(p => p.DgemmGflops is not null))
        {
            yield return $"peak: none (schema {run.SchemaVersion}: its peak was OpenBLAS's dgemm, shown as over dgemm)";
        }

        if (inv.Where(p => p.DgemmGflops is not null).ToList() is { Count: > 0 } dgemm)
        {
            string openBlas = run.Environment.FirstOrDefault(e => e.Key == "isa_openblas").Value is string path ? $"on {path}" : "on its own path";
            yield return PeakText.DgemmLine($"OpenBLAS dgemm {openBlas}", $"n = {Math.Min(dgemm[0].Size, InvBench.MaxDgemmOrder).ToString(Invariant)}",
                dgemm.Select(p => (p.Threads, p.DgemmGflops!.Value)), perRank);
        }

        if (inv.Any(p => p.AbovePeak))
        {
            yield return PeakText.AboveLine;
        }
    }

    /// <summary>The run's one noise warning line, or null when no point is noisy.</summary>
    public static string? NoiseWarning(CompareRun run) =>
        StatsText.NoiseWarning([.. run.Points.Select(p => ($"{p.Workload} {CompareMetrics.Series(run, p)} {CompareSummary.Shape(p)}", p.Stats))]);

    /// <summary>A ratio cell: "1.07x ± 0.03", with " (within noise)" when asked and its interval includes 1; "-" when there is none.</summary>
    public static string FormatRatio(RatioEstimate? ratio, bool withNoise = false) =>
        ratio is RatioEstimate r ? withNoise ? r.FormatWithNoise() : r.Format() : "-";

    /// <summary>
    /// compare --isa all: one row per workload, backend and shape, one column per path, so that a
    /// reader sees what each instruction set is worth to each language (inversion: GFLOP/s and % of
    /// the FMA limit of that path; pi: darts/s/core).
    /// </summary>
    public static void WritePaths(TextWriter output, CompareRun run)
    {
        string[] paths = [.. run.Parameters.First(p => p.Key == "isa").Value!.Split(',')];
        output.WriteLine("Every path (pi: darts/s/core; inv: GFLOP/s and % of peak; a backend whose path does not follow the switch appears once)");
        string[] header = ["workload", "backend", "ranks x threads", .. paths];
        var rows = new List<string[]>();
        foreach (var row in run.Points.GroupBy(p => (p.Workload, p.Backend, p.Ranks, p.Threads)))
        {
            rows.Add([row.Key.Workload, row.Key.Backend, $"{row.Key.Ranks}x{row.Key.Threads}",
                .. paths.Select(path => row.FirstOrDefault(p => p.Isa == path) is ComparePoint p
                    ? p.Workload == PiWorkload.Instance.Name ? FormatPerCoreOrPeak(p) : $"{FormatRate(p.Throughput, p.ThroughputUnit)} ({FormatPerCoreOrPeak(p)})"
                    : "-")]);
        }

        TextTable.Write(output, header, rows, rightAligned: [false, false, true, .. paths.Select(_ => true)]);
        output.WriteLine();
    }

    /// <summary>A throughput as every table and sentence prints it: darts/s as 1.26e9, GFLOP/s as 29.7.</summary>
    public static string FormatRate(double value, string unit) =>
        unit == "darts/s" ? value.ToString("0.00e0", Invariant) : Units.Rate(value);

    /// <summary>A row's second rate: darts/s per core for pi, % of its path's FMA limit for inv ("112%!" above it, "-" when unknown).</summary>
    public static string FormatPerCoreOrPeak(ComparePoint p) =>
        p.Workload == PiWorkload.Instance.Name ? FormatRate(p.ThroughputPerWorker, p.ThroughputUnit) : PeakText.Percent(p.PercentOfPeak);

    /// <summary>Darts as 1.6e9, a matrix order as 2400; "-" where unknown (an older results.json).</summary>
    public static string FormatSize(ComparePoint p) =>
        p.Size <= 0 ? "-" : p.Workload == PiWorkload.Instance.Name ? p.Size.ToString("0.0#e0", Invariant) : p.Size.ToString(Invariant);

    private static string Format(double? value, string format, string unit) =>
        value is double v ? v.ToString(format, Invariant) + unit : "-";
}
