namespace Interop.Core;

/// <summary>
/// An inversion backend that runs on every rank of an MPI job at once (scalapack): the matrix is
/// distributed over the ranks, generated in place from the spec or scattered from rank 0, so no
/// rank needs to hold it whole. Every rank calls <see cref="Invert"/> with the same request; a
/// failure throws the same exception on every rank.
/// </summary>
public interface IDistributedInvBackend : IBackend
{
    /// <summary>The instruction-set path of the library doing the work (OpenBLAS's, under ScaLAPACK).</summary>
    Isa InvIsa { get; }

    DistributedInversion Invert(DistributedInvRequest request);
}

/// <summary>One distributed inversion, the same on every rank but <see cref="InputOnRoot"/>.</summary>
/// <param name="N">The matrix order.</param>
/// <param name="Seed">The spec's seed of the generated matrix (unused with <see cref="InputOnRoot"/>).</param>
/// <param name="Threads">Threads in each rank (ranks x threads).</param>
/// <param name="Runs">Inversions of the same matrix, each from a fresh copy, each timed.</param>
public sealed record DistributedInvRequest(int N, ulong Seed, int Threads, int Runs)
{
    /// <summary>Process rows and columns of the grid; 0 and 0: the backend's default for the ranks.</summary>
    public (int Rows, int Cols) Grid { get; init; }

    /// <summary>The distribution's block size; 0: the backend's default.</summary>
    public int BlockSize { get; init; }

    /// <summary>True on every rank when rank 0 holds the matrix (an --input file) instead of every rank generating its part.</summary>
    public bool FromInput { get; init; }

    /// <summary>With <see cref="FromInput"/>: the row-major n x n matrix on rank 0; null elsewhere.</summary>
    public double[]? InputOnRoot { get; init; }

    /// <summary>Whether rank 0 wants the inverse (gathered to it).</summary>
    public bool WantInverse { get; init; }

    /// <summary>
    /// After <see cref="Runs"/> runs, more runs while this returns false for the run times so far
    /// (null: none); the times are the slowest rank's, the same on every rank, so the ranks decide alike.
    /// </summary>
    public Func<IReadOnlyList<double>, bool>? Enough { get; init; }
}

/// <summary>What a distributed inversion did, the same on every rank but <see cref="Inverse"/>.</summary>
/// <param name="RunSeconds">Each run's time, the slowest rank's.</param>
/// <param name="Residual">The spec's scaled residual of the last inverse, computed in distributed form.</param>
/// <param name="GridRows">Process rows of the grid.</param>
/// <param name="GridCols">Process columns of the grid.</param>
/// <param name="BlockSize">The block size used.</param>
/// <param name="BytesPerRank">The most memory any rank allocated.</param>
/// <param name="Inverse">The row-major inverse on rank 0 when asked for; null elsewhere.</param>
public sealed record DistributedInversion(
    IReadOnlyList<double> RunSeconds, double Residual, int GridRows, int GridCols, int BlockSize, long BytesPerRank, double[]? Inverse);
