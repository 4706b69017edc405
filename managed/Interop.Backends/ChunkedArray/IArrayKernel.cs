using Interop.Core;

namespace Interop.Backends.ChunkedArray;

/// <summary>
/// One backend's kernel of the chunked-array example (y = x + xᵀ − mean(x, axis 0)), with the native
/// ABI's contract (interop_array_&lt;lang&gt;, native/include/interop_array.h) whatever it is written
/// in, so that every backend is one call shape: one <see cref="ArrayPass"/> over rows
/// [<see cref="ArrayCall.RowBegin"/>, <see cref="ArrayCall.RowEnd"/>) on exactly <c>threads</c> threads.
/// </summary>
public interface IArrayKernel
{
    /// <summary>The backend's name ("managed-serial", "c-openmp", ...).</summary>
    string Backend { get; }

    /// <summary>The instruction-set path the kernel takes now (after any --isa switch).</summary>
    Isa Path { get; }

    /// <summary>Throws <see cref="BackendUnavailableException"/> with the reason when the kernel cannot run here.</summary>
    void EnsureAvailable();

    /// <summary>
    /// Runs one pass (see <see cref="ArrayCall"/>). Bad arguments are <see cref="ArgumentException"/>s,
    /// checked by <see cref="ArrayArguments.Check"/> before any work.
    /// </summary>
    ArrayPassResult Run(in ArrayCall call, int threads);
}

/// <summary>The passes of the array workload, as the native ABI numbers them.</summary>
public enum ArrayPass
{
    /// <summary>The column sums of each 256-row tile of the rows (INTEROP_ARRAY_COLUMN_SUMS).</summary>
    ColumnSums = 0,

    /// <summary>y's rows, their sum and checksum (INTEROP_ARRAY_Y).</summary>
    Y = 1,

    /// <summary>x's rows from the generator (INTEROP_ARRAY_GENERATE).</summary>
    Generate = 2,
}

/// <summary>
/// The arguments of one pass, the native ABI's: x (null: generated) with row i at
/// <c>X + (i - RowBegin) * Ldx</c>, its transposed columns <c>Xt[j * Ldxt + (i - RowBegin)] = x[j][i]</c>,
/// the column means <see cref="M"/>, and <see cref="Out"/> (the tiles' sums, y's rows or x's rows, by
/// pass; for y null: not kept) with leading dimension <see cref="Ldout"/>.
/// </summary>
public readonly unsafe struct ArrayCall(
    ArrayPass pass, long n, long chunk, ulong seed, long rowBegin, long rowEnd,
    double* x, long ldx, double* xt, long ldxt, double* m, double* output, long ldout)
{
    public ArrayPass Pass { get; } = pass;

    public long N { get; } = n;

    public long Chunk { get; } = chunk;

    public ulong Seed { get; } = seed;

    public long RowBegin { get; } = rowBegin;

    public long RowEnd { get; } = rowEnd;

    public double* X { get; } = x;

    public long Ldx { get; } = ldx;

    public double* Xt { get; } = xt;

    public long Ldxt { get; } = ldxt;

    public double* M { get; } = m;

    public double* Out { get; } = output;

    public long Ldout { get; } = ldout;
}

/// <summary>What the y pass returns: the rows' sum (in the kernel's order) and their order-free checksum.</summary>
public readonly record struct ArrayPassResult(double Sum, ulong Checksum);

/// <summary>The checks every array kernel makes of its arguments, in the native ABI's order of statuses (-1 .. -7).</summary>
public static class ArrayArguments
{
    /// <summary>Rows per tile of the column sums (INTEROP_ARRAY_TILE_ROWS, <see cref="ArraySpec.TileRows"/>).</summary>
    public const int TileRows = ArraySpec.TileRows;

    /// <summary>The ABI's argument names for statuses -1 .. -7.</summary>
    public static readonly string[] Names = ["pass", "n", "chunk", "row_begin, row_end", "a leading dimension", "a pointer", "threads"];

    /// <summary>The tiles rows [begin, end) hold.</summary>
    public static long Tiles(long begin, long end) => (end - begin + TileRows - 1) / TileRows;

    /// <summary>The native status the arguments get (0: valid), so that managed and native kernels refuse alike.</summary>
    public static unsafe int Status(in ArrayCall c, int threads)
    {
        bool y = c.Pass == ArrayPass.Y;
        if (c.Pass is not (ArrayPass.ColumnSums or ArrayPass.Y or ArrayPass.Generate))
        {
            return -1;
        }

        if (c.N < 1)
        {
            return -2;
        }

        if (c.Chunk < 1 || c.Chunk > c.N)
        {
            return -3;
        }

        if (c.RowBegin < 0 || c.RowBegin > c.RowEnd || c.RowEnd > c.N
            || (c.Pass == ArrayPass.ColumnSums && (c.RowBegin % TileRows != 0 || (c.RowEnd % TileRows != 0 && c.RowEnd != c.N))))
        {
            return -4;
        }

        if ((c.X != null && c.Ldx < c.N) || (y && c.X != null && c.Ldxt < c.RowEnd - c.RowBegin) || ((c.Out != null || !y) && c.Ldout < c.N))
        {
            return -5;
        }

        if ((y && ((c.X != null && c.Xt == null) || c.M == null)) || (!y && c.Out == null) || (c.Pass == ArrayPass.Generate && c.X != null))
        {
            return -6;
        }

        return threads < 1 ? -7 : 0;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first argument the native ABI would reject.</summary>
    public static void Check(in ArrayCall call, int threads)
    {
        int status = Status(call, threads);
        if (status != 0)
        {
            throw new ArgumentException($"array {call.Pass}: {Names[-status - 1]} rejected (status {status}): n {call.N}, chunk {call.Chunk}, rows [{call.RowBegin}, {call.RowEnd}), threads {threads}");
        }
    }
}
