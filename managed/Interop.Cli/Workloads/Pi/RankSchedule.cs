using System.Globalization;
using Interop.Core;

namespace Interop.Cli.Workloads.Pi;

/// <summary>
/// How the darts are split over the ranks and threads of a job (--schedule), after OpenMP's schedule clause:
/// <c>static</c>, one contiguous range per rank fixed in advance, which the backend splits over its
/// threads (the default); <c>dynamic[:CHUNK]</c>, chunks of CHUNK darts handed by
/// <see cref="Interop.Mpi.TaskPool"/> to whichever thread of whichever rank is free (each chunk counted
/// by the backend on that one thread), so that a slow or shared core does less of the work; or
/// <c>guided[:MIN]</c>, chunks that shrink as the darts run out (the darts left over twice the
/// workers, at least MIN), fewer requests than dynamic for the same even end. The darts are
/// numbered, so every schedule counts exactly the same darts.
/// </summary>
internal sealed record RankSchedule(ScheduleKind Kind, long? Chunk)
{
    public const string Name = "--schedule";

    /// <summary>Chunks per worker (a thread of a rank) when dynamic is given without a chunk size: enough to even out a core that runs at half speed.</summary>
    public const int DefaultChunksPerWorker = 32;

    /// <summary>Guided's default smallest chunk is a quarter of dynamic's default chunk.</summary>
    public const int GuidedMinimumDivisor = 4;

    public static RankSchedule Static { get; } = new(ScheduleKind.Static, null);

    /// <summary>Chunks from the task pool (dynamic or guided) rather than one range per rank.</summary>
    public bool Dynamic => Kind != ScheduleKind.Static;

    /// <summary>Chunks that shrink as the darts run out.</summary>
    public bool Guided => Kind == ScheduleKind.Guided;

    /// <summary>Reads "static", "dynamic[:CHUNK]" or "guided[:MIN]" (darts, 1e6 or 1_000_000 spellings); anything else is a usage error.</summary>
    public static RankSchedule Parse(string? text)
    {
        if (text is null || text == "static")
        {
            return Static;
        }

        foreach ((string word, ScheduleKind kind) in new[] { ("dynamic", ScheduleKind.Dynamic), ("guided", ScheduleKind.Guided) })
        {
            if (text == word)
            {
                return new RankSchedule(kind, null);
            }

            if (text.StartsWith(word + ":", StringComparison.Ordinal))
            {
                string what = kind == ScheduleKind.Guided ? $"{Name} guided's smallest chunk" : $"{Name} dynamic's chunk";
                return new RankSchedule(kind, NumberParser.ParseInt64(text[(word.Length + 1)..], what, 1));
            }
        }

        throw new UsageException($"{Name} must be static, dynamic[:CHUNK] or guided[:MIN] (darts per chunk), not '{text}'");
    }

    /// <summary>
    /// The darts per chunk (guided: the smallest chunk) for <paramref name="darts"/> over
    /// <paramref name="workers"/> workers (ranks x threads).
    /// </summary>
    public long ChunkFor(long darts, int workers)
    {
        if (Chunk is long given)
        {
            return given;
        }

        long pieces = (long)workers * DefaultChunksPerWorker * (Guided ? GuidedMinimumDivisor : 1);
        return Math.Max(1, (darts + pieces - 1) / pieces);
    }

    /// <summary>This schedule with its chunk fixed for <paramref name="darts"/> over <paramref name="workers"/> workers, so that every backend of a run gets the same chunks.</summary>
    public RankSchedule For(long darts, int workers) => Dynamic ? this with { Chunk = ChunkFor(darts, workers) } : this;

    /// <summary>"static", "dynamic, chunks of N darts" or "guided, chunks of at least N darts", for headers and plans.</summary>
    public string Describe(long darts, int workers)
    {
        if (!Dynamic)
        {
            return "static";
        }

        string chunk = ChunkFor(darts, workers).ToString("N0", CultureInfo.InvariantCulture);
        return Guided ? $"guided, chunks of at least {chunk} darts" : $"dynamic, chunks of {chunk} darts";
    }
}

/// <summary>The kinds of <see cref="RankSchedule"/>, as OpenMP's schedule clause names them.</summary>
internal enum ScheduleKind
{
    Static,
    Dynamic,
    Guided,
}
