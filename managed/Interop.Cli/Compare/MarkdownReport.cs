using System.Globalization;
using System.Text;
using Interop.Cli.Workloads;

namespace Interop.Cli.Compare;

/// <summary>report.md: the summary, the charts, one table per workload, the parameters and the environment.</summary>
internal static class MarkdownReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(CompareRun run, IReadOnlyList<string> summary, IReadOnlyList<string> pngCharts)
    {
        var md = new StringBuilder();
        md.AppendLine("# Interop comparison report");
        md.AppendLine();
        md.AppendLine(Invariant, $"Run started {run.Started:yyyy-MM-dd HH:mm:ss zzz}, took {run.WallSeconds:F1} s.");
        md.AppendLine();
        if (!run.Complete)
        {
            md.AppendLine(string.Create(Invariant, $"**Incomplete run** ({run.Status}): {run.Points.Count} of {run.PointsPlanned?.ToString(Invariant) ?? "?"} points measured; ") +
                "the tables and the summary hold those alone, and no charts were drawn.");
            md.AppendLine();
        }

        if (!run.Verified)
        {
            md.AppendLine(string.Create(Invariant, $"**FAILED verification:** {run.Points.Count(p => !p.Verified)} result(s) failed their check (marked FAILED below); ") +
                "their timings are not those of a correct computation.");
            md.AppendLine();
        }
        md.AppendLine("## Summary");
        md.AppendLine();
        foreach (string line in summary)
        {
            md.AppendLine($"- {line}");
        }

        foreach (IGrouping<string, ComparePoint> workload in run.Points.GroupBy(p => p.Workload))
        {
            md.AppendLine();
            md.AppendLine($"## {WorkloadRegistry.Named(workload.Key).Title}");
            md.AppendLine();
            foreach (string chart in pngCharts.Where(c => c.StartsWith(workload.Key + "-", StringComparison.Ordinal)))
            {
                md.AppendLine($"![{chart}]({chart})");
                md.AppendLine();
            }

            IWorkload kind = WorkloadRegistry.Named(workload.Key);
            string[] rates = CompareTables.PerWorkerOrPeakHeadings(kind, workload.First().ThroughputUnit);
            string[] own = [.. kind.ResultFields.Select(f => f.Heading)];
            md.AppendLine($"| backend | isa | ranks x threads | {kind.SizeName} | median s (min-max) | {workload.First().ThroughputUnit} | {string.Join(" | ", rates)} | speedup | efficiency | native/managed | {string.Concat(own.Select(h => h + " | "))}verified |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |" + string.Concat(Enumerable.Repeat(" --- |", rates.Length - 1 + own.Length)));
            foreach (ComparePoint p in workload)
            {
                string overDgemm = kind.HasPeak ? $"{PeakText.Over(p.OverDgemm)} | " : string.Empty;
                string ownCells = string.Concat(CompareTables.OwnFieldCells(kind, p).Select(c => c + " | "));
                md.AppendLine(Invariant,
                    $"| {p.Backend} | {p.Isa} | {CompareSummary.Shape(p)} | {CompareTables.FormatSize(p)} | {p.Stats.Median:F4} ({p.Stats.Min:F4}-{p.Stats.Max:F4}) | " +
                    $"{CompareTables.FormatRate(p.Throughput, p.ThroughputUnit)} | {CompareTables.FormatPerCoreOrPeak(p)} | {overDgemm}" +
                    $"{Format(CompareMetrics.Speedup(run, p), "0.00x")} | {Format(CompareMetrics.Efficiency(run, p), "P0")} | " +
                    $"{Format(CompareMetrics.OverManaged(run, p), "0.00x")} | {ownCells}{(p.Verified ? "ok" : "FAILED")} {p.Check} |");
            }

            if (CompareMetrics.SpeedupLegend(run, workload) is string speedups)
            {
                md.AppendLine();
                md.AppendLine($"{char.ToUpperInvariant(speedups[0])}{speedups[1..]}.");
            }

            if (kind.HasPeak)
            {
                md.AppendLine();
                foreach (string line in CompareTables.PeakLines(run, [.. workload]))
                {
                    md.AppendLine($"- {line}");
                }
            }
        }

        if (CompareMetrics.SeveralPaths(run))
        {
            using var table = new StringWriter();
            CompareTables.WritePaths(table, run);
            md.AppendLine();
            md.AppendLine("## Every instruction-set path");
            md.AppendLine();
            md.AppendLine("```");
            md.Append(table.ToString().TrimEnd());
            md.AppendLine();
            md.AppendLine("```");
        }

        md.AppendLine();
        md.AppendLine("## Parameters");
        md.AppendLine();
        Pairs(md, run.Parameters);
        md.AppendLine();
        md.AppendLine("## Environment");
        md.AppendLine();
        Pairs(md, [.. run.Environment, .. run.Variables]);
        return md.ToString();
    }

    private static void Pairs(StringBuilder md, IReadOnlyList<KeyValuePair<string, string?>> pairs)
    {
        md.AppendLine("| key | value |");
        md.AppendLine("| --- | --- |");
        foreach ((string key, string? value) in pairs)
        {
            md.AppendLine($"| {key} | {(value ?? "(unset)").Replace("|", "\\|", StringComparison.Ordinal)} |");
        }
    }

    private static string Format(double? value, string format) => value is double v ? v.ToString(format, Invariant) : "-";
}
