using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Interop.Mpi;

/// <summary>
/// MPI_COMM_WORLD, with mpi4py-style buffer methods over spans: every collective works on the
/// caller's memory in place (pinned, never copied), on unmanaged element types only. Errors come
/// back as <see cref="MpiException"/>; arguments that are wrong on one rank only (a receive span
/// of the wrong length on the root, say) throw there before MPI is entered, which leaves the other
/// ranks waiting in the collective, as in any MPI program: end such a job with <see cref="Abort"/>.
/// Every collective waits at most <see cref="WaitLimit"/>, sleeping rather than spinning.
/// </summary>
public sealed class Communicator
{
    private Communicator()
    {
    }

    /// <summary>MPI_COMM_WORLD. Usable between <see cref="MpiEnvironment.Initialize"/> and its Dispose.</summary>
    public static Communicator World { get; } = new();

    /// <summary>MPI_Comm_rank: this process's rank, in [0, <see cref="Size"/>).</summary>
    public int Rank
    {
        get
        {
            MpiLoader.EnsureLoaded();
            MpiStatus.ThrowIfFailed(MpiInterop.CommWorldRank(out int rank), "interop_mpi_comm_world_rank");
            return rank;
        }
    }

    /// <summary>MPI_Comm_size: the number of ranks.</summary>
    public int Size
    {
        get
        {
            MpiLoader.EnsureLoaded();
            MpiStatus.ThrowIfFailed(MpiInterop.CommWorldSize(out int size), "interop_mpi_comm_world_size");
            return size;
        }
    }

    /// <summary>
    /// The longest any collective (and <see cref="MpiEnvironment.Dispose"/>'s barrier before
    /// MPI_Finalize) waits for the other ranks; past it the call throws
    /// <see cref="MpiTimeoutException"/>. Waiting ranks sleep between polls, so a long wait costs
    /// almost no CPU. Process-wide; one day unless set. Settable before MPI is initialized.
    /// </summary>
    public TimeSpan WaitLimit
    {
        get
        {
            MpiLoader.EnsureLoaded();
            MpiStatus.ThrowIfFailed(MpiInterop.WaitLimit(out double seconds), "interop_mpi_wait_limit");
            return TimeSpan.FromSeconds(seconds);
        }

        set
        {
            if (!(value > TimeSpan.Zero) || value == TimeSpan.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "the wait limit must be a positive, finite time");
            }

            MpiLoader.EnsureLoaded();
            MpiStatus.ThrowIfFailed(MpiInterop.SetWaitLimit(value.TotalSeconds), "interop_mpi_set_wait_limit");
        }
    }

    /// <summary>
    /// How long every wait polls before it starts sleeping (200 us unless set): polling answers a
    /// message that is about to arrive at once; sleeping leaves the core to the rank's other threads.
    /// Zero sleeps from the first poll on. Process-wide; settable before MPI is initialized.
    /// </summary>
    public TimeSpan SpinLimit
    {
        get
        {
            MpiLoader.EnsureLoaded();
            MpiStatus.ThrowIfFailed(MpiInterop.SpinLimit(out double seconds), "interop_mpi_spin_limit");
            // Rounded to the nearest tick: 200e-6 s is not exact in binary, and truncation would read 199.9 us.
            return TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
        }

        set
        {
            if (value < TimeSpan.Zero || value == TimeSpan.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "the spin limit must be zero or a positive, finite time");
            }

            MpiLoader.EnsureLoaded();
            MpiStatus.ThrowIfFailed(MpiInterop.SetSpinLimit(value.TotalSeconds), "interop_mpi_set_spin_limit");
        }
    }

    /// <summary>MPI_Barrier: returns once every rank has entered it.</summary>
    public void Barrier()
    {
        MpiLoader.EnsureLoaded();
        MpiStatus.ThrowIfFailed(MpiInterop.Barrier(), "interop_mpi_barrier");
    }

    /// <summary>The source of <see cref="Receive"/> that matches a message from any rank (MPI_ANY_SOURCE).</summary>
    public const int AnySource = -1;

    /// <summary>
    /// MPI_Send of <paramref name="values"/> to rank <paramref name="destination"/> with
    /// <paramref name="tag"/> (0 to 32767), within <see cref="WaitLimit"/>.
    /// </summary>
    public unsafe void Send(ReadOnlySpan<long> values, int destination, int tag)
    {
        MpiLoader.EnsureLoaded();
        fixed (long* p = values)
        {
            MpiStatus.ThrowIfFailed(MpiInterop.SendInt64(p, values.Length, destination, tag), "interop_mpi_send_int64");
        }
    }

    /// <summary>
    /// MPI_Recv of exactly <paramref name="values"/>.Length values from rank <paramref name="source"/>
    /// (or <see cref="AnySource"/>) with <paramref name="tag"/>, within <see cref="WaitLimit"/>;
    /// returns the sender's rank.
    /// </summary>
    public unsafe int Receive(Span<long> values, int source, int tag)
    {
        MpiLoader.EnsureLoaded();
        int from;
        fixed (long* p = values)
        {
            MpiStatus.ThrowIfFailed(MpiInterop.RecvInt64(p, values.Length, source, tag, out from), "interop_mpi_recv_int64");
        }

        return from;
    }

    /// <summary>MPI_Bcast: <paramref name="buffer"/> on <paramref name="root"/> overwrites it on every other rank (same length everywhere).</summary>
    public unsafe void Broadcast<T>(Span<T> buffer, int root)
        where T : unmanaged
    {
        MpiLoader.EnsureLoaded();
        long bytes = ByteCount<T>(buffer.Length);
        fixed (T* p = buffer)
        {
            MpiStatus.ThrowIfFailed(MpiInterop.BcastBytes(p, bytes, root), "interop_mpi_bcast_bytes");
        }
    }

    /// <summary>
    /// MPI_Reduce of long or double elements: on <paramref name="root"/>, <paramref name="receive"/>
    /// (as long as <paramref name="send"/>) gets the element-wise <paramref name="op"/> over all
    /// ranks; elsewhere <paramref name="receive"/> is not touched and may be empty.
    /// </summary>
    public unsafe void Reduce<T>(ReadOnlySpan<T> send, Span<T> receive, MpiOp op, int root)
        where T : unmanaged
    {
        MpiLoader.EnsureLoaded();
        RequireReducible<T>();
        if (root == Rank && receive.Length != send.Length)
        {
            throw new ArgumentException($"the root's receive span holds {receive.Length} elements, send holds {send.Length}", nameof(receive));
        }

        fixed (T* s = send)
        fixed (T* r = receive)
        {
            int status = typeof(T) == typeof(long)
                ? MpiInterop.ReduceInt64((long*)s, (long*)r, send.Length, (int)op, root)
                : MpiInterop.ReduceDouble((double*)s, (double*)r, send.Length, (int)op, root);
            MpiStatus.ThrowIfFailed(status, typeof(T) == typeof(long) ? "interop_mpi_reduce_int64" : "interop_mpi_reduce_double");
        }
    }

    /// <summary>MPI_Allreduce of long or double elements: <paramref name="receive"/> (as long as <paramref name="send"/>) on every rank.</summary>
    public unsafe void Allreduce<T>(ReadOnlySpan<T> send, Span<T> receive, MpiOp op)
        where T : unmanaged
    {
        MpiLoader.EnsureLoaded();
        RequireReducible<T>();
        if (receive.Length != send.Length)
        {
            throw new ArgumentException($"receive holds {receive.Length} elements, send holds {send.Length}", nameof(receive));
        }

        fixed (T* s = send)
        fixed (T* r = receive)
        {
            int status = typeof(T) == typeof(long)
                ? MpiInterop.AllreduceInt64((long*)s, (long*)r, send.Length, (int)op)
                : MpiInterop.AllreduceDouble((double*)s, (double*)r, send.Length, (int)op);
            MpiStatus.ThrowIfFailed(status, typeof(T) == typeof(long) ? "interop_mpi_allreduce_int64" : "interop_mpi_allreduce_double");
        }
    }

    /// <summary>MPI_Reduce of one long or double: the result on <paramref name="root"/>, default(T) elsewhere.</summary>
    public T Reduce<T>(T value, MpiOp op, int root)
        where T : unmanaged
    {
        T result = default;
        Reduce(new ReadOnlySpan<T>(in value), new Span<T>(ref result), op, root);
        return result;
    }

    /// <summary>MPI_Allreduce of one long or double.</summary>
    public T Allreduce<T>(T value, MpiOp op)
        where T : unmanaged
    {
        T result = default;
        Allreduce(new ReadOnlySpan<T>(in value), new Span<T>(ref result), op);
        return result;
    }

    /// <summary>
    /// MPI_Gather of equal-sized blocks: every rank sends <paramref name="send"/> (the same length
    /// everywhere); on <paramref name="root"/>, <paramref name="receive"/> holds Size blocks, rank r's
    /// at element r * send.Length. Elsewhere <paramref name="receive"/> is not touched and may be empty.
    /// </summary>
    public unsafe void Gather<T>(ReadOnlySpan<T> send, Span<T> receive, int root)
        where T : unmanaged
    {
        MpiLoader.EnsureLoaded();
        long bytes = ByteCount<T>(send.Length);
        if (root == Rank && receive.Length != (long)send.Length * Size)
        {
            throw new ArgumentException($"the root's receive span holds {receive.Length} elements, not {send.Length} x {Size} ranks", nameof(receive));
        }

        fixed (T* s = send)
        fixed (T* r = receive)
        {
            MpiStatus.ThrowIfFailed(MpiInterop.GatherBytes(s, r, bytes, root), "interop_mpi_gather_bytes");
        }
    }

    /// <summary>MPI_Allgather: the layout of <see cref="Gather{T}"/>, on every rank.</summary>
    public unsafe void Allgather<T>(ReadOnlySpan<T> send, Span<T> receive)
        where T : unmanaged
    {
        MpiLoader.EnsureLoaded();
        long bytes = ByteCount<T>(send.Length);
        if (receive.Length != (long)send.Length * Size)
        {
            throw new ArgumentException($"receive holds {receive.Length} elements, not {send.Length} x {Size} ranks", nameof(receive));
        }

        fixed (T* s = send)
        fixed (T* r = receive)
        {
            MpiStatus.ThrowIfFailed(MpiInterop.AllgatherBytes(s, r, bytes), "interop_mpi_allgather_bytes");
        }
    }

    /// <summary>
    /// Starts an all-to-all of doubles whose send blocks are rows of a row-major matrix, sent from
    /// where they lie (MPI_Ialltoallw with one derived datatype per rank: no packing), and returns at
    /// once, so that the caller computes on its local blocks while the others travel; complete it with
    /// <see cref="AlltoallRequest.Wait"/> (bounded by <see cref="WaitLimit"/>). Every array holds one
    /// entry per rank, in doubles: rank s gets <paramref name="sendRows"/>[s] rows of
    /// <paramref name="sendWidths"/>[s] values, row k at <paramref name="send"/> + <paramref name="sendOffsets"/>[s]
    /// + k * <paramref name="sendStride"/>, and rank r's rows land one after another at
    /// <paramref name="receive"/> + <paramref name="receiveOffsets"/>[r], <paramref name="receiveCounts"/>[r]
    /// values (equal to r's rows times width for this rank, as in MPI). A block with no rows moves
    /// nothing (a rank's block to itself is cheaper copied by the caller). Rows, widths and counts must
    /// lie in [0, int.MaxValue] (MPI's int counts), offsets and the stride be non-negative: otherwise
    /// <see cref="MpiException"/> before MPI is entered. The arrays are copied (reusable at once). The
    /// buffers are the caller's, who keeps them alive, in place (native, or pinned) and not overlapping
    /// until Wait has returned. Collective: every rank starts it, in the same order as its other collectives.
    /// </summary>
    public unsafe AlltoallRequest AlltoallStart(
        double* send, long sendStride, ReadOnlySpan<long> sendRows, ReadOnlySpan<long> sendWidths, ReadOnlySpan<long> sendOffsets,
        double* receive, ReadOnlySpan<long> receiveCounts, ReadOnlySpan<long> receiveOffsets)
    {
        MpiLoader.EnsureLoaded();
        int size = Size;

        // The shim reads one entry per rank of each: a shorter array would be read past its end.
        RequirePerRank(sendRows, size, nameof(sendRows));
        RequirePerRank(sendWidths, size, nameof(sendWidths));
        RequirePerRank(sendOffsets, size, nameof(sendOffsets));
        RequirePerRank(receiveCounts, size, nameof(receiveCounts));
        RequirePerRank(receiveOffsets, size, nameof(receiveOffsets));
        nint request;
        fixed (long* sr = sendRows)
        fixed (long* sw = sendWidths)
        fixed (long* so = sendOffsets)
        fixed (long* rc = receiveCounts)
        fixed (long* ro = receiveOffsets)
        {
            MpiStatus.ThrowIfFailed(
                MpiInterop.AlltoallRowsDoubleStart(send, sendStride, sr, sw, so, receive, rc, ro, out request), "interop_mpi_alltoall_rows_double_start");
        }

        return new AlltoallRequest(request);
    }

    /// <summary>
    /// Every rank's <paramref name="send"/>, of any length, on every rank (rank r's at [r]): the lengths
    /// first, then one <see cref="Allgather{T}"/> of blocks padded to the longest, MPI_Allgather moving
    /// equal blocks.
    /// </summary>
    public T[][] AllgatherVariable<T>(ReadOnlySpan<T> send)
        where T : unmanaged
    {
        long[] lengths = new long[Size];
        Allgather<long>([send.Length], lengths);
        int block = checked((int)lengths.Max());
        T[] padded = new T[block];
        send.CopyTo(padded);
        T[] all = new T[(long)block * Size];
        Allgather<T>(padded, all);
        return [.. Enumerable.Range(0, Size).Select(r => all.AsSpan(r * block, (int)lengths[r]).ToArray())];
    }

    /// <summary>
    /// MPI_Abort: ends every process of the job, with <paramref name="code"/> as the launcher's exit
    /// status where the MPI implementation passes it on. For a failure on one rank that the others
    /// cannot know about; never returns (when MPI cannot abort, this process exits with the code).
    /// </summary>
    [DoesNotReturn]
    public void Abort(int code)
    {
        MpiLoader.EnsureLoaded();
        Console.Out.Flush();
        Console.Error.Flush();
        int status = MpiInterop.Abort(code);
        Console.Error.WriteLine($"MPI_Abort did not end the job ({MpiStatus.ErrorText(status)}); exiting with {code}");
        Environment.Exit(code == 0 ? 1 : code);
        throw new UnreachableException();
    }

    private static void RequirePerRank(ReadOnlySpan<long> values, int size, string name)
    {
        if (values.Length != size)
        {
            throw new ArgumentException($"{name} holds {values.Length} entries, not one per rank ({size})", name);
        }
    }

    private static long ByteCount<T>(int length)
        where T : unmanaged => (long)length * Unsafe.SizeOf<T>();

    private static void RequireReducible<T>()
        where T : unmanaged
    {
        if (typeof(T) != typeof(long) && typeof(T) != typeof(double))
        {
            throw new NotSupportedException($"MPI reductions are bound for long and double only, not {typeof(T).Name}");
        }
    }
}
