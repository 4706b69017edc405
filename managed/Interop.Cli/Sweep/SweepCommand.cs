using System.CommandLine;
using System.Globalization;
using Interop.Backends;
using Interop.Cli.Commands;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli.Sweep;

/// <summary>
/// `interop sweep`: the Monte Carlo convergence study. Many independent pi counts, one per (seed,
/// darts) pair, go through the task pool over the job's ranks; the counts come back to rank 0 in task
/// order, are verified, and give the error against darts over the seeds, the 1/√N line and the fitted
/// slope with its confidence interval, as a table, CSV, JSON and a chart.
/// </summary>
internal static class SweepCommand
{
    public const int DefaultSeeds = 16;

    /// <summary>More seeds than this is a typing mistake: 10,000 seeds already pin the RMS error to 1%.</summary>
    public const int MostSeeds = 10_000;

    /// <summary>More tasks than this would spend its time on the pool's messages, not on darts.</summary>
    public const int MostTasks = 1_000_000;

    /// <summary>The backend a sweep runs when --backend is not given and it can run here; else <see cref="FallbackBackend"/>.</summary>
    public const string DefaultBackend = "c-openmp";

    /// <summary>The backend of a sweep without --backend where <see cref="DefaultBackend"/> cannot run (no native build): always there.</summary>
    public const string FallbackBackend = "managed-parallel";

    /// <summary>The backend that counts the small tasks again: the plainest code, the reference of every pi check.</summary>
    public const string ReferenceBackend = "managed-serial";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        IReadOnlyList<IPiBackend> known = BackendCatalog.All<IPiBackend>();
        var darts = new Option<string>(SweepGrid.Name, "-n")
        {
            Description = $"The darts counts: a range FROM..TO (cut into --per-decade points per decade, TO included) or a list N1,N2,...; counts as pi's --darts (1e6, 1_000_000). Default {SweepGrid.DefaultDarts}.",
            DefaultValueFactory = _ => SweepGrid.DefaultDarts,
        };
        var perDecade = new Option<string>("--per-decade")
        {
            Description = $"Darts counts per decade of a FROM..TO range (1 to {SweepGrid.MostPerDecade}).",
            DefaultValueFactory = _ => SweepGrid.DefaultPerDecade.ToString(CultureInfo.InvariantCulture),
        };
        var seeds = new Option<string>("--seeds")
        {
            Description = $"How many seeds each darts count runs with: --seed, --seed + 1, ... (1 to {MostSeeds:N0}).",
            DefaultValueFactory = _ => DefaultSeeds.ToString(CultureInfo.InvariantCulture),
        };
        Option<string?> seed = SharedOptions.Seed("The first seed of the counter-based generator (0 to 2^64-1).", showDefault: true);
        var backend = new Option<string?>("--backend", "-b")
        {
            HelpName = "name",
            Description = $"The one backend that counts every task: {string.Join(", ", known.Select(b => b.Name))}. Default {DefaultBackend} where it runs, else {FallbackBackend}.",
        }.Names(known.Select(b => b.Name));
        Option<string?> threads = SharedOptions.Threads("Threads of the backend per task (a serial backend runs 1). " + ThreadCount.Rules);
        Option<bool> json = SharedOptions.Json("Print one JSON document on stdout instead of the table (short for --format json).");
        var format = new Option<string?>("--format")
        {
            Description = "How the results are written on stdout: table (for people, the default), csv (one row per seed and darts count) or json (one document).",
        }.Names(Enum.GetNames<SweepFormat>().Select(n => n.ToLowerInvariant()));
        var chart = new Option<string?>("--chart")
        {
            HelpName = "FILE.svg|FILE.png",
            Description = "Also draw the convergence chart (log-log error against darts, the theory line and the fit) into FILE, SVG or PNG by its extension; not written when a check fails.",
        };
        Option<bool> mpi = SharedOptions.Mpi("Initialize MPI even without a launcher's variables (mpiexec, srun and PMI launchers are detected by themselves).");
        var dryRun = new DryRunOptions();
        var command = new Command("sweep", "Monte Carlo convergence study: pi over many seeds and darts counts through the task pool; the error against darts, the 1/√N line and the fitted slope with its 95% CI.")
        {
            darts, perDecade, seeds, seed, backend, threads, json, format, chart, mpi,
        }.Example("interop sweep --darts 1e3..1e7 --seeds 8 --chart sweep.svg");
        dryRun.AddTo(command);
        command.SetAction(parsed => Driver.Guard(stderr, () =>
        {
            ThreadChoice choice = SharedOptions.ParseThreads(parsed.GetValue(threads));
            IPiBackend chosen = Backend(parsed.GetValue(backend), known);
            var options = new SweepOptions(
                Darts: SweepGrid.Parse(parsed.GetValue(darts)!, NumberParser.ParseInt32(parsed.GetValue(perDecade)!, "--per-decade", 1, SweepGrid.MostPerDecade)),
                FirstSeed: SharedOptions.ParseSeed(parsed.GetValue(seed)) ?? SharedOptions.DefaultSeed,
                Seeds: NumberParser.ParseInt32(parsed.GetValue(seeds)!, "--seeds", 1, MostSeeds),
                Backend: chosen,
                Reference: known.Single(b => b.Name == ReferenceBackend),
                Threads: chosen.IsParallel ? choice.Threads : 1,
                Format: Format(parsed.GetValue(format), parsed.GetValue(json)),
                Chart: Chart(parsed.GetValue(chart)),
                Mpi: parsed.GetValue(mpi),
                DryRun: dryRun.Of(parsed));
            Refuse(options);
            return Run(options, stdout, stderr);
        }));
        return command;
    }

    /// <summary>Starts the job and runs the sweep on it (or plans it, for --dry-run).</summary>
    private static int Run(SweepOptions options, TextWriter stdout, TextWriter stderr)
    {
        options.Backend.EnsureAvailable();
        options.Reference.EnsureAvailable();
        if (SizeScale.Note() is string scaled)
        {
            Notices.Note(stderr, scaled);
        }

        using IJob job = JobFactory.Start(options.DryRun is null && options.Mpi);
        if (options.DryRun is DryRun dry)
        {
            if (job.IsRoot)
            {
                stdout.WriteLine(DryRun.Line(options.Plan(job.Size > 1 ? job.Size : Math.Max(dry.Ranks, 1))));
            }

            return Driver.Success;
        }

        return Driver.RunInJob(job, stderr, () => Execute(job, options, stdout, stderr));
    }

    /// <summary>
    /// On every rank of <paramref name="job"/>: the tasks through the pool; then rank 0 checks them and,
    /// only if every check passed, writes the chart and the results (a failed check: one line, exit 1, no file).
    /// </summary>
    internal static int Execute(IJob job, SweepOptions options, TextWriter stdout, TextWriter stderr)
    {
        StableHash.RequireSameOnAllRanks(job, options.Plan(job.Size));
        Placement.Warn(job, options.Threads, stderr);
        if (SweepRunner.Run(job, options) is not SweepRun run)
        {
            return Driver.Success;
        }

        (Verdict verdict, string checkLine) = SweepCheck.Verify(run);
        if (!verdict.Passed)
        {
            stderr.WriteLine(Driver.Line(Driver.Failure, string.Empty, verdict.Failure!));
            return Driver.Failure;
        }

        var summary = SweepSummary.Of(options.Tasks, run.Inside);
        if (options.Chart is string path)
        {
            Compare.CompareCharts.SaveAs(SweepChart.Build(run, summary), path);
        }

        SweepOutput.Write(stdout, run, summary, checkLine);
        return Driver.Success;
    }

    /// <summary>--backend's one pi backend, or the default: c-openmp where it runs, else managed-parallel.</summary>
    private static IPiBackend Backend(string? name, IReadOnlyList<IPiBackend> known)
    {
        if (name is null)
        {
            IPiBackend preferred = known.Single(b => b.Name == DefaultBackend);
            try
            {
                preferred.EnsureAvailable();
                return preferred;
            }
            catch (BackendUnavailableException)
            {
                return known.Single(b => b.Name == FallbackBackend);
            }
        }

        string[] names = name.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return names.Length == 1 && !names[0].Equals("all", StringComparison.OrdinalIgnoreCase)
            ? BackendCatalog.Select(name, known)[0]
            : throw new UsageException($"sweep runs one backend, not '{name}': name one of {string.Join(", ", known.Select(b => b.Name))}");
    }

    private static SweepFormat Format(string? name, bool json)
    {
        if (name is null)
        {
            return json ? SweepFormat.Json : SweepFormat.Table;
        }

        SweepFormat format = Enum.GetValues<SweepFormat>().FirstOrDefault(f => f.ToString().Equals(name.Trim(), StringComparison.OrdinalIgnoreCase), (SweepFormat)(-1));
        if (!Enum.IsDefined(format))
        {
            throw new UsageException($"--format must be one of {string.Join(", ", Enum.GetNames<SweepFormat>().Select(n => n.ToLowerInvariant()))}, not '{name}'");
        }

        return json && format != SweepFormat.Json
            ? throw new UsageException($"--json is short for --format json: it cannot go with --format {name.Trim().ToLowerInvariant()}")
            : format;
    }

    /// <summary>--chart's file: an .svg or .png that can be written (checked by the launch's rank 0, which writes it).</summary>
    private static string? Chart(string? path)
    {
        if (path is null)
        {
            return null;
        }

        if (!Compare.CompareCharts.FileExtensions.Contains(Path.GetExtension(path).ToLowerInvariant()))
        {
            throw new UsageException($"--chart {path}: the chart is drawn as {string.Join(" or ", Compare.CompareCharts.FileExtensions)}, by the file's extension");
        }

        if (JobFactory.IsLaunchRoot())
        {
            OutputFile.Check(path, "--chart");
        }

        return path;
    }

    /// <summary>The combinations the options alone cannot refuse: too many tasks, seeds past 2^64 - 1.</summary>
    private static void Refuse(SweepOptions options)
    {
        if (options.FirstSeed > ulong.MaxValue - (ulong)(options.Seeds - 1))
        {
            throw new UsageException($"--seed {options.FirstSeed} with --seeds {options.Seeds} runs past the last seed, 2^64-1");
        }

        if ((long)options.Seeds * options.Darts.Count > MostTasks)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"{options.Seeds:N0} seeds x {options.Darts.Count:N0} darts counts are {(long)options.Seeds * options.Darts.Count:N0} tasks; at most {MostTasks:N0}"));
        }
    }
}
