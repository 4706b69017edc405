namespace Interop.Mpi.Tests;

/// <summary>Reduce and allreduce of int64 and double per operation, to every root, scalars, an inexact sum and 1M doubles.</summary>
internal static class ReduceChecks
{
    private const int Int64Count = 7;
    private const int DoubleCount = 6;

    private static readonly MpiOp[] Ops = [MpiOp.Sum, MpiOp.Min, MpiOp.Max];

    public static void Register(CheckList checks, CollectiveContext context)
    {
        Communicator world = context.World;
        int rank = context.Rank;
        int size = context.Size;
        foreach (MpiOp op in Ops)
        {
            checks.Add($"reduce int64 {op}", () => ReduceInt64(world, rank, size, op));
            checks.Add($"allreduce int64 {op}", () => AllreduceInt64(world, rank, size, op));
            checks.Add($"reduce double {op}", () => ReduceDouble(world, rank, size, op));
            checks.Add($"allreduce double {op}", () => AllreduceDouble(world, rank, size, op));
        }

        checks.Add("allreduce scalars", () => AllreduceScalars(world, rank, size));
        checks.Add("allreduce double inexact sum", () => AllreduceInexact(world, rank, size));
        checks.Add("allreduce 1M doubles", () => AllreduceLarge(world, rank, size));
    }

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
}
