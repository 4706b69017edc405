using System.Globalization;

namespace Interop.Core;

/// <summary>
/// One measured point as a speedup sees it: which backend, path and shape ran how much work
/// (<see cref="Size"/>: darts, matrix order, pairs; 0 where unknown) in what times.
/// </summary>
public sealed record SpeedupPoint(string Backend, string Isa, int Ranks, int Threads, long Size, double WorkPerRun, TimingStats Stats)
{
    /// <summary>Work per second at the median time.</summary>
    public double Throughput => WorkPerRun / Stats.Median;

    /// <summary>The point's name as a reference: "backend isa ranks x threads" ("c-openmp avx2 1 x 1").</summary>
    public string Name => string.Create(CultureInfo.InvariantCulture, $"{Backend} {Isa} {Ranks} x {Threads}");
}

/// <summary>
/// A point's speedup: <see cref="Ratio"/> is the reference's time over the point's (as a
/// throughput ratio, the same where both ran the same work), with its 95 % interval; the reference
/// is <see cref="Reference"/>, the same backend on 1 rank x 1 thread where <see cref="SameBackend"/>.
/// </summary>
public sealed record Speedup(RatioEstimate Ratio, SpeedupPoint Reference, bool SameBackend)
{
    /// <summary>"backend isa ranks x threads" of the reference (the results' speedup_reference).</summary>
    public string ReferenceName => Reference.Name;
}

/// <summary>
/// The one definition of "speedup" that every table, summary, chart and results file uses:
/// speedup = time of the same backend on 1 rank x 1 thread (same workload, same size, same
/// instruction-set path) over this point's time, where that reference point was measured. Where it
/// was not (pi, inv and ep run one thread count, an MPI job runs every backend on all its ranks),
/// the reference is managed-serial on 1 rank x 1 thread (the spec's loop; its own path first), else
/// managed-serial at its fewest workers, and the table names it in a line under it
/// (<see cref="Legend"/>); with no such point there is no speedup. Callers give the points of one
/// workload of one run.
/// </summary>
public static class Speedups
{
    /// <summary>The backend every speedup falls back on: the spec's loop as written.</summary>
    public const string FallbackBackend = "managed-serial";

    /// <summary>
    /// The speedup of <paramref name="point"/> among <paramref name="measured"/> (which holds it), or
    /// null with no reference. A 1 x 1 point is its own reference: exactly 1, no interval.
    /// </summary>
    public static Speedup? Of<T>(T point, IEnumerable<T> measured, Func<T, SpeedupPoint> describe)
        where T : class
    {
        SpeedupPoint p = describe(point);
        (T Item, SpeedupPoint Point)[] all = [.. measured.Select(m => (m, describe(m)))];
        bool SameSize(SpeedupPoint r) => r.Size <= 0 || p.Size <= 0 || r.Size == p.Size;

        (T Item, SpeedupPoint Point)[] own = [.. all.Where(r => r.Point.Backend == p.Backend && r.Point.Isa == p.Isa && r.Point.Ranks == 1 && r.Point.Threads == 1 && SameSize(r.Point))];
        if (own.Length > 0)
        {
            // The point itself first, where it is a candidate (two 1 x 1 points of one backend: each is its own).
            return Against(own.FirstOrDefault(r => ReferenceEquals(r.Item, point)) is { Item: not null } self ? self : own[0], sameBackend: true);
        }

        (T Item, SpeedupPoint Point)[] serial = [.. all.Where(r => r.Point.Backend == FallbackBackend)];
        if (serial.Length == 0)
        {
            return null;
        }

        // managed-serial on 1 x 1, else at its fewest workers; on the point's own path where there is one.
        int fewest = serial.Any(r => r.Point.Ranks == 1 && r.Point.Threads == 1) ? 1 : serial.Min(r => r.Point.Ranks * r.Point.Threads);
        (T Item, SpeedupPoint Point)[] pool = [.. serial.Where(r => r.Point.Ranks * r.Point.Threads == fewest && (fewest > 1 || r.Point.Ranks == 1))];
        return Against(pool.FirstOrDefault(r => r.Point.Isa == p.Isa) is { Item: not null } sameIsa ? sameIsa : pool[0], sameBackend: false);

        Speedup Against((T Item, SpeedupPoint Point) reference, bool sameBackend) =>
            new(ReferenceEquals(reference.Item, point) ? new RatioEstimate(1) : RatioOf(p, reference.Point), reference.Point, sameBackend);
    }

    /// <summary>The point's throughput over the reference's, with both medians' intervals propagated.</summary>
    public static RatioEstimate RatioOf(SpeedupPoint point, SpeedupPoint reference) =>
        RatioEstimate.Of(point.Throughput / reference.Throughput, point.Stats, reference.Stats);

    /// <summary>
    /// The line under a table that says what its speedup column is against (short: a table fits 80
    /// columns): the same backend on 1 rank x 1 thread, or the fallback reference named ("speedup:
    /// against managed-serial scalar 1 x 1 (no own 1 x 1 point)"); null when no row has a speedup.
    /// A row that is its own reference (a 1 x 1 point) says nothing about which.
    /// </summary>
    public static string? Legend(IEnumerable<(SpeedupPoint Point, Speedup? Speedup)> rows)
    {
        (SpeedupPoint Point, Speedup Speedup)[] with = [.. rows.Where(r => r.Speedup is not null).Select(r => (r.Point, r.Speedup!))];
        if (with.Length == 0)
        {
            return null;
        }

        (SpeedupPoint Point, Speedup Speedup)[] others = [.. with.Where(r => r.Point.Name != r.Speedup.ReferenceName)];
        string[] fallbacks = [.. others.Where(r => !r.Speedup.SameBackend).Select(r => r.Speedup.ReferenceName).Distinct()];
        const string Own = "the same backend on 1 rank x 1 thread (same isa and size)";
        return fallbacks.Length == 0 ? $"speedup: time of {Own} over the row's"
            : others.All(r => !r.Speedup.SameBackend) ? $"speedup: against {string.Join(", ", fallbacks)} (no own 1 x 1 point)"
            : $"speedup: against the backend's own 1 x 1; else {string.Join(", ", fallbacks)}";
    }
}
