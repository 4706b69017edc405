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
