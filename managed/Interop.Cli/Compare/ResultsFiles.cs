using System.Globalization;
using System.Text;
using System.Text.Json;
using Interop.Cli.Schema;
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
    /// 5: an inversion's peak is the FMA limit of its path; dgemm's rate is dgemm_gflops and over_dgemm
    /// (<see cref="ResultDocument.CurrentVersion"/>). 4: the schema shared with pi --json and inv --json (<see cref="ResultDocument"/>). 3:
    /// complete, status, verified and points_planned (a run saves results.json as every point
    /// finishes; "complete": false until it ends). 2: points gained isa, size, peak_gflops,
    /// percent_of_peak and throughput_per_worker; ratios are throughput ratios.
    /// </summary>
    public const int SchemaVersion = ResultDocument.CurrentVersion;

    /// <summary>The first version written as <see cref="ResultDocument"/> (numbers as numbers).</summary>
    private const int SharedDocumentVersion = 4;
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
            // A full disk, a folder removed under the run: a runtime failure (exit 1), not bad usage.
            throw new OutputWriteException($"--out-dir {directory}: cannot write results: {e.Message}", e);
        }
    }

    /// <summary>
    /// After a failure or an interruption: results.json rewritten with <paramref name="run"/>'s
    /// status ("complete": false), so that it never keeps saying "running". When the disk is too
    /// full for a second copy, the file is rewritten in place; when even that fails it is removed
    /// (a half-written or a "running" results.json would be believed). results.csv follows, if it
    /// can. Returns what could not be done, for a note on stderr, or null.
    /// </summary>
    public static string? WriteEnded(CompareRun run, string directory)
    {
        string path = Path.Combine(directory, "results.json");
        string json = Json(run);
        try
        {
            OutputFile.WriteText(path, json);
        }
        catch (OutputWriteException replaceFailed)
        {
            try
            {
                OutputFile.OverwriteText(path, json);
            }
            catch (OutputWriteException)
            {
                try
                {
                    File.Delete(path);
                    return $"{path} removed: it could not be rewritten as \"{run.Status}\" ({replaceFailed.InnerException?.Message ?? replaceFailed.Message})";
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return $"{path} could not be rewritten as \"{run.Status}\" nor removed: {e.Message}";
                }
            }
        }

        try
        {
            WriteText(directory, "results.csv", Csv(run));
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{Path.Combine(directory, "results.csv")} not updated: {e.Message}";
        }
    }

    /// <summary>The points so far of a run that goes on: results.csv, then results.json ("complete": false).</summary>
    public static void WritePartial(CompareRun run, string directory)
    {
        WriteText(directory, "results.csv", Csv(run));
        WriteText(directory, "results.json", Json(run));
    }

    /// <summary>The run as the schema's document (<see cref="ResultDocument"/>): results.json and compare --json.</summary>
    public static string Json(CompareRun run) => Documents.Serialize(Documents.FromCompare(run));

    /// <summary>
    /// Reads a results.json (the --baseline input, and interop report's): schema 5 written by
    /// <see cref="Json"/>, schema 4 (the same document, its peak OpenBLAS's dgemm), and the files
    /// of schemas 1 to 3, whose values were strings. <see cref="CompareRun.SchemaVersion"/> says which.
    /// </summary>
    public static CompareRun ReadJson(string path)
    {
        InputFile.RequireRegular(path);
        try
        {
            string text = File.ReadAllText(path);
            using JsonDocument doc = JsonDocument.Parse(text);
            JsonElement root = doc.RootElement;
            if (root.TryGetProperty("schema_version", out JsonElement version) && version.GetInt32() >= SharedDocumentVersion)
            {
                ResultDocument document = Documents.Deserialize(text);
                if (document.Kind != "compare")
                {
                    throw new JsonException($"a document of `interop {document.Kind} --json`, not of compare");
                }

                return Documents.ToCompare(document);
            }

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
                // The peak of schemas 2 and 3 was OpenBLAS's dgemm rate.
                DgemmGflops = p.TryGetProperty("peak_gflops", out JsonElement peak) && peak.ValueKind == JsonValueKind.Number ? peak.GetDouble() : null,
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
                SchemaVersion = root.TryGetProperty("schema_version", out JsonElement legacy) && legacy.ValueKind == JsonValueKind.Number ? legacy.GetInt32() : 1,
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new UsageException($"{path}: not a readable results.json of interop compare ({e.Message.ReplaceLineEndings(" ")})");
        }
    }

    /// <summary>The CSV header (<see cref="ResultCsv.Header"/>).</summary>
    public const string CsvHeader = ResultCsv.Header;

    /// <summary>One row per point (results.csv), with the run's provenance in every row.</summary>
    public static string Csv(CompareRun run) => ResultCsv.Write(Documents.FromCompare(run));

    private static string WriteText(string directory, string name, string text)
    {
        string path = Path.Combine(directory, name);
        OutputFile.WriteText(path, text);
        return path;
    }

    private static IReadOnlyList<KeyValuePair<string, string?>> ReadPairs(JsonElement root, string name) =>
        [.. root.GetProperty(name).EnumerateObject().Select(p => new KeyValuePair<string, string?>(p.Name, p.Value.ValueKind == JsonValueKind.Null ? null : p.Value.GetString()))];
}
