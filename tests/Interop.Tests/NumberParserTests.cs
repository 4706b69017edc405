using Interop.Core;

namespace Interop.Tests;

public sealed class NumberParserTests
{
    [TestCase("1000000000", 1_000_000_000L)]
    [TestCase("1_000_000_000", 1_000_000_000L)]
    [TestCase("1e9", 1_000_000_000L)]
    [TestCase("1E9", 1_000_000_000L)]
    [TestCase("2.5e9", 2_500_000_000L)]
    [TestCase("1e+3", 1000L)]
    [TestCase("10000003", 10_000_003L)]
    [TestCase(" 42 ", 42L)]
    [TestCase("0x10", 16L)]
    [TestCase("9223372036854775807", long.MaxValue)]
    [TestCase("9_223_372_036_854_775_807", long.MaxValue)]
    public void AcceptsTheFormsUsersType(string text, long expected)
    {
        Assert.That(NumberParser.ParseInt64(text, "--darts", 1), Is.EqualTo(expected));
    }

    [TestCase("")]
    [TestCase("abc")]
    [TestCase("1.5")]
    [TestCase("1e-3")]
    [TestCase("_1")]
    [TestCase("1__0")]
    [TestCase("1_")]
    [TestCase("1e")]
    [TestCase("e9")]
    [TestCase("1e9999")]
    [TestCase("12abc")]
    [TestCase("0x")]
    [TestCase("NaN")]
    public void RejectsWhatIsNotAWholeNumber(string text)
    {
        var e = Assert.Throws<UsageException>(() => NumberParser.ParseInt64(text, "--darts", 1));
        Assert.That(e!.Message, Does.StartWith("--darts"));
    }

    [TestCase("0")]
    [TestCase("-1")]
    [TestCase("9223372036854775808")]
    [TestCase("1e19")]
    public void RejectsOutOfRangeCounts(string text)
    {
        var e = Assert.Throws<UsageException>(() => NumberParser.ParseInt64(text, "--darts", 1));
        Assert.That(e!.Message, Does.Contain("out of range"));
    }

    [Test]
    public void SeedsCoverTheWholeUnsigned64BitRange()
    {
        Assert.That(NumberParser.ParseUInt64("18446744073709551615", "--seed"), Is.EqualTo(ulong.MaxValue));
        Assert.That(NumberParser.ParseUInt64("0", "--seed"), Is.Zero);
        Assert.Throws<UsageException>(() => NumberParser.ParseUInt64("18446744073709551616", "--seed"));
        Assert.Throws<UsageException>(() => NumberParser.ParseUInt64("-1", "--seed"));
    }
}
