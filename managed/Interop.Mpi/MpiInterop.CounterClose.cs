using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static partial class MpiInterop
{
    // int32_t interop_mpi_counter_close(interop_mpi_counter *counter)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_counter_close")]
    internal static partial int CounterClose(nint counter);
}
