using Interop.Core;

namespace Interop.Native;

/// <summary>
/// The instruction-set path of libinterop_native's kernels (native/src/isa.c; every kernel library's
/// own: <see cref="NativeKernelLibrary"/>), and the path OpenBLAS runs, which follows the switch only
/// if told before the library loads (<see cref="PrepareOpenBlas"/>).
/// </summary>
public static class NativeIsa
{
    /// <summary>OpenBLAS's variable that forces its kernels' CPU type; read once, when it loads.</summary>
    public const string OpenBlasCoreVariable = "OPENBLAS_CORETYPE";

    /// <summary>The path libinterop_native's kernels (C and Fortran) take now.</summary>
    public static Isa Active => NativeLoader.Library.ActiveIsa;

    /// <summary>The OpenBLAS core this process asked for (null: none, or the user set the variable).</summary>
    public static string? OpenBlasCoreChosen { get; private set; }

    /// <summary>
    /// Before the kernels library (and with it OpenBLAS) is loaded: tells OpenBLAS which kernels to
    /// run, those of the path in use (<paramref name="isa"/>, or the CPU's best for auto), so that
    /// the lapack backend and the DGEMM peak follow the switch too. Told, not left to OpenBLAS's own
    /// detection, because a release older than the CPU falls back to its generic x86-64 kernels
    /// (OpenBLAS 0.3.21 runs "Prescott" on a 5th-generation Xeon, 3x slower) and every lapack row and
    /// "% of peak" would silently measure that. A value the user set is kept. Once the library is
    /// loaded it is too late, and nothing changes.
    /// </summary>
    public static void PrepareOpenBlas(Isa isa, Isa cpuBest, bool amd)
    {
        if (NativeLoader.IsLoaded)
        {
            return;
        }

        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(OpenBlasCoreVariable)))
        {
            OpenBlasCoreChosen = null;
            return;
        }

        // OpenBLAS's cores whose DGEMM kernels are those paths' (Zen's are Haswell's, tuned for AMD).
        OpenBlasCoreChosen = (isa == Isa.Auto ? cpuBest : isa) switch
        {
            Isa.Avx512 => "SkylakeX",
            Isa.Avx2 => amd ? "Zen" : "Haswell",
            _ => "Prescott",
        };

        // The C library's environment, which OpenBLAS reads; .NET's own copy is not enough.
        ProcessEnvironment.Set(OpenBlasCoreVariable, OpenBlasCoreChosen);
    }

    /// <summary>The path of OpenBLAS's kernels, from the core type it runs (e.g. Zen or Haswell: avx2).</summary>
    public static Isa OpenBlasPath(string coreName) => coreName.ToLowerInvariant() switch
    {
        "skylakex" or "cooperlake" or "sapphirerapids" => Isa.Avx512,
        "haswell" or "zen" or "excavator" => Isa.Avx2,
        _ => Isa.Scalar,
    };

    /// <summary>
    /// OpenBLAS's DGEMM rate in GFLOP/s (n x n, <paramref name="threads"/> threads, one timed call
    /// after a warm-up, on OpenBLAS's own path): an inversion's "over dgemm". Its "% of peak" is
    /// against the FMA limit of its own path (<see cref="FmaLimits"/>).
    /// </summary>
    public static double DgemmGflops(int n, int threads)
    {
        NativeLoader.EnsureLoaded();
        int status = Interop.DgemmGflops(n, threads, out double gflops);
        NativeStatus.ThrowIfFailed(status, "interop_dgemm_gflops", "n", "threads", "gflops");
        return gflops;
    }
}
