using System.Globalization;
using Interop.Core;

namespace Interop.Cli.Workloads;

/// <summary>
/// How a workload's numbered items (pi's darts, EP's batches: <see cref="Unit"/>) are split over the
/// ranks and threads of a job (--schedule), after OpenMP's schedule clause: <c>static</c>, one contiguous range
/// per rank fixed in advance, which the backend splits over its threads (the default); <c>dynamic[:CHUNK]</c>,
/// chunks of CHUNK items handed by <see cref="Interop.Mpi.TaskPool"/> to whichever thread of whichever
/// rank is free (the backend runs each chunk on that one thread), so that a slow or shared core does
/// less of the work; or <c>guided[:MIN]</c>, chunks that shrink as the items run out (the items left
/// over twice the chunks that may be held at once, at least MIN), fewer requests than dynamic for the same even end. The
/// items are numbered, so every schedule computes exactly the same items.
/// </summary>
internal sealed record RankSchedule(ScheduleKind Kind, long? Chunk, ScheduleUnit Unit)
{
    public const string Name = "--schedule";

    /// <summary>Guided's default smallest chunk is a quarter of dynamic's default chunk.</summary>
    public const int GuidedMinimumDivisor = 4;

    /// <summary>One contiguous range of <paramref name="unit"/> per rank (the default).</summary>
    public static RankSchedule Static(ScheduleUnit unit) => new(ScheduleKind.Static, null, unit);

    /// <summary>Chunks from the task pool (dynamic or guided) rather than one range per rank.</summary>
    public bool Dynamic => Kind != ScheduleKind.Static;

    /// <summary>Chunks that shrink as the items run out.</summary>
    public bool Guided => Kind == ScheduleKind.Guided;

    /// <summary>
    /// Reads "static", "dynamic[:CHUNK]" or "guided[:MIN]" (CHUNK and MIN in <paramref name="unit"/>,
    /// 1e6 or 1_000_000 spellings); anything else is a usage error.
    /// </summary>
    public static RankSchedule Parse(string? text, ScheduleUnit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        if (text is null || text == "static")
        {
            return Static(unit);
        }

        foreach ((string word, ScheduleKind kind) in new[] { ("dynamic", ScheduleKind.Dynamic), ("guided", ScheduleKind.Guided) })
        {
            if (text == word)
            {
                return new RankSchedule(kind, null, unit);
            }

            if (text.StartsWith(word + ":", StringComparison.Ordinal))
            {
                string what = kind == ScheduleKind.Guided ? $"{Name} guided's smallest chunk" : $"{Name} dynamic's chunk";
                return new RankSchedule(kind, NumberParser.ParseInt64(text[(word.Length + 1)..], what, 1), unit);
            }
        }

        throw new UsageException($"{Name} must be static, dynamic[:CHUNK] or guided[:MIN] ({unit.Plural} per chunk), not '{text}'");
    }

    /// <summary>
    /// The schedule as the option spells it, its chunk (if given) as a plain integer: "static", "dynamic",
    /// "guided:1000" (compare's points and their keys hold it, so that "dynamic:1e3" and "dynamic:1000" are one).
    /// </summary>
    public string Text => Kind.ToString().ToLowerInvariant() + (Chunk is long chunk ? ":" + chunk.ToString(CultureInfo.InvariantCulture) : string.Empty);

    /// <summary>
    /// The items per chunk (guided: the smallest chunk) for <paramref name="items"/> over
    /// <paramref name="workers"/> workers of the task pool (ranks x threads).
    /// </summary>
    public long ChunkFor(long items, int workers)
    {
        if (Chunk is long given)
        {
            return given;
        }

        long pieces = (long)workers * Unit.DefaultChunksPerWorker * (Guided ? GuidedMinimumDivisor : 1);
        return Math.Max(1, (items + pieces - 1) / pieces);
    }

    /// <summary>
    /// This schedule with its chunk fixed for <paramref name="items"/> over <paramref name="workers"/>
    /// workers, so that every backend of a run gets the same chunks (a serial backend's one worker too).
    /// </summary>
    public RankSchedule For(long items, int workers) => Dynamic ? this with { Chunk = ChunkFor(items, workers) } : this;

    /// <summary>
    /// The split's words in a command's header, around "T thread(s) per parallel backend (from SOURCE":
    /// before it, "R ranks (JOB; dynamic, chunks of N darts split) x " on several ranks; inside its
    /// parentheses, "; dynamic, ... split" for a task-pool schedule in one rank (its threads share it).
    /// </summary>
    public (string BeforeThreads, string InThreads) HeaderText(long items, int ranks, int threads, string job) =>
        ranks > 1 ? ($"{ranks} ranks ({job}; {Describe(items, ranks * threads)} split) x ", string.Empty)
            : (string.Empty, Dynamic ? $"; {Describe(items, threads)} split" : string.Empty);

    /// <summary>"static", "dynamic, chunks of N darts" or "guided, chunks of at least N darts" (in the unit), for headers and plans.</summary>
    public string Describe(long items, int workers)
    {
        if (!Dynamic)
        {
            return "static";
        }

        string chunk = ChunkFor(items, workers).ToString("N0", CultureInfo.InvariantCulture);
        return Guided ? $"guided, chunks of at least {chunk} {Unit.Plural}" : $"dynamic, chunks of {chunk} {Unit.Plural}";
    }
}

/// <summary>The kinds of <see cref="RankSchedule"/>, as OpenMP's schedule clause names them.</summary>
internal enum ScheduleKind
{
    Static,
    Dynamic,
    Guided,
}
