using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static partial class MpiInterop
{
    // int32_t interop_mpi_request_wait(interop_mpi_request *request)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_request_wait")]
    internal static partial int RequestWait(nint request);
}
