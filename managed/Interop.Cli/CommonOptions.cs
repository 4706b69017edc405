using System.CommandLine;
using System.Globalization;
using Interop.Backends;
using Interop.Cli.Commands;
using Interop.Core;

namespace Interop.Cli;

/// <summary>The options every workload command shares, parsed with the project's own rules and messages.</summary>
internal sealed class CommonOptions<TBackend>
    where TBackend : IBackend
{
    public const ulong DefaultSeed = 42;

    private readonly Option<string> seed = new("--seed", "-s")
    {
        Description = "Seed of the counter-based generator (0 to 2^64-1).",
        DefaultValueFactory = _ => DefaultSeed.ToString(CultureInfo.InvariantCulture),
    };

    private readonly Option<string> backend = new Option<string>("--backend", "-b")
    {
        Description = "Comma-separated backends, or 'all': " + string.Join(", ", Known.Select(b => b.Name)) + "."
            + (Distributed.Count > 0 ? $" ('all' is every one but {string.Join(", ", Distributed.Select(b => b.Name))}, which runs over the MPI ranks: name it.)" : string.Empty),
        DefaultValueFactory = _ => "all",
    }.Names(["all", .. Known.Select(b => b.Name)]);

    private readonly Option<string?> threads = new("--threads", "-t")
    {
        Description = "Threads per parallel backend. " + ThreadCount.Rules,
    };

    private readonly Option<string?> repeat = new("--repeat", "-r")
    {
        Description = $"Timed runs per backend after the warm-up; the median is reported. Default: automatic, {RepeatPolicy.AutoMinRuns} to {RepeatPolicy.AutoMaxRuns} runs until the median's 95% confidence interval is within ±{RepeatPolicy.AutoTarget * 100:0}% or {RepeatPolicy.AutoMaxSeconds:0} s of runs.",
    };

    private readonly Option<string> warmup = WarmupOption();

    private readonly Option<string?> isa = IsaRequest.CreateOption();

    private readonly Option<string?> trace = new("--trace")
    {
        Description = "Write a Chrome trace-event file (open it in Perfetto or chrome://tracing): one track per rank and thread, a span per phase.",
    };

    private readonly Option<bool> mpi = new("--mpi")
    {
        Description = "Initialize MPI even without a launcher's variables (mpiexec, srun and PMI launchers are detected by themselves).",
    };

    private readonly Option<bool> json = new("--json")
    {
        Description = "Print one JSON document on stdout instead of the table (short for --format json).",
    };

    private readonly Option<string?> format = ResultFormats.CreateOption();

    private readonly DryRunOptions dryRun = new();

    /// <summary>--warmup N: untimed runs before the timed ones (default 1; 0 allowed), shared with compare.</summary>
    public static Option<string> WarmupOption() => new("--warmup")
    {
        Description = "Untimed warm-up runs before the timed ones (JIT, thread start-up, page faults): 0 to 100, default 1.",
        DefaultValueFactory = _ => "1",
    };

    /// <summary>--repeat R as a policy: a fixed count when given (1 to 1000), automatic when not.</summary>
    public static RepeatPolicy ParseRepeat(string? text) =>
        text is null ? RepeatPolicy.Auto : RepeatPolicy.Fixed(NumberParser.ParseInt32(text, "--repeat", 1, 1000));

    public static int ParseWarmup(string text) => NumberParser.ParseInt32(text, "--warmup", 0, 100);

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { seed, backend, threads, repeat, warmup, isa, json, format, trace, mpi })
        {
            command.Options.Add(option);
        }

        dryRun.AddTo(command);
    }

    /// <summary>--dry-run (with --ranks): check and describe, run nothing; null for a real run.</summary>
    public DryRun? DryRunOf(ParseResult parsed) => dryRun.Of(parsed);

    /// <summary>Resolves --isa / INTEROP_ISA and switches every backend to that path; call before the backends load.</summary>
    public IsaRequest Isa(ParseResult parsed) => IsaRequest.Apply(parsed.GetValue(isa));

    public ulong Seed(ParseResult parsed) => NumberParser.ParseUInt64(parsed.GetValue(seed)!, "--seed");

    public IReadOnlyList<TBackend> Backends(ParseResult parsed) => BackendCatalog.Select<TBackend>(parsed.GetValue(backend)!);

    /// <summary>
    /// For inv: --backend split into the single-process backends and the distributed ones (which
    /// run over every rank; 'all' leaves them out: they are named).
    /// </summary>
    public (IReadOnlyList<TBackend> Local, IReadOnlyList<IDistributedInvBackend> Distributed) SplitBackends(ParseResult parsed)
    {
        string[] names = parsed.GetValue(backend)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        IDistributedInvBackend[] distributed = [.. Distributed.Where(d => names.Contains(d.Name, StringComparer.OrdinalIgnoreCase))];
        string[] rest = [.. names.Where(n => !distributed.Any(d => d.Name.Equals(n, StringComparison.OrdinalIgnoreCase)))];
        return (rest.Length == 0 && distributed.Length > 0 ? [] : BackendCatalog.Select<TBackend>(string.Join(',', rest)), distributed);
    }

    // The distributed backends belong to inv's list (IInvBackend) only.
    private static IReadOnlyList<IDistributedInvBackend> Distributed =>
        typeof(TBackend) == typeof(IInvBackend) ? BackendCatalog.All<IDistributedInvBackend>() : [];

    private static IEnumerable<IBackend> Known => BackendCatalog.All<TBackend>().Cast<IBackend>().Concat(Distributed);

    public ThreadChoice Threads(ParseResult parsed) =>
        ThreadCount.Resolve(parsed.GetValue(threads) is string t ? NumberParser.ParseInt32(t, "--threads", 1, ThreadCount.Max) : null);

    /// <summary>The fixed --repeat count, or 0 when not given (automatic: see <see cref="Repeats"/>).</summary>
    public int Repeat(ParseResult parsed) => Repeats(parsed).Count ?? 0;

    public RepeatPolicy Repeats(ParseResult parsed) => ParseRepeat(parsed.GetValue(repeat));

    public int Warmup(ParseResult parsed) => ParseWarmup(parsed.GetValue(warmup)!);

    /// <summary>--format, or --json for json.</summary>
    public IResultFormat Format(ParseResult parsed) => ResultFormats.Choose(parsed.GetValue(format), parsed.GetValue(json));

    public bool Mpi(ParseResult parsed) => parsed.GetValue(mpi);

    /// <summary>The --trace file, checked before any computing (rank 0 alone writes it).</summary>
    public string? Trace(ParseResult parsed)
    {
        string? path = parsed.GetValue(trace);
        if (path is not null && Jobs.JobFactory.IsLaunchRoot())
        {
            OutputFile.Check(path, "--trace");
        }

        return path;
    }
}
