namespace Interop.Backends.Inversion;

/// <summary>
/// Triangular solves with many right-hand sides (BLAS's dtrsm, left side), recursive: halve the
/// triangle, solve one half, update the other with a GEMM, solve it. At the leaves (triangles of
/// up to <see cref="Leaf"/> rows) the triangle is inverted explicitly and applied as one more
/// GEMM, so that nearly all the flops run in the micro-kernel: column-by-column substitution there
/// ran at a sixth of the GEMM's rate (axpys of 1 to 15 elements). Inverting only 16 x 16 blocks
/// keeps the accuracy of substitution for all practical purposes, as LAPACK's dtrtri does with its
/// own diagonal blocks. The right-hand sides go through in chunks of columns that stay in L2
/// across all the levels of the recursion. Runs on the calling thread over the columns it is given.
/// </summary>
internal static unsafe class TriangularSolve<TPath>
    where TPath : struct, IKernelPath
{
    /// <summary>Rows of the triangles inverted explicitly; the recursion splits on multiples of it.</summary>
    public const int Leaf = 16;

    // Columns of B per pass: 128 rows x 96 columns = 96 KiB, well inside L2.
    private const int Chunk = 96;

    /// <summary>B := inv(L) B, with L the unit lower triangle of size x size at <paramref name="l"/> and B size x <paramref name="columns"/>.</summary>
    public static void LowerUnit(ColumnMajor l, int size, ColumnMajor b, int columns, PackBuffers pack)
    {
        for (int c0 = 0; c0 < columns; c0 += Chunk)
        {
            LowerUnitRecursive(l, size, b.Block(0, c0), Math.Min(Chunk, columns - c0), pack);
        }
    }

    /// <summary>B := inv(U) B, with U the upper triangle (diagonal included) of size x size at <paramref name="u"/>.</summary>
    public static void Upper(ColumnMajor u, int size, ColumnMajor b, int columns, PackBuffers pack)
    {
        for (int c0 = 0; c0 < columns; c0 += Chunk)
        {
            UpperRecursive(u, size, b.Block(0, c0), Math.Min(Chunk, columns - c0), pack);
        }
    }

    private static void LowerUnitRecursive(ColumnMajor l, int size, ColumnMajor b, int columns, PackBuffers pack)
    {
        if (size <= Leaf)
        {
            double* inverse = stackalloc double[Leaf * Leaf];
            var t = new ColumnMajor(inverse, Leaf);
            NegatedInverseLowerUnit(l, size, t);
            Gemm<TPath>.Overwrite(size, columns, size, t, b, b, pack);
            return;
        }

        int h = Half(size);
        LowerUnitRecursive(l, h, b, columns, pack);
        Gemm<TPath>.Update(size - h, columns, h, l.Block(h, 0), b, b.Block(h, 0), pack);
        LowerUnitRecursive(l.Block(h, h), size - h, b.Block(h, 0), columns, pack);
    }

    private static void UpperRecursive(ColumnMajor u, int size, ColumnMajor b, int columns, PackBuffers pack)
    {
        if (size <= Leaf)
        {
            double* inverse = stackalloc double[Leaf * Leaf];
            var t = new ColumnMajor(inverse, Leaf);
            NegatedInverseUpper(u, size, t);
            Gemm<TPath>.Overwrite(size, columns, size, t, b, b, pack);
            return;
        }

        int h = Half(size);
        UpperRecursive(u.Block(h, h), size - h, b.Block(h, 0), columns, pack);
        Gemm<TPath>.Update(h, columns, size - h, u.Block(0, h), b.Block(h, 0), b, pack);
        UpperRecursive(u, h, b, columns, pack);
    }

    // -inv(L) of a unit lower triangle, column by column by forward substitution on the identity.
    private static void NegatedInverseLowerUnit(ColumnMajor l, int size, ColumnMajor result)
    {
        for (int j = 0; j < size; j++)
        {
            double* e = result.Column(j);
            new Span<double>(e, size).Clear();
            e[j] = 1;
            for (int k = j; k < size; k++)
            {
                double* lk = l.Column(k);
                for (int i = k + 1; i < size; i++)
                {
                    e[i] -= lk[i] * e[k];
                }
            }

            for (int i = j; i < size; i++)
            {
                e[i] = -e[i];
            }
        }
    }

    // -inv(U) of an upper triangle, column by column by back substitution on the identity.
    private static void NegatedInverseUpper(ColumnMajor u, int size, ColumnMajor result)
    {
        for (int j = 0; j < size; j++)
        {
            double* e = result.Column(j);
            new Span<double>(e, size).Clear();
            e[j] = 1;
            for (int k = j; k >= 0; k--)
            {
                double* uk = u.Column(k);
                e[k] /= uk[k];
                for (int i = 0; i < k; i++)
                {
                    e[i] -= uk[i] * e[k];
                }
            }

            for (int i = 0; i <= j; i++)
            {
                e[i] = -e[i];
            }
        }
    }

    // About half, on a multiple of Leaf, so that every leaf but the last is a whole Leaf x Leaf triangle.
    private static int Half(int size) => ((size / 2) + Leaf - 1) / Leaf * Leaf;
}
