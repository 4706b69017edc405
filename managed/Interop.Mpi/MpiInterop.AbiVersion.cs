using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static partial class MpiInterop
{
    // int32_t interop_mpi_abi_version(void)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_abi_version")]
    internal static partial int AbiVersion();
}
