using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static partial class MpiInterop
{
    // int32_t interop_mpi_init(int32_t requested, int32_t *provided)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_init")]
    internal static partial int Init(int requested, out int provided);
}
