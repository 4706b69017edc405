using System.Globalization;

namespace Interop.Cli.Jobs;

/// <summary>
/// Where the threads of a job land: warns (rank 0, on stderr) when ranks x threads oversubscribe a
/// node's CPUs, or when a rank runs more threads than the CPUs it may use (OpenMPI binds each rank
/// to one core by default, so threads inside it would share that core).
/// </summary>
internal static class Placement
{
    public static void Warn(IJob job, int threads, TextWriter stderr)
    {
        long node = StableHash.Of(Environment.MachineName);
        long[] nodes = job.GatherAll(node);
        long[] usable = job.GatherAll(Environment.ProcessorCount);
        long[] online = job.GatherAll(OnlineCpus());
        if (!job.IsRoot)
        {
            return;
        }

        // A heterogeneous job's ranks each run their own count (every rank knows them all).
        // (compare's lists: each rank's largest, as threads is the largest of a homogeneous list).
        int[] rankThreads = job.Heterogeneous is RankThreads heterogeneous
            ? [.. heterogeneous.Lists.Select(l => l.Max())]
            : [.. Enumerable.Repeat(threads, job.Size)];
        int[] cramped = [.. Enumerable.Range(0, job.Size).Where(r => rankThreads[r] > usable[r])];
        if (cramped.Length > 0)
        {
            Commands.Notices.Warn(
                stderr,
                $"{rankThreads[cramped[0]]} threads per rank but rank(s) {string.Join(",", cramped)} may use only {usable[cramped[0]]} CPU(s): " +
                "threads will share cores (with OpenMPI use --bind-to none or --map-by slot:PE=<threads>)");
        }

        foreach (IGrouping<long, int> ranksOnNode in Enumerable.Range(0, job.Size).GroupBy(r => nodes[r]))
        {
            int ranks = ranksOnNode.Count();
            long cpus = online[ranksOnNode.First()];
            long onNode = ranksOnNode.Sum(r => (long)rankThreads[r]);
            if (onNode > cpus)
            {
                string shape = ranksOnNode.All(r => rankThreads[r] == rankThreads[ranksOnNode.First()])
                    ? $"{ranks} rank(s) x {rankThreads[ranksOnNode.First()]} thread(s)"
                    : $"{ranks} rank(s) of {string.Join("+", ranksOnNode.Select(r => rankThreads[r]))} thread(s)";
                Commands.Notices.Warn(
                    stderr,
                    $"{shape} = {onNode} threads on a node with {cpus} CPU(s): oversubscribed, timings will suffer");
            }
        }
    }

    /// <summary>The CPUs online on this node (not only those this process may use).</summary>
    public static int OnlineCpus()
    {
        try
        {
            string text = File.ReadAllText("/sys/devices/system/cpu/online").Trim();
            int count = 0;
            foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] bounds = part.Split('-');
                count += bounds.Length == 2
                    ? int.Parse(bounds[1], CultureInfo.InvariantCulture) - int.Parse(bounds[0], CultureInfo.InvariantCulture) + 1
                    : 1;
            }

            return count;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return Environment.ProcessorCount;
        }
    }
}
