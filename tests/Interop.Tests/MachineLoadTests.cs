using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Interop.Cli.Jobs;
using Interop.Cli.Noise;
using Interop.Cli.Schema;

namespace Interop.Tests;

/// <summary>
/// The machine-load check: which processes are the job's (a fake /proc tree), what the others used,
/// when that counts as busy, the warning, and a real busy loop beside a real run.
/// </summary>
[TestFixture]
public sealed class MachineLoadTests
{
    private string root = string.Empty;

    [SetUp]
    public void MakeRoot() => root = Directory.CreateTempSubdirectory("interop-fakeproc-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(root, recursive: true);

    // A process in the fake tree: /proc/<pid>/stat as Linux writes it (CPU ticks split into utime and stime) and comm.
    private void Process(int pid, int parent, string name, long ticks, long start = 1000)
    {
        string dir = Path.Combine(root, pid.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        long user = ticks / 2;
        string fields = string.Create(CultureInfo.InvariantCulture,
            $"S {parent} {pid} {pid} 0 -1 4194304 100 0 0 0 {user} {ticks - user} 0 0 20 0 1 0 {start} 1000000 100 18446744073709551615");
        File.WriteAllText(Path.Combine(dir, "stat"), $"{pid} ({name}) {fields}\n");
        File.WriteAllText(Path.Combine(dir, "comm"), name + "\n");
    }

    private void LoadAverage(string text) => File.WriteAllText(Path.Combine(root, "loadavg"), text + "\n");

    // init, a login shell, the launcher with two ranks (this process is 201) each with a child, and
    // two processes outside the job: a dotnet build and a compiler started from the same shell.
    private void MpiTree(long otherTicks = 0)
    {
        Process(1, 0, "systemd", 50);
        Process(100, 1, "bash", 10);
        Process(200, 100, "prterun", 30);
        Process(201, 200, "interop", 500);
        Process(202, 200, "interop", 500);
        Process(210, 201, "sh", 5);
        Process(220, 202, "sh", 5);
        Process(300, 1, "dotnet", 1000 + otherTicks);
        Process(301, 100, "cc1", 20 + otherTicks / 2);
    }

    [Test]
    public void StatLinesAreReadFromTheLastParenthesis()
    {
        ProcEntry entry = ProcTable.Parse(7, "7 (a (b) c) R 3 7 7 0 -1 0 0 0 0 0 11 4 0 0 20 0 1 0 99 0 0", comm: null)!;
        Assert.That(entry, Is.EqualTo(new ProcEntry(7, 3, "a (b) c", 15, 99)));
        Assert.That(ProcTable.Parse(7, "7 (x) R 3", comm: null), Is.Null, "too few fields");
        Assert.That(ProcTable.Parse(7, "7 (x) R 3 7 7 0 -1 0 0 0 0 0 11 4 0 0 20 0 1 0 99", comm: "web content\n")!.Name, Is.EqualTo("web content"), "comm names it");
    }

    [Test]
    public void TheJobIsThisProcessItsRanksTheLauncherAndWhatTheyStarted()
    {
        MpiTree();
        ProcTable table = ProcTable.Read(root);
        Assert.That(LoadAccounting.Launcher(table, self: 201), Is.EqualTo(200));
        Assert.That(LoadAccounting.JobProcesses(table, self: 201, ranks: [201]), Is.EquivalentTo(new[] { 200, 201, 202, 210, 220 }),
            "the launcher's subtree holds the other rank even when this rank does not know it");
        Assert.That(LoadAccounting.JobProcesses(table, self: 210, ranks: []), Does.Not.Contain(100).And.Not.Contain(300).And.Not.Contain(301).And.Not.Contain(1),
            "the shell that started the launcher, and its other children, are not the job");
    }

    [Test]
    public void WithoutALauncherTheRanksGivenAreTheJob()
    {
        // Ranks started by something this check does not know (or oversubscribed singletons): the pids gathered from the ranks.
        Process(1, 0, "systemd", 50);
        Process(100, 1, "bash", 10);
        Process(201, 100, "interop", 500);
        Process(202, 100, "interop", 500);
        Process(220, 202, "sh", 5);
        ProcTable table = ProcTable.Read(root);
        Assert.That(LoadAccounting.Launcher(table, self: 201), Is.Null);
        Assert.That(LoadAccounting.JobProcesses(table, self: 201, ranks: [201, 202]), Is.EquivalentTo(new[] { 201, 202, 220 }));
        Assert.That(LoadAccounting.JobProcesses(table, self: 201, ranks: [201]), Is.EquivalentTo(new[] { 201 }));
    }

    [Test]
    public void LaunchersAboveTheNearestAreTheJobToo()
    {
        Process(1, 0, "systemd", 1);
        Process(100, 1, "bash", 1);
        Process(150, 100, "mpiexec", 1);
        Process(200, 150, "prterun", 1);
        Process(201, 200, "interop", 1);
        Process(160, 100, "make", 1);
        ProcTable table = ProcTable.Read(root);
        Assert.That(LoadAccounting.Launcher(table, self: 201), Is.EqualTo(150), "mpiexec started prterun");
        Assert.That(LoadAccounting.JobProcesses(table, self: 201, ranks: []), Does.Not.Contain(160).And.Not.Contain(100));
    }

    [Test]
    public void OthersAreChargedWhatTheyUsedInBetween()
    {
        MpiTree();
        ProcTable before = ProcTable.Read(root);
        Directory.Delete(Path.Combine(root, "301"), recursive: true); // cc1 ended: its time is not seen
        MpiTree(otherTicks: 400);
        Directory.Delete(Path.Combine(root, "301"), recursive: true);
        Process(310, 100, "cc1", 60); // a new process: all of its time was in between
        Process(210, 201, "sh", 900); // the job's child: not charged
        Process(1, 0, "systemd", 50, start: 5); // a pid reused (another start time): all of it
        ProcTable after = ProcTable.Read(root);
        HashSet<int> job = LoadAccounting.JobProcesses(after, self: 201, ranks: [201]);
        var used = LoadAccounting.OtherUse(before, after, job, ticksPerSecond: 100);
        Assert.That(used.Select(u => (u.Process.Name, u.Process.Pid, u.CpuSeconds)), Is.EqualTo(new[] { ("dotnet", 300, 4.0), ("cc1", 310, 0.6), ("systemd", 1, 0.5) }));
    }

    [TestCase(0.05, 2, 2, false, TestName = "A job on every CPU: a twentieth of a CPU beside it is quiet")]
    [TestCase(0.2, 2, 2, true, TestName = "A job on every CPU: a fifth of a CPU beside it is busy")]
    [TestCase(0.9, 4, 2, false, TestName = "Others within the CPUs the job leaves idle are quiet")]
    [TestCase(2.2, 4, 2, true, TestName = "Others beyond the CPUs the job leaves idle are busy")]
    [TestCase(0.15, 2, 4, true, TestName = "An oversubscribed job leaves nothing idle")]
    public void OtherCpuThreshold(double otherCpus, int usable, int jobThreads, bool busy)
    {
        Assert.That(NoiseRule.Busy(otherCpus, usable, jobThreads, loadBefore: 0, online: usable) is not null, Is.EqualTo(busy));
        Assert.That(NoiseRule.Busy(Math.Max(0, usable - jobThreads) + NoiseRule.OtherCpuAllowance, usable, jobThreads, 0, usable), Is.Null, "the bound itself is quiet");
    }

    [Test]
    public void LoadThresholdIsTheOnlineCpusPlusOne()
    {
        Assert.That(NoiseRule.Busy(0, 2, 2, loadBefore: 2 + NoiseRule.LoadMargin, online: 2), Is.Null);
        Assert.That(NoiseRule.Busy(0, 2, 2, loadBefore: 3.2, online: 2), Does.Contain("load average was 3.20"));
        Assert.That(NoiseRule.Busy(0, 2, 2, loadBefore: null, online: 2), Is.Null, "unknown load: not judged by it");
    }

    [Test]
    public void TheWarningNamesTheTopProcessesWithTheirShare()
    {
        string warning = NoiseRule.Warning(SchemaTests.BusyLoad)!;
        Assert.That(warning, Does.StartWith("the machine was busy while measuring: sh (pid 4242) used 90% of a CPU, cc1 (pid 4243) 5.0%; other processes kept"));
        Assert.That(NoiseRule.Warning(SchemaTests.BusyLoad with { Busy = false, Reason = null }), Is.Null);
        Assert.That(NoiseRule.Warning(MachineLoad.UnknownLoad), Is.Null);
    }

    [Test]
    public void AWatchOverAFakeProcFindsTheBusyNeighbour()
    {
        MpiTree();
        LoadAverage("0.10 0.20 0.30 1/100 999");
        LoadWatch watch = LoadWatch.Start(new SingleProcessJob(), threadsPerRank: Environment.ProcessorCount, root, self: 201, host: "node17");
        MpiTree(otherTicks: 1_000_000); // far more than any elapsed time: busy whatever the clock says
        LoadAverage("2.50 1.00 0.50 3/100 999");
        MachineLoad load = watch.Finish(new SingleProcessJob());
        Assert.That(load.Status, Is.EqualTo(MachineLoad.Measured));
        Assert.That(load.Before, Is.EqualTo(new LoadAverage(0.1, 0.2, 0.3)));
        Assert.That(load.After, Is.EqualTo(new LoadAverage(2.5, 1, 0.5)));
        Assert.That(load.Busy, Is.True);
        Assert.That(load.JobThreads, Is.EqualTo(Environment.ProcessorCount));
        Assert.That(load.Top.Select(p => (p.Name, p.Pid, p.Host)), Is.EqualTo(new[] { ("dotnet", 300, "node17"), ("cc1", 301, "node17") }));
        Assert.That(load.OtherCpuSeconds, Is.EqualTo(1_500_000 / (double)ProcTable.TicksPerSecond).Within(1e-9));
        Assert.That(watch.Finish(new SingleProcessJob()), Is.SameAs(load), "finished once");
    }

    [Test]
    public void WithoutAProcTheLoadIsUnknownAndNothingIsSaid()
    {
        LoadWatch watch = LoadWatch.Start(new SingleProcessJob(), 1, root, self: 201, host: "node17"); // no loadavg: not a /proc
        MachineLoad load = watch.Finish(new SingleProcessJob());
        Assert.That(load, Is.EqualTo(MachineLoad.UnknownLoad));
        Assert.That(Documents.Serialize(SchemaTests.Sample("pi") with { MachineLoad = load }), Does.Contain("\"status\": \"unknown\""));
    }

    [Test]
    public void NodesMergeEachOnceBusyWhenAnyIs()
    {
        MachineLoad quiet = SchemaTests.BusyLoad with { Busy = false, Reason = null, OtherCpuSeconds = 0.1, OtherCpus = 0.01, Top = [new OtherProcess("sshd", 9, "node1", 0.1, 0.01)] };
        MachineLoad merged = LoadWatch.Merge([quiet, SchemaTests.BusyLoad, MachineLoad.UnknownLoad]);
        Assert.That(merged.Nodes, Is.EqualTo(2));
        Assert.That(merged.Busy, Is.True);
        Assert.That(merged.Reason, Does.StartWith("on node17: "));
        Assert.That(merged.OtherCpuSeconds, Is.EqualTo(9.6).Within(1e-12));
        Assert.That(merged.Before, Is.EqualTo(quiet.Before), "rank 0's node's loads");
        Assert.That(merged.Top.Select(p => p.Pid), Is.EqualTo(new[] { 4242, 4243, 9 }));
        Assert.That(NoiseRule.Warning(merged), Does.Contain("sh (pid 4242 on node17) used 90% of a CPU"));
        Assert.That(LoadWatch.Merge([MachineLoad.UnknownLoad]), Is.EqualTo(MachineLoad.UnknownLoad));
    }

    [Test]
    public void Schema8RoundTripsAndASchema7DocumentHasNoLoad()
    {
        ResultDocument doc = SchemaTests.Sample("compare");
        ResultDocument back = Documents.Deserialize(Documents.Serialize(doc));
        Assert.That(back.MachineLoad, Is.EqualTo(doc.MachineLoad));
        Assert.That(back.Points.Select(p => p.RemeasureRounds), Is.EqualTo(new[] { 1, 1 }));
        Assert.That(back with { MachineLoad = back.MachineLoad! with { Top = [] } }, Is.Not.EqualTo(doc), "equality looks inside the top list");

        // A schema 7 results.json has neither key: the reader still takes it, with no load.
        var seven = (JsonObject)JsonNode.Parse(Documents.Serialize(doc with { Complete = true, Status = "complete" }))!;
        seven["schema_version"] = 7;
        Assert.That(seven.Remove("machine_load"), Is.True);
        foreach (JsonNode? point in seven["points"]!.AsArray())
        {
            Assert.That(point!.AsObject().Remove("remeasure_rounds"), Is.True);
        }

        string path = Path.Combine(root, "results.json");
        File.WriteAllText(path, seven.ToJsonString());
        Interop.Cli.Compare.CompareRun run = Interop.Cli.Compare.ResultsFiles.ReadJson(path);
        Assert.That(run.SchemaVersion, Is.EqualTo(7));
        Assert.That(run.MachineLoad, Is.Null);
        Assert.That(run.Points.Select(p => p.RemeasureRounds), Is.EqualTo(new[] { 0, 0 }));
    }

    [TestCase("status", "\"quiet\"", "machine_load.status is 'quiet'")]
    [TestCase("seconds", "-1", "machine_load.seconds is -1: not an amount")]
    [TestCase("top", "[null]", "machine_load.top")]
    public void TheReaderRefusesALoadOutOfItsRange(string key, string value, string message)
    {
        var doc = (JsonObject)JsonNode.Parse(Documents.Serialize(SchemaTests.Sample("compare") with { Complete = true, Status = "complete" }))!;
        doc["machine_load"]![key] = JsonNode.Parse(value);
        string path = Path.Combine(root, "results.json");
        File.WriteAllText(path, doc.ToJsonString());
        var e = Assert.Throws<Interop.Core.UsageException>(() => Interop.Cli.Compare.ResultsFiles.ReadJson(path))!;
        Assert.That(e.Message, Does.StartWith($"{path}: {message}"));

        doc["machine_load"]![key] = JsonNode.Parse(Documents.Serialize(SchemaTests.Sample("compare")))!["machine_load"]![key]!.DeepClone();
        doc["machine_load"]!["top"]![0]!["cpu_share"] = -0.5;
        File.WriteAllText(path, doc.ToJsonString());
        Assert.That(Assert.Throws<Interop.Core.UsageException>(() => Interop.Cli.Compare.ResultsFiles.ReadJson(path))!.Message, Does.Contain("machine_load.top[0].cpu_share is -0.5"));
    }

    [Test]
    public void ReportSaysWhichRunWasMeasuredOnABusyMachine()
    {
        ResultDocument doc = SchemaTests.Sample("compare") with { Complete = true, Status = "complete" };
        string busy = Path.Combine(root, "busy");
        string quiet = Path.Combine(root, "quiet");
        Directory.CreateDirectory(busy);
        Directory.CreateDirectory(quiet);
        File.WriteAllText(Path.Combine(busy, "results.json"), Documents.Serialize(doc));
        File.WriteAllText(Path.Combine(quiet, "results.json"), Documents.Serialize(doc with
        {
            MachineLoad = SchemaTests.BusyLoad with { Busy = false, Reason = null },
            Provenance = doc.Provenance with { RunId = Guid.NewGuid().ToString("D") },
        }));

        string report = Path.Combine(root, "R");
        var (code, stdout, stderr) = Cli.Run("report", busy, quiet, "--out-dir", report);
        Assert.That(code, Is.Zero, stderr);
        string[] notes = [.. stdout.Split('\n').Where(l => l.Contains("the machine was busy", StringComparison.Ordinal))];
        Assert.That(notes, Has.Length.EqualTo(1), stdout);
        Assert.That(notes[0], Does.StartWith($"Note: {busy}: the machine was busy while measuring: sh (pid 4242) used 90% of a CPU"));
        Assert.That(File.ReadAllText(Path.Combine(report, "report.md")), Does.Contain($"{busy}: the machine was busy while measuring"));
    }

    [Test]
    [CancelAfter(180_000)]
    public void ABusyLoopBesideAPiRunIsNamed()
    {
        Assume.That(OperatingSystem.IsLinux() && File.Exists("/proc/loadavg"), "needs a Linux /proc");
        Assume.That(File.Exists(TestEnvironment.DriverPath), "needs the published driver");
        // Not the job's: the test starts it, and the driver is its sibling, not its parent.
        using var spinner = System.Diagnostics.Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "while :; do :; done"]))!;
        try
        {
            // Every CPU busy with the job's threads: any spinning beside it is interference.
            var (code, stdout, stderr) = DriverProcess.Run(
                ["pi", "--darts", "2e7", "--backend", "c-openmp", "--threads", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), "--repeat", "10", "--json"],
                limitSeconds: 150);
            Assert.That(code, Is.EqualTo(0), stderr);
            using JsonDocument doc = JsonDocument.Parse(stdout);
            JsonElement load = doc.RootElement.GetProperty("machine_load");
            Assert.That(load.GetProperty("status").GetString(), Is.EqualTo("measured"));
            Assert.That(load.GetProperty("busy").GetBoolean(), Is.True, stderr);
            Assert.That(stderr, Does.Contain("interop: warning: the machine was busy while measuring: "));
            int[] top = [.. load.GetProperty("top").EnumerateArray().Select(p => p.GetProperty("pid").GetInt32())];
            // The spinner used a CPU's share of its own (at least 1 %): listed, unless five busier processes filled the list.
            Assert.That(top.Contains(spinner.Id) || top.Length == NoiseRule.TopCount, Is.True, $"pid {spinner.Id} among {string.Join(",", top)}");
            if (top.Take(NoiseRule.NamedInWarning).Contains(spinner.Id))
            {
                Assert.That(stderr, Does.Contain($"sh (pid {spinner.Id})"));
            }

        }
        finally
        {
            spinner.Kill(entireProcessTree: true);
            spinner.WaitForExit(10_000);
        }
    }
}
