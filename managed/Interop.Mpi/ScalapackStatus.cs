using Interop.Core;

namespace Interop.Mpi;

/// <summary>
/// A libinterop_scalapack call that failed for a reason other than the matrix: <see cref="Status"/> is
/// its status (interop_scalapack.h), the same on every rank, so every rank throws this together.
/// </summary>
public sealed class ScalapackException(string function, int status, string message) : Exception(message)
{
    /// <summary>The interop_scalapack_* function that failed.</summary>
    public string Function { get; } = function;

    /// <summary>Its status: -k for argument k, or one of the INTEROP_SCALAPACK_ERR_* codes.</summary>
    public int Status { get; } = status;
}

/// <summary>The one place where libinterop_scalapack's statuses become exceptions.</summary>
internal static class ScalapackStatus
{
    /// <summary>The statuses of interop_scalapack.h (NoMemory and NonFinite equal interop.h's).</summary>
    public const int NoMemory = -1000;
    public const int NonFinite = 0x40000000;
    public const int BadState = -1001;
    public const int Mismatch = -1002;
    public const int BadGrid = -1003;
    public const int OutOfOrder = -1004;
    public const int LibraryError = -1005;
    public const int MpiError = -1006;
    public const int TooLarge = -1007;
    public const int BadEnvironment = -1008;

    /// <summary>
    /// Throws for a status that is not 0: a failed pivot (> 0) as the <see cref="SingularMatrixException"/>
    /// or <see cref="NonFiniteFactorizationException"/> every backend throws, a malformed
    /// INTEROP_MEMORY_LIMIT as a <see cref="UsageException"/>, anything else as a
    /// <see cref="ScalapackException"/> naming the argument or the cause.
    /// </summary>
    public static void ThrowIfFailed(int status, string function, string backend, params string[] argumentNames)
    {
        if (status == 0)
        {
            return;
        }

        if (status > 0 && (status & NonFinite) != 0)
        {
            throw new NonFiniteFactorizationException(status & ~NonFinite, backend);
        }

        if (status > 0)
        {
            throw new SingularMatrixException(status, backend);
        }

        if (status == BadEnvironment)
        {
            // The user's setting, not this library: a usage error.
            throw new UsageException($"{backend}: {Describe(status, argumentNames)}, got '{Environment.GetEnvironmentVariable(MemoryLimit.Variable)}'");
        }

        throw new ScalapackException(function, status, $"{backend}: {function}: {Describe(status, argumentNames)}");
    }

    /// <summary>The text of a negative status.</summary>
    public static string Describe(int status, string[] argumentNames) => status switch
    {
        NoMemory => "not enough memory on some node for its ranks' parts of the matrices and ScaLAPACK's workspace",
        BadState => "MPI is not initialized, or already finalized",
        Mismatch => "the ranks disagree: different n, grid, block size or seed, or different calls (every rank must run the same command)",
        BadGrid => "the grid's rows x columns is not the number of ranks",
        OutOfOrder => "called out of order (no matrix, no inverse, or an inversion that failed)",
        LibraryError => "ScaLAPACK or BLACS rejected a call (a bug in libinterop_scalapack)",
        MpiError => "an MPI call failed",
        TooLarge => "a rank's part of the matrix would have 2^31 elements or more (ScaLAPACK's 32-bit indices), or the whole matrix on rank 0 would",
        BadEnvironment => $"{MemoryLimit.Variable} is not a size (a number of bytes, optionally followed by K, M, G or T)",
        < 0 when -status <= argumentNames.Length => $"argument {-status} ({argumentNames[-status - 1]}) was rejected",
        _ => $"status {status}",
    };
}
