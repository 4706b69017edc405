namespace Interop.Core;

/// <summary>Median, minimum and maximum of repeated timings, in seconds.</summary>
public readonly record struct TimingStats(double Median, double Min, double Max)
{
    public static TimingStats From(IReadOnlyList<double> seconds)
    {
        if (seconds.Count == 0)
        {
            throw new ArgumentException("At least one timing is needed.", nameof(seconds));
        }

        double[] sorted = [.. seconds];
        Array.Sort(sorted);
        int mid = sorted.Length / 2;
        double median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new TimingStats(median, sorted[0], sorted[^1]);
    }
}
