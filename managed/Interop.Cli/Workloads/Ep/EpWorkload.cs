using Interop.Backends.Ep;
using Interop.Core;

namespace Interop.Cli.Workloads.Ep;

/// <summary>
/// The NAS Parallel Benchmarks' EP kernel: 2^M Gaussian pairs by the Marsaglia polar method, counted
/// in NPB's Mop/s (2^(M+1) randoms per run), on every rank (batches split over the ranks). Its size is
/// M; NPB's classes are sizes with reference values (<see cref="EpClass"/>). No backend interface
/// says who runs it: <see cref="EpKernels.For"/> decides (lapack and scalapack do not).
/// </summary>
internal sealed class EpWorkload : IWorkload
{
    public static EpWorkload Instance { get; } = new();

    private EpWorkload()
    {
    }

    public string Name => EpKernels.Workload;

    public string Title => "NPB EP";

    public string SizeName => "m";

    public string SizeMeaning => "log2 of the pairs (NPB's M)";

    public string SizeText(string sizes) => $"M = {sizes}";

    public long MaxSize => EpClass.MaxM;

    public string WorkUnit => "Mop";

    public string ThroughputUnit => "Mop/s";

    public string VerificationRule => "sx, sy within 1e-8 of NPB's values and the exact pair count (NPB 3.4.2+); identical pair counts and q0..q9 on every backend";

    /// <summary>NPB's operation count: 2^(M+1) randoms, in millions (Mop/s = this / seconds).</summary>
    public double WorkPerRun(long size) => Math.ScaleB(1.0, checked((int)size + 1)) / 1e6;

    public bool RunsOn(IBackend backend) => EpKernels.Runs(backend);

    public Isa PathOf(IBackend backend) =>
        (EpKernels.For(backend) ?? throw new ArgumentException($"{backend.Name} does not run EP", nameof(backend))).Path;

    /// <summary>Every rank runs its contiguous share of the batches, as NPB's MPI version does.</summary>
    public bool OnEveryRank(IBackend backend) => true;
}
