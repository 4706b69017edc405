using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static unsafe partial class MpiInterop
{
    // int32_t interop_mpi_alltoall_rows_double_start(const double *send, int64_t send_stride,
    //     const int64_t *send_rows, const int64_t *send_widths, const int64_t *send_offsets, double *recv,
    //     const int64_t *recv_counts, const int64_t *recv_offsets, interop_mpi_request **request)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_alltoall_rows_double_start")]
    internal static partial int AlltoallRowsDoubleStart(
        double* send, long sendStride, long* sendRows, long* sendWidths, long* sendOffsets, double* receive, long* receiveCounts, long* receiveOffsets, out nint request);
}
