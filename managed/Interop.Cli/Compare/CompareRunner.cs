using System.Diagnostics;
using System.Globalization;
using Interop.Backends;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli.Compare;

/// <summary>What one `interop compare` run measures.</summary>
internal sealed record ComparePlan(
    IReadOnlyList<string> Workloads,
    IReadOnlyList<IPiBackend> PiBackends,
    IReadOnlyList<IInvBackend> InvBackends,
    IReadOnlyList<int> Threads,
    long Darts,
    int N,
    ulong Seed,
    int Repeat)
{
    /// <summary>Every (workload, backend, threads) point, in the order they run: serial backends at 1 thread only.</summary>
    public IEnumerable<(string Workload, IBackend Backend, int Threads)> Points()
    {
        foreach (string workload in Workloads)
        {
            IEnumerable<IBackend> backends = workload == "pi" ? PiBackends : InvBackends;
            foreach (IBackend backend in backends)
            {
                foreach (int t in backend.IsParallel ? Threads : [1])
                {
                    yield return (workload, backend, t);
                }
            }
        }
    }

    /// <summary>1, 2, 4, ... up to <paramref name="cpus"/>, and <paramref name="cpus"/> itself.</summary>
    public static IReadOnlyList<int> DefaultThreads(int cpus)
    {
        var counts = new SortedSet<int>();
        for (int t = 1; t <= cpus; t *= 2)
        {
            counts.Add(t);
        }

        counts.Add(Math.Max(1, cpus));
        return [.. counts];
    }
}

/// <summary>
/// Runs a <see cref="ComparePlan"/> over the ranks of a job: every point gets one warm-up and
/// <see cref="ComparePlan.Repeat"/> timed runs, and every result is verified (pi: one count for all
/// points; inv: the scaled residual). Inversion runs on rank 0 alone.
/// </summary>
internal sealed class CompareRunner(IJob job, ComparePlan plan, IProgress<CompareProgress> progress)
{
    public IReadOnlyList<ComparePoint> Run()
    {
        var points = new List<ComparePoint>();
        var all = plan.Points().ToList();
        int total = job.IsRoot ? all.Count : all.Count(p => p.Workload == "pi");
        int done = 0;
        var clock = Stopwatch.StartNew();
        InvBench? inv = null;
        foreach ((string workload, IBackend backend, int threads) in all)
        {
            if (workload == "inv" && !job.IsRoot)
            {
                continue;
            }

            progress.Report(new CompareProgress(done, total, workload, backend.Name, workload == "pi" ? job.Size : 1, threads, clock.Elapsed));
            points.Add(workload == "pi"
                ? MeasurePi((IPiBackend)backend, threads)
                : MeasureInv(inv ??= GenerateMatrix(), (IInvBackend)backend, threads));
            done++;
        }

        progress.Report(new CompareProgress(done, total, null, null, job.Size, 0, clock.Elapsed));
        return VerifyPi(points);
    }

    private ComparePoint MeasurePi(IPiBackend backend, int threads)
    {
        PiResult r = PiBench.Run(job, backend, plan.Seed, plan.Darts, threads, plan.Repeat);
        return new ComparePoint("pi", backend.Name, r.Ranks, threads, r.Seconds, plan.Darts, "darts/s", true,
            $"inside={r.Inside.ToString(CultureInfo.InvariantCulture)}");
    }

    private InvBench GenerateMatrix()
    {
        int threads = plan.Threads.Max();
        using var span = Tracing.Span("generate", "generate", $"n = {plan.N}");
        return new InvBench(SpecMatrix.Generate(plan.N, plan.Seed, threads), plan.N, threads);
    }

    private ComparePoint MeasureInv(InvBench bench, IInvBackend backend, int threads)
    {
        InvResult r = bench.Run(backend, threads, plan.Repeat);
        return new ComparePoint("inv", backend.Name, 1, threads, r.Seconds, 2.0 * bench.N * bench.N * (double)bench.N / 1e9, "GFLOP/s",
            r.Verified, $"residual={r.Residual.ToString("G3", CultureInfo.InvariantCulture)}");
    }

    // Every pi point threw the same darts: one count for all of them, or none is verified.
    private static List<ComparePoint> VerifyPi(List<ComparePoint> points)
    {
        bool agree = points.Where(p => p.Workload == "pi").Select(p => p.Check).Distinct().Count() <= 1;
        return agree ? points : [.. points.Select(p => p.Workload == "pi" ? p with { Verified = false } : p)];
    }
}

/// <summary>Where a compare run is: <see cref="Done"/> of <see cref="Total"/> points finished, the next one named.</summary>
internal readonly record struct CompareProgress(int Done, int Total, string? Workload, string? Backend, int Ranks, int Threads, TimeSpan Elapsed);
