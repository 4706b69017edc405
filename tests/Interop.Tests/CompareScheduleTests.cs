using System.Text.Json;

namespace Interop.Tests;

/// <summary>
/// compare --schedule LIST: pi's and ep's parallel points measured once per schedule, which every
/// schedule computes alike (the same counts, the same sums); the schedule is in each point and part of
/// its identity against a baseline; on 2 ranks, each point's load line under the table (issue 24).
/// </summary>
[NonParallelizable]
public sealed class CompareScheduleTests : TempFolderTest
{
    private static JsonElement[] Points(string folder)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json")));
        return [.. doc.RootElement.GetProperty("points").EnumerateArray().Select(p => p.Clone())];
    }

    private static string Schedule(JsonElement p) => p.GetProperty("schedule").GetString()!;

    [TestCase("pi", "--darts", "1000003")]
    [TestCase("ep", "--m", "20")]
    public void EachParallelPointIsMeasuredOncePerScheduleAndComputesTheSame(string workload, string sizeOption, string size)
    {
        string output = Path.Combine(Folder, workload);
        var (code, stdout, stderr) = Cli.Run("compare", "--quick", "--workload", workload, sizeOption, size, "--repeat", "1", "--threads", "2",
            "--schedule", "static,dynamic:1e3", "--out-dir", output);
        Assert.That(code, Is.Zero, stderr);
        JsonElement[] points = Points(output);
        string[] parallel = [.. points.Select(p => p.GetProperty("backend").GetString()!).Where(b => b != "managed-serial").Distinct()];
        Assert.That(parallel, Is.Not.Empty);
        foreach (string backend in parallel)
        {
            // One point a schedule, the chunk spelled as a plain integer.
            Assert.That(points.Where(p => p.GetProperty("backend").GetString() == backend).Select(Schedule), Is.EquivalentTo(new[] { "static", "dynamic:1000" }), backend);
        }

        // The serial baseline runs static alone; every point holds its schedule.
        Assert.That(points.Where(p => p.GetProperty("backend").GetString() == "managed-serial").Select(Schedule), Is.EqualTo(new[] { "static" }));
        Assert.That(points.All(p => p.GetProperty("verified").GetBoolean()), stdout);
        // Every schedule computes the same items: pi the same count inside for the same darts on every backend, ep the
        // same pairs and annulus counts, and on one backend bit-identical sums (other backends' differ in the last bits).
        string[] keys = workload == "pi" ? ["inside"] : ["pairs", "q"];
        JsonElement[] measured = [.. points.Where(p => p.GetProperty("backend").GetString() != "managed-serial")];
        foreach (string key in keys)
        {
            Assert.That(measured.Select(p => p.GetProperty(key).GetRawText()).Distinct().Count(), Is.EqualTo(1), key);
        }

        foreach (IGrouping<string, JsonElement> backend in measured.GroupBy(p => p.GetProperty("backend").GetString()!))
        {
            foreach (string key in workload == "pi" ? [] : new[] { "sx", "sy" })
            {
                Assert.That(backend.Select(p => p.GetProperty(key).GetRawText()).Distinct().Count(), Is.EqualTo(1), $"{backend.Key} {key}");
            }
        }

        // The table's rows name the two apart.
        Assert.That(stdout, Does.Match(@"(?m)^managed-parallel \(static\) +\S").And.Match(@"(?m)^managed-parallel \(dynamic:1000\) +\S"));
        Assert.That(File.ReadAllText(Path.Combine(output, "report.md")), Does.Contain("| managed-parallel (static) |").And.Contain("| managed-parallel (dynamic:1000) |"));

        // So do results.csv's rows: a last column, the point's schedule.
        string[] csv = File.ReadAllLines(Path.Combine(output, "results.csv"));
        Assert.That(csv[0], Does.EndWith(",schedule"));
        Assert.That(csv.Skip(1).Where(l => l.Contains(",managed-parallel,", StringComparison.Ordinal)).Select(l => l[(l.LastIndexOf(',') + 1)..]),
            Is.EquivalentTo(new[] { "static", "dynamic:1000" }));
    }

    [Test]
    public void ARunWithOneScheduleNamesItsBackendsAsBefore()
    {
        string output = Path.Combine(Folder, "one");
        var (code, stdout, stderr) = Cli.Run("compare", "--quick", "--workload", "pi", "--darts", "1000003", "--repeat", "1", "--threads", "1", "--backend", "managed-parallel", "--out-dir", output);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(Points(output).Select(Schedule), Is.EqualTo(new[] { "static" }));
        Assert.That(stdout, Does.Not.Contain("(static)"));
        Assert.That(File.ReadLines(Path.Combine(output, "results.csv")).First(), Does.Not.Contain("schedule")); // as before the option
    }

    [Test]
    public void InvPointsHaveNoSchedule()
    {
        string output = Path.Combine(Folder, "inv");
        var (code, _, stderr) = Cli.Run("compare", "--quick", "--workload", "inv", "--size", "64", "--repeat", "1", "--threads", "1", "--backend", "c-openmp",
            "--schedule", "static,dynamic", "--out-dir", output);
        Assert.That(code, Is.Zero, stderr);
        JsonElement[] points = Points(output);
        Assert.That(points, Has.Length.EqualTo(1));
        Assert.That(points[0].GetProperty("schedule").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [TestCase("auto", "--schedule must be static, dynamic[:CHUNK] or guided[:MIN] (items per chunk), not 'auto'")]
    [TestCase("static,dynamic:0", "--schedule dynamic's chunk 0 is out of range")]
    [TestCase(",", "--schedule needs at least one schedule")]
    public void ABadScheduleIsOneLineAndExit2(string schedule, string message)
    {
        string output = Path.Combine(Folder, "bad");
        var (code, _, stderr) = Cli.Run("compare", "--workload", "pi", "--schedule", schedule, "--out-dir", output);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.Contain(message));
        Assert.That(Directory.Exists(output), Is.False);
    }

    [Test]
    public void TheDryRunPlanListsTheSchedules()
    {
        var (code, stdout, stderr) = Cli.Run("compare", "--workload", "pi", "--threads", "1", "--backend", "managed-parallel", "--schedule", "static,guided:1000", "--dry-run");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout + stderr, Does.Contain("schedule static, guided:1000 (pi)").And.Contain("2 point(s)"));
    }

    [Test]
    public void AStaticBaselineMatchesOnlyTheStaticPointsOfARunWithBoth()
    {
        string first = Path.Combine(Folder, "static");
        Assert.That(Cli.Run("compare", "--quick", "--workload", "pi", "--darts", "1000003", "--repeat", "1", "--threads", "1", "--backend", "managed-parallel", "--out-dir", first).Code, Is.Zero);
        string second = Path.Combine(Folder, "both");
        var (code, stdout, stderr) = Cli.Run("compare", "--quick", "--workload", "pi", "--repeat", "1", "--threads", "1", "--backend", "managed-parallel",
            "--schedule", "static,dynamic", "--out-dir", second, "--baseline", Path.Combine(first, "results.json"));
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("of 1 common point(s)"));
        Assert.That(stdout, Does.Contain("only in this run, not compared: pi managed-parallel 1x1").And.Contain("dynamic"));
        Assert.That(stdout, Does.Not.Contain("only in the baseline"));
    }

    [Test]
    public void ABaselineWrittenBeforeTheScheduleFieldIsStatic()
    {
        string first = Path.Combine(Folder, "old");
        Assert.That(Cli.Run("compare", "--quick", "--workload", "pi", "--darts", "1000003", "--repeat", "1", "--threads", "1", "--backend", "managed-parallel", "--out-dir", first).Code, Is.Zero);
        string json = Path.Combine(first, "results.json");
        var document = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!;
        foreach (System.Text.Json.Nodes.JsonNode? point in document["points"]!.AsArray())
        {
            Assert.That(point!.AsObject().Remove("schedule"), Is.True);
        }

        File.WriteAllText(json, document.ToJsonString());
        var (code, stdout, stderr) = Cli.Run("compare", "--quick", "--workload", "pi", "--repeat", "1", "--threads", "1", "--backend", "managed-parallel",
            "--schedule", "dynamic,static", "--out-dir", Path.Combine(Folder, "now"), "--baseline", json);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("of 1 common point(s)"));
        Assert.That(stdout, Does.Contain("only in this run, not compared: pi managed-parallel 1x1").And.Contain("dynamic"));
    }

    [Test]
    public void ADynamicOnlyRunAgainstAStaticBaselineHasNoParallelPointInCommon()
    {
        string first = Path.Combine(Folder, "static");
        Assert.That(Cli.Run("compare", "--quick", "--workload", "pi", "--darts", "1000003", "--repeat", "1", "--threads", "1", "--backend", "managed-parallel", "--out-dir", first).Code, Is.Zero);
        var (code, _, stderr) = Cli.Run("compare", "--quick", "--workload", "pi", "--repeat", "1", "--threads", "1", "--backend", "managed-parallel",
            "--schedule", "dynamic", "--out-dir", Path.Combine(Folder, "dynamic"), "--baseline", Path.Combine(first, "results.json"));
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain("baseline has schedule = static, this run schedule = dynamic"));
    }

    [Test]
    public void OnTwoRanksEachScheduleShowsItsLoadLine()
    {
        string output = Path.Combine(Folder, "mpi");
        var run = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "compare", "--quick", "--workload", "pi", "--darts", "1000003", "--repeat", "1", "--threads", "1",
            "--backend", "managed-parallel,c-openmp", "--schedule", "static,dynamic:1000", "--out-dir", output]);
        Assert.That(run.Code, Is.Zero, run.Err);
        JsonElement[] points = Points(output);
        foreach (string backend in new[] { "managed-parallel", "c-openmp" })
        {
            JsonElement[] mine = [.. points.Where(p => p.GetProperty("backend").GetString() == backend)];
            Assert.That(mine.Select(Schedule), Is.EquivalentTo(new[] { "static", "dynamic:1000" }), backend);
            Assert.That(mine.Select(p => p.GetProperty("inside").GetInt64()).Distinct().Count(), Is.EqualTo(1), backend);
            foreach (JsonElement p in mine)
            {
                Assert.That(p.GetProperty("ranks").GetInt32(), Is.EqualTo(2));
                Assert.That(p.GetProperty("rank_items").EnumerateArray().Sum(i => i.GetInt64()), Is.EqualTo(1000003), $"{backend} {Schedule(p)}");
                Assert.That(p.GetProperty("load_imbalance").GetDouble(), Is.GreaterThanOrEqualTo(0));
                Assert.That(run.Out, Does.Match($@"load, {backend} \({Schedule(p)}\): rank 0 \(1 thread\) computed .* darts, rank 1 \(1 thread\) computed .*; slowest/mean \d+\.\d\d"));
            }
        }

        Assert.That(run.Out, Does.Contain("c-openmp (dynamic:1000)"));
    }
}
