using System.Diagnostics;
using System.Text.Json;
using Interop.Cli;

namespace Interop.Tests;

/// <summary>
/// The built driver under a real `mpiexec` (OpenMPI): hybrid ranks x threads give exactly the
/// single-process counts, only rank 0 prints, and a failing rank ends the job quickly.
/// </summary>
[NonParallelizable]
public sealed class HybridPiTests
{
    private const string Darts = "10000003";

    private static long SingleProcessInside(string backend)
    {
        var stdout = new StringWriter();
        int code = Driver.Run(["pi", "--darts", Darts, "--backend", backend, "--repeat", "1", "--json"], stdout, TextWriter.Null);
        Assert.That(code, Is.Zero);
        using JsonDocument doc = JsonDocument.Parse(stdout.ToString());
        return doc.RootElement.GetProperty("points")[0].GetProperty("inside").GetInt64();
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void RanksTimesThreadsCountExactlyWhatOneProcessCounts(int ranks)
    {
        long expected = SingleProcessInside("c-openmp");
        foreach (string threads in new[] { "1", "2" })
        {
            var run = Mpi.Run(ranks, [TestEnvironment.DriverPath, "pi", "--darts", Darts, "--backend", "all", "--threads", threads, "--repeat", "1", "--json"]);
            Assert.That(run.Code, Is.Zero, run.Err);
            using JsonDocument doc = JsonDocument.Parse(run.Out); // rank 0 alone printed: one document
            foreach (JsonElement r in doc.RootElement.GetProperty("points").EnumerateArray())
            {
                Assert.That(r.GetProperty("inside").GetInt64(), Is.EqualTo(expected), $"{r.GetProperty("backend")} with {ranks} ranks x {threads} threads");
                Assert.That(r.GetProperty("ranks").GetInt32(), Is.EqualTo(ranks));
                Assert.That(r.GetProperty("rank_compute_seconds").GetArrayLength(), Is.EqualTo(ranks));
            }
        }
    }

    [Test]
    public void TheTableComesFromRankZeroOnly()
    {
        var run = Mpi.Run(3, [TestEnvironment.DriverPath, "pi", "--darts", Darts, "--backend", "c-openmp,managed-parallel", "--threads", "1", "--repeat", "1"]);
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(run.Out.Split('\n').Count(l => l.StartsWith("Monte Carlo pi:", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(run.Out, Does.Contain("3 ranks").And.Contain("imbalance"));
    }

    [Test]
    public void AFailureOnOneRankEndsTheWholeJobQuickly()
    {
        // Rank 1 forces another instruction-set path through the environment (not the command
        // line, which the start-up handshake compares): it fails after MPI started, in the check of
        // the resolved workload, and must abort the job.
        var watch = Stopwatch.StartNew();
        var run = Mpi.RunMpmd(
            [TestEnvironment.DriverPath, "pi", "--darts", "1e6", "--repeat", "1"],
            ["env", "INTEROP_ISA=scalar", TestEnvironment.DriverPath, "pi", "--darts", "1e6", "--repeat", "1"]);
        Assert.That(run.Code, Is.Not.Zero);
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)));
        Assert.That(run.Err, Does.Contain("on rank 1 of 2").And.Contain("differ from rank 0"));
    }

    [Test]
    public void InversionUnderSeveralRanksRunsOnRankZero()
    {
        var run = Mpi.Run(2, [TestEnvironment.DriverPath, "inv", "--size", "50", "--backend", "c-openmp", "--repeat", "1", "--json"]);
        Assert.That(run.Code, Is.Zero, run.Err);
        using JsonDocument doc = JsonDocument.Parse(run.Out);
        Assert.That(doc.RootElement.GetProperty("points")[0].GetProperty("verified").GetBoolean(), Is.True);
    }

    [TestCase("pi", "--darts", "1000")]
    [TestCase("inv", "--size", "50")]
    public void JsonUnderMpiexecParsesWithTheTerminalOfAnInteractiveShell(params string[] args)
    {
        // mpiexec gives every rank a pseudo-terminal; with TERM=xterm .NET's console streams used to
        // write the keypad-mode sequence ESC[?1h ESC= into stdout before the document.
        var run = Mpi.Run(2, [TestEnvironment.DriverPath, .. args, "--repeat", "1", "--json"], term: "xterm");
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(run.Out, Does.Not.Contain("\u001b"));
        using JsonDocument doc = JsonDocument.Parse(run.Out);
        Assert.That(doc.RootElement.GetProperty("points").GetArrayLength(), Is.GreaterThan(0));

        // And with Python's json module, as users read it.
        var python = new ProcessStartInfo("python3", ["-c", "import json, sys; json.load(sys.stdin)"]) { RedirectStandardInput = true, RedirectStandardError = true };
        using var process = Process.Start(python)!;
        process.StandardInput.Write(run.Out);
        process.StandardInput.Close();
        string pythonError = process.StandardError.ReadToEnd();
        Assert.That(process.WaitForExit(TimeSpan.FromSeconds(30)) && process.ExitCode == 0, Is.True, pythonError);
    }

    /// <summary>mpiexec with the settings that work as root, in containers and in CI (see docs/mpi.md, "Open MPI settings").</summary>
    internal static class Mpi
    {
        public static (int Code, string Out, string Err) Run(int ranks, string[] command, string term = "dumb", IReadOnlyDictionary<string, string>? environment = null) =>
            Start(["-n", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), .. command], term, environment);

        /// <summary>One rank per command line (MPMD: `mpiexec -n 1 A : -n 1 B ...`).</summary>
        public static (int Code, string Out, string Err) RunMpmd(params string[][] commands) =>
            Start([.. commands.SelectMany((c, i) => (string[])[.. i == 0 ? [] : new[] { ":" }, "-n", "1", .. c])], "dumb", null);

        /// <summary>Starts mpiexec without waiting for it (see <see cref="Finish"/>).</summary>
        /// <summary>
        /// OpenMPI's settings for the tests: root may run it (CI runs as root), shared memory
        /// without the single-copy mechanism containers refuse, and no UCX probing.
        /// </summary>
        public static IReadOnlyDictionary<string, string> OpenMpiSettings { get; } = new Dictionary<string, string>
        {
            ["OMPI_ALLOW_RUN_AS_ROOT"] = "1",
            ["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1",
            ["OMPI_MCA_btl"] = "self,vader",
            ["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none",
            ["OMPI_MCA_pml"] = "ob1",
            ["OMPI_MCA_osc"] = "^ucx",
        };

        public static Process Launch(string[] arguments, string term = "dumb", IReadOnlyDictionary<string, string>? environment = null)
        {
            var info = new ProcessStartInfo("mpiexec") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            foreach (string a in (string[])["--oversubscribe", "--bind-to", "none", .. arguments])
            {
                info.ArgumentList.Add(a);
            }

            foreach ((string name, string value) in OpenMpiSettings)
            {
                info.Environment[name] = value;
            }

            info.Environment["TERM"] = term;
            foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
            {
                info.Environment[name] = value;
            }

            var process = Process.Start(info)!;
            process.StandardInput.Close();
            return process;
        }

        /// <summary>Waits for a <see cref="Launch"/>ed mpiexec at most <paramref name="limit"/>; kills it and fails the test past that.</summary>
        public static (int Code, string Out, string Err) Finish(Process process, string what, TimeSpan limit)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(limit))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"mpiexec {what} did not finish within {limit.TotalSeconds:0} s");
            }

            return (process.ExitCode, stdout.Result, stderr.Result);
        }

        private static (int Code, string Out, string Err) Start(string[] arguments, string term, IReadOnlyDictionary<string, string>? environment)
        {
            using Process process = Launch(arguments, term, environment);
            return Finish(process, string.Join(' ', arguments), TimeSpan.FromSeconds(120));
        }
    }
}
