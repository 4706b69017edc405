namespace Interop.Cli.Workloads;

/// <summary>
/// What a <see cref="RankSchedule"/> hands out, one numbered item at a time: its name in messages
/// and headers, and how many chunks each worker (a thread of a rank) gets when dynamic is given
/// without a chunk size.
/// </summary>
internal sealed record ScheduleUnit(string Plural, int DefaultChunksPerWorker)
{
    /// <summary>
    /// pi's darts: 64 chunks a worker even out a core that runs at half speed, and keep the chunks
    /// other workers still hold when the darts run out small beside a balanced run (measured on 2
    /// cores: 32 cost dynamic 4-6 % against static, 64 2.5-4 %, 128 no less; docs/mpi.md, "Schedules").
    /// </summary>
    public static ScheduleUnit Darts { get; } = new("darts", 64);

    /// <summary>
    /// EP's batches of 2^16 pairs, the kernel's indivisible unit, which it shares among its threads
    /// whole: half pi's chunks a worker, so that a chunk of class S (256 batches) on 3 ranks of 1
    /// thread still holds several batches (6) and a chunk of class A (4,096 batches) 86, and the task
    /// pool's requests stay a small part of a chunk's time.
    /// </summary>
    public static ScheduleUnit EpBatches { get; } = new("batches", 16);

    /// <summary>
    /// Any workload's items, for reading compare's --schedule list once for all the workloads it applies to
    /// (only its messages use the name; each workload then measures with its own unit's default chunks).
    /// </summary>
    public static ScheduleUnit Items { get; } = new("items", 1);
}
