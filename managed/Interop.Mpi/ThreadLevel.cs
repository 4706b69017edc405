namespace Interop.Mpi;

/// <summary>MPI's thread support levels, in increasing order (INTEROP_MPI_THREAD_* in interop_mpi.h).</summary>
public enum ThreadLevel
{
    /// <summary>MPI_THREAD_SINGLE: only one thread exists.</summary>
    Single = 0,

    /// <summary>MPI_THREAD_FUNNELED: many threads, but only the one that initialized MPI calls it.</summary>
    Funneled = 1,

    /// <summary>MPI_THREAD_SERIALIZED: any thread calls MPI, never two at once.</summary>
    Serialized = 2,

    /// <summary>MPI_THREAD_MULTIPLE: any thread calls MPI at any time.</summary>
    Multiple = 3,
}
