using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Interop.Mpi.Tests;

/// <summary>A multi-byte record with padding, for the gathers: every field is rank-specific.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Record
{
    public long Id;
    public double Value;
    public int Rank;
    public short Tag;
    public byte Flag;

    public static Record For(int rank, int index) => new()
    {
        Id = (1L << 40) * (rank + 1) + index,
        Value = rank * 1.5 - index * 0.25,
        Rank = rank,
        Tag = (short)(rank * 100 + index),
        Flag = (byte)(rank * 7 + index),
    };

    public readonly bool SameAs(Record other) =>
        Id == other.Id && Value.Equals(other.Value) && Rank == other.Rank && Tag == other.Tag && Flag == other.Flag;

    public override readonly string ToString() => $"{{Id={Id}, Value={Value}, Rank={Rank}, Tag={Tag}, Flag={Flag}}}";
}

/// <summary>Every collective of Communicator.World, checked against values computed locally.</summary>
internal static class CollectiveChecks
{
    private const int Int64Count = 7;
    private const int DoubleCount = 6;
    private const int RecordsPerRank = 3;

    private static readonly MpiOp[] Ops = [MpiOp.Sum, MpiOp.Min, MpiOp.Max];

    public static int Run(MpiEnvironment mpi, ThreadLevel requested, TextWriter output)
    {
        var world = Communicator.World;
        int rank = world.Rank;
        int size = world.Size;
        var run = new CheckRunner(world, output);

        run.Run("launcher detected", () => Launcher(size));
        run.Run("environment state", () => EnvironmentState(mpi, requested));
        run.Run("thread level", () => ThreadLevelCheck(mpi, requested, run));
        run.Run("rank and size", () => RankAndSize(world, rank, size));
        run.Run("barrier", () => Barrier(world, rank, size));
        run.Run("wait limit", () => WaitLimit(world));
        run.Run("waiting ranks sleep", () => WaitingSleeps(world, rank, size));
        for (int root = 0; root < size; root++)
        {
            int r = root;
            run.Run($"broadcast root={root}", () => Broadcast(world, rank, r));
        }

        run.Run("broadcast 8 MiB", () => BroadcastLarge(world, rank, size - 1));
        run.Run("broadcast empty", () => { world.Broadcast(Span<byte>.Empty, 0); return null; });
        foreach (MpiOp op in Ops)
        {
            run.Run($"reduce int64 {op}", () => ReduceInt64(world, rank, size, op));
            run.Run($"allreduce int64 {op}", () => AllreduceInt64(world, rank, size, op));
            run.Run($"reduce double {op}", () => ReduceDouble(world, rank, size, op));
            run.Run($"allreduce double {op}", () => AllreduceDouble(world, rank, size, op));
        }

        run.Run("allreduce scalars", () => AllreduceScalars(world, rank, size));
        run.Run("allreduce double inexact sum", () => AllreduceInexact(world, rank, size));
        run.Run("allreduce 1M doubles", () => AllreduceLarge(world, rank, size));
        for (int root = 0; root < size; root++)
        {
            int r = root;
            run.Run($"gather records root={root}", () => Gather(world, rank, size, r));
        }

        run.Run("allgather records", () => Allgather(world, rank, size));
        run.Run("gather and allgather empty blocks", () => GatherEmpty(world, size));
        run.Run("processor name", () => ProcessorName(mpi));
        run.Run("library version", () => LibraryVersion(mpi));
        run.Run("wtime increases", () => Wtime(mpi));
        run.Run("errors become MpiException", () => Errors(world, size));
        run.Run("managed exceptions after MPI_Init", NullReferenceStillCaught);

        long failed = world.Allreduce((long)run.Failed, MpiOp.Max);
        if (rank == 0)
        {
            output.WriteLine($"{run.Passed} passed, {failed} failed (ranks: {size}, thread level: {mpi.ProvidedThreadLevel})");
        }

        return failed == 0 ? 0 : 1;
    }

    // --- environment ---------------------------------------------------------------------------

    private static string? Launcher(int size)
    {
        if (!MpiLaunch.DetectFromProcess(forced: false))
        {
            return "MpiLaunch.Detect found no launcher under mpiexec";
        }

        string? ompiSize = Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE");
        return ompiSize is not null && ompiSize != size.ToString()
            ? $"OMPI_COMM_WORLD_SIZE={ompiSize} but MPI_Comm_size={size}"
            : null;
    }

    private static string? EnvironmentState(MpiEnvironment mpi, ThreadLevel requested)
    {
        if (!MpiEnvironment.IsInitialized || MpiEnvironment.IsFinalized)
        {
            return $"initialized={MpiEnvironment.IsInitialized}, finalized={MpiEnvironment.IsFinalized}";
        }

        if (!mpi.OwnsFinalize)
        {
            return "the environment that initialized MPI does not own its finalization";
        }

        try
        {
            using var second = MpiEnvironment.Initialize(requested);
            return "a second MpiEnvironment.Initialize did not throw";
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string? ThreadLevelCheck(MpiEnvironment mpi, ThreadLevel requested, CheckRunner run)
    {
        if (mpi.ProvidedThreadLevel >= requested)
        {
            return null;
        }

        // MPI may grant less than asked; Multiple is the one level an implementation may lack.
        if (requested == ThreadLevel.Multiple)
        {
            run.Note($"MPI granted {mpi.ProvidedThreadLevel} when Multiple was requested (allowed by the standard)");
            return null;
        }

        return $"requested {requested}, provided {mpi.ProvidedThreadLevel}";
    }

    private static string? RankAndSize(Communicator world, int rank, int size)
    {
        if (size < 1 || rank < 0 || rank >= size)
        {
            return $"rank {rank} of size {size}";
        }

        Span<int> ranks = new int[size];
        world.Allgather<int>([rank], ranks);
        for (int r = 0; r < size; r++)
        {
            if (ranks[r] != r)
            {
                return $"allgather of ranks gave [{string.Join(", ", ranks.ToArray())}]";
            }
        }

        long sum = world.Allreduce((long)rank, MpiOp.Sum);
        return sum == (long)size * (size - 1) / 2 ? null : $"sum of ranks {sum}";
    }

    private static string? Barrier(Communicator world, int rank, int size)
    {
        // The last rank arrives late: everyone else must wait for it inside the barrier.
        const int DelayMs = 300;
        if (rank == size - 1)
        {
            Thread.Sleep(DelayMs);
        }

        var clock = Stopwatch.StartNew();
        world.Barrier();
        double waitedMs = clock.Elapsed.TotalMilliseconds;
        for (int i = 0; i < 20; i++)
        {
            world.Barrier();
        }

        return rank != size - 1 && waitedMs < DelayMs * 0.6
            ? $"the barrier returned after {waitedMs:F0} ms, before rank {size - 1} entered it ({DelayMs} ms late)"
            : null;
    }

    private static string? WaitLimit(Communicator world)
    {
        TimeSpan saved = world.WaitLimit;
        try
        {
            world.WaitLimit = TimeSpan.FromSeconds(2.5);
            if (world.WaitLimit != TimeSpan.FromSeconds(2.5))
            {
                return $"set 2.5 s, read back {world.WaitLimit.TotalSeconds} s";
            }

            foreach (TimeSpan bad in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(-1), TimeSpan.MaxValue })
            {
                try
                {
                    world.WaitLimit = bad;
                    return $"a wait limit of {bad} was accepted";
                }
                catch (ArgumentOutOfRangeException)
                {
                }
            }

            world.Barrier();
            return null;
        }
        finally
        {
            world.WaitLimit = saved;
        }
    }

    private static string? WaitingSleeps(Communicator world, int rank, int size)
    {
        // The last rank computes for 1.5 s before the barrier; the others wait in it. MPI's own
        // blocking collectives poll at full speed there; the shim's waits sleep between polls.
        const int DelayMs = 1500;
        if (rank == size - 1)
        {
            Thread.Sleep(DelayMs);
            world.Barrier();
            return null;
        }

        using var self = Process.GetCurrentProcess();
        TimeSpan cpuBefore = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        world.Barrier();
        double wall = clock.Elapsed.TotalSeconds;
        self.Refresh();
        double cpu = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
        return cpu > 0.2 * wall
            ? $"waiting {wall:F2} s in a barrier used {cpu:F2} s of CPU ({100 * cpu / wall:F0} %, at most 20 % expected)"
            : null;
    }

    // --- broadcast -----------------------------------------------------------------------------

    private static byte Pattern(int root, int k) => (byte)((root * 31) + (k * 7) + (k >> 8));

    private static string? Broadcast(Communicator world, int rank, int root)
    {
        // Bytes of an odd length, records and doubles: all from `root`, garbage elsewhere.
        byte[] bytes = new byte[1000 + 7 + root];
        for (int k = 0; k < bytes.Length; k++)
        {
            bytes[k] = rank == root ? Pattern(root, k) : (byte)0xEE;
        }

        var records = new Record[5];
        double[] doubles = new double[3];
        for (int k = 0; k < records.Length; k++)
        {
            records[k] = rank == root ? Record.For(root, k) : Record.For(-1, -1);
        }

        for (int k = 0; k < doubles.Length; k++)
        {
            doubles[k] = rank == root ? Math.PI * (root + k) : double.NaN;
        }

        world.Broadcast(bytes.AsSpan(), root);
        world.Broadcast(records.AsSpan(), root);
        world.Broadcast(doubles.AsSpan(), root);
        for (int k = 0; k < bytes.Length; k++)
        {
            if (bytes[k] != Pattern(root, k))
            {
                return $"byte {k} is {bytes[k]}, expected {Pattern(root, k)}";
            }
        }

        for (int k = 0; k < records.Length; k++)
        {
            if (!records[k].SameAs(Record.For(root, k)))
            {
                return $"record {k} is {records[k]}, expected {Record.For(root, k)}";
            }
        }

        for (int k = 0; k < doubles.Length; k++)
        {
            if (!doubles[k].Equals(Math.PI * (root + k)))
            {
                return $"double {k} is {doubles[k]}, expected {Math.PI * (root + k)}";
            }
        }

        return null;
    }

    private static string? BroadcastLarge(Communicator world, int rank, int root)
    {
        long[] data = new long[1 << 20];
        for (int k = 0; k < data.Length; k++)
        {
            data[k] = rank == root ? (k * 2654435761L) ^ root : -1;
        }

        world.Broadcast(data.AsSpan(), root);
        for (int k = 0; k < data.Length; k++)
        {
            if (data[k] != ((k * 2654435761L) ^ root))
            {
                return $"element {k} is {data[k]}";
            }
        }

        return null;
    }

    // --- reductions ----------------------------------------------------------------------------

    /// <summary>Rank-specific int64 values: beyond 2^31 and 2^53, negative, near the extremes.</summary>
    private static long Int64Value(int rank, int i) => (i % 7) switch
    {
        0 => (1L << 53) + 1 + (rank * 3L), // exact in int64, not in double: catches a double round trip
        1 => (1L << 31) + rank, // beyond int32
        2 => (-(1L << 40) * (rank + 1)) + i,
        3 => rank % 2 == 0 ? (long.MaxValue / 4096) - rank : (long.MinValue / 4096) + rank,
        4 => (i * 1_000_003L) - (rank * 17L),
        5 => (1L << 62) / 4096 * (rank % 3 - 1),
        _ => -rank,
    };

    /// <summary>Rank-specific doubles whose sums are exact in any order (so any reduction tree matches).</summary>
    private static double DoubleValue(int rank, int i) => (i % 6) switch
    {
        0 => (rank + 1) * 0.25,
        1 => (-1024.5 * rank) + i,
        2 => Math.ScaleB(1.0, 40) + (rank * 0.5),
        3 => rank % 2 == 0 ? Math.ScaleB(1.0, 900) : -Math.ScaleB(rank, 900),
        4 => Math.ScaleB(rank + 3, -30),
        _ => rank % 3 == 0 ? -0.5 : 0.75,
    };

    private static long Combine(long a, long b, MpiOp op) => op switch
    {
        MpiOp.Sum => a + b,
        MpiOp.Min => Math.Min(a, b),
        _ => Math.Max(a, b),
    };

    private static double Combine(double a, double b, MpiOp op) => op switch
    {
        MpiOp.Sum => a + b,
        MpiOp.Min => Math.Min(a, b),
        _ => Math.Max(a, b),
    };

    private static long[] ExpectedInt64(int size, MpiOp op)
    {
        long[] expected = new long[Int64Count];
        for (int i = 0; i < Int64Count; i++)
        {
            expected[i] = Int64Value(0, i);
            for (int r = 1; r < size; r++)
            {
                expected[i] = Combine(expected[i], Int64Value(r, i), op);
            }
        }

        return expected;
    }

    private static double[] ExpectedDouble(int size, MpiOp op)
    {
        double[] expected = new double[DoubleCount];
        for (int i = 0; i < DoubleCount; i++)
        {
            expected[i] = DoubleValue(0, i);
            for (int r = 1; r < size; r++)
            {
                expected[i] = Combine(expected[i], DoubleValue(r, i), op);
            }
        }

        return expected;
    }

    private static string? Compare<T>(ReadOnlySpan<T> actual, ReadOnlySpan<T> expected, string what)
        where T : IEquatable<T>
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (!actual[i].Equals(expected[i]))
            {
                return $"{what}: element {i} is {actual[i]}, expected {expected[i]}";
            }
        }

        return null;
    }

    private static string? ReduceInt64(Communicator world, int rank, int size, MpiOp op)
    {
        long[] send = new long[Int64Count];
        for (int i = 0; i < send.Length; i++)
        {
            send[i] = Int64Value(rank, i);
        }

        long[] expected = ExpectedInt64(size, op);
        for (int root = 0; root < size; root++)
        {
            long[] receive = new long[Int64Count];
            Array.Fill(receive, 12345L);
            world.Reduce<long>(send, receive, op, root);
            string? problem = rank == root
                ? Compare<long>(receive, expected, $"root {root}")
                : Compare<long>(receive, Enumerable.Repeat(12345L, Int64Count).ToArray(), $"non-root receive (root {root}) was written");
            if (problem is not null)
            {
                return problem;
            }

            // Non-roots may pass no receive buffer at all.
            world.Reduce<long>(send, rank == root ? receive : Span<long>.Empty, op, root);
            if (rank == root && Compare<long>(receive, expected, $"root {root}, empty elsewhere") is { } again)
            {
                return again;
            }
        }

        return Compare<long>(send, Enumerable.Range(0, Int64Count).Select(i => Int64Value(rank, i)).ToArray(), "send buffer changed");
    }

    private static string? AllreduceInt64(Communicator world, int rank, int size, MpiOp op)
    {
        long[] send = Enumerable.Range(0, Int64Count).Select(i => Int64Value(rank, i)).ToArray();
        long[] receive = new long[Int64Count];
        world.Allreduce<long>(send, receive, op);
        return Compare<long>(receive, ExpectedInt64(size, op), "allreduce");
    }

    private static string? ReduceDouble(Communicator world, int rank, int size, MpiOp op)
    {
        double[] send = Enumerable.Range(0, DoubleCount).Select(i => DoubleValue(rank, i)).ToArray();
        double[] expected = ExpectedDouble(size, op);
        for (int root = 0; root < size; root++)
        {
            double[] receive = new double[DoubleCount];
            Array.Fill(receive, -7.0);
            world.Reduce<double>(send, receive, op, root);
            string? problem = rank == root
                ? Compare<double>(receive, expected, $"root {root}")
                : Compare<double>(receive, Enumerable.Repeat(-7.0, DoubleCount).ToArray(), $"non-root receive (root {root}) was written");
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? AllreduceDouble(Communicator world, int rank, int size, MpiOp op)
    {
        double[] send = Enumerable.Range(0, DoubleCount).Select(i => DoubleValue(rank, i)).ToArray();
        double[] receive = new double[DoubleCount];
        world.Allreduce<double>(send, receive, op);
        return Compare<double>(receive, ExpectedDouble(size, op), "allreduce");
    }

    private static string? AllreduceScalars(Communicator world, int rank, int size)
    {
        long big = world.Allreduce((1L << 53) + 1, MpiOp.Sum);
        if (big != ((1L << 53) + 1) * size)
        {
            return $"sum of 2^53+1 over {size} ranks gave {big}";
        }

        double max = world.Allreduce(rank + 0.5, MpiOp.Max);
        double root0 = world.Reduce((long)rank - 1, MpiOp.Min, root: 0);
        if (max != size - 0.5)
        {
            return $"max of rank+0.5 gave {max}";
        }

        return rank == 0 && root0 != -1 ? $"min of rank-1 on root 0 gave {root0}" : null;
    }

    private static string? AllreduceInexact(Communicator world, int rank, int size)
    {
        double sum = world.Allreduce(0.1 * (rank + 1), MpiOp.Sum);
        double expected = 0.1 * size * (size + 1) / 2;
        return Math.Abs(sum - expected) <= 1e-13 * size * size ? null : $"sum {sum:R}, expected {expected:R}";
    }

    private static string? AllreduceLarge(Communicator world, int rank, int size)
    {
        const int Count = 1 << 20;
        double[] send = new double[Count];
        double[] receive = new double[Count];
        for (int k = 0; k < Count; k++)
        {
            send[k] = rank + (k % 7);
        }

        world.Allreduce<double>(send, receive, MpiOp.Sum);
        double ranks = (double)size * (size - 1) / 2;
        for (int k = 0; k < Count; k++)
        {
            if (receive[k] != ranks + ((double)size * (k % 7)))
            {
                return $"element {k} is {receive[k]}";
            }
        }

        return null;
    }

    // --- gathers -------------------------------------------------------------------------------

    private static Record[] MyRecords(int rank) =>
        Enumerable.Range(0, RecordsPerRank).Select(i => Record.For(rank, i)).ToArray();

    private static string? CheckGathered(ReadOnlySpan<Record> all, int size)
    {
        for (int r = 0; r < size; r++)
        {
            for (int i = 0; i < RecordsPerRank; i++)
            {
                Record got = all[(r * RecordsPerRank) + i];
                if (!got.SameAs(Record.For(r, i)))
                {
                    return $"block of rank {r}, record {i} is {got}, expected {Record.For(r, i)}";
                }
            }
        }

        return null;
    }

    private static string? Gather(Communicator world, int rank, int size, int root)
    {
        Record[] receive = rank == root ? new Record[RecordsPerRank * size] : [];
        world.Gather<Record>(MyRecords(rank), receive, root);
        return rank == root ? CheckGathered(receive, size) : null;
    }

    private static string? Allgather(Communicator world, int rank, int size)
    {
        var receive = new Record[RecordsPerRank * size];
        world.Allgather<Record>(MyRecords(rank), receive);
        return CheckGathered(receive, size);
    }

    private static string? GatherEmpty(Communicator world, int size)
    {
        world.Gather(ReadOnlySpan<Record>.Empty, Span<Record>.Empty, size - 1);
        world.Allgather(ReadOnlySpan<long>.Empty, Span<long>.Empty);
        return null;
    }

    // --- environment queries -------------------------------------------------------------------

    private static string? ProcessorName(MpiEnvironment mpi)
    {
        string name = mpi.ProcessorName;
        return name.Length == 0 || name.Contains('\0') ? $"processor name '{name}'" : null;
    }

    private static string? LibraryVersion(MpiEnvironment mpi)
    {
        string version = mpi.LibraryVersion;
        return version.Length == 0 || version.Contains('\n') ? $"library version '{version}'" : null;
    }

    private static string? Wtime(MpiEnvironment mpi)
    {
        double tick = mpi.Wtick;
        double t0 = mpi.Wtime;
        Thread.Sleep(20);
        double t1 = mpi.Wtime;
        if (!(tick > 0 && tick < 0.01))
        {
            return $"wtick {tick}";
        }

        return t1 - t0 >= 0.015 && t1 - t0 < 10 ? null : $"wtime went from {t0} to {t1} over a 20 ms sleep";
    }

    // --- errors --------------------------------------------------------------------------------

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
            ExpectMpiError(() => world.Broadcast(buffer.AsSpan(), size), -2, "broadcast from root = size")
            ?? ExpectMpiError(() => world.Broadcast(buffer.AsSpan(), -1), -2, "broadcast from root -1")
            ?? ExpectMpiError(() => world.Allreduce<long>(values, values.AsSpan().ToArray(), (MpiOp)9), -3, "allreduce with op 9")
            ?? ExpectMpiError(() => world.Gather<byte>(buffer, [], size + 3), -2, "gather to root size+3");
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
