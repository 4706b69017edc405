using System.Text.Json.Nodes;
using Interop.Cli.Schema;

namespace Interop.Tests;

/// <summary>
/// Issue 20, class 11: `interop report` and `compare --baseline` check every field they read from a
/// results.json; a bad file is exit 2 and one line naming the file and the field, never a .NET
/// message, an accepted future schema or a negative speedup.
/// </summary>
public sealed class ReportInputTests : TempFolderTest
{
    /// <summary>A valid results.json of this schema (two pi points, one inv point), as a JSON tree to mutate.</summary>
    internal static JsonObject CurrentDocument()
    {
        ResultDocument sample = SchemaTests.Sample("compare") with { Complete = true, Status = "complete" };
        return JsonNode.Parse(Documents.Serialize(sample))!.AsObject();
    }

    /// <summary>A valid schema-3 results.json (values as strings), as a JSON tree to mutate.</summary>
    internal static JsonObject LegacyDocument() => JsonNode.Parse("""
        { "schema_version": 3, "complete": true, "status": "complete", "verified": true, "points_planned": 2,
          "started": "2026-11-20T10:00:00+01:00", "wall_seconds": 12.5,
          "parameters": { "darts": "1000000", "seed": "7", "isa": "avx2", "workloads": "pi" },
          "environment": { "cpu_model": "Old CPU", "cpus_usable": "2" },
          "variables": { "OMP_NUM_THREADS": null },
          "points": [
            { "workload": "pi", "backend": "managed-serial", "isa": "avx2", "size": 1000000, "ranks": 1, "threads": 1,
              "seconds": [0.4, 0.5], "work_per_run": 1000000, "throughput_unit": "darts/s", "peak_gflops": null, "verified": true, "check": "inside=785402" },
            { "workload": "pi", "backend": "c-openmp", "isa": "avx2", "size": 1000000, "ranks": 1, "threads": 2,
              "seconds": [0.2, 0.1], "work_per_run": 1000000, "throughput_unit": "darts/s", "peak_gflops": null, "verified": true, "check": "inside=785402" } ] }
        """)!.AsObject();

    private string Save(string name, JsonNode document)
    {
        string folder = Path.Combine(Folder, name);
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "results.json");
        File.WriteAllText(path, document.ToJsonString());
        return path;
    }

    private static void AssertOneLineUsageError((int Code, string Out, string Err) run, string path, string expected)
    {
        Assert.That(run.Code, Is.EqualTo(2), run.Out + run.Err);
        string[] lines = run.Err.TrimEnd().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(1), run.Err);
        Assert.That(lines[0], Does.StartWith($"interop: {path}: ").And.Contain(expected));
        Assert.That(lines[0], Does.Not.Contain("Exception").And.Not.Contain("System."), "no .NET text");
    }

    // Each mutation of a valid document, and the field the message must name.
    private static readonly (string Name, Action<JsonObject> Mutate, string Expected)[] Mutations =
    [
        ("empty seconds", d => d["points"]![0]!["seconds"] = new JsonArray(), "points[0].seconds is empty"),
        ("future schema", d => d["schema_version"] = 99, "schema_version is 99: this interop reads schemas 1 to"),
        ("schema 0", d => d["schema_version"] = 0, "schema_version is 0"),
        ("schema as text", d => d["schema_version"] = "5", "schema_version is the string \"5\", not an integer"),
        ("negative time", d => d["points"]![1]!["seconds"]![0] = -0.2, "points[1].seconds[0] is -0.2: a time is a positive number of seconds"),
        ("zero time", d => d["points"]![0]!["seconds"]![1] = 0, "points[0].seconds[1] is 0"),
        ("time as text", d => d["points"]![0]!["seconds"]![0] = "fast", "points[0].seconds[0]"),
        ("no seconds", d => d["points"]![0]!.AsObject().Remove("seconds"), "points[0].seconds"),
        ("zero ranks", d => d["points"]![1]!["ranks"] = 0, "points[1].ranks is 0"),
        ("huge threads", d => d["points"]![1]!["threads"] = 100000, "points[1].threads is 100000"),
        ("unknown workload", d => d["points"]![0]!["workload"] = "fft", "points[0].workload is 'fft': not pi"),
        ("malformed backend", d => d["points"]![1]!["backend"] = "<b>|x", "points[1].backend is '<b>|x': not a backend name"),
        ("empty backend", d => d["points"]![1]!["backend"] = "", "points[1].backend is ''"),
        ("wrong unit", d => d["points"]![0]!["throughput_unit"] = "GFLOP/s", "points[0].throughput_unit is 'GFLOP/s': pi is measured in darts/s"),
        ("no work", d => d["points"]![0]!["work_per_run"] = 0, "points[0].work_per_run is 0"),
        ("work not of its size", d => d["points"]![1]!["work_per_run"] = 9.2e18, "points[1].work_per_run is 9.2E+18: a run of "),
        ("negative darts parameter", d => d["parameters"]!["darts"] = d["schema_version"]!.GetValue<int>() >= 4 ? JsonValue.Create(-5) : JsonValue.Create("-5"), "parameters.darts"),
        ("null point", d => d["points"]![0] = null, "points[0]"),
        ("points not an array", d => d["points"] = "none", "points"),
        ("no started", d => d.Remove("started"), "started"),
        ("world size 0", d => d["provenance"]!["command"]!["world_size"] = 0, "provenance.command.world_size is 0"),
        ("null argument", d => d["provenance"]!["command"]!["argv"]![1] = null, "provenance.command.argv"),
        ("hosts: rank beyond the world", d => d["provenance"]!["hosts"]![1]!["ranks"]![0] = 2, "provenance.hosts[1].ranks holds 2: not a rank of the job (0 to 1)"),
        ("hosts: a rank on two hosts", d => d["provenance"]!["hosts"]![1]!["ranks"]![0] = 0, "provenance.hosts[1].ranks holds 0, which another host of the job also lists"),
        ("hosts: a rank on no host", d => d["provenance"]!["hosts"]!.AsArray().RemoveAt(1), "provenance.hosts lists 1 rank(s): provenance.command.world_size is 2"),
        ("hosts: host without a name", d => d["provenance"]!["hosts"]![0]!["host"] = "", "provenance.hosts[0].host is '': not a host name"),
        ("hosts: host without ranks", d => d["provenance"]!["hosts"]![0]!["ranks"] = new JsonArray(), "provenance.hosts[0].ranks is empty"),
        ("hosts: null host", d => d["provenance"]!["hosts"]![0] = null, "provenance.hosts[0] is null"),
        ("unknown schedule", d => d["points"]![0]!["schedule"] = "sometimes", "points[0].schedule is 'sometimes': not static, dynamic[:CHUNK] or guided[:MIN]"),
        ("schedule with chunk 0", d => d["points"]![0]!["schedule"] = "dynamic:0", "points[0].schedule is 'dynamic:0'"),
        ("inv with a schedule", d => d["points"]![1]!["schedule"] = "static", "points[1].schedule is 'static', but inv does not schedule its items (null)"),
    ];

    private static IEnumerable<TestCaseData> Cases() =>
        from schema in new[] { "current", "legacy" }
        from m in Mutations
        where !(schema == "legacy" && m.Name == "schema as text") // the same check either way
        where !(schema == "legacy" && m.Name is "world size 0" or "null argument") // schema 8's command line: none in a legacy file
        where !(schema == "legacy" && m.Name.StartsWith("hosts: ", StringComparison.Ordinal)) // schema 9's hosts: none in a legacy file
        where !(schema == "legacy" && m.Name.Contains("schedule", StringComparison.Ordinal)) // compare --schedule's field: none in a legacy file
        select new TestCaseData(schema, m.Name).SetName($"{schema}: {m.Name}");

    [TestCaseSource(nameof(Cases))]
    public void ABadFieldIsOneLineNamingTheFileAndTheField(string schema, string mutation)
    {
        (string _, Action<JsonObject> mutate, string expected) = Mutations.Single(m => m.Name == mutation);
        JsonObject document = schema == "current" ? CurrentDocument() : LegacyDocument();
        mutate(document);
        string bad = Save("bad", document);
        string good = Save("good", schema == "current" ? CurrentDocument() : LegacyDocument());
        string report = Path.Combine(Folder, "R");

        AssertOneLineUsageError(Cli.Run("report", good, bad, "--out-dir", report, "--allow-mixed"), bad, expected);
        Assert.That(Directory.Exists(report), Is.False, "nothing written");
    }

    [Test]
    public void AValidFileOfEachSchemaStillReads()
    {
        string now = Save("now", CurrentDocument());
        string old = Save("old", LegacyDocument());
        var (code, stdout, stderr) = Cli.Run("report", now, old, "--out-dir", Path.Combine(Folder, "R"), "--allow-mixed");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("interop report: 2 run(s)"));
        Assert.That(stdout, Does.Not.Contain("NaN").And.Not.Contain("Infinity"));
    }

    [Test]
    public void TheSizeOfAWorkloadNotMeasuredMayBeZero()
    {
        // compare --workload inv writes darts 0: it calibrated no darts. With pi's points in the file, darts are at least 1.
        JsonObject inv = CurrentDocument();
        inv["parameters"]!["darts"] = 0;
        inv["parameters"]!["darts_serial_baseline"] = 0;
        JsonArray points = inv["points"]!.AsArray();
        foreach (JsonNode? pi in points.Where(p => p!["workload"]!.GetValue<string>() == "pi").ToList())
        {
            points.Remove(pi);
        }

        Assert.That(points, Is.Not.Empty);
        string path = Save("inv", inv);
        var (code, _, stderr) = Cli.Run("report", path, "--out-dir", Path.Combine(Folder, "R"));
        Assert.That(code, Is.Zero, stderr);

        JsonObject both = CurrentDocument();
        both["parameters"]!["darts"] = 0;
        string bad = Save("both", both);
        AssertOneLineUsageError(Cli.Run("report", bad, "--out-dir", Path.Combine(Folder, "R2")), bad, "parameters.darts is '0'");
    }

    [Test]
    public void ADocumentOfPiOrInvIsNotAResultsFile()
    {
        JsonObject pi = CurrentDocument();
        pi["kind"] = "pi";
        string path = Save("pi", pi);
        AssertOneLineUsageError(Cli.Run("report", path, "--out-dir", Path.Combine(Folder, "R")), path, "kind is 'pi'");
    }

    [Test]
    public void TextThatIsNotJsonNamesTheFileAndWhere()
    {
        string folder = Path.Combine(Folder, "text");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "results.json");
        File.WriteAllText(path, "{\n  \"schema_version\": 5,\n  oops\n}");
        AssertOneLineUsageError(Cli.Run("report", path, "--out-dir", Path.Combine(Folder, "R")), path, "not valid JSON (line 3,");
    }

    [Test]
    public void TheBaselineOfCompareReadsThroughTheSameChecks()
    {
        // Refused before anything is measured: the old code read it and compared against it.
        JsonObject document = CurrentDocument();
        document["points"]![0]!["seconds"] = new JsonArray();
        string bad = Save("bad", document);
        string output = Path.Combine(Folder, "out");
        var run = Cli.Run("compare", "--baseline", bad, "--workload", "pi", "--backend", "managed-serial", "--darts", "1000", "--threads", "1", "--repeat", "1", "--out-dir", output);
        AssertOneLineUsageError(run, bad, "points[0].seconds is empty");
        Assert.That(Directory.Exists(output), Is.False);

        document = CurrentDocument();
        document["schema_version"] = ResultDocument.CurrentVersion + 1;
        bad = Save("future", document);
        run = Cli.Run("compare", "--baseline", bad, "--workload", "pi", "--backend", "managed-serial", "--darts", "1000", "--threads", "1", "--repeat", "1", "--out-dir", output);
        AssertOneLineUsageError(run, bad, $"schema_version is {ResultDocument.CurrentVersion + 1}");
    }
}
