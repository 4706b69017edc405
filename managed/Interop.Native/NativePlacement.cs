namespace Interop.Native;

/// <summary>Where the native kernels' OpenMP threads run.</summary>
public static class NativePlacement
{
    /// <summary>The CPU each of <paramref name="threads"/> OpenMP threads ran on (-1: not started).</summary>
    public static unsafe int[] OpenMpThreadCpus(int threads)
    {
        NativeLoader.EnsureLoaded();
        int[] cpus = new int[threads];
        fixed (int* p = cpus)
        {
            int team = Interop.OmpPlacement(threads, p);
            NativeStatus.ThrowIfFailed(team < 0 ? team : 0, "interop_omp_placement", "threads", "cpus");
        }

        return cpus;
    }
}
