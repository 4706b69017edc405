using System.Runtime.InteropServices;

namespace Interop.Core;

/// <summary>
/// The lesson's Dask example, <c>y = x + xᵀ − mean(x, axis 0)</c>, as the workload spec defines it
/// (docs/workload-spec.md, "The chunked-array example"): the plain loops every backend
/// of the array workload must reproduce bit for bit. x[i][j] is the spec's uniform double of counter
/// i*n+j, so x does not depend on chunks, threads or ranks (Dask's per-chunk seeds do). The column
/// means are summed over fixed tiles of <see cref="TileRows"/> rows, each tile in row order and the
/// tiles in order, so that any split into chunks, threads or ranks that keeps the tiles (and adds
/// their partial sums in tile order) gets the same bits.
/// </summary>
public static class ArraySpec
{
    /// <summary>The rows of one tile of the column sums: fixed, independent of the chunk.</summary>
    public const int TileRows = 256;

    /// <summary>x[i][j] of order <paramref name="n"/> and seed <paramref name="seed"/>.</summary>
    public static double X(ulong seed, long n, long i, long j) => SplitMix64.ToUnitDouble(SplitMix64.Mix(seed, (ulong)((i * n) + j)));

    /// <summary>x, row-major, n x n.</summary>
    public static double[] GenerateX(int n, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        double[] x = new double[checked(n * n)];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                x[(i * n) + j] = X(seed, n, i, j);
            }
        }

        return x;
    }

    /// <summary>
    /// m[j] = (Σ over tiles t, in order, of Σ_{i in t} x[i][j], each tile's sum in row order) / n:
    /// a tile's sum starts at 0 and adds its rows one after another, the total adds the tiles' sums.
    /// </summary>
    public static double[] ColumnMeans(ReadOnlySpan<double> x, int n)
    {
        RequireSquare(x, n);
        double[] total = new double[n];
        double[] tile = new double[n];
        for (int first = 0; first < n; first += TileRows)
        {
            Array.Clear(tile);
            for (int i = first; i < Math.Min(first + TileRows, n); i++)
            {
                ReadOnlySpan<double> row = x.Slice(i * n, n);
                for (int j = 0; j < n; j++)
                {
                    tile[j] += row[j];
                }
            }

            for (int j = 0; j < n; j++)
            {
                total[j] += tile[j];
            }
        }

        for (int j = 0; j < n; j++)
        {
            total[j] /= n;
        }

        return total;
    }

    /// <summary>y[i][j] = (x[i][j] + x[j][i]) − m[j], row-major, with m from <see cref="ColumnMeans"/>.</summary>
    public static double[] Evaluate(ReadOnlySpan<double> x, int n)
    {
        double[] m = ColumnMeans(x, n);
        double[] y = new double[x.Length];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                y[(i * n) + j] = (x[(i * n) + j] + x[(j * n) + i]) - m[j];
            }
        }

        return y;
    }

    /// <summary>
    /// The spec's checksum of y: the sum modulo 2^64 of its elements' 64-bit patterns, which no order
    /// of adding changes, so ranks and threads may add their parts as they finish.
    /// </summary>
    public static ulong Checksum(ReadOnlySpan<double> y)
    {
        ulong sum = 0;
        foreach (ulong bits in MemoryMarshal.Cast<double, ulong>(y))
        {
            sum = unchecked(sum + bits);
        }

        return sum;
    }

    private static void RequireSquare(ReadOnlySpan<double> x, int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (x.Length != (long)n * n)
        {
            throw new ArgumentException($"x has {x.Length} elements, not n x n = {(long)n * n}", nameof(x));
        }
    }
}
