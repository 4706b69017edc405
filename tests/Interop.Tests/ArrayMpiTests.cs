using System.Globalization;
using System.Text.Json;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// `interop array` under a real `mpiexec` (OpenMPI): the distributed array (bands of tiles, the
/// transposed blocks exchanged all-to-all) gives the spec's checksum on 1, 2 and 3 ranks in both cases,
/// with a ragged chunk and with more ranks than tiles; rank 0 alone prints, with the exchange's cost;
/// the JSON parses with the terminal of an interactive shell.
/// </summary>
[NonParallelizable]
public sealed class ArrayMpiTests
{
    private static readonly string[] Backends = ["managed-parallel", "c-openmp"];

    [TestCase("memory", 700, 90)]
    [TestCase("sum", 700, 90)]
    [TestCase("memory", 300, 300)]
    public void OneToThreeRanksGiveTheSpecsChecksum(string arrayCase, int n, int chunk)
    {
        string spec = ArraySpec.Checksum(ArraySpec.Evaluate(ArraySpec.GenerateX(n, 42), n)).ToString("x16", CultureInfo.InvariantCulture);
        for (int ranks = 1; ranks <= 3; ranks++)
        {
            var run = HybridPiTests.Mpi.Run(ranks, [TestEnvironment.DriverPath, "array", "--size", n.ToString(CultureInfo.InvariantCulture), "--chunk", chunk.ToString(CultureInfo.InvariantCulture),
                "--case", arrayCase, "--backend", string.Join(',', Backends), "--threads", "1", "--repeat", "1", "--warmup", "0", "--json"]);
            Assert.That(run.Code, Is.Zero, run.Err);
            using JsonDocument doc = JsonDocument.Parse(run.Out);
            JsonElement[] points = [.. doc.RootElement.GetProperty("points").EnumerateArray()];
            Assert.That(points.Select(p => p.GetProperty("backend").GetString()), Is.EqualTo(Backends));
            foreach (JsonElement point in points)
            {
                string where = $"{point.GetProperty("backend").GetString()} on {ranks} rank(s), n {n}, {arrayCase}";
                Assert.That(point.GetProperty("ranks").GetInt32(), Is.EqualTo(ranks), where);
                Assert.That(point.GetProperty("verified").GetBoolean(), Is.True, where);
                Assert.That(point.GetProperty("checksum").GetString(), Is.EqualTo(spec), where);
                if (ranks > 1)
                {
                    // Every rank sends its rows' columns of every other band: all of x but the diagonal blocks, in all.
                    long[] sent = [.. point.GetProperty("rank_bytes_sent").EnumerateArray().Select(b => b.GetInt64())];
                    Assert.That(sent, Has.Length.EqualTo(ranks), where);
                    long[] rows = [.. Enumerable.Range(0, ranks).Select(r => BandRows(n, ranks, r))];
                    Assert.That(sent.Sum(), Is.EqualTo(8L * ((long)n * n - rows.Sum(r => r * r))), where);
                    Assert.That(point.GetProperty("rank_compute_seconds").GetArrayLength(), Is.EqualTo(ranks), where);
                }
            }
        }
    }

    [TestCase("dumb")]
    [TestCase("xterm")]
    public void TwoRanksPrintOneTableWithTheExchangeLine(string term)
    {
        var run = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "array", "--size", "600", "--chunk", "100", "--backend", "c-openmp", "--threads", "1", "--repeat", "1", "--warmup", "0", "--columns", "all"], term: term);
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(run.Out, Does.Not.Contain("\u001b"));
        Assert.That(run.Out.Split('\n').Count(l => l.StartsWith("Chunked array", StringComparison.Ordinal)), Is.EqualTo(1), run.Out);
        // Bands of 512 and 88 rows (tiles of 256): each rank sends the other 512 x 88 doubles.
        Assert.That(run.Out, Does.Contain("exchange, c-openmp: the ranks sent 704 KiB of transposed blocks a run (rank 0 352 KiB, rank 1 352 KiB); in MPI "), run.Out);
        Assert.That(run.Out, Does.Contain("verified: y's checksum 0x"));
    }

    // Rows of rank r's band: whole 256-row tiles split as evenly as they go.
    private static long BandRows(int n, int ranks, int rank)
    {
        IndexRange tiles = RangeSplitter.Part(new IndexRange(0, (n + 255) / 256), ranks, rank);
        return Math.Min(n, tiles.End * 256) - Math.Min(n, tiles.Begin * 256);
    }
}
