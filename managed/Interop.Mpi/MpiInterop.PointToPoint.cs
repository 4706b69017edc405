using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static unsafe partial class MpiInterop
{
    // int32_t interop_mpi_send_int64(const int64_t *values, int64_t count, int32_t dest, int32_t tag)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_send_int64")]
    internal static partial int SendInt64(long* values, long count, int dest, int tag);

    // int32_t interop_mpi_recv_int64(int64_t *values, int64_t count, int32_t source, int32_t tag, int32_t *from)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_recv_int64")]
    internal static partial int RecvInt64(long* values, long count, int source, int tag, out int from);
}
