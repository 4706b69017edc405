using System.Runtime.InteropServices;

namespace Interop.Native;

internal static partial class Interop
{
    // int32_t interop_isa_supported(int32_t isa): 1 this CPU and build can run the path, 0 not, -1 no path.
    // Bound although nothing calls it yet: every function of interop.h has a binding, so that the ABI
    // check (tests/Interop.AbiCheck) guards its signature like the others'.
    [LibraryImport(NativeLibraries.Kernels, EntryPoint = "interop_isa_supported")]
    internal static partial int IsaSupported(int isa);

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
