using System.Globalization;
using Interop.Cli.Compare;
using Interop.Cli.Workloads;
using Interop.Core;
using ScottPlot;

namespace Interop.Cli.Report;

/// <summary>
/// The charts of a report, per workload: throughput of every point of every run, grouped by ranks x
/// threads (and by run where two runs share a shape), and each point's speedup (<see cref="Interop.Core.Speedups"/>)
/// against workers, one marker shape per run; both with error bars from the 95 % CIs (the median
/// time's, the speedup's), none for a point without one. Colours are the backends' fixed ones (<see cref="ChartPalette"/>).
/// </summary>
internal static class ReportCharts
{
    private static readonly MarkerShape[] Markers =
        [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.FilledTriangleDown, MarkerShape.OpenCircle, MarkerShape.OpenSquare];

    /// <summary>Every chart file name a report may write besides report.md and report.html (--force removes those an earlier report listed).</summary>
    public static IEnumerable<string> FileNames { get; } =
        [.. from workload in WorkloadRegistry.All.Select(w => w.Name) from kind in new[] { "throughput", "speedup" } from ext in new[] { "svg", "png" } select $"report-{workload}-{kind}.{ext}"];

    public static IReadOnlyList<ChartModel> Build(ReportModel model)
    {
        var charts = new List<ChartModel>();
        bool paths = model.Runs.Any(r => CompareMetrics.SeveralPaths(r.Run));
        foreach (ReportWorkload w in model.Workloads)
        {
            ComparePoint[] points = [.. w.Rows.Select(r => r.Point)];
            string[] machines = [.. w.Rows.Select(r => r.Source.Machine)];
            DateTimeOffset[] dates = [.. w.Rows.Select(r => r.Source.Run.Started)];
            bool shared = w.Rows.GroupBy(r => r.Shape).Any(g => g.Select(r => r.Source).Distinct().Count() > 1);
            string[] order = [.. w.Rows.Select(r => r.Point.Backend).Distinct()];
            ChartBar[] bars =
            [
                .. w.Rows.OrderBy(r => r.Point.Workers).ThenBy(r => r.Point.Ranks).ThenBy(r => model.Runs.ToList().IndexOf(r.Source))
                    .ThenBy(r => Array.IndexOf(order, r.Point.Backend)).ThenBy(r => r.Point.Isa, StringComparer.Ordinal)
                    .Select(r => ChartBar.Of(
                        r.Point,
                        paths ? $"{r.Point.Backend} [{r.Point.Isa}]" : r.Point.Backend,
                        shared ? $"{r.Shape} ({r.Source.Label})" : r.Shape,
                        paths ? ChartPalette.For(r.Point.Backend, r.Point.Isa) : ChartPalette.For(r.Point.Backend))),
            ];
            string subtitle = CompareCharts.Subtitle(machines, points, dates, CompareCharts.BarsCaption(bars.Count(b => b.HasInterval), bars.Length, "of the median"));
            charts.Add(CompareCharts.ThroughputChart($"report-{w.Workload}-throughput", $"{w.Title}: throughput (higher is better)", subtitle, points[0].ThroughputUnit, bars));
            charts.Add(new ChartModel($"report-{w.Workload}-speedup", SpeedupPlot(model, w, machines, points, dates, paths), [], false));
        }

        return charts;
    }

    private static Plot SpeedupPlot(ReportModel model, ReportWorkload w, IReadOnlyList<string> machines, IReadOnlyList<ComparePoint> points, IReadOnlyList<DateTimeOffset> dates, bool paths)
    {
        var plot = new Plot();
        int drawn = 0, withInterval = 0;
        foreach (IGrouping<(string Backend, string Isa, ReportRun Run), ReportRow> series in w.Rows.GroupBy(r => (r.Point.Backend, r.Point.Isa, r.Source)))
        {
            ReportRow[] ordered = [.. series.OrderBy(r => r.Point.Workers)];
            RatioEstimate[] ratios = [.. ordered.Select(r => r.Speedup?.Ratio ?? new RatioEstimate(double.NaN))];
            Color color = paths ? ChartPalette.For(series.Key.Backend, series.Key.Isa) : ChartPalette.For(series.Key.Backend);
            ScottPlot.Plottables.Scatter scatter = CompareCharts.AddSpeedupSeries(plot, [.. ordered.Select(r => (double)r.Point.Workers)], ratios, color);
            int run = model.Runs.ToList().IndexOf(series.Key.Run);
            scatter.MarkerShape = Markers[run % Markers.Length];
            scatter.MarkerSize = 10;
            string shapes = string.Join(",", ordered.Select(r => r.Shape).Distinct());
            scatter.LegendText = $"{(paths ? $"{series.Key.Backend} [{series.Key.Isa}]" : series.Key.Backend)}, {series.Key.Run.Label} ({shapes})";
            drawn += ordered.Count(r => r.Speedup is { } s && !(s.SameBackend && r.Point.Ranks == 1 && r.Point.Threads == 1)); // a reference point is exactly 1
            withInterval += ratios.Count(r => r.HasInterval);
        }

        int most = w.Rows.Max(r => r.Point.Workers);
        plot.ShowLegend(Edge.Right);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(1, most).Select(x => new Tick(x, x.ToString(CultureInfo.InvariantCulture)))]);
        plot.Axes.SetLimitsX(0.5, most + 0.5);
        string reference = w.OwnReferenceOnly ? "the same backend on 1x1" : "1x1 (reference under the table)";
        string subtitle = CompareCharts.Subtitle(machines, points, dates, CompareCharts.BarsCaption(withInterval, drawn, "of the ratio of medians"));
        ChartText.Fit(
            plot, CompareCharts.Width, CompareCharts.Height, $"{w.Title}: speedup over {reference}", subtitle,
            $"speedup (x, against {reference})", "workers (ranks x threads)");
        return plot;
    }
}
