using System.CommandLine;
using Interop.Cli.Jobs;
using Interop.Cli.Workloads;
using Interop.Core;

namespace Interop.Cli;

/// <summary>
/// The `interop` command line. Exit codes: 0 success, 1 a failed run (a check failed, a backend
/// could not run), 2 bad usage. Errors are one line on stderr, never a stack trace
/// (set INTEROP_DEBUG=1 to see one).
/// </summary>
public static class Driver
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        Commands.Notices.Reset();
        Schema.Invocation.Begin(args);
        // The commands are built from the kernel table: a malformed file of the build's paths beside
        // the libraries is one line and exit 1 here, not an unhandled exception while building them.
        try
        {
            _ = Native.NativeKernelTable.Default;
        }
        catch (FormatException e)
        {
            return Print(stderr, Failure, e.Message);
        }

        RootCommand root = CreateRoot(stdout, stderr);
        ParseResult parsed = root.Parse(args);

        // Under an MPI launcher, MPI starts here on every rank, even for a command line with an
        // error, so that every rank meets the others in the start-up handshake (JobLaunch).
        using JobLaunch launch = JobLaunch.Begin(CommandLineText.Of(parsed), stderr);
        if (launch.Refusal is string refusal)
        {
            // A launch no command can run in (srun without an MPI plugin, N singletons): every
            // process is alone, so each exits here and only the launcher's rank 0 says why.
            return Print(stderr, UsageError, refusal);
        }

        if (parsed.Errors.Count > 0)
        {
            return launch.Fail(UsageError, ParseErrorMessage(parsed, root));
        }

        // --help and --version: printed once (by rank 0 under MPI, after the ranks agreed).
        if (parsed.Action is not null && parsed.Action != parsed.CommandResult.Command.Action)
        {
            return launch.ShouldPrint(out int code) ? Invoke(parsed, stdout, stderr) : code;
        }

        return launch.Finish(Invoke(parsed, stdout, stderr));
    }

    /// <summary>The command line: every command, and help wrapped to the terminal's width.</summary>
    internal static RootCommand CreateRoot(TextWriter stdout, TextWriter stderr)
    {
        // The description names the workloads and languages from their tables, so it cannot go stale.
        var root = new RootCommand(HelpText.RootDescription()).Example("interop compare --quick");
        foreach (Command command in AllCommands(stdout, stderr))
        {
            root.Subcommands.Add(command);
        }

        HelpText.Install(root, HelpText.Width(stdout, Environment.GetEnvironmentVariable));
        return root;
    }

    /// <summary>The commands' names, in the order help and the errors list them.</summary>
    internal static IReadOnlyList<string> CommandNames => [.. AllCommands(TextWriter.Null, TextWriter.Null).Select(c => c.Name)];

    // Every command, in the order of --help: each registered workload's own (a new workload's comes with
    // its registration, no line here), then the commands over all workloads.
    private static Command[] AllCommands(TextWriter stdout, TextWriter stderr) =>
    [
        .. WorkloadRegistry.All.Select(w => w.CreateCommand(stdout, stderr)),
        Compare.CompareCommand.Create(stdout, stderr),
        Sweep.SweepCommand.Create(stdout, stderr),
        Report.ReportCommand.Create(stdout, stderr),
        EnvCommand.Create(stdout, stderr),
    ];

    private static int Invoke(ParseResult parsed, TextWriter stdout, TextWriter stderr) =>
        parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });

    /// <summary>A parse error as one line, without "interop: ": an unknown or missing command names the commands.</summary>
    internal static string ParseErrorMessage(ParseResult parsed, RootCommand root)
    {
        if (parsed.CommandResult.Command != root)
        {
            return $"{parsed.Errors[0].Message} (see 'interop {parsed.CommandResult.Command.Name} --help')";
        }

        string[] commands = [.. root.Subcommands.Select(c => c.Name)];
        string known = $"the commands are {string.Join(", ", commands)} (see 'interop --help')";
        string? first = parsed.Tokens.Select(t => t.Value).FirstOrDefault();
        if (first is null)
        {
            return $"no command given; {known}";
        }

        if (first.StartsWith('-'))
        {
            return $"no command given before '{first}'; {known}";
        }

        string? closest = Closest(first, commands);
        return $"unknown command '{first}'{(closest is null ? string.Empty : $" (did you mean '{closest}'?)")}; {known}";
    }

    /// <summary>The command <paramref name="word"/> most likely meant: one it starts or that starts it, or at most 2 edits away.</summary>
    internal static string? Closest(string word, IReadOnlyList<string> commands)
    {
        string lower = word.ToLowerInvariant();
        return commands.FirstOrDefault(c => lower.StartsWith(c, StringComparison.Ordinal) || c.StartsWith(lower, StringComparison.Ordinal))
            ?? commands.Select(c => (Name: c, Distance: EditDistance(lower, c))).Where(c => c.Distance <= 2).OrderBy(c => c.Distance).Select(c => c.Name).FirstOrDefault();
    }

    private static int EditDistance(string a, string b)
    {
        int[] previous = [.. Enumerable.Range(0, b.Length + 1)];
        for (int i = 1; i <= a.Length; i++)
        {
            int[] current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    /// <summary>
    /// Runs a command's body and turns every failure into one line on stderr and an exit code.
    /// Under MPI, a failure before the job started (a usage error on any rank) goes into the
    /// start-up handshake, so it is printed once, by rank 0, and ends every rank (JobLaunch.Fail).
    /// </summary>
    public static int Guard(TextWriter stderr, Func<int> body)
    {
        JobLaunch? launch = JobLaunch.Current;
        try
        {
            return body();
        }
        catch (JobRefusedException e)
        {
            return e.Code; // the ranks disagreed: rank 0 has printed why
        }
        catch (UsageException e)
        {
            return launch?.Fail(UsageError, e.Message) ?? Print(stderr, UsageError, e.Message);
        }
        catch (Exception e) when (!Debugging || launch is not null)
        {
            if (Debugging)
            {
                stderr.WriteLine(e);
            }

            string message = MessageOf(e);
            return launch?.Fail(Failure, message) ?? Print(stderr, Failure, message);
        }
    }

    private static int Print(TextWriter stderr, int code, string message)
    {
        if (JobFactory.IsLaunchRoot())
        {
            stderr.WriteLine(Line(code, string.Empty, message));
        }

        return code;
    }

    /// <summary>
    /// Runs the part of a command that spans the ranks of <paramref name="job"/>. Rank 0's exit code
    /// becomes every rank's. A failure on any rank prints the error with its rank and ends the whole
    /// job (MPI_Abort), so the other ranks never wait for it forever; so does a wait for the other
    /// ranks that ran past its limit (INTEROP_MPI_TIMEOUT).
    /// </summary>
    internal static int RunInJob(IJob job, TextWriter stderr, Func<int> body)
    {
        try
        {
            return job.BroadcastFromRoot(body());
        }
        catch (CollectiveFailureException e)
        {
            // Every rank failed alike and knows it (a distributed backend's agreed status): rank 0
            // says it once, and the job ends normally with the same code everywhere, no abort.
            Exception cause = e.InnerException!;
            int code = CodeOf(cause);
            if (job.IsRoot)
            {
                stderr.WriteLine(Line(code, string.Empty, cause.Message));
                if (Debugging)
                {
                    stderr.WriteLine(cause);
                }
            }

            return code;
        }
        catch (Exception e) when (!Debugging || job.Size > 1)
        {
            string where = job.Size > 1 ? $" on rank {job.Rank} of {job.Size}" : string.Empty;
            int code = CodeOf(e);
            stderr.WriteLine(Line(code, where, MessageOf(e)));
            if (Debugging)
            {
                stderr.WriteLine(e);
            }

            stderr.Flush();
            job.AbortAll(code);
            return code;
        }
    }

    private static bool Debugging => Environment.GetEnvironmentVariable("INTEROP_DEBUG") == "1";

    private static int CodeOf(Exception e) => e is UsageException ? UsageError : Failure;

    // An MPI error is explained (what the user can do), any other error is its own message.
    private static string MessageOf(Exception e) => e is Mpi.MpiException ? JobLaunch.Explain(e) : e.Message;

    // The one-line form of every error: "interop: <usage problem>" or "interop: error: <failure>",
    // with " on rank r of n" after "interop"/"error" where the rank matters.
    internal static string Line(int code, string where, string message) =>
        code == UsageError ? $"interop{where}: {message}" : $"interop: error{where}: {message}";
}

/// <summary>
/// A failure that happened on every rank of the job at once, with the same cause (a distributed
/// backend returns one agreed status to every rank): <see cref="Driver.RunInJob"/> reports it once
/// and ends the job without MPI_Abort.
/// </summary>
internal sealed class CollectiveFailureException(Exception cause) : Exception(cause.Message, cause);
