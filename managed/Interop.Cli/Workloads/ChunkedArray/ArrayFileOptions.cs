using System.CommandLine;
using System.Globalization;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli.Workloads.ChunkedArray;

/// <summary>
/// `interop array`'s file case options: --input (x from a .npy file: the file case), --output (y to
/// one), --memory (the limit on blocks in memory) and --write-input (the generated x to a file, for
/// the file case's input), read and checked together.
/// </summary>
internal sealed class ArrayFileOptions
{
    private readonly Option<string?> input = new("--input", "-i")
    {
        Description = "The file case: x from this .npy file (square float64, C order, little-endian, as np.save writes it), read band by band with pread, " +
            "never whole; n is the file's. Implies --case file.",
    };

    private readonly Option<string?> output = new("--output", "-o")
    {
        Description = "The file case: y to this .npy file, band by band under a hidden temporary name beside it, renamed once all of y is written, " +
            "flushed and checked (under MPI every rank writes its band at its offset; rank 0 renames after all finished). Without it y is summed, not stored.",
    };

    private readonly Option<string?> memory = new("--memory")
    {
        Description = "The file case: at most this much memory for blocks per process (64M, 1G: K, M, G, T are powers of 1024): a batch of whole 256-row tiles " +
            "for the column sums, then bands of rows (x's rows, their transposed columns, y's rows), an eighth kept for the process's own growth. " +
            "Default: a quarter of this machine's memory. Less than two blocks (2 x chunk^2 x 8 bytes) or one tile's pass is refused.",
    };

    private readonly Option<string?> writeInput = new("--write-input")
    {
        Description = "Write the generated x of --size and --seed to this .npy file and exit: the file case's input, whose y has the other cases' checksum.",
    };

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { input, output, memory, writeInput })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>--write-input's path, or null.</summary>
    public string? WriteInput(ParseResult parsed) => parsed.GetValue(writeInput);

    /// <summary>Whether --input was given (the file case).</summary>
    public bool FileCase(ParseResult parsed) => parsed.GetValue(input) is not null;

    /// <summary>
    /// The file case's shape: --input's header read (a square float64 matrix in C order and this
    /// machine's byte order, or a usage error), the chunk checked against its order, the limit parsed
    /// (default a quarter of this machine's memory). --size excludes --input; --output and --memory need it.
    /// </summary>
    public ArrayShape Shape(ParseResult parsed, string? size, string? chunk, ulong seed, bool caseGiven, ArrayCase chosen)
    {
        string? path = parsed.GetValue(input);
        if (path is null)
        {
            if (chosen == ArrayCase.File)
            {
                throw new UsageException("--case file reads x from a file: give --input x.npy (interop array --write-input x.npy writes one)");
            }

            foreach ((Option<string?> option, string what) in new[] { (output, "writes the file case's y"), (memory, "limits the file case's memory") })
            {
                if (parsed.GetValue(option) is not null)
                {
                    throw new UsageException($"{option.Name} {what}: give --input x.npy too");
                }
            }

            return ArrayShape.Parse(size, chunk, seed, chosen);
        }

        if (caseGiven && chosen != ArrayCase.File)
        {
            throw new UsageException($"--input reads x from a file, the file case: --case {ArrayShape.CaseName(chosen)} generates x (leave --case out, or give --case file)");
        }

        if (size is not null)
        {
            throw new UsageException("--size and --input exclude each other: the order of the input comes from its file");
        }

        NpyFile.Layout layout = NpyFile.ReadLayout(path, ArrayShape.MaxOrder);
        if (layout.FortranOrder)
        {
            throw new UsageException($"{path}: Fortran order: the file case reads x's rows in place; save it in C order (np.save(path, np.ascontiguousarray(x)))");
        }

        if (layout.BigEndian == BitConverter.IsLittleEndian)
        {
            throw new UsageException($"{path}: big-endian float64: the file case reads x's doubles in place; convert with x.astype('<f8')");
        }

        long limit = parsed.GetValue(memory) is string text ? ByteSize.Parse(text, "--memory") : DefaultLimit();
        return ArrayShape.OfFile(layout.N, chunk, seed, new ArrayFiles(path, layout.DataOffset, parsed.GetValue(output), limit));
    }

    /// <summary>On rank 0 before running: the output can be written (and is not the input or the trace), and the limit holds the blocks on this many ranks.</summary>
    public static string? Check(ArrayShape shape, IJob job, string? trace)
    {
        if (shape.Files is not { } files)
        {
            return null;
        }

        try
        {
            IndexRange largest = Enumerable.Range(0, job.Size).Select(r => ArrayBench.BandOf(shape.N, job.Size, r)).MaxBy(b => b.Length);
            ArrayFilePlan.Of(shape.N, shape.Chunk, files.MemoryLimit, files.Output is not null, job.Size, largest.Length);
            if (files.Output is string path)
            {
                OutputFile.CheckShared(path, "--output");
                OutputFile.RequireDistinct(files.Input, "--input", path, "--output");
                if (trace is not null)
                {
                    OutputFile.RequireDistinct(path, "--output", trace, "--trace");
                }
            }

            return null;
        }
        catch (UsageException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// --write-input: x of order <paramref name="n"/> and <paramref name="seed"/> from the spec's
    /// generator, written row band by row band (16 MiB at a time, never whole) through
    /// <see cref="OutputFile"/>; one line on <paramref name="stdout"/>. Under a launcher only its root writes.
    /// </summary>
    public static int WriteGenerated(string path, int n, ulong seed, TextWriter stdout)
    {
        if (!JobFactory.IsLaunchRoot())
        {
            return Driver.Success;
        }

        OutputFile.Check(path, "--write-input");
        int rowsAtOnce = (int)Math.Clamp((16L << 20) / ((long)n * sizeof(double)), 1, n);
        OutputFile.Write(path, stream =>
        {
            stream.Write(NpyFile.HeaderOf(n));
            double[] band = new double[(long)rowsAtOnce * n];
            for (int first = 0; first < n; first += rowsAtOnce)
            {
                int rows = Math.Min(rowsAtOnce, n - first);
                Parallel.For(0, rows, r =>
                {
                    long i = first + r;
                    for (int j = 0; j < n; j++)
                    {
                        band[((long)r * n) + j] = ArraySpec.X(seed, n, i, j);
                    }
                });
                NpyFile.WriteSquareRows(stream, band.AsSpan(0, rows * n));
            }
        });
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"x: n = {n}, seed {seed}, written to {path} ({ByteSize.Text((double)n * n * sizeof(double))})"));
        return Driver.Success;
    }

    // A quarter of this machine's memory (or its container's limit), as compare's array sizes leave room for the rest.
    private static long DefaultLimit()
    {
        long total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return total > 0 ? total / 4 : 1L << 30;
    }
}
