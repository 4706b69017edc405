using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Interop.Cli.Compare;
using Interop.Cli.Schema;

namespace Interop.Tests;

/// <summary>The result schema: round trips, the field table of docs/result-schema.md, older results.json files, build provenance.</summary>
public sealed partial class SchemaTests
{
    private static readonly DateTimeOffset When = new(2026, 11, 26, 6, 30, 0, TimeSpan.Zero);

    /// <summary>A document of <paramref name="kind"/> with every field set (none null), two points.</summary>
    internal static ResultDocument Sample(string kind) => new()
    {
        Kind = kind,
        Provenance = new Provenance("1.0.0", "0123456789ab", "0123456789ab-dirty", "node17", When)
        {
            Command = new RecordedCommand { Program = "interop", Argv = ["compare", "--quick", "--output", "runs/a b"], Cwd = "/home/me", Launcher = "mpiexec", WorldSize = 2 },
            BuildConfiguration = "Release",
            Hosts = [new HostRanks("node17", [0]), new HostRanks("node18", [1])],
        },
        Complete = false,
        Status = "running",
        Verified = true,
        PointsPlanned = 5,
        Started = When,
        WallSeconds = 12.5,
        Parameters = new RunParameters
        {
            Workloads = ["pi", "inv"],
            Darts = 1_000_000,
            DartsSerialBaseline = 250_000,
            N = 100,
            Seed = ulong.MaxValue,
            Input = "A.npy",
            Output = "X.npy",
            Isa = ["avx2", "scalar"],
            IsaSource = "--isa",
            Threads = [1, 2],
            ThreadsSource = "--threads",
            Ranks = 2,
            Job = "MPI job of 2 ranks",
            Repeat = 3,
            Warmup = 1,
            Sizes = "given",
            BudgetSecondsPerPath = 120,
            MinPointSeconds = 0.2,
            EstimatedSeconds = 100.5,
            GenerateSeconds = 0.01,
        },
        Environment = new EnvironmentFacts
        {
            CpuModel = "Test CPU",
            CpusOnline = 4,
            CpusUsable = 2,
            Affinity = "0-1",
            MemoryTotalBytes = 1L << 34,
            Os = "Linux",
            Architecture = "X64",
            Dotnet = ".NET 10",
            Avx512f = true,
            Vector512HardwareAccelerated = true,
            IsaCpuPaths = ["avx512", "avx2", "scalar"],
            IsaRequested = "auto (from default)",
            IsaManaged = "avx2",
            NativeLibrary = "loaded",
            IsaNative = "avx2",
            IsaOpenblas = "avx2 (core Zen)",
            NativeBuild = new Dictionary<string, string?> { ["c_compiler"] = "GNU 12.2.0", ["openmp"] = "4.5" },
            Openblas = "OpenBLAS 0.3.21",
            MpiLibrary = "Open MPI 4.1",
            OpenmpRuntimesLoaded = "libgomp.so.1",
        },
        Variables = new Dictionary<string, string?> { ["OMP_NUM_THREADS"] = "2", ["OMP_PROC_BIND"] = null },
        Points = [Point("pi"), Point("inv") with { Backend = "lapack", Darts = null, N = 100, WorkPerRun = 2e-3, ThroughputUnit = "GFLOP/s", Inside = null, Estimate = null, AbsError = null }],
        MachineLoad = BusyLoad,
    };

    /// <summary>A machine_load with every field filled: a spinning shell beside a 2-thread run on 2 CPUs.</summary>
    internal static MachineLoad BusyLoad { get; } = new()
    {
        Status = MachineLoad.Measured,
        Seconds = 10,
        Nodes = 1,
        CpusUsable = 2,
        JobThreads = 2,
        Before = new LoadAverage(1.5, 0.5, 0.25),
        After = new LoadAverage(2.75, 1, 0.5),
        OtherCpuSeconds = 9.5,
        OtherCpus = 0.95,
        Busy = true,
        Reason = "other processes kept 0.95 CPU(s) busy",
        Top = [new OtherProcess("sh", 4242, "node17", 9, 0.9), new OtherProcess("cc1", 4243, "node17", 0.5, 0.05)],
    };

    private static MeasuredPoint Point(string workload) => new()
    {
        Workload = workload,
        Backend = "c-openmp",
        Isa = "avx2",
        Ranks = 2,
        Threads = 2,
        Workers = 4,
        Darts = 1_000_000,
        N = 100,
        Seed = 42,
        Repeats = 3,
        RemeasureRounds = 1,
        Seconds = [0.3, 0.1, 0.2],
        SecondsMedian = 0.2,
        SecondsMin = 0.1,
        SecondsMax = 0.3,
        SecondsCiLower = 0.15,
        SecondsCiUpper = 0.25,
        WorkPerRun = 1e6,
        Throughput = 5e6,
        ThroughputUnit = "darts/s",
        ThroughputPerWorker = 1.25e6,
        DartsPerSecond = 5e6,
        Gflops = 1.5,
        PeakGflops = 3,
        PeakSource = MeasuredPoint.FmaLimitSource,
        FractionOfPeak = 0.5,
        AbovePeak = false,
        DgemmGflops = 2,
        OverDgemm = 0.75,
        Speedup = 3.5,
        SpeedupReference = "managed-serial scalar 1 x 1",
        Efficiency = 0.875,
        OverManaged = 1.25,
        Verified = true,
        Check = "inside=785402 (= managed-parallel)",
        Inside = 785_402,
        Estimate = 3.141608,
        AbsError = 1.5e-5,
        Residual = 0.5,
        ResidualThreshold = 30,
        MaxAbsDiffVsLapack = 1e-12,
        CheckSeconds = 0.01,
        RankComputeSeconds = [0.19, 0.2],
        LoadImbalance = 0.05,
        MpiSeconds = 0.001,
        RankChunks = [40, 24],
        RankItems = [625_000, 375_000],
        RankBusySeconds = [0.18, 0.19],
        RankThreadChunks = [[22, 18], [12, 12]],
        RankThreadBusySeconds = [[0.09, 0.09], [0.1, 0.09]],
    };

    [TestCase("pi")]
    [TestCase("inv")]
    [TestCase("compare")]
    public void EveryDocumentKindRoundTrips(string kind)
    {
        ResultDocument doc = Sample(kind);
        string json = Documents.Serialize(doc);
        ResultDocument back = Documents.Deserialize(json);
        Assert.That(back, Is.EqualTo(doc));
        Assert.That(Documents.Serialize(back), Is.EqualTo(json), "byte for byte");
        Assert.That(back with { Points = [.. back.Points.Select(p => p with { Seconds = [9.0] })] }, Is.Not.EqualTo(doc), "equality looks inside the lists");
    }

    [Test]
    public void NumbersAreNumbersAndNamesAreSnakeCase()
    {
        using JsonDocument doc = JsonDocument.Parse(Documents.Serialize(Sample("compare")));
        JsonElement root = doc.RootElement;
        Assert.That(root.GetProperty("schema_version").GetInt32(), Is.EqualTo(ResultDocument.CurrentVersion));
        Assert.That(root.GetProperty("parameters").GetProperty("darts").ValueKind, Is.EqualTo(JsonValueKind.Number));
        Assert.That(root.GetProperty("parameters").GetProperty("seed").GetUInt64(), Is.EqualTo(ulong.MaxValue));
        Assert.That(root.GetProperty("environment").GetProperty("cpus_usable").ValueKind, Is.EqualTo(JsonValueKind.Number));
        Assert.That(root.GetProperty("environment").GetProperty("memory_total_bytes").GetInt64(), Is.EqualTo(1L << 34));
        Assert.That(root.GetProperty("provenance").GetProperty("timestamp_utc").GetString(), Is.EqualTo("2026-11-26T06:30:00+00:00"));
        Assert.That(FieldPaths(root).Where(p => !p.StartsWith("variables.", StringComparison.Ordinal) && !p.StartsWith("environment.native_build.", StringComparison.Ordinal)),
            Has.All.Match("^[a-z0-9_.\\[\\]]+$"));
    }

    [Test]
    public void ReadmeFieldTableListsEveryFieldAndNoOther()
    {
        using JsonDocument doc = JsonDocument.Parse(Documents.Serialize(Sample("compare")));

        // A workload's own fields are in its points only: real ep and array documents (the smallest sizes, one run) add theirs.
        var (code, stdout, stderr) = Cli.Run("ep", "--m", "16", "--backend", "managed-serial", "--repeat", "1", "--warmup", "0", "--json");
        Assert.That(code, Is.EqualTo(0), stderr);
        using JsonDocument ep = JsonDocument.Parse(stdout);
        (code, stdout, stderr) = Cli.Run("array", "--size", "64", "--backend", "managed-serial", "--repeat", "1", "--warmup", "0", "--json");
        Assert.That(code, Is.EqualTo(0), stderr);
        using JsonDocument array = JsonDocument.Parse(stdout);
        string[] fields = [.. FieldPaths(doc.RootElement).Concat(FieldPaths(ep.RootElement)).Concat(FieldPaths(array.RootElement)).Distinct()
            .Where(p => !p.StartsWith("variables.", StringComparison.Ordinal) && !p.StartsWith("environment.native_build.", StringComparison.Ordinal))];
        // The field table lives in docs/result-schema.md (README only links to it).
        string page = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "result-schema.md"));
        int start = page.IndexOf("## Field table", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), "docs/result-schema.md has a Field table section");
        int end = page.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        string section = page[start..(end < 0 ? page.Length : end)];
        string[] documented = [.. TableRow().Matches(section).Select(m => m.Groups[1].Value)];
        Assert.That(documented, Is.Unique);
        Assert.That(fields.Except(documented), Is.Empty, "fields missing from docs/result-schema.md's table");
        Assert.That(documented.Except(fields), Is.Empty, "docs/result-schema.md's table names fields the schema has not");
    }

    [Test]
    public void CompareRunSurvivesTheDocument()
    {
        ResultDocument doc = Sample("compare") with { Points = [.. Sample("compare").Points.Select(p => p with { Speedup = null, SpeedupReference = null, Efficiency = null, OverManaged = null })] };
        CompareRun run = Documents.ToCompare(doc);
        Assert.That(run.Provenance, Is.EqualTo(doc.Provenance));
        Assert.That(run.Points.Select(p => p.Size), Is.EqualTo(new long[] { 1_000_000, 100 }), "pi: darts; inv: n");
        Assert.That(Documents.FromCompare(run).Parameters, Is.EqualTo(doc.Parameters with { Input = null, Output = null, ThreadsSource = null, GenerateSeconds = null }));
        Assert.That(Documents.FromCompare(run).Environment, Is.EqualTo(doc.Environment));
    }

    [TestCase(2)]
    [TestCase(3)]
    public void OlderResultsJsonStillReads(int version)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"interop-schema-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "results.json");
            string extra = version >= 3 ? "\"complete\": false, \"status\": \"running\", \"verified\": true, \"points_planned\": 4," : string.Empty;
            File.WriteAllText(path, $$"""
                { "schema_version": {{version}}, {{extra}}
                  "started": "2026-11-20T10:00:00+01:00", "wall_seconds": 12.5,
                  "parameters": { "darts": "1000000", "n": "200", "seed": "7", "isa": "avx2" },
                  "environment": { "cpu_model": "Old CPU", "cpus_usable": "2" },
                  "variables": { "OMP_NUM_THREADS": null },
                  "points": [ { "workload": "pi", "backend": "c-openmp", "isa": "avx2", "size": 1000000, "ranks": 1, "threads": 2, "workers": 2,
                    "seconds": [0.2, 0.1], "seconds_median": 0.15, "seconds_min": 0.1, "seconds_max": 0.2, "work_per_run": 1000000,
                    "throughput": 6666666.7, "throughput_unit": "darts/s", "throughput_per_worker": 3333333.3, "peak_gflops": null,
                    "percent_of_peak": null, "speedup_vs_managed_serial": null, "efficiency": null, "over_managed": null,
                    "verified": true, "check": "inside=785402" } ] }
                """);
            CompareRun run = ResultsFiles.ReadJson(path);
            Assert.That(run.Complete, Is.EqualTo(version < 3));
            Assert.That(run.Points.Single().Size, Is.EqualTo(1_000_000));
            Assert.That(run.Points.Single().Seconds, Is.EqualTo(new[] { 0.2, 0.1 }));
            Assert.That(run.Parameters.Single(p => p.Key == "seed").Value, Is.EqualTo("7"));
            Assert.That(run.Provenance, Is.Null, "older files have none");

            // Written again, it is a document of this schema that reads back the same points.
            File.WriteAllText(path, ResultsFiles.Json(run));
            CompareRun again = ResultsFiles.ReadJson(path);
            Assert.That(again.Points.Single() with { Seconds = run.Points[0].Seconds }, Is.EqualTo(run.Points.Single()));
            Assert.That(again.Parameters.Single(p => p.Key == "seed").Value, Is.EqualTo("7"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void ASchema4FilesPeakIsReadAsOpenBlasDgemmNotAsTheLimit()
    {
        string dir = Directory.CreateTempSubdirectory("interop-schema4-").FullName;
        try
        {
            // Schema 4 had this document's shape, but its peak_gflops was OpenBLAS's dgemm rate.
            string path = Path.Combine(dir, "results.json");
            ResultDocument old = Sample("compare") with { SchemaVersion = 4 };
            File.WriteAllText(path, Documents.Serialize(old));
            CompareRun run = ResultsFiles.ReadJson(path);
            Assert.That(run.SchemaVersion, Is.EqualTo(4));
            ComparePoint inv = run.Points.Single(p => p.Workload == "inv");
            Assert.That((inv.PeakGflops, inv.DgemmGflops), Is.EqualTo(((double?)null, (double?)3)));
            Assert.That(inv.PercentOfPeak, Is.Null, "no % of its path's limit from a file that has none");

            // This schema's own file keeps both.
            File.WriteAllText(path, Documents.Serialize(Sample("compare")));
            run = ResultsFiles.ReadJson(path);
            Assert.That(run.SchemaVersion, Is.EqualTo(ResultDocument.CurrentVersion));
            inv = run.Points.Single(p => p.Workload == "inv");
            Assert.That((inv.PeakGflops, inv.DgemmGflops), Is.EqualTo(((double?)3, (double?)2)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void APiDocumentIsNotABaseline()
    {
        string path = Path.Combine(Path.GetTempPath(), $"interop-schema-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, Documents.Serialize(Sample("pi")));
        try
        {
            Assert.That(Assert.Throws<Interop.Core.UsageException>(() => ResultsFiles.ReadJson(path))!.Message, Does.Contain("interop pi --json"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void ABuildFromAGitCheckoutRecordsItsCommit()
    {
        string root = RepositoryRoot();
        string? head = Git(root, "rev-parse", "HEAD");
        if (head is null)
        {
            Assert.Ignore("not built from a git checkout (or no git here): the commit is \"unknown\" by design");
        }

        Assert.That(BuildInfo.Commit, Does.Match("^[0-9a-f]{7,40}$"));
        Assert.That(Git(root, "cat-file", "-e", BuildInfo.Commit + "^{commit}"), Is.Not.Null, "a commit of this repository");
        Assert.That(BuildInfo.Describe, Does.StartWith(BuildInfo.Commit).Or.Contain("-g"));
        Assert.That(BuildInfo.Version, Does.Match(@"^\d+\.\d+\.\d+"));
    }

    [Test]
    public void PiJsonCarriesProvenanceAndOnePointShape()
    {
        var (code, stdout, stderr) = Cli.Run("pi", "-d", "100000", "-r", "1", "-b", "managed-serial", "--json");
        Assert.That(code, Is.Zero, stderr);
        ResultDocument doc = Documents.Deserialize(stdout);
        Assert.That(doc.Kind, Is.EqualTo("pi"));
        Assert.That(doc.Provenance.GitCommit, Is.EqualTo(BuildInfo.Commit));
        Assert.That(doc.Provenance.Host, Is.Not.Empty);
        Assert.That(doc.Provenance.TimestampUtc.Offset, Is.EqualTo(TimeSpan.Zero));
        MeasuredPoint p = doc.Points.Single();
        Assert.That((p.Darts, p.Seed, p.N, p.Repeats, p.ThroughputUnit), Is.EqualTo(((long?)100_000, (ulong?)42, (int?)null, 1, "darts/s")));
        Assert.That(p.DartsPerSecond, Is.EqualTo(p.Throughput));
    }

    [Test]
    public void CompareJsonPrintsTheResultsJsonDocument()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"interop-schema-{Guid.NewGuid():N}");
        try
        {
            var (code, stdout, stderr) = Cli.Run("compare", "--workload", "pi", "--backend", "managed-parallel", "--threads", "1", "--darts", "200000", "--repeat", "1", "--json", "--out-dir", dir);
            Assert.That(code, Is.Zero, stderr);
            ResultDocument printed = Documents.Deserialize(stdout);
            ResultDocument saved = Documents.Deserialize(File.ReadAllText(Path.Combine(dir, "results.json")));
            Assert.That(printed, Is.EqualTo(saved));
            Assert.That(printed.Kind, Is.EqualTo("compare"));
            Assert.That(printed.Points.Select(p => p.Darts), Has.All.GreaterThan(0));
            Assert.That(File.ReadAllLines(Path.Combine(dir, "results.csv"))[1], Does.StartWith($"{BuildInfo.Version},{BuildInfo.Commit},"));
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    // Dotted paths of every property: "provenance.host", "points[].seconds_median".
    private static IEnumerable<string> FieldPaths(JsonElement element, string prefix = "")
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty p in element.EnumerateObject())
            {
                string path = prefix + p.Name;
                yield return path;
                JsonElement value = p.Value.ValueKind == JsonValueKind.Array && p.Value.GetArrayLength() > 0 && p.Value[0].ValueKind == JsonValueKind.Object ? p.Value[0] : p.Value;
                string inner = path + (value.ValueKind == p.Value.ValueKind ? "." : "[].");
                foreach (string child in FieldPaths(value, inner))
                {
                    yield return child;
                }
            }
        }
    }

    internal static string RepositoryRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "README.md")) && File.Exists(Path.Combine(d.FullName, "Interop.sln")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("the repository root was not found above " + AppContext.BaseDirectory);
    }

    private static string? Git(string dir, params string[] args)
    {
        try
        {
            var info = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
            foreach (string a in (string[])["-c", "safe.directory=*", .. args])
            {
                info.ArgumentList.Add(a);
            }

            using Process git = Process.Start(info)!;
            string output = git.StandardOutput.ReadToEnd();
            git.StandardError.ReadToEnd();
            git.WaitForExit();
            return git.ExitCode == 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^\|\s*`([a-z0-9_.\[\]]+)`\s*\|", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
