namespace Interop.Mpi;

/// <summary>
/// An all-to-all started by <see cref="Communicator.AlltoallStart"/> (MPI_Ialltoallw) and not yet
/// completed: compute on the local blocks, optionally <see cref="Test"/> between pieces of work,
/// then <see cref="Wait"/>. The send and receive buffers belong to the caller, who keeps them alive
/// and in place (native memory, or managed memory pinned by the caller) and does not touch the
/// receive buffer until <see cref="Wait"/> has returned; after a <see cref="Wait"/> that threw
/// (a timeout: MPI may still write the receive buffer) for good, the job being aborted.
///
/// <see cref="Dispose"/> without <see cref="Wait"/> abandons the request on an error path: MPI
/// cannot free or cancel a pending collective, so every later collective of this process then
/// throws (the shim's STATE) and the job must end with <see cref="Communicator.Abort"/>. No
/// finalizer, for that reason: abandoning is a decision of the thread that talks to MPI, not of
/// the garbage collector.
/// </summary>
public sealed class AlltoallRequest : IDisposable
{
    private nint handle;

    internal AlltoallRequest(nint handle) => this.handle = handle;

    /// <summary>True once <see cref="Test"/> saw the exchange complete (<see cref="Wait"/> then returns at once).</summary>
    public bool IsCompleted { get; private set; }

    /// <summary>
    /// Completes the exchange within <see cref="Communicator.WaitLimit"/>, sleeping between polls, and
    /// releases the request (whatever happens: a second call throws ObjectDisposedException).
    /// </summary>
    /// <exception cref="MpiTimeoutException">Some rank did not join within the wait limit: abort the job.</exception>
    public void Wait()
    {
        nint request = Handle;
        handle = 0;
        MpiStatus.ThrowIfFailed(MpiInterop.RequestWait(request), "interop_mpi_request_wait");
        IsCompleted = true;
    }

    /// <summary>One MPI_Test, no waiting: true once the exchange has completed. <see cref="Wait"/> must still follow.</summary>
    public bool Test()
    {
        if (IsCompleted)
        {
            return true;
        }

        MpiStatus.ThrowIfFailed(MpiInterop.RequestTest(Handle, out int done), "interop_mpi_request_test");
        IsCompleted = done == 1;
        return IsCompleted;
    }

    /// <summary>
    /// Nothing after <see cref="Wait"/>; otherwise abandons the request (see the class): a completed one
    /// is simply freed, a pending one leaves this process able only to abort the job.
    /// </summary>
    public void Dispose()
    {
        nint request = handle;
        if (request == 0)
        {
            return;
        }

        handle = 0;
        MpiStatus.ThrowIfFailed(MpiInterop.RequestFree(request), "interop_mpi_request_free");
    }

    private nint Handle => handle != 0 ? handle : throw new ObjectDisposedException(nameof(AlltoallRequest), "the exchange was already waited for or abandoned");
}
