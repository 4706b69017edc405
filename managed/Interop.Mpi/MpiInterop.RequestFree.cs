using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static partial class MpiInterop
{
    // int32_t interop_mpi_request_free(interop_mpi_request *request)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_request_free")]
    internal static partial int RequestFree(nint request);
}
