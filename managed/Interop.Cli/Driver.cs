using System.CommandLine;
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

        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            string command = parsed.CommandResult.Command == root ? "interop" : $"interop {parsed.CommandResult.Command.Name}";
            stderr.WriteLine($"interop: {parsed.Errors[0].Message} (see '{command} --help')");
            return UsageError;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
    }

    /// <summary>Runs a command's body and turns every failure into one line on stderr and an exit code.</summary>
    public static int Guard(TextWriter stderr, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"interop: {e.Message}");
            return UsageError;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("INTEROP_DEBUG") != "1")
        {
            stderr.WriteLine($"interop: error: {e.Message}");
            return Failure;
        }
    }
}
