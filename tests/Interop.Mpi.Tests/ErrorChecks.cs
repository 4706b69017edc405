using System.Runtime.CompilerServices;

namespace Interop.Mpi.Tests;

/// <summary>Rejected calls become MpiException with the shim's named status or MPI's code; .NET's own exceptions still work after MPI_Init.</summary>
internal static class ErrorChecks
{
    public static void Register(CheckList checks, CollectiveContext context)
    {
        checks.Add("errors become MpiException", () => Errors(context.World, context.Size));
        checks.Add("managed exceptions after MPI_Init", NullReferenceStillCaught);
    }

    private static string? ExpectMpiError(Action call, int code, string what)
    {
        try
        {
            call();
            return $"{what}: no exception";
        }
        catch (MpiException e) when (e.Code == code && e.ErrorText.Length > 0)
        {
            return null;
        }
        catch (MpiException e)
        {
            return $"{what}: MpiException with code {e.Code} ('{e.ErrorText}'), expected {code}";
        }
    }

    private static string? Errors(Communicator world, int size)
    {
        // Rejected identically on every rank, so nobody is left waiting in a collective.
        byte[] buffer = new byte[4];
        long[] values = new long[2];
        string? problem =
            ExpectMpiError(() => world.Broadcast(buffer.AsSpan(), size), MpiStatus.BadRoot, "broadcast from root = size")
            ?? ExpectMpiError(() => world.Broadcast(buffer.AsSpan(), -1), MpiStatus.BadRoot, "broadcast from root -1")
            ?? ExpectMpiError(() => world.Allreduce<long>(values, values.AsSpan().ToArray(), (MpiOp)9), MpiStatus.BadOp, "allreduce with op 9")
            ?? ExpectMpiError(() => world.Gather<byte>(buffer, [], size + 3), MpiStatus.BadRoot, "gather to root size+3");
        if (problem is not null)
        {
            return problem;
        }

        // An error found by MPI itself, on every rank: the same buffer as send and receive of an
        // allreduce (MPI's argument checks reject the aliasing). With MPI's default handler,
        // MPI_ERRORS_ARE_FATAL, this would end the job; the shim sets MPI_ERRORS_RETURN.
        try
        {
            world.Allreduce<long>(values, values, MpiOp.Sum);
            return "an allreduce with send = receive was not rejected by MPI";
        }
        catch (MpiException e) when (e.Code > 0 && e.ErrorText.Length > 0)
        {
        }
        catch (MpiException e)
        {
            return $"allreduce with send = receive: code {e.Code} ('{e.ErrorText}'), expected an MPI error code > 0";
        }

        try
        {
            world.Allreduce(1, MpiOp.Sum);
            return "an int reduction did not throw NotSupportedException";
        }
        catch (NotSupportedException)
        {
        }

        // MPI is still usable after the rejected calls.
        world.Barrier();
        return null;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static object? Nothing() => null;

    private static string? NullReferenceStillCaught()
    {
        // .NET turns SIGSEGV on a null dereference into NullReferenceException; MPI must not have
        // replaced that signal handler with its own.
        try
        {
            object? value = Nothing();
            _ = value!.GetHashCode();
            return "no NullReferenceException";
        }
        catch (NullReferenceException)
        {
            return null;
        }
    }
}
