using Interop.Core;
using Interop.Native;

namespace Interop.Backends;

/// <summary>
/// "Just call the library": dgetrf + dgetri from the system's OpenBLAS (native/src/lapack_inverse.c),
/// with OpenBLAS's thread count set explicitly for each call.
/// </summary>
public sealed class LapackBackend : IInvBackend
{
    public string Name => "lapack";

    public string Description => "LAPACK dgetrf + dgetri from OpenBLAS through P/Invoke";

    public string Language => "LAPACK";

    public int Order => 4;

    public bool IsParallel => true;

    public void EnsureAvailable() => NativeLoader.EnsureLoaded();

    public void Invert(Span<double> a, int n, int threads) => NativeInverse.InvertLapack(a, n, threads, Name);

    /// <summary>OpenBLAS's own path: the CPU type it chose (or was told with OPENBLAS_CORETYPE, which --isa sets).</summary>
    public Isa InvIsa => NativeIsa.OpenBlasPath(NativeInverse.OpenBlasCore());
}
