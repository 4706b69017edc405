using System.Globalization;
using Interop.Cli.Schema;

namespace Interop.Cli.Noise;

/// <summary>
/// When the machine counts as busy while a run measured, and the warning that says so.
/// <list type="bullet">
/// <item>CPU: the processes outside the job kept more CPUs busy, on average over the measuring, than
/// the job left idle (usable CPUs minus the job's threads on the node, at least 0) plus
/// <see cref="OtherCpuAllowance"/> (a tenth of one CPU: daemons, the terminal, the shell). A job on
/// every CPU is disturbed by anything above a tenth of a CPU; one that leaves CPUs idle only by what
/// does not fit beside it. This is measured over exactly the measuring, process by process.</item>
/// <item>Load: the 1-minute load average before measuring was above the online CPUs plus
/// <see cref="LoadMargin"/>: more runnable tasks than CPUs before the job even started. The load
/// average counts the whole machine (containers see their host's), smooths a minute and still holds
/// a previous run's tail, so it only flags a machine that was oversubscribed without the job; the
/// CPU rule above is the precise one. Both loads are recorded either way.</item>
/// </list>
/// </summary>
internal static class NoiseRule
{
    /// <summary>CPUs (0.10 = a tenth of one) other processes may use beyond those the job leaves idle.</summary>
    public const double OtherCpuAllowance = 0.10;

    /// <summary>Runnable tasks beyond the online CPUs that the load average before measuring may show.</summary>
    public const double LoadMargin = 1.0;

    /// <summary>Processes recorded in machine_load.top.</summary>
    public const int TopCount = 5;

    /// <summary>Processes named in the warning.</summary>
    public const int NamedInWarning = 3;

    /// <summary>A process below this share of a CPU (1 %) is not listed.</summary>
    public const double ListedShare = 0.01;

    /// <summary>Why the machine was busy, or null when it was not.</summary>
    /// <param name="otherCpus">CPUs other processes kept busy on average while the job measured.</param>
    /// <param name="usable">CPUs the job may use.</param>
    /// <param name="jobThreads">The job's threads on the node.</param>
    /// <param name="loadBefore">The 1-minute load average before measuring; null where unknown.</param>
    /// <param name="online">CPUs online on the node (the load average's scale).</param>
    public static string? Busy(double otherCpus, int usable, int jobThreads, double? loadBefore, int online)
    {
        double idle = Math.Max(0, usable - jobThreads);
        if (otherCpus > idle + OtherCpuAllowance)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"other processes kept {otherCpus:0.00} CPU(s) busy while the job's {jobThreads} thread(s) ran on {usable} usable CPU(s) (allowed: {idle + OtherCpuAllowance:0.00})");
        }

        if (loadBefore is double load && load > online + LoadMargin)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"the load average was {load:0.00} before measuring, above the {online} online CPU(s) + {LoadMargin:0}");
        }

        return null;
    }

    /// <summary>
    /// "the machine was busy while measuring: dotnet (pid 123) used 85% of a CPU, cc1 (pid 456) 41%; other processes kept
    /// 1.26 CPU(s) busy ...: timings are slower and noisier than on a quiet machine", or null when it was not busy.
    /// </summary>
    public static string? Warning(MachineLoad load)
    {
        if (!load.Busy)
        {
            return null;
        }

        bool severalNodes = load.Nodes > 1;
        string named = string.Join(", ", load.Top.Take(NamedInWarning).Select((p, i) =>
            $"{p.Name} (pid {p.Pid.ToString(CultureInfo.InvariantCulture)}{(severalNodes ? " on " + p.Host : string.Empty)}) " +
            $"{(i == 0 ? "used " : string.Empty)}{Percent(p.CpuShare)}{(i == 0 ? " of a CPU" : string.Empty)}"));
        return $"the machine was busy while measuring: {(named.Length > 0 ? named + "; " : string.Empty)}{load.Reason}: " +
            "timings are slower and noisier than on a quiet machine";
    }

    /// <summary>A share of one CPU as a percentage: "85%", "4.2%".</summary>
    public static string Percent(double share) => Core.TimingStats.FormatPercent(share);
}
