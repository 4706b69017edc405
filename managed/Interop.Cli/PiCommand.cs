using System.CommandLine;
using Interop.Backends;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli;

/// <summary>`interop pi`: Monte Carlo pi on the chosen backends, verified and timed.</summary>
internal static class PiCommand
{
    public const string DefaultDarts = "1e9";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var darts = new Option<string>("--darts", "-n")
        {
            Description = "Number of darts: digits, 1_000_000 or 1e9 (up to 2^63-1).",
            DefaultValueFactory = _ => DefaultDarts,
        };
        var common = new CommonOptions<IPiBackend>();
        var command = new Command("pi", "Monte Carlo pi: darts in the unit square, count those inside the circle; every backend's count is checked against the others.")
        {
            darts,
        };
        common.AddTo(command);
        command.SetAction(parsed => Driver.Guard(stderr, () =>
        {
            IsaRequest isa = common.Isa(parsed);
            var options = new PiOptions(
                Isa: isa,
                Darts: NumberParser.ParseInt64(parsed.GetValue(darts)!, "--darts", 1),
                Seed: common.Seed(parsed),
                Backends: common.Backends(parsed),
                Threads: common.Threads(parsed),
                Repeat: common.Repeat(parsed),
                Json: common.Json(parsed),
                Mpi: common.Mpi(parsed),
                Trace: common.Trace(parsed))
            {
                Repeats = common.Repeats(parsed),
                Warmup = common.Warmup(parsed),
            };
            return Run(options, stdout, stderr);
        }));
        return command;
    }

    private static int Run(PiOptions options, TextWriter stdout, TextWriter stderr)
    {
        foreach (IPiBackend backend in options.Backends)
        {
            backend.EnsureAvailable();
        }

        using IJob job = JobFactory.Start(options.Mpi);
        return Driver.RunInJob(job, stderr, () =>
        {
            StableHash.RequireSameOnAllRanks(job, $"pi darts={options.Darts} seed={options.Seed} backends={string.Join(',', options.Backends.Select(b => b.Name))} repeat={options.Repeats} warmup={options.Warmup} isa={options.Isa.Isa}");
            Placement.Warn(job, options.Threads.Threads, stderr);
            TraceFile.Begin(options.Trace, job);
            var results = new List<PiResult>();
            using (var progress = new BackendProgress(stderr, job.IsRoot, "pi", options.Backends.Count))
            {
                foreach (IPiBackend backend in options.Backends)
                {
                    progress.Starting(backend.Name);
                    int threads = backend.IsParallel ? options.Threads.Threads : 1;
                    results.Add(PiBench.Run(job, backend, options.Seed, options.Darts, threads, options.Repeats, options.Warmup));
                    progress.Done();
                }
            }

            TraceFile.Finish(options.Trace, job);

            if (!job.IsRoot)
            {
                return Driver.Success;
            }

            var report = new PiReport(options, job.Description, results);
            if (options.Json)
            {
                report.WriteJson(stdout);
            }
            else
            {
                report.WriteTable(stdout);
            }

            if (!report.Verified)
            {
                stderr.WriteLine($"interop: error: backends disagree on the count: {report.Disagreement}");
                return Driver.Failure;
            }

            return Driver.Success;
        });
    }
}

/// <summary>The validated options of one `interop pi` run.</summary>
internal sealed record PiOptions(IsaRequest Isa, long Darts, ulong Seed, IReadOnlyList<IPiBackend> Backends, ThreadChoice Threads, int Repeat, bool Json, bool Mpi, string? Trace)
{
    /// <summary>How many timed runs (--repeat R fixed, else automatic); <see cref="Repeat"/> is the fixed count or 0.</summary>
    public RepeatPolicy Repeats { get; init; } = RepeatPolicy.Auto;

    /// <summary>Untimed runs before the timed ones (--warmup, default 1).</summary>
    public int Warmup { get; init; } = 1;
}
