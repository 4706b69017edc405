using System.Reflection;
using System.Runtime.InteropServices;

namespace Interop.Native;

/// <summary>
/// libinterop_native, the kernels library whose other entry points (residual, OpenBLAS, placement)
/// are bound with [LibraryImport]: its row of the kernel table loads it (<see cref="NativeKernelLibrary"/>:
/// $INTEROP_NATIVE_DIR, then beside the driver, every path tried in the error, the ABI version the
/// table expects), and the import resolver hands that handle to the bindings.
/// </summary>
public static class NativeLoader
{
    // Every binding goes through EnsureLoaded first, so the resolver is in place before any call.
    static NativeLoader() => NativeLibrary.SetDllImportResolver(typeof(NativeLoader).Assembly, Resolve);

    /// <summary>Loads the library (once) and checks its ABI version; throws a user-facing error if it cannot.</summary>
    public static void EnsureLoaded() => Library.EnsureLoaded();

    /// <summary>Whether the library is loaded (OpenBLAS, loaded with it, has read its environment).</summary>
    public static bool IsLoaded => Library.IsLoaded;

    /// <summary>The platform's file name of the kernels library.</summary>
    public static string FileName => Library.Info.FileName;

    /// <summary>libinterop_native as the kernel table describes it.</summary>
    internal static NativeKernelLibrary Library => NativeKernelLibrary.For(NativeKernelTable.Default.Library(NativeLibraries.Kernels));

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == NativeLibraries.Kernels ? Library.EnsureLoaded() : IntPtr.Zero;
}
