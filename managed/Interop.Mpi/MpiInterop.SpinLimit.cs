using System.Runtime.InteropServices;

namespace Interop.Mpi;

internal static partial class MpiInterop
{
    // int32_t interop_mpi_set_spin_limit(double seconds)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_set_spin_limit")]
    internal static partial int SetSpinLimit(double seconds);

    // int32_t interop_mpi_spin_limit(double *seconds)
    [LibraryImport(MpiLibraries.Shim, EntryPoint = "interop_mpi_spin_limit")]
    internal static partial int SpinLimit(out double seconds);
}
