using Interop.Core;
using Interop.Mpi;
using Interop.Native;

namespace Interop.Backends;

/// <summary>
/// Adapter for native/scalapack (libinterop_scalapack): pdgetrf + pdgetri on a BLACS grid of every
/// rank of the MPI job, the matrix in 2-D block-cyclic blocks (<see cref="ScalapackInverse"/>).
/// </summary>
public sealed class ScalapackBackend : IDistributedInvBackend
{
    public string Name => ScalapackInverse.Backend;

    public string Description => "ScaLAPACK pdgetrf + pdgetri over the MPI ranks (BLACS grid, block-cyclic), OpenBLAS in each rank";

    public string Language => "ScaLAPACK";

    public int Order => 7;

    public bool IsParallel => true;

    public void EnsureAvailable() => ScalapackLoader.EnsureLoaded();

    /// <summary>OpenBLAS's path, as for lapack: ScaLAPACK's local work is OpenBLAS's.</summary>
    public Isa InvIsa => NativeIsa.OpenBlasPath(NativeInverse.OpenBlasCore());

    public DistributedInversion Invert(DistributedInvRequest request)
    {
        ScalapackResult result = ScalapackInverse.Run(new ScalapackRequest
        {
            N = request.N,
            Seed = request.Seed,
            GridRows = request.Grid.Rows,
            GridCols = request.Grid.Cols,
            BlockSize = request.BlockSize > 0 ? request.BlockSize : ScalapackInverse.DefaultBlockSize,
            Threads = request.Threads,
            FromInput = request.FromInput,
            InputOnRoot = request.InputOnRoot,
            WantOutput = request.WantInverse,
            Runs = request.Runs,
            Enough = request.Enough,
            CheckResidual = true,
        });
        return new DistributedInversion(result.RunSeconds, result.Residual, result.GridRows, result.GridCols, result.BlockSize, result.BytesPerRank, result.Inverse);
    }
}
