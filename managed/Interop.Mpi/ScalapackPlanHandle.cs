using Microsoft.Win32.SafeHandles;

namespace Interop.Mpi;

/// <summary>
/// An interop_scalapack_plan (its BLACS grids and local buffers). Dispose it deterministically, on
/// the thread that calls MPI, before MPI is finalized: freeing the grids frees MPI communicators
/// (blacs_gridexit). <see cref="ScalapackInverse.Run"/> does.
/// </summary>
internal sealed class ScalapackPlanHandle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    protected override bool ReleaseHandle() => ScalapackInterop.Destroy(handle) == 0;
}
