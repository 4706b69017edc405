namespace Interop.Native;

internal static partial class Interop
{
    // int32_t interop_omp_placement(int32_t threads, int32_t *cpus)
    [System.Runtime.InteropServices.LibraryImport(NativeLibraries.Kernels, EntryPoint = "interop_omp_placement")]
    internal static unsafe partial int OmpPlacement(int threads, int* cpus);
}
