using System.Globalization;
using Interop.Cli.Workloads;
using Interop.Core;

namespace Interop.Cli.Compare;

/// <summary>
/// The plain-language reading of a compare run ("c-openmp ran 1.09x ± 0.02 faster than
/// managed-parallel at 1x2"), computed from the points' throughput: what a reader would otherwise
/// work out from the tables. A run over several instruction-set paths reads each path on its own.
/// A sentence states a difference only where the two medians' 95 % intervals support it: the
/// ratio's interval (<see cref="RatioEstimate"/>, both intervals propagated on the log scale)
/// lies wholly above or below 1. Where it includes 1 the sentence says the two "are not
/// distinguishable with N runs"; where a side has fewer than <see cref="TimingStats.MinRunsForCi"/>
/// runs (no interval: compare --quick, --repeat 1 or 2) it says there were too few runs to decide.
/// A stated ratio is always printed above 1 with "faster" or "slower" (one that rounds to 1.00
/// reads "about as fast as"), and a cause (threads running in parallel, SIMD) is named only where
/// the ratio that shows it is at least <see cref="ClearGain"/> and distinguishable from 1.
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
            int first = lines.Count;
            ComparePoint fastest = workload.MaxBy(p => p.Throughput)!;
            ComparePoint? next = workload.Where(p => !ReferenceEquals(p, fastest)).MaxBy(p => p.Throughput);
            lines.Add($"{name}: fastest is {Named(run, fastest)} at {Shape(fastest)} ({Throughput(fastest)}" +
                (fastest.PercentOfPeak is double peak ? $", {PeakText.Percent(peak)} of the FMA limit of its path" : string.Empty) + ")" +
                (next is null ? string.Empty : Runner(fastest, next, Named(run, next))) + ".");

            int widest = workload.Max(p => p.Workers);
            ComparePoint? serial = workload.FirstOrDefault(p => p.Backend == CompareMetrics.Baseline && p.Workers == 1);
            ComparePoint? managed = workload.Where(p => p.Backend == CompareMetrics.ManagedParallel).MaxBy(p => p.Workers);
            ComparePoint? managedOne = workload.FirstOrDefault(p => p.Backend == CompareMetrics.ManagedParallel && p.Workers == 1);
            if (serial is not null && managed is not null)
            {
                lines.Add($"{name}: {Compared($"managed-parallel (C#) at {Shape(managed)}", managed, "managed-serial", serial)}.");
                // SIMD is named only when the two ran different paths and the vector one was clearly faster on one worker.
                if (managedOne is not null && managedOne.Isa != serial.Isa && serial.Isa == "scalar" && Clear(CompareMetrics.Ratio(managedOne, serial)))
                {
                    lines.Add($"{name}: on one worker, managed-parallel's {managedOne.Isa} kernel {Ran(CompareMetrics.Ratio(managedOne, serial))} managed-serial's scalar loop (SIMD).");
                }
            }

            foreach (ComparePoint p in workload.Where(p => p.Workers == widest && CompareMetrics.OverManaged(run, p) is not null).OrderByDescending(p => p.Throughput))
            {
                ComparePoint m = CompareMetrics.ManagedAt(run, p)!;
                lines.Add($"{name}: {Compared(Named(run, p), p, $"{Named(run, m)} at {Shape(p)}", m)}.");
            }

            ComparePoint? lapack = workload.FirstOrDefault(p => p.Backend == "lapack" && p.Workers == widest);
            ComparePoint? c = workload.FirstOrDefault(p => p.Backend == "c-openmp" && p.Workers == widest);
            if (lapack is not null && c is not null)
            {
                lines.Add($"{name}: {Compared("LAPACK (OpenBLAS)", lapack, $"the hand-written C/OpenMP inversion at {Shape(c)}", c)}.");
            }

            // Each schedule's scaling from the backend's static point on one worker, as its speedups are.
            foreach (IGrouping<string, ComparePoint> backend in workload.GroupBy(p => Named(run, p)))
            {
                ComparePoint? one = workload.FirstOrDefault(p => p.Backend == backend.First().Backend && p.Workers == 1 && CompareMetrics.IsStatic(p));
                ComparePoint? most = backend.MaxBy(p => p.Workers);
                if (one is not null && most is not null && most.Workers > 1)
                {
                    RatioEstimate speedup = CompareMetrics.Ratio(most, one);
                    // "Threads run C# in parallel" is a claim about managed-parallel's own scaling, so it stands only on that number.
                    string cause = backend.First().Backend == CompareMetrics.ManagedParallel && Clear(speedup)
                        ? ": .NET threads run C# in parallel (no global interpreter lock)"
                        : string.Empty;
                    lines.Add($"{name}: {backend.Key} {Scaling(speedup, most.Workers, one, most)}{cause}.");
                }
            }

            CollapseUndecided(lines, first, name);
            int failed = workload.Count(p => !p.Verified);
            lines.Add(failed == 0
                ? $"{name}: all {workload.Count()} results verified ({WorkloadRegistry.Named(workload.Key.Workload).VerificationRule})."
                : $"{name}: {failed} result(s) FAILED verification.");
        }

        return lines;
    }

    /// <summary>The tail every comparison without an interval ends in (fewer than 3 runs on a side).</summary>
    private const string TooFewRuns = ": too few runs to decide (";

    /// <summary>
    /// A workload's comparisons that had too few runs to decide (compare --quick: 2 runs a point)
    /// become one line naming them, instead of a screen of "too few runs" sentences; with one such
    /// comparison, its own sentence stays.
    /// </summary>
    private static void CollapseUndecided(List<string> lines, int first, string name)
    {
        int[] undecided = [.. Enumerable.Range(first, lines.Count - first).Where(i => lines[i].Contains(TooFewRuns, StringComparison.Ordinal))];
        if (undecided.Length < 2)
        {
            return;
        }

        // "Monte Carlo pi: c-openmp against managed-parallel at 1x2: too few runs to decide (2 runs)."
        // -> ("c-openmp against managed-parallel at 1x2", "2 runs")
        (string What, string Runs)[] parts =
        [
            .. undecided.Select(i => lines[i]).Select(l => (
                l[(name.Length + 2)..l.IndexOf(TooFewRuns, StringComparison.Ordinal)],
                l[(l.IndexOf(TooFewRuns, StringComparison.Ordinal) + TooFewRuns.Length)..].TrimEnd('.').TrimEnd(')'))),
        ];
        for (int k = undecided.Length - 1; k >= 0; k--)
        {
            lines.RemoveAt(undecided[k]);
        }

        bool sameRuns = parts.All(p => p.Runs == parts[0].Runs);
        string list = string.Join("; ", parts.Select(p => sameRuns ? p.What : $"{p.What} ({p.Runs})"));
        lines.Insert(undecided[0], $"{name}: {parts.Length} comparisons undecided, too few runs for a 95% interval ({(sameRuns ? parts[0].Runs + "; " : string.Empty)}give --repeat 3 or more): {list}.");
    }

    /// <summary>"1x2" for 1 rank x 2 threads.</summary>
    public static string Shape(ComparePoint p) => $"{p.Ranks}x{p.ThreadsText}";

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
    /// As <see cref="Ratio(double)"/>, with the interval where known: "1.23x ± 0.04 faster",
    /// "1.23x (1.10-1.40) slower" (the inverse ratio and its interval), or "about as fast".
    /// </summary>
    public static string Ratio(RatioEstimate ratio)
    {
        string words = Ratio(ratio.Value);
        if (!ratio.HasInterval || words == "about as fast" || words.StartsWith("not ", StringComparison.Ordinal))
        {
            return words;
        }

        RatioEstimate shown = ratio.Value > 1 ? ratio : ratio.Inverse;
        return $"{shown.Format()} {(ratio.Value > 1 ? "faster" : "slower")}";
    }

    /// <summary>
    /// "<paramref name="what"/> ran 1.23x ± 0.04 faster than <paramref name="than"/>" where the
    /// intervals tell the two apart, else what <see cref="Undecided"/> says.
    /// </summary>
    public static string Compared(string what, ComparePoint p, string than, ComparePoint other)
    {
        RatioEstimate ratio = CompareMetrics.Ratio(p, other);
        return Undecided(what, p, than, other, ratio) ?? $"{what} {Ran(ratio)} {than}";
    }

    /// <summary>
    /// Null where <paramref name="ratio"/> (<paramref name="p"/> over <paramref name="other"/>) has
    /// an interval wholly off 1, so that a difference may be stated; else "A and B are not
    /// distinguishable with 5 runs" (the interval includes 1), or "A against B: too few runs to
    /// decide (2 runs)" (a side below <see cref="TimingStats.MinRunsForCi"/> runs has no interval).
    /// </summary>
    public static string? Undecided(string what, ComparePoint p, string than, ComparePoint other, RatioEstimate ratio) =>
        !double.IsFinite(ratio.Value) || ratio.Value <= 0 ? null // "could not be compared (a time of zero)" says why
        : !ratio.HasInterval ? $"{what} against {than}{TooFewRuns}{Runs(p, other)})"
        : ratio.WithinNoise ? $"{what} and {than} are not distinguishable with {Runs(p, other)}"
        : null;

    // "3 runs", or "3 and 5 runs" where the two points ran different counts.
    private static string Runs(ComparePoint a, ComparePoint b) =>
        a.Seconds.Count == b.Seconds.Count
            ? $"{a.Seconds.Count.ToString(Invariant)} run{(a.Seconds.Count == 1 ? string.Empty : "s")}"
            : $"{a.Seconds.Count.ToString(Invariant)} and {b.Seconds.Count.ToString(Invariant)} runs";

    // After "fastest is X at 1x2 (rate)": nothing where X is clearly ahead of the runner-up, else why it may not be.
    private static string Runner(ComparePoint fastest, ComparePoint next, string nextName)
    {
        RatioEstimate ratio = CompareMetrics.Ratio(fastest, next);
        string other = $"{nextName} at {Shape(next)}";
        return Undecided("it", fastest, other, next, ratio) is null ? string.Empty
            : !ratio.HasInterval ? $"; too few runs ({Runs(fastest, next)}) to tell it from {other}"
            : $"; not distinguishable from {other} with {Runs(fastest, next)}";
    }

    // A point's backend, with its schedule where its workload ran several; the path is in the sentence's name.
    private static string Named(CompareRun run, ComparePoint p) => CompareMetrics.BackendName(run, p);

    // A gain clear enough to name its cause: at least ClearGain, and its interval wholly above 1.
    private static bool Clear(RatioEstimate ratio) => ratio.Value >= ClearGain && ratio.Distinguishable;

    // "ran 1.23x faster than", "ran 1.23x slower than", "ran about as fast as": followed by the other's name.
    private static string Ran(RatioEstimate ratio) =>
        Ratio(ratio) switch
        {
            "about as fast" => "ran about as fast as",
            var r when r.StartsWith("not ", StringComparison.Ordinal) => "could not be compared (a time of zero) with",
            var r => $"ran {r} than",
        };

    // A backend's own throughput on w workers over 1 worker: "scales 1.98x from 1 to 2 workers" only when it gained, and only where the intervals say so.
    private static string Scaling(RatioEstimate speedup, int workers, ComparePoint one, ComparePoint most)
    {
        if (double.IsFinite(speedup.Value) && speedup.Value > 0 && !speedup.HasInterval)
        {
            return $"from 1 to {workers} workers: too few runs to decide ({Runs(one, most)})";
        }

        if (speedup.WithinNoise)
        {
            return $"on {workers} workers and on 1 are not distinguishable with {Runs(one, most)}";
        }

        string efficiency = $" ({(speedup.Value / workers).ToString("P0", Invariant)} parallel efficiency)";
        return Ratio(speedup) switch
        {
            "about as fast" => $"ran about as fast on {workers} workers as on 1{efficiency}",
            var r when r.EndsWith("faster", StringComparison.Ordinal) => $"scales {r[..^" faster".Length]} from 1 to {workers} workers{efficiency}",
            var r when r.EndsWith("slower", StringComparison.Ordinal) => $"ran {r} on {workers} workers than on 1{efficiency}",
            var r => $"could not be compared from 1 to {workers} workers ({r})",
        };
    }
}
