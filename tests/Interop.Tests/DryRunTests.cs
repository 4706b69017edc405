namespace Interop.Tests;

/// <summary>
/// --dry-run: a command is parsed and checked as a run would check it (options, their combination,
/// paths, a scalapack grid against the ranks) and one line says what would run; nothing runs and
/// nothing is written. --ranks plans for a cluster's ranks on one machine.
/// </summary>
public sealed class DryRunTests : TempFolderTest
{
    [Test]
    public void AClusterInversionIsCheckedForItsRanksWithoutRunning()
    {
        var (code, stdout, stderr) = Cli.Run("inv", "--backend", "scalapack", "--size", "40000", "--threads", "8", "--grid", "4x4", "--dry-run", "--ranks", "16");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.StartWith("interop: dry run: would run inv: a generated n = 40000").And.Contain("scalapack on a 4x4 grid").And.Contain("16 rank(s) x 8 thread(s)"));
        Assert.That(stdout.Trim().Split('\n'), Has.Length.EqualTo(1));
    }

    [Test]
    public void AGridForOtherRanksIsTheRunsUsageError()
    {
        var (code, stdout, stderr) = Cli.Run("inv", "--backend", "scalapack", "--grid", "4x4", "--dry-run", "--ranks", "8");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.Trim(), Is.EqualTo("interop: --grid 4x4 needs 16 ranks, this job has 8 (start it with mpiexec -n 16, or leave --grid out)"));
        Assert.That(stdout, Is.Empty);
    }

    [Test]
    public void TheDefaultGridFollowsTheRanks()
    {
        var (code, stdout, stderr) = Cli.Run("inv", "--backend", "scalapack", "--dry-run", "--ranks", "6");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("scalapack on a 3x2 grid"));
    }

    [TestCase("pi", "--darts", "0")]
    [TestCase("pi", "--backend", "no-such-backend")]
    [TestCase("inv", "--size", "4000", "--input", "a.npy")]
    [TestCase("compare", "--threads", "0")]
    public void BadOptionsAreExitTwoAsInARun(params string[] args)
    {
        var (code, stdout, stderr) = Cli.Run([.. args, "--dry-run"]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stdout, Does.Not.Contain("dry run"));
    }

    [Test]
    public void TheSamePathForOutputAndTraceIsRefusedInADryRunToo()
    {
        string same = Path.Combine(Folder, "x.npy");
        var (code, _, stderr) = Cli.Run("inv", "--size", "100", "--output", same, "--trace", same, "--dry-run");
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(File.Exists(same), Is.False);
    }

    [Test]
    public void ACompareDryRunPlansAndCreatesNoFolder()
    {
        string folder = Path.Combine(Folder, "new", "results");
        var (code, stdout, stderr) = Cli.Run("compare", "--workload", "pi", "--backend", "c-openmp", "--threads", "1,2", "--darts", "1e9", "--out-dir", folder, "--dry-run", "--ranks", "4");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.StartWith("interop: dry run: would run compare: pi with 1,000,000,000 darts").And.Contain("4 rank(s)").And.Contain($"into {folder}"));
        Assert.That(Directory.Exists(Path.Combine(Folder, "new")), Is.False, "a dry run writes nothing");
    }

    [Test]
    public void APiDryRunSaysWhatWouldRun()
    {
        var (code, stdout, stderr) = Cli.Run("pi", "--darts", "1e12", "--backend", "c-openmp", "--dry-run", "--ranks", "8");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout.Trim(), Does.StartWith("interop: dry run: would run pi: 1,000,000,000,000 darts, seed 42; backends c-openmp; 8 rank(s) x ").And.EndWith("nothing was run"));
    }

    [Test]
    public void RanksWithoutADryRunAreAUsageError()
    {
        var (code, _, stderr) = Cli.Run("pi", "--ranks", "4");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.Trim(), Is.EqualTo("interop: --ranks plans a --dry-run; a run takes its ranks from the launcher (mpiexec -n N, srun)"));
    }

    [Test]
    [NonParallelizable]
    public void UnderALauncherTheRanksAreTheLaunchersAndRankZeroSaysItOnce()
    {
        var run = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "inv", "--backend", "lapack,scalapack", "--dry-run"]);
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(run.Out.Trim().Split('\n'), Has.Length.EqualTo(1), run.Out);
        Assert.That(run.Out, Does.Contain("lapack on rank 0; scalapack on a 2x1 grid").And.Contain("2 rank(s)"));

        var refused = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "inv", "--backend", "scalapack", "--dry-run", "--ranks", "3"]);
        Assert.That(refused.Code, Is.EqualTo(2), refused.Err);
        Assert.That(refused.Err.Split('\n').Count(l => l.StartsWith("interop", StringComparison.Ordinal)), Is.EqualTo(1), refused.Err);
        Assert.That(refused.Err, Does.Contain("interop: --ranks plans a dry run outside a launcher"));
    }
}
