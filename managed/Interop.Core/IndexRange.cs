namespace Interop.Core;

/// <summary>A half-open range [Begin, End) of 64-bit work indices (darts, rows, ...).</summary>
public readonly record struct IndexRange(long Begin, long End)
{
    public long Length => End - Begin;

    public override string ToString() => $"[{Begin}, {End})";
}

/// <summary>
/// Splits a range into contiguous parts exactly: every index in exactly one part, the remainder
/// spread one each over the first parts (the same rule as interop_split in native/common/splitmix.h).
/// This is the "split" of split-apply-combine, used for threads and for MPI ranks alike.
/// </summary>
public static class RangeSplitter
{
    /// <summary>Part <paramref name="index"/> of <paramref name="parts"/>.</summary>
    public static IndexRange Part(IndexRange range, int parts, int index)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, parts);
        if (range.End < range.Begin)
        {
            throw new ArgumentException($"Range {range} has its end before its begin.", nameof(range));
        }

        long quotient = range.Length / parts;
        long remainder = range.Length % parts;
        long begin = range.Begin + (index * quotient) + Math.Min(index, remainder);
        long length = quotient + (index < remainder ? 1 : 0);
        return new IndexRange(begin, begin + length);
    }

    /// <summary>All <paramref name="parts"/> parts, in order.</summary>
    public static IndexRange[] Split(IndexRange range, int parts)
    {
        var result = new IndexRange[parts];
        for (int i = 0; i < parts; i++)
        {
            result[i] = Part(range, parts, i);
        }

        return result;
    }
}
