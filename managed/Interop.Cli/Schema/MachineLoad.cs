namespace Interop.Cli.Schema;

/// <summary>
/// How busy the machine was while a run measured (schema 8, the document's machine_load): the load
/// average before and after, and the CPU time processes outside the job used meanwhile, from
/// Linux's /proc (<see cref="Noise.LoadWatch"/>). Under MPI every rank watches its own node: the
/// loads are rank 0's node's, the CPU time and the processes those of every node (each node once).
/// Elsewhere than Linux: <see cref="Status"/> "unknown" and every figure null.
/// </summary>
internal sealed record MachineLoad
{
    public const string Measured = "measured";

    public const string Unknown = "unknown";

    /// <summary>"measured", or "unknown" where there is no /proc to read (not Linux).</summary>
    public required string Status { get; init; }

    /// <summary>Seconds between the two looks: the measuring (and compare's calibration).</summary>
    public double? Seconds { get; init; }

    /// <summary>Nodes watched (1 without MPI).</summary>
    public int? Nodes { get; init; }

    /// <summary>CPUs this process may use (rank 0's).</summary>
    public int? CpusUsable { get; init; }

    /// <summary>The job's threads on rank 0's node: its ranks there times the most threads a rank ran.</summary>
    public int? JobThreads { get; init; }

    /// <summary>/proc/loadavg before measuring.</summary>
    public LoadAverage? Before { get; init; }

    /// <summary>/proc/loadavg after measuring.</summary>
    public LoadAverage? After { get; init; }

    /// <summary>CPU seconds (user + system) processes outside the job used meanwhile, every node together.</summary>
    public double? OtherCpuSeconds { get; init; }

    /// <summary><see cref="OtherCpuSeconds"/> over <see cref="Seconds"/>: CPUs other processes kept busy on average (on the busiest node).</summary>
    public double? OtherCpus { get; init; }

    /// <summary>Whether the machine was busy by <see cref="Noise.NoiseRule"/>; false when unknown.</summary>
    public bool Busy { get; init; }

    /// <summary>Why it was busy, in words; null when it was not.</summary>
    public string? Reason { get; init; }

    /// <summary>The processes outside the job that used the most CPU, most first (at most <see cref="Noise.NoiseRule.TopCount"/>).</summary>
    public IReadOnlyList<OtherProcess> Top { get; init; } = [];

    /// <summary>The record for a run where nothing could be watched.</summary>
    public static MachineLoad UnknownLoad { get; } = new() { Status = Unknown };

    public bool Equals(MachineLoad? other) =>
        other is not null && Status == other.Status && Seconds == other.Seconds && Nodes == other.Nodes && CpusUsable == other.CpusUsable &&
        JobThreads == other.JobThreads && Before == other.Before && After == other.After && OtherCpuSeconds == other.OtherCpuSeconds &&
        OtherCpus == other.OtherCpus && Busy == other.Busy && Reason == other.Reason && Top.SequenceEqual(other.Top);

    public override int GetHashCode() => HashCode.Combine(Status, Seconds, Busy);
}

/// <summary>/proc/loadavg's three averages: runnable (and uninterruptible) tasks over 1, 5 and 15 minutes.</summary>
internal sealed record LoadAverage(double Load1, double Load5, double Load15);

/// <summary>A process outside the job and the CPU it used while the job measured.</summary>
/// <param name="CpuShare">Its CPU seconds over the seconds watched: 0.85 = 85 % of one CPU.</param>
internal sealed record OtherProcess(string Name, int Pid, string Host, double CpuSeconds, double CpuShare);
