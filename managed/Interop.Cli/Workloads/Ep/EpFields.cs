using System.Text.Json;
using Interop.Backends.Ep;
using Interop.Cli.Schema;

namespace Interop.Cli.Workloads.Ep;

/// <summary>
/// EP's keys in the result document, all in one place: the parameters class, m and variant, and a
/// point's class, m, pairs, sx and sy (the signed sums, NPB 3.3's), sum_abs_x and sum_abs_y (NPB 3.4.2+'s
/// sx and sy), q (q0..q9), mops, mops_per_worker and verified_against, written after the common keys
/// (<see cref="MeasuredPoint.OwnFields"/>, <see cref="RunParameters.OwnParameters"/>).
/// </summary>
internal static class EpFields
{
    /// <summary>"3.4" or "3.3": --variant's name of <paramref name="variant"/>.</summary>
    public static string VariantName(EpVariant variant) => variant == EpVariant.Npb34 ? "3.4" : "3.3";

    /// <summary>class (null for a custom M), m and variant.</summary>
    public static Dictionary<string, JsonElement> Parameters(EpClass size, EpVariant variant) => OwnFieldsJson.Object(json =>
    {
        ClassAndM(json, size);
        json.WriteString("variant", VariantName(variant));
    });

    /// <summary>
    /// Point <paramref name="index"/> of a run: the common fields (throughput in Mop/s) with EP's own keys.
    /// </summary>
    public static MeasuredPoint Point(EpMeasurement r, EpCheck check, int index)
    {
        MeasuredPoint common = Documents.Point(EpWorkload.Instance, r.Backend, r.Isa, r.Ranks, r.Threads, null, null, null, r.Seconds, check.Verdict.Passed, check.PointCheck(index), r.RankThreads);
        return common with
        {
            // The common point takes its work from a size under darts or n, which EP has neither of.
            WorkPerRun = EpWorkload.Instance.WorkPerRun(r.Size.M),
            Throughput = Documents.Finite(r.Mops) ?? 0,
            ThroughputPerWorker = Documents.Finite(r.MopsPerWorker) ?? 0,
            OwnFields = Own(r.Size, r.Result, r.Mops, r.MopsPerWorker, check.VerifiedAgainst),
        };
    }

    /// <summary>A point's own keys, in order: class, m, pairs, sx, sy, sum_abs_x, sum_abs_y, q, mops, mops_per_worker, verified_against.</summary>
    public static Dictionary<string, JsonElement> Own(EpClass size, EpResult result, double mops, double mopsPerWorker, string? verifiedAgainst) => OwnFieldsJson.Object(json =>
    {
        ClassAndM(json, size);
        json.WriteNumber("pairs", result.Pairs);
        OwnFieldsJson.WriteNumber(json, "sx", result.Sx);
        OwnFieldsJson.WriteNumber(json, "sy", result.Sy);
        OwnFieldsJson.WriteNumber(json, "sum_abs_x", result.SumAbsX);
        OwnFieldsJson.WriteNumber(json, "sum_abs_y", result.SumAbsY);
        json.WriteStartArray("q");
        foreach (long q in result.Counts)
        {
            json.WriteNumberValue(q);
        }

        json.WriteEndArray();
        OwnFieldsJson.WriteNumber(json, "mops", mops);
        OwnFieldsJson.WriteNumber(json, "mops_per_worker", mopsPerWorker);
        json.WriteString("verified_against", verifiedAgainst);
    });

    private static void ClassAndM(Utf8JsonWriter json, EpClass size)
    {
        json.WriteString("class", size.IsNpbClass ? size.Name : null);
        json.WriteNumber("m", size.M);
    }
}
