using System.Runtime.InteropServices;

namespace Interop.Native;

internal static partial class Interop
{
    // int32_t interop_triad_limit_gbps(int32_t threads, int64_t elements, int32_t runs, double *gbps)
    [LibraryImport(NativeLibraries.Kernels, EntryPoint = "interop_triad_limit_gbps")]
    internal static partial int TriadLimitGbps(int threads, long elements, int runs, out double gbps);
}
