using Interop.Core;
using Interop.Native;

namespace Interop.Backends.Ep;

/// <summary>
/// A native row's EP kernel: the row's "ep" symbol (interop_ep_&lt;lang&gt;, native/include/interop_ep.h)
/// got through <see cref="NativeKernel.EntryPoint"/> and called with its own signature. The arguments
/// are checked here first (<see cref="EpArguments.Check"/>: the same exceptions as the managed kernels,
/// and no short buffer ever reaches native code); a status the kernel still returns becomes an
/// exception as pi's do (<see cref="NativeKernel.ThrowIfFailed"/>), status 1 an <see cref="EpNumericalException"/>.
/// </summary>
public sealed unsafe class NativeEpKernel(NativeKernel kernel) : IEpKernel
{
    /// <summary>The ABI's argument names, for a status -1 .. -6.</summary>
    private static readonly string[] Arguments = ["first_batch", "batches", "threads", "batch_sums", "counts", "first_batch + batches"];

    /// <summary>Status 1: a deviate past annulus 9.</summary>
    private const int PastTheAnnuli = 1;

    // The entry point, bound on first use; its type is the ABI the check in the tests holds against
    // the header (AbiCheckTests finds this field by its attribute).
    [KernelEntryPoint(EpKernels.Workload)]
    private delegate* unmanaged<long, long, int, double*, long*, int> ep;

    public string Backend => kernel.Info.Backend;

    public Isa Path => kernel.Library.ActiveIsa;

    public NativeKernel Kernel => kernel;

    public void EnsureAvailable() => Bind();

    public void Run(long firstBatch, long batches, int threads, Span<double> batchSums, Span<long> counts)
    {
        EpArguments.Check(firstBatch, batches, threads, batchSums.Length, counts.Length);
        Bind();
        int status;
        // An empty span pins as null, which the ABI refuses even for no batches: point at a spare value.
        double none = 0;
        fixed (double* sums = batchSums)
        fixed (long* q = counts)
        {
            status = ep(firstBatch, batches, threads, sums == null ? &none : sums, q);
        }

        if (status == PastTheAnnuli)
        {
            throw new EpNumericalException($"{kernel.Info.Symbol(EpKernels.Workload)}: a deviate of batches [{firstBatch}, {firstBatch + batches}) lies past annulus {EpArguments.Annuli - 1}");
        }

        kernel.ThrowIfFailed(status, EpKernels.Workload, Arguments);
    }

    private void Bind()
    {
        if (ep == null)
        {
            ep = (delegate* unmanaged<long, long, int, double*, long*, int>)kernel.EntryPoint(EpKernels.Workload);
        }
    }
}
