using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Interop.Backends;
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
    public const long DefaultDarts = 2_000_000_000;
    public const int DefaultN = 3000;
    public const long QuickDarts = 200_000_000;
    public const int QuickN = 800;
    public const int DefaultRepeat = 3;
    public const int QuickRepeat = 2;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var workload = new Option<string>("--workload", "-w") { Description = "pi, inv or all.", DefaultValueFactory = _ => "all" };
        var backend = new Option<string>("--backend", "-b") { Description = "Comma-separated backends, or 'all' (each workload runs the ones it has).", DefaultValueFactory = _ => "all" };
        var threads = new Option<string?>("--threads", "-t") { Description = "Comma-separated thread counts (default 1, 2, 4, ... up to the CPUs available; " + ThreadCount.Rules + ")" };
        var repeat = new Option<string?>("--repeat", "-r") { Description = $"Timed runs per point after one warm-up (default {DefaultRepeat}, --quick {QuickRepeat})." };
        var quick = new Option<bool>("--quick") { Description = $"A smoke run of a few seconds: {QuickDarts:0.#e0} darts, n = {QuickN}, {QuickRepeat} repeats." };
        var darts = new Option<string?>("--darts", "-n") { Description = $"Darts for pi (default {DefaultDarts:0.#e0})." };
        var n = new Option<string?>("--n") { Description = $"Matrix order for inv (default {DefaultN})." };
        var seed = new Option<string>("--seed", "-s") { Description = "Seed of the generator.", DefaultValueFactory = _ => "42" };
        var output = new Option<string?>("--out", "-o") { Description = "Results folder (default results/<timestamp>/)." };
        var baseline = new Option<string?>("--baseline") { Description = "An earlier results.json to compare with, point by point." };
        var trace = new Option<string?>("--trace") { Description = "Write a Chrome trace-event file of the whole run." };
        var mpi = new Option<bool>("--mpi") { Description = "Initialize MPI even without a launcher's variables." };
        var command = new Command("compare", "The main job: every workload on every backend over thread (and rank) counts, verified, with tables, a summary, charts and a report.")
        {
            workload, backend, threads, repeat, quick, darts, n, seed, output, baseline, trace, mpi,
        };
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
            string backendList = parsed.GetValue(backend)!;
            var options = new CompareOptions(
                Plan: new ComparePlan(
                    Workloads: workloads,
                    PiBackends: workloads.Contains("pi") ? SelectAvailable<IPiBackend>(backendList, stderr) : [],
                    InvBackends: workloads.Contains("inv") ? SelectAvailable<IInvBackend>(backendList, stderr) : [],
                    Threads: ParseThreads(parsed.GetValue(threads)),
                    Darts: parsed.GetValue(darts) is string d ? NumberParser.ParseInt64(d, "--darts", 1) : isQuick ? QuickDarts : DefaultDarts,
                    N: parsed.GetValue(n) is string nn ? NumberParser.ParseInt32(nn, "--n", 1, SpecMatrix.MaxOrder) : isQuick ? QuickN : DefaultN,
                    Seed: NumberParser.ParseUInt64(parsed.GetValue(seed)!, "--seed"),
                    Repeat: parsed.GetValue(repeat) is string r ? NumberParser.ParseInt32(r, "--repeat", 1, 1000) : isQuick ? QuickRepeat : DefaultRepeat),
                Output: parsed.GetValue(output) ?? Path.Combine("results", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)),
                Baseline: parsed.GetValue(baseline) is string b ? ResultsFiles.ReadJson(b) : null,
                Trace: parsed.GetValue(trace),
                Mpi: parsed.GetValue(mpi));
            return Run(options, stdout, stderr);
        }));
        return command;
    }

    private static int Run(CompareOptions options, TextWriter stdout, TextWriter stderr)
    {
        using IJob job = JobFactory.Start(options.Mpi);
        return Driver.RunInJob(job, stderr, () =>
        {
            ComparePlan plan = options.Plan;
            StableHash.RequireSameOnAllRanks(job, $"compare {plan.Darts} {plan.N} {plan.Seed} {plan.Repeat} {string.Join(',', plan.Threads)} {string.Join(',', plan.Workloads)}");
            Placement.Warn(job, plan.Threads.Max(), stderr);
            TextWriter console = job.IsRoot ? stdout : TextWriter.Null;
            console.WriteLine($"interop compare: {string.Join(" and ", plan.Workloads)}; pi with {plan.Darts.ToString("N0", CultureInfo.InvariantCulture)} darts, " +
                $"inv with n = {plan.N}; threads {string.Join(", ", plan.Threads)}; {job.Size} rank(s); seed {plan.Seed}; median of {plan.Repeat} run(s) after 1 warm-up");
            console.WriteLine($"Environment: {EnvironmentInfo.Summary()}");
            console.WriteLine();

            DateTimeOffset started = DateTimeOffset.Now;
            var clock = Stopwatch.StartNew();
            TraceFile.Begin(options.Trace, job);
            IReadOnlyList<ComparePoint> points = new CompareRunner(job, plan, job.IsRoot ? new ProgressLine(stderr) : new Progress<CompareProgress>()).Run();
            TraceFile.Finish(options.Trace, job);
            if (!job.IsRoot)
            {
                return Driver.Success;
            }

            var run = new CompareRun(started, clock.Elapsed.TotalSeconds, Parameters(plan, job), EnvironmentInfo.Collect(), EnvironmentInfo.CollectVariables(), points);
            IReadOnlyList<string> summary = CompareSummary.Sentences(run);
            CompareTables.Write(console, run);
            console.WriteLine("Summary:");
            foreach (string line in summary)
            {
                console.WriteLine($"  {line}");
            }

            ResultsFolder folder = ResultsFiles.Write(run, options.Output, summary);
            console.WriteLine();
            console.WriteLine($"Results: {string.Join(", ", folder.Files.Select(Path.GetFileName))} in {options.Output}");
            if (options.Baseline is CompareRun old)
            {
                console.WriteLine();
                foreach (string line in BaselineComparison.Compare(old, run).Describe())
                {
                    console.WriteLine(line);
                }
            }

            if (points.Any(p => !p.Verified))
            {
                stderr.WriteLine($"interop: error: {points.Count(p => !p.Verified)} result(s) failed verification (see the check column)");
                return Driver.Failure;
            }

            return Driver.Success;
        });
    }

    private static IReadOnlyList<KeyValuePair<string, string?>> Parameters(ComparePlan plan, IJob job) =>
    [
        new("workloads", string.Join(",", plan.Workloads)),
        new("darts", plan.Darts.ToString(CultureInfo.InvariantCulture)),
        new("n", plan.N.ToString(CultureInfo.InvariantCulture)),
        new("seed", plan.Seed.ToString(CultureInfo.InvariantCulture)),
        new("threads", string.Join(",", plan.Threads)),
        new("ranks", job.Size.ToString(CultureInfo.InvariantCulture)),
        new("job", job.Description),
        new("repeat", plan.Repeat.ToString(CultureInfo.InvariantCulture)),
        new("warmup", "1"),
    ];

    // A backend that cannot run here (say the native library is missing) is left out with a note,
    // so the comparison of the others still happens.
    private static IReadOnlyList<T> SelectAvailable<T>(string list, TextWriter stderr)
        where T : IBackend
    {
        IReadOnlyList<IBackend> everything = BackendCatalog.All<IBackend>();
        string[] names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string name in names.Where(n => n != "all" && everything.All(b => b.Name != n)))
        {
            throw new UsageException($"unknown backend '{name}'; known: all, {string.Join(", ", everything.Select(b => b.Name))}");
        }

        var selected = new List<T>();
        foreach (T backend in BackendCatalog.All<T>().Where(b => names.Contains("all") || names.Contains(b.Name)))
        {
            try
            {
                backend.EnsureAvailable();
                selected.Add(backend);
            }
            catch (BackendUnavailableException e)
            {
                if (JobFactory.IsLaunchRoot())
                {
                    stderr.WriteLine($"interop: note: {backend.Name} left out: {e.Message}");
                }
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
            .Select(t => NumberParser.ParseInt32(t, "--threads", 1, 4096)).Distinct().Order()];
        return counts.Length > 0 ? counts : throw new UsageException("--threads needs at least one count, e.g. 1,2,4");
    }
}

/// <summary>The validated options of one `interop compare` run.</summary>
internal sealed record CompareOptions(ComparePlan Plan, string Output, CompareRun? Baseline, string? Trace, bool Mpi);

/// <summary>
/// Progress on stderr: one line rewritten in place on a terminal, one plain line per point
/// otherwise (CI logs, files), so stdout stays clean for the tables.
/// </summary>
internal sealed class ProgressLine(TextWriter stderr) : IProgress<CompareProgress>
{
    private readonly bool live = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;

    public void Report(CompareProgress p)
    {
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

        string line = $"progress: [{p.Done + 1}/{p.Total}] {p.Workload} {p.Backend} {p.Ranks}x{p.Threads}, {p.Total - p.Done - 1} left, {elapsed}";
        if (live)
        {
            stderr.Write($"\r{line.PadRight(100)}");
        }
        else
        {
            stderr.WriteLine(line);
        }
    }
}
