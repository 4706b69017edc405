using Interop.Backends;
using Interop.Backends.Inversion;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// The managed inversion on every instruction-set path this CPU has, forced one at a time: its GEMM
/// against a plain triple loop on shapes that cut every blocking edge of the path's tile, and whole
/// inversions of sizes around the path's MR, NR, MC, KC, the LU block and the recursion leaves.
/// </summary>
public sealed unsafe class InverseKernelPathTests
{
    private static IEnumerable<Isa> Paths() => IsaNames.Paths.Where(ManagedIsa.Supports);

    private static (int MR, int NR, int MC, int KC) Shape(Isa isa) => isa switch
    {
        Isa.Avx512 => (Avx512Path.MR, Avx512Path.NR, Avx512Path.MC, Avx512Path.KC),
        Isa.Avx2 => (Avx2Path.MR, Avx2Path.NR, Avx2Path.MC, Avx2Path.KC),
        _ => (ScalarPath.MR, ScalarPath.NR, ScalarPath.MC, ScalarPath.KC),
    };

    private static void SubtractProduct(Isa isa, int m, int n, int k, double* a, double* b, double* c, int ld)
    {
        var (av, bv, cv) = (new ColumnMajor(a, ld), new ColumnMajor(b, ld), new ColumnMajor(c, ld));
        switch (isa)
        {
            case Isa.Avx512:
                Run<Avx512Path>();
                break;
            case Isa.Avx2:
                Run<Avx2Path>();
                break;
            default:
                Run<ScalarPath>();
                break;
        }

        void Run<TPath>()
            where TPath : struct, IKernelPath
        {
            using PackBuffers pack = PackBuffers.For<TPath>(ld);
            Gemm<TPath>.Update(m, n, k, av, bv, cv, pack);
        }
    }

    [TestCase(Isa.Avx512)]
    [TestCase(Isa.Avx2)]
    [TestCase(Isa.Scalar)]
    public void EveryPathsBlockingFitsItsTile(Isa isa)
    {
        // Constants only, so every path is checked on any CPU: the LU's packed L21 is read in MC
        // blocks that must start on a sliver, and the LU block and the solve leaves must fit one
        // packed panel (Gemm.UpdatePacked, Gemm.Overwrite).
        (int mr, int nr, int mc, int kc) = Shape(isa);
        Assert.That(mc % mr, Is.Zero);
        Assert.That(BlockedInverse<ScalarPath>.NB, Is.LessThanOrEqualTo(kc));
        Assert.That(TriangularSolve<ScalarPath>.Leaf, Is.LessThanOrEqualTo(kc));
        Assert.That(nr, Is.Positive);
    }

    [TestCaseSource(nameof(Paths))]
    public void TheGemmMatchesATripleLoopOnEveryEdge(Isa isa)
    {
        (int mr, int nr, int mc, int kc) = Shape(isa);
        const int ld = 400;
        double[] a = [.. Enumerable.Range(0, ld * ld).Select(i => Math.Sin(i))];
        double[] b = [.. Enumerable.Range(0, ld * ld).Select(i => Math.Cos(i))];
        int[] ms = [1, mr - 1, mr + 1, mc - 1, mc + mr + 1];
        int[] ns = [1, nr - 1, nr + 1, (3 * nr) + 2];
        int[] ks = [1, 7, kc + 3];
        foreach (int m in ms.Where(v => v > 0))
        {
            foreach (int n in ns.Where(v => v > 0))
            {
                foreach (int k in ks)
                {
                    double[] c = [.. Enumerable.Range(0, ld * ld).Select(i => i % 7 * 0.5)];
                    double[] expected = (double[])c.Clone();
                    for (int j = 0; j < n; j++)
                    {
                        for (int p = 0; p < k; p++)
                        {
                            for (int i = 0; i < m; i++)
                            {
                                expected[i + (j * ld)] -= a[i + (p * ld)] * b[p + (j * ld)];
                            }
                        }
                    }

                    fixed (double* pa = a, pb = b, pc = c)
                    {
                        SubtractProduct(isa, m, n, k, pa, pb, pc, ld);
                    }

                    // Outside the m x n block nothing may change: edge tiles store only their part.
                    Assert.That(c, Is.EqualTo(expected).Within(1e-9), $"{IsaNames.Name(isa)}: m={m} n={n} k={k}");
                }
            }
        }
    }

    [TestCaseSource(nameof(Paths))]
    public void InversesPassTheResidualAroundEveryBlockSize(Isa isa)
    {
        (int mr, int nr, int mc, _) = Shape(isa);
        const int nb = BlockedInverse<ScalarPath>.NB;
        int[] sizes = [1, 2, 3, mr - 1, mr, mr + 1, nr + 1, TriangularSolve<ScalarPath>.Leaf + 1, 33, nb - 1, nb, nb + 1, mc + 1, (2 * nb) + 3];
        var backend = new ManagedParallelBackend();
        try
        {
            ManagedIsa.Select(isa);
            Assert.That(backend.InvIsa, Is.EqualTo(isa));
            foreach (int n in sizes.Where(v => v > 0).Distinct())
            {
                double[] a = SpecMatrix.Generate(n, 11, 2);
                double[] reference = SpecMatrix.Allocate(n);
                a.CopyTo(reference, 0);
                new LapackBackend().Invert(reference, n, 1);
                double scale = SpecMatrix.MaxAbs(reference);
                foreach (int threads in new[] { 1, 2, 3 })
                {
                    double[] x = SpecMatrix.Allocate(n);
                    a.CopyTo(x, 0);
                    backend.Invert(x, n, threads);
                    string where = $"{IsaNames.Name(isa)}: n={n} threads={threads}";
                    Assert.That(ManagedInverse.Residual(a, x, n, 2), Is.InRange(0.0, 30.0), where);
                    Assert.That(SpecMatrix.MaxAbsDifference(x, reference), Is.LessThanOrEqualTo(1e-8 * scale), where);
                }
            }
        }
        finally
        {
            ManagedIsa.Select(Isa.Auto);
        }
    }

    [TestCaseSource(nameof(Paths))]
    public void SingularMatricesFailOnEveryPath(Isa isa)
    {
        const int n = 131;
        double[] a = SpecMatrix.Generate(n, 5, 1);
        Array.Copy(a, 3 * n, a, 129 * n, n); // row 130 repeats row 4: singular, found in the second panel
        try
        {
            ManagedIsa.Select(isa);
            // Repeated: worker 0 finds the failure while the others are still in the step before
            // (the look-ahead), and every worker must still leave through the same barrier.
            for (int repeat = 0; repeat < 10; repeat++)
            {
                foreach (int threads in new[] { 1, 2, 3 })
                {
                    double[] x = (double[])a.Clone();
                    var e = Assert.Throws<SingularMatrixException>(() => new ManagedParallelBackend().Invert(x, n, threads), $"{IsaNames.Name(isa)}, {threads} threads");
                    Assert.That(e!.Step, Is.GreaterThan(128), "found in the second panel");
                }
            }
        }
        finally
        {
            ManagedIsa.Select(Isa.Auto);
        }
    }
}
