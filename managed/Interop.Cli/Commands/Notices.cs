using Interop.Cli.Jobs;

namespace Interop.Cli.Commands;

/// <summary>
/// Warnings and notes on stderr, each once: printed by the launch root only (under MPI every rank
/// would say the same), and a line already said in this process is not said again (compare asks
/// for the same backend once per workload and once per path).
/// </summary>
internal static class Notices
{
    private static readonly HashSet<string> Said = [];

    /// <summary>"interop: warning: <paramref name="text"/>": something that makes the numbers less trustworthy.</summary>
    public static void Warn(TextWriter stderr, string text) => Say(stderr, $"interop: warning: {text}");

    /// <summary>"interop: note: <paramref name="text"/>": something the user should know, results unaffected.</summary>
    public static void Note(TextWriter stderr, string text) => Say(stderr, $"interop: note: {text}");

    /// <summary>Forgets what was said (tests run many commands in one process).</summary>
    public static void Reset()
    {
        lock (Said)
        {
            Said.Clear();
        }
    }

    private static void Say(TextWriter stderr, string line)
    {
        if (!JobFactory.IsLaunchRoot())
        {
            return;
        }

        lock (Said)
        {
            if (!Said.Add(line))
            {
                return;
            }
        }

        stderr.WriteLine(line);
    }
}
