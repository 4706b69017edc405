using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static partial class MpiInterop
{
    // int32_t interop_mpi_request_test(interop_mpi_request *request, int32_t *done)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_request_test")]
    internal static partial int RequestTest(nint request, out int done);
}
