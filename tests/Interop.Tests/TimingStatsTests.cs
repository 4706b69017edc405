using Interop.Core;

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

    [Test]
    public void TheMediansConfidenceIntervalOnKnownSamples()
    {
        // 1..10: the Harrell-Davis median is 5.5 by symmetry, so the interval is symmetric about it;
        // its ends are Perfolizer's Maritz-Jarrett interval at 95 % (2.1702..8.8298).
        TimingStats s = TimingStats.From([.. Enumerable.Range(1, 10).Select(i => (double)i)]);
        Assert.That(s.Median, Is.EqualTo(5.5));
        Assert.That(s.CiLower, Is.EqualTo(2.170238896).Within(1e-6));
        Assert.That(s.CiUpper, Is.EqualTo(8.829761104).Within(1e-6));
        Assert.That((s.CiLower!.Value + s.CiUpper!.Value) / 2, Is.EqualTo(5.5).Within(1e-6));
        Assert.That(s.RelativeCiHalfWidth, Is.EqualTo((8.829761104 - 2.170238896) / 2 / 5.5).Within(1e-6));
        Assert.That(TimingStats.ConfidenceLevel, Is.EqualTo(0.95));
        Assert.That(s.IsNoisy, Is.True);
        Assert.That(s.CiText, Is.EqualTo("±61% noisy"));

        // Identical timings: the interval is the value, no dispersion, not noisy.
        TimingStats same = TimingStats.From([2.0, 2.0, 2.0, 2.0]);
        Assert.That((same.CiLower, same.CiUpper, same.Mad, same.IsNoisy, same.CiText), Is.EqualTo(((double?)2.0, (double?)2.0, 0.0, false, "±0.0%")));
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
