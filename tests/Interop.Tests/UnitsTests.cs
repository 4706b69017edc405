using Interop.Cli;

namespace Interop.Tests;

/// <summary>Times and rates in tables carry the unit that fits (issue 10: n = 50 printed "0.000 s" and "0.0 GFLOP/s").</summary>
public sealed class UnitsTests
{
    [TestCase(1.23456, "1.235 s")]
    [TestCase(61.2, "61.20 s")]
    [TestCase(0.0123456, "12.35 ms")]
    [TestCase(0.000041234, "41.23 us")]
    [TestCase(5.6e-8, "56.00 ns")]
    [TestCase(0.0, "0.000 s")]
    [TestCase(double.NaN, "-")]
    public void SecondsTakeTheUnitThatFits(double seconds, string expected) => Assert.That(Units.Seconds(seconds), Is.EqualTo(expected));

    [TestCase(61.234, "61.2")]
    [TestCase(6.0712, "6.07")]
    [TestCase(0.052149, "0.0521")]
    [TestCase(1234.7, "1235")]
    public void RatesKeepThreeSignificantDigits(double rate, string expected) => Assert.That(Units.Rate(rate), Is.EqualTo(expected));

    [Test]
    public void ATinyInversionShowsItsTimeAndRate()
    {
        var (code, output, error) = Cli.Run("inv", "--size", "50", "--backend", "lapack", "--repeat", "3");
        Assert.That(code, Is.EqualTo(0), error);
        string row = output.Split('\n').Single(l => l.StartsWith("lapack ", StringComparison.Ordinal));
        Assert.That(row, Does.Match(@"\s\d+(\.\d+)? (us|ms)\s"));
        Assert.That(row, Does.Not.Contain(" 0.0 "));
    }
}
