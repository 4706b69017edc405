using System.Globalization;
using Interop.Cli.Workloads;
using Interop.Core;
using ScottPlot;

namespace Interop.Cli.Compare;

/// <summary>
/// One bar of a throughput chart: the throughput at the median time, and the true range of the
/// repeats, from the slowest run (<see cref="Low"/>: work / max seconds) to the fastest
/// (<see cref="High"/>: work / min seconds), which is what its error bar spans.
/// </summary>
internal sealed record ChartBar(string Backend, string Series, string Group, double Median, double Low, double High, Color Color)
{
    /// <summary>The bar of one measured point.</summary>
    public static ChartBar Of(ComparePoint p, string series, string group, Color color) =>
        new(p.Backend, series, group, p.Throughput, p.WorkPerRun / p.Stats.Max, p.WorkPerRun / p.Stats.Min, color);
}

/// <summary>A chart ready to save: its file name (without extension), the ScottPlot model, and the bars it draws (throughput charts).</summary>
internal sealed record ChartModel(string Name, Plot Plot, IReadOnlyList<ChartBar> Bars, bool LogScale)
{
    /// <summary>A data value as drawn on the value axis (log10 on a log axis).</summary>
    public double ToAxis(double value) => LogScale ? Math.Log10(value) : value;
}

/// <summary>
/// Charts of a compare run, per workload, as SVG and PNG (ScottPlot). The throughput chart groups
/// the bars by ranks x threads, one bar per backend, each backend in its fixed colour
/// (<see cref="ChartPalette"/>), with error bars from the slowest to the fastest repeat (asymmetric,
/// the true min-max) and a log axis when the values span more than a decade; throughput, since the
/// serial baseline may run less work. The scaling chart shows each backend's throughput on w
/// workers over its own 1-worker throughput, with the ideal line. Titles carry the workload size,
/// the CPU, the repeats and the date.
/// </summary>
internal static class CompareCharts
{
    public const int Width = 900;
    public const int Height = 540;

    /// <summary>Values spanning more than this ratio are drawn on a log axis.</summary>
    public const double LogAxisRatio = 10;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Every file name a compare may write here, for every workload: what <c>--force</c> removes.</summary>
    public static IEnumerable<string> FileNames { get; } =
        [.. from workload in WorkloadRegistry.All.Select(w => w.Name) from kind in new[] { "throughput", "speedup" } from ext in new[] { "svg", "png" } select $"{workload}-{kind}.{ext}"];

    public static IReadOnlyList<string> Write(CompareRun run, string directory) =>
        [.. Build(run).SelectMany(chart => Save(chart.Plot, directory, chart.Name))];

    /// <summary>The charts of <paramref name="run"/>, per workload: throughput, then scaling.</summary>
    public static IReadOnlyList<ChartModel> Build(CompareRun run)
    {
        var charts = new List<ChartModel>();
        foreach (IGrouping<string, ComparePoint> workload in run.Points.GroupBy(p => p.Workload))
        {
            ComparePoint[] points = [.. workload];
            string subtitle = Subtitle([run.Environment.FirstOrDefault(e => e.Key == "cpu_model").Value ?? "unknown CPU"], points, [run.Started]);
            string title = $"{WorkloadTitle(workload.Key, points, run.Parameters)}{Failed(points)}";
            bool paths = CompareMetrics.SeveralPaths(run);
            string[] order = [.. points.Select(p => p.Backend).Distinct()];
            ChartBar[] bars =
            [
                .. points.OrderBy(p => p.Workers).ThenBy(p => p.Ranks).ThenBy(p => Array.IndexOf(order, p.Backend)).ThenBy(p => p.Isa, StringComparer.Ordinal)
                    .Select(p => ChartBar.Of(p, CompareMetrics.Series(run, p), Shape(p), paths ? ChartPalette.For(p.Backend, p.Isa) : ChartPalette.For(p.Backend))),
            ];
            charts.Add(ThroughputChart($"{workload.Key}-throughput", $"{title}: throughput (higher is better)", subtitle, points[0].ThroughputUnit, bars));
            charts.Add(new ChartModel($"{workload.Key}-speedup", SpeedupPlot(run, $"{title}: scaling over the same backend on 1 worker", subtitle, points), [], false));
        }

        return charts;
    }

    /// <summary>"Monte Carlo pi, 1,500,000,000 darts (managed-serial 280,000,000)" or "Matrix inversion, n = 2800".</summary>
    public static string WorkloadTitle(string workload, IReadOnlyList<ComparePoint> points, IReadOnlyList<KeyValuePair<string, string?>> parameters) =>
        WorkloadRegistry.Named(workload).ChartTitle(points, parameters);

    /// <summary>The second title line: CPU(s), repeats and date(s).</summary>
    public static string Subtitle(IEnumerable<string> cpus, IReadOnlyList<ComparePoint> points, IEnumerable<DateTimeOffset> dates, bool bars = true)
    {
        int[] repeats = [.. points.Select(p => p.Seconds.Count).Distinct().Order()];
        string runs = repeats.Length == 1 ? repeats[0].ToString(Invariant) : $"{repeats[0]}-{repeats[^1]}";
        string[] days = [.. dates.Select(d => d.UtcDateTime.ToString("yyyy-MM-dd", Invariant)).Distinct().Order()];
        string when = days.Length == 1 ? days[0] : $"{days[0]} to {days[^1]}";
        return $"{string.Join(" / ", cpus.Distinct())}; median of {runs} run(s){(bars ? ", bars min-max" : string.Empty)}; {when}";
    }

    /// <summary>"1x2": ranks x threads.</summary>
    public static string Shape(ComparePoint p) => string.Create(Invariant, $"{p.Ranks}x{p.Threads}");

    /// <summary>
    /// Bars grouped along the x axis by <see cref="ChartBar.Group"/> (in the order given), one bar per
    /// series in its colour, each with an asymmetric error bar from <see cref="ChartBar.Low"/> to
    /// <see cref="ChartBar.High"/>; a log axis where the values span more than <see cref="LogAxisRatio"/>.
    /// </summary>
    public static ChartModel ThroughputChart(string name, string title, string subtitle, string unit, IReadOnlyList<ChartBar> bars, string xLabel = "ranks x threads")
    {
        double lowest = bars.Min(b => b.Low);
        bool log = lowest > 0 && bars.Max(b => b.High) / lowest > LogAxisRatio;
        var model = new ChartModel(name, new Plot(), bars, log);
        Plot plot = model.Plot;
        double floor = log ? Math.Floor(Math.Log10(lowest)) : 0;
        var drawn = new List<Bar>();
        var ticks = new List<Tick>();
        double position = 0;
        foreach (IGrouping<string, ChartBar> group in bars.GroupBy(b => b.Group))
        {
            double start = position;
            foreach (ChartBar b in group)
            {
                drawn.Add(new Bar { Position = position, Value = model.ToAxis(b.Median), ValueBase = floor, FillColor = b.Color, LineColor = Colors.Black });
                position++;
            }

            ticks.Add(new Tick((start + position - 1) / 2, group.Key));
            position += 0.8;
        }

        plot.Add.Bars(drawn);
        double[] medians = [.. bars.Select(b => model.ToAxis(b.Median))];
        var errors = new ScottPlot.Plottables.ErrorBar(
            [.. drawn.Select(b => b.Position)],
            medians,
            null,
            null,
            [.. bars.Select((b, i) => model.ToAxis(b.High) - medians[i])],
            [.. bars.Select((b, i) => medians[i] - model.ToAxis(b.Low))])
        {
            Color = Colors.Black,
            LineWidth = 1.5f,
            CapSize = 6,
        };
        plot.Add.Plottable(errors);

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        if (log)
        {
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                IntegerTicksOnly = true,
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                LabelFormatter = y => Math.Abs(y) >= 4 ? string.Create(Invariant, $"1e{y:0}") : Math.Pow(10, y).ToString("G3", Invariant),
            };
        }

        foreach (ChartBar b in bars.DistinctBy(b => b.Series))
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = b.Series, FillColor = b.Color });
        }

        plot.ShowLegend(Edge.Right);
        plot.Axes.Margins(bottom: 0);
        plot.Title($"{title}\n{subtitle}");
        plot.Axes.Title.Label.FontSize = 15;
        plot.YLabel($"{unit} at the median time{(log ? " (log scale)" : string.Empty)}");
        plot.XLabel(xLabel);
        return model;
    }

    private static Plot SpeedupPlot(CompareRun run, string title, string subtitle, IReadOnlyList<ComparePoint> points)
    {
        var plot = new Plot();
        int most = points.Max(p => p.Workers);
        double[] ideal = [.. Enumerable.Range(1, most).Select(w => (double)w)];
        var line = plot.Add.ScatterLine(ideal, ideal);
        line.LegendText = "ideal (speedup = workers)";
        line.Color = Colors.Black.WithAlpha(0.6);
        line.LineWidth = 2;
        bool paths = CompareMetrics.SeveralPaths(run);
        foreach (IGrouping<string, ComparePoint> backend in points.GroupBy(p => CompareMetrics.Series(run, p)))
        {
            ComparePoint[] ordered = [.. backend.OrderBy(p => p.Workers)];
            if (ordered[0].Workers != 1 || ordered.Length < 2)
            {
                continue; // no scaling to show without the 1-worker point and another one
            }

            double[] xs = [.. ordered.Select(p => (double)p.Workers)];
            double[] ys = [.. ordered.Select(p => CompareMetrics.Speedup(run, p) ?? double.NaN)];
            var scatter = plot.Add.Scatter(xs, ys);
            scatter.LegendText = backend.Key;
            scatter.Color = paths ? ChartPalette.For(ordered[0].Backend, ordered[0].Isa) : ChartPalette.For(ordered[0].Backend);
            scatter.MarkerSize = 9;
            scatter.LineWidth = 2;
        }

        plot.ShowLegend(Alignment.UpperLeft);
        plot.Title($"{title}\n{subtitle.Replace(", bars min-max", string.Empty, StringComparison.Ordinal)}");
        plot.Axes.Title.Label.FontSize = 15;
        plot.XLabel("workers (ranks x threads)");
        plot.YLabel("speedup (x)");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(1, most).Select(w => new Tick(w, w.ToString(Invariant)))]);
        return plot;
    }

    private static string Failed(IReadOnlyList<ComparePoint> points)
    {
        int failed = points.Count(p => !p.Verified);
        return failed > 0 ? $" ({failed} result(s) FAILED verification)" : string.Empty;
    }

    /// <summary>Writes <paramref name="plot"/> as NAME.svg and NAME.png in <paramref name="directory"/>.</summary>
    public static IEnumerable<string> Save(Plot plot, string directory, string name)
    {
        string svg = Path.Combine(directory, name + ".svg");
        string png = Path.Combine(directory, name + ".png");
        // Written under a temporary name and renamed when complete, like every file of a results folder.
        OutputFile.WriteText(svg, plot.GetSvgXml(Width, Height));
        byte[] bytes;
        using (Image image = plot.GetImage(Width, Height))
        {
            bytes = image.GetImageBytes();
        }

        OutputFile.Write(png, stream => stream.Write(bytes));
        return [svg, png];
    }
}
