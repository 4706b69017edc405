using Interop.Backends;
using Interop.Cli.Compare;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli.Workloads.Pi;

/// <summary>
/// compare's darts for a budget: every pi point (every path, backend and thread count) counted once
/// with enough darts to last about <see cref="ProbeSeconds"/> gives its rate in darts/s over the whole
/// job; time is then linear in the darts.
/// </summary>
internal sealed class PiCalibration : ISizeCalibration
{
    private const double ProbeSeconds = 0.03;

    private readonly ComparePlan plan;
    private readonly List<(IPiBackend Backend, int Threads, double Rate)> rates;

    private PiCalibration(ComparePlan plan, List<(IPiBackend Backend, int Threads, double Rate)> rates)
    {
        this.plan = plan;
        this.rates = rates;
    }

    /// <summary>Probes every pi point of <paramref name="plan"/> on every rank of <paramref name="job"/> (the counts are collective).</summary>
    public static PiCalibration Probe(IJob job, ComparePlan plan)
    {
        var rates = new List<(IPiBackend, int, double)>();
        foreach (Isa path in plan.Paths)
        {
            IsaSwitch.Apply(path);
            foreach ((IWorkload workload, IBackend backend, int threads) in plan.Points().Where(p => p.Workload == PiWorkload.Instance))
            {
                var b = (IPiBackend)backend;
                long darts = 1L << 20;
                double seconds = PiBench.Probe(job, b, plan.Seed, darts, threads);
                double probeSeconds = SizeScale.Seconds(ProbeSeconds);
                if (seconds < probeSeconds)
                {
                    darts = (long)Math.Min(darts * Math.Min(probeSeconds / Math.Max(seconds, 1e-6), 256), 1L << 34);
                    seconds = PiBench.Probe(job, b, plan.Seed, darts, threads);
                }

                rates.Add((b, threads, darts / Math.Max(seconds, 1e-9)));
            }
        }

        return new PiCalibration(plan, rates);
    }

    // Time is linear in the darts: D * sum(runs / rate) over the points, the serial baseline at a
    // fraction of D (its rate over the fastest one-thread rate), so each of its runs lasts about as
    // long as a one-thread run of the others. With no point probed (pi not measured) the rates are
    // empty and the darts come out 0, as the results' parameters have always said.
    public (ChosenSize Size, double Seconds) Choose(double budget, int runs)
    {
        double[] parallelRates = [.. rates.Where(r => r.Backend.IsParallel).Select(r => r.Rate)];
        double[] serialRates = [.. rates.Where(r => !r.Backend.IsParallel).Select(r => r.Rate)];
        double oneThread = rates.Where(r => r.Backend.IsParallel && r.Threads == 1).Select(r => r.Rate).DefaultIfEmpty(parallelRates.DefaultIfEmpty(1).Max()).Max();
        double serialFraction = serialRates.Length == 0 || parallelRates.Length == 0 ? 1 : Math.Min(1, serialRates.Max() / oneThread);
        // Each parallel point runs once per schedule (compare --schedule), each at about its probed (static) rate.
        double secondsPerDart = runs * ((plan.Schedules.Count * parallelRates.Sum(r => 1 / r)) + serialRates.Sum(r => serialFraction / r));
        if (secondsPerDart == 0)
        {
            return (new ChosenSize(0, 0), 0);
        }

        double darts = budget / secondsPerDart;
        double shortest = plan.Budget.MinPointSeconds * parallelRates.DefaultIfEmpty(0).Max();
        darts = Math.Max(Math.Max(darts, shortest), 1e6);
        long chosen = RoundDown(darts);
        long serial = parallelRates.Length == 0 ? chosen : RoundDown(Math.Max(chosen * serialFraction, plan.Budget.MinPointSeconds * serialRates.DefaultIfEmpty(0).Max()));
        return (new ChosenSize(chosen, Math.Min(serial, chosen)), chosen * secondsPerDart);
    }

    // Two significant digits, rounded down: 1.37e9 -> 1.3e9.
    private static long RoundDown(double value)
    {
        double scale = Math.Pow(10, Math.Floor(Math.Log10(value)) - 1);
        return (long)(Math.Floor(value / scale) * scale);
    }
}
