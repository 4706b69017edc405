using System.Diagnostics;
using System.Text.Json;
using Interop.Cli.Compare;

namespace Interop.Tests;

/// <summary>
/// compare's results folder: every path checked before any computing, a non-empty --out-dir refused
/// unless --force, results saved as every point finishes, and SIGINT/SIGTERM leaving a valid
/// results.json marked "complete": false.
/// </summary>
public sealed class CompareOutputTests : TempFolderTest
{
    private static string[] Small(string output, params string[] extra) =>
        ["compare", "--quick", "--workload", "pi", "--darts", "1000003", "--repeat", "1", "--threads", "1", "--out-dir", output, .. extra];

    private static void AssertRefusedBeforeComputing((int Code, string Out, string Err) result, string expected)
    {
        Assert.That(result.Code, Is.EqualTo(2), result.Err);
        Assert.That(result.Err.TrimEnd().Split('\n'), Has.Length.EqualTo(1), result.Err);
        Assert.That(result.Err, Does.Contain(expected));
        Assert.That(result.Err + result.Out, Does.Not.Contain("progress").And.Not.Contain("Monte Carlo pi"), "refused before any computing");
    }

    [Test]
    public void AnOutThatIsAFileOrUnderAFileIsRefusedBeforeAnyComputing()
    {
        string file = Path.Combine(Folder, "plain.txt");
        File.WriteAllText(file, "x");
        AssertRefusedBeforeComputing(Cli.Run(Small(file)), "is a file, not a folder");
        AssertRefusedBeforeComputing(Cli.Run(Small(Path.Combine(file, "sub"))), "is a file, not a folder");
        Assert.That(File.ReadAllText(file), Is.EqualTo("x"));
    }

    [Test]
    public void AnUnwritableOutOrTraceIsRefusedBeforeAnyComputing()
    {
        // /proc takes no new file, even for root.
        AssertRefusedBeforeComputing(Cli.Run(Small("/proc/interop-results")), "--out-dir /proc/interop-results");
        string output = Path.Combine(Folder, "run");
        AssertRefusedBeforeComputing(Cli.Run(Small(output, "--trace", Path.Combine(Folder, "missing", "t.json"))), "--trace");
        AssertRefusedBeforeComputing(Cli.Run(Small(output, "--trace", "/proc/interop-trace.json")), "--trace /proc/interop-trace.json");
        Assert.That(Directory.Exists(output), Is.False, "a refused run creates no folder");
    }

    [Test]
    public void ANonEmptyOutIsRefusedUnlessForceWhichRemovesOnlyAnEarlierComparesFiles()
    {
        string output = Path.Combine(Folder, "old");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "results.json"), "{\"old\": true}");
        File.WriteAllText(Path.Combine(output, "inv-speedup.png"), "old chart");
        File.WriteAllText(Path.Combine(output, ".results.csv.tmp-99999"), "a killed run's temporary");
        File.WriteAllText(Path.Combine(output, "notes.txt"), "mine");

        AssertRefusedBeforeComputing(Cli.Run(Small(output)), "use --force");
        Assert.That(File.ReadAllText(Path.Combine(output, "results.json")), Is.EqualTo("{\"old\": true}"));

        var (code, _, stderr) = Cli.Run(Small(output, "--force"));
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stderr, Does.Contain("--force: removed 3 file(s)").And.Contain("1 other entries left"));
        Assert.That(File.Exists(Path.Combine(output, "inv-speedup.png")), Is.False, "no chart of an older run beside the new files");
        Assert.That(File.Exists(Path.Combine(output, ".results.csv.tmp-99999")), Is.False);
        Assert.That(File.ReadAllText(Path.Combine(output, "notes.txt")), Is.EqualTo("mine"), "files compare did not write stay");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        Assert.That(doc.RootElement.GetProperty("complete").GetBoolean(), Is.True);
        Assert.That(Directory.GetFiles(output).Select(Path.GetFileName), Is.EquivalentTo(new[] { "results.json", "results.csv", "report.md", "pi-throughput.svg", "pi-throughput.png", "pi-speedup.svg", "pi-speedup.png", "notes.txt" }));
    }

    [Test]
    public void AFinishedRunIsCompleteAndAnEmptyFolderIsAccepted()
    {
        var (code, _, stderr) = Cli.Run(Small(Folder));
        Assert.That(code, Is.Zero, stderr);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "results.json")));
        JsonElement root = doc.RootElement;
        Assert.That(root.GetProperty("schema_version").GetInt32(), Is.EqualTo(ResultsFiles.SchemaVersion));
        Assert.That(root.GetProperty("complete").GetBoolean(), Is.True);
        Assert.That(root.GetProperty("status").GetString(), Is.EqualTo("complete"));
        Assert.That(root.GetProperty("verified").GetBoolean(), Is.True);
        Assert.That(root.GetProperty("points_planned").GetInt32(), Is.EqualTo(root.GetProperty("points").GetArrayLength()));
        Assert.That(Directory.GetFiles(Folder).Where(f => Path.GetFileName(f).StartsWith('.')), Is.Empty, "no temporary left");
    }

    [Test]
    public void AFailedCheckIsMarkedInEveryFileThatCouldLookValid()
    {
        ComparePoint good = new("pi", "c-openmp", 1, 1, [0.5], 1e9, "darts/s", true, "inside=785398") { Isa = "avx2", Size = 1_000_000_000 };
        CompareRun run = new(DateTimeOffset.UnixEpoch, 1, [new("isa", "avx2")], [], [], [good, good with { Backend = "fortran-openmp", Verified = false, Check = "inside=785397" }]) { PointsPlanned = 2 };
        ResultsFiles.Write(run, Folder, CompareSummary.Sentences(run));
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "results.json")));
        Assert.That(doc.RootElement.GetProperty("verified").GetBoolean(), Is.False);
        Assert.That(File.ReadAllText(Path.Combine(Folder, "report.md")), Does.Contain("**FAILED verification:** 1 result(s)"));
        Assert.That(File.ReadAllText(Path.Combine(Folder, "pi-throughput.svg")), Does.Contain("FAILED verification"));

        CompareRun partial = run with { Complete = false, Status = "interrupted by SIGINT after 2 of 5 points", PointsPlanned = 5 };
        string other = Path.Combine(Folder, "partial");
        ResultsFiles.Write(partial, other, CompareSummary.Sentences(partial));
        Assert.That(File.ReadAllText(Path.Combine(other, "report.md")), Does.Contain("**Incomplete run** (interrupted by SIGINT after 2 of 5 points)"));
        Assert.That(Directory.GetFiles(other, "*.svg"), Is.Empty, "no charts of an incomplete run");
        CompareRun back = ResultsFiles.ReadJson(Path.Combine(other, "results.json"));
        Assert.That((back.Complete, back.Status, back.PointsPlanned, back.Verified), Is.EqualTo((false, partial.Status, 5, false)));
    }

    [TestCase("INT", 130)]
    [TestCase("TERM", 143)]
    public void ASignalLeavesAValidResultsJsonWithThePointsSoFar(string signal, int expectedCode)
    {
        string output = Path.Combine(Folder, "run");
        string json = Path.Combine(output, "results.json");
        // env resets the signal to its default in the child: a test host started in the background
        // of a non-interactive shell ignores SIGINT, and an ignored signal stays ignored across exec.
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in (string[])[$"--default-signal={signal}", TestEnvironment.DriverPath, "compare", "--quick", "--workload", "pi",
            "--backend", "managed-parallel,c-openmp,fortran-openmp", "--threads", "1", "--darts", "4e8", "--repeat", "1", "--out-dir", output])
        {
            start.ArgumentList.Add(arg);
        }

        // Bounded: at most 90 s until the first point, 60 s to exit after the signal; killed if still running.
        using var process = Process.Start(start)!;
        int measured;
        try
        {
            measured = Interrupt(process, signal, expectedCode, json);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement root = doc.RootElement;
        Assert.That(root.GetProperty("complete").GetBoolean(), Is.False);
        Assert.That(root.GetProperty("status").GetString(), Does.StartWith($"interrupted by SIG{signal}"));
        int points = root.GetProperty("points").GetArrayLength();
        Assert.That(points, Is.GreaterThanOrEqualTo(measured).And.LessThan(root.GetProperty("points_planned").GetInt32()));
        Assert.That(root.GetProperty("points").EnumerateArray().All(p => p.GetProperty("verified").GetBoolean() && p.GetProperty("seconds").GetArrayLength() == 1), Is.True);
        Assert.That(File.ReadAllText(Path.Combine(output, "report.md")), Does.Contain("**Incomplete run**"));
        Assert.That(File.ReadAllLines(Path.Combine(output, "results.csv")), Has.Length.EqualTo(points + 1));
        Assert.That(Directory.GetFiles(output).Select(Path.GetFileName), Is.EquivalentTo(new[] { "results.json", "results.csv", "report.md" }), "no temporaries, no charts");
    }

    // Waits until results.json holds a point, sends the signal, checks the exit; returns the points seen before the signal.
    private static int Interrupt(Process process, string signal, int expectedCode, string json)
    {
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        int measured = 0;
        while (measured == 0 && !process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            Thread.Sleep(25);
            try
            {
                using JsonDocument partial = JsonDocument.Parse(File.ReadAllText(json));
                measured = partial.RootElement.GetProperty("points").GetArrayLength();
            }
            catch (IOException)
            {
                // Not there yet. Never half-written: results.json is renamed into place whole (a JsonException fails the test).
            }
        }

        Assert.That(process.HasExited, Is.False, "the run ended before it could be interrupted");
        Assert.That(measured, Is.GreaterThan(0));
        using (var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        Assert.That(process.WaitForExit(60_000), Is.True, "the run ends after the signal");
        Assert.That(process.ExitCode, Is.EqualTo(expectedCode), stderr.Result);
        Assert.That(stderr.Result.TrimEnd().Split('\n')[^1], Does.StartWith($"interop: interrupted by SIG{signal}").And.Contain("\"complete\": false"));
        Assert.That(stderr.Result + stdout.Result, Does.Not.Contain("   at "), "no stack trace");
        return measured;
    }
}
