using System.CommandLine;
using Interop.Core;

namespace Interop.Cli.Workloads.Pi;

/// <summary>
/// How darts are given, in pi and compare alike: --darts N or -d N (pi also takes them as its
/// argument: `interop pi 1e9`). -n is refused with a usage error that says so: it read as mpiexec's
/// -n, the number of ranks, in `mpiexec -n 2 interop pi -n 1e9`.
/// </summary>
internal static class DartsSpelling
{
    public const string Name = "--darts";

    public const string Alias = "-d";

    private const string Refused = "-n";

    /// <summary>The one line a use of -n gets.</summary>
    public const string RefusedMessage = "-n is not darts (it reads as mpiexec's number of ranks): give darts with --darts or -d, e.g. --darts 1e8";

    /// <summary>
    /// The hidden -n, taking a value or none, so that `pi -n 5` parses into <see cref="Refuse"/>'s one
    /// line rather than an unknown-option error and an unmatched '5'.
    /// </summary>
    public static Option<string?> CreateRefused() => new(Refused)
    {
        Hidden = true,
        Arity = ArgumentArity.ZeroOrOne,
        Description = "Not darts: see --darts.",
    };

    /// <summary>A usage error when <paramref name="refused"/> (from <see cref="CreateRefused"/>) is on the command line.</summary>
    public static void Refuse(ParseResult parsed, Option<string?> refused)
    {
        if (parsed.GetResult(refused) is { Implicit: false })
        {
            throw new UsageException(RefusedMessage);
        }
    }
}
