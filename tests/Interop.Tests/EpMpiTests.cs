using System.Globalization;
using System.Text.Json;

namespace Interop.Tests;

/// <summary>
/// `interop ep` under a real `mpiexec` (OpenMPI): the batches split over the ranks give exactly the
/// sums of one process (per-batch sums gathered and added in batch order), rank 0 alone prints, and
/// the JSON parses with the terminal of an interactive shell.
/// </summary>
[NonParallelizable]
public sealed class EpMpiTests
{
    private static readonly string[] Backends = ["managed-serial", "managed-parallel"];

    [Test]
    public void OneToThreeRanksGiveClassSWithTheSumsOfOneProcess()
    {
        var (code, stdout, stderr) = Cli.Run("ep", "--class", "S", "--backend", string.Join(',', Backends), "--threads", "1", "--repeat", "1", "--warmup", "0", "--json");
        Assert.That(code, Is.Zero, stderr);
        Dictionary<string, string> single;
        using (JsonDocument doc = JsonDocument.Parse(stdout))
        {
            single = doc.RootElement.GetProperty("points").EnumerateArray().ToDictionary(p => p.GetProperty("backend").GetString()!, EpCommandTests.SumsText);
        }

        for (int ranks = 1; ranks <= 3; ranks++)
        {
            var run = HybridPiTests.Mpi.Run(ranks, [TestEnvironment.DriverPath, "ep", "--class", "S", "--backend", string.Join(',', Backends), "--threads", "1", "--repeat", "1", "--warmup", "0", "--json"]);
            Assert.That(run.Code, Is.Zero, run.Err);
            using JsonDocument doc = JsonDocument.Parse(run.Out); // rank 0 alone printed: one document
            JsonElement[] points = [.. doc.RootElement.GetProperty("points").EnumerateArray()];
            Assert.That(points.Select(p => p.GetProperty("backend").GetString()), Is.EqualTo(Backends));
            foreach (JsonElement point in points)
            {
                string where = $"{point.GetProperty("backend").GetString()} on {ranks} rank(s)";
                Assert.That(point.GetProperty("ranks").GetInt32(), Is.EqualTo(ranks), where);
                Assert.That(point.GetProperty("rank_compute_seconds").GetArrayLength(), Is.EqualTo(ranks), where);
                EpCommandTests.AssertVerifiedClassS(point, where);
                Assert.That(EpCommandTests.SumsText(point), Is.EqualTo(single[point.GetProperty("backend").GetString()!]), $"{where}: the sums of one process, bit for bit");
            }
        }
    }

    [TestCase("dumb")]
    [TestCase("xterm")]
    public void TwoRanksVerifyClassWAndRankZeroAlonePrints(string term)
    {
        var run = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "ep", "--class", "W", "--threads", "1", "--repeat", "1", "--warmup", "0", "--columns", "all"], term: term);
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(run.Out, Does.Not.Contain("\u001b"));
        Assert.That(run.Out.Split('\n').Count(l => l.StartsWith("NPB EP class W", StringComparison.Ordinal)), Is.EqualTo(1), run.Out);
        Assert.That(run.Out, Does.Contain("2 ranks").And.Contain("imbalance"));
        Assert.That(run.Out, Does.Contain("pairs accepted: 26354769; q0..q9: 12281576 11729692 2202726 137368 3371 36 0 0 0 0"));
        Assert.That(run.Out, Does.Contain("verified against NPB 3.4.2+ class W: sx 2.102505525182392e+07, sy 2.103162209578822e+07, 26354769 pairs; "));

        var json = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "ep", "--class", "W", "--variant", "3.3", "--threads", "1", "--repeat", "1", "--warmup", "0", "--json"], term: term);
        Assert.That(json.Code, Is.Zero, json.Err);
        Assert.That(json.Out, Does.Not.Contain("\u001b"));
        using JsonDocument doc = JsonDocument.Parse(json.Out);
        foreach (JsonElement point in doc.RootElement.GetProperty("points").EnumerateArray())
        {
            Assert.That(point.GetProperty("verified_against").GetString(), Is.EqualTo("NPB 3.3 class W"));
            Assert.That(point.GetProperty("pairs").GetInt64(), Is.EqualTo(26_354_769));
            Assert.That(point.GetProperty("ranks").GetInt32(), Is.EqualTo(2));
        }
    }

    [Test]
    public void CompareRunsEpOnEveryRankVerified()
    {
        string output = Directory.CreateTempSubdirectory("interop-ep-mpi-").FullName;
        try
        {
            var run = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "compare", "--workload", "ep", "--class", "S", "--backend", "managed-serial,managed-parallel", "--threads", "1", "--repeat", "1", "--warmup", "0", "--out-dir", Path.Combine(output, "run")]);
            Assert.That(run.Code, Is.Zero, run.Err);
            Assert.That(run.Out.Split('\n').Count(l => l == "NPB EP, class S (M = 24)"), Is.EqualTo(1), run.Out);
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "run", "results.json")));
            foreach (JsonElement point in doc.RootElement.GetProperty("points").EnumerateArray())
            {
                Assert.That(point.GetProperty("ranks").GetInt32(), Is.EqualTo(2));
                EpCommandTests.AssertVerifiedClassS(point, point.GetProperty("backend").GetString()!);
            }
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Test]
    public void MoreRanksThanBatchesLeaveSomeIdleAndStillAgree()
    {
        // M = 16 is one batch: rank 1 runs none, and the result is still rank 0's batch.
        var run = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "ep", "--m", "16", "--threads", "1", "--repeat", "1", "--warmup", "0", "--json"]);
        Assert.That(run.Code, Is.Zero, run.Err);
        using JsonDocument doc = JsonDocument.Parse(run.Out);
        var (code, stdout, stderr) = Cli.Run("ep", "--m", "16", "--threads", "1", "--repeat", "1", "--warmup", "0", "--json");
        Assert.That(code, Is.Zero, stderr);
        using JsonDocument single = JsonDocument.Parse(stdout);
        Assert.That(
            doc.RootElement.GetProperty("points").EnumerateArray().Select(p => EpCommandTests.SumsText(p) + " " + p.GetProperty("q").GetRawText()),
            Is.EqualTo(single.RootElement.GetProperty("points").EnumerateArray().Select(p => EpCommandTests.SumsText(p) + " " + p.GetProperty("q").GetRawText())));
        Assert.That(doc.RootElement.GetProperty("points")[0].GetProperty("m").GetInt32().ToString(CultureInfo.InvariantCulture), Is.EqualTo("16"));
    }
}
