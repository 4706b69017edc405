using System.Xml.Linq;
using Interop.Cli.Compare;
using Interop.Cli.Report;
using Interop.Cli.Workloads;
using Interop.Core;
using ScottPlot;
using ScottPlot.Plottables;

namespace Interop.Tests;

/// <summary>
/// The charts draw what the data says: error bars from the 95 % CIs (none where a point has none), one colour
/// per backend everywhere, titles and axis labels that fit, with units; every chart type of pi, inv and ep renders.
/// </summary>
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
    public void ErrorBarsAreTheConfidenceIntervalOfEveryPointAsThroughput(double serialSeconds)
    {
        CompareRun run = Skewed(serialSeconds);
        foreach (ChartModel chart in CompareCharts.Build(run).Where(c => c.Name.EndsWith("-throughput", StringComparison.Ordinal)))
        {
            string workload = chart.Name.Split('-')[0];
            ComparePoint[] points = [.. run.Points.Where(p => p.Workload == workload)];
            BarPlot bars = chart.Plot.GetPlottables<BarPlot>().Single();
            ErrorBar errors = chart.Plot.GetPlottables<ErrorBar>().Single();
            Assert.That(bars.Bars, Has.Count.EqualTo(points.Length));
            // Every point has 3 runs, so a CI of its median time; one whose CI reaches 0 s has no finite
            // throughput bound, so no bar.
            ComparePoint[] bounded = [.. points.Where(p => TimingStats.From(p.Seconds).CiLower > 0)];
            Assert.That(bounded, Is.Not.Empty, chart.Name);
            Assert.That(errors.Ys, Has.Count.EqualTo(bounded.Length));
            Assert.That(chart.Bars.Count(b => b.HasInterval), Is.EqualTo(bounded.Length));
            for (int i = 0, drawn = 0; i < points.Length; i++)
            {
                ChartBar bar = chart.Bars[i];
                ComparePoint p = points.Single(q => q.Backend == bar.Backend && CompareCharts.Shape(q) == bar.Group);
                Assert.That(bars.Bars[i].Value, Is.EqualTo(chart.ToAxis(p.Throughput)).Within(1e-9));
                TimingStats stats = TimingStats.From(p.Seconds);
                if (!bounded.Contains(p))
                {
                    Assert.That(bar.Low, Is.Null, $"{chart.Name} {p.Backend} {bar.Group}");
                    continue;
                }

                // rate = work / time: the slow end of the time's interval is the low end of the rate's.
                double low = p.WorkPerRun / stats.CiUpper!.Value;
                double high = p.WorkPerRun / stats.CiLower!.Value;
                Assert.That(bar.Low, Is.EqualTo(low).Within(1e-9).Percent, chart.Name);
                Assert.That(bar.High, Is.EqualTo(high).Within(1e-9).Percent, chart.Name);
                Assert.That(low, Is.LessThan(p.Throughput), chart.Name);
                Assert.That(high, Is.GreaterThan(p.Throughput), chart.Name);
                // What ScottPlot draws: the bar at the median, whiskers down and up to the interval's ends.
                Assert.That(errors.Xs[drawn], Is.EqualTo(bars.Bars[i].Position));
                Assert.That(errors.Ys[drawn] - errors.YErrorNegative![drawn], Is.EqualTo(chart.ToAxis(low)).Within(1e-9), $"{chart.Name} {p.Backend} {bar.Group} lower whisker");
                Assert.That(errors.Ys[drawn] + errors.YErrorPositive![drawn], Is.EqualTo(chart.ToAxis(high)).Within(1e-9), $"{chart.Name} {p.Backend} {bar.Group} upper whisker");
                Assert.That(bars.Bars[i].Error, Is.Zero, "no symmetric error drawn by the bar itself");
                drawn++;
            }

            double ratio = chart.Bars.Max(b => b.High ?? b.Median) / chart.Bars.Min(b => b.Low ?? b.Median);
            Assert.That(chart.LogScale, Is.EqualTo(ratio > CompareCharts.LogAxisRatio), chart.Name);
        }
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

    // pi, inv and ep points as compare measures them (work and unit from each workload's own declaration),
    // most with 3 or 5 runs (a 95 % CI), one with 1 run and one with 2 (no CI: no bar).
    private static ComparePoint Measured(string workload, string backend, int threads, params double[] seconds)
    {
        IWorkload w = WorkloadRegistry.Named(workload);
        long size = workload switch { "pi" => 100_000_000, "inv" => 1000, _ => 24 };
        return new ComparePoint(workload, backend, 1, threads, seconds, w.WorkPerRun(size), w.ThroughputUnit, true, "ok") { Size = size, Isa = "avx2" };
    }

    private static CompareRun ThreeWorkloads(string cpu = "Test CPU 9000") => new(
        new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero), 10,
        [new("darts", "100000000"), new("n", "1000"), new("m", "24"), new("seed", "42")],
        [new("cpu_model", cpu)],
        [],
        [
            Measured("pi", "managed-serial", 1, 2.0, 2.1, 2.4),
            Measured("pi", "managed-parallel", 1, 0.50, 0.52, 0.60),
            Measured("pi", "managed-parallel", 2, 0.26, 0.27, 0.33),
            Measured("pi", "c-openmp", 1, 0.40, 0.41, 0.45, 0.43, 0.42),
            Measured("pi", "c-openmp", 2, 0.21), // 1 run: no CI
            Measured("inv", "c-openmp", 1, 1.70, 1.80, 2.00),
            Measured("inv", "c-openmp", 2, 0.95, 1.00, 1.10),
            Measured("inv", "lapack", 1, 0.20, 0.22), // 2 runs: no CI
            Measured("inv", "lapack", 2, 0.12, 0.13, 0.15),
            Measured("ep", "managed-serial", 1, 3.0, 3.2, 3.3),
            Measured("ep", "managed-parallel", 1, 1.00, 1.05, 1.20),
            Measured("ep", "managed-parallel", 2, 0.52, 0.55, 0.60),
        ]);

    private static ReportModel Report(CompareRun run) =>
        ReportModel.Merge([new ReportRun("runs/zen5-threads", "runs/zen5-threads", run)], allowMixed: false, allowIncomplete: false);

    /// <summary>Every chart compare and report draw for the run: throughput and speedup of pi, inv and ep.</summary>
    private static IReadOnlyList<ChartModel> EveryChart(CompareRun run) => [.. CompareCharts.Build(run), .. ReportCharts.Build(Report(run))];

    private static bool HasCi(ComparePoint p) => TimingStats.From(p.Seconds).CiLower is not null;

    // The error bars ScottPlot wrote into an SVG: each ErrorBar is one <path> of the error bars' line width,
    // three subpaths (a cap, the whisker, a cap) per bar.
    private static int SvgErrorBars(string svg)
    {
        XDocument doc = XDocument.Parse(svg);
        string width = CompareCharts.ErrorBarLineWidth.ToString(System.Globalization.CultureInfo.InvariantCulture);
        int moves = doc.Descendants().Where(e => e.Name.LocalName == "path" && (string?)e.Attribute("stroke-width") == width)
            .Sum(e => ((string?)e.Attribute("d") ?? string.Empty).Count(c => c == 'M'));
        Assert.That(moves % 3, Is.Zero, "three strokes per error bar");
        return moves / 3;
    }

    [Test]
    public void EveryChartTypeOfPiInvAndEpRendersAtItsDeclaredSizeWithOneBarPerPointWithACi()
    {
        CompareRun run = ThreeWorkloads();
        ReportModel report = Report(run);
        IReadOnlyList<ChartModel> charts = EveryChart(run);
        Assert.That(charts.Select(c => c.Name), Is.EquivalentTo(
            from prefix in new[] { string.Empty, "report-" } from w in new[] { "pi", "inv", "ep" } from kind in new[] { "throughput", "speedup" } select $"{prefix}{w}-{kind}"));
        foreach (ChartModel chart in charts)
        {
            string workload = chart.Name.Replace("report-", string.Empty, StringComparison.Ordinal).Split('-')[0];
            ComparePoint[] points = [.. run.Points.Where(p => p.Workload == workload)];
            int expected;
            if (chart.Name.EndsWith("-throughput", StringComparison.Ordinal))
            {
                expected = points.Count(HasCi);
            }
            else
            {
                // compare and report alike (one speedup definition): against the same backend's 1-worker
                // point of the same run, a bar where both have a CI.
                expected = points.Where(p => p.Workers > 1).Count(p => HasCi(p) && points.Single(o => o.Backend == p.Backend && o.Workers == 1) is var one && HasCi(one));
            }

            Assert.That(expected, Is.GreaterThan(0), $"{chart.Name}: the model gives the chart bars to draw");
            using (Image image = chart.Plot.GetImage(CompareCharts.Width, CompareCharts.Height))
            {
                byte[] png = image.GetImageBytes();
                Assert.That(png.Take(8), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), chart.Name);
                Assert.That(System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)), Is.EqualTo(CompareCharts.Width), $"{chart.Name} PNG width");
                Assert.That(System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)), Is.EqualTo(CompareCharts.Height), $"{chart.Name} PNG height");
            }

            string svg = chart.Plot.GetSvgXml(CompareCharts.Width, CompareCharts.Height);
            XElement root = XDocument.Parse(svg).Root!;
            Assert.That((string?)root.Attribute("width"), Is.EqualTo(CompareCharts.Width.ToString(System.Globalization.CultureInfo.InvariantCulture)), $"{chart.Name} SVG width");
            Assert.That((string?)root.Attribute("height"), Is.EqualTo(CompareCharts.Height.ToString(System.Globalization.CultureInfo.InvariantCulture)), $"{chart.Name} SVG height");
            Assert.That(SvgErrorBars(svg), Is.EqualTo(expected), $"{chart.Name}: one error bar per point with a 95% CI, none for the others");
            string caption = chart.Plot.Axes.Title.Label.Text.Replace('\n', ' ');
            Assert.That(caption, Does.Contain("bars = 95% CI"), $"{chart.Name}: the caption says what the bars are");
            Assert.That(caption.Contains("(none with fewer than 3 runs)", StringComparison.Ordinal), Is.EqualTo(points.Any(p => !HasCi(p))), $"{chart.Name}: the caption says which points have no bar");
        }
    }

    [Test]
    public void SpeedupBarsAreTheModelsRatioIntervalsAndAPointWithoutACiHasNone()
    {
        CompareRun run = ThreeWorkloads();
        foreach (ChartModel chart in CompareCharts.Build(run).Where(c => c.Name.EndsWith("-speedup", StringComparison.Ordinal)))
        {
            string workload = chart.Name.Split('-')[0];
            ErrorBar[] errors = [.. chart.Plot.GetPlottables<ErrorBar>()];
            var drawn = errors.SelectMany(e => e.Xs.Select((x, i) => (X: x, Y: e.Ys[i], Low: e.Ys[i] - e.YErrorNegative![i], High: e.Ys[i] + e.YErrorPositive![i], e.Color))).ToList();
            foreach (ComparePoint p in run.Points.Where(p => p.Workload == workload && p.Workers > 1))
            {
                RatioEstimate speedup = CompareMetrics.ScalingRatio(run, p)!.Value;
                var mine = drawn.Where(d => d.X == p.Workers && d.Color == ChartPalette.For(p.Backend)).ToList();
                if (!speedup.HasInterval)
                {
                    Assert.That(mine, Is.Empty, $"{chart.Name} {p.Backend} x{p.Workers}: no CI, no bar");
                    continue;
                }

                Assert.That(mine, Has.Count.EqualTo(1), $"{chart.Name} {p.Backend} x{p.Workers}");
                Assert.That(mine[0].Y, Is.EqualTo(speedup.Value).Within(1e-12));
                Assert.That(mine[0].Low, Is.EqualTo(speedup.Lower!.Value).Within(1e-12));
                Assert.That(mine[0].High, Is.EqualTo(speedup.Upper!.Value).Within(1e-12));
            }
        }

        // c-openmp at 2 threads ran once: its point is drawn, without a bar.
        ChartModel pi = CompareCharts.Build(run).Single(c => c.Name == "pi-speedup");
        Assert.That(pi.Plot.GetPlottables<Scatter>().Single(s => s.LegendText == "c-openmp").Data.GetScatterPoints(), Has.Count.EqualTo(2));
        Assert.That(pi.Plot.GetPlottables<ErrorBar>().SelectMany(e => e.Xs.Select((x, i) => (x, e.Color))).Where(b => b.Color == ChartPalette.For("c-openmp")), Is.Empty);

        // The report's speedups are its table's (each row's Speedup), with the ratio's interval.
        ReportModel report = Report(run);
        foreach (ReportWorkload w in report.Workloads)
        {
            ErrorBar[] errors = [.. ReportCharts.Build(report).Single(c => c.Name == $"report-{w.Workload}-speedup").Plot.GetPlottables<ErrorBar>()];
            foreach (ReportRow row in w.Rows.Where(r => r.Point.Workers > 1))
            {
                RatioEstimate speedup = row.Speedup!.Ratio;
                int bars = errors.Where(e => e.Color == ChartPalette.For(row.Point.Backend)).Sum(e => e.Xs.Count(x => x == row.Point.Workers));
                Assert.That(bars, Is.EqualTo(speedup.HasInterval ? 1 : 0), $"report {w.Workload} {row.Point.Backend} x{row.Point.Workers}");
            }
        }
    }

    [Test]
    public void AxisLabelsCarryTheUnitsAndTheSpeedupReference()
    {
        CompareRun run = ThreeWorkloads();
        foreach (ChartModel chart in EveryChart(run))
        {
            string workload = chart.Name.Replace("report-", string.Empty, StringComparison.Ordinal).Split('-')[0];
            string y = chart.Plot.Axes.Left.Label.Text.Replace("\n", " ", StringComparison.Ordinal);
            if (chart.Name.EndsWith("-throughput", StringComparison.Ordinal))
            {
                Assert.That(y, Does.Contain($"({WorkloadRegistry.Named(workload).ThroughputUnit}"), chart.Name);
                Assert.That(chart.Plot.Axes.Bottom.Label.Text, Is.EqualTo("ranks x threads"), chart.Name);
            }
            else
            {
                Assert.That(y, Does.StartWith("speedup (x, against "), chart.Name);
                Assert.That(chart.Plot.Axes.Bottom.Label.Text, Is.EqualTo("workers (ranks x threads)"), chart.Name);
            }
        }

        ReportModel report = Report(run);
        ReportWorkload pi = report.Workloads.Single(w => w.Workload == "pi");
        Assert.That(ReportCharts.Build(report).Single(c => c.Name == "report-pi-speedup").Plot.Axes.Left.Label.Text.Replace("\n", " ", StringComparison.Ordinal),
            Does.Contain(pi.OwnReferenceOnly ? "against the same backend on 1x1" : "against 1x1 (reference under the table)"));
    }

    [TestCase("Test CPU 9000")]
    [TestCase("AMD Ryzen 9 9950X3D 16-Core Processor (engineering sample, microcode 0x0b404023, 2 of 32 cores given to this job by the scheduler)")]
    public void TitlesAndAxisLabelsFitTheChartMeasuredInTheirFont(string cpu)
    {
        foreach (ChartModel chart in EveryChart(ThreeWorkloads(cpu)))
        {
            PixelRect data = ChartText.Layout(chart.Plot, CompareCharts.Width, CompareCharts.Height);
            string[] title = chart.Plot.Axes.Title.Label.Text.Split('\n');
            Assert.That(title, Has.Length.InRange(2, 2 * ChartText.MaxLines), chart.Name);
            foreach (string line in title)
            {
                // ScottPlot centres the title over the data area: it must end inside the image on both sides.
                float half = ChartText.Measure(line, chart.Plot.Axes.Title.Label) / 2;
                Assert.That(data.HorizontalCenter - half, Is.GreaterThanOrEqualTo(0), $"{chart.Name}: '{line}' clipped on the left");
                Assert.That(data.HorizontalCenter + half, Is.LessThanOrEqualTo(CompareCharts.Width), $"{chart.Name}: '{line}' clipped on the right");
            }

            foreach (string line in chart.Plot.Axes.Left.Label.Text.Split('\n'))
            {
                Assert.That(ChartText.Measure(line, chart.Plot.Axes.Left.Label), Is.LessThanOrEqualTo(data.Height), $"{chart.Name}: y label '{line}'");
            }

            foreach (string line in chart.Plot.Axes.Bottom.Label.Text.Split('\n'))
            {
                Assert.That(ChartText.Measure(line, chart.Plot.Axes.Bottom.Label), Is.LessThanOrEqualTo(data.Width), $"{chart.Name}: x label '{line}'");
            }

            // Wrapped, not cut: what the title says is all there (the CPU name included) unless it had to be
            // shortened, and then the CPU name is, not the date or what the bars are.
            string joined = string.Join(' ', title);
            Assert.That(joined.Contains(cpu, StringComparison.Ordinal) || joined.Contains("...", StringComparison.Ordinal), Is.True, $"{chart.Name}: {joined}");
            Assert.That(joined, Does.Contain("bars = 95% CI").And.EndWith("2026-11-24"), chart.Name);
        }
    }

    [Test]
    public void WrapBreaksAtPhrasesFirstAndShortensOnlyBeyondTwoLines()
    {
        var style = new LabelStyle { FontSize = ChartText.TitleFontSize, Bold = true };
        const string text = "Monte Carlo pi, 100,000,000 darts (1 result(s) FAILED verification): throughput (higher is better)";
        float full = ChartText.Measure(text, style);
        IReadOnlyList<string> two = ChartText.Wrap(text, style, full * 0.7f);
        Assert.That(two, Has.Count.EqualTo(2));
        Assert.That(string.Join(' ', two), Is.EqualTo(text), "wrapped, nothing lost");
        Assert.That(two[0], Does.Match("[,;:]$"), "broken after a phrase, not inside one");
        Assert.That(two.All(l => ChartText.Measure(l, style) <= full * 0.7f), Is.True);
        // Too long for two lines: the widest phrase is shortened, the others (the last one here) stay whole.
        IReadOnlyList<string> cut = ChartText.Wrap(text, style, full * 0.45f);
        Assert.That(cut, Has.Count.EqualTo(ChartText.MaxLines));
        Assert.That(string.Join(' ', cut), Does.Contain("...").And.EndWith("throughput (higher is better)"));
        Assert.That(cut.All(l => ChartText.Measure(l, style) <= full * 0.45f), Is.True);
        Assert.That(ChartText.Wrap(text, style, full + 1), Is.EqualTo(new[] { text }), "a text that fits stays one line");
    }
}
