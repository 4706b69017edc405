using System.Diagnostics;

namespace Interop.Core;

/// <summary>The values one measured operation returned and how long each timed run took.</summary>
public sealed record Measurement<T>(T WarmUpValue, IReadOnlyList<T> Values, IReadOnlyList<double> Seconds)
{
    public TimingStats Stats => TimingStats.From(Seconds);
}

/// <summary>Runs an operation once untimed (warm-up: JIT, page faults, thread start-up) then times it <c>repeat</c> times.</summary>
public static class Measure
{
    public static Measurement<T> Run<T>(Func<T> operation, int repeat) => Run(static () => { }, operation, repeat);

    /// <summary>As <see cref="Run{T}(Func{T}, int)"/>, calling <paramref name="prepare"/> untimed before every run (e.g. a fresh copy of the input).</summary>
    public static Measurement<T> Run<T>(Action prepare, Func<T> operation, int repeat)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeat, 1);
        prepare();
        T warmUp = operation();
        var values = new List<T>(repeat);
        var seconds = new List<double>(repeat);
        for (int i = 0; i < repeat; i++)
        {
            prepare();
            long start = Stopwatch.GetTimestamp();
            values.Add(operation());
            seconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        return new Measurement<T>(warmUp, values, seconds);
    }
}
