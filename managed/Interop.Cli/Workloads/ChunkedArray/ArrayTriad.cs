using Interop.Core;
using Interop.Native;

namespace Interop.Cli.Workloads.ChunkedArray;

/// <summary>
/// The yardstick of the array's GB/s: STREAM's triad on as many threads as the point's workers (ranks x
/// threads, at most this machine's CPUs: the ranks of one node share its memory), measured in this
/// process (<see cref="TriadLimits"/>, once per thread count) on rank 0 after the points, while the
/// other ranks have nothing left to wait for.
/// </summary>
internal static class ArrayTriad
{
    /// <summary>The triad limit in GB/s of <paramref name="workers"/>, or null when it cannot be measured (no native library).</summary>
    public static double? Of(int workers)
    {
        try
        {
            return TriadLimits.Measure(Math.Clamp(workers, 1, Environment.ProcessorCount));
        }
        catch (BackendUnavailableException)
        {
            return null;
        }
    }

    /// <summary>"triad limit: 71.8 GB/s on 2 threads (STREAM's a = b + s c, 3 x 256 MiB, best of 7 runs, in this process)".</summary>
    public static string Line(IEnumerable<ArrayMeasurement> results)
    {
        string[] limits = [.. results.Where(r => r.TriadGigabytesPerSecond is not null)
            .Select(r => (Threads: Math.Clamp(r.Workers, 1, Environment.ProcessorCount), Limit: r.TriadGigabytesPerSecond!.Value))
            .Distinct().OrderBy(t => t.Threads).Select(t => FormattableString.Invariant($"{t.Limit:0.0} GB/s on {t.Threads} thread(s)"))];
        return limits.Length == 0
            ? "triad limit: not measured (no native library)"
            : $"triad limit: {string.Join(", ", limits)} (STREAM's a = b + s c over 3 x {ByteSize.Text(TriadLimits.Elements * sizeof(double))}, best of {TriadLimits.Runs} runs, in this process); \"of triad\" is GB/s over it";
    }
}
