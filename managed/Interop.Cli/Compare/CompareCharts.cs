using System.Globalization;
using Interop.Cli.Workloads;
using Interop.Core;
using ScottPlot;

namespace Interop.Cli.Compare;

/// <summary>
/// One bar of a throughput chart: the throughput at the median time and, where the median time has a
/// 95 % confidence interval (3 runs or more), that interval as a throughput: rate = work / time falls
/// as time grows, so the ends swap, <see cref="Low"/> = work / the interval's upper time and
/// <see cref="High"/> = work / its lower time. Both null without an interval: no error bar.
/// </summary>
internal sealed record ChartBar(string Backend, string Series, string Group, double Median, double? Low, double? High, Color Color)
{
    /// <summary>The bar of one measured point.</summary>
    public static ChartBar Of(ComparePoint p, string series, string group, Color color)
    {
        (double Low, double High)? interval = ThroughputInterval(p.Stats, p.WorkPerRun);
        return new(p.Backend, series, group, p.Throughput, interval?.Low, interval?.High, color);
    }

    /// <summary>Whether the bar has an interval to draw.</summary>
    public bool HasInterval => Low is not null && High is not null;

    /// <summary>
    /// The confidence interval of the throughput at the median time, from that of the time: null without
    /// one, or where its lower end is not above 0 s (no finite throughput bound).
    /// </summary>
    public static (double Low, double High)? ThroughputInterval(TimingStats stats, double workPerRun) =>
        stats is { CiLower: double fastest and > 0, CiUpper: double slowest } ? (workPerRun / slowest, workPerRun / fastest) : null;
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
/// (<see cref="ChartPalette"/>), with error bars from the 95 % confidence interval of the median
/// time (as a throughput, so asymmetric) and a log axis when the values span more than a decade;
/// throughput, since the serial baseline may run less work. The scaling chart shows each backend's
/// speedup on w workers over its own 1-worker point, with its 95 % confidence interval and the
/// ideal line. A point of fewer runs than an interval needs has no error bar. Titles carry the
/// workload size, the CPU, the repeats and the date, wrapped to the width they have
/// (<see cref="ChartText"/>).
/// </summary>
internal static class CompareCharts
{
    public const int Width = 900;
    public const int Height = 540;

    /// <summary>Values spanning more than this ratio are drawn on a log axis.</summary>
    public const double LogAxisRatio = 10;

    /// <summary>The colour of every error bar of a throughput chart: drawn over the bars, so it is not a backend's colour.</summary>
    public static readonly Color ErrorBarColor = Colors.Black;

    /// <summary>The line width of every error bar, pixels (thinner than a speedup chart's series line).</summary>
    public const float ErrorBarLineWidth = 1.5f;

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
            string[] cpus = [run.Environment.FirstOrDefault(e => e.Key == "cpu_model").Value ?? "unknown CPU"];
            string title = $"{WorkloadTitle(workload.Key, points, run.Parameters)}{Failed(points)}";
            bool paths = CompareMetrics.SeveralPaths(run);
            string[] order = [.. points.Select(p => p.Backend).Distinct()];
            ChartBar[] bars =
            [
                .. points.OrderBy(p => p.Workers).ThenBy(p => p.Ranks).ThenBy(p => Array.IndexOf(order, p.Backend)).ThenBy(p => p.Isa, StringComparer.Ordinal)
                    .Select(p => ChartBar.Of(p, CompareMetrics.Series(run, p), Shape(p), paths ? ChartPalette.For(p.Backend, p.Isa) : ChartPalette.For(p.Backend))),
            ];
            string throughputSubtitle = Subtitle(cpus, points, [run.Started], BarsCaption(bars.Count(b => b.HasInterval), bars.Length, "of the median"));
            charts.Add(ThroughputChart($"{workload.Key}-throughput", $"{title}: throughput (higher is better)", throughputSubtitle, points[0].ThroughputUnit, bars));
            charts.Add(SpeedupChart(run, $"{workload.Key}-speedup", $"{title}: speedup over the same backend on 1 rank x 1 thread", cpus, points));
        }

        return charts;
    }

    /// <summary>"Monte Carlo pi, 1,500,000,000 darts (managed-serial 280,000,000)" or "Matrix inversion, n = 2800".</summary>
    public static string WorkloadTitle(string workload, IReadOnlyList<ComparePoint> points, IReadOnlyList<KeyValuePair<string, string?>> parameters) =>
        WorkloadRegistry.Named(workload).ChartTitle(points, parameters);

    /// <summary>The second title line: CPU(s), repeats and what the error bars are (<paramref name="bars"/>), date(s).</summary>
    public static string Subtitle(IEnumerable<string> cpus, IReadOnlyList<ComparePoint> points, IEnumerable<DateTimeOffset> dates, string bars)
    {
        int[] repeats = [.. points.Select(p => p.Seconds.Count).Distinct().Order()];
        string runs = repeats.Length == 1 ? repeats[0].ToString(Invariant) : $"{repeats[0]}-{repeats[^1]}";
        string[] days = [.. dates.Select(d => d.UtcDateTime.ToString("yyyy-MM-dd", Invariant)).Distinct().Order()];
        string when = days.Length == 1 ? days[0] : $"{days[0]} to {days[^1]}";
        return $"{string.Join(" / ", cpus.Distinct())}; median of {runs} run(s), {bars}; {when}";
    }

    /// <summary>
    /// What the error bars of a chart are: "bars = 95% CI of the median" (no colon: a title breaks after one), with the points that have none
    /// (fewer runs than <see cref="TimingStats.MinRunsForCi"/>) said, or "no bars" when no point has one.
    /// </summary>
    public static string BarsCaption(int withInterval, int points, string of)
    {
        string level = TimingStats.FormatPercent(TimingStats.ConfidenceLevel);
        string few = string.Create(Invariant, $"fewer than {TimingStats.MinRunsForCi} runs");
        return withInterval == 0 ? $"no bars ({level} CIs need {TimingStats.MinRunsForCi}+ runs)"
            : withInterval < points ? $"bars = {level} CI {of} (none with {few})"
            : $"bars = {level} CI {of}";
    }

    /// <summary>"1x2": ranks x threads.</summary>
    public static string Shape(ComparePoint p) => string.Create(Invariant, $"{p.Ranks}x{p.ThreadsText}");

    /// <summary>
    /// Bars grouped along the x axis by <see cref="ChartBar.Group"/> (in the order given), one bar per
    /// series in its colour, each with an interval with an asymmetric error bar from <see cref="ChartBar.Low"/>
    /// to <see cref="ChartBar.High"/>; a log axis where the values span more than <see cref="LogAxisRatio"/>.
    /// </summary>
    public static ChartModel ThroughputChart(string name, string title, string subtitle, string unit, IReadOnlyList<ChartBar> bars, string xLabel = "ranks x threads")
    {
        double lowest = bars.Min(b => b.Low ?? b.Median);
        bool log = lowest > 0 && bars.Max(b => b.High ?? b.Median) / lowest > LogAxisRatio;
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
        int[] withInterval = [.. Enumerable.Range(0, bars.Count).Where(i => bars[i].HasInterval)];
        if (withInterval.Length > 0)
        {
            double[] medians = [.. withInterval.Select(i => model.ToAxis(bars[i].Median))];
            plot.Add.Plottable(ErrorBars(
                [.. withInterval.Select(i => drawn[i].Position)],
                medians,
                [.. withInterval.Select((i, k) => medians[k] - model.ToAxis(bars[i].Low!.Value))],
                [.. withInterval.Select((i, k) => model.ToAxis(bars[i].High!.Value) - medians[k])],
                ErrorBarColor));
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        if (log)
        {
            plot.Axes.Left.TickGenerator = LogTicks();
        }

        foreach (ChartBar b in bars.DistinctBy(b => b.Series))
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = b.Series, FillColor = b.Color });
        }

        plot.ShowLegend(Edge.Right);
        plot.Axes.Margins(bottom: 0);
        ChartText.Fit(plot, Width, Height, title, subtitle, $"throughput ({unit}{(log ? ", log scale" : string.Empty)})", xLabel);
        return model;
    }

    /// <summary>
    /// The ticks of an axis that holds log10 of the values: one per decade, labelled with the value
    /// (1e-4, 0.01, 100, 1e6), and unlabelled minor ticks between.
    /// </summary>
    public static ScottPlot.TickGenerators.NumericAutomatic LogTicks() => new()
    {
        IntegerTicksOnly = true,
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        LabelFormatter = y => Math.Abs(y) >= 4 ? string.Create(Invariant, $"1e{y:0}") : Math.Pow(10, y).ToString("0.###", Invariant),
    };

    /// <summary>
    /// Error bars at <paramref name="xs"/> from <paramref name="ys"/> - <paramref name="below"/> to
    /// <paramref name="ys"/> + <paramref name="above"/>.
    /// </summary>
    public static ScottPlot.Plottables.ErrorBar ErrorBars(double[] xs, double[] ys, double[] below, double[] above, Color color) =>
        new(xs, ys, null, null, above, below)
        {
            Color = color,
            LineWidth = ErrorBarLineWidth,
            CapSize = 6,
        };

    /// <summary>
    /// Adds each point of a speedup chart's series: its marker line and, where its ratio has an
    /// interval, an error bar from its lower to its upper end (the ratio's 95 % interval, as the tables
    /// print it: asymmetric, from the log scale, never below 0).
    /// </summary>
    public static ScottPlot.Plottables.Scatter AddSpeedupSeries(Plot plot, double[] workers, IReadOnlyList<RatioEstimate> ratios, Color color)
    {
        double[] ys = [.. ratios.Select(r => r.Value)];
        ScottPlot.Plottables.Scatter scatter = plot.Add.Scatter(workers, ys);
        scatter.Color = color;
        scatter.LineWidth = 2;
        int[] withInterval = [.. Enumerable.Range(0, ratios.Count).Where(i => ratios[i].HasInterval)];
        if (withInterval.Length > 0)
        {
            plot.Add.Plottable(ErrorBars(
                [.. withInterval.Select(i => workers[i])],
                [.. withInterval.Select(i => ys[i])],
                [.. withInterval.Select(i => ys[i] - ratios[i].Lower!.Value)],
                [.. withInterval.Select(i => ratios[i].Upper!.Value - ys[i])],
                color));
        }

        return scatter;
    }

    private static ChartModel SpeedupChart(CompareRun run, string name, string title, IReadOnlyList<string> cpus, IReadOnlyList<ComparePoint> points)
    {
        var plot = new Plot();
        int most = points.Max(p => p.Workers);
        double[] ideal = [.. Enumerable.Range(1, most).Select(w => (double)w)];
        var line = plot.Add.ScatterLine(ideal, ideal);
        line.LegendText = "ideal (speedup = workers)";
        line.Color = Colors.Black.WithAlpha(0.6);
        line.LineWidth = 2;
        bool paths = CompareMetrics.SeveralPaths(run);
        int drawn = 0, withInterval = 0;
        foreach (IGrouping<string, ComparePoint> backend in points.GroupBy(p => CompareMetrics.Series(run, p)))
        {
            ComparePoint[] ordered = [.. backend.OrderBy(p => p.Workers)];
            if (ordered[0].Workers != 1 || ordered.Length < 2)
            {
                continue; // no scaling to show without the 1-worker point and another one
            }

            RatioEstimate[] ratios = [.. ordered.Select(p => CompareMetrics.ScalingRatio(run, p)!.Value)];
            Color color = paths ? ChartPalette.For(ordered[0].Backend, ordered[0].Isa) : ChartPalette.For(ordered[0].Backend);
            ScottPlot.Plottables.Scatter scatter = AddSpeedupSeries(plot, [.. ordered.Select(p => (double)p.Workers)], ratios, color);
            scatter.LegendText = backend.Key;
            scatter.MarkerSize = 9;
            drawn += ordered.Length - 1; // the 1-worker point is the reference, exactly 1
            withInterval += ratios.Count(r => r.HasInterval);
        }

        plot.ShowLegend(Alignment.UpperLeft);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(1, most).Select(w => new Tick(w, w.ToString(Invariant)))]);
        string subtitle = Subtitle(cpus, points, [run.Started], BarsCaption(withInterval, drawn, "of the ratio of medians"));
        ChartText.Fit(plot, Width, Height, title, subtitle, "speedup (x, against the same backend on 1x1)", "workers (ranks x threads)");
        return new ChartModel(name, plot, [], false);
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
        SaveAs(plot, svg);
        SaveAs(plot, png);
        return [svg, png];
    }

    /// <summary>The extensions <see cref="SaveAs"/> writes, with the dot.</summary>
    public static IReadOnlyList<string> FileExtensions { get; } = [".svg", ".png"];

    /// <summary>
    /// Writes <paramref name="plot"/> to <paramref name="path"/> as SVG or PNG, by its extension (one of
    /// <see cref="FileExtensions"/>), under a temporary name renamed when complete, like every file of a results folder.
    /// </summary>
    public static void SaveAs(Plot plot, string path)
    {
        if (Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase))
        {
            OutputFile.WriteText(path, plot.GetSvgXml(Width, Height));
            return;
        }

        byte[] bytes;
        using (Image image = plot.GetImage(Width, Height))
        {
            bytes = image.GetImageBytes();
        }

        OutputFile.Write(path, stream => stream.Write(bytes));
    }
}
