using System.Runtime.InteropServices;
using System.Text;
using Interop.Core;

namespace Interop.Native;

// [LibraryImport] bindings to libinterop_cpp (native/include/interop_cpp.h), the cpp-threads backend.
// CppLibrary.EnsureLoaded loads the library by its full path first (from INTEROP_NATIVE_DIR, else
// beside the driver, as NativeLoader does for libinterop_native); these imports then name it by its
// soname only, with no assembly folder to probe, so that the loader hands back that same library.
internal static partial class Interop
{
    // int32_t interop_cpp_abi_version(void)
    [LibraryImport(CppLibrary.Name, EntryPoint = "interop_cpp_abi_version")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static partial int CppAbiVersion();

    // int32_t interop_cpp_last_error(char *buffer, int32_t capacity)
    [LibraryImport(CppLibrary.Name, EntryPoint = "interop_cpp_last_error")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static unsafe partial int CppLastError(byte* buffer, int capacity);

    // int32_t interop_cpp_inv_plan_create(int64_t n, int32_t threads, interop_cpp_inv_plan **plan)
    [LibraryImport(CppLibrary.Name, EntryPoint = "interop_cpp_inv_plan_create")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static partial int CppInvPlanCreate(long n, int threads, out CppInversePlanHandle plan);

    // int32_t interop_cpp_inv_plan_run(interop_cpp_inv_plan *plan, double *a): the marshaller holds a
    // reference on the handle for the call, so a Dispose meanwhile cannot free the plan under it.
    [LibraryImport(CppLibrary.Name, EntryPoint = "interop_cpp_inv_plan_run")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static unsafe partial int CppInvPlanRun(CppInversePlanHandle plan, double* a);

    // void interop_cpp_inv_plan_destroy(interop_cpp_inv_plan *plan)
    [LibraryImport(CppLibrary.Name, EntryPoint = "interop_cpp_inv_plan_destroy")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static partial void CppInvPlanDestroy(IntPtr plan);
}

/// <summary>
/// Finds and loads libinterop_cpp from the folder of libinterop_native ($INTEROP_NATIVE_DIR, else
/// beside the driver) and checks its ABI version, with every path tried in the error when it cannot.
/// </summary>
internal static class CppLibrary
{
    /// <summary>The library's base name (libinterop_cpp.so).</summary>
    public const string Name = "interop_cpp";

    /// <summary>INTEROP_CPP_ABI_VERSION in interop_cpp.h.</summary>
    public const int ExpectedAbiVersion = 1;

    /// <summary>INTEROP_STATUS_INTERNAL in interop_cpp.h: a C++ exception was caught in the export.</summary>
    public const int StatusInternal = -1001;

    private static readonly Lock Gate = new();
    private static IntPtr handle;
    private static BackendUnavailableException? failure;

    public static string FileName => NativeLibraryProbe.FileName(Name);

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

            IntPtr loaded = NativeLibraryProbe.TryLoad(FileName, NativeLibraries.OverrideVariable, out IReadOnlyList<string> tried);
            if (loaded == IntPtr.Zero)
            {
                failure = new BackendUnavailableException(
                    $"the C++ kernels library {FileName} could not be loaded; run ./build.sh to build it (tried: {string.Join("; ", tried)})");
                throw failure;
            }

            int abi = Interop.CppAbiVersion();
            if (abi != ExpectedAbiVersion)
            {
                failure = new BackendUnavailableException(
                    $"{FileName} has ABI version {abi}, this driver expects {ExpectedAbiVersion}: rebuild with ./build.sh");
                throw failure;
            }

            handle = loaded;
        }
    }

    /// <summary>This thread's last INTEROP_STATUS_INTERNAL message (the what() of the C++ exception).</summary>
    public static unsafe string LastError()
    {
        int length = Interop.CppLastError(null, 0);
        if (length <= 0)
        {
            return "no message";
        }

        byte[] buffer = new byte[length + 1];
        fixed (byte* p = buffer)
        {
            length = Math.Min(Interop.CppLastError(p, buffer.Length), buffer.Length - 1);
        }

        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    /// <summary>
    /// A status of libinterop_cpp as an exception: INTEROP_STATUS_INTERNAL with the C++ message, a
    /// failed pivot as the factorization exceptions of the other backends, the rest as NativeStatus says.
    /// </summary>
    public static void ThrowIfFailed(int status, string function, string backend, params string[] argumentNames)
    {
        if (status == StatusInternal)
        {
            throw new NativeKernelException(function, status, $"{function}: C++ exception in the kernel library: {LastError()}");
        }

        if (status > 0 && (status & NativeStatus.NonFinite) != 0)
        {
            throw new NonFiniteFactorizationException(status & ~NativeStatus.NonFinite, backend);
        }

        if (status > 0)
        {
            throw new SingularMatrixException(status, backend);
        }

        NativeStatus.ThrowIfFailed(status, function, argumentNames);
    }
}
