using System.CommandLine;
using Interop.Cli.Compare;
using Interop.Cli.Jobs;
using Interop.Cli.Workloads;
using Interop.Core;

namespace Interop.Cli.Report;

/// <summary>
/// `interop report DIR...`: merges the results folders of several compare runs (an mpiexec run and
/// a threads-only run, two machines, ...) into one table per workload, charts, report.md and a
/// self-contained report.html. Runs whose workload sizes or seeds differ are refused unless
/// --allow-mixed, incomplete runs unless --allow-incomplete; a folder without results.json, or a
/// results.json with a field out of its type or range, always. A run given twice counts once.
/// Under mpiexec, rank 0 alone does all of this; --force replaces only an earlier report's files.
/// </summary>
internal static class ReportCommand
{
    // Built at first use, not when the command is declared: ReportCharts' statics load ScottPlot, which
    // every other command (and --help, --version) has no use for.
    private static readonly Lazy<IReadOnlyList<string>> LazyFileNames = new(() => [ReportFolder.ManifestName, "report.md", "report.html", .. ReportCharts.FileNames]);

    /// <summary>The names of the files a report may write in its folder (<see cref="ReportFolder"/>: --force removes those an earlier report listed).</summary>
    public static IReadOnlyList<string> FileNames => LazyFileNames.Value;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var folders = new Argument<string[]>("folders") { Description = "Results folders of interop compare (or their results.json files), one or more.", Arity = ArgumentArity.OneOrMore };
        var output = new RenamedOption(new Option<string?>("--out-dir") { Description = "Report folder, new or empty (default report/<timestamp>/); created only after every folder given was read and checked." }, "--out", "-o");
        var force = new Option<bool>("--force") { Description = "Write into a non-empty --out-dir folder: first remove the files an earlier report wrote there; other files stay." };
        var mixed = new Option<bool>("--allow-mixed") { Description = "Merge runs whose workload sizes (darts, n) or seeds differ (throughputs still compare)." };
        var incomplete = new Option<bool>("--allow-incomplete") { Description = "Merge the points of runs that did not finish (results.json \"complete\": false)." };
        var columns = ColumnChoice.CreateOption();
        var command = new Command("report", "Merges several compare results folders (ranks, threads, machines) into one table, charts, report.md and a self-contained report.html.")
        {
            folders,
        }.Example("interop report results/1-rank results/2-ranks --out-dir report/ranks");
        output.AddTo(command);
        foreach (Option option in new Option[] { force, mixed, incomplete, columns })
        {
            command.Options.Add(option);
        }

        command.SetAction(parsed => Driver.Guard(stderr, () =>
        {
            string[] given = parsed.GetValue(folders) ?? [];
            // The folders argument takes any word, so an option report lacks would be read as a
            // folder: a word that starts with '-' and names no file or folder is an unknown option.
            if (given.FirstOrDefault(g => g.StartsWith('-') && !Path.Exists(g)) is string unknown)
            {
                string[] known = [.. command.Options.Select(o => o.Name).Where(n => n.StartsWith("--", StringComparison.Ordinal))];
                string? closest = Driver.Closest(unknown.TrimStart('-'), [.. known.Select(n => n[2..])]);
                throw new UsageException($"unknown option '{unknown}'{(closest is null ? string.Empty : $" (did you mean '--{closest}'?)")} (see 'interop report --help')");
            }

            ColumnChoice chosen = ColumnChoice.Parse(parsed.GetValue(columns), ReportTable.AllColumns);

            // Under mpiexec every rank runs this command: rank 0 alone reads, writes and prints; the
            // others wait for its exit code (a collective bounded by INTEROP_MPI_TIMEOUT) and end with it.
            using IJob job = JobFactory.Start(forceMpi: false);
            return Driver.RunInJob(job, stderr, () => job.IsRoot ? OnRoot(given, parsed, output, force, mixed, incomplete, chosen, stdout, stderr) : Driver.Success);
        }));
        return command;
    }

    // The report itself (rank 0's part under MPI). A usage error is printed here and becomes every
    // rank's exit code, instead of ending the job with an abort.
    private static int OnRoot(string[] given, ParseResult parsed, RenamedOption output, Option<bool> force, Option<bool> mixed, Option<bool> incomplete, ColumnChoice columns, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            // Everything is read and checked before the output folder is touched.
            IReadOnlyList<ReportRun> runs = ReportModel.Distinct([.. given.Select(ReportModel.Load)], stderr);
            ReportModel model = ReportModel.Merge(runs, parsed.GetValue(mixed), parsed.GetValue(incomplete));
            string directory = output.Value(parsed, stderr) ?? CompareOutput.NewFolderName("report");
            ReportFolder.Prepare(directory, parsed.GetValue(force), stderr);
            IReadOnlyList<string> files = Write(model, directory);
            Print(stdout, model, columns);
            stdout.WriteLine();
            stdout.WriteLine($"Report: {string.Join(", ", files.Select(Path.GetFileName))} in {directory}");
            return Driver.Success;
        }
        catch (UsageException e)
        {
            stderr.WriteLine(Driver.Line(Driver.UsageError, string.Empty, e.Message));
            return Driver.UsageError;
        }
    }

    /// <summary>Charts (SVG and PNG), report.md, then report.html; returns the paths written.</summary>
    public static IReadOnlyList<string> Write(ReportModel model, string directory)
    {
        try
        {
            var files = new List<string>();
            var svgs = new List<(string Name, string Svg)>();
            IReadOnlyList<ChartModel> charts = ReportCharts.Build(model);
            // The manifest first: files of a write that is killed half-way are still this report's.
            ReportFolder.WriteManifest(directory, ["report.md", "report.html", .. charts.SelectMany(c => new[] { c.Name + ".svg", c.Name + ".png" })]);
            foreach (ChartModel chart in charts)
            {
                files.AddRange(CompareCharts.Save(chart.Plot, directory, chart.Name));
                svgs.Add((chart.Name, chart.Plot.GetSvgXml(CompareCharts.Width, CompareCharts.Height)));
            }

            string md = Path.Combine(directory, "report.md");
            OutputFile.WriteText(md, MarkdownReportWriter.Render(model, [.. files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)).Select(f => Path.GetFileName(f))]));
            string html = Path.Combine(directory, "report.html");
            OutputFile.WriteText(html, HtmlReport.Render(model, svgs));
            return [md, html, .. files];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputWriteException($"--out-dir {directory}: cannot write the report: {e.Message}", e); // exit 1: a full disk is no usage error
        }
    }

    private static void Print(TextWriter stdout, ReportModel model, ColumnChoice columns)
    {
        stdout.WriteLine($"interop report: {model.Runs.Count} run(s)");
        // --columns names the workload tables' columns; the runs table is fitted, or shown whole with 'all'.
        TextTable.Write(stdout, ReportTable.RunColumns, [.. ReportTable.RunRows(model)], columns.All ? ColumnChoice.Every : ColumnChoice.Fit);
        foreach (string note in model.Notes)
        {
            stdout.WriteLine($"Note: {note}");
        }

        foreach (ReportWorkload w in model.Workloads)
        {
            stdout.WriteLine();
            stdout.WriteLine(w.Title);
            TextTable.Write(stdout, ReportTable.Columns(WorkloadRegistry.Named(w.Workload)), [.. ReportTable.Rows(w)], columns);
            stdout.WriteLine($"{char.ToUpperInvariant(w.SpeedupText[0])}{w.SpeedupText[1..]}.");
            foreach (string line in w.ShapeComparisons())
            {
                stdout.WriteLine($"  {line}");
            }
        }
    }
}
