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

    // "A=1 B=2" as an environment.
    private static Func<string, string?> Parse(string variables) =>
        Env([.. variables.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => v.Split('=', 2)).Select(v => (v[0], v[1]))]);

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
    public void LauncherPairIsRecognized(string first, string second, string launcher)
    {
        var env = Env((first, "0"), (second, "2"));
        Assert.That(MpiLaunch.Detect(env, forced: false), Is.True);
        Assert.That(MpiLaunch.Launcher(env), Is.EqualTo(launcher));
    }

    [Test]
    public void SrunStepOfSeveralTasksIsALaunch()
    {
        var env = Env(("SLURM_PROCID", "0"), ("SLURM_STEP_ID", "2"), ("SLURM_STEP_NUM_TASKS", "2"));
        Assert.That(MpiLaunch.Detect(env, forced: false), Is.True);
        Assert.That(MpiLaunch.Launcher(env), Is.EqualTo("Slurm"));
    }

    // srun without an MPI plugin (MpiDefault=none): Open MPI's MPI_Init aborts in such a task, and
    // one task has no job to join, so `srun -n 1 interop env` runs as one process.
    [TestCase("SLURM_STEP_NUM_TASKS", "1")]
    [TestCase("SLURM_NTASKS", "1")]
    [TestCase("SLURM_JOB_ID", "12")]
    public void PluginlessSrunStepOfOneTaskIsNotALaunch(string name, string value)
    {
        var env = Env(("SLURM_PROCID", "0"), ("SLURM_STEP_ID", "0"), (name, value));
        Assert.That(MpiLaunch.IsPluginlessSrun(env), Is.True);
        Assert.That(MpiLaunch.Launcher(env), Is.Null);
        Assert.That(MpiLaunch.Detect(env, forced: false), Is.False);
        Assert.That(MpiLaunch.Refusal(env, forced: false), Is.Null);
    }

    [Test]
    public void TheStepsTaskCountComesBeforeTheJobs()
    {
        // A step of 1 task inside a job of 4 (srun -n 1 in an sbatch -n 4 script).
        var env = Env(("SLURM_PROCID", "0"), ("SLURM_STEP_ID", "1"), ("SLURM_STEP_NUM_TASKS", "1"), ("SLURM_NTASKS", "4"));
        Assert.That(MpiLaunch.Launcher(env), Is.Null);
        Assert.That(MpiLaunch.Refusal(env, forced: false), Is.Null);
    }

    [TestCase("SLURM_STEP_NUM_TASKS", 2)]
    [TestCase("SLURM_NTASKS", 3)]
    public void PluginlessSrunOfSeveralTasksIsRefusedBeforeMpi(string name, int tasks)
    {
        var env = Env(("SLURM_PROCID", "1"), ("SLURM_STEP_ID", "0"), (name, tasks.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(MpiLaunch.Refusal(env, forced: false), Is.EqualTo(
            $"srun started {tasks} tasks without an MPI plugin; each would be a 1-rank copy: use srun --mpi=pmix (srun --mpi=list shows the plugins)"));
        Assert.That(MpiLaunch.Refusal(env, forced: true), Is.Not.Null);
    }

    [TestCase("0")]
    [TestCase("abc")]
    [TestCase("-2")]
    [TestCase("2.5")]
    [TestCase("99999999999")]
    public void AMalformedTaskCountIsNamed(string value)
    {
        var env = Env(("SLURM_PROCID", "0"), ("SLURM_STEP_ID", "0"), ("SLURM_STEP_NUM_TASKS", value));
        Assert.That(MpiLaunch.Refusal(env, forced: false), Is.EqualTo(
            $"SLURM_STEP_NUM_TASKS must be the number of tasks srun started (a whole number from 1), not '{value}'"));
    }

    [Test]
    public void MpiForcedInAPluginlessTaskIsRefused()
    {
        var env = Env(("SLURM_PROCID", "0"), ("SLURM_STEP_ID", "0"), ("SLURM_STEP_NUM_TASKS", "1"));
        Assert.That(MpiLaunch.Refusal(env, forced: true), Does.StartWith("--mpi under srun without an MPI plugin: "));
        Assert.That(MpiLaunch.Refusal(Env(), forced: true), Is.Null, "--mpi without any launcher starts a 1-rank job");
    }

    // With a plugin's variables the tasks form one job: nothing to refuse before MPI starts.
    [TestCase("PMIX_RANK", "1", "PMIx")]
    [TestCase("PMI_RANK", "1", "PMI")]
    [TestCase("OMPI_COMM_WORLD_RANK", "1", "Open MPI")]
    public void SrunWithAnMpiPluginIsNotRefused(string name, string value, string launcher)
    {
        var env = Env(("SLURM_PROCID", "1"), ("SLURM_STEP_ID", "0"), ("SLURM_STEP_NUM_TASKS", "2"), (name, value), ("PMI_SIZE", "2"), ("OMPI_COMM_WORLD_SIZE", "2"));
        Assert.That(MpiLaunch.IsPluginlessSrun(env), Is.False);
        Assert.That(MpiLaunch.Refusal(env, forced: false), Is.Null);
        Assert.That(MpiLaunch.Refusal(env, forced: true), Is.Null);
        Assert.That(MpiLaunch.Launcher(env), Is.EqualTo(launcher));
    }

    [TestCase("OMPI_COMM_WORLD_SIZE=4 OMPI_COMM_WORLD_RANK=0", 4, "OMPI_COMM_WORLD_SIZE=4")]
    [TestCase("PMI_SIZE=3 PMI_RANK=2", 3, "PMI_SIZE=3")]
    [TestCase("PMIX_RANK=1 PMIX_NAMESPACE=slurm.pmix.5.0 SLURM_PROCID=1 SLURM_STEP_ID=0 SLURM_STEP_NUM_TASKS=2", 2, "SLURM_STEP_NUM_TASKS=2")]
    [TestCase("PMIX_RANK=1 PMIX_NAMESPACE=slurm.pmix.5.0 SLURM_PROCID=1 SLURM_STEP_ID=0 SLURM_NTASKS=2", 2, "SLURM_NTASKS=2")]
    public void TheLauncherDeclaresTheJobsSize(string variables, int size, string source)
    {
        Assert.That(MpiLaunch.DeclaredSize(Parse(variables)), Is.EqualTo((size, source)));
    }

    // A PMIx launcher that is not Slurm's (PRRTE's prterun inside an srun step) inherits the step's
    // counts, which say nothing of its own job; no launcher, or a size that is no count, says nothing.
    [TestCase("PMIX_RANK=0 PMIX_NAMESPACE=prterun-vm-1234@1 SLURM_PROCID=0 SLURM_STEP_ID=0 SLURM_STEP_NUM_TASKS=4")]
    [TestCase("PMIX_RANK=0")]
    [TestCase("OMPI_COMM_WORLD_SIZE=x OMPI_COMM_WORLD_RANK=0")]
    [TestCase("SLURM_PROCID=0 SLURM_NTASKS=4")]
    [TestCase("")]
    public void NoSizeIsDeclared(string variables) => Assert.That(MpiLaunch.DeclaredSize(Parse(variables)), Is.Null);

    [Test]
    public void ASingletonWhereTheLauncherDeclaredMoreIsRefused()
    {
        var env = Parse("PMI_RANK=1 PMI_SIZE=2");
        Assert.That(MpiLaunch.SingletonRefusal(env, worldSize: 1), Is.EqualTo(
            "the launcher started 2 processes (PMI_SIZE=2) but MPI made each a 1-rank job of its own, not one 2-rank job: " +
            "start interop with the mpiexec of the MPI library it uses, or under Slurm with srun --mpi=pmix"));
        Assert.That(MpiLaunch.SingletonRefusal(env, worldSize: 2), Is.Null, "one 2-rank job");
    }

    [TestCase("OMPI_COMM_WORLD_SIZE=1 OMPI_COMM_WORLD_RANK=0")]
    [TestCase("PMIX_RANK=0")]
    [TestCase("")]
    public void ASingletonTheLauncherDeclaredIsNotRefused(string variables) =>
        Assert.That(MpiLaunch.SingletonRefusal(Parse(variables), worldSize: 1), Is.Null);

    [Test]
    public void ABatchShellIsNeverRefused()
    {
        var env = Env(("SLURM_PROCID", "0"), ("SLURM_NTASKS", "4"), ("SLURM_JOB_ID", "12"));
        Assert.That(MpiLaunch.IsPluginlessSrun(env), Is.False);
        Assert.That(MpiLaunch.Refusal(env, forced: false), Is.Null);
        Assert.That(MpiLaunch.Refusal(env, forced: true), Is.Null);
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
