namespace Interop.Mpi;

/// <summary>
/// MPI's lifetime in this process: <see cref="Initialize"/> loads libinterop_mpi and initializes
/// MPI once; <see cref="Dispose"/> finalizes it, but only if this object initialized it (MPI that
/// something else initialized is left to its owner). MPI cannot be initialized again after it was
/// finalized. Decide with <see cref="MpiLaunch"/> whether to call this at all.
/// </summary>
/// <example><code>
/// using var mpi = MpiEnvironment.Initialize(ThreadLevel.Funneled);
/// var world = Communicator.World;
/// long total = world.Allreduce(local, MpiOp.Sum);
/// </code></example>
public sealed class MpiEnvironment : IDisposable
{
    private static readonly Lock Gate = new();
    private static MpiEnvironment? current;
    private string? processorName;
    private bool disposed;

    private MpiEnvironment(ThreadLevel requested, ThreadLevel provided, bool ownsFinalize)
    {
        RequestedThreadLevel = requested;
        ProvidedThreadLevel = provided;
        OwnsFinalize = ownsFinalize;
    }

    /// <summary>The thread level asked for.</summary>
    public ThreadLevel RequestedThreadLevel { get; }

    /// <summary>
    /// The thread level MPI granted, which may be below <see cref="RequestedThreadLevel"/>. With
    /// Single or Funneled, only the thread that called <see cref="Initialize"/> may call MPI.
    /// </summary>
    public ThreadLevel ProvidedThreadLevel { get; }

    /// <summary>True when this object initialized MPI, and so finalizes it on <see cref="Dispose"/>.</summary>
    public bool OwnsFinalize { get; }

    /// <summary>The world communicator.</summary>
    public Communicator World => Communicator.World;

    /// <summary>MPI_Get_processor_name: the name of the node this rank runs on.</summary>
    public unsafe string ProcessorName
    {
        get
        {
            ThrowIfDisposed();
            return processorName ??= MpiStatus.ReadText(&MpiInterop.ProcessorName, "interop_mpi_processor_name");
        }
    }

    /// <summary>MPI_Get_library_version: the MPI library's own description, on one line.</summary>
    public string LibraryVersion => GetLibraryVersion();

    /// <summary>MPI_Wtime: seconds since an arbitrary point in the past (not synchronized across nodes).</summary>
    public double Wtime
    {
        get
        {
            MpiStatus.ThrowIfFailed(MpiInterop.Wtime(out double seconds), "interop_mpi_wtime");
            return seconds;
        }
    }

    /// <summary>MPI_Wtick: the resolution of <see cref="Wtime"/> in seconds.</summary>
    public double Wtick
    {
        get
        {
            MpiStatus.ThrowIfFailed(MpiInterop.Wtick(out double seconds), "interop_mpi_wtick");
            return seconds;
        }
    }

    /// <summary>Whether MPI is initialized now (loads libinterop_mpi).</summary>
    public static bool IsInitialized
    {
        get
        {
            MpiLoader.EnsureLoaded();
            MpiStatus.ThrowIfFailed(MpiInterop.Initialized(out int flag), "interop_mpi_initialized");
            return flag != 0;
        }
    }

    /// <summary>Whether MPI has been finalized (loads libinterop_mpi).</summary>
    public static bool IsFinalized
    {
        get
        {
            MpiLoader.EnsureLoaded();
            MpiStatus.ThrowIfFailed(MpiInterop.Finalized(out int flag), "interop_mpi_finalized");
            return flag != 0;
        }
    }

    /// <summary>
    /// Initializes MPI with the <paramref name="requested"/> thread level. When MPI is already
    /// initialized by other code the result does not own it (<see cref="OwnsFinalize"/> is false).
    /// Throws <see cref="InvalidOperationException"/> while another MpiEnvironment is alive or after
    /// MPI was finalized, <see cref="Core.BackendUnavailableException"/> when the shim cannot be
    /// loaded, and <see cref="MpiException"/> when MPI_Init_thread fails.
    /// </summary>
    public static MpiEnvironment Initialize(ThreadLevel requested = ThreadLevel.Funneled)
    {
        if (!Enum.IsDefined(requested))
        {
            throw new ArgumentOutOfRangeException(nameof(requested), requested, "not an MPI thread level");
        }

        lock (Gate)
        {
            if (current is not null)
            {
                throw new InvalidOperationException("MPI is already initialized by this process's MpiEnvironment");
            }

            if (IsFinalized)
            {
                throw new InvalidOperationException("MPI was finalized and cannot be initialized again");
            }

            MpiEnvironment environment;
            if (IsInitialized)
            {
                MpiStatus.ThrowIfFailed(MpiInterop.QueryThread(out int level), "interop_mpi_query_thread");
                environment = new MpiEnvironment(requested, (ThreadLevel)level, ownsFinalize: false);
            }
            else
            {
                MpiStatus.ThrowIfFailed(MpiInterop.Init((int)requested, out int provided), "interop_mpi_init");
                environment = new MpiEnvironment(requested, (ThreadLevel)provided, ownsFinalize: true);
            }

            current = environment;
            return environment;
        }
    }

    /// <summary>MPI_Get_library_version; callable before initialization (loads libinterop_mpi).</summary>
    public static unsafe string GetLibraryVersion()
    {
        MpiLoader.EnsureLoaded();
        return MpiStatus.ReadText(&MpiInterop.LibraryVersion, "interop_mpi_library_version");
    }

    /// <summary>Finalizes MPI if this object initialized it. Every rank must call it (MPI_Finalize is collective).</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            current = null;
            if (OwnsFinalize && !IsFinalized)
            {
                MpiStatus.ThrowIfFailed(MpiInterop.Finalize(), "interop_mpi_finalize");
            }
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);
}
