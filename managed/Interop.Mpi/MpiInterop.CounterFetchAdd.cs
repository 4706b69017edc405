using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static partial class MpiInterop
{
    // int32_t interop_mpi_counter_fetch_add(interop_mpi_counter *counter, int64_t add, int64_t *old)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_counter_fetch_add")]
    internal static partial int CounterFetchAdd(nint counter, long add, out long old);
}
