using Interop.Core;

namespace Interop.Tests;

public sealed class TimingStatsTests
{
    [Test]
    public void MedianOfAnOddCountIsTheMiddleValue()
    {
        Assert.That(TimingStats.From([3.0, 1.0, 2.0]), Is.EqualTo(new TimingStats(2.0, 1.0, 3.0)));
    }

    [Test]
    public void MedianOfAnEvenCountIsTheMeanOfTheMiddleTwo()
    {
        Assert.That(TimingStats.From([4.0, 1.0, 3.0, 2.0]), Is.EqualTo(new TimingStats(2.5, 1.0, 4.0)));
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
}
