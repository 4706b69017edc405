using System.Globalization;
using Interop.Core;
using Interop.Native;

namespace Interop.Cli;

/// <summary>
/// The two references of an inversion's rate as the tables print them (inv, compare): "% of peak"
/// against the FMA limit of the row's own path at its threads, "over dgemm" against OpenBLAS's
/// dgemm; the lines under a table that say which limits and which dgemm, and the mark of a row above
/// its limit.
/// </summary>
internal static class PeakText
{
    /// <summary>The mark after a "% of peak" above 100 (<see cref="AboveLine"/> explains it under the table).</summary>
    public const string AboveMark = "!";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Under a table with a marked row: why its % of peak is no result.</summary>
    public static string AboveLine { get; } =
        $"{AboveMark}: above its path's FMA limit even after the limit was measured again ({FmaLimits.RemeasureRuns} runs): " +
        "the limit is mis-measured (a busy machine, or a path that is not what the row says), not beaten; that row's % of peak means nothing";

    /// <summary>"81%", "112%!" above 100, "-" when unknown.</summary>
    public static string Percent(double? percent) =>
        percent is double p ? p.ToString("F0", Invariant) + "%" + (p > 100 ? AboveMark : string.Empty) : "-";

    /// <summary>"1.52x" (GFLOP/s over dgemm's), "-" when unknown.</summary>
    public static string Over(double? ratio) => ratio is double r ? r.ToString("0.00", Invariant) + "x" : "-";

    /// <summary>
    /// "peak: FMA limit of each row's path and threads (...): avx512 on 2 thread(s) 231 GFLOP/s, ...":
    /// the limits the rows were held against, each naming its path.
    /// </summary>
    public static string LimitsLine(IEnumerable<(string Isa, int Threads, double Gflops)> limits, bool perRank) =>
        "peak: FMA limit of each row's own path and threads (independent multiply-add chains on every thread, the best of " +
        $"{FmaLimits.Runs} short runs; scalar: SSE2 multiply + add): " +
        string.Join(", ", limits.Distinct().OrderByDescending(l => l.Isa, StringComparer.Ordinal).ThenBy(l => l.Threads)
            .Select(l => $"{l.Isa} on {l.Threads} thread(s) {Units.Rate(l.Gflops)} GFLOP/s")) +
        $"; % of peak = GFLOP/s{(perRank ? " per rank" : string.Empty)} over the limit of the row's path";

    /// <summary>"dgemm: OpenBLAS dgemm (Haswell kernels, avx2) at n = 131: 80.1 GFLOP/s on 2 thread(s); over dgemm = ...".</summary>
    public static string DgemmLine(string dgemm, string size, IEnumerable<(int Threads, double Gflops)> rates, bool perRank) =>
        $"dgemm: {dgemm} at {size}: " +
        string.Join(", ", rates.DistinctBy(r => r.Threads).OrderBy(r => r.Threads).Select(r => $"{Units.Rate(r.Gflops)} GFLOP/s on {r.Threads} thread(s)")) +
        $"; over dgemm = GFLOP/s{(perRank ? " per rank" : string.Empty)} over that rate at the same thread count";

    /// <summary>"OpenBLAS dgemm (Haswell kernels, avx2)": OpenBLAS's core and the path of its kernels.</summary>
    public static string OpenBlasDgemm(DgemmRate rate) => $"OpenBLAS dgemm ({rate.Core} kernels, {IsaNames.Name(rate.Isa)})";
}
