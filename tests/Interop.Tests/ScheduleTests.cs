using System.Text.Json;
using Interop.Cli;

namespace Interop.Tests;

/// <summary>
/// `interop pi --schedule`: static ranges, or dynamic or guided chunks from the task pool over the ranks
/// (rank 0 working too); every schedule counts exactly the darts one process counts, on every
/// backend, and a bad schedule is one line and exit 2.
/// </summary>
[NonParallelizable]
public sealed class ScheduleTests
{
    private const string Darts = "3000017";

    private static long SingleProcessInside()
    {
        var stdout = new StringWriter();
        int code = Driver.Run(["pi", "--darts", Darts, "--backend", "c-openmp", "--repeat", "1", "--json"], stdout, TextWriter.Null);
        Assert.That(code, Is.Zero);
        using JsonDocument doc = JsonDocument.Parse(stdout.ToString());
        return doc.RootElement.GetProperty("points")[0].GetProperty("inside").GetInt64();
    }

    // 3 ranks on 2 cores (oversubscribed, as the issue's command), chunk sizes that divide the darts
    // unevenly, one chunk for all, and the default.
    [TestCase(3, "dynamic")]
    [TestCase(3, "dynamic:99991")]
    [TestCase(2, "dynamic:5000000")]
    [TestCase(1, "dynamic:12345")]
    [TestCase(3, "guided")]
    [TestCase(2, "guided:1000")]
    [TestCase(1, "guided:77777")]
    [TestCase(3, "static")]
    // 4 ranks on 2 cores, small chunks so that every rank gets some.
    [TestCase(4, "dynamic:20000")]
    // Two threads a rank: the pool's workers are the threads of every rank. Small chunks, so that the
    // other ranks get some before rank 0's own threads have taken them all (a run takes milliseconds).
    [TestCase(1, "dynamic:12345", 2)]
    [TestCase(2, "guided:500", 2)]
    [TestCase(3, "dynamic:997", 2)]
    public void EveryScheduleCountsWhatOneProcessCounts(int ranks, string schedule, int threads = 1)
    {
        long expected = SingleProcessInside();
        var run = HybridPiTests.Mpi.Run(ranks, [TestEnvironment.DriverPath, "pi", "--darts", Darts, "--backend", "all", "--threads", $"{threads}", "--repeat", "2", "--schedule", schedule, "--json"]);
        Assert.That(run.Code, Is.Zero, run.Err);
        using JsonDocument doc = JsonDocument.Parse(run.Out);
        foreach (JsonElement r in doc.RootElement.GetProperty("points").EnumerateArray())
        {
            Assert.That(r.GetProperty("inside").GetInt64(), Is.EqualTo(expected), $"{r.GetProperty("backend")} with {ranks} ranks, {schedule}");
        }
    }

    [Test]
    public void TheHeaderNamesTheSchedule()
    {
        var run = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "pi", "--darts", "1e6", "--backend", "c-openmp", "--repeat", "1", "--schedule", "dynamic:1000"]);
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(run.Out, Does.Contain("2 ranks (").And.Contain("dynamic, chunks of 1,000 darts split)"));
        var guided = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "pi", "--darts", "1e6", "--backend", "c-openmp", "--repeat", "1", "--schedule", "guided:500"]);
        Assert.That(guided.Code, Is.Zero, guided.Err);
        Assert.That(guided.Out, Does.Contain("guided, chunks of at least 500 darts split)"));
    }

    // Without MPI the schedule spans the process's threads.
    [TestCase("dynamic:99991")]
    [TestCase("guided:5000")]
    public void InOneProcessTheThreadsTakeTheChunks(string schedule)
    {
        long expected = SingleProcessInside();
        var stdout = new StringWriter();
        int code = Driver.Run(["pi", "--darts", Darts, "--backend", "all", "--threads", "2", "--repeat", "1", "--schedule", schedule, "--json"], stdout, TextWriter.Null);
        Assert.That(code, Is.Zero);
        using JsonDocument doc = JsonDocument.Parse(stdout.ToString());
        foreach (JsonElement r in doc.RootElement.GetProperty("points").EnumerateArray())
        {
            Assert.That(r.GetProperty("inside").GetInt64(), Is.EqualTo(expected), $"{r.GetProperty("backend")}, {schedule}");
        }

        var text = new StringWriter();
        Assert.That(Driver.Run(["pi", "--darts", Darts, "--backend", "c-openmp", "--threads", "2", "--repeat", "1", "--schedule", "dynamic"], text, TextWriter.Null), Is.Zero);
        // The default chunk: darts / (1 rank x 2 threads x 64).
        Assert.That(text.ToString(), Does.Contain($"2 thread(s) per parallel backend (from --threads; dynamic, chunks of {(3000017 + 127) / 128:N0} darts split)"));
    }

    [TestCase("auto", "--schedule must be static, dynamic[:CHUNK] or guided[:MIN]")]
    [TestCase("dynamic:0", "--schedule dynamic's chunk 0 is out of range")]
    [TestCase("dynamic:x", "--schedule dynamic's chunk")]
    [TestCase("guided:0", "--schedule guided's smallest chunk 0 is out of range")]
    [TestCase("Dynamic", "--schedule must be static, dynamic[:CHUNK] or guided[:MIN]")]
    public void ABadScheduleIsOneLineAndExitTwo(string schedule, string message)
    {
        var stderr = new StringWriter();
        int code = Driver.Run(["pi", "--darts", "1000", "--schedule", schedule], TextWriter.Null, stderr);
        Assert.That(code, Is.EqualTo(2));
        string[] lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), stderr.ToString());
        Assert.That(lines[0], Does.StartWith("interop: " + message));
    }
}
