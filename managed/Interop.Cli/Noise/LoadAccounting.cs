using System.Globalization;
using Interop.Cli.Schema;

namespace Interop.Cli.Noise;

/// <summary>
/// Which processes belong to the job, and how much CPU the others used between two looks at /proc.
/// The job is this process (its threads are inside its own stat), everything it started, every rank
/// of the job on this node with everything they started, and the MPI launcher that started this
/// process (mpiexec, prterun, prted, ..., walked up from this process through its parents) with
/// everything under it: a deliberately oversubscribed run's ranks are still the job.
/// </summary>
internal static class LoadAccounting
{
    /// <summary>Process names of MPI and batch launchers (what /proc/&lt;pid&gt;/comm says, at most 15 characters).</summary>
    public static IReadOnlySet<string> LauncherNames { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "mpiexec", "mpirun", "orterun", "orted", "prterun", "prted", "prte", "mpiexec.hydra", "hydra_pmi_proxy", "srun", "slurmstepd",
    };

    /// <summary>
    /// The pids of the job in <paramref name="table"/>: <paramref name="self"/>, the
    /// <paramref name="ranks"/> (this node's ranks of an MPI job), the launcher above
    /// <paramref name="self"/>, and every descendant of them.
    /// </summary>
    public static HashSet<int> JobProcesses(ProcTable table, int self, IEnumerable<int> ranks)
    {
        var roots = new HashSet<int>(ranks) { self };
        if (Launcher(table, self) is int launcher)
        {
            roots.Add(launcher);
        }

        ILookup<int, int> children = table.Processes.Values.ToLookup(p => p.ParentPid, p => p.Pid);
        var job = new HashSet<int>();
        var pending = new Stack<int>(roots);
        while (pending.Count > 0)
        {
            int pid = pending.Pop();
            if (job.Add(pid))
            {
                foreach (int child in children[pid])
                {
                    pending.Push(child);
                }
            }
        }

        return job;
    }

    /// <summary>
    /// The launcher that started <paramref name="self"/>: its nearest ancestor named as a launcher,
    /// and above it any launcher that started that one (mpiexec starting prterun); null when none.
    /// The walk stops at pid 1 and at a loop (a table read while processes came and went).
    /// </summary>
    public static int? Launcher(ProcTable table, int self)
    {
        int? found = null;
        var seen = new HashSet<int>();
        int pid = self;
        while (table.Processes.TryGetValue(pid, out ProcEntry? entry) && entry.ParentPid > 1 && seen.Add(pid))
        {
            if (!table.Processes.TryGetValue(entry.ParentPid, out ProcEntry? parent))
            {
                break;
            }

            bool launcher = LauncherNames.Contains(parent.Name);
            if (launcher)
            {
                found = parent.Pid;
            }
            else if (found is not null)
            {
                break;
            }

            pid = parent.Pid;
        }

        return found;
    }

    /// <summary>
    /// CPU seconds each process outside <paramref name="job"/> used between <paramref name="before"/>
    /// and <paramref name="after"/>, most first, those that used none left out. A process new in
    /// <paramref name="after"/> (or a pid reused, told by its start time) used all of its time in
    /// between; one that ended in between is gone from <paramref name="after"/> and not counted.
    /// </summary>
    public static IReadOnlyList<(ProcEntry Process, double CpuSeconds)> OtherUse(ProcTable before, ProcTable after, IReadOnlySet<int> job, long ticksPerSecond)
    {
        var used = new List<(ProcEntry, double)>();
        foreach (ProcEntry now in after.Processes.Values)
        {
            if (job.Contains(now.Pid))
            {
                continue;
            }

            long ticks = before.Processes.TryGetValue(now.Pid, out ProcEntry? then) && then.StartTicks == now.StartTicks
                ? now.CpuTicks - then.CpuTicks
                : now.CpuTicks;
            if (ticks > 0)
            {
                used.Add((now, (double)ticks / ticksPerSecond));
            }
        }

        return [.. used.OrderByDescending(u => u.Item2).ThenBy(u => u.Item1.Pid)];
    }

    /// <summary>"0.52 0.58 0.59 2/345 12345" as the three averages; null when the text is not that.</summary>
    public static LoadAverage? ParseLoadAverage(string text)
    {
        string[] fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 3 &&
            double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double one) &&
            double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double five) &&
            double.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double fifteen)
            ? new LoadAverage(one, five, fifteen)
            : null;
    }

    /// <summary>&lt;root&gt;/loadavg read, or null where it is missing or unreadable.</summary>
    public static LoadAverage? ReadLoadAverage(string root)
    {
        try
        {
            return ParseLoadAverage(File.ReadAllText(Path.Combine(root, "loadavg")));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
