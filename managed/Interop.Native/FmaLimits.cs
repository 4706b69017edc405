using System.Collections.Concurrent;
using Interop.Core;

namespace Interop.Native;

/// <summary>
/// The floating-point limit of each instruction-set path at each thread count (interop_fma_limit_gflops:
/// independent multiply-add chains on every thread, the best of several short runs), measured once
/// per process and kept: the yardstick of an inversion's "% of peak". A rate above its path's limit
/// means the limit was measured low (a busy machine): <see cref="Against"/> measures it once more,
/// with more runs, before anyone calls the rate "above the peak".
/// </summary>
public static class FmaLimits
{
    /// <summary>Timed runs of a first measurement (about 4 ms each per thread, plus one warm-up).</summary>
    public const int Runs = 7;

    /// <summary>Timed runs of the second measurement, when a rate beat the first.</summary>
    public const int RemeasureRuns = 28;

    private static readonly ConcurrentDictionary<(Isa Isa, int Threads), PathLimit?> Measured = new();

    /// <summary>
    /// How a limit is measured: path, threads, runs to GFLOP/s, null where the path cannot be
    /// measured here. The native measurement; tests put a limit of their own here.
    /// </summary>
    internal static Func<Isa, int, int, double?> Measure { get; set; } = MeasureNative;

    /// <summary>The limit of <paramref name="isa"/> on <paramref name="threads"/> threads; null without the native library or where this CPU lacks the path.</summary>
    public static PathLimit? Of(Isa isa, int threads)
    {
        if (isa == Isa.Auto)
        {
            throw new ArgumentOutOfRangeException(nameof(isa), isa, "a limit is of one path, not auto");
        }

        return Measured.GetOrAdd((isa, threads), key => Measure(key.Isa, key.Threads, Runs) is double g ? new PathLimit(key.Isa, key.Threads, g) : null);
    }

    /// <summary>
    /// The limit to hold a rate of <paramref name="gflops"/> (one team of <paramref name="threads"/>
    /// threads on <paramref name="isa"/>) against: if the rate beats the limit measured so far, the
    /// limit is measured again with <see cref="RemeasureRuns"/> runs (once per path and threads) and
    /// the better of the two kept. A rate that still beats it is above the peak (<see cref="PathLimit.Remeasured"/>
    /// says the limit was already measured twice).
    /// </summary>
    public static PathLimit? Against(Isa isa, int threads, double gflops)
    {
        PathLimit? limit = Of(isa, threads);
        if (limit is null || gflops <= limit.Gflops || limit.Remeasured)
        {
            return limit;
        }

        double again = Measure(isa, threads, RemeasureRuns) ?? 0;
        limit = limit with { Gflops = Math.Max(limit.Gflops, again), Remeasured = true };
        Measured[(isa, threads)] = limit;
        return limit;
    }

    /// <summary>The limit now kept for the path and threads of <paramref name="limit"/> (a re-measured one may have replaced it).</summary>
    public static PathLimit? Latest(PathLimit? limit) =>
        limit is not null && Measured.TryGetValue((limit.Isa, limit.Threads), out PathLimit? now) && now is not null ? now : limit;

    /// <summary>Forgets every limit measured (tests that replace <see cref="Measure"/>).</summary>
    internal static void Forget() => Measured.Clear();

    private static double? MeasureNative(Isa isa, int threads, int runs)
    {
        try
        {
            NativeLoader.EnsureLoaded();
        }
        catch (BackendUnavailableException)
        {
            return null;
        }

        int status = Interop.FmaLimitGflops((int)isa, threads, runs, out double gflops);
        if (status == 1)
        {
            return null; // this CPU or build lacks the path
        }

        NativeStatus.ThrowIfFailed(status, "interop_fma_limit_gflops", "isa", "threads", "runs", "gflops");
        return gflops;
    }
}
