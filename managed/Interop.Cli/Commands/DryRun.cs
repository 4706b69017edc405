using System.CommandLine;
using Interop.Core;

namespace Interop.Cli.Commands;

/// <summary>
/// --dry-run (pi, inv, compare, env): the command is parsed and checked as for a run (every option,
/// their combination, the backends loaded, the paths, a scalapack grid against the ranks), then
/// one line says what would run, and nothing runs (exit 0; a problem is the run's own exit 2).
/// Under a launcher the ranks meet as in a run; outside one no MPI starts and --ranks N says how
/// many ranks to plan for, which is how a command meant for a cluster is checked on one machine.
/// </summary>
internal sealed record DryRun(int Ranks)
{
    /// <summary>The one line a dry run prints on stdout.</summary>
    public static string Line(string plan) => $"interop: dry run: would run {plan}; nothing was run";
}

/// <summary>The --dry-run and --ranks options of one command.</summary>
internal sealed class DryRunOptions
{
    private readonly Option<bool> dryRun = new("--dry-run")
    {
        Description = "Check the options and their combination and print what would run, without running anything (exit 0, or the usage error a run would give).",
    };

    private readonly Option<string?> ranks = new("--ranks")
    {
        Description = "With --dry-run outside a launcher: how many MPI ranks to plan for (default 1; under mpiexec or srun, the launcher's).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(dryRun);
        command.Options.Add(ranks);
    }

    /// <summary>The dry run asked for, or null for a real run; --ranks without --dry-run is a usage error.</summary>
    public DryRun? Of(ParseResult parsed)
    {
        string? text = parsed.GetValue(ranks);
        if (!parsed.GetValue(dryRun))
        {
            return text is null ? null : throw new UsageException("--ranks plans a --dry-run; a run takes its ranks from the launcher (mpiexec -n N, srun)");
        }

        // Said before the ranks meet, so that rank 0 says it once and every rank exits 2.
        if (text is not null && Mpi.MpiLaunch.Launcher(Environment.GetEnvironmentVariable) is not null)
        {
            throw new UsageException("--ranks plans a dry run outside a launcher; under mpiexec or srun the ranks are the launcher's: leave --ranks out");
        }

        return new DryRun(text is null ? 0 : NumberParser.ParseInt32(text, "--ranks", 1, 1 << 20));
    }
}
