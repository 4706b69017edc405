using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static partial class MpiInterop
{
    // int32_t interop_mpi_comm_world_rank(int32_t *rank)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_comm_world_rank")]
    internal static partial int CommWorldRank(out int rank);

    // int32_t interop_mpi_comm_world_size(int32_t *size)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_comm_world_size")]
    internal static partial int CommWorldSize(out int size);
}
