namespace Interop.Cli.Jobs;

/// <summary>
/// An all-to-all of double blocks (rows of a matrix) started by <see cref="IJob.StartExchange"/>: the workload computes
/// on its local blocks, then calls <see cref="Wait"/> before it reads the receive buffer.
/// </summary>
internal interface IExchange
{
    /// <summary>True once the exchange has completed (no waiting; <see cref="Wait"/> must still follow).</summary>
    bool Test();

    /// <summary>
    /// Completes the exchange (in an MPI job within the wait limit: past it MpiTimeoutException, and
    /// the job must be aborted). Called exactly once.
    /// </summary>
    void Wait();
}

/// <summary>
/// Checks an exchange's arrays as the job sees them (one entry per rank) before anything moves, the
/// same on every job: one clear message instead of memory read past an array's end.
/// </summary>
internal static class ExchangeArguments
{
    public static void Check(int size, long sendStride, long[] sendRows, long[] sendWidths, long[] sendOffsets, long[] receiveCounts, long[] receiveOffsets)
    {
        Displacement(sendStride, nameof(sendStride));
        PerRank(size, sendRows, nameof(sendRows), Count);
        PerRank(size, sendWidths, nameof(sendWidths), Count);
        PerRank(size, sendOffsets, nameof(sendOffsets), Displacement);
        PerRank(size, receiveCounts, nameof(receiveCounts), Count);
        PerRank(size, receiveOffsets, nameof(receiveOffsets), Displacement);
    }

    /// <summary>The bytes <paramref name="rank"/> sends to the other ranks: its block to itself stays in the process.</summary>
    public static long BytesSentToOthers(int rank, long[] sendRows, long[] sendWidths)
    {
        long doubles = 0;
        for (int s = 0; s < sendRows.Length; s++)
        {
            if (s != rank)
            {
                doubles += sendRows[s] * sendWidths[s];
            }
        }

        return doubles * sizeof(double);
    }

    private static void PerRank(int size, long[] values, string name, Action<long, string> check)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.Length != size)
        {
            throw new ArgumentException($"{name} holds {values.Length} entries, not one per rank ({size})", name);
        }

        foreach (long value in values)
        {
            check(value, name);
        }
    }

    // MPI's counts are ints: the MPI job refuses the same values.
    private static void Count(long value, string name)
    {
        if (value < 0 || value > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must lie in [0, {int.MaxValue}] doubles");
        }
    }

    // Offsets and strides become byte displacements (MPI_Aint): the MPI job refuses the same values.
    private static void Displacement(long value, string name)
    {
        if (value < 0 || value > long.MaxValue / sizeof(double))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must lie in [0, {long.MaxValue / sizeof(double)}] doubles");
        }
    }
}

/// <summary>The single process's exchange: its one block was copied when it started.</summary>
internal sealed class CompletedExchange : IExchange
{
    private bool waited;

    public bool Test() => true;

    public void Wait()
    {
        ObjectDisposedException.ThrowIf(waited, this);
        waited = true;
    }
}
