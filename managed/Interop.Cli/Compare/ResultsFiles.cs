using System.Globalization;
using System.Text;
using System.Text.Json;
using Interop.Core;

namespace Interop.Cli.Compare;

/// <summary>The files one compare run left in its results folder.</summary>
internal sealed record ResultsFolder(string Directory, IReadOnlyList<string> Files);

/// <summary>
/// A compare run's results folder: results.json (every repeat's raw time and the environment, and
/// the input of --baseline), results.csv (one tidy row per point, for pandas or a spreadsheet),
/// charts as SVG and PNG, and report.md embedding charts and tables. Every file is written under a
/// temporary name and renamed when complete (<see cref="OutputFile"/>), results.json last, so a
/// results.json that says "complete": true comes with every other file of the run.
/// </summary>
internal static class ResultsFiles
{
    /// <summary>
    /// 3: complete, status, verified and points_planned (a run saves results.json as every point
    /// finishes; "complete": false until it ends). 2: points gained isa, size, peak_gflops,
    /// percent_of_peak and throughput_per_worker; ratios are throughput ratios.
    /// </summary>
    public const int SchemaVersion = 3;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The names of the files a compare writes in its folder (charts of both workloads included): what --force removes.</summary>
    public static IReadOnlyList<string> FileNames { get; } = ["results.json", "results.csv", "report.md", .. CompareCharts.FileNames];

    /// <summary>Every file of <paramref name="run"/>: charts only for a complete run, results.json last.</summary>
    public static ResultsFolder Write(CompareRun run, string directory, IReadOnlyList<string> summary)
    {
        try
        {
            Directory.CreateDirectory(directory);
            string csv = WriteText(directory, "results.csv", Csv(run));
            IReadOnlyList<string> charts = run.Complete ? CompareCharts.Write(run, directory) : [];
            string report = WriteText(directory, "report.md", MarkdownReport.Render(run, summary, charts.Where(c => c.EndsWith(".png", StringComparison.Ordinal)).Select(Path.GetFileName).ToList()!));
            string json = WriteText(directory, "results.json", Json(run));
            return new ResultsFolder(directory, [json, csv, .. charts, report]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--out {directory}: cannot write results: {e.Message}");
        }
    }

    /// <summary>The points so far of a run that goes on: results.csv, then results.json ("complete": false).</summary>
    public static void WritePartial(CompareRun run, string directory)
    {
        WriteText(directory, "results.csv", Csv(run));
        WriteText(directory, "results.json", Json(run));
    }

    public static string Json(CompareRun run)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("schema_version", SchemaVersion);
            json.WriteBoolean("complete", run.Complete);
            json.WriteString("status", run.Status);
            json.WriteBoolean("verified", run.Verified);
            if (run.PointsPlanned is int planned)
            {
                json.WriteNumber("points_planned", planned);
            }
            else
            {
                json.WriteNull("points_planned");
            }

            json.WriteString("started", run.Started);
            json.WriteNumber("wall_seconds", run.WallSeconds);
            WritePairs(json, "parameters", run.Parameters);
            WritePairs(json, "environment", run.Environment);
            WritePairs(json, "variables", run.Variables);
            json.WriteStartArray("points");
            foreach (ComparePoint p in run.Points)
            {
                json.WriteStartObject();
                json.WriteString("workload", p.Workload);
                json.WriteString("backend", p.Backend);
                json.WriteString("isa", p.Isa);
                json.WriteNumber("size", p.Size);
                json.WriteNumber("ranks", p.Ranks);
                json.WriteNumber("threads", p.Threads);
                json.WriteNumber("workers", p.Workers);
                json.WriteStartArray("seconds");
                foreach (double s in p.Seconds)
                {
                    json.WriteNumberValue(s);
                }

                json.WriteEndArray();
                json.WriteNumber("seconds_median", p.Stats.Median);
                json.WriteNumber("seconds_min", p.Stats.Min);
                json.WriteNumber("seconds_max", p.Stats.Max);
                json.WriteNumber("work_per_run", p.WorkPerRun);
                json.WriteNumber("throughput", p.Throughput);
                json.WriteString("throughput_unit", p.ThroughputUnit);
                json.WriteNumber("throughput_per_worker", p.ThroughputPerWorker);
                WriteOptional(json, "peak_gflops", p.PeakGflops);
                WriteOptional(json, "percent_of_peak", p.PercentOfPeak);
                WriteOptional(json, "speedup_vs_managed_serial", CompareMetrics.Speedup(run, p));
                WriteOptional(json, "efficiency", CompareMetrics.Efficiency(run, p));
                WriteOptional(json, "over_managed", CompareMetrics.OverManaged(run, p));
                json.WriteBoolean("verified", p.Verified);
                json.WriteString("check", p.Check);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Reads a results.json written by <see cref="Json"/> (the --baseline input).</summary>
    public static CompareRun ReadJson(string path)
    {
        InputFile.RequireRegular(path);
        try
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
            JsonElement root = doc.RootElement;
            var points = root.GetProperty("points").EnumerateArray().Select(p => new ComparePoint(
                p.GetProperty("workload").GetString()!,
                p.GetProperty("backend").GetString()!,
                p.GetProperty("ranks").GetInt32(),
                p.GetProperty("threads").GetInt32(),
                [.. p.GetProperty("seconds").EnumerateArray().Select(s => s.GetDouble())],
                p.GetProperty("work_per_run").GetDouble(),
                p.GetProperty("throughput_unit").GetString()!,
                p.GetProperty("verified").GetBoolean(),
                p.GetProperty("check").GetString()!)
            {
                // Absent from schema 1 files.
                Isa = p.TryGetProperty("isa", out JsonElement isa) ? isa.GetString() ?? "unknown" : "unknown",
                Size = p.TryGetProperty("size", out JsonElement size) ? size.GetInt64() : 0,
                PeakGflops = p.TryGetProperty("peak_gflops", out JsonElement peak) && peak.ValueKind == JsonValueKind.Number ? peak.GetDouble() : null,
            }).ToList();
            return new CompareRun(
                root.GetProperty("started").GetDateTimeOffset(),
                root.GetProperty("wall_seconds").GetDouble(),
                ReadPairs(root, "parameters"),
                ReadPairs(root, "environment"),
                ReadPairs(root, "variables"),
                points)
            {
                // Absent before schema 3, whose files were written only at the end of a run.
                Complete = !root.TryGetProperty("complete", out JsonElement complete) || complete.GetBoolean(),
                Status = root.TryGetProperty("status", out JsonElement status) ? status.GetString() ?? "unknown" : "complete",
                PointsPlanned = root.TryGetProperty("points_planned", out JsonElement planned) && planned.ValueKind == JsonValueKind.Number ? planned.GetInt32() : null,
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new UsageException($"{path}: not a readable results.json of interop compare ({e.Message.ReplaceLineEndings(" ")})");
        }
    }

    public static string Csv(CompareRun run)
    {
        var csv = new StringBuilder();
        csv.AppendLine("workload,backend,isa,size,ranks,threads,workers,repeats,seconds_median,seconds_min,seconds_max,throughput,throughput_unit,throughput_per_worker,percent_of_peak,speedup_vs_managed_serial,efficiency,over_managed,verified,check");
        foreach (ComparePoint p in run.Points)
        {
            string[] cells =
            [
                p.Workload, p.Backend, p.Isa, Number(p.Size), Number(p.Ranks), Number(p.Threads), Number(p.Workers), Number(p.Seconds.Count),
                Number(p.Stats.Median), Number(p.Stats.Min), Number(p.Stats.Max), Number(p.Throughput), p.ThroughputUnit,
                Number(p.ThroughputPerWorker), Optional(p.PercentOfPeak),
                Optional(CompareMetrics.Speedup(run, p)), Optional(CompareMetrics.Efficiency(run, p)), Optional(CompareMetrics.OverManaged(run, p)),
                p.Verified ? "true" : "false", p.Check,
            ];
            csv.AppendLine(string.Join(',', cells.Select(Quote)));
        }

        return csv.ToString();
    }

    private static string Number(double value) => value.ToString("R", Invariant);

    private static string Optional(double? value) => value is double v ? Number(v) : string.Empty;

    // RFC 4180: quote a cell holding a comma, quote or line break; double the quotes inside.
    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{cell.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : cell;

    private static string WriteText(string directory, string name, string text)
    {
        string path = Path.Combine(directory, name);
        OutputFile.WriteText(path, text);
        return path;
    }

    private static void WritePairs(Utf8JsonWriter json, string name, IReadOnlyList<KeyValuePair<string, string?>> pairs)
    {
        json.WriteStartObject(name);
        foreach ((string key, string? value) in pairs)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }

    private static IReadOnlyList<KeyValuePair<string, string?>> ReadPairs(JsonElement root, string name) =>
        [.. root.GetProperty(name).EnumerateObject().Select(p => new KeyValuePair<string, string?>(p.Name, p.Value.ValueKind == JsonValueKind.Null ? null : p.Value.GetString()))];

    private static void WriteOptional(Utf8JsonWriter json, string name, double? value)
    {
        if (value is double v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
