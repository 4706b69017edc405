using System.CommandLine;
using System.Diagnostics;
using Interop.Cli;
using Interop.Cli.Jobs;
using MpiRun = Interop.Tests.HybridPiTests.Mpi;

namespace Interop.Tests;

/// <summary>
/// The start-up handshake under a real `mpiexec`: ranks launched with different commands or options
/// stop at once with one line naming the difference, a usage error on one rank is printed, every
/// wait is bounded (INTEROP_MPI_TIMEOUT), and ranks waiting for rank 0 sleep instead of spinning.
/// Every run is bounded (a regression fails, it cannot hang CI).
/// </summary>
[NonParallelizable]
public sealed class MpiMismatchTests
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(45);

    private static string Driver => TestEnvironment.DriverPath;

    private static (int Code, string Out, string Err) RunMpmd(params string[][] commands)
    {
        using Process process = MpiRun.Launch([.. commands.SelectMany((c, i) => (string[])[.. i == 0 ? [] : new[] { ":" }, "-n", "1", Driver, .. c])]);
        return MpiRun.Finish(process, string.Join(" : ", commands.Select(c => string.Join(' ', c))), Prompt);
    }

    private static string[] InteropLines(string stderr) =>
        [.. stderr.Split('\n').Where(l => l.StartsWith("interop", StringComparison.Ordinal))];

    // Before the handshake, pi:inv hung until killed and pi:env ended with .NET's "Arithmetic
    // operation resulted in an overflow": the ranks met in unrelated collectives.
    [TestCase("pi --darts 1e6 --repeat 1", "inv --size 100 --repeat 1")]
    [TestCase("pi --darts 1e6 --repeat 1", "env")]
    [TestCase("inv --size 100 --repeat 1", "env")]
    [TestCase("env", "compare --workload pi --quick")]
    public void RanksWithDifferentCommandsStopAtOnceWithOneLine(string first, string second)
    {
        var run = RunMpmd(first.Split(' '), second.Split(' '));
        Assert.That(run.Code, Is.EqualTo(2), run.Err);
        string[] lines = InteropLines(run.Err);
        Assert.That(lines, Has.Length.EqualTo(1), run.Err);
        Assert.That(lines[0], Does.StartWith("interop: ranks disagree on the command: ")
            .And.Contain($"rank 0 runs 'interop {first}'").And.Contain($"rank 1 runs 'interop {second}'"));
        Assert.That(run.Out, Is.Empty);
    }

    [TestCase("pi --darts 1e6 --repeat 1", "pi --darts 2e6 --repeat 1", "--darts: '1e6' on rank 0, '2e6' on rank 1")]
    [TestCase("inv --size 100 --repeat 1", "inv --n 120 --repeat 1", "--size: '100' on rank 0, '120' on rank 1")]
    [TestCase("inv --size 100 --repeat 1", "inv --size 100 --repeat 1 --threads 2", "--threads: not given on rank 0, '2' on rank 1")]
    [TestCase("pi --darts 1e6 --backend c-openmp", "pi -d 1e6 --backend managed-serial", "--backend: 'c-openmp' on rank 0, 'managed-serial' on rank 1")]
    [TestCase("pi --darts 1e6 --seed 1", "pi --darts 1e6 --seed 2", "--seed: '1' on rank 0, '2' on rank 1")]
    public void RanksWithDifferentWorkloadOptionsStopNamingTheDifference(string first, string second, string difference)
    {
        var run = RunMpmd(first.Split(' '), second.Split(' '));
        Assert.That(run.Code, Is.EqualTo(2), run.Err);
        string[] lines = InteropLines(run.Err);
        Assert.That(lines, Has.Length.EqualTo(1), run.Err);
        Assert.That(lines[0], Does.StartWith($"interop: ranks disagree on {difference}"));
    }

    [Test]
    public void TheSameOptionsInAnotherOrderOrAliasAgree()
    {
        var run = RunMpmd(["pi", "--darts", "1e5", "--repeat", "1", "--backend", "c-openmp"], ["pi", "--backend", "c-openmp", "1e5", "-r", "1"]);
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(run.Out, Does.Contain("2 ranks"));
    }

    [Test]
    public void AUsageErrorOnOneRankIsPrintedOnceWithItsRank()
    {
        // It used to be lost: rank 1 exited 2 before MPI started, and only OpenMPI's boxes remained.
        var run = RunMpmd(["pi", "--darts", "1e6"], ["pi", "--darts", "0"]);
        Assert.That(run.Code, Is.EqualTo(2), run.Err);
        string[] lines = InteropLines(run.Err);
        Assert.That(lines, Has.Length.EqualTo(1), run.Err);
        Assert.That(lines[0], Does.StartWith("interop on rank 1 of 2: --darts 0 is out of range"));
    }

    [Test]
    public void AUsageErrorOnEveryRankIsPrintedOnce()
    {
        var run = MpiRun.Run(3, [Driver, "inv", "--size", "abc"]);
        Assert.That(run.Code, Is.EqualTo(2), run.Err);
        string[] lines = InteropLines(run.Err);
        Assert.That(lines, Has.Length.EqualTo(1), run.Err);
        Assert.That(lines[0], Does.StartWith("interop: ").And.Contain("--size"));
    }

    [Test]
    public void AnUnknownCommandUnderMpiexecIsNamedOnce()
    {
        var run = MpiRun.Run(2, [Driver, "frobnicate"]);
        Assert.That(run.Code, Is.EqualTo(2), run.Err);
        string[] lines = InteropLines(run.Err);
        Assert.That(lines, Has.Length.EqualTo(1), run.Err);
        Assert.That(lines[0], Does.StartWith("interop: unknown command 'frobnicate'").And.Contain(string.Join(", ", global::Interop.Cli.Driver.CommandNames)));
    }

    [Test]
    public void HelpUnderMpiexecIsPrintedOnce()
    {
        var run = MpiRun.Run(2, [Driver, "pi", "--help"]);
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(run.Out.Split('\n').Count(l => l.StartsWith("Usage:", StringComparison.Ordinal)), Is.EqualTo(1), run.Out);
    }

    [Test]
    public void AWaitPastTheLimitEndsTheJobWithTheReason()
    {
        // Rank 0 inverts for several seconds; rank 1 may wait 1 s for it.
        var watch = Stopwatch.StartNew();
        using Process process = MpiRun.Launch(
            ["-n", "2", Driver, "inv", "--size", "1500", "--backend", "managed-serial", "--repeat", "1"],
            environment: new Dictionary<string, string> { ["INTEROP_MPI_TIMEOUT"] = "1" });
        var run = MpiRun.Finish(process, "inv with INTEROP_MPI_TIMEOUT=1", Prompt);
        Assert.That(run.Code, Is.EqualTo(1), run.Err);
        // The limit names itself, what waited and for whom (issue 20, class 16).
        Assert.That(run.Err, Does.Contain("interop: error on rank 1 of 2: the INTEROP_MPI_TIMEOUT of 1 s expired while MPI_Bcast waited for rank 0 (still computing, failed or hung; set INTEROP_MPI_TIMEOUT=SECONDS to wait longer)"));
        Assert.That(watch.Elapsed, Is.LessThan(Prompt));
    }

    [Test]
    public void AnInvalidWaitLimitIsAUsageError()
    {
        using Process process = MpiRun.Launch(["-n", "2", Driver, "pi", "--darts", "1e5"], environment: new Dictionary<string, string> { ["INTEROP_MPI_TIMEOUT"] = "soon" });
        var run = MpiRun.Finish(process, "pi with INTEROP_MPI_TIMEOUT=soon", Prompt);
        Assert.That(run.Code, Is.EqualTo(2), run.Err);
        string[] lines = InteropLines(run.Err);
        Assert.That(lines, Has.Length.EqualTo(1), run.Err);
        Assert.That(lines[0], Does.StartWith("interop: INTEROP_MPI_TIMEOUT must be").And.Contain("'soon'"));
    }

    [Test]
    public void RanksWaitingForRankZeroSleep()
    {
        // `inv` runs on rank 0 alone; rank 1 waits for its exit code. Rank 1's CPU time is sampled
        // from /proc while the job runs: its least busy 2 s stretch (the wait, after its start-up)
        // must use under 10 % of a CPU. OpenMPI's blocking collectives polled at full speed there
        // (about 50-100 % of a CPU, still above 15 % with 10 other processes on these 2 cores).
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("samples /proc");
        }

        var watch = Stopwatch.StartNew();
        using Process mpiexec = MpiRun.Launch(["-n", "2", Driver, "inv", "--size", "2000", "--backend", "managed-serial", "--repeat", "3"]);
        Task<string> stdout = mpiexec.StandardOutput.ReadToEndAsync();
        Task<string> stderr = mpiexec.StandardError.ReadToEndAsync();
        var samples = new List<(double Seconds, double Cpu)>();
        Process? rank1 = null;
        try
        {
            while (!mpiexec.HasExited && watch.Elapsed < TimeSpan.FromSeconds(120))
            {
                rank1 ??= FindRank(mpiexec.Id, 1);
                if (rank1 is not null && CpuSeconds(rank1) is double cpu)
                {
                    samples.Add((watch.Elapsed.TotalSeconds, cpu));
                }

                Thread.Sleep(200);
            }

            if (!mpiexec.WaitForExit(TimeSpan.FromSeconds(1)))
            {
                mpiexec.Kill(entireProcessTree: true);
                Assert.Fail("mpiexec inv did not finish within 120 s");
            }
        }
        finally
        {
            rank1?.Dispose();
        }

        Assert.That(mpiexec.ExitCode, Is.Zero, stderr.Result);
        Assert.That(stdout.Result, Does.Contain("managed-serial"));
        double? least = LeastBusy(samples, 2.0);
        if (least is null)
        {
            Assert.Inconclusive($"rank 0 finished too soon to sample a 2 s wait ({samples.Count} samples)");
        }

        TestContext.Out.WriteLine($"rank 1 waiting: {100 * least:F1} % of a CPU at least busy 2 s ({samples.Count} samples over {watch.Elapsed.TotalSeconds:F1} s)");
        Assert.That(least, Is.LessThan(0.10), $"rank 1 used {100 * least:F0} % of a CPU while it waited for rank 0");
    }

    // The least CPU per second over any stretch of at least `span` seconds between samples.
    private static double? LeastBusy(List<(double Seconds, double Cpu)> samples, double span)
    {
        double? least = null;
        for (int i = 0; i < samples.Count; i++)
        {
            int j = samples.FindIndex(i, s => s.Seconds - samples[i].Seconds >= span);
            if (j < 0)
            {
                break;
            }

            double rate = (samples[j].Cpu - samples[i].Cpu) / (samples[j].Seconds - samples[i].Seconds);
            least = least is null ? rate : Math.Min(least.Value, rate);
        }

        return least;
    }

    private static double? CpuSeconds(Process process)
    {
        try
        {
            process.Refresh();
            return process.HasExited ? null : process.TotalProcessorTime.TotalSeconds;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    // The interop process of MPI rank `rank` among mpiexec's descendants (OMPI_COMM_WORLD_RANK in its environment).
    private static Process? FindRank(int mpiexec, int rank)
    {
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }

            try
            {
                if (!DescendsFrom(pid, mpiexec) || !File.ReadAllText($"{dir}/cmdline").Contains("interop", StringComparison.Ordinal))
                {
                    continue;
                }

                if (File.ReadAllText($"{dir}/environ").Split('\0').Contains($"OMPI_COMM_WORLD_RANK={rank}"))
                {
                    return Process.GetProcessById(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
            }
        }

        return null;
    }

    private static bool DescendsFrom(int pid, int ancestor)
    {
        for (int depth = 0; depth < 8 && pid > 1; depth++)
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            pid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            if (pid == ancestor)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>The handshake's verdict and the command-line text it compares, without MPI.</summary>
public sealed class HandshakeVerdictTests
{
    private static RankReport Ok(params string[] args) => new(0, Line(args), string.Empty);

    private static CommandLineText Line(params string[] args)
    {
        var root = new RootCommand();
        var pi = new Command("pi") { new Option<string>("--darts", "-d"), new Option<string>("--threads", "-t"), new Option<bool>("--json") };
        var inv = new Command("inv") { new Option<string>("--size") };
        var env = new Command("env") { new Option<string>("--threads", "-t") };
        var compare = new Command("compare") { new Option<string>("--threads", "-t") };
        root.Subcommands.Add(pi);
        root.Subcommands.Add(inv);
        root.Subcommands.Add(env);
        root.Subcommands.Add(compare);
        return CommandLineText.Of(root.Parse(args));
    }

    [Test]
    public void TheTextIsCanonicalWhateverTheOrderAndAlias()
    {
        Assert.That(Line("pi", "-t", "2", "-d", "1e6").ToString(), Is.EqualTo("interop pi --darts 1e6 --threads 2"));
        Assert.That(Line("pi", "--threads", "2", "--darts", "1e6", "--json").ToString(), Is.EqualTo("interop pi --darts 1e6 --threads 2 --json"));
        Assert.That(Line("pi", "--darts", "a b").ToString(), Is.EqualTo("interop pi --darts 'a b'"));
    }

    [Test]
    public void ReportsSurviveTheWire()
    {
        var report = new RankReport(2, Line("pi", "--darts", "x\ny", "--json"), "bad\tline");
        RankReport back = RankReport.Decode(report.Encode());
        Assert.That(back.Status, Is.EqualTo(2));
        Assert.That(back.Message, Is.EqualTo("bad line"));
        Assert.That(back.Line.ToString(), Is.EqualTo("interop pi --darts 'x y' --json"));
        Assert.That(RankReport.Decode([1, 2, 3]).Line.Command, Does.Contain("not an interop"));
    }

    [Test]
    public void AgreementIsSilent()
    {
        Assert.That(HandshakeVerdict.Of([Ok("pi", "-d", "5"), Ok("pi", "--darts", "5"), Ok("pi", "-d", "5")]), Is.EqualTo(HandshakeVerdict.Agreed));
    }

    [Test]
    public void DifferentCommandsGroupTheirRanks()
    {
        var verdict = HandshakeVerdict.Of([Ok("pi"), Ok("pi"), Ok("pi"), Ok("inv", "--size", "5")]);
        Assert.That(verdict.Code, Is.EqualTo(2));
        Assert.That(verdict.Line, Is.EqualTo("interop: ranks disagree on the command: ranks 0-2 run 'interop pi', rank 3 runs 'interop inv --size 5'; every rank must run the same command with the same options"));
    }

    [Test]
    public void EveryDifferingOptionIsNamed()
    {
        var verdict = HandshakeVerdict.Of([Ok("pi", "-d", "5"), Ok("pi", "-d", "6", "-t", "2"), Ok("pi", "-d", "5")]);
        Assert.That(verdict.Line, Is.EqualTo("interop: ranks disagree on --darts: '5' on ranks 0,2, '6' on rank 1; on --threads: not given on ranks 0,2, '2' on rank 1; every rank must run the same command with the same options"));
    }

    [Test]
    public void UsageErrorsComeFirstWithTheirRank()
    {
        var usage = new RankReport(2, Line("pi"), "--darts 0 is out of range");
        var failure = new RankReport(1, Line("pi"), "no library");
        Assert.That(HandshakeVerdict.Of([Ok("inv"), usage, failure]), Is.EqualTo(new HandshakeVerdict(2, "interop on rank 1 of 3: --darts 0 is out of range")));
        Assert.That(HandshakeVerdict.Of([usage, usage]), Is.EqualTo(new HandshakeVerdict(2, "interop: --darts 0 is out of range")));
        Assert.That(HandshakeVerdict.Of([usage, new RankReport(2, Line("pi"), "other"), usage]).Line, Is.EqualTo("interop on ranks 0,2 of 3: --darts 0 is out of range (and other errors on rank 1)"));
        Assert.That(HandshakeVerdict.Of([Ok("pi"), failure]), Is.EqualTo(new HandshakeVerdict(1, "interop: error on rank 1 of 2: no library")));
    }

    [TestCase("", 86400.0)]
    [TestCase("2", 2.0)]
    [TestCase("1", 1.0)]
    [TestCase("1.5", 1.5)]
    public void TheWaitLimitComesFromTheVariable(string text, double seconds) =>
        Assert.That(JobLaunch.ParseWaitLimit(text, out _), Is.EqualTo(TimeSpan.FromSeconds(seconds)));

    [TestCase("0")]
    [TestCase("-1")]
    [TestCase("soon")]
    [TestCase("1e99")]
    [TestCase("0.001")] // below the 1 s minimum (issue 20, class 16)
    [TestCase("0.999")]
    public void ABadWaitLimitIsNamed(string text)
    {
        Assert.That(JobLaunch.ParseWaitLimit(text, out string? problem), Is.Null);
        Assert.That(problem, Does.StartWith("INTEROP_MPI_TIMEOUT must be").And.Contain("from 1 to 1e7").And.Contain($"'{text}'"));
    }

    // Issue 20's class 9 refused equal command lines whose environments give different thread
    // counts; issue 24 declares them a heterogeneous job for the commands that run one.
    [Test]
    public void DifferentThreadCountsFromTheEnvironmentAreAHeterogeneousJob()
    {
        RankReport With(int threads, string source, string command = "pi") =>
            new(0, Line(command, "-d", "5") with { EnvironmentThreads = new Interop.Core.ThreadChoice(threads, source) }, string.Empty);
        var verdict = HandshakeVerdict.Of([With(1, "OMP_NUM_THREADS"), With(2, "OMP_NUM_THREADS"), With(2, "available CPUs")]);
        Assert.That(verdict.Code, Is.Zero);
        Assert.That(verdict.Line, Is.Null);
        Assert.That(verdict.Threads, Is.Not.Null);
        Assert.That(verdict.Threads!.At(0), Is.EqualTo(new[] { 1, 2, 2 }));
        Assert.That(verdict.Threads.Describe(), Is.EqualTo("1 thread on rank 0, 2 on ranks 1-2 (from OMP_NUM_THREADS, available CPUs)"));
        Assert.That(HandshakeVerdict.Of([With(2, "OMP_NUM_THREADS"), With(2, "available CPUs")]), Is.EqualTo(HandshakeVerdict.Agreed));

        // A command that runs no heterogeneous job (env, sweep) keeps the refusal.
        RankReport Env(int threads) => new(0, Line("env") with { EnvironmentThreads = new Interop.Core.ThreadChoice(threads, "OMP_NUM_THREADS") }, string.Empty);
        var refused = HandshakeVerdict.Of([Env(1), Env(2)]);
        Assert.That(refused.Code, Is.EqualTo(2));
        Assert.That(refused.Line, Is.EqualTo(
            "interop: ranks would run different thread counts: 1 (from OMP_NUM_THREADS) on rank 0, 2 (from OMP_NUM_THREADS) on rank 1; " +
            "every rank must run the same number (set OMP_NUM_THREADS alike on every rank, or give --threads)"));

        // Through the wire, as the ranks exchange them.
        RankReport back = RankReport.Decode(With(3, "SLURM_CPUS_PER_TASK").Encode());
        Assert.That(back.Line.EnvironmentThreads, Is.EqualTo(new Interop.Core.ThreadChoice(3, "SLURM_CPUS_PER_TASK")));
        Assert.That(RankReport.Decode(new RankReport(0, Line("pi", "-t", "2"), string.Empty).Encode()).Line.EnvironmentThreads, Is.Null);
    }

    [Test]
    public void LinesThatDifferOnlyInThreadsAreAHeterogeneousJob()
    {
        var verdict = HandshakeVerdict.Of([Ok("pi", "-d", "5", "-t", "2"), Ok("pi", "--darts", "5", "--threads", "1"), Ok("pi", "-d", "5", "-t", "1")]);
        Assert.That(verdict.Code, Is.Zero);
        Assert.That(verdict.Line, Is.Null);
        Assert.That(verdict.Threads!.At(0), Is.EqualTo(new[] { 2, 1, 1 }));
        Assert.That(verdict.Threads.Describe(), Is.EqualTo("2 threads on rank 0, 1 on ranks 1-2 (from --threads)"));

        // compare's lists pair by position, each as compare reads it (sorted, without repeats).
        var lists = HandshakeVerdict.Of([Ok("compare", "-t", "1,2"), Ok("compare", "-t", "4,2,2")]);
        Assert.That(lists.Code, Is.Zero, lists.Line);
        Assert.That(lists.Threads!.At(1), Is.EqualTo(new[] { 2, 4 }));
        Assert.That(lists.Threads.Describe(), Is.EqualTo("threads 1,2 on rank 0, 2,4 on rank 1 (from --threads)"));
    }

    [Test]
    public void EveryOtherThreadDifferenceIsStillRefused()
    {
        // Given on some ranks only: the others' counts would come from their environments, unstated.
        Assert.That(HandshakeVerdict.Of([Ok("pi", "-t", "2"), Ok("pi")]).Line, Is.EqualTo(
            "interop: ranks disagree on --threads: '2' on rank 0, not given on rank 1; every rank must run the same command with the same options"));

        // --threads and another option.
        Assert.That(HandshakeVerdict.Of([Ok("pi", "-d", "5", "-t", "2"), Ok("pi", "-d", "6", "-t", "1")]).Line, Is.EqualTo(
            "interop: ranks disagree on --darts: '5' on rank 0, '6' on rank 1; on --threads: '2' on rank 0, '1' on rank 1; every rank must run the same command with the same options"));

        // Lists of different lengths cannot be paired (a count beside a list included).
        var unpaired = HandshakeVerdict.Of([Ok("compare", "-t", "1,2"), Ok("compare", "-t", "1"), Ok("compare", "-t", "1,2")]);
        Assert.That(unpaired.Code, Is.EqualTo(2));
        Assert.That(unpaired.Line, Is.EqualTo(
            "interop: ranks disagree on --threads: '1,2' on ranks 0,2, '1' on rank 1; the ranks of a heterogeneous job pair their --threads lists by position, so every rank must give as many counts"));

        // A command that runs no heterogeneous job.
        Assert.That(HandshakeVerdict.Of([Ok("env", "-t", "2"), Ok("env", "-t", "1")]).Line, Is.EqualTo(
            "interop: ranks disagree on --threads: '2' on rank 0, '1' on rank 1; every rank must run the same command with the same options"));

        // compare's default list grows with the environment's count: different counts need --threads lists.
        RankReport Compare(int threads) => new(0, Line("compare") with { EnvironmentThreads = new Interop.Core.ThreadChoice(threads, "OMP_NUM_THREADS") }, string.Empty);
        Assert.That(HandshakeVerdict.Of([Compare(1), Compare(2)]).Line, Does.StartWith("interop: ranks would run different thread counts: "));
    }

    [Test]
    public void OnlyACommandThatRunsWithoutThreadsGivenReportsItsEnvironmentsCount()
    {
        Assert.That(Line("pi", "-d", "5").EnvironmentThreads, Is.Not.Null);
        Assert.That(Line("pi", "-d", "5", "-t", "2").EnvironmentThreads, Is.Null);
        Assert.That(Line("inv", "--size", "5").EnvironmentThreads, Is.Null); // this test's inv takes no --threads
        Assert.That(Line("pi", "--help").EnvironmentThreads, Is.Null);
    }
}
