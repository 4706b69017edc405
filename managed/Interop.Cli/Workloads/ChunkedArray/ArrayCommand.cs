using System.CommandLine;
using System.Globalization;
using Interop.Backends.ChunkedArray;
using Interop.Cli.Commands;
using Interop.Cli.Jobs;
using Interop.Cli.Noise;
using Interop.Core;

namespace Interop.Cli.Workloads.ChunkedArray;

/// <summary>`interop array`: the lesson's Dask example on the chosen backends, verified and timed, in GB/s.</summary>
internal static class ArrayCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var size = new Option<string?>("--size")
        {
            Description = $"The order n of x (n x n doubles, {sizeof(double)} bytes each); default {ArrayShape.DefaultOrder.ToString(CultureInfo.InvariantCulture)}, Dask's example's.",
        };
        var chunk = new Option<string?>("--chunk")
        {
            Description = $"The edge of the blocks the threads take (Dask's chunks); default {ArrayShape.DefaultChunk.ToString(CultureInfo.InvariantCulture)} or n when smaller. " +
                "One that does not divide n leaves a ragged last block, as Dask's do; y is the same whatever the chunk.",
        };
        var arrayCase = new Option<string>("--case")
        {
            Description = "sum: x from the generator, y reduced to its sum and checksum, never stored (Dask: random, the expression, sum()); " +
                "memory: x in memory (generated before timing), y stored into a preallocated array (Dask: from_array, store); " +
                "file: x read from --input, y written to --output band by band within --memory (Dask: from_array over np.load(mmap_mode='r'), store). " +
                "Default memory, file with --input.",
            DefaultValueFactory = _ => "memory",
        }.Names(["sum", "memory", "file"]);
        var files = new ArrayFileOptions();
        var common = new CommonOptions<IBackend>(ArrayKernels.Runs, seeded: true);
        var command = new Command("array", "The lesson's Dask example, y = x + x.T - x.mean(axis=0) on chunks: memory-bound; y is the same bits on every backend, chunk and thread count, and its checksum, sum and sampled elements are checked against the spec.")
        {
            size,
            chunk,
            arrayCase,
        }.Example("interop array --size 4000 --backend c-openmp");
        files.AddTo(command);
        common.AddTo(command);
        command.SetAction(parsed => Driver.Guard(stderr, () =>
        {
            if (files.WriteInput(parsed) is string writeTo)
            {
                if (files.FileCase(parsed))
                {
                    throw new UsageException("--write-input writes a generated x, --input reads one: give one of them");
                }

                return ArrayFileOptions.WriteGenerated(writeTo, ArrayShape.Parse(parsed.GetValue(size), "1", 0, ArrayCase.Memory).N, common.Seed(parsed), stdout);
            }

            IsaRequest isa = common.Isa(parsed);
            bool caseGiven = parsed.GetResult(arrayCase) is { Implicit: false };
            ArrayCase chosen = caseGiven || !files.FileCase(parsed) ? ArrayShape.ParseCase(parsed.GetValue(arrayCase)!) : ArrayCase.File;
            var options = new ArrayOptions(
                Isa: isa,
                Shape: files.Shape(parsed, parsed.GetValue(size), parsed.GetValue(chunk), common.Seed(parsed), caseGiven, chosen),
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
                Columns = common.Columns(parsed, ArrayWorkload.Instance.CommandColumns(severalRanks: true)),
            };
            if (options.Shape.Case == ArrayCase.Memory)
            {
                SpecMatrix.RequireMemory(options.Shape.N, 2, "array --case memory (x and y)");
            }

            using var run = new ArrayRun(options);
            return CommandRunner.Run(run, stdout, stderr);
        }));
        return command;
    }
}

/// <summary>One `interop array` run: every backend computes y of the same x; the verdict is each backend's own checks and the backends' checksums against each other (<see cref="ArrayCheck"/>).</summary>
internal sealed class ArrayRun(ArrayOptions options) : ICommandRun
{
    // The file case's y.npy, created at the first backend's run, written by every backend's, renamed by Commit.
    private ArrayFileOutput? fileOutput;

    public IReadOnlyList<IBackend> Backends => options.Backends;

    public bool Mpi => options.Mpi;

    public string? Trace => options.Trace;

    public IResultFormat Format => options.Format;

    public DryRun? DryRun => options.DryRun;

    public string? Output => options.Shape.Files?.Output;

    public string? CheckBeforeRunning(IJob job, TextWriter stderr) => ArrayFileOptions.Check(options.Shape, job, options.Trace);

    public void Commit() => fileOutput?.Commit();

    public string Plan(int ranks) => string.Create(CultureInfo.InvariantCulture,
        $"array: {options.Shape.Text}, seed {options.Shape.Seed}; backends {string.Join(",", options.Backends.Select(b => b.Name))}; " +
        $"{ranks} rank(s) x {options.Threads.Threads} thread(s) (from {options.Threads.Source}); isa {options.Isa.Isa.ToString().ToLowerInvariant()}; repeats {options.Repeats}; warm-up {options.Warmup}");

    public void Begin(IJob job, TextWriter stderr)
    {
        StableHash.RequireSameOnAllRanks(job, $"array n={options.Shape.N} chunk={options.Shape.Chunk} case={options.Shape.Case} files={options.Shape.Files} seed={options.Shape.Seed} backends={string.Join(',', options.Backends.Select(b => b.Name))} repeat={options.Repeats} warmup={options.Warmup} isa={options.Isa.Isa}");
        Placement.Warn(job, options.Threads.Threads, stderr);
    }

    public int ThreadsPerRank => options.Threads.Threads;

    public IRunReport? Measure(IJob job, TextWriter console, TextWriter stderr, LoadWatch load)
    {
        var (results, rounds) = SecondPass.EveryBackend(job, "array", options.Backends, b => MeasureOne(job, b), options.Repeats, r => r.Seconds,
            r => $"{r.Backend} {r.Ranks}x{r.Threads}", stderr);
        if (!job.IsRoot)
        {
            return null;
        }

        // The yardstick last, on rank 0 alone: no rank waits on a collective meanwhile.
        ArrayMeasurement[] measured = [.. results.Select(r => r with { TriadGigabytesPerSecond = ArrayTriad.Of(r.Workers) })];
        return new RemeasuredReport(new ArrayReport(options, job.Description, measured, ArrayCheck.Of(options.Shape, measured)), rounds);
    }

    private ArrayMeasurement MeasureOne(IJob job, IBackend backend)
    {
        IArrayKernel kernel = ArrayKernels.For(backend)!;
        kernel.EnsureAvailable();
        if (options.Shape.Files?.Output is string output)
        {
            fileOutput ??= new ArrayFileOutput(job, output, options.Shape.N);
        }

        return ArrayBench.Run(job, kernel, options.Shape, backend.IsParallel ? options.Threads.Threads : 1, options.Repeats, options.Warmup, fileOutput);
    }

    public void Dispose() => fileOutput?.Dispose();
}

/// <summary>The validated options of one `interop array` run.</summary>
internal sealed record ArrayOptions(IsaRequest Isa, ArrayShape Shape, IReadOnlyList<IBackend> Backends, ThreadChoice Threads, int Repeat, IResultFormat Format, bool Mpi, string? Trace)
{
    public RepeatPolicy Repeats { get; init; } = RepeatPolicy.Auto;

    public int Warmup { get; init; } = 1;

    public DryRun? DryRun { get; init; }

    public ColumnChoice Columns { get; init; } = ColumnChoice.Fit;
}
