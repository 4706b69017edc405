using System.Globalization;
using System.Text;

namespace Interop.Mpi;

/// <summary>
/// A call into MPI that did not succeed: <see cref="Code"/> is MPI's error code (> 0) or one of the
/// shim's own negative codes (interop_mpi.h), and <see cref="ErrorText"/> the text MPI gives for it.
/// </summary>
public class MpiException(string function, int code, string errorText, string? message = null)
    : Exception(message ?? $"{function} failed with MPI error {code}: {errorText}")
{
    /// <summary>The interop_mpi_* function that failed.</summary>
    public string Function { get; } = function;

    /// <summary>MPI's error code (> 0), or the shim's INTEROP_MPI_ERR_* code (&lt; 0).</summary>
    public int Code { get; } = code;

    /// <summary>MPI_Error_string's text for <see cref="Code"/>, or the shim's own text.</summary>
    public string ErrorText { get; } = errorText;
}

/// <summary>
/// A collective that did not complete within the wait limit (<see cref="Communicator.WaitLimit"/>):
/// some rank never arrived. The operation is still pending inside MPI, so the binding refuses every
/// later call but <see cref="Communicator.Abort"/>: end the job with it.
/// </summary>
public sealed class MpiTimeoutException(string function, string operation, TimeSpan limit)
    : MpiException(
        function,
        MpiStatus.Timeout,
        "the other ranks did not all arrive within the wait limit",
        $"{operation} waited {MpiStatus.Seconds(limit)} s (the wait limit) and not every rank arrived")
{
    /// <summary>The MPI operation that waited, e.g. "MPI_Bcast".</summary>
    public string Operation { get; } = operation;

    /// <summary>The wait limit in force.</summary>
    public TimeSpan Limit { get; } = limit;
}

/// <summary>The one place where the shim's status codes become exceptions.</summary>
internal static class MpiStatus
{
    /// <summary>The shim's own codes (INTEROP_MPI_ERR_* in interop_mpi.h): MPI was not entered.</summary>
    public const int BadArgument = -1;
    public const int BadRoot = -2;
    public const int BadOp = -3;
    public const int BadThreadLevel = -4;
    public const int BadState = -5;
    public const int TooLarge = -6;
    public const int Timeout = -7;

    public static void ThrowIfFailed(int status, string function)
    {
        if (status == Timeout)
        {
            double limit = MpiInterop.WaitLimit(out double seconds) == 0 ? seconds : double.NaN;
            throw new MpiTimeoutException(function, OperationOf(function), TimeSpan.FromSeconds(limit));
        }

        if (status != 0)
        {
            throw new MpiException(function, status, ErrorText(status));
        }
    }

    /// <summary>"interop_mpi_bcast_bytes" -> "MPI_Bcast": the MPI operation behind a shim function, for messages.</summary>
    public static string OperationOf(string function) => function switch
    {
        "interop_mpi_barrier" => "MPI_Barrier",
        "interop_mpi_bcast_bytes" => "MPI_Bcast",
        "interop_mpi_reduce_int64" or "interop_mpi_reduce_double" => "MPI_Reduce",
        "interop_mpi_allreduce_int64" or "interop_mpi_allreduce_double" => "MPI_Allreduce",
        "interop_mpi_gather_bytes" => "MPI_Gather",
        "interop_mpi_allgather_bytes" => "MPI_Allgather",
        "interop_mpi_alltoall_rows_double_start" => "MPI_Ialltoallw",

        // The all-to-all is the one operation a request stands for.
        "interop_mpi_request_wait" or "interop_mpi_request_test" => "MPI_Alltoallw",
        "interop_mpi_finalize" => "MPI_Finalize (its barrier)",
        "interop_mpi_counter_open" => "MPI_Allreduce (the shared counter's agreement)",
        "interop_mpi_counter_close" => "MPI_Barrier (before MPI_Win_free)",
        _ => function,
    };

    /// <summary>Seconds as people write them: "2", "0.5", "86400".</summary>
    public static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>MPI's text for a code (the shim's text for its own negative codes).</summary>
    public static unsafe string ErrorText(int code)
    {
        const int Capacity = 1024; // MPI_MAX_ERROR_STRING is 256 in Open MPI and MPICH
        byte* buffer = stackalloc byte[Capacity];
        buffer[0] = 0;
        int status = MpiInterop.ErrorString(code, buffer, Capacity);
        string text = Encoding.UTF8.GetString(new ReadOnlySpan<byte>(buffer, Capacity).Slice(0, Length(buffer, Capacity)));
        return status == 0 || text.Length > 0 ? text : $"MPI error code {code}";
    }

    /// <summary>Reads a string through one of the shim's (buffer, capacity, *length) getters, growing the buffer if needed.</summary>
    public static unsafe string ReadText(delegate*<byte*, int, int*, int> getter, string function)
    {
        int capacity = 512;
        while (true)
        {
            byte[] buffer = new byte[capacity];
            int length = 0;
            int status;
            fixed (byte* p = buffer)
            {
                status = getter(p, capacity, &length);
            }

            ThrowIfFailed(status, function);
            if (length < capacity)
            {
                return Encoding.UTF8.GetString(buffer, 0, length);
            }

            capacity = length + 1;
        }
    }

    private static unsafe int Length(byte* text, int capacity)
    {
        int n = 0;
        while (n < capacity && text[n] != 0)
        {
            n++;
        }

        return n;
    }
}
