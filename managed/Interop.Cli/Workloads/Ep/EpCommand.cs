using System.CommandLine;
using System.Globalization;
using Interop.Backends.Ep;
using Interop.Cli.Commands;
using Interop.Cli.Jobs;
using Interop.Cli.Noise;
using Interop.Core;

namespace Interop.Cli.Workloads.Ep;

/// <summary>`interop ep`: the NAS Parallel Benchmarks' EP kernel on the chosen backends, verified against NPB's values and timed.</summary>
internal static class EpCommand
{
    public const string DefaultClass = "A";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var size = new Option<string?>("--class")
        {
            Description = $"NPB problem class: {string.Join(", ", EpClass.All.Select(c => $"{c.Name} (2^{c.M} pairs)"))}; any case. Default {DefaultClass}.",
        }.Names(EpClass.All.Select(c => c.Name));
        var m = new Option<string?>("--m")
        {
            Description = $"A custom size instead of --class: 2^M pairs, M from {EpClass.MinM} to {EpClass.MaxM}. NPB publishes no values for M other than its classes': " +
                "the run is unverified against NPB, and its backends must agree on the pair count and q0..q9.",
        };
        var variant = new Option<string>("--variant")
        {
            Description = "NPB's verification rule: 3.4 (NPB 3.4.2 and later: sx = sum |t3|, sy = sum |t4| and the count of accepted pairs) or 3.3 (signed sums sx = sum t3, sy = sum t4).",
            DefaultValueFactory = _ => "3.4",
        }.Names(["3.4", "3.3"]);
        var schedule = new Option<string?>(RankSchedule.Name)
        {
            Description = "How the batches (2^16 pairs each) are split over MPI ranks: static (one range per rank, as NPB's MPI version, the default), " +
                $"dynamic[:CHUNK] (chunks of CHUNK batches, default batches / (ranks x threads x {ScheduleUnit.EpBatches.DefaultChunksPerWorker}), to whichever thread of whichever rank is free; rank 0 works too) " +
                $"or guided[:MIN] (chunks shrinking as the batches run out, at least MIN, default a {RankSchedule.GuidedMinimumDivisor}th of dynamic's). " +
                "The sums are added in batch order whatever the schedule: the same bits.",
        };
        var common = new CommonOptions<IBackend>(EpKernels.Runs, seeded: false);
        var command = new Command("ep", "NAS Parallel Benchmarks EP: Gaussian pairs by the polar method from NPB's generator, counted in annuli; sums and counts verified against NPB's values, Mop/s as NPB reports them.")
        {
            size,
            m,
            variant,
            schedule,
        }.Example("interop ep --class W --backend c-openmp,managed-parallel");
        common.AddTo(command);
        command.SetAction(parsed => Driver.Guard(stderr, () =>
        {
            IsaRequest isa = common.Isa(parsed);
            var options = new EpOptions(
                Isa: isa,
                Size: Size(parsed.GetValue(size), parsed.GetValue(m)),
                Variant: Variant(parsed.GetValue(variant)!),
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
                Schedule = RankSchedule.Parse(parsed.GetValue(schedule), ScheduleUnit.EpBatches),
                Columns = common.Columns(parsed, EpWorkload.Instance.CommandColumns(severalRanks: true)),
            };
            using var run = new EpRun(options);
            return CommandRunner.Run(run, stdout, stderr);
        }));
        return command;
    }

    /// <summary>The size --class or --m names (exclusive; neither: class <see cref="DefaultClass"/>), scaled as <see cref="EpClass.Scaled"/> says.</summary>
    public static EpClass Size(string? name, string? m)
    {
        if (name is not null && m is not null)
        {
            throw new UsageException("--class and --m are exclusive: give an NPB class or a custom M, not both");
        }

        // INTEROP_SIZE_SCALE (tests, demos) scales the default and a given size alike.
        if (m is null)
        {
            return EpClass.Named(name ?? DefaultClass).Scaled();
        }

        return int.TryParse(m.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int exponent)
            ? EpClass.Custom(exponent).Scaled()
            : throw new UsageException($"--m must be a whole number from {EpClass.MinM} to {EpClass.MaxM}, not '{DisplayText.Printable(m)}'");
    }

    /// <summary>--variant: 3.4 (NPB 3.4.2+) or 3.3.</summary>
    public static EpVariant Variant(string text) => text.Trim() switch
    {
        "3.4" or "3.4.2" or "3.4.2+" => EpVariant.Npb34,
        "3.3" => EpVariant.Npb33,
        _ => throw new UsageException($"--variant must be 3.4 (NPB 3.4.2+: absolute sums and the pair count) or 3.3 (signed sums), not '{DisplayText.Printable(text)}'"),
    };
}

/// <summary>
/// One `interop ep` run: every backend runs the same batches over the job's ranks (as --schedule splits them); the verdict is
/// each backend against NPB's reference values and the backends against each other (<see cref="EpCheck"/>).
/// </summary>
internal sealed class EpRun(EpOptions options) : ICommandRun
{

    public IReadOnlyList<IBackend> Backends => options.Backends;

    public bool Mpi => options.Mpi;

    public string? Trace => options.Trace;

    public IResultFormat Format => options.Format;

    public DryRun? DryRun => options.DryRun;

    public string Plan(int ranks) => string.Create(CultureInfo.InvariantCulture,
        $"ep: {EpReport.SizeText(options.Size)}, {EpVerification.Name(options.Variant)} verification; backends {string.Join(",", options.Backends.Select(b => b.Name))}; " +
        $"{ranks} rank(s) x {options.Threads.Threads} thread(s) (from {options.Threads.Source}); schedule {options.Schedule.Describe(options.Size.Batches, ranks * options.Threads.Threads)}; isa {options.Isa.Isa.ToString().ToLowerInvariant()}; repeats {options.Repeats}; warm-up {options.Warmup}");

    public void Begin(IJob job, TextWriter stderr)
    {
        StableHash.RequireSameOnAllRanks(job, $"ep m={options.Size.M} variant={options.Variant} backends={string.Join(',', options.Backends.Select(b => b.Name))} repeat={options.Repeats} warmup={options.Warmup} isa={options.Isa.Isa} schedule={options.Schedule}");
        Placement.Warn(job, options.Threads.Threads, stderr);
    }

    public int ThreadsPerRank => options.Threads.Threads;

    public IRunReport? Measure(IJob job, TextWriter console, TextWriter stderr, LoadWatch load)
    {
        var (results, rounds) = SecondPass.EveryBackend(job, "ep", options.Backends, b => MeasureOne(job, b), options.Repeats, r => r.Seconds,
            r => $"{r.Backend} {RankThreads.Shape(r.Ranks, r.Threads, r.RankThreads)}", stderr);
        return job.IsRoot
            ? new RemeasuredReport(new EpReport(options, job.Description, results, EpCheck.Of(options.Size, options.Variant, results)) { Heterogeneous = job.Heterogeneous }, rounds)
            : null;
    }

    private EpMeasurement MeasureOne(IJob job, IBackend backend)
    {
        IEpKernel kernel = EpKernels.For(backend)!;
        kernel.EnsureAvailable();
        int threads = backend.IsParallel ? options.Threads.Threads : 1;
        // One chunk size for every backend of the run (a serial backend's one worker gets the same chunks).
        // The job's workers: every rank's threads, the same sum on every rank of a heterogeneous job too.
        int[]? rankThreads = job.Heterogeneous?.At(0);
        RankSchedule schedule = options.Schedule.For(options.Size.Batches, rankThreads?.Sum() ?? job.Size * options.Threads.Threads);
        return EpBench.Run(job, kernel, options.Size, threads, options.Repeats, options.Warmup, schedule, backend.IsParallel ? rankThreads : null);
    }

    public void Dispose()
    {
    }
}

/// <summary>The validated options of one `interop ep` run.</summary>
internal sealed record EpOptions(IsaRequest Isa, EpClass Size, EpVariant Variant, IReadOnlyList<IBackend> Backends, ThreadChoice Threads, int Repeat, IResultFormat Format, bool Mpi, string? Trace)
{
    /// <summary>How many timed runs (--repeat R fixed, else automatic); <see cref="Repeat"/> is the fixed count or 0.</summary>
    public RepeatPolicy Repeats { get; init; } = RepeatPolicy.Auto;

    /// <summary>Untimed runs before the timed ones (--warmup, default 1).</summary>
    public int Warmup { get; init; } = 1;

    /// <summary>--dry-run: check and describe the run, run nothing.</summary>
    public DryRun? DryRun { get; init; }

    /// <summary>--schedule: how the batches are split over the ranks.</summary>
    public RankSchedule Schedule { get; init; } = RankSchedule.Static(ScheduleUnit.EpBatches);

    /// <summary>--columns: the table's columns (fitted to the terminal by default).</summary>
    public ColumnChoice Columns { get; init; } = ColumnChoice.Fit;
}
