using Interop.Core;

namespace Interop.Tests;

public sealed class ThreadCountTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Test]
    public void DefaultIsTheCpusThisProcessMayUse()
    {
        Assert.That(ThreadCount.Resolve(null, Env(), 6), Is.EqualTo(new ThreadChoice(6, "available CPUs")));
    }

    [Test]
    public void SlurmOverridesTheCpuCount()
    {
        Assert.That(ThreadCount.Resolve(null, Env(("SLURM_CPUS_PER_TASK", "3")), 64).Threads, Is.EqualTo(3));
    }

    [Test]
    public void OmpNumThreadsOverridesSlurm()
    {
        var choice = ThreadCount.Resolve(null, Env(("SLURM_CPUS_PER_TASK", "3"), ("OMP_NUM_THREADS", "5")), 64);
        Assert.That(choice, Is.EqualTo(new ThreadChoice(5, "OMP_NUM_THREADS")));
    }

    [Test]
    public void NestedOmpNumThreadsListUsesTheOuterLevel()
    {
        Assert.That(ThreadCount.Resolve(null, Env(("OMP_NUM_THREADS", "4,2")), 64).Threads, Is.EqualTo(4));
    }

    [Test]
    public void CommandLineOverridesEverything()
    {
        var choice = ThreadCount.Resolve(7, Env(("SLURM_CPUS_PER_TASK", "3"), ("OMP_NUM_THREADS", "5")), 64);
        Assert.That(choice, Is.EqualTo(new ThreadChoice(7, "--threads")));
    }

    [TestCase("OMP_NUM_THREADS", "zero")]
    [TestCase("OMP_NUM_THREADS", "0")]
    [TestCase("SLURM_CPUS_PER_TASK", "-2")]
    public void InvalidVariablesAreUsageErrors(string name, string value)
    {
        var e = Assert.Throws<UsageException>(() => ThreadCount.Resolve(null, Env((name, value)), 4));
        Assert.That(e!.Message, Does.Contain(name));
    }

    [Test]
    public void EmptyVariablesAreIgnored()
    {
        Assert.That(ThreadCount.Resolve(null, Env(("OMP_NUM_THREADS", "")), 2).Threads, Is.EqualTo(2));
    }
}
