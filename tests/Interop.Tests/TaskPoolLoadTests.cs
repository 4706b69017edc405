using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Interop.Cli.Compare;
using Interop.Cli.Schema;
using Interop.Cli.Workloads;
using Interop.Cli.Workloads.Pi;
using Interop.Core;
using Interop.Mpi;

namespace Interop.Tests;

/// <summary>
/// Issue 24: which rank ran how much of pi's task pool (--schedule dynamic or guided), in the JSON
/// point (rank_chunks, rank_items, rank_busy_seconds; schema 10), the table's columns and lines and
/// the trace's chunk spans; none under static; a schema-9 file still reads.
/// </summary>
[NonParallelizable]
public sealed partial class TaskPoolLoadTests : TempFolderTest
{
    private const long Darts = 3_000_017;

    // A pool run whose chunks held more or fewer items than the run's is an error, not a total that
    // every backend would agree on (each rank of a two-node job with a counter per node ran every chunk).
    [TestCase(2_000_000L, true)]
    [TestCase(999_999L, true)]
    [TestCase(1_000_000L, false)]
    public void APoolRunWhoseChunksDidNotHoldEveryItemOnceFails(long ran, bool fails)
    {
        var job = new Interop.Cli.Jobs.SingleProcessJob();
        TestDelegate check = () => Interop.Cli.Jobs.TaskPoolGather.CheckEveryItemRan(job, new TaskPoolRun(7, ran, 0.1), 1_000_000, "darts");
        if (fails)
        {
            Assert.That(check, Throws.InvalidOperationException.With.Message.EqualTo(
                $"task pool: the ranks' chunks held {ran} darts of the run's 1000000: a chunk ran twice or never"));
        }
        else
        {
            Assert.That(check, Throws.Nothing);
        }

        Assert.That(() => Interop.Cli.Jobs.TaskPoolGather.CheckEveryItemRan(job, null, 1_000_000, "darts"), Throws.Nothing); // static: no pool
    }

    [Test]
    public void TheReportedRunIsTheMedianOneOrTheFasterOfTheTwoInTheMiddle()
    {
        Assert.That(TaskPoolLoad.MedianRun([0.3]), Is.Zero);
        Assert.That(TaskPoolLoad.MedianRun([0.3, 0.1, 0.2]), Is.EqualTo(2));
        Assert.That(TaskPoolLoad.MedianRun([0.4, 0.1, 0.3, 0.2]), Is.EqualTo(3), "of 0.2 and 0.3, the faster");
        Assert.That(TaskPoolLoad.MedianRun([0.2, 0.1, 0.2, 0.2, 0.5]), Is.Zero, "the first of tied times");
        Assert.Throws<ArgumentException>(() => TaskPoolLoad.MedianRun([]));
    }

    // 2 and 3 ranks on 2 cores (oversubscribed): a rank may get no chunk at all, which the figures must say too.
    // One node: the shared counter unless INTEROP_POOL=messages forces the request protocol.
    [TestCase(2, "dynamic", "auto")]
    [TestCase(3, "dynamic:99991", "auto")]
    [TestCase(3, "guided", "auto")]
    [TestCase(2, "guided:1000", "auto")]
    [TestCase(3, "dynamic:99991", "messages")]
    [TestCase(3, "guided", "messages")]
    public void EachRanksChunksAddUpToEveryDartOnce(int ranks, string schedule, string pool)
    {
        var run = HybridPiTests.Mpi.Run(ranks, [TestEnvironment.DriverPath, "pi", "--darts", Darts.ToString(CultureInfo.InvariantCulture),
            "--backend", "c-openmp,managed-serial", "--threads", "1", "--repeat", "3", "--schedule", schedule, "--json"], environment: Pool(pool));
        Assert.That(run.Code, Is.Zero, run.Err);
        ResultDocument doc = Documents.Deserialize(run.Out);
        long chunks = ChunksOf(RankSchedule.Parse(schedule, ScheduleUnit.Darts), ranks, pool == "messages" ? TaskPoolPath.Messages : TaskPoolPath.SharedCounter);
        foreach (MeasuredPoint p in doc.Points)
        {
            string what = $"{p.Backend}, {ranks} ranks, {schedule}";
            Assert.That(p.RankChunks, Has.Count.EqualTo(ranks), what);
            Assert.That(p.RankItems, Has.Count.EqualTo(ranks), what);
            Assert.That(p.RankBusySeconds, Has.Count.EqualTo(ranks), what);
            Assert.That(p.RankItems!.Sum(), Is.EqualTo(Darts), $"{what}: every dart once");
            Assert.That(p.RankChunks!.Sum(), Is.EqualTo(chunks), $"{what}: every chunk of the schedule once");
            for (int r = 0; r < ranks; r++)
            {
                Assert.That(p.RankChunks![r] >= 1, Is.EqualTo(p.RankItems![r] > 0), $"{what}: rank {r} ran darts if and only if it ran chunks");
                Assert.That(p.RankBusySeconds![r], Is.GreaterThanOrEqualTo(0).And.LessThanOrEqualTo(p.SecondsMax), $"{what}: rank {r}'s one pool thread is busy at most the run's time");
                Assert.That(p.RankBusySeconds[r] > 0, Is.EqualTo(p.RankChunks[r] > 0), $"{what}: rank {r} was busy if and only if it ran chunks");
            }
        }
    }

    [Test]
    public void StaticHasNoPoolFiguresAndNoPoolColumns()
    {
        var run = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "pi", "--darts", "1e6", "--backend", "c-openmp", "--threads", "1", "--repeat", "1", "--json"]);
        Assert.That(run.Code, Is.Zero, run.Err);
        MeasuredPoint p = Documents.Deserialize(run.Out).Points.Single();
        Assert.That((p.RankChunks, p.RankBusySeconds, p.RankThreadChunks, p.RankThreadBusySeconds), Is.EqualTo(
            ((IReadOnlyList<long>?)null, (IReadOnlyList<double>?)null, (IReadOnlyList<IReadOnlyList<long>>?)null, (IReadOnlyList<IReadOnlyList<double>>?)null)));
        Assert.That(p.RankItems, Is.EqualTo(new long[] { 500_000, 500_000 }), "static's ranges (schema 11)");
        Assert.That(p.RankComputeSeconds, Has.Count.EqualTo(2), "static's per-rank figure is its compute time");

        var (code, stdout, stderr) = Cli.Run("pi", "--darts", "1e5", "--backend", "c-openmp", "--repeat", "1", "--columns", "all");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Not.Contain("rank chunks").And.Not.Contain("task pool"));
    }

    [Test]
    public void TheTableShowsEachRanksShareUnderDynamic()
    {
        var run = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "pi", "--darts", "1e6", "--backend", "c-openmp", "--threads", "1", "--repeat", "1",
            "--schedule", "dynamic:100000", "--columns", "all"]);
        Assert.That(run.Code, Is.Zero, run.Err);
        string[] lines = run.Out.Split('\n');
        string header = lines.Single(l => l.StartsWith("backend", StringComparison.Ordinal));
        Assert.That(header, Does.Contain("rank chunks min-max").And.Contain("rank darts min-max").And.Contain("rank busy min-max"));

        // "task pool, c-openmp: rank 0 ran 7 chunks (7.0e5 darts, busy ...), rank 1 ran 3 chunks (3.0e5 darts, busy ...)"
        string pool = lines.Single(l => l.StartsWith("task pool, c-openmp: ", StringComparison.Ordinal));
        Match[] shares = [.. RankShare().Matches(pool).Cast<Match>()];
        Assert.That(shares.Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)), Is.EqualTo(new[] { 0, 1 }), pool);
        Assert.That(shares.Sum(m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)), Is.EqualTo(10), $"1e6 darts in chunks of 1e5: {pool}");
        string row = lines.Single(l => l.StartsWith("c-openmp", StringComparison.Ordinal));
        int[] chunks = [.. shares.Select(m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))];
        Assert.That(row, Does.Contain($"{chunks.Min()} - {chunks.Max()}"), "the chunks column spans the ranks' counts");

        var columns = Cli.Run("pi", "--darts", "1e5", "--backend", "c-openmp", "--repeat", "1", "--schedule", "dynamic:10000", "--columns", "backend,rank_chunks");
        Assert.That(columns.Code, Is.Zero, columns.Err);
        Assert.That(columns.Out, Does.Contain("rank chunks min-max").And.Contain("10 - 10"), "--columns knows the pool's columns; one process runs every chunk");
    }

    // Both in one run: the trace's chunk spans are exactly the chunks the JSON counts for each rank,
    // on the thread that ran them: with the shared counter every rank's pool worker; with messages
    // rank 0's pool worker (while its main thread serves the others) and the other ranks' main threads.
    [TestCase("auto")]
    [TestCase("messages")]
    public void TheTraceHasOneSpanPerChunkOnTheThreadThatRanIt(string pool)
    {
        string trace = Path.Combine(Folder, "trace.json");
        var run = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "pi", "--darts", Darts.ToString(CultureInfo.InvariantCulture), "--backend", "c-openmp",
            "--threads", "1", "--repeat", "1", "--warmup", "0", "--schedule", "dynamic:100003", "--json", "--trace", trace], environment: Pool(pool));
        Assert.That(run.Code, Is.Zero, run.Err);
        MeasuredPoint p = Documents.Deserialize(run.Out).Points.Single();

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(trace));
        JsonElement[] events = [.. json.RootElement.GetProperty("traceEvents").EnumerateArray()];
        var spans = events.Where(e => e.GetProperty("name").GetString() == "chunk")
            .Select(e => (Rank: e.GetProperty("pid").GetInt32(), Thread: e.GetProperty("tid").GetInt32(), Range: ChunkRange().Match(e.GetProperty("args").GetProperty("detail").GetString()!)))
            .ToArray();
        Assert.That(spans.All(s => s.Range.Success), "detail is [first, first+count)");
        var ranges = spans.Select(s => (s.Rank, s.Thread, First: long.Parse(s.Range.Groups[1].Value, CultureInfo.InvariantCulture), End: long.Parse(s.Range.Groups[2].Value, CultureInfo.InvariantCulture))).ToArray();

        long next = 0;
        foreach (var chunk in ranges.OrderBy(c => c.First))
        {
            Assert.That(chunk.First, Is.EqualTo(next), "the chunks tile the darts, each once");
            next = chunk.End;
        }

        Assert.That(next, Is.EqualTo(Darts));
        for (int r = 0; r < 2; r++)
        {
            Assert.That(ranges.Count(c => c.Rank == r), Is.EqualTo(p.RankChunks![r]), $"rank {r}'s chunk spans are the chunks it reported");
            Assert.That(ranges.Where(c => c.Rank == r).Sum(c => c.End - c.First), Is.EqualTo(p.RankItems![r]), $"rank {r}'s darts");
        }

        int[] pooled = pool == "messages" ? [0] : [0, 1];
        foreach (int r in pooled)
        {
            Assert.That(ranges.Where(c => c.Rank == r).Select(c => c.Thread).Distinct(), Is.EqualTo(new[] { TaskPool.TraceLane }).Or.Empty, $"rank {r}'s pool worker");
            // Named when the thread starts: a rank whose worker found the counter exhausted (the whole
            // run takes milliseconds) has the named track without a chunk on it.
            bool named = events.Any(e => e.GetProperty("ph").GetString() == "M" && e.GetProperty("pid").GetInt32() == r && e.GetProperty("tid").GetInt32() == TaskPool.TraceLane &&
                e.GetProperty("args").GetProperty("name").GetString() == "task pool worker 0");
            Assert.That(named || p.RankChunks![r] == 0, $"rank {r}'s pool worker, which ran {p.RankChunks![r]} chunks, has a named track");
        }

        if (pool == "messages")
        {
            Assert.That(ranges.Where(c => c.Rank != 0).Select(c => c.Thread).Distinct(), Is.EqualTo(new[] { 0 }).Or.Empty, "the other ranks' main threads");
        }
    }

    [Test]
    public void ASchema9FileReadsWithoutThePoolFigures()
    {
        var nine = (JsonObject)JsonNode.Parse(Documents.Serialize(SchemaTests.Sample("compare") with { Complete = true, Status = "complete" }))!;
        nine["schema_version"] = 9;
        foreach (JsonNode? point in nine["points"]!.AsArray())
        {
            Assert.That(point!.AsObject().Remove("rank_chunks") && point.AsObject().Remove("rank_items") && point.AsObject().Remove("rank_busy_seconds"), Is.True);
        }

        string path = Path.Combine(Folder, "results.json");
        File.WriteAllText(path, nine.ToJsonString());
        CompareRun run = ResultsFiles.ReadJson(path);
        Assert.That(run.SchemaVersion, Is.EqualTo(9));
        Assert.That(run.Points, Has.Count.EqualTo(2));
    }

    [Test]
    public void ASchema10FileReadsWithoutTheHeterogeneousFigures()
    {
        var ten = (JsonObject)JsonNode.Parse(Documents.Serialize(SchemaTests.Sample("compare") with { Complete = true, Status = "complete" }))!;
        ten["schema_version"] = 10;
        foreach (JsonNode? point in ten["points"]!.AsArray())
        {
            Assert.That(point!.AsObject().Remove("rank_threads") && point.AsObject().Remove("rank_thread_chunks") && point.AsObject().Remove("rank_thread_busy_seconds"), Is.True);
        }

        string path = Path.Combine(Folder, "results.json");
        File.WriteAllText(path, ten.ToJsonString());
        CompareRun run = ResultsFiles.ReadJson(path);
        Assert.That(run.SchemaVersion, Is.EqualTo(10));
        Assert.That(run.Points.Select(p => p.RankThreads), Is.All.Null);
    }

    // The sample's point: 2 ranks of 2 threads (4 workers), 40 and 24 chunks.
    [TestCase("rank_threads", "[2]", "points[0].rank_threads has 1 value(s): the point has 2 rank(s)")]
    [TestCase("rank_threads", "[0, 4]", "points[0].rank_threads[0] is 0: not a number of threads (1 to 1024)")]
    [TestCase("rank_threads", "[1, 3]", "points[0].rank_threads are 1,3: rank 0's must be the point's threads (2) and their sum its workers (4)")]
    [TestCase("rank_threads", "[2, 1]", "points[0].rank_threads are 2,1: rank 0's must be the point's threads (2) and their sum its workers (4)")]
    [TestCase("rank_thread_chunks", "[[40]]", "points[0].rank_thread_chunks has 1 list(s): the point has 2 rank(s)")]
    [TestCase("rank_thread_chunks", "[[40], [12, 12]]", "points[0].rank_thread_chunks[0] has 1 value(s): rank 0 ran 2 thread(s)")]
    [TestCase("rank_thread_chunks", "[[20, 20], [12, 11]]", "points[0].rank_thread_chunks[1] add up to 23: rank 1 ran 24 chunk(s)")]
    [TestCase("rank_thread_busy_seconds", "[[0.1, -1], [0.1, 0.1]]", "points[0].rank_thread_busy_seconds[0][1] is -1: not an amount")]
    [TestCase("rank_chunks", "[3]", "points[0].rank_chunks has 1 value(s): the point has 2 rank(s)")]
    [TestCase("rank_items", "[5, -1]", "points[0].rank_items[1] is -1: not an amount")]
    [TestCase("rank_busy_seconds", "[0.1, 0.2, 0.3]", "points[0].rank_busy_seconds has 3 value(s): the point has 2 rank(s)")]
    public void TheReaderRefusesPoolFiguresThatDoNotFitThePoint(string key, string value, string message)
    {
        var doc = (JsonObject)JsonNode.Parse(Documents.Serialize(SchemaTests.Sample("compare") with { Complete = true, Status = "complete" }))!;
        doc["points"]![0]![key] = JsonNode.Parse(value);
        string path = Path.Combine(Folder, "results.json");
        File.WriteAllText(path, doc.ToJsonString());
        Assert.That(Assert.Throws<UsageException>(() => ResultsFiles.ReadJson(path))!.Message, Does.Contain(message));
    }

    // INTEROP_POOL for a run: "auto" (the shared counter on one node) or "messages".
    private static Dictionary<string, string> Pool(string pool) => new() { [TaskPool.PathVariable] = pool };

    // The chunks a schedule cuts the darts into over `ranks` workers (rank 0 works too, with one thread).
    private static long ChunksOf(RankSchedule schedule, int ranks, TaskPoolPath path)
    {
        long chunk = schedule.ChunkFor(Darts, ranks);
        if (!schedule.Guided)
        {
            return (Darts + chunk - 1) / chunk;
        }

        long chunks = 0;
        for (long left = Darts; left > 0; chunks++)
        {
            long holders = TaskPool.GuidedHolders(ranks, 1, path);
            left -= Math.Min(left, Math.Max(chunk, (left + (2L * holders) - 1) / (2L * holders)));
        }

        return chunks;
    }

    [GeneratedRegex(@"rank (\d+) ran (\d+) chunks? \(")]
    private static partial Regex RankShare();

    [GeneratedRegex(@"^\[(\d+), (\d+)\)$")]
    private static partial Regex ChunkRange();
}
