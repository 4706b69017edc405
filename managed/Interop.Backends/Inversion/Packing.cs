using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Interop.Backends.Inversion;

/// <summary>
/// One worker's packing space, reused by every GEMM of that worker (and kept from one inversion to
/// the next by <see cref="InverseWorkspace"/>): an MC x KC block of A, a KC-deep panel of B as wide
/// as the widest update and, for the LU, the whole L21 of a step packed once (<see cref="Panel"/>).
/// </summary>
internal sealed unsafe class PackBuffers : IDisposable
{
    private PackBuffers(long aLength, long bLength, long panelLength)
    {
        // 64-byte aligned: every sliver then starts on a cache line (MR and NR doubles are multiples of 8 bytes).
        A = (double*)NativeMemory.AlignedAlloc((nuint)(aLength * sizeof(double)), 64);
        B = (double*)NativeMemory.AlignedAlloc((nuint)(bLength * sizeof(double)), 64);
        Panel = panelLength > 0 ? (double*)NativeMemory.AlignedAlloc((nuint)(panelLength * sizeof(double)), 64) : null;
    }

    public double* A { get; }

    public double* B { get; }

    /// <summary>A whole packed block column of A (every row, <c>panelDepth</c> deep), or null.</summary>
    public double* Panel { get; }

    /// <summary>
    /// Space for <typeparamref name="TPath"/>'s GEMMs on matrices of order up to <paramref name="n"/>,
    /// and for a packed n x <paramref name="panelDepth"/> block column if that is not 0.
    /// </summary>
    public static PackBuffers For<TPath>(int n, int panelDepth = 0)
        where TPath : struct, IKernelPath
    {
        long columns = (n + TPath.NR - 1) / TPath.NR * (long)TPath.NR;
        long rows = (n + TPath.MR - 1) / TPath.MR * (long)TPath.MR;
        return new PackBuffers((long)TPath.MC * TPath.KC, TPath.KC * columns, rows * panelDepth);
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(A);
        NativeMemory.AlignedFree(B);
        NativeMemory.AlignedFree(Panel);
    }
}

/// <summary>
/// Packing, BLIS style: copies a block of A into MR-row slivers and a panel of B into NR-column
/// slivers, each k-major and zero-padded to whole slivers, so that the micro-kernel streams two
/// contiguous arrays and never needs an edge case inside its loop.
/// </summary>
internal static unsafe class Pack<TPath>
    where TPath : struct, IKernelPath
{
    /// <summary>The mc x kc block of A at <paramref name="a"/> into MR-row slivers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void A(int mc, int kc, ColumnMajor a, double* output)
    {
        int mr = TPath.MR;
        for (int i0 = 0; i0 < mc; i0 += mr)
        {
            int rows = Math.Min(mr, mc - i0);
            double* column = a.At(i0, 0);
            if (rows == mr)
            {
                for (int k = 0; k < kc; k++, output += mr, column += a.Ld)
                {
                    Buffer.MemoryCopy(column, output, mr * sizeof(double), mr * sizeof(double));
                }

                continue;
            }

            for (int k = 0; k < kc; k++, output += mr, column += a.Ld)
            {
                int i = 0;
                for (; i < rows; i++)
                {
                    output[i] = column[i];
                }

                for (; i < mr; i++)
                {
                    output[i] = 0;
                }
            }
        }
    }

    /// <summary>The kc x nc panel of B at <paramref name="b"/> into NR-column slivers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void B(int kc, int nc, ColumnMajor b, double* output)
    {
        int nr = TPath.NR;
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            int columns = Math.Min(nr, nc - j0);
            for (int k = 0; k < kc; k++, output += nr)
            {
                double* row = b.At(k, j0);
                int j = 0;
                for (; j < columns; j++)
                {
                    output[j] = row[(long)j * b.Ld];
                }

                for (; j < nr; j++)
                {
                    output[j] = 0;
                }
            }
        }
    }
}
