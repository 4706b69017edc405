using Interop.Core;

namespace Interop.Native;

/// <summary>
/// A kernel's LAPACK-style status that was not 0: negative = argument i was invalid (a bug on
/// our side of the boundary), positive = a numerical failure such as a zero pivot.
/// </summary>
public sealed class NativeKernelException(string function, int status, string message)
    : Exception(message)
{
    public string Function { get; } = function;

    public int Status { get; } = status;
}

/// <summary>The one place where native status codes become exceptions.</summary>
internal static class NativeStatus
{
    /// <summary>INTEROP_STATUS_NO_MEMORY in interop.h.</summary>
    public const int NoMemory = -1000;

    /// <summary>
    /// INTEROP_STATUS_INTERNAL: a C++ exception or Rust panic caught at a kernel library's boundary;
    /// the library's last-error function has its message.
    /// </summary>
    public const int Internal = -1001;

    /// <summary>INTEROP_STATUS_NONFINITE in interop.h: the flag of an inversion's NaN or Inf pivot, over its step.</summary>
    public const int NonFinite = 0x40000000;

    private static readonly string[] InvArguments = ["n", "a", "threads"];

    public static void ThrowIfFailed(int status, string function, params string[] argumentNames) =>
        ThrowIfFailed(status, function, null, argumentNames);

    /// <summary>As above, for a kernel of <paramref name="library"/>: an internal failure carries the library's own message.</summary>
    public static void ThrowIfFailed(int status, string function, NativeKernelLibrary? library, params string[] argumentNames)
    {
        if (status == 0)
        {
            return;
        }

        string message = status == NoMemory ? $"{function}: not enough memory for the kernel's workspace"
            : status == Internal ? $"{function}: internal error in {library?.Info.FileName ?? "the kernel"}: {library?.LastError() ?? "(no message)"}"
            : status < 0 ? $"{function}: argument {-status} ({ArgumentName(argumentNames, -status)}) was rejected"
            : $"{function}: numerical failure at index {status}";
        throw new NativeKernelException(function, status, message);
    }

    /// <summary>
    /// An inversion's status: positive ones are the 1-based step of a failing pivot, a property of the
    /// matrix, not a bug: a singular one, or with <see cref="NonFinite"/> a NaN or Inf one.
    /// </summary>
    public static void ThrowIfInversionFailed(int status, string function, string backend, NativeKernelLibrary? library = null, string[]? argumentNames = null)
    {
        if (status > 0 && (status & NonFinite) != 0)
        {
            throw new NonFiniteFactorizationException(status & ~NonFinite, backend);
        }

        if (status > 0)
        {
            throw new SingularMatrixException(status, backend);
        }

        ThrowIfFailed(status, function, library, argumentNames ?? InvArguments);
    }

    private static string ArgumentName(string[] names, int position) =>
        position >= 1 && position <= names.Length ? names[position - 1] : "?";
}
