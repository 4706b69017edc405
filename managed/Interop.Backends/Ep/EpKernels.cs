using Interop.Core;

namespace Interop.Backends.Ep;

/// <summary>
/// Which backends run EP and their kernels, decided here so that no backend class needs an edit:
/// managed-serial runs the scalar loop, managed-parallel threads and the SIMD kernel of the active
/// path (<see cref="ManagedIsa.Active"/>, forced by <see cref="IsaSwitch"/>), and a native row its
/// "ep" symbol when its row in the kernel table names one. lapack and scalapack do not run EP.
/// </summary>
public static class EpKernels
{
    /// <summary>EP's key in a kernel row's <c>symbols</c> and its workload name.</summary>
    public const string Workload = "ep";

    /// <summary>The EP kernel of <paramref name="backend"/>, or null when it does not run EP.</summary>
    public static IEpKernel? For(IBackend backend) => backend switch
    {
        ManagedSerialBackend serial => new ManagedEpKernel(serial.Name, parallel: false),
        ManagedParallelBackend parallel => new ManagedEpKernel(parallel.Name, parallel: true),
        NativeKernelBackend row when row.Kernel.Info.Offers(Workload) => new NativeEpKernel(row.Kernel),
        _ => null,
    };

    /// <summary>Whether <paramref name="backend"/> runs EP.</summary>
    public static bool Runs(IBackend backend) => For(backend) is not null;

    /// <summary>The backends of the catalog that run EP, in catalog order.</summary>
    public static IReadOnlyList<IBackend> Backends => [.. BackendCatalog.All<IBackend>().Where(Runs)];

    private sealed class ManagedEpKernel(string backend, bool parallel) : IEpKernel
    {
        public string Backend => backend;

        public Isa Path => parallel ? ManagedIsa.Active : Isa.Scalar;

        public void EnsureAvailable()
        {
        }

        public void Run(long firstBatch, long batches, int threads, Span<double> batchSums, Span<long> counts)
        {
            if (parallel)
            {
                ManagedEpKernels.RunParallel(ManagedIsa.Active, firstBatch, batches, threads, batchSums, counts);
            }
            else
            {
                ManagedEpKernels.RunSerial(firstBatch, batches, threads, batchSums, counts);
            }
        }
    }
}
