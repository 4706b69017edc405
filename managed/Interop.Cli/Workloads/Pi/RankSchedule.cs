using System.Globalization;
using Interop.Core;

namespace Interop.Cli.Workloads.Pi;

/// <summary>
/// How the darts are split over the ranks of a job (--schedule): <c>static</c>, one contiguous
/// range per rank fixed in advance (the default), or <c>dynamic[:CHUNK]</c>, chunks of CHUNK darts
/// handed by <see cref="Interop.Mpi.TaskPool"/> to whichever rank is free (OpenMP's
/// <c>schedule(dynamic, chunk)</c> over ranks), so that a slow or shared core does less of the
/// work. The darts are numbered, so every schedule counts exactly the same darts.
/// </summary>
internal sealed record RankSchedule(bool Dynamic, long? Chunk)
{
    public const string Name = "--schedule";

    /// <summary>Chunks per rank when dynamic is given without a chunk size: enough to even out a core that runs at half speed.</summary>
    public const int DefaultChunksPerRank = 32;

    public static RankSchedule Static { get; } = new(false, null);

    /// <summary>Reads "static", "dynamic" or "dynamic:CHUNK" (CHUNK darts, 1e6 or 1_000_000 spellings); anything else is a usage error.</summary>
    public static RankSchedule Parse(string? text)
    {
        if (text is null || text == "static")
        {
            return Static;
        }

        if (text == "dynamic")
        {
            return new RankSchedule(true, null);
        }

        if (text.StartsWith("dynamic:", StringComparison.Ordinal))
        {
            return new RankSchedule(true, NumberParser.ParseInt64(text["dynamic:".Length..], $"{Name} dynamic's chunk", 1));
        }

        throw new UsageException($"{Name} must be static, dynamic or dynamic:CHUNK (darts per chunk), not '{text}'");
    }

    /// <summary>The darts per chunk for <paramref name="darts"/> over <paramref name="ranks"/> ranks.</summary>
    public long ChunkFor(long darts, int ranks) =>
        Chunk ?? Math.Max(1, (darts + ((long)ranks * DefaultChunksPerRank) - 1) / ((long)ranks * DefaultChunksPerRank));

    /// <summary>"static" or "dynamic, chunks of N darts", for headers and plans.</summary>
    public string Describe(long darts, int ranks) => Dynamic
        ? string.Create(CultureInfo.InvariantCulture, $"dynamic, chunks of {ChunkFor(darts, ranks):N0} darts")
        : "static";
}
