using Interop.Core;

namespace Interop.Tests;

public sealed class SplitMix64Tests
{
    [Test]
    public void MixOfSeedZeroMatchesTheClassicSplitMix64Sequence()
    {
        // SplitMix64 started from state 0 (Vigna's reference code) outputs these first.
        Assert.That(SplitMix64.Mix(0, 0), Is.EqualTo(0xE220A8397B1DCDAFUL));
        Assert.That(SplitMix64.Mix(0, 1), Is.EqualTo(0x6E789E6AA1B965F4UL));
        Assert.That(SplitMix64.Mix(0, 2), Is.EqualTo(0x06C45D188009454FUL));
    }

    [Test]
    public void ASeedIsAnOffsetOfTheCounterStream()
    {
        // s + (k+1)*golden: seed golden*j is the stream shifted by j.
        for (ulong k = 0; k < 100; k++)
        {
            Assert.That(SplitMix64.Mix(unchecked(SplitMix64.Golden * 3), k), Is.EqualTo(SplitMix64.Mix(0, k + 3)));
        }
    }

    [Test]
    public void UnitDoubleUsesTheTop53Bits()
    {
        Assert.That(SplitMix64.ToUnitDouble(0), Is.EqualTo(0.0));
        Assert.That(SplitMix64.ToUnitDouble(ulong.MaxValue), Is.EqualTo(1.0 - Math.Pow(2, -53)));
        Assert.That(SplitMix64.ToUnitDouble(1UL << 63), Is.EqualTo(0.5));
    }
}
