using System.Globalization;

namespace Interop.Core;

/// <summary>
/// INTEROP_SIZE_SCALE=F (0 &lt; F ≤ 1), for tests and demos: every workload size is multiplied by F,
/// the built-in defaults and the sizes given on the command line alike (pi's darts, inv's order,
/// the array's order, EP's class (the largest NPB class that fits, so still verified: EpClass.Scaled),
/// compare's time budget, its shortest point, its probe orders, and the time cap of automatic
/// repeats), so that a documented command such as `interop inv --size 4000` runs as written in
/// a fraction of a second. Explicit sizes are scaled too because the point is to run the commands
/// of the documentation unchanged; every code path still runs (compare still calibrates, every
/// result is still checked), only smaller. Unset (or 1) changes nothing. Each run says on stderr
/// that its sizes were scaled, and results.json records the variable.
/// </summary>
public static class SizeScale
{
    public const string Variable = "INTEROP_SIZE_SCALE";

    /// <summary>Scaled darts never go below this: enough for every backend's split over threads and ranks.</summary>
    public const long MinDarts = 10_000;

    /// <summary>Scaled matrix orders never go below this: a few of every kernel's blocks.</summary>
    public const int MinOrder = 64;

    /// <summary>The factor F from <see cref="Variable"/>; 1 when unset. A malformed value is a usage error naming the variable.</summary>
    public static double Factor => Parse(Environment.GetEnvironmentVariable(Variable));

    /// <summary>Whether sizes are scaled down (F &lt; 1).</summary>
    public static bool Active => Factor < 1;

    public static double Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return 1;
        }

        return double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double f) && f > 0 && f <= 1
            ? f
            : throw new UsageException($"{Variable} must be a number above 0 and at most 1 (e.g. 0.01, for tests and demos), not '{text}'");
    }

    /// <summary>Darts times F, at least <see cref="MinDarts"/> and never more than given.</summary>
    public static long Darts(long darts)
    {
        double f = Factor;
        return f >= 1 ? darts : Math.Min(darts, Math.Max(MinDarts, (long)Math.Round(darts * f)));
    }

    /// <summary>A matrix order times F, at least <see cref="MinOrder"/> and never more than given.</summary>
    public static int Order(int n)
    {
        double f = Factor;
        return f >= 1 ? n : Math.Min(n, Math.Max(MinOrder, (int)Math.Round(n * f)));
    }

    /// <summary>A time budget or limit times F.</summary>
    public static double Seconds(double seconds) => seconds * Factor;

    /// <summary>The note a scaled run prints once on stderr, or null when sizes are not scaled.</summary>
    public static string? Note() => Active
        ? string.Create(CultureInfo.InvariantCulture, $"{Variable}={Factor:G4}: every size is scaled down by that factor (for tests and demos; not a benchmark)")
        : null;
}
