namespace Interop.Cli.Sweep;

/// <summary>One independent pi count of a sweep: darts [0, <see cref="Darts"/>) of seed <see cref="Seed"/>.</summary>
internal readonly record struct SweepTask(ulong Seed, long Darts)
{
    /// <summary>
    /// Every (seed, darts) pair, largest darts first (then seed ascending): the task pool hands the
    /// long tasks out first, so the short ones even out the end instead of one long task ending it alone.
    /// </summary>
    public static IReadOnlyList<SweepTask> All(IReadOnlyList<long> darts, ulong firstSeed, int seeds) =>
        [.. from n in darts.OrderDescending() from s in Enumerable.Range(0, seeds) select new SweepTask(firstSeed + (ulong)s, n)];
}
