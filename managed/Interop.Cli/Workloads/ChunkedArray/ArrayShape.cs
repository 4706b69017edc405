using System.Globalization;
using Interop.Cli.Commands;
using Interop.Core;

namespace Interop.Cli.Workloads.ChunkedArray;

/// <summary>Where x comes from and where y goes: the three cases of the issue, Dask's own.</summary>
internal enum ArrayCase
{
    /// <summary>x from the generator, y reduced to its sum and checksum and never stored (Dask: random → expression → sum()).</summary>
    Sum,

    /// <summary>x in memory (generated before timing), y stored into a preallocated array (Dask: from_array → store).</summary>
    Memory,

    /// <summary>x read from a .npy file band by band, y written to one (or summed): the working set capped (Dask: from_array over np.load(mmap_mode='r') → store).</summary>
    File,
}

/// <summary>
/// One run's shape: the order n, the chunk (the edge of the blocks the threads take, ragged at the
/// end as Dask's), the seed and the case. Everything the result depends on is n and the seed; the
/// chunk, the case, the threads and the ranks change only the time.
/// </summary>
internal sealed record ArrayShape(int N, int Chunk, ulong Seed, ArrayCase Case)
{
    /// <summary>The file case's input, output and memory limit (null in the other cases).</summary>
    public ArrayFiles? Files { get; init; }

    /// <summary>The issue's (and Dask's example's) order and chunk.</summary>
    public const int DefaultOrder = 10000;

    public const int DefaultChunk = 1000;

    /// <summary>The largest order: n^2 elements must be addressable by a long and an n x 256 tile's sums by an int array.</summary>
    public const int MaxOrder = 1 << 20;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Bytes one run moves at least in the memory case: x read twice (the column means, then y) and y written once.</summary>
    public double Bytes => BytesOf(N);

    /// <summary><see cref="Bytes"/> of order <paramref name="n"/>: 3 x 8 n^2.</summary>
    public static double BytesOf(long n) => 3.0 * sizeof(double) * n * (double)n;

    /// <summary>"n = 10,000, chunk 1,000 (10 x 10 blocks), x generated, y summed".</summary>
    public string Text =>
        $"n = {N.ToString("N0", Invariant)}, chunk {Chunk.ToString("N0", Invariant)} ({Blocks} x {Blocks} blocks{(N % Chunk != 0 ? ", the last ragged" : string.Empty)}), {CaseText(Case)}";

    /// <summary>Blocks along an edge.</summary>
    public int Blocks => (N + Chunk - 1) / Chunk;

    public static string CaseName(ArrayCase c) => c switch
    {
        ArrayCase.Sum => "sum",
        ArrayCase.Memory => "memory",
        _ => "file",
    };

    public string CaseText(ArrayCase c) => c switch
    {
        ArrayCase.Sum => "x generated, y summed",
        ArrayCase.Memory => "x in memory, y stored in memory",
        _ => Files is { } f
            ? $"x read from {f.Input}, y {(f.Output is null ? "summed" : $"written to {f.Output}")}, at most {ByteSize.Text(f.MemoryLimit)} of blocks in memory"
            : "x read from a file",
    };

    /// <summary>--case: sum, memory or file.</summary>
    public static ArrayCase ParseCase(string text) => text.Trim().ToLowerInvariant() switch
    {
        "sum" => ArrayCase.Sum,
        "memory" => ArrayCase.Memory,
        "file" => ArrayCase.File,
        _ => throw new UsageException($"--case must be sum (x generated, y summed), memory (x in memory, y stored) or file (--input x.npy, y to --output), not '{DisplayText.Printable(text)}'"),
    };

    /// <summary>
    /// The shape --size and --chunk give, both scaled by INTEROP_SIZE_SCALE alike; a chunk of 0 or
    /// larger than n is a usage error (one that does not divide n is Dask's ragged last chunk).
    /// </summary>
    public static ArrayShape Parse(string? size, string? chunk, ulong seed, ArrayCase c)
    {
        int given = size is null ? DefaultOrder : NumberParser.ParseInt32(size, "--size", 1, MaxOrder);
        int n = SizeScale.Order(given);
        int edge = ChunkOf(chunk, given);

        // Scaled with the order, so that the blocks stay as many as given.
        int scaled = n == given ? edge : Math.Clamp((int)Math.Round(edge * (double)n / given), 1, n);
        return new ArrayShape(n, scaled, seed, c);
    }

    /// <summary>The file case's shape: the order is the input's (never scaled), the chunk as --chunk gives it.</summary>
    public static ArrayShape OfFile(int n, string? chunk, ulong seed, ArrayFiles files) =>
        new(n, ChunkOf(chunk, n, $"{files.Input}'s order"), seed, ArrayCase.File) { Files = files };

    // --chunk for order `given`: default Dask's 1000 or n when smaller; 0 or above n refused.
    private static int ChunkOf(string? chunk, int given, string order = "--size")
    {
        int edge = chunk is null ? Math.Min(DefaultChunk, given) : NumberParser.ParseInt32(chunk, "--chunk", 0, int.MaxValue);
        if (edge < 1)
        {
            throw new UsageException("--chunk must be at least 1: a block has at least one row and column");
        }

        if (edge > given)
        {
            throw new UsageException($"--chunk {edge.ToString(Invariant)} is larger than {order} {given.ToString(Invariant)}: a chunk is at most the whole array");
        }

        return edge;
    }
}

/// <summary>
/// The file case's files and limit: x in <see cref="Input"/> (a square float64 .npy, C order, its
/// doubles from byte <see cref="DataOffset"/>), y into <see cref="Output"/> (null: y summed, not
/// stored), and at most <see cref="MemoryLimit"/> bytes of blocks in memory per process
/// (<see cref="ArrayFilePlan"/>).
/// </summary>
internal sealed record ArrayFiles(string Input, long DataOffset, string? Output, long MemoryLimit);
