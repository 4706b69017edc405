using System.Globalization;
using Interop.Core;

namespace Interop.Cli.Sweep;

/// <summary>
/// The darts counts of a sweep: a range FROM..TO cut into K points per decade (geometric, rounded to
/// whole darts, TO always included), or a comma-separated list. Sizes are given as pi's --darts is
/// (digits, 1_000_000, 1e6). Under INTEROP_SIZE_SCALE every count is scaled as pi's (counts that
/// become equal are kept once).
/// </summary>
internal static class SweepGrid
{
    public const string Name = "--darts";

    public const string DefaultDarts = "1e3..1e8";

    public const int DefaultPerDecade = 2;

    /// <summary>More points per decade than this would not show anything new, only take longer.</summary>
    public const int MostPerDecade = 100;

    /// <summary>A sweep of more darts counts than this is a typing mistake, not a study.</summary>
    public const int MostCounts = 1000;

    /// <summary>The darts counts <paramref name="text"/> names, ascending, each once.</summary>
    public static IReadOnlyList<long> Parse(string text, int perDecade)
    {
        long[] counts;
        int dots = text.IndexOf("..", StringComparison.Ordinal);
        if (dots >= 0)
        {
            if (text.Contains(',', StringComparison.Ordinal))
            {
                throw new UsageException($"{Name} is a range FROM..TO or a list N1,N2,...; not both: '{text}'");
            }

            long from = NumberParser.ParseInt64(text[..dots], $"{Name} FROM", 1);
            long to = NumberParser.ParseInt64(text[(dots + 2)..], $"{Name} TO", 1);
            if (to < from)
            {
                throw new UsageException($"{Name} {text} is reversed: the range goes from the smaller count to the larger");
            }

            counts = Range(from, to, perDecade);
        }
        else
        {
            string[] items = text.Split(',', StringSplitOptions.TrimEntries);
            if (items.Any(i => i.Length == 0))
            {
                throw new UsageException($"{Name} '{text}' has an empty count: give FROM..TO or N1,N2,...");
            }

            counts = [.. items.Select(i => NumberParser.ParseInt64(i, Name, 1))];
        }

        long[] distinct = [.. counts.Select(SizeScale.Darts).Distinct().Order()];
        return distinct.Length <= MostCounts
            ? distinct
            : throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{Name} {text} gives {distinct.Length} darts counts; at most {MostCounts}"));
    }

    /// <summary>FROM x 10^(i/K) for i = 0, 1, ... up to TO, rounded to whole darts, and TO.</summary>
    public static long[] Range(long from, long to, int perDecade)
    {
        var counts = new SortedSet<long>();
        double decades = Math.Log10((double)to / from);
        long steps = (long)Math.Floor(decades * perDecade + 1e-9);
        if (steps + 1 > MostCounts)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{Name} {from}..{to} at {perDecade} per decade gives {steps + 1} darts counts; at most {MostCounts}"));
        }

        for (long i = 0; i <= steps; i++)
        {
            counts.Add(Math.Min(to, (long)Math.Round(from * Math.Pow(10, (double)i / perDecade))));
        }

        counts.Add(to);
        return [.. counts];
    }
}
