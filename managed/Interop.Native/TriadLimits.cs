using Interop.Core;

namespace Interop.Native;

/// <summary>
/// The memory-bandwidth limit of a team of threads (interop_triad_limit_gbps: STREAM's triad
/// a[i] = b[i] + s * c[i] over three arrays of <see cref="Elements"/> doubles, first touched by the
/// team, the best of <see cref="Runs"/> runs after one untimed), measured once per thread count per
/// process and kept: the yardstick of a memory-bound workload's GB/s, as <see cref="FmaLimits"/> is of
/// a compute-bound one's GFLOP/s. GB/s as STREAM counts the triad: 3 x 8 bytes per element and run
/// (two loads, one store; the write-allocate read of a's lines is not counted, as STREAM does not).
/// </summary>
public static class TriadLimits
{
    /// <summary>Timed runs of a measurement (one untimed run before them).</summary>
    public const int Runs = 7;

    /// <summary>
    /// Doubles in each of the three arrays: 2^25 (256 MiB each, 768 MiB in all), far past the L3 that
    /// one core can fill. Passed to the native side explicitly, so that what a report says and what was
    /// measured cannot differ.
    /// </summary>
    public const long Elements = 1L << 25;

    // One lock for every measurement, not one per thread count: two triads at once would share the
    // memory bus and each measure less than the limit.
    private static readonly Lock Gate = new();
    private static readonly Dictionary<int, double> Measured = [];

    /// <summary>How a limit is measured: threads, elements, runs to GB/s. The native triad; tests wrap it here to count calls.</summary>
    internal static Func<int, long, int, double> Measurement { get; set; } = MeasureNative;

    /// <summary>
    /// The triad limit in GB/s of <paramref name="threads"/> OpenMP threads, measured on the first call
    /// for that thread count (about a second at the default size) and returned from the cache after.
    /// Throws <see cref="BackendUnavailableException"/> without the native library and
    /// <see cref="NativeKernelException"/> where the native side refuses (threads &lt; 1: status -1,
    /// not enough memory) or finds the triad's result wrong (status 1); a failure is not cached.
    /// </summary>
    public static double Measure(int threads)
    {
        lock (Gate)
        {
            if (Measured.TryGetValue(threads, out double gbps))
            {
                return gbps;
            }

            gbps = Measurement(threads, Elements, Runs);
            Measured[threads] = gbps;
            return gbps;
        }
    }

    /// <summary>Forgets every limit measured (tests).</summary>
    internal static void Forget()
    {
        lock (Gate)
        {
            Measured.Clear();
        }
    }

    private static double MeasureNative(int threads, long elements, int runs)
    {
        NativeLoader.EnsureLoaded();
        int status = Interop.TriadLimitGbps(threads, elements, runs, out double gbps);
        if (status == 1)
        {
            throw new NativeKernelException("interop_triad_limit_gbps", status,
                "interop_triad_limit_gbps: the triad's result was wrong after the runs (a miscompiled library or faulty memory); no rate measured");
        }

        NativeStatus.ThrowIfFailed(status, "interop_triad_limit_gbps", "threads", "elements", "runs", "gbps");
        return gbps;
    }
}
