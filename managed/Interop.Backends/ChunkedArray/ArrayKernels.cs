using Interop.Core;

namespace Interop.Backends.ChunkedArray;

/// <summary>
/// Which backends run the array workload and their kernels, decided here so that no backend class
/// needs an edit: managed-serial runs the spec's plain loops, managed-parallel threads and the SIMD
/// kernel of the active path, and a native row its "array" symbol when its row in the kernel table
/// names one. lapack and scalapack do not run it.
/// </summary>
public static class ArrayKernels
{
    /// <summary>The workload's key in a kernel row's <c>symbols</c> and its name.</summary>
    public const string Workload = "array";

    /// <summary>The array kernel of <paramref name="backend"/>, or null when it does not run the workload.</summary>
    public static IArrayKernel? For(IBackend backend) => backend switch
    {
        ManagedSerialBackend serial => new ManagedKernel(serial.Name, parallel: false),
        ManagedParallelBackend parallel => new ManagedKernel(parallel.Name, parallel: true),
        NativeKernelBackend row when row.Kernel.Info.Offers(Workload) => new NativeArrayKernel(row.Kernel),
        _ => null,
    };

    /// <summary>Whether <paramref name="backend"/> runs the workload.</summary>
    public static bool Runs(IBackend backend) => For(backend) is not null;

    /// <summary>The backends of the catalog that run it, in catalog order.</summary>
    public static IReadOnlyList<IBackend> Backends => [.. BackendCatalog.All<IBackend>().Where(Runs)];

    private sealed class ManagedKernel(string backend, bool parallel) : IArrayKernel
    {
        public string Backend => backend;

        public Isa Path => parallel ? ManagedIsa.Active : Isa.Scalar;

        public void EnsureAvailable()
        {
        }

        public ArrayPassResult Run(in ArrayCall call, int threads) =>
            parallel ? ManagedArrayKernels.RunParallel(ManagedIsa.Active, call, threads) : ManagedArrayKernels.RunSerial(call, threads);
    }
}
