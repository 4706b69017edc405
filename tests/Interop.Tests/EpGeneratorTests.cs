using System.Numerics;
using System.Runtime.Intrinsics;
using Interop.Backends.Ep;

namespace Interop.Tests;

/// <summary>NPB's generator on 64-bit words: against values computed exactly by hand (big integers), and the jump-ahead against stepping.</summary>
public sealed class EpGeneratorTests
{
    private static readonly BigInteger Modulus = BigInteger.One << 46;

    [Test]
    public void TheFirstValuesFromTheSeedAreFiveToTheThirteenthTimesTheLastModTwoToTheFortySix()
    {
        // 1220703125 * 271828183 = 331821512451171875 = 4715 * 2^46 + 32883653486115, and so on.
        ulong[] expected = [32_883_653_486_115, 55_063_727_434_591, 39_106_144_873_291];
        Assert.That((BigInteger)EpGenerator.Multiplier, Is.EqualTo(BigInteger.Pow(5, 13)));
        Assert.That((BigInteger.Pow(5, 13) * 271_828_183) % Modulus, Is.EqualTo((BigInteger)expected[0]));
        ulong x = EpGenerator.Seed;
        foreach (ulong value in expected)
        {
            double r = EpGenerator.Randlc(ref x);
            Assert.That(x, Is.EqualTo(value));
            Assert.That(r, Is.EqualTo((double)value / 70_368_744_177_664.0), "r = x 2^-46, exact");
        }

        Span<double> randoms = stackalloc double[3];
        ulong y = EpGenerator.Seed;
        EpGenerator.Vranlc(ref y, randoms);
        Assert.That((y, randoms[2]), Is.EqualTo((expected[2], expected[2] * EpGenerator.Scale)));
    }

    [Test]
    public void EveryStepIsTheExactProductModTwoToTheFortySix()
    {
        ulong x = EpGenerator.Seed;
        var exact = (BigInteger)EpGenerator.Seed;
        for (int i = 0; i < 10_000; i++)
        {
            x = EpGenerator.Next(x);
            exact = exact * EpGenerator.Multiplier % Modulus;
            Assert.That((BigInteger)x, Is.EqualTo(exact), $"step {i + 1}");
        }
    }

    [TestCase(0UL)]
    [TestCase(1UL)]
    [TestCase(2UL)]
    [TestCase(17UL)]
    [TestCase(1000UL)]
    [TestCase(131_072UL)]
    [TestCase(262_147UL)]
    public void JumpingAheadIsSteppingThatManyTimes(ulong steps)
    {
        ulong x = EpGenerator.Seed;
        for (ulong i = 0; i < steps; i++)
        {
            x = EpGenerator.Next(x);
        }

        Assert.That(EpGenerator.Jump(EpGenerator.Seed, steps), Is.EqualTo(x));
        Assert.That((BigInteger)EpGenerator.Power(EpGenerator.Multiplier, steps), Is.EqualTo(BigInteger.ModPow(EpGenerator.Multiplier, steps, Modulus)));
    }

    [Test]
    public void BatchKStartsTwoToTheSeventeenTimesKStepsOnAndTheBatchesRunOnFromEachOther()
    {
        ulong x = EpGenerator.Seed;
        for (long batch = 0; batch < 3; batch++)
        {
            Assert.That(EpGenerator.BatchSeed(batch), Is.EqualTo(x), $"batch {batch}");
            for (long i = 0; i < EpGenerator.RandomsPerBatch; i++)
            {
                x = EpGenerator.Next(x);
            }
        }

        // Far batches: NPB's A^k with A = a^(2^17), as big integers.
        foreach (long batch in new[] { 1000L, (1L << 27) - 1 })
        {
            BigInteger a17 = BigInteger.ModPow(EpGenerator.Multiplier, 1 << 17, Modulus);
            BigInteger expected = EpGenerator.Seed * BigInteger.ModPow(a17, batch, Modulus) % Modulus;
            Assert.That((BigInteger)EpGenerator.BatchSeed(batch), Is.EqualTo(expected), $"batch {batch}");
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => EpGenerator.BatchSeed(-1));
    }

    /// <summary>
    /// The vector kernels' log (fdlibm's) is within 1 ulp of Math.Log over (0, 1], the range of t1,
    /// from 2^-90 (the smallest t1 there is) to 1, both vector widths alike.
    /// </summary>
    [Test]
    public void TheVectorKernelsLogIsWithinOneUlpOfMathLogOverTheRangeOfT1()
    {
        var random = new Random(20_211);
        var values = new List<double> { 1.0, Math.BitDecrement(1.0), Math.ScaleB(1.0, -90), 0.5, Math.Sqrt(0.5), Math.BitIncrement(Math.Sqrt(0.5)), 1e-300 * 1e280 };
        for (int i = 0; i < 200_000; i++)
        {
            values.Add(i % 2 == 0 ? random.NextDouble() : Math.ScaleB(1.0 + random.NextDouble(), -random.Next(1, 91)));
        }

        long worst = 0;
        foreach (double t in values.Where(v => v > 0 && v <= 1))
        {
            double exact = Math.Log(t);
            double wide = EpLog.Log(Vector512.Create(t))[0];
            Assert.That(EpLog.Log(Vector256.Create(t))[0], Is.EqualTo(wide), $"the same log on both widths at {t:R}");
            long ulps = Math.Abs(BitConverter.DoubleToInt64Bits(wide) - BitConverter.DoubleToInt64Bits(exact));
            Assert.That(ulps, Is.LessThanOrEqualTo(1), $"log({t:R}) = {wide:R}, Math.Log {exact:R}");
            worst = Math.Max(worst, ulps);
        }

        TestContext.Out.WriteLine($"largest difference from Math.Log: {worst} ulp");
    }

    [Test]
    public void ThePeriodIsTwoToTheFortyFourSoTwoToTheTwentySevenBatchesAreDistinct()
    {
        Assert.That(EpGenerator.Power(EpGenerator.Multiplier, 1UL << 44), Is.EqualTo(1UL));
        Assert.That(EpGenerator.Power(EpGenerator.Multiplier, 1UL << 43), Is.Not.EqualTo(1UL));
        Assert.That(EpGenerator.MaxBatches * EpGenerator.RandomsPerBatch, Is.EqualTo(1L << 44));
    }
}
