using Interop.Core;
using Interop.Native;

namespace Interop.Backends;

/// <summary>
/// The backend of one native kernel row (native/kernels.json): C, Fortran and any other language
/// built into a kernel library are this one class, named, ordered and described by their row and
/// bound by symbol, so adding a language adds a row, not an adapter.
/// </summary>
public sealed class NativeKernelBackend(NativeKernel kernel) : IPiBackend, IInvBackend
{
    public string Name => kernel.Info.Backend;

    public string Description => kernel.Info.Description;

    public int Order => kernel.Info.Order;

    public bool IsParallel => true;

    /// <summary>The row and its library.</summary>
    public NativeKernel Kernel => kernel;

    public void EnsureAvailable() => kernel.EnsureBound();

    public long CountInside(ulong seed, IndexRange darts, int threads) => kernel.CountInside(seed, darts, threads);

    public void Invert(Span<double> a, int n, int threads) => kernel.Invert(a, n, threads, Name);

    public Isa PiIsa => kernel.Library.ActiveIsa;

    public Isa InvIsa => kernel.Library.ActiveIsa;
}
