namespace Interop.Cli.Sweep;

/// <summary>
/// The convergence study over a verified sweep: per darts count N, the seeds' estimates 4k/N, their
/// mean, their RMS and mean absolute error against π, and what theory says the error's standard
/// deviation is (each dart is inside with probability p = π/4, so the estimate's variance is
/// 16 p (1 - p) / N = π (4 - π) / N); then the least-squares line of log10 RMS error on log10 N.
/// </summary>
internal sealed record SweepSummary(IReadOnlyList<DartsRow> Rows, ConvergenceFit? Fit, int LeftOutOfFit)
{
    public static SweepSummary Of(IReadOnlyList<SweepTask> tasks, IReadOnlyList<long> inside)
    {
        DartsRow[] rows =
        [
            .. Enumerable.Range(0, tasks.Count).GroupBy(i => tasks[i].Darts).OrderBy(g => g.Key)
                .Select(g => DartsRow.Of(g.Key, [.. g.Select(i => Estimate(inside[i], g.Key))])),
        ];
        // An RMS error of exactly 0 (every seed hit π to the last digit, only possible for tiny N) has no logarithm.
        DartsRow[] fitted = [.. rows.Where(r => r.RmsError > 0)];
        ConvergenceFit? fit = ConvergenceFit.Of([.. fitted.Select(r => Math.Log10(r.Darts))], [.. fitted.Select(r => Math.Log10(r.RmsError))]);
        return new SweepSummary(rows, fit, rows.Length - fitted.Length);
    }

    /// <summary>The estimate of π from <paramref name="inside"/> of <paramref name="darts"/> darts.</summary>
    public static double Estimate(long inside, long darts) => 4.0 * inside / darts;

    /// <summary>The standard deviation of the estimate from <paramref name="darts"/> darts: sqrt(π (4 - π) / N).</summary>
    public static double TheorySd(double darts) => Math.Sqrt(Math.PI * (4 - Math.PI) / darts);
}

/// <summary>One darts count's row: the seeds' estimates and their errors against π.</summary>
internal sealed record DartsRow(long Darts, int Seeds, double MeanEstimate, double RmsError, double MeanAbsError, IReadOnlyList<double> Errors)
{
    public double TheorySd => SweepSummary.TheorySd(Darts);

    /// <summary>RMS error over the theory's standard deviation: near 1 when the generator behaves (noisy with few seeds).</summary>
    public double RmsOverTheory => RmsError / TheorySd;

    public static DartsRow Of(long darts, IReadOnlyList<double> estimates)
    {
        double[] errors = [.. estimates.Select(e => e - Math.PI)];
        return new DartsRow(darts, estimates.Count, estimates.Average(), Math.Sqrt(errors.Average(e => e * e)), errors.Average(Math.Abs), errors);
    }
}
