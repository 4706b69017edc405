using Interop.Core;
using ScottPlot;

namespace Interop.Cli.Compare;

/// <summary>
/// Charts of a compare run, per workload, as SVG and PNG (ScottPlot): the throughput of every
/// backend at every ranks x threads shape (bars with min-max error bars; throughput, since the serial
/// baseline may run less work), and each backend's scaling (its throughput on w workers over its
/// own 1-worker throughput) against workers, with the ideal line.
/// </summary>
internal static class CompareCharts
{
    private const int Width = 900;
    private const int Height = 540;

    /// <summary>Every file name a compare may write here, for every workload: what <c>--force</c> removes.</summary>
    public static IEnumerable<string> FileNames { get; } =
        [.. from workload in new[] { "pi", "inv" } from kind in new[] { "throughput", "speedup" } from ext in new[] { "svg", "png" } select $"{workload}-{kind}.{ext}"];

    public static IReadOnlyList<string> Write(CompareRun run, string directory)
    {
        var files = new List<string>();
        foreach (IGrouping<string, ComparePoint> workload in run.Points.GroupBy(p => p.Workload))
        {
            int failed = workload.Count(p => !p.Verified);
            string title = (workload.Key == "pi" ? "Monte Carlo pi" : "Matrix inversion") + (failed > 0 ? $" ({failed} result(s) FAILED verification)" : string.Empty);
            files.AddRange(Save(ThroughputPlot(run, title, [.. workload]), directory, $"{workload.Key}-throughput"));
            files.AddRange(Save(SpeedupPlot(run, title, [.. workload]), directory, $"{workload.Key}-speedup"));
        }

        return files;
    }

    private static Plot ThroughputPlot(CompareRun run, string title, IReadOnlyList<ComparePoint> points)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int[] shapes = [.. points.Select(p => p.Workers).Distinct().Order()];
        string[] backends = [.. points.Select(p => CompareMetrics.Series(run, p)).Distinct()];
        var ticks = new List<Tick>();
        double position = 0;
        foreach ((string backend, int b) in backends.Select((name, i) => (name, i)))
        {
            double start = position;
            foreach (ComparePoint p in points.Where(p => CompareMetrics.Series(run, p) == backend).OrderBy(p => p.Workers))
            {
                var bar = new Bar
                {
                    Position = position,
                    Value = p.Throughput,
                    Error = ((p.WorkPerRun / p.Stats.Min) - (p.WorkPerRun / p.Stats.Max)) / 2,
                    FillColor = palette.GetColor(Array.IndexOf(shapes, p.Workers)),
                };
                plot.Add.Bar(bar);
                position++;
            }

            ticks.Add(new Tick((start + position - 1) / 2, backend));
            position += 0.8;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        foreach ((int workers, int i) in shapes.Select((w, i) => (w, i)))
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{workers} worker(s)", FillColor = palette.GetColor(i) });
        }

        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.Margins(bottom: 0);
        plot.Title($"{title}: throughput per backend (higher is better)");
        plot.YLabel($"{points[0].ThroughputUnit} at the median time (bars show min-max)");
        plot.XLabel("backend, by ranks x threads");
        return plot;
    }

    private static Plot SpeedupPlot(CompareRun run, string title, IReadOnlyList<ComparePoint> points)
    {
        var plot = new Plot();
        int most = points.Max(p => p.Workers);
        double[] ideal = [.. Enumerable.Range(1, most).Select(w => (double)w)];
        var line = plot.Add.ScatterLine(ideal, ideal);
        line.LegendText = "ideal (speedup = workers)";
        line.Color = Colors.Gray;
        line.LineWidth = 3;
        foreach (IGrouping<string, ComparePoint> backend in points.GroupBy(p => CompareMetrics.Series(run, p)))
        {
            ComparePoint[] ordered = [.. backend.OrderBy(p => p.Workers)];
            double[] xs = [.. ordered.Select(p => (double)p.Workers)];
            if (ordered[0].Workers != 1 || ordered.Length < 2)
            {
                continue; // no scaling to show without the 1-worker point and another one
            }

            double[] ys = [.. ordered.Select(p => p.Throughput / ordered[0].Throughput)];

            var scatter = plot.Add.Scatter(xs, ys);
            scatter.LegendText = backend.Key;
            scatter.MarkerSize = 9;
            scatter.LineWidth = 2;
        }

        plot.ShowLegend(Alignment.UpperLeft);
        plot.Title($"{title}: scaling, speedup over the same backend on 1 worker");
        plot.XLabel("workers (ranks x threads)");
        plot.YLabel("speedup (x)");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(1, most).Select(w => new Tick(w, w.ToString(System.Globalization.CultureInfo.InvariantCulture)))]);
        return plot;
    }

    private static IEnumerable<string> Save(Plot plot, string directory, string name)
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
