using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static unsafe partial class MpiInterop
{
    // int32_t interop_mpi_allreduce_int64(const int64_t *send, int64_t *recv, int64_t count, int32_t op)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_allreduce_int64")]
    internal static partial int AllreduceInt64(long* send, long* receive, long count, int op);

    // int32_t interop_mpi_allreduce_double(const double *send, double *recv, int64_t count, int32_t op)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_allreduce_double")]
    internal static partial int AllreduceDouble(double* send, double* receive, long count, int op);
}
