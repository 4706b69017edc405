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

        double* acc = stackalloc double[MR * NR];
        c00.Store(acc); c10.Store(acc + 8);
        c01.Store(acc + 16); c11.Store(acc + 24);
        c02.Store(acc + 32); c12.Store(acc + 40);
        c03.Store(acc + 48); c13.Store(acc + 56);
        c04.Store(acc + 64); c14.Store(acc + 72);
        c05.Store(acc + 80); c15.Store(acc + 88);
        Subtract(acc, c, ldc, mr, nr);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Run256(int kc, double* ap, double* bp, double* c, int ldc, int mr, int nr)
    {
        // 16 rows = four Vector256 per column; the six columns are done in two passes of three so
        // that twelve accumulators fit the sixteen AVX2 registers.
        double* acc = stackalloc double[MR * NR];
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

            double* col = acc + (j0 * MR);
            c00.Store(col); c10.Store(col + 4); c20.Store(col + 8); c30.Store(col + 12);
            c01.Store(col + 16); c11.Store(col + 20); c21.Store(col + 24); c31.Store(col + 28);
            c02.Store(col + 32); c12.Store(col + 36); c22.Store(col + 40); c32.Store(col + 44);
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
