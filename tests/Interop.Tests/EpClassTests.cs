using Interop.Backends.Ep;
using Interop.Core;

namespace Interop.Tests;

/// <summary>EP's classes and NPB's verification rule: what passes, what fails and says why, what is unverified.</summary>
public sealed class EpClassTests
{
    [Test]
    public void TheClassesAreNpbsSizes()
    {
        Assert.That(EpClass.All.Select(c => (c.Name, c.M)), Is.EqualTo(new[] { ("S", 24), ("W", 25), ("A", 28), ("B", 30), ("C", 32) }));
        Assert.That((EpClass.A.Batches, EpClass.A.Pairs, EpClass.A.Operations), Is.EqualTo((4096L, 1L << 28, Math.Pow(2, 29))));
        Assert.That(EpClass.Named("w"), Is.SameAs(EpClass.W));
        Assert.That(EpClass.Custom(28), Is.SameAs(EpClass.A), "an M that is a class is that class, with its reference values");
        Assert.That(EpClass.Custom(20), Has.Property("Npb33").Null.And.Property("IsNpbClass").False);
        Assert.That((EpClass.Custom(16).Batches, EpClass.Custom(43).Batches), Is.EqualTo((1L, EpGenerator.MaxBatches)));
    }

    [TestCase("Z", "unknown EP class 'Z'; known: S, W, A, B, C")]
    [TestCase("D", "unknown EP class 'D'; known: S, W, A, B, C")]
    public void AnUnknownClassIsAUsageErrorListingTheClasses(string name, string message) =>
        Assert.That(() => EpClass.Named(name), Throws.TypeOf<UsageException>().With.Message.EqualTo(message));

    [TestCase(15)]
    [TestCase(44)]
    [TestCase(-1)]
    public void AnMOutsideSixteenToFortyThreeIsAUsageError(int m) =>
        Assert.That(() => EpClass.Custom(m), Throws.TypeOf<UsageException>().With.Message.StartWith($"EP size M {m} is out of range: 16..43"));

    [Test]
    public void VerificationPassesWithinOneInAHundredMillionAndFailsNamingTheClassValueAndReference()
    {
        EpReference r34 = EpClass.S.Npb34!;
        EpReference r33 = EpClass.S.Npb33!;
        long[] counts = [6_140_517, 5_865_300, 1_100_361, 68_546, 1_648, 17, 0, 0, 0, 0];
        var good = new EpResult(r33.Sx * (1 + 5e-9), r33.Sy, r34.Sx, r34.Sy * (1 - 5e-9), counts);
        Assert.That(EpVerification.Verify(EpClass.S, good).Kind, Is.EqualTo(EpVerdictKind.Passed));
        Assert.That(EpVerification.Verify(EpClass.S, good, EpVariant.Npb33).Kind, Is.EqualTo(EpVerdictKind.Passed));

        EpVerdict bad = EpVerification.Verify(EpClass.S, good with { SumAbsX = r34.Sx * (1 + 2e-8) });
        Assert.That(bad.Kind, Is.EqualTo(EpVerdictKind.Failed));
        Assert.That(bad.Detail, Does.StartWith("class S (NPB 3.4.2+): sx = ").And.Contain("the reference 10512994.20395306"));
        Assert.That(EpVerification.Verify(EpClass.S, good with { Sy = double.NaN }, EpVariant.Npb33).Detail, Does.StartWith("class S (NPB 3.3): sy = NaN"));
        Assert.That(EpVerification.Verify(EpClass.S, good with { Sy = double.NaN }).Passed, Is.True, "3.4.2+ checks the sums of absolute values, not the signed ones");

        long[] onePairMore = [.. counts];
        onePairMore[0]++;
        EpVerdict pairs = EpVerification.Verify(EpClass.S, good with { Counts = onePairMore });
        Assert.That(pairs.Detail, Is.EqualTo("class S (NPB 3.4.2+): 13176390 accepted pairs, reference 13176389"));
        Assert.That(EpVerification.Verify(EpClass.S, good with { Counts = onePairMore }, EpVariant.Npb33).Passed, Is.True, "NPB 3.3 has no pair count");
    }

    [Test]
    public void ACustomMIsUnverifiedAgainstNpb()
    {
        var result = new EpResult(1, 2, 3, 4, new long[10]);
        EpVerdict verdict = EpVerification.Verify(EpClass.Custom(20), result);
        Assert.That(verdict.Kind, Is.EqualTo(EpVerdictKind.Unverified));
        Assert.That(verdict.Detail, Does.Contain("unverified against NPB"));
    }

    [Test]
    public void TheReductionAddsBatchesInOrderAndRefusesAMalformedLayout()
    {
        double[] sums = [1e16, 1, 0, 0, -1e16, 1, 0, 0, 1, 1, 0, 0];
        EpResult r = EpResult.Reduce(sums, new long[10]);
        Assert.That((r.Sx, r.Sy), Is.EqualTo((1.0, 3.0)), "(1e16 + -1e16) + 1, in batch order");
        Assert.Throws<ArgumentException>(() => EpResult.Reduce(new double[5], new long[10]));
        Assert.Throws<ArgumentException>(() => EpResult.Reduce(new double[4], new long[9]));
    }
}
