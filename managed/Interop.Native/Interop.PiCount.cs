using System.Runtime.InteropServices;

namespace Interop.Native;

internal static partial class Interop
{
    // int32_t interop_pi_count_c(uint64_t seed, int64_t begin, int64_t end, int32_t threads, int64_t *inside)
    [LibraryImport(NativeLibraries.Kernels, EntryPoint = "interop_pi_count_c")]
    internal static partial int PiCountC(ulong seed, long begin, long end, int threads, out long inside);

    // The same contract, implemented in Fortran through iso_c_binding.
    [LibraryImport(NativeLibraries.Kernels, EntryPoint = "interop_pi_count_fortran")]
    internal static partial int PiCountFortran(ulong seed, long begin, long end, int threads, out long inside);

}
