using Interop.Core;

namespace Interop.Native;

/// <summary>
/// The two pi kernels of libinterop_native by name, for callers outside the backends; the backends
/// bind every row of the kernel table the same way (<see cref="NativeKernel"/>).
/// </summary>
public static class NativePi
{
    private static readonly Lazy<NativeKernel> C = new(() => new NativeKernel(NativeKernelTable.Default.Kernel("c-openmp")));
    private static readonly Lazy<NativeKernel> Fortran = new(() => new NativeKernel(NativeKernelTable.Default.Kernel("fortran-openmp")));

    public static long CountC(ulong seed, IndexRange darts, int threads) => C.Value.CountInside(seed, darts, threads);

    public static long CountFortran(ulong seed, IndexRange darts, int threads) => Fortran.Value.CountInside(seed, darts, threads);
}
