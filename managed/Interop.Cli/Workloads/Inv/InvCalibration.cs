using Interop.Backends;
using Interop.Cli.Compare;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli.Workloads.Inv;

/// <summary>
/// compare's matrix order for a budget: every single-process inversion point timed on rank 0 at two
/// small orders (after a warm-up) gives its time per run as a n^3 + b n^2, from which the largest
/// order that fits the budget is chosen.
/// </summary>
internal sealed class InvCalibration : ISizeCalibration
{
    private static readonly int[] ProbeOrders = [400, 800];

    // The order when only distributed backends run the inversion (nothing rank 0 can probe alone):
    // large enough for a block-cyclic distribution over a few ranks to mean something, small enough
    // for any budget.
    private const int SmallestDistributedOrder = 1000;

    private readonly ComparePlan plan;
    private readonly List<InvModel> models;

    private InvCalibration(ComparePlan plan, List<InvModel> models)
    {
        this.plan = plan;
        this.models = models;
    }

    /// <summary>
    /// Probes the inversion points of <paramref name="plan"/> on rank 0 alone (the other ranks probe
    /// nothing and take rank 0's order): small matrices run below a backend's large-matrix rate (the
    /// n^2 part: panels, packing, barriers), and one order alone would make larger ones look slower
    /// than they are.
    /// </summary>
    public static InvCalibration Probe(IJob job, ComparePlan plan)
    {
        var models = new List<InvModel>();
        // A distributed backend (scalapack) is collective: rank 0 alone cannot time it; Choose costs
        // it from the points timed here.
        if (!job.IsRoot || !plan.Points().Any(p => p.Workload == InvWorkload.Instance && p.Backend is IInvBackend))
        {
            return new InvCalibration(plan, models);
        }

        // INTEROP_SIZE_SCALE (tests, demos) shrinks the probes too, keeping two different orders for the fit.
        int small = SizeScale.Order(ProbeOrders[0]);
        int large = Math.Max(SizeScale.Order(ProbeOrders[1]), 2 * small);
        double[][] matrices = [SpecMatrix.Generate(small, plan.Seed, plan.Threads.Max()), SpecMatrix.Generate(large, plan.Seed, plan.Threads.Max())];
        double[] work = SpecMatrix.Allocate(large);
        foreach (Isa path in plan.Paths)
        {
            IsaSwitch.Apply(path);
            foreach ((IWorkload workload, IBackend backend, int threads) in plan.Points().Where(p => p.Workload == InvWorkload.Instance))
            {
                if (backend is not IInvBackend b)
                {
                    continue;
                }

                double Time(double[] m, int n) =>
                    Measure.Run(() => m.AsSpan().CopyTo(work), () => { b.Invert(work.AsSpan(0, n * n), n, threads); return 0; }, 1).Seconds[0];

                models.Add(InvModel.Fit(b, threads, small, Time(matrices[0], small), large, Time(matrices[1], large)));
            }
        }

        return new InvCalibration(plan, models);
    }

    // Time grows as a n^3 + b n^2 per run: each point's runs, plus per point a residual check (a
    // GEMM of the same size at about the fastest rate) and the once-per-thread-count DGEMM peak;
    // the largest n (a multiple of 50) whose total fits the budget, but no smaller than the n at
    // which the fastest point lasts the budget's minimum.
    // A distributed point, which no probe could time alone, is costed as the slowest probed point:
    // on P ranks it runs the same OpenBLAS kernels as lapack, and over-counting keeps the budget.
    public (ChosenSize Size, double Seconds) Choose(double budget, int runs)
    {
        if (models.Count == 0)
        {
            return (new ChosenSize(SmallestDistributedOrder, SmallestDistributedOrder), 0);
        }

        int distributed = plan.Points().Count(p => p.Workload == InvWorkload.Instance && p.Backend is not IInvBackend);
        double fastestCube = models.Min(m => m.Cube);
        int checks = models.Count + distributed + plan.Threads.Count + 1;
        double Total(double n) => (runs * (models.Sum(m => m.Seconds(n)) + (distributed * models.Max(m => m.Seconds(n))))) + (checks * fastestCube * n * n * n);
        double fits = Largest(n => Total(n) <= budget);
        double longEnough = Largest(n => models.Min(m => m.Seconds(n)) < plan.Budget.MinPointSeconds) + 1;
        int chosen = (int)Math.Clamp(Math.Floor(Math.Max(fits, longEnough) / 50) * 50, 50, SpecMatrix.MaxOrder);
        return (new ChosenSize(chosen, chosen), Total(chosen));
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
