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

    /// <summary>
    /// The value as a whole (issue 20, property tests): OpenMP ignores an OMP_NUM_THREADS that is not
    /// a list of positive counts, so its first number is not the count the runtime uses; Slurm's
    /// SLURM_CPUS_PER_TASK is one number.
    /// </summary>
    [TestCase("OMP_NUM_THREADS", "4,x")]
    [TestCase("OMP_NUM_THREADS", "4,")]
    [TestCase("OMP_NUM_THREADS", "4,0")]
    [TestCase("SLURM_CPUS_PER_TASK", "2,2")]
    public void AValueThatIsNotValidAsAWholeIsAUsageError(string name, string value)
    {
        var e = Assert.Throws<UsageException>(() => ThreadCount.Resolve(null, Env((name, value)), 4));
        Assert.That(e!.Message, Does.StartWith($"{name}='{value}' is not"));
    }

    [Test]
    public void TheRefusedValueIsShownOnOneLine()
    {
        var e = Assert.Throws<UsageException>(() => ThreadCount.Resolve(null, Env(("OMP_NUM_THREADS", "3\nexport X=1\u2028")), 4));
        Assert.That(e!.Message, Does.StartWith("OMP_NUM_THREADS='3\\nexport X=1\\u2028' is not a thread count"));
    }

    [Test]
    public void SpacesAroundTheCountsAreAllowedAsOpenMpAllowsThem()
    {
        Assert.That(ThreadCount.Resolve(null, Env(("OMP_NUM_THREADS", " 4 , 2 ")), 64).Threads, Is.EqualTo(4));
    }

    [Test]
    public void EmptyVariablesAreIgnored()
    {
        Assert.That(ThreadCount.Resolve(null, Env(("OMP_NUM_THREADS", "")), 2).Threads, Is.EqualTo(2));
    }
}
