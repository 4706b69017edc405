using System.Diagnostics;
using Interop.Backends;
using Interop.Backends.Inversion;
using Interop.Core;
using Interop.Native;

namespace Interop.Cli.Workloads.Inv;

/// <summary>
/// Measures inversion backends on one matrix: every timed run inverts a fresh copy of A in a
/// pinned work buffer (the copy is not timed), and every inverse is checked with the spec's scaled
/// residual and against LAPACK's inverse when LAPACK is here.
/// </summary>
internal sealed class InvBench
{
    private const string ReferenceBackend = "lapack";

    /// <summary>
    /// The largest order at which the DGEMM yardstick is timed: OpenBLAS's rate has long levelled off
    /// there, and three matrices of that order (384 MB) fit any machine that inverts one.
    /// </summary>
    public const int MaxDgemmOrder = 4000;

    private readonly Dictionary<int, DgemmRate?> peaks = [];
    private readonly double[] a;
    private readonly double[] work;
    private readonly int checkThreads;
    private double[]? reference;
    private bool referenceTried;

    public InvBench(double[] a, int n, int checkThreads)
    {
        this.a = a;
        N = n;
        this.checkThreads = checkThreads;
        work = SpecMatrix.Allocate(n);
    }

    public int N { get; }

    /// <summary>The inverse of the last run.</summary>
    public ReadOnlyMemory<double> LastInverse => work;

    /// <summary>A benchmark run: one warm-up, <paramref name="repeat"/> timed runs, the full residual, the references (FMA limit, DGEMM), LAPACK's inverse to compare with.</summary>
    public InvResult Run(IInvBackend backend, int threads, int repeat) => Run(backend, threads, new InvRunSettings(RepeatPolicy.Fixed(repeat)));

    /// <summary>
    /// Measures <paramref name="backend"/>; <paramref name="inverted"/>, if given, is called once the
    /// last run's inverse is in <see cref="LastInverse"/>, before it is verified (the buffer stays
    /// unchanged until the next call).
    /// </summary>
    public InvResult Run(IInvBackend backend, int threads, InvRunSettings settings, Action? inverted = null)
    {
        IReadOnlyList<double> seconds = Measure.Run(() => a.CopyTo(work, 0), () => Invert(backend, threads), settings.Repeat, settings.Warmup).Seconds;

        inverted?.Invoke();
        long start = Stopwatch.GetTimestamp();
        double residual;
        using (Tracing.Span("verify", "verify", $"{backend.Name}, {(settings.Check == InvCheck.Estimate ? "estimated" : "full")} residual"))
        {
            residual = Residual(a, work, N, checkThreads, settings.Check);
        }

        double? difference = null;
        if (settings.CompareWithLapack)
        {
            using var compare = Tracing.Span("compare with lapack", "verify", backend.Name);
            double[]? lapack = Reference();
            difference = lapack is null ? null : SpecMatrix.MaxAbsDifference(work, lapack);
        }

        double checkSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var result = new InvResult(backend.Name, threads, 1, N, seconds, residual, difference, checkSeconds, backend.InvIsa, null);
        return settings.MeasurePeak ? WithReferences(result, Peak(threads)) : result;
    }

    private int Invert(IInvBackend backend, int threads)
    {
        using var span = Tracing.Span($"inv {backend.Name}", "compute", $"{threads} thread(s)");
        backend.Invert(work, N, threads);
        return 0;
    }

    /// <summary>
    /// OpenBLAS's DGEMM rate at this matrix's order (up to <see cref="MaxDgemmOrder"/>) on
    /// <paramref name="threads"/> threads, timed once per run and thread count; null without the
    /// native library.
    /// </summary>
    public DgemmRate? Peak(int threads)
    {
        if (!peaks.TryGetValue(threads, out DgemmRate? rate))
        {
            rate = PeakAt(N, threads);
            peaks[threads] = rate;
        }

        return rate;
    }

    /// <summary>OpenBLAS's DGEMM rate on <paramref name="threads"/> threads at order n (at most 4000); null without the native library.</summary>
    public static DgemmRate? PeakAt(int n, int threads)
    {
        int order = Math.Min(n, MaxDgemmOrder);
        using var span = Tracing.Span("dgemm peak", "verify", $"n = {order}, {threads} thread(s)");
        try
        {
            double gflops = NativeIsa.DgemmGflops(order, threads);
            string core = NativeInverse.OpenBlasCore();
            return new DgemmRate(order, threads, gflops, core, NativeIsa.OpenBlasPath(core));
        }
        catch (BackendUnavailableException)
        {
            return null;
        }
    }

    /// <summary>
    /// <paramref name="result"/> with its references, measured with the native library
    /// (<paramref name="dgemm"/> null: none, and no limit either): OpenBLAS's DGEMM rate, and the
    /// FMA limit of the row's own path at its threads, measured again if the row's rate per rank
    /// beat it (<see cref="FmaLimits.Against"/>).
    /// </summary>
    public static InvResult WithReferences(InvResult result, DgemmRate? dgemm)
    {
        if (dgemm is null)
        {
            return result;
        }

        using var span = Tracing.Span("fma limit", "verify", $"{IsaNames.Name(result.Isa)}, {result.Threads} thread(s)");
        return result with { Dgemm = dgemm, Limit = FmaLimits.Against(result.Isa, result.Threads, result.GflopsPerRank) };
    }

    /// <summary>OpenBLAS's description, or null when the native library is not here.</summary>
    public static string? OpenBlasDescription()
    {
        try
        {
            return NativeInverse.OpenBlasInfo();
        }
        catch (BackendUnavailableException)
        {
            return null;
        }
    }

    // LAPACK's inverse of A, computed once (untimed) for the "difference from LAPACK" column.
    private double[]? Reference()
    {
        if (!referenceTried)
        {
            referenceTried = true;
            IInvBackend? lapack = BackendCatalog.All<IInvBackend>().FirstOrDefault(b => b.Name == ReferenceBackend);
            if (lapack is not null && IsAvailable(lapack))
            {
                reference = SpecMatrix.Allocate(N);
                a.CopyTo(reference, 0);
                lapack.Invert(reference, N, checkThreads);
            }
        }

        return reference;
    }

    // OpenBLAS's dgemm (or its estimate with dgemv) when the native library is here (fastest), else the managed product.
    private static double Residual(double[] a, double[] x, int n, int threads, InvCheck check)
    {
        try
        {
            return check == InvCheck.Estimate ? NativeInverse.ResidualEstimate(a, x, n, threads) : NativeInverse.Residual(a, x, n, threads);
        }
        catch (BackendUnavailableException)
        {
            return ManagedInverse.Residual(a, x, n, threads);
        }
    }

    private static bool IsAvailable(IBackend backend)
    {
        try
        {
            backend.EnsureAvailable();
            return true;
        }
        catch (BackendUnavailableException)
        {
            return false;
        }
    }
}

/// <summary>How the scaled residual of every inverse is computed.</summary>
internal enum InvCheck
{
    /// <summary>||I - A X||_1 in full: one n x n product (2n³ flops, as much as the inversion).</summary>
    Full,

    /// <summary>||I - A X||_1 estimated with LAPACK's dlacn2 from a few matrix-vector products (O(n²)); a lower bound, in practice equal or close.</summary>
    Estimate,
}

/// <summary>
/// What one backend's measurement does besides inverting: a warm-up, how many timed runs, which
/// residual, whether to measure the references of "% of peak" (the path's FMA limit, OpenBLAS's DGEMM)
/// and to compare with LAPACK's inverse.
/// </summary>
internal sealed record InvRunSettings(RepeatPolicy Repeat, int Warmup = 1, InvCheck Check = InvCheck.Full, bool MeasurePeak = true, bool CompareWithLapack = true);
