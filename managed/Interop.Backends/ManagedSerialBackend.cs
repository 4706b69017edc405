using Interop.Backends.Inversion;
using Interop.Core;

namespace Interop.Backends;

/// <summary>The baseline: plain C# on one thread (pi: the spec's scalar loop; inv: the blocked LU on one thread).</summary>
public sealed class ManagedSerialBackend : IPiBackend, IInvBackend
{
    public string Name => "managed-serial";

    public string Description => "C#, one thread (the baseline)";

    public string Language => "C#";

    public int Order => 0;

    public bool IsParallel => false;

    public void EnsureAvailable()
    {
    }

    public long CountInside(ulong seed, IndexRange darts, int threads) => ManagedPiKernels.CountScalar(seed, darts);

    public void Invert(Span<double> a, int n, int threads) => ManagedInverse.Invert(a, n, 1, Name);

    /// <summary>The spec's loop, as written: the baseline every speedup is measured against.</summary>
    public Isa PiIsa => Isa.Scalar;

    public Isa InvIsa => ManagedIsa.Active;
}
