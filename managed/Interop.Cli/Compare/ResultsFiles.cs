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
    /// Reads a results.json (the --baseline input, and interop report's): every schema from 1 to
    /// this build's, every field checked (<see cref="ResultsJsonReader"/>); a bad file is a usage
    /// error naming the file and the field. <see cref="CompareRun.SchemaVersion"/> says which schema.
    /// </summary>
    public static CompareRun ReadJson(string path) => ResultsJsonReader.Read(path);

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
}
