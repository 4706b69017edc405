using System.Text;
using System.Text.Json;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli;

/// <summary>
/// `--trace FILE.json`: the spans every rank recorded, gathered to rank 0 and written in the
/// Chrome trace-event format (a "traceEvents" array of complete events plus process and thread
/// names), so that Perfetto (ui.perfetto.dev) or chrome://tracing shows one track per rank and thread.
/// </summary>
internal static class TraceFile
{
    /// <summary>Starts recording when <paramref name="path"/> is given; call <see cref="Finish"/> on every rank.</summary>
    public static void Begin(string? path, IJob job)
    {
        if (path is not null)
        {
            Tracing.Process = job.Rank;
            Tracing.Start();
        }
    }

    public static void Finish(string? path, IJob job)
    {
        if (path is null)
        {
            return;
        }

        var (events, threadNames) = Tracing.Stop();
        byte[] mine = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(
            new RankTrace([.. events], threadNames.ToDictionary(p => p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), p => p.Value)),
            TraceJsonContext.Default.RankTrace));
        byte[][] all = job.GatherAll(mine);
        if (!job.IsRoot)
        {
            return;
        }

        (int, RankTrace)[] traces = [.. all.Select((bytes, rank) => (rank, JsonSerializer.Deserialize(bytes, TraceJsonContext.Default.RankTrace)!))];
        OutputFile.Write(path, stream => Write(stream, traces));
    }

    internal static void Write(Stream stream, IReadOnlyList<(int Rank, RankTrace Trace)> ranks)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        json.WriteStartObject();
        json.WriteString("displayTimeUnit", "ms");
        json.WriteStartArray("traceEvents");
        foreach ((int rank, RankTrace trace) in ranks)
        {
            Metadata(json, "process_name", rank, 0, $"rank {rank}");
            foreach ((string tid, string name) in trace.ThreadNames)
            {
                Metadata(json, "thread_name", rank, int.Parse(tid, System.Globalization.CultureInfo.InvariantCulture), name);
            }

            foreach (TraceEvent e in trace.Events)
            {
                json.WriteStartObject();
                json.WriteString("name", e.Name);
                json.WriteString("cat", e.Category);
                json.WriteString("ph", "X");
                json.WriteNumber("ts", Math.Round(e.StartMicroseconds, 3));
                json.WriteNumber("dur", Math.Round(e.DurationMicroseconds, 3));
                json.WriteNumber("pid", rank);
                json.WriteNumber("tid", e.Thread);
                if (e.Detail is not null)
                {
                    json.WriteStartObject("args");
                    json.WriteString("detail", e.Detail);
                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void Metadata(Utf8JsonWriter json, string kind, int pid, int tid, string name)
    {
        json.WriteStartObject();
        json.WriteString("name", kind);
        json.WriteString("ph", "M");
        json.WriteNumber("pid", pid);
        json.WriteNumber("tid", tid);
        json.WriteStartObject("args");
        json.WriteString("name", name);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}

/// <summary>One rank's recorded spans, as sent to rank 0.</summary>
internal sealed record RankTrace(List<TraceEvent> Events, Dictionary<string, string> ThreadNames);

[System.Text.Json.Serialization.JsonSerializable(typeof(RankTrace))]
internal sealed partial class TraceJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
