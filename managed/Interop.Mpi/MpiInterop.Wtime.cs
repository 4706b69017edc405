using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static partial class MpiInterop
{
    // int32_t interop_mpi_wtime(double *seconds)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_wtime")]
    internal static partial int Wtime(out double seconds);

    // int32_t interop_mpi_wtick(double *seconds)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_wtick")]
    internal static partial int Wtick(out double seconds);
}
