using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Interop.Core;

namespace Interop.Backends.Inversion;

/// <summary>
/// One instruction-set path of the managed inversion: the register micro-kernel of the GEMM, its
/// tile shape and cache blocking, and the vector helpers. The blocked algorithm is generic over a
/// struct implementing this (<see cref="BlockedInverse{TPath}"/>, <see cref="Gemm{TPath}"/>), so the
/// JIT compiles one specialised copy per path with MR, NR, MC and KC as constants, and compiles a
/// path only when it is chosen: an AVX-512 copy is never built on a CPU without it.
/// </summary>
internal unsafe interface IKernelPath
{
    static abstract Isa Isa { get; }

    /// <summary>Rows of the micro-tile: the packed slivers of A are MR rows wide.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the micro-tile: the packed slivers of B are NR columns wide.</summary>
    static abstract int NR { get; }

    /// <summary>Rows of A packed at once: MC x KC doubles are meant to stay in L2.</summary>
    static abstract int MC { get; }

    /// <summary>Depth of a packed panel.</summary>
    static abstract int KC { get; }

    /// <summary>
    /// C[MR x NR] -= Ap[MR x kc] * Bp[kc x NR] for a whole tile of C (column-major, leading
    /// dimension <paramref name="ldc"/>), Ap and Bp packed k-major; edge tiles go through a buffer.
    /// </summary>
    static abstract void MicroKernel(int kc, double* ap, double* bp, double* c, long ldc);

    /// <summary>y += alpha x.</summary>
    static abstract void Axpy(double alpha, double* x, double* y, int count);

    /// <summary>x *= alpha.</summary>
    static abstract void Scale(double alpha, double* x, int count);
}

/// <summary>
/// x86-64-v4: 32 registers of 8 doubles. A 16 x 6 tile is 12 accumulators (2 A vectors by 6
/// broadcasts of B): 12 independent FMA chains cover the latency of two FMA ports, and 20 of the
/// 32 registers stay free, so the JIT never spills.
/// </summary>
internal readonly unsafe struct Avx512Path : IKernelPath
{
    public static Isa Isa => Isa.Avx512;

    public static int MR => 16;

    public static int NR => 6;

    public static int MC => 144;

    public static int KC => 256;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MicroKernel(int kc, double* ap, double* bp, double* c, long ldc)
    {
        Vector512<double> c00 = default, c01 = default, c02 = default, c03 = default, c04 = default, c05 = default;
        Vector512<double> c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        for (int k = 0; k < kc; k++, ap += 16, bp += 6)
        {
            Vector512<double> a0 = Vector512.Load(ap), a1 = Vector512.Load(ap + 8);
            Vector512<double> b = Vector512.Create(bp[0]);
            c00 = Avx512F.FusedMultiplyAdd(a0, b, c00);
            c10 = Avx512F.FusedMultiplyAdd(a1, b, c10);
            b = Vector512.Create(bp[1]);
            c01 = Avx512F.FusedMultiplyAdd(a0, b, c01);
            c11 = Avx512F.FusedMultiplyAdd(a1, b, c11);
            b = Vector512.Create(bp[2]);
            c02 = Avx512F.FusedMultiplyAdd(a0, b, c02);
            c12 = Avx512F.FusedMultiplyAdd(a1, b, c12);
            b = Vector512.Create(bp[3]);
            c03 = Avx512F.FusedMultiplyAdd(a0, b, c03);
            c13 = Avx512F.FusedMultiplyAdd(a1, b, c13);
            b = Vector512.Create(bp[4]);
            c04 = Avx512F.FusedMultiplyAdd(a0, b, c04);
            c14 = Avx512F.FusedMultiplyAdd(a1, b, c14);
            b = Vector512.Create(bp[5]);
            c05 = Avx512F.FusedMultiplyAdd(a0, b, c05);
            c15 = Avx512F.FusedMultiplyAdd(a1, b, c15);
        }

        Subtract(c, c00, c10);
        Subtract(c + ldc, c01, c11);
        Subtract(c + (2 * ldc), c02, c12);
        Subtract(c + (3 * ldc), c03, c13);
        Subtract(c + (4 * ldc), c04, c14);
        Subtract(c + (5 * ldc), c05, c15);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Axpy(double alpha, double* x, double* y, int count)
    {
        int i = 0;
        Vector512<double> a = Vector512.Create(alpha);
        for (; i + 8 <= count; i += 8)
        {
            Avx512F.FusedMultiplyAdd(a, Vector512.Load(x + i), Vector512.Load(y + i)).Store(y + i);
        }

        for (; i < count; i++)
        {
            y[i] += alpha * x[i];
        }
    }

    public static void Scale(double alpha, double* x, int count)
    {
        int i = 0;
        Vector512<double> a = Vector512.Create(alpha);
        for (; i + 8 <= count; i += 8)
        {
            (Vector512.Load(x + i) * a).Store(x + i);
        }

        for (; i < count; i++)
        {
            x[i] *= alpha;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Subtract(double* column, Vector512<double> top, Vector512<double> bottom)
    {
        (Vector512.Load(column) - top).Store(column);
        (Vector512.Load(column + 8) - bottom).Store(column + 8);
    }
}

/// <summary>
/// x86-64-v3: 16 registers of 4 doubles. An 8 x 6 tile is 12 accumulators + 2 A vectors + 1
/// broadcast = 15 registers, so the whole tile stays in registers over the depth (the former 16 x 6
/// in two passes needed 17 and reloaded A twice); 12 independent FMA chains cover the latency of
/// two FMA ports, and 8 loads per 12 FMAs fit the load ports.
/// </summary>
internal readonly unsafe struct Avx2Path : IKernelPath
{
    public static Isa Isa => Isa.Avx2;

    public static int MR => 8;

    public static int NR => 6;

    public static int MC => 192;

    public static int KC => 256;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MicroKernel(int kc, double* ap, double* bp, double* c, long ldc)
    {
        Vector256<double> c00 = default, c01 = default, c02 = default, c03 = default, c04 = default, c05 = default;
        Vector256<double> c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        for (int k = 0; k < kc; k++, ap += 8, bp += 6)
        {
            Vector256<double> a0 = Vector256.Load(ap), a1 = Vector256.Load(ap + 4);
            Vector256<double> b = Vector256.Create(bp[0]);
            c00 = Fma.MultiplyAdd(a0, b, c00);
            c10 = Fma.MultiplyAdd(a1, b, c10);
            b = Vector256.Create(bp[1]);
            c01 = Fma.MultiplyAdd(a0, b, c01);
            c11 = Fma.MultiplyAdd(a1, b, c11);
            b = Vector256.Create(bp[2]);
            c02 = Fma.MultiplyAdd(a0, b, c02);
            c12 = Fma.MultiplyAdd(a1, b, c12);
            b = Vector256.Create(bp[3]);
            c03 = Fma.MultiplyAdd(a0, b, c03);
            c13 = Fma.MultiplyAdd(a1, b, c13);
            b = Vector256.Create(bp[4]);
            c04 = Fma.MultiplyAdd(a0, b, c04);
            c14 = Fma.MultiplyAdd(a1, b, c14);
            b = Vector256.Create(bp[5]);
            c05 = Fma.MultiplyAdd(a0, b, c05);
            c15 = Fma.MultiplyAdd(a1, b, c15);
        }

        Subtract(c, c00, c10);
        Subtract(c + ldc, c01, c11);
        Subtract(c + (2 * ldc), c02, c12);
        Subtract(c + (3 * ldc), c03, c13);
        Subtract(c + (4 * ldc), c04, c14);
        Subtract(c + (5 * ldc), c05, c15);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Axpy(double alpha, double* x, double* y, int count)
    {
        int i = 0;
        Vector256<double> a = Vector256.Create(alpha);
        for (; i + 8 <= count; i += 8)
        {
            Fma.MultiplyAdd(a, Vector256.Load(x + i), Vector256.Load(y + i)).Store(y + i);
            Fma.MultiplyAdd(a, Vector256.Load(x + i + 4), Vector256.Load(y + i + 4)).Store(y + i + 4);
        }

        if (i + 4 <= count)
        {
            Fma.MultiplyAdd(a, Vector256.Load(x + i), Vector256.Load(y + i)).Store(y + i);
            i += 4;
        }

        for (; i < count; i++)
        {
            y[i] += alpha * x[i];
        }
    }

    public static void Scale(double alpha, double* x, int count)
    {
        int i = 0;
        Vector256<double> a = Vector256.Create(alpha);
        for (; i + 4 <= count; i += 4)
        {
            (Vector256.Load(x + i) * a).Store(x + i);
        }

        for (; i < count; i++)
        {
            x[i] *= alpha;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Subtract(double* column, Vector256<double> top, Vector256<double> bottom)
    {
        (Vector256.Load(column) - top).Store(column);
        (Vector256.Load(column + 4) - bottom).Store(column + 4);
    }
}

/// <summary>
/// The portable path: plain doubles, no vector types, so the JIT emits SSE2 scalar code that any
/// x86-64 runs. A 4 x 2 tile is 8 accumulators + 4 A values + 1 B value, within the 16 registers.
/// </summary>
internal readonly unsafe struct ScalarPath : IKernelPath
{
    public static Isa Isa => Isa.Scalar;

    public static int MR => 4;

    public static int NR => 2;

    public static int MC => 128;

    public static int KC => 256;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MicroKernel(int kc, double* ap, double* bp, double* c, long ldc)
    {
        double c00 = 0, c10 = 0, c20 = 0, c30 = 0, c01 = 0, c11 = 0, c21 = 0, c31 = 0;
        for (int k = 0; k < kc; k++, ap += 4, bp += 2)
        {
            double a0 = ap[0], a1 = ap[1], a2 = ap[2], a3 = ap[3];
            double b = bp[0];
            c00 += a0 * b;
            c10 += a1 * b;
            c20 += a2 * b;
            c30 += a3 * b;
            b = bp[1];
            c01 += a0 * b;
            c11 += a1 * b;
            c21 += a2 * b;
            c31 += a3 * b;
        }

        c[0] -= c00;
        c[1] -= c10;
        c[2] -= c20;
        c[3] -= c30;
        c += ldc;
        c[0] -= c01;
        c[1] -= c11;
        c[2] -= c21;
        c[3] -= c31;
    }

    public static void Axpy(double alpha, double* x, double* y, int count)
    {
        for (int i = 0; i < count; i++)
        {
            y[i] += alpha * x[i];
        }
    }

    public static void Scale(double alpha, double* x, int count)
    {
        for (int i = 0; i < count; i++)
        {
            x[i] *= alpha;
        }
    }
}
