using System.Diagnostics;
using System.Globalization;
using Interop.Backends;
using Interop.Cli.Jobs;
using Interop.Cli.Workloads;
using Interop.Core;

namespace Interop.Cli.Compare;

/// <summary>
/// How long a compare run may take and how short a timed point may be: the default study fits about
/// two minutes on a 2-core CPU (at most 150 s), --quick a few seconds.
/// </summary>
internal sealed record CompareBudget(double Seconds, double MinPointSeconds)
{
    /// <summary>
    /// Measuring time of the default study per path: 70 s keeps the whole default run (probes, warm-ups
    /// and the automatic repeats beyond the estimate included) under 150 s with three workloads on a
    /// 2-core machine (a Zen 5: 100 s took 161 s and 85 s 151 s once a third workload joined the first two).
    /// </summary>
    public static CompareBudget Default { get; } = new(70, 0.2);

    /// <summary>--quick: a smoke run; points may be short.</summary>
    public static CompareBudget Quick { get; } = new(12, 0.05);
}

/// <summary>
/// The size a compare run measures of one workload, and that of its serial baseline's points (smaller
/// where the workload lets it, so that it does not eat the budget; else the same).
/// </summary>
internal sealed record ChosenSize(long Size, long SerialSize);

/// <summary>
/// The sizes a compare run measures, keyed by workload (every workload has one, run or not), how
/// they were chosen and the time they should take.
/// </summary>
internal sealed record CompareSizes(IReadOnlyDictionary<IWorkload, ChosenSize> Sizes, string Source, double EstimatedSeconds)
{
    /// <summary>The size of <paramref name="workload"/>'s points.</summary>
    public long Of(IWorkload workload) => Sizes[workload].Size;

    /// <summary>The size of <paramref name="workload"/>'s serial baseline's points.</summary>
    public long SerialOf(IWorkload workload) => Sizes[workload].SerialSize;
}

/// <summary>What a workload's probe runs found on this CPU: enough to choose its size for a budget.</summary>
internal interface ISizeCalibration
{
    /// <summary>
    /// The size whose points, <paramref name="runs"/> runs each, fill about <paramref name="budget"/>
    /// seconds (never so small that a timed point lasts less than the budget's minimum), and the
    /// seconds they should take.
    /// </summary>
    (ChosenSize Size, double Seconds) Choose(double budget, int runs);
}

/// <summary>
/// Chooses the sizes of a compare run on the machine at hand: short probe runs of every point give
/// each backend's rate on this CPU, and each workload's size is then the largest that fits its share
/// of the budget (its <see cref="IWorkload.BudgetWeight"/> over those of the workloads measured), but
/// never so small that a timed point lasts less than the budget's minimum. Sizes the user gave are
/// kept. Rank 0's choice is every rank's.
/// </summary>
internal sealed class CompareCalibration(IJob job, ComparePlan plan)
{
    public CompareSizes Choose()
    {
        IWorkload[] measured = [.. plan.Workloads.Where(w => w.Backends.Count > 0).Select(w => w.Workload)];
        if (measured.All(w => plan.SizeOf(w) is not null))
        {
            return new CompareSizes(Sized.ToDictionary(w => w, Given), plan.SizeSource, 0);
        }

        // Every size not given is chosen from probes, a workload not measured too (what its probe
        // finds without a point of its own is the size its parameters say).
        var clock = Stopwatch.StartNew();
        Dictionary<IWorkload, ISizeCalibration> probed = Sized.Where(w => plan.SizeOf(w) is null).ToDictionary(w => w, w => w.Probe(job, plan));
        IsaSwitch.Apply(plan.Paths[0]);
        double probes = job.MaxAll(clock.Elapsed.TotalSeconds);

        double budget = Math.Max(plan.Budget.Seconds * plan.Paths.Count - probes, SizeScale.Seconds(1));
        double weights = measured.Sum(w => w.BudgetWeight);
        // Automatic repeats are budgeted at their minimum; their time cap bounds what they add.
        int runs = plan.Repeat.MinRuns + plan.Warmup;

        var sizes = new Dictionary<IWorkload, ChosenSize>();
        double seconds = 0;
        foreach (IWorkload workload in Sized)
        {
            double share = measured.Contains(workload) ? budget * workload.BudgetWeight / weights : budget;
            (ChosenSize chosen, double time) = probed.TryGetValue(workload, out ISizeCalibration? calibration) ? calibration.Choose(share, runs) : (Given(workload), 0);
            // A workload probed on rank 0 alone chose there; every rank takes rank 0's sizes.
            sizes[workload] = new ChosenSize(job.GatherAll(chosen.Size)[0], job.GatherAll(chosen.SerialSize)[0]);
            seconds += time;
        }

        double estimate = job.MaxAll(seconds) + probes;
        string source = string.Create(CultureInfo.InvariantCulture,
            $"calibrated on this CPU by {probes:F1} s of probe runs to a budget of {plan.Budget.Seconds * plan.Paths.Count:F0} s") +
            (plan.SizeSource != "given" ? $"; the others {plan.SizeSource}" : string.Empty);
        return new CompareSizes(sizes, source, estimate);
    }

    // Every workload the driver knows (the results' parameters name each one's size), and any other the plan measures.
    private IEnumerable<IWorkload> Sized => WorkloadRegistry.All.Union(plan.Workloads.Select(w => w.Workload));

    // A size given (or taken from the baseline), its serial baseline's with it; 1 for a workload neither measured nor given.
    private ChosenSize Given(IWorkload workload)
    {
        long size = plan.SizeOf(workload) ?? 1;
        return new ChosenSize(size, plan.SerialSizeOf(workload) ?? size);
    }
}
