using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// What interop reads from a Slurm allocation (issue 23), with fake environments: the values are
/// those `srun -n 1 -c 2 env` and a batch script's shell show under Slurm 22.05.
/// </summary>
public sealed class SlurmAllocationTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    private static readonly (string, string)[] SrunOneTaskTwoCpus =
    [
        ("SLURM_JOB_ID", "4"), ("SLURM_STEP_ID", "0"), ("SLURM_PROCID", "0"), ("SLURM_LOCALID", "0"), ("SLURM_NODEID", "0"),
        ("SLURM_CPUS_ON_NODE", "2"), ("SLURM_CPUS_PER_TASK", "2"), ("SLURM_CPU_BIND_TYPE", "mask_cpu:"), ("SLURM_CPU_BIND_LIST", "0x3"),
        ("SLURM_JOB_CPUS_PER_NODE", "2"), ("SLURM_JOB_NODELIST", "vm"), ("SLURM_STEP_NODELIST", "vm"), ("SLURM_NTASKS", "1"),
        ("SLURM_STEP_NUM_TASKS", "1"), ("SLURM_STEP_TASKS_PER_NODE", "1"), ("SLURM_TASKS_PER_NODE", "1"),
    ];

    [Test]
    public void InsideAJobWithoutCpusPerTaskTheNodesCpusAreSharedAmongItsTasks()
    {
        // srun -n 2 without -c on a node where the job has 4 CPUs: 2 each, although the mask (no task binding) shows 8.
        var env = Env(("SLURM_JOB_ID", "9"), ("SLURM_STEP_ID", "0"), ("SLURM_CPUS_ON_NODE", "4"), ("SLURM_STEP_TASKS_PER_NODE", "2"), ("SLURM_NODEID", "0"));
        Assert.That(ThreadCount.Resolve(null, env, 8), Is.EqualTo(new ThreadChoice(2, "SLURM_CPUS_ON_NODE=4 / 2 tasks on this node")));
    }

    [Test]
    public void TheTasksOnThisNodeAreThisNodesEntryOfTheStepsList()
    {
        // srun -n 5 over 2 nodes: "3,2"; node 1 has 2 tasks, so 6 CPUs give 3 each.
        var env = Env(("SLURM_JOB_ID", "9"), ("SLURM_STEP_ID", "1"), ("SLURM_CPUS_ON_NODE", "6"), ("SLURM_STEP_TASKS_PER_NODE", "3,2"), ("SLURM_NODEID", "1"));
        Assert.That(ThreadCount.Resolve(null, env, 16).Threads, Is.EqualTo(3));
        Assert.That(SlurmAllocation.ReadTasksOnNode(env), Is.EqualTo(2));
    }

    [Test]
    public void TheAffinityMaskWinsWhenItIsSmaller()
    {
        // Slurm bound this task to 1 CPU (task/affinity) of the node's 4, shared by 2 tasks.
        var env = Env(("SLURM_JOB_ID", "9"), ("SLURM_STEP_ID", "0"), ("SLURM_CPUS_ON_NODE", "4"), ("SLURM_STEP_TASKS_PER_NODE", "2"));
        Assert.That(ThreadCount.Resolve(null, env, 1), Is.EqualTo(new ThreadChoice(1, "available CPUs")));
    }

    [Test]
    public void ABatchScriptsShellIsOneProcessWithTheNodesCpus()
    {
        // sbatch -n 4 without -c: the script's shell (no step) runs interop alone on the job's first node.
        var env = Env(("SLURM_JOB_ID", "9"), ("SLURM_CPUS_ON_NODE", "4"), ("SLURM_NTASKS", "4"), ("SLURM_TASKS_PER_NODE", "4"));
        Assert.That(ThreadCount.Resolve(null, env, 64), Is.EqualTo(new ThreadChoice(4, "SLURM_CPUS_ON_NODE")));
    }

    [Test]
    public void RanksThatMpiexecStartedInAJobShareTheNode()
    {
        var env = Env(("SLURM_JOB_ID", "9"), ("SLURM_CPUS_ON_NODE", "4"), ("OMPI_COMM_WORLD_LOCAL_SIZE", "4"));
        Assert.That(ThreadCount.Resolve(null, env, 64).Threads, Is.EqualTo(1));
    }

    [Test]
    public void MoreTasksThanCpusStillGiveOneThread()
    {
        var env = Env(("SLURM_JOB_ID", "9"), ("SLURM_STEP_ID", "0"), ("SLURM_CPUS_ON_NODE", "2"), ("SLURM_STEP_TASKS_PER_NODE", "4"));
        Assert.That(ThreadCount.Resolve(null, env, 64).Threads, Is.EqualTo(1));
    }

    [Test]
    public void OutsideAJobSlurmCpusOnNodeIsIgnored()
    {
        Assert.That(ThreadCount.Resolve(null, Env(("SLURM_CPUS_ON_NODE", "1")), 6), Is.EqualTo(new ThreadChoice(6, "available CPUs")));
    }

    [Test]
    public void CpusPerTaskOneGivesOneThreadOnTwoCpus()
    {
        var env = Env([.. SrunOneTaskTwoCpus.Where(v => v.Item1 != "SLURM_CPUS_PER_TASK"), ("SLURM_CPUS_PER_TASK", "1")]);
        Assert.That(ThreadCount.Resolve(null, env, 2), Is.EqualTo(new ThreadChoice(1, "SLURM_CPUS_PER_TASK")));
    }

    [Test]
    public void OmpNumThreadsAndTheCommandLineStillOverrideTheAllocation()
    {
        var env = Env(("SLURM_JOB_ID", "9"), ("SLURM_CPUS_ON_NODE", "2"), ("OMP_NUM_THREADS", "8"));
        Assert.That(ThreadCount.Resolve(null, env, 64), Is.EqualTo(new ThreadChoice(8, "OMP_NUM_THREADS")));
        Assert.That(ThreadCount.Resolve(3, env, 64), Is.EqualTo(new ThreadChoice(3, "--threads")));
    }

    [TestCase("SLURM_CPUS_ON_NODE", "x")]
    [TestCase("SLURM_CPUS_ON_NODE", "0")]
    [TestCase("SLURM_CPUS_ON_NODE", "99999")]
    [TestCase("SLURM_CPUS_ON_NODE", "2,2")]
    [TestCase("SLURM_STEP_TASKS_PER_NODE", "abc")]
    [TestCase("SLURM_STEP_TASKS_PER_NODE", "0")]
    [TestCase("SLURM_STEP_TASKS_PER_NODE", "2(x0)")]
    [TestCase("SLURM_STEP_TASKS_PER_NODE", "(x3)")]
    [TestCase("SLURM_STEP_TASKS_PER_NODE", "2x3")]
    [TestCase("SLURM_STEP_TASKS_PER_NODE", "2(x3),")]
    [TestCase("SLURM_NODEID", "-1")]
    [TestCase("SLURM_NODEID", "one")]
    [TestCase("OMPI_COMM_WORLD_LOCAL_SIZE", "0")]
    public void MalformedAllocationVariablesAreUsageErrorsNamingThem(string name, string value)
    {
        var variables = new List<(string Name, string Value)>
        {
            ("SLURM_JOB_ID", "9"), ("SLURM_STEP_ID", "0"), ("SLURM_CPUS_ON_NODE", "4"), ("SLURM_STEP_TASKS_PER_NODE", "2"), ("SLURM_NODEID", "0"),
        };
        variables.RemoveAll(v => v.Name == name);
        variables.Add((name, value));
        var e = Assert.Throws<UsageException>(() => ThreadCount.Resolve(null, Env([.. variables]), 8));
        Assert.That(e!.Message, Does.StartWith($"{name}='{value}' is not"));
    }

    [Test]
    public void ANodeIdBeyondTheStepsNodesIsAUsageError()
    {
        var env = Env(("SLURM_JOB_ID", "9"), ("SLURM_STEP_ID", "0"), ("SLURM_CPUS_ON_NODE", "4"), ("SLURM_STEP_TASKS_PER_NODE", "2(x2)"), ("SLURM_NODEID", "2"));
        var e = Assert.Throws<UsageException>(() => ThreadCount.Resolve(null, env, 8));
        Assert.That(e!.Message, Is.EqualTo("SLURM_NODEID=2 but SLURM_STEP_TASKS_PER_NODE='2(x2)' names 2 node(s) (0 to 1)"));
    }

    [TestCase("0")]
    [TestCase("abc")]
    [TestCase("99999")]
    public void MalformedCpusPerTaskInAJobIsAUsageErrorNamingIt(string value)
    {
        var env = Env([.. SrunOneTaskTwoCpus.Where(v => v.Item1 != "SLURM_CPUS_PER_TASK"), ("SLURM_CPUS_PER_TASK", value)]);
        var e = Assert.Throws<UsageException>(() => ThreadCount.Resolve(null, env, 2));
        Assert.That(e!.Message, Does.StartWith($"SLURM_CPUS_PER_TASK='{value}' is not"));
    }

    [Test]
    public void WithCpusPerTaskTheNodeCountsAreNotRead()
    {
        // The rule that decides is SLURM_CPUS_PER_TASK; the node's share is not computed, so it cannot refuse.
        var env = Env(("SLURM_JOB_ID", "9"), ("SLURM_CPUS_PER_TASK", "2"), ("SLURM_CPUS_ON_NODE", "x"));
        Assert.That(ThreadCount.Resolve(null, env, 8).Threads, Is.EqualTo(2));
    }

    [TestCase("2", new[] { 2 })]
    [TestCase("2(x3),1", new[] { 2, 2, 2, 1 })]
    [TestCase("4(x2),8", new[] { 4, 4, 8 })]
    [TestCase("1,2,3", new[] { 1, 2, 3 })]
    public void CountsPerNodeInSlurmsCompressedForm(string text, int[] expanded)
    {
        SlurmCounts counts = SlurmCounts.Parse("SLURM_JOB_CPUS_PER_NODE", text, SlurmAllocation.MaxCpus);
        Assert.That(counts.NodeCount, Is.EqualTo(expanded.Length));
        Assert.That(Enumerable.Range(0, expanded.Length).Select(counts.At), Is.EqualTo(expanded.Select(c => (int?)c)));
        Assert.That(counts.At(expanded.Length), Is.Null);
    }

    [Test]
    public void AHugeRepeatCostsNothing()
    {
        SlurmCounts counts = SlurmCounts.Parse("SLURM_JOB_CPUS_PER_NODE", "64(x100000)", SlurmAllocation.MaxCpus);
        Assert.That(counts.At(99_999), Is.EqualTo(64));
        Assert.That(counts.ToString(), Is.EqualTo("64(x100000) (100000 nodes)"));
    }

    [TestCase("")]
    [TestCase(",")]
    [TestCase("2(x3)1")]
    [TestCase("2(x3")]
    [TestCase("2(3)")]
    [TestCase("-2")]
    [TestCase("+2")]
    [TestCase("2 (x3)")]
    [TestCase("٢")]
    [TestCase("2(x99999999999)")]
    [TestCase("1(x600000),1(x600000)")]
    [TestCase("99999")]
    public void OddFormsAreRefusedOnOneLineNamingTheVariable(string text)
    {
        var e = Assert.Throws<UsageException>(() => SlurmCounts.Parse("SLURM_JOB_CPUS_PER_NODE", text, SlurmAllocation.MaxCpus));
        Assert.That(e!.Message, Does.StartWith($"SLURM_JOB_CPUS_PER_NODE='{text}' is not Slurm's list of counts per node"));
        Assert.That(e.Message, Does.Not.Contain('\n'));
    }

    [Test]
    public void ReadsWhatSrunGaveTheTask()
    {
        SlurmAllocation slurm = SlurmAllocation.Read(Env(SrunOneTaskTwoCpus))!;
        Assert.That(slurm.JobId, Is.EqualTo("4"));
        Assert.That(slurm.StepId, Is.EqualTo("0"));
        Assert.That(slurm.Tasks, Is.EqualTo(1));
        Assert.That(slurm.TasksOnNode, Is.EqualTo(1));
        Assert.That(slurm.CpusPerTask, Is.EqualTo(2));
        Assert.That(slurm.CpusOnNode, Is.EqualTo(2));
        Assert.That(slurm.JobCpusPerNode!.ToString(), Is.EqualTo("2"));
        Assert.That(slurm.NodeList, Is.EqualTo("vm"));
        Assert.That(slurm.Binding, Is.EqualTo("mask_cpu: 0x3 (this task: CPUs 0-1)"));
        Assert.That(slurm.ShareOfTask, Is.EqualTo(new SlurmShare(2, "SLURM_CPUS_PER_TASK")));
    }

    [Test]
    public void OutsideAJobThereIsNoAllocation()
    {
        Assert.That(SlurmAllocation.Read(Env(("SLURM_CPUS_PER_TASK", "2"), ("SLURM_NTASKS", "2"))), Is.Null);
    }

    [Test]
    public void ABatchShellHasNoStepAndTheJobsNodes()
    {
        var env = Env(("SLURM_JOB_ID", "7"), ("SLURM_NTASKS", "3"), ("SLURM_CPUS_ON_NODE", "2"), ("SLURM_JOB_CPUS_PER_NODE", "2(x3),1"),
            ("SLURM_JOB_NODELIST", "n[1-4]"), ("SLURM_STEP_NUM_TASKS", "99"));
        SlurmAllocation slurm = SlurmAllocation.Read(env)!;
        Assert.That(slurm.StepId, Is.Null);
        Assert.That(slurm.Tasks, Is.EqualTo(3), "a batch shell's tasks are the job's");
        Assert.That(slurm.JobCpusPerNode!.ToString(), Is.EqualTo("2(x3),1 (2, 2, 2, 1)"));
        Assert.That(slurm.NodeList, Is.EqualTo("n[1-4]"));
        Assert.That(slurm.Binding, Is.Null);
    }

    [Test]
    public void EachTaskReadsItsOwnMaskOfTheBindList()
    {
        var env = Env(("SLURM_JOB_ID", "7"), ("SLURM_CPU_BIND_TYPE", "mask_cpu:"), ("SLURM_CPU_BIND_LIST", "0x3,0xC"), ("SLURM_LOCALID", "1"));
        Assert.That(SlurmAllocation.Read(env)!.Binding, Is.EqualTo("mask_cpu: 0x3,0xC (this task: CPUs 2-3)"));
    }

    [TestCase("0x3", "0-1")]
    [TestCase("0xC", "2-3")]
    [TestCase("5", "0,2")]
    [TestCase("0x100000001", "0,32")]
    [TestCase("0x0", null)]
    [TestCase("0xZ", null)]
    [TestCase("", null)]
    public void MasksNameTheirCpus(string mask, string? cpus)
    {
        Assert.That(SlurmAllocation.CpusOfMask(mask), Is.EqualTo(cpus));
    }

    [Test]
    public void OneCpuIsNamedSo()
    {
        var env = Env(("SLURM_JOB_ID", "7"), ("SLURM_CPU_BIND_TYPE", "mask_cpu:"), ("SLURM_CPU_BIND_LIST", "0x1,0x2"), ("SLURM_LOCALID", "1"));
        Assert.That(SlurmAllocation.Read(env)!.Binding, Is.EqualTo("mask_cpu: 0x1,0x2 (this task: CPU 1)"));
    }

    [Test]
    public void AnOddBindListIsShownAsGivenWithANote()
    {
        var env = Env(("SLURM_JOB_ID", "7"), ("SLURM_CPU_BIND_TYPE", "mask_cpu:"), ("SLURM_CPU_BIND_LIST", "zz"));
        Assert.That(SlurmAllocation.Read(env)!.Binding, Is.EqualTo("mask_cpu: zz (not a CPU mask interop reads)"));
    }

    [Test]
    public void AMalformedJobCpusPerNodeIsAUsageErrorWhereItIsRead()
    {
        var env = Env(("SLURM_JOB_ID", "7"), ("SLURM_JOB_CPUS_PER_NODE", "2(x3)1"));
        var e = Assert.Throws<UsageException>(() => SlurmAllocation.Read(env));
        Assert.That(e!.Message, Does.StartWith("SLURM_JOB_CPUS_PER_NODE='2(x3)1' is not"));
        Assert.That(ThreadCount.Resolve(null, env, 2).Threads, Is.EqualTo(2), "the thread count does not read it");
    }

    [Test]
    public void TooManyThreadsForTheAllocationIsOneWarning()
    {
        // OMP_NUM_THREADS=8 under srun -c 2: the allocation's warning, not also the mask's.
        var env = Env([.. SrunOneTaskTwoCpus, ("OMP_NUM_THREADS", "8"), ("OPENBLAS_NUM_THREADS", "1")]);
        string[] warnings = [.. Interop.Cli.EnvCommand.Warnings(ThreadCount.Resolve(null, env, 2), env, 2)];
        Assert.That(warnings, Is.EqualTo(new[]
        {
            "8 threads (from OMP_NUM_THREADS) but the Slurm allocation gives this task 2 CPU(s) (from SLURM_CPUS_PER_TASK): threads will share CPUs",
        }));
    }

    [Test]
    public void ThreadsWithinTheAllocationGiveNoWarning()
    {
        var env = Env([.. SrunOneTaskTwoCpus, ("OPENBLAS_NUM_THREADS", "1")]);
        Assert.That(Interop.Cli.EnvCommand.Warnings(ThreadCount.Resolve(null, env, 2), env, 2), Is.Empty);
    }

    [Test]
    public void TheNodesShareIsWarnedAboutToo()
    {
        var env = Env(("SLURM_JOB_ID", "9"), ("SLURM_STEP_ID", "0"), ("SLURM_CPUS_ON_NODE", "4"), ("SLURM_STEP_TASKS_PER_NODE", "2"), ("OPENBLAS_NUM_THREADS", "1"));
        string[] warnings = [.. Interop.Cli.EnvCommand.Warnings(ThreadCount.Resolve(3, env, 8), env, 8)];
        Assert.That(warnings, Is.EqualTo(new[]
        {
            "3 threads (from --threads) but the Slurm allocation gives this task 2 CPU(s) (from SLURM_CPUS_ON_NODE=4 / 2 tasks on this node): threads will share CPUs",
        }));
    }

    [Test]
    public void TheEnvBlockSaysWhatSlurmGave()
    {
        var facts = Interop.Cli.EnvCommand.SlurmFacts(SlurmAllocation.Read(Env(SrunOneTaskTwoCpus))!).ToDictionary();
        Assert.That(facts.Keys, Is.EqualTo(new[] { "job_id", "step", "tasks", "cpus_per_task", "cpus_on_node", "job_cpus_per_node", "nodes", "binding", "cpus_for_this_task" }));
        Assert.That(facts["tasks"], Is.EqualTo("1 (1 sharing this node)"));
        Assert.That(facts["cpus_for_this_task"], Is.EqualTo("2 (from SLURM_CPUS_PER_TASK)"));
    }

    [TestCase("vm", "vm")]
    [TestCase("n[1-2]", "n1 n2")]
    [TestCase("n[1-2,5],gpu[01-02]", "n1 n2 n5 gpu01 gpu02")]
    [TestCase("n[8-10]", "n8 n9 n10")]
    [TestCase("n[098-101]-ib", "n098-ib n099-ib n100-ib n101-ib")]
    [TestCase("r[1-2]n[1-2]", "r1n1 r1n2 r2n1 r2n2")]
    [TestCase("a,b-c,d", "a b-c d")]
    public void HostListsExpandAsSlurmWritesThem(string list, string hosts)
    {
        Assert.That(SlurmAllocation.ExpandHostList(list), Is.EqualTo(hosts.Split(' ')));
    }

    [TestCase("")]
    [TestCase("n[1-2")]
    [TestCase("n1-2]")]
    [TestCase("n[2-1]")]
    [TestCase("n[]")]
    [TestCase("n[1-x]")]
    [TestCase("n[[1]]")]
    [TestCase("a,,b")]
    [TestCase("n[1-3-5]")]
    [TestCase("n[0-2000000]")]
    public void OddHostListsAreNotExpanded(string list)
    {
        Assert.That(SlurmAllocation.ExpandHostList(list), Is.Null);
    }

    [TestCase("n[1-2]", "n[1-2] (n1, n2)")]
    [TestCase("vm", "vm")]
    [TestCase("n[1-100]", "n[1-100] (100 nodes)")]
    [TestCase("n[1-", "n[1- (not a host list interop expands)")]
    public void TheNodesAreShownAsGivenAndExpandedWhenFew(string list, string shown)
    {
        Assert.That(SlurmAllocation.Read(Env(("SLURM_JOB_ID", "1"), ("SLURM_JOB_NODELIST", list)))!.NodesShown, Is.EqualTo(shown));
    }
}
