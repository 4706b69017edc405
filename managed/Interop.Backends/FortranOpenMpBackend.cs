using Interop.Core;
using Interop.Native;

namespace Interop.Backends;

/// <summary>Adapter for native/src/pi_fortran_openmp.f90 (iso_c_binding).</summary>
public sealed class FortranOpenMpBackend : IPiBackend
{
    public string Name => "fortran-openmp";

    public string Description => "Fortran with OpenMP through iso_c_binding and P/Invoke";

    public int Order => 3;

    public bool IsParallel => true;

    public void EnsureAvailable() => NativeLoader.EnsureLoaded();

    public long CountInside(ulong seed, IndexRange darts, int threads) => NativePi.CountFortran(seed, darts, threads);
}
