using System.CommandLine;
using System.Diagnostics;
using Interop.Backends;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli;

/// <summary>`interop inv`: dense matrix inversion on the chosen backends, each inverse verified.</summary>
internal static class InvCommand
{
    public const int DefaultN = 4000;

    /// <summary>
    /// The n x n buffers alive at the peak of a run: A, the work copy, LAPACK's reference inverse,
    /// the residual's product, and the managed kernels' workspace.
    /// </summary>
    private const int PeakMatrices = 5;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var n = new Option<string?>("--n")
        {
            Description = $"Matrix order of the generated matrix A = R∘Rᵀ (default {DefaultN}).",
        };
        var input = new Option<string?>("--input", "-i")
        {
            Description = "Invert this matrix instead: a square float64 NumPy .npy file (C or Fortran order).",
        };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Write the inverse computed by the first backend listed to this .npy file.",
        };
        var common = new CommonOptions<IInvBackend>();
        var command = new Command("inv", "Dense matrix inversion by LU with partial pivoting; every inverse passes the scaled-residual check.")
        {
            n, input, output,
        };
        common.AddTo(command);
        command.SetAction(parsed => Driver.Guard(stderr, () =>
        {
            string? nText = parsed.GetValue(n);
            string? inputPath = parsed.GetValue(input);
            if (nText is not null && inputPath is not null)
            {
                throw new UsageException("--n and --input exclude each other: the order of an input matrix comes from its file");
            }

            int requestedN = nText is null ? DefaultN : NumberParser.ParseInt32(nText, "--n", 1);

            // Every path, and the memory the run needs, is checked before any computing (rank 0
            // alone reads, inverts and writes).
            if (JobFactory.IsLaunchRoot())
            {
                int order = inputPath is not null ? NpyFile.ReadOrder(inputPath) : requestedN;
                SpecMatrix.RequireMemory(order, PeakMatrices, "inv");
                if (parsed.GetValue(output) is string outputPath)
                {
                    OutputFile.Check(outputPath, "--output");
                }
            }

            IsaRequest isa = common.Isa(parsed);
            var options = new InvOptions(
                Isa: isa,
                N: requestedN,
                Input: inputPath,
                Output: parsed.GetValue(output),
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

    private static int Run(InvOptions options, TextWriter stdout, TextWriter stderr)
    {
        foreach (IInvBackend backend in options.Backends)
        {
            backend.EnsureAvailable();
        }

        // Under several MPI ranks, rank 0 alone inverts (no distributed backend exists yet); the
        // other ranks wait for its exit code, and a failure there still ends the whole job.
        using IJob job = JobFactory.Start(options.Mpi);
        return Driver.RunInJob(job, stderr, () =>
        {
            TraceFile.Begin(options.Trace, job);
            int code = job.IsRoot ? RunOnRoot(options, stdout, stderr) : Driver.Success;
            TraceFile.Finish(options.Trace, job);
            return code;
        });
    }

    private static int RunOnRoot(InvOptions options, TextWriter stdout, TextWriter stderr)
    {
        int threads = options.Threads.Threads;
        long start = Stopwatch.GetTimestamp();
        double[] a;
        int n;
        using (Tracing.Span("generate", "generate", options.Input ?? $"n = {options.N}"))
        {
            (a, n) = options.Input is string path
                ? NpyFile.ReadSquare(path)
                : (SpecMatrix.Generate(options.N, options.Seed, threads), options.N);
        }

        double generateSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        var bench = new InvBench(a, n, threads);
        var results = new List<InvResult>();
        // The first backend's inverse is written at once, under a temporary name (no second copy of
        // the matrix in memory), and put in place only if every check of the run passed.
        OutputFile.StagedFile? staged = null;
        try
        {
            foreach (IInvBackend backend in options.Backends)
            {
                results.Add(bench.Run(backend, backend.IsParallel ? threads : 1, options.Repeats, options.Warmup));
                if (options.Output is string outputPath && results.Count == 1)
                {
                    ReadOnlyMemory<double> inverse = bench.LastInverse;
                    staged = OutputFile.Stage(outputPath, stream => NpyFile.WriteSquare(stream, inverse.Span, n));
                }
            }

            return Report(options, n, generateSeconds, results, staged, stdout, stderr);
        }
        finally
        {
            staged?.Dispose();
        }
    }

    private static int Report(InvOptions options, int n, double generateSeconds, List<InvResult> results, OutputFile.StagedFile? staged, TextWriter stdout, TextWriter stderr)
    {

        var report = new InvReport(options, n, generateSeconds, InvBench.OpenBlasDescription(), results);
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
            string unwritten = options.Output is null ? string.Empty : $"; {options.Output} not written";
            stderr.WriteLine($"interop: error: inverse failed the scaled-residual check (threshold {InvResult.ResidualThreshold}): {report.Failures}{unwritten}");
            return Driver.Failure;
        }

        staged?.Commit();
        return Driver.Success;
    }
}

/// <summary>The validated options of one `interop inv` run.</summary>
internal sealed record InvOptions(IsaRequest Isa, int N, string? Input, string? Output, ulong Seed, IReadOnlyList<IInvBackend> Backends, ThreadChoice Threads, int Repeat, bool Json, bool Mpi, string? Trace)
{
    /// <summary>How many timed runs (--repeat R fixed, else automatic); <see cref="Repeat"/> is the fixed count or 0.</summary>
    public RepeatPolicy Repeats { get; init; } = RepeatPolicy.Auto;

    /// <summary>Untimed runs before the timed ones (--warmup, default 1).</summary>
    public int Warmup { get; init; } = 1;
}
