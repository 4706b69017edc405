namespace Interop.Mpi;

/// <summary>
/// An int64 counter that every rank of a one-node job shares (interop_mpi_counter: 8 bytes of an
/// MPI shared-memory window), taken with lock-free atomics by any thread of any rank, no message
/// and no rank's main thread in the way. <see cref="Open"/> and <see cref="Dispose"/> are
/// collective (on the thread that talks to MPI); <see cref="FetchAdd"/> and
/// <see cref="CompareExchange"/> are local and callable from any thread.
///
/// No finalizer: closing is collective, a barrier that a finalizer thread cannot enter. A rank
/// that fails ends the job instead (MPI_Abort) and leaves its counter to it (<see cref="Abandon"/>),
/// as closing would wait for ranks that never come.
/// </summary>
internal sealed class SharedCounter : IDisposable
{
    private nint handle;

    private SharedCounter(nint handle) => this.handle = handle;

    /// <summary>
    /// Collective: the counter, at 0, on every rank; or null on every rank when the ranks span
    /// several nodes, when some rank passed false for <paramref name="wantShared"/>, or when MPI could
    /// not make the window. Every wait is bounded by <see cref="Communicator.WaitLimit"/>.
    /// </summary>
    public static SharedCounter? Open(bool wantShared)
    {
        MpiLoader.EnsureLoaded();
        MpiStatus.ThrowIfFailed(MpiInterop.CounterOpen(wantShared ? 1 : 0, out int shared, out nint counter), "interop_mpi_counter_open");
        return shared == 1 ? new SharedCounter(counter) : null;
    }

    /// <summary>Adds <paramref name="add"/>; returns the value before.</summary>
    public long FetchAdd(long add)
    {
        MpiStatus.ThrowIfFailed(MpiInterop.CounterFetchAdd(Handle, add, out long old), "interop_mpi_counter_fetch_add");
        return old;
    }

    /// <summary>
    /// Sets the value to <paramref name="desired"/> if it is <paramref name="expected"/> (true);
    /// otherwise <paramref name="expected"/> receives the value (false).
    /// </summary>
    public bool CompareExchange(ref long expected, long desired)
    {
        MpiStatus.ThrowIfFailed(MpiInterop.CounterCompareExchange(Handle, ref expected, desired, out int swapped), "interop_mpi_counter_compare_exchange");
        return swapped == 1;
    }

    /// <summary>Gives the counter up without closing it: this rank failed and the job is ending.</summary>
    public void Abandon() => handle = 0;

    /// <summary>Collective: a bounded barrier, then the window and its node communicator are freed.</summary>
    public void Dispose()
    {
        nint counter = handle;
        if (counter == 0)
        {
            return;
        }

        handle = 0;
        MpiStatus.ThrowIfFailed(MpiInterop.CounterClose(counter), "interop_mpi_counter_close");
    }

    private nint Handle => handle != 0 ? handle : throw new ObjectDisposedException(nameof(SharedCounter));
}
