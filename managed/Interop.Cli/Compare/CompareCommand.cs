using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Interop.Backends;
using Interop.Cli.Commands;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli.Compare;

/// <summary>
/// `interop compare`, the main job: both workloads on every available backend over thread counts
/// 1, 2, 4, ... (and the ranks of an MPI job), verified, as console tables, a plain-language
/// summary and a results folder (JSON, CSV, SVG/PNG charts, report.md).
/// </summary>
internal static class CompareCommand
{
    public const int QuickRepeat = 2;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var workload = new Option<string>("--workload", "-w") { Description = "pi, inv or all.", DefaultValueFactory = _ => "all" }.Names(["pi", "inv", "all"]);
        var backend = new Option<string>("--backend", "-b") { Description = "Comma-separated backends, or 'all' (each workload runs the ones it has).", DefaultValueFactory = _ => "all" }
            .Names(["all", .. BackendCatalog.All<IPiBackend>().Select(b => b.Name), .. BackendCatalog.All<IInvBackend>().Select(b => b.Name), .. BackendCatalog.All<IDistributedInvBackend>().Select(b => b.Name)]);
        var threads = new Option<string?>("--threads", "-t") { Description = "Comma-separated thread counts (default 1, 2, 4, ... up to the CPUs available; " + ThreadCount.Rules + ")" };
        var repeat = new Option<string?>("--repeat", "-r") { Description = $"Timed runs per point after the warm-up (default automatic: {RepeatPolicy.AutoMinRuns} to {RepeatPolicy.AutoMaxRuns} runs until the median's 95% CI is within ±{RepeatPolicy.AutoTarget * 100:0}% or {RepeatPolicy.AutoMaxSeconds:0} s of runs; --quick {QuickRepeat})." };
        var warmup = CommonOptions<IBackend>.WarmupOption();
        var quick = new Option<bool>("--quick") { Description = $"A smoke run of about 15 seconds: a {CompareBudget.Quick.Seconds:0} s budget, {QuickRepeat} repeats." };
        var budget = new Option<string?>("--budget") { Description = $"Seconds of measuring the calibrated sizes should fill, per instruction-set path (default {CompareBudget.Default.Seconds:0}, about 2 minutes in all; --quick {CompareBudget.Quick.Seconds:0})." };
        var darts = new Option<string?>("--darts", "-n") { Description = "Darts for pi (default: calibrated to the budget on this CPU; the serial baseline throws fewer)." };
        var size = new RenamedOption(new Option<string?>("--size") { Description = "Matrix order for inv (default: calibrated to the budget on this CPU)." }, "--n");
        Option<string?> isa = IsaRequest.CreateOption(", or all (every path this CPU has, one after the other, with the same sizes)");
        var seed = new Option<string?>("--seed", "-s") { Description = "Seed of the generator (default 42, or the --baseline run's)." };
        var output = new RenamedOption(new Option<string?>("--out-dir") { Description = "Results folder, new or empty (default results/<timestamp>/); checked before any computing." }, "--out", "-o");
        var force = new Option<bool>("--force") { Description = "Write into a non-empty --out-dir folder: first remove the files an earlier compare wrote there (results.*, report.md, charts); other files stay." };
        var baseline = new Option<string?>("--baseline") { Description = "An earlier results.json to compare with, point by point (same workload, darts or n, seed, backend, ranks x threads, isa); darts, n and seed default to its own." };
        var trace = new Option<string?>("--trace") { Description = "Write a Chrome trace-event file of the whole run." };
        var mpi = new Option<bool>("--mpi") { Description = "Initialize MPI even without a launcher's variables." };
        var json = new Option<bool>("--json") { Description = "Print the results.json document on stdout (tables and summary go to stderr with the progress); short for --format json." };
        Option<string?> format = ResultFormats.CreateOption();
        var command = new Command("compare", "The main job: every workload on every backend over thread (and rank) counts, verified, with tables, a summary, charts and a report.")
        {
            workload, backend, threads, repeat, warmup, quick, budget, darts,
        };
        size.AddTo(command);
        foreach (Option option in new Option[] { isa, seed })
        {
            command.Options.Add(option);
        }

        output.AddTo(command);
        foreach (Option option in new Option[] { force, baseline, trace, mpi, json, format })
        {
            command.Options.Add(option);
        }

        var dryRun = new DryRunOptions();
        dryRun.AddTo(command);

        command.SetAction(parsed => Driver.Guard(stderr, () =>
        {
            bool isQuick = parsed.GetValue(quick);
            string[] workloads = parsed.GetValue(workload) switch
            {
                "all" => ["pi", "inv"],
                "pi" => ["pi"],
                "inv" => ["inv"],
                var other => throw new UsageException($"--workload must be pi, inv or all, not '{other}'"),
            };
            // The path is switched before any backend loads: OpenBLAS reads its CPU type only then.
            IReadOnlyList<Isa> paths = parsed.GetValue(isa) is string i && i.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)
                ? [.. IsaNames.Paths.Where(ManagedIsa.Supports)]
                : [IsaRequest.Apply(parsed.GetValue(isa)).Isa];
            if (paths.Count > 1)
            {
                IsaRequest.Apply(IsaNames.Name(paths[0]));
            }

            CompareBudget limits = isQuick ? CompareBudget.Quick : CompareBudget.Default;
            if (parsed.GetValue(budget) is string seconds)
            {
                limits = limits with { Seconds = NumberParser.ParseInt32(seconds, "--budget", 1, 86_400) };
            }

            // INTEROP_SIZE_SCALE (tests, demos): the budget and the shortest point shrink with the sizes.
            limits = limits with { Seconds = SizeScale.Seconds(limits.Seconds), MinPointSeconds = SizeScale.Seconds(limits.MinPointSeconds) };

            string backendList = parsed.GetValue(backend)!;
            // A baseline is read (and so checked) before anything runs; sizes and seed not given are its own,
            // since points compare only with the same workload parameters.
            string? baselinePath = parsed.GetValue(baseline);
            CompareRun? old = baselinePath is null ? null : ResultsFiles.ReadJson(baselinePath);
            (long? oldDarts, long? oldSerialDarts, int? oldN, ulong? oldSeed) = old is null ? default : BaselineComparison.Sizes(old);
            long? givenDarts = parsed.GetValue(darts) is string d ? SizeScale.Darts(NumberParser.ParseInt64(d, "--darts", 1)) : null;
            int? givenN = size.Value(parsed, stderr) is string nn ? SizeScale.Order(NumberParser.ParseInt32(nn, "--size", 1, SpecMatrix.MaxOrder)) : null;
            ulong? givenSeed = parsed.GetValue(seed) is string sd ? NumberParser.ParseUInt64(sd, "--seed") : null;
            var taken = new List<string>();
            if (givenDarts is null && oldDarts is not null && workloads.Contains("pi"))
            {
                taken.Add("darts");
            }

            if (givenN is null && oldN is not null && workloads.Contains("inv"))
            {
                taken.Add("n");
            }

            if (givenSeed is null && oldSeed is not null)
            {
                taken.Add("seed");
            }

            long? planDarts = givenDarts ?? (taken.Contains("darts") ? oldDarts : null);
            var options = new CompareOptions(
                Plan: new ComparePlan(
                    Workloads: workloads,
                    PiBackends: workloads.Contains("pi") ? SelectAvailable<IPiBackend>(backendList, stderr) : [],
                    InvBackends: workloads.Contains("inv") ? SelectAvailable<IInvBackend>(backendList, stderr) : [],
                    Threads: ParseThreads(parsed.GetValue(threads)),
                    Paths: paths,
                    Darts: planDarts,
                    N: givenN ?? (taken.Contains("n") ? oldN : null),
                    Seed: givenSeed ?? (taken.Contains("seed") ? oldSeed!.Value : 42),
                    Repeat: parsed.GetValue(repeat) is string r ? CommonOptions<IBackend>.ParseRepeat(r) : isQuick ? RepeatPolicy.Fixed(QuickRepeat) : RepeatPolicy.Auto,
                    Budget: limits)
                {
                    Warmup = CommonOptions<IBackend>.ParseWarmup(parsed.GetValue(warmup)!),
                    // The inversion backends that run over the ranks (scalapack): in 'all' only under an
                    // MPI launcher (with one process they would measure a 1x1 grid beside lapack).
                    DistributedInvBackends = workloads.Contains("inv")
                        ? SelectAvailable<IDistributedInvBackend>(backendList, stderr, inAll: Mpi.MpiLaunch.Launcher(Environment.GetEnvironmentVariable) is not null)
                        : [],
                    // The serial baseline's darts come with the baseline's darts, whether taken or given alike.
                    SerialDarts = planDarts is not null && planDarts == oldDarts ? oldSerialDarts : null,
                    SizeSource = taken.Count > 0 ? $"{string.Join(", ", taken)} from the baseline {baselinePath}" : "given",
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
            };
            if (!options.Plan.Points().Any())
            {
                // A run that measures nothing has nothing to verify or report: say why rather than exit 0.
                throw new UsageException($"nothing to measure: no available backend of '--backend {backendList}' runs {string.Join(" or ", workloads)}");
            }

            using var run = new CompareJob(options);
            return CommandRunner.Run(run, stdout, stderr);
        }));
        return command;
    }

    // A backend that cannot run here (say the native library is missing) is left out with a note,
    // so the comparison of the others still happens. 'all' takes the backends of T only when
    // inAll says so; named ones are always taken.
    private static IReadOnlyList<T> SelectAvailable<T>(string list, TextWriter stderr, bool inAll = true)
        where T : IBackend
    {
        IReadOnlyList<IBackend> everything = BackendCatalog.All<IBackend>();
        string[] names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string name in names.Where(n => n != "all" && everything.All(b => b.Name != n)))
        {
            throw new UsageException($"unknown backend '{name}'; known: all, {string.Join(", ", everything.Select(b => b.Name))}");
        }

        var selected = new List<T>();
        foreach (T backend in BackendCatalog.All<T>().Where(b => (inAll && names.Contains("all")) || names.Contains(b.Name)))
        {
            try
            {
                backend.EnsureAvailable();
                selected.Add(backend);
            }
            catch (BackendUnavailableException e)
            {
                // Once per backend, though both workloads ask for it.
                Notices.Note(stderr, $"{backend.Name} left out: {e.Message}");
            }
        }

        return selected;
    }

    private static IReadOnlyList<int> ParseThreads(string? list)
    {
        if (list is null)
        {
            return ComparePlan.DefaultThreads(ThreadCount.Resolve(null).Threads);
        }

        int[] counts = [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => NumberParser.ParseInt32(t, "--threads", 1, ThreadCount.Max)).Distinct().Order()];
        return counts.Length > 0 ? counts : throw new UsageException("--threads needs at least one count, e.g. 1,2,4");
    }
}

/// <summary>The validated options of one `interop compare` run.</summary>
internal sealed record CompareOptions(ComparePlan Plan, string Output, bool Force, CompareRun? Baseline, string? BaselinePath, string? Trace, bool Mpi)
{
    /// <summary>--format/--json: the results document (or CSV) on stdout; the human output then goes to stderr.</summary>
    public IResultFormat Format { get; init; } = ResultFormats.Named(ResultFormats.Default);

    /// <summary>--dry-run: check and describe the run, run nothing.</summary>
    public DryRun? DryRun { get; init; }
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
