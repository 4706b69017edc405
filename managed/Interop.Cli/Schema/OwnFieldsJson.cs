using System.Globalization;
using System.Text.Json;

namespace Interop.Cli.Schema;

/// <summary>
/// A workload's own keys of a point (<see cref="MeasuredPoint.OwnFields"/>) as JSON numbers: written in the
/// order given, read back by key.
/// </summary>
internal static class OwnFieldsJson
{
    /// <summary>
    /// The size (a whole number, exact) under <paramref name="sizeKey"/>, then the fields in order, as JSON
    /// elements (NaN and infinities, which JSON lacks, as null).
    /// </summary>
    public static Dictionary<string, JsonElement> Write(string sizeKey, long size, IEnumerable<KeyValuePair<string, double>> fields)
    {
        var written = new Dictionary<string, JsonElement> { [sizeKey] = Element(size.ToString(CultureInfo.InvariantCulture)) };
        foreach ((string key, double value) in fields)
        {
            written[key] = Element(double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : "null");
        }

        return written;
    }

    private static JsonElement Element(string json)
    {
        using JsonDocument number = JsonDocument.Parse(json);
        return number.RootElement.Clone();
    }

    /// <summary>The number under <paramref name="key"/>, or null where the point has none (or a null).</summary>
    public static double? Number(MeasuredPoint point, string key) =>
        point.OwnFields is { } fields && fields.TryGetValue(key, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double v) ? v : null;

    /// <summary>The whole number under <paramref name="key"/>, or null where the point has none (or not a whole number).</summary>
    public static long? Integer(MeasuredPoint point, string key) =>
        point.OwnFields is { } fields && fields.TryGetValue(key, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long v) ? v : null;

    /// <summary>The JSON kind of <paramref name="key"/>'s value when it is neither a number nor null, else null: for the reader's message.</summary>
    public static JsonElement? NotANumber(MeasuredPoint point, string key) =>
        point.OwnFields is { } fields && fields.TryGetValue(key, out JsonElement value) && value.ValueKind is not (JsonValueKind.Number or JsonValueKind.Null) ? value : null;
}
