using System.Globalization;
using System.Text;
using Interop.Cli.Schema;
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
                    $"| {CompareMetrics.BackendName(run, p)} | {p.Isa} | {CompareSummary.Shape(p)} | {CompareTables.FormatSize(p)} | {p.Stats.Median:F4} ({p.Stats.Min:F4}-{p.Stats.Max:F4}) | " +
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

    private static void Pairs(StringBuilder md, IReadOnlyList<KeyValuePair<string, string?>> pairs) =>
        Table(md, ["key", "value"], pairs.Select(p => (IReadOnlyList<string>)[p.Key, p.Value ?? "(unset)"]));

    /// <summary>A markdown table: the header, its rule, one line per row, a '|' inside a cell escaped.</summary>
    public static void Table(StringBuilder md, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        md.AppendLine($"| {string.Join(" | ", header.Select(Cell))} |");
        md.AppendLine($"|{string.Concat(header.Select(_ => " --- |"))}");
        foreach (IReadOnlyList<string> row in rows)
        {
            md.AppendLine($"| {string.Join(" | ", row.Select(Cell))} |");
        }
    }

    private static string Cell(string text) => text.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>
    /// --format md of pi, inv, ep and compare: the command line, a table of every column of results.csv
    /// (the same cells, <see cref="ResultCsv.Cells"/>, each written for people: times with their unit,
    /// rates as the console tables print them, fractions in %, ratios with an x), the environment line and
    /// the check line, ready to paste into an issue or a lab notebook.
    /// </summary>
    public static string Results(ResultDocument doc, string environment, string check)
    {
        var md = new StringBuilder();
        if (doc.Provenance.Command is RecordedCommand command)
        {
            md.AppendLine($"Command: {Code(command.Text)} (in {Code(command.Cwd)}; {command.Job})");
            md.AppendLine();
        }

        (IReadOnlyList<string> header, IReadOnlyList<string[]> rows) = ResultCsv.Cells(doc);
        int workload = IndexOf(header, "workload");
        Table(md, header, rows.Select(row => (IReadOnlyList<string>)[.. row.Select((cell, i) => ForPeople(header[i], cell, workload >= 0 ? row[workload] : string.Empty))]));
        md.AppendLine();
        md.AppendLine($"Environment: {environment}");
        md.AppendLine();
        md.AppendLine(check);
        return md.ToString();
    }

    /// <summary>
    /// A cell of results.csv as the console tables show it: seconds in the unit that fits, throughputs in the
    /// workload's format, fractions in %, ratios with an x, "-" for none. A cell that is not the number its
    /// column holds (or a column not named here) stays as it is.
    /// </summary>
    public static string ForPeople(string column, string cell, string workload)
    {
        if (cell.Length == 0)
        {
            return "-";
        }

        switch (column)
        {
            case "verified":
                return cell == "true" ? "ok" : "FAILED";
            case "above_peak":
                return cell == "true" ? "yes" : "no";
        }

        if (!double.TryParse(cell, NumberStyles.Float, Invariant, out double v) || column is "seed" or "darts" or "n" or "ranks" or "threads" or "workers" or "repeats" or "inside")
        {
            return cell;
        }

        IWorkload? kind = WorkloadRegistry.Find(workload);
        return column switch
        {
            _ when column.StartsWith("seconds", StringComparison.Ordinal) => Units.Seconds(v),
            "throughput" or "throughput_per_worker" => kind?.RateFormat is string rate ? v.ToString(rate, Invariant) : Units.Rate(v),
            "peak_gflops" or "dgemm_gflops" => Units.Rate(v),
            "fraction_of_peak" => PeakText.Percent(v * 100),
            "efficiency" => v.ToString("P0", Invariant),
            "over_dgemm" or "over_managed" => PeakText.Over(v),
            _ when column.StartsWith("speedup", StringComparison.Ordinal) => v.ToString("0.00", Invariant) + "x",
            "estimate" => v.ToString("F8", Invariant),
            "abs_error" or "max_abs_diff_vs_lapack" => v.ToString("0.0e+00", Invariant),
            "residual" => v.ToString("G3", Invariant),
            _ => kind?.ResultFields.FirstOrDefault(f => f.Key == column) is ResultField field ? v.ToString(field.Format, Invariant) : cell,
        };
    }

    private static int IndexOf(IReadOnlyList<string> header, string column)
    {
        for (int i = 0; i < header.Count; i++)
        {
            if (header[i] == column)
            {
                return i;
            }
        }

        return -1;
    }

    // Inline code that holds any text: a fence longer than the longest run of backticks inside it.
    private static string Code(string text)
    {
        int longest = 0;
        int run = 0;
        foreach (char c in text)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        string fence = new('`', longest + 1);
        return longest > 0 ? $"{fence} {text} {fence}" : $"{fence}{text}{fence}";
    }

    private static string Format(double? value, string format) => value is double v ? v.ToString(format, Invariant) : "-";
}
