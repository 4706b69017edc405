namespace Interop.Backends.Inversion;

/// <summary>
/// The managed inversion on one instruction-set path, in five phases over a column-major view M
/// of the caller's buffer and a work matrix X (see <see cref="ManagedInverse"/> for the algorithm):
/// <see cref="Transpose"/>, <see cref="FactorLu"/>, <see cref="InvertLower"/>, <see cref="SolveUpper"/>
/// and <see cref="Permute"/>. Every worker of the team runs <see cref="Work"/>; the work is split by
/// columns, which never overlap, taken in chunks from shared counters so that a slower worker
/// simply takes fewer; barriers separate only what depends on other workers' columns (one after
/// the transpose, one per LU step, one before the result overwrites M).
/// </summary>
internal sealed unsafe class BlockedInverse<TPath>
    where TPath : struct, IKernelPath
{
    /// <summary>Block size of the LU and of the triangular solves.</summary>
    public const int NB = 128;

    // Below this the panel is factored column by column; above, it is halved (LAPACK's dgetrf2).
    private const int PanelLeaf = 16;

    // Tiles of the transposes: two 32 x 32 tiles of doubles (16 KiB) stay in L1.
    private const int Tile = 32;

    private readonly int n;
    private readonly InverseWorkspace workspace;
    private readonly ColumnMajor m;
    private readonly ColumnMajor x;
    private readonly int[] pivots;
    private readonly int[] perm;
    private readonly int[] source; // perm's inverse
    private readonly int[] chunkCounters; // one per LU step: the next chunk of columns to take
    private readonly double threshold;
    private volatile int failedStep; // > 0: a singular pivot; < 0: minus the step of a NaN or Inf pivot
    private volatile int failedPanel = int.MaxValue; // the LU step whose panel held failedStep
    private int nextSolveColumn;
    private int nextTransposeTile;

    private BlockedInverse(int n, double* m, InverseWorkspace workspace, double threshold)
    {
        this.n = n;
        this.workspace = workspace;
        this.m = new ColumnMajor(m, n);
        x = new ColumnMajor(workspace.X, n);
        this.threshold = threshold;
        pivots = new int[n];
        perm = new int[n];
        source = new int[n];
        chunkCounters = new int[(n + NB - 1) / NB];
    }

    /// <summary>
    /// Inverts the n x n row-major matrix at <paramref name="a"/> in place on <paramref name="threads"/>
    /// workers; 0, or the 1-based step of a pivot at or below <paramref name="threshold"/>, or minus
    /// the step of a NaN or Inf pivot.
    /// </summary>
    public static int Run(double* a, int n, int threads, double threshold)
    {
        InverseWorkspace workspace = InverseWorkspace.Take<TPath>(n, threads, NB);
        try
        {
            var inverse = new BlockedInverse<TPath>(n, a, workspace, threshold);
            WorkerTeam.Run(threads, inverse.Work);
            return inverse.failedStep;
        }
        finally
        {
            InverseWorkspace.GiveBack(workspace);
        }
    }

    private void Work(WorkerTeam team, int worker)
    {
        PackBuffers pack = workspace.Pack(worker);
        Transpose();
        team.Sync();
        if (!FactorLu(team, worker, pack))
        {
            return;
        }

        // The columns of inv(L) and of inv(U) inv(L) are independent of each other, so from here on
        // each worker takes chunks of columns through both solves with no barrier, until the result
        // overwrites M, which every solve reads.
        for ((int c0, int c1) = TakeSolveColumns(team.Size); c0 < c1; (c0, c1) = TakeSolveColumns(team.Size))
        {
            InvertLower(c0, c1, pack);
            SolveUpper(c0, c1, pack);
        }

        team.Sync();
        Permute(team, worker);
    }

    /// <summary>
    /// 0. M = A: the caller's row-major A, read column-major, is Aᵀ, whose partial pivoting is not
    /// A's (it pivots A's columns, and can have an element growth of 2^(n-1) where A's has none), so
    /// the buffer is transposed in place first (O(n²), no extra memory), by pairs of tiles across the
    /// diagonal; the workers take tile columns from a shared counter.
    /// </summary>
    private void Transpose()
    {
        int tiles = (n + Tile - 1) / Tile;
        for (int bj = Interlocked.Increment(ref nextTransposeTile) - 1; bj < tiles; bj = Interlocked.Increment(ref nextTransposeTile) - 1)
        {
            int j0 = bj * Tile, j1 = Math.Min(n, j0 + Tile);
            for (int i0 = 0; i0 <= j0; i0 += Tile)
            {
                int i1 = Math.Min(n, i0 + Tile);
                for (int i = i0; i < i1; i++)
                {
                    // Elements (i, j) with j > i swap with (j, i): along column i and along row i.
                    double* column = m.Column(i);
                    for (int j = Math.Max(j0, i + 1); j < j1; j++)
                    {
                        double* other = m.At(i, j);
                        (column[j], *other) = (*other, column[j]);
                    }
                }
            }
        }
    }

    /// <summary>
    /// 1. P M = L U, blocked right-looking with a look-ahead of one panel. In step k every worker
    /// packs L21 (its own copy, once), worker 0 brings the next panel's columns up to date and
    /// factors that panel (recursively, so that it is mostly GEMM), and meanwhile the others take
    /// the remaining columns of the trailing matrix in chunks, each through the panel's row
    /// interchanges, the solve with L11 and the GEMM update; worker 0 joins them when its panel is
    /// done. So the serial panel overlaps the update instead of stalling the team, and a worker
    /// slowed by anything (the panel, another process) takes fewer chunks. One barrier per step.
    /// Returns false on a singular pivot.
    /// </summary>
    private bool FactorLu(WorkerTeam team, int worker, PackBuffers pack)
    {
        if (worker == 0)
        {
            FailIfSingular(FactorPanel(0, Math.Min(NB, n), 0, Math.Min(NB, n), pack), 0);
        }

        team.Sync();
        for (int step = 0, k0 = 0; k0 < n; step++, k0 += NB)
        {
            // Only a failure of this step's panel counts here: worker 0 may already have found one
            // in the next panel, and a worker that stopped a step early would leave it at the barrier.
            if (failedPanel <= step)
            {
                return false;
            }

            int kb = Math.Min(NB, n - k0);
            int next = k0 + kb, nextWidth = Math.Min(NB, n - next);
            Pack<TPath>.A(n - next, kb, m.Block(next, k0), pack.Panel);
            if (worker == 0 && nextWidth > 0)
            {
                UpdateColumns(k0, kb, next, nextWidth, pack);
                FailIfSingular(FactorPanel(next, nextWidth, next, nextWidth, pack), step + 1);
            }

            // The rest in chunks of whole slivers, about four per worker, at most 32 slivers wide.
            int first = next + nextWidth, remaining = n - first;
            int width = Math.Clamp((remaining / (4 * team.Size) + TPath.NR - 1) / TPath.NR * TPath.NR, TPath.NR, 32 * TPath.NR);
            for (int chunk = Interlocked.Increment(ref chunkCounters[step]) - 1; chunk * width < remaining; chunk = Interlocked.Increment(ref chunkCounters[step]) - 1)
            {
                int c = first + (chunk * width);
                UpdateColumns(k0, kb, c, Math.Min(width, n - c), pack);
            }

            team.Sync();
        }

        // The columns of L left of each panel have not had the interchanges of later panels yet:
        // applied here in one pass per column, while the column is in cache, instead of once per step.
        for (int c = worker; c < n; c += team.Size)
        {
            SwapRows(m.Column(c), Math.Min(n, ((c / NB) + 1) * NB), n);
        }

        if (worker == 0)
        {
            // Row i of P is row perm[i] of the identity (the interchanges in order), so column c of
            // Z is column perm[c] of the inverse, and column j of the inverse is column source[j] of Z.
            for (int i = 0; i < n; i++)
            {
                perm[i] = i;
            }

            for (int j = 0; j < n; j++)
            {
                (perm[j], perm[pivots[j]]) = (perm[pivots[j]], perm[j]);
            }

            for (int c = 0; c < n; c++)
            {
                source[perm[c]] = c;
            }
        }

        team.Sync();
        return true;
    }

    private void FailIfSingular(int step, int panel)
    {
        if (step != 0)
        {
            failedStep = step;
            failedPanel = panel; // volatile, after failedStep: who sees the panel sees the step
        }
    }

    // Columns [c, c + width) of the trailing matrix of step k0: the panel's interchanges, U12 =
    // inv(L11) A12 and A22 -= L21 U12, with L21 packed in pack.Panel.
    private void UpdateColumns(int k0, int kb, int c, int width, PackBuffers pack)
    {
        for (int j = c; j < c + width; j++)
        {
            SwapRows(m.Column(j), k0, k0 + kb);
        }

        TriangularSolve<TPath>.LowerUnit(m.Block(k0, k0), kb, m.Block(k0, c), width, pack);
        Gemm<TPath>.UpdatePacked(n - k0 - kb, width, kb, pack.Panel, m.Block(k0, c), m.Block(k0 + kb, c), pack);
    }

    // Unblocked below PanelLeaf columns, else: factor the left half, solve and update the right
    // half with it, factor the right half. Row interchanges always span the whole panel [k0, k0 + kb).
    private int FactorPanel(int j0, int width, int k0, int kb, PackBuffers pack)
    {
        if (width <= PanelLeaf)
        {
            return FactorPanelColumns(j0, width, k0, kb);
        }

        int h = width / 2;
        int failed = FactorPanel(j0, h, k0, kb, pack);
        if (failed != 0)
        {
            return failed;
        }

        TriangularSolve<TPath>.LowerUnit(m.Block(j0, j0), h, m.Block(j0, j0 + h), width - h, pack);
        Gemm<TPath>.Update(n - j0 - h, width - h, h, m.Block(j0 + h, j0), m.Block(j0, j0 + h), m.Block(j0 + h, j0 + h), pack);
        return FactorPanel(j0 + h, width - h, k0, kb, pack);
    }

    // Partial pivoting column by column; 0 or the failing 1-based step.
    private int FactorPanelColumns(int j0, int width, int k0, int kb)
    {
        for (int j = j0; j < j0 + width; j++)
        {
            double* column = m.Column(j);
            int p = j;
            double best = Math.Abs(column[j]);
            for (int i = j + 1; i < n; i++)
            {
                if (Math.Abs(column[i]) > best)
                {
                    best = Math.Abs(column[i]);
                    p = i;
                }
            }

            if (!double.IsFinite(best))
            {
                return -(j + 1); // NaN or Inf: not a singular matrix
            }

            if (!(best > threshold))
            {
                return j + 1;
            }

            pivots[j] = p;
            if (p != j)
            {
                for (int c = k0; c < k0 + kb; c++)
                {
                    double* target = m.Column(c);
                    (target[j], target[p]) = (target[p], target[j]);
                }
            }

            TPath.Scale(1.0 / column[j], column + j + 1, n - j - 1);
            for (int c = j + 1; c < j0 + width; c++)
            {
                double* target = m.Column(c);
                TPath.Axpy(-target[j], column + j + 1, target + j + 1, n - j - 1);
            }
        }

        return 0;
    }

    // The interchanges of steps [from, to) in order, within one column (LAPACK's dlaswp on a column).
    private void SwapRows(double* column, int from, int to)
    {
        for (int j = from; j < to; j++)
        {
            int p = pivots[j];
            (column[j], column[p]) = (column[p], column[j]);
        }
    }

    /// <summary>
    /// 2. Y = inv(L) in columns [c0, c1) of X: L Y = I by blocks of rows. Y is unit lower
    /// triangular, so row block k0 has nonzeros only in columns below k0 + kb: the solves and the
    /// GEMMs skip the zero columns (n³/3 flops in all instead of n³).
    /// </summary>
    private void InvertLower(int c0, int c1, PackBuffers pack)
    {
        for (int c = c0; c < c1; c++)
        {
            new Span<double>(x.Column(c), n).Clear();
            *x.At(c, c) = 1;
        }

        for (int k0 = c0 / NB * NB; k0 < n && c0 < c1; k0 += NB)
        {
            int kb = Math.Min(NB, n - k0);
            int columns = Math.Min(c1, k0 + kb) - c0;
            TriangularSolve<TPath>.LowerUnit(m.Block(k0, k0), kb, x.Block(k0, c0), columns, pack);
            Gemm<TPath>.Update(n - k0 - kb, columns, kb, m.Block(k0 + kb, k0), x.Block(k0, c0), x.Block(k0 + kb, c0), pack);
        }
    }

    /// <summary>3. Z = inv(U) Y in columns [c0, c1) of X: U Z = Y, backward by blocks of rows.</summary>
    private void SolveUpper(int c0, int c1, PackBuffers pack)
    {
        for (int k0 = (n - 1) / NB * NB; k0 >= 0; k0 -= NB)
        {
            int kb = Math.Min(NB, n - k0);
            TriangularSolve<TPath>.Upper(m.Block(k0, k0), kb, x.Block(k0, c0), c1 - c0, pack);
            Gemm<TPath>.Update(k0, c1 - c0, kb, m.Block(0, k0), x.Block(k0, c0), x.Block(0, c0), pack);
        }
    }

    /// <summary>
    /// 4. inv(M) = Z P replaces M, written row-major (the caller's layout): element (i, j) of the
    /// inverse, row i of column source[j] of Z, goes to M's (j, i). By tiles, each read as runs down
    /// columns of Z and written as runs down columns of M, both in L1; the workers share the tile rows.
    /// </summary>
    private void Permute(WorkerTeam team, int worker)
    {
        (int b0, int b1) = team.Share((n + Tile - 1) / Tile, 1, worker);
        for (int i0 = b0 * Tile; i0 < Math.Min(n, b1 * Tile); i0 += Tile)
        {
            int i1 = Math.Min(n, i0 + Tile);
            for (int j0 = 0; j0 < n; j0 += Tile)
            {
                int j1 = Math.Min(n, j0 + Tile);
                for (int i = i0; i < i1; i++)
                {
                    double* row = m.Column(i);
                    for (int j = j0; j < j1; j++)
                    {
                        row[j] = *x.At(i, source[j]);
                    }
                }
            }
        }
    }

    // Guided self-scheduling: each take is a share of what is left (whole slivers, at least 16), so
    // the first chunks are wide, which keeps the GEMMs long and the packing amortized, and the last
    // are narrow, which evens out the finish. Early columns cost more (column c has (n - c)² flops
    // in InvertLower beside n² in SolveUpper) and are taken first.
    private (int Begin, int End) TakeSolveColumns(int workers)
    {
        while (true)
        {
            int begin = Volatile.Read(ref nextSolveColumn);
            if (begin >= n)
            {
                return (n, n);
            }

            int width = Math.Max((n - begin) / (2 * workers), 16 * TPath.NR);
            int end = Math.Min(n, begin + ((width + TPath.NR - 1) / TPath.NR * TPath.NR));
            if (Interlocked.CompareExchange(ref nextSolveColumn, end, begin) == begin)
            {
                return (begin, end);
            }
        }
    }
}
