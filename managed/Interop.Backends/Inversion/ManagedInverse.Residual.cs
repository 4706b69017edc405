using Interop.Core;

namespace Interop.Backends.Inversion;

/// <summary>Verification, apart from the kernel: the spec's scaled residual with the managed GEMM.</summary>
public static unsafe partial class ManagedInverse
{
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

        fixed (double* pa = a)
        fixed (double* px = x)
        fixed (double* pr = r)
        {
            var av = new ColumnMajor(pa, n);
            var xv = new ColumnMajor(px, n);
            var rv = new ColumnMajor(pr, n);
            switch (ManagedIsa.Active)
            {
                case Isa.Avx512:
                    SubtractProduct<Avx512Path>(n, xv, av, rv, threads);
                    break;
                case Isa.Avx2:
                    SubtractProduct<Avx2Path>(n, xv, av, rv, threads);
                    break;
                default:
                    SubtractProduct<ScalarPath>(n, xv, av, rv, threads);
                    break;
            }
        }

        double normR = MaxRowSumColumnMajor(r, n);
        double normA = MaxColumnSumRowMajor(a, n);
        double normX = MaxColumnSumRowMajor(x, n);
        double result = normR / (n * Math.Pow(2, -52) * normA * normX);
        return double.IsFinite(result) && normA > 0 && normX > 0 ? result : double.PositiveInfinity;
    }

    // C -= A B, all n x n, the columns of C split over the team.
    private static void SubtractProduct<TPath>(int n, ColumnMajor a, ColumnMajor b, ColumnMajor c, int threads)
        where TPath : struct, IKernelPath
    {
        WorkerTeam.Run(threads, (team, w) =>
        {
            using PackBuffers pack = PackBuffers.For<TPath>(n);
            Gemm<TPath>.Update(n, n, n, a, b, c, team, w, pack);
        });
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
