using System.Diagnostics;
using System.Globalization;
using Interop.Backends;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli.Compare;

/// <summary>
/// How long a compare run may take and how short a timed point may be: the default study fits about
/// two minutes on any CPU, --quick a few seconds.
/// </summary>
internal sealed record CompareBudget(double Seconds, double MinPointSeconds)
{
    /// <summary>Measuring time of the default study per path (about 2 minutes of wall time in all).</summary>
    public static CompareBudget Default { get; } = new(100, 0.2);

    /// <summary>--quick: a smoke run; points may be short.</summary>
    public static CompareBudget Quick { get; } = new(10, 0.05);
}

/// <summary>
/// The sizes a compare run measures: darts for pi (fewer for the serial baseline, so that it does
/// not eat the budget), the matrix order for inv, how they were chosen and the time they should take.
/// </summary>
internal sealed record CompareSizes(long Darts, long SerialDarts, int N, string Source, double EstimatedSeconds);

/// <summary>
/// Chooses the sizes of a compare run on the machine at hand: short probe runs of every point give
/// each backend's rate on this CPU, and the darts and the matrix order are then the largest that
/// fit the budget (a third for pi, two thirds for inv), but never so small that a timed point lasts
/// less than the budget's minimum. Sizes the user gave are kept. Rank 0's choice is every rank's.
/// </summary>
internal sealed class CompareCalibration(IJob job, ComparePlan plan)
{
    private const double PiShare = 1.0 / 3;
    private const double ProbeSeconds = 0.03;
    private const int InvProbeOrder = 600;

    public CompareSizes Choose()
    {
        bool pi = plan.Workloads.Contains("pi") && plan.PiBackends.Count > 0;
        bool inv = plan.Workloads.Contains("inv") && plan.InvBackends.Count > 0;
        if ((plan.Darts is not null || !pi) && (plan.N is not null || !inv))
        {
            long given = plan.Darts ?? 1;
            return new CompareSizes(given, given, plan.N ?? 1, "given", 0);
        }

        var clock = Stopwatch.StartNew();
        List<(IPiBackend Backend, int Threads, double Rate)> piRates = pi && plan.Darts is null ? ProbePi() : [];
        List<(IInvBackend Backend, int Threads, double Gflops)> invRates = inv && plan.N is null && job.IsRoot ? ProbeInv() : [];
        IsaSwitch.Apply(plan.Paths[0]);
        double probes = job.MaxAll(clock.Elapsed.TotalSeconds);

        double budget = Math.Max(plan.Budget.Seconds * plan.Paths.Count - probes, 1);
        double piBudget = pi && inv ? budget * PiShare : budget;
        double invBudget = budget - (pi ? piBudget : 0);
        int runs = plan.Repeat + 1;

        (long darts, long serialDarts, double piSeconds) = plan.Darts is long d ? (d, d, 0) : ChooseDarts(piRates, piBudget, runs);
        (int n, double invSeconds) = plan.N is int nn ? (nn, 0) : ChooseOrder(invRates, invBudget, runs);

        // Rank 0 alone probed the inversion; every rank takes rank 0's sizes.
        long[] fromRoot = [job.GatherAll(darts)[0], job.GatherAll(serialDarts)[0], job.GatherAll(n)[0]];
        double estimate = job.MaxAll(piSeconds + invSeconds) + probes;
        string source = string.Create(CultureInfo.InvariantCulture,
            $"calibrated on this CPU by {probes:F1} s of probe runs to a budget of {plan.Budget.Seconds * plan.Paths.Count:F0} s");
        return new CompareSizes(fromRoot[0], fromRoot[1], (int)fromRoot[2], source, estimate);
    }

    // Every pi point (every path, backend and thread count) counted once with enough darts to last
    // about ProbeSeconds: its rate in darts/s over the whole job.
    private List<(IPiBackend, int, double)> ProbePi()
    {
        var rates = new List<(IPiBackend, int, double)>();
        foreach (Isa path in plan.Paths)
        {
            IsaSwitch.Apply(path);
            foreach ((string workload, IBackend backend, int threads) in plan.Points().Where(p => p.Workload == "pi"))
            {
                var b = (IPiBackend)backend;
                long darts = 1L << 20;
                double seconds = PiBench.Probe(job, b, plan.Seed, darts, threads);
                if (seconds < ProbeSeconds)
                {
                    darts = (long)Math.Min(darts * Math.Min(ProbeSeconds / Math.Max(seconds, 1e-6), 256), 1L << 34);
                    seconds = PiBench.Probe(job, b, plan.Seed, darts, threads);
                }

                rates.Add((b, threads, darts / Math.Max(seconds, 1e-9)));
            }
        }

        return rates;
    }

    // Every inversion point inverted once (after a warm-up) at a small order: GFLOP/s. Small matrices
    // run below a backend's large-matrix rate, so the estimate errs on the long side.
    private List<(IInvBackend, int, double)> ProbeInv()
    {
        var rates = new List<(IInvBackend, int, double)>();
        int n = InvProbeOrder;
        double[] a = SpecMatrix.Generate(n, plan.Seed, plan.Threads.Max());
        double[] work = SpecMatrix.Allocate(n);
        foreach (Isa path in plan.Paths)
        {
            IsaSwitch.Apply(path);
            foreach ((string workload, IBackend backend, int threads) in plan.Points().Where(p => p.Workload == "inv"))
            {
                var b = (IInvBackend)backend;
                Measurement<int> m = Measure.Run(() => a.CopyTo(work, 0), () => { b.Invert(work, n, threads); return 0; }, 1);
                rates.Add((b, threads, 2.0 * n * n * (double)n / m.Seconds[0] / 1e9));
            }
        }

        return rates;
    }

    // Time is linear in the darts: D * sum(runs / rate) over the points, the serial baseline at a
    // fraction of D (its rate over the fastest one-thread rate), so each of its runs lasts about as
    // long as a one-thread run of the others.
    private (long Darts, long SerialDarts, double Seconds) ChooseDarts(List<(IPiBackend Backend, int Threads, double Rate)> rates, double budget, int runs)
    {
        double[] parallelRates = [.. rates.Where(r => r.Backend.IsParallel).Select(r => r.Rate)];
        double[] serialRates = [.. rates.Where(r => !r.Backend.IsParallel).Select(r => r.Rate)];
        double oneThread = rates.Where(r => r.Backend.IsParallel && r.Threads == 1).Select(r => r.Rate).DefaultIfEmpty(parallelRates.DefaultIfEmpty(1).Max()).Max();
        double serialFraction = serialRates.Length == 0 || parallelRates.Length == 0 ? 1 : Math.Min(1, serialRates.Max() / oneThread);
        double secondsPerDart = runs * (parallelRates.Sum(r => 1 / r) + serialRates.Sum(r => serialFraction / r));
        double darts = budget / secondsPerDart;
        double shortest = plan.Budget.MinPointSeconds * parallelRates.DefaultIfEmpty(0).Max();
        darts = Math.Max(Math.Max(darts, shortest), 1e6);
        long chosen = RoundDown(darts);
        long serial = parallelRates.Length == 0 ? chosen : RoundDown(Math.Max(chosen * serialFraction, plan.Budget.MinPointSeconds * serialRates.DefaultIfEmpty(0).Max()));
        return (chosen, Math.Min(serial, chosen), chosen * secondsPerDart);
    }

    // Time grows as n^3: each point's runs at its probed rate, plus per point a residual check
    // (a GEMM of the same size, at about the fastest rate) and the once-per-thread-count DGEMM peak.
    private (int N, double Seconds) ChooseOrder(List<(IInvBackend Backend, int Threads, double Gflops)> rates, double budget, int runs)
    {
        if (rates.Count == 0)
        {
            return (1, 0);
        }

        double fastest = rates.Max(r => r.Gflops) * 1e9;
        double checks = (rates.Count + plan.Threads.Count + 1) * 2 / fastest;
        double secondsPerCube = (runs * rates.Sum(r => 2 / (r.Gflops * 1e9))) + checks;
        double n = Math.Cbrt(budget / secondsPerCube);
        double shortest = Math.Cbrt(plan.Budget.MinPointSeconds * fastest / 2);
        int chosen = (int)Math.Min(Math.Floor(Math.Max(n, shortest) / 50) * 50, SpecMatrix.MaxOrder);
        chosen = Math.Max(chosen, 50);
        return (chosen, Math.Pow(chosen, 3) * secondsPerCube);
    }

    // Two significant digits, rounded down: 1.37e9 -> 1.3e9.
    private static long RoundDown(double value)
    {
        double scale = Math.Pow(10, Math.Floor(Math.Log10(value)) - 1);
        return (long)(Math.Floor(value / scale) * scale);
    }
}
