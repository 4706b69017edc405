using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Interop.Backends;
using Interop.Cli.Commands;
using Interop.Cli.Jobs;
using Interop.Cli.Workloads;
using Interop.Core;

namespace Interop.Cli.Compare;

/// <summary>
/// `interop compare`, the main job: every workload on every available backend over thread counts
/// 1, 2, 4, ... (and the ranks of an MPI job), verified, as console tables, a plain-language
/// summary and a results folder (JSON, CSV, SVG/PNG charts, report.md).
/// </summary>
internal static class CompareCommand
{
    public const int QuickRepeat = 2;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var options = new CompareCommandOptions();
        var command = new Command("compare", "The main job: every workload on every backend over thread (and rank) counts, verified, with tables, a summary, charts and a report.")
            .Example("interop compare --quick --workload pi --out-dir results/quick");
        options.AddTo(command);
        command.SetAction(parsed => Driver.Guard(stderr, () =>
        {
            CompareOptions run = options.Read(parsed, stderr);
            if (!run.Plan.Points().Any())
            {
                // A run that measures nothing has nothing to verify or report: say why rather than exit 0.
                throw new UsageException($"nothing to measure: no available backend of '--backend {options.BackendList(parsed)}' runs {string.Join(" or ", run.Plan.Names)}");
            }

            using var job = new CompareJob(run);
            return CommandRunner.Run(job, stdout, stderr);
        }));
        return command;
    }
}

/// <summary>
/// compare's options, declared in help order, and their reading into <see cref="CompareOptions"/>
/// phase by phase: workloads, instruction-set paths, budget, the baseline's sizes, the plan.
/// </summary>
internal sealed class CompareCommandOptions
{
    private readonly Option<string> workload = new Option<string>("--workload", "-w") { Description = $"{WorkloadNames} or all.", DefaultValueFactory = _ => "all" }
        .Names([.. WorkloadRegistry.All.Select(w => w.Name), "all"]);
    private readonly Option<string> backend = SharedOptions.Backend(
        "Comma-separated backends, or 'all' (each workload runs the ones it has).",
        [.. WorkloadRegistry.All.SelectMany(w => w.CatalogBackends).Select(b => b.Name)]);

    private readonly Option<string?> threads = SharedOptions.Threads("Comma-separated thread counts (default 1, 2, 4, ... up to the CPUs available; " + ThreadCount.Rules + ")");
    private readonly Option<string?> repeat = SharedOptions.Repeat(
        $"Timed runs per point after the warm-up (default automatic: {RepeatPolicy.AutoMinRuns} to {RepeatPolicy.AutoMaxRuns} runs until the median's 95% CI is within ±{RepeatPolicy.AutoTarget * 100:0}% or {RepeatPolicy.AutoMaxSeconds:0} s of runs; --quick {CompareCommand.QuickRepeat}).");

    private readonly Option<string> warmup = SharedOptions.Warmup();
    private readonly Option<bool> quick = new("--quick") { Description = $"A smoke run of about 15 seconds: a {CompareBudget.Quick.Seconds:0} s budget, {CompareCommand.QuickRepeat} repeats." };
    private readonly Option<string?> budget = new("--budget") { Description = $"Seconds of measuring the calibrated sizes should fill, per instruction-set path (default {CompareBudget.Default.Seconds:0}, at most about 2.5 minutes in all on 2 cores; --quick {CompareBudget.Quick.Seconds:0})." };
    // Each workload's size option, in table order (--darts, --size).
    private readonly Dictionary<IWorkload, ICompareSizeOption> sizeOptions = WorkloadRegistry.All.ToDictionary(w => w, w => w.CreateCompareSizeOption());
    private readonly Option<string?> schedules = new Option<string?>(RankSchedule.Name)
    {
        Description = "Comma-separated schedules of pi's darts and ep's batches over the ranks and threads, each point measured under each: " +
            "static, dynamic[:CHUNK] or guided[:MIN], as `interop pi --schedule` (default static; inv ignores it; serial backends run static alone).",
    }.Names(["static", "dynamic", "guided"]);
    private readonly Option<string?> isa = IsaRequest.CreateOption(", or all (every path this CPU has, one after the other, with the same sizes)");
    private readonly Option<string?> seed = SharedOptions.Seed($"Seed of the generator (default {SharedOptions.DefaultSeed}, or the --baseline run's).", showDefault: false);
    private readonly RenamedOption output = new(new Option<string?>("--out-dir") { Description = "Results folder, new or empty (default results/<timestamp>/); checked before any computing." }, "--out", "-o");
    private readonly Option<bool> force = new("--force") { Description = "Write into a non-empty --out-dir folder: first remove the files an earlier compare wrote there (results.*, report.md, charts); other files stay." };
    private readonly Option<string?> baseline = new("--baseline")
    {
        Description = $"An earlier results.json to compare with, point by point (same workload, {string.Join(" or ", SizeNames)}, seed, backend, ranks x threads, isa, schedule); " +
            $"{string.Join(", ", SizeNames)} and seed default to its own.",
    };
    private readonly Option<string?> trace = SharedOptions.Trace("Write a Chrome trace-event file of the whole run.");
    private readonly Option<bool> mpi = SharedOptions.Mpi();
    private readonly Option<bool> json = SharedOptions.Json("Print the results.json document on stdout (tables and summary go to stderr with the progress); short for --format json.");
    private readonly Option<string?> format = ResultFormats.CreateOption();
    private readonly Option<string?> columns = ColumnChoice.CreateOption();
    private readonly DryRunOptions dryRun = new();

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { workload, backend, threads, repeat, warmup, quick, budget })
        {
            command.Options.Add(option);
        }

        foreach (IWorkload sized in WorkloadRegistry.All)
        {
            sizeOptions[sized].AddTo(command);
        }

        command.Options.Add(schedules);
        command.Options.Add(isa);
        command.Options.Add(seed);
        output.AddTo(command);
        foreach (Option option in new Option[] { force, baseline, trace, mpi, json, format, columns })
        {
            command.Options.Add(option);
        }

        dryRun.AddTo(command);
    }

    public string BackendList(ParseResult parsed) => parsed.GetValue(backend)!;

    /// <summary>Every option checked, the baseline read and the instruction-set path switched: the run to do.</summary>
    public CompareOptions Read(ParseResult parsed, TextWriter stderr)
    {
        string[] workloads = Workloads(parsed);
        IReadOnlyList<Isa> paths = IsaPaths(parsed);
        bool isQuick = parsed.GetValue(quick);
        CompareBudget limits = Budget(parsed, isQuick);
        string? baselinePath = parsed.GetValue(baseline);
        CompareRun? old = baselinePath is null ? null : ResultsFiles.ReadJson(baselinePath);
        PlanSizes sizes = Sizes(parsed, stderr, workloads, old, baselinePath);
        // Each workload measured selects its backends, in table order; an unknown name is the first error.
        var selection = new BackendSelection(BackendList(parsed), stderr);
        WorkloadPlan[] measured = [.. workloads.Select(WorkloadRegistry.Named).Select(w => new WorkloadPlan(w, w.SelectBackends(selection)))];
        IReadOnlyList<int> threadCounts = ParseThreads(parsed.GetValue(threads));
        RepeatPolicy repeats = parsed.GetValue(repeat) is string r ? SharedOptions.ParseRepeat(r) : isQuick ? RepeatPolicy.Fixed(CompareCommand.QuickRepeat) : RepeatPolicy.Auto;
        int warmups = SharedOptions.ParseWarmup(parsed.GetValue(warmup)!);
        return new CompareOptions(
            Plan: new ComparePlan(
                Workloads: measured,
                Threads: threadCounts,
                Paths: paths,
                Sizes: sizes.Sizes,
                Seed: sizes.Seed,
                Repeat: repeats,
                Budget: limits)
            {
                Warmup = warmups,
                SizeSource = sizes.Source,
                Schedules = ParseSchedules(parsed.GetValue(schedules)),
            },
            Output: output.Value(parsed, stderr) ?? CompareOutput.NewFolderName("results"),
            Force: parsed.GetValue(force),
            Baseline: old,
            BaselinePath: baselinePath,
            Trace: parsed.GetValue(trace),
            Mpi: parsed.GetValue(mpi))
        {
            Format = ResultFormats.Choose(parsed.GetValue(format), parsed.GetValue(json)),
            DryRun = dryRun.Of(parsed),
            Columns = ColumnChoice.Parse(parsed.GetValue(columns), CompareTables.AllColumns),
            Quick = isQuick,
        };
    }

    // Every workload's name, as help and the usage error list them: "a, b".
    private static string WorkloadNames => string.Join(", ", WorkloadRegistry.All.Select(w => w.Name));

    // Every workload's size's name, as --baseline's help lists them.
    private static IEnumerable<string> SizeNames => WorkloadRegistry.All.Select(w => w.SizeName);

    private string[] Workloads(ParseResult parsed) => parsed.GetValue(workload) switch
    {
        "all" => [.. WorkloadRegistry.All.Select(w => w.Name)],
        string one when WorkloadRegistry.Find(one) is not null => [one],
        var other => throw new UsageException($"--workload must be {WorkloadNames} or all, not '{other}'"),
    };

    // The path is switched here, before any backend loads: OpenBLAS reads its CPU type only then.
    private IReadOnlyList<Isa> IsaPaths(ParseResult parsed)
    {
        IReadOnlyList<Isa> paths = parsed.GetValue(isa) is string i && i.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)
            ? [.. IsaNames.Paths.Where(ManagedIsa.Supports)]
            : [IsaRequest.Apply(parsed.GetValue(isa)).Isa];
        if (paths.Count > 1)
        {
            IsaRequest.Apply(IsaNames.Name(paths[0]));
        }

        return paths;
    }

    private CompareBudget Budget(ParseResult parsed, bool isQuick)
    {
        CompareBudget limits = isQuick ? CompareBudget.Quick : CompareBudget.Default;
        if (parsed.GetValue(budget) is string seconds)
        {
            limits = limits with { Seconds = NumberParser.ParseInt32(seconds, "--budget", 1, 86_400) };
        }

        // INTEROP_SIZE_SCALE (tests, demos): the budget and the shortest point shrink with the sizes.
        return limits with { Seconds = SizeScale.Seconds(limits.Seconds), MinPointSeconds = SizeScale.Seconds(limits.MinPointSeconds) };
    }

    // A baseline is read (and so checked) before anything runs; sizes and seed not given are its own,
    // since points compare only with the same workload parameters.
    private PlanSizes Sizes(ParseResult parsed, TextWriter stderr, string[] workloads, CompareRun? old, string? baselinePath)
    {
        (IReadOnlyDictionary<IWorkload, PlannedSize> oldSizes, ulong? oldSeed) = old is null ? (new Dictionary<IWorkload, PlannedSize>(), null) : BaselineComparison.Sizes(old);
        Dictionary<IWorkload, long?> given = WorkloadRegistry.All.ToDictionary(w => w, w => sizeOptions[w].Read(parsed, stderr));
        ulong? givenSeed = SharedOptions.ParseSeed(parsed.GetValue(seed));
        var taken = new List<string>();
        var sizes = new Dictionary<IWorkload, PlannedSize>();
        foreach (IWorkload workload in WorkloadRegistry.All)
        {
            PlannedSize? before = oldSizes.GetValueOrDefault(workload);
            bool take = given[workload] is null && before?.Size is not null && workloads.Contains(workload.Name);
            if (take)
            {
                taken.Add(workload.SizeName);
            }

            long? planned = given[workload] ?? (take ? before!.Size : null);
            // The serial baseline's size comes with the baseline's size, whether taken or given alike.
            sizes[workload] = new PlannedSize(planned, planned is not null && planned == before?.Size ? before.SerialSize : null);
        }

        if (givenSeed is null && oldSeed is not null)
        {
            taken.Add("seed");
        }

        return new PlanSizes(
            Sizes: sizes,
            Seed: givenSeed ?? (taken.Contains("seed") ? oldSeed!.Value : SharedOptions.DefaultSeed),
            Source: taken.Count > 0 ? $"{string.Join(", ", taken)} from the baseline {baselinePath}" : "given");
    }

    // Each schedule as RankSchedule reads it (a bad one a usage error), spelled one way ("dynamic:1e3" as "dynamic:1000"), in the order given.
    private static IReadOnlyList<string> ParseSchedules(string? list)
    {
        if (list is null)
        {
            return ["static"];
        }

        string[] texts = [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(text => RankSchedule.Parse(text, ScheduleUnit.Items).Text).Distinct()];
        return texts.Length > 0 ? texts : throw new UsageException($"{RankSchedule.Name} needs at least one schedule, e.g. static,dynamic");
    }

    private static IReadOnlyList<int> ParseThreads(string? list)
    {
        if (list is null)
        {
            return ComparePlan.DefaultThreads(ThreadCount.Resolve(null).Threads);
        }

        int[] counts = [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(SharedOptions.ParseThreadCount).Distinct().Order()];
        return counts.Length > 0 ? counts : throw new UsageException("--threads needs at least one count, e.g. 1,2,4");
    }

    /// <summary>The sizes and seed of the plan: given, else the baseline's, else calibrated (null) and the default seed.</summary>
    private sealed record PlanSizes(IReadOnlyDictionary<IWorkload, PlannedSize> Sizes, ulong Seed, string Source);
}

/// <summary>
/// compare's --backend list, from which each workload takes the backends it runs (see
/// <see cref="IWorkload.SelectBackends"/>). A backend that cannot run here (say the native library is
/// missing) is left out with a note, so the comparison of the others still happens.
/// </summary>
internal sealed class BackendSelection(string list, TextWriter stderr)
{
    private readonly string[] names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// The available backends of <typeparamref name="T"/> the list names, in the catalog's order. 'all'
    /// takes them only when <paramref name="inAll"/> says so; named ones are always taken. Names match
    /// whatever their case, as in the workloads' own commands; an unknown name is a usage error.
    /// </summary>
    public IReadOnlyList<IBackend> Available<T>(bool inAll = true)
        where T : IBackend =>
        Available(BackendCatalog.All<T>().Cast<IBackend>(), inAll);

    /// <summary>
    /// As <see cref="Available{T}"/>, among <paramref name="candidates"/> (catalog backends, in the
    /// catalog's order): for a workload whose backends no interface names, that chooses them itself.
    /// </summary>
    public IReadOnlyList<IBackend> Available(IEnumerable<IBackend> candidates, bool inAll = true)
    {
        IReadOnlyList<IBackend> everything = BackendCatalog.All<IBackend>();
        foreach (string name in names.Where(n => !n.Equals("all", StringComparison.OrdinalIgnoreCase) && !everything.Any(b => b.Name.Equals(n, StringComparison.OrdinalIgnoreCase))))
        {
            throw new UsageException($"unknown backend '{name}'; known: all, {string.Join(", ", everything.Select(b => b.Name))}");
        }

        var selected = new List<IBackend>();
        foreach (IBackend backend in candidates.Where(b => (inAll && Named("all")) || Named(b.Name)))
        {
            try
            {
                backend.EnsureAvailable();
                selected.Add(backend);
            }
            catch (BackendUnavailableException e)
            {
                // Once per backend, though several workloads ask for it.
                Notices.Note(stderr, $"{backend.Name} left out: {e.Message}");
            }
        }

        return selected;
    }

    private bool Named(string name) => names.Contains(name, StringComparer.OrdinalIgnoreCase);
}

/// <summary>A workload's option of compare for its size (--darts, --size), declared by the workload.</summary>
internal interface ICompareSizeOption
{
    /// <summary>Adds the option (and any old spelling it still accepts) to compare.</summary>
    void AddTo(Command command);

    /// <summary>The size given, scaled and checked (a bad one is a usage error naming the option); null: not given.</summary>
    long? Read(ParseResult parsed, TextWriter stderr);
}

/// <summary>The validated options of one `interop compare` run.</summary>
internal sealed record CompareOptions(ComparePlan Plan, string Output, bool Force, CompareRun? Baseline, string? BaselinePath, string? Trace, bool Mpi)
{
    /// <summary>--format/--json: the results document (or CSV) on stdout; the human output then goes to stderr.</summary>
    public IResultFormat Format { get; init; } = ResultFormats.Named(ResultFormats.Default);

    /// <summary>--dry-run: check and describe the run, run nothing.</summary>
    public DryRun? DryRun { get; init; }

    /// <summary>--columns: the tables' columns (fitted to the terminal by default).</summary>
    public ColumnChoice Columns { get; init; } = ColumnChoice.Fit;
    /// <summary>--quick: a smoke run, which every table title says.</summary>
    public bool Quick { get; init; }
}

/// <summary>
/// Progress on stderr: a Spectre.Console bar with ETA on an interactive terminal (see
/// <see cref="TerminalMode"/>), one line rewritten in place on other terminals (mpiexec's
/// pseudo-terminals, TERM=dumb), one plain line per point otherwise (CI logs, files), so stdout
/// stays clean for the tables.
/// </summary>
internal sealed class ProgressLine(TextWriter stderr) : IProgress<CompareProgress>
{
    private readonly bool drawn = TerminalMode.IsInteractive(stderr);
    private readonly bool live = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
    private LiveProgress? bar;

    public void Report(CompareProgress p)
    {
        if (drawn)
        {
            Draw(p);
            return;
        }

        string elapsed = $"{p.Elapsed.TotalSeconds:F1} s elapsed";
        if (p.Backend is null)
        {
            if (live)
            {
                stderr.Write($"\r{new string(' ', 100)}\r");
            }

            stderr.WriteLine($"progress: {p.Done}/{p.Total} points done, {elapsed}");
            return;
        }

        string line = $"progress: [{p.Done + 1}/{p.Total}] {p.Workload} {p.Backend} {p.Ranks}x{p.Threads} {p.Isa}, {p.Total - p.Done - 1} left, {elapsed}";
        if (live)
        {
            stderr.Write($"\r{line.PadRight(100)}");
        }
        else
        {
            stderr.WriteLine(line);
        }
    }

    /// <summary>Ends the drawn bar (if any) so later stderr lines start below it.</summary>
    public void Finish() => bar?.Dispose();

    private void Draw(CompareProgress p)
    {
        bar ??= new LiveProgress(stderr, "compare", p.Total);
        if (p.Backend is null)
        {
            bar.Update($"{p.Done}/{p.Total} points done", p.Done);
            bar.Dispose();
            return;
        }

        bar.Update($"[{p.Done + 1}/{p.Total}] {p.Workload} {p.Backend} {p.Ranks}x{p.Threads} {p.Isa}", p.Done);
    }
}
