using Interop.Backends;
using Interop.Backends.Ep;
using Interop.Cli.Compare;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli.Workloads.Ep;

/// <summary>
/// compare's EP size for a budget: every EP point (every path, backend and thread count) runs once
/// with enough batches to last about <see cref="ProbeSeconds"/>, giving its rate in pairs/s over the
/// whole job; time is then linear in the pairs, 2^M. The size is NPB's largest class that fits (so
/// that the points are verified against NPB), else the largest M that fits; the serial baseline runs
/// a smaller size where the parallel one would take it too long, as pi's does.
/// </summary>
internal sealed class EpCalibration : ISizeCalibration
{
    private const double ProbeSeconds = 0.03;

    // Probes stop growing here: 2^22 pairs last well over the probe time on any backend.
    private const int LargestProbeM = 22;

    private readonly ComparePlan plan;
    private readonly List<(IBackend Backend, int Threads, double Rate)> rates;

    private EpCalibration(ComparePlan plan, List<(IBackend Backend, int Threads, double Rate)> rates)
    {
        this.plan = plan;
        this.rates = rates;
    }

    /// <summary>Probes every EP point of <paramref name="plan"/> on every rank of <paramref name="job"/> (the runs are collective).</summary>
    public static EpCalibration Probe(IJob job, ComparePlan plan)
    {
        var rates = new List<(IBackend, int, double)>();
        foreach (Isa path in plan.Paths)
        {
            IsaSwitch.Apply(path);
            foreach ((IWorkload _, IBackend backend, int threads) in plan.Points().Where(p => p.Workload == EpWorkload.Instance))
            {
                IEpKernel kernel = EpKernels.For(backend)!;
                // A batch for every thread of every rank, at least.
                int m = Math.Min(EpClass.MinM + 1 + (int)Math.Ceiling(Math.Log2(threads * job.Size)), LargestProbeM);
                double seconds = EpBench.Probe(job, kernel, EpClass.Custom(m), threads);
                while (seconds < SizeScale.Seconds(ProbeSeconds) && m < LargestProbeM)
                {
                    m = Math.Min(m + Math.Max(1, (int)Math.Log2(SizeScale.Seconds(ProbeSeconds) / Math.Max(seconds, 1e-6))), LargestProbeM);
                    seconds = EpBench.Probe(job, kernel, EpClass.Custom(m), threads);
                }

                rates.Add((backend, threads, Math.ScaleB(1.0, m) / Math.Max(seconds, 1e-9)));
            }
        }

        return new EpCalibration(plan, rates);
    }

    // As pi's: 2^M * sum(runs / rate) over the points, the serial baseline at a fraction of the pairs
    // (its rate over the fastest one-thread rate). With no point probed (EP not measured), class S.
    public (ChosenSize Size, double Seconds) Choose(double budget, int runs)
    {
        double[] parallelRates = [.. rates.Where(r => r.Backend.IsParallel).Select(r => r.Rate)];
        double[] serialRates = [.. rates.Where(r => !r.Backend.IsParallel).Select(r => r.Rate)];
        double oneThread = rates.Where(r => r.Backend.IsParallel && r.Threads == 1).Select(r => r.Rate).DefaultIfEmpty(parallelRates.DefaultIfEmpty(1).Max()).Max();
        double serialFraction = serialRates.Length == 0 || parallelRates.Length == 0 ? 1 : Math.Min(1, serialRates.Max() / oneThread);
        // Each parallel point runs once per schedule (compare --schedule), each at about its probed (static) rate.
        double secondsPerPair = runs * ((plan.Schedules.Count * parallelRates.Sum(r => 1 / r)) + serialRates.Sum(r => serialFraction / r));
        if (secondsPerPair == 0)
        {
            return (new ChosenSize(EpClass.S.M, EpClass.S.M), 0);
        }

        // The fastest point lasts at least the budget's minimum.
        double shortest = plan.Budget.MinPointSeconds * parallelRates.Concat(serialRates).DefaultIfEmpty(0).Max();
        int chosen = Fit(Math.Max(budget / secondsPerPair, shortest));
        int serial = parallelRates.Length == 0 ? chosen
            : Math.Min(chosen, Fit(Math.Max(Math.ScaleB(1.0, chosen) * serialFraction, plan.Budget.MinPointSeconds * serialRates.DefaultIfEmpty(0).Max())));
        double seconds = runs * ((plan.Schedules.Count * parallelRates.Sum(r => Math.ScaleB(1.0, chosen) / r)) + serialRates.Sum(r => Math.ScaleB(1.0, serial) / r));
        return (new ChosenSize(chosen, serial), seconds);
    }

    /// <summary>
    /// The M for about <paramref name="pairs"/> pairs: NPB's largest class not above it (up to class C),
    /// else the largest M not above it, at least <see cref="EpClass.MinM"/>.
    /// </summary>
    public static int Fit(double pairs)
    {
        int m = Math.Clamp((int)Math.Floor(Math.Log2(Math.Max(pairs, 1))), EpClass.MinM, EpClass.C.M);
        return EpClass.All.Where(c => c.M <= m).Select(c => c.M).DefaultIfEmpty(m).Max();
    }
}
