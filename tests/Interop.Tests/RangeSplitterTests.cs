using Interop.Core;

namespace Interop.Tests;

public sealed class RangeSplitterTests
{
    private static IEnumerable<(long Begin, long Length, int Parts)> Cases()
    {
        long[] begins = [0, 1, 17, 1_000_000_007, long.MaxValue - 1_000_003];
        long[] lengths = [0, 1, 2, 3, 7, 8, 63, 64, 65, 1000, 1_000_003];
        int[] parts = [1, 2, 3, 4, 5, 7, 8, 16, 31, 64, 1000, 4096];
        return from b in begins from n in lengths from p in parts select (b, n, p);
    }

    [Test]
    public void PartsCoverTheRangeExactlyOnceInOrder()
    {
        int checkedCases = 0;
        foreach ((long begin, long length, int parts) in Cases())
        {
            var range = new IndexRange(begin, begin + length);
            IndexRange[] split = RangeSplitter.Split(range, parts);
            Assert.That(split, Has.Length.EqualTo(parts));
            Assert.That(split[0].Begin, Is.EqualTo(range.Begin), $"{range} / {parts}");
            Assert.That(split[^1].End, Is.EqualTo(range.End), $"{range} / {parts}");
            for (int i = 0; i < parts; i++)
            {
                Assert.That(split[i].Length, Is.GreaterThanOrEqualTo(0));
                if (i > 0)
                {
                    // Contiguous: no gap and no overlap.
                    Assert.That(split[i].Begin, Is.EqualTo(split[i - 1].End), $"{range} / {parts}, part {i}");
                }
            }

            Assert.That(split.Sum(p => p.Length), Is.EqualTo(length));
            checkedCases++;
        }

        Assert.That(checkedCases, Is.EqualTo(5 * 11 * 12));
    }

    [Test]
    public void RemainderIsSpreadOverTheFirstParts()
    {
        foreach ((long begin, long length, int parts) in Cases())
        {
            IndexRange[] split = RangeSplitter.Split(new IndexRange(begin, begin + length), parts);
            long small = length / parts;
            long remainder = length % parts;
            for (int i = 0; i < parts; i++)
            {
                Assert.That(split[i].Length, Is.EqualTo(small + (i < remainder ? 1 : 0)));
            }
        }
    }

    [Test]
    public void TheWholeInt64RangeSplitsWithoutOverflow()
    {
        var all = new IndexRange(0, long.MaxValue);
        IndexRange[] split = RangeSplitter.Split(all, 3);
        Assert.That(split[0].Begin, Is.Zero);
        Assert.That(split[2].End, Is.EqualTo(long.MaxValue));
        Assert.That(split[1].Begin, Is.EqualTo(split[0].End));
    }

    [Test]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RangeSplitter.Part(new IndexRange(0, 10), 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RangeSplitter.Part(new IndexRange(0, 10), 2, 2));
        Assert.Throws<ArgumentException>(() => RangeSplitter.Part(new IndexRange(10, 0), 2, 0));
    }
}
