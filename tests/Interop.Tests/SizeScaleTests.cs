using System.Text.Json;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// INTEROP_SIZE_SCALE, the hook that lets the documented commands run as written in the suite:
/// every size (default or given) times the factor, with floors; a bad value is a usage error.
/// </summary>
public sealed class SizeScaleTests : TempFolderTest
{
    [TestCase(null, 1.0)]
    [TestCase("", 1.0)]
    [TestCase("1", 1.0)]
    [TestCase("0.01", 0.01)]
    [TestCase(" 1e-3 ", 0.001)]
    public void TheFactorIsANumberAboveZeroAndAtMostOne(string? text, double expected) =>
        Assert.That(SizeScale.Parse(text), Is.EqualTo(expected));

    [TestCase("0")]
    [TestCase("-0.5")]
    [TestCase("2")]
    [TestCase("NaN")]
    [TestCase("small")]
    public void AnyOtherValueIsAUsageErrorNamingTheVariable(string text) =>
        Assert.That(() => SizeScale.Parse(text), Throws.TypeOf<UsageException>().With.Message.Contains("INTEROP_SIZE_SCALE").And.Message.Contains($"'{text}'"));

    [Test]
    public void AGivenDartCountIsScaledAndTheCountStillChecked()
    {
        var (code, stdout, stderr) = DriverProcess.Run(
            ["pi", "--darts", "1e9", "--backend", "c-openmp,managed-parallel", "--repeat", "1", "--json"],
            new Dictionary<string, string> { [SizeScale.Variable] = "0.001" });
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stderr, Does.Contain("interop: note: INTEROP_SIZE_SCALE=0.001: every size is scaled down"));
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement[] points = [.. doc.RootElement.GetProperty("points").EnumerateArray()];
        Assert.That(points.Select(p => p.GetProperty("darts").GetInt64()), Is.All.EqualTo(1_000_000));
        Assert.That(points.Select(p => p.GetProperty("inside").GetInt64()).Distinct().Count(), Is.EqualTo(1), "every backend's count still agrees");
        Assert.That(doc.RootElement.GetProperty("variables").GetProperty(SizeScale.Variable).GetString(), Is.EqualTo("0.001"), "a scaled run says so in its document");
    }

    [TestCase(null, "0.02", 80)] // the default order, 4000 x 0.02
    [TestCase("2000", "0.1", 200)]
    [TestCase("4000", "1e-6", SizeScale.MinOrder)]
    [TestCase("10", "0.5", 10)] // never above the order asked for
    public void TheOrderIsScaledAndEveryInverseStillChecked(string? size, string scale, int expected)
    {
        var (code, stdout, stderr) = DriverProcess.Run(
            ["inv", "--backend", "c-openmp", "--repeat", "1", "--json", .. size is null ? [] : new[] { "--size", size }],
            new Dictionary<string, string> { [SizeScale.Variable] = scale });
        Assert.That(code, Is.Zero, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement point = doc.RootElement.GetProperty("points")[0];
        Assert.That(point.GetProperty("n").GetInt32(), Is.EqualTo(expected));
        Assert.That(point.GetProperty("residual").GetDouble(), Is.LessThan(30));
    }

    [TestCase(new string[0], "0.01", "S", 24)] // the default class A, 2^28 pairs: no class is that small, so S
    [TestCase(new[] { "--class", "C" }, "0.25", "B", 30)] // 2^32 x 0.25 = 2^30: B exactly
    [TestCase(new[] { "--class", "S" }, "0.5", "S", 24)] // never above the class asked for
    [TestCase(new[] { "--m", "22" }, "0.25", null, 20)] // a custom M: M + log2(F)
    public void EpsClassIsScaledToAnNpbClassAndStillVerified(string[] size, string scale, string? expectedClass, int expectedM)
    {
        var (code, stdout, stderr) = DriverProcess.Run(
            ["ep", "--backend", "c-openmp", "--repeat", "1", "--warmup", "0", "--json", .. size],
            new Dictionary<string, string> { [SizeScale.Variable] = scale });
        Assert.That(code, Is.Zero, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement point = doc.RootElement.GetProperty("points")[0];
        Assert.That(point.GetProperty("m").GetInt32(), Is.EqualTo(expectedM));
        Assert.That(point.GetProperty("class").GetString(), Is.EqualTo(expectedClass));
        Assert.That(point.GetProperty("verified").GetBoolean(), Is.True);
    }

    [Test]
    public void AMalformedScaleIsExitTwoWithOneLine()
    {
        var (code, _, stderr) = DriverProcess.Run(["pi", "--repeat", "1"], new Dictionary<string, string> { [SizeScale.Variable] = "fast" });
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.Trim(), Is.EqualTo("interop: INTEROP_SIZE_SCALE must be a number above 0 and at most 1 (e.g. 0.01, for tests and demos), not 'fast'"));
    }

    [Test]
    public void CompareStillCalibratesToAScaledBudget()
    {
        var (code, stdout, stderr) = DriverProcess.Run(
            ["compare", "--workload", "pi", "--backend", "c-openmp,managed-serial", "--threads", "1", "--repeat", "1", "--out-dir", Path.Combine(Folder, "cmp")],
            new Dictionary<string, string> { [SizeScale.Variable] = "0.01" });
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("Sizes: calibrated on this CPU by").And.Contain("to a budget of 1 s"));
    }
}
