using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static unsafe partial class MpiInterop
{
    // int32_t interop_mpi_alltoallv_double_start(const double *send, const int64_t *send_counts,
    //     const int64_t *send_offsets, double *recv, const int64_t *recv_counts,
    //     const int64_t *recv_offsets, interop_mpi_request **request)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_alltoallv_double_start")]
    internal static partial int AlltoallvDoubleStart(
        double* send, long* sendCounts, long* sendOffsets, double* receive, long* receiveCounts, long* receiveOffsets, out nint request);
}
