using System.Runtime.InteropServices;

namespace Interop.Cli.Compare;

/// <summary>
/// SIGINT and SIGTERM during a compare run: the handler runs instead of the default termination
/// (it saves what was measured and exits itself, with 130 or 143, the shell's 128 + signal number).
/// Disposing restores the default.
/// </summary>
internal sealed class CompareSignals : IDisposable
{
    private readonly List<PosixSignalRegistration> registrations = [];

    public CompareSignals(Action<PosixSignal> handle)
    {
        foreach (PosixSignal signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            try
            {
                registrations.Add(PosixSignalRegistration.Create(signal, context =>
                {
                    context.Cancel = true;
                    handle(context.Signal);
                }));
            }
            catch (PlatformNotSupportedException)
            {
                // Not on this platform: the default handling stays.
            }
        }
    }

    /// <summary>The exit status of a run ended by <paramref name="signal"/>: 130 for SIGINT, 143 for SIGTERM.</summary>
    public static int ExitCode(PosixSignal signal) => signal == PosixSignal.SIGTERM ? 143 : 130;

    public static string Name(PosixSignal signal) => signal == PosixSignal.SIGTERM ? "SIGTERM" : "SIGINT";

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in registrations)
        {
            registration.Dispose();
        }
    }
}
