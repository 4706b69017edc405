using System.Globalization;
using System.Numerics;

namespace Interop.Core;

/// <summary>
/// Parses the counts users type: plain digits ("1000000000"), digit groups with underscores
/// ("1_000_000_000") and scientific notation ("1e9", "2.5e9") as long as the value is a whole number.
/// Everything is done in exact integer arithmetic, so no count is silently rounded.
/// </summary>
public static class NumberParser
{
    /// <summary>Parses a whole number in [<paramref name="min"/>, <paramref name="max"/>] or throws <see cref="UsageException"/>.</summary>
    public static BigInteger ParseWhole(string text, string what, BigInteger min, BigInteger max)
    {
        BigInteger value = TryParseExact(text.Trim()) ??
            throw new UsageException($"{what} '{text}' is not a whole number (examples: 1000000, 1_000_000, 1e6)");
        if (value < min || value > max)
        {
            throw new UsageException($"{what} {text} is out of range: it must be between {min} and {max}");
        }

        return value;
    }

    public static long ParseInt64(string text, string what, long min, long max = long.MaxValue) =>
        (long)ParseWhole(text, what, min, max);

    public static ulong ParseUInt64(string text, string what) =>
        (ulong)ParseWhole(text, what, BigInteger.Zero, ulong.MaxValue);

    public static int ParseInt32(string text, string what, int min, int max = int.MaxValue) =>
        (int)ParseWhole(text, what, min, max);

    private static BigInteger? TryParseExact(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        bool negative = text[0] == '-';
        string body = text[0] is '-' or '+' ? text[1..] : text;
        if (body.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            string? hex = StripGroupSeparators(body[2..]);
            return hex is { Length: > 0 } && hex.All(char.IsAsciiHexDigit)
                ? Sign(BigInteger.Parse("0" + hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture), negative)
                : null;
        }

        int e = body.IndexOfAny(['e', 'E']);
        string mantissa = e < 0 ? body : body[..e];
        int exponent = 0;
        if (e >= 0)
        {
            string exponentText = body[(e + 1)..];
            if (!int.TryParse(exponentText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent) ||
                exponent is < -400 or > 400)
            {
                return null;
            }
        }

        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string? integerPart = StripGroupSeparators(dot < 0 ? mantissa : mantissa[..dot]);
        string? fractionPart = dot < 0 ? string.Empty : StripGroupSeparators(mantissa[(dot + 1)..]);
        if (integerPart is null || fractionPart is null || integerPart.Length + fractionPart.Length == 0 ||
            !integerPart.All(char.IsAsciiDigit) || !fractionPart.All(char.IsAsciiDigit))
        {
            return null;
        }

        // value = digits * 10^(exponent - fraction digits); it must come out whole.
        BigInteger digits = BigInteger.Parse("0" + integerPart + fractionPart, CultureInfo.InvariantCulture);
        int scale = exponent - fractionPart.Length;
        if (scale >= 0)
        {
            return Sign(digits * BigInteger.Pow(10, scale), negative);
        }

        BigInteger divisor = BigInteger.Pow(10, -scale);
        return BigInteger.DivRem(digits, divisor, out BigInteger rest) is var whole && rest.IsZero
            ? Sign(whole, negative)
            : null;
    }

    private static BigInteger Sign(BigInteger value, bool negative) => negative ? -value : value;

    // "1_000_000": underscores only between digits, as in C# and Python literals; null if misplaced.
    private static string? StripGroupSeparators(string digits)
    {
        if (digits.StartsWith('_') || digits.EndsWith('_') || digits.Contains("__", StringComparison.Ordinal))
        {
            return null;
        }

        return digits.Replace("_", string.Empty, StringComparison.Ordinal);
    }
}
