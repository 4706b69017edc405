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

    private static readonly string[] Suffixes = ["K", "M", "G", "T"];

    /// <summary>
    /// A size the user typed, in bytes: a whole number, optionally followed by K, M, G or T (powers of
    /// 1024, as Slurm's --mem and GNU's tools read them; "KiB", "MiB", ... and a trailing "B" alike,
    /// any case): "64M" is 64 MiB, "1G" 1 GiB, "4096" 4096 bytes. Anything else, or a size outside
    /// [<paramref name="min"/>, <paramref name="max"/>], is a <see cref="UsageException"/> naming <paramref name="what"/>.
    /// </summary>
    public static long Parse(string text, string what, long min = 1, long max = long.MaxValue)
    {
        string body = text.Trim();
        if (body.EndsWith("iB", StringComparison.OrdinalIgnoreCase) && body.Length > 2 && char.IsAsciiLetter(body[^3]))
        {
            body = body[..^2];
        }
        else if (body.EndsWith('B') || body.EndsWith('b'))
        {
            body = body[..^1];
        }

        int power = body.Length > 0 ? Array.FindIndex(Suffixes, s => body.EndsWith(s, StringComparison.OrdinalIgnoreCase)) + 1 : 0;
        string digits = power > 0 ? body[..^1] : body;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit) || !System.Numerics.BigInteger.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out System.Numerics.BigInteger count))
        {
            throw new UsageException($"{what} must be a size in bytes such as 64M or 1G (K, M, G, T: KiB, MiB, GiB, TiB), not '{DisplayText.Printable(text)}'");
        }

        System.Numerics.BigInteger bytes = count << (10 * power);
        if (bytes < min || bytes > max)
        {
            throw new UsageException($"{what} {DisplayText.Printable(text)} is out of range: it must be between {Text(min)} and {Text(max)}");
        }

        return (long)bytes;
    }

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
