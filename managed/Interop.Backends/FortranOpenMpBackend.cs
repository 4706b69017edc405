using Interop.Core;
using Interop.Native;

namespace Interop.Backends;

/// <summary>Adapter for native/src/pi_fortran_openmp.f90 and native/src/lu_inverse_fortran.f90 (iso_c_binding).</summary>
public sealed class FortranOpenMpBackend : IPiBackend, IInvBackend
{
    public string Name => "fortran-openmp";

    public string Description => "Fortran with OpenMP through iso_c_binding and P/Invoke";

    public int Order => 3;

    public bool IsParallel => true;

    public void EnsureAvailable() => NativeLoader.EnsureLoaded();

    public long CountInside(ulong seed, IndexRange darts, int threads) => NativePi.CountFortran(seed, darts, threads);

    public void Invert(Span<double> a, int n, int threads) => NativeInverse.InvertFortran(a, n, threads, Name);

    public Isa PiIsa => NativeIsa.Active;

    public Isa InvIsa => NativeIsa.Active;
}
