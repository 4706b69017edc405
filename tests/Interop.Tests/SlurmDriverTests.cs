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
}
