namespace Interop.Core;

/// <summary>
/// Matrices of the inversion workload, in pinned managed memory (native kernels work on them in
/// place: no marshalling copies of n² arrays).
/// </summary>
public static class SpecMatrix
{
    /// <summary>The largest n whose n² doubles fit in one .NET array.</summary>
    public static int MaxOrder { get; } = (int)Math.Sqrt(Array.MaxLength);

    /// <summary>
    /// Throws a <see cref="UsageException"/> when <paramref name="matrices"/> n x n buffers cannot fit
    /// in this machine's memory (or the container's limit): refused before any allocation, because
    /// Linux lets an allocation that cannot be backed succeed and kills the process when it is touched.
    /// </summary>
    public static void RequireMemory(int n, int matrices, string what)
    {
        long total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        double needed = (double)n * n * sizeof(double) * matrices;
        if (total > 0 && needed > total)
        {
            throw new UsageException(
                $"{what}: n = {n} needs about {ByteSize.Text(needed)} ({matrices} matrices of {ByteSize.Text((double)n * n * 8)}), " +
                $"more than this machine's {ByteSize.Text(total)}; at most n = {(int)Math.Sqrt(total / (8.0 * matrices))} fits");
        }
    }

    /// <summary>A pinned, uninitialized n x n buffer; a clear error instead of an OutOfMemoryException trace.</summary>
    public static double[] Allocate(int n)
    {
        if (n < 1)
        {
            throw new UsageException($"n must be at least 1, got {n}");
        }

        if (n > MaxOrder)
        {
            throw new UsageException($"n = {n} is too large: one matrix would need {ByteSize.Text((double)n * n * 8)}; at most n = {MaxOrder} fits in one buffer");
        }

        try
        {
            return GC.AllocateUninitializedArray<double>(n * n, pinned: true);
        }
        catch (OutOfMemoryException)
        {
            throw new InvalidOperationException($"cannot allocate an n = {n} matrix ({ByteSize.Text((double)n * n * 8)}) on this machine");
        }
    }

    /// <summary>
    /// A = R∘Rᵀ of the spec: R[i][j] = (mix(s, i*n+j) &gt;&gt; 11) * 2^-53, A[i][j] = R[i][j] * R[j][i],
    /// row-major, generated in parallel over rows.
    /// </summary>
    public static double[] Generate(int n, ulong seed, int threads)
    {
        double[] a = Allocate(n);
        ParallelRanges.SumOverThreads(new IndexRange(0, n), Math.Min(threads, n), rows =>
        {
            for (long i = rows.Begin; i < rows.End; i++)
            {
                Span<double> row = a.AsSpan((int)(i * n), n);
                for (int j = 0; j < n; j++)
                {
                    double rij = SplitMix64.ToUnitDouble(SplitMix64.Mix(seed, (ulong)((i * n) + j)));
                    double rji = SplitMix64.ToUnitDouble(SplitMix64.Mix(seed, (ulong)(((long)j * n) + i)));
                    row[j] = rij * rji;
                }
            }

            return 0;
        }, "generate chunk");
        return a;
    }

    /// <summary>max |a_ij| (NaN if any element is NaN).</summary>
    public static double MaxAbs(ReadOnlySpan<double> a)
    {
        double max = 0;
        foreach (double v in a)
        {
            max = Math.Max(max, Math.Abs(v));
        }

        return max;
    }

    /// <summary>max |x_ij - y_ij|.</summary>
    public static double MaxAbsDifference(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double max = 0;
        for (int i = 0; i < x.Length; i++)
        {
            max = Math.Max(max, Math.Abs(x[i] - y[i]));
        }

        return max;
    }
}
