using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static partial class MpiInterop
{
    // int32_t interop_mpi_set_wait_limit(double seconds)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_set_wait_limit")]
    internal static partial int SetWaitLimit(double seconds);

    // int32_t interop_mpi_wait_limit(double *seconds)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_wait_limit")]
    internal static partial int WaitLimit(out double seconds);
}
