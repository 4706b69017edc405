using System.Globalization;
using System.Text.Json;
using Interop.Cli.Schema;

namespace Interop.Cli.Workloads.ChunkedArray;

/// <summary>
/// The array's keys in the result document, in one place: the parameters order, chunk and case, and a
/// point's order, chunk, checksum (y's, as 16 hex digits: a JSON number would lose its low bits),
/// sum_y, sum_x, gb_per_s, gb_per_s_per_worker and, over several ranks, rank_bytes_sent (each rank's
/// transposed blocks to the others in one run), after the common keys.
/// </summary>
internal static class ArrayFields
{
    /// <summary>order, chunk and case.</summary>
    public static Dictionary<string, JsonElement> Parameters(ArrayShape shape) => Object(json =>
    {
        json.WriteNumber("order", shape.N);
        json.WriteNumber("chunk", shape.Chunk);
        json.WriteString("case", ArrayShape.CaseName(shape.Case));
        if (shape.Files is { } files)
        {
            json.WriteString("input", files.Input);
            json.WriteString("output", files.Output);
            json.WriteNumber("memory_limit_bytes", files.MemoryLimit);
        }
    });

    /// <summary>Point <paramref name="index"/> of a run: the common fields (GB/s) with the array's own keys.</summary>
    public static MeasuredPoint Point(ArrayMeasurement r, ArrayCheck check, int index)
    {
        MeasuredPoint common = Documents.Point(ArrayWorkload.Instance, r.Backend, r.Isa, r.Ranks, r.Threads, null, null, r.Shape.Seed, r.Seconds, check.Verdict.Passed, check.PointCheck(index));
        return common with
        {
            WorkPerRun = ArrayWorkload.Instance.WorkPerRun(r.Shape.N),
            Throughput = Documents.Finite(r.GigabytesPerSecond) ?? 0,
            ThroughputPerWorker = Documents.Finite(r.GigabytesPerSecond / r.Workers) ?? 0,
            OwnFields = Own(r.Shape.N, r.Shape.Chunk, r.Result.Checksum, r.Result.Sum, r.Result.SumX, r.GigabytesPerSecond, r.GigabytesPerSecond / r.Workers, r.RankBytesSent, r.Memory),
        };
    }

    /// <summary>A point's own keys, in order.</summary>
    public static Dictionary<string, JsonElement> Own(long order, long chunk, ulong? checksum, double sumY, double sumX, double rate, double ratePerWorker, IReadOnlyList<long>? bytesSent = null, ArrayFileMemory? memory = null) => Object(json =>
    {
        json.WriteNumber("order", order);
        json.WriteNumber("chunk", chunk);
        json.WriteString("checksum", checksum is ulong c ? c.ToString("x16", CultureInfo.InvariantCulture) : null);
        Number(json, "sum_y", sumY);
        Number(json, "sum_x", sumX);
        Number(json, "gb_per_s", rate);
        Number(json, "gb_per_s_per_worker", ratePerWorker);
        if (bytesSent is { Count: > 1 })
        {
            json.WriteStartArray("rank_bytes_sent");
            foreach (long b in bytesSent)
            {
                json.WriteNumberValue(b);
            }

            json.WriteEndArray();
        }

        if (memory is not null)
        {
            // The file case: the blocks planned under the limit, and the resident memory of the rank that grew most.
            int rank = memory.WorstRank;
            json.WriteNumber("memory_limit_bytes", memory.Limit);
            json.WriteNumber("planned_bytes", memory.PlannedBytes);
            json.WriteNumber("baseline_rss_bytes", memory.BaselineRss[rank]);
            json.WriteNumber("peak_rss_bytes", memory.PeakRss[rank]);
        }
    });

    /// <summary>A point's own numbers read back (<see cref="ArrayWorkload.OwnFields"/>'s keys).</summary>
    public static Dictionary<string, double> Read(MeasuredPoint document)
    {
        var own = new Dictionary<string, double>();
        foreach (string key in (string[])["chunk", "sum_y", "sum_x"])
        {
            if (OwnFieldsJson.Number(document, key) is double v)
            {
                own[key] = v;
            }
        }

        if (document.OwnFields?.TryGetValue("checksum", out JsonElement text) == true && text.ValueKind == JsonValueKind.String
            && ulong.TryParse(text.GetString(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong checksum))
        {
            own[ArrayWorkload.ChecksumHigh] = checksum >> 32;
            own[ArrayWorkload.ChecksumLow] = checksum & 0xFFFF_FFFF;
        }

        return own;
    }

    private static void Number(Utf8JsonWriter json, string key, double value)
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

    private static Dictionary<string, JsonElement> Object(Action<Utf8JsonWriter> body)
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
}
