using System.Text.Json;

namespace Interop.Tests;

/// <summary>
/// A declared heterogeneous job (issue 24): ranks launched with lines that differ only in --threads
/// (`mpiexec -n 1 interop pi --threads 2 : -n 1 interop pi --threads 1 ...`) each run their own
/// count. Every schedule computes the same items exactly once, so pi's count and EP's bits are those
/// of one process; the header declares the job, the points record each rank's threads, and the load
/// lines show the static split's equal ranges beside the pool's chunks. Which rank ran how much of
/// the pool depends on timing, so only the structure and the sums are asserted.
/// </summary>
[NonParallelizable]
public sealed class HeterogeneousJobTests : TempFolderTest
{
    private static readonly int[] Threads = [2, 1, 1];

    private const long Darts = 300_000;

    private static string Driver => TestEnvironment.DriverPath;

    // One rank per entry of Threads, each with its own --threads.
    private static (int Code, string Out, string Err) RunHeterogeneous(params string[] command) =>
        HybridPiTests.Mpi.RunMpmd([.. Threads.Select(t => (string[])[Driver, .. command, "--threads", t.ToString(System.Globalization.CultureInfo.InvariantCulture)])]);

    private static string[] PiArguments(string schedule) =>
        ["pi", "--darts", Darts.ToString(System.Globalization.CultureInfo.InvariantCulture), "--backend", "c-openmp,managed-serial", "--repeat", "2", "--warmup", "0", "--schedule", schedule];

    private static long[] Longs(JsonElement e) => [.. e.EnumerateArray().Select(v => v.GetInt64())];

    [TestCase("static")]
    [TestCase("dynamic:7000")]
    [TestCase("guided")]
    public void PiCountsWhatOneProcessCountsAndRecordsEveryRanksThreads(string schedule)
    {
        var one = Cli.Run(["pi", "--darts", Darts.ToString(System.Globalization.CultureInfo.InvariantCulture), "--backend", "c-openmp", "--repeat", "1", "--json"]);
        Assert.That(one.Code, Is.Zero, one.Err);
        long inside;
        using (JsonDocument doc = JsonDocument.Parse(one.Out))
        {
            inside = doc.RootElement.GetProperty("points")[0].GetProperty("inside").GetInt64();
        }

        var run = RunHeterogeneous([.. PiArguments(schedule), "--json"]);
        Assert.That(run.Code, Is.Zero, run.Err);
        using JsonDocument json = JsonDocument.Parse(run.Out);
        Assert.That(json.RootElement.GetProperty("schema_version").GetInt32(), Is.EqualTo(11));
        Assert.That(json.RootElement.GetProperty("parameters").GetProperty("threads_source").GetString(),
            Is.EqualTo("heterogeneous job: 2 threads on rank 0, 1 on ranks 1-2 (from --threads)"));
        bool pool = schedule != "static";
        foreach (JsonElement point in json.RootElement.GetProperty("points").EnumerateArray())
        {
            string backend = point.GetProperty("backend").GetString()!;
            Assert.That(point.GetProperty("inside").GetInt64(), Is.EqualTo(inside), backend);
            long[] items = Longs(point.GetProperty("rank_items"));
            Assert.That(items.Sum(), Is.EqualTo(Darts), backend);
            if (backend == "c-openmp")
            {
                Assert.That(Longs(point.GetProperty("rank_threads")), Is.EqualTo(Threads.Select(t => (long)t)));
                Assert.That(point.GetProperty("threads").GetInt32(), Is.EqualTo(2), "rank 0's");
                Assert.That(point.GetProperty("workers").GetInt32(), Is.EqualTo(4));
            }
            else
            {
                // A serial backend runs one thread on every rank: not heterogeneous.
                Assert.That(point.GetProperty("rank_threads").ValueKind, Is.EqualTo(JsonValueKind.Null), backend);
                Assert.That(point.GetProperty("workers").GetInt32(), Is.EqualTo(3));
            }

            if (!pool)
            {
                // The static split gives every rank an equal range, whatever its threads.
                Assert.That(items, Is.EqualTo(new[] { Darts / 3, Darts / 3, Darts / 3 }), backend);
                Assert.That(point.GetProperty("rank_chunks").ValueKind, Is.EqualTo(JsonValueKind.Null), backend);
                Assert.That(point.GetProperty("rank_thread_chunks").ValueKind, Is.EqualTo(JsonValueKind.Null), backend);
                continue;
            }

            // Each rank's pool threads: as many as its threads, their chunks adding up to the rank's.
            long[] chunks = Longs(point.GetProperty("rank_chunks"));
            JsonElement[] threadChunks = [.. point.GetProperty("rank_thread_chunks").EnumerateArray()];
            JsonElement[] threadBusy = [.. point.GetProperty("rank_thread_busy_seconds").EnumerateArray()];
            int[] expected = backend == "c-openmp" ? Threads : [1, 1, 1];
            Assert.That(threadChunks.Select(t => t.GetArrayLength()), Is.EqualTo(expected), backend);
            Assert.That(threadBusy.Select(t => t.GetArrayLength()), Is.EqualTo(expected), backend);
            Assert.That(threadChunks.Select(t => Longs(t).Sum()), Is.EqualTo(chunks), backend);
        }
    }

    [Test]
    public void TheTextDeclaresTheJobAndShowsEachRanksLoad()
    {
        var run = RunHeterogeneous([.. PiArguments("static"), "--columns", "all"]);
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(run.Out, Does.Contain("\nheterogeneous job: 2 threads on rank 0, 1 on ranks 1-2 (from --threads)\n"));
        Assert.That(run.Out, Does.Match(@"c-openmp +\S+ +3 +2\+1\+1 "), "the threads column");
        Assert.That(run.Out, Does.Match(@"load, c-openmp \(static\): rank 0 \(2 threads\) computed \S+ \S+ for 1\.0e5 darts, rank 1 \(1 thread\) computed \S+ \S+ for 1\.0e5 darts, rank 2 \(1 thread\) computed \S+ \S+ for 1\.0e5 darts; slowest/mean \d\.\d\d"));
        Assert.That(run.Out, Does.Not.Contain("task pool,"));

        var dynamic = RunHeterogeneous(PiArguments("dynamic:7000"));
        Assert.That(dynamic.Code, Is.Zero, dynamic.Err);
        Assert.That(dynamic.Out, Does.Contain("load, c-openmp (dynamic): rank 0 (2 threads) computed "));
        Assert.That(dynamic.Out, Does.Contain("task pool, c-openmp: rank 0 ran "));
    }

    // EP sums in batch order: every rank's threads, every schedule, the bits of one process.
    [TestCase("static")]
    [TestCase("dynamic:3")]
    public void EpGivesTheBitsOfOneProcess(string schedule)
    {
        string[] ep = ["ep", "--m", "20", "--backend", "c-openmp,managed-parallel", "--repeat", "1", "--warmup", "0", "--json"];
        var one = Cli.Run([.. ep, "--threads", "1"]);
        Assert.That(one.Code, Is.Zero, one.Err);
        var run = RunHeterogeneous([.. ep, "--schedule", schedule]);
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(Sums(run.Out), Is.EqualTo(Sums(one.Out)));
        using JsonDocument json = JsonDocument.Parse(run.Out);
        foreach (JsonElement point in json.RootElement.GetProperty("points").EnumerateArray())
        {
            Assert.That(Longs(point.GetProperty("rank_threads")), Is.EqualTo(Threads.Select(t => (long)t)));
            Assert.That(Longs(point.GetProperty("rank_items")).Sum(), Is.EqualTo(16), "2^20 pairs are 16 batches");
        }
    }

    // compare pairs the ranks' --threads lists by position: 1,2 on rank 0 and 2,4 on rank 1 are the
    // points 1+2 and 2+4; the serial backend runs 1 thread on every rank.
    [Test]
    public void ComparePairsTheRanksThreadListsByPosition()
    {
        string[] Compare(string threads) => [Driver, "compare", "--workload", "pi", "--darts", "2e5", "--backend", "c-openmp,managed-serial", "--threads", threads,
            "--repeat", "1", "--warmup", "0", "--out-dir", Path.Combine(Folder, "run"), "--json"];
        var run = HybridPiTests.Mpi.RunMpmd(Compare("1,2"), Compare("4,2"));
        Assert.That(run.Code, Is.Zero, run.Err);
        using JsonDocument json = JsonDocument.Parse(run.Out);
        string[] shapes = [.. json.RootElement.GetProperty("points").EnumerateArray().Select(p =>
            $"{p.GetProperty("backend").GetString()} {p.GetProperty("threads").GetInt32()} " +
            (p.GetProperty("rank_threads").ValueKind == JsonValueKind.Null ? "-" : string.Join("+", Longs(p.GetProperty("rank_threads")))) +
            $" {p.GetProperty("workers").GetInt32()}")];
        Assert.That(shapes, Is.EquivalentTo(new[] { "managed-serial 1 - 2", "c-openmp 1 1+2 3", "c-openmp 2 2+4 6" }));
        Assert.That(run.Err, Does.Contain("heterogeneous job: threads 1,2 on rank 0, 2,4 on rank 1 (from --threads)"));
        Assert.That(run.Err, Does.Match(@"c-openmp +\S+ +2x2\+4 "), "the table's shape");

        // Lists that cannot be paired stop at the handshake, naming the ranks.
        var unpaired = HybridPiTests.Mpi.RunMpmd(Compare("1,2"), Compare("1"));
        Assert.That(unpaired.Code, Is.EqualTo(2), unpaired.Err);
        Assert.That(unpaired.Err, Does.Contain("interop: ranks disagree on --threads: '1,2' on rank 0, '1' on rank 1; the ranks of a heterogeneous job pair their --threads lists by position"));
    }

    private static Dictionary<string, string> Sums(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("points").EnumerateArray().ToDictionary(
            p => p.GetProperty("backend").GetString()!,
            p => string.Join(" ", new[] { "sx", "sy", "sum_abs_x", "sum_abs_y", "pairs", "q" }.Select(k => $"{k}={p.GetProperty(k).GetRawText()}")));
    }
}
