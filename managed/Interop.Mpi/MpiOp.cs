namespace Interop.Mpi;

/// <summary>Reduction operations (INTEROP_MPI_OP_* in interop_mpi.h).</summary>
public enum MpiOp
{
    /// <summary>MPI_SUM.</summary>
    Sum = 0,

    /// <summary>MPI_MIN.</summary>
    Min = 1,

    /// <summary>MPI_MAX.</summary>
    Max = 2,
}
