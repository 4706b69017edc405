using System.Runtime.InteropServices;

namespace Interop.Native;

internal static partial class Interop
{
    // int32_t interop_isa_select(int32_t isa): 0 ok, -1 not a path, 1 unsupported here
    [LibraryImport(NativeLibraries.Kernels, EntryPoint = "interop_isa_select")]
    internal static partial int IsaSelect(int isa);

    // int32_t interop_isa_active(void)
    [LibraryImport(NativeLibraries.Kernels, EntryPoint = "interop_isa_active")]
    internal static partial int IsaActive();

    // int32_t interop_dgemm_gflops(int64_t n, int32_t threads, double *gflops)
    [LibraryImport(NativeLibraries.Kernels, EntryPoint = "interop_dgemm_gflops")]
    internal static partial int DgemmGflops(long n, int threads, out double gflops);
}
