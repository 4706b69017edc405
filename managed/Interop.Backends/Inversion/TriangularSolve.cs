namespace Interop.Backends.Inversion;

/// <summary>
/// Triangular solves with many right-hand sides (BLAS's dtrsm, left side), recursive: halve the
/// triangle, solve one half, update the other with a GEMM, solve it. Most of the flops then run in
/// the micro-kernel; only triangles of <see cref="Leaf"/> rows are solved column by column.
/// Runs on the calling thread over the columns it is given.
/// </summary>
internal static unsafe class TriangularSolve<TPath>
    where TPath : struct, IKernelPath
{
    /// <summary>Below this the recursion stops: the axpys of a 16-row triangle are too short for a GEMM to pay.</summary>
    public const int Leaf = 16;

    /// <summary>B := inv(L) B, with L the unit lower triangle of size x size at <paramref name="l"/> and B size x <paramref name="columns"/>.</summary>
    public static void LowerUnit(ColumnMajor l, int size, ColumnMajor b, int columns, PackBuffers pack)
    {
        if (columns <= 0 || size <= 0)
        {
            return;
        }

        if (size <= Leaf)
        {
            for (int c = 0; c < columns; c++)
            {
                double* x = b.Column(c);
                for (int k = 0; k < size - 1; k++)
                {
                    TPath.Axpy(-x[k], l.At(k + 1, k), x + k + 1, size - k - 1);
                }
            }

            return;
        }

        int h = Half(size);
        LowerUnit(l, h, b, columns, pack);
        Gemm<TPath>.Update(size - h, columns, h, l.Block(h, 0), b, b.Block(h, 0), pack);
        LowerUnit(l.Block(h, h), size - h, b.Block(h, 0), columns, pack);
    }

    /// <summary>B := inv(U) B, with U the upper triangle (diagonal included) of size x size at <paramref name="u"/>.</summary>
    public static void Upper(ColumnMajor u, int size, ColumnMajor b, int columns, PackBuffers pack)
    {
        if (columns <= 0 || size <= 0)
        {
            return;
        }

        if (size <= Leaf)
        {
            for (int c = 0; c < columns; c++)
            {
                double* x = b.Column(c);
                for (int k = size - 1; k >= 0; k--)
                {
                    double* uk = u.Column(k);
                    x[k] /= uk[k];
                    TPath.Axpy(-x[k], uk, x, k);
                }
            }

            return;
        }

        int h = Half(size);
        Upper(u.Block(h, h), size - h, b.Block(h, 0), columns, pack);
        Gemm<TPath>.Update(h, columns, size - h, u.Block(0, h), b.Block(h, 0), b, pack);
        Upper(u, h, b, columns, pack);
    }

    // About half, in whole 8-row steps so that the GEMMs see full micro-tiles where they can.
    private static int Half(int size) => ((size / 2) + 7) / 8 * 8;
}
