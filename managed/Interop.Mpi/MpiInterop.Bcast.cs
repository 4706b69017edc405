using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static unsafe partial class MpiInterop
{
    // int32_t interop_mpi_bcast_bytes(void *buffer, int64_t count, int32_t root)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_bcast_bytes")]
    internal static partial int BcastBytes(void* buffer, long count, int root);
}
