using Interop.Cli;

namespace Interop.Tests;

/// <summary>Runs the `interop` command line in process and captures what it printed.</summary>
internal static class Cli
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Driver.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
