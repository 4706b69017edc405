using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static partial class MpiInterop
{
    // int32_t interop_mpi_counter_open(int32_t want_shared, int32_t *shared, interop_mpi_counter **counter)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_counter_open")]
    internal static partial int CounterOpen(int wantShared, out int shared, out nint counter);
}
