using Interop.Backends;
using Interop.Core;

namespace Interop.Cli.Workloads.Inv;

/// <summary>Dense matrix inversion: an n x n matrix, 2n^3 flops a run, counted in GFLOP/s.</summary>
internal sealed class InvWorkload : IWorkload
{
    public static InvWorkload Instance { get; } = new();

    private InvWorkload()
    {
    }

    public string Name => "inv";

    public string Title => "Matrix inversion";

    public string SizeName => "n";

    public string SizeMeaning => "matrix order";

    public string SizeText(string sizes) => $"n = {sizes}";

    public long MaxSize => int.MaxValue;

    public string WorkUnit => "GFLOP";

    public string ThroughputUnit => "GFLOP/s";

    public string VerificationRule => "scaled residual <= 30";

    /// <summary>An inversion by LU does 2n^3 flops (the count LAPACK's getrf + getri is rated by).</summary>
    public double WorkPerRun(long size) => 2.0 * size * size * (double)size / 1e9;

    /// <summary>A native row runs inv only where the kernel table names its inv symbol.</summary>
    public bool RunsOn(IBackend backend) =>
        backend is IDistributedInvBackend || (backend is IInvBackend && (backend is not NativeKernelBackend row || row.Runs(typeof(IInvBackend))));

    /// <summary>A distributed inversion's path is that of the library under it (OpenBLAS's, under ScaLAPACK).</summary>
    public Isa PathOf(IBackend backend) => backend is IDistributedInvBackend distributed ? distributed.InvIsa : ((IInvBackend)backend).InvIsa;

    /// <summary>A distributed inversion runs on every rank; the others run on rank 0 alone.</summary>
    public bool OnEveryRank(IBackend backend) => backend is IDistributedInvBackend;
}
