using CsCheck;
using Interop.Core;
using Perfolizer.Mathematics.Common;
using Perfolizer.Mathematics.QuantileEstimators;
using Pragmastat;

namespace Interop.Tests;

public sealed class TimingStatsTests
{
    [Test]
    public void MedianOfAnOddCountIsTheMiddleValue()
    {
        TimingStats s = TimingStats.From([3.0, 1.0, 2.0]);
        Assert.That((s.Median, s.Min, s.Max, s.Count), Is.EqualTo((2.0, 1.0, 3.0, 3)));
    }

    [Test]
    public void MedianOfAnEvenCountIsTheMeanOfTheMiddleTwo()
    {
        TimingStats s = TimingStats.From([4.0, 1.0, 3.0, 2.0]);
        Assert.That((s.Median, s.Min, s.Max, s.Count), Is.EqualTo((2.5, 1.0, 4.0, 4)));
    }

    // Perfolizer's 95 % interval of the Harrell-Davis median (Maritz-Jarrett) of the values given.
    private static (double Lower, double Upper) PerfolizerMedianInterval(IEnumerable<double> values)
    {
        ConfidenceInterval ci = HarrellDavisQuantileEstimator.Instance
            .QuantileConfidenceIntervalEstimator(new Sample([.. values]), Probability.Median)
            .ConfidenceInterval(new ConfidenceLevel(0.95));
        return (ci.Lower, ci.Upper);
    }

    [Test]
    public void TheMediansConfidenceIntervalOnKnownSamples()
    {
        // 1..10: the interval is Perfolizer's Maritz-Jarrett interval at 95 % of the median of
        // ln(seconds), mapped back with exp: asymmetric about the median, wider above it.
        double[] times = [.. Enumerable.Range(1, 10).Select(i => (double)i)];
        TimingStats s = TimingStats.From(times);
        (double lo, double hi) = PerfolizerMedianInterval(times.Select(t => Math.Log(t)));
        Assert.That(s.Median, Is.EqualTo(5.5));
        Assert.That(s.CiLower, Is.EqualTo(Math.Exp(lo)).Within(1e-12));
        Assert.That(s.CiUpper, Is.EqualTo(Math.Exp(hi)).Within(1e-12));
        Assert.That(s.CiUpper!.Value - s.Median, Is.GreaterThan(s.Median - s.CiLower!.Value), "the log-scale interval reaches further above the median");
        Assert.That(s.LogCiHalfWidth, Is.EqualTo((hi - lo) / 2).Within(1e-12));
        Assert.That(TimingStats.ConfidenceLevel, Is.EqualTo(0.95));
        Assert.That(s.IsNoisy, Is.True);
        string below = TimingStats.FormatPercent(1 - (s.CiLower.Value / s.Median)), above = TimingStats.FormatPercent((s.CiUpper.Value / s.Median) - 1);
        Assert.That(s.CiText, Is.EqualTo($"-{below}/+{above} noisy"));

        // Identical timings: the interval is the value, no dispersion, not noisy.
        TimingStats same = TimingStats.From([2.0, 2.0, 2.0, 2.0]);
        Assert.That((same.CiLower, same.CiUpper, same.Mad, same.IsNoisy, same.CiText), Is.EqualTo(((double?)2.0, (double?)2.0, 0.0, false, "±0.0%")));
    }

    [Test]
    public void ASkewedSampleWhoseLinearIntervalGoesBelowZeroGetsAPositiveOne()
    {
        // Four fast runs and three slow ones: the estimator on the seconds themselves gives a lower
        // end below zero (a negative time); on the log scale both ends are positive.
        double[] times = [0.010, 0.011, 0.012, 0.013, 1.0, 1.1, 1.2];
        Assert.That(PerfolizerMedianInterval(times).Lower, Is.LessThan(0), "the case this guards against");
        TimingStats s = TimingStats.From(times);
        Assert.That(s.CiLower, Is.GreaterThan(0));
        Assert.That(s.CiUpper, Is.GreaterThanOrEqualTo(s.CiLower!.Value));
        Assert.That(s.CiText, Does.Not.Contain("-100%").And.Not.Match(@"±\d{3,}%"), "no text implies a negative time");
    }

    [Test]
    public void TheIntervalOfPositiveTimesIsAlwaysPositive()
    {
        // Log-normal times with a tail of slow outliers (what a busy machine gives), 3 to 30 runs.
        Gen<double[]> samples =
            from n in Gen.Int[TimingStats.MinRunsForCi, 30]
            from scale in Gen.Double[-9, 2]
            from logs in Gen.Double[-3, 3].Array[n]
            from tail in Gen.Int[0, 2].Array[n]
            select logs.Zip(tail, (l, t) => Math.Exp(scale + l + (t == 2 ? 4 : 0))).ToArray();
        PropertyCheck.Run(samples, times =>
        {
            TimingStats s = TimingStats.From(times);
            Assert.That(s.CiLower, Is.GreaterThan(0), string.Join(", ", times));
            Assert.That(s.CiUpper, Is.GreaterThanOrEqualTo(s.CiLower!.Value));
            Assert.That(s.CiText, Does.Not.StartWith("-100%"));
            // A ratio of two such medians has positive ends too.
            RatioEstimate r = RatioEstimate.Of(s.Median / times[0], s, TimingStats.From([.. times.Reverse()]));
            Assert.That(r.Lower, Is.GreaterThan(0));
            Assert.That(r.Upper, Is.GreaterThanOrEqualTo(r.Lower!.Value));
        }, "timing-ci", 300, t => string.Join(", ", t));
    }

    [Test]
    public void FewerThanThreeRunsHaveNoInterval()
    {
        TimingStats one = TimingStats.From([1.0]);
        Assert.That((one.CiLower, one.CiUpper, one.RelativeCiHalfWidth, one.Mad, one.IsNoisy, one.CiText), Is.EqualTo(((double?)null, (double?)null, (double?)null, 0.0, false, "n/a")));
        // Two runs 20 % apart: no interval, but the MAD shows the noise.
        TimingStats two = TimingStats.From([1.0, 1.2]);
        Assert.That(two.CiLower, Is.Null);
        Assert.That(two.Mad, Is.GreaterThan(0.05 * two.Median));
        Assert.That((two.IsNoisy, two.CiText), Is.EqualTo((true, "n/a noisy")));
    }

    [Test]
    public void MadOnKnownSamples()
    {
        // The raw MAD of 1, 2, 3 is median(|x - 2|) = 1; Perfolizer scales it to a standard deviation
        // estimate (1.4826 asymptotically, larger for small samples) — never below the raw MAD x 1.4826.
        TimingStats s = TimingStats.From([1.0, 2.0, 3.0]);
        Assert.That(s.Mad, Is.GreaterThanOrEqualTo(1.4826));
        Assert.That(s.RelativeMad, Is.EqualTo(s.Mad / 2));
        // Large symmetric samples: the small-sample constant tends to 1.4826 (raw MAD of 1..101 is 25).
        TimingStats large = TimingStats.From([.. Enumerable.Range(1, 101).Select(i => (double)i)]);
        Assert.That(large.Mad, Is.EqualTo(25 * 1.4826).Within(2).Percent);
    }

    [Test]
    public void TightTimingsAreNotNoisyAndWideOnesAre()
    {
        double[] tight = [1.00, 1.01, 0.99, 1.005, 0.995, 1.002, 0.998, 1.001, 0.999, 1.0];
        Assert.That(TimingStats.From(tight).IsNoisy, Is.False);
        Assert.That(TimingStats.From(tight).RelativeCiHalfWidth, Is.LessThan(0.02));
        double[] wide = [0.17, 0.55, 0.30, 0.25, 0.40];
        Assert.That(TimingStats.From(wide).IsNoisy, Is.True);
    }

    [Test]
    public void MeasureWarmsUpOnceThenTimesEachRepeat()
    {
        int calls = 0;
        Measurement<int> m = Measure.Run(() => ++calls, 3);
        Assert.That(m.WarmUpValue, Is.EqualTo(1));
        Assert.That(m.Values, Is.EqualTo(new[] { 2, 3, 4 }));
        Assert.That(m.Seconds, Has.Count.EqualTo(3));
        Assert.That(m.Seconds, Is.All.GreaterThanOrEqualTo(0.0));
    }

    // A fake clock: each run of the operation advances it by the next duration (ticks of 1 µs).
    private static Measurement<int> Fake(RepeatPolicy policy, int warmup, Func<int, double> secondsOfRun, out int calls)
    {
        long now = 0;
        int n = 0;
        int timed = 0;
        Measurement<int> m = Measure.Run(
            static () => { },
            () =>
            {
                n++;
                if (n > warmup)
                {
                    now += (long)(secondsOfRun(timed++) * 1e6);
                }

                return n;
            },
            policy,
            warmup,
            () => now,
            1_000_000);
        calls = n;
        return m;
    }

    [Test]
    public void AutomaticRepeatsStopAtTheMinimumForAConstantOperation()
    {
        Measurement<int> m = Fake(RepeatPolicy.Auto, 1, _ => 0.1, out int calls);
        Assert.That(m.Seconds, Has.Count.EqualTo(RepeatPolicy.AutoMinRuns));
        Assert.That(calls, Is.EqualTo(RepeatPolicy.AutoMinRuns + 1));
        Assert.That(m.Stats.RelativeCiHalfWidth, Is.Zero);
    }

    [Test]
    public void AutomaticRepeatsRunANoisyOperationToTheCap()
    {
        // 10 ms runs alternating ±30 %: never tight, and 30 runs are only 0.3 s, so the run cap stops it.
        Measurement<int> m = Fake(RepeatPolicy.Auto, 1, i => i % 2 == 0 ? 0.007 : 0.013, out _);
        Assert.That(m.Seconds, Has.Count.EqualTo(RepeatPolicy.AutoMaxRuns));

        // 1 s runs as noisy (1.3, 0.7, ...): the 5 s time cap stops it after 5 runs (5.3 s).
        Measurement<int> slow = Fake(RepeatPolicy.Auto, 1, i => i % 2 == 0 ? 1.3 : 0.7, out _);
        Assert.That(slow.Seconds, Has.Count.EqualTo(5));

        // 2 s runs: the minimum of 3 runs already passes the time cap.
        Assert.That(Fake(RepeatPolicy.Auto, 1, i => i % 2 == 0 ? 1.4 : 2.6, out _).Seconds, Has.Count.EqualTo(RepeatPolicy.AutoMinRuns));
    }

    [Test]
    public void AutomaticRepeatsStopOnceTheIntervalIsTight()
    {
        // Noisy for 3 runs, then steady: stops after a few runs, long before the cap.
        Measurement<int> m = Fake(RepeatPolicy.Auto, 1, i => i switch { 0 => 0.08, 1 => 0.12, _ => 0.1 }, out _);
        Assert.That(m.Seconds.Count, Is.GreaterThan(RepeatPolicy.AutoMinRuns).And.LessThan(RepeatPolicy.AutoMaxRuns));
        Assert.That(m.Stats.RelativeCiHalfWidth, Is.LessThanOrEqualTo(RepeatPolicy.AutoTarget));
    }

    [Test]
    public void AFixedRepeatIgnoresNoiseAndWarmupZeroRunsNothingUntimed()
    {
        Measurement<int> m = Fake(RepeatPolicy.Fixed(4), 0, i => i % 2 == 0 ? 0.007 : 0.013, out int calls);
        Assert.That((m.Seconds.Count, calls), Is.EqualTo((4, 4)));
        Assert.That(m.WarmUpValue, Is.EqualTo(m.Values[0]), "no warm-up: the first timed run's value");

        Fake(RepeatPolicy.Fixed(2), 3, _ => 0.1, out int warmed);
        Assert.That(warmed, Is.EqualTo(5));
    }
}
