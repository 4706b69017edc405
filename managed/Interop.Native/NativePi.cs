using Interop.Core;

namespace Interop.Native;

/// <summary>Managed entry points over the native pi kernels: load check, call, status to exception.</summary>
public static class NativePi
{
    private static readonly string[] Arguments = ["seed", "begin", "end", "threads", "inside"];

    public static long CountC(ulong seed, IndexRange darts, int threads)
    {
        NativeLoader.EnsureLoaded();
        int status = Interop.PiCountC(seed, darts.Begin, darts.End, threads, out long inside);
        NativeStatus.ThrowIfFailed(status, "interop_pi_count_c", Arguments);
        return inside;
    }

    public static long CountFortran(ulong seed, IndexRange darts, int threads)
    {
        NativeLoader.EnsureLoaded();
        int status = Interop.PiCountFortran(seed, darts.Begin, darts.End, threads, out long inside);
        NativeStatus.ThrowIfFailed(status, "interop_pi_count_fortran", Arguments);
        return inside;
    }
}
