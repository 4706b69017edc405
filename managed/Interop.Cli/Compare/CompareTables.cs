using System.Globalization;
using Interop.Cli.Workloads;
using Interop.Core;

namespace Interop.Cli.Compare;

/// <summary>The console tables of a compare run: one per workload.</summary>
internal static class CompareTables
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// The columns of <paramref name="workload"/>'s table: backend, isa, ranks x threads, size, median, its CI, runs,
    /// throughput, per worker (or % of peak and over dgemm), speedup, efficiency, native/managed, its own fields, check.
    /// </summary>
    public static IReadOnlyList<TableColumn> Columns(IWorkload workload) =>
    [
        CommonColumns.Backend, CommonColumns.Isa, CommonColumns.Shape, CommonColumns.SizeOf(workload), CommonColumns.Median, CommonColumns.Ci,
        CommonColumns.Runs, CommonColumns.ThroughputOf(workload),
        .. workload.HasPeak ? [CommonColumns.Peak, CommonColumns.OverDgemm] : (TableColumn[])[CommonColumns.PerWorker.As(PerWorkerHeading(workload.ThroughputUnit))],
        CommonColumns.Speedup, CommonColumns.Efficiency, CommonColumns.OverManaged, .. workload.OwnColumns, CommonColumns.Check,
    ];

    /// <summary>Every column a compare table may have (--columns' names).</summary>
    public static IEnumerable<TableColumn> AllColumns => WorkloadRegistry.All.SelectMany(Columns);

    /// <summary>
    /// Every workload's table, its columns fitted to the terminal unless <paramref name="columns"/> says otherwise;
    /// <paramref name="smokeRun"/> (compare --quick) says in each title that its few short runs make no ratio conclusive.
    /// </summary>
    public static void Write(TextWriter output, CompareRun run, ColumnChoice columns, bool smokeRun = false)
    {
        foreach (IGrouping<string, ComparePoint> workload in run.Points.GroupBy(p => p.Workload))
        {
            IWorkload kind = WorkloadRegistry.Named(workload.Key);
            ComparePoint[] points = [.. workload];
            output.WriteLine(kind.TableTitle(points) + (smokeRun ? SmokeRunNote(points) : string.Empty));
            // Rows may differ in size (pi's serial baseline throws fewer darts): the rates compare, the seconds do not.
            // A workload with a peak: "% of peak" against the FMA limit of the row's path, then "over dgemm"; else its unit per core.
            string[] Row(ComparePoint p) =>
            [
                CompareMetrics.BackendName(run, p),
                p.Isa,
                CompareSummary.Shape(p),
                FormatSize(p),
                Units.Seconds(p.Stats.Median),
                StatsText.Ci(p.Stats),
                p.Seconds.Count.ToString(Invariant),
                FormatRate(p.Throughput, p.ThroughputUnit),
                FormatPerCoreOrPeak(p),
                .. kind.HasPeak ? [PeakText.Over(p.OverDgemm)] : Array.Empty<string>(),
                FormatRatio(CompareMetrics.SpeedupRatio(run, p), withNoise: p.Workers > 1),
                CompareMetrics.EfficiencyRatio(run, p) is RatioEstimate e ? e.Scale(100).Format("0", "%") : "-",
                FormatRatio(CompareMetrics.OverManagedRatio(run, p), withNoise: true),
                .. OwnFieldCells(kind, p),
                (p.Verified ? "ok " : "FAILED ") + p.Check,
            ];
            var rows = points.Select(Row).ToList();
            TextTable.Write(output, Columns(kind), rows, columns);
            if (CompareMetrics.SpeedupLegend(run, points) is string speedups)
            {
                output.WriteLine(speedups);
            }

            output.WriteLine(StatsText.CiLegend);
            foreach (string line in LoadLines(run, kind, points))
            {
                output.WriteLine(line);
            }

            if (kind.HasPeak)
            {
                foreach (string line in PeakLines(run, points))
                {
                    output.WriteLine(line);
                }
            }

            if (points.Any(p => p.Ranks > 1) && points.Any(p => p.Ranks == 1) &&
                kind.MixedRanksNote(points.Where(p => p.Ranks > 1).Select(p => p.Backend).Distinct()) is string note)
            {
                output.WriteLine(note);
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
    /// Under the table of a workload that schedules its items, for each point measured on several ranks in this
    /// process: "load, c-openmp (dynamic): rank 0 (1 thread) computed ... ; slowest/mean 1.02", as pi's and ep's own
    /// commands say it, so that the schedules' imbalance shows beside their rates.
    /// </summary>
    public static IEnumerable<string> LoadLines(CompareRun run, IWorkload kind, IReadOnlyList<ComparePoint> points)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (kind.ScheduledItems is not ScheduleUnit unit)
        {
            yield break;
        }

        foreach (ComparePoint p in points.Where(p => p.RankComputeSeconds?.Count == p.Ranks && p.RankItems?.Count == p.Ranks && (p.RankThreads is null || p.RankThreads.Count == p.Ranks)))
        {
            yield return Jobs.TaskPoolGather.LoadLine(
                CompareMetrics.SeveralPaths(run) ? $"{p.Backend} [{p.Isa}]" : p.Backend, p.Schedule ?? "static", p.RankComputeSeconds!, p.RankItems!,
                p.RankThreads ?? [.. Enumerable.Repeat(p.Threads, p.Ranks)], unit.Plural, items => items.ToString("N0", Invariant));
        }
    }

    /// <summary>
    /// The lines under the table of a workload with a peak (an inversion's): the FMA limits the rows were held against (each naming
    /// its path), OpenBLAS's dgemm rates (naming OpenBLAS's path), the mark of a row above its limit;
    /// for a run read from a file older than schema 5, that its peak was dgemm's.
    /// </summary>
    public static IEnumerable<string> PeakLines(CompareRun run, IReadOnlyList<ComparePoint> points)
    {
        bool perRank = points.Any(p => p.Ranks > 1);
        if (points.Any(p => p.PeakGflops is not null))
        {
            yield return PeakText.LimitsLine(points.Where(p => p.PeakGflops is not null).Select(p => (p.Isa, p.Threads, p.PeakGflops!.Value)), perRank);
        }
        else if (run.SchemaVersion < Schema.ResultDocument.FmaLimitVersion && points.Any(p => p.DgemmGflops is not null))
        {
            yield return $"peak: none (schema {run.SchemaVersion}: its peak was OpenBLAS's dgemm, shown as over dgemm)";
        }

        if (points.Where(p => p.DgemmGflops is not null).ToList() is { Count: > 0 } dgemm)
        {
            string openBlas = run.Environment.FirstOrDefault(e => e.Key == "isa_openblas").Value is string path ? $"on {path}" : "on its own path";
            yield return PeakText.DgemmLine($"OpenBLAS dgemm {openBlas}", $"n = {WorkloadRegistry.Named(dgemm[0].Workload).DgemmOrder(dgemm[0].Size).ToString(Invariant)}",
                dgemm.Select(p => (p.Threads, p.DgemmGflops!.Value)), perRank);
        }

        if (points.Any(p => p.AbovePeak))
        {
            yield return PeakText.AboveLine;
        }
    }

    /// <summary>" (smoke run: --quick, 2 runs per point; ratios not conclusive)": what a --quick table's title adds.</summary>
    public static string SmokeRunNote(IReadOnlyList<ComparePoint> points)
    {
        int[] runs = [.. points.Select(p => p.Seconds.Count).Distinct().Order()];
        string count = runs.Length == 1 ? runs[0].ToString(Invariant) : $"{runs[0].ToString(Invariant)}-{runs[^1].ToString(Invariant)}";
        return $" (smoke run: --quick, {count} run{(runs is [1] ? string.Empty : "s")} per point; ratios not conclusive)";
    }

    /// <summary>The run's one noise warning line, or null when no point is noisy.</summary>
    public static string? NoiseWarning(CompareRun run) =>
        StatsText.NoiseWarning([.. run.Points.Select(p => ($"{p.Workload} {CompareMetrics.Series(run, p)} {CompareSummary.Shape(p)}", p.Stats))]);

    /// <summary>A ratio cell: "1.07x ± 0.03", with " (within noise)" when asked and its interval includes 1; "-" when there is none.</summary>
    public static string FormatRatio(RatioEstimate? ratio, bool withNoise = false) =>
        ratio is RatioEstimate r ? withNoise ? r.FormatWithNoise() : r.Format() : "-";

    /// <summary>
    /// compare --isa all: one row per workload, backend and shape, one column per path, so that a
    /// reader sees what each instruction set is worth to each language (a workload with a peak: its rate
    /// and % of the FMA limit of that path; others: their rate per core).
    /// </summary>
    public static void WritePaths(TextWriter output, CompareRun run)
    {
        string[] paths = [.. run.Parameters.First(p => p.Key == "isa").Value!.Split(',')];
        string cells = string.Join("; ", WorkloadRegistry.All.Select(w => $"{w.Name}: {(w.HasPeak ? $"{w.ThroughputUnit} and % of peak" : PerWorkerHeading(w.ThroughputUnit))}"));
        output.WriteLine($"Every path ({cells}; a backend whose path does not follow the switch appears once)");
        string[] header = ["workload", "backend", "ranks x threads", .. paths];
        var rows = new List<string[]>();
        foreach (var row in run.Points.GroupBy(p => (p.Workload, p.Backend, p.Ranks, Threads: p.ThreadsText)))
        {
            bool peak = WorkloadRegistry.Named(row.Key.Workload).HasPeak;
            rows.Add([row.Key.Workload, row.Key.Backend, $"{row.Key.Ranks}x{row.Key.Threads}",
                .. paths.Select(path => row.FirstOrDefault(p => p.Isa == path) is ComparePoint p
                    ? peak ? $"{FormatRate(p.Throughput, p.ThroughputUnit)} ({FormatPerCoreOrPeak(p)})" : FormatPerCoreOrPeak(p)
                    : "-")]);
        }

        TextTable.Write(output, header, rows, rightAligned: [false, false, true, .. paths.Select(_ => true)]);
        output.WriteLine();
    }

    /// <summary>A throughput as every table and sentence prints it, in the format of the workload measured in <paramref name="unit"/> (darts/s as 1.26e9, GFLOP/s as 29.7).</summary>
    public static string FormatRate(double value, string unit) =>
        WorkloadRegistry.All.FirstOrDefault(w => w.ThroughputUnit == unit)?.RateFormat is string format ? value.ToString(format, Invariant) : Units.Rate(value);

    /// <summary>A row's second rate: its unit per core ("darts/s/core"), or for a workload with a peak % of its path's FMA limit ("112%!" above it, "-" when unknown).</summary>
    public static string FormatPerCoreOrPeak(ComparePoint p) =>
        WorkloadRegistry.Named(p.Workload).HasPeak ? PeakText.Percent(p.PercentOfPeak) : FormatRate(p.ThroughputPerWorker, p.ThroughputUnit);

    /// <summary>The headings of a row's second rate: "darts/s/core", or "% of peak" and "over dgemm".</summary>
    public static string[] PerWorkerOrPeakHeadings(IWorkload workload, string unit) =>
        workload.HasPeak ? ["% of peak", "over dgemm"] : [PerWorkerHeading(unit)];

    /// <summary>A size as its workload prints it (darts as 1.6e9, a matrix order as 2400); "-" where unknown (an older results.json).</summary>
    public static string FormatSize(ComparePoint p) =>
        p.Size <= 0 ? "-" : p.Size.ToString(WorkloadRegistry.Named(p.Workload).SizeFormat, Invariant);

    /// <summary>The cells of a workload's own fields (<see cref="IWorkload.ResultFields"/>), "-" where the point has none.</summary>
    public static IEnumerable<string> OwnFieldCells(IWorkload workload, ComparePoint p) =>
        workload.ResultFields.Select(f => p.OwnFields.TryGetValue(f.Key, out double v) ? v.ToString(f.Format, Invariant) : "-");

    private static string PerWorkerHeading(string unit) => $"{unit}/core";

    private static string Format(double? value, string format, string unit) =>
        value is double v ? v.ToString(format, Invariant) + unit : "-";
}
