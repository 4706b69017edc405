using System.Runtime.InteropServices;

namespace Interop.Native;

internal static partial class Interop
{
    // int32_t interop_fma_limit_gflops(int32_t isa, int32_t threads, int32_t runs, double *gflops)
    [LibraryImport(NativeLibraries.Kernels, EntryPoint = "interop_fma_limit_gflops")]
    internal static partial int FmaLimitGflops(int isa, int threads, int runs, out double gflops);
}
