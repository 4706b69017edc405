using Interop.Backends;
using Interop.Backends.ChunkedArray;
using Interop.Cli.Compare;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli.Workloads.ChunkedArray;

/// <summary>
/// compare's array order for a budget: every point runs once at a probe order, giving its rate in
/// elements/s and its arrays' setup rate; time is then linear in n^2, the setup counted once a point. The order is the largest that fits the budget and this
/// machine's memory (x and y, with room to spare), the serial baseline's smaller where the parallel
/// one would take it too long, as pi's does.
/// </summary>
internal sealed class ArrayCalibration : ISizeCalibration
{
    private const int ProbeOrder = 1024;

    private readonly ComparePlan plan;
    private readonly List<(IBackend Backend, double Rate, double SetupRate)> rates;

    private ArrayCalibration(ComparePlan plan, List<(IBackend Backend, double Rate, double SetupRate)> rates)
    {
        this.plan = plan;
        this.rates = rates;
    }

    /// <summary>Probes every array point of <paramref name="plan"/> on every rank together (the probes are collective; every rank gets the same rates).</summary>
    public static ArrayCalibration Probe(IJob job, ComparePlan plan)
    {
        var rates = new List<(IBackend, double, double)>();
        int order = SizeScale.Order(ProbeOrder);
        foreach (Isa path in plan.Paths)
        {
            IsaSwitch.Apply(path);
            foreach ((IWorkload _, IBackend backend, int threads) in plan.Points().Where(p => p.Workload == ArrayWorkload.Instance))
            {
                (double seconds, double setup) = ArrayBench.Probe(job, ArrayKernels.For(backend)!, ArrayComparePoints.ShapeOf(order, plan.Seed), backend.IsParallel ? threads : 1);
                rates.Add((backend, (double)order * order / Math.Max(seconds, 1e-9), (double)order * order / Math.Max(setup, 1e-9)));
            }
        }

        return new ArrayCalibration(plan, rates);
    }

    public (ChosenSize Size, double Seconds) Choose(double budget, int runs)
    {
        double[] parallelRates = [.. rates.Where(r => r.Backend.IsParallel).Select(r => r.Rate)];
        double[] serialRates = [.. rates.Where(r => !r.Backend.IsParallel).Select(r => r.Rate)];
        double serialFraction = serialRates.Length == 0 || parallelRates.Length == 0 ? 1 : Math.Min(1, serialRates.Max() / parallelRates.Min());
        // Every point runs `runs` times and sets its arrays up once (about as long as a few runs at a large order).
        double setupPerElement = rates.Sum(r => (r.Backend.IsParallel ? 1 : serialFraction) / r.SetupRate);
        double secondsPerElement = (runs * (parallelRates.Sum(r => 1 / r) + serialRates.Sum(r => serialFraction / r))) + setupPerElement;
        int largest = LargestFitting();
        if (secondsPerElement == 0)
        {
            int n0 = Math.Min(SizeScale.Order(ProbeOrder), largest);
            return (new ChosenSize(n0, n0), 0);
        }

        double shortest = plan.Budget.MinPointSeconds * parallelRates.Concat(serialRates).DefaultIfEmpty(0).Max();
        // The budget's shortest point, as the other workloads keep it, but never past twice the array's share:
        // at this workload's rate a 50 ms point is an order near 9000, whose arrays alone take seconds to set up.
        int chosen = Math.Clamp((int)Math.Sqrt(Math.Max(budget / secondsPerElement, Math.Min(shortest, 2 * budget / secondsPerElement))), SizeScale.MinOrder, largest);
        int serial = parallelRates.Length == 0 ? chosen
            : Math.Clamp((int)(chosen * Math.Sqrt(serialFraction)), Math.Min(SizeScale.MinOrder, chosen), chosen);
        double seconds = (runs * (parallelRates.Sum(r => (double)chosen * chosen / r) + serialRates.Sum(r => (double)serial * serial / r)))
            + rates.Sum(r => (r.Backend.IsParallel ? (double)chosen * chosen : (double)serial * serial) / r.SetupRate);
        return (new ChosenSize(chosen, serial), seconds);
    }

    // x and y in a quarter of this machine's memory at most: compare runs beside the rest of the system.
    private static int LargestFitting()
    {
        long total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return total <= 0 ? ArrayShape.DefaultOrder : Math.Clamp((int)Math.Sqrt(total / 4.0 / (2 * sizeof(double))), SizeScale.MinOrder, ArrayShape.MaxOrder);
    }
}
