using Interop.Backends.Inversion;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// The workspace the managed inversion keeps from one call to the next (<see cref="InverseWorkspace"/>):
/// calls of changing order, team size and path, and calls on several threads at once, each of which
/// must work in memory of its own.
/// </summary>
[NonParallelizable]
public sealed class InverseWorkspaceTests
{
    [Test]
    public void AWorkspaceAboveTheLimitIsFreedAfterTheCall()
    {
        const int n = 120;
        long limit = InverseWorkspace.KeepLimitBytes;
        try
        {
            foreach ((long keepLimit, bool kept) in new[] { (8L * n * n - 1, false), (8L * n * n, true) })
            {
                InverseWorkspace.KeepLimitBytes = keepLimit;
                double[] a = SpecMatrix.Generate(n, 5, 1);
                double[] x = (double[])a.Clone();
                ManagedInverse.Invert(x, n, 1, "managed-parallel");
                Assert.That(ManagedInverse.Residual(a, x, n, 1), Is.InRange(0.0, 30.0));
                Assert.That(InverseWorkspace.IsKept, Is.EqualTo(kept), $"X of {8L * n * n} bytes against a limit of {keepLimit}");
            }
        }
        finally
        {
            InverseWorkspace.KeepLimitBytes = limit;
        }
    }

    [Test]
    public void InversesOfChangingOrderAndTeamSizeReuseOrReplaceTheWorkspace()
    {
        // Larger, smaller and equal orders, with more and fewer workers than the kept workspace has.
        (int N, int Threads)[] calls = [(150, 1), (150, 3), (150, 1), (97, 2), (257, 1), (257, 2), (97, 1)];
        foreach ((int n, int threads) in calls)
        {
            double[] a = SpecMatrix.Generate(n, 3, 1);
            double[] x = (double[])a.Clone();
            ManagedInverse.Invert(x, n, threads, "managed-parallel");
            Assert.That(ManagedInverse.Residual(a, x, n, 1), Is.InRange(0.0, 30.0), $"n = {n}, {threads} thread(s)");
        }
    }

    [Test]
    public void ConcurrentInversionsEachGetAWorkspaceOfTheirOwn()
    {
        // Two orders at once: a shared X or packing buffer would corrupt both inverses.
        int[] orders = [193, 160];
        double[][] matrices = [.. orders.Select(n => SpecMatrix.Generate(n, 7, 1))];
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            int n = orders[i % orders.Length];
            double[] a = matrices[i % orders.Length];
            double[] x = (double[])a.Clone();
            ManagedInverse.Invert(x, n, 1 + (i % 2), "managed-parallel");
            double residual = ManagedInverse.Residual(a, x, n, 1);
            if (!(residual <= 30.0))
            {
                failures.Add($"call {i}, n = {n}: residual {residual}");
            }
        });
        Assert.That(failures, Is.Empty);
    }
}
