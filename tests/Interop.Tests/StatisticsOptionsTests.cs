using Interop.Backends;
using Interop.Cli;
using Interop.Cli.Compare;
using Interop.Core;

namespace Interop.Tests;

/// <summary>--repeat and --warmup parsing, ratios with their uncertainty, and --baseline's significance test.</summary>
public sealed class StatisticsOptionsTests
{
    [Test]
    public void RepeatNotGivenIsAutomaticAndGivenIsFixed()
    {
        Assert.That(SharedOptions.ParseRepeat(null), Is.SameAs(RepeatPolicy.Auto));
        Assert.That(RepeatPolicy.Auto.IsAuto, Is.True);
        RepeatPolicy five = SharedOptions.ParseRepeat("5");
        Assert.That((five.IsAuto, five.Count, five.MinRuns, five.MaxRuns), Is.EqualTo((false, (int?)5, 5, 5)));
        Assert.Throws<UsageException>(() => SharedOptions.ParseRepeat("0"));
        Assert.Throws<UsageException>(() => SharedOptions.ParseRepeat("many"));
    }

    [Test]
    public void WarmupAcceptsZeroAndRejectsNegatives()
    {
        Assert.That(SharedOptions.ParseWarmup("0"), Is.Zero);
        Assert.That(SharedOptions.ParseWarmup("3"), Is.EqualTo(3));
        Assert.Throws<UsageException>(() => SharedOptions.ParseWarmup("-1"));
    }

    [Test]
    public void PiTakesWarmupZeroAndAFixedRepeat()
    {
        (int code, string stdout, string stderr) = Cli.Run("pi", "--darts", "100000", "-b", "managed-serial", "--warmup", "0", "--repeat", "2", "--columns", "all");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("median of 2 run(s) without warm-up").And.Contain("95% CI"));

        (code, stdout, stderr) = Cli.Run("pi", "--darts", "100000", "-b", "managed-serial");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("(auto: until the median's 95% CI is within ±2%").And.Contain("after 1 warm-up"));

        (code, _, stderr) = Cli.Run("pi", "--darts", "100000", "--warmup", "-2");
        Assert.That(code, Is.EqualTo(2), stderr);
    }

    [TestCase(1.07, 1.04, 1.10, "1.07x ± 0.03", false)]
    [TestCase(1.03, 1.00, 1.06, "1.03x ± 0.03 (within noise)", true)]   // the interval reaches 1 exactly
    [TestCase(1.031, 1.001, 1.061, "1.03x ± 0.03", false)]
    [TestCase(0.97, 0.94, 1.00, "0.97x ± 0.03 (within noise)", true)]
    [TestCase(0.96, 0.93, 0.99, "0.96x ± 0.03", false)]
    [TestCase(1.00, 0.999, 1.001, "1.00x ± 0.00 (within noise)", true)]
    [TestCase(1.50, 0.80, 2.80, "1.50x (0.80-2.80) (within noise)", true)]   // asymmetric (log scale): both ends shown
    [TestCase(3.00, 1.50, 6.00, "3.00x (1.50-6.00)", false)]
    [TestCase(0.67, 0.0001, 10919.48, "0.67x (<0.01-10919.48) (within noise)", true)]   // a lower end that rounds to 0 is not shown as 0
    public void RatiosShowTheirIntervalAndWhenTheyAreWithinNoise(double value, double lower, double upper, string shown, bool within)
    {
        var r = new RatioEstimate(value, lower, upper);
        Assert.That((r.FormatWithNoise(), r.WithinNoise, r.Distinguishable), Is.EqualTo((shown, within, !within)));
        var unknown = new RatioEstimate(value);
        Assert.That((unknown.FormatWithNoise(), unknown.Distinguishable), Is.EqualTo(($"{value:0.00}x", false)), "unknown interval: the ratio alone, never within noise, never distinguishable");
    }

    [Test]
    public void ARatioPropagatesBothMediansIntervalsOnTheLogScale()
    {
        // A point with a wide interval and one with none (identical runs): the ratio's interval is
        // value x e^(±h), h the first's log-scale half-width; two alike give sqrt(2) h.
        TimingStats a = TimingStats.From([.. Enumerable.Range(1, 10).Select(i => (double)i)]);
        TimingStats b = TimingStats.From([2.0, 2.0, 2.0]);
        double h = a.LogCiHalfWidth!.Value;
        RatioEstimate r = RatioEstimate.Of(2.0, a, b);
        Assert.That((r.Lower!.Value, r.Upper!.Value), Is.EqualTo((2.0 * Math.Exp(-h), 2.0 * Math.Exp(h))).Within(1e-12));
        RatioEstimate both = RatioEstimate.Of(1.5, a, a);
        Assert.That(Math.Log(both.Upper!.Value / both.Lower!.Value) / 2, Is.EqualTo(Math.Sqrt(2) * h).Within(1e-12));
        Assert.That((r.Inverse.Lower!.Value, r.Inverse.Upper!.Value), Is.EqualTo((1 / r.Upper.Value, 1 / r.Lower.Value)).Within(1e-12));
        Assert.That(r.Lower, Is.GreaterThan(0), "a wide interval still never reaches zero");
        Assert.That(RatioEstimate.Of(2.0, TimingStats.From([1.0, 2.0]), b).HasInterval, Is.False, "fewer than 3 runs: unknown");
    }

    private static ComparePoint Pi(string backend, int threads, params double[] seconds) =>
        new("pi", backend, 1, threads, seconds, 1e9, "darts/s", true, "inside=1") { Isa = "avx2", Size = 1_000_000_000 };

    private static CompareRun Run(params ComparePoint[] points) => new(DateTimeOffset.UnixEpoch, 1, [new("isa", "avx2")], [], [], points);

    [Test]
    public void SummarySentencesCarryTheUncertaintyAndSayNotDistinguishable()
    {
        double[] steady = [1.00, 1.001, 0.999, 1.0005, 0.9995, 1.0];
        double[] noisy = [0.8, 1.2, 1.0, 0.9, 1.1, 1.0];
        // c-openmp clearly faster than managed-parallel; fortran-openmp 2 % faster but too noisy to tell.
        CompareRun run = Run(
            Pi("managed-parallel", 1, steady),
            Pi("c-openmp", 1, [.. steady.Select(s => s / 1.5)]),
            Pi("fortran-openmp", 1, [.. noisy.Select(s => s / 1.02)]));
        IReadOnlyList<string> lines = CompareSummary.Sentences(run);
        string c = lines.Single(l => l.Contains("c-openmp ran", StringComparison.Ordinal));
        Assert.That(c, Does.Match(@"c-openmp ran 1\.50x ± 0\.0\d faster than managed-parallel at 1x1\.$"), c);
        // Overlapping intervals: no ratio stated, only that 6 runs cannot tell the two apart.
        string f = lines.Single(l => l.Contains("fortran-openmp", StringComparison.Ordinal) && !l.Contains("fastest", StringComparison.Ordinal));
        Assert.That(f, Does.EndWith("fortran-openmp and managed-parallel at 1x1 are not distinguishable with 6 runs."), f);
        Assert.That(f, Does.Not.Contain("faster").And.Not.Contain("slower"));

        // A scaling gain above 1.2 but within noise: neither stated nor given a cause.
        CompareRun scaling = Run(Pi("managed-parallel", 1, noisy), Pi("managed-parallel", 2, [.. noisy.Select(s => s / 1.25)]));
        IReadOnlyList<string> s = CompareSummary.Sentences(scaling);
        Assert.That(s.Single(l => l.Contains("on 2 workers", StringComparison.Ordinal)), Does.EndWith("managed-parallel on 2 workers and on 1 are not distinguishable with 6 runs.").And.Not.Contain("in parallel").And.Not.Contain("scales"));
    }

    [Test]
    public void OneOrTwoRunsAreTooFewToDecide()
    {
        // c-openmp 4x managed-parallel's rate: clear in the numbers, but 1 or 2 runs give no interval.
        CompareRun run = Run(Pi("managed-parallel", 1, 1.0, 1.0), Pi("managed-parallel", 2, 0.5, 0.5), Pi("c-openmp", 1, 0.25, 0.25), Pi("c-openmp", 2, 0.125));
        IReadOnlyList<string> lines = CompareSummary.Sentences(run);
        // The undecided comparisons are one line (compare --quick would otherwise print a screen of them), each with its runs.
        string undecided = lines.Single(l => l.Contains("comparisons undecided", StringComparison.Ordinal));
        Assert.That(undecided, Does.StartWith("Monte Carlo pi: 3 comparisons undecided, too few runs for a 95% interval (give --repeat 3 or more): "), undecided);
        Assert.That(undecided, Does.Contain("c-openmp against managed-parallel at 1x2 (1 and 2 runs)")
            .And.Contain("c-openmp from 1 to 2 workers (2 and 1 runs)").And.Contain("managed-parallel from 1 to 2 workers (2 runs)"), undecided);
        Assert.That(lines, Has.None.Contain("too few runs to decide"), "no sentence left beside the line that names them");
        Assert.That(lines.Single(l => l.Contains("fastest", StringComparison.Ordinal)), Does.Contain("too few runs (1 and 2 runs) to tell it from c-openmp at 1x1"));
        Assert.That(lines, Has.None.Match(@"\d\.\d\dx"), "no ratio stated without intervals");
    }

    [Test]
    public void TheNoiseWarningIsOneLineForTheRun()
    {
        CompareRun run = Run(Pi("managed-parallel", 1, 1.0, 1.0, 1.0), Pi("c-openmp", 1, 0.5, 0.9, 0.7), Pi("c-openmp", 2, 0.3, 0.5, 0.4));
        var output = new StringWriter();
        CompareTables.Write(output, run, ColumnChoice.Every);
        string[] warnings = [.. output.ToString().Split('\n').Where(l => l.StartsWith("warning:", StringComparison.Ordinal))];
        Assert.That(warnings, Has.Length.EqualTo(1));
        Assert.That(warnings[0], Does.Contain("2 of 3 point(s) noisy").And.Contain("c-openmp 1x1").And.Contain("c-openmp 1x2"));
        Assert.That(output.ToString(), Does.Contain("noisy").And.Contain("±0.0%"));
        Assert.That(CompareTables.NoiseWarning(Run(Pi("managed-parallel", 1, 1.0, 1.0, 1.0))), Is.Null);
    }

    [Test]
    public void TheBaselineTestFlagsClearlyDifferentSamplesAndNotIdenticalOnes()
    {
        double[] before = [100, 101, 99, 100.5, 99.5, 100.2];
        (bool changed, double p) = BaselineComparison.Test(before, [.. before.Select(t => t * 1.2)]);
        Assert.That(changed, Is.True);
        Assert.That(p, Is.LessThan(BaselineComparison.Alpha));

        (changed, p) = BaselineComparison.Test(before, before);
        Assert.That(changed, Is.False);
        Assert.That(p, Is.GreaterThan(0.5));

        // 2 % faster is significant as a difference but below the 3 % threshold: not a change.
        (changed, _) = BaselineComparison.Test([100, 100.01, 99.99, 100.02, 99.98, 100], [102, 102.01, 101.99, 102.02, 101.98, 102]);
        Assert.That(changed, Is.False);

        // 3 against 3 runs can never reach p < 0.05 (1 / C(6, 3) = 0.05).
        Assert.That(BaselineComparison.SmallestPValue(3, 3), Is.EqualTo(0.05).Within(1e-12));
        Assert.That(BaselineComparison.SmallestPValue(4, 3), Is.EqualTo(1.0 / 35).Within(1e-12));
        Assert.That(BaselineComparison.Test([100, 101, 99], [200, 201, 199]).Changed, Is.False);
    }
}
