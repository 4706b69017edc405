using System.Runtime.InteropServices;
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
    private static readonly Lock Gate = new();
    private static IntPtr handle;
    private static BackendUnavailableException? failure;

    /// <summary>Whether libinterop_scalapack has been loaded into this process.</summary>
    public static bool IsLoaded => Volatile.Read(ref handle) != IntPtr.Zero;

    /// <summary>The platform's file name of the library.</summary>
    public static string FileName => NativeLibraryProbe.FileName(ScalapackLibraries.Library);

    /// <summary>
    /// Loads the MPI shim and this library (once) and checks the ABI version; throws a
    /// <see cref="BackendUnavailableException"/> that says what to install or rebuild if it cannot.
    /// </summary>
    public static void EnsureLoaded()
    {
        // MpiLoader's static constructor installs the resolver that leads to Resolve below.
        MpiLoader.EnsureLoaded();
        if (IsLoaded)
        {
            return;
        }

        lock (Gate)
        {
            if (handle != IntPtr.Zero)
            {
                return;
            }

            if (failure is not null)
            {
                throw failure;
            }

            try
            {
                IntPtr loaded = NativeLibraryProbe.TryLoad(FileName, MpiLibraries.OverrideVariable, out IReadOnlyList<string> tried);
                if (loaded == IntPtr.Zero)
                {
                    throw new BackendUnavailableException(
                        $"the scalapack backend's library {FileName} could not be loaded; it is built by ./build.sh when Open MPI " +
                        $"and ScaLAPACK (libscalapack-openmpi-dev) are installed (tried: {string.Join("; ", tried)})");
                }

                Volatile.Write(ref handle, loaded);
                int abi = ScalapackInterop.AbiVersion();
                if (abi != ScalapackLibraries.ExpectedAbiVersion)
                {
                    handle = IntPtr.Zero;
                    throw new BackendUnavailableException(
                        $"{FileName} has ABI version {abi}, this driver expects {ScalapackLibraries.ExpectedAbiVersion}: rebuild with ./build.sh");
                }
            }
            catch (BackendUnavailableException e)
            {
                failure = e;
                throw;
            }
        }
    }

    /// <summary>The handle for [LibraryImport(ScalapackLibraries.Library)], loading it first if needed.</summary>
    internal static IntPtr Resolve()
    {
        IntPtr current = Volatile.Read(ref handle);
        if (current != IntPtr.Zero)
        {
            return current;
        }

        EnsureLoaded();
        return handle;
    }
}
