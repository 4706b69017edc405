using System.Globalization;

namespace Interop.Cli;

/// <summary>
/// Numbers for people: times in the unit that fits (ns, us, ms, s) and rates with the digits that
/// matter, so a 50 x 50 inversion shows "41.2 us" and "6.07 GFLOP/s", not "0.000 s" and "0.0".
/// Files (JSON, CSV) keep plain SI numbers.
/// </summary>
internal static class Units
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>4 significant digits and a unit: "1.234 s", "12.34 ms", "123.4 us", "56.00 ns".</summary>
    public static string Seconds(double seconds)
    {
        if (!double.IsFinite(seconds))
        {
            return "-";
        }

        (double value, string unit) = Math.Abs(seconds) switch
        {
            >= 1 or 0 => (seconds, "s"),
            >= 1e-3 => (seconds * 1e3, "ms"),
            >= 1e-6 => (seconds * 1e6, "us"),
            _ => (seconds * 1e9, "ns"),
        };
        return $"{Significant(value, 4)} {unit}";
    }

    /// <summary>
    /// The unit of a column of times, as hyperfine chooses it: the unit of the column's smallest value
    /// (ns, us, ms or s), with the decimals that give that value 3 significant digits, so a column of
    /// medians reads "12.3 ms", "250.0 ms" instead of "1.23e-02 s". Not a finite positive time among
    /// them: seconds.
    /// </summary>
    public static TimeUnit ColumnUnit(IEnumerable<double> seconds)
    {
        double smallest = seconds.Where(s => double.IsFinite(s) && s > 0).DefaultIfEmpty(1).Min();
        (string name, double scale) = smallest switch
        {
            >= 1 => ("s", 1.0),
            >= 1e-3 => ("ms", 1e3),
            >= 1e-6 => ("us", 1e6),
            _ => ("ns", 1e9),
        };
        int integerDigits = (int)Math.Floor(Math.Log10(smallest * scale)) + 1;
        return new TimeUnit(name, scale, Math.Clamp(3 - integerDigits, 0, 3));
    }

    /// <summary>A size in the binary unit that shows it: "512 B", "24.4 KiB", "11.6 GiB" (<see cref="Interop.Core.ByteSize"/>).</summary>
    public static string Bytes(double bytes) => Interop.Core.ByteSize.Text(bytes);

    /// <summary>A rate such as GFLOP/s with 3 significant digits (at least the integer part): "61.2", "6.07", "0.0521", "1234".</summary>
    public static string Rate(double value) => double.IsFinite(value) ? Significant(value, 3) : "-";

    private static string Significant(double value, int digits)
    {
        if (value == 0)
        {
            return (0.0).ToString("F" + (digits - 1).ToString(Invariant), Invariant);
        }

        int integerDigits = (int)Math.Floor(Math.Log10(Math.Abs(value))) + 1;
        int decimals = Math.Clamp(digits - integerDigits, 0, 15);
        return value.ToString("F" + decimals.ToString(Invariant), Invariant);
    }
}

/// <summary>One unit for a column of times (<see cref="Units.ColumnUnit"/>): every cell in it, with the same decimals.</summary>
internal sealed record TimeUnit(string Name, double Scale, int Decimals)
{
    /// <summary>The number alone, in this unit: "12.3".</summary>
    public string Number(double seconds) =>
        double.IsFinite(seconds) ? (seconds * Scale).ToString("F" + Decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "-";

    /// <summary>The number and the unit: "12.3 ms".</summary>
    public string Format(double seconds) => double.IsFinite(seconds) ? $"{Number(seconds)} {Name}" : "-";
}
