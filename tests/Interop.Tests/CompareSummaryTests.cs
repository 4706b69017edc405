using System.Globalization;
using System.Text.RegularExpressions;
using Interop.Cli.Compare;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// Every sentence of the compare summary against the numbers it states: no "faster" for a ratio
/// below one, no "1.00x faster/slower", no "scales 0.77x", and no claim (threads in parallel, SIMD)
/// that the measured ratio does not support. Boundary ratios around 1. A difference is stated only
/// where the intervals support it: equal rates read "not distinguishable with N runs".
/// </summary>
public sealed partial class CompareSummaryTests
{
    // The gain below which the summary claims no cause (threads in parallel, SIMD): 20 %.
    private const double ClearGain = 1.2;

    private static readonly double[] Ratios = [0.5, 0.8, 0.99, 0.995, 0.999, 1.0, 1.001, 1.004, 1.005, 1.01, 1.1, 1.19, 1.21, 2.0, 8.0];

    // Six runs a part in a million apart: intervals so tight that any ratio but exactly 1 is told apart.
    private static double[] Tight(double rate) => [.. new[] { 0.0, 1, -1, 0.5, -0.5, 0 }.Select(k => (1 + (k * 1e-6)) / rate)];

    // Throughput = 1e9 darts / median seconds: a point running `rate` times the reference rate.
    private static ComparePoint Pi(string backend, int threads, double rate, string isa = "avx2") =>
        new("pi", backend, 1, threads, Tight(rate), 1e9, "darts/s", true, "inside=1") { Isa = isa, Size = 1_000_000_000 };

    private static ComparePoint Inv(string backend, int threads, double rate) =>
        new("inv", backend, 1, threads, Tight(rate), 100.0, "GFLOP/s", true, "residual=0.1") { Isa = "avx2", Size = 3000 };

    private static CompareRun Run(params ComparePoint[] points) =>
        new(DateTimeOffset.UnixEpoch, 1, [new("isa", "avx2")], [], [], points);

    [GeneratedRegex(@"(\d+(?:\.\d+)?)x(?: ± \d+(?:\.\d+)?| \(\d+(?:\.\d+)?-\d+(?:\.\d+)?\))? (faster|slower)")]
    private static partial Regex Times();

    [GeneratedRegex(@"scales (\d+(?:\.\d+)?)x")]
    private static partial Regex Scales();

    // The ratio as a sentence states it, above 1 either way; "1.00" where it rounds to 1 in either direction
    // (1.005 shows as 1.00 one way and 1.01 the other: about as fast).
    private static string Shown(double ratio)
    {
        string up = ratio.ToString("0.00", CultureInfo.InvariantCulture);
        string down = (1 / ratio).ToString("0.00", CultureInfo.InvariantCulture);
        return up == "1.00" || down == "1.00" ? "1.00" : ratio > 1 ? up : down;
    }

    /// <summary>A stated "N x faster/slower" or "scales N x" is always a number above 1.00.</summary>
    private static void AssertNoSelfContradiction(IEnumerable<string> sentences)
    {
        foreach (string s in sentences)
        {
            foreach (Match m in Times().Matches(s).Concat(Scales().Matches(s)))
            {
                Assert.That(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Is.GreaterThan(1.0), s);
            }
        }
    }

    [Test]
    public void ManagedParallelAgainstSerialNeverContradictsItsRatio([ValueSource(nameof(Ratios))] double ratio)
    {
        // managed-parallel at 1x2 runs `ratio` times managed-serial's rate; its own scaling from 1 to 2 workers is `ratio` too.
        CompareRun run = Run(Pi("managed-serial", 1, 1.0, "scalar"), Pi("managed-parallel", 1, 1.0), Pi("managed-parallel", 2, ratio));
        IReadOnlyList<string> sentences = CompareSummary.Sentences(run);
        AssertNoSelfContradiction(sentences);
        string line = sentences.Single(s => s.Contains("managed-parallel (C#)", StringComparison.Ordinal));
        string shown = Shown(ratio);
        Assert.That(line, Does.Contain(
            ratio == 1.0 ? "and managed-serial are not distinguishable with 6 runs"
            : shown == "1.00" ? "about as fast as managed-serial" : ratio > 1 ? $"{shown}x ± 0.00 faster than" : $"{shown}x ± 0.00 slower than"), line);

        // "threads run C# in parallel" only where 2 workers really ran clearly faster than 1.
        bool claimsParallel = sentences.Any(s => s.Contains("in parallel", StringComparison.Ordinal));
        Assert.That(claimsParallel, Is.EqualTo(ratio >= ClearGain), string.Join("\n", sentences));
        // The SIMD claim depends on the one-worker ratio (1.0 here): never made.
        Assert.That(sentences.Any(s => s.Contains("SIMD", StringComparison.Ordinal)), Is.False, string.Join("\n", sentences));
    }

    [Test]
    public void TheSimdClaimNeedsAFasterVectorPathOnOneWorker([ValueSource(nameof(Ratios))] double ratio)
    {
        CompareRun run = Run(Pi("managed-serial", 1, 1.0, "scalar"), Pi("managed-parallel", 1, ratio), Pi("managed-parallel", 2, 2 * ratio));
        IReadOnlyList<string> sentences = CompareSummary.Sentences(run);
        AssertNoSelfContradiction(sentences);
        bool simd = sentences.Any(s => s.Contains("SIMD", StringComparison.Ordinal));
        Assert.That(simd, Is.EqualTo(ratio >= ClearGain), string.Join("\n", sentences));

        // Same path on both sides (inv: managed-serial runs the avx2 kernel too): no SIMD claim at all.
        CompareRun same = Run(Inv("managed-serial", 1, 1.0), Inv("managed-parallel", 1, ratio), Inv("managed-parallel", 2, 2 * ratio));
        Assert.That(CompareSummary.Sentences(same).Any(s => s.Contains("SIMD", StringComparison.Ordinal)), Is.False);
    }

    [Test]
    public void ScalingSentencesSayFasterSlowerOrTheSame([ValueSource(nameof(Ratios))] double ratio)
    {
        CompareRun run = Run(Pi("c-openmp", 1, 1.0), Pi("c-openmp", 2, ratio));
        string line = CompareSummary.Sentences(run).Single(s => s.Contains("from 1 to 2 workers", StringComparison.Ordinal) || s.Contains("on 2 workers", StringComparison.Ordinal));
        AssertNoSelfContradiction([line]);
        string shown = Shown(ratio);
        Assert.That(line, Does.Contain(
            ratio == 1.0 ? "c-openmp on 2 workers and on 1 are not distinguishable with 6 runs"
            : shown == "1.00" ? "about as fast on 2 workers as on 1" : ratio > 1 ? $"scales {shown}x ± 0.00 from 1 to 2 workers" : $"{shown}x ± 0.00 slower on 2 workers than on 1"), line);
    }

    [Test]
    public void BackendAgainstBackendSentencesFollowTheRatio([ValueSource(nameof(Ratios))] double ratio)
    {
        CompareRun run = Run(Inv("managed-parallel", 2, 1.0), Inv("c-openmp", 2, 1.0), Inv("lapack", 2, ratio));
        IReadOnlyList<string> sentences = CompareSummary.Sentences(run);
        AssertNoSelfContradiction(sentences);
        string lapack = sentences.Single(s => s.Contains("LAPACK (OpenBLAS)", StringComparison.Ordinal));
        string overManaged = sentences.Single(s => s.Contains(": lapack ", StringComparison.Ordinal));
        string expected = ratio == 1.0 ? "are not distinguishable with 6 runs" : Shown(ratio) == "1.00" ? "about as fast as" : ratio > 1 ? " faster than" : " slower than";
        Assert.That(lapack, Does.Contain(expected));
        Assert.That(overManaged, Does.Contain(expected));
    }

    [Test]
    public void BaselineLinesNeverSayOnePointZeroZeroTimes([ValueSource(nameof(Ratios))] double ratio)
    {
        CompareRun old = Run(Pi("c-openmp", 1, 1.0));
        CompareRun now = Run(Pi("c-openmp", 1, ratio));
        AssertNoSelfContradiction(BaselineComparison.Compare(old, now).Describe());
    }

    // Six runs a point, ±`spread` around the median 1/rate: a known 95 % interval of the median.
    private static ComparePoint Measured(string backend, int threads, double rate, double spread) =>
        Inv(backend, threads, rate) with { Seconds = [.. new[] { 0.0, 1, -1, 0.5, -0.5, 0 }.Select(k => (1 + (k * spread)) / rate)] };

    [Test]
    public void MeasuredRatiosCarryTheirUncertaintyAndNeverContradictIt([ValueSource(nameof(Ratios))] double ratio)
    {
        foreach (double spread in new[] { 0.001, 0.02, 0.1 })
        {
            CompareRun run = Run(Measured("managed-parallel", 2, 1.0, spread), Measured("c-openmp", 2, 1.0, spread), Measured("lapack", 2, ratio, spread));
            IReadOnlyList<string> sentences = CompareSummary.Sentences(run);
            AssertNoSelfContradiction(sentences);
            string line = sentences.Single(s => s.Contains(": lapack ", StringComparison.Ordinal));
            RatioEstimate r = CompareMetrics.Ratio(run.Points[2], run.Points[0]);
            Assert.That(r.HasInterval, Is.True);
            // "not distinguishable" exactly where the interval includes 1; elsewhere the ratio with its interval, unless "about as fast".
            Assert.That(line.EndsWith("lapack and managed-parallel at 1x2 are not distinguishable with 6 runs.", StringComparison.Ordinal), Is.EqualTo(r.WithinNoise), line);
            string shown = Shown(ratio);
            if (!r.WithinNoise)
            {
                Assert.That(line, shown == "1.00" ? Does.Contain("about as fast as") : Does.Match($@"{Regex.Escape(shown)}x( ± | \()"), line);
            }
        }
    }

    [Test]
    public void NoCauseIsNamedForAGainWithinNoise()
    {
        // managed-parallel 1.3x faster on 2 workers than on 1, but with ±30 % runs: within noise, so no "in parallel" claim.
        CompareRun noisy = Run(Pi("managed-serial", 1, 1.0, "scalar"), Measured("managed-parallel", 1, 1.0, 0.6) with { Workload = "pi", Isa = "avx2" },
            Measured("managed-parallel", 2, 1.3, 0.6) with { Workload = "pi", Isa = "avx2" });
        IReadOnlyList<string> sentences = CompareSummary.Sentences(noisy);
        string scaling = sentences.Single(s => s.Contains("managed-parallel on 2 workers", StringComparison.Ordinal));
        Assert.That(scaling, Does.Contain("are not distinguishable with 6 runs").And.Not.Contain("in parallel"), scaling);

        CompareRun clear = Run(Pi("managed-serial", 1, 1.0, "scalar"), Measured("managed-parallel", 1, 1.0, 0.001) with { Workload = "pi", Isa = "avx2" },
            Measured("managed-parallel", 2, 1.3, 0.001) with { Workload = "pi", Isa = "avx2" });
        Assert.That(CompareSummary.Sentences(clear).Single(s => s.Contains("managed-parallel scales", StringComparison.Ordinal)), Does.Contain("in parallel").And.Not.Contain("within noise"));
    }
}
