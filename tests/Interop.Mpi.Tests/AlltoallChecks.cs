using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Interop.Mpi.Tests;

/// <summary>
/// The started all-to-all (Communicator.AlltoallStart, MPI_Ialltoallw of doubles sent as rows of a
/// matrix): blocks of a different shape (rows x width) for every pair of ranks, each at its own rows
/// and columns of the sender's matrix, whose other cells are NaN, each value naming its round,
/// sender, receiver and index, laid out with gaps and in reverse rank order on the receiving side,
/// so that a wrong row count, width, stride, offset or direction shows; empty blocks (no rows, or no
/// width); buffers reused; Test polled; calls the shim refuses.
/// </summary>
internal static unsafe class AlltoallChecks
{
    public static void Register(CheckList checks, CollectiveContext context)
    {
        Communicator world = context.World;
        int rank = context.Rank;
        int size = context.Size;
        checks.Add("alltoall blocks of r+1+s%2 rows of s+2 doubles, every value checked", () => Exchange(world, rank, size, rounds: 1, poll: false, EveryPair));
        checks.Add("alltoall twice with the same buffers", () => Exchange(world, rank, size, rounds: 2, poll: false, EveryPair));
        checks.Add("alltoall with empty blocks (r + s even)", () => Exchange(world, rank, size, rounds: 1, poll: false, OddPairs));
        checks.Add("alltoall of nothing, NULL buffers", () => Nothing(world, size));
        checks.Add("alltoall polled with Test until done", () => Exchange(world, rank, size, rounds: 1, poll: true, EveryPair));
        checks.Add("alltoall refusals", () => Refusals(world, size));
    }

    /// <summary>The rows and the width of the block rank <paramref name="from"/> sends to rank <paramref name="to"/>.</summary>
    private delegate (long Rows, long Width) BlockShape(int from, int to);

    private static (long Rows, long Width) EveryPair(int from, int to) => (from + 1 + (to % 2), to + 2);

    // No rows, or (from 0 to 2) rows of no width: nothing moves either way.
    private static (long Rows, long Width) OddPairs(int from, int to) =>
        (from + to) % 2 == 1 ? EveryPair(from, to) : from == 0 && to == 2 ? (3, 0) : (0, to + 2);

    /// <summary>Exact in a double: round, sender and receiver below 16, index below 4096.</summary>
    private static double Value(int round, int from, int to, long k) => ((((round * 16.0) + from) * 16.0) + to) * 4096.0 + k;

    // Receive buffer cells outside every block keep this; a block written at the wrong offset overwrites one.
    private const double Untouched = -1.5;

    private static string? Exchange(Communicator world, int rank, int size, int rounds, bool poll, BlockShape shape)
    {
        // The sender's matrix: rank s's block starts at row s and at a column of its own, one gap
        // column between blocks and after the last, so the rows of a block are separated by the others'.
        long[] sendRows = new long[size];
        long[] sendWidths = new long[size];
        long[] sendOffsets = new long[size];
        long stride = 1;
        long[] firstColumn = new long[size];
        for (int s = 0; s < size; s++)
        {
            (sendRows[s], sendWidths[s]) = shape(rank, s);
            firstColumn[s] = stride;
            stride += sendWidths[s] + 1;
        }

        long matrixRows = size + sendRows.Max() + 1;
        for (int s = 0; s < size; s++)
        {
            sendOffsets[s] = (s * stride) + firstColumn[s];
        }

        long sendLength = matrixRows * stride;

        long[] receiveCounts = new long[size];
        long[] receiveOffsets = new long[size];
        long receiveLength = 0;
        for (int r = size - 1; r >= 0; r--)
        {
            (long rows, long width) = shape(r, rank);
            receiveCounts[r] = rows * width;
            receiveOffsets[r] = receiveLength + 1;
            receiveLength += receiveCounts[r] + 1;
        }

        double* send = (double*)NativeMemory.Alloc((nuint)sendLength, sizeof(double));
        double* receive = (double*)NativeMemory.Alloc((nuint)receiveLength, sizeof(double));
        try
        {
            for (int round = 0; round < rounds; round++)
            {
                new Span<double>(send, (int)sendLength).Fill(double.NaN);
                new Span<double>(receive, (int)receiveLength).Fill(Untouched);
                for (int s = 0; s < size; s++)
                {
                    for (long row = 0; row < sendRows[s]; row++)
                    {
                        for (long column = 0; column < sendWidths[s]; column++)
                        {
                            send[sendOffsets[s] + (row * stride) + column] = Value(round, rank, s, (row * sendWidths[s]) + column);
                        }
                    }
                }

                using AlltoallRequest request = world.AlltoallStart(send, stride, sendRows, sendWidths, sendOffsets, receive, receiveCounts, receiveOffsets);
                if (poll)
                {
                    var clock = Stopwatch.StartNew();
                    int tests = 0;
                    while (!request.Test())
                    {
                        tests++;
                        if (clock.Elapsed > TimeSpan.FromSeconds(30))
                        {
                            return $"Test() still false after {tests} polls in 30 s";
                        }

                        Thread.Sleep(1);
                    }

                    if (!request.IsCompleted || !request.Test())
                    {
                        return "Test() was true once, then IsCompleted or Test() false";
                    }
                }

                request.Wait();
                string? problem = CheckReceived(receive, receiveLength, receiveCounts, receiveOffsets, round, rank, size);
                if (problem is not null)
                {
                    return $"round {round}: {problem}";
                }

                try
                {
                    request.Wait();
                    return "a second Wait() of one request did not throw";
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }
        finally
        {
            NativeMemory.Free(send);
            NativeMemory.Free(receive);
        }

        return null;
    }

    private static string? CheckReceived(double* receive, long receiveLength, long[] counts, long[] offsets, int round, int rank, int size)
    {
        var inBlock = new bool[receiveLength];
        for (int r = 0; r < size; r++)
        {
            for (long k = 0; k < counts[r]; k++)
            {
                inBlock[offsets[r] + k] = true;
                double got = receive[offsets[r] + k];
                double expected = Value(round, r, rank, k);
                if (got != expected)
                {
                    return $"from rank {r}, value {k} of {counts[r]}: {got}, expected {expected}";
                }
            }
        }

        for (long i = 0; i < receiveLength; i++)
        {
            if (!inBlock[i] && receive[i] != Untouched)
            {
                return $"receive cell {i}, outside every block, was overwritten with {receive[i]}";
            }
        }

        return null;
    }

    private static string? Nothing(Communicator world, int size)
    {
        long[] zeros = new long[size];
        using AlltoallRequest request = world.AlltoallStart(null, 0, zeros, zeros, zeros, null, zeros, zeros);
        request.Wait();

        // Rows of no width are nothing too: no buffer needed.
        long[] ones = [.. Enumerable.Repeat(1L, size)];
        using AlltoallRequest rows = world.AlltoallStart(null, 5, ones, zeros, zeros, null, zeros, zeros);
        rows.Wait();
        return null;
    }

    private static string? Refusals(Communicator world, int size)
    {
        double* cell = stackalloc double[1];
        long[] ones = [.. Enumerable.Repeat(1L, size)];
        long[] zeros = new long[size];
        long[] negative = [.. Enumerable.Repeat(1L, size)];
        negative[size - 1] = -1;
        long[] huge = new long[size];
        huge[0] = (long)int.MaxValue + 1;
        long[] pastAint = new long[size];
        pastAint[0] = (long.MaxValue / sizeof(double)) + 1;

        // Refused identically on every rank (before MPI is entered), so nobody waits in the exchange.
        string? problem =
            Expect(() => world.AlltoallStart(cell, 1, negative, ones, zeros, cell, ones, zeros), MpiStatus.BadArgument, "a negative row count")
            ?? Expect(() => world.AlltoallStart(cell, 1, ones, negative, zeros, cell, ones, zeros), MpiStatus.BadArgument, "a negative width")
            ?? Expect(() => world.AlltoallStart(cell, -1, ones, ones, zeros, cell, ones, zeros), MpiStatus.BadArgument, "a negative stride")
            ?? Expect(() => world.AlltoallStart(cell, 1, ones, ones, zeros, cell, ones, negative), MpiStatus.BadArgument, "a negative receive offset")
            ?? Expect(() => world.AlltoallStart(cell, 1, ones, huge, zeros, cell, ones, zeros), MpiStatus.TooLarge, "a width past int.MaxValue")
            ?? Expect(() => world.AlltoallStart(cell, 1, huge, ones, zeros, cell, ones, zeros), MpiStatus.TooLarge, "rows past int.MaxValue")
            ?? Expect(() => world.AlltoallStart(cell, 1, ones, ones, pastAint, cell, ones, zeros), MpiStatus.TooLarge, "a send offset past a byte displacement")
            ?? Expect(() => world.AlltoallStart(cell, pastAint[0], ones, ones, zeros, cell, ones, zeros), MpiStatus.TooLarge, "a stride past a byte displacement")
            ?? Expect(() => world.AlltoallStart(cell, 1, ones, ones, zeros, cell, huge, zeros), MpiStatus.TooLarge, "a receive count past int.MaxValue")
            ?? Expect(() => world.AlltoallStart(null, 1, ones, ones, zeros, cell, ones, zeros), MpiStatus.BadArgument, "a NULL send buffer with rows")
            ?? Expect(() => world.AlltoallStart(cell, 1, ones, ones, zeros, null, ones, zeros), MpiStatus.BadArgument, "a NULL receive buffer with counts");
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            world.AlltoallStart(cell, 1, new long[size + 1], zeros, zeros, cell, zeros, zeros).Dispose();
            return "send rows one longer than the world: no exception";
        }
        catch (ArgumentException e) when (e.ParamName == "sendRows")
        {
        }

        // Nothing was started or left behind: collectives still work.
        world.Barrier();
        return null;
    }

    private static string? Expect(Func<AlltoallRequest> start, int code, string what)
    {
        try
        {
            start().Dispose();
            return $"{what}: no exception";
        }
        catch (MpiException e) when (e.Code == code)
        {
            return null;
        }
        catch (MpiException e)
        {
            return $"{what}: MpiException with code {e.Code} ('{e.ErrorText}'), expected {code}";
        }
    }
}
