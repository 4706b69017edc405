using System.Globalization;
using Interop.Core;

namespace Interop.Mpi;

/// <summary>
/// One distributed inversion by the scalapack backend. Every rank passes the same request (the
/// driver's ranks run the same command line); only <see cref="InputOnRoot"/> is read on rank 0 alone.
/// </summary>
public sealed record ScalapackRequest
{
    /// <summary>The order of the matrix.</summary>
    public required int N { get; init; }

    /// <summary>The spec's seed of the generated matrix (unused with <see cref="FromInput"/>).</summary>
    public ulong Seed { get; init; }

    /// <summary>Process rows and columns of the BLACS grid; 0 and 0 for the default (<see cref="ScalapackInverse.DefaultGrid"/>).</summary>
    public int GridRows { get; init; }

    /// <summary>See <see cref="GridRows"/>. GridRows * GridCols must be the number of ranks.</summary>
    public int GridCols { get; init; }

    /// <summary>ScaLAPACK's block size NB (= MB) of the 2-D block-cyclic distribution.</summary>
    public int BlockSize { get; init; } = ScalapackInverse.DefaultBlockSize;

    /// <summary>OpenBLAS threads in each rank (the hybrid: ranks x threads).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>True on every rank when rank 0 scatters <see cref="InputOnRoot"/> instead of every rank generating its part.</summary>
    public bool FromInput { get; init; }

    /// <summary>With <see cref="FromInput"/>: the row-major n x n matrix on rank 0 (ignored elsewhere).</summary>
    public double[]? InputOnRoot { get; init; }

    /// <summary>Gather the inverse into <see cref="ScalapackResult.Inverse"/> on rank 0.</summary>
    public bool WantOutput { get; init; }

    /// <summary>Timed inversions of the same matrix (each from a fresh copy of A); at least 1.</summary>
    public int Runs { get; init; } = 1;

    /// <summary>
    /// After <see cref="Runs"/> runs, more runs of the same plan while this returns false for the run
    /// times so far (null: none). Every rank gets the same times (the slowest rank's), so every rank
    /// decides alike; it must stop by itself (the automatic repeat policy's bound does).
    /// </summary>
    public Func<IReadOnlyList<double>, bool>? Enough { get; init; }

    /// <summary>Compute the spec's scaled residual of the last inverse (2n³ more flops, not timed).</summary>
    public bool CheckResidual { get; init; } = true;
}

/// <summary>What <see cref="ScalapackInverse.Run"/> returns, the same on every rank but <see cref="Inverse"/>.</summary>
/// <param name="RunSeconds">Each run's pdgetrf + pdgetri time, the slowest rank's (MPI_Wtime from a common barrier).</param>
/// <param name="Residual">The spec's scaled residual of the last inverse; NaN when not checked.</param>
/// <param name="GridRows">Process rows of the grid used.</param>
/// <param name="GridCols">Process columns of the grid used.</param>
/// <param name="BlockSize">The block size used.</param>
/// <param name="BytesPerRank">The most bytes any rank allocated (its local matrices and ScaLAPACK's workspace).</param>
/// <param name="BytesThisRank">The bytes this rank allocated.</param>
/// <param name="Inverse">The row-major inverse on rank 0 when asked for; null elsewhere.</param>
public sealed record ScalapackResult(
    IReadOnlyList<double> RunSeconds,
    double Residual,
    int GridRows,
    int GridCols,
    int BlockSize,
    long BytesPerRank,
    long BytesThisRank,
    double[]? Inverse)
{
    /// <summary>The median of <see cref="RunSeconds"/>.</summary>
    public double Seconds
    {
        get
        {
            double[] sorted = [.. RunSeconds];
            Array.Sort(sorted);
            int middle = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }
}

/// <summary>
/// The scalapack backend: inverts the spec's matrix (or rank 0's input) over every rank of
/// MPI_COMM_WORLD with ScaLAPACK's pdgetrf + pdgetri on a 2-D block-cyclic distribution
/// (libinterop_scalapack). Call <see cref="Run"/> on every rank, after MPI is initialized
/// (<see cref="MpiEnvironment"/>), from the thread that initialized it.
/// </summary>
/// <remarks>
/// No rank waits for another that failed: the request is first checked on every rank and compared
/// across ranks (two small MPI_Allreduce calls), and every call into the library returns the same
/// status on every rank. A failure therefore throws the same exception everywhere: a
/// <see cref="SingularMatrixException"/> or <see cref="NonFiniteFactorizationException"/> for a failed
/// pivot (no inverse is gathered), a <see cref="UsageException"/> for a bad request, a
/// <see cref="BackendUnavailableException"/> when the library is missing, a
/// <see cref="ScalapackException"/> otherwise (on the ranks where the request was fine but another
/// rank's was not, naming that rank).
/// </remarks>
public static class ScalapackInverse
{
    /// <summary>The backend's name in reports and exceptions.</summary>
    public const string Backend = "scalapack";

    /// <summary>The default block size NB (INTEROP_SCALAPACK_DEFAULT_BLOCK).</summary>
    public const int DefaultBlockSize = 192;

    /// <summary>
    /// The largest n of an input or output matrix (INTEROP_SCALAPACK_MAX_GATHER_ORDER): rank 0 holds
    /// it whole as one ScaLAPACK block, whose n² elements must fit 32-bit integers. A generated
    /// matrix is bounded only by each rank's part (<see cref="LargestLocalElements"/>).
    /// </summary>
    public const int MaxGatherOrder = 46340;

    /// <summary>
    /// The most elements of any rank's local matrix for an n x n matrix in blocks of
    /// <paramref name="block"/> on a rows x cols grid (numroc of process 0, which holds the most):
    /// ScaLAPACK indexes it with 32-bit integers, so it must stay below 2^31.
    /// </summary>
    public static long LargestLocalElements(long n, int block, int rows, int cols)
    {
        // numroc(n, block, 0, 0, procs): whole cycles of blocks, then one more block (or the last,
        // partial one) for process 0.
        static long Local(long n, int block, int procs)
        {
            long blocks = n / block;
            return blocks / procs * block + (blocks % procs > 0 ? block : n % block);
        }

        return Local(n, block, rows) * Local(n, block, cols);
    }

    /// <summary>About the bytes one rank allocates for an n x n matrix on <paramref name="ranks"/> ranks: its
    /// local matrix and the residual's two panels of about an eighth of it (interop_scalapack.h).</summary>
    public static double BytesPerRank(long n, int ranks) => 1.25 * 8.0 * n * n / ranks;

    private static readonly string[] CreateArguments = ["n", "grid_rows", "grid_cols", "block", "threads", "plan"];
    private static readonly string[] PlanArguments = ["plan", "a"];

    /// <summary>
    /// The default grid for <paramref name="ranks"/> processes: MPI_Dims_create's most nearly square
    /// rows x cols, rows &gt;= cols (2x1, 3x1, 2x2, 3x2, ...), the same as interop_scalapack_grid_shape
    /// (whose header says why: pdgetri's block columns are shared by a column of ranks).
    /// Computed here, without loading any native library, so that a process outside MPI can show it.
    /// </summary>
    public static (int Rows, int Cols) DefaultGrid(int ranks)
    {
        if (ranks < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ranks), ranks, "at least one rank");
        }

        int cols = 1;
        for (int d = 1; (long)d * d <= ranks; d++)
        {
            if (ranks % d == 0)
            {
                cols = d;
            }
        }

        return (ranks / cols, cols);
    }

    /// <summary>Parses a --grid value "RxC" (e.g. "2x3"); a <see cref="UsageException"/> otherwise.</summary>
    public static (int Rows, int Cols) ParseGrid(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Trim().ToLowerInvariant().Split('x');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int rows)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int cols)
            && rows >= 1 && cols >= 1)
        {
            return (rows, cols);
        }

        throw new UsageException($"--grid must be ROWSxCOLS with both at least 1 (e.g. 2x2), got '{text}'");
    }

    /// <summary>Inverts as <paramref name="request"/> says; call on every rank with the same request.</summary>
    public static unsafe ScalapackResult Run(ScalapackRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!MpiEnvironment.IsInitialized || MpiEnvironment.IsFinalized)
        {
            throw new InvalidOperationException("the scalapack backend needs MPI: initialize it with MpiEnvironment first");
        }

        Communicator world = Communicator.World;
        int rank = world.Rank;
        int size = world.Size;
        double[]? inverse = null;
        (int rows, int cols) grid = (request.GridRows, request.GridCols);

        // Everything that could fail on some ranks only is decided before the first collective
        // call into the library, then combined: no rank enters ScaLAPACK while another has given up.
        Exception? local = null;
        try
        {
            ScalapackLoader.EnsureLoaded();
            grid = CheckRequest(request, size);
            if (request.WantOutput && rank == 0)
            {
                inverse = SpecMatrix.Allocate(request.N);
            }
        }
        catch (Exception e) when (e is UsageException or BackendUnavailableException or InvalidOperationException)
        {
            local = e;
        }

        long firstFailed = world.Allreduce(local is null ? long.MaxValue : rank, MpiOp.Min);
        if (firstFailed != long.MaxValue)
        {
            throw local ?? new ScalapackException(
                "ScalapackInverse.Run", 0, $"{Backend}: rank {firstFailed} could not start the backend (its own error says why)");
        }

        RequireSameRequest(world, request);

        // ScaLAPACK's own waits for other ranks get the job's wait limit (INTEROP_MPI_TIMEOUT).
        ScalapackInterop.SetWaitLimit(world.WaitLimit.TotalSeconds).ThrowIfFailed("interop_scalapack_set_wait_limit", ["seconds"]);

        int created = ScalapackInterop.Create(request.N, grid.rows, grid.cols, request.BlockSize, request.Threads, out ScalapackPlanHandle plan);
        if (created == ScalapackStatus.NoMemory)
        {
            throw new ScalapackException(
                "interop_scalapack_create", created,
                $"{Backend}: n = {request.N} on {size} rank(s) needs about {ByteSize.Text(BytesPerRank(request.N, size))} per rank, more than some node has for its ranks " +
                $"(MemAvailable, its cgroup's limit and {MemoryLimit.Variable} set the bound): use more nodes, or a smaller n");
        }

        created.ThrowIfFailed("interop_scalapack_create", CreateArguments);
        using (plan)
        {
            ScalapackInterop.Layout(plan, out _, out _, out long bytesThisRank, out long bytesPerRank)
                .ThrowIfFailed("interop_scalapack_layout", PlanArguments);
            var seconds = new List<double>();
            while (seconds.Count < request.Runs || request.Enough?.Invoke(seconds) == false)
            {
                LoadMatrix(plan, request, rank);
                ScalapackInterop.Invert(plan, out double runSeconds).ThrowIfFailed("interop_scalapack_invert", PlanArguments);
                seconds.Add(runSeconds);
            }

            double residual = double.NaN;
            if (request.CheckResidual)
            {
                ScalapackInterop.Residual(plan, out residual).ThrowIfFailed("interop_scalapack_residual", ["plan", "residual"]);
            }

            if (request.WantOutput)
            {
                fixed (double* x = inverse)
                {
                    ScalapackInterop.Gather(plan, x).ThrowIfFailed("interop_scalapack_gather", ["plan", "x"]);
                }
            }

            return new ScalapackResult(seconds, residual, grid.rows, grid.cols, request.BlockSize, bytesPerRank, bytesThisRank, inverse);
        }
    }

    // The request's own checks, the same on every rank for the same request (rank 0's input too).
    private static (int Rows, int Cols) CheckRequest(ScalapackRequest request, int ranks)
    {
        if (request.N < 1)
        {
            throw new UsageException($"{Backend}: n must be at least 1, got {request.N}");
        }

        if ((request.FromInput || request.WantOutput) && request.N > MaxGatherOrder)
        {
            throw new UsageException(
                $"{Backend}: an input or output matrix is held whole on rank 0, at most n = {MaxGatherOrder}, got {request.N}: leave out --input and --output to generate and invert a larger one in place");
        }

        if (request.BlockSize < 1)
        {
            throw new UsageException($"{Backend}: the block size must be at least 1, got {request.BlockSize}");
        }

        if (request.Threads < 1 || request.Runs < 1)
        {
            throw new UsageException($"{Backend}: threads and runs must be at least 1, got {request.Threads} and {request.Runs}");
        }

        (int Rows, int Cols) grid = (request.GridRows, request.GridCols);
        if (grid is (0, 0))
        {
            grid = DefaultGrid(ranks);
        }
        else if (grid.Rows < 1 || grid.Cols < 1 || (long)grid.Rows * grid.Cols != ranks)
        {
            throw new UsageException(
                $"{Backend}: the grid {grid.Rows}x{grid.Cols} needs {(long)Math.Max(grid.Rows, 0) * Math.Max(grid.Cols, 0)} ranks, " +
                $"this job has {ranks} (start it with mpiexec -n {(long)Math.Max(grid.Rows, 0) * Math.Max(grid.Cols, 0)}, or leave --grid out)");
        }

        if (LargestLocalElements(request.N, request.BlockSize, grid.Rows, grid.Cols) > int.MaxValue)
        {
            int needed = ranks;
            while (LargestLocalElements(request.N, request.BlockSize, DefaultGrid(needed).Rows, DefaultGrid(needed).Cols) > int.MaxValue)
            {
                needed++;
            }

            throw new UsageException(
                $"{Backend}: n = {request.N} on a {grid.Rows}x{grid.Cols} grid gives a rank {LargestLocalElements(request.N, request.BlockSize, grid.Rows, grid.Cols):N0} elements, " +
                $"more than ScaLAPACK's 32-bit indices reach (2^31 - 1): run at least {needed} ranks");
        }

        if (request.FromInput && Communicator.World.Rank == 0
            && (request.InputOnRoot is null || request.InputOnRoot.Length != (long)request.N * request.N))
        {
            throw new UsageException(
                $"{Backend}: rank 0's input holds {request.InputOnRoot?.Length ?? 0} elements, an {request.N} x {request.N} matrix has {(long)request.N * request.N}");
        }

        return grid;
    }

    // Every field of the request but the input and the threads, compared across ranks (minimum and
    // maximum of each): a rank started with other options is an error on every rank.
    private static void RequireSameRequest(Communicator world, ScalapackRequest request)
    {
        int flags = (request.FromInput ? 1 : 0) | (request.WantOutput ? 2 : 0) | (request.CheckResidual ? 4 : 0);
        ReadOnlySpan<long> values =
        [
            request.N, request.GridRows, request.GridCols, request.BlockSize, request.Runs, flags,
            (long)(request.Seed >> 32), (long)(request.Seed & 0xffffffffUL),
        ];
        Span<long> low = stackalloc long[values.Length];
        Span<long> high = stackalloc long[values.Length];
        world.Allreduce(values, low, MpiOp.Min);
        world.Allreduce(values, high, MpiOp.Max);
        if (!low.SequenceEqual(high))
        {
            throw new ScalapackException(
                "ScalapackInverse.Run", ScalapackStatus.Mismatch,
                $"{Backend}: the ranks were given different requests (n, grid, block size, runs, seed or options): every rank must run the same command");
        }
    }

    private static unsafe void LoadMatrix(ScalapackPlanHandle plan, ScalapackRequest request, int rank)
    {
        if (!request.FromInput)
        {
            ScalapackInterop.Generate(plan, request.Seed).ThrowIfFailed("interop_scalapack_generate", ["plan", "seed"]);
            return;
        }

        fixed (double* a = rank == 0 ? request.InputOnRoot : null)
        {
            ScalapackInterop.Scatter(plan, a).ThrowIfFailed("interop_scalapack_scatter", PlanArguments);
        }
    }

    private static void ThrowIfFailed(this int status, string function, string[] argumentNames) =>
        ScalapackStatus.ThrowIfFailed(status, function, Backend, argumentNames);
}
