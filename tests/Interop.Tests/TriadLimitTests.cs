using Interop.Native;

namespace Interop.Tests;

/// <summary>
/// The triad limit (issue 25), the memory-bound workloads' yardstick: the native triad measured on
/// 1 and 2 threads gives a positive, finite rate; each thread count is measured once per process and
/// then comes from the cache; a thread count the native side refuses is an exception, not a rate.
/// The measurement is wrapped here only to count its calls: every rate below is the native one.
/// </summary>
[NonParallelizable]
public sealed class TriadLimitTests
{
    private Func<int, long, int, double> native = null!;
    private readonly List<(int Threads, long Elements, int Runs)> calls = [];

    [SetUp]
    public void CountTheNativeMeasurements()
    {
        native = TriadLimits.Measurement;
        calls.Clear();
        TriadLimits.Forget();
        TriadLimits.Measurement = (threads, elements, runs) =>
        {
            calls.Add((threads, elements, runs));
            return native(threads, elements, runs);
        };
    }

    [TearDown]
    public void RestoreTheNativeMeasurement()
    {
        TriadLimits.Measurement = native;
        TriadLimits.Forget();
    }

    [Test]
    public void OneAndTwoThreadsMeasureAPositiveRateOnceEach()
    {
        double one = TriadLimits.Measure(1);
        double two = TriadLimits.Measure(2);
        Assert.That(one, Is.Positive.And.LessThan(double.PositiveInfinity), "1 thread");
        Assert.That(two, Is.Positive.And.LessThan(double.PositiveInfinity), "2 threads");
        Assert.That(calls, Is.EqualTo(new[] { (1, TriadLimits.Elements, TriadLimits.Runs), (2, TriadLimits.Elements, TriadLimits.Runs) }),
            "each thread count measured once, at the documented size and runs");

        Assert.That(TriadLimits.Measure(1), Is.EqualTo(one), "the cache's value");
        Assert.That(TriadLimits.Measure(2), Is.EqualTo(two), "the cache's value");
        Assert.That(calls, Has.Count.EqualTo(2), "no second measurement");
    }

    [Test]
    public void ThreadsBelowOneAreRefusedByTheNativeSideAndNotCached([Values(0, -1)] int threads)
    {
        var refused = Assert.Throws<NativeKernelException>(() => TriadLimits.Measure(threads))!;
        Assert.That(refused.Status, Is.EqualTo(-1));
        Assert.That(refused.Message, Does.Contain("interop_triad_limit_gbps").And.Contain("(threads)"));
        Assert.That(() => TriadLimits.Measure(threads), Throws.InstanceOf<NativeKernelException>(), "a failure is not kept as a rate");
        Assert.That(calls, Has.Count.EqualTo(2), "measured (and refused) each time");
    }
}
