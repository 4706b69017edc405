namespace Interop.Tests;

/// <summary>
/// Issue 23: launches that are not one N-rank job, run by the published driver with the variables
/// srun and other launchers set (no Slurm needed). srun without an MPI plugin starts independent
/// tasks: one runs as a single process, several are refused before MPI_Init. A launcher whose
/// protocol the MPI library does not speak makes N singletons: refused after MPI_Init.
/// </summary>
public sealed class SrunLaunchTests
{
    // Every variable that makes the driver think a launcher started it: the test's own runner may
    // itself run under mpiexec or srun.
    private static readonly string[] LauncherVariables =
        ["OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMI_SIZE", "PMIX_RANK", "PMIX_NAMESPACE",
         "SLURM_PROCID", "SLURM_STEP_ID", "SLURM_STEP_NUM_TASKS", "SLURM_NTASKS", "SLURM_JOB_ID"];

    private static (int Code, string Out, string Err) Run(string[] args, params (string Name, string Value)[] variables) =>
        DriverProcess.Run(args, variables.ToDictionary(v => v.Name, v => v.Value), limitSeconds: 60, unset: LauncherVariables.Except(variables.Select(v => v.Name)));

    private static (string, string)[] PluginlessTask(int rank, int tasks) =>
        [("SLURM_PROCID", rank.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("SLURM_STEP_ID", "0"), ("SLURM_JOB_ID", "4"),
         ("SLURM_STEP_NUM_TASKS", tasks.ToString(System.Globalization.CultureInfo.InvariantCulture)),
         ("SLURM_NTASKS", tasks.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    [Test]
    public void OneTaskWithoutAnMpiPluginRunsAsOneProcess()
    {
        // `srun -n 1 interop env` (MpiDefault=none) aborted in Open MPI's MPI_Init on a real cluster.
        var (code, stdout, stderr) = Run(["env"], PluginlessTask(0, 1));
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("not in use (not started by an MPI launcher)"));
    }

    [Test]
    public void SeveralTasksWithoutAnMpiPluginAreRefusedByTaskZeroOnly()
    {
        string[] pi = ["pi", "--darts", "1e3", "--repeat", "1", "--warmup", "0"];
        var first = Run(pi, PluginlessTask(0, 2));
        Assert.That(first.Code, Is.EqualTo(2), first.Err);
        Assert.That(first.Err, Is.EqualTo(
            "interop: srun started 2 tasks without an MPI plugin; each would be a 1-rank copy: use srun --mpi=pmix (srun --mpi=list shows the plugins)" +
            Environment.NewLine));
        Assert.That(first.Out, Is.Empty);

        var second = Run(pi, PluginlessTask(1, 2));
        Assert.That(second.Code, Is.EqualTo(2), second.Err);
        Assert.That(second.Err, Is.Empty, "only task 0 says why");
        Assert.That(second.Out, Is.Empty);
    }

    [Test]
    public void MpiForcedInOneTaskWithoutAPluginIsOneLine()
    {
        var (code, stdout, stderr) = Run(["pi", "--darts", "1e3", "--repeat", "1", "--mpi"], PluginlessTask(0, 1));
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.StartWith("interop: --mpi under srun without an MPI plugin: "));
        Assert.That(stdout, Is.Empty);
    }

    [Test]
    public void AMalformedTaskCountIsOneLineNamingIt()
    {
        var (code, _, stderr) = Run(["env"], ("SLURM_PROCID", "0"), ("SLURM_STEP_ID", "0"), ("SLURM_STEP_NUM_TASKS", "two"));
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Is.EqualTo(
            "interop: SLURM_STEP_NUM_TASKS must be the number of tasks srun started (a whole number from 1), not 'two'" + Environment.NewLine));
    }

    // MPICH's mpiexec (PMI) starting an interop built on Open MPI: each MPI_Init makes a 1-rank
    // job, and 2 copies measured alone. A real MPI_Init under the PMI variables is one such copy.
    [Test]
    [NonParallelizable]
    public void SingletonsWhereTheLauncherDeclaredMoreAreRefused()
    {
        string[] pi = ["pi", "--darts", "1e3", "--repeat", "1", "--warmup", "0", "--backend", "managed-serial"];
        var first = Run(pi, ("PMI_RANK", "0"), ("PMI_SIZE", "2"));
        Assert.That(first.Code, Is.EqualTo(2), first.Err);
        string[] lines = [.. first.Err.Split('\n').Where(l => l.StartsWith("interop", StringComparison.Ordinal))];
        Assert.That(lines, Is.EqualTo(new[]
        {
            "interop: the launcher started 2 processes (PMI_SIZE=2) but MPI made each a 1-rank job of its own, not one 2-rank job: " +
            "start interop with the mpiexec of the MPI library it uses, or under Slurm with srun --mpi=pmix",
        }), first.Err);
        Assert.That(first.Out, Is.Empty, "nothing measured");

        var second = Run(pi, ("PMI_RANK", "1"), ("PMI_SIZE", "2"));
        Assert.That(second.Code, Is.EqualTo(2), second.Err);
        Assert.That(second.Err, Does.Not.Contain("interop"), "only the launcher's rank 0 says why");
        Assert.That(second.Out, Is.Empty);
    }
}
