using System.Globalization;
using System.Text;
using Interop.Cli.Workloads;

namespace Interop.Cli.Schema;

/// <summary>
/// A result document as CSV: one tidy row per point (for pandas or a spreadsheet), the columns of
/// results.csv, the same for a workload's own command and compare. The columns are <see cref="Header"/>
/// (schema 8's, the same in every file), then the workloads' own columns (<see cref="OwnColumns"/>).
/// </summary>
internal static class ResultCsv
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The CSV header: one column per field of a point, provenance and workload parameters in every row.</summary>
    public const string Header =
        "interop_version,git_commit,host,timestamp_utc,workload,backend,isa,darts,n,seed,ranks,threads,workers,repeats," +
        "seconds_median,seconds_min,seconds_max,seconds_ci_lower,seconds_ci_upper,throughput,throughput_unit,throughput_per_worker," +
        "peak_gflops,fraction_of_peak,above_peak,dgemm_gflops,over_dgemm,speedup,speedup_reference,efficiency,over_managed,verified,inside,estimate,abs_error,residual,max_abs_diff_vs_lapack,check";

    /// <summary>
    /// The columns after <see cref="Header"/>: for each workload with points in <paramref name="doc"/>, in the
    /// registry's order, its size (<see cref="IWorkload.SizeName"/>) and its own fields (<see cref="IWorkload.ResultFields"/>),
    /// each column once and none already in <see cref="Header"/> (so none for pi and inv, whose are there).
    /// A row leaves the columns of other workloads empty.
    /// </summary>
    public static IReadOnlyList<string> OwnColumns(ResultDocument doc)
    {
        string[] today = Header.Split(',');
        return [.. WorkloadRegistry.All.Where(w => doc.Points.Any(p => p.Workload == w.Name))
            .SelectMany(w => (string[])[w.SizeName, .. w.ResultFields.Select(f => f.Key)])
            .Where(c => !today.Contains(c)).Distinct(),
            .. SeveralSchedules(doc) ? (string[])[ScheduleColumn] : []];
    }

    // The last column when a point ran under a task-pool schedule (compare --schedule static,dynamic):
    // its rows would otherwise look like the static ones. Absent from static-only files, as before.
    private const string ScheduleColumn = "schedule";

    private static bool SeveralSchedules(ResultDocument doc) => doc.Points.Any(p => p.Schedule is string s && s != "static");

    /// <summary>One row per point of <paramref name="doc"/>, with its provenance in every row.</summary>
    public static string Write(ResultDocument doc)
    {
        (IReadOnlyList<string> header, IReadOnlyList<string[]> rows) = Cells(doc);
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(',', header));
        foreach (string[] cells in rows)
        {
            csv.AppendLine(string.Join(',', cells.Select(Quote)));
        }

        return csv.ToString();
    }

    /// <summary>
    /// The columns and, for each point, its cells as plain text before any quoting: what <see cref="Write"/>
    /// writes, and what --format md shows for people (<see cref="Compare.MarkdownReport.Results"/>).
    /// </summary>
    public static (IReadOnlyList<string> Header, IReadOnlyList<string[]> Rows) Cells(ResultDocument doc)
    {
        Provenance who = doc.Provenance;
        IReadOnlyList<string> own = OwnColumns(doc);
        var rows = new List<string[]>();
        foreach (MeasuredPoint p in doc.Points)
        {
            string[] cells =
            [
                who.InteropVersion, who.GitCommit, who.Host, who.TimestampUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", Invariant),
                p.Workload, p.Backend, p.Isa, Optional(p.Darts), Optional(p.N), p.Seed?.ToString(Invariant) ?? string.Empty,
                Number(p.Ranks), Number(p.Threads), Number(p.Workers), Number(p.Repeats),
                Number(p.SecondsMedian), Number(p.SecondsMin), Number(p.SecondsMax), Optional(p.SecondsCiLower), Optional(p.SecondsCiUpper),
                Number(p.Throughput), p.ThroughputUnit, Number(p.ThroughputPerWorker),
                Optional(p.PeakGflops), Optional(p.FractionOfPeak), p.AbovePeak is bool above ? Flag(above) : string.Empty,
                Optional(p.DgemmGflops), Optional(p.OverDgemm), Optional(p.Speedup), p.SpeedupReference ?? string.Empty, Optional(p.Efficiency), Optional(p.OverManaged),
                Flag(p.Verified), Optional(p.Inside), Optional(p.Estimate), Optional(p.AbsError), Optional(p.Residual),
                Optional(p.MaxAbsDiffVsLapack), p.Check,
                .. own.Select(c => c == ScheduleColumn ? p.Schedule ?? string.Empty
                    : OwnFieldsJson.Integer(p, c) is long whole ? Optional(whole) : Optional(OwnFieldsJson.Number(p, c))),
            ];
            rows.Add(cells);
        }

        return ([.. Header.Split(','), .. own], rows);
    }

    private static string Flag(bool value) => value ? "true" : "false";

    private static string Number(double value) => value.ToString("R", Invariant);

    private static string Optional(double? value) => value is double v ? Number(v) : string.Empty;

    private static string Optional(long? value) => value is long v ? v.ToString(Invariant) : string.Empty;

    // RFC 4180: quote a cell holding a comma, quote or line break; double the quotes inside.
    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{cell.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : cell;
}
