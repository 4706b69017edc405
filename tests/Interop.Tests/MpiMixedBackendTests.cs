using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// `inv` under mpiexec with a rank-0-only backend (lapack) and a distributed one (scalapack) asked
/// together (issue 20, class 3): every rank must build the same scalapack request. It used to end
/// with "scalapack: the ranks were given different requests", since only rank 0 counted lapack's
/// result when deciding whether scalapack's inverse was the one to write.
/// </summary>
[NonParallelizable]
public sealed class MpiMixedBackendTests : TempFolderTest
{
    [TestCase("lapack,scalapack", "dumb")]
    [TestCase("scalapack,lapack", "xterm")]
    public void ARankZeroBackendAndADistributedOneRunTogetherWithAnOutput(string backends, string term)
    {
        const int N = 64;
        string output = Path.Combine(Folder, "x.npy");
        var run = HybridPiTests.Mpi.Run(
            2,
            [TestEnvironment.DriverPath, "inv", "--size", N.ToString(System.Globalization.CultureInfo.InvariantCulture), "--repeat", "1", "--warmup", "0",
             "--backend", backends, "--output", output],
            term);
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(run.Err, Does.Not.Contain("different requests"));
        Assert.That(run.Out, Does.Contain("scalapack: 2 rank(s) as a 2x1 grid"));
        Assert.That(run.Out.Split('\n').Count(l => l.StartsWith("lapack ", StringComparison.Ordinal) || l.StartsWith("scalapack ", StringComparison.Ordinal)), Is.EqualTo(2), run.Out);

        // The file holds the inverse of the spec's matrix (the first single-process backend's, lapack).
        (double[] x, int order) = NpyFile.ReadSquare(output);
        Assert.That(order, Is.EqualTo(N));
        Assert.That(Interop.Native.NativeInverse.Residual(SpecMatrix.Generate(N, Interop.Cli.SharedOptions.DefaultSeed, 1), x, N, 1), Is.LessThanOrEqualTo(30));
    }
}
