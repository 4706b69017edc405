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

    /// <summary>INTEROP_STATUS_NONFINITE in interop.h: the flag of an inversion's NaN or Inf pivot, over its step.</summary>
    public const int NonFinite = 0x40000000;

    public static void ThrowIfFailed(int status, string function, params string[] argumentNames)
    {
        if (status == 0)
        {
            return;
        }

        string message = status == NoMemory ? $"{function}: not enough memory for the kernel's workspace"
            : status < 0 ? $"{function}: argument {-status} ({ArgumentName(argumentNames, -status)}) was rejected"
            : $"{function}: numerical failure at index {status}";
        throw new NativeKernelException(function, status, message);
    }

    private static string ArgumentName(string[] names, int position) =>
        position >= 1 && position <= names.Length ? names[position - 1] : "?";
}
