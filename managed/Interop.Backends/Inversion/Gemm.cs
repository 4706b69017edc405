using System.Runtime.CompilerServices;

namespace Interop.Backends.Inversion;

/// <summary>
/// The cache-blocking loops of the managed GEMM, C[m x n] -= A[m x k] * B[k x n] on column-major
/// views: KC-deep panels of B and MC x KC blocks of A are packed (<see cref="Pack{TPath}"/>) and
/// the path's micro-kernel runs over MR x NR tiles (BLIS's loop order: B's sliver stays in L1,
/// A's block in L2). The tile shape and blocking are <typeparamref name="TPath"/>'s. The loops and
/// the packing are compiled fully optimized at their first call (AggressiveOptimization): their
/// tier-0 code is several times slower, and a first inversion would run mostly in it.
/// </summary>
internal static unsafe class Gemm<TPath>
    where TPath : struct, IKernelPath
{
    /// <summary>The whole product on the calling thread (one worker's columns, or a panel's update).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Update(int m, int n, int k, ColumnMajor a, ColumnMajor b, ColumnMajor c, PackBuffers pack)
    {
        if (m <= 0 || n <= 0 || k <= 0)
        {
            return;
        }

        for (int p0 = 0; p0 < k; p0 += TPath.KC)
        {
            int kc = Math.Min(TPath.KC, k - p0);
            Pack<TPath>.B(kc, n, b.Block(p0, 0), pack.B);
            for (int i0 = 0; i0 < m; i0 += TPath.MC)
            {
                int mc = Math.Min(TPath.MC, m - i0);
                Pack<TPath>.A(mc, kc, a.Block(i0, p0), pack.A);
                Macro(mc, n, kc, pack.A, pack.B, c.Block(i0, 0));
            }
        }
    }

    /// <summary>
    /// C := -A B for k up to KC, where C may be B itself: B is packed whole before C is cleared and
    /// written. The triangular solves multiply their small diagonal blocks' inverses in place so.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Overwrite(int m, int n, int k, ColumnMajor a, ColumnMajor b, ColumnMajor c, PackBuffers pack)
    {
        if (m <= 0 || n <= 0)
        {
            return;
        }

        if (k > TPath.KC)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"at most KC = {TPath.KC}: deeper B would be packed after C is overwritten");
        }

        Pack<TPath>.B(k, n, b, pack.B);
        for (int j = 0; j < n; j++)
        {
            new Span<double>(c.Column(j), m).Clear();
        }

        for (int i0 = 0; i0 < m; i0 += TPath.MC)
        {
            int mc = Math.Min(TPath.MC, m - i0);
            Pack<TPath>.A(mc, k, a.Block(i0, 0), pack.A);
            Macro(mc, n, k, pack.A, pack.B, c.Block(i0, 0));
        }
    }

    /// <summary>
    /// C[m x n] -= A B with A packed already, whole (<see cref="Pack{TPath}.A"/> of all m rows, k up
    /// to KC deep): the LU packs its L21 once per step and runs every chunk of columns against it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UpdatePacked(int m, int n, int k, double* packedA, ColumnMajor b, ColumnMajor c, PackBuffers pack)
    {
        if (m <= 0 || n <= 0 || k <= 0)
        {
            return;
        }

        Pack<TPath>.B(k, n, b, pack.B);
        for (int i0 = 0; i0 < m; i0 += TPath.MC)
        {
            // MC is a multiple of MR, so rows i0.. start a sliver: the MC x k block lies at i0 * k.
            Macro(Math.Min(TPath.MC, m - i0), n, k, packedA + ((long)i0 * k), pack.B, c.Block(i0, 0));
        }
    }

    /// <summary>The columns of C that <see cref="WorkerTeam.Share"/> gives this worker, so that workers never write the same element.</summary>
    public static void Update(int m, int n, int k, ColumnMajor a, ColumnMajor b, ColumnMajor c, WorkerTeam team, int worker, PackBuffers pack)
    {
        (int j0, int j1) = team.Share(n, TPath.NR, worker);
        Update(m, j1 - j0, k, a, b.Block(0, j0), c.Block(0, j0), pack);
    }

    // Every MR x NR tile of the mc x nc block of C, from packed A and B.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Macro(int mc, int nc, int kc, double* ap, double* bp, ColumnMajor c)
    {
        for (int j = 0; j < nc; j += TPath.NR)
        {
            int nr = Math.Min(TPath.NR, nc - j);
            double* bSliver = bp + ((long)j * kc);
            for (int i = 0; i < mc; i += TPath.MR)
            {
                int mr = Math.Min(TPath.MR, mc - i);
                double* aSliver = ap + ((long)i * kc);
                if (mr == TPath.MR && nr == TPath.NR)
                {
                    TPath.MicroKernel(kc, aSliver, bSliver, c.At(i, j), c.Ld);
                }
                else
                {
                    EdgeTile(kc, aSliver, bSliver, c.At(i, j), c.Ld, mr, nr);
                }
            }
        }
    }

    // A partial tile: the micro-kernel runs on a zeroed buffer (so it keeps no edge cases) and
    // only mr x nr of the result reaches C. Kept out of Macro: a stackalloc there would make the
    // JIT zero a frame on every call.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EdgeTile(int kc, double* ap, double* bp, double* c, int ldc, int mr, int nr)
    {
        double* tile = stackalloc double[TPath.MR * TPath.NR];
        new Span<double>(tile, TPath.MR * TPath.NR).Clear();
        TPath.MicroKernel(kc, ap, bp, tile, TPath.MR);
        for (int j = 0; j < nr; j++)
        {
            double* cj = c + ((long)j * ldc);
            double* tj = tile + (j * TPath.MR);
            for (int i = 0; i < mr; i++)
            {
                cj[i] += tj[i];
            }
        }
    }
}
