using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static unsafe partial class MpiInterop
{
    // int32_t interop_mpi_library_version(char *buffer, int32_t capacity, int32_t *length)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_library_version")]
    internal static partial int LibraryVersion(byte* buffer, int capacity, int* length);
}
