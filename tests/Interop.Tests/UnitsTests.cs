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

    [TestCase(0.0, "0 B")]
    [TestCase(512.0, "512 B")]
    [TestCase(1023.0, "1023 B")]
    [TestCase(1024.0, "1.00 KiB")]
    [TestCase(25000.0, "24.4 KiB")]
    [TestCase(1048575.0, "1.00 MiB")]
    [TestCase(3.5 * 1024 * 1024, "3.50 MiB")]
    [TestCase(12.5e9, "11.6 GiB")]
    [TestCase(2.0 * 1024 * 1024 * 1024 * 1024, "2.00 TiB")]
    [TestCase(double.NaN, "-")]
    public void SizesTakeTheBinaryUnitThatShowsThem(double bytes, string expected) => Assert.That(Units.Bytes(bytes), Is.EqualTo(expected));

    [Test]
    public void AScalapackMemoryRefusalOfASmallRunShowsItsSize()
    {
        // Issue 20, class 17: 25 kB per rank against a 1 KiB limit read "needs about 0.0 GB".
        var run = DriverProcess.Run(["inv", "--backend", "scalapack", "--size", "50", "--repeat", "1"], new Dictionary<string, string> { ["INTEROP_MEMORY_LIMIT"] = "1K" });
        Assert.That(run.Code, Is.EqualTo(1), run.Out + run.Err);
        string[] lines = [.. run.Err.Split('\n').Where(l => l.StartsWith("interop", StringComparison.Ordinal))];
        Assert.That(lines, Has.Length.EqualTo(1), run.Err);
        Assert.That(lines[0], Does.Contain("n = 50 on 1 rank(s) needs about 24.4 KiB per rank").And.Not.Contain("0.0 GB"));
    }

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
