namespace Interop.Cli.Jobs;

/// <summary>
/// The processes one run is spread over: a single process, or the ranks of an MPI job. The
/// workloads are written once against this interface (split over ranks, compute, combine on rank
/// 0), so a plain run and `mpiexec -n N` run the same code. Rank 0 alone prints.
/// </summary>
internal interface IJob : IDisposable
{
    int Rank { get; }

    int Size { get; }

    bool IsRoot => Rank == 0;

    /// <summary>Where the ranks came from, for reports: "single process" or the MPI launcher.</summary>
    string Description { get; }

    /// <summary>
    /// Each rank's thread counts when the ranks declared different ones (a heterogeneous job, see
    /// <see cref="HandshakeVerdict"/>); null when every rank runs the same.
    /// </summary>
    RankThreads? Heterogeneous { get; }

    /// <summary>Seconds spent inside MPI calls since the last <see cref="TakeCommunicationSeconds"/>.</summary>
    double TakeCommunicationSeconds();

    /// <summary>
    /// Bytes this rank sent to other ranks in exchanges (<see cref="StartExchange"/>) since the last
    /// call: the blocks to itself never leave the process and are not counted. 0 in a single process.
    /// </summary>
    long TakeBytesSent();

    void Barrier();

    /// <summary>The sum over ranks, known to every rank.</summary>
    long SumAll(long value);

    /// <summary>The largest value over ranks, known to every rank.</summary>
    double MaxAll(double value);

    /// <summary>Every rank's values, in rank order, on every rank (each rank sends the same count).</summary>
    double[] GatherAll(ReadOnlySpan<double> values);

    /// <summary>Every rank's value, in rank order, on every rank.</summary>
    long[] GatherAll(long value);

    /// <summary>Every rank's bytes (any length), in rank order, on every rank.</summary>
    byte[][] GatherAll(byte[] bytes);

    /// <summary>
    /// Starts an all-to-all of doubles (a distributed transpose's blocks, sent from the matrix where
    /// they lie) and returns at once, so that the rank computes on its local blocks meanwhile;
    /// <see cref="IExchange.Wait"/> completes it. One entry per rank in each array, in doubles: rank s
    /// gets <paramref name="sendRows"/>[s] rows of <paramref name="sendWidths"/>[s] values, row k at
    /// <paramref name="send"/> + <paramref name="sendOffsets"/>[s] + k * <paramref name="sendStride"/>,
    /// and rank r's rows land one after another at <paramref name="receive"/> + <paramref name="receiveOffsets"/>[r]
    /// (<paramref name="receiveCounts"/>[r] values, what r sends here). Rows, widths and counts in
    /// [0, int.MaxValue], offsets and stride not negative, else ArgumentException; the arrays may be
    /// reused at once. The buffers are the caller's: it keeps them allocated and in place (native
    /// memory, or pinned), leaves send unchanged and receive unread until Wait has returned, and never
    /// lets them overlap. Collective, in the same order on every rank; every started exchange is waited
    /// for before the job's next exchange or its end.
    /// </summary>
    unsafe IExchange StartExchange(
        double* send, long sendStride, long[] sendRows, long[] sendWidths, long[] sendOffsets, double* receive, long[] receiveCounts, long[] receiveOffsets);

    /// <summary>Rank 0's value on every rank (e.g. the exit code rank 0 decided).</summary>
    int BroadcastFromRoot(int value);

    /// <summary>Ends the whole job after a failure on this rank; in a single process, returns.</summary>
    void AbortAll(int exitCode);

    /// <summary>
    /// Runs <paramref name="body"/>(first, count) for every chunk of <paramref name="chunk"/> items of
    /// [0, <paramref name="items"/>), each exactly once over the ranks, every chunk going to whichever
    /// worker is free (Interop.Mpi's TaskPool); returns what this rank ran. Collective.
    /// </summary>
    /// <param name="guided">Chunks shrink as the items run out (never below <paramref name="chunk"/>).</param>
    /// <param name="workers">Threads of this rank that take chunks (each rank its own count in a heterogeneous job).</param>
    Interop.Mpi.TaskPoolRun Map(long items, long chunk, bool guided, Action<long, long> body, int workers = 1);

    /// <summary>
    /// The job's MPI communicator, for what takes the ranks itself (a <see cref="Interop.Mpi.TaskQueue{TTask, TResult}"/>);
    /// null in a single process, which such a type runs without MPI.
    /// </summary>
    Interop.Mpi.Communicator? World => null;
}

/// <summary>One process: every collective is the identity.</summary>
internal sealed class SingleProcessJob : IJob
{
    public int Rank => 0;

    public int Size => 1;

    public string Description => "single process";

    public RankThreads? Heterogeneous => null;

    public double TakeCommunicationSeconds() => 0;

    public long TakeBytesSent() => 0;

    public void Barrier()
    {
    }

    // The one block goes from this rank to itself: copied now, row by row, nothing left to wait for.
    public unsafe IExchange StartExchange(
        double* send, long sendStride, long[] sendRows, long[] sendWidths, long[] sendOffsets, double* receive, long[] receiveCounts, long[] receiveOffsets)
    {
        ExchangeArguments.Check(1, sendStride, sendRows, sendWidths, sendOffsets, receiveCounts, receiveOffsets);
        long rows = sendRows[0];
        long width = sendWidths[0];
        long count = rows * width;
        if (receiveCounts[0] != count)
        {
            throw new ArgumentException($"the block to itself has {rows} x {width} doubles, receiveCounts[0] says {receiveCounts[0]}", nameof(receiveCounts));
        }

        if (count > 0 && (send == null || receive == null))
        {
            throw new ArgumentNullException(send == null ? nameof(send) : nameof(receive), "a block of doubles needs a buffer");
        }

        long bytes = width * sizeof(double);
        for (long k = 0; k < rows && width > 0; k++)
        {
            Buffer.MemoryCopy(send + sendOffsets[0] + (k * sendStride), receive + receiveOffsets[0] + (k * width), bytes, bytes);
        }

        return new CompletedExchange();
    }

    public long SumAll(long value) => value;

    public double MaxAll(double value) => value;

    public double[] GatherAll(ReadOnlySpan<double> values) => values.ToArray();

    public long[] GatherAll(long value) => [value];

    public byte[][] GatherAll(byte[] bytes) => [bytes];

    public int BroadcastFromRoot(int value) => value;

    public void AbortAll(int exitCode)
    {
    }

    // The same queue over this process's threads alone.
    public Interop.Mpi.TaskPoolRun Map(long items, long chunk, bool guided, Action<long, long> body, int workers = 1) =>
        Interop.Mpi.TaskPool.MapLocal(items, chunk, guided, body, workers);

    public void Dispose()
    {
    }
}
