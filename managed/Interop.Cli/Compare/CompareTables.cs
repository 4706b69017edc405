using System.Globalization;

namespace Interop.Cli.Compare;

/// <summary>The console tables of a compare run: one per workload.</summary>
internal static class CompareTables
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Write(TextWriter output, CompareRun run)
    {
        foreach (IGrouping<string, ComparePoint> workload in run.Points.GroupBy(p => p.Workload))
        {
            output.WriteLine(workload.Key == "pi" ? "Monte Carlo pi" : "Matrix inversion");
            string[] header = ["backend", "ranks x threads", "median s", "min-max s", workload.First().ThroughputUnit, "speedup", "efficiency", "native/managed", "check"];
            var rows = workload.Select(p => new[]
            {
                p.Backend,
                CompareSummary.Shape(p),
                p.Stats.Median.ToString("F4", Invariant),
                $"{p.Stats.Min.ToString("F4", Invariant)}-{p.Stats.Max.ToString("F4", Invariant)}",
                p.ThroughputUnit == "darts/s" ? p.Throughput.ToString("0.00e0", Invariant) : p.Throughput.ToString("F1", Invariant),
                Format(CompareMetrics.Speedup(run, p), "0.00", "x"),
                Format(CompareMetrics.Efficiency(run, p) * 100, "0", "%"),
                Format(CompareMetrics.OverManaged(run, p), "0.00", "x"),
                (p.Verified ? "ok " : "FAILED ") + p.Check,
            }).ToList();
            TextTable.Write(output, header, rows, rightAligned: [false, true, true, true, true, true, true, true, false]);
            output.WriteLine();
        }
    }

    private static string Format(double? value, string format, string unit) =>
        value is double v ? v.ToString(format, Invariant) + unit : "-";
}
