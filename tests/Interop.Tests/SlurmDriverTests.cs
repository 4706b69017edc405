namespace Interop.Tests;

/// <summary>
/// The driver in process inside a fake Slurm job (issue 23): the variables of a batch script's
/// shell (no SLURM_PROCID or step id, so no MPI launch is detected), set for one test and restored.
/// </summary>
[NonParallelizable]
public sealed class SlurmDriverTests
{
    private static readonly string[] Names =
        ["SLURM_JOB_ID", "SLURM_CPUS_ON_NODE", "SLURM_CPUS_PER_TASK", "SLURM_NTASKS", "SLURM_JOB_CPUS_PER_NODE", "SLURM_JOB_NODELIST", "OMP_NUM_THREADS"];

    private readonly Dictionary<string, string?> saved = [];

    [SetUp]
    public void Save()
    {
        foreach (string name in Names)
        {
            saved[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [TearDown]
    public void Restore()
    {
        foreach ((string name, string? value) in saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    private static void Set(params (string Name, string Value)[] variables)
    {
        foreach ((string name, string value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    [TestCase("SLURM_CPUS_ON_NODE", "x")]
    [TestCase("SLURM_CPUS_ON_NODE", "0")]
    [TestCase("SLURM_CPUS_PER_TASK", "99999")]
    public void AMalformedAllocationExitsTwoWithOneLineNamingTheVariable(string name, string value)
    {
        Set(("SLURM_JOB_ID", "12"), ("SLURM_CPUS_ON_NODE", "2"), (name, value));
        var (code, _, error) = Cli.Run("pi", "--darts", "1000", "--backend", "managed-serial");
        Assert.That(code, Is.EqualTo(2), error);
        Assert.That(error, Does.StartWith($"interop: {name}='{value}' is not"));
        Assert.That(error.TrimEnd('\n'), Does.Not.Contain('\n'), "one line");
    }

    [Test]
    public void ARunInAJobSaysTheAllocationDecidedItsThreads()
    {
        Set(("SLURM_JOB_ID", "12"), ("SLURM_CPUS_ON_NODE", "1"));
        var (code, output, error) = Cli.Run("pi", "--darts", "1000", "--backend", "managed-parallel");
        Assert.That(code, Is.Zero, error);
        Assert.That(output + error, Does.Contain("1 thread(s) per parallel backend (from SLURM_CPUS_ON_NODE)"));
    }

    [Test]
    public void EnvShowsTheSlurmBlockOnlyInsideAJob()
    {
        var outside = Cli.Run("env");
        Assert.That(outside.Code, Is.Zero, outside.Err);
        Assert.That(outside.Out, Does.Not.Contain("slurm (the allocation"));

        Set(("SLURM_JOB_ID", "12"), ("SLURM_CPUS_ON_NODE", "1"), ("SLURM_NTASKS", "1"), ("SLURM_JOB_CPUS_PER_NODE", "1"), ("SLURM_JOB_NODELIST", "vm"));
        var (code, output, error) = Cli.Run("env");
        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain("slurm (the allocation of this job, from its SLURM_* variables):"));
        Assert.That(output, Does.Match(@"\n  job_id +12\n"));
        Assert.That(output, Does.Match(@"\n  nodes +vm\n"));
        Assert.That(output, Does.Match(@"\n  cpus_for_this_task +1 \(from SLURM_CPUS_ON_NODE\)\n"));

        var json = Cli.Run("env", "--json");
        using var doc = System.Text.Json.JsonDocument.Parse(json.Out);
        Assert.That(doc.RootElement.GetProperty("slurm").GetProperty("job_id").GetString(), Is.EqualTo("12"));
    }

    [Test]
    public void EnvWarnsOnceWhenTheThreadsExceedTheAllocation()
    {
        Set(("SLURM_JOB_ID", "12"), ("SLURM_CPUS_ON_NODE", "1"), ("OMP_NUM_THREADS", "8"));
        var (code, _, error) = Cli.Run("env");
        Assert.That(code, Is.Zero, error);
        Assert.That(error, Does.Contain("8 threads (from OMP_NUM_THREADS) but the Slurm allocation gives this task 1 CPU(s)"));
        // The placement's warnings (per rank, per node, under MPI too) stay; env's own one about
        // the mask gives way to the allocation's.
        Assert.That(error, Does.Not.Contain("CPU(s) may be used"), "one warning of env's own, not also the mask's");
        Assert.That(error.Split('\n').Count(l => l.Contains("Slurm allocation", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public void EnvRefusesAnOddJobCpusPerNodeOnOneLine()
    {
        Set(("SLURM_JOB_ID", "12"), ("SLURM_JOB_CPUS_PER_NODE", "2(x3"));
        var (code, _, error) = Cli.Run("env");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.StartWith("interop: SLURM_JOB_CPUS_PER_NODE='2(x3' is not"));
        Assert.That(error.TrimEnd('\n'), Does.Not.Contain('\n'));
    }
}
