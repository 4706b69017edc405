using System.Globalization;
using System.Text.RegularExpressions;

namespace Interop.Core;

/// <summary>The CPUs a Slurm allocation gives this task, and the rule that says so (shown to the user).</summary>
public readonly record struct SlurmShare(int Cpus, string Source);

/// <summary>
/// Counts per node in Slurm's compressed form, as SLURM_JOB_CPUS_PER_NODE, SLURM_TASKS_PER_NODE and
/// SLURM_STEP_TASKS_PER_NODE give them: "2(x3),1" is 2 on each of the first three nodes and 1 on
/// the fourth. Kept as runs, so a value such as "1(x100000)" costs nothing to hold.
/// </summary>
public sealed partial record SlurmCounts(string Text, IReadOnlyList<(int Count, int Nodes)> Runs)
{
    /// <summary>
    /// The most nodes a value may describe: beyond any machine Slurm runs (its node names are
    /// kept in a 32-bit bitmap index) and far below where a sum of runs could overflow.
    /// </summary>
    public const int MaxNodes = 1_000_000;

    public int NodeCount => Runs.Sum(r => r.Nodes);

    /// <summary>The count of node <paramref name="node"/> (0-based), null beyond the last node.</summary>
    public int? At(int node)
    {
        foreach ((int count, int nodes) in Runs)
        {
            if (node < nodes)
            {
                return count;
            }

            node -= nodes;
        }

        return null;
    }

    /// <summary>Reads <paramref name="value"/> of variable <paramref name="name"/>; counts from 1 to <paramref name="max"/>.</summary>
    public static SlurmCounts Parse(string name, string value, int max)
    {
        var runs = new List<(int Count, int Nodes)>();
        long total = 0;
        foreach (string item in value.Trim().Split(','))
        {
            Match m = Item().Match(item);
            int? count = m.Success ? SlurmAllocation.Number(m.Groups["count"].Value, max) : null;
            int? nodes = !m.Success ? null : m.Groups["nodes"].Success ? SlurmAllocation.Number(m.Groups["nodes"].Value, MaxNodes) : 1;
            total += nodes ?? 0;
            if (count is not int c || c < 1 || nodes is not int n || n < 1 || total > MaxNodes)
            {
                throw new UsageException(
                    $"{name}='{DisplayText.Printable(value)}' is not Slurm's list of counts per node (\"2(x3),1\": counts from 1 to " +
                    string.Create(CultureInfo.InvariantCulture, $"{max}, each optionally followed by (xN), N nodes, at most {MaxNodes} in all)"));
            }

            runs.Add((c, n));
        }

        return new SlurmCounts(value.Trim(), runs);
    }

    /// <summary>"2(x3),1" as it was given, and expanded when short: "2(x3),1 (2, 2, 2, 1)".</summary>
    public override string ToString() =>
        Runs.Count == 1 && Runs[0].Nodes == 1 ? Text
        : NodeCount <= 16 ? $"{Text} ({string.Join(", ", Runs.SelectMany(r => Enumerable.Repeat(r.Count, r.Nodes)))})"
        : string.Create(CultureInfo.InvariantCulture, $"{Text} ({NodeCount} nodes)");

    [GeneratedRegex("^(?<count>[0-9]+)(\\(x(?<nodes>[0-9]+)\\))?$", RegexOptions.CultureInvariant)]
    private static partial Regex Item();
}

/// <summary>
/// What interop reads from a Slurm allocation (the SLURM_* variables that sbatch, salloc and srun
/// set), for the thread count (<see cref="ThreadCount"/>) and `interop env`. A number interop
/// reads that is malformed is a usage error naming the variable (Slurm never writes such a value,
/// so something rewrote it, and a guess would give a silently wrong thread count); the node list and
/// the binding are only shown, as given, with a note where they cannot be read further.
/// </summary>
public sealed record SlurmAllocation
{
    /// <summary>CPU counts (per task, per node) from 1 to this: above the largest nodes Slurm manages today.</summary>
    public const int MaxCpus = 65536;

    /// <summary>Tasks of a job from 1 to this: a million nodes of 16 tasks.</summary>
    public const int MaxTasks = 16_000_000;

    /// <summary>SLURM_JOB_ID: the job this process runs in.</summary>
    public required string JobId { get; init; }

    /// <summary>SLURM_STEP_ID (or SLURM_STEPID, its older name, which Slurm still sets): null in a batch script's own shell, which is no srun step.</summary>
    public string? StepId { get; init; }

    /// <summary>Tasks of the step (SLURM_STEP_NUM_TASKS) or, outside a step, of the job (SLURM_NTASKS).</summary>
    public int? Tasks { get; init; }

    /// <summary>The tasks that share this node's allocation (see <see cref="ReadTasksOnNode"/>).</summary>
    public required int TasksOnNode { get; init; }

    public int? CpusPerTask { get; init; }

    public int? CpusOnNode { get; init; }

    /// <summary>SLURM_JOB_CPUS_PER_NODE: the job's CPUs on each of its nodes.</summary>
    public SlurmCounts? JobCpusPerNode { get; init; }

    /// <summary>The step's (or, outside a step, the job's) nodes in Slurm's host-list form, as given ("n[1-2]").</summary>
    public string? NodeList { get; init; }

    /// <summary>
    /// <see cref="NodeList"/> as given, with its hosts when they are few ("n[1-2] (n1, n2)"), their
    /// count when many, or a note when it is not a host list interop reads (it is only shown).
    /// </summary>
    public string? NodesShown => NodeList is not string list ? null
        : ExpandHostList(list, 100_000) is not { } hosts ? $"{DisplayText.Printable(list, 200)} (not a host list interop expands)"
        : hosts.Count == 1 && hosts[0] == list ? DisplayText.Printable(list, 200)
        : hosts.Count <= 16 ? $"{DisplayText.Printable(list, 200)} ({DisplayText.Printable(string.Join(", ", hosts), 400)})"
        : string.Create(CultureInfo.InvariantCulture, $"{DisplayText.Printable(list, 200)} ({hosts.Count} nodes)");

    /// <summary>SLURM_CPU_BIND_TYPE and this task's entry of SLURM_CPU_BIND_LIST, with the CPUs a mask names; null when Slurm bound nothing.</summary>
    public string? Binding { get; init; }

    /// <summary>The CPUs this task may use by the allocation, null where it does not say (see <see cref="Share"/>).</summary>
    public SlurmShare? ShareOfTask { get; init; }

    /// <summary>Whether this process runs inside a Slurm job (SLURM_JOB_ID is set).</summary>
    public static bool InJob(Func<string, string?> getEnvironment) => !string.IsNullOrWhiteSpace(getEnvironment("SLURM_JOB_ID"));

    /// <summary>Everything `interop env` shows; null outside a job. Throws <see cref="UsageException"/> naming a malformed variable.</summary>
    public static SlurmAllocation? Read(Func<string, string?> getEnvironment)
    {
        if (!InJob(getEnvironment))
        {
            return null;
        }

        string? stepId = Text(getEnvironment, "SLURM_STEP_ID") ?? Text(getEnvironment, "SLURM_STEPID");
        string tasksName = stepId is not null && Text(getEnvironment, "SLURM_STEP_NUM_TASKS") is not null ? "SLURM_STEP_NUM_TASKS" : "SLURM_NTASKS";
        return new SlurmAllocation
        {
            JobId = getEnvironment("SLURM_JOB_ID")!.Trim(),
            StepId = stepId,
            Tasks = Count(getEnvironment, tasksName, MaxTasks),
            TasksOnNode = ReadTasksOnNode(getEnvironment),
            CpusPerTask = Count(getEnvironment, "SLURM_CPUS_PER_TASK", MaxCpus),
            CpusOnNode = Count(getEnvironment, "SLURM_CPUS_ON_NODE", MaxCpus),
            JobCpusPerNode = Text(getEnvironment, "SLURM_JOB_CPUS_PER_NODE") is string perNode ? SlurmCounts.Parse("SLURM_JOB_CPUS_PER_NODE", perNode, MaxCpus) : null,
            NodeList = (stepId is null ? null : Text(getEnvironment, "SLURM_STEP_NODELIST")) ?? Text(getEnvironment, "SLURM_JOB_NODELIST") ?? Text(getEnvironment, "SLURM_NODELIST"),
            Binding = ReadBinding(getEnvironment),
            ShareOfTask = Share(getEnvironment),
        };
    }

    /// <summary>
    /// The CPUs the allocation gives this task, null outside a job or where Slurm does not say:
    /// SLURM_CPUS_PER_TASK when the job or step asked for it (-c), else this node's CPUs
    /// (SLURM_CPUS_ON_NODE) divided among the tasks on it, at least 1.
    /// </summary>
    public static SlurmShare? Share(Func<string, string?> getEnvironment)
    {
        if (!InJob(getEnvironment))
        {
            return null;
        }

        if (Count(getEnvironment, "SLURM_CPUS_PER_TASK", MaxCpus) is int perTask)
        {
            return new SlurmShare(perTask, "SLURM_CPUS_PER_TASK");
        }

        if (Count(getEnvironment, "SLURM_CPUS_ON_NODE", MaxCpus) is not int onNode)
        {
            return null;
        }

        int tasks = ReadTasksOnNode(getEnvironment);
        return tasks == 1
            ? new SlurmShare(onNode, "SLURM_CPUS_ON_NODE")
            : new SlurmShare(Math.Max(1, onNode / tasks), string.Create(CultureInfo.InvariantCulture, $"SLURM_CPUS_ON_NODE={onNode} / {tasks} tasks on this node"));
    }

    /// <summary>
    /// The processes that share this node's allocation: the ranks Open MPI's mpiexec started here
    /// (OMPI_COMM_WORLD_LOCAL_SIZE); in an srun step, this node's entry of SLURM_STEP_TASKS_PER_NODE
    /// (SLURM_NODEID is this node's index in the step); else 1, this process alone: a batch
    /// script's own shell is one process on the job's first node, whatever tasks the job asked for.
    /// </summary>
    public static int ReadTasksOnNode(Func<string, string?> getEnvironment)
    {
        if (Count(getEnvironment, "OMPI_COMM_WORLD_LOCAL_SIZE", MaxCpus) is int ranksHere)
        {
            return ranksHere;
        }

        bool inStep = Text(getEnvironment, "SLURM_STEP_ID") is not null || Text(getEnvironment, "SLURM_STEPID") is not null;
        string name = "SLURM_STEP_TASKS_PER_NODE";
        if (!inStep || Text(getEnvironment, name) is not string perNode)
        {
            return 1;
        }

        SlurmCounts counts = SlurmCounts.Parse(name, perNode, MaxCpus);
        int node = Number(getEnvironment, "SLURM_NODEID", 0, SlurmCounts.MaxNodes - 1) ?? 0;
        return counts.At(node) ?? throw new UsageException(
            string.Create(CultureInfo.InvariantCulture, $"SLURM_NODEID={node} but {name}='{DisplayText.Printable(perNode)}' names {counts.NodeCount} node(s) (0 to {counts.NodeCount - 1})"));
    }

    /// <summary>
    /// The host names of Slurm's host-list form: "n[1-2,5],gpu[01-02]" is n1, n2, n5, gpu01, gpu02
    /// (a range keeps its lower bound's width, as Slurm pads), "r[1-2]n[1-2]" every combination.
    /// Null when <paramref name="list"/> is not that form or names more than <paramref name="max"/> hosts.
    /// </summary>
    public static IReadOnlyList<string>? ExpandHostList(string list, int max = SlurmCounts.MaxNodes)
    {
        var hosts = new List<string>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i <= list.Length; i++)
        {
            char c = i < list.Length ? list[i] : ',';
            depth += c == '[' ? 1 : c == ']' ? -1 : 0;
            if (depth is < 0 or > 1)
            {
                return null;
            }

            if (c == ',' && depth == 0)
            {
                if (!ExpandHost(list[start..i], hosts, max))
                {
                    return null;
                }

                start = i + 1;
            }
        }

        return depth == 0 ? hosts : null;
    }

    // Appends the hosts of one expression ("n[1-2]-ib", "r[1-2]n[01-02]", "vm"); false when malformed or beyond max.
    private static bool ExpandHost(string expression, List<string> hosts, int max)
    {
        int open = expression.IndexOf('[', StringComparison.Ordinal);
        if (open < 0)
        {
            if (expression.Length == 0 || expression.Contains(']', StringComparison.Ordinal) || expression.Any(char.IsWhiteSpace) || hosts.Count >= max)
            {
                return false;
            }

            hosts.Add(expression);
            return true;
        }

        int close = expression.IndexOf(']', open);
        if (close < 0)
        {
            return false;
        }

        string prefix = expression[..open];
        string rest = expression[(close + 1)..];
        foreach (string range in expression[(open + 1)..close].Split(','))
        {
            string[] bounds = range.Split('-');
            if (bounds.Length > 2 || bounds.Any(b => Number(b, int.MaxValue - 1) is null))
            {
                return false;
            }

            int low = Number(bounds[0], int.MaxValue - 1)!.Value;
            int high = Number(bounds[^1], int.MaxValue - 1)!.Value;
            if (high < low || (long)hosts.Count + high - low >= max)
            {
                return false;
            }

            for (int n = low; n <= high; n++)
            {
                string name = prefix + n.ToString(CultureInfo.InvariantCulture).PadLeft(bounds[0].Length, '0') + rest;
                if (!ExpandHost(name, hosts, max))
                {
                    return false;
                }
            }
        }

        return true;
    }

    // Slurm writes the mask of each task of this node, in SLURM_LOCALID order: "0x3,0xC".
    private static string? ReadBinding(Func<string, string?> getEnvironment)
    {
        string? type = Text(getEnvironment, "SLURM_CPU_BIND_TYPE");
        string? list = Text(getEnvironment, "SLURM_CPU_BIND_LIST");
        if (type is null && list is null)
        {
            return null;
        }

        string shown = $"{type} {list}".Trim();
        if (list is null || type?.StartsWith("mask_cpu", StringComparison.Ordinal) != true)
        {
            return DisplayText.Printable(shown);
        }

        string[] masks = list.Split(',');
        int local = int.TryParse(getEnvironment("SLURM_LOCALID"), NumberStyles.None, CultureInfo.InvariantCulture, out int id) ? id : 0;
        string? cpus = local < masks.Length ? CpusOfMask(masks[local]) : null;
        return DisplayText.Printable(shown) + (cpus is null ? " (not a CPU mask interop reads)"
            : cpus.Any(c => c is ',' or '-') ? $" (this task: CPUs {cpus})" : $" (this task: CPU {cpus})");
    }

    /// <summary>"0x3" → "0-1", "0xC" → "2-3", "0x5" → "0,2"; null when it is no hexadecimal mask or names no CPU.</summary>
    public static string? CpusOfMask(string mask)
    {
        string hex = mask.Trim();
        hex = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
        if (hex.Length == 0 || hex.Length > MaxCpus / 4 || !hex.All(char.IsAsciiHexDigit))
        {
            return null;
        }

        var cpus = new List<int>();
        for (int digit = 0; digit < hex.Length; digit++)
        {
            int bits = Convert.ToInt32(hex[hex.Length - 1 - digit].ToString(), 16);
            for (int bit = 0; bit < 4; bit++)
            {
                if ((bits & (1 << bit)) != 0)
                {
                    cpus.Add((digit * 4) + bit);
                }
            }
        }

        return cpus.Count == 0 ? null : Ranges(cpus);
    }

    // 0,1,2,5 → "0-2,5"
    private static string Ranges(List<int> sorted)
    {
        var parts = new List<string>();
        for (int i = 0; i < sorted.Count;)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1)
            {
                j++;
            }

            parts.Add(j == i ? sorted[i].ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{sorted[i]}-{sorted[j]}"));
            i = j + 1;
        }

        return string.Join(',', parts);
    }

    private static string? Text(Func<string, string?> getEnvironment, string name) =>
        getEnvironment(name) is string value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    // A count from 1 to max, null when unset or blank.
    private static int? Count(Func<string, string?> getEnvironment, string name, int max) => Number(getEnvironment, name, 1, max);

    private static int? Number(Func<string, string?> getEnvironment, string name, int min, int max)
    {
        string? value = getEnvironment(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return Number(value.Trim(), max) is int n && n >= min
            ? n
            : throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{name}='{DisplayText.Printable(value)}' is not a whole number from {min} to {max}"));
    }

    /// <summary>ASCII digits only, from 0 to <paramref name="max"/>; null otherwise.</summary>
    internal static int? Number(string digits, int max) =>
        digits.Length is > 0 and <= 10 && digits.All(char.IsAsciiDigit) && long.Parse(digits, CultureInfo.InvariantCulture) is long n && n <= max ? (int)n : null;
}
