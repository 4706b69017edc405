using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static partial class MpiInterop
{
    // int32_t interop_mpi_counter_compare_exchange(interop_mpi_counter *counter, int64_t *expected, int64_t desired, int32_t *swapped)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_counter_compare_exchange")]
    internal static partial int CounterCompareExchange(nint counter, ref long expected, long desired, out int swapped);
}
