using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Xml;
using Interop.Cli.Compare;

namespace Interop.Tests;

/// <summary>`interop report`: merging compare folders, refusing what does not merge, a self-contained report.html.</summary>
public sealed class ReportCommandTests
{
    private string dir = string.Empty;

    [SetUp]
    public void CreateFolder() => dir = Directory.CreateTempSubdirectory("interop-report-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(dir, recursive: true);

    // A schema-3 results.json as compare writes it, with the points given as (backend, ranks, threads, seconds...).
    private string Folder(string name, string darts = "1000000", string seed = "42", bool complete = true, params (string Backend, int Ranks, int Threads, double[] Seconds)[] points)
    {
        string folder = Path.Combine(dir, name);
        Directory.CreateDirectory(folder);
        var document = new Dictionary<string, object?>
        {
            ["schema_version"] = 3,
            ["complete"] = complete,
            ["status"] = complete ? "complete" : "interrupted by SIGINT after 1 of 4 points",
            ["verified"] = true,
            ["points_planned"] = 4,
            ["started"] = "2026-11-24T12:00:00+00:00",
            ["wall_seconds"] = 3.5,
            ["parameters"] = new Dictionary<string, string?> { ["workloads"] = "pi", ["darts"] = darts, ["seed"] = seed, ["ranks"] = "1", ["threads"] = "1,2", ["job"] = "single process", ["isa"] = "auto" },
            ["environment"] = new Dictionary<string, string?> { ["cpu_model"] = $"CPU of {name}" },
            ["variables"] = new Dictionary<string, string?>(),
            ["points"] = points.Select(p => new Dictionary<string, object?>
            {
                ["workload"] = "pi", ["backend"] = p.Backend, ["isa"] = "avx2", ["size"] = long.Parse(darts, CultureInfo.InvariantCulture),
                ["ranks"] = p.Ranks, ["threads"] = p.Threads, ["workers"] = p.Ranks * p.Threads, ["seconds"] = p.Seconds,
                ["work_per_run"] = double.Parse(darts, CultureInfo.InvariantCulture), ["throughput_unit"] = "darts/s", ["verified"] = true, ["check"] = "inside=785",
            }).ToArray(),
        };
        File.WriteAllText(Path.Combine(folder, "results.json"), JsonSerializer.Serialize(document));
        return folder;
    }

    private string Threads(string name, string darts = "1000000", string seed = "42", bool complete = true) => Folder(name, darts, seed, complete,
        ("managed-serial", 1, 1, [0.10, 0.11, 0.12]), ("c-openmp", 1, 1, [0.02, 0.021, 0.03]), ("c-openmp", 1, 2, [0.01, 0.011, 0.012]));

    private string Ranks(string name, string darts = "1000000") => Folder(name, darts, "42", true,
        ("managed-serial", 2, 1, [0.09, 0.1, 0.1]), ("c-openmp", 2, 1, [0.012, 0.013, 0.02]));

    [Test]
    public void MergesAnMpiexecFolderWithAThreadsFolderIntoOneTable()
    {
        var clock = Stopwatch.StartNew();
        string a = Path.Combine(dir, "A");
        string b = Path.Combine(dir, "B");
        var mpi = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "compare", "--quick", "--workload", "pi", "--darts", "2e6", "--threads", "1", "--out-dir", a]);
        Assert.That(mpi.Code, Is.Zero, mpi.Err);
        var threads = DriverProcess.Run(["compare", "--quick", "--workload", "pi", "--darts", "2e6", "--threads", "1,2", "--out-dir", b]);
        Assert.That(threads.Code, Is.Zero, threads.Err);

        string report = Path.Combine(dir, "R");
        var run = DriverProcess.Run(["report", a, b, "--out-dir", report], limitSeconds: 60);
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(run.Out, Does.Contain($"in {report}"));

        // One table with the 2-rank points and the 1- and 2-thread points, each backend at every shape.
        string md = File.ReadAllText(Path.Combine(report, "report.md"));
        string[] rows = [.. md.Split('\n').Where(l => l.StartsWith("| c-openmp |", StringComparison.Ordinal))];
        Assert.That(rows.Select(r => r.Split('|')[3].Trim()), Is.EquivalentTo(new[] { "1x1", "1x2", "2x1" }), md);
        Assert.That(rows.Single(r => r.Contains("| 2x1 |", StringComparison.Ordinal)), Does.Contain($"| {a} |"));
        Assert.That(rows.Single(r => r.Contains("| 1x2 |", StringComparison.Ordinal)), Does.Contain($"| {b} |"));
        Assert.That(md, Does.Contain("Speedup: against the backend's own 1 x 1; else managed-serial"), "run A (2 ranks) has no 1x1 point: its reference is named");
        Assert.That(md, Does.Contain("c-openmp on 2 workers: "));
        Assert.That(md, Does.Not.Contain("(baseline)"));

        AssertSelfContainedHtml(Path.Combine(report, "report.html"), charts: 2);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(240)), "two quick compares and a report");
    }

    [TestCase("--unknown-option", null)]
    [TestCase("--forc", "--force")]
    [TestCase("--allow-mixd", "--allow-mixed")]
    public void AnUnknownOptionIsAUsageErrorWithASuggestionNotAFolder(string option, string? suggestion)
    {
        // Issue 20, class 15: it was read as a folder ("--unknown-option: no such folder").
        var (code, stdout, stderr) = Cli.Run("report", option, "--out-dir", Path.Combine(dir, "out"));
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.Contain($"unknown option '{option}'").And.Not.Contain("no such folder"));
        Assert.That(stderr.Contains("did you mean", StringComparison.Ordinal), Is.EqualTo(suggestion is not null), stderr);
        if (suggestion is not null)
        {
            Assert.That(stderr, Does.Contain($"'{suggestion}'"));
        }

        Assert.That(stdout, Is.Empty);
        Assert.That(Directory.Exists(Path.Combine(dir, "out")), Is.False);
    }

    [Test]
    public void MixedSizesAreRefusedUnlessAllowed()
    {
        string a = Threads("A", darts: "1000000");
        string b = Ranks("B", darts: "2000000");
        string report = Path.Combine(dir, "R");
        var (code, output, error) = Cli.Run("report", a, b, "--out-dir", report);
        Assert.That(code, Is.EqualTo(2), output);
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), error);
        Assert.That(error, Does.StartWith("interop: workload sizes differ: pi darts 1000000 in").And.Contain("2000000 in").And.Contain("--allow-mixed"));
        Assert.That(Directory.Exists(report), Is.False, "nothing written before the runs were checked");

        string seeds = Threads("S", seed: "7");
        (code, _, error) = Cli.Run("report", a, seeds, "--out-dir", report);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("seed 42 in").And.Contain("7 in"));

        (code, output, error) = Cli.Run("report", a, b, "--out-dir", report, "--allow-mixed");
        Assert.That(code, Is.Zero, error);
        Assert.That(File.ReadAllText(Path.Combine(report, "report.md")), Does.Contain("Mixed workload sizes (--allow-mixed)"));
        AssertSelfContainedHtml(Path.Combine(report, "report.html"), charts: 2);
    }

    [Test]
    public void AFolderWithoutResultsOrAnIncompleteRunIsRefused()
    {
        string a = Threads("A");
        string empty = Path.Combine(dir, "empty");
        Directory.CreateDirectory(empty);
        var (code, _, error) = Cli.Run("report", a, empty, "--out-dir", Path.Combine(dir, "R1"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error.TrimEnd(), Is.EqualTo($"interop: {empty}: no results.json there (not a results folder of interop compare)"));

        (code, _, error) = Cli.Run("report", a, Path.Combine(dir, "missing"), "--out-dir", Path.Combine(dir, "R1"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("no such folder"));

        string partial = Threads("P", complete: false);
        (code, _, error) = Cli.Run("report", a, partial, "--out-dir", Path.Combine(dir, "R1"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("an incomplete run (interrupted by SIGINT after 1 of 4 points").And.Contain("--allow-incomplete"));

        (code, _, error) = Cli.Run("report", a, partial, "--out-dir", Path.Combine(dir, "R1"), "--allow-incomplete");
        Assert.That(code, Is.Zero, error);
        Assert.That(File.ReadAllText(Path.Combine(dir, "R1", "report.md")), Does.Contain("an incomplete run"));
    }

    [Test]
    public void ANonEmptyOutFolderNeedsForceWhichRemovesOnlyReportFiles()
    {
        string a = Threads("A");
        string b = Ranks("B");
        string report = Path.Combine(dir, "R");
        var (code, _, error) = Cli.Run("report", a, b, "--out-dir", report);
        Assert.That(code, Is.Zero, error);
        File.WriteAllText(Path.Combine(report, "notes.txt"), "mine");
        File.WriteAllText(Path.Combine(report, "report.md"), "an earlier report's, edited");
        (code, _, error) = Cli.Run("report", a, b, "--out-dir", report);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("not empty").And.Contain("--force"));

        (code, _, error) = Cli.Run("report", a, b, "--out-dir", report, "--force");
        Assert.That(code, Is.Zero, error);
        Assert.That(File.ReadAllText(Path.Combine(report, "notes.txt")), Is.EqualTo("mine"));
        Assert.That(File.ReadAllText(Path.Combine(report, "report.md")), Does.StartWith("# Interop report"));
        Assert.That(Directory.GetFiles(report).Select(Path.GetFileName), Is.EquivalentTo(new[]
        {
            "notes.txt", "report-files.txt", "report.md", "report.html", "report-pi-throughput.svg", "report-pi-throughput.png", "report-pi-speedup.svg", "report-pi-speedup.png",
        }));
    }

    [Test]
    public void ForceIntoACompareFolderLeavesEveryFileOfCompareAlone()
    {
        // Issue 20, class 13: `report --force` into a compare's results folder deleted its report.md.
        string a = Threads("A");
        string compare = Path.Combine(dir, "C");
        Directory.CreateDirectory(compare);
        var written = new Dictionary<string, string>
        {
            ["results.json"] = File.ReadAllText(Path.Combine(a, "results.json")),
            ["results.csv"] = "compare's csv",
            ["report.md"] = "compare's report",
            ["pi-throughput.png"] = "compare's chart",
        };
        foreach ((string name, string text) in written)
        {
            File.WriteAllText(Path.Combine(compare, name), text);
        }

        var (code, stdout, stderr) = Cli.Run("report", a, "--out-dir", compare, "--force");
        Assert.That(code, Is.EqualTo(2), stdout + stderr);
        Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.Contain($"--out-dir {compare}: report.md there was not written by interop report"));
        Assert.That(Directory.GetFiles(compare).Select(Path.GetFileName), Is.EquivalentTo(written.Keys));
        foreach ((string name, string text) in written)
        {
            Assert.That(File.ReadAllText(Path.Combine(compare, name)), Is.EqualTo(text), name);
        }

        // An edited manifest names only what report writes: it cannot make --force remove compare's files.
        File.WriteAllText(Path.Combine(compare, "report-files.txt"), "results.json\nresults.csv\n../A/results.json\n");
        (code, _, stderr) = Cli.Run("report", a, "--out-dir", compare, "--force");
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(File.ReadAllText(Path.Combine(compare, "results.json")), Is.EqualTo(written["results.json"]));
        Assert.That(File.Exists(Path.Combine(a, "results.json")));
    }

    [Test]
    public void CompareForceIntoAReportFolderLeavesEveryFileOfReportAlone()
    {
        // Issue 20, class 13, the other way round: `compare --force` into a report's folder removed its report.md.
        string a = Threads("A");
        string report = Path.Combine(dir, "R");
        var (code, _, stderr) = Cli.Run("report", a, "--out-dir", report);
        Assert.That(code, Is.Zero, stderr);
        var before = Directory.GetFiles(report).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        Assert.That(before.Keys, Does.Contain("report.md"));

        (code, var stdout, stderr) = Cli.Run("compare", "--quick", "--workload", "pi", "--darts", "1e5", "--backend", "managed-serial", "--out-dir", report, "--force");
        Assert.That(code, Is.EqualTo(2), stdout + stderr);
        Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.Contain("report.md there was written by interop report"));
        Assert.That(Directory.GetFiles(report).Select(Path.GetFileName), Is.EquivalentTo(before.Keys));
        foreach ((string name, byte[] bytes) in before)
        {
            Assert.That(File.ReadAllBytes(Path.Combine(report, name)), Is.EqualTo(bytes), name);
        }
    }

    [Test]
    public void TheSameRunGivenTwiceIsCountedOnce()
    {
        // Issue 20, class 12: a folder and its results.json, or a link to either, gave duplicate rows.
        string a = Threads("A");
        string b = Ranks("B");
        string link = Path.Combine(dir, "link-to-A");
        Directory.CreateSymbolicLink(link, a);
        string fileLink = Path.Combine(dir, "results-of-A.json");
        File.CreateSymbolicLink(fileLink, Path.Combine(link, "results.json"));
        var (code, stdout, stderr) = Cli.Run("report", a, b, Path.Combine(a, "results.json"), link + "/", fileLink, a, "--out-dir", Path.Combine(dir, "R"));
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("interop report: 2 run(s)"));
        string[] rows = [.. stdout.Split('\n').Where(l => l.StartsWith("c-openmp", StringComparison.Ordinal))];
        Assert.That(rows, Has.Length.EqualTo(3), stdout);
        string[] notes = [.. stderr.TrimEnd().Split('\n')];
        Assert.That(notes, Has.Length.EqualTo(4), stderr);
        Assert.That(notes, Has.All.StartWith("interop: note: ").And.All.Contain($"is the run of {a} (the same file, ").And.All.EndWith("): counted once"));
    }

    [Test]
    public void ACopyOfARunIsTheSameRunByItsId()
    {
        // Schema 6 gives every run an id: a copied folder is the same run; two runs with the same
        // points but their own ids are two runs.
        System.Text.Json.Nodes.JsonObject document = ReportInputTests.CurrentDocument();
        document["provenance"]!["run_id"] = "5b1c1f3e-2d7a-4a51-9a0e-0c3b0f6f4a11";
        string original = Path.Combine(dir, "original");
        string copy = Path.Combine(dir, "copy");
        string other = Path.Combine(dir, "other");
        foreach (string folder in new[] { original, copy, other })
        {
            Directory.CreateDirectory(folder);
            if (folder == other)
            {
                document["provenance"]!["run_id"] = "0d9e8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b";
            }

            File.WriteAllText(Path.Combine(folder, "results.json"), document.ToJsonString());
        }

        var (code, stdout, stderr) = Cli.Run("report", original, copy, "--out-dir", Path.Combine(dir, "R1"));
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("interop report: 1 run(s)"));
        Assert.That(stderr.Trim(), Is.EqualTo($"interop: note: {copy} is the run of {original} (the same run id, 5b1c1f3e-2d7a-4a51-9a0e-0c3b0f6f4a11): counted once"));

        (code, stdout, stderr) = Cli.Run("report", original, other, "--out-dir", Path.Combine(dir, "R2"));
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("interop report: 2 run(s)"));
        Assert.That(stderr, Is.Empty);
    }

    [Test]
    public void CompareGivesItsRunAnIdWhenItStarts()
    {
        string output = Path.Combine(dir, "C");
        var (code, _, stderr) = Cli.Run("compare", "--workload", "pi", "--backend", "managed-serial", "--darts", "20000", "--threads", "1", "--repeat", "1", "--out-dir", output);
        Assert.That(code, Is.Zero, stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        Assert.That(json.RootElement.GetProperty("schema_version").GetInt32(), Is.EqualTo(Interop.Cli.Schema.ResultDocument.CurrentVersion));
        string? id = json.RootElement.GetProperty("provenance").GetProperty("run_id").GetString();
        Assert.That(Guid.TryParse(id, out _), id);
    }

    [Test]
    public void UnderMpiexecRankZeroAloneReadsWritesAndPrints()
    {
        // Issue 20, class 14: both ranks wrote the same folder (and printed the tables twice).
        string a = Threads("A");
        string b = Ranks("B");
        string report = Path.Combine(dir, "R");
        var run = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "report", a, b, "--out-dir", report]);
        Assert.That(run.Code, Is.Zero, run.Out + run.Err);
        Assert.That(run.Out.Split('\n').Count(l => l.StartsWith("interop report: 2 run(s)", StringComparison.Ordinal)), Is.EqualTo(1), run.Out);
        Assert.That(run.Out.Split('\n').Count(l => l.StartsWith("Report: ", StringComparison.Ordinal)), Is.EqualTo(1), run.Out);
        Assert.That(run.Err, Does.Not.Contain("interop"), run.Err);
        Assert.That(File.ReadAllText(Path.Combine(report, "report.md")), Does.StartWith("# Interop report"));

        // A refusal on rank 0 (a bad file) is one line, and every rank ends with its code, 2; no abort.
        string bad = Path.Combine(dir, "bad");
        Directory.CreateDirectory(bad);
        File.WriteAllText(Path.Combine(bad, "results.json"), File.ReadAllText(Path.Combine(a, "results.json")).Replace("[0.1,0.11,0.12]", "[]", StringComparison.Ordinal));
        run = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "report", a, bad, "--out-dir", Path.Combine(dir, "R2")]);
        Assert.That(run.Code, Is.EqualTo(2), run.Out + run.Err);
        string[] lines = [.. run.Err.Split('\n').Where(l => l.StartsWith("interop", StringComparison.Ordinal))];
        Assert.That(lines, Has.Length.EqualTo(1), run.Err);
        Assert.That(lines[0], Does.Contain("points[0].seconds is empty"));
        Assert.That(run.Err, Does.Not.Contain("MPI_ABORT"));
        Assert.That(Directory.Exists(Path.Combine(dir, "R2")), Is.False);
    }

    [Test]
    public void AFileOfAnOlderSchemaSaysItsPeakWasOpenBlasDgemm()
    {
        // Schema 4: the document of today, but peak_gflops and fraction_of_peak were over OpenBLAS's dgemm.
        string old = Path.Combine(dir, "old");
        Directory.CreateDirectory(old);
        Interop.Cli.Schema.ResultDocument doc = SchemaTests.Sample("compare") with { SchemaVersion = 4, Complete = true, Status = "complete" };
        File.WriteAllText(Path.Combine(old, "results.json"), Interop.Cli.Schema.Documents.Serialize(doc));
        string now = Path.Combine(dir, "now");
        Directory.CreateDirectory(now);
        File.WriteAllText(Path.Combine(now, "results.json"), Interop.Cli.Schema.Documents.Serialize(doc with { SchemaVersion = Interop.Cli.Schema.ResultDocument.CurrentVersion }));

        var (code, stdout, stderr) = Cli.Run("report", old, now, "--out-dir", Path.Combine(dir, "R"), "--allow-mixed");
        Assert.That(code, Is.Zero, stderr);
        string results = Path.Combine(old, "results.json");
        Assert.That(stdout, Does.Contain($"fraction_of_peak in {results} (schema 4) is over OpenBLAS dgemm, not the FMA limit"));
        Assert.That(stdout, Does.Not.Contain($"fraction_of_peak in {Path.Combine(now, "results.json")}"), "this schema's peak is the limit");
        Assert.That(File.ReadAllText(Path.Combine(dir, "R", "report.md")), Does.Contain($"fraction_of_peak in {results} (schema 4)"));
    }

    [Test]
    public void EverySpeedupIsOverTheSameBackendOnOneByOneWithinItsRunElseTheNamedReference()
    {
        string a = Threads("A");
        string b = Ranks("B");
        string report = Path.Combine(dir, "R");
        var (code, output, error) = Cli.Run("report", b, a, "--out-dir", report);
        Assert.That(code, Is.Zero, error);
        // A: c-openmp at 1x2 over its own 1x1 point (medians 0.021 and 0.011 s).
        string threads = output.Split('\n').Single(l => l.StartsWith("c-openmp", StringComparison.Ordinal) && l.Contains(" 1x2 ", StringComparison.Ordinal));
        Assert.That(threads, Does.Contain((0.021 / 0.011).ToString("0.00", CultureInfo.InvariantCulture) + "x"));
        // B ran on 2 ranks only: no 1x1 point of its own, so over B's managed-serial at 2x1 (0.1 s), named under the table.
        string ranks = output.Split('\n').Single(l => l.StartsWith("c-openmp", StringComparison.Ordinal) && l.Contains(" 2x1 ", StringComparison.Ordinal));
        Assert.That(ranks, Does.Contain((0.1 / 0.013).ToString("0.00", CultureInfo.InvariantCulture) + "x"));
        Assert.That(output, Does.Contain("Speedup: against the backend's own 1 x 1; else managed-serial avx2 2 x 1; every speedup within its own run."));
        Assert.That(output, Does.Not.Contain("(baseline)"));
    }

    [Test]
    public void ASchemaSevenFileWithSpeedupVsManagedSerialIsStillReported()
    {
        // Schema 7 wrote speedup_vs_managed_serial (over managed-serial); report reads the file and
        // derives its speedups from the seconds by today's definition, whatever the old key held.
        string folder = Path.Combine(dir, "seven");
        Directory.CreateDirectory(folder);
        CompareRun run = new(DateTimeOffset.UnixEpoch, 2, [new("workloads", "pi"), new("darts", "1000000"), new("seed", "42"), new("isa", "avx2")], [new("cpu_model", "Old CPU")], [],
        [
            new("pi", "managed-serial", 1, 1, [0.10, 0.11, 0.12], 1e6, "darts/s", true, "inside=1") { Isa = "scalar", Size = 1_000_000 },
            new("pi", "c-openmp", 1, 1, [0.020, 0.021, 0.022], 1e6, "darts/s", true, "inside=1") { Isa = "avx2", Size = 1_000_000 },
            new("pi", "c-openmp", 1, 2, [0.010, 0.011, 0.012], 1e6, "darts/s", true, "inside=1") { Isa = "avx2", Size = 1_000_000 },
        ]);
        var document = System.Text.Json.Nodes.JsonNode.Parse(ResultsFiles.Json(run))!.AsObject();
        document["schema_version"] = 7;
        foreach (var point in document["points"]!.AsArray().Select(p => p!.AsObject()))
        {
            point.Remove("speedup");
            point.Remove("speedup_reference");
            point["speedup_vs_managed_serial"] = 99.0;
        }

        File.WriteAllText(Path.Combine(folder, "results.json"), document.ToJsonString());
        Assert.That(ResultsFiles.ReadJson(Path.Combine(folder, "results.json")).SchemaVersion, Is.EqualTo(7));
        var (code, output, error) = Cli.Run("report", folder, "--out-dir", Path.Combine(dir, "R"));
        Assert.That(code, Is.Zero, error);
        string row = output.Split('\n').Single(l => l.StartsWith("c-openmp", StringComparison.Ordinal) && l.Contains(" 1x2 ", StringComparison.Ordinal));
        Assert.That(row, Does.Contain((0.021 / 0.011).ToString("0.00", CultureInfo.InvariantCulture) + "x").And.Not.Contain("99"));

        // Written again it is this build's schema (8 on), with speedup and speedup_reference.
        string current = ResultsFiles.Json(ResultsFiles.ReadJson(Path.Combine(folder, "results.json")));
        var again = System.Text.Json.Nodes.JsonNode.Parse(current)!;
        Assert.That(again["schema_version"]!.GetValue<int>(), Is.EqualTo(Interop.Cli.Schema.ResultDocument.CurrentVersion));
        var c2 = again["points"]!.AsArray().Single(p => p!["backend"]!.GetValue<string>() == "c-openmp" && p["threads"]!.GetValue<int>() == 2)!;
        Assert.That(c2["speedup"]!.GetValue<double>(), Is.EqualTo(0.021 / 0.011).Within(1e-9));
        Assert.That(c2["speedup_reference"]!.GetValue<string>(), Is.EqualTo("c-openmp avx2 1 x 1"));
        Assert.That(c2.AsObject().ContainsKey("speedup_vs_managed_serial"), Is.False);
    }

    private static void AssertSelfContainedHtml(string path, int charts)
    {
        var html = new XmlDocument();
        Assert.DoesNotThrow(() => html.Load(path), "report.html is well-formed XML");
        var ns = new XmlNamespaceManager(html.NameTable);
        ns.AddNamespace("h", "http://www.w3.org/1999/xhtml");
        ns.AddNamespace("s", "http://www.w3.org/2000/svg");
        Assert.That(html.SelectNodes("//s:svg", ns)!.Count, Is.EqualTo(charts), "inline SVG charts");
        Assert.That(html.SelectNodes("//h:table", ns)!.Count, Is.GreaterThanOrEqualTo(2));
        string text = File.ReadAllText(path);
        Assert.That(text, Does.Not.Contain("<?xml").And.Not.Contain(" src=").And.Not.Contain("href=\"http"), "no external files");
        string[] ids = [.. html.SelectNodes("//@id")!.Cast<XmlAttribute>().Select(a => a.Value)];
        Assert.That(ids, Is.Unique, "ids of the inline charts do not collide");
    }
}
