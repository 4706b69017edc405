using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Interop.Cli.Commands;
using Interop.Cli.Jobs;
using Interop.Cli.Noise;
using Interop.Cli.Workloads;
using Interop.Core;

namespace Interop.Cli.Compare;

/// <summary>
/// One `interop compare` run: sizes calibrated, every scheduled point measured and saved as it
/// finishes (results.json says "complete": false until the end), then the folder finished and the
/// report handed to the runner. SIGINT/SIGTERM save the points so far and end the process.
/// </summary>
internal sealed class CompareJob(CompareOptions options) : ICommandRun
{
    private readonly ComparePlan plan = options.Plan;
    private readonly IReadOnlyList<ScheduledPoint> schedule = CompareRunner.Schedule(options.Plan);
    private CompareOutput? output;
    private CompareSignals? signals;

    public IReadOnlyList<IBackend> Backends => plan.Backends;

    // A backend that needs MPI (a distributed one) named without a launcher: one rank, MPI initialized.
    public bool Mpi => options.Mpi || plan.Workloads.Any(w => w.Backends.Any(w.Workload.NeedsMpi));

    public string? Trace => options.Trace;

    public IResultFormat Format => options.Format;

    public DryRun? DryRun => options.DryRun;

    public bool TextBesideData => true;

    public string? CheckBeforeRunning(IJob job, TextWriter stderr)
    {
        if (options.Baseline is CompareRun old && BaselineComparison.NothingInCommon(old, CompareRunner.Keys(schedule, plan, job.Size)) is string why)
        {
            return $"--baseline {options.BaselinePath}: {why}";
        }

        try
        {
            if (options.Trace is string trace)
            {
                OutputFile.Check(trace, "--trace");
            }

            if (options.DryRun is not null)
            {
                // A dry run creates and removes nothing: the folder's own rules apply when it runs.
                return File.Exists(options.Output) ? $"--out-dir {options.Output}: is a file, not a folder" : null;
            }

            output = CompareOutput.Prepare(options.Output, options.Force, stderr);
            return null;
        }
        catch (UsageException e)
        {
            return e.Message;
        }
    }

    public string Plan(int ranks)
    {
        string sizes = string.Join(", ", WorkloadRegistry.All.Where(plan.Has).Select(w => w.PlannedText(plan.SizeOf(w))));
        string backends = string.Join(",", Backends.Select(b => b.Name).Distinct());
        return string.Create(CultureInfo.InvariantCulture,
            $"compare: {sizes}; backends {backends}; threads {string.Join(", ", plan.Threads)}; {ranks} rank(s); isa {string.Join(",", plan.Paths.Select(IsaNames.Name))}; {SchedulesText(plan)}" +
            $"seed {plan.Seed}; repeats {plan.Repeat}; warm-up {plan.Warmup}; budget {plan.Budget.Seconds:G4} s per path; {schedule.Count} point(s); into {options.Output}");
    }

    // "schedule static, dynamic (pi, ep); " where a workload measured schedules its items; else nothing.
    private static string SchedulesText(ComparePlan plan) =>
        plan.Workloads.Where(w => w.Workload.ScheduledItems is not null).Select(w => w.Workload.Name).ToList() is { Count: > 0 } scheduling
            ? $"schedule {string.Join(", ", plan.Schedules)} ({string.Join(", ", scheduling)}); "
            : string.Empty;

    public void Begin(IJob job, TextWriter stderr)
    {
        // A heterogeneous job's ranks hold lists of their own counts, as many on every rank.
        string threads = job.Heterogeneous is null ? string.Join(',', plan.Threads) : $"{plan.Threads.Count} paired counts";
        StableHash.RequireSameOnAllRanks(job, $"compare {string.Join(' ', WorkloadRegistry.All.Select(plan.SizeOf))} {plan.Seed} {plan.Repeat} {plan.Warmup} {threads} {string.Join(',', plan.Names)} {string.Join(',', plan.Paths)} {string.Join(',', plan.Schedules)} {plan.Budget}");
        Placement.Warn(job, plan.Threads.Max(), stderr);
    }

    public int ThreadsPerRank => plan.Threads.Max();

    public IRunReport? Measure(IJob job, TextWriter console, TextWriter stderr, LoadWatch load)
    {
        DateTimeOffset started = DateTimeOffset.Now;
        Schema.Provenance provenance = Schema.Documents.Here() with { TimestampUtc = started.ToUniversalTime() };
        var clock = Stopwatch.StartNew();
        int planned = CompareRunner.Count(schedule, root: true);
        CompareSizes? sizes = null;
        Schema.MachineLoad? machine = null;
        CompareRun Snapshot(IReadOnlyList<ComparePoint> points, bool complete) =>
            new(started, clock.Elapsed.TotalSeconds, Parameters(plan, sizes, job), EnvironmentInfo.Collect(), EnvironmentInfo.CollectVariables(), points)
            {
                Complete = complete,
                Status = complete ? "complete" : "running",
                PointsPlanned = planned,
                Provenance = provenance,
                MachineLoad = machine,
            };

        // From here on results.json always exists: "complete": false, with the points so far.
        output?.Save(Snapshot([], complete: false));
        if (output is CompareOutput folder)
        {
            signals = new CompareSignals(signal => Interrupted(signal, folder, stderr));
        }

        try
        {
            if (job.IsRoot && WorkloadRegistry.All.Any(w => plan.SizeOf(w) is null))
            {
                stderr.WriteLine($"progress: calibrating sizes to a {plan.Budget.Seconds * plan.Paths.Count:0} s budget with probe runs");
            }

            sizes = new CompareCalibration(job, plan).Choose();
            console.WriteLine($"interop compare: {string.Join(" and ", plan.Names)}; {Describe(plan, sizes)}; threads {string.Join(", ", plan.Threads)}; " +
                $"{job.Size} rank(s); isa {string.Join(", ", plan.Paths.Select(IsaNames.Name))}; {SchedulesText(plan)}seed {plan.Seed}; {StatsText.Runs(plan.Repeat, plan.Warmup, [])}");
            if (job.Heterogeneous is RankThreads heterogeneous)
            {
                console.WriteLine($"heterogeneous job: {heterogeneous.Describe()}; each point pairs the ranks' counts by position");
            }

            console.WriteLine($"Sizes: {sizes.Source}" + (sizes.EstimatedSeconds > 0 ? string.Create(CultureInfo.InvariantCulture, $", estimated {sizes.EstimatedSeconds:F0} s") : string.Empty));
            console.WriteLine($"Environment: {EnvironmentInfo.Summary()}");
            console.WriteLine();
            output?.Save(Snapshot([], complete: false));

            ProgressLine? progress = job.IsRoot ? new ProgressLine(stderr) : null;
            IReadOnlyList<ComparePoint> points;
            var runner = new CompareRunner(job, plan, sizes, (IProgress<CompareProgress>?)progress ?? new Progress<CompareProgress>());
            try
            {
                points = runner.Run(schedule, soFar => output?.Save(Snapshot(soFar, complete: false)));
            }
            finally
            {
                progress?.Finish();
            }

            if (job.IsRoot && runner.SecondPassNote is string again)
            {
                Notices.Note(stderr, again);
            }

            // Every rank, before rank 0 writes the folder: the load goes into results.json and report.md.
            machine = load.Finish(job);
            if (output is null)
            {
                return null;
            }

            CompareRun run = Snapshot(points, complete: true);
            IReadOnlyList<string> summary = CompareSummary.Sentences(run);
            return new CompareReport(run, summary, output.Finish(run, summary), options);
        }
        catch (Exception e) when (output is not null)
        {
            // The points measured so far stay, marked with the error ("complete": false).
            output.Fail(e.Message);
            throw;
        }
    }

    public void Commit()
    {
    }

    public void Dispose() => signals?.Dispose();

    // SIGINT or SIGTERM: the points measured so far are saved ("complete": false, status
    // "interrupted by ..."), temporaries of writes in flight removed, one line said, and the
    // process ends with 130 or 143 (128 + the signal's number, as a shell reports it).
    private static void Interrupted(PosixSignal signal, CompareOutput output, TextWriter stderr)
    {
        string name = CompareSignals.Name(signal);
        string line;
        try
        {
            line = output.Interrupt(name)
                ? $"interop: interrupted by {name}: the points measured so far are in {Path.Combine(output.Directory, "results.json")} (\"complete\": false)"
                : $"interop: interrupted by {name} after the results were written to {output.Directory}";
        }
        catch (Exception e) when (e is UsageException or IOException or UnauthorizedAccessException)
        {
            line = $"interop: interrupted by {name}; the points so far could not be saved: {e.Message}";
        }

        OutputFile.DeleteUnfinished();
        LiveProgress.StopActive();
        if (ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected)
        {
            stderr.WriteLine(); // below the progress line rewritten in place
        }

        stderr.WriteLine(line);
        stderr.Flush();
        Environment.Exit(CompareSignals.ExitCode(signal));
    }

    // Each workload measured with the size chosen, as the workload says it, in table order.
    private static string Describe(ComparePlan plan, CompareSizes sizes) =>
        string.Join(", ", WorkloadRegistry.All.Where(plan.Has).Select(w => w.ChosenText(sizes.Sizes[w])));

    // Sizes are null (unknown) while they are being calibrated.
    private static IReadOnlyList<KeyValuePair<string, string?>> Parameters(ComparePlan plan, CompareSizes? sizes, IJob job) =>
    [
        new("workloads", string.Join(",", plan.Names)),
        .. WorkloadRegistry.All.SelectMany(w => w.SizeParameters(sizes?.Sizes[w])),
        new("sizes", sizes?.Source ?? "being calibrated"),
        new("budget_seconds_per_path", plan.Budget.Seconds.ToString(CultureInfo.InvariantCulture)),
        new("min_point_seconds", plan.Budget.MinPointSeconds.ToString(CultureInfo.InvariantCulture)),
        new("estimated_seconds", sizes?.EstimatedSeconds.ToString("F1", CultureInfo.InvariantCulture)),
        new("isa", string.Join(",", plan.Paths.Select(IsaNames.Name))),
        new("isa_source", IsaRequest.Current.Source),
        new("seed", plan.Seed.ToString(CultureInfo.InvariantCulture)),
        new("threads", string.Join(",", plan.Threads)),
        new("ranks", job.Size.ToString(CultureInfo.InvariantCulture)),
        new("job", job.Description),
        new("repeat", plan.Repeat.ToString()),
        new("warmup", plan.Warmup.ToString(CultureInfo.InvariantCulture)),
    ];
}

/// <summary>A finished compare run: its verdict from the points' checks, the results document, and the text (tables, summary, files, baseline).</summary>
internal sealed class CompareReport(CompareRun run, IReadOnlyList<string> summary, ResultsFolder folder, CompareOptions options) : IRunReport
{
    public Verdict Verdict { get; } = run.Verified
        ? Verdict.Ok
        : Verdict.Failed($"{run.Points.Count(p => !p.Verified)} result(s) failed verification (see the check column; results.json says \"verified\": false)");

    public Schema.ResultDocument Document() => Schema.Documents.FromCompare(run);

    /// <summary>"check: all 6 point(s) passed (pi: ...; inv: scaled residual &lt;= 30)": each workload's rule.</summary>
    public string CheckLine => Verdict.Passed
        ? $"check: all {run.Points.Count} point(s) passed ({string.Join("; ", run.Points.Select(p => p.Workload).Distinct().Select(w => $"{w}: {WorkloadRegistry.Named(w).VerificationRule}"))})"
        : $"check: FAILED, {Verdict.Failure}";

    public void WriteText(TextWriter output)
    {
        CompareTables.Write(output, run, options.Columns, options.Quick);
        output.WriteLine("Summary:");
        foreach (string line in summary)
        {
            output.WriteLine($"  {line}");
        }

        output.WriteLine();
        output.WriteLine($"Results: {string.Join(", ", folder.Files.Select(Path.GetFileName))} in {options.Output}");
        if (options.Baseline is CompareRun baseline)
        {
            output.WriteLine();
            foreach (string line in BaselineComparison.Compare(baseline, run).Describe())
            {
                output.WriteLine(line);
            }
        }
    }
}
