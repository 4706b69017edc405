using System.Runtime.InteropServices;

namespace Interop.Native;

internal static partial class Interop
{
    // int32_t interop_abi_version(void)
    [LibraryImport(NativeLibraries.Kernels, EntryPoint = "interop_abi_version")]
    internal static partial int AbiVersion();
}
