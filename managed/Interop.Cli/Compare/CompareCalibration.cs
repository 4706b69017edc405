using System.Diagnostics;
using System.Globalization;
using Interop.Backends;
using Interop.Cli.Jobs;
using Interop.Cli.Workloads;
using Interop.Cli.Workloads.Inv;
using Interop.Cli.Workloads.Pi;
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
    public static CompareBudget Quick { get; } = new(12, 0.05);
}

/// <summary>
/// The size a compare run measures of one workload, and that of its serial baseline's points (fewer
/// darts for pi's, so that it does not eat the budget; the same for the others).
/// </summary>
internal sealed record ChosenSize(long Size, long SerialSize);

/// <summary>
/// The sizes a compare run measures, keyed by workload (darts for pi, the matrix order for inv; every
/// workload has one, run or not), how they were chosen and the time they should take.
/// </summary>
internal sealed record CompareSizes(IReadOnlyDictionary<IWorkload, ChosenSize> Sizes, string Source, double EstimatedSeconds)
{
    /// <summary>The size of <paramref name="workload"/>'s points.</summary>
    public long Of(IWorkload workload) => Sizes[workload].Size;

    /// <summary>The size of <paramref name="workload"/>'s serial baseline's points.</summary>
    public long SerialOf(IWorkload workload) => Sizes[workload].SerialSize;

    /// <summary>The sizes of pi and inv as the calibration chooses them.</summary>
    public static IReadOnlyDictionary<IWorkload, ChosenSize> Of(long darts, long serialDarts, int n) =>
        new Dictionary<IWorkload, ChosenSize> { [PiWorkload.Instance] = new(darts, serialDarts), [InvWorkload.Instance] = new(n, n) };
}

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
    private static readonly int[] InvProbeOrders = [400, 800];

    // The order when only distributed backends run the inversion (nothing rank 0 can probe alone):
    // large enough for a block-cyclic distribution over a few ranks to mean something, small enough
    // for any budget.
    private const int SmallestDistributedOrder = 1000;

    public CompareSizes Choose()
    {
        bool pi = plan.BackendsOf(PiWorkload.Instance).Count > 0;
        bool inv = plan.BackendsOf(InvWorkload.Instance).Count > 0;
        long? givenDarts = plan.SizeOf(PiWorkload.Instance);
        long? givenSerialDarts = plan.SerialSizeOf(PiWorkload.Instance);
        int? givenN = (int?)plan.SizeOf(InvWorkload.Instance);
        if ((givenDarts is not null || !pi) && (givenN is not null || !inv))
        {
            long given = givenDarts ?? 1;
            return new CompareSizes(CompareSizes.Of(given, givenSerialDarts ?? given, givenN ?? 1), plan.SizeSource, 0);
        }

        var clock = Stopwatch.StartNew();
        List<(IPiBackend Backend, int Threads, double Rate)> piRates = pi && givenDarts is null ? ProbePi() : [];
        List<InvModel> invRates = inv && givenN is null && job.IsRoot ? ProbeInv() : [];
        IsaSwitch.Apply(plan.Paths[0]);
        double probes = job.MaxAll(clock.Elapsed.TotalSeconds);

        double budget = Math.Max(plan.Budget.Seconds * plan.Paths.Count - probes, SizeScale.Seconds(1));
        double piBudget = pi && inv ? budget * PiShare : budget;
        double invBudget = budget - (pi ? piBudget : 0);
        // Automatic repeats are budgeted at their minimum; their time cap bounds what they add.
        int runs = plan.Repeat.MinRuns + plan.Warmup;

        (long darts, long serialDarts, double piSeconds) = givenDarts is long d ? (d, givenSerialDarts ?? d, 0) : ChooseDarts(piRates, piBudget, runs);
        (int n, double invSeconds) = givenN is int nn ? (nn, 0) : ChooseOrder(invRates, invBudget, runs);

        // Rank 0 alone probed the inversion; every rank takes rank 0's sizes.
        long[] fromRoot = [job.GatherAll(darts)[0], job.GatherAll(serialDarts)[0], job.GatherAll(n)[0]];
        double estimate = job.MaxAll(piSeconds + invSeconds) + probes;
        string source = string.Create(CultureInfo.InvariantCulture,
            $"calibrated on this CPU by {probes:F1} s of probe runs to a budget of {plan.Budget.Seconds * plan.Paths.Count:F0} s") +
            (plan.SizeSource != "given" ? $"; the others {plan.SizeSource}" : string.Empty);
        return new CompareSizes(CompareSizes.Of(fromRoot[0], fromRoot[1], (int)fromRoot[2]), source, estimate);
    }

    // Every pi point (every path, backend and thread count) counted once with enough darts to last
    // about ProbeSeconds: its rate in darts/s over the whole job.
    private List<(IPiBackend, int, double)> ProbePi()
    {
        var rates = new List<(IPiBackend, int, double)>();
        foreach (Isa path in plan.Paths)
        {
            IsaSwitch.Apply(path);
            foreach ((IWorkload workload, IBackend backend, int threads) in plan.Points().Where(p => p.Workload is PiWorkload))
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

        return rates;
    }

    // Every inversion point timed at two small orders (after a warm-up): its time as a n^3 + b n^2,
    // since small matrices run below a backend's large-matrix rate (the n^2 part: panels, packing,
    // barriers), and one order alone would make larger ones look slower than they are.
    private List<InvModel> ProbeInv()
    {
        var models = new List<InvModel>();
        // INTEROP_SIZE_SCALE (tests, demos) shrinks the probes too, keeping two different orders for the fit.
        int small = SizeScale.Order(InvProbeOrders[0]);
        int large = Math.Max(SizeScale.Order(InvProbeOrders[1]), 2 * small);
        double[][] matrices = [SpecMatrix.Generate(small, plan.Seed, plan.Threads.Max()), SpecMatrix.Generate(large, plan.Seed, plan.Threads.Max())];
        double[] work = SpecMatrix.Allocate(large);
        foreach (Isa path in plan.Paths)
        {
            IsaSwitch.Apply(path);
            foreach ((IWorkload workload, IBackend backend, int threads) in plan.Points().Where(p => p.Workload is InvWorkload))
            {
                // A distributed backend (scalapack) is collective: rank 0 alone cannot time it;
                // ChooseOrder costs it from the points timed here.
                if (backend is not IInvBackend b)
                {
                    continue;
                }

                double Time(double[] m, int n) =>
                    Measure.Run(() => m.AsSpan().CopyTo(work), () => { b.Invert(work.AsSpan(0, n * n), n, threads); return 0; }, 1).Seconds[0];

                models.Add(InvModel.Fit(b, threads, small, Time(matrices[0], small), large, Time(matrices[1], large)));
            }
        }

        return models;
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

    // Time grows as a n^3 + b n^2 per run: each point's runs, plus per point a residual check (a
    // GEMM of the same size at about the fastest rate) and the once-per-thread-count DGEMM peak;
    // the largest n (a multiple of 50) whose total fits the budget, but no smaller than the n at
    // which the fastest point lasts the budget's minimum.
    // A distributed point, which no probe could time alone, is costed as the slowest probed point:
    // on P ranks it runs the same OpenBLAS kernels as lapack, and over-counting keeps the budget.
    private (int N, double Seconds) ChooseOrder(List<InvModel> models, double budget, int runs)
    {
        if (models.Count == 0)
        {
            return (SmallestDistributedOrder, 0);
        }

        int distributed = plan.Points().Count(p => p.Workload is InvWorkload && p.Backend is not IInvBackend);
        double fastestCube = models.Min(m => m.Cube);
        int checks = models.Count + distributed + plan.Threads.Count + 1;
        double Total(double n) => (runs * (models.Sum(m => m.Seconds(n)) + (distributed * models.Max(m => m.Seconds(n))))) + (checks * fastestCube * n * n * n);
        double fits = Largest(n => Total(n) <= budget);
        double longEnough = Largest(n => models.Min(m => m.Seconds(n)) < plan.Budget.MinPointSeconds) + 1;
        int chosen = (int)Math.Clamp(Math.Floor(Math.Max(fits, longEnough) / 50) * 50, 50, SpecMatrix.MaxOrder);
        return (chosen, Total(chosen));
    }

    // The largest n in [1, MaxOrder] for which a condition that holds for small n and fails for large n holds.
    private static double Largest(Func<double, bool> holds)
    {
        double low = 1, high = SpecMatrix.MaxOrder;
        if (holds(high))
        {
            return high;
        }

        while (high - low > 1)
        {
            double middle = Math.Floor((low + high) / 2);
            (low, high) = holds(middle) ? (middle, high) : (low, middle);
        }

        return low;
    }

    // Two significant digits, rounded down: 1.37e9 -> 1.3e9.
    private static long RoundDown(double value)
    {
        double scale = Math.Pow(10, Math.Floor(Math.Log10(value)) - 1);
        return (long)(Math.Floor(value / scale) * scale);
    }
}

/// <summary>One inversion point's time per run as <c>Cube n³ + Square n²</c> seconds, fitted to two probe runs.</summary>
internal sealed record InvModel(IInvBackend Backend, int Threads, double Cube, double Square)
{
    public double Seconds(double n) => (Cube * n * n * n) + (Square * n * n);

    /// <summary>The model through (n1, t1) and (n2, t2), n1 &lt; n2; noise that would make either part negative falls back to a pure n³.</summary>
    public static InvModel Fit(IInvBackend backend, int threads, int n1, double t1, int n2, double t2)
    {
        double c1 = (double)n1 * n1 * n1, c2 = (double)n2 * n2 * n2, s1 = (double)n1 * n1, s2 = (double)n2 * n2;
        double cube = ((t2 * s1) - (t1 * s2)) / ((c2 * s1) - (c1 * s2));
        double square = (t1 - (cube * c1)) / s1;
        return cube > 0 && square >= 0 ? new InvModel(backend, threads, cube, square) : new InvModel(backend, threads, t2 / c2, 0);
    }
}
