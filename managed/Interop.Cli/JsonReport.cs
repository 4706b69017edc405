using System.Text.Json;
using Interop.Cli.Schema;

namespace Interop.Cli;

/// <summary>`interop env --json`'s pieces: the document and the environment (the result documents are Schema/).</summary>
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

    /// <summary>
    /// "schema_version", "provenance" and "environment" (typed, as in the result documents), then
    /// "variables": the head of `interop env --json`.
    /// </summary>
    public static void WriteEnvironment(Utf8JsonWriter json)
    {
        json.WriteNumber("schema_version", ResultDocument.CurrentVersion);
        json.WritePropertyName("provenance");
        JsonSerializer.Serialize(json, Documents.Here(), SchemaJsonContext.Default.Provenance);
        json.WritePropertyName("environment");
        JsonSerializer.Serialize(json, Documents.Environment(EnvironmentInfo.Collect()), SchemaJsonContext.Default.EnvironmentFacts);
        json.WriteStartObject("variables");
        foreach ((string key, string? value) in EnvironmentInfo.CollectVariables())
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }
}
