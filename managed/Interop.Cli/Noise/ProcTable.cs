using System.Globalization;
using System.Runtime.InteropServices;

namespace Interop.Cli.Noise;

/// <summary>One process as /proc/&lt;pid&gt;/stat shows it: its parent, name and CPU time so far.</summary>
/// <param name="CpuTicks">utime + stime, in clock ticks (<see cref="ProcTable.TicksPerSecond"/>); its threads included.</param>
/// <param name="StartTicks">When it started, in ticks after boot: tells a reused pid from the process seen before.</param>
internal sealed record ProcEntry(int Pid, int ParentPid, string Name, long CpuTicks, long StartTicks);

/// <summary>
/// Every process of a Linux /proc at one moment (each directory named by a number), read from a
/// root that tests replace with a fake tree. A process that ends while it is read is left out.
/// </summary>
internal sealed partial class ProcTable
{
    /// <summary>The real one.</summary>
    public const string DefaultRoot = "/proc";

    private ProcTable(IReadOnlyDictionary<int, ProcEntry> processes) => Processes = processes;

    public IReadOnlyDictionary<int, ProcEntry> Processes { get; }

    /// <summary>
    /// Clock ticks per second of the CPU times in /proc/&lt;pid&gt;/stat: sysconf(_SC_CLK_TCK), 100 on
    /// Linux where it cannot be asked.
    /// </summary>
    public static long TicksPerSecond { get; } = AskTicksPerSecond();

    /// <summary>Reads every /proc/&lt;pid&gt;/stat (and comm) under <paramref name="root"/>.</summary>
    public static ProcTable Read(string root)
    {
        var processes = new Dictionary<int, ProcEntry>();
        IEnumerable<string> directories;
        try
        {
            directories = Directory.EnumerateDirectories(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ProcTable(processes);
        }

        foreach (string directory in directories)
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && ReadOne(directory, pid) is ProcEntry entry)
            {
                processes[pid] = entry;
            }
        }

        return new ProcTable(processes);
    }

    /// <summary>
    /// One stat line: "pid (comm) state ppid ... utime stime ... starttime ...". The name may hold
    /// spaces and parentheses, so the fields are counted from the last ')'.
    /// </summary>
    public static ProcEntry? Parse(int pid, string stat, string? comm)
    {
        int open = stat.IndexOf('(', StringComparison.Ordinal);
        int close = stat.LastIndexOf(')');
        if (open < 0 || close < open)
        {
            return null;
        }

        // After the name: [0] state, [1] ppid, ... [11] utime, [12] stime, ... [19] starttime (proc(5)'s fields 3, 4, 14, 15, 22).
        string[] fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 20 ||
            !int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int parent) ||
            !long.TryParse(fields[11], NumberStyles.Integer, CultureInfo.InvariantCulture, out long user) ||
            !long.TryParse(fields[12], NumberStyles.Integer, CultureInfo.InvariantCulture, out long system) ||
            !long.TryParse(fields[19], NumberStyles.Integer, CultureInfo.InvariantCulture, out long start))
        {
            return null;
        }

        string name = string.IsNullOrWhiteSpace(comm) ? stat[(open + 1)..close] : comm.Trim();
        return new ProcEntry(pid, parent, name, user + system, start);
    }

    private static ProcEntry? ReadOne(string directory, int pid)
    {
        try
        {
            string stat = File.ReadAllText(Path.Combine(directory, "stat"));
            string? comm = File.Exists(Path.Combine(directory, "comm")) ? File.ReadAllText(Path.Combine(directory, "comm")) : null;
            return Parse(pid, stat, comm);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // ended while read, or hidden (hidepid)
        }
    }

    private static long AskTicksPerSecond()
    {
        const int ScClkTck = 2; // _SC_CLK_TCK in Linux's <unistd.h>
        try
        {
            long ticks = OperatingSystem.IsLinux() ? SysConf(ScClkTck) : -1;
            return ticks > 0 ? ticks : 100;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return 100;
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "sysconf")]
    private static partial nint SysConf(int name);
}
