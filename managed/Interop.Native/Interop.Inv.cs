namespace Interop.Native;

internal static partial class Interop
{
    // int32_t interop_inv_lapack(int64_t n, double *a, int32_t threads): dgetrf + dgetri from OpenBLAS
    [System.Runtime.InteropServices.LibraryImport(NativeLibraries.Kernels, EntryPoint = "interop_inv_lapack")]
    internal static unsafe partial int InvLapack(long n, double* a, int threads);

    // int32_t interop_inv_residual(int64_t n, const double *a, const double *x, int32_t threads, double *residual)
    [System.Runtime.InteropServices.LibraryImport(NativeLibraries.Kernels, EntryPoint = "interop_inv_residual")]
    internal static unsafe partial int InvResidual(long n, double* a, double* x, int threads, out double residual);

    // int32_t interop_inv_residual_estimate(int64_t n, const double *a, const double *x, int32_t threads, double *residual, int32_t *products)
    [System.Runtime.InteropServices.LibraryImport(NativeLibraries.Kernels, EntryPoint = "interop_inv_residual_estimate")]
    internal static unsafe partial int InvResidualEstimate(long n, double* a, double* x, int threads, out double residual, out int products);

    // int32_t interop_openblas_info(char *buffer, int32_t capacity)
    [System.Runtime.InteropServices.LibraryImport(NativeLibraries.Kernels, EntryPoint = "interop_openblas_info")]
    internal static unsafe partial int OpenBlasInfo(byte* buffer, int capacity);
}
