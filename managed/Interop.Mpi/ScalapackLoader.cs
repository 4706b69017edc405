using Interop.Core;

namespace Interop.Mpi;

/// <summary>
/// Finds and loads libinterop_scalapack (and through it ScaLAPACK, Open MPI and OpenBLAS), the same
/// way as <see cref="MpiLoader"/>: $INTEROP_NATIVE_DIR first, then beside the driver, every path
/// tried and the loader's reason for each failure in the error. This assembly has one import
/// resolver, MpiLoader's, which hands the library's name to <see cref="Resolve"/>.
/// </summary>
public static class ScalapackLoader
{
    private static readonly CheckedLibrary Library = new(
        ScalapackLibraries.Library,
        $"the scalapack backend's library {NativeLibraryProbe.FileName(ScalapackLibraries.Library)} could not be loaded; it is built by ./build.sh " +
            "when Open MPI and ScaLAPACK (libscalapack-openmpi-dev) are installed",
        () => ScalapackInterop.AbiVersion(),
        ScalapackLibraries.ExpectedAbiVersion);

    /// <summary>Whether libinterop_scalapack has been loaded into this process.</summary>
    public static bool IsLoaded => Library.IsLoaded;

    /// <summary>The platform's file name of the library.</summary>
    public static string FileName => Library.FileName;

    /// <summary>
    /// Loads the MPI shim and this library (once) and checks the ABI version; throws a
    /// <see cref="BackendUnavailableException"/> that says what to install or rebuild if it cannot.
    /// </summary>
    public static void EnsureLoaded()
    {
        // MpiLoader's static constructor installs the resolver that leads to Resolve below.
        MpiLoader.EnsureLoaded();
        Library.EnsureLoaded();
    }

    /// <summary>The handle for [LibraryImport(ScalapackLibraries.Library)], loading it first if needed.</summary>
    internal static IntPtr Resolve() => Library.Resolve();
}
