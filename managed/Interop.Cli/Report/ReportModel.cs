using System.Globalization;
using Interop.Cli.Compare;
using Interop.Cli.Workloads;
using Interop.Core;

namespace Interop.Cli.Report;

/// <summary>One compare results folder given to `interop report`, with the run read from its results.json.</summary>
internal sealed record ReportRun(string Label, string Path, CompareRun Run)
{
    public string Cpu => Value(Run.Environment, "cpu_model") ?? "unknown CPU";

    /// <summary>The host name, where the run recorded one (schema 4: its provenance; older files: their pairs).</summary>
    public string? Host => Run.Provenance?.Host ?? Value(Run.Environment, "host") ?? Value(Run.Environment, "hostname") ?? Value(Run.Parameters, "host");

    /// <summary>The results.json the run was read from (<see cref="Path"/> itself, or the one in that folder).</summary>
    public string ResultsJson => Directory.Exists(Path) ? System.IO.Path.Combine(Path, "results.json") : Path;

    /// <summary>The results.json with every symbolic link resolved: one file however it was named.</summary>
    public string CanonicalJson => CanonicalPath ?? ResultsJson;

    /// <summary>Set by <see cref="ReportModel.Load"/>: the canonical path of the results.json read.</summary>
    public string? CanonicalPath { get; init; }

    /// <summary>The run's id (schema 6), or null for an older file: then <see cref="CanonicalJson"/> tells runs apart.</summary>
    public string? RunId => Run.Provenance?.RunId;

    /// <summary>"host (CPU)", or the CPU alone: what tells two machines apart.</summary>
    public string Machine => Host is string host ? $"{host} ({Cpu})" : Cpu;

    public static string? Value(IReadOnlyList<KeyValuePair<string, string?>> pairs, string key) =>
        pairs.FirstOrDefault(p => p.Key == key).Value is string v && v.Length > 0 ? v : null;
}

/// <summary>
/// One point of one run in the merged table, with its speedup among the points of its own run
/// (<see cref="Speedups"/>: over the same backend on 1 x 1, else the reference it names); null
/// where its run has no reference for it.
/// </summary>
internal sealed record ReportRow(ReportRun Source, ComparePoint Point, Speedup? Speedup)
{
    public string Shape => CompareCharts.Shape(Point);
}

/// <summary>The merged rows of one workload.</summary>
internal sealed record ReportWorkload(string Workload, IReadOnlyList<ReportRow> Rows, string Size)
{
    public string Title => WorkloadRegistry.Named(Workload).Title + ", " + Size;

    /// <summary>
    /// The line under the table naming what its speedups are against (each within its own run:
    /// runs on two machines never share a reference).
    /// </summary>
    public string SpeedupText =>
        (Speedups.Legend(Rows.Select(r => (r.Point.AsSpeedupPoint, r.Speedup))) ?? "speedup: none (no run measured a reference point)") +
        (Rows.Select(r => r.Source).Distinct().Count() > 1 ? "; every speedup within its own run" : string.Empty);

    /// <summary>True when every speedup of the table is over the same backend on 1 x 1.</summary>
    public bool OwnReferenceOnly => Rows.All(r => r.Speedup is null or { SameBackend: true });

    /// <summary>
    /// The "MPI or threads?" answer: for each backend and worker count measured with different
    /// ranks x threads shapes on the same machine, how much faster the faster shape ran.
    /// </summary>
    public IEnumerable<string> ShapeComparisons()
    {
        foreach (IGrouping<(string Backend, string Isa, int Workers, string Machine), ReportRow> same in Rows.GroupBy(r => (r.Point.Backend, r.Point.Isa, r.Point.Workers, r.Source.Machine)))
        {
            ReportRow[] shapes = [.. same.DistinctBy(r => r.Shape).OrderByDescending(r => r.Point.Throughput)];
            if (shapes.Length < 2)
            {
                continue;
            }

            ReportRow fast = shapes[0];
            ReportRow slow = shapes[^1];
            // A difference is stated only where the two medians' intervals tell the shapes apart (CompareSummary.Undecided).
            RatioEstimate ratio = CompareMetrics.Ratio(fast.Point, slow.Point);
            string a = $"{fast.Shape} ({Kind(fast)}, {fast.Source.Label})", b = $"{slow.Shape} ({Kind(slow)}, {slow.Source.Label})";
            string verdict = CompareSummary.Undecided(a, fast.Point, b, slow.Point, ratio) ?? $"{a} ran {ratio.Format()} the throughput of {b}";
            yield return FormattableString.Invariant(
                $"{same.Key.Backend} on {same.Key.Workers} workers: {verdict}: {ReportModel.Rate(fast.Point)} against {ReportModel.Rate(slow.Point)}{(fast.Source == slow.Source ? string.Empty : $" (two runs on {same.Key.Machine})")}.");
        }

        static string Kind(ReportRow r) => r.Point.Ranks == 1 ? "threads" : r.Point.Threads == 1 ? "ranks" : "ranks and threads";
    }
}

/// <summary>
/// `interop report`'s merge of several compare results folders: one table per workload with every
/// point of every run (backend, path, ranks x threads, machine), each speedup within its own run,
/// and notes on what was merged though it differs (with --allow-mixed or --allow-incomplete).
/// </summary>
internal sealed record ReportModel(IReadOnlyList<ReportRun> Runs, IReadOnlyList<ReportWorkload> Workloads, IReadOnlyList<string> Notes)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Reads the run of <paramref name="path"/>: a results folder (its results.json) or a results.json itself.</summary>
    public static ReportRun Load(string path)
    {
        string label = path.TrimEnd('/', System.IO.Path.DirectorySeparatorChar);
        label = label.Length == 0 ? path : label;
        string json;
        if (Directory.Exists(path))
        {
            json = System.IO.Path.Combine(path, "results.json");
            if (!File.Exists(json))
            {
                throw new UsageException($"{path}: no results.json there (not a results folder of interop compare)");
            }
        }
        else if (File.Exists(path))
        {
            json = path;
            label = System.IO.Path.GetDirectoryName(path) is string folder && folder.Length > 0 ? folder : path;
        }
        else
        {
            throw new UsageException($"{path}: no such folder");
        }

        return new ReportRun(label, path, ResultsFiles.ReadJson(json)) { CanonicalPath = Canonical(json) };
    }

    /// <summary>
    /// The runs given, each once: a run given twice (a folder and its results.json, a link to either,
    /// the same path twice, or a copy of the folder: the same run id) is kept where it was first given,
    /// with a note on <paramref name="stderr"/> for each one left out.
    /// </summary>
    public static IReadOnlyList<ReportRun> Distinct(IReadOnlyList<ReportRun> runs, TextWriter stderr)
    {
        var kept = new List<ReportRun>();
        foreach (ReportRun run in runs)
        {
            ReportRun? same = kept.FirstOrDefault(k => k.CanonicalJson == run.CanonicalJson) ?? kept.FirstOrDefault(k => k.RunId is not null && k.RunId == run.RunId);
            if (same is null)
            {
                kept.Add(run);
                continue;
            }

            string why = same.CanonicalJson == run.CanonicalJson ? $"the same file, {same.CanonicalJson}" : $"the same run id, {run.RunId}";
            stderr.WriteLine($"interop: note: {run.Path} is the run of {same.Path} ({why}): counted once");
        }

        return kept;
    }

    /// <summary>
    /// <paramref name="path"/> made absolute with every symbolic link on it resolved (realpath):
    /// a path that cannot be resolved (a loop, no permission) stays as far as it got.
    /// </summary>
    public static string Canonical(string path, int depth = 0)
    {
        string full = System.IO.Path.GetFullPath(path);
        string root = System.IO.Path.GetPathRoot(full) ?? "/";
        string resolved = root;
        foreach (string part in full[root.Length..].Split(System.IO.Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            string next = System.IO.Path.Combine(resolved, part);
            try
            {
                if (depth < 40 && new FileInfo(next).LinkTarget is not null && File.ResolveLinkTarget(next, returnFinalTarget: true) is FileSystemInfo target)
                {
                    // The target may itself lie under links: resolve it the same way.
                    next = Canonical(target.FullName, depth + 1);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }

            resolved = next;
        }

        return resolved;
    }

    /// <summary>
    /// Merges <paramref name="runs"/>. Usage errors (exit 2): an incomplete run unless
    /// <paramref name="allowIncomplete"/>; runs whose workload sizes (darts, n) or seeds differ
    /// unless <paramref name="allowMixed"/>; nothing to report.
    /// </summary>
    public static ReportModel Merge(IReadOnlyList<ReportRun> runs, bool allowMixed, bool allowIncomplete)
    {
        var notes = new List<string>();
        foreach (ReportRun r in runs.Where(r => !r.Run.Complete))
        {
            string what = string.Create(Invariant, $"{r.Label}: an incomplete run ({r.Run.Status}; {r.Run.Points.Count} of {r.Run.PointsPlanned?.ToString(Invariant) ?? "?"} points)");
            if (!allowIncomplete)
            {
                throw new UsageException($"{what}; --allow-incomplete merges its points anyway");
            }

            notes.Add($"{what}: its points are merged as they are.");
        }

        string? mixed = Differences(runs);
        if (mixed is not null)
        {
            if (!allowMixed)
            {
                throw new UsageException($"workload sizes differ: {mixed}; --allow-mixed merges them anyway");
            }

            notes.Add($"Mixed workload sizes (--allow-mixed): {mixed}. Throughputs compare; times do not.");
        }

        // Before schema 5 an inversion's peak was OpenBLAS's dgemm rate (read as dgemm_gflops): say so, per file.
        foreach (ReportRun r in runs.Where(r => r.Run.SchemaVersion < Schema.ResultDocument.FmaLimitVersion && r.Run.Points.Any(p => p.DgemmGflops is not null)))
        {
            notes.Add($"fraction_of_peak in {r.ResultsJson} (schema {r.Run.SchemaVersion.ToString(Invariant)}) is over OpenBLAS dgemm, not the FMA limit of each point's path: read as over dgemm.");
        }

        foreach (ReportRun r in runs.Where(r => !r.Run.Verified))
        {
            notes.Add($"{r.Label}: {r.Run.Points.Count(p => !p.Verified)} result(s) FAILED verification; their timings are not those of a correct computation.");
        }

        // A run measured beside other work (results.json's machine_load, schema 8): its times may be slower and noisier.
        foreach (ReportRun r in runs)
        {
            if (r.Run.MachineLoad is Schema.MachineLoad load && Noise.NoiseRule.Warning(load) is string busy)
            {
                notes.Add($"{r.Label}: {busy}.");
            }
        }

        var workloads = new List<ReportWorkload>();
        foreach (string workload in WorkloadRegistry.All.Select(w => w.Name))
        {
            ReportRun[] having = [.. runs.Where(r => r.Run.Points.Any(p => p.Workload == workload))];
            if (having.Length == 0)
            {
                continue;
            }

            (ReportRun Run, ComparePoint Point)[] points = [.. having.SelectMany(r => r.Run.Points.Where(p => p.Workload == workload).Select(p => (r, p)))];
            string[] order = [.. points.Select(x => x.Point.Backend).Distinct()];
            ReportRow[] rows =
            [
                .. points.OrderBy(x => Array.IndexOf(order, x.Point.Backend)).ThenBy(x => x.Point.Workers).ThenBy(x => x.Point.Ranks)
                    .ThenBy(x => IndexOf(runs, x.Run)).ThenBy(x => x.Point.Isa, StringComparer.Ordinal)
                    .Select(x => new ReportRow(x.Run, x.Point, CompareMetrics.SpeedupOf(x.Run.Run, x.Point))),
            ];
            workloads.Add(new ReportWorkload(workload, rows, SizeText(workload, having)));
        }

        if (workloads.Count == 0)
        {
            throw new UsageException("no measured points in the runs given: nothing to report");
        }

        return new ReportModel(runs, workloads, notes);
    }

    /// <summary>"2.26e9 darts/s" or "48.8 GFLOP/s".</summary>
    public static string Rate(ComparePoint p) => Rate(p.Throughput, p.ThroughputUnit);

    /// <summary>A throughput in the report format of the workload measured in <paramref name="unit"/>.</summary>
    public static string Rate(double value, string unit) =>
        value.ToString(WorkloadRegistry.All.FirstOrDefault(w => w.ThroughputUnit == unit)?.ReportRateFormat ?? "0.00e0", Invariant) + " " + unit;

    /// <summary>The unit of <paramref name="w"/>'s time columns: that of its smallest median (<see cref="Units.ColumnUnit"/>).</summary>
    public static TimeUnit TimeUnitOf(ReportWorkload w) => Units.ColumnUnit(w.Rows.Select(r => r.Point.Stats.Median));

    /// <summary>"12.3 (11.3-19.6) ms": median and min-max in the column's unit.</summary>
    public static string Seconds(ComparePoint p, TimeUnit unit) =>
        $"{unit.Number(p.Stats.Median)} ({unit.Number(p.Stats.Min)}-{unit.Number(p.Stats.Max)}) {unit.Name}";

    /// <summary>"11.9-12.8 ms": the 95 % confidence interval of the median in the column's unit; "-" with too few runs for one.</summary>
    public static string Ci(ComparePoint p, TimeUnit unit) =>
        p.Stats.CiLower is double lower && p.Stats.CiUpper is double upper ? $"{unit.Number(lower)}-{unit.Number(upper)} {unit.Name}" : "-";

    private static int IndexOf(IReadOnlyList<ReportRun> runs, ReportRun run)
    {
        for (int i = 0; i < runs.Count; i++)
        {
            if (ReferenceEquals(runs[i], run))
            {
                return i;
            }
        }

        return runs.Count;
    }

    // The size of a workload in one run: darts or n from the parameters, else from its points.
    private static long? Size(ReportRun r, string workload)
    {
        if (long.TryParse(ReportRun.Value(r.Run.Parameters, WorkloadRegistry.Named(workload).SizeName), NumberStyles.Integer, Invariant, out long given) && given > 0)
        {
            return given;
        }

        long[] sizes = [.. r.Run.Points.Where(p => p.Workload == workload && p.Size > 0).Select(p => p.Size)];
        return sizes.Length > 0 ? sizes.Max() : null;
    }

    private static string SizeText(string workload, IReadOnlyList<ReportRun> having)
    {
        string[] sizes = [.. having.Select(r => Size(r, workload)).OfType<long>().Distinct().Order().Select(s => s.ToString("N0", Invariant))];
        string list = sizes.Length > 0 ? string.Join(" / ", sizes) : "?";
        return WorkloadRegistry.Named(workload).SizeText(list);
    }

    // What differs between the runs' workload sizes and seeds, as one line; null if nothing.
    private static string? Differences(IReadOnlyList<ReportRun> runs)
    {
        var differences = new List<string>();
        foreach ((string workload, string name) in WorkloadRegistry.All.Select(w => (w.Name, $"{w.Name} {w.SizeName}")))
        {
            (ReportRun Run, long? Size)[] sizes = [.. runs.Where(r => r.Run.Points.Any(p => p.Workload == workload)).Select(r => (r, Size(r, workload)))];
            if (sizes.Select(s => s.Size).Distinct().Count() > 1)
            {
                differences.Add($"{name} " + string.Join(", ", sizes.Select(s => $"{s.Size?.ToString(Invariant) ?? "unknown"} in {s.Run.Label}")));
            }
        }

        (ReportRun Run, string? Seed)[] seeds = [.. runs.Select(r => (r, ReportRun.Value(r.Run.Parameters, "seed")))];
        if (seeds.Select(s => s.Seed).Distinct().Count() > 1)
        {
            differences.Add("seed " + string.Join(", ", seeds.Select(s => $"{s.Seed ?? "unknown"} in {s.Run.Label}")));
        }

        return differences.Count > 0 ? string.Join("; ", differences) : null;
    }
}
