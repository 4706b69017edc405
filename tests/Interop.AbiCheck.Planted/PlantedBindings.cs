using System.Runtime.InteropServices;

namespace Interop.AbiCheck.Planted;

/// <summary>
/// Two bindings that compile but do not match native/include/interop.h. Never called: the first
/// would hand the kernel an integer as its matrix pointer, the second would fail to resolve at run
/// time; the ABI check exists to catch both before anything runs.
/// </summary>
internal static partial class PlantedBindings
{
    // The header says int32_t interop_inv_c(int64_t n, double *a, int32_t threads): `a` is wrong here.
    [LibraryImport("interop_native", EntryPoint = "interop_inv_c")]
    internal static partial int InvC(long n, long a, int threads);

    // No header declares this symbol and the library does not export it.
    [LibraryImport("interop_native", EntryPoint = "interop_inv_gauss_jordan")]
    internal static unsafe partial int InvGaussJordan(long n, double* a, int threads);
}
