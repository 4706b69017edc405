using System.Runtime.InteropServices;
using Interop.Core;

namespace Interop.Backends.Inversion;

/// <summary>
/// The memory of one inversion besides the caller's matrix: the n x n work matrix X and every
/// worker's packing buffers, kept from one call to the next (one workspace, the last one used).
/// Memory a process has not touched before costs a page fault per 4 KiB page at its first write,
/// and a new X per call (92 MB at n = 3400) was new memory each time; so were the packing buffers of
/// the workers, whose threads are new each call. The C kernel measured the same on a Zen 5 VM:
/// zeroing a fresh X took 0.25-0.30 s of a 1.4 s inversion on one thread (native/src/lu_inverse_c.c).
/// The cost of keeping it: 8n² bytes (at most <see cref="KeepLimitBytes"/>) and a few MiB per worker
/// stay allocated after a call, until a call of another order or path replaces them.
/// </summary>
internal sealed unsafe class InverseWorkspace : IDisposable
{
    private static InverseWorkspace? kept;

    private readonly PackBuffers[] pack;
    private readonly Isa isa;
    private readonly int n;

    private InverseWorkspace(Isa isa, int n, PackBuffers[] pack)
    {
        this.isa = isa;
        this.n = n;
        this.pack = pack;
        X = (double*)NativeMemory.AlignedAlloc((nuint)n * (nuint)n * sizeof(double), 64);
    }

    /// <summary>The n x n work matrix, column-major, contents unspecified.</summary>
    public double* X { get; }

    /// <summary>The packing buffers of <paramref name="worker"/>.</summary>
    public PackBuffers Pack(int worker) => pack[worker];

    /// <summary>
    /// A workspace for <paramref name="workers"/> workers inverting n x n matrices on
    /// <typeparamref name="TPath"/>: the kept one if it fits, else a new one (the kept one is freed).
    /// One caller at a time has a workspace: a concurrent caller gets its own.
    /// </summary>
    public static InverseWorkspace Take<TPath>(int n, int workers, int panelDepth)
        where TPath : struct, IKernelPath
    {
        InverseWorkspace? w = Interlocked.Exchange(ref kept, null);
        if (w is not null && w.isa == TPath.Isa && w.n == n && w.pack.Length >= workers)
        {
            return w;
        }

        w?.Dispose();
        var buffers = new PackBuffers[workers];
        for (int i = 0; i < workers; i++)
        {
            buffers[i] = PackBuffers.For<TPath>(n, panelDepth);
        }

        return new InverseWorkspace(TPath.Isa, n, buffers);
    }

    /// <summary>
    /// The largest work matrix kept after a call, in bytes (about n = 11500), as the C kernel's
    /// KEEP_LIMIT_BYTES: above it the page faults are a few per cent of the O(n³) work, and the kept
    /// workspaces of several kernels in one process (compare, inv --backend all) would add up.
    /// </summary>
    internal static long KeepLimitBytes { get; set; } = 1L << 30;

    /// <summary>
    /// Keeps <paramref name="w"/> for the next call (a workspace kept meanwhile by another caller is
    /// freed), or frees it when its X is larger than <see cref="KeepLimitBytes"/>.
    /// </summary>
    public static void GiveBack(InverseWorkspace w)
    {
        if ((long)w.n * w.n * sizeof(double) > KeepLimitBytes)
        {
            w.Dispose();
            return;
        }

        Interlocked.Exchange(ref kept, w)?.Dispose();
    }

    /// <summary>Whether a workspace is kept now (tests).</summary>
    internal static bool IsKept => Volatile.Read(ref kept) is not null;

    public void Dispose()
    {
        NativeMemory.AlignedFree(X);
        foreach (PackBuffers p in pack)
        {
            p.Dispose();
        }
    }
}
