using System.Reflection;
using System.Runtime.InteropServices;
using Interop.Core;

namespace Interop.Native;

/// <summary>
/// Finds and loads libinterop_native: first from $INTEROP_NATIVE_DIR, then beside the driver.
/// Every path tried, and the loader's own reason for each failure, goes into the error, because a
/// bare DllNotFoundException hides the real cause (often a missing dependency such as libgomp).
/// </summary>
public static class NativeLoader
{
    private static readonly Lock Gate = new();
    private static IntPtr handle;
    private static BackendUnavailableException? failure;

    // Every binding goes through EnsureLoaded first, so the resolver is in place before any call.
    static NativeLoader() => NativeLibrary.SetDllImportResolver(typeof(NativeLoader).Assembly, Resolve);

    /// <summary>Loads the library (once) and checks its ABI version; throws a user-facing error if it cannot.</summary>
    public static void EnsureLoaded()
    {
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
                handle = Load();
                int abi = Interop.AbiVersion();
                if (abi != NativeLibraries.ExpectedAbiVersion)
                {
                    handle = IntPtr.Zero;
                    throw new BackendUnavailableException(
                        $"{FileName} has ABI version {abi}, this driver expects {NativeLibraries.ExpectedAbiVersion}: rebuild with ./build.sh");
                }
            }
            catch (BackendUnavailableException e)
            {
                failure = e;
                throw;
            }
        }
    }

    /// <summary>Whether the library is loaded (OpenBLAS, loaded with it, has read its environment).</summary>
    public static bool IsLoaded
    {
        get
        {
            lock (Gate)
            {
                return handle != IntPtr.Zero;
            }
        }
    }

    /// <summary>The platform's file name of the kernels library.</summary>
    public static string FileName => NativeLibraryProbe.FileName(NativeLibraries.Kernels);

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != NativeLibraries.Kernels)
        {
            return IntPtr.Zero;
        }

        EnsureLoaded();
        return handle;
    }

    private static IntPtr Load()
    {
        IntPtr loaded = NativeLibraryProbe.TryLoad(FileName, NativeLibraries.OverrideVariable, out IReadOnlyList<string> tried);
        return loaded != IntPtr.Zero ? loaded : throw new BackendUnavailableException(
            NativeLibraryProbe.FoundButFailed(tried)
                ? $"the native kernels library {FileName} is there but could not be loaded (a library it needs is missing or lacks a symbol: check LD_LIBRARY_PATH and the OpenBLAS/OpenMP packages; tried: {string.Join("; ", tried)})"
                : $"the native kernels library {FileName} could not be loaded; run ./build.sh to build it (tried: {string.Join("; ", tried)})");
    }
}
