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
    private static readonly Lock Gate = new();
    private static IntPtr handle;
    private static BackendUnavailableException? failure;

    // Every public entry point goes through EnsureLoaded first, so the resolver is in place before any call.
    static MpiLoader() => NativeLibrary.SetDllImportResolver(typeof(MpiLoader).Assembly, Resolve);

    /// <summary>Whether libinterop_mpi has been loaded into this process.</summary>
    public static bool IsLoaded => Volatile.Read(ref handle) != IntPtr.Zero;

    /// <summary>The platform's file name of the shim.</summary>
    public static string FileName => NativeLibraryProbe.FileName(MpiLibraries.Shim);

    /// <summary>Loads the shim (once) and checks its ABI version; throws a user-facing error if it cannot.</summary>
    public static void EnsureLoaded()
    {
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
                IntPtr loaded = Load();
                Volatile.Write(ref handle, loaded);
                int abi = MpiInterop.AbiVersion();
                if (abi != MpiLibraries.ExpectedAbiVersion)
                {
                    handle = IntPtr.Zero;
                    throw new BackendUnavailableException(
                        $"{FileName} has ABI version {abi}, this driver expects {MpiLibraries.ExpectedAbiVersion}: rebuild with ./build.sh");
                }
            }
            catch (BackendUnavailableException e)
            {
                failure = e;
                throw;
            }
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName == ScalapackLibraries.Library)
        {
            return ScalapackLoader.Resolve();
        }

        if (libraryName != MpiLibraries.Shim)
        {
            return IntPtr.Zero;
        }

        // Reached from inside EnsureLoaded (the ABI check) with the handle already set, or from a
        // call that skipped EnsureLoaded: then load now, with the full error if that fails.
        IntPtr current = Volatile.Read(ref handle);
        if (current != IntPtr.Zero)
        {
            return current;
        }

        EnsureLoaded();
        return handle;
    }

    private static IntPtr Load()
    {
        // A file that is there but does not load is usually missing libmpi.so.40: the reason in
        // the list says so (install openmpi-bin and libopenmpi-dev).
        IntPtr loaded = NativeLibraryProbe.TryLoad(FileName, MpiLibraries.OverrideVariable, out IReadOnlyList<string> tried);
        return loaded != IntPtr.Zero ? loaded : throw new BackendUnavailableException(
            $"the MPI shim {FileName} could not be loaded; run ./build.sh with OpenMPI installed to build it (tried: {string.Join("; ", tried)})");
    }
}
