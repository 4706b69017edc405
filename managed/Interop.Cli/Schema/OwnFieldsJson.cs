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

    /// <summary>
    /// The members <paramref name="body"/> writes into one JSON object, as own keys in the order written: for a
    /// workload whose keys are more than numbers (EP's q array, the array's hex checksum).
    /// </summary>
    public static Dictionary<string, JsonElement> Object(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        using JsonDocument document = JsonDocument.Parse(stream.ToArray());
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }

    /// <summary>A number under <paramref name="key"/>, or null for NaN and infinities (JSON has none).</summary>
    public static void WriteNumber(Utf8JsonWriter json, string key, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(key, value);
        }
        else
        {
            json.WriteNull(key);
        }
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
