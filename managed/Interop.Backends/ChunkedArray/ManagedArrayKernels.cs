using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Interop.Core;

namespace Interop.Backends.ChunkedArray;

/// <summary>
/// The array workload in C#: managed-serial is the spec's plain loops (<see cref="ArraySpec"/>) over
/// the call's rows; managed-parallel takes the pieces the C kernel takes (a tile's column sums over a
/// stripe of columns; a block of y, or a block and its transposed partner together when x is one
/// array or generated) from a shared counter on exactly the threads asked, walks a block in square
/// tiles so that every inner loop runs along a row, and does the row arithmetic in Vector256 or
/// Vector512 by the path. y[i][j] = (x[i][j] + x[j][i]) − m[j] and the column sums' row order are the
/// spec's in every lane, so every path gives the spec's bits; only the y pass's sum is added in an
/// order of the kernel's own (lanes).
/// </summary>
public static unsafe class ManagedArrayKernels
{
    // The edge of the square tiles (three of them, 24 KiB, in L1) and the columns of a column-sum piece.
    private const int Tile = 32;
    private const int SumStripe = 16384;

    /// <summary>The kernel of <paramref name="path"/> as reports name it.</summary>
    public static string KernelName(Isa path) => path switch
    {
        Isa.Avx512 => "Vector512",
        Isa.Avx2 => "Vector256",
        _ => "scalar",
    };

    /// <summary>managed-serial: the spec's loops on the calling thread (threads checked, then ignored).</summary>
    public static ArrayPassResult RunSerial(in ArrayCall c, int threads)
    {
        ArrayArguments.Check(c, threads);
        switch (c.Pass)
        {
            case ArrayPass.ColumnSums:
                for (long t = 0; t < ArrayArguments.Tiles(c.RowBegin, c.RowEnd); t++)
                {
                    double* sums = c.Out + (t * c.Ldout);
                    new Span<double>(sums, checked((int)c.N)).Clear();
                    long first = c.RowBegin + (t * ArrayArguments.TileRows);
                    for (long i = first; i < Math.Min(first + ArrayArguments.TileRows, c.RowEnd); i++)
                    {
                        for (long j = 0; j < c.N; j++)
                        {
                            sums[j] += At(c, i, j);
                        }
                    }
                }

                return default;
            case ArrayPass.Generate:
                for (long i = c.RowBegin; i < c.RowEnd; i++)
                {
                    for (long j = 0; j < c.N; j++)
                    {
                        c.Out[((i - c.RowBegin) * c.Ldout) + j] = ArraySpec.X(c.Seed, c.N, i, j);
                    }
                }

                return default;
            default:
                double sum = 0;
                ulong checksum = 0;
                for (long i = c.RowBegin; i < c.RowEnd; i++)
                {
                    for (long j = 0; j < c.N; j++)
                    {
                        double y = (At(c, i, j) + Transposed(c, i, j)) - c.M[j];
                        sum += y;
                        checksum = unchecked(checksum + (ulong)BitConverter.DoubleToInt64Bits(y));
                        if (c.Out != null)
                        {
                            c.Out[((i - c.RowBegin) * c.Ldout) + j] = y;
                        }
                    }
                }

                return new ArrayPassResult(sum, checksum);
        }
    }

    // x[i][j] for a row i of the call, from memory or the generator.
    private static double At(in ArrayCall c, long i, long j) =>
        c.X != null ? c.X[((i - c.RowBegin) * c.Ldx) + j] : ArraySpec.X(c.Seed, c.N, i, j);

    // x[j][i] for a row i of the call: from the transposed columns, or the generator.
    private static double Transposed(in ArrayCall c, long i, long j) =>
        c.X != null ? c.Xt[(j * c.Ldxt) + (i - c.RowBegin)] : ArraySpec.X(c.Seed, c.N, j, i);

    /// <summary>
    /// managed-parallel: the pass's pieces on <paramref name="threads"/> dedicated threads taking them
    /// from one counter (dynamic), each by the code of <paramref name="path"/> (one this CPU has).
    /// </summary>
    public static ArrayPassResult RunParallel(Isa path, in ArrayCall call, int threads)
    {
        ArrayArguments.Check(call, threads);
        if (path == Isa.Auto || !ManagedIsa.Supports(path))
        {
            throw new ArgumentOutOfRangeException(nameof(path), $"this CPU has no {IsaNames.Name(path)} path for the C# kernels");
        }

        ArrayCall c = call;
        var plan = new Pieces(c);
        long next = -1;
        var sums = new double[threads];
        var checksums = new ulong[threads];
        ParallelRanges.SumOverThreads(new IndexRange(0, threads), threads, part =>
        {
            int me = (int)part.Begin;
            double sum = 0;
            ulong checksum = 0;
            for (long p = Interlocked.Increment(ref next); p < plan.Count; p = Interlocked.Increment(ref next))
            {
                (double s, ulong k) = plan.Run(path, c, p);
                sum += s;
                checksum = unchecked(checksum + k);
            }

            sums[me] = sum;
            checksums[me] = checksum;
            return 0;
        }, "array pieces");
        ulong total = 0;
        foreach (ulong k in checksums)
        {
            total = unchecked(total + k);
        }

        return new ArrayPassResult(sums.Sum(), total);
    }

    // The pieces of one pass, as array_entry.c lists them.
    private sealed class Pieces
    {
        private readonly long blocks;
        private readonly long firstBlock;
        private readonly long stripes;
        private readonly bool pair;
        // With pairs, where block row I's pieces start: (I, I), (I, I + 1), ..., one per block row (not
        // one per piece, which at chunk 1 would be n^2 / 2 entries).
        private readonly long[] rowStarts = [];

        public Pieces(in ArrayCall c)
        {
            blocks = (c.N + c.Chunk - 1) / c.Chunk;
            firstBlock = c.RowBegin / c.Chunk;
            stripes = (c.N + SumStripe - 1) / SumStripe;
            switch (c.Pass)
            {
                case ArrayPass.ColumnSums:
                    Count = ArrayArguments.Tiles(c.RowBegin, c.RowEnd) * stripes;
                    break;
                case ArrayPass.Generate:
                    Count = (c.RowEnd - c.RowBegin + c.Chunk - 1) / c.Chunk;
                    break;
                default:
                    long blockRows = c.RowEnd > c.RowBegin ? ((c.RowEnd - 1) / c.Chunk) + 1 - firstBlock : 0;
                    // A block and its transposed partner together when both are the call's and x is read from one place.
                    pair = c.RowBegin == 0 && c.RowEnd == c.N && (c.X == null || (c.Xt == c.X && c.Ldxt == c.Ldx));
                    if (pair)
                    {
                        rowStarts = new long[blocks + 1];
                        for (long i = 0; i < blocks; i++)
                        {
                            rowStarts[i + 1] = rowStarts[i] + (blocks - i);
                        }
                    }

                    Count = pair ? rowStarts[blocks] : blockRows * blocks;
                    break;
            }
        }

        public long Count { get; }

        public (double Sum, ulong Checksum) Run(Isa path, in ArrayCall c, long p)
        {
            switch (c.Pass)
            {
                case ArrayPass.ColumnSums:
                {
                    long t = p / stripes, s = p % stripes;
                    long first = c.RowBegin + (t * ArrayArguments.TileRows);
                    long rows = Math.Min(ArrayArguments.TileRows, c.RowEnd - first);
                    long c0 = s * SumStripe, c1 = Math.Min(c0 + SumStripe, c.N);
                    ColumnSums(path, c, first, rows, c0, c1, c.Out + (t * c.Ldout) + c0);
                    return default;
                }

                case ArrayPass.Generate:
                {
                    long first = c.RowBegin + (p * c.Chunk);
                    long rows = Math.Min(c.Chunk, c.RowEnd - first);
                    for (long r = 0; r < rows; r++)
                    {
                        Generate(path, c.Seed, c.N, first + r, 0, c.N, c.Out + ((first + r - c.RowBegin) * c.Ldout));
                    }

                    return default;
                }

                default:
                {
                    (long bi, long bj) = pair ? PairAt(p) : (firstBlock + (p / blocks), p % blocks);
                    long i0 = Math.Max(bi * c.Chunk, c.RowBegin), i1 = Math.Min((bi + 1) * c.Chunk, c.RowEnd);
                    long j0 = bj * c.Chunk, j1 = Math.Min((bj + 1) * c.Chunk, c.N);
                    return Block(path, c, i0, i1, j0, j1, pair);
                }
            }
        }

        // Piece p of the pairs: the block row whose pieces hold it, and the column within them.
        private (long I, long J) PairAt(long p)
        {
            int found = Array.BinarySearch(rowStarts, p);
            long i = found >= 0 ? found : ~found - 1;
            return (i, i + (p - rowStarts[i]));
        }
    }

    // out[col - c0] = the sum over rows [first, first + rows) of x[i][col], in row order from 0.
    private static void ColumnSums(Isa path, in ArrayCall c, long first, long rows, long c0, long c1, double* output)
    {
        int cols = (int)(c1 - c0);
        new Span<double>(output, cols).Clear();
        double* generated = stackalloc double[c.X == null ? SumStripe : 1];
        for (long i = first; i < first + rows; i++)
        {
            double* row;
            if (c.X != null)
            {
                row = c.X + ((i - c.RowBegin) * c.Ldx) + c0;
            }
            else
            {
                Generate(path, c.Seed, c.N, i, c0, c1, generated);
                row = generated;
            }

            AddTo(path, output, row, cols);
        }
    }

    // sums[k] += row[k], lane by lane (each column its own sum: the order stays the rows').
    private static void AddTo(Isa path, double* sums, double* row, int cols)
    {
        int k = 0;
        if (path == Isa.Avx512)
        {
            for (; k + 8 <= cols; k += 8)
            {
                Vector512.Store(Vector512.Load(sums + k) + Vector512.Load(row + k), sums + k);
            }
        }
        else if (path == Isa.Avx2)
        {
            for (; k + 4 <= cols; k += 4)
            {
                Vector256.Store(Vector256.Load(sums + k) + Vector256.Load(row + k), sums + k);
            }
        }

        for (; k < cols; k++)
        {
            sums[k] += row[k];
        }
    }

    // output[j - c0] = x[i][j] for j in [c0, c1): SplitMix64 eight lanes at a time on AVX-512 (vpmullq), else one by one.
    private static void Generate(Isa path, ulong seed, long n, long i, long c0, long c1, double* output)
    {
        ulong k0 = (ulong)((i * n) + c0);
        int cols = (int)(c1 - c0);
        int j = 0;
        if (path == Isa.Avx512)
        {
            Vector512<ulong> lanes = Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7);
            for (; j + 8 <= cols; j += 8)
            {
                Vector512<ulong> z = Vector512.Create(seed) + ((Vector512.Create(k0 + (ulong)j + 1) + lanes) * Vector512.Create(SplitMix64.Golden));
                z = (z ^ Vector512.ShiftRightLogical(z, 30)) * Vector512.Create(SplitMix64.Mix1);
                z = (z ^ Vector512.ShiftRightLogical(z, 27)) * Vector512.Create(SplitMix64.Mix2);
                z ^= Vector512.ShiftRightLogical(z, 31);
                Vector512<double> unit = Vector512.ConvertToDouble(Vector512.ShiftRightLogical(z, 11).AsInt64()) * Vector512.Create(1.0 / (1UL << 53));
                unit.Store(output + j);
            }
        }

        for (; j < cols; j++)
        {
            output[j] = SplitMix64.ToUnitDouble(SplitMix64.Mix(seed, k0 + (ulong)j));
        }
    }

    // y's rows [i0, i1) x columns [j0, j1), with the transposed block when pair is set, tile by tile. x in
    // memory is read where it lies (the tile's rows and its partner's by pointer); only the turned
    // tiles are copies. Generated x is made into a and s first.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Sum, ulong Checksum) Block(Isa path, in ArrayCall c, long i0, long i1, long j0, long j1, bool pair)
    {
        double* a = stackalloc double[Tile * Tile];
        double* s = stackalloc double[Tile * Tile];
        double* t = stackalloc double[Tile * Tile];
        double* at = stackalloc double[Tile * Tile];
        var acc = new Accumulator();
        long rb = c.RowBegin;
        for (long ti = i0; ti < i1; ti += Tile)
        {
            int rows = (int)Math.Min(Tile, i1 - ti);
            // A diagonal tile of a pair is its own partner: only the tiles on and above it.
            for (long tj = pair && j0 == i0 ? ti : j0; tj < j1; tj += Tile)
            {
                int cols = (int)Math.Min(Tile, j1 - tj);
                double* aRows, sRows; // x[ti + r][tj ..] and x[tj + col][ti ..], with their row strides
                long aLd, sLd;
                if (c.X == null)
                {
                    for (int r = 0; r < rows; r++)
                    {
                        Generate(path, c.Seed, c.N, ti + r, tj, tj + cols, a + (r * Tile));
                    }

                    for (int col = 0; col < cols; col++)
                    {
                        Generate(path, c.Seed, c.N, tj + col, ti, ti + rows, s + (col * Tile));
                    }

                    aRows = a;
                    sRows = s;
                    aLd = sLd = Tile;
                }
                else
                {
                    aRows = c.X + ((ti - rb) * c.Ldx) + tj;
                    aLd = c.Ldx;
                    // x[tj + col][ti + r] from the transposed columns (the rows of x themselves when xt is x).
                    sRows = c.Xt + (tj * c.Ldxt) + (ti - rb);
                    sLd = c.Ldxt;
                }

                TransposedLoad(path, sRows, sLd, rows, cols, t); // t[r][col] = x[tj + col][ti + r]
                YTile(path, aRows, aLd, t, c.M + tj, rows, cols, c.Out == null ? null : c.Out + ((ti - rb) * c.Ldout) + tj, c.Ldout, ref acc);
                if (pair && !(j0 == i0 && tj == ti))
                {
                    // The partner tile, rows tj.., columns ti..: y[tj + col][ti + r] = (x[tj + col][ti + r] + x[ti + r][tj + col]) - m[ti + r].
                    TransposedLoad(path, aRows, aLd, cols, rows, at); // at[col][r] = x[ti + r][tj + col]
                    YTile(path, sRows, sLd, at, c.M + ti, cols, rows, c.Out == null ? null : c.Out + ((tj - rb) * c.Ldout) + ti, c.Ldout, ref acc);
                }
            }
        }

        if (path != Isa.Scalar)
        {
            // The streamed stores are weakly ordered: drained before the piece counts as done.
            Sse.StoreFence();
        }

        return acc.Total();
    }

    // output[r][col] = source[col * ld + r] for r < rows, col < cols: a tile read turned, in one pass; on the
    // vector paths whole 4 x 4 squares are turned in registers (two unpacks and two lane permutes).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposedLoad(Isa path, double* source, long ld, int rows, int cols, double* output)
    {
        int col0 = 0;
        if (path != Isa.Scalar)
        {
            int wholeRows = rows - (rows % 4), wholeCols = cols - (cols % 4);
            for (; col0 < wholeCols; col0 += 4)
            {
                double* s0 = source + (col0 * ld), s1 = s0 + ld, s2 = s1 + ld, s3 = s2 + ld;
                double* o = output + col0; // output row r0, column col0: the pointers step instead of indexes multiplied
                for (int r0 = 0; r0 < wholeRows; r0 += 4, o += 4 * Tile)
                {
                    Vector256<double> a = Avx.LoadVector256(s0 + r0), b = Avx.LoadVector256(s1 + r0);
                    Vector256<double> c = Avx.LoadVector256(s2 + r0), d = Avx.LoadVector256(s3 + r0);
                    Vector256<double> abLow = Avx.UnpackLow(a, b), abHigh = Avx.UnpackHigh(a, b);
                    Vector256<double> cdLow = Avx.UnpackLow(c, d), cdHigh = Avx.UnpackHigh(c, d);
                    Avx.Store(o, Avx.Permute2x128(abLow, cdLow, 0x20));
                    Avx.Store(o + Tile, Avx.Permute2x128(abHigh, cdHigh, 0x20));
                    Avx.Store(o + (2 * Tile), Avx.Permute2x128(abLow, cdLow, 0x31));
                    Avx.Store(o + (3 * Tile), Avx.Permute2x128(abHigh, cdHigh, 0x31));
                }

                for (int r = wholeRows; r < rows; r++)
                {
                    for (int col = col0; col < col0 + 4; col++)
                    {
                        output[(r * Tile) + col] = source[(col * ld) + r];
                    }
                }
            }
        }

        for (int col = col0; col < cols; col++)
        {
            for (int r = 0; r < rows; r++)
            {
                output[(r * Tile) + col] = source[(col * ld) + r];
            }
        }
    }

    // A tile of y: y[r][k] = (a[r lda + k] + t[r][k]) - m[k] for r < rows, k < cols, kept when y is not
    // null (row r at y + r ldy), added to the lanes. The lanes live in locals for the tile (in the
    // accumulator only between tiles: a field updated through a ref every 8 elements is a
    // store-to-load chain), two vectors each so that consecutive additions do not wait on each other.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void YTile(Isa path, double* a, long lda, double* t, double* m, int rows, int cols, double* y, long ldy, ref Accumulator acc)
    {
        int vectorCols = 0;
        if (path == Isa.Avx512)
        {
            vectorCols = cols - (cols % 8);
            if (y == null)
            {
                YTile512<Dropped>(a, lda, t, m, rows, vectorCols, y, ldy, ref acc);
            }
            else if (Streamable(y, ldy, 64))
            {
                YTile512<Streamed>(a, lda, t, m, rows, vectorCols, y, ldy, ref acc);
            }
            else
            {
                YTile512<Stored>(a, lda, t, m, rows, vectorCols, y, ldy, ref acc);
            }
        }
        else if (path == Isa.Avx2)
        {
            vectorCols = cols - (cols % 4);
            if (y == null)
            {
                YTile256<Dropped>(a, lda, t, m, rows, vectorCols, y, ldy, ref acc);
            }
            else if (Streamable(y, ldy, 32))
            {
                YTile256<Streamed>(a, lda, t, m, rows, vectorCols, y, ldy, ref acc);
            }
            else
            {
                YTile256<Stored>(a, lda, t, m, rows, vectorCols, y, ldy, ref acc);
            }
        }

        if (vectorCols == cols)
        {
            return;
        }

        double sum = 0;
        ulong bits = 0;
        for (int r = 0; r < rows; r++)
        {
            double* ar = a + (r * lda), tr = t + (r * Tile);
            for (int k = vectorCols; k < cols; k++)
            {
                double v = (ar[k] + tr[k]) - m[k];
                sum += v;
                bits = unchecked(bits + (ulong)BitConverter.DoubleToInt64Bits(v));
                if (y != null)
                {
                    y[(r * ldy) + k] = v;
                }
            }
        }

        acc.Scalar += sum;
        acc.ScalarBits = unchecked(acc.ScalarBits + bits);
    }

    // Whether every row of a tile of y starts on an `alignment`-byte boundary (the tiles' columns start at
    // multiples of 32 elements): y is then streamed past the caches, as it is not read again.
    private static bool Streamable(double* y, long ldy, int alignment) =>
        ((nuint)y % (nuint)alignment) == 0 && (ldy * sizeof(double)) % alignment == 0;

    // YTile's first cols (a multiple of 8) in Vector512, y written as TStore says (chosen once a tile,
    // so that the row loop has no branch on it).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void YTile512<TStore>(double* a, long lda, double* t, double* m, int rows, int cols, double* y, long ldy, ref Accumulator acc)
        where TStore : struct, IYStore
    {
        Vector512<double> sum0 = Vector512<double>.Zero, sum1 = Vector512<double>.Zero;
        Vector512<ulong> bits0 = Vector512<ulong>.Zero, bits1 = Vector512<ulong>.Zero;
        for (int r = 0; r < rows; r++)
        {
            double* ar = a + (r * lda), tr = t + (r * Tile), yr = y + (r * ldy);
            int k = 0;
            for (; k + 16 <= cols; k += 16)
            {
                Vector512<double> v0 = (Vector512.Load(ar + k) + Vector512.Load(tr + k)) - Vector512.Load(m + k);
                Vector512<double> v1 = (Vector512.Load(ar + k + 8) + Vector512.Load(tr + k + 8)) - Vector512.Load(m + k + 8);
                sum0 += v0;
                sum1 += v1;
                bits0 += v0.AsUInt64();
                bits1 += v1.AsUInt64();
                TStore.Store(yr + k, v0);
                TStore.Store(yr + k + 8, v1);
            }

            for (; k < cols; k += 8)
            {
                Vector512<double> v = (Vector512.Load(ar + k) + Vector512.Load(tr + k)) - Vector512.Load(m + k);
                sum0 += v;
                bits0 += v.AsUInt64();
                TStore.Store(yr + k, v);
            }
        }

        acc.Wide += sum0 + sum1;
        acc.WideBits += bits0 + bits1;
    }

    // YTile's first cols (a multiple of 4) in Vector256, y written as TStore says.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void YTile256<TStore>(double* a, long lda, double* t, double* m, int rows, int cols, double* y, long ldy, ref Accumulator acc)
        where TStore : struct, IYStore
    {
        Vector256<double> sum0 = Vector256<double>.Zero, sum1 = Vector256<double>.Zero;
        Vector256<ulong> bits0 = Vector256<ulong>.Zero, bits1 = Vector256<ulong>.Zero;
        for (int r = 0; r < rows; r++)
        {
            double* ar = a + (r * lda), tr = t + (r * Tile), yr = y + (r * ldy);
            int k = 0;
            for (; k + 8 <= cols; k += 8)
            {
                Vector256<double> v0 = (Vector256.Load(ar + k) + Vector256.Load(tr + k)) - Vector256.Load(m + k);
                Vector256<double> v1 = (Vector256.Load(ar + k + 4) + Vector256.Load(tr + k + 4)) - Vector256.Load(m + k + 4);
                sum0 += v0;
                sum1 += v1;
                bits0 += v0.AsUInt64();
                bits1 += v1.AsUInt64();
                TStore.Store(yr + k, v0);
                TStore.Store(yr + k + 4, v1);
            }

            for (; k < cols; k += 4)
            {
                Vector256<double> v = (Vector256.Load(ar + k) + Vector256.Load(tr + k)) - Vector256.Load(m + k);
                sum0 += v;
                bits0 += v.AsUInt64();
                TStore.Store(yr + k, v);
            }
        }

        acc.Narrow += sum0 + sum1;
        acc.NarrowBits += bits0 + bits1;
    }

    // How a tile's y is written: a struct per way, so that each YTile is compiled for one (no branch per store).
    private interface IYStore
    {
        static abstract void Store(double* y, Vector512<double> v);

        static abstract void Store(double* y, Vector256<double> v);
    }

    // y streamed past the caches (aligned rows).
    private readonly struct Streamed : IYStore
    {
        public static void Store(double* y, Vector512<double> v) => Avx512F.StoreAlignedNonTemporal(y, v);

        public static void Store(double* y, Vector256<double> v) => Avx.StoreAlignedNonTemporal(y, v);
    }

    // y stored through the caches (rows not aligned).
    private readonly struct Stored : IYStore
    {
        public static void Store(double* y, Vector512<double> v) => v.Store(y);

        public static void Store(double* y, Vector256<double> v) => v.Store(y);
    }

    // y not kept (the sum case).
    private readonly struct Dropped : IYStore
    {
        public static void Store(double* y, Vector512<double> v)
        {
        }

        public static void Store(double* y, Vector256<double> v)
        {
        }
    }

    // A piece's sum and checksum in lanes of the path's width, added up at the end of the piece.
    private struct Accumulator
    {
        public Vector512<double> Wide;
        public Vector512<ulong> WideBits;
        public Vector256<double> Narrow;
        public Vector256<ulong> NarrowBits;
        public double Scalar;
        public ulong ScalarBits;

        public readonly (double Sum, ulong Checksum) Total() =>
            (Vector512.Sum(Wide) + Vector256.Sum(Narrow) + Scalar, unchecked(Vector512.Sum(WideBits) + Vector256.Sum(NarrowBits) + ScalarBits));
    }
}
