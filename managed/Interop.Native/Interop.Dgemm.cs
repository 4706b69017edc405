using System.Runtime.InteropServices;

namespace Interop.Native;

internal static partial class Interop
{
    // int32_t interop_dgemm_gflops(int64_t n, int32_t threads, double *gflops)
    [LibraryImport(NativeLibraries.Kernels, EntryPoint = "interop_dgemm_gflops")]
    internal static partial int DgemmGflops(long n, int threads, out double gflops);
}
