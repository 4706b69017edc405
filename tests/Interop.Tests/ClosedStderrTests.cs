using System.Diagnostics;

namespace Interop.Tests;

/// <summary>
/// Issue 20, class 5: a closed or full standard error killed the driver (SIGABRT, exit 134) even when
/// all it had to say there was a warning. Diagnostics that cannot be written are dropped; the exit
/// code is the one the run would have had.
/// </summary>
public sealed class ClosedStderrTests
{
    [TestCase("2>&-", "pi --darts 0", 2)]
    [TestCase("2>/dev/full", "pi --darts 0", 2)]
    [TestCase("2>&-", "pi --darts 1000 --threads 4 --repeat 1 --backend managed-serial", 0)]
    [TestCase("2>/dev/full", "inv --size 20 --threads 4 --repeat 1 --backend c-openmp", 0)]
    public void ADiagnosticThatCannotBeWrittenIsDroppedAndTheExitCodeKept(string redirect, string arguments, int expected)
    {
        Assume.That(redirect.Contains("/dev/full", StringComparison.Ordinal) ? File.Exists("/dev/full") : true, Is.True, "no /dev/full here");
        // The shell closes (or fills) descriptor 2 for the driver alone; its stdout goes to /dev/null.
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"exec \"$0\" {arguments} >/dev/null {redirect}");
        info.ArgumentList.Add(TestEnvironment.DriverPath);
        using var process = Process.Start(info)!;
        process.StandardError.ReadToEnd();
        Assert.That(process.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, "the driver did not finish");
        Assert.That(process.ExitCode, Is.EqualTo(expected), $"interop {arguments} {redirect}");
    }
}
