using System.CommandLine;
using Interop.Backends;
using Interop.Cli.Commands;
using Interop.Core;

namespace Interop.Cli;

/// <summary>
/// The options every workload command shares, parsed with the project's own rules and messages. The
/// backends offered are those of <typeparamref name="TBackend"/> (a workload's backend interface), or
/// for a workload without one (<c>IBackend</c>), those a predicate of the workload's accepts.
/// </summary>
internal sealed class CommonOptions<TBackend>
    where TBackend : IBackend
{
    private readonly Option<string?> seed = SharedOptions.Seed("Seed of the counter-based generator (0 to 2^64-1).", showDefault: true);

    private readonly Option<string> backend;

    // The backends of TBackend this command offers (all of them, unless a predicate chose).
    private readonly IReadOnlyList<TBackend> offered;

    // Whether the command has --seed (a workload whose input is fixed has none).
    private readonly bool seeded;

    private readonly Option<string?> threads = SharedOptions.Threads("Threads per parallel backend. " + ThreadCount.Rules);

    private readonly Option<string?> repeat = SharedOptions.Repeat(
        $"Timed runs per backend after the warm-up; the median is reported. Default: automatic, {RepeatPolicy.AutoMinRuns} to {RepeatPolicy.AutoMaxRuns} runs until the median's 95% confidence interval is within ±{RepeatPolicy.AutoTarget * 100:0}% or {RepeatPolicy.AutoMaxSeconds:0} s of runs.");

    private readonly Option<string> warmup = SharedOptions.Warmup();

    private readonly Option<string?> isa = IsaRequest.CreateOption();

    private readonly Option<string?> trace = SharedOptions.Trace(
        "Write a Chrome trace-event file (open it in Perfetto or chrome://tracing): one track per rank and thread, a span per phase.");

    private readonly Option<bool> mpi = SharedOptions.Mpi(
        "Initialize MPI even without a launcher's variables (mpiexec, srun and PMI launchers are detected by themselves).");

    private readonly Option<bool> json = SharedOptions.Json("Print one JSON document on stdout instead of the table (short for --format json).");

    private readonly Option<string?> format = ResultFormats.CreateOption();

    private readonly Option<string?> columns = ColumnChoice.CreateOption();

    private readonly DryRunOptions dryRun = new();

    /// <summary>Every backend of <typeparamref name="TBackend"/>, and --seed.</summary>
    public CommonOptions()
        : this(_ => true, seeded: true)
    {
    }

    /// <summary>
    /// The backends of <typeparamref name="TBackend"/> that <paramref name="runs"/> accepts (in catalog
    /// order: --backend's names and 'all'); --seed only when <paramref name="seeded"/> (without it,
    /// --seed is an unknown option: one line, exit 2).
    /// </summary>
    public CommonOptions(Func<TBackend, bool> runs, bool seeded)
    {
        offered = [.. BackendCatalog.All<TBackend>().Where(runs)];
        this.seeded = seeded;
        IBackend[] known = [.. offered.Cast<IBackend>().Concat(Distributed)];
        backend = SharedOptions.Backend(
            "Comma-separated backends, or 'all': " + string.Join(", ", known.Select(b => b.Name)) + "."
                + (Distributed.Count > 0 ? $" ('all' is every one but {string.Join(", ", Distributed.Select(b => b.Name))}, which runs over the MPI ranks: name it.)" : string.Empty),
            known.Select(b => b.Name));
    }

    private Option[] Options => seeded
        ? [seed, backend, threads, repeat, warmup, isa, json, format, columns, trace, mpi]
        : [backend, threads, repeat, warmup, isa, json, format, columns, trace, mpi];

    public void AddTo(Command command)
    {
        foreach (Option option in Options)
        {
            command.Options.Add(option);
        }

        dryRun.AddTo(command);
    }

    /// <summary>Whether option <paramref name="name"/> (e.g. --backend) was on the command line, not left to its default.</summary>
    public bool Given(ParseResult parsed, string name) => parsed.GetResult(Options.Single(o => o.Name == name)) is { Implicit: false };

    /// <summary>--dry-run (with --ranks): check and describe, run nothing; null for a real run.</summary>
    public DryRun? DryRunOf(ParseResult parsed) => dryRun.Of(parsed);

    /// <summary>Resolves --isa / INTEROP_ISA and switches every backend to that path; call before the backends load.</summary>
    public IsaRequest Isa(ParseResult parsed) => IsaRequest.Apply(parsed.GetValue(isa));

    public ulong Seed(ParseResult parsed) => seeded
        ? SharedOptions.ParseSeed(parsed.GetValue(seed)) ?? SharedOptions.DefaultSeed
        : throw new InvalidOperationException("this command has no --seed");

    public IReadOnlyList<TBackend> Backends(ParseResult parsed) => BackendCatalog.Select(parsed.GetValue(backend)!, offered);

    /// <summary>
    /// For inv: --backend split into the single-process backends and the distributed ones (which
    /// run over every rank; 'all' leaves them out: they are named).
    /// </summary>
    public (IReadOnlyList<TBackend> Local, IReadOnlyList<IDistributedInvBackend> Distributed) SplitBackends(ParseResult parsed)
    {
        string[] names = parsed.GetValue(backend)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        IDistributedInvBackend[] distributed = [.. Distributed.Where(d => names.Contains(d.Name, StringComparer.OrdinalIgnoreCase))];
        string[] rest = [.. names.Where(n => !distributed.Any(d => d.Name.Equals(n, StringComparison.OrdinalIgnoreCase)))];
        return (rest.Length == 0 && distributed.Length > 0 ? [] : BackendCatalog.Select(string.Join(',', rest), offered), distributed);
    }

    // The distributed backends belong to inv's list (IInvBackend) only.
    private static IReadOnlyList<IDistributedInvBackend> Distributed =>
        typeof(TBackend) == typeof(IInvBackend) ? BackendCatalog.All<IDistributedInvBackend>() : [];

    public ThreadChoice Threads(ParseResult parsed) => SharedOptions.ParseThreads(parsed.GetValue(threads));

    /// <summary>The fixed --repeat count, or 0 when not given (automatic: see <see cref="Repeats"/>).</summary>
    public int Repeat(ParseResult parsed) => Repeats(parsed).Count ?? 0;

    public RepeatPolicy Repeats(ParseResult parsed) => SharedOptions.ParseRepeat(parsed.GetValue(repeat));

    public int Warmup(ParseResult parsed) => SharedOptions.ParseWarmup(parsed.GetValue(warmup)!);

    /// <summary>--format, or --json for json.</summary>
    public IResultFormat Format(ParseResult parsed) => ResultFormats.Choose(parsed.GetValue(format), parsed.GetValue(json));

    public bool Mpi(ParseResult parsed) => parsed.GetValue(mpi);

    /// <summary>--columns, checked against the columns the command's table can have (<paramref name="known"/>).</summary>
    public ColumnChoice Columns(ParseResult parsed, IEnumerable<TableColumn> known) => ColumnChoice.Parse(parsed.GetValue(columns), known);

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
