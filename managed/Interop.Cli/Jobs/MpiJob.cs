using System.Diagnostics;
using Interop.Mpi;

namespace Interop.Cli.Jobs;

/// <summary>The ranks of an MPI job (MPI_COMM_WORLD), with the time spent in MPI calls measured.</summary>
internal sealed class MpiJob : IJob
{
    private readonly MpiEnvironment environment;
    private readonly Communicator world;
    private long communicationTicks;
    private long bytesSent;

    private MpiJob(MpiEnvironment environment, string launcher)
    {
        this.environment = environment;
        world = environment.World;
        Rank = world.Rank;
        Size = world.Size;
        Description = $"MPI ({launcher}; {environment.ProvidedThreadLevel} thread level)";
    }

    public int Rank { get; }

    public int Size { get; }

    public string Description { get; }

    /// <summary>Set from the start-up handshake's verdict, the same on every rank.</summary>
    public RankThreads? Heterogeneous { get; internal set; }

    public MpiEnvironment Environment => environment;

    // Not counted as communication: what uses it (a task queue) interleaves its messages with compute.
    public Communicator? World => world;

    /// <summary>Initializes MPI. Only the main thread calls MPI, so Funneled is all the driver needs.</summary>
    public static MpiJob Start(string launcher) => new(MpiEnvironment.Initialize(ThreadLevel.Funneled), launcher);

    public double TakeCommunicationSeconds()
    {
        double seconds = communicationTicks / (double)Stopwatch.Frequency;
        communicationTicks = 0;
        return seconds;
    }

    public long TakeBytesSent()
    {
        long bytes = bytesSent;
        bytesSent = 0;
        return bytes;
    }

    public void Barrier() => Timed(world.Barrier);

    // The start and every Test and Wait count as communication; the compute between them does not.
    public unsafe IExchange StartExchange(
        double* send, long sendStride, long[] sendRows, long[] sendWidths, long[] sendOffsets, double* receive, long[] receiveCounts, long[] receiveOffsets)
    {
        ExchangeArguments.Check(Size, sendStride, sendRows, sendWidths, sendOffsets, receiveCounts, receiveOffsets);
        AlltoallRequest request = Timed(() => world.AlltoallStart(send, sendStride, sendRows, sendWidths, sendOffsets, receive, receiveCounts, receiveOffsets));
        bytesSent += ExchangeArguments.BytesSentToOthers(Rank, sendRows, sendWidths);
        return new MpiExchange(this, request);
    }

    public long SumAll(long value) => Timed(() => world.Allreduce(value, MpiOp.Sum));

    // Not counted as communication: the pool's requests interleave with the chunks' compute.
    public TaskPoolRun Map(long items, long chunk, bool guided, Action<long, long> body, int workers = 1) =>
        TaskPool.Map(world, items, chunk, guided, body, workers);

    public double MaxAll(double value) => Timed(() => world.Allreduce(value, MpiOp.Max));

    public double[] GatherAll(ReadOnlySpan<double> values)
    {
        double[] send = values.ToArray();
        double[] all = new double[send.Length * Size];
        Timed(() => world.Allgather<double>(send, all));
        return all;
    }

    public long[] GatherAll(long value)
    {
        long[] all = new long[Size];
        Timed(() => world.Allgather<long>([value], all));
        return all;
    }

    public byte[][] GatherAll(byte[] bytes)
    {
        byte[][] all = [];
        Timed(() => all = world.AllgatherVariable<byte>(bytes));
        return all;
    }

    public int BroadcastFromRoot(int value)
    {
        int[] buffer = [value];
        Timed(() => world.Broadcast<int>(buffer, 0));
        return buffer[0];
    }

    public void AbortAll(int exitCode) => world.Abort(exitCode);

    public void Dispose() => environment.Dispose();

    private sealed class MpiExchange(MpiJob job, AlltoallRequest request) : IExchange
    {
        public bool Test() => job.Timed(request.Test);

        public void Wait() => job.Timed(request.Wait);
    }

    private void Timed(Action call) => Timed(() => { call(); return 0; });

    private T Timed<T>(Func<T> call)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            return call();
        }
        finally
        {
            communicationTicks += Stopwatch.GetTimestamp() - start;
        }
    }
}
