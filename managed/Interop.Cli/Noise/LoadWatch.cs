using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Interop.Cli.Jobs;
using Interop.Cli.Schema;

namespace Interop.Cli.Noise;

/// <summary>
/// Watches the machine while a run measures: <see cref="Start"/> looks at /proc before (load
/// average, every process's CPU time), <see cref="Finish"/> after, and the difference is what the
/// processes outside the job (<see cref="LoadAccounting"/>) used meanwhile, judged by
/// <see cref="NoiseRule"/>. Under MPI every rank watches its own node, excluding every rank of the
/// job; the nodes' records meet on every rank, each node once (<see cref="Merge"/>).
/// </summary>
internal sealed class LoadWatch
{
    private readonly string root;
    private readonly int self;
    private readonly string host;
    private readonly int[] ranksHere;
    private readonly int[] hostOfRank;
    private readonly int jobThreads;
    private readonly ProcTable? before;
    private readonly LoadAverage? loadBefore;
    private readonly long started;
    private MachineLoad? result;

    private LoadWatch(string root, int self, string host, int[] ranksHere, int[] hostOfRank, int jobThreads)
    {
        this.root = root;
        this.self = self;
        this.host = host;
        this.ranksHere = ranksHere;
        this.hostOfRank = hostOfRank;
        this.jobThreads = jobThreads;
        if (Watchable(root))
        {
            loadBefore = LoadAccounting.ReadLoadAverage(root);
            before = ProcTable.Read(root);
        }

        started = Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// On every rank (a collective): learns the job's ranks on this node and looks at /proc before
    /// measuring. <paramref name="threadsPerRank"/>: the most threads a rank of the run uses.
    /// </summary>
    public static LoadWatch Start(IJob job, int threadsPerRank) =>
        Start(job, threadsPerRank, ProcTable.DefaultRoot, Environment.ProcessId, Environment.MachineName);

    /// <summary>As <see cref="Start(IJob, int)"/> with the /proc root, this process's pid and the host given (tests: a fake tree).</summary>
    public static LoadWatch Start(IJob job, int threadsPerRank, string root, int self, string host)
    {
        byte[][] all = job.GatherAll(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{self}\n{host}")));
        var pids = new int[all.Length];
        var hosts = new string[all.Length];
        for (int r = 0; r < all.Length; r++)
        {
            string[] parts = Encoding.UTF8.GetString(all[r]).Split('\n', 2);
            pids[r] = int.Parse(parts[0], CultureInfo.InvariantCulture);
            hosts[r] = parts[1];
        }

        string[] distinct = [.. hosts.Distinct()];
        int[] hostOfRank = [.. hosts.Select(h => Array.IndexOf(distinct, h))];
        int[] here = [.. Enumerable.Range(0, all.Length).Where(r => hosts[r] == host).Select(r => pids[r])];
        return new LoadWatch(root, self, host, here, hostOfRank, Math.Max(1, here.Length) * Math.Max(1, threadsPerRank));
    }

    /// <summary>Whether <paramref name="root"/> is a Linux /proc to watch.</summary>
    public static bool Watchable(string root) => (OperatingSystem.IsLinux() || root != ProcTable.DefaultRoot) && File.Exists(Path.Combine(root, "loadavg"));

    /// <summary>
    /// On every rank (a collective, at the same point on every rank): looks again and returns the
    /// merged record of every node, the same on every rank. A second call returns the first's.
    /// </summary>
    public MachineLoad Finish(IJob job)
    {
        if (result is not null)
        {
            return result;
        }

        // Ranks that measured nothing (inv's single-process backends run on rank 0 alone) wait here
        // for rank 0 to finish: their look "after" then covers the whole measurement, and a wait past
        // INTEROP_MPI_TIMEOUT names rank 0 (MPI_Bcast) instead of "the other ranks" (MPI_Allgather).
        job.BroadcastFromRoot(0);
        MachineLoad mine = Observe();
        byte[][] all = job.GatherAll(JsonSerializer.SerializeToUtf8Bytes(mine, SchemaJsonContext.Default.MachineLoad));
        MachineLoad?[] nodes = new MachineLoad?[all.Length];
        for (int r = 0; r < all.Length; r++)
        {
            nodes[r] = JsonSerializer.Deserialize(all[r], SchemaJsonContext.Default.MachineLoad);
        }

        result = Merge([.. Enumerable.Range(0, all.Length).GroupBy(r => hostOfRank[r]).Select(g => nodes[g.First()]!)]);
        return result;
    }

    /// <summary>This node's record: what the processes outside the job used since <see cref="Start"/>.</summary>
    private MachineLoad Observe()
    {
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (before is null || !Watchable(root))
        {
            return MachineLoad.UnknownLoad;
        }

        LoadAverage? loadAfter = LoadAccounting.ReadLoadAverage(root);
        ProcTable after = ProcTable.Read(root);
        var job = LoadAccounting.JobProcesses(before, self, ranksHere);
        job.UnionWith(LoadAccounting.JobProcesses(after, self, ranksHere));
        IReadOnlyList<(ProcEntry Process, double CpuSeconds)> others = LoadAccounting.OtherUse(before, after, job, ProcTable.TicksPerSecond);
        return Judge(seconds, host, others, Environment.ProcessorCount, Jobs.Placement.OnlineCpus(), jobThreads, loadBefore, loadAfter);
    }

    /// <summary>One node's record from what the others used over <paramref name="seconds"/>, judged by <see cref="NoiseRule"/>.</summary>
    public static MachineLoad Judge(
        double seconds, string host, IReadOnlyList<(ProcEntry Process, double CpuSeconds)> others, int usable, int online, int jobThreads,
        LoadAverage? loadBefore, LoadAverage? loadAfter)
    {
        double span = Math.Max(seconds, 1e-3);
        double otherSeconds = others.Sum(o => o.CpuSeconds);
        double otherCpus = otherSeconds / span;
        string? reason = NoiseRule.Busy(otherCpus, usable, jobThreads, loadBefore?.Load1, online);
        return new MachineLoad
        {
            Status = MachineLoad.Measured,
            Seconds = seconds,
            Nodes = 1,
            CpusUsable = usable,
            JobThreads = jobThreads,
            Before = loadBefore,
            After = loadAfter,
            OtherCpuSeconds = otherSeconds,
            OtherCpus = otherCpus,
            Busy = reason is not null,
            Reason = reason,
            Top = [.. others.Where(o => o.CpuSeconds / span >= NoiseRule.ListedShare).Take(NoiseRule.TopCount)
                .Select(o => new OtherProcess(o.Process.Name, o.Process.Pid, host, o.CpuSeconds, o.CpuSeconds / span))],
        };
    }

    /// <summary>
    /// Every node's record as one (<paramref name="nodes"/>[0] is rank 0's): the loads, CPUs and
    /// threads of rank 0's node, the CPU seconds of every node added, the busiest node's CPUs, busy
    /// when any node was (its reason, with its host when there are several), and the processes of
    /// every node, most first. Unknown where no node could be watched.
    /// </summary>
    public static MachineLoad Merge(IReadOnlyList<MachineLoad> nodes)
    {
        MachineLoad[] measured = [.. nodes.Where(n => n.Status == MachineLoad.Measured)];
        if (measured.Length == 0)
        {
            return MachineLoad.UnknownLoad;
        }

        if (measured.Length == 1)
        {
            return measured[0];
        }

        MachineLoad first = measured[0];
        MachineLoad? busy = measured.FirstOrDefault(n => n.Busy);
        return first with
        {
            Nodes = measured.Length,
            OtherCpuSeconds = measured.Sum(n => n.OtherCpuSeconds ?? 0),
            OtherCpus = measured.Max(n => n.OtherCpus ?? 0),
            Busy = busy is not null,
            Reason = busy is null ? null : $"on {busy.Top.FirstOrDefault()?.Host ?? "a node"}: {busy.Reason}",
            Top = [.. measured.SelectMany(n => n.Top).OrderByDescending(p => p.CpuShare).Take(NoiseRule.TopCount)],
        };
    }
}
