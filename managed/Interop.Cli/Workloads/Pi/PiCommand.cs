using System.CommandLine;
using Interop.Backends;
using Interop.Cli.Commands;
using Interop.Cli.Jobs;
using Interop.Cli.Noise;
using Interop.Core;

namespace Interop.Cli.Workloads.Pi;

/// <summary>`interop pi`: Monte Carlo pi on the chosen backends, verified and timed.</summary>
internal static class PiCommand
{
    public const string DefaultDarts = "1e9";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var dartsArgument = new Argument<string?>("darts")
        {
            Description = $"Number of darts: digits, 1_000_000 or 1e9 (up to 2^63-1); default {DefaultDarts}.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var darts = new Option<string?>(DartsSpelling.Name, DartsSpelling.Alias) { Description = "The number of darts, as an option." };
        Option<string?> refused = DartsSpelling.CreateRefused();
        var schedule = new Option<string?>(RankSchedule.Name)
        {
            Description = "How the darts are split over MPI ranks and threads: static (one range per rank, split over its threads; the default), dynamic[:CHUNK] " +
                $"(chunks of CHUNK darts, default darts / (ranks x threads x {ScheduleUnit.Darts.DefaultChunksPerWorker}), to whichever thread of whichever rank is free; rank 0 works too) " +
                $"or guided[:MIN] (chunks shrinking as the darts run out, at least MIN, default a {RankSchedule.GuidedMinimumDivisor}th of dynamic's).",
        };
        var common = new CommonOptions<IPiBackend>();
        var command = new Command("pi", "Monte Carlo pi: darts in the unit square, count those inside the circle; every backend's count is checked against the others.")
        {
            dartsArgument,
            darts,
            refused,
            schedule,
        }.Example("interop pi --darts 1e8 --backend c-openmp");
        common.AddTo(command);
        command.SetAction(parsed => Driver.Guard(stderr, () =>
        {
            DartsSpelling.Refuse(parsed, refused);
            string? given = parsed.GetValue(darts);
            if (given is not null && parsed.GetValue(dartsArgument) is not null)
            {
                throw new UsageException($"the darts are given twice, as the argument and as {DartsSpelling.Name}: give them once");
            }

            IsaRequest isa = common.Isa(parsed);
            var options = new PiOptions(
                Isa: isa,
                // INTEROP_SIZE_SCALE (tests, demos) scales the default and a given count alike.
                Darts: SizeScale.Darts(NumberParser.ParseInt64(given ?? parsed.GetValue(dartsArgument) ?? DefaultDarts, DartsSpelling.Name, 1)),
                Seed: common.Seed(parsed),
                Backends: common.Backends(parsed),
                Threads: common.Threads(parsed),
                Repeat: common.Repeat(parsed),
                Format: common.Format(parsed),
                Mpi: common.Mpi(parsed),
                Trace: common.Trace(parsed))
            {
                Repeats = common.Repeats(parsed),
                Warmup = common.Warmup(parsed),
                DryRun = common.DryRunOf(parsed),
                Schedule = RankSchedule.Parse(parsed.GetValue(schedule), ScheduleUnit.Darts),
                Columns = common.Columns(parsed, PiWorkload.Instance.CommandColumns(severalRanks: true, taskPool: true)),
            };
            using var run = new PiRun(options);
            return CommandRunner.Run(run, stdout, stderr);
        }));
        return command;
    }
}

/// <summary>
/// One `interop pi` run: every backend counts the same darts over the job's ranks; the verdict is
/// that all counts agree.
/// </summary>
internal sealed class PiRun(PiOptions options) : ICommandRun
{

    public IReadOnlyList<IBackend> Backends => options.Backends;

    public bool Mpi => options.Mpi;

    public string? Trace => options.Trace;

    public IResultFormat Format => options.Format;

    public DryRun? DryRun => options.DryRun;

    public string Plan(int ranks) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"pi: {options.Darts:N0} darts, seed {options.Seed}; backends {string.Join(",", options.Backends.Select(b => b.Name))}; " +
        $"{ranks} rank(s) x {options.Threads.Threads} thread(s) (from {options.Threads.Source}); schedule {options.Schedule.Describe(options.Darts, ranks * options.Threads.Threads)}; isa {options.Isa.Isa.ToString().ToLowerInvariant()}; repeats {options.Repeats}; warm-up {options.Warmup}");

    public void Begin(IJob job, TextWriter stderr)
    {
        StableHash.RequireSameOnAllRanks(job, $"pi darts={options.Darts} seed={options.Seed} backends={string.Join(',', options.Backends.Select(b => b.Name))} repeat={options.Repeats} warmup={options.Warmup} isa={options.Isa.Isa} schedule={options.Schedule}");
        Placement.Warn(job, options.Threads.Threads, stderr);
    }

    public int ThreadsPerRank => options.Threads.Threads;

    public IRunReport? Measure(IJob job, TextWriter console, TextWriter stderr, LoadWatch load)
    {
        var (results, rounds) = SecondPass.EveryBackend(job, "pi", options.Backends, b => MeasureOne(job, b), options.Repeats, r => r.Seconds,
            r => $"{r.Backend} {RankThreads.Shape(r.Ranks, r.Threads, r.RankThreads)}", stderr);
        return job.IsRoot ? new RemeasuredReport(new PiReport(options, job.Description, results, Verify(results)) { Heterogeneous = job.Heterogeneous }, rounds) : null;
    }

    private PiResult MeasureOne(IJob job, IPiBackend backend)
    {
        int threads = backend.IsParallel ? options.Threads.Threads : 1;
        // One chunk size for every backend of the run (a serial backend's one worker gets the same
        // chunks), from the threads of every rank: the same on every rank of a heterogeneous job too.
        int[]? rankThreads = job.Heterogeneous?.At(0);
        RankSchedule schedule = options.Schedule.For(options.Darts, rankThreads?.Sum() ?? job.Size * options.Threads.Threads);
        return PiBench.Run(job, backend, options.Seed, options.Darts, threads, options.Repeats, options.Warmup, schedule, backend.IsParallel ? rankThreads : null);
    }

    public void Dispose()
    {
    }

    /// <summary>Every backend threw the same darts, so every count must be the same.</summary>
    public static Verdict Verify(IReadOnlyList<PiResult> results) =>
        results.Select(r => r.Inside).Distinct().Count() <= 1
            ? Verdict.Ok
            : Verdict.Failed($"backends disagree on the count: {string.Join(", ", results.Select(r => $"{r.Backend}={r.Inside}"))}");
}

/// <summary>The validated options of one `interop pi` run.</summary>
internal sealed record PiOptions(IsaRequest Isa, long Darts, ulong Seed, IReadOnlyList<IPiBackend> Backends, ThreadChoice Threads, int Repeat, IResultFormat Format, bool Mpi, string? Trace)
{
    /// <summary>How many timed runs (--repeat R fixed, else automatic); <see cref="Repeat"/> is the fixed count or 0.</summary>
    public RepeatPolicy Repeats { get; init; } = RepeatPolicy.Auto;

    /// <summary>Untimed runs before the timed ones (--warmup, default 1).</summary>
    public int Warmup { get; init; } = 1;

    /// <summary>--dry-run: check and describe the run, run nothing.</summary>
    public DryRun? DryRun { get; init; }

    /// <summary>--schedule: how the darts are split over the ranks.</summary>
    public RankSchedule Schedule { get; init; } = RankSchedule.Static(ScheduleUnit.Darts);

    /// <summary>--columns: the table's columns (fitted to the terminal by default).</summary>
    public ColumnChoice Columns { get; init; } = ColumnChoice.Fit;
}
