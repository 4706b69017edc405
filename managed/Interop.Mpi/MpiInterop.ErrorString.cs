using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static unsafe partial class MpiInterop
{
    // int32_t interop_mpi_error_string(int32_t code, char *buffer, int32_t capacity)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_error_string")]
    internal static partial int ErrorString(int code, byte* buffer, int capacity);
}
