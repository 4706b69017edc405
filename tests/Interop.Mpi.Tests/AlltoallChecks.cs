using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Interop.Mpi.Tests;

/// <summary>
/// The started all-to-all (Communicator.AlltoallStart, MPI_Ialltoallv of doubles): blocks of a
/// different length for every pair of ranks, each value naming its round, sender, receiver and index,
/// laid out with gaps and in reverse rank order on the receiving side, so that a wrong count, offset
/// or direction shows; empty blocks; buffers reused; Test polled; calls the shim refuses.
/// </summary>
internal static unsafe class AlltoallChecks
{
    public static void Register(CheckList checks, CollectiveContext context)
    {
        Communicator world = context.World;
        int rank = context.Rank;
        int size = context.Size;
        checks.Add("alltoall blocks of (r+1)*(s+2) doubles, every value checked", () => Exchange(world, rank, size, rounds: 1, poll: false, EveryPair));
        checks.Add("alltoall twice with the same buffers", () => Exchange(world, rank, size, rounds: 2, poll: false, EveryPair));
        checks.Add("alltoall with empty blocks (r + s even)", () => Exchange(world, rank, size, rounds: 1, poll: false, OddPairs));
        checks.Add("alltoall of nothing, NULL buffers", () => Nothing(world, size));
        checks.Add("alltoall polled with Test until done", () => Exchange(world, rank, size, rounds: 1, poll: true, EveryPair));
        checks.Add("alltoall refusals", () => Refusals(world, size));
    }

    /// <summary>How many doubles rank <paramref name="from"/> sends to rank <paramref name="to"/>.</summary>
    private delegate long BlockLength(int from, int to);

    private static long EveryPair(int from, int to) => (long)(from + 1) * (to + 2);

    private static long OddPairs(int from, int to) => (from + to) % 2 == 0 ? 0 : EveryPair(from, to);

    /// <summary>Exact in a double: round, sender and receiver below 16, index below 4096.</summary>
    private static double Value(int round, int from, int to, long k) => ((((round * 16.0) + from) * 16.0) + to) * 4096.0 + k;

    // Receive buffer cells outside every block keep this; a block written at the wrong offset overwrites one.
    private const double Untouched = -1.5;

    private static string? Exchange(Communicator world, int rank, int size, int rounds, bool poll, BlockLength length)
    {
        // One gap cell before every block, on both sides; receive blocks in reverse rank order.
        long[] sendCounts = new long[size];
        long[] sendOffsets = new long[size];
        long[] receiveCounts = new long[size];
        long[] receiveOffsets = new long[size];
        long sendLength = 0;
        for (int s = 0; s < size; s++)
        {
            sendCounts[s] = length(rank, s);
            sendOffsets[s] = sendLength + 1;
            sendLength += sendCounts[s] + 1;
        }

        long receiveLength = 0;
        for (int r = size - 1; r >= 0; r--)
        {
            receiveCounts[r] = length(r, rank);
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
                    for (long k = 0; k < sendCounts[s]; k++)
                    {
                        send[sendOffsets[s] + k] = Value(round, rank, s, k);
                    }
                }

                using AlltoallRequest request = world.AlltoallStart(send, sendCounts, sendOffsets, receive, receiveCounts, receiveOffsets);
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
        using AlltoallRequest request = world.AlltoallStart(null, zeros, zeros, null, zeros, zeros);
        request.Wait();
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

        // Refused identically on every rank (before MPI is entered), so nobody waits in the exchange.
        string? problem =
            Expect(() => world.AlltoallStart(cell, negative, zeros, cell, ones, zeros), MpiStatus.BadArgument, "a negative send count")
            ?? Expect(() => world.AlltoallStart(cell, ones, zeros, cell, ones, negative), MpiStatus.BadArgument, "a negative receive offset")
            ?? Expect(() => world.AlltoallStart(cell, ones, huge, cell, ones, zeros), MpiStatus.TooLarge, "a send offset past int.MaxValue")
            ?? Expect(() => world.AlltoallStart(cell, ones, zeros, cell, huge, zeros), MpiStatus.TooLarge, "a receive count past int.MaxValue")
            ?? Expect(() => world.AlltoallStart(null, ones, zeros, cell, ones, zeros), MpiStatus.BadArgument, "a NULL send buffer with counts")
            ?? Expect(() => world.AlltoallStart(cell, ones, zeros, null, ones, zeros), MpiStatus.BadArgument, "a NULL receive buffer with counts");
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            world.AlltoallStart(cell, new long[size + 1], zeros, cell, zeros, zeros).Dispose();
            return "send counts one longer than the world: no exception";
        }
        catch (ArgumentException e) when (e.ParamName == "sendCounts")
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
