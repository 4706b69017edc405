using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Interop.Backends;
using Interop.Cli.Commands;
using Interop.Cli.Jobs;
using Interop.Cli.Noise;
using Interop.Core;

namespace Interop.Cli.Workloads.Inv;

/// <summary>`interop inv`: dense matrix inversion on the chosen backends, each inverse verified.</summary>
internal static class InvCommand
{
    public const int DefaultN = 4000;

    /// <summary>The backend that inverts an --input file when none is named: OpenBLAS's LAPACK.</summary>
    public const string TaskBackend = "lapack";

    /// <summary>
    /// The n x n buffers alive at the peak of a run: A, the work copy, LAPACK's reference inverse,
    /// the residual's product, and the managed kernels' workspace.
    /// </summary>
    private const int PeakMatrices = 5;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var options = new InvCommandOptions();
        var command = new Command("inv", "Dense matrix inversion by LU with partial pivoting; every inverse passes the scaled-residual check. " +
            "With --input: one verified run of lapack, no warm-up (--backend, --repeat and --check change that).")
            .Example("interop inv --size 1000 --backend lapack,c-openmp --threads 2");
        options.AddTo(command);
        command.SetAction(parsed => Driver.Guard(stderr, () =>
        {
            using var run = new InvRun(options.Read(parsed, stderr));
            return CommandRunner.Run(run, stdout, stderr);
        }));
        return command;
    }

    /// <summary>inv's options, declared in help order, and their reading phase by phase: the order, the checks before computing, the run.</summary>
    private sealed class InvCommandOptions
    {
        private readonly RenamedOption size = new(
            new Option<string?>("--size")
            {
                Description = $"Matrix order of the generated matrix A = R∘Rᵀ (default {DefaultN}).",
            },
            "--n");

        private readonly Option<string?> input = new("--input", "-i")
        {
            Description = "Invert this matrix instead: a square float64 NumPy .npy file (C or Fortran order).",
        };

        private readonly Option<string?> output = new("--output", "-o")
        {
            Description = "Write the inverse computed by the first backend listed to this .npy file.",
        };

        private readonly Option<string?> check = new Option<string?>("--check")
        {
            Description = "How every inverse's scaled residual is computed: 'full' (the product A X, 2n³ flops, the default for generated matrices) " +
                "or 'estimate' (Higham's 1-norm estimator, a few O(n²) steps: a lower bound, in practice equal; the default with --input).",
        }.Names(["full", "estimate"]);

        private readonly Option<string?> grid = new("--grid")
        {
            Description = "scalapack: the process grid ROWSxCOLS, their product the number of ranks (default: the most nearly square, rows >= cols).",
        };

        private readonly Option<string?> block = new("--block")
        {
            Description = $"scalapack: the block size NB of the 2-D block-cyclic distribution (default {Mpi.ScalapackInverse.DefaultBlockSize}).",
        };

        private readonly CommonOptions<IInvBackend> common = new();

        public void AddTo(Command command)
        {
            foreach (Option option in new Option[] { input, output, check, grid, block })
            {
                command.Options.Add(option);
            }

            size.AddTo(command);
            common.AddTo(command);
        }

        public InvOptions Read(ParseResult parsed, TextWriter stderr)
        {
            string? nText = size.Value(parsed, stderr);
            string? inputPath = parsed.GetValue(input);
            if (nText is not null && inputPath is not null)
            {
                throw new UsageException("--size and --input exclude each other: the order of an input matrix comes from its file");
            }

            // INTEROP_SIZE_SCALE (tests, demos) scales the default and a given order alike.
            int requestedN = SizeScale.Order(nText is null ? DefaultN : NumberParser.ParseInt32(nText, "--size", 1));

            (IReadOnlyList<IInvBackend> local, IReadOnlyList<IDistributedInvBackend> distributed) = common.SplitBackends(parsed);
            CheckBeforeComputing(parsed, inputPath, requestedN, local);
            IsaRequest isa = common.Isa(parsed);

            // A file to invert is a task, not a benchmark: by default one run of lapack, no warm-up,
            // no references (FMA limit, DGEMM), the residual estimated. Options given explicitly still count;
            // --repeat makes it a benchmark again (warm-up and references).
            bool task = inputPath is not null;
            bool timing = !task || common.Given(parsed, "--repeat");
            return new InvOptions(
                Isa: isa,
                N: requestedN,
                Input: inputPath,
                Output: parsed.GetValue(output),
                Seed: common.Seed(parsed),
                Backends: task && !common.Given(parsed, "--backend") ? BackendCatalog.Select<IInvBackend>(TaskBackend) : local,
                Threads: common.Threads(parsed),
                Repeat: timing ? common.Repeat(parsed) : 1,
                Format: common.Format(parsed),
                Mpi: common.Mpi(parsed),
                Trace: common.Trace(parsed))
            {
                Repeats = timing ? common.Repeats(parsed) : RepeatPolicy.Fixed(1),
                Warmup = timing || common.Given(parsed, "--warmup") ? common.Warmup(parsed) : 0,
                Check = parsed.GetValue(check) switch
                {
                    null => task ? InvCheck.Estimate : InvCheck.Full,
                    "full" => InvCheck.Full,
                    "estimate" => InvCheck.Estimate,
                    string other => throw new UsageException($"--check must be full or estimate, not '{other}'"),
                },
                MeasurePeak = timing,
                Distributed = task && !common.Given(parsed, "--backend") ? [] : distributed,
                Grid = parsed.GetValue(grid) is string g ? Interop.Mpi.ScalapackInverse.ParseGrid(g) : default,
                BlockSize = parsed.GetValue(block) is string b ? NumberParser.ParseInt32(b, "--block", 1, 4096) : 0,
                DryRun = common.DryRunOf(parsed),
                Columns = common.Columns(parsed, InvWorkload.Instance.CommandColumns(severalRanks: true)),
            };
        }

        // Every path, and the memory the run needs, is checked before any computing (rank 0
        // alone reads, inverts and writes). Distributed backends alone need only the file's
        // matrix and its inverse on rank 0; each rank's part is ScaLAPACK's to allocate.
        private void CheckBeforeComputing(ParseResult parsed, string? inputPath, int requestedN, IReadOnlyList<IInvBackend> local)
        {
            if (!JobFactory.IsLaunchRoot())
            {
                return;
            }

            int order = inputPath is not null ? NpyFile.ReadOrder(inputPath) : requestedN;
            int matrices = common.Given(parsed, "--backend") && local.Count == 0
                ? (inputPath is null ? 0 : 1) + (parsed.GetValue(output) is null ? 0 : 1)
                : PeakMatrices;
            SpecMatrix.RequireMemory(order, matrices, "inv");
            if (parsed.GetValue(output) is string outputPath)
            {
                OutputFile.Check(outputPath, "--output");
                if (common.Trace(parsed) is string tracePath)
                {
                    OutputFile.RequireDistinct(outputPath, "--output", tracePath, "--trace");
                }
            }
        }
    }
}

/// <summary>
/// One `interop inv` run. Under several MPI ranks, rank 0 alone runs the single-process backends
/// (the other ranks wait, asleep, and a failure there still ends the whole job); a distributed
/// backend (scalapack) then runs on every rank, each holding its blocks of the matrix. The verdict:
/// every inverse passed the scaled-residual check.
/// </summary>
internal sealed class InvRun(InvOptions options) : ICommandRun
{
    private readonly List<InvResult> results = [];

    // The first backend's inverse is written at once, under a temporary name (no second copy of the
    // matrix in memory), and put in place only if every check of the run passed (Commit). The write
    // (and its flush to disk) runs while the inverse is verified, and ends before the next backend
    // reuses the buffer.
    private Task<OutputFile.StagedFile>? staging;
    private OutputFile.StagedFile? staged;

    // The second pass's rounds of the single-process backends' points (rank 0), measured before the distributed ones.
    private int[] localRounds = [];

    public IReadOnlyList<IBackend> Backends => [.. options.Backends, .. options.Distributed];

    // A distributed backend needs MPI even without a launcher (one rank, a 1x1 grid).
    public bool Mpi => options.Mpi || options.Distributed.Count > 0;

    public string? Trace => options.Trace;

    public string? Output => options.Output;

    public IResultFormat Format => options.Format;

    public DryRun? DryRun => options.DryRun;

    public string Plan(int ranks)
    {
        string distributed = string.Empty;
        if (options.Distributed.Count > 0)
        {
            (int rows, int cols) = options.Grid is (0, 0) ? Interop.Mpi.ScalapackInverse.DefaultGrid(ranks) : options.Grid;
            if ((long)rows * cols != ranks)
            {
                throw new UsageException($"--grid {rows}x{cols} needs {(long)rows * cols} ranks, this job has {ranks} (start it with mpiexec -n {(long)rows * cols}, or leave --grid out)");
            }

            distributed = $"; {string.Join(",", options.Distributed.Select(b => b.Name))} on a {rows}x{cols} grid, block {(options.BlockSize > 0 ? options.BlockSize : Interop.Mpi.ScalapackInverse.DefaultBlockSize)}";
        }

        string matrix = options.Input is string input ? $"the matrix in {input}" : $"a generated n = {options.N}";
        string local = options.Backends.Count > 0 ? $"; {string.Join(",", options.Backends.Select(b => b.Name))} on rank 0" : string.Empty;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"inv: {matrix}, seed {options.Seed}{local}{distributed}; {ranks} rank(s) x {options.Threads.Threads} thread(s) (from {options.Threads.Source}); " +
            $"isa {options.Isa.Isa.ToString().ToLowerInvariant()}; repeats {options.Repeats}; warm-up {options.Warmup}; check {options.Check.ToString().ToLowerInvariant()}{(options.Output is string o ? $"; inverse into {o}" : string.Empty)}");
    }

    public void Begin(IJob job, TextWriter stderr)
    {
    }

    public int ThreadsPerRank => options.Threads.Threads;

    public IRunReport? Measure(IJob job, TextWriter console, TextWriter stderr, LoadWatch load)
    {
        int threads = options.Threads.Threads;
        long start = Stopwatch.GetTimestamp();
        double[]? a = null;
        int n = options.N;
        // Rank 0 holds the whole matrix only when something needs it: a single-process backend or
        // a file to scatter. A distributed backend alone generates each rank's blocks in place.
        if (job.IsRoot && (options.Backends.Count > 0 || options.Input is not null))
        {
            using (Tracing.Span("generate", "generate", options.Input ?? $"n = {options.N}"))
            {
                (a, n) = options.Input is string path
                    ? NpyFile.ReadSquare(path)
                    : (SpecMatrix.Generate(options.N, options.Seed, threads), options.N);
            }
        }

        double generateSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        n = options.Distributed.Count > 0 ? job.BroadcastFromRoot(n) : n;
        InvBench? bench = null;
        if (job.IsRoot && options.Backends.Count > 0)
        {
            bench = new InvBench(a!, n, threads);
            MeasureLocal(bench, n, threads, stderr);
        }

        foreach (IDistributedInvBackend backend in options.Distributed)
        {
            MeasureDistributed(job, backend, a, n, threads, bench, console);
        }

        return job.IsRoot
            ? new RemeasuredReport(
                new InvReport(options, n, generateSeconds, InvBench.OpenBlasDescription(), results, Verify(results, options.Output))
                {
                    Job = job.Description,
                    Ranks = job.Size,
                    GeneratedInPlace = a is null,
                },
                [.. localRounds, .. Enumerable.Repeat(0, results.Count - localRounds.Length)])
            : null;
    }

    private void MeasureLocal(InvBench bench, int n, int threads, TextWriter stderr)
    {
        // The difference from LAPACK's inverse costs one more inversion: only worth it beside other backends.
        var settings = new InvRunSettings(
            options.Repeats,
            Warmup: options.Warmup,
            Check: options.Check,
            MeasurePeak: options.MeasurePeak,
            CompareWithLapack: options.Backends.Any(b => b.Name != InvCommand.TaskBackend));
        using var progress = new BackendProgress(stderr, root: true, "inv", options.Backends.Count);
        foreach (IInvBackend backend in options.Backends)
        {
            progress.Starting(backend.Name);
            Action? write = options.Output is string outputPath && results.Count == 0
                ? () => staging = StageInBackground(outputPath, bench.LastInverse, n)
                : null;
            results.Add(bench.Run(backend, backend.IsParallel ? threads : 1, settings, write));
            if (staging is not null)
            {
                Task<OutputFile.StagedFile> pending = staging;
                staging = null;
                staged = pending.GetAwaiter().GetResult();
            }

            progress.Done();
        }

        // Rank 0 alone measures these (the other ranks wait for the distributed backends): no broadcast.
        int first = results.Count - options.Backends.Count;
        var local = results.GetRange(first, options.Backends.Count);
        localRounds = SecondPass.Run(new SingleProcessJob(), options.Repeats, local, r => r.Seconds,
            i => bench.Run(options.Backends[i], options.Backends[i].IsParallel ? threads : 1, settings, inverted: null), _ => false,
            SecondPass.CommandBudget(local.Count), r => $"{r.Backend} {r.Ranks}x{r.Threads}", stderr);
        for (int i = 0; i < local.Count; i++)
        {
            results[first + i] = local[i];
        }
    }

    // Every rank inverts its blocks (the other ranks wait, asleep, while rank 0 runs the backends
    // before it); rank 0 keeps the result and, for the first backend listed, writes the inverse.
    // "First" comes from the options, the same on every rank: only rank 0 holds the results of
    // the single-process backends, so counting them made the ranks ask for different requests.
    private void MeasureDistributed(IJob job, IDistributedInvBackend backend, double[]? a, int n, int threads, InvBench? bench, TextWriter console)
    {
        bool first = options.Backends.Count == 0 && ReferenceEquals(backend, options.Distributed[0]);
        bool wantInverse = first && options.Output is not null;
        var request = new DistributedInvRequest(n, options.Seed, threads, Runs: 0)
        {
            Grid = options.Grid,
            BlockSize = options.BlockSize,
            FromInput = options.Input is not null,
            InputOnRoot = job.IsRoot ? a : null,
            WantInverse = wantInverse,
        };
        (InvResult result, DistributedInversion done) = DistributedInvBench.Run(job, backend, request, options.Repeats, options.Warmup,
            () => !options.MeasurePeak ? null : bench is not null ? bench.Peak(threads) : InvBench.PeakAt(n, threads));
        if (!job.IsRoot)
        {
            return;
        }

        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{backend.Name}: {job.Size} rank(s) as a {done.GridRows}x{done.GridCols} grid, block {done.BlockSize}, at most {done.BytesPerRank / 1e6:F1} MB per rank (8n²/P = {8.0 * n * n / job.Size / 1e6:F1} MB)"));
        results.Add(result);
        if (wantInverse && done.Inverse is double[] inverse && results[^1].Verified)
        {
            using var span = Tracing.Span("write", "write", options.Output!);
            staged = OutputFile.Stage(options.Output!, stream => NpyFile.WriteSquare(stream, inverse, n));
        }
    }

    public void Commit() => staged?.Commit();

    public void Dispose()
    {
        // A verification that threw while the file was being written: the temporary still goes.
        if (staging is not null)
        {
            try
            {
                staging.GetAwaiter().GetResult().Dispose();
            }
            catch (Exception e) when (e is UsageException or IOException)
            {
                // Stage removed its own temporary; the first error is the one reported.
            }
        }

        staged?.Dispose();
    }

    /// <summary>Every inverse must pass the scaled-residual check; a failed one leaves <paramref name="output"/> unwritten.</summary>
    public static Verdict Verify(IReadOnlyList<InvResult> results, string? output)
    {
        if (results.All(r => r.Verified))
        {
            return Verdict.Ok;
        }

        string failures = string.Join(", ", results.Where(r => !r.Verified).Select(r => $"{r.Backend} residual {r.Residual:G3}"));
        string unwritten = output is null ? string.Empty : $"; {output} not written";
        return Verdict.Failed($"inverse failed the scaled-residual check (threshold {InvResult.ResidualThreshold}): {failures}{unwritten}");
    }

    private static Task<OutputFile.StagedFile> StageInBackground(string path, ReadOnlyMemory<double> inverse, int n) =>
        Task.Run(() =>
        {
            using var span = Tracing.Span("write", "write", path);
            return OutputFile.Stage(path, stream => NpyFile.WriteSquare(stream, inverse.Span, n));
        });
}

/// <summary>The validated options of one `interop inv` run.</summary>
internal sealed record InvOptions(IsaRequest Isa, int N, string? Input, string? Output, ulong Seed, IReadOnlyList<IInvBackend> Backends, ThreadChoice Threads, int Repeat, IResultFormat Format, bool Mpi, string? Trace)
{
    /// <summary>How many timed runs (--repeat R fixed, else automatic; one for an --input file); <see cref="Repeat"/> is the fixed count or 0.</summary>
    public RepeatPolicy Repeats { get; init; } = RepeatPolicy.Auto;

    /// <summary>Untimed runs before the timed ones: --warmup (default 1), or 0 for an --input file without --repeat or --warmup.</summary>
    public int Warmup { get; init; } = 1;

    public InvCheck Check { get; init; } = InvCheck.Full;

    /// <summary>Whether the references are measured: the FMA limit of each row's path ("% of peak") and OpenBLAS's DGEMM rate ("over dgemm").</summary>
    public bool MeasurePeak { get; init; } = true;

    /// <summary>Backends that run over every rank (scalapack), after the others; named in --backend.</summary>
    public IReadOnlyList<IDistributedInvBackend> Distributed { get; init; } = [];

    /// <summary>--grid ROWSxCOLS for the distributed backends; (0, 0): their default.</summary>
    public (int Rows, int Cols) Grid { get; init; }

    /// <summary>--block NB for the distributed backends; 0: their default.</summary>
    public int BlockSize { get; init; }

    /// <summary>--dry-run: check and describe the run, run nothing.</summary>
    public DryRun? DryRun { get; init; }

    /// <summary>--columns: the table's columns (fitted to the terminal by default).</summary>
    public ColumnChoice Columns { get; init; } = ColumnChoice.Fit;
}
