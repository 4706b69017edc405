using Interop.Core;

namespace Interop.Native;

/// <summary>
/// One kernel row of the table bound by symbol: its pi and inversion entry points as unmanaged
/// function pointers into its library (resolved once), called directly as [LibraryImport] would (the
/// arguments are blittable, so neither marshals anything), with statuses turned into exceptions in
/// <see cref="NativeStatus"/>. The matrix is the caller's pinned memory: nothing is copied.
/// </summary>
public sealed unsafe class NativeKernel
{
    private static readonly string[] PiArguments = ["seed", "begin", "end", "threads", "inside"];

    private readonly Lock gate = new();
    private delegate* unmanaged<ulong, long, long, int, long*, int> pi;
    private delegate* unmanaged<long, double*, int, int> inv;
    private volatile bool bound;

    public NativeKernel(NativeKernelInfo info)
    {
        Info = info;
        Library = NativeKernelLibrary.For(info.Library);
    }

    public NativeKernelInfo Info { get; }

    public NativeKernelLibrary Library { get; }

    /// <summary>Loads the library and resolves both entry points; throws <see cref="BackendUnavailableException"/> if it cannot.</summary>
    public void EnsureBound()
    {
        if (bound)
        {
            return;
        }

        lock (gate)
        {
            if (!bound)
            {
                pi = (delegate* unmanaged<ulong, long, long, int, long*, int>)Library.Export(Info.PiSymbol);
                inv = (delegate* unmanaged<long, double*, int, int>)Library.Export(Info.InvSymbol);
                bound = true;
            }
        }
    }

    /// <summary>Counts the darts in <paramref name="darts"/> that land inside, with <paramref name="threads"/> threads.</summary>
    public long CountInside(ulong seed, IndexRange darts, int threads)
    {
        EnsureBound();
        long inside = 0;
        int status = pi(seed, darts.Begin, darts.End, threads, &inside);
        NativeStatus.ThrowIfFailed(status, Info.PiSymbol, Library, PiArguments);
        return inside;
    }

    /// <summary>Inverts the n x n row-major matrix in place; a failing pivot is a <see cref="SingularMatrixException"/>.</summary>
    public void Invert(Span<double> a, int n, int threads, string backend)
    {
        NativeInverse.CheckLength(a, n);
        EnsureBound();
        fixed (double* p = a)
        {
            NativeStatus.ThrowIfInversionFailed(inv(n, p, threads), Info.InvSymbol, backend, Library);
        }
    }
}
