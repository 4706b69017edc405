using Interop.Core;

namespace Interop.Backends;

/// <summary>The baseline: the spec's scalar loop on one thread, no SIMD, no native code.</summary>
public sealed class ManagedSerialBackend : IPiBackend
{
    public string Name => "managed-serial";

    public string Description => "C#, one thread, plain scalar loop (the baseline)";

    public int Order => 0;

    public bool IsParallel => false;

    public void EnsureAvailable()
    {
    }

    public long CountInside(ulong seed, IndexRange darts, int threads) => ManagedPiKernels.CountScalar(seed, darts);
}
