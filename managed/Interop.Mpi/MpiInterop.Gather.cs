using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static unsafe partial class MpiInterop
{
    // int32_t interop_mpi_gather_bytes(const void *send, void *recv, int64_t count, int32_t root)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_gather_bytes")]
    internal static partial int GatherBytes(void* send, void* receive, long count, int root);

    // int32_t interop_mpi_allgather_bytes(const void *send, void *recv, int64_t count)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_allgather_bytes")]
    internal static partial int AllgatherBytes(void* send, void* receive, long count);
}
