using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static partial class MpiInterop
{
    // int32_t interop_mpi_initialized(int32_t *flag)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_initialized")]
    internal static partial int Initialized(out int flag);

    // int32_t interop_mpi_finalized(int32_t *flag)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_finalized")]
    internal static partial int Finalized(out int flag);

    // int32_t interop_mpi_query_thread(int32_t *provided)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_query_thread")]
    internal static partial int QueryThread(out int provided);
}
