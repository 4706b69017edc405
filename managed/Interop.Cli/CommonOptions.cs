using System.CommandLine;
using System.Globalization;
using Interop.Backends;
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

    private readonly Option<string> backend = new("--backend", "-b")
    {
        Description = "Comma-separated backends, or 'all': " + string.Join(", ", BackendCatalog.All<TBackend>().Select(b => b.Name)) + ".",
        DefaultValueFactory = _ => "all",
    };

    private readonly Option<string?> threads = new("--threads", "-t")
    {
        Description = "Threads per parallel backend. " + ThreadCount.Rules,
    };

    private readonly Option<string> repeat;

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
        Description = "Print one JSON document on stdout instead of the table.",
    };

    public CommonOptions(int defaultRepeat)
    {
        repeat = new Option<string>("--repeat", "-r")
        {
            Description = "Timed runs per backend, after one untimed warm-up; the median is reported.",
            DefaultValueFactory = _ => defaultRepeat.ToString(CultureInfo.InvariantCulture),
        };
    }

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { seed, backend, threads, repeat, isa, json, trace, mpi })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Resolves --isa / INTEROP_ISA and switches every backend to that path; call before the backends load.</summary>
    public IsaRequest Isa(ParseResult parsed) => IsaRequest.Apply(parsed.GetValue(isa));

    public ulong Seed(ParseResult parsed) => NumberParser.ParseUInt64(parsed.GetValue(seed)!, "--seed");

    public IReadOnlyList<TBackend> Backends(ParseResult parsed) => BackendCatalog.Select<TBackend>(parsed.GetValue(backend)!);

    public ThreadChoice Threads(ParseResult parsed) =>
        ThreadCount.Resolve(parsed.GetValue(threads) is string t ? NumberParser.ParseInt32(t, "--threads", 1, ThreadCount.Max) : null);

    public int Repeat(ParseResult parsed) => NumberParser.ParseInt32(parsed.GetValue(repeat)!, "--repeat", 1, 1000);

    public bool Json(ParseResult parsed) => parsed.GetValue(json);

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
