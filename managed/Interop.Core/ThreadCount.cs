using System.Globalization;

namespace Interop.Core;

/// <summary>How many threads to use, and which rule decided it (shown to the user).</summary>
public readonly record struct ThreadChoice(int Threads, string Source);

/// <summary>
/// The thread-count rules, later ones overriding earlier ones:
/// 1. the CPUs this process may use (affinity mask and cgroup CPU quota, as .NET reports them),
///    inside a Slurm job at most SLURM_CPUS_ON_NODE divided among the tasks on this node
///    (<see cref="SlurmAllocation.Share"/>): Slurm without task binding leaves every CPU in the mask;
/// 2. SLURM_CPUS_PER_TASK (what the cluster allocated to this task);
/// 3. OMP_NUM_THREADS (the first value of a nested list such as "4,2");
/// 4. --threads.
/// </summary>
public static class ThreadCount
{
    /// <summary>
    /// The most threads one process may be given. Far above any CPU's count of hardware threads, and
    /// low enough that the runtimes' thread creation (OpenMP's, .NET's) cannot fail on a sane system.
    /// </summary>
    public const int Max = 1024;

    public const string Rules =
        "Threads: the CPUs this process may use (affinity and cgroup limits; in a Slurm job at most " +
        "SLURM_CPUS_ON_NODE shared among the node's tasks), overridden by " +
        "SLURM_CPUS_PER_TASK, then by OMP_NUM_THREADS, then by --threads (1 to 1024).";

    public static ThreadChoice Resolve(int? cliThreads, Func<string, string?> getEnvironment, int availableCpus)
    {
        var choice = new ThreadChoice(Math.Max(1, availableCpus), "available CPUs");
        if (FromEnvironment("SLURM_CPUS_PER_TASK", getEnvironment) is int slurm)
        {
            choice = new ThreadChoice(slurm, "SLURM_CPUS_PER_TASK");
        }
        else if (SlurmAllocation.Share(getEnvironment) is SlurmShare share && share.Cpus < choice.Threads)
        {
            choice = new ThreadChoice(Math.Min(share.Cpus, Max), share.Source);
        }

        if (FromEnvironment("OMP_NUM_THREADS", getEnvironment) is int omp)
        {
            choice = new ThreadChoice(omp, "OMP_NUM_THREADS");
        }

        if (cliThreads is int cli)
        {
            if (cli < 1 || cli > Max)
            {
                throw new UsageException($"--threads must be from 1 to {Max}, got {cli}");
            }

            choice = new ThreadChoice(cli, "--threads");
        }

        return choice;
    }

    /// <summary>The rules applied to this process's real environment.</summary>
    public static ThreadChoice Resolve(int? cliThreads) =>
        Resolve(cliThreads, Environment.GetEnvironmentVariable, Environment.ProcessorCount);

    /// <summary>
    /// The count a variable gives, null when it is unset or blank. SLURM_CPUS_PER_TASK is one number;
    /// OMP_NUM_THREADS is OpenMP's list of positive numbers, one per nesting level ("4,2"), of which the
    /// first is this process's count. A value that is not that, as a whole, is a usage error showing
    /// the value on one line: an OpenMP runtime ignores such a variable, so reading just its first
    /// number ("4,x", "4,") would state a count the runtime does not use.
    /// </summary>
    private static int? FromEnvironment(string name, Func<string, string?> getEnvironment)
    {
        string? value = getEnvironment(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        string[] levels = name == "OMP_NUM_THREADS" ? value.Split(',') : [value];
        int?[] counts = [.. levels.Select(level =>
            int.TryParse(level.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count >= 1 ? count : (int?)null)];
        if (counts.Any(c => c is null) || counts[0] > Max)
        {
            string what = levels.Length > 1 ? $"a list of thread counts whose first is from 1 to {Max} (\"4,2\")" : $"a thread count from 1 to {Max}";
            throw new UsageException($"{name}='{DisplayText.Printable(value)}' is not {what}");
        }

        return counts[0];
    }
}
