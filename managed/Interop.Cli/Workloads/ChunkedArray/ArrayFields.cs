using System.Globalization;
using System.Text.Json;
using Interop.Cli.Schema;

namespace Interop.Cli.Workloads.ChunkedArray;

/// <summary>
/// The array's keys in the result document, in one place: the parameters order, chunk and case, and a
/// point's order, chunk, checksum (y's, as 16 hex digits: a JSON number would lose its low bits),
/// sum_y, sum_x, gb_per_s, gb_per_s_per_worker, triad_gb_per_s, fraction_of_triad and rank_bytes_sent (each rank's transposed blocks to
/// the others in one run: [0] in one process; null for a compare point read back), after the common keys.
/// </summary>
internal static class ArrayFields
{
    /// <summary>order, chunk and case.</summary>
    public static Dictionary<string, JsonElement> Parameters(ArrayShape shape) => OwnFieldsJson.Object(json =>
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
            OwnFields = Own(r.Shape.N, r.Shape.Chunk, r.Result.Checksum, r.Result.Sum, r.Result.SumX, r.GigabytesPerSecond, r.GigabytesPerSecond / r.Workers, r.TriadGigabytesPerSecond ?? double.NaN, r.RankBytesSent, r.Memory),
        };
    }

    /// <summary>A point's own keys, in order.</summary>
    public static Dictionary<string, JsonElement> Own(long order, long chunk, ulong? checksum, double sumY, double sumX, double rate, double ratePerWorker, double triad, IReadOnlyList<long>? bytesSent = null, ArrayFileMemory? memory = null) => OwnFieldsJson.Object(json =>
    {
        json.WriteNumber("order", order);
        json.WriteNumber("chunk", chunk);
        json.WriteString("checksum", checksum is ulong c ? c.ToString("x16", CultureInfo.InvariantCulture) : null);
        OwnFieldsJson.WriteNumber(json, "sum_y", sumY);
        OwnFieldsJson.WriteNumber(json, "sum_x", sumX);
        OwnFieldsJson.WriteNumber(json, "gb_per_s", rate);
        OwnFieldsJson.WriteNumber(json, "gb_per_s_per_worker", ratePerWorker);
        OwnFieldsJson.WriteNumber(json, "triad_gb_per_s", triad);
        OwnFieldsJson.WriteNumber(json, "fraction_of_triad", triad > 0 ? rate / triad : double.NaN);
        if (bytesSent is null)
        {
            json.WriteNull("rank_bytes_sent");
        }
        else
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
        foreach (string key in (string[])["chunk", "sum_y", "sum_x", "triad_gb_per_s", "fraction_of_triad"])
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
}
