using System.Diagnostics;
using Interop.Cli.Jobs;
using MpiRun = Interop.Tests.HybridPiTests.Mpi;

namespace Interop.Tests;

/// <summary>
/// Start-up of an MPI job under a real mpiexec (issue 20): a program in the job that is not interop
/// (class 8), ranks whose environments give different thread counts (class 9, a heterogeneous job
/// since issue 24), and the limits of
/// INTEROP_MPI_TIMEOUT (class 16). Short limits keep every case to a few seconds; each run is
/// bounded, so a regression (a hang) fails instead of stalling CI.
/// </summary>
[NonParallelizable]
public sealed class MpiStartupTests
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(45);

    private static string Driver => TestEnvironment.DriverPath;

    private static string[] InteropLines(string stderr) =>
        [.. stderr.Split('\n').Where(l => l.StartsWith("interop", StringComparison.Ordinal))];

    private static (int Code, string Out, string Err, TimeSpan Elapsed) Launch(string[] arguments, string term, Dictionary<string, string>? environment = null)
    {
        var watch = Stopwatch.StartNew();
        using Process process = MpiRun.Launch(arguments, term, environment);
        var run = MpiRun.Finish(process, string.Join(' ', arguments), Prompt);
        return (run.Code, run.Out, run.Err, watch.Elapsed);
    }

    // Class 8: Open MPI's MPI_Init waited for /bin/true forever (the job hung for more than 110 s).
    [TestCase(0, "dumb")]
    [TestCase(1, "xterm")]
    public void AProgramThatIsNotInteropEndsStartUpNamingItsRank(int interopRank, string term)
    {
        string[] interop = ["-n", "1", Driver, "pi", "--darts", "1e5", "--repeat", "1"];
        string[] other = ["-n", "1", "/bin/true"];
        string[] arguments = interopRank == 0 ? [.. interop, ":", .. other] : [.. other, ":", .. interop];
        var run = Launch(arguments, term, new Dictionary<string, string> { [JobLaunch.TimeoutVariable] = "2" });

        Assert.That(run.Code, Is.EqualTo(1), run.Err);
        string[] lines = InteropLines(run.Err);
        Assert.That(lines, Has.Length.EqualTo(1), run.Err);
        Assert.That(lines[0], Is.EqualTo(
            $"interop: error on rank {interopRank} of 2: MPI_Init did not finish: the INTEROP_MPI_TIMEOUT of 2 s expired " +
            $"waiting for rank {1 - interopRank}, which never started interop; every rank of the job must run interop"));
        Assert.That(run.Out, Is.Empty);
        Assert.That(run.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)));
    }

    // Class 9: the ranks each ran their own thread count, and the report stated one of them; since
    // issue 24 the job is declared heterogeneous and the report states every rank's count.
    [TestCase("dumb")]
    [TestCase("xterm")]
    public void RanksWhoseEnvironmentsGiveDifferentThreadCountsRunADeclaredHeterogeneousJob(string term)
    {
        string[] pi = [Driver, "pi", "--darts", "1e5", "--repeat", "1", "--backend", "c-openmp"];
        var run = Launch(
            ["-n", "1", "-x", "OMP_NUM_THREADS=1", .. pi, ":", "-n", "1", "-x", "OMP_NUM_THREADS=2", .. pi, ":", "-n", "1", "-x", "OMP_NUM_THREADS=1", .. pi],
            term);
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(run.Out, Does.Contain("heterogeneous job: 1 thread on ranks 0,2, 2 on rank 1 (from OMP_NUM_THREADS)\n"));
        Assert.That(run.Out, Does.Contain("load, c-openmp (static): rank 0 (1 thread) computed "));
    }

    [Test]
    public void EnvRanksWhoseEnvironmentsGiveDifferentThreadCountsAreRefused()
    {
        string[] env = [Driver, "env"];
        var run = Launch(["-n", "1", "-x", "OMP_NUM_THREADS=1", .. env, ":", "-n", "1", "-x", "OMP_NUM_THREADS=2", .. env], "dumb");
        Assert.That(run.Code, Is.EqualTo(2), run.Err);
        string[] lines = InteropLines(run.Err);
        Assert.That(lines, Has.Length.EqualTo(1), run.Err);
        Assert.That(lines[0], Does.StartWith(
            "interop: ranks would run different thread counts: 1 (from OMP_NUM_THREADS) on rank 0, 2 (from OMP_NUM_THREADS) on rank 1; "));
        Assert.That(run.Out, Is.Empty);
    }

    [Test]
    public void ThreadsGivenOnTheCommandLineOverrideTheRanksEnvironments()
    {
        string[] pi = [Driver, "pi", "--darts", "1e5", "--repeat", "1", "--backend", "c-openmp", "--threads", "1"];
        var run = Launch(["-n", "1", "-x", "OMP_NUM_THREADS=1", .. pi, ":", "-n", "1", "-x", "OMP_NUM_THREADS=2", .. pi], "dumb");
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(run.Out, Does.Contain("2 ranks"));
    }

    // Class 16: 0.001 s passed start-up and then expired in MPI_Finalize's barrier, with a message
    // that blamed another rank.
    [TestCase("0.001")]
    [TestCase("0.5")]
    public void ATimeoutBelowTheMinimumIsAUsageErrorNamingTheVariable(string seconds)
    {
        var run = Launch(["-n", "2", Driver, "pi", "--darts", "1e5", "--repeat", "1"], "xterm", new Dictionary<string, string> { [JobLaunch.TimeoutVariable] = seconds });
        Assert.That(run.Code, Is.EqualTo(2), run.Err);
        string[] lines = InteropLines(run.Err);
        Assert.That(lines, Has.Length.EqualTo(1), run.Err);
        Assert.That(lines[0], Does.StartWith("interop: INTEROP_MPI_TIMEOUT must be the seconds an MPI rank may wait for the others, from 1 to 1e7")
            .And.EndWith($"not '{seconds}'"));
    }

    // INTEROP_POOL is read by the task pool deep inside a run; a value it does not know is found at start-up instead.
    [Test]
    public void AnUnknownPoolPathIsAUsageErrorNamingTheVariable()
    {
        var run = Launch(["-n", "2", Driver, "pi", "--darts", "1e5", "--repeat", "1", "--schedule", "dynamic"], "xterm", new Dictionary<string, string> { [Interop.Mpi.TaskPool.PathVariable] = "shm" });
        Assert.That(run.Code, Is.EqualTo(2), run.Err);
        string[] lines = InteropLines(run.Err);
        Assert.That(lines, Has.Length.EqualTo(1), run.Err);
        Assert.That(lines[0], Does.StartWith("interop: INTEROP_POOL must be auto").And.EndWith("not 'shm'"));
    }

    [Test]
    public void EnvListsThePoolPathVariable()
    {
        var run = Cli.Run("env");
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(run.Out, Does.Contain($"  {Interop.Mpi.TaskPool.PathVariable}="));
    }

    [Test]
    public void EnvListsTheTimeoutVariable()
    {
        var run = Cli.Run("env");
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(run.Out, Does.Contain($"  {JobLaunch.TimeoutVariable}="));
    }
}
