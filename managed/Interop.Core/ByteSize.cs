using System.Globalization;

namespace Interop.Core;

/// <summary>
/// Sizes for people: bytes in the binary unit that shows them (B, KiB, MiB, GiB, TiB) with three
/// significant digits, so a 50 x 50 workspace reads "24.4 KiB", not "0.0 GB". Messages use this one
/// function for every size they print.
/// </summary>
public static class ByteSize
{
    private static readonly string[] UnitNames = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary>"512 B", "24.4 KiB", "11.6 GiB"; "-" for a size that is not a finite number.</summary>
    public static string Text(double bytes)
    {
        if (!double.IsFinite(bytes))
        {
            return "-";
        }

        double value = Math.Abs(bytes);
        int unit = 0;
        // 1023.95 KiB would print as "1024 KiB": move up before rounding can reach the next unit.
        while (unit < UnitNames.Length - 1 && value >= 1023.95)
        {
            value /= 1024;
            unit++;
        }

        value = Math.Sign(bytes) * value;
        if (unit == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Math.Round(value):0} B");
        }

        int integerDigits = Math.Abs(value) < 1 ? 1 : (int)Math.Floor(Math.Log10(Math.Abs(value))) + 1;
        int decimals = Math.Clamp(3 - integerDigits, 0, 2);
        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + " " + UnitNames[unit];
    }
}
