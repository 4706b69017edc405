using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static unsafe partial class MpiInterop
{
    // int32_t interop_mpi_processor_name(char *buffer, int32_t capacity, int32_t *length)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_processor_name")]
    internal static partial int ProcessorName(byte* buffer, int capacity, int* length);
}
