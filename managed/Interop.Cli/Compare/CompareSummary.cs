using System.Globalization;
using Interop.Cli.Workloads;
using Interop.Core;

namespace Interop.Cli.Compare;

/// <summary>
/// The plain-language reading of a compare run ("c-openmp ran 1.09x faster than managed-parallel at
/// 1x2"), computed from the points' throughput: what a reader would otherwise work out from the
/// tables. A run over several instruction-set paths reads each path on its own.
/// Every sentence is worded from its own number: a ratio is always printed above 1 with "faster" or
/// "slower" (one that rounds to 1.00 reads "about as fast as"), and a cause (threads running in
/// parallel, SIMD) is named only where the ratio that shows it is at least <see cref="ClearGain"/>
/// and not within noise. Where both points have 3 or more runs every ratio carries its uncertainty
/// ("1.57x ± 0.04 faster": the two medians' 95 % confidence intervals propagated, see
/// <see cref="RatioEstimate"/>) and a sentence whose interval includes 1 ends "(within noise)".
/// </summary>
internal static class CompareSummary
{
    /// <summary>The gain (20 %) below which a sentence names no cause for it: noise on a shared machine is a few per cent.</summary>
    public const double ClearGain = 1.2;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static IReadOnlyList<string> Sentences(CompareRun run)
    {
        var lines = new List<string>();
        bool several = CompareMetrics.SeveralPaths(run);
        foreach (IGrouping<(string Workload, string Isa), ComparePoint> workload in run.Points.GroupBy(p => (p.Workload, several ? p.Isa : string.Empty)))
        {
            string name = WorkloadRegistry.Named(workload.Key.Workload).Title + (several ? $" [{workload.Key.Isa}]" : string.Empty);
            ComparePoint fastest = workload.MaxBy(p => p.Throughput)!;
            lines.Add($"{name}: fastest is {fastest.Backend} at {Shape(fastest)} ({Throughput(fastest)}" +
                (fastest.PercentOfPeak is double peak ? $", {PeakText.Percent(peak)} of the FMA limit of its path" : string.Empty) + ").");

            int widest = workload.Max(p => p.Workers);
            ComparePoint? serial = workload.FirstOrDefault(p => p.Backend == CompareMetrics.Baseline && p.Workers == 1);
            ComparePoint? managed = workload.Where(p => p.Backend == CompareMetrics.ManagedParallel).MaxBy(p => p.Workers);
            ComparePoint? managedOne = workload.FirstOrDefault(p => p.Backend == CompareMetrics.ManagedParallel && p.Workers == 1);
            if (serial is not null && managed is not null)
            {
                RatioEstimate overSerial = CompareMetrics.Ratio(managed, serial);
                lines.Add($"{name}: managed-parallel (C#) at {Shape(managed)} {Ran(overSerial)} managed-serial{Noise(overSerial)}.");
                // SIMD is named only when the two ran different paths and the vector one was clearly faster on one worker.
                if (managedOne is not null && managedOne.Isa != serial.Isa && serial.Isa == "scalar" && Clear(CompareMetrics.Ratio(managedOne, serial)))
                {
                    lines.Add($"{name}: on one worker, managed-parallel's {managedOne.Isa} kernel {Ran(CompareMetrics.Ratio(managedOne, serial))} managed-serial's scalar loop (SIMD).");
                }
            }

            foreach (ComparePoint p in workload.Where(p => p.Workers == widest && CompareMetrics.OverManaged(run, p) is not null).OrderByDescending(p => p.Throughput))
            {
                RatioEstimate overManaged = CompareMetrics.Ratio(p, CompareMetrics.ManagedAt(run, p)!);
                lines.Add($"{name}: {p.Backend} {Ran(overManaged)} managed-parallel at {Shape(p)}{Noise(overManaged)}.");
            }

            ComparePoint? lapack = workload.FirstOrDefault(p => p.Backend == "lapack" && p.Workers == widest);
            ComparePoint? c = workload.FirstOrDefault(p => p.Backend == "c-openmp" && p.Workers == widest);
            if (lapack is not null && c is not null)
            {
                RatioEstimate overC = CompareMetrics.Ratio(lapack, c);
                lines.Add($"{name}: LAPACK (OpenBLAS) {Ran(overC)} the hand-written C/OpenMP inversion at {Shape(c)}{Noise(overC)}.");
            }

            foreach (IGrouping<string, ComparePoint> backend in workload.GroupBy(p => p.Backend))
            {
                ComparePoint? one = backend.FirstOrDefault(p => p.Workers == 1);
                ComparePoint? most = backend.MaxBy(p => p.Workers);
                if (one is not null && most is not null && most.Workers > 1)
                {
                    RatioEstimate speedup = CompareMetrics.Ratio(most, one);
                    // "Threads run C# in parallel" is a claim about managed-parallel's own scaling, so it stands only on that number.
                    string cause = backend.Key == CompareMetrics.ManagedParallel && Clear(speedup)
                        ? ": .NET threads run C# in parallel (no global interpreter lock)"
                        : string.Empty;
                    lines.Add($"{name}: {backend.Key} {Scaling(speedup, most.Workers)} ({(speedup.Value / most.Workers).ToString("P0", Invariant)} parallel efficiency){Noise(speedup)}{cause}.");
                }
            }

            int failed = workload.Count(p => !p.Verified);
            lines.Add(failed == 0
                ? $"{name}: all {workload.Count()} results verified ({WorkloadRegistry.Named(workload.Key.Workload).VerificationRule})."
                : $"{name}: {failed} result(s) FAILED verification.");
        }

        return lines;
    }

    /// <summary>"1x2" for 1 rank x 2 threads.</summary>
    public static string Shape(ComparePoint p) => $"{p.Ranks}x{p.Threads}";

    public static string Throughput(ComparePoint p) => $"{CompareTables.FormatRate(p.Throughput, p.ThroughputUnit)} {p.ThroughputUnit}";

    /// <summary>
    /// A throughput ratio (this over the other) in hyperfine's words, always as a number above 1:
    /// "1.23x faster", "1.23x slower", or "about as fast" where it rounds to 1.00 either way.
    /// </summary>
    public static string Ratio(double ratio)
    {
        if (!double.IsFinite(ratio) || ratio <= 0)
        {
            return "not comparable (a time of zero)";
        }

        string faster = ratio.ToString("0.00", Invariant);
        string slower = (1 / ratio).ToString("0.00", Invariant);
        return faster == "1.00" || slower == "1.00" ? "about as fast"
            : ratio > 1 ? $"{faster}x faster"
            : $"{slower}x slower";
    }

    /// <summary>
    /// As <see cref="Ratio(double)"/>, with the uncertainty where known: "1.23x ± 0.04 faster",
    /// "1.23x ± 0.04 slower" (the inverse ratio and its half-width), or "about as fast".
    /// </summary>
    public static string Ratio(RatioEstimate ratio)
    {
        string words = Ratio(ratio.Value);
        if (ratio.Uncertainty is null || words == "about as fast" || words.StartsWith("not ", StringComparison.Ordinal))
        {
            return words;
        }

        RatioEstimate shown = ratio.Value > 1 ? ratio : ratio.Inverse;
        return $"{shown.Format()} {(ratio.Value > 1 ? "faster" : "slower")}";
    }

    /// <summary>" (within noise)" where the ratio's interval includes 1, else nothing.</summary>
    public static string Noise(RatioEstimate ratio) => ratio.WithinNoise ? " (within noise)" : string.Empty;

    // A gain clear enough to name its cause: at least ClearGain, and not within noise.
    private static bool Clear(RatioEstimate ratio) => ratio.Value >= ClearGain && !ratio.WithinNoise;

    // "ran 1.23x faster than", "ran 1.23x slower than", "ran about as fast as": followed by the other's name.
    private static string Ran(RatioEstimate ratio) =>
        Ratio(ratio) switch
        {
            "about as fast" => "ran about as fast as",
            var r when r.StartsWith("not ", StringComparison.Ordinal) => "could not be compared (a time of zero) with",
            var r => $"ran {r} than",
        };

    // A backend's own throughput on w workers over 1 worker: "scales 1.98x from 1 to 2 workers" only when it gained.
    private static string Scaling(RatioEstimate speedup, int workers) =>
        Ratio(speedup) switch
        {
            "about as fast" => $"ran about as fast on {workers} workers as on 1",
            var r when r.EndsWith("faster", StringComparison.Ordinal) => $"scales {r[..^" faster".Length]} from 1 to {workers} workers",
            var r when r.EndsWith("slower", StringComparison.Ordinal) => $"ran {r} on {workers} workers than on 1",
            var r => $"could not be compared from 1 to {workers} workers ({r})",
        };
}
