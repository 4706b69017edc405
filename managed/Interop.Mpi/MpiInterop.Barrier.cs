using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static partial class MpiInterop
{
    // int32_t interop_mpi_barrier(void)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_barrier")]
    internal static partial int Barrier();
}
