using System.Text.Json;

namespace Interop.Tests;

/// <summary>
/// `interop ep --schedule`: static ranges, or dynamic or guided chunks of batches from the task pool
/// over the ranks. Whichever rank runs which chunk, the per-batch sums are put back in batch order
/// before they are added, so every schedule gives the bits of one process's static run on every
/// backend, in process and under mpiexec -n 1, 2, 3; a bad schedule is one line and exit 2.
/// </summary>
[NonParallelizable]
public sealed class EpScheduleTests
{
    // 2^20 pairs: 16 batches, a few milliseconds on the slowest backend (managed-serial).
    private const string M = "20";

    private static readonly string[] Backends = ["managed-serial", "managed-parallel", "c-openmp", "fortran-openmp", "cpp-threads", "rust-threads"];

    private static readonly Lazy<Dictionary<string, string>> OneProcessStatic = new(() =>
    {
        var (code, stdout, stderr) = Cli.Run(["ep", .. Arguments("static")]);
        Assert.That(code, Is.Zero, stderr);
        return Results(stdout);
    });

    // Every backend, one thread (three ranks share two cores), two runs so that a run whose chunks
    // went to other ranks than the first run's must give the same bits too.
    private static string[] Arguments(string schedule) =>
        ["--m", M, "--backend", string.Join(',', Backends), "--threads", "1", "--repeat", "2", "--warmup", "0", "--schedule", schedule, "--json"];

    // Per backend: the sums, the pair count and q0..q9 as the JSON spells them (exact: the shortest
    // text that reads back as the same double).
    private static Dictionary<string, string> Results(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("points").EnumerateArray().ToDictionary(
            p => p.GetProperty("backend").GetString()!,
            p => string.Join(" ", new[] { "sx", "sy", "sum_abs_x", "sum_abs_y", "pairs", "q" }.Select(k => $"{k}={p.GetProperty(k).GetRawText()}")));
    }

    private static void AssertBitsOfOneProcessStatic(Dictionary<string, string> results, string where)
    {
        Assert.That(results.Keys, Is.EqualTo(Backends), where);
        foreach (string backend in Backends)
        {
            Assert.That(results[backend], Is.EqualTo(OneProcessStatic.Value[backend]), $"{backend}, {where}");
        }
    }

    // 16 batches: chunks of 3 and 5 leave a remainder, 100 is one chunk for all, the defaults are
    // 1 batch (dynamic) and halves, then quarters, ... (guided in one process).
    [TestCase("dynamic")]
    [TestCase("dynamic:3")]
    [TestCase("dynamic:100")]
    [TestCase("guided")]
    [TestCase("guided:5")]
    public void InOneProcessEveryScheduleGivesTheBitsOfStatic(string schedule)
    {
        var (code, stdout, stderr) = Cli.Run(["ep", .. Arguments(schedule)]);
        Assert.That(code, Is.Zero, stderr);
        AssertBitsOfOneProcessStatic(Results(stdout), $"one process, {schedule}");
    }

    // 3 ranks on 2 cores (oversubscribed), chunks that divide the 16 batches unevenly, the defaults,
    // and static for the split NPB's MPI version makes.
    [TestCase(1, "dynamic:3")]
    [TestCase(2, "dynamic:5")]
    [TestCase(2, "guided")]
    [TestCase(3, "dynamic:3")]
    [TestCase(3, "dynamic")]
    [TestCase(3, "guided:2")]
    [TestCase(3, "static")]
    [TestCase(4, "dynamic:1")]
    public void UnderMpiexecEveryScheduleGivesTheBitsOfOneProcess(int ranks, string schedule)
    {
        var run = HybridPiTests.Mpi.Run(ranks, [TestEnvironment.DriverPath, "ep", .. Arguments(schedule)]);
        Assert.That(run.Code, Is.Zero, run.Err);
        AssertBitsOfOneProcessStatic(Results(run.Out), $"{ranks} rank(s), {schedule}");
    }

    [Test]
    public void TheHeaderAndThePlanNameTheSchedule()
    {
        var run = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "ep", "--m", M, "--backend", "c-openmp", "--threads", "1", "--repeat", "1", "--warmup", "0", "--schedule", "guided:2"]);
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(run.Out, Does.Contain("2 ranks (").And.Contain("guided, chunks of at least 2 batches split)"));

        // Class S's 256 batches over 3 ranks of 1 thread: 16 chunks a worker by default, 6 batches each
        // (the last shorter); of 2 threads, 3 batches each.
        var (code, stdout, stderr) = Cli.Run("ep", "--class", "S", "--schedule", "dynamic", "--dry-run", "--ranks", "3", "--threads", "1");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("; schedule dynamic, chunks of 6 batches; "));
        (code, stdout, stderr) = Cli.Run("ep", "--class", "S", "--schedule", "dynamic", "--dry-run", "--ranks", "3", "--threads", "2");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("; schedule dynamic, chunks of 3 batches; "));
        (code, stdout, stderr) = Cli.Run("ep", "--class", "S", "--schedule", "guided", "--dry-run", "--ranks", "3", "--threads", "1");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("; schedule guided, chunks of at least 2 batches; "));
    }

    [TestCase("auto", "--schedule must be static, dynamic[:CHUNK] or guided[:MIN] (batches per chunk), not 'auto'")]
    [TestCase("dynamic:0", "--schedule dynamic's chunk 0 is out of range")]
    [TestCase("dynamic:x", "--schedule dynamic's chunk")]
    [TestCase("guided:0", "--schedule guided's smallest chunk 0 is out of range")]
    [TestCase("guided:", "--schedule guided's smallest chunk")]
    public void ABadScheduleIsOneLineAndExitTwo(string schedule, string message)
    {
        var (code, stdout, stderr) = Cli.Run("ep", "--m", M, "--schedule", schedule);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stdout, Is.Empty);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), stderr);
        Assert.That(lines[0], Does.StartWith("interop: " + message));
    }

    // Two threads a rank take chunks of one batch each (the kernel on one thread a chunk): the same
    // bits, and the pool's figures add up to every batch once.
    [TestCase(1)]
    [TestCase(2)]
    public void TheThreadsOfEveryRankTakeChunksAndThePoolAddsUp(int ranks)
    {
        string[] arguments = ["--m", M, "--backend", "c-openmp,managed-parallel", "--threads", "2", "--repeat", "2", "--warmup", "0", "--schedule", "dynamic:1", "--json"];
        string stdout;
        if (ranks == 1)
        {
            (int code, stdout, string stderr) = Cli.Run(["ep", .. arguments]);
            Assert.That(code, Is.Zero, stderr);
        }
        else
        {
            var run = HybridPiTests.Mpi.Run(ranks, [TestEnvironment.DriverPath, "ep", .. arguments]);
            Assert.That(run.Code, Is.Zero, run.Err);
            stdout = run.Out;
        }

        Dictionary<string, string> results = Results(stdout);
        foreach ((string backend, string bits) in results)
        {
            Assert.That(bits, Is.EqualTo(OneProcessStatic.Value[backend]), backend);
        }

        using JsonDocument doc = JsonDocument.Parse(stdout);
        foreach (JsonElement p in doc.RootElement.GetProperty("points").EnumerateArray())
        {
            long[] items = [.. p.GetProperty("rank_items").EnumerateArray().Select(e => e.GetInt64())];
            long[] chunks = [.. p.GetProperty("rank_chunks").EnumerateArray().Select(e => e.GetInt64())];
            Assert.That(items, Has.Length.EqualTo(ranks));
            Assert.That(items.Sum(), Is.EqualTo(16), "every batch once");
            Assert.That(chunks.Sum(), Is.EqualTo(16), "chunks of one batch");
        }
    }
}
