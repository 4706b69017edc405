using Interop.Mpi;

namespace Interop.Tests;

/// <summary>
/// MpiLaunch decides from environment variables alone whether this process is an MPI job; a run
/// outside any launcher must never load libinterop_mpi or libmpi.
/// </summary>
[TestFixture]
public sealed class MpiLaunchTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return name => map.GetValueOrDefault(name);
    }

    [Test]
    public void NoLauncherIsNotMpi()
    {
        Assert.That(MpiLaunch.Detect(Env(), forced: false), Is.False);
        Assert.That(MpiLaunch.Launcher(Env()), Is.Null);
    }

    [Test]
    public void ForcedIsMpiWithoutALauncher() => Assert.That(MpiLaunch.Detect(Env(), forced: true), Is.True);

    [TestCase("OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "Open MPI")]
    [TestCase("PMI_SIZE", "PMI_RANK", "PMI")]
    [TestCase("SLURM_PROCID", "SLURM_STEP_ID", "Slurm")]
    public void LauncherPairIsRecognized(string first, string second, string launcher)
    {
        var env = Env((first, "0"), (second, "2"));
        Assert.That(MpiLaunch.Detect(env, forced: false), Is.True);
        Assert.That(MpiLaunch.Launcher(env), Is.EqualTo(launcher));
    }

    [Test]
    public void PmixRankAloneIsALaunch() =>
        Assert.That(MpiLaunch.Launcher(Env(("PMIX_RANK", "1"))), Is.EqualTo("PMIx"));

    [TestCase("OMPI_COMM_WORLD_SIZE")]
    [TestCase("OMPI_COMM_WORLD_RANK")]
    [TestCase("PMI_RANK")]
    [TestCase("SLURM_PROCID")]
    public void HalfAPairIsNotALaunch(string name) =>
        Assert.That(MpiLaunch.Detect(Env((name, "0")), forced: false), Is.False);

    [Test]
    public void SlurmBatchShellIsNotALaunch()
    {
        // sbatch's own shell has SLURM_PROCID and SLURM_NTASKS but no step: only srun starts tasks.
        var env = Env(("SLURM_PROCID", "0"), ("SLURM_NTASKS", "4"), ("SLURM_JOB_ID", "12"));
        Assert.That(MpiLaunch.Detect(env, forced: false), Is.False);
    }

    [Test]
    public void EmptyValuesCountAsUnset()
    {
        var env = Env(("OMPI_COMM_WORLD_SIZE", ""), ("OMPI_COMM_WORLD_RANK", ""), ("PMIX_RANK", ""));
        Assert.That(MpiLaunch.Detect(env, forced: false), Is.False);
    }

    [Test]
    public void OpenMpiSettingsAreNotALaunch()
    {
        var env = Env(("OMPI_MCA_btl", "self,vader"), ("OMPI_ALLOW_RUN_AS_ROOT", "1"));
        Assert.That(MpiLaunch.Detect(env, forced: false), Is.False);
    }

    [Test]
    public void DetectingDoesNotLoadTheShim()
    {
        // In a fresh process: an earlier in-process test may have loaded the shim for a good reason
        // (a scalapack dry run loads the library it checks). The driver detects its launch at every
        // start, so `env` outside a launcher shows whether detecting loaded MPI.
        var (code, stdout, stderr) = DriverProcess.Run(["env", "--json"]);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("not in use (not started by an MPI launcher)"));
        if (!MpiLoader.IsLoaded)
        {
            _ = MpiLaunch.DetectFromProcess(forced: false);
            _ = MpiLaunch.Launcher(Environment.GetEnvironmentVariable);
            Assert.That(MpiLoader.IsLoaded, Is.False);
        }
    }

    [Test]
    public void NullEnvironmentIsRejected() =>
        Assert.Throws<ArgumentNullException>(() => MpiLaunch.Detect(null!, forced: false));
}
