using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static partial class MpiInterop
{
    // int32_t interop_mpi_abort(int32_t code): returns only when MPI_Abort could not run.
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_abort")]
    internal static partial int Abort(int code);
}
