using System.Runtime.InteropServices;
using Interop.Core;

namespace Interop.Mpi;

/// <summary>
/// One native library of this assembly, loaded once from $INTEROP_NATIVE_DIR or beside the driver
/// (every path tried, and the loader's reason for each, in the error) and its ABI version checked.
/// The first failure is kept and thrown again, so every call says the same thing. The handle is
/// published before the ABI check because that check is itself a [LibraryImport] call, which the
/// assembly's import resolver answers with <see cref="Handle"/>.
/// </summary>
internal sealed class CheckedLibrary(string name, string missing, Func<int> abiVersion, int expectedAbiVersion)
{
    private readonly Lock gate = new();
    private IntPtr handle;
    private BackendUnavailableException? failure;

    /// <summary>The platform's file name ("libinterop_mpi.so").</summary>
    public string FileName => NativeLibraryProbe.FileName(name);

    /// <summary>The loaded library, or zero before <see cref="EnsureLoaded"/> succeeded.</summary>
    public IntPtr Handle => Volatile.Read(ref handle);

    public bool IsLoaded => Handle != IntPtr.Zero;

    public void EnsureLoaded()
    {
        if (IsLoaded)
        {
            return;
        }

        lock (gate)
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
                    throw new BackendUnavailableException($"{missing} (tried: {string.Join("; ", tried)})");
                }

                Volatile.Write(ref handle, loaded);
                int abi = abiVersion();
                if (abi != expectedAbiVersion)
                {
                    handle = IntPtr.Zero;
                    throw new BackendUnavailableException(
                        $"{FileName} has ABI version {abi}, this driver expects {expectedAbiVersion}: rebuild with ./build.sh");
                }
            }
            catch (BackendUnavailableException e)
            {
                failure = e;
                throw;
            }
        }
    }

    /// <summary>For the import resolver: the handle, loading the library first if a call skipped <see cref="EnsureLoaded"/>.</summary>
    public IntPtr Resolve()
    {
        if (!IsLoaded)
        {
            EnsureLoaded();
        }

        return Handle;
    }
}
