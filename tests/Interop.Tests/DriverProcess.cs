using System.Diagnostics;

namespace Interop.Tests;

/// <summary>
/// Runs the published driver (build/bin/interop) as a child process, for what cannot run in the
/// test's own process: environment variables the driver reads at start-up, library paths, inputs
/// that could block. A run that outlives its limit is killed and fails the test, so none can hang.
/// </summary>
internal static class DriverProcess
{
    public static (int Code, string Out, string Err) Run(
        string[] args, IReadOnlyDictionary<string, string>? environment = null, int limitSeconds = 120, string? driver = null, IEnumerable<string>? unset = null,
        string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(driver ?? TestEnvironment.DriverPath) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        foreach (string name in unset ?? [])
        {
            info.Environment.Remove(name);
        }

        using var process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(limitSeconds)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"interop {string.Join(' ', args)} did not finish within {limitSeconds} s");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
