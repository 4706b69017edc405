using System.Reflection;
using System.Runtime.InteropServices;
using Interop.Core;

namespace Interop.Mpi;

/// <summary>
/// Finds and loads libinterop_mpi (and through it the system's libmpi): first from
/// $INTEROP_NATIVE_DIR, then beside the driver. Every path tried, and the loader's own reason for
/// each failure, goes into the error, because a bare DllNotFoundException hides the real cause
/// (typically a libmpi.so.40 that is not installed). The same rules as Interop.Native's loader.
/// </summary>
public static class MpiLoader
{
    // A file that is there but does not load is usually missing libmpi.so.40: the reason in the
    // list of paths tried says so (install openmpi-bin and libopenmpi-dev).
    private static readonly CheckedLibrary Shim = new(
        MpiLibraries.Shim,
        $"the MPI shim {NativeLibraryProbe.FileName(MpiLibraries.Shim)} could not be loaded; run ./build.sh with OpenMPI installed to build it",
        () => MpiInterop.AbiVersion(),
        MpiLibraries.ExpectedAbiVersion);

    // Every public entry point goes through EnsureLoaded first, so the resolver is in place before any call.
    static MpiLoader() => NativeLibrary.SetDllImportResolver(typeof(MpiLoader).Assembly, Resolve);

    /// <summary>Whether libinterop_mpi has been loaded into this process.</summary>
    public static bool IsLoaded => Shim.IsLoaded;

    /// <summary>The platform's file name of the shim.</summary>
    public static string FileName => Shim.FileName;

    /// <summary>Loads the shim (once) and checks its ABI version; throws a user-facing error if it cannot.</summary>
    public static void EnsureLoaded() => Shim.EnsureLoaded();

    // The one resolver of this assembly: the shim, and the scalapack library for ScalapackLoader.
    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) => libraryName switch
    {
        MpiLibraries.Shim => Shim.Resolve(),
        ScalapackLibraries.Library => ScalapackLoader.Resolve(),
        _ => IntPtr.Zero,
    };
}
