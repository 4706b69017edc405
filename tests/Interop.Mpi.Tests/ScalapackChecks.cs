using Interop.Core;
using Interop.Native;

namespace Interop.Mpi.Tests;

/// <summary>
/// The scalapack backend (ScalapackInverse, libinterop_scalapack) at any world size: inverses equal
/// the lapack backend's on rank 0 (the managed SpecMatrix, then interop_inv_lapack) on every grid of
/// the world size, rank 0's input comes back inverted, and failures (a singular matrix, a bad grid,
/// ranks with different requests, a short input) are the same error on every rank, never a hang.
/// </summary>
internal static class ScalapackChecks
{
    private const double Tolerance = 1e-10;

    public static int Run(TextWriter output)
    {
        var world = Communicator.World;
        int rank = world.Rank;
        int size = world.Size;
        var run = new CheckRunner(world, output);

        run.Run("scalapack: default grid and --grid parsing", () => GridShapes(size));
        run.Run("scalapack: libscalapack's blocking MPI calls go to the bounded ones after MPI_Init", BoundedCalls);
        List<(int Rows, int Cols)> grids = [];
        for (int rows = 1; rows <= size; rows++)
        {
            if (size % rows == 0)
            {
                grids.Add((rows, size / rows));
            }
        }

        foreach ((int rows, int cols) in grids)
        {
            foreach ((int n, int block) in new[] { (1, 64), (7, 64), (63, 64), (67, 64), (100, 32), (301, 32) })
            {
                run.Run($"scalapack: generated inverse = lapack's, grid {rows}x{cols}, NB {block}, n {n}",
                    () => GeneratedInverse(rank, n, rows, cols, block));
            }

            run.Run($"scalapack: input from rank 0 inverted and gathered, grid {rows}x{cols}", () => InputRoundTrip(rank, 150, rows, cols));
            run.Run($"scalapack: singular input fails at step 5 on every rank, grid {rows}x{cols}", () => SingularInput(rank, rows, cols));
            run.Run($"scalapack: a NaN in the input is a non-finite pivot on every rank, grid {rows}x{cols}", () => NaNInput(rank, rows, cols));
        }

        run.Run("scalapack: the default grid and two runs", () => DefaultGridRuns(rank, size));
        run.Run("scalapack: memory per rank stays below 2 x 8n²/P for a generated matrix", () => MemoryPerRank(size));
        run.Run("scalapack: a grid of one rank too many is a usage error on every rank", () => BadGrid(size));
        run.Run("scalapack: a rank with another n is an error on every rank", () => Mismatch(rank, size));
        run.Run("scalapack: a short input on rank 0 is an error on every rank", () => ShortInput(rank));

        long failed = world.Allreduce((long)run.Failed, MpiOp.Max);
        if (rank == 0)
        {
            output.WriteLine($"{run.Passed} passed, {failed} failed (ranks: {size}, scalapack)");
        }

        return failed == 0 ? 0 : 1;
    }

    // In this process, as in the driver, MPI_Init has put libmpi into the global symbol scope ahead of
    // libinterop_scalapack: only the library's redirection makes ScaLAPACK's waits bounded. Its nine
    // names (MPI_Send ... MPI_Allreduce) are each imported by libscalapack at least once.
    private static string? BoundedCalls()
    {
        ScalapackLoader.EnsureLoaded();
        int first = ScalapackInterop.BoundMpiCalls();
        int again = ScalapackInterop.BoundMpiCalls();
        return first >= 9 && again == first ? null : $"interop_scalapack_bound_mpi_calls: {first}, then {again} (expected at least 9, twice the same)";
    }

    private static string? GridShapes(int size)
    {
        (int Rows, int Cols)[] expected = [(1, 1), (2, 1), (3, 1), (2, 2), (5, 1), (3, 2)];
        for (int ranks = 1; ranks <= expected.Length; ranks++)
        {
            if (ScalapackInverse.DefaultGrid(ranks) != expected[ranks - 1])
            {
                return $"DefaultGrid({ranks}) = {ScalapackInverse.DefaultGrid(ranks)}, expected {expected[ranks - 1]}";
            }
        }

        // The managed default (computed without loading the library) is the library's own.
        ScalapackLoader.EnsureLoaded();
        for (int ranks = 1; ranks <= 64; ranks++)
        {
            int status = ScalapackInterop.GridShape(ranks, out int rows, out int cols);
            if (status != 0 || (rows, cols) != ScalapackInverse.DefaultGrid(ranks))
            {
                return $"{ranks} ranks: interop_scalapack_grid_shape gives {rows}x{cols} (status {status}), DefaultGrid {ScalapackInverse.DefaultGrid(ranks)}";
            }
        }

        if (ScalapackInverse.ParseGrid("2x3") != (2, 3) || ScalapackInverse.ParseGrid(" 1X4 ") != (1, 4))
        {
            return "ParseGrid does not read 2x3 and 1X4";
        }

        foreach (string bad in new[] { "2", "0x2", "2x", "x2", "-1x2", "2x2x2", "axb" })
        {
            try
            {
                ScalapackInverse.ParseGrid(bad);
                return $"ParseGrid accepted '{bad}'";
            }
            catch (UsageException)
            {
            }
        }

        return size >= 1 ? null : "no ranks";
    }

    private static string? GeneratedInverse(int rank, int n, int rows, int cols, int block)
    {
        ulong seed = 1000 + (ulong)n;
        ScalapackResult result = ScalapackInverse.Run(new ScalapackRequest
        {
            N = n, Seed = seed, GridRows = rows, GridCols = cols, BlockSize = block, WantOutput = true,
        });
        string? common = CheckResult(result, n, rows, cols, rank);
        if (common is not null || rank != 0)
        {
            return common;
        }

        double[] a = SpecMatrix.Generate(n, seed, 1);
        return CompareWithLapack(a, result.Inverse!, n);
    }

    private static string? InputRoundTrip(int rank, int n, int rows, int cols)
    {
        // Not symmetric (the spec's matrix is): a transposed layout anywhere would invert Aᵀ.
        double[]? a = rank == 0 ? NonSymmetric(n, 5) : null;
        ScalapackResult result = ScalapackInverse.Run(new ScalapackRequest
        {
            N = n, GridRows = rows, GridCols = cols, BlockSize = 16, FromInput = true, InputOnRoot = a, WantOutput = true,
        });
        string? common = CheckResult(result, n, rows, cols, rank);
        return common is not null || rank != 0 ? common : CompareWithLapack(a!, result.Inverse!, n);
    }

    private static string? SingularInput(int rank, int rows, int cols)
    {
        const int N = 40;
        double[]? a = null;
        if (rank == 0)
        {
            a = NonSymmetric(N, 9);
            for (int i = 0; i < N; i++)
            {
                a[(i * N) + 4] = 0;
            }
        }

        try
        {
            ScalapackInverse.Run(new ScalapackRequest
            {
                N = N, GridRows = rows, GridCols = cols, BlockSize = 8, FromInput = true, InputOnRoot = a, WantOutput = true,
            });
            return "no exception";
        }
        catch (SingularMatrixException e)
        {
            return e.Step == 5 && e.Backend == ScalapackInverse.Backend ? null : $"step {e.Step}, backend {e.Backend}";
        }
    }

    private static string? NaNInput(int rank, int rows, int cols)
    {
        const int N = 30;
        double[]? a = rank == 0 ? NonSymmetric(N, 4) : null;
        if (a is not null)
        {
            a[(3 * N) + 3] = double.NaN;
        }

        try
        {
            ScalapackInverse.Run(new ScalapackRequest { N = N, GridRows = rows, GridCols = cols, BlockSize = 4, FromInput = true, InputOnRoot = a });
            return "no exception";
        }
        catch (NonFiniteFactorizationException e)
        {
            // The NaN (column 4) reaches a pivot at step 4 or later, depending on the pivot search.
            return e.Step >= 4 && e.Step <= N ? null : $"step {e.Step}";
        }
    }

    private static string? DefaultGridRuns(int rank, int size)
    {
        // Two OpenBLAS threads per rank: the hybrid (ranks x threads) gives the same inverse.
        ScalapackResult result = ScalapackInverse.Run(new ScalapackRequest { N = 300, Seed = 3, Runs = 2, Threads = 2, WantOutput = true });
        (int rows, int cols) = ScalapackInverse.DefaultGrid(size);
        if (result.RunSeconds.Count != 2 || result.BlockSize != ScalapackInverse.DefaultBlockSize)
        {
            return $"{result.RunSeconds.Count} runs, block {result.BlockSize}";
        }

        return CheckResult(result, 300, rows, cols, rank)
            ?? (rank == 0 ? CompareWithLapack(SpecMatrix.Generate(300, 3, 1), result.Inverse!, 300) : null);
    }

    // n = 1000, NB 32: one share of the matrix (8n²/P), the residual's two panels (about 1/4 to
    // 1/2 of a share at this n) and ScaLAPACK's workspace (8 n NB / P_rows): below 2 shares, where a
    // second n x n matrix per rank would be 2.5 or more.
    private static string? MemoryPerRank(int size)
    {
        const int N = 1000;
        ScalapackResult result = ScalapackInverse.Run(new ScalapackRequest { N = N, Seed = 8, BlockSize = 32 });
        double share = 8.0 * N * N / size;
        return result.BytesPerRank >= share && result.BytesPerRank < 2 * share && result.Residual < 30
            ? null
            : $"{result.BytesPerRank} bytes on the largest rank, one share is {share}; residual {result.Residual}";
    }

    private static string? BadGrid(int size)
    {
        try
        {
            ScalapackInverse.Run(new ScalapackRequest { N = 10, GridRows = 1, GridCols = size + 1 });
            return "no exception";
        }
        catch (UsageException e)
        {
            return e.Message.Contains($"this job has {size}", StringComparison.Ordinal) ? null : e.Message;
        }
    }

    private static string? Mismatch(int rank, int size)
    {
        int n = rank == size - 1 && size > 1 ? 21 : 20;
        try
        {
            ScalapackInverse.Run(new ScalapackRequest { N = n, Seed = 1 });
            return size > 1 ? "no exception" : null;
        }
        catch (ScalapackException e) when (size > 1)
        {
            return e.Message.Contains("different requests", StringComparison.Ordinal) ? null : e.Message;
        }
    }

    private static string? ShortInput(int rank)
    {
        try
        {
            ScalapackInverse.Run(new ScalapackRequest { N = 20, FromInput = true, InputOnRoot = rank == 0 ? new double[399] : null });
            return "no exception";
        }
        catch (UsageException e) when (rank == 0)
        {
            return e.Message.Contains("399 elements", StringComparison.Ordinal) ? null : e.Message;
        }
        catch (ScalapackException e) when (rank != 0)
        {
            return e.Message.Contains("rank 0 could not start", StringComparison.Ordinal) ? null : e.Message;
        }
    }

    // What every rank can check: the same numbers everywhere, a residual below 30, a positive time,
    // memory near two local matrices, the inverse on rank 0 only.
    private static string? CheckResult(ScalapackResult result, int n, int rows, int cols, int rank)
    {
        var world = Communicator.World;
        if (result.GridRows != rows || result.GridCols != cols)
        {
            return $"grid {result.GridRows}x{result.GridCols}, expected {rows}x{cols}";
        }

        if (!(result.Residual < 30) || result.RunSeconds.Any(s => !(s >= 0)))
        {
            return $"residual {result.Residual}, seconds [{string.Join(", ", result.RunSeconds)}]";
        }

        foreach (double value in result.RunSeconds.Append(result.Residual))
        {
            if (world.Allreduce(value, MpiOp.Min) != world.Allreduce(value, MpiOp.Max))
            {
                return "the ranks got different residuals or times";
            }
        }

        // The largest rank holds at least its share of the inverse (MemoryPerRank checks the upper bound).
        double matrixBytes = 8.0 * n * n / world.Size;
        if (result.BytesThisRank > result.BytesPerRank || result.BytesPerRank < matrixBytes)
        {
            return $"memory: {result.BytesThisRank} bytes here, {result.BytesPerRank} at most, one share of the matrix is {matrixBytes}";
        }

        return (result.Inverse is null) == (rank == 0) ? $"inverse {(result.Inverse is null ? "missing" : "present")} on rank {rank}" : null;
    }

    private static string? CompareWithLapack(double[] a, double[] x, int n)
    {
        double[] reference = SpecMatrix.Allocate(n);
        a.CopyTo(reference, 0);
        NativeInverse.InvertLapack(reference, n, 1, "lapack");
        double difference = SpecMatrix.MaxAbsDifference(x, reference) / SpecMatrix.MaxAbs(reference);
        return difference <= Tolerance ? null : $"max|X - X_lapack| / max|X_lapack| = {difference:G3} > {Tolerance:G1}";
    }

    // R + n I: R's entries of the spec's generator in [0, 1), well conditioned, not symmetric.
    private static double[] NonSymmetric(int n, ulong seed)
    {
        double[] a = SpecMatrix.Allocate(n);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                a[(i * n) + j] = SplitMix64.ToUnitDouble(SplitMix64.Mix(seed, (ulong)((i * n) + j))) + (i == j ? n : 0);
            }
        }

        return a;
    }
}
