using Interop.Cli.Compare;
using ScottPlot;
using ScottPlot.Plottables;

namespace Interop.Tests;

/// <summary>The charts draw what the data says: true min-max bars, one colour per backend everywhere.</summary>
public sealed class ChartTests
{
    private static ComparePoint Point(string workload, string backend, int ranks, int threads, double work, params double[] seconds) =>
        new(workload, backend, ranks, threads, seconds, work, workload == "pi" ? "darts/s" : "GFLOP/s", true, "ok") { Size = workload == "pi" ? 1_000_000_000 : 2000, Isa = "avx2" };

    private static CompareRun Run(IReadOnlyList<ComparePoint> points) => new(
        new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero), 10,
        [new("darts", "1000000000"), new("n", "2000"), new("seed", "42")],
        [new("cpu_model", "Test CPU 9000")],
        [],
        points);

    // Skewed repeats (the median is not the middle of min and max), as in the c-openmp example.
    private static CompareRun Skewed(double serialSeconds = 4.0) => Run(
    [
        Point("pi", "managed-serial", 1, 1, 1e9, serialSeconds, serialSeconds * 1.1, serialSeconds * 1.5),
        Point("pi", "managed-parallel", 1, 1, 1e9, 0.50, 0.52, 0.90),
        Point("pi", "managed-parallel", 1, 2, 1e9, 0.25, 0.40, 0.41),
        Point("pi", "c-openmp", 1, 1, 1e9, 0.40, 0.41, 0.70),
        Point("pi", "c-openmp", 1, 2, 1e9, 0.18, 0.21, 0.22),
        Point("inv", "c-openmp", 1, 1, 16, 17.7, 20.0, 24.5),
        Point("inv", "lapack", 1, 1, 16, 2.0, 2.1, 2.2),
        Point("inv", "lapack", 1, 2, 16, 1.2, 1.1, 1.3),
    ]);

    [TestCase(4.0)]
    [TestCase(400.0)] // a serial point 100x slower: log axis
    public void ErrorBarsSpanTheTrueMinMaxOfEveryPoint(double serialSeconds)
    {
        CompareRun run = Skewed(serialSeconds);
        foreach (ChartModel chart in CompareCharts.Build(run).Where(c => c.Name.EndsWith("-throughput", StringComparison.Ordinal)))
        {
            string workload = chart.Name.Split('-')[0];
            ComparePoint[] points = [.. run.Points.Where(p => p.Workload == workload)];
            BarPlot bars = chart.Plot.GetPlottables<BarPlot>().Single();
            ErrorBar errors = chart.Plot.GetPlottables<ErrorBar>().Single();
            Assert.That(bars.Bars, Has.Count.EqualTo(points.Length));
            Assert.That(errors.Ys, Has.Count.EqualTo(points.Length));
            for (int i = 0; i < points.Length; i++)
            {
                ChartBar bar = chart.Bars[i];
                ComparePoint p = points.Single(q => q.Backend == bar.Backend && CompareCharts.Shape(q) == bar.Group);
                double slowest = p.WorkPerRun / p.Seconds.Max();
                double fastest = p.WorkPerRun / p.Seconds.Min();
                Assert.That(bar.Low, Is.EqualTo(slowest).Within(1e-9).Percent, chart.Name);
                Assert.That(bar.High, Is.EqualTo(fastest).Within(1e-9).Percent, chart.Name);
                // What ScottPlot draws: the bar at the median, whiskers down to the slowest repeat and up to the fastest.
                Assert.That(bars.Bars[i].Value, Is.EqualTo(chart.ToAxis(p.Throughput)).Within(1e-9));
                Assert.That(errors.Xs[i], Is.EqualTo(bars.Bars[i].Position));
                Assert.That(errors.Ys[i] - errors.YErrorNegative![i], Is.EqualTo(chart.ToAxis(slowest)).Within(1e-9), $"{chart.Name} {p.Backend} {bar.Group} lower whisker");
                Assert.That(errors.Ys[i] + errors.YErrorPositive![i], Is.EqualTo(chart.ToAxis(fastest)).Within(1e-9), $"{chart.Name} {p.Backend} {bar.Group} upper whisker");
                Assert.That(bars.Bars[i].Error, Is.Zero, "no symmetric error drawn by the bar itself");
            }

            double ratio = points.Max(p => p.WorkPerRun / p.Seconds.Min()) / points.Min(p => p.WorkPerRun / p.Seconds.Max());
            Assert.That(chart.LogScale, Is.EqualTo(ratio > CompareCharts.LogAxisRatio), chart.Name);
        }

        // The example: c-openmp at n = 2000 ran 17.7-24.5 s, the bar must span exactly that.
        ChartBar c = CompareCharts.Build(run).Single(c => c.Name == "inv-throughput").Bars.Single(b => b.Backend == "c-openmp");
        Assert.That(16 / c.High, Is.EqualTo(17.7).Within(1e-9));
        Assert.That(16 / c.Low, Is.EqualTo(24.5).Within(1e-9));
    }

    [Test]
    public void EveryBackendKeepsItsColourAcrossCharts()
    {
        IReadOnlyList<ChartModel> charts = CompareCharts.Build(Skewed());
        var seen = new Dictionary<string, Color>();
        foreach (ChartModel chart in charts)
        {
            IEnumerable<(string Backend, Color Color)> colours = chart.Bars.Count > 0
                ? chart.Plot.GetPlottables<BarPlot>().Single().Bars.Select((b, i) => (chart.Bars[i].Backend, b.FillColor))
                : chart.Plot.GetPlottables<Scatter>().Where(s => !s.LegendText.StartsWith("ideal", StringComparison.Ordinal)).Select(s => (s.LegendText, s.Color));
            foreach ((string backend, Color colour) in colours)
            {
                Assert.That(colour, Is.EqualTo(ChartPalette.For(backend)), $"{chart.Name} {backend}");
                if (seen.TryGetValue(backend, out Color earlier))
                {
                    Assert.That(colour, Is.EqualTo(earlier), $"{backend} changed colour in {chart.Name}");
                }

                seen[backend] = colour;
            }
        }

        Assert.That(seen.Keys, Is.SupersetOf(new[] { "managed-serial", "managed-parallel", "c-openmp", "lapack" }));
        Assert.That(seen.Values.Distinct().Count(), Is.EqualTo(seen.Count), "two backends share a colour");
        // A backend alone in a chart still has its own colour, not the palette's first.
        ChartModel lone = CompareCharts.Build(Run([Point("pi", "lapack", 1, 1, 1e9, 1, 1, 1)]))[0];
        Assert.That(lone.Plot.GetPlottables<BarPlot>().Single().Bars[0].FillColor, Is.EqualTo(ChartPalette.For("lapack")));
    }

    [Test]
    public void TitlesNameSizeCpuRepeatsAndDateAndTheAxisSaysRanksByThreads()
    {
        foreach (ChartModel chart in CompareCharts.Build(Skewed()))
        {
            string title = chart.Plot.Axes.Title.Label.Text;
            Assert.That(title, Does.Contain(chart.Name.StartsWith("pi", StringComparison.Ordinal) ? "1,000,000,000 darts" : "n = 2000"));
            Assert.That(title, Does.Contain("Test CPU 9000").And.Contain("median of 3 run(s)").And.Contain("2026-11-24"));
            Assert.That(chart.Plot.Axes.Bottom.Label.Text, Does.Contain("ranks x threads"));
            Assert.That(string.Join(" ", chart.Plot.Legend.ManualItems.Select(i => i.LabelText)), Does.Not.Contain("worker(s)"));
        }
    }
}
