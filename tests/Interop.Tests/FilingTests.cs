using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Interop.Cli;
using Interop.Cli.Compare;
using Interop.Cli.Report;
using Interop.Cli.Schema;

namespace Interop.Tests;

/// <summary>
/// Issue 22, item 8: results that can be filed. results.json says which command line produced it
/// (program, arguments, working folder, MPI launcher and world size, build configuration); --format md
/// prints the csv's columns as a markdown table for people.
/// </summary>
public sealed partial class FilingTests : TempFolderTest
{
    // Every variable that makes the driver think an MPI launcher started it (MpiLaunch.Launcher).
    private static readonly string[] LauncherVariables =
        ["OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMI_SIZE", "PMIX_RANK", "SLURM_PROCID", "SLURM_STEP_ID"];

    private static string? ConfigurationOf(Assembly assembly) => assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration;

    [Test]
    public void ResultsJsonRecordsTheCommandLineThatProducedIt()
    {
        string[] args = ["pi", "--darts", "1000", "--backend", "managed-serial", "--repeat", "1", "--warmup", "0", "--seed", "7", "--json"];
        var (code, stdout, stderr) = DriverProcess.Run(args, unset: LauncherVariables, workingDirectory: Folder);
        Assert.That(code, Is.Zero, stderr);

        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement provenance = doc.RootElement.GetProperty("provenance");
        JsonElement command = provenance.GetProperty("command");
        Assert.That(command.GetProperty("program").GetString(), Is.EqualTo(Path.GetFileNameWithoutExtension(TestEnvironment.DriverPath)));
        Assert.That(command.GetProperty("argv").EnumerateArray().Select(a => a.GetString()), Is.EqualTo(args));
        Assert.That(command.GetProperty("cwd").GetString(), Is.EqualTo(Interop.Cli.Report.ReportModel.Canonical(Folder)));
        Assert.That(command.GetProperty("launcher").GetString(), Is.EqualTo("none"));
        Assert.That(command.GetProperty("world_size").GetInt32(), Is.EqualTo(1));
        Assert.That(provenance.GetProperty("build_configuration").GetString(), Is.EqualTo(ConfigurationOf(typeof(Driver).Assembly)).And.Not.Empty,
            "the published driver is built in the configuration the tests were");
    }

    [Test]
    public void CompareResultsJsonRecordsItsCommandLine()
    {
        string output = Path.Combine(Folder, "out");
        string[] args = ["compare", "--workload", "pi", "--backend", "managed-serial", "--darts", "20000", "--threads", "1", "--repeat", "1", "--out-dir", output];
        var (code, _, stderr) = Cli.Run(args);
        Assert.That(code, Is.Zero, stderr);

        CompareRun run = ResultsFiles.ReadJson(Path.Combine(output, "results.json"));
        RecordedCommand command = run.Provenance!.Command!;
        Assert.That(command.Argv, Is.EqualTo(args));
        Assert.That(command.Cwd, Is.EqualTo(Environment.CurrentDirectory));
        Assert.That(command.WorldSize, Is.EqualTo(1));
        Assert.That(run.SchemaVersion, Is.EqualTo(ResultDocument.CurrentVersion));
    }

    [Test]
    [NonParallelizable]
    public void UnderMpiexecTheLauncherAndWorldSizeAreRecorded()
    {
        string[] args = ["pi", "--darts", "1000", "--backend", "c-openmp", "--threads", "1", "--repeat", "1", "--json"];
        var run = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, .. args]);
        Assert.That(run.Code, Is.Zero, run.Err);

        using JsonDocument doc = JsonDocument.Parse(run.Out);
        JsonElement command = doc.RootElement.GetProperty("provenance").GetProperty("command");
        Assert.That(command.GetProperty("argv").EnumerateArray().Select(a => a.GetString()), Is.EqualTo(args), "the program path is not an argument");
        Assert.That(command.GetProperty("launcher").GetString(), Is.EqualTo("mpiexec"));
        Assert.That(command.GetProperty("world_size").GetInt32(), Is.EqualTo(2));
    }

    [TestCase("OMPI_COMM_WORLD_SIZE=2 OMPI_COMM_WORLD_RANK=0", "mpiexec")]
    [TestCase("PMI_RANK=0 PMI_SIZE=2", "mpiexec")]
    [TestCase("PMI_RANK=0 PMI_SIZE=2 SLURM_PROCID=0 SLURM_STEP_ID=3", "srun")]
    [TestCase("SLURM_PROCID=0 SLURM_STEP_ID=3 SLURM_STEP_NUM_TASKS=2", "srun")]
    [TestCase("SLURM_PROCID=0 SLURM_STEP_ID=3 SLURM_STEP_NUM_TASKS=1", "none")]
    [TestCase("SLURM_PROCID=0 SLURM_NTASKS=4", "none")]
    [TestCase("", "none")]
    public void TheLauncherIsNamedFromItsVariables(string variables, string launcher)
    {
        Dictionary<string, string> set = variables.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => v.Split('=')).ToDictionary(v => v[0], v => v[1]);
        Assert.That(RecordedCommand.LauncherOf(name => set.GetValueOrDefault(name)), Is.EqualTo(launcher));
    }

    [Test]
    public void ASchema7ResultsJsonStillReads()
    {
        JsonObject document = ReportInputTests.CurrentDocument();
        document["schema_version"] = 7;
        JsonObject provenance = document["provenance"]!.AsObject();
        provenance.Remove("command");
        provenance.Remove("build_configuration");
        string path = Path.Combine(Folder, "results.json");
        File.WriteAllText(path, document.ToJsonString());

        CompareRun run = ResultsFiles.ReadJson(path);
        Assert.That(run.SchemaVersion, Is.EqualTo(7));
        Assert.That(run.Provenance!.Command, Is.Null);
        Assert.That(run.Provenance.BuildConfiguration, Is.Null);
        Assert.That(run.Points, Has.Count.EqualTo(SchemaTests.Sample("compare").Points.Count));
    }

    // The rows of the one markdown table in md: its lines that start with '|', split at each '|' not escaped.
    private static List<string[]> MarkdownTable(string md) =>
        [.. md.Split('\n').Where(l => l.StartsWith('|')).Select(l => UnescapedBar().Split(l.Trim())[1..^1].Select(c => c.Trim()).ToArray())];

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex UnescapedBar();

    private static void AssertMarkdownHasTheCsvColumns(string csv, string md)
    {
        string[] csvLines = csv.TrimEnd().Split('\n');
        string[] csvHeader = csvLines[0].Split(',');
        List<string[]> table = MarkdownTable(md);
        Assert.That(table, Has.Count.EqualTo(csvLines.Length + 1), "header, rule, one row per csv row:\n" + md);
        Assert.That(table.Select(r => r.Length), Has.All.EqualTo(csvHeader.Length), "every line has the csv's columns");
        Assert.That(table[0], Is.EqualTo(csvHeader));
        Assert.That(table[1], Has.All.EqualTo("---"));
        int median = Array.IndexOf(csvHeader, "seconds_median");
        Assert.That(table.Skip(2).Select(r => r[median]), Has.All.Match(@"^[0-9.]+ (ns|us|ms|s)$"), "times carry a unit");
        Assert.That(md, Does.Contain("\nEnvironment: ").And.StartWith("Command: `"));
        Assert.That(md.TrimEnd().Split('\n')[^1], Does.Not.StartWith("|").And.Not.StartWith("Environment: "), "the check line last");
    }

    [TestCase("pi", "--darts", "10000", "--backend", "managed-serial,managed-parallel", "--repeat", "1")]
    [TestCase("inv", "--size", "24", "--backend", "managed-serial", "--repeat", "1")]
    [TestCase("ep", "--m", "16", "--backend", "managed-serial", "--repeat", "1", "--warmup", "0")]
    public void FormatMdIsAMarkdownTableOfTheCsvColumns(params string[] args)
    {
        var csv = Cli.Run([.. args, "--format", "csv"]);
        Assert.That(csv.Code, Is.Zero, csv.Err);
        var md = Cli.Run([.. args, "--format", "md"]);
        Assert.That(md.Code, Is.Zero, md.Err);
        AssertMarkdownHasTheCsvColumns(csv.Out, md.Out);
        Assert.That(md.Out, Does.Contain($" {string.Join(' ', args)} --format md` (in `{Environment.CurrentDirectory}`; no MPI launcher)"), "the command line above the table");
        Assert.That(md.Err, Does.Not.Contain("| backend"), "the markdown alone, on stdout");
        if (args[0] is "pi" or "inv")
        {
            Assert.That(md.Out.TrimEnd().Split('\n')[^1], Does.StartWith("check: ").And.Not.Contain("FAILED"));
        }
    }

    [Test]
    public void CompareWritesMarkdownOnStdoutAndItsTablesOnStderr()
    {
        string[] args = ["compare", "--workload", "pi", "--backend", "managed-serial,managed-parallel", "--darts", "20000", "--threads", "1", "--repeat", "1", "--warmup", "0"];
        var md = Cli.Run([.. args, "--format", "md", "--out-dir", Path.Combine(Folder, "md")]);
        Assert.That(md.Code, Is.Zero, md.Err);
        Assert.That(md.Err, Does.Contain("Summary:"), "compare's tables and summary still reach stderr");
        AssertMarkdownHasTheCsvColumns(File.ReadAllText(Path.Combine(Folder, "md", "results.csv")), md.Out);
        Assert.That(md.Out, Does.Contain("check: all 2 point(s) passed (pi: "));
    }

    [TestCase("seconds_median", "0.0123", "pi", "12.30 ms")]
    [TestCase("seconds_ci_lower", "4.1e-05", "inv", "41.00 us")]
    [TestCase("throughput", "2260000000", "pi", "2.26e9")]
    [TestCase("throughput", "48.81", "inv", "48.8")]
    [TestCase("fraction_of_peak", "0.81", "inv", "81%")]
    [TestCase("efficiency", "0.5", "pi", "50 %")]
    [TestCase("verified", "false", "pi", "FAILED")]
    [TestCase("darts", "1000003", "pi", "1000003")]
    [TestCase("git_commit", "012345678912", "pi", "012345678912")]
    [TestCase("over_managed", "", "pi", "-")]
    public void MarkdownCellsAreTheCsvCellsForPeople(string column, string cell, string workload, string expected) =>
        Assert.That(MarkdownReport.ForPeople(column, cell, workload), Is.EqualTo(expected));

    private string SaveRun(string name, ResultDocument doc)
    {
        string folder = Path.Combine(Folder, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "results.json"), Documents.Serialize(doc));
        return folder;
    }

    [Test]
    public void ReportShowsEachRunsEnvironmentCommitCommandLineAndTheCi()
    {
        ResultDocument sample = SchemaTests.Sample("compare");
        ResultDocument doc = sample with { Complete = true, Status = "complete", Points = [.. sample.Points.Select(p => p with { Seconds = [0.2, 0.21, 0.19, 0.2, 0.205] })] };
        string now = SaveRun("now", doc);
        string old = SaveRun("old", doc with { SchemaVersion = 7, Provenance = doc.Provenance with { Command = null, BuildConfiguration = null } });
        string output = Path.Combine(Folder, "R");
        var (code, _, stderr) = Cli.Run("report", now, old, "--out-dir", output);
        Assert.That(code, Is.Zero, stderr);

        string html = System.Net.WebUtility.HtmlDecode(File.ReadAllText(Path.Combine(output, "report.html")));
        string md = File.ReadAllText(Path.Combine(output, "report.md"));
        EnvironmentFacts environment = doc.Environment;
        foreach ((string name, string text) in new[] { ("report.html", html), ("report.md", md) })
        {
            Assert.That(text, Does.Contain(doc.Provenance.GitCommit).And.Contain(doc.Provenance.GitDescribe), $"{name}: the commit");
            Assert.That(text, Does.Contain(environment.CpuModel).And.Contain(environment.Os).And.Contain(environment.Dotnet)
                .And.Contain(string.Join(", ", environment.IsaCpuPaths)).And.Contain($"{environment.CpusUsable} of {environment.CpusOnline}"), $"{name}: the environment");
            Assert.That(text, Does.Contain(doc.Provenance.Command!.Describe()), $"{name}: the command line of the schema-8 run");
            Assert.That(text, Does.Contain("not recorded (schema 7)"), $"{name}: the schema-7 run has none");
            Assert.That(text, Does.Contain(ReportTable.CiHeading), $"{name}: the CI column");
        }

        // The CI cells of report.md: both runs' pi and inv points, a range in the column's unit.
        string[] header = md.Split('\n').First(l => l.StartsWith("| backend |", StringComparison.Ordinal)).Split('|').Select(c => c.Trim()).ToArray();
        int ci = Array.IndexOf(header, ReportTable.CiHeading);
        string[] cells = [.. md.Split('\n').Where(l => l.StartsWith("| c-openmp |", StringComparison.Ordinal) || l.StartsWith("| lapack |", StringComparison.Ordinal)).Select(l => l.Split('|')[ci].Trim())];
        Assert.That(cells, Has.Length.EqualTo(4).And.All.Match(@"^[0-9.]+-[0-9.]+ (ns|us|ms|s)$"));
    }

    [Test]
    public void ReportPrintsTimesInTheUnitOfEachColumnsSmallestMedian()
    {
        MeasuredPoint Point(string backend, double[] seconds) =>
            Documents.Point(Interop.Cli.Workloads.Pi.PiWorkload.Instance, backend, Interop.Core.Isa.Scalar, 1, 1, 1_000_000, null, 42, seconds, true, "inside=785402");
        ResultDocument doc = SchemaTests.Sample("compare") with
        {
            Complete = true,
            Status = "complete",
            Points = [Point("managed-serial", [0.5, 0.5, 0.6]), Point("c-openmp", [0.0121, 0.0123, 0.0125])],
        };
        // --columns all: a table fitted to 100 columns shortens the median to "12.3 ms" (checked below).
        var (code, stdout, stderr) = Cli.Run("report", SaveRun("run", doc), "--out-dir", Path.Combine(Folder, "R"), "--columns", "all");
        Assert.That(code, Is.Zero, stderr);
        var fitted = Cli.Run("report", SaveRun("fitted", doc), "--out-dir", Path.Combine(Folder, "F"));
        Assert.That(fitted.Code, Is.Zero, fitted.Err);
        Assert.That(fitted.Out, Does.Contain("12.3 ms").And.Contain("500.0 ms"), "the shortened median keeps its unit");

        string md = File.ReadAllText(Path.Combine(Folder, "R", "report.md"));
        foreach (string text in new[] { stdout, md })
        {
            Assert.That(text, Does.Contain("12.3 (12.1-12.5) ms"), "the smallest median chose ms, with 3 significant digits");
            Assert.That(text, Does.Contain("500.0 (500.0-600.0) ms"), "the column's other times in the same unit");
            Assert.That(text, Does.Not.Contain("0.0123").And.Not.Contain("e-0"), "no seconds with exponents");
        }
    }

    [TestCase(new[] { 0.0123, 0.5 }, 0.0123, "12.3 ms")]
    [TestCase(new[] { 0.0123, 0.5 }, 0.5, "500.0 ms")]
    [TestCase(new[] { 4.1e-5, 2e-3 }, 2e-3, "2000.0 us")]
    [TestCase(new[] { 1.5, 20.0 }, 20.0, "20.00 s")]
    [TestCase(new[] { 3e-8 }, 3e-8, "30.0 ns")]
    [TestCase(new[] { 0.25 }, 0.25, "250 ms")]
    public void AColumnOfTimesTakesTheUnitOfItsSmallest(double[] column, double value, string expected) =>
        Assert.That(Units.ColumnUnit(column).Format(value), Is.EqualTo(expected));

    [Test]
    public void TheCommandLineReadsAsAShellLine()
    {
        var command = new RecordedCommand { Program = "interop", Argv = ["compare", "--out-dir", "runs/a b", "it's"], Cwd = "/w", Launcher = "none" };
        Assert.That(command.Text, Is.EqualTo("interop compare --out-dir 'runs/a b' 'it'\\''s'"));
        Assert.That(command.Describe(), Is.EqualTo("interop compare --out-dir 'runs/a b' 'it'\\''s' (in /w; no MPI launcher)"));
        Assert.That((command with { Launcher = "srun", WorldSize = 4 }).Describe(), Does.EndWith("(in /w; srun, 4 ranks)"));
    }
}
