using System.Diagnostics;

namespace Interop.Core;

/// <summary>
/// The values one measured operation returned and how long each timed run took.
/// <see cref="WarmUpValue"/> is the last warm-up's value, or the first timed run's with no warm-up.
/// </summary>
public sealed record Measurement<T>(T WarmUpValue, IReadOnlyList<T> Values, IReadOnlyList<double> Seconds)
{
    public TimingStats Stats => TimingStats.From(Seconds);
}

/// <summary>
/// Runs an operation <c>warmup</c> times untimed (JIT, page faults, thread start-up; 1 by default)
/// then times it as the <see cref="RepeatPolicy"/> says (a fixed count, or automatically until the
/// median is pinned down).
/// </summary>
public static class Measure
{
    public static Measurement<T> Run<T>(Func<T> operation, int repeat) => Run(static () => { }, operation, RepeatPolicy.Fixed(repeat));

    /// <summary>As <see cref="Run{T}(Func{T}, int)"/>, calling <paramref name="prepare"/> untimed before every run (e.g. a fresh copy of the input).</summary>
    public static Measurement<T> Run<T>(Action prepare, Func<T> operation, int repeat) => Run(prepare, operation, RepeatPolicy.Fixed(repeat));

    public static Measurement<T> Run<T>(Action prepare, Func<T> operation, RepeatPolicy repeat, int warmup = 1) =>
        Run(prepare, operation, repeat, warmup, static () => Stopwatch.GetTimestamp(), Stopwatch.Frequency);

    /// <summary>The measuring loop with its clock given (ticks, and ticks per second): tests pass a fake one.</summary>
    internal static Measurement<T> Run<T>(Action prepare, Func<T> operation, RepeatPolicy repeat, int warmup, Func<long> clock, long ticksPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        bool warmed = false;
        T warmUp = default!;
        for (int i = 0; i < warmup; i++)
        {
            prepare();
            warmUp = operation();
            warmed = true;
        }

        var values = new List<T>(repeat.MinRuns);
        var seconds = new List<double>(repeat.MinRuns);
        while (!repeat.Done(seconds))
        {
            prepare();
            long start = clock();
            values.Add(operation());
            seconds.Add((double)(clock() - start) / ticksPerSecond);
        }

        return new Measurement<T>(warmed ? warmUp : values[0], values, seconds);
    }
}
