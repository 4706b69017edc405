using System.Globalization;
using System.Text.Json;
using Interop.Backends;
using Interop.Backends.Ep;
using Interop.Cli.Schema;
using Interop.Cli.Workloads.Ep;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// `interop ep` end to end in this process: class S verified on both managed backends on every path
/// this CPU has (as .NET declares it) and 1..3 threads, both of NPB's variants, a custom M (unverified
/// against NPB, agreeing across backends), the JSON document and bad input.
/// </summary>
[NonParallelizable]
public sealed class EpCommandTests
{
    // q0..q9 NPB's own EP printed for class S (EP-REFERENCE.md); the kernels give exactly these.
    private static readonly long[] NpbCountsS = [6_140_517, 5_865_300, 1_100_361, 68_546, 1_648, 17, 0, 0, 0, 0];

    [TearDown]
    public void Restore() => IsaSwitch.Apply(Isa.Auto);

    [Test]
    public void ClassSVerifiesOnManagedParallelOnEveryPathAndOneToThreeThreadsWithThreadIndependentSums()
    {
        foreach (Isa path in ExpectedPaths.OfThisCpu())
        {
            string? sums = null;
            for (int threads = 1; threads <= 3; threads++)
            {
                string where = $"{IsaNames.Name(path)}, {threads} thread(s)";
                using JsonDocument doc = RunJson("--class", "S", "--backend", "managed-parallel", "--isa", IsaNames.Name(path), "--threads", threads.ToString(CultureInfo.InvariantCulture));
                JsonElement point = doc.RootElement.GetProperty("points")[0];
                Assert.That(point.GetProperty("isa").GetString(), Is.EqualTo(IsaNames.Name(path)), where);
                Assert.That(point.GetProperty("threads").GetInt32(), Is.EqualTo(threads), where);
                AssertVerifiedClassS(point, where);
                // One backend and path: the same bits on any number of threads (per-batch sums added in batch order).
                string these = SumsText(point);
                sums ??= these;
                Assert.That(these, Is.EqualTo(sums), $"{where}: the sums of 1 thread");
            }
        }
    }

    [Test]
    public void ClassSPrintsOneTableTheCountsOnceAndTheVerificationLine()
    {
        var (code, stdout, stderr) = Cli.Run("ep", "--class", "s", "--backend", "managed-serial,managed-parallel", "--threads", "2", "--repeat", "1", "--warmup", "0", "--columns", "all");
        Assert.That(code, Is.Zero, stderr);
        string[] lines = stdout.Split('\n');
        Assert.That(lines[0], Does.StartWith("NPB EP class S (2^24 = 16,777,216 pairs in 256 batches), NPB 3.4.2+"));
        string header = lines.Single(l => l.StartsWith("backend ", StringComparison.Ordinal));
        Assert.That(header.Split(' ', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            "backend", "isa", "ranks", "threads", "class", "M", "pairs", "sx", "sy", "median", "95%", "CI", "runs", "Mop/s", "Mop/s/worker", "speedup", "check",
        }));
        foreach (string backend in new[] { "managed-serial", "managed-parallel" })
        {
            string row = lines.Single(l => l.StartsWith(backend + " ", StringComparison.Ordinal));
            Assert.That(row, Does.Contain(" S  24  13176389 ").And.EndWith("ok"), row);
        }

        Assert.That(lines.Count(l => l.StartsWith("pairs accepted: 13176389; q0..q9: 6140517 5865300 1100361 68546 1648 17 0 0 0 0", StringComparison.Ordinal)), Is.EqualTo(1), stdout);
        Assert.That(stdout, Does.Contain("verified against NPB 3.4.2+ class S: sx 1.051299420395306e+07, sy 1.051517131857535e+07, 13176389 pairs; largest relative error "));
        Assert.That(stdout, Does.Contain("pair count exact, on all 2 backend(s)"));
    }

    [Test]
    public void TheSignedVariantVerifiesAgainstNpb33()
    {
        using JsonDocument doc = RunJson("--class", "S", "--variant", "3.3", "--backend", "managed-parallel");
        Assert.That(doc.RootElement.GetProperty("parameters").GetProperty("variant").GetString(), Is.EqualTo("3.3"));
        JsonElement point = doc.RootElement.GetProperty("points")[0];
        Assert.That(point.GetProperty("verified_against").GetString(), Is.EqualTo("NPB 3.3 class S"));
        Assert.That(EpVerification.RelativeError(point.GetProperty("sx").GetDouble(), -3.247834652034740e+3), Is.LessThanOrEqualTo(1e-8));
        Assert.That(EpVerification.RelativeError(point.GetProperty("sy").GetDouble(), -6.958407078382297e+3), Is.LessThanOrEqualTo(1e-8));

        var (code, stdout, stderr) = Cli.Run("ep", "--class", "S", "--variant", "3.3", "--backend", "managed-parallel", "--repeat", "1", "--warmup", "0", "--columns", "all");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("NPB 3.3 (sx = sum t3, sy = sum t4)").And.Contain("verified against NPB 3.3 class S: sx -3.247834652034740e+03, sy -6.958407078382297e+03; "));
        Assert.That(stdout, Does.Not.Contain("pair count exact"), "NPB 3.3 does not check the pair count");
    }

    [Test]
    public void ACustomMIsUnverifiedAgainstNpbButItsBackendsAgree()
    {
        using JsonDocument doc = RunJson("--m", "17", "--backend", "managed-serial,managed-parallel");
        JsonElement root = doc.RootElement;
        Assert.That(root.GetProperty("verified").GetBoolean(), Is.True, "the backends agree");
        Assert.That(root.GetProperty("parameters").GetProperty("class").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(root.GetProperty("parameters").GetProperty("m").GetInt32(), Is.EqualTo(17));
        JsonElement[] points = [.. root.GetProperty("points").EnumerateArray()];
        Assert.That(points, Has.Length.EqualTo(2));
        foreach (JsonElement point in points)
        {
            Assert.That(point.GetProperty("verified_against").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(point.GetProperty("check").GetString(), Does.Contain("unverified against NPB"));
            Assert.That(point.GetProperty("m").GetInt32(), Is.EqualTo(17));
            Assert.That(point.GetProperty("q").EnumerateArray().Sum(q => q.GetInt64()), Is.EqualTo(point.GetProperty("pairs").GetInt64()));
        }

        Assert.That(points[1].GetProperty("pairs").GetInt64(), Is.EqualTo(points[0].GetProperty("pairs").GetInt64()));
        Assert.That(points[1].GetProperty("q").GetRawText(), Is.EqualTo(points[0].GetProperty("q").GetRawText()));
        // 2^17 pairs, about pi/4 of them inside the unit circle.
        Assert.That(4.0 * points[0].GetProperty("pairs").GetInt64() / (1 << 17), Is.EqualTo(Math.PI).Within(0.02));

        var (code, stdout, stderr) = Cli.Run("ep", "--m", "17", "--backend", "managed-serial,managed-parallel", "--repeat", "1", "--warmup", "0", "--columns", "all");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("unverified against NPB: M = 17 is not one of NPB's classes (S, W, A, B, C); all 2 backend(s) agree"));
        Assert.That(stdout.Split('\n').Where(l => l.StartsWith("managed-", StringComparison.Ordinal)), Has.All.EndWith("agrees"));
    }

    [Test]
    public void AnMOfAClassIsThatClassAndVerified()
    {
        using JsonDocument doc = RunJson("--m", "24", "--backend", "managed-parallel");
        Assert.That(doc.RootElement.GetProperty("parameters").GetProperty("class").GetString(), Is.EqualTo("S"));
        AssertVerifiedClassS(doc.RootElement.GetProperty("points")[0], "--m 24");
    }

    [Test]
    public void TheDocumentHasEpsKeysAfterTheCommonOnesAndRoundTrips()
    {
        var (code, stdout, stderr) = Cli.Run("ep", "--class", "S", "--backend", "managed-parallel", "--repeat", "2", "--warmup", "0", "--json");
        Assert.That(code, Is.Zero, stderr);
        using (JsonDocument doc = JsonDocument.Parse(stdout))
        {
            JsonElement root = doc.RootElement;
            Assert.That(root.GetProperty("kind").GetString(), Is.EqualTo("ep"));
            Assert.That(root.GetProperty("parameters").GetProperty("workloads").EnumerateArray().Select(w => w.GetString()), Is.EqualTo(new[] { "ep" }));
            Assert.That(root.GetProperty("parameters").GetProperty("seed").ValueKind, Is.EqualTo(JsonValueKind.Null), "EP's seed is NPB's, no parameter");
            JsonElement point = root.GetProperty("points")[0];
            string[] keys = [.. point.EnumerateObject().Select(p => p.Name)];
            string[] own = ["class", "m", "pairs", "sx", "sy", "sum_abs_x", "sum_abs_y", "q", "mops", "mops_per_worker", "verified_against"];
            Assert.That(keys[^own.Length..], Is.EqualTo(own), "EP's keys, after the common ones");
            Assert.That(point.GetProperty("throughput_unit").GetString(), Is.EqualTo("Mop/s"));
            Assert.That(point.GetProperty("work_per_run").GetDouble(), Is.EqualTo(Math.ScaleB(1, 25) / 1e6), "2^(M+1) randoms, in millions");
            double mops = Math.ScaleB(1, 25) / point.GetProperty("seconds_median").GetDouble() / 1e6;
            Assert.That(point.GetProperty("mops").GetDouble(), Is.EqualTo(mops).Within(1e-9).Percent);
            Assert.That(point.GetProperty("throughput").GetDouble(), Is.EqualTo(mops).Within(1e-9).Percent);
            Assert.That(point.GetProperty("mops_per_worker").GetDouble(), Is.EqualTo(mops / point.GetProperty("workers").GetInt32()).Within(1e-9).Percent);
            Assert.That(point.GetProperty("darts").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(point.GetProperty("darts_per_second").ValueKind, Is.EqualTo(JsonValueKind.Null));
        }

        ResultDocument back = Documents.Deserialize(stdout);
        Assert.That(back.Points[0].OwnFields, Is.Not.Null.And.ContainKey("q"));
        Assert.That(Documents.Serialize(back), Is.EqualTo(stdout.TrimEnd('\n')), "byte for byte");
    }

    [Test]
    public void CsvHasEpsColumnsAfterTodays()
    {
        var (code, stdout, stderr) = Cli.Run("ep", "--class", "S", "--backend", "managed-parallel", "--repeat", "1", "--warmup", "0", "--format", "csv");
        Assert.That(code, Is.Zero, stderr);
        string[] lines = stdout.TrimEnd().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(2));
        Assert.That(lines[0].Split(',')[^4..], Is.EqualTo(new[] { "m", "pairs", "sum_abs_x", "sum_abs_y" }));
        string[] own = lines[1].Split(',')[^4..];
        Assert.That(own[..2], Is.EqualTo(new[] { "24", "13176389" }));
        Assert.That(EpVerification.RelativeError(double.Parse(own[2], CultureInfo.InvariantCulture), 1.051299420395306e+07), Is.LessThanOrEqualTo(1e-8));
    }

    [TestCase("--class", "Z")]
    [TestCase("--class", "D")]
    [TestCase("--m", "15")]
    [TestCase("--m", "44")]
    [TestCase("--m", "x")]
    [TestCase("--m", "")]
    [TestCase("--class", "S", "--m", "24")]
    [TestCase("--variant", "3.5")]
    [TestCase("--seed", "1")]
    [TestCase("--backend", "lapack")]
    [TestCase("--threads", "0")]
    public void BadInputIsOneLineAndExitTwo(params string[] args)
    {
        var (code, stdout, stderr) = Cli.Run(["ep", .. args, "--repeat", "1", "--columns", "all"]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.StartWith("interop: ").And.Not.Contain("   at "));
    }

    [Test]
    public void TheUsageErrorsSayWhatIsAllowed()
    {
        Assert.That(Cli.Run("ep", "--class", "Z").Err, Does.Contain("unknown EP class 'Z'; known: S, W, A, B, C"));
        Assert.That(Cli.Run("ep", "--m", "44").Err, Does.Contain("16..43"));
        Assert.That(Cli.Run("ep", "--class", "A", "--m", "20").Err, Does.Contain("--class and --m are exclusive"));
    }

    [Test]
    public void ADryRunSaysTheClassItsBatchesAndTheVariant()
    {
        var (code, stdout, stderr) = Cli.Run("ep", "--dry-run", "--ranks", "4");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("ep: class A (2^28 = 268,435,456 pairs in 4,096 batches), NPB 3.4.2+ verification").And.Contain("4 rank(s)"));
        Assert.That(Cli.Run("ep", "--m", "43", "--variant", "3.3", "--dry-run").Out, Does.Contain("M = 43 (2^43 = 8,796,093,022,208 pairs in 134,217,728 batches), NPB 3.3 verification"));
    }

    [Test]
    public void AValueOffTheReferenceFailsNamingTheClassTheValueAndTheReference()
    {
        EpMeasurement good = Measurement("managed-serial", EpResult.Reduce([1.0, 2.0, 1.051299420395306e+07, 1.051517131857535e+07], NpbCountsS));
        EpMeasurement off = good with { Backend = "managed-parallel", Result = good.Result with { SumAbsX = 1.0513e+07 } };
        EpCheck check = EpCheck.Of(EpClass.S, EpVariant.Npb34, [good, off]);
        Assert.That(check.Verdict.Passed, Is.False);
        Assert.That(check.Verdict.Failure, Does.StartWith("managed-parallel: class S (NPB 3.4.2+): sx = 10513000 differs from the reference 10512994.20395306"));
        Assert.That(check.Column(0), Is.EqualTo("ok"));
        Assert.That(check.Column(1), Is.EqualTo("FAILED"));
        Assert.That(check.Line(), Does.StartWith("check: FAILED, managed-parallel: class S"));
        Assert.That(EpCheck.Of(EpClass.S, EpVariant.Npb34, [good]).Verdict.Passed, Is.True, "the same values alone pass");
    }

    [Test]
    public void BackendsThatDisagreeFailEvenWithoutReferenceValues()
    {
        EpClass m17 = EpClass.Custom(17);
        EpMeasurement a = Measurement("managed-serial", EpResult.Reduce([-3.0, 5.0, 1000.0, 1000.0], [10, 5, 0, 0, 0, 0, 0, 0, 0, 0])) with { Size = m17 };
        EpCheck counts = EpCheck.Of(m17, EpVariant.Npb34, [a, a with { Backend = "c-openmp", Result = a.Result with { Counts = [9, 6, 0, 0, 0, 0, 0, 0, 0, 0] } }]);
        Assert.That(counts.Verdict.Failure, Is.EqualTo("backends disagree on the counts q0..q9: managed-serial [10, 5, 0, 0, 0, 0, 0, 0, 0, 0]; c-openmp [9, 6, 0, 0, 0, 0, 0, 0, 0, 0]"));
        Assert.That(counts.Column(0), Is.EqualTo("MISMATCH"));

        // A signed sum is held to 1e-8 of the absolute sum that bounds its rounding: 1e-6 apart fails, 1e-6 of 1000 does not.
        EpCheck sums = EpCheck.Of(m17, EpVariant.Npb34, [a, a with { Backend = "c-openmp", Result = a.Result with { Sx = -3.0 + 1e-3 } }]);
        Assert.That(sums.Verdict.Failure, Does.StartWith("backends disagree on sx (signed) beyond 1e-8: managed-serial -3, c-openmp -2.99"));
        Assert.That(EpCheck.Of(m17, EpVariant.Npb34, [a, a with { Backend = "c-openmp", Result = a.Result with { Sx = -3.0 + 1e-6 } }]).Verdict.Passed, Is.True);
        Assert.That(EpCheck.Of(m17, EpVariant.Npb34, [a, a with { Backend = "c-openmp", Result = a.Result with { SumAbsY = double.NaN } }]).Verdict.Passed, Is.False, "a NaN never agrees");
    }

    private static EpMeasurement Measurement(string backend, EpResult result) =>
        new(backend, Isa.Scalar, 1, 1, EpClass.S, result, [1.0], [1.0], 0);

    private static JsonDocument RunJson(params string[] args)
    {
        var (code, stdout, stderr) = Cli.Run(["ep", .. args, "--repeat", "1", "--warmup", "0", "--json"]);
        Assert.That(code, Is.Zero, $"ep {string.Join(' ', args)}: {stderr}");
        return JsonDocument.Parse(stdout);
    }

    internal static void AssertVerifiedClassS(JsonElement point, string where)
    {
        Assert.That(point.GetProperty("verified").GetBoolean(), Is.True, where);
        Assert.That(point.GetProperty("verified_against").GetString(), Is.EqualTo("NPB 3.4.2+ class S"), where);
        Assert.That(point.GetProperty("class").GetString(), Is.EqualTo("S"), where);
        Assert.That(point.GetProperty("m").GetInt32(), Is.EqualTo(24), where);
        Assert.That(point.GetProperty("pairs").GetInt64(), Is.EqualTo(13_176_389), where);
        Assert.That(point.GetProperty("q").EnumerateArray().Select(q => q.GetInt64()), Is.EqualTo(NpbCountsS), where);
        Assert.That(EpVerification.RelativeError(point.GetProperty("sum_abs_x").GetDouble(), 1.051299420395306e+07), Is.LessThanOrEqualTo(1e-8), where);
        Assert.That(EpVerification.RelativeError(point.GetProperty("sum_abs_y").GetDouble(), 1.051517131857535e+07), Is.LessThanOrEqualTo(1e-8), where);
        Assert.That(EpVerification.RelativeError(point.GetProperty("sx").GetDouble(), -3.247834652034740e+3), Is.LessThanOrEqualTo(1e-8), where);
        Assert.That(EpVerification.RelativeError(point.GetProperty("sy").GetDouble(), -6.958407078382297e+3), Is.LessThanOrEqualTo(1e-8), where);
    }

    /// <summary>The four sums of a point as written (JSON numbers round-trip: equal text is equal bits).</summary>
    internal static string SumsText(JsonElement point) =>
        string.Join(" ", new[] { "sx", "sy", "sum_abs_x", "sum_abs_y" }.Select(k => point.GetProperty(k).GetRawText()));
}
