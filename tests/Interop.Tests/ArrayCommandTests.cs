using System.Globalization;
using System.Text.Json;
using Interop.Backends;
using Interop.Cli.Workloads.ChunkedArray;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// `interop array` end to end in this process: every backend verified on both cases with the same
/// checksum (the spec's for small n, computed here independently of the command), a ragged chunk,
/// every path of managed-parallel, the JSON document, the checks failing on a wrong result, and bad input.
/// </summary>
[NonParallelizable]
public sealed class ArrayCommandTests
{
    [TearDown]
    public void Restore() => IsaSwitch.Apply(Isa.Auto);

    [TestCase("memory")]
    [TestCase("sum")]
    public void EveryBackendGivesTheSpecsChecksumInBothCasesWithARaggedChunk(string arrayCase)
    {
        const int n = 300;
        string spec = ArraySpec.Checksum(ArraySpec.Evaluate(ArraySpec.GenerateX(n, 42), n)).ToString("x16", CultureInfo.InvariantCulture);
        using JsonDocument doc = RunJson("--size", "300", "--chunk", "70", "--case", arrayCase, "--threads", "2");
        JsonElement[] points = [.. doc.RootElement.GetProperty("points").EnumerateArray()];
        Assert.That(points.Select(p => p.GetProperty("backend").GetString()), Is.EquivalentTo(ArrayWorkloadBackends()));
        foreach (JsonElement point in points)
        {
            string where = point.GetProperty("backend").GetString()!;
            Assert.That(point.GetProperty("verified").GetBoolean(), Is.True, where);
            Assert.That(point.GetProperty("checksum").GetString(), Is.EqualTo(spec), where);
            Assert.That(point.GetProperty("order").GetInt32(), Is.EqualTo(n), where);
            Assert.That(point.GetProperty("chunk").GetInt32(), Is.EqualTo(70), where);
            Assert.That(point.GetProperty("throughput_unit").GetString(), Is.EqualTo("GB/s"), where);
            Assert.That(point.GetProperty("gb_per_s").GetDouble(), Is.GreaterThan(0), where);
            Assert.That(point.GetProperty("sum_y").GetDouble(), Is.EqualTo(point.GetProperty("sum_x").GetDouble()).Within(1e-9 * n * n), where);
        }

        Assert.That(doc.RootElement.GetProperty("parameters").GetProperty("case").GetString(), Is.EqualTo(arrayCase));
    }

    [Test]
    public void ManagedParallelGivesTheSameChecksumOnEveryPathAndThreadCountAsTheSerialLoops()
    {
        string? serial = null;
        foreach (Isa path in ExpectedPaths.OfThisCpu())
        {
            for (int threads = 1; threads <= 3; threads += 2)
            {
                using JsonDocument doc = RunJson("--size", "2500", "--chunk", "333", "--backend", "managed-serial,managed-parallel", "--isa", IsaNames.Name(path), "--threads", threads.ToString(CultureInfo.InvariantCulture));
                JsonElement[] points = [.. doc.RootElement.GetProperty("points").EnumerateArray()];
                serial ??= points[0].GetProperty("checksum").GetString();
                Assert.That(points.Select(p => p.GetProperty("checksum").GetString()), Has.All.EqualTo(serial), $"{IsaNames.Name(path)}, {threads} thread(s)");
                Assert.That(points.Select(p => p.GetProperty("verified").GetBoolean()), Has.All.True);
                Assert.That(points[1].GetProperty("isa").GetString(), Is.EqualTo(IsaNames.Name(path)));
            }
        }
    }

    [Test]
    public void TheTableHasOneVerifiedRowPerBackendAndTheVerificationLine()
    {
        var (code, stdout, stderr) = Cli.Run("array", "--size", "200", "--chunk", "64", "--repeat", "1", "--warmup", "0", "--columns", "all");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.StartWith("Chunked array, y = x + x.T - x.mean(axis=0): n = 200, chunk 64 (4 x 4 blocks, the last ragged), x in memory, y stored in memory"));
        string header = stdout.Split('\n').Single(l => l.StartsWith("backend ", StringComparison.Ordinal));
        Assert.That(header, Does.Contain("GB/s").And.Contain("checksum").And.Contain("chunk"));
        foreach (string backend in ArrayWorkloadBackends())
        {
            Assert.That(stdout.Split('\n').Count(l => l.StartsWith(backend + " ", StringComparison.Ordinal) && l.TrimEnd().EndsWith(" ok", StringComparison.Ordinal)), Is.EqualTo(1), backend);
        }

        Assert.That(stdout, Does.Contain("verified: y's checksum 0x").And.Contain("the spec's checksum of all of y"));
    }

    [Test]
    public void ABackendOffTheSpecFailsItsChecks()
    {
        var shape = new ArrayShape(300, 64, 42, ArrayCase.Memory);
        ulong spec = ArraySpec.Checksum(ArraySpec.Evaluate(ArraySpec.GenerateX(300, 42), 300));
        ArrayMeasurement Measured(string backend, ulong checksum, double sum = 45_000, string? spot = null) =>
            new(backend, Isa.Scalar, 1, 1, shape, new ArrayResult(checksum, sum, 45_000) { SpotCheck = spot }, [0.1]);

        ArrayCheck good = ArrayCheck.Of(shape, [Measured("a", spec), Measured("b", spec)]);
        Assert.That(good.Verdict.Passed, Is.True, good.Line());

        ArrayCheck wrong = ArrayCheck.Of(shape, [Measured("a", spec), Measured("b", spec + 1)]);
        Assert.That(wrong.Verdict.Passed, Is.False);
        Assert.That(wrong.Column(1), Is.EqualTo("FAILED"));
        Assert.That(wrong.Line(), Does.Contain("b: y's checksum").And.Contain("is not the spec's"));

        ArrayCheck sum = ArrayCheck.Of(shape, [Measured("a", spec, sum: 45_001)]);
        Assert.That(sum.Line(), Does.Contain("sum(y) 45001 is not sum(x) 45000"));

        ArrayCheck spot = ArrayCheck.Of(shape, [Measured("a", spec, spot: "y[0][1] is 1, the spec's 2")]);
        Assert.That(spot.Line(), Does.Contain("y[0][1] is 1, the spec's 2"));

        // Above the reference order, the backends must agree among themselves.
        var large = new ArrayShape(ArrayCheck.ReferenceOrder + 1, 64, 42, ArrayCase.Sum);
        ArrayMeasurement Large(string backend, ulong checksum) => new(backend, Isa.Scalar, 1, 1, large, new ArrayResult(checksum, 1, 1), [0.1]);
        ArrayCheck disagree = ArrayCheck.Of(large, [Large("a", 1), Large("b", 2)]);
        Assert.That(disagree.Column(0), Is.EqualTo("MISMATCH"));
        Assert.That(disagree.Line(), Does.Contain("backends disagree on y's checksum"));
    }

    [Test]
    public void TheSpotCheckFindsAWrongMeanAndAWrongElement()
    {
        var shape = new ArrayShape(300, 64, 42, ArrayCase.Memory);
        double[] x = ArraySpec.GenerateX(300, 42);
        double[] means = ArraySpec.ColumnMeans(x, 300);
        double[] y = ArraySpec.Evaluate(x, 300);
        Assert.That(ArrayCheck.Spot(shape, means, (i, j) => y[(i * 300) + j]), Is.Null);
        double[] off = [.. means];
        off[150] = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(off[150]) + 1);
        Assert.That(ArrayCheck.Spot(shape, off, null), Does.StartWith("the mean of column 150 is"));
        Assert.That(ArrayCheck.Spot(shape, means, (i, j) => i == 299 && j == 0 ? y[(i * 300) + j] + 1e-16 : y[(i * 300) + j]), Does.StartWith("y[299][0] is"));
    }

    [TestCase("--chunk", "0")]
    [TestCase("--size", "100", "--chunk", "101")]
    [TestCase("--size", "0")]
    [TestCase("--size", "x")]
    [TestCase("--case", "disk")]
    [TestCase("--backend", "lapack")]
    [TestCase("--threads", "0")]
    [TestCase("--size", "1000000")]
    public void BadInputIsOneLineAndExitTwo(params string[] args)
    {
        var (code, stdout, stderr) = Cli.Run(["array", .. args, "--repeat", "1"]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.StartWith("interop: ").And.Not.Contain("   at "));
    }

    [Test]
    public void TheUsageErrorsSayWhatIsAllowed()
    {
        Assert.That(Cli.Run("array", "--chunk", "0").Err, Does.Contain("--chunk must be at least 1"));
        Assert.That(Cli.Run("array", "--size", "100", "--chunk", "101").Err, Does.Contain("--chunk 101 is larger than --size 100"));
        Assert.That(Cli.Run("array", "--case", "disk").Err, Does.Contain("sum").And.Contain("memory"));
        Assert.That(Cli.Run("array", "--size", "1000000").Err, Does.Contain("more than this machine's"));
    }

    private static string[] ArrayWorkloadBackends() => [.. Interop.Backends.ChunkedArray.ArrayKernels.Backends.Select(b => b.Name)];

    private static JsonDocument RunJson(params string[] args)
    {
        var (code, stdout, stderr) = Cli.Run(["array", .. args, "--repeat", "1", "--warmup", "0", "--json"]);
        Assert.That(code, Is.Zero, $"array {string.Join(' ', args)}: {stderr}");
        return JsonDocument.Parse(stdout);
    }
}
