using System.Text.Json;
using Interop.Core;

namespace Interop.Cli;

/// <summary>The pieces every JSON report shares: the document, timings, environment.</summary>
internal static class JsonReport
{
    /// <summary>Writes one indented JSON object whose members <paramref name="body"/> writes.</summary>
    public static void Write(TextWriter output, Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>seconds_median, seconds_min, seconds_max and every timed run in "seconds".</summary>
    public static void WriteTimings(Utf8JsonWriter json, IReadOnlyList<double> seconds)
    {
        TimingStats stats = TimingStats.From(seconds);
        json.WriteNumber("seconds_median", stats.Median);
        json.WriteNumber("seconds_min", stats.Min);
        json.WriteNumber("seconds_max", stats.Max);
        json.WriteStartArray("seconds");
        foreach (double s in seconds)
        {
            json.WriteNumberValue(s);
        }

        json.WriteEndArray();
    }

    public static void WriteSpeedup(Utf8JsonWriter json, double? speedup)
    {
        if (speedup is double s)
        {
            json.WriteNumber("speedup_vs_managed_serial", s);
        }
        else
        {
            json.WriteNull("speedup_vs_managed_serial");
        }
    }

    public static void WriteEnvironment(Utf8JsonWriter json)
    {
        json.WritePropertyName("environment");
        EnvironmentInfo.WriteJson(json);
    }
}
