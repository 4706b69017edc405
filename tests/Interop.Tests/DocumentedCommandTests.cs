using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// Every command line in the code blocks of README.md and the pages docs/*.md runs here, as written, each
/// its own test case (named by file, line and the command), in a new empty working folder, with
/// every size scaled down by INTEROP_SIZE_SCALE (not by sizes added to the line: a command that
/// crashes only with its default sizes must fail here too).
///
/// The conventions the documentation follows, read by <see cref="DocumentedCommands"/>:
/// - Code blocks labelled sh, bash, shell or not labelled at all hold commands; a block of output,
///   a usage synopsis or a file listing is labelled `text` (json, ... are not read either).
/// - A command line starts (after any VAR=value assignments) with interop, build/bin/interop,
///   mpiexec, mpirun, srun or sbatch; a line ending in `\` continues on the next. Other lines
///   (./build.sh, dotnet, #SBATCH directives, comments) are not run; `./build.sh &amp;&amp; X` runs X.
/// - A trailing comment may carry a marker at its start:
///     `# cluster ...`  the command needs more processes or nodes than a test machine has: it is
///                      checked, not run: its interop command alone, with `--dry-run --ranks R`
///                      (R from mpiexec's -n, srun's --ntasks or --nodes x --ntasks-per-node, or
///                      the #SBATCH lines of the same block), which parses and validates every
///                      option and their combination and prints what would run;
///     `# exit N ...`   the command is documented to fail with exit code N (default 0).
///   Any other comment is prose. A command under mpiexec with more than 2 ranks that is not
///   marked `# cluster` fails, asking for the marker.
/// - A command that forces an instruction-set path (`--isa avx512`) this CPU lacks is skipped,
///   with the reason (CI machines differ).
/// </summary>
[NonParallelizable]
public sealed class DocumentedCommandTests
{
    /// <summary>The scale the documented commands run at: a few seconds per compare on 2 cores.</summary>
    public const string Scale = "0.01";

    private const int MostRanksRun = 2;

    private static readonly string[] Programs = ["interop", "build/bin/interop", "mpiexec", "mpirun", "srun", "sbatch"];

    private static readonly string[] CommandBlockLabels = ["", "sh", "bash", "shell"];

    public static IEnumerable<TestCaseData> DocumentedCommands()
    {
        foreach (string file in DocumentationFiles())
        {
            string relative = Path.GetRelativePath(TestEnvironment.RepositoryRoot, file);
            foreach (DocumentedCommand command in Extract(File.ReadAllText(file), relative))
            {
                yield return new TestCaseData(command).SetArgDisplayNames($"{relative}:{command.Line} {command.Text}");
            }
        }
    }

    [TestCaseSource(nameof(DocumentedCommands))]
    public void RunsAsWritten(DocumentedCommand command)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("the documented commands are POSIX shell lines for Linux (bash, OpenMPI)");
        }

        if (Regex.Match(command.Text, @"--isa[ =](avx512|avx2|scalar)\b") is { Success: true } isa
            && !ManagedIsa.Supports(IsaNames.Parse(isa.Groups[1].Value, "--isa")))
        {
            Assert.Ignore($"this CPU has no {isa.Groups[1].Value} path");
        }

        string line = command.Text;
        if (command.Cluster)
        {
            line = DryRunLine(command);
        }
        else if (Ranks(command) is int ranks && ranks > MostRanksRun)
        {
            Assert.Fail($"{command.File}:{command.Line} runs {ranks} ranks: mark it '# cluster' (checked with --dry-run) or use at most {MostRanksRun}");
        }

        (int code, string stdout, string stderr) = RunInShell(line);
        string said = $"{command.File}:{command.Line}: {line}\nexit {code}\nstdout:\n{Tail(stdout)}\nstderr:\n{Tail(stderr)}";
        Assert.That(code, Is.EqualTo(command.ExpectedExit), said);
        Assert.That(stderr, Does.Not.Contain("   at ").And.Not.Contain("Unhandled exception"), said);
        if (command.Cluster)
        {
            Assert.That(stdout, Does.Contain("interop: dry run: would run"), said);
        }
    }

    [Test]
    public void EveryDocumentationFileIsReadAndTheReadmeHasCommands()
    {
        string[] files = [.. DocumentationFiles().Select(f => Path.GetRelativePath(TestEnvironment.RepositoryRoot, f))];
        Assert.That(files, Does.Contain("README.md"));
        Assert.That(Extract(File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "README.md")), "README.md"), Is.Not.Empty);
    }

    [Test]
    public void TheExtractorFollowsTheConventions()
    {
        const string markdown = """
            Prose `interop pi` is not a block.

            ```sh
            ./build.sh && build/bin/interop compare
            ./build.sh test
            dotnet test tests/Interop.Tests
            mpiexec -n 2 build/bin/interop pi --threads 1   # 2 ranks x 1 thread
            build/bin/interop inv \
                --size 5000 --bad   # exit 2: an unknown option
            ```

            ```text
            interop compare: pi and inv; output, not a command
            interop compare [--workload pi|inv|all]
            ```

            ```
            #!/bin/bash
            #SBATCH --nodes=4
            #SBATCH --ntasks-per-node=2
            srun --cpus-per-task=$SLURM_CPUS_PER_TASK build/bin/interop pi --darts 1e12   # cluster
            OMP_NUM_THREADS=2 interop env
            ```

            ```json
            { "interop": 1 }
            ```
            """;
        DocumentedCommand[] found = [.. Extract(markdown, "x.md")];
        Assert.That(found.Select(c => c.Text), Is.EqualTo(new[]
        {
            "build/bin/interop compare",
            "mpiexec -n 2 build/bin/interop pi --threads 1",
            "build/bin/interop inv --size 5000 --bad",
            "srun --cpus-per-task=$SLURM_CPUS_PER_TASK build/bin/interop pi --darts 1e12",
            "OMP_NUM_THREADS=2 interop env",
        }));
        Assert.That(found.Select(c => c.Line), Is.EqualTo(new[] { 4, 7, 8, 21, 22 }));
        Assert.That(found.Select(c => c.ExpectedExit), Is.EqualTo(new[] { 0, 0, 2, 0, 0 }));
        Assert.That(found.Select(c => c.Cluster), Is.EqualTo(new[] { false, false, false, true, false }));
        Assert.That(Ranks(found[1]), Is.EqualTo(2));
        Assert.That(DryRunLine(found[3]), Is.EqualTo("build/bin/interop pi --darts 1e12 --dry-run --ranks 8"));
    }

    [TestCase("mpiexec --hostfile hosts -n 16 --map-by ppr:2:node build/bin/interop inv --grid 4x4", "build/bin/interop inv --grid 4x4 --dry-run --ranks 16")]
    [TestCase("srun --nodes=8 --ntasks-per-node=2 --cpus-per-task=8 build/bin/interop inv --size 40000", "build/bin/interop inv --size 40000 --dry-run --ranks 16")]
    [TestCase("srun -n 6 interop pi", "interop pi --dry-run --ranks 6")]
    [TestCase("mpirun -np 3 interop compare --threads 1", "interop compare --threads 1 --dry-run --ranks 3")]
    public void ClusterLinesBecomeDryRunsOfTheirRanks(string text, string expected) =>
        Assert.That(DryRunLine(new DocumentedCommand("x.md", 1, text, true, 0, new Dictionary<string, string>())), Is.EqualTo(expected));

    /// <summary>README.md and every page directly under docs/ (docs/results/ holds reports a compare wrote, not pages).</summary>
    private static IEnumerable<string> DocumentationFiles()
    {
        string root = TestEnvironment.RepositoryRoot;
        string docs = Path.Combine(root, "docs");
        IEnumerable<string> pages = Directory.Exists(docs) ? Directory.EnumerateFiles(docs, "*.md", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal) : [];
        return [Path.Combine(root, "README.md"), .. pages];
    }

    /// <summary>The command lines of the code blocks of one markdown text (see the class summary for the conventions).</summary>
    internal static IEnumerable<DocumentedCommand> Extract(string markdown, string file)
    {
        string[] lines = markdown.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        for (int i = 0; i < lines.Length; i++)
        {
            Match fence = Regex.Match(lines[i], @"^\s*```\s*([A-Za-z0-9_+-]*)\s*$");
            if (!fence.Success)
            {
                continue;
            }

            bool commands = CommandBlockLabels.Contains(fence.Groups[1].Value.ToLowerInvariant());
            var block = new List<(int Line, string Text)>();
            for (i++; i < lines.Length && !Regex.IsMatch(lines[i], @"^\s*```\s*$"); i++)
            {
                block.Add((i + 1, lines[i]));
            }

            if (!commands)
            {
                continue;
            }

            var directives = new Dictionary<string, string>();
            foreach ((_, string text) in block)
            {
                if (Regex.Match(text.Trim(), @"^#SBATCH\s+(--[a-z-]+)(?:[= ](\S+))?") is { Success: true } d)
                {
                    directives[d.Groups[1].Value] = d.Groups[2].Value;
                }
            }

            for (int j = 0; j < block.Count; j++)
            {
                int first = block[j].Line;
                var joined = new StringBuilder();
                string text = block[j].Text;
                while (text.TrimEnd().EndsWith('\\') && j + 1 < block.Count)
                {
                    joined.Append(text.TrimEnd()[..^1].Trim()).Append(' ');
                    text = block[++j].Text;
                }

                joined.Append(text.Trim());
                (string command, string comment) = SplitComment(joined.ToString());
                // `./build.sh && X`: the build is not this test's to run; X is.
                string[] parts = [.. command.Split("&&").Select(p => p.Trim()).Where(p => p.Length > 0 && !p.StartsWith("./build.sh", StringComparison.Ordinal))];
                foreach (string part in parts.Where(IsCommand))
                {
                    Match exit = Regex.Match(comment, @"^exit (\d+)\b");
                    yield return new DocumentedCommand(file, first, part, Regex.IsMatch(comment, @"^cluster\b"), exit.Success ? int.Parse(exit.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0, directives);
                }
            }
        }
    }

    private static bool IsCommand(string text)
    {
        string[] words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string? program = words.SkipWhile(w => Regex.IsMatch(w, @"^[A-Za-z_][A-Za-z0-9_]*=")).FirstOrDefault();
        return program is not null && Programs.Contains(program);
    }

    // "cmd   # comment" -> ("cmd", "comment"); a '#' inside a word ($#, a#b) is not a comment.
    private static (string Command, string Comment) SplitComment(string text)
    {
        Match m = Regex.Match(text, @"(^|\s)#\s*(.*)$");
        return m.Success && !text.TrimStart().StartsWith("#!", StringComparison.Ordinal)
            ? (text[..m.Index].Trim(), m.Groups[2].Value.Trim())
            : (text.Trim(), string.Empty);
    }

    /// <summary>The ranks a launcher line starts (mpiexec -n, srun --ntasks or nodes x tasks per node, #SBATCH), or null for a plain command.</summary>
    internal static int? Ranks(DocumentedCommand command)
    {
        string[] words = command.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || !new[] { "mpiexec", "mpirun", "srun" }.Contains(words[0]))
        {
            return null;
        }

        var options = new Dictionary<string, string>(command.Directives);
        for (int i = 1; i < words.Length && !IsInterop(words[i]); i++)
        {
            string[] pair = words[i].Split('=', 2);
            if (pair.Length == 2)
            {
                options[pair[0]] = pair[1];
            }
            else if (words[i].StartsWith('-') && i + 1 < words.Length && !words[i + 1].StartsWith('-') && !IsInterop(words[i + 1]))
            {
                options[words[i]] = words[++i];
            }
        }

        int? Get(params string[] names) => names.Select(n => options.TryGetValue(n, out string? v) && int.TryParse(v, out int x) ? (int?)x : null).FirstOrDefault(x => x is not null);
        return Get("-n", "-np", "--np", "--ntasks")
            ?? (Get("--nodes", "-N") is int nodes ? nodes * (Get("--ntasks-per-node") ?? 1) : (int?)null)
            ?? 1;
    }

    /// <summary>A cluster line as a check on this machine: its interop command with --dry-run --ranks R.</summary>
    internal static string DryRunLine(DocumentedCommand command)
    {
        string[] words = command.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int start = Array.FindIndex(words, IsInterop);
        if (start < 0)
        {
            Assert.Fail($"{command.File}:{command.Line}: a '# cluster' line without an interop command: {command.Text}");
        }

        int ranks = Ranks(command) ?? 1;
        return $"{string.Join(' ', words[start..])} --dry-run --ranks {ranks}";
    }

    private static bool IsInterop(string word) => word == "interop" || word.EndsWith("/interop", StringComparison.Ordinal);

    /// <summary>
    /// Runs one line with bash in a new empty folder where build/bin is this build's (so the line's
    /// relative paths work as written), interop on PATH, sizes scaled, and OpenMPI set up as the
    /// MPI tests do (root allowed, oversubscription and no binding on a 2-core machine).
    /// </summary>
    private static (int Code, string Out, string Err) RunInShell(string line)
    {
        string folder = Directory.CreateTempSubdirectory("interop-doc-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "build"));
            Directory.CreateSymbolicLink(Path.Combine(folder, "build", "bin"), TestEnvironment.BinDirectory);
            var info = new ProcessStartInfo("bash") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(line);
            info.Environment["PATH"] = $"{TestEnvironment.BinDirectory}:{Environment.GetEnvironmentVariable("PATH")}";
            info.Environment[SizeScale.Variable] = Scale;
            info.Environment["INTEROP_PLAIN"] = "1";
            info.Environment["TERM"] = "dumb";
            foreach ((string name, string value) in HybridPiTests.Mpi.OpenMpiSettings)
            {
                info.Environment[name] = value;
            }

            // The documented mpiexec lines run as written: oversubscribing and binding come from the environment.
            info.Environment["OMPI_MCA_rmaps_base_oversubscribe"] = "1";
            info.Environment["OMPI_MCA_hwloc_base_binding_policy"] = "none";
            info.Environment["OMPI_MCA_osc"] = "^ucx";
            using var process = Process.Start(info)!;
            process.StandardInput.Close();
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"'{line}' did not finish within 120 s (sizes scaled by {Scale})");
            }

            return (process.ExitCode, stdout.Result, stderr.Result);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : "..." + text[^4000..];
}

/// <summary>One command line of the documentation: where it is, its text (continuations joined, comment removed) and its markers.</summary>
public sealed record DocumentedCommand(string File, int Line, string Text, bool Cluster, int ExpectedExit, IReadOnlyDictionary<string, string> Directives)
{
    public override string ToString() => $"{File}:{Line} {Text}";
}
