using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Interop.Core;

namespace Interop.Backends.Inversion;

/// <summary>
/// Dense matrix inversion in C#: the same algorithm as native/src/lu_inverse_c.c, so that the
/// comparison is about language and runtime. The row-major buffer is factored as stored, read
/// column-major (Aᵀ; the inverse read back row-major is inv(A)):
/// 1. blocked right-looking LU with partial pivoting, P M = L U (panel, triangular solve, GEMM);
/// 2. Y = inv(L) by the blocked solve L Y = I, skipping the zero upper triangle of Y;
/// 3. Z = inv(U) Y by the blocked solve U Z = Y (both solves' updates are GEMMs);
/// 4. inv(M) = Z P replaces M: 2n³ flops in all, as dgetrf + dgetri. Work runs on a team of
/// dedicated threads with barriers between phases.
/// </summary>
public static unsafe class ManagedInverse
{
    private const int NB = 128;

    public static void Invert(Span<double> a, int n, int threads, string backendName)
    {
        if (n < 1 || a.Length != (long)n * n)
        {
            throw new ArgumentException($"expected an {n} x {n} matrix, got {a.Length} elements");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        double threshold = SingularMatrixException.PivotThreshold(n, SpecMatrix.MaxAbs(a));
        if (double.IsNaN(threshold))
        {
            threshold = double.MaxValue;
        }

        long[] pivots = new long[n];
        int[] perm = new int[n];
        double[] x = GC.AllocateUninitializedArray<double>(n * n, pinned: true);
        (int packA, int packB) = Gemm.PackLengths(n);
        int failedStep = 0;
        fixed (double* pm = a)
        fixed (double* px = x)
        {
            nint mAddress = (nint)pm, xAddress = (nint)px;
            WorkerTeam.Run(threads, (team, w) =>
            {
                double* m = (double*)mAddress;
                double* xm = (double*)xAddress;
                double* apack = (double*)NativeMemory.AlignedAlloc((nuint)(packA * sizeof(double)), 64);
                double* bpack = (double*)NativeMemory.AlignedAlloc((nuint)(packB * sizeof(double)), 64);
                try
                {
                    // 1. P M = L U.
                    for (int k0 = 0; k0 < n; k0 += NB)
                    {
                        int kb = Math.Min(NB, n - k0);
                        if (w == 0)
                        {
                            failedStep = PanelLu(n, m, k0, kb, pivots, threshold);
                        }

                        team.Sync();
                        if (failedStep != 0)
                        {
                            return;
                        }

                        // The panel's row interchanges, applied to every other column (LAPACK's dlaswp).
                        (int s0, int s1) = team.Share(n, 1, w);
                        for (int c = s0; c < s1; c++)
                        {
                            if (c < k0 || c >= k0 + kb)
                            {
                                SwapRowsInColumn(m + ((long)c * n), pivots, k0, kb);
                            }
                        }

                        team.Sync(); // the solve below takes columns by another split
                        int rest = n - k0 - kb;
                        (int c0, int c1) = team.Share(rest, 1, w);
                        for (int c = c0; c < c1; c++)
                        {
                            SolveUnitLowerColumn(n, m, k0, kb, m + ((long)(k0 + kb + c) * n));
                        }

                        team.Sync();
                        Gemm.Update(rest, rest, kb, m + k0 + kb + ((long)k0 * n), n, m + k0 + ((long)(k0 + kb) * n), n,
                            m + k0 + kb + ((long)(k0 + kb) * n), n, team, w, apack, bpack);
                        team.Sync();
                    }

                    // 2. Y = inv(L): L Y = I by blocks of rows. Y is unit lower triangular, so row
                    // block k0 has nonzeros only in columns < k0 + kb: the solves and the GEMM skip
                    // the zero columns (n³/3 flops instead of n³ for a dense right-hand side).
                    (int x0, int x1) = team.Share(n, 1, w);
                    for (int c = x0; c < x1; c++)
                    {
                        new Span<double>(xm + ((long)c * n), n).Clear();
                        xm[c + ((long)c * n)] = 1;
                    }

                    team.Sync();
                    for (int k0 = 0; k0 < n; k0 += NB)
                    {
                        int kb = Math.Min(NB, n - k0);
                        (int f0, int f1) = team.Share(k0 + kb, 1, w);
                        for (int c = f0; c < f1; c++)
                        {
                            SolveUnitLowerColumn(n, m, k0, kb, xm + ((long)c * n));
                        }

                        team.Sync();
                        Gemm.Update(n - k0 - kb, k0 + kb, kb, m + k0 + kb + ((long)k0 * n), n, xm + k0, n, xm + k0 + kb, n, team, w, apack, bpack);
                        team.Sync();
                    }

                    // 3. Z = inv(U) Y: U Z = Y, backward by blocks of rows.
                    for (int k0 = (n - 1) / NB * NB; k0 >= 0; k0 -= NB)
                    {
                        int kb = Math.Min(NB, n - k0);
                        for (int c = x0; c < x1; c++)
                        {
                            SolveUpperColumn(n, m, k0, kb, xm + ((long)c * n));
                        }

                        team.Sync();
                        Gemm.Update(k0, n, kb, m + ((long)k0 * n), n, xm + k0, n, xm, n, team, w, apack, bpack);
                        team.Sync();
                    }

                    // 4. inv(M) = Z P replaces M. Row i of P is row perm[i] of the identity, so
                    // column i of Z is column perm[i] of the inverse: a column copy, no swaps.
                    if (w == 0)
                    {
                        for (int i = 0; i < n; i++)
                        {
                            perm[i] = i;
                        }

                        for (int j = 0; j < n; j++)
                        {
                            (perm[j], perm[pivots[j]]) = (perm[pivots[j]], perm[j]);
                        }
                    }

                    team.Sync();
                    for (int c = x0; c < x1; c++)
                    {
                        new Span<double>(xm + ((long)c * n), n).CopyTo(new Span<double>(m + ((long)perm[c] * n), n));
                    }
                }
                finally
                {
                    NativeMemory.AlignedFree(apack);
                    NativeMemory.AlignedFree(bpack);
                }
            });
        }

        if (failedStep != 0)
        {
            throw new SingularMatrixException(failedStep, backendName);
        }
    }

    /// <summary>
    /// The spec's scaled residual ||I - A X||_1 / (n eps ||A||_1 ||X||_1) with this GEMM;
    /// NaN or Inf anywhere gives +Inf.
    /// </summary>
    public static double Residual(ReadOnlySpan<double> a, ReadOnlySpan<double> x, int n, int threads)
    {
        // Row-major A and X are Aᵀ and Xᵀ column-major: R = I - Xᵀ Aᵀ = (I - A X)ᵀ, whose largest
        // row sum is ||I - A X||_1.
        double[] r = GC.AllocateUninitializedArray<double>(n * n, pinned: true);
        Array.Clear(r);
        for (int i = 0; i < n; i++)
        {
            r[i + ((long)i * n)] = 1;
        }

        (int packA, int packB) = Gemm.PackLengths(n);
        fixed (double* pa = a)
        fixed (double* px = x)
        fixed (double* pr = r)
        {
            nint aAddress = (nint)pa, xAddress = (nint)px, rAddress = (nint)pr;
            WorkerTeam.Run(threads, (team, w) =>
            {
                double* apack = (double*)NativeMemory.AlignedAlloc((nuint)(packA * sizeof(double)), 64);
                double* bpack = (double*)NativeMemory.AlignedAlloc((nuint)(packB * sizeof(double)), 64);
                try
                {
                    Gemm.Update(n, n, n, (double*)xAddress, n, (double*)aAddress, n, (double*)rAddress, n, team, w, apack, bpack);
                }
                finally
                {
                    NativeMemory.AlignedFree(apack);
                    NativeMemory.AlignedFree(bpack);
                }
            });
        }

        double normR = MaxRowSumColumnMajor(r, n);
        double normA = MaxColumnSumRowMajor(a, n);
        double normX = MaxColumnSumRowMajor(x, n);
        double result = normR / (n * Math.Pow(2, -52) * normA * normX);
        return double.IsFinite(result) && normA > 0 && normX > 0 ? result : double.PositiveInfinity;
    }

    // Unblocked LU with partial pivoting of columns k0..k0+kb-1 (whole rows swapped); 0 or the failing 1-based step.
    private static int PanelLu(int n, double* m, int k0, int kb, long[] pivots, double threshold)
    {
        for (int j = k0; j < k0 + kb; j++)
        {
            double* column = m + ((long)j * n);
            int p = j;
            double best = Math.Abs(column[j]);
            for (int i = j + 1; i < n; i++)
            {
                if (Math.Abs(column[i]) > best)
                {
                    best = Math.Abs(column[i]);
                    p = i;
                }
            }

            if (!(best > threshold))
            {
                return j + 1;
            }

            pivots[j] = p;
            SwapRowsInPanel(n, m, j, p, k0, kb);
            double inverse = 1.0 / column[j];
            for (int i = j + 1; i < n; i++)
            {
                column[i] *= inverse;
            }

            for (int c = j + 1; c < k0 + kb; c++)
            {
                double* target = m + ((long)c * n);
                Axpy(-target[j], column + j + 1, target + j + 1, n - j - 1);
            }
        }

        return 0;
    }

    // Inside the panel only; the other columns get the swaps from SwapRowsInColumn, in parallel.
    private static void SwapRowsInPanel(int n, double* m, int i, int p, int k0, int kb)
    {
        if (i == p)
        {
            return;
        }

        for (long c = k0; c < k0 + kb; c++)
        {
            (m[i + (c * n)], m[p + (c * n)]) = (m[p + (c * n)], m[i + (c * n)]);
        }
    }

    private static void SwapRowsInColumn(double* column, long[] pivots, int k0, int kb)
    {
        for (int j = k0; j < k0 + kb; j++)
        {
            (column[j], column[pivots[j]]) = (column[pivots[j]], column[j]);
        }
    }

    private static void SolveUnitLowerColumn(int n, double* l, int k0, int kb, double* x)
    {
        for (int k = k0; k < k0 + kb; k++)
        {
            Axpy(-x[k], l + k + 1 + ((long)k * n), x + k + 1, k0 + kb - k - 1);
        }
    }

    private static void SolveUpperColumn(int n, double* u, int k0, int kb, double* x)
    {
        for (int k = k0 + kb - 1; k >= k0; k--)
        {
            double* uk = u + ((long)k * n);
            x[k] /= uk[k];
            Axpy(-x[k], uk + k0, x + k0, k - k0);
        }
    }

    // y += alpha * x, vectorized.
    private static void Axpy(double alpha, double* x, double* y, int count)
    {
        var xs = new ReadOnlySpan<double>(x, count);
        var ys = new Span<double>(y, count);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<double> va = Vector256.Create(alpha);
            for (; i + 4 <= count; i += 4)
            {
                Vector256.FusedMultiplyAdd(va, Vector256.Load(x + i), Vector256.Load(y + i)).Store(y + i);
            }
        }

        for (; i < count; i++)
        {
            ys[i] += alpha * xs[i];
        }
    }

    private static double MaxRowSumColumnMajor(double[] r, int n)
    {
        double[] sums = new double[n];
        for (long c = 0; c < n; c++)
        {
            for (int i = 0; i < n; i++)
            {
                sums[i] += Math.Abs(r[i + (c * n)]);
            }
        }

        return MaxOrNaN(sums);
    }

    private static double MaxColumnSumRowMajor(ReadOnlySpan<double> m, int n)
    {
        double[] sums = new double[n];
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> row = m.Slice(i * n, n);
            for (int j = 0; j < n; j++)
            {
                sums[j] += Math.Abs(row[j]);
            }
        }

        return MaxOrNaN(sums);
    }

    private static double MaxOrNaN(double[] values)
    {
        double max = 0;
        foreach (double v in values)
        {
            if (double.IsNaN(v))
            {
                return double.NaN;
            }

            max = Math.Max(max, v);
        }

        return max;
    }
}
