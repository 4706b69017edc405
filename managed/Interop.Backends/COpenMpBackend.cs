using Interop.Core;
using Interop.Native;

namespace Interop.Backends;

/// <summary>Adapter for native/src/pi_c_openmp.c and native/src/lu_inverse_c.c.</summary>
public sealed class COpenMpBackend : IPiBackend, IInvBackend
{
    public string Name => "c-openmp";

    public string Description => "C with OpenMP through P/Invoke (AVX-512 where the CPU has it)";

    public int Order => 2;

    public bool IsParallel => true;

    public void EnsureAvailable() => NativeLoader.EnsureLoaded();

    public long CountInside(ulong seed, IndexRange darts, int threads) => NativePi.CountC(seed, darts, threads);

    public void Invert(Span<double> a, int n, int threads) => NativeInverse.InvertC(a, n, threads, Name);

    public Isa PiIsa => NativeIsa.Active;

    public Isa InvIsa => NativeIsa.Active;
}
