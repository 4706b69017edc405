using System.Text;

namespace Interop.Mpi.Tests;

/// <summary>
/// Runs one named check on every rank and agrees on its outcome: a check fails if it failed on any
/// rank, and rank 0 prints it with the detail of the lowest failing rank (sent over by broadcast).
/// </summary>
internal sealed class CheckRunner(Communicator world, TextWriter output)
{
    private readonly int rank = world.Rank;
    private readonly int size = world.Size;

    public int Passed { get; private set; }

    public int Failed { get; private set; }

    /// <summary>Runs <paramref name="check"/>, which returns null when it passed or what went wrong.</summary>
    public void Run(string name, Func<string?> check)
    {
        string? detail;
        try
        {
            detail = check();
        }
        catch (Exception e)
        {
            detail = $"{e.GetType().Name}: {e.Message}";
        }

        long failedRanks = world.Allreduce(detail is null ? 0L : 1L, MpiOp.Sum);
        if (failedRanks == 0)
        {
            Passed++;
            if (rank == 0)
            {
                output.WriteLine($"ok {name}");
            }

            return;
        }

        Failed++;
        int first = (int)world.Allreduce(detail is null ? long.MaxValue : rank, MpiOp.Min);
        string firstDetail = ShareText(detail ?? string.Empty, first);
        if (rank == 0)
        {
            output.WriteLine($"FAIL {name}: rank {first}: {firstDetail} ({failedRanks} of {size} ranks failed)");
        }
        else if (detail is not null)
        {
            Console.Error.WriteLine($"rank {rank}: FAIL {name}: {detail}");
        }
    }

    /// <summary>Prints a line from rank 0 only.</summary>
    public void Note(string text)
    {
        if (rank == 0)
        {
            output.WriteLine($"note: {text}");
        }
    }

    private string ShareText(string text, int root)
    {
        Span<int> length = [Encoding.UTF8.GetByteCount(text)];
        world.Broadcast(length, root);
        byte[] bytes = rank == root ? Encoding.UTF8.GetBytes(text) : new byte[length[0]];
        world.Broadcast(bytes.AsSpan(), root);
        return Encoding.UTF8.GetString(bytes);
    }
}
