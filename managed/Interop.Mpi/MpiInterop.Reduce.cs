using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static unsafe partial class MpiInterop
{
    // int32_t interop_mpi_reduce_int64(const int64_t *send, int64_t *recv, int64_t count, int32_t op, int32_t root)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_reduce_int64")]
    internal static partial int ReduceInt64(long* send, long* receive, long count, int op, int root);

    // int32_t interop_mpi_reduce_double(const double *send, double *recv, int64_t count, int32_t op, int32_t root)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_reduce_double")]
    internal static partial int ReduceDouble(double* send, double* receive, long count, int op, int root);
}
