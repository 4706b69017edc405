using System.Globalization;

namespace Interop.Cli.Compare;

/// <summary>
/// The plain-language reading of a compare run ("c-openmp ran 1.09x faster than managed-parallel at
/// 1x2"), computed from the points' throughput: what a reader would otherwise work out from the
/// tables. A run over several instruction-set paths reads each path on its own.
/// </summary>
internal static class CompareSummary
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static IReadOnlyList<string> Sentences(CompareRun run)
    {
        var lines = new List<string>();
        bool several = CompareMetrics.SeveralPaths(run);
        foreach (IGrouping<(string Workload, string Isa), ComparePoint> workload in run.Points.GroupBy(p => (p.Workload, several ? p.Isa : string.Empty)))
        {
            string name = (workload.Key.Workload == "pi" ? "Monte Carlo pi" : "Matrix inversion") + (several ? $" [{workload.Key.Isa}]" : string.Empty);
            ComparePoint fastest = workload.MaxBy(p => p.Throughput)!;
            lines.Add($"{name}: fastest is {fastest.Backend} at {Shape(fastest)} ({Throughput(fastest)}" +
                (fastest.PercentOfPeak is double peak ? $", {peak.ToString("0", Invariant)}% of the machine's DGEMM rate" : string.Empty) + ").");

            int widest = workload.Max(p => p.Workers);
            ComparePoint? serial = workload.FirstOrDefault(p => p.Backend == CompareMetrics.Baseline && p.Workers == 1);
            ComparePoint? managed = workload.Where(p => p.Backend == CompareMetrics.ManagedParallel).MaxBy(p => p.Workers);
            if (serial is not null && managed is not null)
            {
                bool faster = managed.Throughput > serial.Throughput;
                lines.Add($"{name}: managed-parallel (C#) at {Shape(managed)} ran {Ratio(serial, managed)} than managed-serial" +
                    (faster ? ": .NET threads run C# in parallel (no global interpreter lock), with SIMD on top." : "."));
            }

            foreach (ComparePoint p in workload.Where(p => p.Workers == widest && CompareMetrics.OverManaged(run, p) is not null).OrderByDescending(p => p.Throughput))
            {
                ComparePoint m = CompareMetrics.ManagedAt(run, p)!;
                lines.Add($"{name}: {p.Backend} ran {Ratio(m, p)} than managed-parallel at {Shape(p)}.");
            }

            ComparePoint? lapack = workload.FirstOrDefault(p => p.Backend == "lapack" && p.Workers == widest);
            ComparePoint? c = workload.FirstOrDefault(p => p.Backend == "c-openmp" && p.Workers == widest);
            if (lapack is not null && c is not null)
            {
                lines.Add($"{name}: LAPACK (OpenBLAS) ran {Ratio(c, lapack)} than the hand-written C/OpenMP inversion at {Shape(c)}.");
            }

            foreach (IGrouping<string, ComparePoint> backend in workload.GroupBy(p => p.Backend))
            {
                ComparePoint? one = backend.FirstOrDefault(p => p.Workers == 1);
                ComparePoint? most = backend.MaxBy(p => p.Workers);
                if (one is not null && most is not null && most.Workers > 1)
                {
                    double speedup = most.Throughput / one.Throughput;
                    lines.Add($"{name}: {backend.Key} scales {speedup.ToString("0.00", Invariant)}x from 1 to {most.Workers} workers " +
                        $"({(speedup / most.Workers).ToString("P0", Invariant)} parallel efficiency).");
                }
            }

            int failed = workload.Count(p => !p.Verified);
            lines.Add(failed == 0
                ? $"{name}: all {workload.Count()} results verified ({(workload.Key.Workload == "pi" ? "identical counts for identical darts" : "scaled residual <= 30")})."
                : $"{name}: {failed} result(s) FAILED verification.");
        }

        return lines;
    }

    /// <summary>"1x2" for 1 rank x 2 threads.</summary>
    public static string Shape(ComparePoint p) => $"{p.Ranks}x{p.Threads}";

    public static string Throughput(ComparePoint p) => $"{CompareTables.FormatRate(p.Throughput, p.ThroughputUnit)} {p.ThroughputUnit}";

    // hyperfine's wording: "ran 1.23x faster than" / "ran 1.23x slower than", on throughput (work may differ).
    private static string Ratio(ComparePoint reference, ComparePoint p)
    {
        double r = p.Throughput / reference.Throughput;
        return r >= 1 ? $"{r.ToString("0.00", Invariant)}x faster" : $"{(1 / r).ToString("0.00", Invariant)}x slower";
    }
}
