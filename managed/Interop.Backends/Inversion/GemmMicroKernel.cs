using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Interop.Backends.Inversion;

/// <summary>
/// The register micro-kernel of the managed GEMM: C[MR x NR] -= Ap[MR x kc] * Bp[kc x NR], with Ap
/// and Bp packed (k-major slivers) and the 16 x 6 block of C held in vector registers for the
/// whole depth: 12 Vector512 FMAs per step where AVX-512 is there, Vector256 otherwise, and a
/// scalar loop as the last resort. Mirrors micro_kernel in native/src/lu_inverse_c.c.
/// </summary>
internal static unsafe class GemmMicroKernel
{
    public const int MR = 16;
    public const int NR = 6;

    public static string Path =>
        Vector512.IsHardwareAccelerated ? "Vector512" : Vector256.IsHardwareAccelerated ? "Vector256" : "scalar";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, double* ap, double* bp, double* c, int ldc, int mr, int nr)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Run512(kc, ap, bp, c, ldc, mr, nr);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Run256(kc, ap, bp, c, ldc, mr, nr);
        }
        else
        {
            RunScalar(kc, ap, bp, c, ldc, mr, nr);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Run512(int kc, double* ap, double* bp, double* c, int ldc, int mr, int nr)
    {
        Vector512<double> c00 = default, c01 = default, c02 = default, c03 = default, c04 = default, c05 = default;
        Vector512<double> c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        for (int k = 0; k < kc; k++, ap += MR, bp += NR)
        {
            Vector512<double> a0 = Vector512.Load(ap), a1 = Vector512.Load(ap + 8);
            Vector512<double> b = Vector512.Create(bp[0]);
            c00 = Vector512.FusedMultiplyAdd(a0, b, c00);
            c10 = Vector512.FusedMultiplyAdd(a1, b, c10);
            b = Vector512.Create(bp[1]);
            c01 = Vector512.FusedMultiplyAdd(a0, b, c01);
            c11 = Vector512.FusedMultiplyAdd(a1, b, c11);
            b = Vector512.Create(bp[2]);
            c02 = Vector512.FusedMultiplyAdd(a0, b, c02);
            c12 = Vector512.FusedMultiplyAdd(a1, b, c12);
            b = Vector512.Create(bp[3]);
            c03 = Vector512.FusedMultiplyAdd(a0, b, c03);
            c13 = Vector512.FusedMultiplyAdd(a1, b, c13);
            b = Vector512.Create(bp[4]);
            c04 = Vector512.FusedMultiplyAdd(a0, b, c04);
            c14 = Vector512.FusedMultiplyAdd(a1, b, c14);
            b = Vector512.Create(bp[5]);
            c05 = Vector512.FusedMultiplyAdd(a0, b, c05);
            c15 = Vector512.FusedMultiplyAdd(a1, b, c15);
        }

        if (mr == MR && nr == NR)
        {
            // A whole tile: subtract straight from the accumulators into C.
            Update(c, c00, c10);
            Update(c + ldc, c01, c11);
            Update(c + (2L * ldc), c02, c12);
            Update(c + (3L * ldc), c03, c13);
            Update(c + (4L * ldc), c04, c14);
            Update(c + (5L * ldc), c05, c15);
            return;
        }

        // An edge tile: through a buffer, of which only mr x nr is stored.
        PartialTile512(c, ldc, mr, nr, c00, c10, c01, c11, c02, c12, c03, c13, c04, c14, c05, c15);
    }

    private static void Update(double* column, Vector512<double> top, Vector512<double> bottom)
    {
        (Vector512.Load(column) - top).Store(column);
        (Vector512.Load(column + 8) - bottom).Store(column + 8);
    }

    // Kept out of Run512: a stackalloc there makes the JIT keep the accumulators in memory.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void PartialTile512(double* c, int ldc, int mr, int nr, params ReadOnlySpan<Vector512<double>> columns)
    {
        double* acc = stackalloc double[MR * NR];
        for (int i = 0; i < columns.Length; i++)
        {
            // columns alternate top (rows 0-7) and bottom (rows 8-15) halves of each column.
            columns[i].Store(acc + ((i / 2) * MR) + ((i % 2) * 8));
        }

        Subtract(acc, c, ldc, mr, nr);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Run256(int kc, double* ap, double* bp, double* c, int ldc, int mr, int nr)
    {
        // 16 rows = four Vector256 per column; the six columns are done in two passes of three so
        // that twelve accumulators fit the sixteen AVX2 registers.
        for (int j0 = 0; j0 < NR; j0 += 3)
        {
            Vector256<double> c00 = default, c10 = default, c20 = default, c30 = default;
            Vector256<double> c01 = default, c11 = default, c21 = default, c31 = default;
            Vector256<double> c02 = default, c12 = default, c22 = default, c32 = default;
            double* a = ap;
            double* bk = bp + j0;
            for (int k = 0; k < kc; k++, a += MR, bk += NR)
            {
                Vector256<double> a0 = Vector256.Load(a), a1 = Vector256.Load(a + 4), a2 = Vector256.Load(a + 8), a3 = Vector256.Load(a + 12);
                Vector256<double> b = Vector256.Create(bk[0]);
                c00 = Vector256.FusedMultiplyAdd(a0, b, c00); c10 = Vector256.FusedMultiplyAdd(a1, b, c10);
                c20 = Vector256.FusedMultiplyAdd(a2, b, c20); c30 = Vector256.FusedMultiplyAdd(a3, b, c30);
                b = Vector256.Create(bk[1]);
                c01 = Vector256.FusedMultiplyAdd(a0, b, c01); c11 = Vector256.FusedMultiplyAdd(a1, b, c11);
                c21 = Vector256.FusedMultiplyAdd(a2, b, c21); c31 = Vector256.FusedMultiplyAdd(a3, b, c31);
                b = Vector256.Create(bk[2]);
                c02 = Vector256.FusedMultiplyAdd(a0, b, c02); c12 = Vector256.FusedMultiplyAdd(a1, b, c12);
                c22 = Vector256.FusedMultiplyAdd(a2, b, c22); c32 = Vector256.FusedMultiplyAdd(a3, b, c32);
            }

            Finish256(c + ((long)j0 * ldc), ldc, mr, Math.Min(3, nr - j0), c00, c10, c20, c30, c01, c11, c21, c31, c02, c12, c22, c32);
        }
    }

    // Subtracts three accumulated columns (four vectors each) from C, storing only mr x nr. Kept
    // out of Run256 so that its accumulators stay in registers.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Finish256(double* c, int ldc, int mr, int nr, params ReadOnlySpan<Vector256<double>> columns)
    {
        if (nr <= 0)
        {
            return;
        }

        double* acc = stackalloc double[MR * 3];
        for (int i = 0; i < columns.Length; i++)
        {
            columns[i].Store(acc + (i * 4));
        }

        Subtract(acc, c, ldc, mr, nr);
    }

    internal static void RunScalar(int kc, double* ap, double* bp, double* c, int ldc, int mr, int nr)
    {
        double* acc = stackalloc double[MR * NR];
        new Span<double>(acc, MR * NR).Clear();
        for (int k = 0; k < kc; k++, ap += MR, bp += NR)
        {
            for (int j = 0; j < NR; j++)
            {
                for (int i = 0; i < MR; i++)
                {
                    acc[(j * MR) + i] += ap[i] * bp[j];
                }
            }
        }

        Subtract(acc, c, ldc, mr, nr);
    }

    private static void Subtract(double* acc, double* c, int ldc, int mr, int nr)
    {
        for (int j = 0; j < nr; j++)
        {
            double* cj = c + ((long)j * ldc);
            double* aj = acc + (j * MR);
            for (int i = 0; i < mr; i++)
            {
                cj[i] -= aj[i];
            }
        }
    }
}
