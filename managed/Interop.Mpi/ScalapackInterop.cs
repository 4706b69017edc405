using System.Runtime.InteropServices;

namespace Interop.Mpi;

/// <summary>
/// [LibraryImport] bindings to libinterop_scalapack (native/include/interop_scalapack.h), resolved by
/// <see cref="ScalapackLoader"/>. Every collective call returns the same status on every rank.
/// </summary>
internal static unsafe partial class ScalapackInterop
{
    // int32_t interop_scalapack_abi_version(void)
    [LibraryImport(ScalapackLibraries.Library, EntryPoint = "interop_scalapack_abi_version")]
    internal static partial int AbiVersion();

    // int32_t interop_scalapack_grid_shape(int32_t ranks, int32_t *rows, int32_t *cols)
    [LibraryImport(ScalapackLibraries.Library, EntryPoint = "interop_scalapack_grid_shape")]
    internal static partial int GridShape(int ranks, out int rows, out int cols);

    // int32_t interop_scalapack_set_wait_limit(double seconds)
    [LibraryImport(ScalapackLibraries.Library, EntryPoint = "interop_scalapack_set_wait_limit")]
    internal static partial int SetWaitLimit(double seconds);

    // int32_t interop_scalapack_bound_mpi_calls(void)
    [LibraryImport(ScalapackLibraries.Library, EntryPoint = "interop_scalapack_bound_mpi_calls")]
    internal static partial int BoundMpiCalls();

    // int32_t interop_scalapack_create(int64_t n, int32_t grid_rows, int32_t grid_cols, int32_t block,
    //                                  int32_t threads, interop_scalapack_plan **plan)
    [LibraryImport(ScalapackLibraries.Library, EntryPoint = "interop_scalapack_create")]
    internal static partial int Create(long n, int gridRows, int gridCols, int block, int threads, out ScalapackPlanHandle plan);

    // int32_t interop_scalapack_layout(const interop_scalapack_plan *plan, int64_t *local_rows, int64_t *local_cols,
    //                                  int64_t *bytes_this_rank, int64_t *bytes_max_rank)
    [LibraryImport(ScalapackLibraries.Library, EntryPoint = "interop_scalapack_layout")]
    internal static partial int Layout(ScalapackPlanHandle plan, out long localRows, out long localCols, out long bytesThisRank, out long bytesMaxRank);

    // int32_t interop_scalapack_generate(interop_scalapack_plan *plan, uint64_t seed)
    [LibraryImport(ScalapackLibraries.Library, EntryPoint = "interop_scalapack_generate")]
    internal static partial int Generate(ScalapackPlanHandle plan, ulong seed);

    // int32_t interop_scalapack_scatter(interop_scalapack_plan *plan, const double *a)
    [LibraryImport(ScalapackLibraries.Library, EntryPoint = "interop_scalapack_scatter")]
    internal static partial int Scatter(ScalapackPlanHandle plan, double* a);

    // int32_t interop_scalapack_invert(interop_scalapack_plan *plan, double *seconds)
    [LibraryImport(ScalapackLibraries.Library, EntryPoint = "interop_scalapack_invert")]
    internal static partial int Invert(ScalapackPlanHandle plan, out double seconds);

    // int32_t interop_scalapack_residual(interop_scalapack_plan *plan, double *residual)
    [LibraryImport(ScalapackLibraries.Library, EntryPoint = "interop_scalapack_residual")]
    internal static partial int Residual(ScalapackPlanHandle plan, out double residual);

    // int32_t interop_scalapack_gather(interop_scalapack_plan *plan, double *x)
    [LibraryImport(ScalapackLibraries.Library, EntryPoint = "interop_scalapack_gather")]
    internal static partial int Gather(ScalapackPlanHandle plan, double* x);

    // int32_t interop_scalapack_destroy(interop_scalapack_plan *plan)
    [LibraryImport(ScalapackLibraries.Library, EntryPoint = "interop_scalapack_destroy")]
    internal static partial int Destroy(IntPtr plan);
}
