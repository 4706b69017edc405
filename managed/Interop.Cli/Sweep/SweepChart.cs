using System.Globalization;
using Interop.Cli.Compare;
using ScottPlot;

namespace Interop.Cli.Sweep;

/// <summary>
/// The convergence chart of a sweep, log-log: each seed's |error| as a faint point, the RMS error per
/// darts count as markers in the backend's colour (<see cref="ChartPalette"/>), the theory's standard
/// deviation sqrt(π (4 - π) / N) as a line, and the fitted line with its slope. Drawn and saved as the
/// compare charts are (<see cref="CompareCharts"/>: size, log ticks, wrapped titles, SVG or PNG).
/// </summary>
internal static class SweepChart
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static Plot Build(SweepRun run, SweepSummary summary)
    {
        SweepOptions o = run.Options;
        var plot = new Plot();
        double[] seedX = [.. summary.Rows.SelectMany(r => r.Errors.Where(e => e != 0).Select(_ => Math.Log10(r.Darts)))];
        double[] seedY = [.. summary.Rows.SelectMany(r => r.Errors.Where(e => e != 0).Select(e => Math.Log10(Math.Abs(e))))];
        Color colour = ChartPalette.For(o.Backend.Name);
        if (seedX.Length > 0)
        {
            Markers(plot, seedX, seedY, colour.WithAlpha(0.25), 5, "|error| of each seed");
        }

        DartsRow[] rms = [.. summary.Rows.Where(r => r.RmsError > 0)];
        if (rms.Length > 0)
        {
            Markers(plot, [.. rms.Select(r => Math.Log10(r.Darts))], [.. rms.Select(r => Math.Log10(r.RmsError))], colour, 11, "RMS error over the seeds");
        }

        double lo = Math.Log10(o.Darts[0]);
        double hi = Math.Log10(o.Darts[^1]);
        double[] ends = lo < hi ? [lo, hi] : [lo - 0.5, hi + 0.5];
        Line(plot, ends, [.. ends.Select(x => Math.Log10(SweepSummary.TheorySd(Math.Pow(10, x))))], Colors.Black, LinePattern.Dashed, "theory: sqrt(π(4-π)/N), slope -0.5");
        if (summary.Fit is ConvergenceFit fit)
        {
            string ci = fit.SlopeLower is double lower && fit.SlopeUpper is double upper ? string.Create(Invariant, $", 95% CI {lower:0.000} to {upper:0.000}") : string.Empty;
            Line(plot, ends, [.. ends.Select(x => fit.Intercept + fit.Slope * x)], colour.Darken(0.3), LinePattern.Solid, string.Create(Invariant, $"fit: slope {fit.Slope:0.000}{ci}"));
        }

        plot.Axes.Bottom.TickGenerator = CompareCharts.LogTicks();
        plot.Axes.Left.TickGenerator = CompareCharts.LogTicks();
        plot.ShowLegend(Alignment.LowerLeft);
        string title = string.Create(Invariant,
            $"Monte Carlo pi convergence: {o.Backend.Name}, {run.Ranks.Count} rank(s) x {o.Threads} thread(s), {o.Seeds} seeds");
        string subtitle = string.Create(Invariant,
            $"{EnvironmentInfo.CpuModel}; {o.Tasks.Count:N0} tasks through the task pool; {DateTimeOffset.UtcNow.UtcDateTime:yyyy-MM-dd}");
        ChartText.Fit(plot, CompareCharts.Width, CompareCharts.Height, title, subtitle, "|estimate - π| (log scale)", "darts N (log scale)");
        return plot;
    }

    private static void Markers(Plot plot, double[] xs, double[] ys, Color colour, float size, string legend)
    {
        ScottPlot.Plottables.Scatter points = plot.Add.Scatter(xs, ys);
        points.LineWidth = 0;
        points.MarkerSize = size;
        points.Color = colour;
        points.LegendText = legend;
    }

    private static void Line(Plot plot, double[] xs, double[] ys, Color colour, LinePattern pattern, string legend)
    {
        ScottPlot.Plottables.Scatter line = plot.Add.ScatterLine(xs, ys);
        line.Color = colour;
        line.LineWidth = 2;
        line.LinePattern = pattern;
        line.LegendText = legend;
    }
}
