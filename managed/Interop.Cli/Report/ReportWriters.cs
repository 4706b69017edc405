using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Interop.Cli.Compare;
using Interop.Cli.Workloads;

namespace Interop.Cli.Report;

/// <summary>The table of a report as rows of cells, shared by the console, report.md and report.html.</summary>
internal static class ReportTable
{
    /// <summary>
    /// The headings of a workload's merged table: the common ones, with its own fields (<see cref="IWorkload.ResultFields"/>)
    /// before "check"; with <paramref name="ci"/> (report.md, report.html) the median's 95 % confidence interval after it.
    /// </summary>
    public static string[] Header(ReportWorkload w, bool ci = false)
    {
        List<string> headings = [.. Columns(WorkloadRegistry.Named(w.Workload)).Select(c => c.Heading)];
        if (ci)
        {
            headings.Insert(headings.IndexOf(MedianHeading) + 1, CiHeading);
        }

        return [.. headings];
    }

    /// <summary>The heading of the median column: its cells carry the column's time unit (<see cref="ReportModel.Seconds"/>).</summary>
    public const string MedianHeading = "median (min-max)";

    /// <summary>
    /// The columns of <paramref name="workload"/>'s merged table, every one left-aligned (the console's plain
    /// text as it always was): backend, isa, ranks x threads, run, host / CPU, size, repeats, median (min-max, in the column's unit;
    /// shortened to the median), throughput, speedup, its own fields, check.
    /// </summary>
    public static IReadOnlyList<TableColumn> Columns(IWorkload workload) =>
    [
        .. ((TableColumn[])
        [
            CommonColumns.Backend, CommonColumns.Isa, CommonColumns.Shape,
            // Rows of several runs differ by their run alone: essential beside the speedup.
            // A run's label is the folder given, often a long path: shortened to its last part (the runs table has it whole).
            new("run", ["run"], ColumnPriority.Speedup) { Shorten = label => Path.GetFileName(label.TrimEnd('/', Path.DirectorySeparatorChar)) is { Length: > 0 } last ? last : label },
            new("host / CPU", ["host"], ColumnPriority.Host),
            CommonColumns.SizeOf(workload, "size"), CommonColumns.Runs.As("repeats"),
            // "12.3 (12.1-12.5) ms" shortened to "12.3 ms".
            CommonColumns.Median.As(MedianHeading, "seconds_min", "seconds_max") with { Shorten = cell => cell.Split(' ') is [string median, .., string unit] ? $"{median} {unit}" : cell, ShortHeading = "median" },
            CommonColumns.ThroughputOf(workload).As("throughput", workload.ThroughputUnit), CommonColumns.Speedup, .. workload.OwnColumns, CommonColumns.Check,
        ]).Select(c => c with { RightAligned = false }),
    ];

    /// <summary>Every column a report's workload tables may have (--columns' names).</summary>
    public static IEnumerable<TableColumn> AllColumns => WorkloadRegistry.All.SelectMany(Columns);

    /// <summary>The columns of the runs table, left-aligned: run, started, host / CPU, ranks, threads, job, status, verified.</summary>
    public static IReadOnlyList<TableColumn> RunColumns { get; } =
    [
        .. ((TableColumn[])
        [
            new("run", ["run"], ColumnPriority.Backend),
            new("started", ["timestamp_utc"], ColumnPriority.Optional + 1),
            new("host / CPU", ["host"], ColumnPriority.Optional),
            CommonColumns.Ranks, CommonColumns.Threads,
            new("job", ["job"], ColumnPriority.Optional + 2),
            new("status", ["status"], ColumnPriority.Median),
            new("verified", ["verified"], ColumnPriority.Check),
        ]).Select(c => c with { RightAligned = false }),
    ];

    /// <summary>The heading of the median's confidence interval.</summary>
    public const string CiHeading = "95% CI";

    /// <summary>The rows of <see cref="Header"/>; every time in the unit of the column's smallest median (<see cref="Units.ColumnUnit"/>).</summary>
    public static IEnumerable<string[]> Rows(ReportWorkload w, bool ci = false)
    {
        IWorkload workload = WorkloadRegistry.Named(w.Workload);
        TimeUnit unit = ReportModel.TimeUnitOf(w);
        return w.Rows.Select(r => (string[])
        [
            r.Point.Backend, r.Point.Isa, r.Shape, r.Source.Label, r.Source.Machine,
            r.Point.Size > 0 ? r.Point.Size.ToString(workload.ReportSizeFormat, CultureInfo.InvariantCulture) : "?",
            r.Point.Seconds.Count.ToString(CultureInfo.InvariantCulture),
            ReportModel.Seconds(r.Point, unit), .. ci ? [ReportModel.Ci(r.Point, unit)] : Array.Empty<string>(), ReportModel.Rate(r.Point),
            r.Speedup is Interop.Core.Speedup s ? s.Ratio.Format() : "-",
            .. CompareTables.OwnFieldCells(workload, r.Point),
            (r.Point.Verified ? "ok " : "FAILED ") + r.Point.Check,
        ]);
    }

    public static IEnumerable<string[]> RunRows(ReportModel model) => model.Runs.Select(r => new[]
    {
        r.Label,
        r.Run.Started.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture),
        r.Machine,
        ReportRun.Value(r.Run.Parameters, "ranks") ?? "?",
        ReportRun.Value(r.Run.Parameters, "threads") ?? "?",
        ReportRun.Value(r.Run.Parameters, "job") ?? "-",
        r.Run.Complete ? "complete" : r.Run.Status,
        r.Run.Verified ? "yes" : "NO",
    });

    public static readonly string[] RunHeader = [.. RunColumns.Select(c => c.Heading)];

    /// <summary>report.md and report.html: each run's machine and software, its build and the command line that made it.</summary>
    public static readonly string[] EnvironmentHeader = ["run", "CPU", "cores", "OS", ".NET", "ISA paths", "commit", "command line"];

    public static IEnumerable<string[]> EnvironmentRows(ReportModel model) => model.Runs.Select(r => new[]
    {
        r.Label,
        r.Cpu,
        ReportRun.Value(r.Run.Environment, "cpus_usable") is string usable
            ? ReportRun.Value(r.Run.Environment, "cpus_online") is string online && online != usable ? $"{usable} of {online}" : usable
            : "?",
        ReportRun.Value(r.Run.Environment, "os") ?? "?",
        ReportRun.Value(r.Run.Environment, "dotnet") ?? "?",
        ReportRun.Value(r.Run.Environment, "isa_cpu_paths") ?? "?",
        r.Run.Provenance is Schema.Provenance p ? p.GitDescribe == p.GitCommit || p.GitDescribe == Schema.BuildInfo.Unknown ? p.GitCommit : $"{p.GitCommit} ({p.GitDescribe})" : "not recorded",
        r.Run.Provenance?.Command?.Describe() ?? string.Create(CultureInfo.InvariantCulture, $"not recorded (schema {r.Run.SchemaVersion})"),
    });
}

/// <summary>report.md: the runs, then per workload the charts (PNG files beside it) and the merged table.</summary>
internal static class MarkdownReportWriter
{
    public static string Render(ReportModel model, IReadOnlyList<string> pngCharts)
    {
        var md = new StringBuilder();
        md.AppendLine("# Interop report");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Merged from {model.Runs.Count} compare run(s); every ratio is a ratio of throughputs.");
        md.AppendLine();
        foreach (string note in model.Notes)
        {
            md.AppendLine($"**Note:** {note}");
            md.AppendLine();
        }

        md.AppendLine("## Runs");
        md.AppendLine();
        Table(md, ReportTable.RunHeader, ReportTable.RunRows(model));
        md.AppendLine();
        md.AppendLine("## Environments and command lines");
        md.AppendLine();
        Table(md, ReportTable.EnvironmentHeader, ReportTable.EnvironmentRows(model));
        foreach (ReportWorkload w in model.Workloads)
        {
            md.AppendLine();
            md.AppendLine($"## {w.Title}");
            md.AppendLine();
            md.AppendLine($"{char.ToUpperInvariant(w.SpeedupText[0])}{w.SpeedupText[1..]}.");
            md.AppendLine();
            foreach (string line in w.ShapeComparisons())
            {
                md.AppendLine($"- {line}");
            }

            md.AppendLine();
            foreach (string chart in pngCharts.Where(c => c.StartsWith($"report-{w.Workload}-", StringComparison.Ordinal)))
            {
                md.AppendLine($"![{chart}]({chart})");
                md.AppendLine();
            }

            Table(md, ReportTable.Header(w, ci: true), ReportTable.Rows(w, ci: true));
        }

        return md.ToString();
    }

    private static void Table(StringBuilder md, string[] header, IEnumerable<string[]> rows) =>
        MarkdownReport.Table(md, header, rows);
}

/// <summary>
/// report.html: one self-contained file (inline CSS, the charts as inline SVG, no external
/// references) that is also well-formed XML, so any HTML or XML parser reads it.
/// </summary>
internal static partial class HtmlReport
{
    public static string Render(ReportModel model, IReadOnlyList<(string Name, string Svg)> charts)
    {
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">");
        html.AppendLine("<head>");
        html.AppendLine("<meta charset=\"utf-8\" />");
        html.AppendLine("<title>Interop report</title>");
        html.AppendLine("<style>body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;margin:1em 0;font-size:0.9em}" +
            "th,td{border:1px solid #ccc;padding:0.25em 0.5em;text-align:left}td.n{text-align:right}th{background:#f3f3f3}.note{background:#fff6d6;padding:0.5em}" +
            "svg{max-width:100%;height:auto;display:block;margin:1em 0}</style>");
        html.AppendLine("</head>");
        html.AppendLine("<body>");
        html.AppendLine("<h1>Interop report</h1>");
        html.AppendLine(CultureInfo.InvariantCulture, $"<p>Merged from {model.Runs.Count} compare run(s); every ratio is a ratio of throughputs.</p>");
        foreach (string note in model.Notes)
        {
            html.AppendLine($"<p class=\"note\"><strong>Note:</strong> {E(note)}</p>");
        }

        html.AppendLine("<h2>Runs</h2>");
        Table(html, ReportTable.RunHeader, ReportTable.RunRows(model));
        html.AppendLine("<h2>Environments and command lines</h2>");
        Table(html, ReportTable.EnvironmentHeader, ReportTable.EnvironmentRows(model));
        foreach (ReportWorkload w in model.Workloads)
        {
            html.AppendLine($"<h2>{E(w.Title)}</h2>");
            html.AppendLine($"<p>{E(char.ToUpperInvariant(w.SpeedupText[0]) + w.SpeedupText[1..])}.</p>");
            string[] comparisons = [.. w.ShapeComparisons()];
            if (comparisons.Length > 0)
            {
                html.AppendLine("<ul>");
                foreach (string line in comparisons)
                {
                    html.AppendLine($"<li>{E(line)}</li>");
                }

                html.AppendLine("</ul>");
            }

            foreach ((string name, string svg) in charts.Where(c => c.Name.StartsWith($"report-{w.Workload}-", StringComparison.Ordinal)))
            {
                html.AppendLine(InlineSvg(svg, name));
            }

            Table(html, ReportTable.Header(w, ci: true), ReportTable.Rows(w, ci: true));
        }

        html.AppendLine("</body>");
        html.AppendLine("</html>");
        return html.ToString();
    }

    /// <summary>
    /// ScottPlot's SVG document made fit to sit inside the page: without its XML declaration, and
    /// with every id (clip paths) prefixed, since each chart numbers its own from the same start.
    /// </summary>
    public static string InlineSvg(string svg, string prefix)
    {
        string body = XmlDeclaration().Replace(svg, string.Empty).Trim();
        body = IdAttribute().Replace(body, m => $"{m.Groups[1].Value}=\"{prefix}-{m.Groups[2].Value}\"");
        body = UrlReference().Replace(body, m => $"url(#{prefix}-{m.Groups[1].Value})");
        return HrefReference().Replace(body, m => $"{m.Groups[1].Value}=\"#{prefix}-{m.Groups[2].Value}\"");
    }

    private static void Table(StringBuilder html, string[] header, IEnumerable<string[]> rows)
    {
        html.AppendLine("<table>");
        html.AppendLine($"<tr>{string.Concat(header.Select(h => $"<th>{E(h)}</th>"))}</tr>");
        foreach (string[] row in rows)
        {
            html.AppendLine($"<tr>{string.Concat(row.Select(c => $"<td>{E(c)}</td>"))}</tr>");
        }

        html.AppendLine("</table>");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    [GeneratedRegex(@"<\?xml[^>]*\?>")]
    private static partial Regex XmlDeclaration();

    [GeneratedRegex("\\b(id)=\"([^\"]+)\"")]
    private static partial Regex IdAttribute();

    [GeneratedRegex(@"url\(#([^)]+)\)")]
    private static partial Regex UrlReference();

    [GeneratedRegex("\\b(href|xlink:href)=\"#([^\"]+)\"")]
    private static partial Regex HrefReference();
}
