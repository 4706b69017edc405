using System.Globalization;
using Interop.Core;

namespace Interop.Cli;

/// <summary>How every table states the statistics: the runs behind a median and one noise warning per run.</summary>
internal static class StatsText
{
    /// <summary>"median of 3 run(s) after 1 warm-up", or with automatic repeats "median of 3-12 runs (auto: ...) after 1 warm-up".</summary>
    public static string Runs(RepeatPolicy policy, int warmup, IEnumerable<int> runs)
    {
        int[] counts = [.. runs];
        (int fewest, int most) = counts.Length == 0 ? (policy.MinRuns, policy.MaxRuns) : (counts.Min(), counts.Max());
        string measured = fewest == most
            ? fewest.ToString(CultureInfo.InvariantCulture)
            : $"{fewest.ToString(CultureInfo.InvariantCulture)}-{most.ToString(CultureInfo.InvariantCulture)}";
        string how = policy.IsAuto
            ? $" (auto: until the median's 95% CI is within ±{RepeatPolicy.AutoTarget * 100:0}%, at most {RepeatPolicy.AutoMaxRuns} runs or {RepeatPolicy.AutoMaxSeconds:0} s of runs)"
            : string.Empty;
        return $"median of {measured} run(s){how}{(warmup == 0 ? " without warm-up" : $" after {warmup} warm-up{(warmup == 1 ? string.Empty : "s")}")}";
    }

    /// <summary>
    /// The line under a table that says how its "95% CI" column was computed: on ln(seconds)
    /// (<see cref="TimingStats"/>), so that no interval reaches zero or below.
    /// </summary>
    public const string CiLegend = "95% CI: the median's, from log(times), never below 0; a speedup's joins both";

    /// <summary>The median's 95 % CI cell: "±1.2%", "±8% noisy", "n/a".</summary>
    public static string Ci(TimingStats stats) => stats.CiText;

    /// <summary>
    /// One warning line for every noisy point of a run ("warning: 2 of 7 point(s) noisy ..."), or
    /// null when none is: printed once per run, not per point.
    /// </summary>
    public static string? NoiseWarning(IReadOnlyList<(string Name, TimingStats Stats)> points)
    {
        var noisy = points.Where(p => p.Stats.IsNoisy).ToList();
        return noisy.Count == 0 ? null
            : $"warning: {noisy.Count} of {points.Count} point(s) noisy (the median's 95% CI, or with 2 runs its MAD, wider than ±{TimingStats.NoiseBound * 100:0}%: " +
              $"{string.Join(", ", noisy.Select(p => p.Name))}); their ratios are less certain: close other programs, or give more --repeat";
    }
}
