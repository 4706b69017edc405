using System.CommandLine;
using Interop.Cli.Jobs;
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
        var root = new RootCommand(
            "Interop: hybrid parallel computing from .NET. Runs the same workloads in managed C#, " +
            "C/OpenMP and Fortran/OpenMP kernels, and compares them side by side.");
        root.Subcommands.Add(PiCommand.Create(stdout, stderr));
        root.Subcommands.Add(InvCommand.Create(stdout, stderr));
        root.Subcommands.Add(Compare.CompareCommand.Create(stdout, stderr));
        root.Subcommands.Add(EnvCommand.Create(stdout, stderr));

        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            string command = parsed.CommandResult.Command == root ? "interop" : $"interop {parsed.CommandResult.Command.Name}";
            if (JobFactory.IsLaunchRoot())
            {
                stderr.WriteLine($"interop: {parsed.Errors[0].Message} (see '{command} --help')");
            }

            return UsageError;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
    }

    /// <summary>
    /// Runs a command's body and turns every failure into one line on stderr and an exit code.
    /// Failures here happen before MPI starts and are the same on every rank: rank 0 prints them.
    /// </summary>
    public static int Guard(TextWriter stderr, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (UsageException e)
        {
            if (JobFactory.IsLaunchRoot())
            {
                stderr.WriteLine($"interop: {e.Message}");
            }

            return UsageError;
        }
        catch (Exception e) when (!Debugging)
        {
            if (JobFactory.IsLaunchRoot())
            {
                stderr.WriteLine($"interop: error: {e.Message}");
            }

            return Failure;
        }
    }

    /// <summary>
    /// Runs the part of a command that spans the ranks of <paramref name="job"/>. Rank 0's exit code
    /// becomes every rank's. A failure on any rank prints the error with its rank and ends the whole
    /// job (MPI_Abort), so the other ranks never wait for it forever.
    /// </summary>
    internal static int RunInJob(IJob job, TextWriter stderr, Func<int> body)
    {
        try
        {
            return job.BroadcastFromRoot(body());
        }
        catch (Exception e) when (!Debugging || job.Size > 1)
        {
            string where = job.Size > 1 ? $" on rank {job.Rank} of {job.Size}" : string.Empty;
            int code = e is UsageException ? UsageError : Failure;
            stderr.WriteLine(code == UsageError ? $"interop{where}: {e.Message}" : $"interop: error{where}: {e.Message}");
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
}
