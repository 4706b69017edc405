using Interop.Backends.Inversion;
using Interop.Core;

namespace Interop.Backends;

/// <summary>
/// C# on every thread at once (.NET has no global interpreter lock): split, apply, combine over
/// dedicated threads, each running a SIMD kernel. Dedicated threads rather than the thread pool,
/// so timings do not drift while the pool grows.
/// </summary>
public sealed class ManagedParallelBackend : IPiBackend, IInvBackend
{
    public string Name => "managed-parallel";

    public string Description => $"C#, dedicated threads, {ManagedPiKernels.KernelName} pi kernel";

    public string Language => "C#";

    public int Order => 1;

    public bool IsParallel => true;

    public void EnsureAvailable()
    {
    }

    public long CountInside(ulong seed, IndexRange darts, int threads) =>
        ParallelRanges.SumOverThreads(darts, threads, part => ManagedPiKernels.Count(seed, part));

    public void Invert(Span<double> a, int n, int threads) => ManagedInverse.Invert(a, n, threads, Name);

    public Isa PiIsa => ManagedIsa.Active;

    public Isa InvIsa => ManagedIsa.Active;
}
