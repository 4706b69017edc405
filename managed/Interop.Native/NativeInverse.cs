using System.Text;
using Interop.Core;

namespace Interop.Native;

/// <summary>
/// Managed entry points over libinterop_native's LAPACK inversion and residuals (the table's kernels
/// are <see cref="NativeKernel"/>). The matrix span is passed as a pointer to the caller's (pinned)
/// memory: the kernels work in place, nothing is copied or marshalled.
/// </summary>
public static class NativeInverse
{
    private static readonly string[] ResidualArguments = ["n", "a", "x", "threads", "residual"];

    public static unsafe void InvertLapack(Span<double> a, int n, int threads, string backend)
    {
        fixed (double* p = Checked(a, n))
        {
            NativeStatus.ThrowIfInversionFailed(Interop.InvLapack(n, p, threads), "interop_inv_lapack", backend);
        }
    }

    /// <summary>The spec's scaled residual of <paramref name="x"/> as the inverse of <paramref name="a"/> (OpenBLAS dgemm).</summary>
    public static unsafe double Residual(ReadOnlySpan<double> a, ReadOnlySpan<double> x, int n, int threads)
    {
        CheckLength(a, n);
        CheckLength(x, n);
        NativeLoader.EnsureLoaded();
        fixed (double* pa = a)
        fixed (double* px = x)
        {
            int status = Interop.InvResidual(n, pa, px, threads, out double residual);
            NativeStatus.ThrowIfFailed(status, "interop_inv_residual", ResidualArguments);
            return residual;
        }
    }

    /// <summary>
    /// The same scaled residual with ||I - A X||_1 estimated by LAPACK's 1-norm estimator (dlacn2):
    /// a few products of I - A X or its transpose with a vector (two dgemv each, O(n²)) instead of the
    /// full product (2n³). A lower bound of the full residual, in practice equal to it or close.
    /// </summary>
    public static unsafe double ResidualEstimate(ReadOnlySpan<double> a, ReadOnlySpan<double> x, int n, int threads)
    {
        CheckLength(a, n);
        CheckLength(x, n);
        NativeLoader.EnsureLoaded();
        fixed (double* pa = a)
        fixed (double* px = x)
        {
            int status = Interop.InvResidualEstimate(n, pa, px, threads, out double residual, out _);
            NativeStatus.ThrowIfFailed(status, "interop_inv_residual_estimate", ResidualArguments);
            return residual;
        }
    }

    /// <summary>OpenBLAS's own description: "version=...;core=...;threading=...;max_threads=...".</summary>
    public static unsafe string OpenBlasInfo()
    {
        NativeLoader.EnsureLoaded();
        Span<byte> buffer = stackalloc byte[512];
        fixed (byte* p = buffer)
        {
            int length = Interop.OpenBlasInfo(p, buffer.Length);
            NativeStatus.ThrowIfFailed(length < 0 ? length : 0, "interop_openblas_info", "buffer", "capacity");
            return Encoding.UTF8.GetString(buffer[..Math.Min(length, buffer.Length - 1)]);
        }
    }

    /// <summary>The CPU type OpenBLAS chose for its kernels (its "core", e.g. Zen, Haswell, SkylakeX).</summary>
    public static string OpenBlasCore() =>
        OpenBlasInfo().Split(';').Select(part => part.Split('=', 2)).FirstOrDefault(kv => kv[0] == "core") is [_, string core]
            ? core
            : "unknown";

    private static Span<double> Checked(Span<double> a, int n)
    {
        CheckLength(a, n);
        NativeLoader.EnsureLoaded();
        return a;
    }

    internal static void CheckLength(ReadOnlySpan<double> a, int n)
    {
        if (n < 1 || a.Length != (long)n * n)
        {
            throw new ArgumentException($"expected an {n} x {n} matrix, got {a.Length} elements");
        }
    }
}
